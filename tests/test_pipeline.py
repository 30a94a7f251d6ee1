"""An editor saves a file in `sitegen serve`: the same pipeline as a whole build, told what changed,
rewrites exactly the pages that depend on it, and nothing else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import parse_html, text_of, tree_bytes
from sitegen.options import BuildOptions
from sitegen.pipeline import Report, State, build
from sitegen.serve import error_page, summary


def touch_later(path: Path, text: str) -> None:
    """Write a file so its stamp surely differs, however fast the test runs."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


@dataclass
class Served:
    """What the dev server does on each save: build again with the state it keeps."""

    root: Path
    search: bool = False
    state: State = field(default_factory=State)

    def rebuild(self, changed: set[str] | None = None) -> Report:
        return build(BuildOptions(source=self.root, out=self.root / "served", pdf=False, search=self.search), state=self.state, changed=changed)


@pytest.fixture
def served(make_site):
    root = make_site()
    rebuilder = Served(root)
    first = rebuilder.rebuild()
    assert first.ok and first.whole
    return root, rebuilder


def test_nothing_changed_rewrites_nothing(served):
    _, rebuilder = served
    report = rebuilder.rebuild()
    assert (report.written, report.deleted) == ([], [])
    assert summary(report).startswith("0 files: ")


def test_a_story_edit_rewrites_its_pages_and_the_lists_that_show_it(served):
    root, rebuilder = served
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Chungcheong meets Oita"))
    report = rebuilder.rebuild()
    assert report.ok and report.changed == ["content/en/stories/oita-lsi.md"]
    assert report.written == [
        "en/clusters/changwon/index.html",  # lists the story
        "en/feed.xml",
        "en/index.html",  # latest stories
        "en/stories/index.html",
        "en/stories/oita-lsi/index.html",
    ]
    assert summary(report).startswith("5 files: content/en/stories/oita-lsi.md changed")
    assert text_of(parse_html(root / "served/en/stories/oita-lsi/index.html").find(".//h1")) == "Chungcheong meets Oita"


def test_a_brochure_edit_renders_its_own_pages_not_every_page_whose_menu_links_to_the_list(make_site):
    """Every page's menu shows 'Brochures' when the language has any: it asks has("brochures"),
    which reads the list's order, so an edit of the brochure renders again only what shows it."""
    root = make_site({"content/ko/brochures/guide.yaml": "title: 사업 안내\nsummary: 요약\nsections:\n  - page: program\n"})
    rebuilder = Served(root)
    assert rebuilder.rebuild().ok
    menu = parse_html(root / "served/ko/clusters/changwon/index.html").find(".//nav[@class='wrap primary']")
    assert "brochures/" in {a.get("href", "").lstrip("./") for a in menu.iter("a")}
    rendered = rebuilder.state.graph.affected({"content/ko/brochures/guide.yaml"})
    assert rendered == {f"{lang}/brochures/guide/{view}" for lang in ("ko", "en", "ja") for view in ("index.html", "print/index.html")} | {
        f"{lang}/brochures/index.html" for lang in ("ko", "en", "ja")
    }


def test_a_source_edit_reaches_every_language_that_inherits_from_it(served):
    root, rebuilder = served
    cluster = root / "content/ko/clusters/changwon.yaml"
    touch_later(cluster, cluster.read_text(encoding="utf-8").replace("companies: 73", "companies: 74"))
    report = rebuilder.rebuild()
    for lang in ("ko", "en", "ja"):
        assert f"{lang}/clusters/changwon/index.html" in report.written
        caption = text_of(parse_html(root / f"served/{lang}/clusters/changwon/index.html").find(".//figure//caption"))
        assert "92" in caption
    assert "en/stories/oita-lsi/index.html" not in report.written  # links the cluster by title only


def test_a_template_edit_rewrites_the_pages_that_use_it(served):
    root, rebuilder = served
    template = root / "templates/story.html"
    touch_later(template, template.read_text(encoding="utf-8").replace('<article class="story"', '<article class="story edited"'))
    report = rebuilder.rebuild()
    assert report.written == ["en/stories/oita-lsi/index.html", "ja/stories/oita-lsi/index.html", "ko/stories/oita-lsi/index.html"]


