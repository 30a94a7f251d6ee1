"""The link check finds links to files that were not rendered and anchors that do not exist."""

import html

import pytest

from sitegen.links import check_links, page_links


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


@pytest.mark.parametrize("href, target, fragment", [
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
])
def test_a_link_names_the_file_a_browser_would_open(href, target, fragment):
    [link] = page_links("en/pages/index.html", f'<p>\n<a href="{href}">x</a>'.encode()).links
    assert link == (2, html.unescape(href), target, fragment)  # the href as written, for the message


@pytest.mark.parametrize("href", [
    "https://example.org/", "HTTPS://example.org/", "//example.org/x", "/en/", "mailto:a@b.kr", "\t/en/",
    "javascript:alert(1)", "https&#58;//example.org/", "a+b.c-d:x", "//[x/", "http://[x/",
])
def test_links_that_leave_the_site_or_start_at_its_root_are_not_followed(href):
    assert page_links("en/index.html", f'<a href="{href}">x</a>'.encode()).links == ()


def test_ids_are_read_after_any_whitespace_and_unescaped():
    page = b'<h2 id="a">x</h2><p\tid="b&amp;c">y</p><p data-xid="no">z</p><p\nid="">'
    assert page_links("en/index.html", page).ids == {"a", "b&c", ""}
