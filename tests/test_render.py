"""A reader opens the built site: every page in its language, with its translations linked."""

from __future__ import annotations

from pathlib import Path

from conftest import build_into, errors, parse_html, text_of
from sitegen.inputs.model import Site
from sitegen.render.pages import Renderer


def test_each_language_has_its_pages_with_lang_attribute(make_site):
    root = make_site()
    report = build_into(root)
    assert errors(report) == []
    for lang in ("ko", "en", "ja"):
        for page in (
            "index.html",
            "clusters/index.html",
            "clusters/changwon/index.html",
            "stories/index.html",
            "stories/oita-lsi/index.html",
            "program/index.html",
            "404.html",
        ):
            html = parse_html(root / "public" / lang / page)
            assert html.get("lang") == lang, (lang, page)


def test_ui_strings_are_translated_in_each_language(make_site):
    root = make_site()
    build_into(root)
    nav = {lang: text_of(parse_html(root / "public" / lang / "index.html").find(".//nav[@class='wrap primary']")) for lang in ("ko", "en", "ja")}
    assert "Success stories" in nav["en"]
    assert "성공사례" in nav["ko"]
    assert "成功事例" in nav["ja"]


def test_dates_numbers_and_money_are_localized(make_site):
    root = make_site()
    build_into(root)
    expected = {
        "ko": ("2012년 5월 31일", "US$100만"),
        "en": ("May 31, 2012", "$1M"),
        "ja": ("2012年5月31日", "$100万"),
    }
    for lang, (date, money) in expected.items():
        page = parse_html(root / "public" / lang / "stories/oita-lsi/index.html")
        assert text_of(page.find(".//time")) == date
        assert money in text_of(page.find(".//ul[@class='figures']"))


def test_member_counts_use_plural_forms(make_site):
    root = make_site(
        {
            "content/ko/clusters/changwon.yaml": """title: 창원
summary: 요약
region: dongnam
industry: 기계
members: {companies: 1, universities: 9, research_institutes: 0, support_agencies: 1231}
"""
        }
    )
    build_into(root)
    page = parse_html(root / "public/en/clusters/changwon/index.html")
    rows = [text_of(th) for th in page.findall(".//figure[@class='members']//th")]
    assert rows == ["1 company", "9 universities", "0 research institutes", "1,231 support agencies"]
    assert text_of(page.find(".//figure[@class='members']//caption")) == "1,241 members in total"


def test_translation_inherits_the_fields_it_omits(make_site):
    root = make_site()
    build_into(root)
    page = parse_html(root / "public/en/clusters/changwon/index.html")
    assert text_of(page.find(".//h1")) == "Changwon Machinery Parts Mini-Cluster"
    # members live only in the Korean file
    assert text_of(page.find(".//figure[@class='members']//caption")) == "91 members in total"
    assert "Southeast Region" in text_of(page.find(".//dl[@class='facts']"))


def test_alternates_and_switcher_lead_to_the_same_item(make_site):
    root = make_site()
    build_into(root)
    page = parse_html(root / "public/en/stories/oita-lsi/index.html")
    alternates = {link.get("hreflang"): link.get("href") for link in page.findall(".//link[@rel='alternate']")}
    # ja has no translation of this story: its page is a fallback, not an alternate
    assert alternates == {
        "ko": "https://example.org/portal/ko/stories/oita-lsi/",
        "en": "https://example.org/portal/en/stories/oita-lsi/",
        "x-default": "https://example.org/portal/ko/stories/oita-lsi/",
    }
    switcher = {a.get("hreflang"): a.get("href") for a in page.findall(".//nav[@class='languages']//a")}
    assert switcher == {"ko": "../../../ko/stories/oita-lsi/", "en": "./", "ja": "../../../ja/stories/oita-lsi/"}
    assert [text_of(a) for a in page.findall(".//nav[@class='languages']//a")] == ["한국어", "English", "日本語"]


def test_missing_translation_is_rendered_from_the_source_with_a_notice(make_site):
    root = make_site()
    build_into(root)
    page = parse_html(root / "public/ja/stories/oita-lsi/index.html")
    notice = page.find(".//p[@class='notice']")
    assert notice is not None
    assert "日本語" in text_of(notice) and "한국어" in text_of(notice)
    article = page.find(".//article")
    assert article.get("lang") is None  # the frame (date, region, figures) is in the reader's language
    assert article.find("h1").get("lang") == "ko" and article.find(".//div[@class='prose']").get("lang") == "ko"
    assert text_of(article.find("h1")) == "충청권–오이타 LSI 클러스터 교류"
    assert text_of(page.find(".//time")) == "2012年5月31日"  # the frame stays in the reader's language
    translated = parse_html(root / "public/en/stories/oita-lsi/index.html")
    assert translated.find(".//p[@class='notice']") is None


