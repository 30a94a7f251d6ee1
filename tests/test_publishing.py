"""What each language publishes, and when: drafts, publish and expiry dates, untranslated items."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import MakeSite, build_into, errors, parse_html, text_of, tree_bytes
from sitegen.cli import main
from sitegen.inputs.publishing import TODAY_ENV, today
from sitegen.options import BuildOptions
from sitegen.pipeline import State, build

TODAY = dt.date(2026, 12, 7)
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/portal/"


def story(title: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\nsummary: 요약\ndate: 2020-01-01\nregion: dongnam\nclusters: [changwon]\n{extra}---\n본문.\n"


def translation(title: str) -> str:
    return f"---\ntitle: {title}\nsummary: A summary\n---\nThe body.\n"


HELD = {
    # A draft, translated into English: held back in every language all the same.
    "content/ko/stories/draft-story.md": story("초안 이야기", "draft: true\n"),
    "content/en/stories/draft-story.md": translation("Draft story"),
    "content/ko/stories/future-story.md": story("예정 이야기", "publish_date: 2027-01-01\n"),
    "content/ko/stories/expired-story.md": story("만료 이야기", "publish_date: 2020-01-01\nexpiry_date: 2026-12-07\n"),
    "content/ko/stories/live-story.md": story("공개 이야기", "publish_date: 2026-12-07\nexpiry_date: 2026-12-08\n"),
    # Korean only: English leaves it out, Japanese shows it from Korean with a notice.
    "content/ko/stories/new-story.md": story("새 이야기"),
}
OMIT_EN = "untranslated:\n  en: omit\n"


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    root = make_site(HELD)
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + OMIT_EN, encoding="utf-8")
    return root


def pages(root: Path, lang: str) -> set[str]:
    """The story pages of a language's site."""
    folder = root / "public" / lang / "stories"
    return {p.parent.name for p in folder.glob("*/index.html") if p.parent.name != "page"}


def listed(root: Path, lang: str) -> list[str]:
    """The stories a language's story list links to, in order."""
    tree = parse_html(root / "public" / lang / "stories/index.html")
    main_element = tree.find(".//main")
    assert main_element is not None
    return [a.get("href", "").strip("/").split("/")[-1] for a in main_element.iter("a") if a.get("href", "").count("/") == 1]


def feed(root: Path, lang: str) -> list[str]:
    tree = ET.parse(root / "public" / lang / "feed.xml")
    return [e.findtext(f"{ATOM}id", "").removeprefix(BASE) for e in tree.getroot().iter(f"{ATOM}entry")]


def sitemap(root: Path) -> set[str]:
    tree = ET.parse(root / "public/sitemap.xml")
    return {loc.text.removeprefix(BASE) for loc in tree.getroot().iter(f"{SITEMAP}loc") if loc.text}


def test_held_items_are_nowhere_in_any_language_and_an_untranslated_one_follows_each_language_policy(site: Path) -> None:
    report = build_into(site, today=TODAY)
    assert errors(report) == []
    assert pages(site, "ko") == {"oita-lsi", "live-story", "new-story"}
    assert pages(site, "en") == {"oita-lsi"}  # live-story and new-story are untranslated: left out of English
    assert pages(site, "ja") == {"oita-lsi", "live-story", "new-story"}  # Japanese falls back to Korean
    assert sorted(listed(site, "ko")) == ["live-story", "new-story", "oita-lsi"]
    assert listed(site, "en") == ["oita-lsi"]
    assert sorted(listed(site, "ja")) == ["live-story", "new-story", "oita-lsi"]
    assert sorted(feed(site, "ko")) == ["ko/stories/live-story/", "ko/stories/new-story/", "ko/stories/oita-lsi/"]
    assert feed(site, "en") == ["en/stories/oita-lsi/"]
    assert feed(site, "ja") == []  # the Japanese feed has Japanese stories only: none here is translated
    stories = {url for url in sitemap(site) if "/stories/" in url and not url.endswith("/stories/")}
    assert stories == {"ko/stories/oita-lsi/", "ko/stories/live-story/", "ko/stories/new-story/", "en/stories/oita-lsi/"}


