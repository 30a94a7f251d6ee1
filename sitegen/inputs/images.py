"""Images that content names: found in Markdown and front matter, resolved as an editor's Markdown
preview resolves them (relative to the file that names them; '/' is the repository's top), then
read and checked, each problem reported where the image is written."""

from __future__ import annotations

import hashlib
import html
import io
import os
import posixpath
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import Diagnostic, Message
from ..layout import CONTENT_DIR
from .files import Refused, TooLarge, read_input
from .svg import svg_problems

# In a text once it is checked, an image the build makes variants of is written /@img/<its path in
# the repository>: the same text renders the same wherever it is shown (a story's page, a brochure
# that pulls the story in, the feed), and the renderer writes each page's own URLs for it.
MARK = "/@img/"
DECORATIVE = "-"  # ![-](divider.png): an image that says nothing, shown with alt=""
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".gif": "GIF", ".heic": "HEIF", ".heif": "HEIF"}
HEIF_FIX = Message("a phone's HEIC photo, which needs pillow-heif: install sitegen[heic] (pip install 'sitegen[heic]'), or export the photo as JPEG")
TYPES = (*RASTER, ".svg")
MAX_BYTES = 30 * 2**20  # a camera's largest JPEG is ~25 MB; a bigger file is a mistake (a video, a TIFF scan)
MAX_SVG_SIDE = 100_000  # an SVG's width or height past this is taken for a mistake, as one not a number is
MAX_PIXELS = 100_000_000  # past this, decoding one image takes gigabytes: a decompression bomb
_IMAGE = re.compile(r"""!\[(?P<alt>[^\]\n]*)\]\(\s*(?P<url><[^>\n]*>|[^\s)]+)(?:\s+(?P<title>"[^"\n]*"|'[^'\n]*'))?\s*\)""")
_EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")
ALT_FIX = Message("describe the image between the brackets, ![what it shows](photo.jpg), or write ![-](photo.jpg) for one that only decorates")


@dataclass(frozen=True)
class ImageRef:
    """An image as a content file names it, and where: what the build checks and reports at."""

    file: str
    line: int | None
    column: int | None
    field: str
    written: str
    target: str | None  # its path in the repository; None when the path leads outside it
    alt: str = ""  # its alt text as written
    legacy: str | None = None  # where an older sitegen read it (from the repository's top), if it is not found here


@dataclass(frozen=True)
class Picture:
    """An image file that can be shown: its bytes, and what a page needs to lay it out."""

    path: str
    data: bytes
    digest: str
    width: int
    height: int
    format: str  # PNG, JPEG, WEBP, GIF or SVG


def resolve(file: str, url: str) -> str | None:
    """The repository path an image URL names from `file`, as a Markdown preview reads it; None
    when it leads outside the repository."""
    path = unquote(urlsplit(url).path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(file), path)
    normal = posixpath.normpath(joined) if joined else ""
    if normal in ("", ".", "..") or normal.startswith(("../", "/")):
        return None
    return normal


def is_local(url: str) -> bool:
    """A path to a file of the repository: no scheme, as a browser reads the URL (entities decoded,
    tabs and newlines dropped), so that javascript&#58; is not taken for a file name."""
    plain = re.sub(r"[\t\n\r]", "", html.unescape(url)).strip()
    return bool(plain) and not _EXTERNAL.match(plain) and not plain.startswith("#")


def rewrite_markdown(text: str, file: str, place: tuple[int, int] | None, field: str) -> tuple[str, list[ImageRef], list[Diagnostic]]:
    """The text with each local image written as MARK + its repository path; the images, and a
    diagnostic for each without alt text. `place`: the line and column where `text` starts in `file`."""
    refs: list[ImageRef] = []
    problems: list[Diagnostic] = []
    out: list[str] = []
    last = 0
    for match in _IMAGE.finditer(text):
        url = match.group("url").strip("<>")
        line, column = _position(text, match.start(), place)
        alt = match.group("alt").strip()
        if not alt:
            problems.append(Diagnostic(file, line, column, field, Message("expected alt text for the image {url}, found none; {fix}", url=url, fix=ALT_FIX)))
        if not is_local(url):
            continue
        target = resolve(file, url)
        refs.append(ImageRef(file, line, column, field, url, target, alt))
        if target is None:
            continue
        out.append(text[last : match.start()])
        title = match.group("title")
        out.append(f"![{'' if alt == DECORATIVE else match.group('alt')}]({MARK}{target}{' ' + title if title else ''})")
        last = match.end()
    out.append(text[last:])
    return "".join(out), refs, problems


