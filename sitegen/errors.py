"""Diagnostics: one format everywhere, the compiler's."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]
Translate = Callable[[str], str]


class Message(str):
    """A message's English text that keeps its template and values, so that it can be said in the
    editor's language (see messages.py); everywhere else it is the English text."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Message:
        self = super().__new__(cls, template.format(**values))
        self.template, self.values = template, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pages render on worker processes
        return (_message, (self.template, self.values))

    def said(self, translate: Translate) -> str:
        """The message in the language of `translate` (gettext); in English if its translation is broken."""
        values = {name: value.said(translate) if isinstance(value, Message) else value for name, value in self.values.items()}
        try:
            return translate(self.template).format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            return str(self)


def _message(template: str, values: dict[str, object]) -> Message:
    return Message(template, **values)


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a file, located as precisely as we can."""

    path: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    message: str = ""
    severity: Severity = "error"
    # Made once: the dev server sorts and sets apart thousands of the same diagnostics on every save.
    _key: tuple[str, int, int, str, str] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", (self.path, self.line or 0, self.column or 0, self.field or "", self.message))

    def __hash__(self) -> int:
        return hash(self._key)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return self._key

    def format(self, translate: Translate | None = None) -> str:
        """`path:line:col: error: field: message`, as compilers print it, on one line whatever the values;
        with `translate`, the message (only) in its language."""
        where = visible(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {visible(self._what(translate))}"

    def github(self, translate: Translate | None = None) -> str:
        """The same diagnostic as a GitHub Actions workflow annotation, escaped as @actions/core does.

        The runner turns %0A back into a newline inside the annotation, so the file property is the
        file's real name; what a log viewer would act on (ESC, bidi overrides, `##[`) is shown as in
        the terminal."""
        parts = [f"file={escape_property(visible(self.path, keep=LINE_BREAKS))}"]
        if self.line is not None:
            parts.append(f"line={self.line}")
        if self.column is not None:
            parts.append(f"col={self.column}")
        kind = "notice" if self.severity == "note" else self.severity
        return f"::{kind} {','.join(parts)}::{escape_data(visible(self._what(translate), keep=LINE_BREAKS))}"

    def _what(self, translate: Translate | None = None) -> str:
        message = said(self.message, translate)
        return f"{self.field}: {message}" if self.field else message

    def as_error(self) -> Diagnostic:
        """Under --strict a warning is an error; a note stays a note."""
        if self.severity == "note":
            return self
        return Diagnostic(self.path, self.line, self.column, self.field, self.message, "error")


def did_you_mean(found: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the known name closest to `found`, or '' when none is close."""
    import difflib  # here: most runs never need it

    # One letter off in a two-letter name (jp for ja, a language code) is a ratio of 0.5.
    cutoff = 0.5 if len(found) <= 3 else 0.6
    close = difflib.get_close_matches(found, list(known), n=1, cutoff=cutoff)
    return Message(" (did you mean '{name}'?)", name=close[0]) if close else ""


def said(text: str, translate: Translate | None) -> str:
    """`text` in the language of `translate` when it is a Message; as it is otherwise."""
    return text.said(translate) if translate is not None and isinstance(text, Message) else str(text)


def os_reason(exc: OSError) -> str:
    """The system's reason, as it says it ('permission denied'): not translated, it names the cause exactly."""
    return (exc.strerror or str(exc)).lower()


def message_of(exc: BaseException) -> str:
    """The message an exception was raised with, still a Message (str(exc) would make it plain English)."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Message) else str(exc)


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
        return Message("nothing")
    if isinstance(value, dict):
        return Message("a mapping")
    if isinstance(value, list):
        return Message("a list")
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float) and not math.isfinite(value):
        return YAML_SPECIAL_FLOATS[repr(value)]
    return repr(value)


# Not-a-number and infinity as an editor writes them in YAML.
YAML_SPECIAL_FLOATS = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}
# Longer whole numbers are described by their length: Python will not even write out one of
# more than 4,300 digits (sys.get_int_max_str_digits), and no editor reads one.
LONGEST_NUMBER_SHOWN = 30


def _integer(value: int) -> str:
    size = abs(value)
    if size < 10**LONGEST_NUMBER_SHOWN:
        return repr(value)
    digits = int(math.log10(size)) + 1  # a float's log is off by one next to a power of ten
    if 10 ** (digits - 1) > size:
        digits -= 1
    elif 10**digits <= size:
        digits += 1
    if value < 0:
        return Message("a negative number of {digits:,} digits", digits=digits)
    return Message("a number of {digits:,} digits", digits=digits)


# What no printed value may carry: C0 and C1 controls and DEL (a newline forges a line, ESC
# recolours or rewrites the terminal), line and paragraph separators, the bidi marks, overrides
# and isolates that reorder what is shown (Trojan Source), and the lone surrogates a file name
# that is not UTF-8 decodes to.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
LINE_BREAKS = "\r\n"
# GitHub's runner also takes its first, legacy syntax `##[command]...` anywhere in a line of a
# job's log, not only at its start as `::command::`: a printed value must not bring one.
LEGACY_COMMAND = "##["


def visible(text: str, keep: str = "") -> str:
    """`text` with every character in UNPRINTABLE but `keep` written as an escape (\\n, \\x1b, \\u202e)."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        if char in NAMED_ESCAPES:
            return NAMED_ESCAPES[char]
        return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"

    return UNPRINTABLE.sub(escape, text).replace(LEGACY_COMMAND, "#\\x23[")


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as @actions/core's escapeData does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped as @actions/core's escapeProperty does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