def test_a_base_template_edit_rewrites_every_page(served):
    root, rebuilder = served
    template = root / "templates/base.html"
    touch_later(template, template.read_text(encoding="utf-8").replace('<footer class="site-footer">', '<footer class="site-footer edited">'))
    report = rebuilder.rebuild()
    assert len([p for p in report.written if p.endswith(".html")]) == 25  # every page but the language chooser


def test_a_catalog_edit_rewrites_that_languages_pages_only(served):
    root, rebuilder = served
    po = root / "locale/ja/LC_MESSAGES/messages.po"
    touch_later(po, po.read_text(encoding="utf-8").replace('msgstr "成功事例"', 'msgstr "成功ストーリー"'))
    report = rebuilder.rebuild()
    assert report.written and all(path.startswith("ja/") for path in report.written)
    assert "成功ストーリー" in text_of(parse_html(root / "served/ja/index.html").find(".//nav[@class='wrap primary']"))


def test_a_new_translation_appears_and_its_alternates_follow(served):
    root, rebuilder = served
    touch_later(root / "content/ja/stories/oita-lsi.md", "---\ntitle: 忠清圏と大分LSIクラスター\nsummary: 輸出契約\n---\n本文。\n")
    report = rebuilder.rebuild()
    assert "ja/stories/oita-lsi/index.html" in report.written
    assert "en/stories/oita-lsi/index.html" in report.written  # its hreflang alternates now include ja
    page = parse_html(root / "served/ja/stories/oita-lsi/index.html")
    assert page.find(".//p[@class='notice']") is None


def test_a_deleted_item_loses_its_pages(served):
    root, rebuilder = served
    (root / "content/en/stories/oita-lsi.md").unlink()
    (root / "content/ko/stories/oita-lsi.md").unlink()
    report = rebuilder.rebuild()
    assert report.ok, [d.format() for d in report.diagnostics]
    assert report.deleted == ["en/stories/oita-lsi/index.html", "ja/stories/oita-lsi/index.html", "ko/stories/oita-lsi/index.html"]
    assert not (root / "served/en/stories/oita-lsi").exists()
    assert "en/clusters/changwon/index.html" in report.written


def test_a_broken_save_shows_the_error_and_the_next_good_save_recovers(served):
    root, rebuilder = served
    story = root / "content/ko/stories/oita-lsi.md"
    good = story.read_text(encoding="utf-8")
    before = (root / "served/ko/stories/oita-lsi/index.html").read_bytes()
    touch_later(story, good.replace("date: 2012-05-31", "date: 2012-13-01"))
    broken = rebuilder.rebuild()
    assert not broken.ok
    page = error_page(broken)
    assert "content/ko/stories/oita-lsi.md:4:7: error: date: expected a date like 2012-05-31, found &#x27;2012-13-01&#x27;" in page
    assert (root / "served/ko/stories/oita-lsi/index.html").read_bytes() == before  # nothing half-written
    touch_later(story, good.replace("교류했습니다.", "교류했습니다. 고쳤습니다."))
    fixed = rebuilder.rebuild()
    assert fixed.ok and "ko/stories/oita-lsi/index.html" in fixed.written
    assert "고쳤습니다" in (root / "served/ko/stories/oita-lsi/index.html").read_text(encoding="utf-8")


def test_a_broken_template_names_the_template_and_recovers(served):
    root, rebuilder = served
    template = root / "templates/page.html"
    good = template.read_text(encoding="utf-8")
    touch_later(template, good.replace("{% block content %}", "{% block content %}{% if %}"))
    broken = rebuilder.rebuild()
    assert any(d.path == "templates/page.html" and d.severity == "error" for d in broken.diagnostics)
    touch_later(template, good)
    assert rebuilder.rebuild().ok


