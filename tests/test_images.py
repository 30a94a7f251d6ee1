"""Photos in stories: where they live, how they are written, what each page and file makes of them."""

from __future__ import annotations

import io
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from conftest import MakeSite, build_into, errors, parse_html
from sitegen.inputs.images import has_avif, resolve

needs_avif = pytest.mark.skipif(not has_avif(), reason="this Pillow writes no AVIF (before 11.2, or built without libavif)")

STORY = """---
title: 충청권–오이타 LSI 클러스터 교류
summary: 수출 계약 100만 달러
date: 2012-05-31
region: chungcheong
clusters: [changwon]
{cover}---
## 교류의 시작
일본 오이타현 LSI 클러스터와 교류했습니다.

{image}
"""


def photo(width: int = 64, height: int = 48, fmt: str = "JPEG", exif: bool = False) -> bytes:
    """A tiny photo; with `exif`, one a phone would take: on its side (orientation 6) with a GPS position."""
    image = Image.new("RGB", (width, height), (200, 80, 40))
    for x in range(width // 2):
        image.putpixel((x, 0), (0, 0, 255))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x0112] = 6
        data[0x8825] = {1: "N", 2: (37.0, 33.0, 0.0)}  # GPSInfo: where the photo was taken
        image.save(out, fmt, exif=data.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def story_site(make_site: MakeSite, image: str = "", cover: str = "", files: dict | None = None) -> Path:
    return make_site(
        {
            "content/ko/stories/oita-lsi.md": None,
            "content/ko/stories/oita-lsi/index.md": STORY.format(image=image, cover=cover),
            **(files or {}),
        }
    )


def test_resolve_reads_paths_as_an_editor_preview_does():
    assert resolve("content/ko/stories/oita/index.md", "photo.jpg") == "content/ko/stories/oita/photo.jpg"
    assert resolve("content/ko/stories/oita/index.md", "../../../../assets/map.svg") == "assets/map.svg"
    assert resolve("content/ko/stories/oita/index.md", "/assets/map.svg") == "assets/map.svg"
    assert resolve("content/ko/stories/oita/index.md", "photo%20one.jpg") == "content/ko/stories/oita/photo one.jpg"
    assert resolve("content/ko/stories/oita/index.md", "../../../../../etc/passwd") is None


def test_a_photo_beside_the_story_is_shown_with_srcset_width_and_height(make_site: MakeSite):
    root = story_site(
        make_site, '![오이타 상담회](meeting.jpg "오이타 비즈니스 상담회, 2012년")', files={"content/ko/stories/oita-lsi/meeting.jpg": photo(2000, 1500)}
    )
    report = build_into(root)
    assert errors(report) == []
    page = parse_html(root / "public/ko/stories/oita-lsi/index.html")
    figure = page.find(".//figure")
    assert figure is not None
    img = figure.find(".//img")
    assert img.get("alt") == "오이타 상담회"
    assert (img.get("width"), img.get("height")) == ("2000", "1500")
    assert img.get("loading") == "lazy"
    assert "".join(figure.find("figcaption").itertext()) == "오이타 비즈니스 상담회, 2012년"
    sources = [source.get("srcset").split(", ") for source in figure.findall(".//source")] + [img.get("srcset").split(", ")]
    for srcset in sources:
        assert [int(part.split()[1][:-1]) for part in srcset] == [480, 736, 1104, 1472]
        for part in srcset:
            assert (root / "public/ko/stories/oita-lsi" / part.split()[0]).resolve().is_file()


@needs_avif
def test_a_browser_is_offered_avif_then_webp_then_the_photo_s_own_kind(make_site: MakeSite):
    root = story_site(make_site, "![오이타 상담회](meeting.jpg)", files={"content/ko/stories/oita-lsi/meeting.jpg": photo(1000, 750)})
    assert errors(build_into(root)) == []
    picture = parse_html(root / "public/ko/stories/oita-lsi/index.html").find(".//article//picture")
    offered = [(s.get("type"), s.get("srcset")) for s in picture.findall("source")] + [("image/jpeg", picture.find("img").get("srcset"))]
    assert [kind for kind, _ in offered] == ["image/avif", "image/webp", "image/jpeg"]
    for kind, srcset in offered:
        for part in srcset.split(", "):
            with Image.open(root / "public/ko/stories/oita-lsi" / part.split()[0]) as image:
                assert image.format == kind.removeprefix("image/").upper()
                assert image.width == int(part.split()[1][:-1])


def test_a_pillow_without_avif_offers_webp_and_the_photo_s_own_kind(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch):
    from sitegen.inputs import images

    monkeypatch.setattr(images, "has_avif", lambda: False)
    root = story_site(make_site, "![오이타 상담회](meeting.jpg)", files={"content/ko/stories/oita-lsi/meeting.jpg": photo(1000, 750)})
    assert errors(build_into(root)) == []
    picture = parse_html(root / "public/ko/stories/oita-lsi/index.html").find(".//article//picture")
    assert [s.get("type") for s in picture.findall("source")] == ["image/webp"]
    assert not list((root / "public/_img").glob("*.avif"))


def test_a_translation_uses_the_source_photo_unless_its_bundle_has_its_own(make_site: MakeSite):
    en = "---\ntitle: Oita\nsummary: One million dollars\n---\n![The meeting](meeting.jpg)\n\n![A chart](chart.png)\n"
    root = story_site(
        make_site,
        "![상담회](meeting.jpg)\n\n![도표](chart.png)",
        files={
            "content/ko/stories/oita-lsi/meeting.jpg": photo(),
            "content/ko/stories/oita-lsi/chart.png": photo(fmt="PNG"),
            "content/en/stories/oita-lsi.md": None,
            "content/en/stories/oita-lsi/index.md": en,
            "content/en/stories/oita-lsi/chart.png": photo(32, 24, fmt="PNG"),
        },
    )
    report = build_into(root)
    assert [e for e in errors(report) if "oita" in e] == []
    imgs = parse_html(root / "public/en/stories/oita-lsi/index.html").findall(".//article//img")
    assert [(i.get("alt"), i.get("width")) for i in imgs] == [("The meeting", "64"), ("A chart", "32")]


@pytest.mark.parametrize(
    ("image", "files", "found"),
    [
        ("![사진](missing.jpg)", {}, "no such file at content/ko/stories/oita-lsi/missing.jpg"),
        ("![사진](../../../../../secret.jpg)", {}, "which leads outside it"),
        ("![사진](notes.txt)", {"content/ko/stories/oita-lsi/notes.txt": "hello"}, "not an image"),
        ("![사진](broken.jpg)", {"content/ko/stories/oita-lsi/broken.jpg": photo(64, 48)[:300]}, "broken or truncated"),
        (
            "![사진](fake.png)",
            {"content/ko/stories/oita-lsi/fake.png": b"not a png at all"},
            "found a file whose content is not an image, not what its extension .png says",
        ),
        # Windows and macOS find Meeting.JPG for meeting.jpg; the web server does not.
        (
            "![사진](meeting.jpg)",
            {"content/ko/stories/oita-lsi/Meeting.JPG": photo()},
            "the folder has Meeting.JPG: write the name with the same capital and small letters",
        ),
        ("![사진](evil.svg)", {"content/ko/stories/oita-lsi/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'}, "SVG"),
        ("![](meeting.jpg)", {"content/ko/stories/oita-lsi/meeting.jpg": photo()}, "expected alt text"),
    ],
)
def test_a_bad_image_is_an_error_where_it_is_written(make_site: MakeSite, image: str, files: dict, found: str):
    root = story_site(make_site, image, files=files)
    report = build_into(root)
    messages = [e for e in errors(report) if e.startswith("content/ko/stories/oita-lsi/index.md:11:1:")]
    assert len(messages) == 1, errors(report)
    assert found in messages[0]
    assert not (root / "public").exists()


def test_a_decompression_bomb_is_refused(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch):
    from sitegen.inputs import images

    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    root = story_site(make_site, "![사진](big.png)", files={"content/ko/stories/oita-lsi/big.png": photo(64, 48, "PNG")})
    assert any("megapixel limit" in e for e in errors(build_into(root)))


def test_a_scan_too_big_to_show_says_to_make_it_smaller_and_nothing_else(make_site: MakeSite, recwarn: pytest.WarningsRecorder):
    """108 megapixels: past Pillow's own warning (89), which printed a line of Pillow's code to the editor."""
    scan = io.BytesIO()
    Image.new("1", (12000, 9000)).save(scan, "PNG")
    root = story_site(make_site, "![도면](scan.png)", files={"content/ko/stories/oita-lsi/scan.png": scan.getvalue()})
    assert [e for e in errors(build_into(root)) if "scan.png" in e] == [
        "content/ko/stories/oita-lsi/index.md:11:1: error: body: expected an image file, found an image of 12000x9000 pixels, over the 100 "
        "megapixel limit (a decompression bomb, or a scan to make smaller) at content/ko/stories/oita-lsi/scan.png; make it smaller "
        "(a photo of 4,000 x 3,000 pixels is plenty for the web and for print) and save it again"
    ]
    assert [str(w.message) for w in recwarn] == []


def test_a_phone_photo_is_turned_upright_and_published_without_exif(make_site: MakeSite):
    root = story_site(make_site, "![사진](phone.jpg)", files={"content/ko/stories/oita-lsi/phone.jpg": photo(64, 48, exif=True)})
    assert errors(build_into(root)) == []
    img = parse_html(root / "public/ko/stories/oita-lsi/index.html").find(".//article//img")
    assert (img.get("width"), img.get("height")) == ("48", "64")
    published = list((root / "public/_img").iterdir())
    assert published
    for path in published:
        with Image.open(path) as image:
            assert image.size == (48, 64)
            assert not image.getexif()
            assert "exif" not in image.info and "xmp" not in image.info


def test_a_second_build_processes_no_image(make_site: MakeSite):
    root = story_site(make_site, "![사진](meeting.jpg)", files={"content/ko/stories/oita-lsi/meeting.jpg": photo(900, 600)})
    first = build_into(root)
    assert first.images_processed > 0
    assert build_into(root).images_processed == 0


def test_the_print_view_and_the_feed_get_their_own_urls(make_site: MakeSite):
    root = story_site(make_site, "![상담회](meeting.jpg)", files={"content/ko/stories/oita-lsi/meeting.jpg": photo(3000, 2000)})
    assert errors(build_into(root, base_url="https://example.org/portal/")) == []
    feed = (root / "public/ko/feed.xml").read_text()
    assert 'src="https://example.org/portal/_img/' in feed.replace("&#34;", '"').replace("&quot;", '"')


def test_a_cover_is_on_cards_and_is_the_og_image(make_site: MakeSite):
    root = story_site(
        make_site,
        cover="cover:\n  image: meeting.jpg\n  alt: 오이타 상담회\n",
        files={"content/ko/stories/oita-lsi/meeting.jpg": photo(1600, 1000)},
    )
    assert errors(build_into(root)) == []
    page = parse_html(root / "public/ko/stories/oita-lsi/index.html")
    og = [m.get("content") for m in page.iter("meta") if m.get("property") == "og:image"]
    assert len(og) == 1 and og[0].endswith("-1200-crop-q80.jpg")
    with Image.open(root / "public/_img" / og[0].split("/_img/")[1]) as card:
        assert card.size == (1200, 630)
    listing = parse_html(root / "public/ko/stories/index.html")
    assert [i.get("alt") for i in listing.iter("img")] == ["오이타 상담회"]


def camera_photo(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: smooth light with some grain, as a camera's compresses."""
    gradient = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), 24)
    red = Image.blend(gradient, grain, 0.25)
    image = Image.merge("RGB", (red, gradient.rotate(90 + seed * 7).resize((width, height)), grain))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.mark.slow
def test_a_brochure_prints_a_dozen_photos_at_print_resolution_and_stays_small(make_site: MakeSite):
    photos = {f"content/ko/stories/oita-lsi/photo-{n}.jpg": camera_photo(3000, 2000, n) for n in range(12)}
    body = "\n\n".join(f"![사진 {n}](photo-{n}.jpg)" for n in range(12))
    brochure = "title: 안내서\nsummary: 요약\nsections:\n  - story: oita-lsi\n"
    root = story_site(make_site, body, files={**photos, "content/ko/brochures/guide.yaml": brochure})
    report = build_into(root, pdf=True)
    assert errors(report) == []
    pdf = root / "public/ko/brochures/guide/guide-ko.pdf"
    assert pdf.stat().st_size < 4 * 2**20
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    photos_in_pdf = [line.split() for line in listing if line.split()[3] == "3000" or int(line.split()[3]) >= 1000]
    assert len(photos_in_pdf) == 12
    assert all(int(row[12]) >= 250 and int(row[13]) >= 250 for row in photos_in_pdf)  # x-ppi, y-ppi


def test_the_dev_server_shows_a_replaced_photo(make_site: MakeSite):
    from sitegen.options import BuildOptions
    from sitegen.pipeline import State, build

    root = story_site(make_site, "![사진](meeting.jpg)", files={"content/ko/stories/oita-lsi/meeting.jpg": photo(64, 48)})
    state = State()
    options = BuildOptions(source=root, out=root / "public", search=False)
    assert errors(build(options, state=state)) == []
    (root / "content/ko/stories/oita-lsi/meeting.jpg").write_bytes(photo(80, 40))
    report = build(options, state=state, changed={"content/ko/stories/oita-lsi/meeting.jpg"})
    assert errors(report) == []
    img = parse_html(root / "public/ko/stories/oita-lsi/index.html").find(".//article//img")
    assert (img.get("width"), img.get("height")) == ("80", "40")


@pytest.mark.slow
def test_under_a_subpath_a_browser_loads_every_image_no_wider_than_it_needs(make_site: MakeSite, tmp_path: Path):
    """Chromium at 375 and 1280 px, the site at /portal/ of a plain static server."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from sitegen.options import BuildOptions
    from sitegen.pipeline import build

    body = "![상담회](meeting.jpg)\n\n" + "\n\n".join(["문단입니다. " * 40] * 6) + '\n\n![도표](/assets/chart.png "도표")'
    root = story_site(
        make_site,
        body,
        cover="cover:\n  image: meeting.jpg\n  alt: 오이타 상담회\n",
        files={"content/ko/stories/oita-lsi/meeting.jpg": photo(3000, 2000), "assets/chart.png": photo(900, 600, "PNG")},
    )
    served = tmp_path / "served"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/portal/"
        report = build(BuildOptions(source=root, out=served / "portal", base_url=base, search=False, pdf=False))
        assert errors(report) == []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            chosen = {}
            for width in (375, 1280):
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.goto(base + "ko/stories/oita-lsi/")
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=10_000)
                shift = page.evaluate(
                    """() => new Promise(done => { let total = 0;
                    new PerformanceObserver(list => { for (const e of list.getEntries()) total += e.value; }).observe({type: 'layout-shift', buffered: true});
                    setTimeout(() => done(total), 300); })"""
                )
                assert shift < 0.01
                chosen[width] = page.evaluate("[...document.images].map(i => [i.alt, i.currentSrc])")
                page.close()
            browser.close()
    finally:
        server.shutdown()
        thread.join()
    assert [alt for alt, _ in chosen[375]] == ["오이타 상담회", "상담회", "도표"]
    assert "-480-" in chosen[375][0][1] and chosen[375][0][1].endswith(".avif" if has_avif() else ".webp")
    assert "-736-" in chosen[1280][0][1]


def test_a_translation_that_keeps_the_source_alt_text_gets_a_note(make_site: MakeSite):
    en = "---\ntitle: Oita\nsummary: One million dollars\n---\n![오이타 상담회](meeting.jpg)\n"
    root = story_site(
        make_site,
        "![오이타 상담회](meeting.jpg)",
        files={"content/ko/stories/oita-lsi/meeting.jpg": photo(), "content/en/stories/oita-lsi.md": None, "content/en/stories/oita-lsi/index.md": en},
    )
    report = build_into(root)
    notes = [d.format() for d in report.diagnostics if d.severity == "note" and "alt text" in d.message]
    assert notes == ["content/en/stories/oita-lsi/index.md:5:1: note: body: expected alt text in en, found the source's ('오이타 상담회'); translate it"]


def test_a_phone_heic_photo_is_published_as_webp_and_jpeg(make_site: MakeSite):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    root = story_site(make_site, "![사진](phone.heic)", files={"content/ko/stories/oita-lsi/phone.heic": photo(64, 48, "HEIF")})
    assert errors(build_into(root)) == []
    img = parse_html(root / "public/ko/stories/oita-lsi/index.html").find(".//article//img")
    assert img.get("src").endswith(".jpg")
    assert not list((root / "public/_img").glob("*.heic"))


def test_without_pillow_heif_a_heic_photo_says_what_to_install(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch):
    from sitegen.inputs import images

    monkeypatch.setattr(images, "heif_opener", lambda: False)
    root = story_site(make_site, "![사진](phone.heic)", files={"content/ko/stories/oita-lsi/phone.heic": b"\x00\x00\x00\x18ftypheic"})
    assert any("sitegen[heic]" in e for e in errors(build_into(root)))


BROCHURE = "title: 안내서\nsummary: 요약\ncover:\n  image: {image}\n  text: 함께 만드는 산업단지\nsections:\n  - story: oita-lsi\n"


@pytest.mark.slow
def test_a_brochure_cover_beside_its_file_is_on_its_page_its_card_its_social_card_and_its_printed_cover(make_site: MakeSite):
    root = story_site(
        make_site,
        files={
            "content/ko/brochures/guide/index.yaml": BROCHURE.format(image="cover.jpg"),
            "content/ko/brochures/guide/cover.jpg": camera_photo(2600, 3700, 1),
        },
    )
    assert errors(build_into(root, pdf=True)) == []
    page = parse_html(root / "public/ko/brochures/guide/index.html")
    shown = page.find(".//*[@class='brochure-cover']//img")
    assert (shown.get("width"), shown.get("height")) == ("2600", "3700")
    assert shown.get("srcset")
    og = [m.get("content") for m in page.iter("meta") if m.get("property") == "og:image"]
    assert len(og) == 1 and og[0].endswith("-1200-crop-q80.jpg")
    card = parse_html(root / "public/ko/brochures/index.html").find(".//*[@class='card-cover']//img")
    assert card is not None and card.get("src") == shown.get("src").replace("../", "", 1)
    printed = parse_html(root / "public/ko/brochures/guide/print/index.html").find(".//*[@class='cover-art']/img")
    assert "-2480-" in printed.get("src")  # 210 mm at 300 dpi: the sheet's width
    pdf = root / "public/ko/brochures/guide/guide-ko.pdf"
    listing = subprocess.run(["pdfimages", "-f", "1", "-l", "1", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    cover = [line.split() for line in listing if line.split()[3] == "2480"]
    assert len(cover) == 1 and int(cover[0][12]) >= 290 and int(cover[0][13]) >= 290  # x-ppi, y-ppi


def test_a_brochure_cover_written_from_the_repository_top_still_works_with_a_note_saying_how_to_write_it(make_site: MakeSite):
    root = story_site(
        make_site,
        files={"content/ko/brochures/guide.yaml": BROCHURE.format(image="assets/covers/guide.png"), "assets/covers/guide.png": photo(420, 594, "PNG")},
    )
    report = build_into(root, pdf=False)
    assert errors(report) == []
    notes = [d.format() for d in report.diagnostics if d.field == "cover.image"]
    assert notes == [
        "content/ko/brochures/guide.yaml:4:10: note: cover.image: expected a path relative to this file, found 'assets/covers/guide.png', "
        "read from the top of the repository as before; write ../../../assets/covers/guide.png (or /assets/covers/guide.png), as a Markdown preview finds it"
    ]
    img = parse_html(root / "public/ko/brochures/guide/index.html").find(".//*[@class='brochure-cover']//img")
    assert (img.get("width"), img.get("height")) == ("420", "594")


def test_a_brochure_cover_that_is_nowhere_is_an_error_at_its_line(make_site: MakeSite):
    root = story_site(make_site, files={"content/ko/brochures/guide.yaml": BROCHURE.format(image="../../../assets/covers/guide.png")})
    assert errors(build_into(root)) == [
        "content/ko/brochures/guide.yaml:4:10: error: cover.image: expected an image file, found no such file at assets/covers/guide.png; "
        "put the image there, or correct the path (it is read from the folder of the file that names it)"
    ]
    assert not (root / "public").exists()


DRAWING = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600" viewBox="0 0 800 600">'
    '<rect width="800" height="600" fill="#0b3d6b"/><rect x="0" y="0" width="400" height="600" fill="#ffbf47"/></svg>'
)


def test_an_svg_cover_gets_a_png_social_card_the_same_bytes_each_time_and_made_once(make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = story_site(make_site, cover="cover:\n  image: cover.svg\n  alt: 두 지역의 교류\n", files={"content/ko/stories/oita-lsi/cover.svg": DRAWING})
    first = build_into(root, base_url="https://example.org/portal/")
    assert errors(first) == []
    page = parse_html(root / "public/ko/stories/oita-lsi/index.html")
    og = [m.get("content") for m in page.iter("meta") if m.get("property") == "og:image"]
    assert len(og) == 1 and og[0].startswith("https://example.org/portal/_img/") and og[0].endswith(".png")
    card_file = root / "public/_img" / og[0].rsplit("/", 1)[1]
    card = card_file.read_bytes()
    with Image.open(io.BytesIO(card)) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))
        rgb = image.convert("RGB")
        # Cut from the middle to fill 1200x630: the drawing's yellow left half, then its blue right.
        assert rgb.getpixel((300, 315)) == (255, 191, 71)
        assert rgb.getpixel((900, 315)) == (11, 61, 107)
    feed = ET.fromstring((root / "public/ko/feed.xml").read_bytes())
    enclosures = [e.attrib for e in feed.iter("{http://www.w3.org/2005/Atom}link") if e.get("rel") == "enclosure"]
    assert enclosures == [{"rel": "enclosure", "type": "image/png", "href": og[0]}]
    assert build_into(root, base_url="https://example.org/portal/").images_processed == 0
    monkeypatch.setenv("SITEGEN_CACHE_DIR", str(tmp_path / "another-cache"))
    again = build_into(root, base_url="https://example.org/portal/")
    assert again.images_processed > 0
    assert card_file.read_bytes() == card


def test_without_pdftoppm_an_svg_cover_is_an_error_naming_the_package(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch):
    from sitegen.outputs import images

    monkeypatch.setattr(images, "PDFTOPPM", "no-such-pdftoppm")
    root = story_site(make_site, cover="cover:\n  image: cover.svg\n  alt: 두 지역의 교류\n", files={"content/ko/stories/oita-lsi/cover.svg": DRAWING})
    assert errors(build_into(root)) == [
        "content/ko/stories/oita-lsi/cover.svg: error: expected no-such-pdftoppm to draw this SVG cover's social card, found it missing; "
        "install the Debian package poppler-utils (.ci/install does)"
    ]
    assert not (root / "public").exists()


def test_a_folder_linked_out_of_the_site_is_not_listed_for_a_name_of_another_case(make_site: MakeSite, tmp_path: Path):
    """The capital-letters hint lists a folder: never one outside the site, whose file names are not the site's to tell."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Private_Key.PEM").write_bytes(b"secret")
    root = story_site(make_site, "![열쇠](linked/private_key.pem)")
    (root / "content/ko/stories/oita-lsi/linked").symlink_to(outside)
    found = [e for e in errors(build_into(root)) if "private_key" in e.lower()]
    assert found and not any("Private_Key.PEM" in e for e in found), found
