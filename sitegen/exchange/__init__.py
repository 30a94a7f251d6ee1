"""`sitegen i18n export` and `import`: content for translation agencies, as XLIFF or PO, and back."""

from __future__ import annotations

import codecs
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, Message, Severity, did_you_mean, os_reason
from ..inputs.config import SiteConfig
from ..inputs.content import SourceItem, parse_item
from ..inputs.files import Refused, check_input, check_new_file, read_input
from ..inputs.schema import CheckedItem, check_item
from ..layout import CONTENT_DIR, identify
from ..text import controls
from ..translations import find_version
from .formats import Problem, read_po, read_xliff, write_po, write_xliff
from .items import Exchange, ItemUnits, export_units, rebuild, source_units, target_path
from .segments import Part, Span, join_inline, layout_problem, placeholder_problems
from .xliff2 import write_xliff2


@dataclass(frozen=True)
class Selection:
    items: tuple[str, ...] = ()  # section/slug, or a content path of any language
    brochure: str | None = None
    missing: bool = False
    outdated: bool = False


def _read_local(config: SiteConfig, rel: str) -> bytes | None:
    """A translation file as every input is read (inside content/, a plain file); None when there is
    none, or it is refused (_write_problems reports that)."""
    try:
        return read_input(config.root, rel, CONTENT_DIR)
    except Refused:
        return None


def _digest(data: bytes | None) -> str:
    """What an export records of the translation file it was made against ("" for none)."""
    return hashlib.sha256(data).hexdigest() if data is not None else ""


def _key(name: str) -> tuple[str, str]:
    identity = identify(name)
    if identity is not None:
        return identity[1], identity[2]
    section, _, slug = name.strip("/").partition("/")
    return section, slug


def choose(config: SiteConfig, checked: list[CheckedItem], lang: str, selection: Selection) -> tuple[list[CheckedItem], list[str]]:
    """The sources to export, in a stable order, and the names that match none."""
    sources = {c.source.key: c for c in checked if c.source.lang == config.source_language}
    translations = {c.source.key: c for c in checked if c.source.lang == lang}
    unknown: list[str] = []
    keys: list[tuple[str, str]] = []
    if selection.items:
        for name in selection.items:
            key = _key(name)
            if key in sources:
                keys.append(key)
            else:
                unknown.append(name)
    if selection.brochure:
        brochure = sources.get(("brochures", selection.brochure))
        if brochure is None:
            unknown.append(f"brochures/{selection.brochure}")
        else:
            keys.append(brochure.source.key)
            for section in brochure.fields.get("sections", ()):
                for kind, folder in (("page", "pages"), ("cluster", "clusters"), ("story", "stories")):
                    if kind in section and (folder, section[kind]) in sources:
                        keys.append((folder, section[kind]))
            if brochure.fields.get("back_page") and ("pages", brochure.fields["back_page"]) in sources:
                keys.append(("pages", brochure.fields["back_page"]))
    if not selection.items and not selection.brochure:
        keys = sorted(sources)
    if selection.missing or selection.outdated:

        def wanted(key: tuple[str, str]) -> bool:
            mine = translations.get(key)
            if mine is None:
                return selection.missing
            return selection.outdated and mine.source_version != sources[key].version

        keys = [key for key in keys if wanted(key)]
    seen: set[tuple[str, str]] = set()
    ordered = [key for key in keys if not (key in seen or seen.add(key))]  # type: ignore[func-returns-value]
    return [sources[key] for key in ordered], unknown


def unknown_items(unknown: list[str], known: list[str]) -> Message:
    """What the site has, for names of items it does not have: the closest, and the first of the rest."""
    names = sorted(set(known))
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    fixes = did_you_mean(unknown[0], names) if len(unknown) == 1 else ""
    return Message(
        "expected items of the site (section/slug, or a content file), found {names}{fix}; the site has {count} items: {known}",
        names=", ".join(unknown),
        fix=fixes,
        count=len(names),
        known=shown,
    )


