"""Field checks shared by the config and content schemas: each returns a clean value or raises Invalid."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import Diagnostic, Message, Severity, describe, did_you_mean
from .yamlfile import Key, Parsed

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A slug names files (a brochure's <slug>-<lang>.pdf) and URLs: well under the 255 bytes a file name may have.
MAX_SLUG = 100
DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
CURRENCY_RE = re.compile(r"[A-Z]{3}")


class Invalid(Exception):
    def __init__(self, expected: str, found: object, fix: str = ""):
        self.expected = expected
        self.found = found
        self.message = Message("expected {expected}, found {found}{fix}", expected=expected, found=describe(found), fix=fix)
        super().__init__(str(self.message))


Check = Callable[[Any], Any]


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(Message("text"), value)
    return value.strip()


def markdown(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(Message("Markdown text"), value)
    from ..text.markdown import limit_problem  # Python-Markdown is loaded once there is Markdown to check

    problem = limit_problem(value)
    if problem is not None:  # a body that would take Python-Markdown minutes, refused before rendering
        raise Invalid(problem.expected, problem)
    return value


# A number written with digit-group commas, as Korean and English texts write amounts: 12,000,000.
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def ungrouped(value: Any) -> Any:
    """12,000,000 written in YAML (text to YAML) as the number 12000000; any other value as it is."""
    if isinstance(value, str) and GROUPED.fullmatch(value.strip()):
        number = value.strip().replace(",", "")
        return float(number) if "." in number else int(number)
    return value


def count(value: Any) -> int:
    value = ungrouped(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(Message("a whole number of 0 or more"), value)
    return value


def amount(value: Any) -> Decimal:
    value = ungrouped(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Invalid(Message("an amount such as 1000000"), value)
    return Decimal(str(value))


def currency(value: Any) -> str:
    if not isinstance(value, str) or not CURRENCY_RE.fullmatch(value):
        raise Invalid(Message("a currency code such as USD"), value)
    return value


def date(value: Any) -> dt.date:
    match = DATE_RE.fullmatch(value) if isinstance(value, str) else None
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise Invalid(Message("a date like 2012-05-31"), value, other_date_format(value))


# Dates as people write them elsewhere: 2012.05.31, 2012/5/31, 2012. 5. 31., 2012년 5월 31일; 31-05-2012, 31.05.2012.
_YEAR_FIRST = re.compile(r"(\d{4})\s*(?:[./-]|년)\s*(\d{1,2})\s*(?:[./-]|월)\s*(\d{1,2})\s*[.일]?")
_YEAR_LAST = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})")


def other_date_format(value: Any) -> str:
    """', found in another format: write it as 2012-05-31' when `value` is a date written another way."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _YEAR_LAST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        if month > 12 >= day:  # 5/31/2012, as American texts write it
            day, month = month, day
        elif day <= 12:  # 05-06-2012: May or June? Say which order the field wants, no guess
            return Message("; write the year first, then the month and the day, each with two digits: 2012-06-05 for 5 June 2012")
    else:
        return ""
    try:
        written = dt.date(year, month, day).isoformat()
    except ValueError:
        return ""
    return Message("; write it as {written}", written=written)


def matching(regex: re.Pattern[str] | str, expected: str) -> Check:
    """A check for text that matches `regex` whole."""
    compiled = re.compile(regex)

    def check_text(value: Any) -> str:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise Invalid(expected, value)
        return value

    return check_text


