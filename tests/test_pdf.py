"""Brochures as PDFs: read back with poppler and pypdf, as a partner abroad would open them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader

from conftest import REPO, build_into, errors, tree_bytes
from sitegen.options import BuildOptions
from sitegen.pipeline import build

pytestmark = pytest.mark.slow

LANGS = {"ko": "ko", "en": "en", "ja": "ja", "zh": "zh-Hans"}
EPOCH = "1338422400"  # 2012-05-31T00:00:00Z


def copy_portal(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", target)
    for folder in ("content", "templates", "locale", "assets"):
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns("*.mo"))
    return target


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The real portal built twice, PDFs included, in a copy with its own PDF cache."""
    root = copy_portal(tmp_path_factory.mktemp("pdf") / "site")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", EPOCH)
        env.setenv("SITEGEN_CACHE_DIR", str(root.parent / "cache"))
        first = build(BuildOptions(source=root, out=root / "public", jobs=2))
        snapshot = tree_bytes(root / "public")
        second = build(BuildOptions(source=root, out=root / "public", jobs=2))
    assert errors(first) == [] and errors(second) == []
    return root, first, second, snapshot


def pdf_path(root: Path, lang: str) -> Path:
    return root / "public" / lang / "brochures/program" / f"program-{lang}.pdf"


def text_of_pdf(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_one_pdf_per_language_and_a_second_build_renders_none(portal):
    root, first, second, snapshot = portal
    assert sorted(first.pdfs_rendered) == sorted(f"{lang}/brochures/program/program-{lang}.pdf" for lang in LANGS)
    assert second.pdfs_rendered == []
    assert tree_bytes(root / "public") == snapshot


def test_pages_are_a4_and_counts_sane(portal):
    root = portal[0]
    for lang in LANGS:
        reader = PdfReader(pdf_path(root, lang))
        assert 5 <= len(reader.pages) <= 20, lang
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_text_is_in_each_languages_script(portal):
    root = portal[0]
    text = {lang: text_of_pdf(pdf_path(root, lang)) for lang in LANGS}
    hangul, kana, han = r"[\uac00-\ud7a3]", r"[\u3040-\u30ff]", r"[\u4e00-\u9fff]"
    assert len(re.findall(hangul, text["ko"])) > 1000
    assert "창원 기계부품 미니클러스터" in text["ko"]
    assert len(re.findall(kana, text["ja"])) > 500 and "金型" in text["ja"]
    assert len(re.findall(han, text["zh"])) > 1000 and "模具" in text["zh"]
    assert not re.search(kana, text["zh"])
    assert "Changwon" in text["en"] and len(re.findall(r"[A-Za-z]", text["en"])) > 3000
    # The figures come from the Korean source and are formatted for each reader.
    assert "US$100만" in text["ko"] and "$1M" in text["en"] and "$100万" in text["ja"] and "US$100万" in text["zh"]


def test_fonts_are_embedded_subsets_of_each_languages_family(portal):
    root = portal[0]
    family = {"ko": "KR", "en": "KR", "ja": "JP", "zh": "SC"}
    for lang in LANGS:
        out = subprocess.run(["pdffonts", str(pdf_path(root, lang))], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in out.splitlines()[2:]]
        assert rows, lang
        for row in rows:
            name, emb, sub = row[0], row[-5], row[-4]
            assert (emb, sub) == ("yes", "yes"), (lang, row)
            assert re.fullmatch(r"[A-Z]{6}\+.+", name), name
        assert any(f"CJK-{family[lang]}" in row[0] for row in rows), (lang, rows)


def test_metadata_title_author_language_date_outline_and_tags(portal):
    root = portal[0]
    titles = {"ko": "산업단지 클러스터 사업", "en": "The Industrial Complex Cluster Program", "ja": "産業団地クラスター事業", "zh": "产业园区集群项目"}
    for lang, tag in LANGS.items():
        reader = PdfReader(pdf_path(root, lang))
        assert reader.metadata.title == titles[lang]
        assert reader.metadata.author
        assert reader.metadata.creation_date.strftime("%Y-%m-%d") == "2012-05-31"
        assert reader.trailer["/Root"]["/Lang"] == tag
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
        assert len(reader.outline) >= 5


def test_pdfs_are_small(portal):
    root = portal[0]
    for lang in LANGS:
        assert pdf_path(root, lang).stat().st_size < 1_000_000


def test_cover_page_is_not_blank(portal, tmp_path):
    root = portal[0]
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "30", "-png", str(pdf_path(root, "ja")), str(tmp_path / "cover")], check=True)
    image = Image.open(next(tmp_path.glob("cover*.png"))).convert("L")
    stat = ImageStat.Stat(image)
    assert stat.stddev[0] > 10  # the cover art and the title, not a blank page
    assert stat.mean[0] < 128  # the full-bleed dark cover reaches the edges
    # (the last pixel row and column are partly off the sheet at this resolution)
    assert image.getpixel((0, 0)) < 80 and image.getpixel((image.width - 2, image.height - 2)) < 80


def _broken_korean_words(pdf: Path, words: set[str]) -> list[str]:
    """Line ends in the PDF that are not the end of a word of the source."""
    broken = []
    for line in text_of_pdf(pdf).splitlines():
        if re.fullmatch(r"\d+쪽 중 \d+쪽", line.strip()):
            continue  # the page footer, made by CSS
        tokens = line.split()
        if tokens and re.search(r"[\uac00-\ud7a3]$", tokens[-1]) and tokens[-1] not in words:
            broken.append(tokens[-1])
    return broken