def nothing_to_export(selection: Selection, lang: str, output: str) -> Message:
    """Why the selection is empty. No file is written: XLIFF (1.2 and 2) needs at least one <file>,
    and an empty one would only be sent to a translator for nothing."""
    if selection.missing and selection.outdated:
        return Message("nothing to export: every item is translated into {lang} and up to date; {output} was not written", lang=lang, output=output)
    if selection.missing:
        return Message("nothing to export: every item is translated into {lang}; {output} was not written", lang=lang, output=output)
    if selection.outdated:
        return Message("nothing to export: every translation into {lang} is up to date; {output} was not written", lang=lang, output=output)
    return Message("nothing to export: the site has no items; {output} was not written", output=output)


def blocking(config: SiteConfig, problems: list[Diagnostic], lang: str, sources: list[CheckedItem]) -> list[Diagnostic]:
    """The errors in the sources to export and their translations into `lang`: an item that fails its
    check (a character no exchange file can hold, say) would be sent out wrong, or its translation
    left out of the file as if there were none."""
    paths = {s.source.path for s in sources} | {target_path(config, s.source.path, lang) for s in sources}
    return [d for d in problems if d.severity == "error" and d.path in paths]


def export(config: SiteConfig, checked: list[CheckedItem], lang: str, sources: list[CheckedItem], fmt: str) -> bytes:
    """The exchange file of `sources`; `blocking` must have found nothing in them."""
    translations = {c.source.key: c for c in checked if c.source.lang == lang}
    items = []
    for source in sources:
        mine = translations.get(source.source.key)
        digest = _digest(_read_local(config, target_path(config, source.source.path, lang)))
        old = find_version(config, source.source.path, mine.source_version) if mine and mine.source_version and mine.source_version != source.version else None
        items.append(export_units(config, source, mine, lang, digest, old))
    exchange = Exchange(config.source_language, lang, tuple(items))
    writers = {"po": write_po, "xliff2": write_xliff2}
    return writers.get(fmt, write_xliff)(exchange)


def read_exchange(data: bytes) -> tuple[Exchange | None, list[Problem]]:
    """An exchange file of any format: XML (XLIFF 1.2 or 2, told apart by namespace) or PO."""
    return read_xliff(data) if _is_xml(data) else read_po(data)


def _is_xml(data: bytes) -> bool:
    """Whether the file starts with '<', after the byte-order mark a Windows tool may put first (in UTF-8 or UTF-16)."""
    for mark, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(mark):
            return data[:400].decode(codec, errors="ignore").lstrip("\ufeff").lstrip().startswith("<")
    return data.lstrip().startswith(b"<")


@dataclass(frozen=True)
class Written:
    path: str
    version: str | None  # the source version recorded, or None when some units are still to do
    todo: tuple[str, ...] = ()  # those units: without a translation, or not yet marked translated


