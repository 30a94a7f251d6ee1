"""Variants planned by render.images, made with Pillow: EXIF orientation applied, every piece of
metadata (EXIF with its GPS position, XMP, comments) left out, cached by the image's hash and the
variant's parameters in the user's cache folder, made on threads (Pillow lets go of the GIL while
it resizes and encodes)."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs.images import Picture, heif_opener
from ..render.images import Variant

# Part of every cache name: a change to how variants are made makes them anew.
VERSION = "1"


@dataclass
class Made:
    """The variants' bytes by output path, and how many were made rather than taken from the cache."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    processed: int = 0
    megapixels: float = 0.0  # of the images decoded to make them


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
    return f"{variant.digest}-{variant.width}x{variant.height}{'c' if variant.crop else ''}-q{variant.quality}-v{VERSION}.{variant.format}"


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
    elif variant.format == "webp":
        resized.save(out, "WEBP", quality=variant.quality, method=4)
    else:
        resized.save(out, "PNG", optimize=True)
    return out.getvalue()