def test_korean_lines_break_between_words_only(portal):
    import weasyprint

    from sitegen.outputs.pdf import ORIGIN, site_fetcher

    root = portal[0]
    html = (root / "public/ko/brochures/program/print/index.html").read_text(encoding="utf-8")
    plain = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1]).replace("\u2060", "")
    # The diagrams' labels are text in the PDF too: each a line of its own, ending a word.
    drawn = " ".join(re.sub(r"<[^>]+>", " ", svg.read_text(encoding="utf-8")) for svg in (root / "public/_img").glob("*.svg"))
    words = {token.strip("().,·:;") for token in (plain + drawn).split()} | set((plain + drawn).split())
    assert _broken_korean_words(pdf_path(root, "ko"), words) == []
    # Without the word spans, the same page does break inside words: the check can fail.
    resources = {p.relative_to(root / "public").as_posix(): p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
    loose = html.replace('class="kw"', 'class="loose"')
    data = weasyprint.HTML(string=loose, base_url=ORIGIN + "ko/brochures/program/print/index.html", url_fetcher=site_fetcher(resources)).write_pdf()
    loose_pdf = root / "loose.pdf"
    loose_pdf.write_bytes(data)
    assert len(_broken_korean_words(loose_pdf, words)) > 5


BROCHURE = """title: 안내서
summary: 요약
cover:
  image: assets/cover.svg
  text: 표지
sections:
  - page: program
  - cluster: changwon
  - text: |
      ## 성과
      본문
  - story: oita-lsi
back_page: program
"""
COVER = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def brochure_site(make_site, brochure: str = BROCHURE, **files):
    return make_site({"content/ko/brochures/guide.yaml": brochure, "assets/cover.svg": COVER, **files})


BAD_BROCHURES = {
    "section refers to a missing item": (
        {"content/ko/brochures/guide.yaml": BROCHURE.replace("cluster: changwon", "cluster: atlantis")},
        "content/ko/brochures/guide.yaml:8:14: error: sections.1.cluster: expected a cluster slug (changwon), found 'atlantis'",
    ),
    "unknown section kind": (
        {"content/ko/brochures/guide.yaml": BROCHURE.replace("- story: oita-lsi", "- video: oita-lsi")},
        "content/ko/brochures/guide.yaml:12:12: error: sections.3.video: unknown field; expected one of text, page, cluster, story",
    ),
    "missing cover image": (
        {"assets/cover.svg": None},
        "content/ko/brochures/guide.yaml:4:10: error: cover.image: expected an image file, found no such file at content/ko/brochures/assets/cover.svg",
    ),
    "broken image file": (
        {"content/ko/brochures/guide.yaml": BROCHURE.replace("cover.svg", "cover.png"), "assets/cover.png": b"\x89PNG\r\n\x1a\nnot really"},
        "content/ko/brochures/guide.yaml:4:10: error: cover.image: expected an image file, found a broken or truncated image file",
    ),
    "cover path escaping the site": (
        {"content/ko/brochures/guide.yaml": BROCHURE.replace("assets/cover.svg", "assets/../../etc/passwd")},
        "content/ko/brochures/guide.yaml:4:10: error: cover.image: expected an image path relative to this file",
    ),
}


@pytest.mark.parametrize("case", BAD_BROCHURES, ids=list(BAD_BROCHURES))
def test_bad_brochure_gets_one_diagnostic_and_nothing_is_written(make_site, case):
    root = brochure_site(make_site)
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    files, expected = BAD_BROCHURES[case]
    for rel, data in files.items():
        path = root / rel
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    found = errors(build_into(root))
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]
    assert tree_bytes(root / "public") == before


def test_a_missing_font_stops_the_build_before_rendering(make_site):
    root = brochure_site(make_site)
    config = (root / "site.yaml").read_text() + "fonts: {ko: No Such Sans KR}\n"
    (root / "site.yaml").write_text(config)
    report = build_into(root)
    assert errors(report) == [
        "site.yaml: error: fonts.ko: expected a font for 'ko' (No Such Sans KR) that covers its script, found none "
        "installed; install the Debian package fonts-noto-cjk (or name an installed family in site.yaml fonts)"
    ]
    assert report.pdfs_rendered == [] and not (root / "public").exists()


def test_fixture_brochure_pulls_in_items_in_the_readers_language(make_site):
    root = brochure_site(make_site)
    report = build_into(root, languages=("ja",))
    assert errors(report) == []
    text = text_of_pdf(root / "public/ja/brochures/guide/guide-ja.pdf")
    assert "昌原機械部品ミニクラスター" in text  # the cluster's Japanese translation
    assert "충청권–오이타 LSI 클러스터 교류" in text  # the story has no Japanese text: shown from the source
    assert "まだ日本語では" in text or "日本語" in text


def test_pdf_command_makes_just_the_brochures_asked_for(make_site):
    from sitegen.cli import main

    root = brochure_site(make_site)
    assert main(["build", "--source", str(root), "--no-pdf"]) == 0
    assert not list((root / "public").rglob("*.pdf"))
    assert main(["pdf", "guide", "--source", str(root), "--lang", "en"]) == 0
    assert [p.relative_to(root / "public").as_posix() for p in (root / "public").rglob("*.pdf")] == ["en/brochures/guide/guide-en.pdf"]
    assert (root / "public/en/index.html").is_file()
