"""Bad input: one clear diagnostic each, all of them at once, and the previous site untouched."""

from __future__ import annotations

import pytest

from conftest import build_into, errors, markdown_rows, parse_html, text_of, tree_bytes
from sitegen.options import BuildOptions
from sitegen.pipeline import build

CLUSTER = "content/ko/clusters/changwon.yaml"
STORY = "content/ko/stories/oita-lsi.md"
STORY_TEXT = """---
title: 충청권–오이타 LSI 클러스터 교류
summary: 수출 계약
date: {date}
region: {region}
clusters: [{cluster}]
---
본문
"""


def story(date: str = "2012-05-31", region: str = "chungcheong", cluster: str = "changwon") -> str:
    return STORY_TEXT.format(date=date, region=region, cluster=cluster)


BAD_INPUTS = {
    "malformed YAML": (
        {CLUSTER: "title: 창원\nsummary: [unclosed\nregion: dongnam\n"},
        "content/ko/clusters/changwon.yaml:2:10: error: expected a closing ']' for the '[' that opens here, found none",
    ),
    "missing required field": (
        {STORY: story().replace("summary: 수출 계약\n", "")},
        "content/ko/stories/oita-lsi.md:2:1: error: summary: expected a one-sentence summary, found nothing (the field is required)",
    ),
    "wrong type": (
        {
            CLUSTER: "title: 창원\nsummary: 요약\nregion: dongnam\nindustry: 기계\nmembers:\n  companies: many\n  universities: 9\n  research_institutes: 3\n  support_agencies: 6\n"
        },
        "content/ko/clusters/changwon.yaml:6:14: error: members.companies: expected a whole number of 0 or more, found 'many'",
    ),
    "impossible date": (
        {STORY: story(date="2012-13-01")},
        "content/ko/stories/oita-lsi.md:4:7: error: date: expected a date like 2012-05-31, found '2012-13-01'",
    ),
    "unknown region": (
        {STORY: story(region="mars")},
        "content/ko/stories/oita-lsi.md:5:9: error: region: expected one of chungcheong, dongnam, found 'mars'",
    ),
    "slug with capitals and spaces": (
        {"content/ko/stories/Oita LSI.md": story()},
        "content/ko/stories/Oita LSI.md: error: slug: expected a file name of lowercase letters, digits and hyphens, found 'Oita LSI'; rename it to oita-lsi.md",
    ),
    "slug with dots": (
        {"content/ko/stories/oita..lsi.md": story()},
        "content/ko/stories/oita..lsi.md: error: slug: expected a file name of lowercase letters, digits and hyphens, found 'oita..lsi'; rename it to oita-lsi.md",
    ),
    "two items with one page path": (
        {"content/ko/pages/clusters.md": "---\ntitle: 중복\n---\n"},
        "content/ko/pages/clusters.md: error: slug: expected a page address of its own, found it taken by the clusters list; rename the file",
    ),
    "translation with no source": (
        {"content/en/stories/ghost.md": "---\ntitle: Ghost\nsummary: none\n---\n"},
        "content/en/stories/ghost.md:1:1: error: expected a ko source at content/ko/stories/ghost.md, found none",
    ),
    "translation that changes a figure": (
        {"content/en/clusters/changwon.yaml": "title: Changwon\nmembers:\n  companies: 80\n"},
        "content/en/clusters/changwon.yaml:3:14: error: members.companies: expected 73 as in content/ko/clusters/changwon.yaml, found 80",
    ),
    "unknown language folder": (
        {"content/fr/pages/program.md": "---\ntitle: Programme\n---\n"},
        "content/fr: error: expected a language folder (ko, en, ja), found 'fr'",
    ),
    "file that is not UTF-8": (
        {"content/en/pages/program.md": "---\ntitle: Programme\n---\nD\xe9j\xe0 vu\n".encode("latin-1")},
        "content/en/pages/program.md:4:2: error: expected UTF-8 text, found byte 0xe9; save the file as UTF-8",
    ),
    "story naming a missing cluster": (
        {STORY: story(cluster="atlantis")},
        "content/ko/stories/oita-lsi.md:6:12: error: clusters: expected a cluster slug (changwon), found 'atlantis'",
    ),
    "slug reference trying to escape": (
        {STORY: story(cluster="../../etc")},
        "content/ko/stories/oita-lsi.md:6:12: error: clusters.0: expected a slug of lowercase letters, digits and hyphens, found '../../etc'",
    ),
    "template that fails": (
        {"templates/story.html": '{% extends "base.html" %}\n{% block content %}\n{{ item.title|nosuchfilter }}\n{% endblock %}\n'},
        "templates/story.html:3: error: expected a valid template, found No filter named 'nosuchfilter'.",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_gets_one_clear_diagnostic_and_public_is_untouched(make_site, case):
    root = make_site()
    assert errors(build_into(root)) == []
    before = tree_bytes(root / "public")
    files, expected = BAD_INPUTS[case]
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    report = build_into(root)
    found = errors(report)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]
    assert tree_bytes(root / "public") == before


def test_all_errors_of_a_build_are_reported_together(make_site):
    root = make_site(
        {
            STORY: story(date="2012-02-30", region="mars", cluster="atlantis"),
            "content/en/clusters/changwon.yaml": "title: Changwon\nregion: capital\n",
        }
    )
    report = build_into(root)
    found = errors(report)
    assert [e.split(": error: ")[0] for e in found] == [
        "content/en/clusters/changwon.yaml:2:9",
        "content/ko/stories/oita-lsi.md:4:7",
        "content/ko/stories/oita-lsi.md:5:9",
        "content/ko/stories/oita-lsi.md:6:12",  # its cluster too, though the story fails its own check
    ], found
    assert not (root / "public").exists()


def test_two_builds_of_the_same_tree_are_byte_identical(make_site, tmp_path):
    root = make_site()
    first = build(BuildOptions(source=root, out=tmp_path / "one"))
    second = build(BuildOptions(source=root, out=tmp_path / "two"))
    assert first.ok and second.ok
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_english_alone_is_complete_with_no_broken_link(make_site):
    root = make_site()
    report = build_into(root, languages=("en",), strict=True)
    assert errors(report) == [] or all("messages.po" in e for e in errors(report)), errors(report)
    built = sorted(p.relative_to(root / "public").as_posix() for p in (root / "public").rglob("*.html"))
    assert "en/stories/oita-lsi/index.html" in built
    assert not any(p.startswith(("ko/", "ja/")) for p in built)
    assert not [d for d in report.diagnostics if "link" in d.message]


def test_english_alone_has_its_home_at_the_root_not_a_chooser_of_one(make_site):
    root = make_site({"content/en/_index.md": "---\ntitle: Industrial clusters\nsummary: Firms and universities together\n---\nWelcome.\n"})
    report = build_into(root, languages=("en",))
    assert errors(report) == []  # every link of the root's copy resolves from the root
    page = parse_html(root / "public/index.html")
    assert page.get("lang") == "en"
    assert page.find(".//ul[@class='choices']") is None
    assert text_of(page.find(".//section[@class='hero']/h1")) == text_of(parse_html(root / "public/en/index.html").find(".//section[@class='hero']/h1"))
    head = {(link.get("rel"), link.get("hreflang")): link.get("href") for link in page.iter("link")}
    assert head[("canonical", None)] == "https://example.org/portal/en/"  # one page to search engines, at /en/
    assert head[("alternate", "en")] == "https://example.org/portal/en/"
    story = next(a.get("href") for a in page.iter("a") if "oita-lsi" in (a.get("href") or ""))
    assert story == "en/stories/oita-lsi/"
    sitemap = (root / "public/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/portal/</loc>" not in sitemap and "<loc>https://example.org/portal/en/</loc>" in sitemap


def test_check_runs_every_stage_but_writes_nothing(make_site):
    root = make_site({STORY: story(date="2012-13-01")})
    report = build(BuildOptions(source=root, out=None))
    assert len(errors(report)) == 1
    assert not (root / "public").exists()


def render_on_workers(monkeypatch) -> None:
    """Even a tiny site is rendered by two worker processes, three pages at a time."""
    import sitegen.render.pages as render

    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(render, "BLOCK", 3)


def test_pages_rendered_on_workers_are_byte_identical_to_one_process(make_site, tmp_path, monkeypatch):
    root = make_site()
    one = build(BuildOptions(source=root, out=tmp_path / "one", pdf=False, jobs=1))
    render_on_workers(monkeypatch)
    two = build(BuildOptions(source=root, out=tmp_path / "two", pdf=False, jobs=2))
    assert one.ok and two.ok and one.pages == two.pages > 20
    assert tree_bytes(tmp_path / "two") == tree_bytes(tmp_path / "one")  # the search index too


def test_the_markdown_workers_rendered_is_in_the_cache_when_the_build_returns(make_site, tmp_path, monkeypatch, cache_folder):
    """Workers hand the Markdown they rendered back to the main process, which keeps it in the user's
    cache: the next build parses none of it again."""
    import sitegen.text.markdown as markdown
    from sitegen.inputs.config import load_config
    from sitegen.inputs.content import read_content

    root = make_site()
    config, _ = load_config(root)
    assert config is not None
    bodies = {item.body for item in read_content(config)[0].items if item.body and item.body.strip()}
    render_on_workers(monkeypatch)
    first = build(BuildOptions(source=root, out=tmp_path / "first", pdf=False, search=False, jobs=2))
    assert first.ok
    assert markdown_rows(cache_folder / "markdown.sqlite") >= len(bodies) >= 3

    def parse(text, raw_html=False):
        raise AssertionError(f"parsed again: {text[:40]!r}")

    monkeypatch.setattr(markdown, "render_markdown", parse)
    second = build(BuildOptions(source=root, out=tmp_path / "second", pdf=False, search=False, jobs=2))
    assert second.ok and tree_bytes(tmp_path / "second") == tree_bytes(tmp_path / "first")
