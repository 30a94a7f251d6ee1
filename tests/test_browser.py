"""The built portal in a real browser (Debian's Chromium, driven by Playwright): switching languages,
a phone-sized screen, keyboard-only use, and axe-core's WCAG 2.1 AA rules on every template."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from conftest import REPO
from sitegen.options import BuildOptions
from sitegen.pipeline import build

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = REPO / "tests/browser/node_modules/axe-core/axe.min.js"
LANGS = ("ko", "en", "ja", "zh")
# One page of every template, in every language.
TEMPLATES = {
    "home": "{lang}/",
    "clusters": "{lang}/clusters/",
    "cluster": "{lang}/clusters/changwon-machinery/",
    "stories": "{lang}/stories/",
    "story": "{lang}/stories/oita-lsi/",
    "fallback story": "{lang}/stories/daegyeong-working-groups/",
    "page": "{lang}/program/",
    "brochures": "{lang}/brochures/",
    "brochure": "{lang}/brochures/program/",
    "404": "{lang}/404.html",
    "search": "{lang}/search/?q=%EA%B8%88%ED%98%95",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run .ci/install --test")
    out = tmp_path_factory.mktemp("browser") / "public"
    report = build(BuildOptions(source=REPO, out=out, pdf=False, base_url="http://127.0.0.1/"))
    assert report.ok
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def test_switcher_leads_to_the_same_story_in_japanese_and_back(page, site_url, tmp_path):
    page.goto(site_url + "en/")
    page.click("nav.primary >> text=Success stories")
    page.click("a[href$='oita-lsi/']")
    assert page.url == site_url + "en/stories/oita-lsi/"
    page.screenshot(path=str(tmp_path / "story-en.png"), full_page=True)
    page.click("nav.languages >> text=日本語")
    assert page.url == site_url + "ja/stories/oita-lsi/"
    assert page.get_attribute("html", "lang") == "ja"
    assert "大分" in page.inner_text("h1")
    page.screenshot(path=str(tmp_path / "story-ja.png"), full_page=True)
    page.click("nav.languages >> text=English")
    assert page.url == site_url + "en/stories/oita-lsi/"
    assert page.console_errors == []


def test_nothing_overflows_a_375px_phone(browser, site_url, tmp_path):
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = []
    for lang in LANGS:
        for name, pattern in TEMPLATES.items():
            page.goto(site_url + pattern.format(lang=lang))
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                wide.append((lang, name, width))
    page.goto(site_url + "ko/clusters/changwon-machinery/")
    page.screenshot(path=str(tmp_path / "cluster-ko-375.png"), full_page=True)
    context.close()
    assert wide == []


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_wcag_aa_violation_on_any_template(page, site_url, lang):
    found = {}
    for name, pattern in {**TEMPLATES, "chooser": ""}.items():
        page.goto(site_url + pattern.format(lang=lang))
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))
                .violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
        )
        if violations:
            found[name] = violations
    assert found == {}
    assert page.console_errors == []


def test_keyboard_alone_reaches_the_switcher_with_a_visible_focus(page, site_url):
    page.goto(site_url + "en/clusters/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "日本語":
            break
    else:
        pytest.fail("Tab never reached the Japanese switcher link")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; })()"
    )
    assert (outline[0] != "none" and outline[1] >= 2) or outline[2] != "none", outline
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + "ja/clusters/")
    # and the main navigation works the same way
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "../stories/":
            break
    else:
        pytest.fail("Tab never reached the stories link of the main navigation")
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + "ja/stories/")


def test_a_broken_image_saved_while_serving_shows_a_panel_on_its_page_until_fixed(browser, make_site, tmp_path):
    """Issue 29: the editor sees the warning on the page it concerns within a second of saving, and
    sees it go when the image is fixed; the terminal says both."""
    import io
    import subprocess
    import sys
    import time

    from PIL import Image
    from test_server import fetch, free_port

    from sitegen.serve import PANEL_ID

    picture = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 120, 200)).save(picture, "JPEG")
    root = make_site({"assets/meeting.jpg": picture.getvalue()})
    story = root / "content/en/stories/oita-lsi.md"
    good = story.read_text(encoding="utf-8")
    port = free_port()
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--source", str(root), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if fetch(port, "/en/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            with page.expect_websocket() as socket:
                page.goto(f"http://127.0.0.1:{port}/en/stories/oita-lsi/")
            socket.value.wait_for_event("framereceived")  # live reload's hello: saves reach this page from now on
            assert page.query_selector(f"#{PANEL_ID}") is None

            # A reference-style image whose file is not there: the page shows a broken image.
            story.write_text(good + "\n![The meeting][photo]\n\n[photo]: meeting.jpg\n", encoding="utf-8")
            saved = time.monotonic()
            panel = page.wait_for_selector(f"#{PANEL_ID}", timeout=10_000)
            shown = time.monotonic() - saved
            text = panel.inner_text()
            line = len(good.splitlines()) + 4
            assert f"content/en/stories/oita-lsi.md:{line}:10 warning: expected a link to a page of the site, found 'meeting.jpg' (no such file)" in text
            # In the page's flow, under its header and in sight; the story's title pushed down below it, not hidden.
            header, top, bottom, title = page.evaluate(
                f"""[document.querySelector('header').getBoundingClientRect().bottom,
                     document.getElementById('{PANEL_ID}').getBoundingClientRect().top,
                     document.getElementById('{PANEL_ID}').getBoundingClientRect().bottom,
                     document.querySelector('h1').getBoundingClientRect().top]"""
            )
            assert 0 <= header <= top < bottom <= title < 900
            assert shown < 1.0, f"the panel took {shown:.2f} s"

            # Fixed: the image written as the build shows it, its file under assets/.
            story.write_text(good + "\n![The meeting](/assets/meeting.jpg)\n", encoding="utf-8")
            saved = time.monotonic()
            page.wait_for_selector(f"#{PANEL_ID}", state="detached", timeout=10_000)
            gone = time.monotonic() - saved
            page.wait_for_selector("img[alt='The meeting']")
            assert page.evaluate("document.querySelector(\"img[alt='The meeting']\").complete")
            assert gone < 1.0, f"the panel took {gone:.2f} s to go"
            page.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    said = (tmp_path / "serve.log").read_text()
    assert f"content/en/stories/oita-lsi.md:{line}:10: warning: expected a link" in said
    assert "sitegen: fixed: no errors or warnings left" in said