def import_file(config: SiteConfig, checked: list[CheckedItem], file: Path, force: bool = False) -> tuple[list[Written], list[Diagnostic]]:
    """Check the whole file, then write every item's translation; nothing is written if any check fails."""
    where = str(file)
    found: list[Diagnostic] = []

    def report(line: int | None, message: str, field: str | None = None) -> None:
        found.append(Diagnostic(where, line or None, None, field, message))

    try:
        data = file.read_bytes()
    except OSError as exc:
        report(None, Message("expected an exchange file to read, found an error ({reason})", reason=os_reason(exc)))
        return [], found
    exchange, problems = read_exchange(data)
    for problem in problems:
        report(problem.line, problem.message)
    if exchange is None:
        return [], found
    lang = _site_code(exchange.target_lang, config.codes)
    if _site_code(exchange.source_lang, config.codes) != config.source_language:
        expected_source = Message("expected {lang}, the site's source language, found {found}", lang=config.source_language, found=repr(exchange.source_lang))
        report(exchange.line, expected_source, "source-language")
    if lang not in config.codes or lang == config.source_language:
        others = ", ".join(config.translation_codes)
        report(
            exchange.line,
            Message("expected one of the site's translation languages ({known}), found {found}", known=others, found=repr(lang)),
            "target-language",
        )
        return [], found
    sources = {c.source.path: c for c in checked if c.source.lang == config.source_language}
    plans = []
    told_language = False
    for item in exchange.items:
        source = sources.get(item.source_path)
        if source is None:
            gone = Message(
                "expected an item of the site, found {found}, which no longer exists (or does not pass `sitegen check`); leave it out",
                found=repr(item.source_path),
            )
            report(item.line, gone)
            continue
        expected = target_path(config, source.source.path, lang)
        if item.target_path != expected and (other := _path_language(config, source, item.target_path)) is not None:
            if not told_language:  # once for the file: every item says the same
                told_language = True
                wrong = Message(
                    "expected target-language {path_lang}, the language of the file's paths ({found}), found {lang}; set target-language back to {path_lang}",
                    path_lang=other,
                    found=repr(item.target_path),
                    lang=repr(exchange.target_lang),
                )
                report(exchange.line, wrong, "target-language")
            continue
        if item.target_path != expected:
            report(
                item.line,
                Message("expected the translation to go to {path}, found {found}; export the file again", path=expected, found=repr(item.target_path)),
            )
            continue
        found += _check_units(where, config, source, item)
        found += _write_problems(config, expected)
        plans.append((source, item, expected, _read_local(config, expected)))  # read once: checked, rebuilt, compared
    if any(d.severity == "error" for d in found):
        return [], found
    files = []
    for source, item, expected, current in plans:
        returned = {u.id: u.target for u in item.units if u.target is not None}
        if not returned:  # nothing translated yet: no file to write
            continue
        todo = tuple(u.id for u in item.units if u.target is None or u.state != "translated")
        text = rebuild(config, source, _local(current, expected, lang, source), returned, None if todo else item.source_version)
        # Changed since the export, but not to what this import writes (which is the same file imported again).
        if _digest(current) != item.translation_digest and not force and current != text.encode("utf-8"):
            changed = Message(
                "expected {path} as it was when exported, found it changed since (edited here after the export); merge by hand, or import with --force to overwrite it",
                path=expected,
            )
            report(item.line, changed)
        found += _check_file(where, item.line, config, source, expected, lang, text)
        files.append((expected, text, current, None if todo else item.source_version, todo))
    if any(d.severity == "error" for d in found):
        return [], found
    written = []
    for expected, text, current, version, todo in files:
        path = config.root / expected
        path.parent.mkdir(parents=True, exist_ok=True)
        if current != text.encode("utf-8"):
            path.write_text(text, encoding="utf-8")
        written.append(Written(expected, version, todo))
    return written, found


def _site_code(tag: str, codes: tuple[str, ...]) -> str:
    """A CAT tool's language tag as the site's code: en-US or en_US is en, zh-CN or zh-Hans is zh, when
    the site has that language and not the tag itself."""
    base = tag.replace("_", "-").split("-")[0].lower()
    return tag if tag in codes or base not in codes else base


def _path_language(config: SiteConfig, source: CheckedItem, path: str) -> str | None:
    """The other translation language whose file `path` is, if it is one: the file's target-language
    was changed, not its paths."""
    return next((code for code in config.translation_codes if target_path(config, source.source.path, code) == path), None)


def _write_problems(config: SiteConfig, rel: str) -> list[Diagnostic]:
    """A translation file the import may not write: a link, or in a folder that leads out of the site."""
    try:
        if os.path.lexists(config.root / rel):
            check_input(config.root, rel, CONTENT_DIR)
        else:
            check_new_file(config.root, rel, CONTENT_DIR, Message("the translation"))
    except Refused as exc:
        return [exc.diagnostic()]
    return []


