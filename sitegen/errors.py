"""Diagnostics: one format everywhere, the compiler's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a file, located as precisely as we can."""

    path: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    message: str = ""
    severity: Severity = "error"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line or 0, self.column or 0, self.field or "", self.message)

    def format(self) -> str:
        """`path:line:col: error: field: message`, as compilers print it."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {self.severity}: {what}"

    def github(self) -> str:
        """The same diagnostic as a GitHub Actions workflow annotation."""
        parts = [f"file={self.path}"]
        if self.line is not None:
            parts.append(f"line={self.line}")
        if self.column is not None:
            parts.append(f"col={self.column}")
        what = f"{self.field}: {self.message}" if self.field else self.message
        what = what.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        kind = "notice" if self.severity == "note" else self.severity
        return f"::{kind} {','.join(parts)}::{what}"

    def as_error(self) -> Diagnostic:
        """Under --strict a warning is an error; a note stays a note."""
        if self.severity == "note":
            return self
        return Diagnostic(self.path, self.line, self.column, self.field, self.message, "error")


class BuildFailed(Exception):
    """Raised when a stage found errors; carries every diagnostic of the run."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def describe(value: object) -> str:
    """A short, quoted rendering of a found value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
