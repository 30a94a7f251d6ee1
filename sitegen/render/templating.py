"""Jinja as sitegen runs it: the sandbox templates render in, and compiled templates kept in memory for a command."""

from __future__ import annotations

import io
import os
from pathlib import PurePath
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox


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


# What reaches the disk: the context holds the site folder's path (config.root), whose read_text,
# write_text and unlink Jinja's sandbox would allow. A template shows a path, never what it names.
_ON_DISK = (PurePath, os.PathLike, io.IOBase)


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, refusing every attribute of a path or a file, its verdict on an
    attribute remembered by the object's type.

    Whether `obj.attr` is safe depends on type(obj) and the name alone (a name with an underscore,
    a function's or frame's internals, a method that changes a list or dict); a page looks up the
    same few dozen pairs a hundred times, and asking again cost 15-20% of a warm build's render."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe: dict[tuple[type, type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), obj.__class__, attr)  # __class__ too: isinstance reads it, and a proxy's is not its type
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = not isinstance(obj, _ON_DISK) and super().is_safe_attribute(obj, attr, value)
        return safe