def test_a_date_that_reorders_the_stories_rewrites_the_lists(make_site):
    root = make_site({"content/ko/stories/older.md": "---\ntitle: 이전 이야기\nsummary: 요약\ndate: 2010-01-01\nregion: dongnam\n---\n본문\n"})
    rebuilder = Served(root)
    assert rebuilder.rebuild().ok
    first = [a.text for a in parse_html(root / "served/ko/stories/index.html").findall(".//li[@class='card']//h3/a")]
    assert first == ["충청권–오이타 LSI 클러스터 교류", "이전 이야기"]
    older = root / "content/ko/stories/older.md"
    touch_later(older, older.read_text(encoding="utf-8").replace("2010-01-01", "2013-01-01"))
    report = rebuilder.rebuild()
    assert "en/stories/index.html" in report.written  # the English list shows the Korean story (fallback) first now
    now = [a.text for a in parse_html(root / "served/ko/stories/index.html").findall(".//li[@class='card']//h3/a")]
    assert now == ["이전 이야기", "충청권–오이타 LSI 클러스터 교류"]


def test_the_search_index_follows_the_saves_in_the_background(make_site):
    import json

    from sitegen.serve import SearchRefresher

    root = make_site()
    rebuilder = Served(root, search=True)
    assert rebuilder.rebuild().ok
    entry = root / "served/pagefind/pagefind-entry.json"
    before = json.loads(entry.read_text())["languages"]["en"]["hash"]
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Chungcheong meets Oita"))
    assert rebuilder.rebuild().ok
    refresher = SearchRefresher(root, root / "served")
    refresher.request()
    refresher.thread.join(timeout=120)
    after = json.loads(entry.read_text())
    assert after["languages"]["en"]["hash"] != before
    # the metadata file the new entry names is there: search answers from the new index
    assert (root / "served/pagefind" / f"pagefind.{after['languages']['en']['hash']}.pf_meta").is_file()


def test_a_save_gives_the_site_a_whole_build_gives(served, tmp_path):
    root, rebuilder = served
    story = root / "content/ko/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("교류했습니다.", "교류했습니다. 더했습니다."))
    (root / "content/en/stories/oita-lsi.md").unlink()
    touch_later(root / "content/ko/pages/new-page.md", "---\ntitle: 새 페이지\n---\n[이야기](../../stories/oita-lsi/)\n")
    assert rebuilder.rebuild().ok
    assert build(BuildOptions(source=root, out=tmp_path / "whole", pdf=False, search=False)).ok
    assert tree_bytes(root / "served") == tree_bytes(tmp_path / "whole")


def test_the_files_a_watcher_names_are_all_that_is_read_again(served):
    root, rebuilder = served
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Told by the watcher"))
    other = root / "content/ko/pages/program.md"
    touch_later(other, other.read_text(encoding="utf-8") + "\n더.\n")  # saved, but not named: not seen yet
    report = rebuilder.rebuild(changed={"content/en/stories/oita-lsi.md"})
    assert report.changed == ["content/en/stories/oita-lsi.md"] and "ko/pages/program/index.html" not in report.written
    assert text_of(parse_html(root / "served/en/stories/oita-lsi/index.html").find(".//h1")) == "Told by the watcher"


def warnings_of(report: Report) -> list[str]:
    return [d.format() for d in report.diagnostics if d.severity == "warning"]


