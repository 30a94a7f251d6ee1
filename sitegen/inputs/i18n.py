"""locale/ -> gettext Translations per language, compiled in memory; Babel's CLDR formats."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_compact_currency, format_decimal
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from ..errors import Diagnostic, Message, Severity, did_you_mean
from ..layout import LOCALE_DIR
from .config import Language, SiteConfig
from .files import Refused, check_input, read_input, walk_inputs

DOMAIN = "messages"
MAPPING = "babel.cfg"  # pybabel's extraction map, at the site's root
# Templates are written with English msgids: an English catalog may leave a string empty.
MSGID_LANGUAGE = "en"


@dataclass(frozen=True)
class Catalogs:
    """The compiled UI translations of each language, and what is missing from them."""

    translations: dict[str, NullTranslations]
    untranslated: dict[str, tuple[str, ...]]  # msgids with no usable translation, per language


def po_path(code: str) -> str:
    return f"{LOCALE_DIR}/{code}/LC_MESSAGES/{DOMAIN}.po"


def load_catalogs(config: SiteConfig, languages: tuple[str, ...]) -> tuple[Catalogs, list[Diagnostic]]:
    """Read and compile each language's catalog; fuzzy entries are left out, as gettext does."""
    translations: dict[str, NullTranslations] = {}
    untranslated: dict[str, tuple[str, ...]] = {}
    diagnostics: list[Diagnostic] = []
    root = config.root / LOCALE_DIR
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name not in config.codes:
                diagnostics.append(
                    Diagnostic(
                        f"{LOCALE_DIR}/{folder.name}",
                        None,
                        None,
                        None,
                        Message(
                            "expected a catalog of a configured language ({codes}), found '{name}'{fix}",
                            codes=", ".join(config.codes),
                            name=folder.name,
                            fix=did_you_mean(folder.name, config.codes),
                        ),
                        "warning",
                    )
                )
    for code in languages:
        catalog, problems = read_catalog(config, config.language(code))
        diagnostics += problems
        if catalog is None:
            translations[code] = NullTranslations()
            continue
        translations[code] = compile_catalog(catalog)
        untranslated[code] = tuple(
            _texts(m.id)[0] for m in catalog if m.id and (m.fuzzy or not all(_texts(m.string))) and not (code == MSGID_LANGUAGE and not m.fuzzy)
        )
    return Catalogs(translations, untranslated), diagnostics


def untranslated(code: str, msgid: str) -> Diagnostic:
    missing = Message("expected a translation of {msgid!r}, found none (the English text is shown)", msgid=msgid)
    return Diagnostic(po_path(code), None, None, None, missing, "warning")


