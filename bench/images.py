"""Seconds per megapixel to make a photo's variants, cold and from the cache, on the real portal with
camera-sized photos added to a story.

    .venv/bin/python bench/images.py [--photos N] [--jobs N] [--no-avif]

Prints the cold build's image stage (seconds, megapixels decoded, seconds per megapixel), the
image stage of a second build (all from the cache, none made), and, for a ~3 MB camera photo, the
bytes and encoding seconds of the largest web variant in each format (AVIF where Pillow has it).

Targets (issue 28, 2-core machine): a second build processes no image; a 3 MB camera photo reaches
the page as at most about 250 KB at the largest web width.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import copy_portal  # noqa: E402
from PIL import Image  # noqa: E402

from sitegen.inputs.images import Picture, read_picture  # noqa: E402
from sitegen.options import BuildOptions  # noqa: E402
from sitegen.outputs.images import make_variants  # noqa: E402
from sitegen.pipeline import build  # noqa: E402
from sitegen.render import images  # noqa: E402

STORY = "content/ko/stories/oita-lsi"


def camera_photo(seed: int, width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel JPEG about the size a camera makes (~3 MB): light, with detail at every scale
    (noise of several grains), so that it stays as hard to compress once resized as a real photo;
    grain of one pixel alone would be averaged away, and every format would look too good."""

    def texture(turn: int) -> Image.Image:
        layers = [Image.effect_noise((width // s, height // s), 60).resize((width, height), Image.Resampling.BICUBIC) for s in (2, 5, 13, 40)]
        mixed = layers[0]
        for layer in layers[1:]:
            mixed = Image.blend(mixed, layer, 0.5)
        return mixed.rotate(turn)

    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", [Image.blend(gradient.rotate(90 * c + seed), texture(seed + c), 0.55) for c in range(3)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-avif", action="store_true", help="as on a Pillow without AVIF: what AVIF adds to a cold build")
    args = parser.parse_args()
    if args.no_avif:
        import sitegen.inputs.images

        sitegen.inputs.images.has_avif = lambda: False
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp, "cache"))  # cold: an empty cache of this run's own
        root = copy_portal(Path(tmp) / "site")
        bundle = root / STORY
        flat = root / f"{STORY}.md"
        if flat.exists():  # a story that is one file: made a bundle
            bundle.mkdir()
            flat.rename(bundle / "index.md")
        text = (bundle / "index.md").read_text(encoding="utf-8")
        photos = [camera_photo(n) for n in range(args.photos)]
        for n, data in enumerate(photos):
            (bundle / f"photo-{n}.jpg").write_bytes(data)
        text += "\n" + "\n\n".join(f"![사진 {n}](photo-{n}.jpg)" for n in range(args.photos)) + "\n"
        (bundle / "index.md").write_text(text, encoding="utf-8")
        options = BuildOptions(source=root, out=root / "public", jobs=args.jobs, search=False, pdf=False)
        cold = build(options)
        assert cold.ok, [d.format() for d in cold.diagnostics]
        warm = build(options)
        megapixels = sum(Image.open(io.BytesIO(p)).size[0] * Image.open(io.BytesIO(p)).size[1] for p in photos) / 1e6
        seconds = cold.timings.get("images", 0.0)
        print(f"cold: {cold.images_processed} variants of {args.photos} photos ({megapixels:.0f} MP) in {seconds:.2f} s: {seconds / megapixels:.3f} s/MP")
        print(
            f"cached build: {warm.images_processed} variants made, image stage {warm.timings.get('images', 0.0):.3f} s, whole build {sum(warm.timings.values()):.2f} s"
        )
        picture = Picture("photo.jpg", photos[0], "0" * 64, 4000, 3000, "JPEG")
        variants = images.web_variants(picture)
        print(f"a {len(photos[0]) / 2**20:.1f} MB camera photo, every web width, each format on one thread (decoding and resizing included):")
        for fmt in dict.fromkeys(v.format for v in variants):
            mine = [v for v in variants if v.format == fmt]
            start = time.perf_counter()
            made = make_variants(mine, {"photo.jpg": picture}, None, 1)
            seconds = time.perf_counter() - start
            sizes = ", ".join(f"{v.width}: {len(made.outputs[v.path]) / 1024:.0f} KB" for v in mine)
            print(f"  {fmt:>4} q{mine[0].quality}: {seconds:.2f} s; {sizes}")
        cover = read_picture(REPO, "content/ko/stories/oita-lsi/cover.svg")
        assert isinstance(cover, Picture), cover
        card = images.social_variant(cover)
        start = time.perf_counter()
        made = make_variants([card], {cover.path: cover}, None, 1)
        print(
            f"an SVG cover's 1200x630 PNG social card (WeasyPrint + pdftoppm): {time.perf_counter() - start:.2f} s, {len(made.outputs[card.path]) / 1024:.0f} KB"
        )


if __name__ == "__main__":
    main()
