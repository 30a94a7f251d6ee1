"""What is translated, missing or out of date, per language; what changed in the source since."""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from .errors import Diagnostic, Message, Translate, os_reason, said
from .inputs.config import SiteConfig
from .inputs.content import parse_item
from .inputs.files import Refused, read_input
from .inputs.i18n import MSGID_LANGUAGE, po_path, read_catalog
from .inputs.schema import VERSION_FIELD, CheckedItem, check_item, left_out, section_fields, translatable
from .layout import CONTENT_DIR, identify

State = Literal["translated", "missing", "outdated"]


@dataclass(frozen=True)
class ItemStatus:
    section: str
    slug: str
    lang: str
    state: State
    path: str  # the translation's file (where it belongs, when missing)
    source: str
    recorded: str | None = None  # the source version the translation says it was made from
    current: str = ""  # the source version now
    known: bool = True  # the recorded version is one the source's history has
    diff: str = ""  # how the source's translatable text changed since the recorded version
    untranslated: tuple[str, ...] = ()  # the source's texts the translation leaves out: its page shows them in the source language


@dataclass(frozen=True)
class CatalogStatus:
    path: str
    translated: int
    fuzzy: int
    untranslated: int


@dataclass
class LanguageStatus:
    lang: str
    catalog: CatalogStatus | None
    items: list[ItemStatus] = field(default_factory=list)
    omits: bool = False  # site.yaml's `untranslated: omit`: a missing item is left out of this language's site

    def count(self, state: State) -> int:
        return sum(1 for item in self.items if item.state == state)


def status(config: SiteConfig, checked: list[CheckedItem], languages: tuple[str, ...]) -> tuple[list[LanguageStatus], list[Diagnostic]]:
    """Per language: the UI catalog's counts and every content item's translation state."""
    sources = {c.source.key: c for c in checked if c.source.lang == config.source_language}
    translations = {(c.source.key, c.source.lang): c for c in checked if c.source.lang != config.source_language}
    result, diagnostics = [], []
    for lang in languages:
        if lang == config.source_language:
            continue
        catalog, problems = read_catalog(config, config.language(lang))
        diagnostics += problems
        language = LanguageStatus(lang, _catalog_status(catalog, lang) if catalog else None, omits=config.omits(lang))
        for key, source in sorted(sources.items()):
            translation = translations.get((key, lang))
            item = _item_status(config, source, translation, lang)
            if item.state == "outdated" and item.recorded and not item.known:
                diagnostics.append(
                    Diagnostic(
                        item.path,
                        None,
                        None,
                        VERSION_FIELD,
                        Message(
                            "expected a version of {source} from its history, found {recorded}, which names none", source=item.source, recorded=item.recorded
                        ),
                    )
                )
            language.items.append(item)
        result.append(language)
    return result, diagnostics


def _catalog_status(catalog: Any, lang: str) -> CatalogStatus:
    translated = fuzzy = untranslated = 0
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            fuzzy += 1
        elif all(strings) or lang == MSGID_LANGUAGE:
            translated += 1
        else:
            untranslated += 1
    return CatalogStatus(po_path(lang), translated, fuzzy, untranslated)


def _item_status(config: SiteConfig, source: CheckedItem, translation: CheckedItem | None, lang: str) -> ItemStatus:
    section, slug = source.source.key
    source_path = source.source.path
    current = source.version
    if translation is None:
        path = source_path.replace(f"{CONTENT_DIR}/{config.source_language}/", f"{CONTENT_DIR}/{lang}/", 1)
        return ItemStatus(section, slug, lang, "missing", path, source_path, None, current)
    recorded = translation.source_version
    fields = section_fields(section, config)
    left = tuple(".".join(map(str, path)) for path in left_out(translatable(fields, source.fields), translatable(fields, translation.fields)))
    if recorded == current:
        return ItemStatus(section, slug, lang, "translated", translation.source.path, source_path, recorded, current, untranslated=left)
    old = find_version(config, source_path, recorded) if recorded else None
    diff = text_diff(config, old, source, recorded) if old is not None else ""
    known = old is not None or recorded is None
    return ItemStatus(section, slug, lang, "outdated", translation.source.path, source_path, recorded, current, known=known, diff=diff, untranslated=left)


