"""Markdown bodies become HTML; markup and script in content are never run."""

import time

from conftest import markdown_rows as rows
from sitegen.markdown import AHEAD_SAVE, MarkdownStore, render_markdown, rendered_ahead


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


def test_script_urls_are_dropped_and_safe_ones_kept():
    for url in ("javascript:alert(1)", "JaVaScRiPt:x", " javascript:x", "data:text/html,x", "vbscript:x"):
        assert "href" not in render_markdown(f"[x]({url})").html, url
    for url in ("https://www.kicox.or.kr", "mailto:a@b.kr", "../clusters/", "#top", "file.pdf"):
        assert f'href="{url}"' in render_markdown(f"[x]({url})").html, url


def test_markdown_rendered_ahead_is_in_the_store_as_the_render_stage_would_make_it(tmp_path):
    path = tmp_path / "markdown.sqlite"
    texts = [f"## 제목 {n}\n\n**본문** {n}\n" for n in range(AHEAD_SAVE + 5)]
    with rendered_ahead(iter([None, "  \n", *texts]), path):
        rows(path, at_least=len(texts))
    assert rows(path) == len(texts)  # nothing for the blank ones
    store = MarkdownStore(path)
    for text in texts:
        assert store.render(text) == render_markdown(text)
    assert store.fresh == {}  # every one came from the store


def test_markdown_rendered_ahead_stops_where_it_got_to_when_the_block_ends(tmp_path):
    path = tmp_path / "markdown.sqlite"
    endless = (f"text {n}\n" for n in range(10**9))
    with rendered_ahead(endless, path):
        rows(path, at_least=AHEAD_SAVE)
    stopped = rows(path)
    time.sleep(0.3)
    assert AHEAD_SAVE <= stopped == rows(path)


def test_markdown_rendered_ahead_does_not_hold_the_build_up_for_a_body_that_takes_long(tmp_path):
    def texts():
        yield "quick\n"
        time.sleep(60)  # a body that takes a minute
        yield "slow\n"

    started = time.monotonic()
    with rendered_ahead(texts(), tmp_path / "markdown.sqlite"):
        time.sleep(0.1)
    assert time.monotonic() - started < 30  # a hang check, not a speed figure: stopped, not waited for
