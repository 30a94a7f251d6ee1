"""Jinja as sitegen runs it: the sandbox templates render in, and compiled templates kept in memory for a command."""

from __future__ import annotations

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


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, its verdict on an attribute remembered by the object's type.

    Whether `obj.attr` is safe depends on type(obj) and the name alone (a name with an underscore,
    a function's or frame's internals, a method that changes a list or dict); a page looks up the
    same few dozen pairs a hundred times, and asking again cost 15-20% of a warm build's render."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe
