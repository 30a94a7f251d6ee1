"""The link check finds links to files that were not rendered and anchors that do not exist."""

import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import build_into, parse_html
from sitegen.errors import Diagnostic
from sitegen.render.links import find_written, page_findings, page_links, report_findings
from sitegen.text.urlsafety import unsafe_urls


def check_links(outputs: dict[str, bytes]) -> list[Diagnostic]:
    """The link check over rendered outputs, as a build runs it on every HTML page."""
    pages = {path: page_links(path, data) for path, data in outputs.items() if path.endswith(".html")}
    return list(report_findings({path: page_findings(path, pages, outputs, frozenset(), {}, None) for path in pages}))


def test_broken_links_and_anchors_are_warnings_with_lines():
    outputs = {
        "en/index.html": b'<a href="stories/">ok</a>\n<a href="stories/#top">ok</a>\n<a href="nope/">x</a>\n<a href="stories/#gone">x</a>\n<a href="../../out.html">x</a>',
        "en/stories/index.html": b'<h1 id="top">t</h1><a href="../">up</a><a href="https://example.org/x">ext</a>',
    }
    found = [d.format() for d in check_links(outputs)]
    assert found == [
        "en/index.html:3: warning: expected a link to a page of the site, found 'nope/' (no such file)",
        "en/index.html:4: warning: expected an anchor that exists, found 'stories/#gone'",
        "en/index.html:5: warning: expected a link to a page of the site, found '../../out.html' (no such file)",
    ]


@pytest.mark.parametrize(
    "href, target, fragment",
    [
        ("../stories/oita-lsi/", "en/stories/oita-lsi/index.html", ""),  # the common case: a plain relative path
        ("caf%C3%A9/", "en/pages/café/index.html", ""),  # escaped: unquoted
        ("a&amp;b.html", "en/pages/a&b.html", ""),  # an entity: unescaped
        ("./?page=2", "en/pages/index.html", ""),  # a query names the same file
        ("#top", "en/pages/index.html", "top"),
        ("x.html#caf%C3%A9", "en/pages/x.html", "café"),
        (" ../x.html", "en/x.html", ""),  # a space a browser strips
        ("..", "en/index.html", ""),  # a folder named without its slash
        ("../../x/../y/", "y/index.html", ""),  # climbs, then steps in and out again
        ("../../../x.html", "../x.html", ""),  # out of the site: kept, for the check to report
        ("x/y:z.html", "en/pages/x/y:z.html", ""),  # a colon after a slash: no scheme
    ],
)
def test_a_link_names_the_file_a_browser_would_open(href, target, fragment):
    [link] = page_links("en/pages/index.html", f'<p>\n<a href="{href}">x</a>'.encode()).links
    assert link == (2, html.unescape(href), target, fragment)  # the href as written, for the message


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/",
        "HTTPS://example.org/",
        "//example.org/x",
        "/en/",
        "mailto:a@b.kr",
        "\t/en/",
        "javascript:alert(1)",
        "https&#58;//example.org/",
        "a+b.c-d:x",
        "//[x/",
        "http://[x/",
    ],
)
def test_links_that_leave_the_site_or_start_at_its_root_are_not_followed(href):
    assert page_links("en/index.html", f'<a href="{href}">x</a>'.encode()).links == ()


def test_ids_are_read_after_any_whitespace_and_unescaped():
    page = b'<h2 id="a">x</h2><p\tid="b&amp;c">y</p><p data-xid="no">z</p><p\nid="">'
    assert page_links("en/index.html", page).ids == {"a", "b&c", ""}


def unsafe_found(page: str) -> list[tuple[int, str, str, str]]:
    """(line, element, attribute, URL as the browser reads it) of each URL the check refuses in a page."""
    return [(line, element, attribute, url) for line, _, element, attribute, url in page_links("en/index.html", page.encode()).unsafe]