def _texts(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """A catalog message's id or string as Babel holds it (one text, or singular and plurals) as a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value or "",)


# A .po line is a comment, a keyword with a string, or a string continuing the previous one.
PO_LINE = re.compile(r'\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"\s*)?')
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def read_catalog(config: SiteConfig, language: Language) -> tuple[Catalog | None, list[Diagnostic]]:
    rel = po_path(language.code)
    try:
        raw = read_input(config.root, rel)
    except Refused as exc:
        if not exc.missing:
            return None, [exc.diagnostic()]
        severity: Severity = "warning" if language.code == MSGID_LANGUAGE else "error"
        return None, [
            Diagnostic(
                rel, None, None, None, Message("expected the UI catalog for '{code}', found none; run `sitegen i18n init {code}`", code=language.code), severity
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Diagnostic(rel, line, None, None, Message("expected UTF-8 text, found byte {byte:#04x}; save the file as UTF-8", byte=raw[exc.start]))]
    # Babel's reader forgives broken lines (an unclosed quote loses a character): check first.
    for number, written in enumerate(text.splitlines(), 1):
        if not PO_LINE.fullmatch(written):
            return None, [
                Diagnostic(
                    rel,
                    number,
                    None,
                    None,
                    Message("expected a comment, a keyword with a quoted string, or a quoted string, found {line!r}", line=written.strip()),
                )
            ]
    try:
        catalog = read_po(io.BytesIO(raw), locale=language.locale, abort_invalid=True)
        compile_catalog(catalog)  # a broken Plural-Forms expression only shows when compiled
    except PoFileError as exc:
        return None, [Diagnostic(rel, exc.lineno, None, None, Message("expected a valid .po entry, found {line!r}", line=exc.line.strip()))]
    except (ValueError, TypeError, KeyError, IndexError, SyntaxError) as exc:
        # Babel and gettext reject a malformed header (Plural-Forms, charset) this way.
        line = next((n for n, text in enumerate(text.splitlines(), 1) if "Plural-Forms" in text or "charset" in text), 1)
        header = Message("expected a valid catalog header, found {error}: {message}", error=type(exc).__name__, message=str(exc))
        return None, [Diagnostic(rel, line, None, None, header)]
    return catalog, [*check_placeholders(catalog, rel), *check_markup(catalog, rel)]


def check_placeholders(catalog: Catalog, rel: str) -> Iterator[Diagnostic]:
    """Every translation must keep the msgid's %(name)s placeholders: a lost one loses a number."""
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _texts(message.id), _texts(message.string)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for index, string in enumerate(strings):
            if not string:
                continue
            found = set(PLACEHOLDER.findall(string))
            if found != expected:
                which = f"msgstr[{index}]" if isinstance(message.string, tuple) else "msgstr"
                want = ", ".join(f"%({name})s" for name in sorted(expected)) or Message("none")
                have = ", ".join(f"%({name})s" for name in sorted(found)) or Message("none")
                lost = Message("msgid {msgid!r}: expected the placeholders {want} in {which}, found {have}", msgid=ids[0], want=want, which=which, have=have)
                yield Diagnostic(rel, message.lineno, None, None, lost)


# Markup as a browser reads it: a tag, comment or declaration ('<' then a letter, '/', '!' or '?'),
# or a character reference. A translation may write only the markup its msgid has: the template
# author wrote that; a translator's own is shown as text (see translation_html).
MARKUP = re.compile(r"<[A-Za-z/!?][^>]*>?|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_MARKUP_PIECES = re.compile(f"({MARKUP.pattern})")


def markup_of(*msgids: str) -> frozenset[str]:
    """The markup written in a message's msgids, each tag or reference as written."""
    return frozenset(piece for msgid in msgids for piece in MARKUP.findall(msgid))


@lru_cache(maxsize=4096)
def translation_html(translation: str, *msgids: str) -> Markup:
    """A translation as HTML: the markup its msgids have, as it is written; everything else as text."""
    allowed = markup_of(*msgids)
    if not allowed:
        return escape(translation)
    pieces = _MARKUP_PIECES.split(translation)  # text, markup, text, ...
    return Markup("").join(Markup(piece) if index % 2 and piece in allowed else escape(piece) for index, piece in enumerate(pieces))


def text_of(value: Any) -> Any:
    """What a reader sees of HTML (a translation, say): its text; anything else as it is."""
    return value.striptags() if isinstance(value, Markup) else value


def check_markup(catalog: Catalog, rel: str) -> Iterator[Diagnostic]:
    """A translation has no markup but what its msgid has: anything else is shown as text, not run."""
    for message in catalog:
        if not message.id or message.fuzzy:  # a fuzzy entry never reaches a page: checked once it is confirmed
            continue
        ids, strings = _texts(message.id), _texts(message.string)
        allowed = markup_of(*ids)
        for index, string in enumerate(strings):
            foreign = [piece for piece in MARKUP.findall(string or "") if piece not in allowed]
            if foreign:
                yield Diagnostic(rel, message.lineno, None, None, _markup_message(ids, foreign, index if isinstance(message.string, tuple) else None))


def _markup_message(ids: tuple[str, ...], foreign: list[str], form: int | None) -> str:
    which = f"{ids[0]!r}" + (f" (msgstr[{form}])" if form is not None else "")
    own = ", ".join(repr(piece) for piece in dict.fromkeys(piece for msgid in ids for piece in MARKUP.findall(msgid)))
    found = ", ".join(map(repr, dict.fromkeys(foreign)))
    fix = Message("write the character itself") if all(piece.startswith("&") for piece in foreign) else Message("remove it")
    if own:
        return Message(
            "expected the translation of {which} to have no markup but the English text's ({own}), found markup {found}; {fix}",
            which=which,
            own=own,
            found=found,
            fix=fix,
        )
    return Message("expected the translation of {which} to be text, found markup {found}; {fix}", which=which, found=found, fix=fix)


def compile_catalog(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


# Formats are cached: a site shows the same dates and counts on many pages, and Babel's
# formatting costs more than the rest of a page's template.
@lru_cache(maxsize=65536)
def date(value: dt.date, language: Language) -> str:
    """2012년 5월 31일 / May 31, 2012 / 2012年5月31日."""
    return format_date(value, "long", locale=language.babel)


@lru_cache(maxsize=65536)
def number(value: int | Decimal, language: Language) -> str:
    return format_decimal(value, locale=language.babel)


@lru_cache(maxsize=65536)
def money(amount: Decimal, currency: str, language: Language) -> str:
    """An amount in the locale's compact form: $1M, US$100만, $100万."""
    return format_compact_currency(amount, currency, locale=language.babel, fraction_digits=1)


def locale_problems(root: Path) -> list[Diagnostic]:
    """Every file in locale/ that pybabel, which follows links as it writes, must not be let at: a link
    out of the site (or anything but a plain file), and locale/ itself linked out."""
    files, problems = walk_inputs(root, LOCALE_DIR)
    for rel in files:
        try:
            check_input(root, rel)
        except Refused as exc:
            if not exc.missing:
                problems.append(exc.diagnostic())
    return problems


# What babel.cfg may name. Any other method ('module:function', or one named under [extractors]) and
# any other Jinja extension is a module pybabel imports and runs: code a clone of the repository chooses.
METHODS = ("python", "jinja2", "javascript", "ignore")
EXTENSIONS = ("jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols")


def mapping_problems(root: Path) -> list[Diagnostic]:
    """What babel.cfg names that would make `pybabel extract` import and run code (see METHODS). It is
    read as Babel reads it, with Python's RawConfigParser: indents, letter case, continued values
    and DEFAULT's options mean to this check what they mean to pybabel."""
    from configparser import Error, RawConfigParser

    try:
        text = read_input(root, MAPPING).decode("utf-8")
    except Refused as exc:
        return [] if exc.missing else [exc.diagnostic()]
    except UnicodeDecodeError:
        return [Diagnostic(MAPPING, None, None, None, Message("expected UTF-8 text, found other bytes; save the file as UTF-8"))]
    parser = RawConfigParser()
    try:
        parser.read_string(text, MAPPING)
    except Error as exc:
        return [
            Diagnostic(
                MAPPING, getattr(exc, "lineno", None), None, None, Message("expected babel.cfg as Babel reads it, found an error ({error})", error=str(exc))
            )
        ]
    found: list[str] = []
    for section in parser.sections():
        method = section.split(":", 1)[0].strip()
        if section == "extractors" or method not in METHODS:
            found.append(section.strip() if section == "extractors" else method)
        for name, value in parser.items(section):
            if name == "extensions":
                found += [extension for extension in re.split(r"[\s,]+", value) if extension and extension not in EXTENSIONS]
    lines = text.splitlines()
    fix = Message("use {methods}, with extensions of {extensions}", methods=", ".join(METHODS), extensions=", ".join(EXTENSIONS))
    return [
        Diagnostic(
            MAPPING,
            next((number for number, line in enumerate(lines, 1) if name.lower() in line.lower()), None),
            None,
            None,
            Message(
                "expected Babel's own extraction methods and Jinja's own extensions, found {found!r}, which pybabel would import and run; {fix}",
                found=name,
                fix=fix,
            ),
        )
        for name in dict.fromkeys(found)
    ]


def pybabel(root: Path, action: str, language: str | None = None) -> int:
    """The gettext round trip with Babel's own command line, so plain `pybabel` gives the same result."""
    from contextlib import chdir

    from babel.messages.frontend import CommandLineInterface

    pot = f"{LOCALE_DIR}/{DOMAIN}.pot"
    argv = {
        "extract": ["extract", "-F", MAPPING, "-o", pot, "."],
        "init": ["init", "-i", pot, "-d", LOCALE_DIR, "-l", language or ""],
        "update": ["update", "-i", pot, "-d", LOCALE_DIR],
        "compile": ["compile", "-d", LOCALE_DIR, "--statistics"],
    }[action]
    # Babel reads [tool.babel.*] from a pyproject.toml in the current folder for what the command line
    # leaves unsaid: a clone's could send the catalogs it writes (output_file) anywhere on the disk.
    skip, os.environ["BABEL_PYPROJECT_TOML"] = os.environ.get("BABEL_PYPROJECT_TOML"), "skip"
    try:
        with chdir(root):
            CommandLineInterface().run(["pybabel", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        if skip is None:
            del os.environ["BABEL_PYPROJECT_TOML"]
        else:
            os.environ["BABEL_PYPROJECT_TOML"] = skip
    return 0