slug = matching(SLUG_RE, Message("a slug of lowercase letters, digits and hyphens"))
url = matching(r"https?://[^\s<>\"]+", Message("an http(s) URL"))
email = matching(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", Message("an e-mail address"))
version = matching(r"[0-9a-f]{12}", Message("a source version of 12 hex digits, as `sitegen i18n done` writes it"))


def image_path(value: Any) -> str:
    """An image's path as written, relative to the file (resolved, and read, by inputs.images)."""
    from .images import TYPES, is_local

    if not isinstance(value, str) or not value.strip() or not is_local(value.strip()) or not value.strip().lower().endswith(TYPES):
        raise Invalid(
            Message("an image path relative to this file, such as photo.jpg or ../../../../assets/map.svg, ending in {types}", types=", ".join(TYPES)), value
        )
    return value.strip()


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(Message("true or false"), value)
    return value


def list_of(check: Check, what: str) -> Check:
    def check_list(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise Invalid(Message("a list of {what}", what=what), value)
        return tuple(value)  # items are checked one by one by check_fields, with their lines

    check_list.item = check  # type: ignore[attr-defined]
    return check_list


def one_of(choices: Iterable[str], aliases: Iterable[tuple[str, str]] = ()) -> Check:
    """One of `choices`; a wrong value is told the closest, or the choice an alias (a region's name,
    as a page shows it) stands for."""
    names = sorted(choices)
    meant = dict(aliases)

    def check_choice(value: Any) -> str:
        if value not in names:
            fix: str = ""
            if isinstance(value, str) and value in meant:
                fix = Message(" (did you mean '{name}'?)", name=meant[value])
            elif isinstance(value, str):
                fix = did_you_mean(value, names)
            raise Invalid(Message("one of {names}", names=", ".join(names)), value, fix)
        return value

    return check_choice


@dataclass(frozen=True)
class Field:
    """One field of a schema; `fields` makes it a nested mapping, `items` a list of mappings."""

    name: str
    check: Check | None = None
    required: bool = False
    translatable: bool = False
    fields: tuple[Field, ...] = ()
    items: tuple[Field, ...] = ()
    doc: str = ""


@dataclass
class Checker:
    """Checks a parsed file against fields and collects diagnostics with positions."""

    path: str
    parsed: Parsed
    unknown: Severity = "error"
    require: bool = True

    def __post_init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        for key, (line, column), (first, _) in self.parsed.duplicates:
            self.report(
                key,
                Message("expected each field once, found it again (first at line {first}); keep one of the two and delete the other", first=first),
                line=line,
                column=column,
            )
        for key, (line, column), note in self.parsed.notes:
            self.report(key, note, "warning", line=line, column=column)

    def report(self, key: Key, message: str, severity: Severity = "error", line: int | None = None, column: int | None = None) -> None:
        mark = self.parsed.mark(key)
        if line is None and mark:
            line, column = mark
        name = ".".join(str(part) for part in key) or None
        self.diagnostics.append(Diagnostic(self.path, line, column, name, message, severity))

    def check(self, data: Mapping[str, Any], fields: tuple[Field, ...], key: Key = ()) -> dict[str, Any]:
        known = {f.name: f for f in fields}
        clean: dict[str, Any] = {}
        for name in data:
            if name not in known:
                hint = difflib.get_close_matches(str(name), known, n=1)
                fix = Message(" (did you mean '{name}'?)", name=hint[0]) if hint else ""
                self.report(key + (name,), Message("unknown field; expected one of {names}{fix}", names=", ".join(known), fix=fix), self.unknown)
        for f in fields:
            child = key + (f.name,)
            if f.name not in data or data[f.name] is None:
                if f.required and self.require:
                    self.report(child, Message("expected {doc}, found nothing (the field is required)", doc=f.doc or Message("a value")))
                continue
            value = data[f.name]
            if f.items:
                checked_items = self._check_mappings(value, f, child)
                if checked_items is not None:
                    clean[f.name] = checked_items
                continue
            if f.fields:
                if not isinstance(value, dict):
                    self.report(
                        child, Message("expected a mapping with {names}, found {found}", names=", ".join(x.name for x in f.fields), found=describe(value))
                    )
                    continue
                clean[f.name] = self.check(value, f.fields, child)
                continue
            assert f.check is not None
            try:
                checked = f.check(value)
            except Invalid as exc:
                self.report(child, exc.message)
                continue
            item_check = getattr(f.check, "item", None)
            if item_check is not None:
                checked = self._check_items(checked, item_check, child)
                if checked is None:
                    continue
            clean[f.name] = checked
        return clean

    def _check_mappings(self, value: Any, f: Field, key: Key) -> tuple[dict[str, Any], ...] | None:
        if not isinstance(value, list):
            self.report(key, Message("expected a list of {doc}, found {found}", doc=f.doc or Message("entries"), found=describe(value)))
            return None
        out = []
        for index, entry in enumerate(value):
            if not isinstance(entry, dict):
                self.report(
                    key + (index,),
                    Message("expected an entry with one of {names}, found {found}", names=", ".join(x.name for x in f.items), found=describe(entry)),
                )
                continue
            out.append(self.check(entry, f.items, key + (index,)))
        return tuple(out)

    def _check_items(self, items: tuple[Any, ...], check: Check, key: Key) -> tuple[Any, ...] | None:
        out = []
        ok = True
        for index, item in enumerate(items):
            try:
                out.append(check(item))
            except Invalid as exc:
                self.report(key + (index,), exc.message)
                ok = False
        return tuple(out) if ok else None
