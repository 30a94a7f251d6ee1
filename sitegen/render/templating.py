"""Compiled templates kept in memory for the length of a command, shared by the per-language environments."""

from __future__ import annotations

import jinja2
import jinja2.bccache


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates in memory, for several environments (one per language): the same source
    compiles to the same code, and compiling costs more than rendering a hundred pages. Nothing is
    read from disk: compiled code runs as it loads, and a file is data a repository clone can carry."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.codes.clear()
