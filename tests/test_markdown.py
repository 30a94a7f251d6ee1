"""Markdown bodies become HTML; markup and script in content are never run."""

import re
import time

import html5lib
import pytest

from conftest import REPO
from sitegen.text import markdown
from sitegen.text.markdown import Heading, TooComplex, limit_problem, render_markdown


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
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&#x3A;alert(1)",
    "javascript&#0000058alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#X6a;avascript&#X3a;alert(1)",
    "java&Tab;script:alert(1)",
    "java&NewLine;script:alert(1)",
    "&Tab;javascript:alert(1)",
    "java&#9;script:alert(1)",
    "java&#10;script:alert(1)",
    "java&#13;script:alert(1)",
    "&#32;javascript:alert(1)",
    "&#1;javascript:alert(1)",
    "<java\nscript:alert(1)>",
    "\x00javascript:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript&colon;msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data&colon;text/html,<script>",
    "livescript:x",
    "file:///etc/passwd",
]
SAFE_URLS = [
    "https://www.kicox.or.kr",
    "HTTP://example.org/a?b=c#d",
    "mailto:a@b.kr",
    "tel:+82-51-000-0000",
    "../clusters/",
    "#top",
    "/ko/",
    "file.pdf",
    "?page=2",
    "a/b:c.html",
    "&#104;ttps://example.org/",
    "caf%C3%A9/",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
@pytest.mark.parametrize(
    "written",
    [
        "[link]({url})",
        "[link]({url} 'a title')",
        "![image]({url})",
        "[link][ref]\n\n[ref]: {url}",
        '![image][ref]\n\n[ref]: {url} "a title"',
        "A note[^1].\n\n[^1]: See [link]({url}).",
        "| 단계 | 링크 |\n|---|---|\n| 1 | [link]({url}) |",
        "## 제목 [link]({url})",
        "> quoted [link]({url})",
        "* item [link]({url})",
    ],
    ids=["inline", "titled", "image", "reference", "image-reference", "footnote", "table", "heading", "quote", "list"],
)
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


# Bodies that took Python-Markdown minutes, or never ended (issue 24, item 9): each is refused
# before it is rendered, with the limit and what to do, and the line of the body it starts at.
PATHOLOGICAL = {
    "4,000 links on one line": ("[a](b) " * 4000, 1, "4,000 in the paragraph at line 1 of the body, which starts '[a](b)"),
    "5,000 reference definitions": ("".join(f"[r{i}]: /x{i}\n" for i in range(5000)), 1, "more in the lines from line 1"),
    "a line of 1 MB": ("[a](b) " * 150_000, None, "1,050,000 characters"),
    "links after text": ("소개\n\n" + "".join(f"[링크 {i}][r] " for i in range(60)) + "\n\n[r]: /ko/", 3, "60 in the paragraph at line 3"),
    "unclosed brackets": ("[" * 20_000, 1, "20,000 in the paragraph at line 1"),
    "headings inside text": ("문단\n## 제목\n" * 200, 1, "more in the lines from line 1"),
    "1,001 headings": ("## 같은 제목\n\n" * 1001, 2001, "one more at line 2001"),
    "quotes 60 deep": (">" * 60 + " 인용", 1, "60 levels at line 1"),
    "lists 60 deep": ("".join("    " * i + "- 항목\n" for i in range(60)), 52, "51 levels at line 52"),
}


@pytest.mark.parametrize("text, line, found", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_body_that_would_take_minutes_is_refused_before_rendering_saying_what_to_do(text, line, found):
    started = time.process_time()
    problem = limit_problem(text)
    assert problem is not None and problem.line == line and problem.found.startswith(found), problem
    assert "(" in problem.expected and problem.expected.startswith(("at most", "a body of at most", "quotes and lists"))
    with pytest.raises(TooComplex) as refused:
        render_markdown(text)
    assert refused.value.problem == problem
    assert time.process_time() - started < 10  # a hang guard, not a speed figure: these took minutes


# Long pages an editor might write: each is within the limits, as written.
LONG_BUT_REAL = {
    "300 partner links as a list": "".join(f"* [협력기업 {i}](https://example.org/{i})\n" for i in range(300)),
    "80 links grouped under a region": "* 동남권\n" + "".join(f"    * [기업 {i}](https://example.org/{i})\n" for i in range(80)),
    "a table of 200 rows of links": "| 기업 | 누리집 |\n|---|---|\n"
    + "".join(f"| [기업 {i}](/ko/{i}/) | [누리집](https://example.org/{i}) |\n" for i in range(200)),
    "code full of brackets": "```json\n" + "[[1, 2], [3, [4]]],\n" * 300 + "```\n\n본문 [링크](/ko/).",
    "120 references, defined apart": " ".join(f"[{i}][r{i}]" for i in range(40)) + "\n\n" + "".join(f"[r{i}]: https://example.org/{i}\n\n" for i in range(120)),
    "a long paragraph with 40 links": " ".join(f"문장 {i}은 [출처 {i}](https://example.org/{i})를 따릅니다." * 1 for i in range(40)) + " 끝." * 2000,
    "90,000 characters of prose": "## 성과\n\n" + ("클러스터 기업들이 함께 수출 계약을 맺었습니다. " * 40 + "\n\n") * 70,
    "footnotes and headings": "".join(f"## 절 {i}\n\n본문[^{i}].\n\n[^{i}]: 각주 {i}.\n\n" for i in range(150)),
}


@pytest.mark.parametrize("text", LONG_BUT_REAL.values(), ids=LONG_BUT_REAL.keys())
def test_long_pages_an_editor_might_write_are_within_the_limits(text):
    assert limit_problem(text) is None
    tree = html5lib.parse(render_markdown(text).html, namespaceHTMLElements=False)
    assert tree.find(".//body/*") is not None


def test_every_text_of_the_portal_is_far_within_the_limits():

    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*.md"))]
    assert texts and all(limit_problem(text) is None for text in texts)
    assert max(map(len, texts)) * 10 < markdown.MAX_CHARACTERS


def best_time(text: str) -> float:
    """The least CPU time of three renders of `text` (each anew, past the per-process cache)."""
    times = []
    for _ in range(3):
        started = time.process_time()
        render_markdown.__wrapped__(text)
        times.append(time.process_time() - started)
    return min(times)


# The bodies that cost most per character within the limits, made of n or 4n units: a body four
# times as long must take about four times as long (sixteen times, were the time quadratic).
WORST_WITHIN_LIMITS = {
    "paragraphs of 50 links": lambda n: ("[a](b) " * 50 + "\n\n") * n,
    "one paragraph of 50 links, ever longer": lambda n: "[a](b) " * 50 + "글자 " * (200 * n),
    "blocks of 100 headings in text": lambda n: "".join("".join(f"a\n# h{i}.{j}\n" for j in range(50)) + "\n" for i in range(n)),
    "paragraphs of 50 images": lambda n: ("![a](b) " * 50 + "\n\n") * n,
    "a list of links": lambda n: "".join(f"* [a{i}](b)\n" for i in range(200 * n)),
}


@pytest.mark.parametrize("body", WORST_WITHIN_LIMITS.values(), ids=WORST_WITHIN_LIMITS.keys())
def test_the_time_to_render_grows_in_proportion_to_the_body_not_faster(body):
    small, large = body(4), body(16)
    assert limit_problem(large) is None
    assert best_time(large) / best_time(small) < 8
