"""Which variants of each image a site shows, and the HTML that shows them. Pure: the bytes are made
by outputs.images, from the Variants planned here."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..inputs import images as found
from ..inputs.images import MARK, Picture

# The content column is 46rem (736 px) at its widest; screens of twice the density get 1472.
WIDTHS = (480, 736, 1104, 1472)
SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
# Printed at the text width of an A4 page (210 mm less 2 x 18 mm margins) at 300 dpi.
PRINT_WIDTH = round(174 / 25.4 * 300)
# A brochure's cover fills the A4 sheet (210 x 297 mm) to its edges: 300 dpi over the whole page.
PAGE = (round(210 / 25.4 * 300), round(297 / 25.4 * 300))
SOCIAL = (1200, 630)  # og:image, as the social sites crop it
# AVIF at 55 looks as a JPEG at 80 does and weighs about half; see outputs.images for its speed.
QUALITY = {"avif": 55, "webp": 78, "jpeg": 80, "png": 0, "print": 72}
FOLDER = "_img"
_FALLBACK = {"JPEG": "jpeg", "PNG": "png", "WEBP": "png", "GIF": "png", "HEIF": "jpeg"}  # no browser but Safari shows HEIC
_MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class Variant:
    """One file made from an image: its output path, size and format (crop: cut to that shape)."""

    source: str  # the image's repository path
    digest: str  # of the image's bytes: a changed image gets new names, so no page shows a stale one
    width: int
    height: int
    format: str  # avif, webp, jpeg, png, or svg (copied as it is)
    quality: int
    crop: bool = False

    @property
    def path(self) -> str:
        suffix = "-crop" if self.crop else ""
        if self.format == "svg":
            return f"{FOLDER}/{self.digest[:16]}.svg"
        return f"{FOLDER}/{self.digest[:16]}-{self.width}{suffix}-q{self.quality}.{'jpg' if self.format == 'jpeg' else self.format}"


def _sized(picture: Picture, width: int, fmt: str, quality: int) -> Variant:
    return Variant(picture.path, picture.digest, width, max(1, round(picture.height * width / picture.width)), fmt, quality)


def modern_formats() -> tuple[str, ...]:
    """The formats a <picture> offers before the image's own kind, smallest first: AVIF only where
    the installed Pillow can write it."""
    return ("avif", "webp") if found.has_avif() else ("webp",)


def web_variants(picture: Picture) -> list[Variant]:
    """The widths a page offers (none wider than the image), in AVIF (where Pillow writes it), WebP
    and the image's own kind, in that order."""
    if picture.format == "SVG":
        return [Variant(picture.path, picture.digest, picture.width, picture.height, "svg", 0)]
    widths = sorted({w for w in WIDTHS if w < picture.width} | {min(picture.width, WIDTHS[-1])})
    fallback = _FALLBACK[picture.format]
    return [_sized(picture, w, fmt, QUALITY[fmt]) for fmt in (*modern_formats(), fallback) for w in widths]


