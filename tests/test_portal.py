"""The real portal in content/ builds strictly, in four languages, and tells the facts once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, parse_html, text_of, tree_bytes
from sitegen.options import BuildOptions
from sitegen.pipeline import build

LANGS = ("ko", "en", "ja", "zh")


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("portal") / "public"
    report = build(BuildOptions(source=REPO, out=out, strict=True, pdf=False))
    # No error, no warning; the one note is the story left untranslated on purpose.
    assert [d.format() for d in report.diagnostics] == [
        "content/zh/stories/daegyeong-working-groups.md: note: expected a translation into zh of "
        "content/ko/stories/daegyeong-working-groups.md, found none (readers see the ko text)"
    ]
    return out


def test_every_language_has_home_lists_and_the_model_case(portal):
    for lang in LANGS:
        page = parse_html(portal / lang / "clusters/changwon-machinery/index.html")
        rows = [re.sub(r"\D", "", text_of(th)) for th in page.findall(".//figure[@class='members']//th")]
        assert rows == ["73", "9", "3", "6"], lang
        assert re.sub(r"\D", "", text_of(page.find(".//figure[@class='members']//caption"))) == "91"
        assert len(parse_html(portal / lang / "clusters/index.html").findall(".//li[@class='card']")) == 6
        assert len(parse_html(portal / lang / "stories/index.html").findall(".//li[@class='card']")) >= 4


def test_the_untranslated_story_shows_the_fallback_in_chinese(portal):
    page = parse_html(portal / "zh/stories/daegyeong-working-groups/index.html")
    assert page.get("lang") == "zh-Hans"
    assert page.find(".//p[@class='notice']") is not None
    assert page.find(".//article/h1").get("lang") == "ko"
    translated = parse_html(portal / "zh/stories/oita-lsi/index.html")
    assert translated.find(".//p[@class='notice']") is None


def test_the_oita_story_in_each_language(portal):
    expected = {"ko": "2012년 5월 31일", "en": "May 31, 2012", "ja": "2012年5月31日", "zh": "2012年5月31日"}
    for lang, date in expected.items():
        page = parse_html(portal / lang / "stories/oita-lsi/index.html")
        assert text_of(page.find(".//time")) == date
        figures = text_of(page.find(".//ul[@class='figures']"))
        assert "9" in figures and "7" in figures


SCALE = {"million": 10**6, "만": 10**4, "万": 10**4, "억": 10**8, "億": 10**8, "亿": 10**8}
NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(million|만|万|억|億|亿)?")


def _numbers(text: str) -> set[int | float]:
    """Numbers as values: '1 million', '100만' and '100万' are all 1000000."""
    out: set[int | float] = set()
    for digits, scale in NUMBER.findall(text):
        value = float(digits.replace(",", "")) * SCALE.get(scale, 1)
        out.add(int(value) if value.is_integer() else value)
    return out


def test_translations_never_restate_a_figure_differently():
    """Every number in a translated file is also in its Korean source."""
    source = REPO / "content/ko"
    for lang in LANGS[1:]:
        for path in sorted((REPO / "content" / lang).rglob("*.*")):
            korean = (source / path.relative_to(REPO / "content" / lang)).read_text(encoding="utf-8")
            known = _numbers(korean)
            text = re.sub(r"(?m)^source_version: .*$", "", path.read_text(encoding="utf-8"))
            for number in _numbers(text):
                assert number in known, f"{path.relative_to(REPO)}: {number} is not in the Korean source"


def test_two_builds_are_byte_identical(portal, tmp_path):
    again = build(BuildOptions(source=REPO, out=tmp_path / "again", pdf=False))
    assert again.ok
    assert tree_bytes(tmp_path / "again") == tree_bytes(portal)


def test_english_alone_builds_strictly_with_no_broken_link(tmp_path):
    report = build(BuildOptions(source=REPO, out=tmp_path / "en", languages=("en",), strict=True, pdf=False))
    assert [d.format() for d in report.diagnostics] == []
    assert sorted(p.name for p in (tmp_path / "en").iterdir()) == [
        ".sitegen-output",
        "404.html",
        "_img",
        "assets",
        "en",
        "index.html",
        "pagefind",
        "robots.txt",
        "sitemap.xml",
        "static",
    ]