def _check_file(where: str, line: int, config: SiteConfig, source: CheckedItem, rel: str, lang: str, text: str) -> list[Diagnostic]:
    """The file the import would write, checked as `sitegen check` checks it: any error is the exchange file's."""
    parsed = parse_item(text.encode("utf-8"), rel, lang, source.source.section, source.source.slug)
    problems = [parsed] if isinstance(parsed, Diagnostic) else check_item(parsed, config)[1]
    return [
        Diagnostic(
            where,
            line or None,
            None,
            d.field,
            Message(
                "expected a translation of {path} that passes its check, found one that would not ({problem}); fix the units of that field",
                path=rel,
                problem=d.message,
            ),
        )
        for d in problems
        if d.severity == "error"
    ]


def _local(data: bytes | None, rel: str, lang: str, source: CheckedItem) -> SourceItem | None:
    """The translation file `rel` as it is (`data`), parsed; None when there is none or it does not parse."""
    if data is None:
        return None
    parsed = parse_item(data, rel, lang, source.source.section, source.source.slug)
    return parsed if isinstance(parsed, SourceItem) else None


def _plain(parts: tuple[Part, ...]) -> str:
    return "".join(part if isinstance(part, str) else _plain(part.content) if isinstance(part, Span) else "" for part in parts)


def _check_units(where: str, config: SiteConfig, source: CheckedItem, item: ItemUnits) -> list[Diagnostic]:
    units, _ = source_units(config, source)
    current = {unit.id: unit for unit in units}
    found: list[Diagnostic] = []

    def report(line: int | None, field: str | None, message: Message, severity: Severity = "error") -> None:
        found.append(Diagnostic(where, line or None, None, field, message, severity))

    seen: set[str] = set()
    for unit in item.units:
        mine = current.get(unit.id)
        if unit.id in seen:
            report(unit.line, unit.id, Message("expected each unit once, found {unit} again; remove the copy", unit=unit.id))
            continue
        seen.add(unit.id)
        if mine is None:
            gone = Message("expected a unit of {path}, found {unit}, which it no longer has; export the file again", path=item.source_path, unit=unit.id)
            report(unit.line, unit.id, gone)
            continue
        if unit.source != mine.source and item.source_version == source.version:  # the source is as exported: the file's was edited
            edited = Message(
                "expected the source text as exported, found it edited in the file, while {path}:{line} has not changed since; "
                "put the source back as it was (translations go in the target only)",
                path=item.source_path,
                line=mine.line,
            )
            report(unit.line, unit.id, edited)
        elif unit.source != mine.source:
            changed = Message(
                "the source changed since the export ({path}:{line}); the translation is imported as made from the old source and stays marked out of date",
                path=item.source_path,
                line=mine.line,
            )
            report(unit.line, unit.id, changed, "warning")
        if unit.target is not None:
            for char in sorted({f.char for f in controls.find(_plain(unit.target))}):  # as <cp/> in XLIFF 2, or raw in PO
                report(unit.line, unit.id, controls.invisible(char))
            wrong = placeholder_problems(unit.target, mine.codes)
            for problem in wrong:
                report(unit.line, unit.id, Message("expected the source's placeholders, found {problem}; put it back as in the source", problem=problem))
            layout = None if wrong or mine.kind == "field" else layout_problem(mine.kind, join_inline(unit.target, mine.codes))
            if layout:
                report(unit.line, unit.id, Message("expected the translation to keep the block as it is, found {problem}", problem=layout))
    missing = [unit.id for unit in units if unit.id not in seen]
    if missing:
        incomplete = Message(
            "expected every unit of {path}, found {count} missing ({units}); send back the whole file",
            path=item.source_path,
            count=len(missing),
            units=", ".join(missing[:5]) + (", …" if len(missing) > 5 else ""),
        )
        report(item.line, None, incomplete)
    return found