def print_variant(picture: Picture, full_page: bool = False) -> Variant:
    """About 300 dpi at the printed width (`full_page`: over a whole A4 sheet, as a brochure's cover
    is cut to fill it); JPEG for photos, which PDFs embed as they are."""
    if picture.format == "SVG":
        return web_variants(picture)[0]
    fmt = _FALLBACK[picture.format]
    width = max(PAGE[0], -(-PAGE[1] * picture.width // picture.height)) if full_page else PRINT_WIDTH
    return _sized(picture, min(picture.width, width), fmt, QUALITY["print"] if fmt == "jpeg" else 0)


def social_variant(picture: Picture) -> Variant:
    """The 1200x630 card a link to the page shows on social sites (cut to that shape from the middle):
    a JPEG of a photo, a PNG of an SVG drawing (social sites take no SVG; a PNG keeps its lines sharp)."""
    if picture.format == "SVG":
        return Variant(picture.path, picture.digest, SOCIAL[0], SOCIAL[1], "png", QUALITY["png"], crop=True)
    return Variant(picture.path, picture.digest, SOCIAL[0], SOCIAL[1], "jpeg", QUALITY["jpeg"], crop=True)


def plan(pictures: Mapping[str, Picture], covers: Iterable[str] = (), full_pages: Iterable[str] = ()) -> list[Variant]:
    """Every variant of every image, each once, in a stable order; social cards for `covers`, and a
    whole sheet's print variant for `full_pages` (brochures' covers)."""
    variants: set[Variant] = set()
    for picture in pictures.values():
        variants.update(web_variants(picture))
        variants.add(print_variant(picture))
    for path in covers:
        if path in pictures:
            variants.add(social_variant(pictures[path]))
    for path in full_pages:
        if path in pictures:
            variants.add(print_variant(pictures[path], full_page=True))
    return sorted(variants, key=lambda v: v.path)


def ignore(path: str) -> None:
    """Record nothing (see Shown.record)."""


@dataclass(frozen=True)
class Shown:
    """How a page shows images: its links, and whether for the screen, for print or for a feed reader;
    `record` is told the repository path of every image the page looks for (its dependencies)."""

    link: Callable[[str], str]
    mode: str = "web"  # web | print | feed
    record: Callable[[str], None] = ignore


def picture_html(picture: Picture, alt: str, shown: Shown, lazy: bool = True, lang: str | None = None, sizes: str = SIZES, full_page: bool = False) -> str:
    """The image as the page shows it: <picture> with srcset and sizes on screen, one print-resolution
    file in print (`full_page`: for a whole sheet), one absolute URL in a feed; always with width and
    height, so nothing shifts."""
    attrs = f'alt="{html.escape(alt)}"' + (f' lang="{html.escape(lang)}"' if lang else "")
    if shown.mode != "web" or picture.format == "SVG":
        chosen = print_variant(picture, full_page) if shown.mode == "print" else _largest(web_variants(picture), fallback=True)
        return f'<img src="{shown.link(chosen.path)}" width="{picture.width}" height="{picture.height}" {attrs}>'
    variants = web_variants(picture)

    def srcset(fmt: str) -> str:
        return ", ".join(f"{shown.link(v.path)} {v.width}w" for v in variants if v.format == fmt)

    # A browser takes the first <source> whose type it shows: the smallest files first.
    sources = "".join(f'<source type="{_MIME[fmt]}" srcset="{srcset(fmt)}" sizes="{sizes}">' for fmt in modern_formats())
    fallback = [v for v in variants if v.format == variants[-1].format]
    src = next((v for v in fallback if v.width >= WIDTHS[1]), fallback[-1])
    loading = ' loading="lazy"' if lazy else ""
    return (
        f"<picture>{sources}"
        f'<img src="{shown.link(src.path)}" srcset="{srcset(fallback[0].format)}" sizes="{sizes}" width="{picture.width}" height="{picture.height}" {attrs}'
        f'{loading} decoding="async"></picture>'
    )


def _largest(variants: list[Variant], fallback: bool) -> Variant:
    kinds = [v for v in variants if v.format not in ("avif", "webp")] if fallback else variants
    return max(kinds or variants, key=lambda v: v.width)


_IMG = re.compile(r"(<p>)?<img ([^>]*?)\s*/?>(</p>)?")
_ATTR = re.compile(r'([a-z]+)="([^"]*)"')


def rewrite_html(rendered: str, pictures: Mapping[str, Picture], shown: Shown, lang: str | None = None, localize: Callable[[str], str] | None = None) -> str:
    """Markdown's HTML with each image it marked (see inputs.images.MARK) shown as picture_html does;
    an image with a title becomes a figure with that caption. `lang`: of alt text borrowed from another
    language. `localize`: the path of a translation's own image of the same name, if it has one."""
    if MARK not in rendered:
        return rendered

    def replace(match: re.Match[str]) -> str:
        attrs = {name: html.unescape(value) for name, value in _ATTR.findall(match.group(2))}
        src = attrs.get("src", "")
        if not src.startswith(MARK):
            return match.group(0)
        path = src[len(MARK) :]
        shown.record(path)
        if localize is not None:
            own = localize(path)
            shown.record(own)  # a translation's own image of that name, when it comes, is shown instead
            path = own if own in pictures else path
        picture = pictures.get(path)
        if picture is None:  # reported where it is written (inputs.images)
            return match.group(0)
        shown_html = picture_html(picture, attrs.get("alt", ""), shown, lazy=True, lang=lang)
        title = attrs.get("title")
        if title and match.group(1) and match.group(3):  # an image alone in its paragraph, with a title: a figure
            lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
            return f"<figure>{shown_html}<figcaption{lang_attr}>{html.escape(title)}</figcaption></figure>"
        return f"{match.group(1) or ''}{shown_html}{match.group(3) or ''}"

    return _IMG.sub(replace, rendered)
