"""Search in four languages, offline: each language's index finds its own pages, in its own script."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.parse

import pytest

from conftest import REPO
from sitegen.inputs.config import load_config
from sitegen.options import BuildOptions
from sitegen.pipeline import build

pytestmark = pytest.mark.slow

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
CHANGWON = {"stories/changwon-mould-network/", "clusters/changwon-machinery/"}
# query -> (language, the pages that must come first, in any order)
QUERIES = {
    "금형": ("ko", CHANGWON),
    "창원": ("ko", CHANGWON),
    "金型": ("ja", CHANGWON),
    "大分": ("ja", {"stories/oita-lsi/"}),
    "模具": ("zh", CHANGWON),
    "电池": ("zh", {"clusters/gangwon-battery/", "stories/gangwon-battery-materials/"}),
    "mould": ("en", CHANGWON),
    "battery": ("en", {"clusters/gangwon-battery/", "stories/gangwon-battery-materials/"}),
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("search") / "public"
    report = build(BuildOptions(source=REPO, out=out, pdf=False, base_url="http://127.0.0.1/portal/"))
    assert report.ok
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_one_index_per_language_without_borrowed_pages(site):
    out, _ = site
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text())
    counts = {lang: data["page_count"] for lang, data in entry["languages"].items()}
    assert set(counts) == {"ko", "en", "ja", "zh-hans"}
    # The Chinese site shows one story borrowed from Korean: it is not indexed again.
    assert counts["zh-hans"] == counts["ko"] - 1 == counts["en"] - 1


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        yield browser.new_page()
        browser.close()


def results(page, base: str, lang: str, query: str) -> list[tuple[str, str, str]]:
    page.goto(f"{base}{lang}/search/?q={urllib.parse.quote(query)}")
    page.wait_for_selector("#search-results ol.results, #search-results h2 + *, #search-results p", timeout=15000)
    page.wait_for_function("!document.querySelector('#search-results').textContent.endsWith('…')", timeout=15000)
    return page.eval_on_selector_all(
        "#search-results ol.results li",
        "items => items.map(li => [li.querySelector('a').getAttribute('href'), li.querySelector('.meta').textContent, li.innerHTML])",
    )


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_in_the_languages_script_finds_the_expected_pages_first(site, page, query):
    _, base = site
    lang, expected = QUERIES[query]
    found = results(page, base, lang, query)
    hrefs = [href for href, _, _ in found]
    assert all(href.startswith(f"/{lang}/") for href in hrefs), hrefs  # never a page of another language
    first = {href.removeprefix(f"/{lang}/") for href in hrefs[: len(expected)]}
    assert first == expected, hrefs
    # A brochure repeats its stories and profiles: it may be found, never above them.
    assert all(rank >= len(expected) for rank, href in enumerate(hrefs) if "/brochures/" in href), hrefs
    assert "<mark>" in found[0][2]  # a highlighted excerpt
    assert found[0][1]  # the section, in the reader's language


def test_sections_are_named_in_the_readers_language(site, page):
    _, base = site
    sections = {section for _, section, _ in results(page, base, "ja", "金型")}
    assert sections == {"成功事例", "ミニクラスター"}


def test_every_page_has_a_search_box_that_leads_to_results(site, page):
    _, base = site
    page.goto(base + "zh/program/")
    page.fill("#site-search", "模具")
    page.press("#site-search", "Enter")
    page.wait_for_url(f"{base}zh/search/?q=*")
    page.wait_for_selector("#search-results ol.results")
    assert page.eval_on_selector("#search-results ol.results a", "a => a.getAttribute('href')").startswith("/zh/")


def test_the_index_is_made_unless_the_build_says_no_search(tmp_path):
    for search in (False, True):
        assert build(BuildOptions(source=REPO, out=tmp_path / f"out-{search}", pdf=False, search=search)).ok
    assert (tmp_path / "out-True/pagefind/pagefind-entry.json").is_file()
    assert not (tmp_path / "out-False/pagefind").exists()


def test_the_index_reads_only_marked_pages_and_leaves_no_scratch_behind(tmp_path, monkeypatch):
    import tempfile

    from sitegen.outputs.search import index_site

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    site = tmp_path / "site"
    (site / "en/a").mkdir(parents=True)
    (site / "en/a/index.html").write_text('<html lang="en"><body data-pagefind-body><h1>Findable gearbox</h1></body></html>')
    (site / "en/index.html").write_text('<html lang="en"><body><h1>Not marked</h1></body></html>')
    files = index_site(site)
    assert "pagefind/pagefind-entry.json" in files and any(path.startswith("pagefind/index/") for path in files)
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    assert entry["languages"]["en"]["page_count"] == 1
    assert list((tmp_path / "tmp").iterdir()) == []


FILTERS = """async ([query, filters]) => {
  const pagefind = await import(new URL("../../pagefind/pagefind.js", location.href).href);
  await pagefind.options({ baseUrl: "/" });
  const found = query === null ? null : await pagefind.search(query, { filters });
  const urls = found === null ? [] : await Promise.all(found.results.map(async (r) => (await r.data()).url));
  return { filters: await pagefind.filters(), urls };
}"""


def test_results_can_be_filtered_by_section_and_region_in_the_readers_language(site, page):
    _, base = site
    page.goto(base + "ja/search/")
    every = page.evaluate(FILTERS, [None, {}])["filters"]
    assert set(every) == {"section", "region"}
    assert {"成功事例", "ミニクラスター", "パンフレット"} <= set(every["section"])
    assert "東南圏" in every["region"]
    stories = page.evaluate(FILTERS, ["金型", {"section": "成功事例"}])["urls"]
    assert stories == ["/ja/stories/changwon-mould-network/"]
    southeast = page.evaluate(FILTERS, ["金型", {"region": "東南圏"}])["urls"]
    assert set(southeast) == {"/ja/stories/changwon-mould-network/", "/ja/clusters/changwon-machinery/"}


# The readers' filter controls on the search page. For each language: a word found in several
# sections and regions, and what the page must call the two groups.
FILTERED = {
    "ko": ("기업", "분류", "권역"),
    "en": ("firms", "Section", "Region"),
    "ja": ("企業", "分類", "地域"),
    "zh": ("企业", "类别", "区域"),
}


def marks(out, lang: str) -> dict[str, tuple[str, str]]:
    """Each indexed page of `lang`, by its URL: its section and its region ('' for none), as the page
    itself tells Pagefind."""
    from conftest import parse_html, text_of

    found = {}
    for path in sorted((out / lang).rglob("index.html")):
        root = parse_html(path)
        body = root.find(".//*[@data-pagefind-body]")
        if body is None:
            continue
        section = body.get("data-pagefind-filter", "").removeprefix("section:")
        region = root.find(".//*[@data-pagefind-filter='region']")
        found["/" + path.parent.relative_to(out).as_posix() + "/"] = (section, text_of(region) if region is not None else "")
    return found


def shown(page) -> list[str]:
    return page.eval_on_selector_all("#search-results ol.results li a", "links => links.map(a => a.getAttribute('href'))")


def choose(page, name: str, value: str) -> list[str]:
    """Click a filter as a reader does, and the results the page shows after it."""
    old = page.query_selector("#search-results ol.results")
    page.check(f"#search-filters input[name={name}][value='{value}']")
    page.wait_for_function("old => !old.isConnected", arg=old, timeout=15000)
    page.wait_for_selector("#search-results ol.results, #search-results p")
    return shown(page)


@pytest.mark.parametrize("lang", FILTERED)
def test_readers_filter_results_by_section_and_region_in_their_language(site, page, lang):
    out, base = site
    query, section_legend, region_legend = FILTERED[lang]
    pages = marks(out, lang)
    config, _ = load_config(REPO)
    assert config is not None
    stories_label = pages[f"/{lang}/stories/changwon-mould-network/"][0]
    chungcheong = config.region_name("chungcheong", lang)

    everything = results(page, base, lang, query)
    every = {href for href, _, _ in everything}
    assert {pages[href][0] for href in every} >= {stories_label, pages[f"/{lang}/clusters/changwon-machinery/"][0]}

    legends = page.eval_on_selector_all("#search-filters legend", "ls => ls.map(l => l.textContent.trim())")
    assert legends == [section_legend, region_legend]
    regions = page.eval_on_selector_all("#search-filters input[name=region]", "rs => rs.map(r => r.parentElement.textContent.trim())")
    assert [text.rsplit(" (", 1)[0] for text in regions[1:]] == [config.region_name(key, lang) for key in config.regions]

    stories = choose(page, "section", "stories")
    assert stories and set(stories) == {href for href in every if pages[href][0] == stories_label}
    assert all(href.startswith(f"/{lang}/stories/") for href in stories)
    assert page.eval_on_selector_all("#search-results .meta", "ms => ms.map(m => m.textContent)") == [stories_label] * len(stories)
    assert "section=stories" in page.url

    choose(page, "section", "")
    in_region = choose(page, "region", "chungcheong")
    assert in_region and set(in_region) == {href for href in every if pages[href][1] == chungcheong} != every
    count = page.text_content("#search-filters input[name=region][value=chungcheong] + *") or ""
    assert count == f"({len(in_region)})"  # what choosing it shows

    # Both at once: stories of that region only; and the choice survives a reload of the address.
    both = choose(page, "section", "stories")
    assert both and set(both) == {href for href in every if pages[href] == (stories_label, chungcheong)}
    page.reload()
    page.wait_for_selector("#search-results ol.results")
    assert set(shown(page)) == set(both)
    assert page.is_checked("#search-filters input[name=region][value=chungcheong]")


def test_the_filters_stay_put_and_answer_the_keyboard(site, page):
    _, base = site
    boxes = "ls => ls.map(l => { const r = l.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })"
    # Where the filters are before any count is written: the index withheld.
    page.route("**/pagefind/**", lambda route: route.abort())
    page.goto(f"{base}en/search/?q=firms")
    page.wait_for_selector("#search-results p")
    before = page.eval_on_selector_all("#search-filters label", boxes)
    page.unroute("**/pagefind/**")
    results(page, base, "en", "firms")
    assert page.text_content("#search-filters input[value=clusters] + *") == "(6)"
    assert page.eval_on_selector_all("#search-filters label", boxes) == before

    # Tab from the search box to the first group, an arrow key to the next section.
    page.focus("#site-search")
    for _ in range(40):  # past the button, the languages and the menu
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name === 'section'"):
            break
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == ["section", ""]
    old = page.query_selector("#search-results ol.results")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("old => !old.isConnected", arg=old, timeout=15000)
    page.wait_for_selector("#search-results ol.results")
    assert page.is_checked("#search-filters input[name=section][value=clusters]")
    assert shown(page) and all(href.startswith("/en/clusters/") for href in shown(page))