def test_a_cluster_page_lists_only_the_published_stories_of_its_language(site: Path) -> None:
    build_into(site, today=TODAY)

    def stories_on(lang: str) -> set[str]:
        tree = parse_html(site / "public" / lang / "clusters/changwon/index.html")
        return {a.get("href", "").strip("/").split("/")[-1] for a in tree.iter("a") if "stories/" in a.get("href", "")} - {"stories", ""}

    assert stories_on("ko") == {"oita-lsi", "live-story", "new-story"}
    assert stories_on("en") == {"oita-lsi"}


def test_the_build_notes_say_what_english_left_out(site: Path) -> None:
    report = build_into(site, today=TODAY)
    notes = [d.format() for d in report.diagnostics if "left out of the en site" in d.message]
    assert any(note.startswith("content/en/stories/new-story.md:") for note in notes)
    assert not any("draft-story" in note for note in notes)  # held back everywhere: no translation is wanted yet


def test_strict_english_build_passes_though_a_korean_story_is_untranslated(site: Path) -> None:
    report = build_into(site, today=TODAY, languages=("en",), strict=True)
    assert errors(report) == []
    assert pages(site, "en") == {"oita-lsi"}


def test_the_day_decides_what_is_published(site: Path) -> None:
    build_into(site, today=dt.date(2027, 1, 1))
    assert pages(site, "ko") == {"oita-lsi", "future-story", "new-story"}  # live-story expired on 2026-12-08


def test_drafts_and_future_items_show_with_a_banner_in_the_page_language(site: Path) -> None:
    report = build_into(site, today=TODAY, drafts=True, future=True)
    assert errors(report) == []
    assert {"draft-story", "future-story"} <= pages(site, "ko")
    assert "expired-story" not in pages(site, "ko")
    banner = parse_html(site / "public/ko/stories/draft-story/index.html").find(".//p[@class='notice notice-held']")
    assert text_of(banner).startswith("초안:")
    banner = parse_html(site / "public/en/stories/draft-story/index.html").find(".//p[@class='notice notice-held']")
    assert text_of(banner).startswith("Draft:")
    banner = parse_html(site / "public/ja/stories/future-story/index.html").find(".//p[@class='notice notice-held']")
    assert text_of(banner).startswith("公開予定")
    assert parse_html(site / "public/ko/stories/oita-lsi/index.html").find(".//p[@class='notice notice-held']") is None


def test_a_link_to_a_held_item_is_an_error_at_the_linking_source_line(site: Path) -> None:
    program = site / "content/ko/pages/program.md"
    text = program.read_text(encoding="utf-8") + "\n[곧](../stories/draft-story/)\n"
    program.write_text(text, encoding="utf-8")
    report = build_into(site, today=TODAY)
    found = [e for e in errors(report) if "draft-story" in e]
    line = text.count("\n") - 1 + 1  # the link's line: the last of the file
    assert found == [found[0]] and found[0].startswith(f"content/ko/pages/program.md:{line}:5: error:")
    assert "(on the page ko/program/index.html" in found[0] or "(on the page ja/program/index.html" in found[0]
    assert "held back (draft" in found[0]
    assert not (site / "public").exists()  # nothing published


def test_a_brochure_leaves_out_a_held_story(make_site: MakeSite) -> None:
    brochure = "title: 안내\nsummary: 요약\nsections:\n  - story: draft-story\n  - story: oita-lsi\n"
    root = make_site({**HELD, "content/ko/brochures/guide.yaml": brochure})
    report = build_into(root, today=TODAY, pdf=False)
    assert errors(report) == []
    web = parse_html(root / "public/ko/brochures/guide/index.html")
    hrefs = [a.get("href", "") for a in web.iter("a")]
    assert any("oita-lsi" in h for h in hrefs) and not any("draft-story" in h for h in hrefs)
    printed = text_of(parse_html(root / "public/ko/brochures/guide/print/index.html").find(".//body"))
    assert "초안 이야기" not in printed and "충청권–오이타" in printed


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("draft: later\n", "draft: expected true or false, found 'later'"),
        ("publish_date: 2027-13-01\n", "publish_date: expected a date like 2012-05-31, found '2027-13-01'"),
        ("publish_date: 2027-01-02\nexpiry_date: 2027-01-01\n", "expiry_date: expected an expiry_date after the publish_date 2027-01-02, found 2027-01-01"),
    ],
)
def test_a_bad_publishing_field_is_an_error_at_its_line(make_site: MakeSite, front: str, expected: str) -> None:
    root = make_site({"content/ko/stories/bad.md": story("나쁨", front)})
    report = build_into(root, today=TODAY)
    line = 7 if front.startswith("draft") or front.count("\n") == 1 else 8
    assert any(e.startswith(f"content/ko/stories/bad.md:{line}:") and expected in e for e in errors(report)), errors(report)


