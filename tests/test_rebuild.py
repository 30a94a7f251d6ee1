"""An editor saves a file: exactly the pages that depend on it are rewritten, and nothing else."""

from __future__ import annotations

import os
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import parse_html, text_of, tree_bytes
from sitegen.build import BuildOptions, Caches, build
from sitegen.buildstate import read_state, scan_inputs
from sitegen.errors import Diagnostic
from sitegen.links import PageLinks
from sitegen.output import Scratch
from sitegen.rebuild import RebuildReport, Rebuilder, build_incrementally
from sitegen.server import error_page


def touch_later(path: Path, text: str) -> None:
    """Write a file so its stamp surely differs, however fast the test runs."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


@pytest.fixture
def served(make_site):
    root = make_site()
    rebuilder = Rebuilder(root, root / "served", search=False)
    first = rebuilder.rebuild()
    assert first.ok and first.full
    return root, rebuilder


def test_nothing_changed_rewrites_nothing(served):
    _, rebuilder = served
    report = rebuilder.rebuild()
    assert (report.written, report.deleted) == ([], [])
    assert report.summary().startswith("0 pages: nothing changed")


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
    assert report.summary().startswith("5 pages: content/en/stories/oita-lsi.md changed")
    assert text_of(parse_html(root / "served/en/stories/oita-lsi/index.html").find(".//h1")) == "Chungcheong meets Oita"


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
    rebuilder = Rebuilder(root, root / "served", search=False)
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

    from sitegen.server import SearchRefresher

    root = make_site()
    rebuilder = Rebuilder(root, root / "served")  # with the search index
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


# `sitegen build` again into the same folder: it goes on from the state the last build kept.


@pytest.fixture
def built(make_site, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # where the state's signing key lives
    root = make_site()
    options = BuildOptions(source=root, out=root / "public", search=False, pdf=False)
    first = build_incrementally(options)
    assert first.ok and first.incremental is None and first.pages > 0
    return root, options


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_a_build_with_nothing_changed_does_nothing_and_says_so(built):
    root, options = built
    before = inodes(root / "public")
    again = build_incrementally(options)
    assert again.ok and again.unchanged and again.outputs == {}
    assert inodes(root / "public") == before
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8") + "\nMore.\n")
    assert not build_incrementally(options).unchanged


def test_a_second_build_writes_only_what_an_edit_changed_and_equals_a_full_build(built, tmp_path):
    root, options = built
    before = inodes(root / "public")
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Chungcheong meets Oita"))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None
    assert report.incremental.startswith("5 pages: content/en/stories/oita-lsi.md changed")
    after = inodes(root / "public")
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    assert rewritten == [
        "en/clusters/changwon/index.html",
        "en/feed.xml",
        "en/index.html",
        "en/stories/index.html",
        "en/stories/oita-lsi/index.html",
    ]
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1")) == "Chungcheong meets Oita"
    full = build(replace(options, out=tmp_path / "full"))
    assert full.ok and tree_bytes(root / "public") == tree_bytes(tmp_path / "full")


def test_an_item_deleted_since_the_last_build_breaks_the_links_to_it_from_pages_not_rendered_again(built):
    root, options = built
    page = root / "content/ko/pages/program.md"
    touch_later(page, page.read_text(encoding="utf-8") + "\n[오이타 교류](../stories/oita-lsi/)\n")
    assert build_incrementally(options).ok
    program = (root / "public/ko/program/index.html").stat().st_ino
    (root / "content/en/stories/oita-lsi.md").unlink()
    (root / "content/ko/stories/oita-lsi.md").unlink()
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None
    assert (root / "public/ko/program/index.html").stat().st_ino == program  # not rendered again
    assert not (root / "public/ko/stories/oita-lsi").exists()
    broken = [d for d in report.diagnostics if d.path == "ko/program/index.html"]
    assert [d.severity for d in broken] == ["warning"]
    assert "'../stories/oita-lsi/' (no such file)" in broken[0].message


def test_a_failed_build_keeps_the_site_and_the_next_good_one_recovers(built):
    root, options = built
    site = tree_bytes(root / "public")
    story = root / "content/en/stories/oita-lsi.md"
    good = story.read_text(encoding="utf-8")
    touch_later(story, good.replace("title:", "title: [unclosed", 1))
    report = build_incrementally(options)
    assert not report.ok and any(d.path == "content/en/stories/oita-lsi.md" for d in report.diagnostics)
    assert tree_bytes(root / "public") == site
    touch_later(story, good.replace("Chungcheong and the Oita LSI cluster", "Recovered"))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None  # from the state the failed build kept
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1")) == "Recovered"


def test_a_state_not_signed_here_is_never_loaded(built, tmp_path):
    root, options = built
    [state] = (root / ".sitegen-cache/builds").glob("*.state")
    data = bytearray(state.read_bytes())
    data[0] ^= 0xFF  # as if someone else had written it
    state.write_bytes(bytes(data))
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Rebuilt whole"))
    report = build_incrementally(options)
    assert report.ok and report.incremental is None  # a whole build, not one from the state
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1")) == "Rebuilt whole"


def test_the_state_is_read_ahead_only_for_a_build_that_will_load_it(built):
    """The scan that finds a change starts reading the last state, to check its signature while the
    build's libraries load; a build with nothing changed, or with --force, reads none."""
    root, options = built
    assert scan_inputs(options).state is None  # nothing changed
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Read ahead"))
    assert scan_inputs(replace(options, force=True)).state is None
    inputs = scan_inputs(options)
    assert inputs.state is not None and bytes(inputs.state()) == bytes(read_state(root, options.out))
    report = build_incrementally(options, inputs=inputs)
    assert report.ok and report.incremental is not None  # from the state read ahead
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1")) == "Read ahead"


