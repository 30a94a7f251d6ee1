"""Markdown bodies become HTML; markup and script in content are never run."""

import re
import sqlite3
import time

import html5lib
import pytest

from conftest import REPO
from sitegen.render import markdown
from sitegen.render.markdown import render_markdown


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


# One text for each inline pattern and extension whose triggers unused_parts looks for, and some
# that mix them: each must render the same with the parts it lacks left out as with every part.
EVERY_PATTERN = [
    "Code `x = 1` and ``a ` b`` here.",
    "Escaped \\*stars\\* and \\[brackets] and \\\\`tick`.",
    "A [reference link][r] and [another] [r].\n\n[r]: https://example.org 'Title'",
    "An [inline link](https://example.org) and [a relative one](../clusters/).",
    "A [short reference].\n\n[short reference]: /ko/",
    "An ![image](photo.png 'Photo') inline.",
    "An ![image reference][i].\n\n[i]: photo.png",
    "A ![short image].\n\n[short image]: photo.png",
    "<https://www.kicox.or.kr> and <mail@example.org>.",
    "Inline <b>markup</b> and <!-- a comment -->.",
    "Line one  \nline two",
    "Line one\t\t\nline two",  # tabs become spaces before the line break's pattern runs
    "Line one  \r\nline two",
    "&copy; 2026",
    "Entities &amp; &#169; &#xA9; and a lone & sign.",
    "**굵게**입니다, *기울임*, a * b, ***both***.",
    "__굵게__입니다, _기울임_, a _ b, snake_case_name.",
    "A note[^1] and another[^two].\n\n[^1]: The first.\n[^two]: The second.",
    "| 단계 | 기간 |\n|---|---|\n| 1 | 2005–2008 |",
    "```\nfenced `code` **not bold**\n```\n\n~~~python\nx = 1\n~~~",
    "## 제목 *하나*\n\n### 見出し [リンク](/ja/)\n\n1. first\n2. second\n\n* a\n* b",
    "    indented code with *stars* and [brackets]\n\n> quoted **text** & more",
    "[TOC]\n\n## 목차 위치\n\n### 하위 *절*\n\n본문.",  # the marker: the table of contents as HTML in the body
    "A > B, and [note]: not a definition.\n\n> 인용 *문*\n> 둘째 줄\n\n  [def]: /ko/ 'T'\n\nSee [def] and [def][].",
    # Near misses of a quote and a definition, without their marks; and marks Python-Markdown makes
    # by dropping STX and ETX before it parses.
    "[a] : /x\n\n[a]\n: /x\n\n&gt; not a quote",
    "[a]\x02: /x\n\nSee [a].\n\n\x03> 인용",
    # Plain headings, which the table of contents names from their text alone: levels in and out of
    # its depth, the same title again, closing hashes, a setext heading, ideographic spaces.
    "# 하나\n\n## 성과\n\n## 성과\n\n### 성과\n\n#### 넷\n\n제목 셋\n------\n\n## \u3000전각\u3000공백\u3000 ##\n\n## Mixed CASE - Dash_under",
]


def _with_every_part(text: str, raw_html: bool) -> tuple[str, list]:
    converter = markdown._converter(raw_html, frozenset())
    converter.reset()
    return converter.convert(text), converter.toc_tokens


def test_a_body_renders_the_same_without_the_parts_it_cannot_use():
    texts = [*EVERY_PATTERN, "\n\n".join(EVERY_PATTERN), *(p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*.md")))]
    for raw_html in (False, True):
        for text in texts:
            html, tokens = _with_every_part(text, raw_html)
            rendered = markdown.render_markdown(text, raw_html)
            assert rendered.html == html, text[:60]
            assert list(rendered.toc) == markdown._flatten(tokens), text[:60]


def test_the_table_of_contents_is_made_as_html_only_for_a_body_that_places_it():
    marked = markdown.render_markdown("[TOC]\n\n## 성과\n\n수출.")
    assert '<div class="toc">' in marked.html and 'href="#성과"' in marked.html
    plain = markdown._converter(False, markdown.unused_parts("## 성과\n\n수출."))
    assert isinstance(plain.treeprocessors["toc"], markdown._TocWithoutHtml)
    assert markdown.render_markdown("## 성과\n\n수출.").toc == (markdown.Heading(2, "성과", "성과"),)


def test_plain_prose_is_rendered_without_the_patterns_it_lacks():
    unused = markdown.unused_parts("**한국** 산업단지 클러스터.\n\n## 성과\n\n수출 계약 체결.")
    assert {"link", "backtick", "entity", "footnote", "tables", "fenced_code", "footnotes"} <= unused
    assert "em_strong" not in unused
    converter = markdown._converter(False, unused)
    assert "link" not in converter.inlinePatterns and "em_strong" in converter.inlinePatterns
    assert "quote" not in converter.parser.blockprocessors and "reference" not in converter.parser.blockprocessors
    assert "quote" in markdown._converter(False, markdown.unused_parts("> 인용")).parser.blockprocessors
    assert not any(e.__class__.__module__.endswith("footnotes") for e in converter.registeredExtensions)