def test_story_links_its_clusters_and_cluster_lists_its_stories(make_site):
    root = make_site()
    build_into(root)
    story = parse_html(root / "public/en/stories/oita-lsi/index.html")
    links = [a.get("href") for a in story.findall(".//section[@aria-labelledby='story-clusters']//a")]
    assert links == ["../../clusters/changwon/"]
    cluster = parse_html(root / "public/en/clusters/changwon/index.html")
    listed = [a.get("href") for a in cluster.findall(".//section[@aria-labelledby='cluster-stories']//h3/a")]
    assert listed == ["../../stories/oita-lsi/"]


def test_language_chooser_at_the_root_links_every_language(make_site):
    root = make_site()
    build_into(root)
    page = parse_html(root / "public/index.html")
    links = [(a.get("href"), a.get("hreflang")) for a in page.findall(".//ul[@class='choices']//a")]
    assert links == [("ko/", "ko"), ("en/", "en"), ("ja/", "ja")]


def test_markdown_body_is_rendered_and_raw_html_escaped(make_site):
    root = make_site({"content/ko/pages/program.md": "---\ntitle: 사업\n---\n## 목표\n\n<script>alert(1)</script> [x](javascript:alert(1))\n"})
    build_into(root)
    page = parse_html(root / "public/ko/program/index.html")
    prose = page.find(".//div[@class='prose']")
    assert prose.find("h2").get("id") == "목표"
    assert page.find(".//div[@class='prose']//script") is None
    assert "<script>alert(1)</script>" in text_of(prose)
    assert prose.find(".//a").get("href") is None


def test_template_error_names_the_template_and_line(make_site):
    root = make_site({"templates/page.html": '{% extends "base.html" %}\n{% block content %}\n{{ item.nope.deeper }}\n{% endblock %}\n'})
    report = build_into(root)
    assert any(e.startswith("templates/page.html:3: error:") and "nope" in e for e in errors(report)), errors(report)


def test_template_syntax_error_names_the_template_and_line(make_site):
    root = make_site({"templates/page.html": '{% extends "base.html" %}\n{% block content %}\n{% if %}\n{% endblock %}\n'})
    report = build_into(root)
    assert any(e.startswith("templates/page.html:3: error:") for e in errors(report)), errors(report)


def test_a_broken_base_template_is_named_and_parsed_once_per_template_not_once_per_page(make_site, monkeypatch):
    """Every page extends base.html: its error names base.html, and is found by the first page of each
    language and template, then given to the others instead of each parsing it again (a minute at
    10,000 pages)."""
    import jinja2

    from sitegen.render.pages import plan_pages

    stories = {
        f"content/ko/stories/story-{n}.md": f"---\ntitle: 이야기 {n}\nsummary: 요약\ndate: 2020-01-0{n}\nregion: chungcheong\n---\n본문.\n" for n in range(1, 6)
    }
    root = make_site({"templates/base.html": "<html>{% if %}</html>\n", **stories})
    parsed: list[str | None] = []
    parse = jinja2.Environment._parse
    monkeypatch.setattr(jinja2.Environment, "_parse", lambda self, source, name, filename: parsed.append(name) or parse(self, source, name, filename))
    report = build_into(root)
    assert errors(report) == ["templates/base.html:1: error: expected a valid template, found Expected an expression, got 'end of statement block'"]
    plan = plan_pages(report.site)
    firsts = {(spec.lang, spec.template) for spec in plan}  # each language and template's first page
    assert 0 < parsed.count("base.html") <= len(firsts) < len(plan)


def renderer_of(root: Path) -> tuple[Site, Renderer]:
    """The site at `root`, read and checked, and a Renderer for it: what a build hands the render stage."""
    from sitegen.inputs.i18n import load_catalogs
    from sitegen.options import BuildOptions
    from sitegen.pipeline import build

    site = build(BuildOptions(source=root, out=None, pdf=False, search=False)).site
    assert site is not None
    return site, Renderer(site, load_catalogs(site.config, site.languages)[0])


def test_the_collector_rests_while_pages_render_and_still_frees_their_cycles(monkeypatch):
    """The collector is off while a batch renders, but for a look at the youngest objects every
    COLLECT_EVERY pages and at the end: the cycles of pages whose macros are bound to their
    context (the portal's lists) are freed, and the collector is on again after. A batch smaller
    than that (a save in the dev server) renders with the collector on."""
    import gc

    import sitegen.render.pages as render
    from conftest import REPO

    site, renderer = renderer_of(REPO)
    pages = render.plan_pages(site)
    seen: list[bool] = []
    for env in renderer.envs.values():
        env.filters["date"] = lambda value, date=env.filters["date"]: seen.append(gc.isenabled()) or date(value)
    monkeypatch.setattr(render, "COLLECT_EVERY", 16)
    renderer.render(pages)
    assert len(pages) > 16 and seen and not any(seen) and gc.isenabled()
    seen.clear()
    renderer.render(pages[:15])
    assert seen and all(seen)

    def cycles_left() -> int:
        gc.collect()
        gc.disable()
        try:
            rendered = renderer.render(pages)
            assert rendered.outputs
            del rendered
            return gc.collect()  # what the pages left unreachable, and render did not free
        finally:
            gc.enable()

    assert cycles_left() > 0  # some pages make cycles: what follows shows something
    monkeypatch.setattr(render, "COLLECT_EVERY", 1)
    gc.collect()
    rendered = renderer.render(pages)
    del rendered
    assert gc.collect() == 0