def test_a_state_made_with_a_relative_source_is_not_used_from_elsewhere(make_site, tmp_path, monkeypatch):
    # `sitegen build --source .` in the site's folder, then the same site named by its full path from another.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_site()
    monkeypatch.chdir(root)
    assert build_incrementally(BuildOptions(source=Path("."), out=Path("public"), search=False, pdf=False)).ok
    monkeypatch.chdir(tmp_path)
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Built from afar"))
    report = build_incrementally(BuildOptions(source=root, out=root / "public", search=False, pdf=False))
    assert report.ok, [d.format() for d in report.diagnostics if d.severity == "error"]
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1")) == "Built from afar"


def test_the_state_keeps_one_copy_of_each_path_and_link_and_loads_equal(built):
    root, options = built
    kept = Rebuilder.adopt(options, build(replace(options, out=None)), Caches())
    kept.links = {path: PageLinks(page.ids, tuple((line, "".join(href), "".join(target), fragment) for line, href, target, fragment in page.links))
                  for path, page in build(options).links.items()}  # as each render process sends them: equal strings, not one
    warning = Diagnostic("content/en/stories/oita-lsi.md", 3, None, "title", "expected a title, found none", "warning")
    kept.last = RebuildReport(written=sorted(kept.links), changed=["templates/base.html"], diagnostics=[warning])
    loaded = pickle.loads(pickle.dumps(kept))
    assert loaded.last.ok and loaded.last.written == loaded.last.changed == loaded.last.diagnostics == []  # only whether it was ok is asked
    kept.last.diagnostics.append(warning.as_error())
    assert pickle.loads(pickle.dumps(kept)).last.diagnostics == [warning.as_error()]
    assert loaded.links == kept.links and loaded.graph.deps == kept.graph.deps
    assert loaded.graph.affected({"templates/base.html"}) == kept.graph.affected({"templates/base.html"}) != set()
    stylesheets = [link for page in loaded.links.values() for link in page.links if link[2] == "static/style.css"]
    assert len(stylesheets) > 10 and len({id(link[2]) for link in stylesheets}) == 1
    bases = [keys for keys in loaded.graph.deps.values() if "templates/base.html" in keys]
    assert len({id(key) for keys in bases for key in keys if key == "templates/base.html"}) == 1