def test_a_translation_may_not_change_when_an_item_is_published(make_site: MakeSite) -> None:
    root = make_site({"content/en/stories/oita-lsi.md": "---\ntitle: T\nsummary: S\ndraft: true\n---\nBody.\n"})
    report = build_into(root, today=TODAY)
    assert any(e.startswith("content/en/stories/oita-lsi.md:4:") and "'draft'" in e for e in errors(report))


def test_today_comes_from_the_option_then_the_environment() -> None:
    assert today(dt.date(2020, 1, 2), {TODAY_ENV: "2030-01-01"}) == dt.date(2020, 1, 2)
    assert today(None, {TODAY_ENV: "2030-01-01"}) == dt.date(2030, 1, 1)
    with pytest.raises(ValueError, match="SITEGEN_TODAY: expected a date like"):
        today(None, {TODAY_ENV: "tomorrow"})


def test_a_bad_untranslated_policy_is_an_error_in_site_yaml(make_site: MakeSite) -> None:
    root = make_site()
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "untranslated:\n  en: hide\n", encoding="utf-8")
    report = build_into(root)
    assert any(e.startswith("site.yaml:9:7: error: untranslated.en: expected fallback") for e in errors(report)), errors(report)


def test_i18n_status_lists_what_english_leaves_out(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["i18n", "status", "--source", str(site)])
    out = capsys.readouterr().out
    english = out.split("\nja:")[0]
    assert "left out of the site: untranslated: omit" in english
    assert "left out     content/en/stories/new-story.md" in english
    assert "missing      content/ja/stories/new-story.md" in out


def test_build_takes_drafts_future_and_today_on_the_command_line(site: Path) -> None:
    assert main(["build", "--source", str(site), "--no-pdf", "--no-search", "--drafts", "--today", "2026-12-07", "-q"]) == 0
    assert "draft-story" in pages(site, "ko") and "future-story" not in pages(site, "ko")
    with pytest.raises(SystemExit) as exited:
        main(["build", "--source", str(site), "--today", "next week"])
    assert exited.value.code == 2


def test_search_indexes_published_pages_with_section_and_region_filters_only(site: Path) -> None:
    brochure = "title: 안내\nsummary: 요약\nsections:\n  - story: oita-lsi\n"
    (site / "content/ko/brochures").mkdir(parents=True)
    (site / "content/ko/brochures/guide.yaml").write_text(brochure, encoding="utf-8")
    build_into(site, today=TODAY, drafts=True, pdf=False)

    def article(path: str) -> ET.Element:
        found = parse_html(site / "public" / path / "index.html").find(".//article")
        assert found is not None
        return found

    published = article("ko/stories/oita-lsi")
    assert published.get("data-pagefind-body") == ""
    assert published.get("data-pagefind-filter") == "section:성공사례"
    assert [text_of(e) for e in published.iter() if e.get("data-pagefind-filter") == "region"] == ["충청권"]
    assert article("ko/stories/draft-story").get("data-pagefind-body") is None  # shown in a preview, never indexed
    assert article("ja/stories/new-story").get("data-pagefind-body") is None  # borrowed from Korean
    contents = article("ko/brochures/guide").find(".//ol[@class='brochure-contents']")
    assert contents is not None and contents.get("data-pagefind-ignore") == ""  # the story's title is the story's to be found by