@pytest.mark.parametrize(
    "written, read",
    [
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("JAVASCRIPT:alert(1)", "JAVASCRIPT:alert(1)"),
        ("javascript&#58;alert(1)", "javascript:alert(1)"),
        ("javascript&#0058alert(1)", "javascript:alert(1)"),
        ("javascript&#x3a;alert(1)", "javascript:alert(1)"),
        ("javascript&colon;alert(1)", "javascript:alert(1)"),
        ("&#106;avascript:alert(1)", "javascript:alert(1)"),
        ("&#X6A;avascript:alert(1)", "javascript:alert(1)"),
        ("java&Tab;scr&NewLine;ipt:alert(1)", "javascript:alert(1)"),
        ("java\tscr\nipt&#13;:alert(1)", "javascript:alert(1)"),
        (" \x01&#1;&#32;javascript:alert(1)\x1f ", "javascript:alert(1)"),
        ("vbscript:msgbox(1)", "vbscript:msgbox(1)"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data:text/html;base64,PHNjcmlwdD4="),
        ("file:///etc/passwd", "file:///etc/passwd"),
    ],
)
def test_a_url_a_browser_would_read_with_a_scheme_not_allowed_is_found_decoded(written, read):
    assert unsafe_found(f'<p>\n<a class="x" href="{written}">x</a>') == [(2, "a", "href", read)]


@pytest.mark.parametrize(
    "page, found",
    [
        ('<img src="javascript&#58;x">', [(1, "img", "src", "javascript:x")]),
        ("<a href='javascript:x'>", [(1, "a", "href", "javascript:x")]),
        ("<a href=javascript&colon;x>", [(1, "a", "href", "javascript:x")]),
        ('<a\nHREF = \n "javascript:x">', [(2, "a", "href", "javascript:x")]),
        ('<a/href="javascript:x">', [(1, "a", "href", "javascript:x")]),
        ('<img srcset="a.png 1x,javascript:x 2x">', [(1, "img", "srcset", "javascript:x")]),
        ('<img srcset="a.png 1x, data&colon;image/svg+xml,x 2x">', [(1, "img", "srcset", "data:image/svg+xml")]),
        (
            '<form action="javascript:x"><button formaction="javascript:y">',
            [(1, "form", "action", "javascript:x"), (1, "button", "formaction", "javascript:y")],
        ),
        (
            '<video poster="javascript:x"></video><object data="data:text/html,x"></object>',
            [(1, "video", "poster", "javascript:x"), (1, "object", "data", "data:text/html,x")],
        ),
        (
            '<blockquote cite="javascript:x"></blockquote><table background="javascript:x">',
            [(1, "blockquote", "cite", "javascript:x"), (1, "table", "background", "javascript:x")],
        ),
        ('<svg><a xlink:href="javascript:x"><text>x</text></a></svg>', [(1, "a", "xlink:href", "javascript:x")]),
        ('<iframe src="&#x6a;avascript:x"></iframe>', [(1, "iframe", "src", "javascript:x")]),
    ],
)
def test_every_url_attribute_of_every_element_is_checked(page, found):
    assert unsafe_found(page) == found


@pytest.mark.parametrize(
    "page",
    [
        '<a href="https://example.org/a:b">',
        '<a href="HTTP://example.org/">',
        '<a href="mailto:a@b.kr">',
        '<a href="tel:+82-51">',
        '<a href="../x.html">',
        '<a href="#a:b">',
        '<a href="/ko/">',
        '<a href="x/y:z.html">',
        '<a href="?q=a:b">',
        '<a href="&#104;ttps://example.org/">',
        '<a href="&amp;#106;avascript:x">',  # the browser reads '&#106;avascript:x': no scheme
        '<a href="java script:x">',
        '<a href="java\x01script:x">',
        '<a href="%6Aavascript:x">',  # no scheme a browser reads
        '<a href="&#0;javascript:x">',  # NUL is read as U+FFFD, which is not stripped: no scheme
        '<meta property="og:title" content="javascript:x">',
        '<p title="javascript:x">javascript:alert(1)</p>',  # not URLs
        '<p>"Note: this is text," she said: "see:</p>',
        '<img srcset="a.png 1x, b.png 2x" alt="Tel: 1">',
    ],
)
def test_urls_a_page_may_use_and_text_that_looks_like_one_are_not_refused(page):
    assert unsafe_found(page) == []


def test_a_refused_url_is_an_error_naming_the_page_line_attribute_and_url():
    outputs = {"en/index.html": b'<p>\n<a href="../x/">x</a>\n<a href="java&Tab;script&#58;alert(1)">x</a>', "x/index.html": b""}
    assert [d.format() for d in check_links(outputs)] == [
        "en/index.html:3:4: error: href: expected a link to a web page (http:, https:), an e-mail address (mailto:), a phone "
        "number (tel:) or a page of the site, found 'javascript:alert(1)' in <a>, whose 'javascript:' a page may not use (a "
        "browser could run it as script); take it out of the text or template that makes this page: nothing is published until then"
    ]


@pytest.mark.parametrize(
    "page, line, column",
    [
        ('<!--><a href="javascript:alert(1)">x</a>-->', 1, 9),  # a browser ends '<!-->' at once
        ('<p>\n  <!---><a href="javascript:alert(1)">x</a>-->', 2, 12),
        ('<!-- a\nb --!> <a href="javascript:alert(1)">x</a>-->', 2, 11),  # and a comment at '--!>'
        ('<![CDATA[><a href="javascript:alert(1)">]]>', 1, 14),  # a comment to a browser, to the first '>'
    ],
)
def test_a_link_after_a_comment_a_browser_ends_sooner_than_python_is_found(page, line, column):
    assert [(found[0], found[1]) for found in page_links("en/index.html", page.encode()).unsafe] == [(line, column)]
    assert unsafe_found('<!-- <a href="javascript:alert(1)"> -->') == []  # within a comment, as a browser reads it


@pytest.mark.parametrize(
    ("page", "attribute"),
    [
        ('<a title=\xa0 href="javascript:alert(1)">x</a>', "href"),
        ("<a title=\u3000 href=javascript:alert(1)>x</a>", "href"),
        ("<img alt=\x85 src=javascript:alert(1)>", "src"),
    ],
)
def test_an_attribute_after_a_space_only_python_calls_space_is_read_as_a_browser_reads_it(page, attribute):
    """A browser splits a tag's attributes only at ASCII spaces; Python's html.parser also at a
    no-break space and the like, and would read the script link as part of the title's value."""
    found = unsafe_urls(page.encode())
    assert [(name, url) for _, _, _, name, url in found] == [(attribute, "javascript:alert(1)")]
    assert unsafe_urls('<a href=\xa0 xlink:href="">x</a>'.encode()) == ()  # one attribute to Python, two harmless ones to a browser


STORY = "---\ntitle: Chungcheong and the Oita LSI cluster\nsummary: Export contracts\n---\n## How it began\nSee [the plan](../no-such-story/) and\n[the figures](#gone).\n"
CLUSTER_BODY = "  ## 모범 사례\n  [다른 클러스터](../nowhere/)를 보세요.\n"


def test_a_broken_link_image_or_anchor_is_reported_where_the_editor_wrote_it(make_site):
    root = make_site({"content/en/stories/oita-lsi.md": STORY})
    cluster = root / "content/ko/clusters/changwon.yaml"
    cluster.write_text(cluster.read_text(encoding="utf-8").split("body: |")[0] + "body: |\n" + CLUSTER_BODY, encoding="utf-8")
    report = build_into(root, pdf=False)
    found = [d for d in report.diagnostics if d.severity == "warning" and ("expected a link" in d.message or "anchor" in d.message)]
    where = {(d.path, d.line, d.column): d.message for d in found}
    assert sorted(where) == [
        ("content/en/stories/oita-lsi.md", 6, 16),
        ("content/en/stories/oita-lsi.md", 7, 15),
        ("content/ko/clusters/changwon.yaml", 13, 13),
    ]
    assert where[("content/en/stories/oita-lsi.md", 6, 16)] == (
        "expected a link to a page of the site, found '../no-such-story/' (no such file); correct the address or take the link "
        "out (on the page en/stories/oita-lsi/index.html:59)"
    )
    assert "found '#gone'" in where[("content/en/stories/oita-lsi.md", 7, 15)]
    # A missing image is found before any page is made, at the same place (tests/test_images.py).
    # The cluster's Korean text is shown on its Korean page and on the Japanese one, which does not
    # translate it: one message, every page named.
    assert re.search(r"\(on the page ja/clusters/changwon/index.html:\d+ and 1 other page\)$", where[("content/ko/clusters/changwon.yaml", 13, 13)])


def test_a_broken_link_a_template_makes_is_reported_at_the_template(make_site):
    root = make_site()
    base = root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("link('static/style.css')", "link('static/gone.css')"), encoding="utf-8")
    report = build_into(root, pdf=False)
    found = {(d.path, d.line, d.column) for d in report.diagnostics if "gone.css" in d.message}
    line = next(n for n, text in enumerate(base.read_text(encoding="utf-8").splitlines(), 1) if "gone.css" in text)
    assert found == {("templates/base.html", line, base.read_text(encoding="utf-8").splitlines()[line - 1].index("static/gone.css") + 1)}