def test_a_state_saved_in_the_background_is_waited_for_by_the_next_build(make_site, tmp_path, monkeypatch):
    # As `sitegen build` does: each build returns before its state is written, by a forked process.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_site()
    options = BuildOptions(source=root, out=root / "public", search=False, pdf=False)
    assert build_incrementally(options, background=True).ok
    story = root / "content/en/stories/oita-lsi.md"
    for title in ("First edit", "Second edit"):
        touch_later(story, story.read_text(encoding="utf-8").replace("title: ", f"title: {title} ", 1))
        report = build_incrementally(options, background=True)
        assert report.ok and report.incremental is not None  # it went on from the state being saved
        assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1")).startswith(title)


def test_a_whole_build_keeps_its_markdown_in_the_cache_with_its_state_or_after_its_errors(make_site, tmp_path, monkeypatch):
    """`sitegen build` keeps the Markdown it rendered after it returns, as its state is saved; a
    build that failed keeps it at once: the build after the fix parses none of it again."""
    import sitegen.markdown as markdown
    from conftest import markdown_rows
    from sitegen.build import MARKDOWN_CACHE

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_site()
    options = BuildOptions(source=root, out=root / "public", search=False, pdf=False)
    assert build_incrementally(options, background=True).ok
    assert read_state(root, options.out) is not None  # waits for the state's saver, which wrote the cache first
    bodies = markdown_rows(root / MARKDOWN_CACHE)
    assert bodies >= 3
    for suffix in ("", "-wal", "-shm"):
        Path(f"{root / MARKDOWN_CACHE}{suffix}").unlink(missing_ok=True)
    template = root / "templates/story.html"
    good = template.read_text(encoding="utf-8")
    touch_later(template, good.replace("{% block content %}", '{% block content %}<a href="missing.html">?</a>'))
    assert not build_incrementally(replace(options, strict=True, force=True)).ok  # a broken link, under --strict
    assert markdown_rows(root / MARKDOWN_CACHE) == bodies

    def parse(text, raw_html=False):
        raise AssertionError(f"parsed again: {text[:40]!r}")

    touch_later(template, good)
    monkeypatch.setattr(markdown, "render_markdown", parse)
    report = build_incrementally(replace(options, strict=True, force=True))
    assert report.ok, [d.format() for d in report.diagnostics if d.severity == "error"]


BROCHURE = "title: 안내\nsummary: 요약\nsections:\n  - cluster: changwon\n  - story: oita-lsi\n"  # the mini site has none