def test_the_dev_server_takes_an_item_down_when_it_becomes_a_draft_as_a_whole_build_would(site: Path) -> None:
    state = State()

    def served() -> None:
        options = BuildOptions(source=site, out=site / "served", pdf=False, search=False, today=TODAY)
        assert build(options, state=state, changed={"content/ko/stories/oita-lsi.md"} if state.published else None).ok

    served()
    assert (site / "served/ko/stories/oita-lsi/index.html").is_file()
    source = site / "content/ko/stories/oita-lsi.md"
    before = source.stat().st_mtime_ns
    source.write_text(source.read_text(encoding="utf-8").replace("date: 2012-05-31\n", "date: 2012-05-31\ndraft: true\n"), encoding="utf-8")
    os.utime(source, ns=(before + 10_000_000, before + 10_000_000))
    served()
    assert not (site / "served/ko/stories/oita-lsi").exists() and not (site / "served/en/stories/oita-lsi").exists()
    assert build_into(site, today=TODAY).ok
    assert tree_bytes(site / "served") == tree_bytes(site / "public")


def indexed(root: Path) -> set[str]:
    """The URL of every record in the built search index (Pagefind's fragments: gzip, a signature, JSON)."""
    urls = set()
    for fragment in (root / "public/pagefind/fragment").glob("*.pf_fragment"):
        body = gzip.decompress(fragment.read_bytes())
        urls.add(json.loads(body[body.index(b"{") :])["url"])
    return urls


@pytest.mark.slow
def test_the_search_index_holds_no_held_or_borrowed_page_even_in_a_preview(site: Path) -> None:
    assert build_into(site, today=TODAY, drafts=True, future=True, pdf=False, search=True).ok
    assert {"draft-story", "future-story"} <= pages(site, "ko")  # the preview shows them
    stories = {url for url in indexed(site) if "/stories/" in url}
    # English leaves the untranslated ones out; Japanese shows every story from Korean: none of its own to index.
    assert stories == {"/ko/stories/oita-lsi/", "/ko/stories/live-story/", "/ko/stories/new-story/", "/en/stories/oita-lsi/"}


def test_a_list_page_english_lacks_switches_to_the_english_list_and_names_no_english_alternate(make_site: MakeSite) -> None:
    # 30 Korean stories make two list pages; English, which leaves the untranslated out, has one.
    root = make_site({f"content/ko/stories/story-{n:02}.md": story(f"이야기 {n}") for n in range(30)})
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + OMIT_EN, encoding="utf-8")
    report = build_into(root, today=TODAY)
    assert [d.format() for d in report.diagnostics if "no such file" in d.message] == []
    second = parse_html(root / "public/ko/stories/page/2/index.html")
    switch = {a.get("hreflang"): a.get("href") for a in second.iterfind(".//nav//a[@hreflang]")}
    assert switch["en"] == "../../../../en/stories/"
    assert switch["ja"] == "../../../../ja/stories/page/2/"
    assert (root / "public/ja/stories/page/2/index.html").is_file() and not (root / "public/en/stories/page/2").exists()
    alternates = {link.get("hreflang") for link in second.iterfind(".//link[@rel='alternate'][@hreflang]")}
    assert alternates == {"ko", "ja", "x-default"}


def test_the_brochure_list_switches_to_the_english_home_when_english_has_no_brochure(make_site: MakeSite) -> None:
    root = make_site({"content/ko/brochures/guide.yaml": "title: 사업 안내\nsummary: 요약\nsections:\n  - page: program\n"})
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + OMIT_EN, encoding="utf-8")
    report = build_into(root, today=TODAY, pdf=False)
    assert [d.format() for d in report.diagnostics if "no such file" in d.message] == []
    assert not (root / "public/en/brochures").exists()
    listing = parse_html(root / "public/ko/brochures/index.html")
    switch = {a.get("hreflang"): a.get("href") for a in listing.iterfind(".//nav//a[@hreflang]")}
    assert switch["en"] == "../../en/" and switch["ja"] == "../../ja/brochures/"
    english_menu = {text_of(a) for a in parse_html(root / "public/en/index.html").iterfind(".//nav[@class='wrap primary']//a")}
    assert "Brochures" not in english_menu and "Success stories" in english_menu
