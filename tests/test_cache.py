"""The Markdown cache: in the user's cache folder, keyed by the text, never able to change a page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import build_into, parse_html, text_of
from sitegen.render.cache import MarkdownCache, cache_dir
from sitegen.text.markdown import render_markdown


def test_the_cache_lives_in_the_users_cache_folder_not_the_repository(make_site, cache_folder):
    root = make_site()
    assert build_into(root, pdf=False).ok
    assert cache_dir() == cache_folder
    assert (cache_folder / "markdown.sqlite").is_file()
    assert not (root / ".sitegen-cache").exists()


def test_what_one_build_rendered_the_next_reads_back_as_it_was(tmp_path):
    texts = [f"## 제목 {n}\n\n**본문** {n}\n" for n in range(700)]  # more than one query's worth of keys
    first = MarkdownCache(tmp_path)
    for text in texts:
        first.render(text)
    first.save()
    again = MarkdownCache(tmp_path)
    again.load([*texts, "never rendered"])
    assert len(again.known) == len(texts)
    assert [again.known[again.key(t)] for t in texts] == [render_markdown(t) for t in texts]
    assert again.take() == {}  # nothing new to keep


def test_raw_html_settings_are_kept_apart(tmp_path):
    text = "<b>bold</b>\n"
    escaped = MarkdownCache(tmp_path)
    escaped.render(text)
    escaped.save()
    raw = MarkdownCache(tmp_path, raw_html=True)
    raw.load([text])
    assert raw.html(text) == "<p><b>bold</b></p>" and escaped.html(text) == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_a_cache_that_cannot_be_read_fails_no_page(make_site, cache_folder):
    root = make_site()
    cache_folder.mkdir(parents=True)
    (cache_folder / "markdown.sqlite").write_bytes(b"not a database" * 100)
    report = build_into(root, pdf=False)
    assert report.ok, [d.format() for d in report.diagnostics]
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1"))


def test_a_cache_planted_in_the_repository_is_never_read(make_site):
    root = make_site()
    planted = root / ".sitegen-cache/markdown.sqlite"
    planted.parent.mkdir()
    with sqlite3.connect(planted) as db:
        db.execute("CREATE TABLE markdown (key TEXT PRIMARY KEY, html TEXT, toc TEXT)")
        db.execute("INSERT INTO markdown SELECT 'k', '<script>alert(1)</script>', '[]'")
    assert build_into(root, pdf=False).ok
    assert not [p for p in Path(root / "public").rglob("*.html") if b"<script>alert(1)" in p.read_bytes()]
