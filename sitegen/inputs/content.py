"""content/<lang>/ -> list[SourceItem]: every file read and parsed once, positions kept."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, Message, did_you_mean
from ..layout import ASSETS_DIR, BUNDLE_INDEX, CONTENT_DIR, HOME, HOME_FILE, SECTIONS, identify, leftover, leftover_note
from .config import SiteConfig
from .files import Refused, check_folder, check_input, read_input, walk_inputs
from .svg import diagnostics as svg_diagnostics
from .svg import file_problems as svg_file_problems
from .svg import svg_problems
from .validate import MAX_SLUG, SLUG_RE
from .yamlfile import Parsed, YamlError, parse_yaml

# No real story, profile or page comes near this; a bigger file came from somewhere else by mistake.
MAX_FILE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
# What assets/ may publish, by the type a web server sends for each name: pictures and files a browser
# shows or downloads, never one it opens as a page of the site that runs script (.html, .xhtml, .xml
# with a style sheet, .js; a name with no or an unknown extension, whose type a browser guesses).
ASSET_TYPES = frozenset(
    {*IMAGE_TYPES, ".avif", ".ico"}
    | {".pdf", ".txt", ".csv", ".zip", ".hwp", ".hwpx", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}
    | {".woff", ".woff2", ".ttf", ".otf", ".mp3", ".mp4", ".webm", ".ogg"}
)
FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", re.DOTALL)


@dataclass(frozen=True)
class Asset:
    """A file under assets/ (images for covers and bodies), and why it cannot be used, if it cannot."""

    path: str
    data: bytes
    problem: str | None = None


@dataclass(frozen=True)
class ContentTree:
    """What was read: the items that parsed, and the identity of every file that did not."""

    items: list[SourceItem]
    unparsed: frozenset[tuple[str, str, str]]  # (lang, section, slug)
    assets: dict[str, Asset] = field(default_factory=dict)

    def failed(self, checked: Sequence[Any]) -> frozenset[tuple[str, str, str]]:
        """(lang, section, slug) of the files that exist but did not parse, or did not pass their
        check (are not among `checked`, the schema's CheckedItems)."""
        keys = set(self.unparsed)
        if len(checked) < len(self.items):  # some did not pass: only then is it worth a look at each
            passed = {item.source.path for item in checked}
            keys |= {(i.lang, i.section, i.slug) for i in self.items if i.path not in passed}
        return frozenset(keys)


@dataclass(frozen=True)
class SourceItem:
    """One content file: its identity, its fields with their positions, its Markdown body."""

    path: str  # relative to the site root, with forward slashes
    lang: str
    section: str
    slug: str
    parsed: Parsed
    body: str | None
    body_line: int
    digest: str  # sha256 of the file's bytes

    @property
    def key(self) -> tuple[str, str]:
        return (self.section, self.slug)


# path -> ((mtime_ns, size), what parsing it gave): a rebuild parses only files that changed.
ParseCache = dict[str, tuple[tuple[int, int], "SourceItem | Diagnostic"]]


def read_content(
    config: SiteConfig, cache: ParseCache | None = None, stamps: Mapping[str, tuple[int, int]] | None = None
) -> tuple[ContentTree, list[Diagnostic]]:
    """Read every content file of every configured language, in a stable order.

    With `cache` (kept between rebuilds) only files whose stamp changed are parsed again;
    `stamps`, from a scan just made, saves a stat per file."""
    reader = _Reader(config.root, cache, stamps)
    root = config.root / CONTENT_DIR
    try:
        check_folder(config.root, CONTENT_DIR)  # below it, only links are resolved (see _Reader.read)
    except Refused as exc:
        return ContentTree([], frozenset()), [exc.diagnostic()]
    if not root.is_dir():
        return ContentTree([], frozenset()), [
            Diagnostic(
                CONTENT_DIR,
                None,
                None,
                None,
                Message(
                    "expected a content folder with {codes}, found none; make a folder content/ with a folder for each language", codes=", ".join(config.codes)
                ),
            )
        ]
    for lang_dir in _entries(root, CONTENT_DIR, reader.diagnostics):
        rel = f"{CONTENT_DIR}/{lang_dir.name}"
        if _broken_link(lang_dir):
            reader.problem(rel, Message("expected a language folder, found a link that leads to no folder; replace the link with the folder itself"))
            continue
        if not lang_dir.is_dir() or lang_dir.name not in config.codes:
            reader.problem(
                rel,
                Message(
                    "expected a language folder ({codes}), found '{name}'{fix}; add the language to site.yaml or move the folder",
                    codes=", ".join(config.codes),
                    name=lang_dir.name,
                    fix=did_you_mean(lang_dir.name, config.codes),
                ),
            )
            continue
        for entry in _entries(Path(lang_dir.path), rel, reader.diagnostics):
            if entry.name == HOME_FILE:
                reader.read(entry, f"{rel}/{entry.name}", lang_dir.name, HOME, "index", lang_dir.is_symlink())
            elif entry.name in SECTIONS and _broken_link(entry):
                reader.problem(
                    f"{rel}/{entry.name}", Message("expected a section folder, found a link that leads to no folder; replace the link with the folder itself")
                )
            elif entry.name in SECTIONS and entry.is_dir():
                linked = lang_dir.is_symlink() or entry.is_symlink()
                for file in _entries(Path(entry.path), f"{rel}/{entry.name}", reader.diagnostics):
                    file_rel = f"{rel}/{entry.name}/{file.name}"
                    if file.is_dir(follow_symlinks=False) and not file.name.endswith(SECTIONS[entry.name]):  # else: a folder in a file's place
                        reader.bundle(file, file_rel, lang_dir.name, entry.name, linked)
                        continue
                    slug = reader.section_slug(file, file_rel, entry.name)
                    if slug:
                        reader.read(file, file_rel, lang_dir.name, entry.name, slug, linked)
            else:
                reader.problem(
                    f"{rel}/{entry.name}",
                    Message(
                        "expected {home} or a section folder ({sections}), found '{name}'{fix}; rename or move it",
                        home=HOME_FILE,
                        sections=", ".join(SECTIONS),
                        name=entry.name,
                        fix=did_you_mean(entry.name, [HOME_FILE, *SECTIONS]),
                    ),
                )
    items = _one_file_per_item(reader)
    unparsed = reader.present - {(item.lang, item.section, item.slug) for item in items}
    assets, problems = read_assets(config.root)
    tree = ContentTree(items, frozenset(unparsed), assets)
    return tree, reader.diagnostics + problems


def _one_file_per_item(reader: _Reader) -> list[SourceItem]:
    """The items read, but for a second file of the same item (oita-lsi.md beside the bundle
    oita-lsi/index.md), which is an error: either would silently hide the other's edits. The
    serve's reread never meets one: it runs only after a build without errors."""
    first: dict[tuple[str, str, str], str] = {}
    items = []
    for item in reader.items:
        other = first.setdefault((item.lang, item.section, item.slug), item.path)
        if other == item.path:
            items.append(item)
            continue
        reader.problem(
            item.path,
            Message(
                "expected one file for each item, found {other} too, for the same item {slug!r}; keep one of the two (a folder is a page bundle, with its photos) and delete the other",
                other=other,
                slug=item.slug,
            ),
        )
    return items


def reread(tree: ContentTree, root: Path, paths: list[str], cache: ParseCache, stamps: Mapping[str, tuple[int, int]]) -> tuple[ContentTree, list[Diagnostic]]:
    """The tree with some files, which were there before and still are, read again (no walk): items,
    and files under assets/."""
    reader = _Reader(root, cache, stamps)
    changed = {rel for rel in paths if identify(rel) is not None}
    for rel in sorted(changed):
        lang, section, slug = identify(rel)  # type: ignore[misc]  # it was read before: a valid path
        with os.scandir(Path(root, rel).parent) as entries:
            entry = next(e for e in entries if e.name == rel.rsplit("/", 1)[1])
        reader.read(entry, rel, lang, section, slug, linked=False)
    fresh = {item.path: item for item in reader.items}
    # A file that parsed before and does not now drops out; one that failed before cannot be here.
    items = [fresh.get(item.path, item) for item in tree.items if item.path not in changed or item.path in fresh]
    unparsed = tree.unparsed | {identify(rel) for rel in changed if rel not in fresh}
    assets = tree.assets
    for rel in sorted(path for path in paths if path.startswith(f"{ASSETS_DIR}/")):
        asset, problems = read_asset(root, rel)
        reader.diagnostics += problems
        assets = {**assets, rel: asset} if asset is not None else {path: a for path, a in assets.items() if path != rel}
    return ContentTree(items, unparsed, assets), reader.diagnostics  # type: ignore[arg-type]


def read_assets(root: Path) -> tuple[dict[str, Asset], list[Diagnostic]]:
    """Every file under assets/, with images checked to decode; an error at each file refused (see
    inputs.read_input, and svg for an SVG that can run script), which a brochure that uses it is
    told about too."""
    rels, problems = walk_inputs(root, ASSETS_DIR)
    assets = {}
    for rel in rels:
        asset, refused = read_asset(root, rel)
        problems += refused
        if asset is not None:
            assets[rel] = asset
    return assets, problems


def read_asset(root: Path, rel: str) -> tuple[Asset | None, list[Diagnostic]]:
    """The file `rel` under assets/ as read_assets reads it; None when it is not there (any more)."""
    suffix = os.path.splitext(rel)[1].lower()
    if suffix not in ASSET_TYPES and not rel.lower().endswith(".svgz"):  # (an .svgz has its own words: svg.file_problems)
        if not os.path.lexists(os.path.join(root, rel)):
            return None, []
        kind = Message("a {suffix} file", suffix=suffix) if suffix else Message("a file without an extension")
        problem = Message(
            "expected a picture or a file to download ({types}), found {kind}, which a browser could open as a page of the site "
            "that runs script; take it out of assets/ (pages come from content/)",
            types=", ".join(sorted(ASSET_TYPES)),
            kind=kind,
        )
        return Asset(rel, b"", problem), [Diagnostic(rel, None, None, None, problem)]
    try:
        data = read_input(root, rel, ASSETS_DIR)
    except Refused as exc:
        if exc.missing:  # gone since the folder was listed
            return None, []
        return Asset(rel, b"", exc.found), [exc.diagnostic()]
    refused = svg_file_problems(rel, data)
    if refused:
        return Asset(rel, b"", Message("an SVG picture sitegen refuses (see the error at it)")), svg_diagnostics(rel, refused)
    return Asset(rel, data, None if suffix == ".svg" else image_problem(suffix, data)), []  # an SVG: checked just now


def image_problem(suffix: str, data: bytes) -> str | None:
    """Why an image file cannot be shown, or None when it decodes."""
    if suffix not in IMAGE_TYPES:
        return None
    if suffix == ".svg":  # see svg: no script, DOCTYPE or entities, and a file XML can read
        problems = svg_problems(data)
        return problems[0][1] if problems else None
    from PIL import Image  # here: a build that reads no image (most builds after the first) need not load Pillow

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception as exc:  # Pillow raises many kinds for broken files
        return Message("a broken image file ({error}: {message})", error=type(exc).__name__, message=str(exc))
    return None


def _broken_link(entry: os.DirEntry[str]) -> bool:
    """A link that leads nowhere, or round in a loop (for which DirEntry.is_dir raises)."""
    if not entry.is_symlink():
        return False
    try:
        os.stat(entry.path)
    except OSError:
        return True
    return False


def _entries(folder: Path, rel: str, notes: list[Diagnostic]) -> list[os.DirEntry[str]]:
    """The entries of a content folder, but dotfiles and the files editors' tools leave (with a note for those)."""
    kept = []
    with os.scandir(folder) as entries:
        for entry in entries:
            made = leftover(entry.name)
            if made is not None:
                notes.append(Diagnostic(f"{rel}/{entry.name}", None, None, None, leftover_note(entry.name, made), "note"))
            elif not entry.name.startswith("."):
                kept.append(entry)
    return sorted(kept, key=lambda e: e.name)


def suggest_slug(name: str) -> str:
    """A valid slug close to `name`, for the fix in a message."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


class _Reader:
    """Collects items, identities and problems while walking content/ (DirEntry stats are cached)."""

    def __init__(self, root: Path, cache: ParseCache | None, stamps: Mapping[str, tuple[int, int]] | None = None):
        self.root = root
        self.cache = cache
        self.stamps = stamps or {}
        self.items: list[SourceItem] = []
        self.present: set[tuple[str, str, str]] = set()
        self.diagnostics: list[Diagnostic] = []

    def problem(self, rel: str, message: str, field: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(rel, None, None, field, message))

    def bundle(self, folder: os.DirEntry[str], rel: str, lang: str, section: str, linked: bool) -> None:
        """A page bundle: the folder's index file is the item, the folder's name its slug; the other
        files are its images, read when a text names them."""
        index = BUNDLE_INDEX + SECTIONS[section]
        with os.scandir(folder.path) as listing:
            entry = next((e for e in listing if e.name == index), None)
        if entry is None:
            self.problem(
                rel,
                Message(
                    "expected a {ext} file in {section}/, or a folder (a page bundle) with an {index} in it, found a folder without one; add {path}",
                    ext=SECTIONS[section],
                    section=section,
                    index=index,
                    path=rel + "/" + index,
                ),
            )
            return
        slug = self.section_slug(folder, rel, section, folder.name + SECTIONS[section])
        if slug:
            self.read(entry, f"{rel}/{index}", lang, section, slug, linked or folder.is_symlink())

    def section_slug(self, file: os.DirEntry[str], rel: str, section: str, name: str | None = None) -> str | None:
        """The slug a section file (or a bundle, by `name`) names, or None with a diagnostic."""
        ext = SECTIONS[section]
        name = name or file.name
        if not name.endswith(ext):  # a pipe or broken link with the right name: read() says what it is
            index = BUNDLE_INDEX + ext
            self.problem(
                rel,
                Message(
                    "expected a {ext} file in {section}/, or a folder (a page bundle) with an {index} in it, found '{name}'",
                    ext=ext,
                    section=section,
                    index=index,
                    name=file.name,
                ),
            )
            return None
        slug = name[: -len(ext)]
        if len(slug) > MAX_SLUG:
            self.problem(
                rel,
                Message("expected a file name of at most {most} characters before {ext}, found {found}; shorten it", most=MAX_SLUG, ext=ext, found=len(slug)),
                "slug",
            )
            return None
        if not SLUG_RE.fullmatch(slug):
            fix = suggest_slug(slug)
            hint = Message("; rename it to {name}", name=fix + ext) if fix else ""
            self.problem(rel, Message("expected a file name of lowercase letters, digits and hyphens, found '{slug}'{hint}", slug=slug, hint=hint), "slug")
            return None
        return slug

    def read(self, file: os.DirEntry[str], rel: str, lang: str, section: str, slug: str, linked: bool) -> None:
        self.present.add((lang, section, slug))
        try:
            # Only a link can lead out of the folder, or nowhere: resolving every path would cost a
            # realpath per file, and a file read from the cache is not read again (read_input checks).
            if linked or file.is_symlink():
                check_input(self.root, rel, CONTENT_DIR)
            stamp = self.stamps.get(rel)
            if stamp is None:
                stat = file.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp[1] > MAX_FILE_BYTES:
                self.problem(
                    rel, Message("expected a content file of at most {most} MB, found {found:.1f} MB", most=MAX_FILE_BYTES // 2**20, found=stamp[1] / 2**20)
                )
                return
            cached = self.cache.get(rel) if self.cache is not None else None
            if cached is not None and cached[0] == stamp:
                item = cached[1]
            else:
                item = parse_item(read_input(self.root, rel, CONTENT_DIR), rel, lang, section, slug)
                if self.cache is not None:
                    self.cache[rel] = (stamp, item)
        except Refused as exc:
            self.diagnostics.append(exc.diagnostic())
            return
        if isinstance(item, Diagnostic):
            self.diagnostics.append(item)
        else:
            self.items.append(item)


def parse_item(raw: bytes, rel: str, lang: str, section: str, slug: str) -> SourceItem | Diagnostic:
    """Parse one content file's bytes (from disk, or an earlier version from git)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Diagnostic(rel, line, column, None, Message("expected UTF-8 text, found byte {byte:#04x}; save the file as UTF-8", byte=raw[exc.start]))
    text = _normalized(text)
    body: str | None = None
    body_line = 1
    try:
        if rel.endswith(".md"):
            match = FRONT_MATTER.match(text)
            if not match and text.startswith("---\n"):
                unclosed = Message(
                    "expected a '---' line that ends the front matter opened here, found none; add a line with only '---' after the last field, before the body"
                )
                return Diagnostic(rel, 1, 1, None, unclosed)
            if not match:
                return Diagnostic(rel, 1, 1, None, Message("expected front matter between two '---' lines at the top, found none"))
            parsed = parse_yaml(match.group(1) or "", line_offset=1)
            body = text[match.end() :]
            body_line = text[: match.end()].count("\n") + 1
        else:
            parsed = parse_yaml(text)
    except YamlError as exc:
        return Diagnostic(rel, exc.line, exc.column, None, exc.message)
    return SourceItem(rel, lang, section, slug, parsed, body, body_line, hashlib.sha256(raw).hexdigest())


def _normalized(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
