"""Markdown bodies become HTML; markup and script in content are never run."""

from sitegen.markdown import render_markdown


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