def test_a_link_to_an_anchor_is_checked_again_when_its_target_page_changes(make_site):
    about = "---\ntitle: 소개\n---\n## Goal\n지식기반.\n"  # in no menu: no other page reads it
    root = make_site({"content/ko/pages/about.md": about})
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8") + "\nSee [the goal](../../about/#goal).\n")
    rebuilder = Served(root)
    assert rebuilder.rebuild().ok and warnings_of(rebuilder.rebuild()) == []
    # The heading is renamed: only the about pages are rendered again, yet the story's link is found broken.
    touch_later(root / "content/ko/pages/about.md", about.replace("## Goal", "## Aim"))
    renamed = rebuilder.rebuild(changed={"content/ko/pages/about.md"})
    assert sorted(renamed.written) == ["en/about/index.html", "ja/about/index.html", "ko/about/index.html"]
    assert [w.split(": warning: ")[0] for w in warnings_of(renamed)] == ["content/en/stories/oita-lsi.md:8:16"]
    assert "'../../about/#goal'" in warnings_of(renamed)[0]
    # An unrelated save keeps the warning; putting the heading back clears it.
    cluster = root / "content/ko/clusters/changwon.yaml"
    touch_later(cluster, cluster.read_text(encoding="utf-8").replace("companies: 73", "companies: 74"))
    assert len(warnings_of(rebuilder.rebuild(changed={"content/ko/clusters/changwon.yaml"}))) == 1
    touch_later(root / "content/ko/pages/about.md", about)
    assert warnings_of(rebuilder.rebuild(changed={"content/ko/pages/about.md"})) == []


def test_a_link_to_a_deleted_file_is_found_broken_on_pages_not_rendered_again(make_site):
    root = make_site({"assets/leaflet.txt": "A leaflet.\n"})
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8") + "\nSee [the leaflet](../../../assets/leaflet.txt).\n")
    rebuilder = Served(root)
    assert warnings_of(rebuilder.rebuild()) == []
    (root / "assets/leaflet.txt").unlink()
    gone = rebuilder.rebuild(changed={"assets/leaflet.txt"})
    assert gone.written == [] and gone.deleted == ["assets/leaflet.txt"]
    assert len(warnings_of(gone)) == 1 and "'../../../assets/leaflet.txt' (no such file)" in warnings_of(gone)[0]
    touch_later(root / "assets/leaflet.txt", "A leaflet again.\n")
    assert warnings_of(rebuilder.rebuild(changed={"assets/leaflet.txt"})) == []


def photo(width: int, height: int) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


BUNDLE_STORY = """---
title: 충청권–오이타 LSI 클러스터 교류
summary: 수출 계약 100만 달러
date: 2012-05-31
region: chungcheong
clusters: [changwon]
cover:
  image: /assets/cover.jpg
  alt: 상담회 표지
---
## 교류의 시작
일본 오이타현 LSI 클러스터와 교류했습니다.

![상담회 사진](meeting.jpg)
"""


@pytest.fixture
def photos(make_site):
    root = make_site(
        {
            "content/ko/stories/oita-lsi.md": None,
            "content/ko/stories/oita-lsi/index.md": BUNDLE_STORY,
            "content/ko/stories/oita-lsi/meeting.jpg": photo(640, 480),
            "assets/cover.jpg": photo(800, 400),
        }
    )
    rebuilder = Served(root)
    assert rebuilder.rebuild().ok
    return root, rebuilder


def sizes(page: Path, where: str) -> list[tuple[str | None, str | None]]:
    return [(img.get("width"), img.get("height")) for img in parse_html(page).findall(f"{where}//img")]


def test_a_replaced_photo_re_renders_only_the_pages_that_show_it(photos):
    root, rebuilder = photos
    meeting = root / "content/ko/stories/oita-lsi/meeting.jpg"
    meeting.write_bytes(photo(600, 600))
    report = rebuilder.rebuild(changed={"content/ko/stories/oita-lsi/meeting.jpg"})
    assert report.ok and not report.whole
    pages = [path for path in report.written if not path.startswith("_img/")]
    # The Korean story, its Japanese page (which shows the Korean text), and the Korean feed that carries
    # the text; not the English story, which has its own text without the photo, nor any list.
    assert pages == ["ja/stories/oita-lsi/index.html", "ko/feed.xml", "ko/stories/oita-lsi/index.html"]
    assert parse_html(root / "served/en/stories/oita-lsi/index.html").find(".//div[@class='prose']//img") is None
    assert sizes(root / "served/ko/stories/oita-lsi/index.html", ".//div[@class='prose']") == [("600", "600")]
    assert report.deleted and all(path.startswith("_img/") for path in report.deleted)  # the old photo's variants
    assert report.images_processed > 0 and all(path.startswith("_img/") for path in report.written if path not in pages)


def test_a_replaced_cover_under_assets_re_renders_the_pages_and_cards_that_show_it(photos):
    root, rebuilder = photos
    (root / "assets/cover.jpg").write_bytes(photo(900, 300))
    report = rebuilder.rebuild(changed={"assets/cover.jpg"})
    assert report.ok and not report.whole
    pages = {path for path in report.written if not path.startswith(("_img/", "assets/"))}
    assert "assets/cover.jpg" in report.written
    # In every language: the story, and the pages with its card (the home page's latest stories, the
    # story list, its cluster's page) and the feed's entry; the ja feed has no fallback entries.
    shown = ("stories/oita-lsi/index.html", "index.html", "stories/index.html", "clusters/changwon/index.html")
    assert pages == {f"{lang}/{page}" for lang in ("ko", "en", "ja") for page in shown} | {"ko/feed.xml", "en/feed.xml"}
    assert sizes(root / "served/ko/stories/index.html", ".//li[@class='card']") == [("900", "300")]
    og = [m.get("content") for m in parse_html(root / "served/ko/stories/oita-lsi/index.html").iter("meta") if m.get("property") == "og:image"]
    assert og and (root / "served/_img" / og[0].split("/_img/")[1]).is_file()  # the new cover's social card


def test_a_deleted_photo_is_an_error_at_its_markdown_line_until_it_is_back(photos):
    root, rebuilder = photos
    meeting = root / "content/ko/stories/oita-lsi/meeting.jpg"
    before = (root / "served/ko/stories/oita-lsi/index.html").read_bytes()
    meeting.unlink()
    broken = rebuilder.rebuild(changed={"content/ko/stories/oita-lsi/meeting.jpg"})
    assert [d.format().split(": error: ")[0] for d in broken.diagnostics if d.severity == "error"] == ["content/ko/stories/oita-lsi/index.md:14:1"]
    assert "meeting.jpg" in error_page(broken)
    assert (root / "served/ko/stories/oita-lsi/index.html").read_bytes() == before  # nothing half-written
    meeting.write_bytes(photo(320, 200))
    fixed = rebuilder.rebuild(changed={"content/ko/stories/oita-lsi/meeting.jpg"})
    assert fixed.ok and sizes(root / "served/ko/stories/oita-lsi/index.html", ".//div[@class='prose']") == [("320", "200")]


def test_saved_photos_give_the_site_a_whole_build_gives(photos, tmp_path):
    root, rebuilder = photos
    (root / "content/ko/stories/oita-lsi/meeting.jpg").write_bytes(photo(500, 700))
    (root / "assets/cover.jpg").write_bytes(photo(1000, 500))
    assert rebuilder.rebuild(changed={"content/ko/stories/oita-lsi/meeting.jpg", "assets/cover.jpg"}).ok
    assert build(BuildOptions(source=root, out=tmp_path / "whole", pdf=False, search=False)).ok
    assert tree_bytes(root / "served") == tree_bytes(tmp_path / "whole")


def test_a_translations_own_photo_saved_while_serving_replaces_the_source_photo_on_its_page_only(photos):
    root, rebuilder = photos
    own = root / "content/ja/stories/oita-lsi/meeting.jpg"  # a new folder: the watcher names it, a scan finds the file
    own.parent.mkdir(parents=True)
    own.write_bytes(photo(300, 500))
    report = rebuilder.rebuild(changed={"content/ja/stories/oita-lsi"})
    assert report.ok and not report.whole
    assert [path for path in report.written if not path.startswith("_img/")] == ["ja/stories/oita-lsi/index.html"]
    assert sizes(root / "served/ja/stories/oita-lsi/index.html", ".//div[@class='prose']") == [("300", "500")]
    assert sizes(root / "served/ko/stories/oita-lsi/index.html", ".//div[@class='prose']") == [("640", "480")]
