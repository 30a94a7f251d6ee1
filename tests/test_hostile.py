"""Hostile input and faults: every case gets its diagnostic, and nothing published is ever lost."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, build_into, errors, parse_html, text_of, tree_bytes
from sitegen.options import BuildOptions
from sitegen.pipeline import build

HOSTILE = FIXTURES / "hostile"
STORY = "content/ko/stories/hostile.md"

# One case per file: the diagnostic (file:line: error: ...) it must give.
CASES = {
    "billion-laughs.md": "content/ko/stories/hostile.md:7:10: error: figures.firms: expected a whole number of 0 or more, found a list",
    "deep-nesting.md": "content/ko/stories/hostile.md:3:",
    "duplicate-keys.md": "content/ko/stories/hostile.md:6:1: error: title: expected each field once, found it again (first at line 2); keep one of the two and delete the other",
    "tabs.md": "content/ko/stories/hostile.md:5:1: error: expected spaces at the start of the line, found a tab; YAML indents with spaces only",
    "nul-byte.md": "content/ko/stories/hostile.md:2:9: error: expected visible text, found a null character (U+0000), an invisible character pasted from another program: delete it",
    "python-tag.md": "content/ko/stories/hostile.md:2:8: error: expected a plain value, found the YAML tag '!!python/object/apply:os.system', which sitegen does not read; take the tag out",
    "mixed-encoding.md": "content/ko/stories/hostile.md:3:10: error: expected UTF-8 text, found byte 0xbf; save the file as UTF-8",
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_hostile_file_gets_its_diagnostic_and_loses_nothing(make_site, case):
    root = make_site()
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    shutil.copy(HOSTILE / case, root / STORY)
    start = time.perf_counter()
    found = errors(build_into(root, pdf=False))
    assert time.perf_counter() - start < 60  # a hang guard, not a speed target
    assert len(found) == 1, found
    assert found[0].startswith(CASES[case]), found[0]
    assert tree_bytes(root / "public") == before
    assert not Path("/tmp/pwned").exists()


def test_bom_and_crlf_files_build(make_site):
    root = make_site()
    shutil.copy(HOSTILE / "bom-crlf.md", root / STORY)
    assert errors(build_into(root, pdf=False)) == []
    assert text_of(parse_html(root / "public/ko/stories/hostile/index.html").find(".//h1")) == "BOM과 CRLF"


def test_script_in_markdown_is_shown_as_text_never_run(make_site):
    root = make_site()
    shutil.copy(HOSTILE / "script.md", root / STORY)
    assert errors(build_into(root, pdf=False)) == []
    page = parse_html(root / "public/ko/stories/hostile/index.html")
    prose = page.find(".//div[@class='prose']")
    assert prose.findall(".//script") == [] and prose.findall(".//img") == []
    assert not [e for e in prose.iter() if any(name.startswith("on") for name in e.attrib)]
    assert [a.get("href") for a in prose.findall(".//a")] == [None, None]
    assert "<script>alert('x')</script>" in text_of(prose)


def test_raw_html_runs_only_when_the_site_allows_it(make_site):
    root = make_site()
    shutil.copy(HOSTILE / "script.md", root / STORY)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "allow_raw_html: true\n")
    build_into(root, pdf=False)
    prose = parse_html(root / "public/ko/stories/hostile/index.html").find(".//div[@class='prose']")
    assert len(prose.findall(".//script")) == 1


def test_a_50_mb_file_is_refused_quickly(make_site):
    root = make_site()
    with open(root / STORY, "wb") as handle:
        handle.write(b"---\ntitle: big\nsummary: big\n---\n")
        handle.write(b"x" * (50 * 1024 * 1024))
    start = time.perf_counter()
    found = errors(build_into(root, pdf=False))
    assert found == ["content/ko/stories/hostile.md: error: expected a content file of at most 5 MB, found 50.0 MB"]
    assert time.perf_counter() - start < 30


def test_an_image_path_cannot_leave_the_site(make_site):
    root = make_site(
        {
            "content/ko/brochures/guide.yaml": "title: 안내\nsummary: 요약\ncover: {image: assets/../../../etc/passwd}\nsections:\n  - page: program\n",
        }
    )
    found = errors(build_into(root, pdf=False))
    assert found == [
        "content/ko/brochures/guide.yaml:3:16: error: cover.image: expected an image path relative to this file, such as photo.jpg or "
        "../../../../assets/map.svg, ending in .png, .jpg, .jpeg, .webp, .gif, .heic, .heif, .svg, found 'assets/../../../etc/passwd'"
    ]


def test_a_symlinked_asset_out_of_the_site_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    root = make_site({"content/ko/brochures/guide.yaml": "title: 안내\nsummary: 요약\ncover: {image: assets/leak.svg}\nsections:\n  - page: program\n"})
    (root / "assets").mkdir()
    os.symlink(secret, root / "assets/leak.svg")
    found = errors(build_into(root, pdf=False))
    assert found == [
        f"assets/leak.svg: error: expected a file inside assets/, found a link to {secret}; replace the link with the file itself",
        f"content/ko/brochures/guide.yaml:3:16: error: cover.image: expected an image file, found a link to {secret} at assets/leak.svg; "
        "export the image again as JPEG, PNG or WebP",
    ]


def test_two_builds_at_once_into_one_folder_do_not_corrupt_it(make_site):
    root = make_site()
    command = [sys.executable, "-m", "sitegen", "build", "--source", str(root), "--no-pdf", "--quiet"]
    processes = [subprocess.Popen(command) for _ in range(3)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0]
    reference = make_reference(root)
    assert tree_bytes(root / "public") == reference
    assert [p.name for p in root.iterdir() if ".staging-" in p.name] == []


def make_reference(root: Path) -> dict[str, bytes]:
    out = root.parent / "reference"
    assert build(BuildOptions(source=root, out=out, pdf=False)).ok
    return tree_bytes(out)


def render_on_workers(monkeypatch) -> None:
    """Even a tiny site is rendered by two forked workers, three pages at a time, each writing its pages."""
    import sitegen.render.pages as render

    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(render, "BLOCK", 3)


def test_an_error_found_after_the_pages_are_written_keeps_the_previous_site(make_site, monkeypatch):
    root = make_site()
    render_on_workers(monkeypatch)
    assert build(BuildOptions(source=root, out=root / "public", pdf=False, search=False, jobs=2)).ok
    before = tree_bytes(root / "public")
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n[gone](../no-such-story/)\n", encoding="utf-8")
    # The workers write every page into the staging folder; the broken link is found after them.
    report = build(BuildOptions(source=root, out=root / "public", pdf=False, search=False, jobs=2, strict=True))
    assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
        "content/en/stories/oita-lsi.md:8:8: error: expected a link to a page of the site, found '../no-such-story/' (no such file); "
        "correct the address or take the link out (on the page en/stories/oita-lsi/index.html:60)"
    ]
    assert tree_bytes(root / "public") == before
    assert [p.name for p in root.iterdir() if ".staging-" in p.name] == []


@pytest.mark.parametrize("jobs", [1, 2], ids=["written-at-the-end", "written-by-workers"])
def test_a_full_disk_fails_clearly_and_keeps_the_previous_site(make_site, tmp_path, monkeypatch, jobs):
    root = make_site()
    render_on_workers(monkeypatch)
    disk = tmp_path / "disk"
    disk.mkdir()
    # A small tmpfs is a full disk on demand; mounting one needs root (CI runs as root).
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        out = disk / "public"
        small = build(BuildOptions(source=root, out=out, pdf=False, search=False, languages=("ko",)))
        assert small.ok, [d.format() for d in small.diagnostics]
        before = tree_bytes(out)
        (disk / "filler").write_bytes(b"\0" * (400 * 1024 - sum(len(v) for v in before.values()) - 64 * 1024))
        report = build(BuildOptions(source=root, out=out, pdf=False, search=False, jobs=jobs))
        assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
            f"{out}: error: {out}: expected room to write the site, found the disk full; the previous site is untouched"
        ]
        assert tree_bytes(out) == before
        assert [p.name for p in disk.iterdir() if ".staging-" in p.name] == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_the_dev_server_never_serves_a_half_written_page_while_rebuilding(make_site):
    import http.client
    import socket

    root = make_site()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--source", str(root), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        bodies: list[bytes] = []
        failures: list[str] = []

        def fetch_many() -> None:
            for _ in range(40):
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    connection.request("GET", "/ko/stories/oita-lsi/")
                    response = connection.getresponse()
                    bodies.append(response.read())
                except OSError as exc:
                    failures.append(str(exc))

        threads = [threading.Thread(target=fetch_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        story = root / "content/ko/stories/oita-lsi.md"
        text = story.read_text(encoding="utf-8")
        for i in range(10):
            story.write_text(text + f"\n추가 {i}.\n" + "긴 문단. " * 2000, encoding="utf-8")
            time.sleep(0.1)
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(bodies) == 160
        assert all(body.rstrip().endswith(b"</html>") for body in bodies)
        # a request line far too long is refused, and the server goes on
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/" + "a" * 100_000)
        try:
            status = connection.getresponse().status
        except http.client.RemoteDisconnected:
            status = None  # refused by closing the connection
        assert status in (None, 400, 404, 414, 431)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/ko/")
        assert connection.getresponse().status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


# Script links spelled so that the Markdown source does not read "javascript:", but a browser,
# decoding the attribute, does (issue 24, item 1): in every place a body can hold a link.
ENCODED_SCRIPT_LINKS = """
[entity colon](javascript&#58;alert(1)) [entity letter](&#106;avascript:alert(1)) [named colon](javascript&colon;alert(1))
[hex](&#x6A;avascript&#x3A;alert(1)) [tab](java&Tab;script:alert(1)) [newline](java&NewLine;script:alert(1))
[vb](VBScript&colon;msgbox(1)) [data](data&colon;text/html,x) ![image](javascript&#58;alert(1) "title")

[reference][r] and a note[^1].

| 단계 | 링크 |
|---|---|
| 1 | [table](&#x6a;avascript:alert(1)) |

[r]: javascript&#58;alert(1) "title"
[^1]: [footnote](javascript&colon;alert(1))
"""


def script_urls_in(page) -> list[tuple[str, str, str]]:
    """(element, attribute, value) of each URL in a page, parsed as a browser parses it, whose scheme would run script or a document."""
    found = []
    for element in page.iter():
        for name, value in element.attrib.items():
            if name in ("href", "src", "srcset", "action", "formaction", "poster", "data", "cite"):
                url = value.strip("".join(map(chr, range(0x21)))).replace("\t", "").replace("\n", "").replace("\r", "")
                scheme = url.split(":", 1)[0].lower() if ":" in url else ""
                if scheme.isascii() and scheme.isalpha() and scheme not in ("http", "https", "mailto", "tel"):
                    found.append((element.tag, name, value))
    return found


def test_script_links_hidden_by_entities_reach_no_page_in_any_language(make_site):
    root = make_site(
        {
            STORY: f"---\ntitle: 링크\nsummary: 요약\ndate: 2012-05-31\nregion: dongnam\n---\n{ENCODED_SCRIPT_LINKS}",
            "content/en/stories/hostile.md": f"---\ntitle: Links\nsummary: Summary\n---\n{ENCODED_SCRIPT_LINKS}",
            "content/ko/clusters/changwon.yaml": (FIXTURES / "mini/content/ko/clusters/changwon.yaml").read_text(encoding="utf-8")
            + "".join(f"  {line}\n" for line in ENCODED_SCRIPT_LINKS.splitlines()),
        }
    )
    assert errors(build_into(root, pdf=False)) == []
    pages = sorted((root / "public").rglob("*.html"))
    story = parse_html(root / "public/en/stories/hostile/index.html")
    assert "entity colon" in text_of(story) and "footnote" in text_of(story) and story.find(".//table") is not None
    assert {str(p.relative_to(root / "public")): script_urls_in(parse_html(p)) for p in pages if script_urls_in(parse_html(p))} == {}


def test_a_script_link_in_a_finished_page_fails_the_build_and_publishes_nothing(make_site):
    # A site that lets its editors write HTML: the Markdown converter passes the <a> as written, and
    # only the check of the finished pages stands between it and the readers.
    root = make_site()
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "allow_raw_html: true\n")
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + '\n<p><a href="java&Tab;script&#58;alert(document.cookie)">more</a></p>\n', encoding="utf-8")
    found = errors(build_into(root, pdf=False))
    assert len(found) == 1 and found[0].startswith("en/stories/oita-lsi/index.html:"), found
    assert ": error: href: expected a link to a web page (http:, https:)" in found[0]
    assert "found 'javascript:alert(document.cookie)' in <a>" in found[0]
    assert tree_bytes(root / "public") == before


JA_CATALOG = "locale/ja/LC_MESSAGES/messages.po"
# A translator's markup, each where the portal shows it: text, attributes, a plural, a {% trans %} block.
HOSTILE_TRANSLATIONS = {
    "Home": "<script>alert(1)</script>ホーム",
    "Search": "<img src=x onerror=alert(2)>検索",
    "Language": '言語" onmouseover="alert(3)',  # quotes are text, not markup: escaped, never reported
    "Mini-cluster": 'ミニ" onmouseover="alert(4)',  # inside data-pagefind-meta="section:…"
    "Skip to content": '<a href="javascript:alert(5)">本文へ</a>',
    "This page is not yet available in %(language)s. It is shown in %(source)s.": "<img src=x onerror=alert(6)>%(language)s/%(source)s",
    "%(num)s member": "%(num)s<script>alert(7)</script>",
    "Page not found": "<script>alert(8)</script>見つかりません",
}
# Every way a template asks for a translation, and %(name)s values given as text and as the template's markup.
CALLS_404 = """{% extends "base.html" %}
{% block content %}
{% set hostile = '<img src=x onerror=alert(9)>' %}{% set kept %}<em>kept</em>{% endset %}
<p id="underscore">{{ _("Page not found") }}</p>
<p id="gettext">{{ gettext("Page not found") }}</p>
<p id="ngettext">{{ ngettext("%(num)s member", "%(num)s members", 1) }}</p>
<p id="values">{{ _("Page %(page)s of %(pages)s", page=hostile, pages=kept) }}</p>
<p id="trans">{% trans %}Page not found{% endtrans %}</p>
{% endblock %}
"""


def po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_catalog(text: str) -> tuple[str, dict[str, int]]:
    """The portal's ja catalog with HOSTILE_TRANSLATIONS in place (each in its first form), and the line of each msgid."""
    lines = text.splitlines()
    at = {}
    for number, line in enumerate(lines):
        msgid = next((m for m in HOSTILE_TRANSLATIONS if line == f"msgid {po_string(m)}"), None)
        if msgid is not None:
            at[msgid] = number + 1
            plural = lines[number + 1].startswith("msgid_plural")
            keyword, target = ("msgstr[0]", number + 2) if plural else ("msgstr", number + 1)
            lines[target] = f"{keyword} {po_string(HOSTILE_TRANSLATIONS[msgid])}"
    assert at.keys() == HOSTILE_TRANSLATIONS.keys()
    return "\n".join(lines) + "\n", at


def unsafe_parts(page) -> list[str]:
    """What a browser would run in a page: scripts but the search page's own, on* handlers, javascript: links."""
    found = []
    for element in page.iter():
        if element.tag == "script" and not (element.get("src", "").endswith("static/search.js") and not (element.text or "").strip()):
            found.append(f"<script>{element.text}")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or value.strip().lower().startswith("javascript:"):
                found.append(f"{element.tag} {name}={value}")
    return found


def test_a_translators_markup_is_refused_by_the_build_and_shown_as_text_on_any_page_made_from_it(make_site):
    """A ja catalog carries scripts, event handlers and a javascript: link. The build stops, naming
    each line; and the pages made from that catalog anyway (the render stage alone) run none of it:
    the reader sees the translator's characters as text, while the template's own <strong> stays bold."""
    import html5lib

    from sitegen.inputs.config import load_config
    from sitegen.inputs.i18n import load_catalogs
    from sitegen.render.pages import Renderer, plan_pages

    root = make_site({"templates/404.html": CALLS_404})
    catalog, lines = hostile_catalog((root / JA_CATALOG).read_text(encoding="utf-8"))
    (root / JA_CATALOG).write_text(catalog, encoding="utf-8")

    report = build_into(root, pdf=False)
    assert not (root / "public").exists()
    home_error = f"{JA_CATALOG}:{lines['Home']}: error: expected the translation of 'Home' to be text, found markup '<script>', '</script>'; remove it"
    assert home_error in errors(report)
    reported = {int(line.split(":")[1]) for line in errors(report)}
    assert reported == {line for msgid, line in lines.items() if "onmouseover" not in HOSTILE_TRANSLATIONS[msgid]}

    config, _ = load_config(root)
    catalogs, _ = load_catalogs(config, report.site.languages)
    outputs = Renderer(report.site, catalogs).render(plan_pages(report.site)).outputs
    pages = {path: html5lib.parse(data, namespaceHTMLElements=False) for path, data in outputs.items() if path.startswith("ja/") and path.endswith(".html")}
    assert len(pages) >= 8
    assert {path: unsafe_parts(page) for path, page in pages.items() if unsafe_parts(page)} == {}

    home, cluster, story, missing = (pages[p] for p in ("ja/index.html", "ja/clusters/changwon/index.html", "ja/stories/oita-lsi/index.html", "ja/404.html"))
    assert text_of(home.find(".//nav[@class='wrap primary']//a")) == "<script>alert(1)</script>ホーム"
    assert text_of(home.find(".//label[@for='site-search']")) == "<img src=x onerror=alert(2)>検索"
    assert home.find(".//nav[@class='languages']").get("aria-label") == '言語" onmouseover="alert(3)'
    assert cluster.find(".//article").get("data-pagefind-meta") == 'section:ミニ" onmouseover="alert(4)'
    skip = home.find(".//a[@class='skip']")
    assert (skip.get("href"), text_of(skip)) == ("#main", '<a href="javascript:alert(5)">本文へ</a>')
    assert text_of(story.find(".//p[@class='notice']")).startswith("<img src=x onerror=alert(6)>")
    assert "1<script>alert(7)</script>" in text_of(pages["ja/clusters/index.html"].find(".//main"))
    assert [text_of(strong) for strong in story.findall(".//ul[@class='figures']/li/strong")][:2] == ["9", "7"]

    shown = {p.get("id"): p for p in missing.iter("p") if p.get("id")}
    assert {key: text_of(p) for key, p in shown.items() if key != "values"} == {
        "underscore": "<script>alert(8)</script>見つかりません",
        "gettext": "<script>alert(8)</script>見つかりません",
        "ngettext": "1<script>alert(7)</script>",
        "trans": "<script>alert(8)</script>見つかりません",
    }
    assert "<img src=x onerror=alert(9)>" in text_of(shown["values"]) and text_of(shown["values"].find("em")) == "kept"


# Files from outside the site: every input is read through inputs.read_input, which refuses a link
# whose real path leaves the site (or its own folder, for content/ and assets/).
SECRET = "sitegen-test-secret-4f1c9"


def holding(root: Path, needle: bytes) -> list[str]:
    """The files sitegen wrote (the output and the cache) whose bytes hold `needle`."""
    return [
        f"{folder}/{path}"
        for folder in ("public", ".sitegen-cache")
        if (root / folder).exists()
        for path, data in tree_bytes(root / folder).items()
        if needle in data
    ]


def outside_copy(root: Path, rel: str, secret: str) -> str:
    """The input `rel` as it would be if a link out of the site were followed: with the secret in it."""
    if rel == "site.yaml":
        return (root / rel).read_text(encoding="utf-8").replace("A mini site", secret)
    if rel.endswith(".po"):
        return (root / rel).read_text(encoding="utf-8").replace("ページが見つかりません", secret)
    if rel.endswith(".html"):
        return (root / rel).read_text(encoding="utf-8") + f"\n{secret}\n"
    if rel.endswith(".md"):
        return f"---\ntitle: {secret}\nsummary: {secret}\ndate: 2012-05-31\nregion: dongnam\n---\n{secret}\n"
    if rel.endswith(".svg"):
        return f'<svg xmlns="http://www.w3.org/2000/svg"><desc>{secret}</desc></svg>'
    return f"/* {secret} */\n"


LINKS_OUT = {  # the input replaced by a link out of the site -> the folder it must stay inside
    "site.yaml": "the site folder",
    "templates/page.html": "the site folder",  # loaded by Jinja (SiteLoader)
    "templates/macros.html": "the site folder",  # imported by other templates
    "templates/static/style.css": "the site folder",
    "locale/ja/LC_MESSAGES/messages.po": "the site folder",
    "content/ko/stories/leak.md": "content/",
    "assets/leak.svg": "assets/",
}


@pytest.mark.parametrize("rel", LINKS_OUT, ids=list(LINKS_OUT))
def test_an_input_linked_out_of_the_site_is_refused_and_never_published(make_site, tmp_path, rel):
    root = make_site()
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    outside = tmp_path / "elsewhere" / Path(rel).name
    outside.parent.mkdir()
    outside.write_text(outside_copy(root, rel, SECRET), encoding="utf-8")
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).unlink(missing_ok=True)
    os.symlink(outside, root / rel)
    found = errors(build_into(root, pdf=False))
    assert found == [f"{rel}: error: expected a file inside {LINKS_OUT[rel]}, found a link to {outside}; replace the link with the file itself"]
    assert tree_bytes(root / "public") == before
    assert holding(root, SECRET.encode()) == []


def test_a_link_to_the_process_environment_is_refused(make_site):
    root = make_site()
    os.symlink("/proc/self/environ", root / "templates/static/env.txt")
    found = errors(build_into(root, pdf=False))
    assert found == [
        "templates/static/env.txt: error: expected a file inside the site folder, found a link to /proc/self/environ; replace the link with the file itself"
    ]
    assert not (root / "public").exists()


def test_a_link_to_the_users_cache_folder_is_refused(make_site, cache_folder):
    key = b"a private file in the user's own cache folder"
    cache_folder.mkdir(parents=True)
    (cache_folder / "private.key").write_bytes(key)
    root = make_site()
    os.symlink(cache_folder / "private.key", root / "templates/static/key.css")
    found = errors(build_into(root, pdf=False))
    assert found == [
        f"templates/static/key.css: error: expected a file inside the site folder, found a link to {cache_folder}/private.key; replace the link with the file itself"
    ]
    assert holding(root, key) == []


def test_a_link_inside_the_site_is_followed_but_not_into_hidden_files(make_site):
    root = make_site(
        {
            "assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"><title>logo</title></svg>',
            ".git/config": f"[remote]\n\turl = https://token:{SECRET}@example.org/\n",
        }
    )
    os.symlink("../../assets/logo.svg", root / "templates/static/logo.svg")
    assert errors(build_into(root, pdf=False)) == []
    assert (root / "public/static/logo.svg").read_bytes() == (root / "assets/logo.svg").read_bytes()
    os.symlink("../../.git/config", root / "templates/static/config.txt")
    found = errors(build_into(root, pdf=False))
    assert found == [
        "templates/static/config.txt: error: expected a file inside the site folder, found a link to .git/config, "
        "a hidden file (sitegen's cache and git's files are never inputs); replace the link with the file itself"
    ]
    assert holding(root, SECRET.encode()) == []


@pytest.mark.parametrize("folder", ["content", "assets", "templates/static"])
def test_a_whole_folder_linked_out_of_the_site_is_refused(make_site, tmp_path, folder):
    root = make_site()
    outside = tmp_path / "elsewhere"
    shutil.move(root / folder, outside) if (root / folder).exists() else outside.mkdir()
    (outside / "leak.svg").write_text(outside_copy(root, "x.svg", SECRET))
    os.symlink(outside, root / folder)
    found = errors(build_into(root, pdf=False))
    assert found[0].startswith(
        f"{folder}: error: expected a folder inside the site folder, found a link to {outside}; replace the link with the folder itself"
    ), found
    assert holding(root, SECRET.encode()) == []


# Odd files where inputs belong: each is a diagnostic at the file, never a traceback or a hang.
def loop(path: Path) -> None:
    os.symlink(path.name, path)


def dangling(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.symlink("nowhere", path)


def folder(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.mkdir(parents=True)


LOOP = "expected a file, found a link that leads round in a loop; replace the link with the file itself"
NOWHERE = "expected a file, found a link to nowhere, which leads nowhere; replace the link with the file itself, or remove it"
FOLDER = "expected a file, found a folder; put the file in the folder's place"
FOLDER_LINK = "replace the link with the folder itself"
ODD_FILES = {  # (input, what is put there, the diagnostic)
    "config-folder": ("site.yaml", folder, f"site.yaml: error: {FOLDER}"),
    "home-folder": ("content/en/_index.md", folder, f"content/en/_index.md: error: {FOLDER}"),
    "story-folder": ("content/ko/stories/oita-lsi.md", folder, f"content/ko/stories/oita-lsi.md: error: {FOLDER}"),
    "catalog-folder": ("locale/ja/LC_MESSAGES/messages.po", folder, f"locale/ja/LC_MESSAGES/messages.po: error: {FOLDER}"),
    "story-loop": ("content/ko/stories/loop.md", loop, f"content/ko/stories/loop.md: error: {LOOP}"),
    "static-loop": ("templates/static/loop.css", loop, f"templates/static/loop.css: error: {LOOP}"),
    "asset-loop": ("assets/loop.png", loop, f"assets/loop.png: error: {LOOP}"),
    "config-dangling": ("site.yaml", dangling, f"site.yaml: error: {NOWHERE}"),
    "home-dangling": ("content/ko/_index.md", dangling, f"content/ko/_index.md: error: {NOWHERE}"),
    "story-dangling": ("content/ko/stories/gone.md", dangling, f"content/ko/stories/gone.md: error: {NOWHERE}"),
    "static-dangling": ("templates/static/gone.css", dangling, f"templates/static/gone.css: error: {NOWHERE}"),
    "template-dangling": ("templates/page.html", dangling, f"templates/page.html: error: {NOWHERE}"),
    "section-loop": ("content/ja/stories", loop, f"content/ja/stories: error: expected a section folder, found a link that leads to no folder; {FOLDER_LINK}"),
    "section-dangling": (
        "content/ja/pages",
        dangling,
        f"content/ja/pages: error: expected a section folder, found a link that leads to no folder; {FOLDER_LINK}",
    ),
    "language-loop": ("content/zh", loop, f"content/zh: error: expected a language folder, found a link that leads to no folder; {FOLDER_LINK}"),
    "stray-loop": (
        "content/ko/notes",
        loop,
        "content/ko/notes: error: expected _index.md or a section folder (clusters, stories, pages, brochures), found 'notes'; rename or move it",
    ),
    "long-slug": (
        "content/ko/pages/" + "a" * 101 + ".md",
        lambda path: path.write_text("---\ntitle: 긴\n---\n"),
        "content/ko/pages/" + "a" * 101 + ".md: error: slug: expected a file name of at most 100 characters before .md, found 101; shorten it",
    ),
    "template-not-utf8": (
        "templates/page.html",
        lambda path: path.write_bytes(b"<p>\n\xff</p>\n"),
        "templates/page.html:2: error: expected UTF-8 text, found byte 0xff; save the file as UTF-8",
    ),
}


@pytest.mark.parametrize("case", ODD_FILES, ids=list(ODD_FILES))
def test_an_odd_file_where_an_input_belongs_is_a_diagnostic_at_it(make_site, case):
    rel, make, expected = ODD_FILES[case]
    root = make_site({"assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    make(root / rel)
    assert errors(build_into(root, pdf=False)) == [expected]
    assert tree_bytes(root / "public") == before


FIFOS = [
    "site.yaml",
    "content/ko/_index.md",
    "content/ko/stories/oita-lsi.md",
    "templates/page.html",
    "templates/static/style.css",
    "locale/ja/LC_MESSAGES/messages.po",
    "assets/pipe.png",
]


@pytest.mark.parametrize("rel", FIFOS, ids=FIFOS)
def test_a_named_pipe_where_an_input_belongs_is_refused_without_waiting(make_site, rel):
    root = make_site()
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).unlink(missing_ok=True)
    os.mkfifo(root / rel)
    command = [sys.executable, "-m", "sitegen", "build", "--source", str(root), "--no-pdf", "--no-search", "--jobs", "2"]
    # In a session of its own: a build stuck on the pipe is stopped with every process it started.
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = build.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        pytest.fail(f"the build waits forever on a named pipe at {rel}")
    assert "Traceback" not in stderr
    assert build.returncode == 1, stderr
    assert (
        f"{rel}: error: expected a file, found a named pipe (FIFO), which would keep the build waiting forever; put an ordinary file in its place"
        in stderr.splitlines()
    )
    assert not (root / "public").exists()


def test_a_read_only_output_folder_is_a_diagnostic_and_keeps_the_site(make_site, tmp_path):
    from sitegen.pipeline import State

    root = make_site()
    disk = tmp_path / "disk"
    disk.mkdir()
    # A read-only mount stops root too (CI runs as root), where a folder's mode would not; mounting needs root.
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        options = BuildOptions(source=root, out=disk / "public", pdf=False, search=False)
        state = State()  # as the dev server keeps it: its next build writes only what changed
        assert build(options, state=state).ok
        before = tree_bytes(disk / "public")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        story = root / "content/ko/stories/oita-lsi.md"
        story.write_text(story.read_text(encoding="utf-8") + "\n새 문단.\n", encoding="utf-8")
        refused = (
            f"{disk / 'public'}: expected a folder sitegen may write the site into, found it refused (read-only file system); "
            "choose another --out, or make it writable; the previous site is untouched"
        )
        command = [sys.executable, "-m", "sitegen", "build", "--source", str(root), "--out", str(disk / "public"), "--no-pdf", "--no-search", "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr
        assert done.returncode == 1 and refused in done.stderr
        assert [d.message for d in build(options, state=state).diagnostics if d.severity == "error"] == [refused]
        assert tree_bytes(disk / "public") == before
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# Issue 24, item 8: names and keys that try to forge lines of CI output.
FORGED_KEYS = {
    "newline": "\n::error file=x::forged",
    "carriage return": "\r::warning file=x::forged",
    "esc": "\x1b[2K\x1b[1G::error file=x::forged\x1b[31m",
    "line separator": "\u2028::error file=x::forged",
    "legacy command": "##[warning]forged",
    "bidi override": "\u202e::error file=x::forged",
}
FORGED_NAMES = ["x\n::error file=x::forged", "y\x1b[2K\x1b[1Gforged", "z\r##[error]forged", "w,line=1::col"]


def test_forged_lines_in_names_and_keys_stay_inside_our_diagnostics_under_github_actions(make_site):
    """An editor's key or a file's name holds a newline and `::error`, ESC sequences, a legacy `##[`
    command: CI prints each diagnostic as one line and one annotation, and GitHub reads no other."""
    import json
    import re

    from test_errors import parse_workflow_command

    keys = "".join(f"{json.dumps(key)}: {n}\n" for n, key in enumerate(FORGED_KEYS.values()))
    story = f"---\ntitle: 제목\nsummary: 요약\ndate: 2012-05-31\nregion: chungcheong\n{keys}---\n본문\n"
    names = {f"content/ko/stories/{name}.md": "---\ntitle: 제목\n---\n" for name in FORGED_NAMES}
    root = make_site({STORY: story, **names})
    run = subprocess.run([sys.executable, "-m", "sitegen", "check", "--source", str(root)], capture_output=True, env={**os.environ, "GITHUB_ACTIONS": "true"})
    assert run.returncode == 1
    err = run.stderr.decode("utf-8")
    lines = re.split(r"\r\n|\r|\n", err.rstrip("\n"))  # as GitHub's runner splits a log
    assert err.rstrip("\n").splitlines() == lines  # and as a terminal does: \x85 and \u2028 end no line either
    diagnostics = [line for line in lines if re.fullmatch(r"content/[a-z]{2}/\S.*?(:\d+:\d+)?: (error|note): .+", line)]
    annotations = [parse_workflow_command(line) for line in lines if line.startswith("::")]
    assert len(diagnostics) + len(annotations) + 1 == len(lines)  # each line is ours, and one summary
    assert lines[-1] == f"sitegen: {len(FORGED_KEYS) + len(FORGED_NAMES)} errors; nothing was written"
    assert [name for name, _, _ in annotations] == [line.split(": ")[1].replace("note", "notice") for line in diagnostics]
    assert "\x1b" not in err and "\u202e" not in err and "\u2028" not in err and "##[" not in err
    # GitHub links each annotation to its file: the one whose name holds only a newline, by that very name.
    files = {properties["file"] for _, properties, _ in annotations}
    assert {"content/ko/stories/x\n::error file=x::forged.md", "content/ko/stories/w,line=1::col.md", STORY} <= files
    assert [line for line in diagnostics if line.startswith(STORY)] == [
        f"{STORY}:{6 + n}:{len(json.dumps(key)) + 3}: error: {visible_key}: unknown field; "
        "expected one of title, summary, date, region, clusters, figures, cover, body, draft, publish_date, expiry_date"
        for n, (key, visible_key) in enumerate((key, _visible(key)) for key in FORGED_KEYS.values())
    ]


def _visible(text: str) -> str:
    from sitegen.errors import visible

    return visible(text)


# Outputs where they would be fed back into the next build, or reached through links the site carries.
@pytest.mark.parametrize("out", ["templates/static/site", "content/x", "content", "assets/public", "locale/site"])
def test_an_output_folder_inside_the_sources_is_wrong_usage(make_site, capsys, out):
    from sitegen.cli import main

    root = make_site({"assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    with pytest.raises(SystemExit) as info:
        main(["build", "--source", str(root), "--out", str(root / out), "--no-pdf", "--no-search"])
    assert info.value.code == 2
    folder = out.split("/")[0] if out.startswith(("content", "assets", "locale")) else "templates"
    assert (
        f"sitegen: error: {root / out}: expected an output folder apart from the sources, found it inside {folder}/, whose files "
        f"the next build would read back as sources; choose another --out (the default is {root / 'public'})"
    ) in capsys.readouterr().err
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


@pytest.mark.parametrize("name", ["pub*", "pub?ic", "pub[l]ic", "p*"])
def test_an_output_named_with_glob_characters_leaves_other_outputs_staging_alone(make_site, name):
    root = make_site()
    other = root / f".public.staging-{os.getpid()}"  # another build's, into public/, under way
    other.mkdir()
    (other / "index.html").write_text("being written")
    assert errors(build(BuildOptions(source=root, out=root / name, pdf=False, search=False))) == []
    assert (other / "index.html").read_text() == "being written"


def test_a_link_in_the_lock_files_place_is_never_followed(make_site, tmp_path):
    root = make_site()
    target = tmp_path / "made-by-the-lock"
    os.symlink(target, root / ".public.lock")
    found = errors(build_into(root, pdf=False))
    assert found == [f"{root / 'public'}: error: {root / '.public.lock'}: expected sitegen's lock file, found a link; remove it (sitegen makes the file again)"]
    assert not target.exists() and not (root / "public").exists()
    (root / ".public.lock").unlink()
    os.mkfifo(root / ".public.lock")  # opened to write, a pipe with no reader would keep the build waiting
    found = errors(build_into(root, pdf=False))
    assert found == [
        f"{root / 'public'}: error: {root / '.public.lock'}: expected sitegen's lock file, found a named pipe; remove it (sitegen makes the file again)"
    ]


def test_a_link_in_a_staging_folders_place_is_removed_not_what_it_leads_to(make_site, tmp_path):
    root = make_site()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    os.symlink(precious, root / f".public.staging-{os.getpid()}")  # where this build makes its staging folder
    assert errors(build_into(root, pdf=False)) == []
    assert (precious / "thesis.tex").read_text() == "years of work" and not (root / f".public.staging-{os.getpid()}").exists()


def test_an_output_folder_a_link_in_the_site_leads_elsewhere_is_wrong_usage(make_site, capsys, tmp_path):
    from sitegen.cli import main

    root = make_site()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / ".sitegen-cache")  # the dev server's output is .sitegen-cache/serve
    with pytest.raises(SystemExit) as info:
        main(["build", "--source", str(root), "--out", str(root / ".sitegen-cache/serve"), "--no-pdf", "--no-search"])
    assert info.value.code == 2
    assert (
        f"{root / '.sitegen-cache/serve'}: expected an output folder inside the site folder, as its path says, found a link on the way "
        f"that leads to {elsewhere / 'serve'}; remove the link, or name that folder with --out"
    ) in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


# SVG that can run script: refused at the file and line (sitegen refuses rather than sanitises: see sitegen/svg.py).
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
EXPORT = "remove it, or export the picture again without it (sitegen refuses such a file rather than changing it)"
FETCH = "put the file it names into the picture (embed it), or link to nothing outside it"
HOSTILE_SVGS = {  # case -> (the file, what each diagnostic says after 'expected a plain SVG picture, found ')
    "script": (
        SVG_OPEN + '<rect width="10" height="10"/>\n<script>fetch("/steal?c=" + document.cookie)</script>\n</svg>\n',
        [(3, f"a <script> element, which runs as the site when the picture is opened; {EXPORT}")],
    ),
    "event-handler": (
        '<svg xmlns="http://www.w3.org/2000/svg"\n     width="10"\n     onload="alert(document.domain)"\n     height="10">\n</svg>\n',
        [(3, f'an event handler onload="..." on <svg>, which runs script; {EXPORT}')],
    ),
    "script-link": (
        SVG_OPEN + '<a xlink:href="&#106;ava&#x09;script:alert(1)"><text y="5">open</text></a>\n</svg>\n',
        [(2, f'a script link in href="..." on <a>; {EXPORT}')],
    ),
    "foreign-object": (
        SVG_OPEN + '<foreignObject width="10" height="10"><p>text</p></foreignObject>\n</svg>\n',
        [(2, f"a <foreignObject> element, which can carry a web page and its scripts into the picture; {EXPORT}")],
    ),
    "html-script": (
        SVG_OPEN + '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>\n</svg>\n',
        [(2, f"a <script> element, which runs as the site when the picture is opened; {EXPORT}")],
    ),
    "animated-link": (
        SVG_OPEN + '<a><set attributeName="href" to="javascript:alert(1)"/><text y="5">x</text></a>\n</svg>\n',
        [(2, f'a script link in to="..." on <set>; {EXPORT}'), (2, f"an animation of href on <set>, which can turn a link into script; {EXPORT}")],
    ),
    "external-entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY key SYSTEM "file:///etc/passwd">]>\n' + SVG_OPEN + "<text>&key;</text>\n</svg>\n",
        [(2, "a DOCTYPE or entity declaration, which can read other files or grow without end; remove it; an SVG needs none")],
    ),
    "style-sheet": (
        '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="run.xsl"?>\n' + SVG_OPEN + "</svg>\n",
        [(2, "a processing instruction <?xml-stylesheet ...?>, which can make a browser run a style sheet or program; remove it")],
    ),
    # Opened by itself, an SVG fetches what it names: a tracker sees each reader, file: reads the reader's disk.
    "fetches-elsewhere": (
        SVG_OPEN
        + '<image href="https://tracker.example/p.png" width="1" height="1"/>\n<rect width="9" height="9" fill="url(//tracker.example/g.svg#g)"/>\n'
        + '<image xlink:href="file:///etc/passwd" width="1" height="1"/>\n'
        + '<style>\n  rect { fill: #0b3d6b; }\n  @import "https://tracker.example/x.css";\n</style>\n</svg>\n',
        [
            (2, f'a link to a file elsewhere in href="..." on <image>, which the picture fetches when it is opened; {FETCH}'),
            (3, f'a file fetched from elsewhere in fill="..." on <rect>, when the picture is opened; {FETCH}'),
            (4, f'a link to a file elsewhere in href="..." on <image>, which the picture fetches when it is opened; {FETCH}'),
            (8, f"a style sheet that fetches a file from elsewhere when the picture is opened; {FETCH}"),
        ],
    ),
    # A style sheet is all the text of its <style>: a browser reads what follows an element inside it too.
    "css-after-an-element": (
        SVG_OPEN
        + '<style><x/>@import "https://tracker.example/x.css";</style>\n<style>svg {}<y/>rect { fill: url(https://tracker.example/f.svg#p) }</style>\n</svg>\n',
        [
            (2, f"a style sheet that fetches a file from elsewhere when the picture is opened; {FETCH}"),
            (3, f"a style sheet that fetches a file from elsewhere when the picture is opened; {FETCH}"),
        ],
    ),
    # What is inside an element inside <style> is not style to a browser, and splits no words of it.
    "css-split-by-elements": (
        SVG_OPEN
        + '<style>@im<g>/</g>port url(ht<g>/</g>tp://tracker.example/b.css);</style>\n<style><g>/*</g>@import "https://tracker.example/a.css";<g>*/</g></style>\n</svg>\n',
        [
            (2, f"a style sheet that fetches a file from elsewhere when the picture is opened; {FETCH}"),
            (3, f"a style sheet that fetches a file from elsewhere when the picture is opened; {FETCH}"),
        ],
    ),
    "css-escaped-address": (
        SVG_OPEN + "<style>rect { background: url(\\68 ttps://tracker.example/) }</style>\n</svg>\n",
        [(2, f"a style sheet that fetches a file from elsewhere when the picture is opened; {FETCH}")],
    ),
}


@pytest.mark.parametrize("folder", ["assets", "templates/static"])
@pytest.mark.parametrize("case", HOSTILE_SVGS, ids=list(HOSTILE_SVGS))
def test_an_svg_that_can_run_script_is_refused_at_its_line(make_site, folder, case):
    root = make_site()
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    text, expected = HOSTILE_SVGS[case]
    (root / folder).mkdir(exist_ok=True)
    (root / folder / "map.svg").write_text(text, encoding="utf-8")
    found = errors(build_into(root, pdf=False))
    assert found == [f"{folder}/map.svg:{line}: error: expected a plain SVG picture, found {what}" for line, what in expected]
    assert tree_bytes(root / "public") == before


def test_plain_svgs_are_published_as_they_are(make_site):
    inkscape = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Created with Inkscape -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"\n'
        '     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
        '  <sodipodi:namedview id="view" inkscape:zoom="1"/>\n  <style>rect { fill: #0b3d6b; }</style>\n'
        '  <a href="https://www.kicox.or.kr/"><rect width="10" height="10"/></a>\n'
        '  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>\n</svg>\n'
    )
    root = make_site({"assets/map.svg": inkscape, "templates/static/map.svg": inkscape})
    assert errors(build_into(root, pdf=False)) == []
    assert (root / "public/assets/map.svg").read_text(encoding="utf-8") == inkscape
    assert (root / "public/static/map.svg").read_text(encoding="utf-8") == inkscape


def test_a_brochure_cover_that_can_run_script_is_refused_at_both(make_site):
    root = make_site(
        {
            "content/ko/brochures/guide.yaml": "title: 안내\nsummary: 요약\ncover: {image: assets/cover.svg}\nsections:\n  - page: program\n",
            "assets/cover.svg": HOSTILE_SVGS["script"][0],
            "assets/compressed.svgz": b"\x1f\x8b\x08\x00",
        }
    )
    assert errors(build_into(root, pdf=False)) == [
        "assets/compressed.svgz: error: expected a plain SVG picture, found a compressed SVG (.svgz), which sitegen cannot check; save it as a plain .svg file",
        f"assets/cover.svg:3: error: expected a plain SVG picture, found {HOSTILE_SVGS['script'][1][0][1]}",
        "content/ko/brochures/guide.yaml:3:16: error: cover.image: expected an image file, found an SVG picture sitegen refuses "
        "(a <script> element, which runs as the site when the picture is opened) at assets/cover.svg; take that part out of the picture, or export it again without it",
    ]


@pytest.mark.parametrize(
    "body, found",
    [
        ("[a](b) " * 4000, "found 4,000 in the paragraph at line 1 of the body"),  # took 30 s
        ("".join(f"[r{i}]: /x{i}\n" for i in range(5000)), "found more in the lines from line 1 of the body"),  # took 51 s
        ("[a](b) " * 150_000, "found 1,050,001 characters"),  # never ended
    ],
    ids=["4000-links-on-a-line", "5000-definitions", "a-1-MB-line"],
)
def test_a_body_that_would_take_minutes_is_refused_quickly_naming_its_file(make_site, body, found):
    root = make_site()
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    (root / STORY).write_text(f"---\ntitle: 링크\nsummary: 요약\ndate: 2012-05-31\nregion: dongnam\n---\n{body}\n", encoding="utf-8")
    start = time.perf_counter()
    [error] = errors(build_into(root, pdf=False))
    assert time.perf_counter() - start < 60  # a hang guard, not a speed target
    assert error.startswith(f"{STORY}:") and ": error: body: expected " in error and found in error, error
    assert tree_bytes(root / "public") == before


@pytest.mark.parametrize("width", ["1e400", "inf", "-5", "0"])
def test_an_svg_cover_of_a_size_no_browser_lays_out_builds_at_its_viewbox_size(make_site, width):
    story = "content/ko/stories/oita-lsi.md"
    root = make_site(
        {"assets/map.svg": f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="10" viewBox="0 0 300 200"><rect width="9" height="9"/></svg>\n'}
    )
    text = (root / story).read_text(encoding="utf-8")
    (root / story).write_text(text.replace("\n---\n", "\ncover: {image: ../../../assets/map.svg, alt: 지도}\n---\n", 1), encoding="utf-8")
    assert errors(build_into(root, pdf=False)) == []
    covers = [img for img in parse_html(root / "public/ko/stories/oita-lsi/index.html").iter("img") if img.get("alt") == "지도"]
    assert [(img.get("width"), img.get("height")) for img in covers] == [("300", "200")]


def test_an_import_never_writes_through_a_language_folder_linked_out_of_the_site(make_site, tmp_path, capsys):
    """A clone can carry content/ja as a link to any folder of the user's: the import, which makes
    content/ja/stories/ when it is not there, must not make it (and the translation) out there."""
    from sitegen.cli import main

    root = make_site()
    exported = tmp_path / "ja.xlf"
    assert main(["i18n", "export", "--source", str(root), "--lang", "ja", "stories/oita-lsi", "-o", str(exported)]) == 0
    text = exported.read_text(encoding="utf-8")
    exported.write_text(re.sub(r"(<source>(.*?)</source>)", r'\1<target state="translated">\2</target>', text, flags=re.S), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / "content/ja")
    (root / "content/ja").symlink_to(outside)
    capsys.readouterr()
    assert main(["i18n", "import", "--source", str(root), str(exported)]) == 1
    err = capsys.readouterr().err
    assert f"content/ja/stories/oita-lsi.md: error: expected a folder inside content/ to write the translation into, found a link to {outside}" in err
    assert list(outside.iterdir()) == []


def test_a_new_item_is_never_written_through_a_section_folder_linked_out_of_the_site(make_site, tmp_path, capsys):
    from sitegen.cli import main

    root = make_site()
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / "content/ko/pages")
    (root / "content/ko/pages").symlink_to(outside)
    with pytest.raises(SystemExit) as exited:
        main(["new", "page", "evil", "--source", str(root)])
    assert exited.value.code == 2
    assert f"expected a folder inside content/ to write content/ko/pages/evil.md into, found a link to {outside}" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["page.html", "page.XHTML", "feed.xml", "run.js", "run.mjs", "README", "note.unknown"])
def test_a_file_in_assets_a_browser_would_open_as_a_page_is_refused(make_site, name):
    """assets/ is published as it is, on the site's own origin: an HTML page (or a file whose type a
    browser guesses) there would run its script as the site."""
    root = make_site({"assets/leaflet.pdf": b"%PDF-1.4\n", "assets/leaflet.txt": "A leaflet.\n"})
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    (root / "assets" / name).write_text("<script>alert(document.domain)</script>\n", encoding="utf-8")
    [error] = errors(build_into(root, pdf=False))
    assert error.startswith(f"assets/{name}: error: expected a picture or a file to download (")
    assert "which a browser could open as a page of the site that runs script; take it out of assets/" in error
    assert tree_bytes(root / "public") == before


@pytest.mark.parametrize(
    "summary, body, found",
    [
        (
            '"붉은\\e[31m글씨"',
            "본문\n",
            "3:10: error: summary: expected visible text, found an escape character (U+001B), an invisible character pasted from another program: delete it",
        ),
        (
            '"널\\0문자"',
            "본문\n",
            "3:10: error: summary: expected visible text, found a null character (U+0000), an invisible character pasted from another program: delete it",
        ),
        (
            "요약",
            "본문\n둘째 줄 \x1b[2J 지움\n",
            "8:6: error: body: expected visible text, found an escape character (U+001B), an invisible character pasted from another program: delete it",
        ),
    ],
    ids=["escaped-esc-in-a-field", "escaped-nul-in-a-field", "raw-esc-in-a-body"],
)
def test_a_control_character_no_feed_can_hold_is_refused_at_its_place(make_site, summary, body, found):
    """XML has no place for ESC or NUL: written as a YAML escape or in a body, one made the Atom feed
    no XML at all (a feed reader drops it), and reached every page."""
    root = make_site()
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    (root / STORY).write_text(f"---\ntitle: 제어 문자\nsummary: {summary}\ndate: 2012-05-31\nregion: dongnam\n---\n{body}", encoding="utf-8")
    assert errors(build_into(root, pdf=False)) == [f"{STORY}:{found}"]
    assert tree_bytes(root / "public") == before


def test_an_xliff2_code_point_for_a_control_character_is_refused_on_import(make_site, tmp_path, capsys):
    """XLIFF 2 writes a character XML cannot hold as <cp hex="…"/>: an agency's file can bring ESC that way."""
    from sitegen.cli import main

    root = make_site()
    exported = tmp_path / "ja.xlf"
    assert main(["i18n", "export", "--source", str(root), "--lang", "ja", "--format", "xliff2", "stories/oita-lsi", "-o", str(exported)]) == 0
    text = exported.read_text(encoding="utf-8")
    text = re.sub(r"(<source>([^<]*)</source>)", r"\1<target>\2</target>", text).replace("<target>수출", '<target><cp hex="1B"/>[2J수출', 1)
    exported.write_text(text, encoding="utf-8")
    before = tree_bytes(root / "content")
    capsys.readouterr()
    assert main(["i18n", "import", "--source", str(root), str(exported)]) == 1
    err = capsys.readouterr().err
    assert f"{exported}:17: error: summary: expected visible text, found an escape character (U+001B)" in err, err
    assert tree_bytes(root / "content") == before


def test_an_xliff2_code_point_of_half_a_utf16_pair_is_refused_not_a_crash(make_site, tmp_path, capsys):
    from sitegen.cli import main

    root = make_site()
    exported = tmp_path / "ja.xlf"
    assert main(["i18n", "export", "--source", str(root), "--lang", "ja", "--format", "xliff2", "stories/oita-lsi", "-o", str(exported)]) == 0
    text = re.sub(r"(<source>([^<]*)</source>)", r"\1<target>\2</target>", exported.read_text(encoding="utf-8")).replace(
        'state="initial"', 'state="translated"'
    )
    exported.write_text(text.replace("<target>교류의 시작", '<target>교류<cp hex="D800"/>의 시작', 1), encoding="utf-8")
    before = tree_bytes(root / "content")
    capsys.readouterr()
    assert main(["i18n", "import", "--source", str(root), str(exported)]) == 1
    assert "unit body#1: expected plain text and placeholders, found <cp hex='D800'/>, which is no character" in capsys.readouterr().err
    assert tree_bytes(root / "content") == before


def test_an_image_over_the_size_limit_is_refused_without_being_read(make_site):
    """A "photo" of gigabytes (a video, a disk image) was read whole before its size was looked at."""
    import tracemalloc

    from sitegen.inputs.images import read_picture

    root = make_site()
    (root / "assets").mkdir()
    with open(root / "assets/huge.jpg", "wb") as handle:
        handle.truncate(256 * 2**20)  # sparse: no disk space, but 256 MB to whoever reads it
    tracemalloc.start()
    try:
        found = read_picture(root, "assets/huge.jpg")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(getattr(found, "why", "")) == "a file of 256.0 MB, over the 30 MB limit (make it smaller)"
    assert peak < 40 * 2**20


@pytest.mark.parametrize(
    "expression",
    [
        "cycler.__init__.__globals__.os.system('touch ' ~ marker)",
        "(cycler|attr('__init__')|attr('__globals__'))['os'].system('touch ' ~ marker)",
        "'{0.__init__.__globals__}'.format(cycler)",
        "lipsum.__globals__['os'].system('touch ' ~ marker)",
        "config.root.joinpath(marker).write_text('x')",
        "config.root.joinpath('/etc/hostname').read_text() ~ (site.config.root / marker).touch()",
    ],
    ids=["attribute", "attr-filter", "format-string", "function-globals", "path-write", "path-read"],
)
def test_a_template_from_a_clone_runs_no_code_on_the_build_machine(make_site, tmp_path, expression):
    """Templates come with the repository: one that reaches for Python's internals (a way to run any
    command in a plain Jinja environment), or for the disk through a path the context holds (the
    site folder's), is stopped by the sandbox, an error at its line."""
    root = make_site()
    assert errors(build_into(root, pdf=False)) == []
    before = tree_bytes(root / "public")
    marker = tmp_path / "ran"
    story = root / "templates/story.html"
    text = story.read_text(encoding="utf-8")
    story.write_text(
        text.replace("{% block content %}\n", "{% block content %}\n{% set marker = '" + str(marker) + "' %}{{ " + expression + " }}\n", 1), encoding="utf-8"
    )
    found = errors(build_into(root, pdf=False))
    assert not marker.exists()
    line = text[: text.index("{% block content %}\n")].count("\n") + 2
    assert found and all(e.startswith(f"templates/story.html:{line}: error: expected the template to render ") for e in found), found
    assert all("SecurityError" in e or "UndefinedError" in e for e in found), found
    assert tree_bytes(root / "public") == before