def test_a_broken_link_is_a_github_annotation_at_the_source_file(make_site):
    root = make_site({"content/en/stories/oita-lsi.md": STORY})
    report = build_into(root, pdf=False)
    annotations = [d.github() for d in report.diagnostics if "no-such-story" in d.message]
    assert annotations and annotations[0].startswith("::warning file=content/en/stories/oita-lsi.md,line=6,col=16::")


@pytest.mark.parametrize(
    "text, where",
    [
        ("see [it](x/)", (1, 10)),
        ("[it][r]\n\n[r]: x/", (3, 6)),
        ("<x/>", (1, 2)),
        ('<a href="x/">', (1, 10)),
        ("cover:\n  image: x/", (2, 10)),
        ("no such link", None),
    ],
)
def test_a_link_is_found_again_where_it_was_written(text, where):
    assert find_written([("a.md", text)], "x/") == (("a.md", *where) if where else None)


def test_a_link_written_from_the_site_root_leads_there_under_a_folder_and_is_checked_where_written(make_site):
    """An editor copies an address from the browser: /en/clusters/changwon/. The site is published under
    /portal/, so the page links to it from where it is; a wrong one fails a strict build at the text."""
    line = "See [Changwon](/en/clusters/changwon/) and [nowhere](/en/stories/nowhere/#top)."
    text = f"---\ntitle: Oita\nsummary: Exports\n---\n{line}\n"
    root = make_site({"content/en/stories/oita-lsi.md": text})
    report = build_into(root, pdf=False, strict=True, base_url="https://example.org/portal/")
    assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
        f"content/en/stories/oita-lsi.md:5:{line.index('/en/stories/') + 1}: error: expected a link to a page of the site, "
        "found '/en/stories/nowhere/#top' (no such file); correct the address or take the link out (on the page en/stories/oita-lsi/index.html:58)"
    ]
    (root / "content/en/stories/oita-lsi.md").write_text(text.replace("/en/stories/nowhere/#top", "/en/clusters/changwon/#main"), encoding="utf-8")
    report = build_into(root, pdf=False, strict=True, base_url="https://example.org/portal/")
    assert report.ok, [d.format() for d in report.diagnostics if d.severity != "note"]
    page = "https://example.org/portal/en/stories/oita-lsi/"
    links = {
        a.text: urljoin(page, a.get("href")) for a in parse_html(root / "public/en/stories/oita-lsi/index.html").iter("a") if a.text in ("Changwon", "nowhere")
    }
    assert links == {"Changwon": "https://example.org/portal/en/clusters/changwon/", "nowhere": "https://example.org/portal/en/clusters/changwon/#main"}
    feed = ET.fromstring((root / "public/en/feed.xml").read_bytes())
    content = "".join(e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}content"))
    assert 'href="https://example.org/portal/en/clusters/changwon/"' in content  # a feed reader is on no page of the site