@pytest.mark.slow
def test_an_incremental_build_with_search_and_pdfs_equals_a_whole_one(make_site, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_site({"content/ko/brochures/program.yaml": BROCHURE})
    options = BuildOptions(source=root, out=root / "public")
    assert build_incrementally(options).ok
    story = root / "content/ko/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("## 교류의 시작", "## 교류의 시작\n\n반도체 금형 교류회.", 1))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None
    full = build(replace(options, out=tmp_path / "full"))
    assert full.ok
    assert tree_bytes(root / "public") == tree_bytes(tmp_path / "full")  # the search index and PDFs too


@pytest.mark.slow
def test_a_template_change_on_workers_with_search_and_pdfs_equals_a_whole_build(make_site, on_workers, tmp_path, monkeypatch):
    # The workers write every page beside the site and send back only the print views' bytes: the
    # PDFs are made from those, the search index from the pages where the workers wrote them.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_site({"content/ko/brochures/program.yaml": BROCHURE})
    options = BuildOptions(source=root, out=root / "public", jobs=2)
    assert build_incrementally(options).ok
    macros = root / "templates/macros.html"  # the story pages' figures, the clusters' charts, and the print views
    edited = macros.read_text(encoding="utf-8").replace("</ul>\n{% endmacro %}", "<li>Edited figure</li></ul>\n{% endmacro %}", 1)
    touch_later(macros, edited.replace('<figure class="members">', '<figure class="members"><figcaption>Edited chart</figcaption>', 1))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None and "templates/macros.html changed" in report.incremental
    assert "Edited figure" in text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//article"))
    assert "Edited chart" in text_of(parse_html(root / "public/en/brochures/program/print/index.html").find(".//body"))
    full = build(replace(options, out=tmp_path / "full"))
    assert full.ok
    assert tree_bytes(root / "public") == tree_bytes(tmp_path / "full")  # the search index and PDFs too


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_after_an_edit_parses_each_template_once_when_none_changed(make_site, tmp_path, monkeypatch, workers):
    """What each template includes is kept with the state, from the whole build on (rendered on
    workers too): the next build renders an edited story parsing each template it uses once, to
    compile it (compiled code is kept in memory only, never on disk), and not again to find its includes."""
    from collections import Counter

    import jinja2

    import sitegen.render as render

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    root = make_site()
    options = BuildOptions(source=root, out=root / "public", search=False, pdf=False, jobs=workers)
    assert build_incrementally(options).ok
    story = root / "content/en/stories/oita-lsi.md"

    parsed: Counter[str] = Counter()
    _parse = jinja2.Environment._parse

    def parse(self, source, name, filename):
        parsed[name] += 1
        return _parse(self, source, name, filename)

    for edit in ("More.", "And more."):
        with monkeypatch.context() as patched:
            patched.setattr(jinja2.Environment, "_parse", parse)
            parsed.clear()
            touch_later(story, story.read_text(encoding="utf-8") + f"\n{edit}\n")
            report = build_incrementally(replace(options, jobs=1))
            assert report.ok and report.incremental is not None
            assert edit in text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//article"))
            assert parsed["story.html"] == parsed["base.html"] == 1 and set(parsed.values()) == {1}, parsed


def test_a_changed_template_is_parsed_again_with_what_it_now_includes(built):
    """What a changed template now includes is found again: the included template's edits reach the pages."""
    root, options = built
    template = root / "templates/story.html"
    touch_later(root / "templates/note.html", '<p class="note">one</p>')
    touch_later(template, template.read_text(encoding="utf-8").replace("{% block content %}", '{% block content %}{% include "note.html" %}'))
    assert build_incrementally(options).ok
    touch_later(root / "templates/note.html", '<p class="note">two</p>')
    assert build_incrementally(options).ok
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//p[@class='note']")) == "two"


def test_a_template_edit_reads_the_markdown_html_from_the_state_not_the_cache(built, monkeypatch):
    """The state carries the HTML of every body: a build that renders every page again looks
    none of them up in SQLite, each render process for itself."""
    from sitegen.markdown import MarkdownStore

    root, options = built
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Kept in the state"))
    assert build_incrementally(options).ok  # its body is new: the state kept after it has its HTML too

    def stored(self, text):
        raise AssertionError(f"looked up in the cache: {text[:40]!r}")

    with monkeypatch.context() as patched:
        patched.setattr(MarkdownStore, "_stored", stored)
        template = root / "templates/story.html"
        touch_later(template, template.read_text(encoding="utf-8").replace('<article class="story"', '<article class="story edited"'))
        report = build_incrementally(options)
    assert report.ok and report.incremental is not None and "templates/story.html changed" in report.incremental
    article = parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//article")
    assert article.get("class") == "story edited" and text_of(article.find(".//h1")) == "Kept in the state"
    assert article.find(".//div[@class='prose']/p") is not None  # the body, from the state


def test_a_template_edit_between_builds_compiles_anew_and_rewrites_its_pages(built, tmp_path):
    root, options = built
    template = root / "templates/story.html"
    touch_later(template, template.read_text(encoding="utf-8").replace('<article class="story"', '<article class="story edited"'))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None and "templates/story.html changed" in report.incremental
    article = parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//article")
    assert article is not None and article.get("class") == "story edited"
    full = build(replace(options, out=tmp_path / "full"))
    assert full.ok and tree_bytes(root / "public") == tree_bytes(tmp_path / "full")


@pytest.fixture
def on_workers(monkeypatch):
    """Even a tiny site is rendered by two forked workers, three pages at a time."""
    import sitegen.render as render

    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(render, "BLOCK", 3)


def scratch_folders(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if ".scratch-" in p.name]


def test_pages_written_by_workers_beside_the_site_are_moved_in_after_a_template_change(built, on_workers, tmp_path):
    root, options = built
    options = replace(options, jobs=2)
    template = root / "templates/story.html"
    touch_later(template, template.read_text(encoding="utf-8").replace('<article class="story"', '<article class="story edited"'))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None
    assert parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//article").get("class") == "story edited"
    full = build(replace(options, out=tmp_path / "full"))
    assert full.ok and tree_bytes(root / "public") == tree_bytes(tmp_path / "full")
    assert scratch_folders(root) == []


def test_template_changes_on_workers_keep_each_pages_links_and_inputs_as_a_whole_build_finds_them(built, on_workers, tmp_path):
    """The workers send back a page's links and inputs only where they differ from the last build's:
    what the next build checks and re-renders from is still, page for page, a whole build's."""
    root, options = built
    options = replace(options, jobs=2)
    template = root / "templates/story.html"
    original = template.read_text(encoding="utf-8")
    (root / "templates/aside.html").write_text('<aside><a href="{{ link(lang.code ~ \'/clusters/\') }}#main">{{ _("Mini-clusters") }}</a></aside>\n', encoding="utf-8")
    # The story pages gain a link and an include; no other page changes.
    body, end = original.rsplit("{% endblock %}", 1)
    touch_later(template, body + '{% include "aside.html" %}\n{% endblock %}' + end)
    for edit in ("gains", "loses"):
        if edit == "loses":
            touch_later(template, original.replace('<article class="story', '<article class="story again', 1))
        report = build_incrementally(options)
        assert report.ok and report.incremental is not None
        whole = build(replace(options, out=tmp_path / edit))
        assert whole.ok
        kept = report.kept
        assert kept.links == whole.links
        assert {path: keys for path, keys in kept.graph.deps.items() if path in whole.links} == {path: whole.deps[path] for path in whole.links}
        story = "en/stories/oita-lsi/index.html"
        assert ("templates/aside.html" in kept.graph.deps[story]) == (edit == "gains")
        assert any(target == "en/clusters/index.html" and fragment == "main" for _, _, target, fragment in kept.links[story].links) == (edit == "gains")


def change_story_template(root: Path, mark: str) -> None:
    template = root / "templates/story.html"
    touch_later(template, template.read_text(encoding="utf-8").replace('<article class="story', f'<article class="story {mark}', 1))


def test_pages_moved_out_by_a_template_change_are_written_over_by_the_next(built, on_workers):
    """Moving a page in exchanges it with the one it replaces: the free scratch folder keeps the
    previous pages, and the next build writes over those files instead of making new ones."""
    root, options = built
    options = replace(options, jobs=2)
    stories = {rel: ino for rel, ino in inodes(root / "public").items() if "/stories/" in rel and rel.endswith("/index.html") and "/page/" not in rel and rel.count("/") == 3}
    assert len(stories) >= 3
    before = {rel: (root / "public" / rel).read_bytes() for rel in stories}
    change_story_template(root, "one")
    assert build_incrementally(options).ok
    free = root / ".public.scratch"
    kept = {p.read_bytes(): p.stat().st_ino for p in free.iterdir()}
    assert all(kept.get(data) == stories[rel] for rel, data in before.items())  # the previous pages, as they were
    change_story_template(root, "two")
    assert build_incrementally(options).ok
    now = inodes(root / "public")
    assert {now[rel] for rel in stories} == set(stories.values())  # the same files, written over
    assert all(b'class="story two one"' in (root / "public" / rel).read_bytes() for rel in stories)
    assert scratch_folders(root) == []


def test_a_whole_build_leaves_a_file_for_each_page_for_the_first_template_change_to_write_into(make_site, tmp_path, monkeypatch, on_workers):
    """Making thousands of files is a tenth of a template change's time: a whole build on workers makes
    them beside the site, empty, after it has returned, and the next build moves those in."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_site()
    free = root / ".public.scratch"
    free.mkdir()
    (free / "a-page-no-longer-made").write_bytes(b"old")
    options = BuildOptions(source=root, out=root / "public", search=False, pdf=False, jobs=2)
    assert build_incrementally(options).ok
    made = {p.name: p.stat() for p in free.iterdir()}
    stories = [rel for rel in inodes(root / "public") if "/stories/" in rel and rel.endswith("/index.html") and "/page/" not in rel and rel.count("/") == 3]
    names = {rel: Path(Scratch(root / "public").file(rel)).name for rel in stories}
    assert len(stories) >= 3 and "a-page-no-longer-made" not in made
    assert all(made[name].st_size == 0 for name in names.values())
    change_story_template(root, "one")
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None
    now = inodes(root / "public")
    assert all(now[rel] == made[names[rel]].st_ino for rel in stories)  # the files made for them, moved in
    assert all(b'class="story one"' in (root / "public" / rel).read_bytes() for rel in stories)
    assert scratch_folders(root) == []


def test_a_story_added_since_the_last_build_gets_its_folder_from_the_workers(built, on_workers, tmp_path):
    root, options = built
    options = replace(options, jobs=2)
    story = (root / "content/ko/stories/oita-lsi.md").read_text(encoding="utf-8")
    touch_later(root / "content/ko/stories/busan-visit.md", story.replace("오이타", "부산"))
    report = build_incrementally(options)
    assert report.ok and report.incremental is not None
    for lang in ("ko", "en", "ja"):  # a new folder for each language's page (en and ja show the Korean until translated)
        assert "부산" in text_of(parse_html(root / f"public/{lang}/stories/busan-visit/index.html").find(".//h1"))
    full = build(replace(options, out=tmp_path / "full"))
    assert full.ok and tree_bytes(root / "public") == tree_bytes(tmp_path / "full")


def test_a_page_linked_elsewhere_is_never_written_over(built, on_workers, tmp_path):
    """A copy made with hard links (a backup, say) keeps its bytes, whatever later builds do."""
    root, options = built
    options = replace(options, jobs=2)
    page = root / "public/en/stories/oita-lsi/index.html"
    backup = tmp_path / "backup.html"
    os.link(page, backup)
    saved = backup.read_bytes()
    for mark in ("one", "two", "three"):
        change_story_template(root, mark)
        assert build_incrementally(options).ok
    assert backup.read_bytes() == saved
    assert b'class="story three two one"' in page.read_bytes()


def test_an_error_after_workers_rendered_beside_the_site_writes_nothing(built, on_workers):
    root, options = built
    options = replace(options, jobs=2)
    before = tree_bytes(root / "public")
    template = root / "templates/story.html"
    # One story's page fails; the workers write every other story's page beside the site.
    broken = '{% if doc.slug == "oita-lsi" and doc.lang == "ja" %}{{ no_such_value }}{% endif %}<article class="story edited"'
    touch_later(template, template.read_text(encoding="utf-8").replace('<article class="story"', broken))
    report = build_incrementally(options)
    assert [d.message for d in report.diagnostics if d.severity == "error"] == [
        "expected the template to render ja/stories/oita-lsi/, found UndefinedError: 'no_such_value' is undefined"
    ]
    assert report.incremental is not None  # it went on from the last build: the scratch path
    assert tree_bytes(root / "public") == before
    assert scratch_folders(root) == []


def test_a_scratch_folder_left_by_a_killed_build_is_removed_by_the_next_build(built):
    import subprocess

    root, options = built
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs
    stale = root / f".public.scratch-{gone.pid}"
    stale.mkdir()
    (stale / "page").write_bytes(b"x")
    story = root / "content/en/stories/oita-lsi.md"
    touch_later(story, story.read_text(encoding="utf-8") + "\nMore.\n")
    assert build_incrementally(options).incremental is not None
    assert scratch_folders(root) == []