def _position(text: str, offset: int, place: tuple[int, int] | None) -> tuple[int | None, int | None]:
    if place is None:
        return None, None
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return place[0] + line, (place[1] if line == 0 else 1) + offset - start


def localized(path: str, lang: str, source_lang: str) -> str:
    """The same image in `lang`'s content folder (a translation's bundle), for a path in the source's."""
    prefix = f"{CONTENT_DIR}/{source_lang}/"
    return f"{CONTENT_DIR}/{lang}/{path[len(prefix) :]}" if path.startswith(prefix) else path


# An image file read before, by its path: its (mtime_ns, size) stamp then, and what reading it gave.
PictureCache = dict[str, tuple[tuple[int, int], "Picture | Unreadable"]]


def load_images(
    root: Path,
    refs: Iterable[tuple[ImageRef, str]],
    source_lang: str,
    languages: Iterable[str],
    cache: PictureCache | None = None,
    stamps: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[dict[str, Picture], list[Diagnostic]]:
    """Every image named, by the path each text names it at (a translation's image falls back to the
    source's of the same name), and a diagnostic at each reference to an image that cannot be shown.
    `refs`: each with the language of the text that names it. With `cache` (kept between rebuilds)
    and `stamps`, an image whose stamp has not changed is not read, hashed and decoded again."""
    pictures: dict[str, Picture] = {}
    problems: list[Diagnostic] = []
    read: dict[str, Picture | Unreadable] = {}

    def load(path: str) -> Picture | Unreadable:
        if path not in read:
            stamp = stamps.get(path) if stamps is not None and cache is not None else None
            cached = cache.get(path) if cache is not None else None
            if stamp is not None and cached is not None and cached[0] == stamp:
                read[path] = cached[1]
            else:
                read[path] = read_picture(root, path)
                if stamp is not None and cache is not None:
                    cache[path] = (stamp, read[path])
        return read[path]

    for ref, lang in refs:
        if ref.target is None:
            problems.append(
                _at(
                    ref,
                    Message("a path inside the repository"),
                    Message("{written!r}, which leads outside it", written=ref.written),
                    Message("move the image into the item's folder or assets/"),
                )
            )
            continue
        if ref.target in pictures:
            continue
        found = load(ref.target)
        if isinstance(found, Unreadable) and lang != source_lang and found.missing:
            source = ref.target.replace(f"{CONTENT_DIR}/{lang}/", f"{CONTENT_DIR}/{source_lang}/", 1)
            if source != ref.target:
                found = load(source)
        where = ref.target
        if isinstance(found, Unreadable) and found.missing and ref.legacy is not None:
            old = load(ref.legacy)
            if not (isinstance(old, Unreadable) and old.missing):
                found, where = old, ref.legacy
            if isinstance(old, Picture):
                pictures[ref.legacy] = old
                problems.append(_legacy_note(ref))
        if isinstance(found, Unreadable):
            other = _other_case(root, where) if found.missing else None
            fix = Message("the folder has {name}: write the name with the same capital and small letters", name=other) if other else _fix(found)
            problems.append(_at(ref, Message("an image file"), Message("{why} at {path}", why=found.why, path=where), fix))
            continue
        pictures[ref.target] = found
        if lang == source_lang:  # a translation's bundle may hold its own image of the same name
            for other in languages:
                own = localized(ref.target, other, source_lang)
                if own != ref.target and own not in pictures and (root / own).is_file():
                    mine = load(own)
                    if isinstance(mine, Picture):
                        pictures[own] = mine
                    else:
                        problem = Message("expected an image file, found {why}; {fix}", why=mine.why, fix=_fix(mine))
                        problems.append(Diagnostic(own, None, None, None, problem))
    return pictures, problems


def _other_case(root: Path, rel: str) -> str | None:
    """A file beside `rel` whose name differs from its only in capital and small letters (Meeting.JPG for
    meeting.jpg): the same file to Windows and macOS, another to the web server."""
    folder, name = posixpath.split(rel)
    inside = os.path.realpath(root)
    if os.path.commonpath([inside, os.path.realpath(root / folder)]) != inside:  # a folder linked out of the site: not listed
        return None
    try:
        names = os.listdir(root / folder)
    except OSError:
        return None
    return next((other for other in sorted(names) if other.lower() == name.lower() and other != name), None)


def untranslated_alt(refs: Iterable[tuple[ImageRef, str, str]], source_lang: str) -> list[Diagnostic]:
    """A note at each image of a translation whose alt text is the source's, word for word (a reader
    of the translation hears it in the source language). `refs`: each with its text's language and
    its item's key (section/slug)."""
    source_alts = {(key, posixpath.basename(ref.target or ref.written)): ref.alt for ref, lang, key in refs if lang == source_lang}
    notes = []
    for ref, lang, key in refs:
        same = source_alts.get((key, posixpath.basename(ref.target or ref.written)))
        if lang != source_lang and ref.alt and ref.alt != DECORATIVE and ref.alt == same:
            notes.append(
                Diagnostic(
                    ref.file,
                    ref.line,
                    ref.column,
                    ref.field,
                    Message("expected alt text in {lang}, found the source's ({alt!r}); translate it", lang=lang, alt=ref.alt),
                    "note",
                )
            )
    return notes


def _legacy_note(ref: ImageRef) -> Diagnostic:
    up = "../" * ref.file.count("/")
    return Diagnostic(
        ref.file,
        ref.line,
        ref.column,
        ref.field,
        Message(
            "expected a path relative to this file, found {written!r}, read from the top of the repository as before; "
            "write {path} (or /{legacy}), as a Markdown preview finds it",
            written=ref.written,
            path=f"{up}{ref.legacy}",
            legacy=ref.legacy,
        ),
        "note",
    )


def _at(ref: ImageRef, expected: str, found: str, fix: str) -> Diagnostic:
    return Diagnostic(ref.file, ref.line, ref.column, ref.field, Message("expected {expected}, found {found}; {fix}", expected=expected, found=found, fix=fix))


@dataclass(frozen=True)
class Unreadable:
    """Why an image cannot be shown, in words; `missing` when there is no file at all."""

    why: str
    missing: bool = False
    svg: bool = False  # an SVG refused for what it holds, not for what it is
    fix: str | None = None  # when it is not to export the image again


def _fix(found: Unreadable) -> str:
    if found.fix is not None:
        return found.fix
    if found.missing:
        return Message("put the image there, or correct the path (it is read from the folder of the file that names it)")
    if found.svg:
        return Message("take that part out of the picture, or export it again without it")
    return Message("export the image again as JPEG, PNG or WebP")


def read_picture(root: Path, path: str) -> Picture | Unreadable:
    """The image at `path`, or why it cannot be shown."""
    suffix = posixpath.splitext(path)[1].lower()
    too_large = None  # said after the file's type, which matters first
    try:
        data = read_input(root, path, limit=MAX_BYTES)
    except TooLarge as exc:
        data, too_large = b"", exc.found
    except Refused as exc:
        return Unreadable(exc.found, exc.missing)
    if suffix not in TYPES:
        return Unreadable(
            Message("a file that is not an image sitegen shows ({suffix}; it shows {types})", suffix=suffix or Message("no extension"), types=", ".join(TYPES))
        )
    if too_large is not None:
        return Unreadable(too_large)
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".svg":
        refused = svg_problems(data)
        if refused:
            return Unreadable(Message("an SVG picture sitegen refuses ({why})", why=refused[0][1]), svg=True)
        width, height = svg_size(data)
        return Picture(path, data, digest, width, height, "SVG")
    return _raster(path, data, digest, RASTER[suffix])


def heif_opener() -> bool:
    """Teach Pillow to open HEIC/HEIF photos, if pillow-heif is installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def has_avif() -> bool:
    """Whether the installed Pillow writes AVIF (Pillow 11.2 and later, built with libavif)."""
    from PIL import features

    # Asked only of a Pillow that knows the name: an older one warns about an unknown feature.
    return "avif" in features.modules and bool(features.check_module("avif"))


def _raster(path: str, data: bytes, digest: str, expected: str) -> Picture | Unreadable:
    from PIL import Image  # here: a site without photos need not load Pillow

    if expected == "HEIF" and not heif_opener():
        return Unreadable(HEIF_FIX)
    smaller = Message("make it smaller (a photo of 4,000 x 3,000 pixels is plenty for the web and for print) and save it again")
    try:
        # MAX_PIXELS decides, and says so in words: Pillow's own warning would print a line of its code.
        with warnings.catch_warnings(action="ignore", category=Image.DecompressionBombWarning), Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return Unreadable(
                    Message(
                        "an image of {width}x{height} pixels, over the {limit} megapixel limit (a decompression bomb, or a scan to make smaller)",
                        width=width,
                        height=height,
                        limit=MAX_PIXELS // 1_000_000,
                    ),
                    fix=smaller,
                )
            if image.format != expected:
                extension = posixpath.splitext(path)[1]
                if not image.format:
                    return Unreadable(Message("a file whose content is not an image, not what its extension {extension} says", extension=extension))
                return Unreadable(Message("a file whose content is {kind}, not what its extension {extension} says", kind=image.format, extension=extension))
            if image.format == "JPEG":
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # decoded at 1/8: a truncated file still fails
            image.load()
            orientation = image.getexif().get(0x0112, 1)
    except Image.DecompressionBombError:
        return Unreadable(Message("an image over the {limit} megapixel limit (a decompression bomb)", limit=MAX_PIXELS // 1_000_000), fix=smaller)
    except Image.UnidentifiedImageError:  # its text names a memory address, not the file
        extension = posixpath.splitext(path)[1]
        return Unreadable(Message("a file whose content is not an image, not what its extension {extension} says", extension=extension))
    except Exception as exc:  # Pillow raises many kinds for broken files
        return Unreadable(Message("a broken or truncated image file ({kind}: {error})", kind=type(exc).__name__, error=str(exc)))
    if orientation in (5, 6, 7, 8):  # a phone's portrait photo, stored on its side
        width, height = height, width
    return Picture(path, data, digest, width, height, expected)


_LENGTH = re.compile(rb"""\s(width|height|viewBox)\s*=\s*["']([^"']*)["']""")


def svg_size(data: bytes) -> tuple[int, int]:
    """The size an SVG asks for (its width and height, else its viewBox), 800x600 when it says neither."""
    head = data[: data.find(b">", data.find(b"<svg")) + 1] if b"<svg" in data else b""
    found = {name.decode(): value.decode() for name, value in _LENGTH.findall(head)}
    size = _lengths(found.get("width", "").removesuffix("px"), found.get("height", "").removesuffix("px"))
    box = re.split(r"[\s,]+", found.get("viewBox", "").strip())
    return size or (_lengths(*box[2:4]) if len(box) == 4 else None) or (800, 600)


def _lengths(*values: str) -> tuple[int, int] | None:
    """Two lengths as whole pixels; None unless both are numbers a browser lays out (from 1 px up to
    MAX_SVG_SIDE): a browser ignores 1e400, inf, 0 or -5 and so does sitegen, rather than failing."""
    try:
        numbers = [round(float(value)) for value in values]
    except (ValueError, OverflowError):
        return None
    if len(numbers) != 2 or not all(1 <= number <= MAX_SVG_SIDE for number in numbers):
        return None
    return numbers[0], numbers[1]
