"""The link check finds links to files that were not rendered and anchors that do not exist."""

from sitegen.links import check_links


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
