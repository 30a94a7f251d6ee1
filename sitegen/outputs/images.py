"""Variants planned by render.images, made with Pillow: EXIF orientation applied, every piece of
metadata (EXIF with its GPS position, XMP, comments) left out, cached by the image's hash and the
variant's parameters in the user's cache folder, made on threads (Pillow lets go of the GIL while
it resizes and encodes). An SVG's social card is drawn by WeasyPrint and rasterised by pdftoppm."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, Message
from ..inputs.images import Picture, heif_opener
from ..render.images import Variant
from .pdf import ORIGIN, site_fetcher

# Part of every cache name: a change to how variants are made makes them anew.
VERSION = "1"
# AVIF (libaom through libavif) at speed 8 and one thread per image: speed 6, libavif's default,
# takes 7x as long for files 6% smaller (bench/images.py), and the threads are ours, one per image.
AVIF_SPEED = 8


@dataclass
class Made:
    """The variants' bytes by output path, and how many were made rather than taken from the cache."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    processed: int = 0
    megapixels: float = 0.0  # of the images decoded to make them
    problems: list[Diagnostic] = field(default_factory=list)


def make_variants(
    variants: list[Variant], pictures: Mapping[str, Picture], cache_folder: Path | None, jobs: int | None = None, known: Mapping[str, bytes] | None = None
) -> Made:
    """The bytes of every variant: from `known` (the last build's, by output path, which names the
    image's hash), the cache, or made (and cached) on `jobs` threads."""
    made = Made()
    folder = cache_folder / "images" if cache_folder is not None else None
    todo: list[Variant] = []
    for variant in variants:
        source = pictures[variant.source]
        if known is not None and variant.path in known:
            made.outputs[variant.path] = known[variant.path]
            continue
        if variant.format == "svg":  # checked on reading (inputs.svg): copied as it is
            made.outputs[variant.path] = source.data
            continue
        cached = folder / _cache_name(variant) if folder is not None else None
        if cached is not None and cached.is_file():
            made.outputs[variant.path] = cached.read_bytes()
        else:
            todo.append(variant)
    cards = [v for v in todo if pictures[v.source].format == "SVG"]  # a few covers: made one by one
    todo = [v for v in todo if pictures[v.source].format != "SVG"]
    if cards and folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    for variant in cards:
        data = svg_card(pictures[variant.source], variant)
        if isinstance(data, Diagnostic):
            made.problems.append(data)
            continue
        made.outputs[variant.path] = data
        made.processed += 1
        if folder is not None:
            _store(folder / _cache_name(variant), data)
    if not todo:
        return made
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    by_source: dict[str, list[Variant]] = {}
    for variant in todo:
        by_source.setdefault(variant.source, []).append(variant)
    workers = max(1, min(len(by_source), jobs or os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:  # joined before this returns
        for results, pixels in pool.map(lambda item: _make_all(pictures[item[0]], item[1]), sorted(by_source.items())):
            made.megapixels += pixels
            for variant, data in results:
                made.outputs[variant.path] = data
                made.processed += 1
                if folder is not None:
                    _store(folder / _cache_name(variant), data)
    return made


def _cache_name(variant: Variant) -> str:
    speed = f"-s{AVIF_SPEED}" if variant.format == "avif" else ""
    return f"{variant.digest}-{variant.width}x{variant.height}{'c' if variant.crop else ''}-q{variant.quality}{speed}-v{VERSION}.{variant.format}"


def _store(path: Path, data: bytes) -> None:
    """Written whole or not at all: another build reading the cache never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def _make_all(picture: Picture, variants: list[Variant]) -> tuple[list[tuple[Variant, bytes]], float]:
    """Each variant of one image, decoded once."""
    from PIL import Image, ImageOps

    if picture.format == "HEIF":
        heif_opener()
    with Image.open(io.BytesIO(picture.data)) as opened:
        opened.load()
        upright = ImageOps.exif_transpose(opened) or opened
        pixels = upright.width * upright.height / 1e6
        # A new image of the pixels alone: nothing of the file's metadata can reach a published file.
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes()) if upright.mode in ("RGB", "RGBA", "L", "LA") else _plain(upright)
    # Largest first, each size made once and from the last one made: the 12 MP original is resized
    # once (to the print width), the smaller sizes from a few MP, not from 12 again.
    results = []
    source = clean
    resized: dict[tuple[int, int], object] = {}
    for variant in sorted(variants, key=lambda v: (v.crop, -v.width, v.format)):
        size = (variant.width, variant.height)
        if variant.crop:
            results.append((variant, make_variant(clean, variant)))
            continue
        if size not in resized:
            resized[size] = _resize(source, size)
            source = resized[size]
        results.append((variant, encode(resized[size], variant)))
    return sorted(results, key=lambda pair: pair[0].path), pixels


def _resize(image: object, size: tuple[int, int]) -> object:
    from PIL import Image

    assert isinstance(image, Image.Image)
    return image if image.size == size else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _plain(image: object) -> object:
    from PIL import Image

    assert isinstance(image, Image.Image)
    converted = image.convert("RGBA" if (image.mode in ("P", "PA") and "transparency" in image.info) or image.mode in ("PA", "RGBa") else "RGB")
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def make_variant(image: object, variant: Variant) -> bytes:
    """One variant of an upright image with no metadata."""
    from PIL import Image, ImageOps

    assert isinstance(image, Image.Image)
    size = (variant.width, variant.height)
    return encode(ImageOps.fit(image, size, Image.Resampling.LANCZOS) if variant.crop else _resize(image, size), variant)


def encode(resized: object, variant: Variant) -> bytes:
    """An image already of the variant's size, in the variant's format."""
    from PIL import Image

    assert isinstance(resized, Image.Image)
    out = io.BytesIO()
    if variant.format == "jpeg":
        resized.convert("RGB").save(out, "JPEG", quality=variant.quality, optimize=True, progressive=True)
    elif variant.format == "avif":
        resized.save(out, "AVIF", quality=variant.quality, speed=AVIF_SPEED, max_threads=1)
    elif variant.format == "webp":
        resized.save(out, "WEBP", quality=variant.quality, method=4)
    else:
        resized.save(out, "PNG", optimize=True)
    return out.getvalue()


PDFTOPPM = "pdftoppm"
TOOL_FIX = Message("install the Debian package poppler-utils (.ci/install does)")


def svg_card(picture: Picture, variant: Variant) -> bytes | Diagnostic:
    """An SVG drawn as a PNG of the variant's size, cut to fill it from the middle as a photo's card
    is. WeasyPrint lays it out on one page of that size in CSS pixels (the renderer, text shaping and
    fonts of the brochures' PDFs) and pdftoppm rasterises the page at 96 dpi, one pixel per CSS px.
    Pillow writes the PNG again, with nothing but the pixels: the same SVG gives the same bytes.
    A diagnostic at the SVG when it cannot be drawn."""
    import weasyprint
    from PIL import Image

    if shutil.which(PDFTOPPM) is None:
        return Diagnostic(
            picture.path,
            None,
            None,
            None,
            Message("expected {tool} to draw this SVG cover's social card, found it missing; {fix}", tool=PDFTOPPM, fix=TOOL_FIX),
        )
    width, height = variant.width, variant.height
    page = (
        f"<style>@page {{ size: {width}px {height}px; margin: 0 }} html, body {{ margin: 0 }}"
        f"img {{ display: block; width: {width}px; height: {height}px; object-fit: cover }}</style>"
        f'<img src="{ORIGIN}card.svg" alt="">'
    )
    command = [PDFTOPPM, "-png", "-r", "96", "-singlefile", "-scale-to-x", str(width), "-scale-to-y", str(height), "-"]
    try:
        pdf = weasyprint.HTML(string=page, url_fetcher=site_fetcher({"card.svg": picture.data})).write_pdf()
        drawn = subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=120).stdout
        with Image.open(io.BytesIO(drawn)) as image:
            pixels = image.convert("RGB")
    except Exception as exc:  # WeasyPrint's and pdftoppm's failures are many: report, don't crash the build
        why = f"{type(exc).__name__}: {exc}"
        return Diagnostic(
            picture.path,
            None,
            None,
            None,
            Message("expected an SVG that can be drawn as a social card, found it failing ({why}); export the picture again", why=why),
        )
    out = io.BytesIO()
    Image.frombytes("RGB", pixels.size, pixels.tobytes()).save(out, "PNG", optimize=True)
    return out.getvalue()
