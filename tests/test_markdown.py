"""Markdown bodies become HTML; markup and script in content are never run."""

import re
import sqlite3
import time

import html5lib
import pytest

from conftest import REPO
from sitegen.render import markdown
from sitegen.render.markdown import Heading, render_markdown


def test_headings_get_unicode_ids_and_a_toc():
    rendered = render_markdown("## 금형 연구회\n\n### 金型\n\ntext\n")
    assert '<h2 id="금형-연구회">' in rendered.html
    assert [(h.level, h.id) for h in rendered.toc] == [(2, "금형-연구회"), (3, "金型")]


def test_bold_next_to_cjk_text():
    assert "<strong>굵게</strong>입니다" in render_markdown("**굵게**입니다").html


def test_tables_are_rendered():
    html = render_markdown("| 단계 | 기간 |\n|---|---|\n| 1 | 2005–2008 |\n").html
    assert "<table>" in html and "<td>2005–2008</td>" in html


def test_raw_html_is_escaped():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n').html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def browser_scheme(value: str) -> str | None:
    """The scheme a browser reads from an attribute already decoded by an HTML parser (the WHATWG
    URL parser's first steps, written out again here so that the test does not check the code with itself)."""
    url = value.strip("".join(map(chr, range(0x21)))).replace("\t", "").replace("\n", "").replace("\r", "")
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return found.group(1).lower() if found else None


def urls_as_a_browser_reads_them(html: str) -> list[tuple[str, str, str]]:
    """(element, attribute, decoded value) of every href and src, parsed as a browser parses the page."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [(e.tag, name, value) for e in tree.iter() for name, value in e.attrib.items() if name in ("href", "src")]


# Each way an editor's text can spell a script link so that the Markdown source does not show
# "javascript:" but the browser, decoding the attribute, reads it.
SCRIPT_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "javascript&#58;alert(1)", "javascript&#x3A;alert(1)",
    "javascript&#0000058alert(1)", "javascript&colon;alert(1)", "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)",
    "&#X6a;avascript&#X3a;alert(1)", "java&Tab;script:alert(1)", "java&NewLine;script:alert(1)", "&Tab;javascript:alert(1)",
    "java&#9;script:alert(1)", "java&#10;script:alert(1)", "java&#13;script:alert(1)", "&#32;javascript:alert(1)",
    "&#1;javascript:alert(1)", "<java\nscript:alert(1)>", "\x00javascript:alert(1)",
    "vbscript:msgbox(1)", "VBScript&colon;msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "data&colon;text/html,<script>",
    "livescript:x", "file:///etc/passwd",
]
SAFE_URLS = [
    "https://www.kicox.or.kr", "HTTP://example.org/a?b=c#d", "mailto:a@b.kr", "tel:+82-51-000-0000", "../clusters/",
    "#top", "/ko/", "file.pdf", "?page=2", "a/b:c.html", "&#104;ttps://example.org/", "caf%C3%A9/",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
@pytest.mark.parametrize("written", [
    "[link]({url})",
    "[link]({url} 'a title')",
    "![image]({url})",
    "[link][ref]\n\n[ref]: {url}",
    "![image][ref]\n\n[ref]: {url} \"a title\"",
    "A note[^1].\n\n[^1]: See [link]({url}).",
    "| 단계 | 링크 |\n|---|---|\n| 1 | [link]({url}) |",
    "## 제목 [link]({url})",
    "> quoted [link]({url})",
    "* item [link]({url})",
], ids=["inline", "titled", "image", "reference", "image-reference", "footnote", "table", "heading", "quote", "list"])
def test_a_link_that_a_browser_would_read_as_script_keeps_its_text_and_loses_its_url(written, url):
    html = render_markdown(written.format(url=url)).html
    found = urls_as_a_browser_reads_them(html)
    assert [(tag, name, value) for tag, name, value in found if browser_scheme(value) not in (None, "http", "https", "mailto", "tel")] == []
    if "\n" not in url:  # a line break splits a table's row, so there is no link to keep
        tree = html5lib.parse(html, namespaceHTMLElements=False)
        assert tree.findall(".//a") or tree.findall(".//img"), "the link's text is kept, without its URL"


@pytest.mark.parametrize("url", SAFE_URLS)
def test_links_to_the_web_mail_phones_and_the_site_are_kept_as_written(url):
    for written in (f"[x]({url})", f"[x][r]\n\n[r]: {url}", f"![x]({url})"):
        [(_, _, value)] = urls_as_a_browser_reads_them(render_markdown(written).html)
        assert value == __import__("html").unescape(url), written


def test_a_site_that_allows_raw_html_still_drops_script_links_written_in_markdown():
    html = render_markdown("[a](javascript&#58;alert(1)) [b](https://example.org)", raw_html=True).html
    assert [value for _, _, value in urls_as_a_browser_reads_them(html)] == ["https://example.org"]


def test_the_table_of_contents_is_html_only_where_a_body_places_it_and_headings_always():
    marked = render_markdown("[TOC]\n\n## 성과\n\n수출.")
    assert '<div class="toc">' in marked.html and 'href="#성과"' in marked.html
    plain = render_markdown("## 성과\n\n### 성과\n\n#### 넷\n\n수출.")
    assert 'class="toc"' not in plain.html
    assert plain.toc == (Heading(2, "성과", "성과"), Heading(3, "성과_1", "성과"))  # #### is below the table's depth