def find_version(config: SiteConfig, source_path: str, version: str) -> CheckedItem | None:
    """The source as it was when its translatable fields had `version`, from git history."""
    for commit in _commits(str(config.root), source_path):
        raw = _git(str(config.root), "show", f"{commit}:{source_path}")
        if raw is None:
            continue
        old = _check_old(config, raw, source_path)
        if old is not None and old.version == version:
            return old
    return None


def _check_old(config: SiteConfig, raw: bytes, path: str) -> CheckedItem | None:
    identity = identify(path)
    if identity is None:
        return None
    item = parse_item(raw, path, *identity)
    if isinstance(item, Diagnostic):
        return None
    checked, _ = check_item(item, config)
    return checked


@lru_cache(maxsize=256)
def _commits(root: str, path: str) -> tuple[str, ...]:
    out = _git(root, "log", "--format=%H", "--", path)
    return tuple(out.decode().split()) if out else ()


def _git(root: str, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", root, *args], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _as_lines(item: CheckedItem, config: SiteConfig) -> list[str]:
    """The translatable fields of an item as lines: each field's name, then its text."""
    fields = section_fields(item.source.section, config)
    lines = []
    for path in sorted(translatable(fields, item.fields), key=lambda p: tuple(map(str, p))):
        value: Any = item.fields
        for part in path:
            value = value[part]
        lines.append(f"[{'.'.join(map(str, path))}]")
        text = "\n".join(value) if isinstance(value, tuple) else str(value)
        lines += text.rstrip("\n").split("\n")
    return lines


def text_diff(config: SiteConfig, old: CheckedItem, new: CheckedItem, version: str | None) -> str:
    return "\n".join(
        difflib.unified_diff(
            _as_lines(old, config),
            _as_lines(new, config),
            fromfile=f"{new.source.path} @ {version}",
            tofile=f"{new.source.path} (now)",
            lineterm="",
        )
    )


def mark_done(config: SiteConfig, path: Path, checked: list[CheckedItem]) -> tuple[str | None, Diagnostic | None]:
    """Record in a translation file the version of the source it now translates."""
    rel = _site_path(config.root, path)
    if rel is None:
        outside = Message("expected a translation file inside the site folder {root}, found a path outside it", root=str(config.root))
        return None, Diagnostic(str(path), None, None, None, outside)
    identity = identify(rel)
    known = translation_paths(config, checked)

    def refused(message: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic(rel, None, None, None, message)

    if identity is None or identity[0] == config.source_language or identity[0] not in config.codes:
        fix = _suggest(rel, known, config)
        return refused(
            Message(
                "expected a translation under {folder}/<lang>/ (not {source}), found {path}{fix}",
                folder=CONTENT_DIR,
                source=config.source_language,
                path=rel,
                fix=fix,
            )
        )
    _lang, section, slug = identity
    source = next((c for c in checked if c.source.key == (section, slug) and c.source.lang == config.source_language), None)
    if source is None:
        fix = _suggest(rel, known, config)
        return refused(
            Message("expected a valid {source} source for {path}, found none (see `sitegen check`){fix}", source=config.source_language, path=rel, fix=fix)
        )
    version = source.version
    try:
        text = read_input(config.root, rel, CONTENT_DIR).decode("utf-8")
    except Refused as exc:
        if exc.missing:
            return refused(Message("expected the translation file, found no such file; translate the item first (`sitegen i18n status` lists what is missing)"))
        return None, exc.diagnostic()
    except UnicodeDecodeError:
        return refused(Message("expected UTF-8 text, found other bytes; save the file as UTF-8"))
    try:
        (config.root / rel).write_text(_with_version(text, version, rel.endswith(".md")), encoding="utf-8")
    except OSError as exc:
        return refused(Message("expected to write the file, found an error ({reason}); let the user running sitegen write it", reason=os_reason(exc)))
    if _uncommitted(config, source):
        return version, _uncommitted_warning(source.source.path, rel, version)
    return version, None


def _uncommitted(config: SiteConfig, source: CheckedItem) -> bool:
    """Whether the source's translatable text differs from its last commit (or it has none): the
    version recorded now is then in no commit, and `status` cannot show what changed since. False
    outside git, where there is no history to speak of."""
    root = str(config.root)
    if _git(root, "rev-parse", "--git-dir") is None:
        return False
    raw = _git(root, "show", f"HEAD:./{source.source.path}")  # ./: the path is the site folder's, not the repository's
    if raw is None:
        return True
    committed = _check_old(config, raw, source.source.path)
    return committed is None or committed.version != source.version


def _uncommitted_warning(source: str, translation: str, version: str) -> Diagnostic:
    message = Message(
        "expected the source to be committed before its translation is marked done, found changes not yet committed; "
        "{translation} now records the version of the uncommitted text ({version}), which `sitegen i18n status` cannot find "
        "in the history if the source changes again before it is committed: commit the source as it is now "
        "(git add {source}, then git commit)",
        translation=translation,
        version=version,
        source=source,
    )
    return Diagnostic(source, None, None, None, message, "warning")


def translation_paths(config: SiteConfig, checked: list[CheckedItem]) -> list[str]:
    """Where each source item's translation into each other language is, or would be."""
    sources = [c.source for c in checked if c.source.lang == config.source_language]
    return sorted(
        source.path.replace(f"{CONTENT_DIR}/{config.source_language}/", f"{CONTENT_DIR}/{code}/", 1) for source in sources for code in config.translation_codes
    )


def _suggest(rel: str, known: list[str], config: SiteConfig) -> str:
    """A did-you-mean among the translation paths: for a source file, its translations; else the
    closest path, in the same language when one is close there."""
    source = f"{CONTENT_DIR}/{config.source_language}/"
    if rel.startswith(source):
        close = [t for code in config.codes if (t := rel.replace(source, f"{CONTENT_DIR}/{code}/", 1)) in known]
    else:
        folder = rel.split("/", 2)[:2]
        same = [k for k in known if k.split("/", 2)[:2] == folder]
        close = difflib.get_close_matches(rel, same, n=1, cutoff=0.75) or difflib.get_close_matches(rel, known, n=1, cutoff=0.75)
    if len(close) > 1:
        return Message("; did you mean {paths} or {last}?", paths=", ".join(close[:-1]), last=close[-1])
    return Message("; did you mean {paths}?", paths=close[0]) if close else ""


def _site_path(root: Path, path: Path) -> str | None:
    """`path` as a site path (a relative one is taken as one already), or None when it is outside the site.
    Its folder is resolved, not the file: a link that leads out of the site is refused by read_input."""
    if not path.is_absolute():
        return path.as_posix()
    folder, top = Path(os.path.realpath(path.parent)), Path(os.path.realpath(root))
    return (folder / path.name).relative_to(top).as_posix() if folder.is_relative_to(top) else None


_VERSION_LINE = re.compile(rf"^{VERSION_FIELD}:.*$", re.MULTILINE)


def _with_version(text: str, version: str, markdown: bool) -> str:
    line = f"{VERSION_FIELD}: {version}"
    if markdown:
        head, sep, rest = text.partition("\n---")
        if _VERSION_LINE.search(head):
            return _VERSION_LINE.sub(line, head, count=1) + sep + rest
        return head.replace("---\n", f"---\n{line}\n", 1) + sep + rest
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(line, text, count=1)
    return f"{line}\n{text}"


def as_json(languages: list[LanguageStatus]) -> dict[str, Any]:
    return {
        "languages": {
            status.lang: {
                "catalog": asdict(status.catalog) if status.catalog else None,
                "content": {
                    "translated": status.count("translated"),
                    "missing": status.count("missing"),
                    "outdated": status.count("outdated"),
                    "untranslated": "omit" if status.omits else "fallback",
                    "items": [asdict(item) for item in status.items],
                },
            }
            for status in languages
        }
    }


def as_text(languages: list[LanguageStatus], verbose: bool = True, translate: Translate | None = None) -> str:
    """The status as a terminal shows it, its words in the language of `translate` (English by default)."""
    out = []
    for status in languages:
        catalog = status.catalog
        if catalog:
            ui = Message(
                "UI {translated} translated, {fuzzy} fuzzy, {untranslated} untranslated ({path})",
                translated=catalog.translated,
                fuzzy=catalog.fuzzy,
                untranslated=catalog.untranslated,
                path=catalog.path,
            )
        else:
            ui = Message("UI no catalog")
        out.append(f"{status.lang}: {said(ui, translate)}")
        counts = {"translated": status.count("translated"), "missing": status.count("missing"), "outdated": status.count("outdated")}
        if status.omits:
            content = Message(
                "content: {translated} translated, {missing} missing (left out of the site: untranslated: omit), {outdated} out of date", **counts
            )
        else:
            content = Message("content: {translated} translated, {missing} missing, {outdated} out of date", **counts)
        out.append(f"    {said(content, translate)}")
        for item in status.items:
            if item.untranslated:  # translated, or not, it leaves texts in the source language
                incomplete = Message("incomplete")
                left = Message("{fields} not translated: the page shows the source's text", fields=", ".join(item.untranslated))
                out.append(f"    {said(incomplete, translate):<12} {item.path} ({said(left, translate)})")
            if item.state == "translated":
                continue
            label = Message("missing") if item.state == "missing" else Message("out of date")
            if item.state == "missing" and status.omits:
                label = Message("left out")  # of the language's site, until translated (untranslated: omit)
            why: str = ""
            if item.state == "outdated":
                if item.recorded is None:
                    why = Message(" (no source version recorded)")
                else:
                    why = Message(" (made from {recorded}, source is now {current})", recorded=item.recorded, current=item.current)
            out.append(f"    {said(label, translate):<12} {item.path}{said(why, translate)}")
            if verbose and item.diff:
                out += ["        " + line for line in item.diff.splitlines()]
    return "\n".join(out)


REPORT = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Translation status</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b2631; }
table { border-collapse: collapse; }
th, td { border: 1px solid #c9d3de; padding: .4rem .6rem; text-align: left; vertical-align: top; }
.translated { background: #e6f4ea; } .missing { background: #fdecea; } .outdated { background: #fff4d6; }
pre { background: #f3f6f9; padding: .8rem; overflow-x: auto; }
</style></head>
<body>
<h1>Translation status</h1>
<h2>UI catalogs</h2>
<table><thead><tr><th scope="col">Language</th><th scope="col">Translated</th><th scope="col">Fuzzy</th><th scope="col">Untranslated</th></tr></thead>
<tbody>{% for s in languages %}<tr><th scope="row">{{ s.lang }}</th>{% if s.catalog %}<td>{{ s.catalog.translated }}</td><td>{{ s.catalog.fuzzy }}</td><td>{{ s.catalog.untranslated }}</td>{% else %}<td colspan="3">no catalog</td>{% endif %}</tr>{% endfor %}</tbody></table>
<h2>Content</h2>
<table><thead><tr><th scope="col">Item</th>{% for s in languages %}<th scope="col">{{ s.lang }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr><th scope="row"><a href="{{ files ~ row[0].source }}">{{ row[0].section }}/{{ row[0].slug }}</a></th>
{% for item in row %}<td class="{{ item.state }}">{{ labels[item.state] }}<br><a href="{{ page(item) }}">page</a>{% if item.state != "missing" %} · <a href="{{ files ~ item.path }}">file</a>{% endif %}{% if item.diff %} · <a href="#diff-{{ item.lang }}-{{ item.section }}-{{ item.slug }}">diff</a>{% endif %}</td>{% endfor %}
</tr>{% endfor %}
</tbody></table>
{% for s in languages %}{% for item in s.items if item.diff %}
<h3 id="diff-{{ item.lang }}-{{ item.section }}-{{ item.slug }}">{{ item.lang }}: {{ item.path }}</h3>
<pre>{{ item.diff }}</pre>
{% endfor %}{% endfor %}
</body></html>
"""


def as_html(languages: list[LanguageStatus], config: SiteConfig, report_dir: Path) -> str:
    """One table of items by languages; each cell links to the page, the file and the diff."""
    import os

    import jinja2

    from .render.urls import item_path

    rows = list(zip(*(status.items for status in languages))) if languages else []
    files = Path(os.path.relpath(config.root, report_dir.resolve())).as_posix() + "/"
    return (
        jinja2.Environment(autoescape=True)
        .from_string(REPORT)
        .render(
            languages=languages,
            rows=rows,
            files=files,
            labels={"translated": "translated", "missing": "missing", "outdated": "out of date"},
            page=lambda item: config.base_url + item_path(item.section, item.slug, item.lang),
        )
    )