@pytest.mark.parametrize("written", ["../clusters/changwon.yaml", "../../clusters/changwon.yaml"])  # from the file's folder, or from the page
def test_a_link_to_a_content_file_by_its_name_is_told_the_page_address(make_site, written):
    root = make_site({"content/en/stories/oita-lsi.md": f"---\ntitle: Oita\nsummary: Exports\n---\nSee [Changwon]({written}).\n"})
    report = build_into(root, pdf=False)
    assert [d.format() for d in report.diagnostics if d.path == "content/en/stories/oita-lsi.md" and d.severity == "warning"] == [
        f"content/en/stories/oita-lsi.md:5:16: warning: expected a link to a page of the site, found {written!r}, the name of its file; "
        "link to the page's address instead: /en/clusters/changwon/ (on the page en/stories/oita-lsi/index.html:58)"
    ]


def test_a_link_from_the_root_on_the_root_page_stays_on_the_site(make_site):
    """A one-language build copies the home page to the site's root, where the root is './', not '':
    '/ //evil.example/' must not become ' //evil.example/', which a browser reads as another host."""
    text = "---\ntitle: Home\nsummary: Welcome\n---\nSee [home](/en/) and [odd](</ //evil.example/../../en/>).\n"
    root = make_site({"content/en/_index.md": text})
    report = build_into(root, pdf=False, languages=("en",), base_url="https://example.org/portal/")
    assert report.ok, [d.format() for d in report.diagnostics if d.severity == "error"]
    for page, url in (("index.html", "https://example.org/portal/"), ("en/index.html", "https://example.org/portal/en/")):
        hrefs = {a.text: a.get("href") for a in parse_html(root / "public" / page).iter("a") if a.text in ("home", "odd")}
        assert urljoin(url, hrefs["home"]) == "https://example.org/portal/en/"
        assert urlsplit(urljoin(url, hrefs["odd"].strip())).netloc == "example.org", hrefs["odd"]