def test_the_portals_pages_are_the_same_rendered_alone_as_among_all_the_others():
    """Nothing one page renders leaks into the next (the renderer keeps translations, formats and
    Markdown between pages): each page of the portal, rendered alone, has the same bytes and
    dependencies as in the batch of all of them."""
    from conftest import REPO
    from sitegen.render.pages import plan_pages

    site, renderer = renderer_of(REPO)
    pages = plan_pages(site)
    together = renderer.render(pages)
    for spec in pages:
        alone = renderer.render([spec])  # a batch of one: its own masthead
        assert alone.outputs.items() <= together.outputs.items(), spec.path
        assert alone.deps.items() <= together.deps.items(), spec.path


def test_pages_rendered_on_several_processes_are_the_same_bytes(make_site, tmp_path, monkeypatch):
    """--jobs renders on forked processes; the site is byte for byte the one a single process makes."""
    import sitegen.render.pages as render
    import sitegen.text.markdown as markdown
    from conftest import tree_bytes
    from sitegen.options import BuildOptions
    from sitegen.pipeline import build

    root = make_site()
    assert build(BuildOptions(source=root, out=tmp_path / "one", pdf=False, search=False, jobs=1, cache=False)).ok
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(render, "BLOCK", 3)
    assert build(BuildOptions(source=root, out=tmp_path / "two", pdf=False, search=False, jobs=2)).ok
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")

    # and every body the workers rendered is in the cache: the next build parses no Markdown
    def parse(text, raw_html=False):
        raise AssertionError(f"parsed again: {text[:40]!r}")

    monkeypatch.setattr(markdown, "render_markdown", parse)
    assert build(BuildOptions(source=root, out=tmp_path / "three", pdf=False, search=False, jobs=1)).ok
    assert tree_bytes(tmp_path / "three") == tree_bytes(tmp_path / "one")


def test_a_storys_figures_are_bold_in_every_language_as_the_template_marks_them(make_site):
    """The figures' msgids carry the template's <strong>: each translation places it where its
    language wants the number, and a reader sees it bold; a tag the translator added is shown as text."""
    import html5lib

    from sitegen.render.pages import plan_pages

    root = make_site()
    po = root / "locale/ja/LC_MESSAGES/messages.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "輸出契約額<strong>%(amount)s</strong>"', 'msgstr "<i>輸出契約額</i><strong>%(amount)s</strong>"'),
        encoding="utf-8",
    )
    site, renderer = renderer_of(root)  # the render stage alone: the build stops at the <i>
    outputs = renderer.render(plan_pages(site)).outputs
    figures = {}
    for lang in ("ko", "en", "ja"):
        page = html5lib.parse(outputs[f"{lang}/stories/oita-lsi/index.html"], namespaceHTMLElements=False)
        items = page.findall(".//ul[@class='figures']/li")
        figures[lang] = [(text_of(li), [text_of(strong) for strong in li.findall("strong")], [e.tag for e in li.iter()][1:]) for li in items]
    assert figures["en"] == [
        ("9 Korean firms took part", ["9"], ["strong"]),
        ("7 partner firms abroad", ["7"], ["strong"]),
        ("$1M in export contracts", ["$1M"], ["strong"]),
    ]
    assert figures["ko"][0] == ("국내 기업 9개사 참여", ["9"], ["strong"])
    assert figures["ja"][0] == ("韓国企業9社が参加", ["9"], ["strong"])
    assert figures["ja"][2] == ("<i>輸出契約額</i>$100万", ["$100万"], ["strong"])


def test_a_translated_page_counter_reaches_the_print_css_as_the_translator_wrote_it(make_site):
    """The print view's page counter is CSS text: a translation's quotes and ampersand arrive as
    characters, not as the HTML escapes that keep them text on a web page."""
    import re

    root = make_site({"content/ko/brochures/guide.yaml": "title: 안내\nsummary: 요약\nsections:\n  - page: program\n"})
    po = root / "locale/ja/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "%(page)s / %(pages)s ページ"', '''msgstr "'%(page)s' & \\"%(pages)s\\""'''), encoding="utf-8")
    assert errors(build_into(root, pdf=False)) == []
    style = text_of(parse_html(root / "public/ja/brochures/guide/print/index.html").find(".//style"))
    assert re.search(r"@bottom-center \{ content: (.*?); \}", style).group(1) == '''"'" counter(page) "' & \\"" counter(pages) "\\""'''
