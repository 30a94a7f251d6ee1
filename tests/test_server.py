"""The real dev server: it listens on 127.0.0.1, serves the site with live reload, and nothing outside."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)  # the path goes out exactly as written
    connection.endheaders()
    response = connection.getresponse()
    return response.status, response.read()


@pytest.fixture
def server(make_site, tmp_path):
    root = make_site()
    port = free_port()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  # the server writes into it until the test ends
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--source", str(root), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, "/en/")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail((tmp_path / "serve.log").read_text())
    yield root, port
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_serves_pages_with_live_reload_on_loopback_only(server):
    _root, port = server
    status, body = fetch(port, "/en/stories/oita-lsi/")
    assert status == 200
    assert b"Chungcheong and the Oita LSI cluster" in body
    assert b"livereload.js" in body
    # The listening socket, from the kernel's table: bound to 127.0.0.1 (0100007F), not to every address.
    table = Path("/proc/net/tcp").read_text().splitlines()[1:] + Path("/proc/net/tcp6").read_text().splitlines()[1:]
    local = [line.split()[1] for line in table if line.split()[3] == "0A" and line.split()[1].endswith(f":{port:04X}")]
    assert local == [f"0100007F:{port:04X}"]


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/en/..%2f..%2f..%2f..%2fetc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/static/../../site.yaml",
        "/leak.txt",
    ],
)
def test_nothing_outside_the_served_folder_is_served(server, path):
    root, port = server
    os.symlink(root / "site.yaml", root / ".sitegen-cache/serve/leak.txt")
    status, body = fetch(port, path)
    assert status == 404
    assert b"root:" not in body and b"base_url" not in body


def test_unknown_pages_get_the_sites_404_page(server):
    _, port = server
    status, body = fetch(port, "/en/no-such-page/")
    assert status == 404
    assert b'<html lang="ko">' in body and b"../static/style.css" not in body  # the site's own 404 page, with absolute links


def wait_for(port: int, path: str, text: bytes, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = fetch(port, path)
        if status == 200 and text in body:
            return body
        time.sleep(0.05)
    pytest.fail(f"{path} never showed {text!r}; last: {status} {body[:200]!r}")


def test_a_save_reaches_the_served_page_and_a_new_file_gets_its_page(server, tmp_path):
    root, port = server
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Chungcheong and the Oita LSI cluster", "Saved just now"), encoding="utf-8")
    wait_for(port, "/en/stories/oita-lsi/", b"Saved just now")
    new = root / "content/en/pages/welcome.md"
    new.parent.mkdir()  # a new folder too: the watcher watches it from then on
    new.write_text("---\ntitle: Welcome\n---\nHello.\n", encoding="utf-8")
    (root / "content/ko/pages/welcome.md").write_text("---\ntitle: 환영\n---\n안녕하세요.\n", encoding="utf-8")
    wait_for(port, "/en/welcome/", b"Welcome")
    new.write_text("---\ntitle: Welcome again\n---\nHello.\n", encoding="utf-8")  # in the folder made while serving
    wait_for(port, "/en/welcome/", b"Welcome again")
    log = (tmp_path / "serve.log").read_text()
    assert "told of saves by the kernel" in log  # inotify, not livereload's polling
    assert "content/en/stories/oita-lsi.md changed" in log


# Issue 24, item 12: a page of another site, or a name that resolves to 127.0.0.1 (DNS rebinding),
# must neither read the dev server nor drive its live reload.
WEBSOCKET = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}


def ask(port: int, path: str = "/en/", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A GET with exactly these headers (Host too, when given): the status, and the body unless the socket was upgraded."""
    headers = headers or {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host="Host" in headers, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = b"" if response.status == 101 else response.read()
    connection.close()
    return response.status, body


def other_hosts(port: int) -> list[str]:
    return [
        "evil.example",
        f"evil.example:{port}",
        f"127.0.0.1.nip.io:{port}",
        f"localtest.me:{port}",
        f"localhost.:{port}",
        f"127.0.0.1:{port + 1}",
        f"127.0.0.2:{port}",
        f"0.0.0.0:{port}",
        f"2130706433:{port}",
        f"0x7f000001:{port}",
        f"127.1:{port}",
        f"127.0.0.1:{port}.evil.example",
        "127.0.0.1",
        "localhost",
        "[::1]",
        f"[::ffff:127.0.0.1]:{port}",
        "",
    ]


def test_the_dev_server_answers_only_to_its_own_names(server):
    """A page reached under any other name gets 403 and a plain message, whatever it asks for."""
    _, port = server
    own = {host: ask(port, "/en/", {"Host": host})[0] for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}")}
    assert own == dict.fromkeys(own, 200)
    for path in ("/en/", "/en/no-such-page/", "/livereload.js", "/forcereload", "/%00"):
        answers = {host: ask(port, path, {"Host": host}) for host in other_hosts(port)}
        assert {host: status for host, (status, _) in answers.items()} == dict.fromkeys(answers, 403), path
        assert {body for _, body in answers.values()} == {
            f"403 Forbidden: sitegen serve answers only at http://127.0.0.1:{port}/ (and localhost); open the site there\n".encode()
        }
    upgrades = {host: ask(port, "/livereload", {"Host": host, "Origin": f"http://{host}", **WEBSOCKET})[0] for host in other_hosts(port)}
    assert upgrades == dict.fromkeys(upgrades, 403)  # DNS rebinding: Origin and Host agree, and name another site
    malformed = {host: ask(port, "/en/", {"Host": host})[0] for host in (f"127.0.0.1:{port}@evil.example", f"127.0.0.1:{port} evil.example")}
    assert malformed == dict.fromkeys(malformed, 400)  # refused by Tornado before any handler


def test_live_reload_talks_only_to_pages_of_the_site(server):
    _, port = server
    refused = [
        "http://evil.example",
        "null",
        f"https://127.0.0.1:{port}",
        f"http://127.0.0.1:{port + 1}",
        f"http://127.0.0.1.nip.io:{port}",
        f"http://localhost:{port}.evil.example",
        f"http://127.0.0.1:{port}@evil.example",
        "file://",
        f"http://127.0.0.1:{port}/page",
    ]
    answers = {origin: ask(port, "/livereload", {"Origin": origin, **WEBSOCKET})[0] for origin in refused}
    assert answers == dict.fromkeys(refused, 403)
    allowed = {origin: ask(port, "/livereload", {"Origin": origin, **WEBSOCKET})[0] for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}")}
    assert allowed == dict.fromkeys(allowed, 101)
    assert ask(port, "/livereload", WEBSOCKET)[0] == 101  # no Origin: not a browser


def test_another_site_cannot_force_a_reload(server):
    """/forcereload reloads every open page: an <img> or fetch() of another site must not reach it."""
    _, port = server
    cross = [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},  # an <img> of another site: no Origin sent
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.localhost"},
        {"Referer": "http://evil.example/page.html"},  # an older browser's <img>
        {"Sec-Fetch-Site": "same-origin", "Origin": f"http://evil.example:{port}"},
    ]
    answers = [ask(port, "/forcereload", headers) for headers in cross]
    assert answers == [(403, b"403 Forbidden: only pages of this site may reload it\n")] * len(cross)
    own = [
        {},  # curl, an editor's plugin
        {"Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{port}", "Referer": f"http://127.0.0.1:{port}/en/"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar
    ]
    assert [ask(port, "/forcereload", headers) for headers in own] == [(200, b"ok")] * len(own)


def test_a_page_of_the_site_is_reloaded_when_asked_and_junk_closes_its_socket(server, tmp_path):
    import asyncio
    import json

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    _, port = server

    async def browser() -> tuple[str, str, int | None]:
        socket = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{port}/livereload", headers={"Origin": f"http://127.0.0.1:{port}"}))
        await socket.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        hello = await asyncio.wait_for(socket.read_message(), 10)
        await socket.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/en/\x1b[2J\n::error::forged"}))
        await asyncio.sleep(0.2)
        await asyncio.get_running_loop().run_in_executor(None, ask, port, "/forcereload?path=/en/")
        reload = await asyncio.wait_for(socket.read_message(), 10)
        await socket.write_message("not livereload's JSON")
        await asyncio.wait_for(socket.read_message(), 10)  # None: closed
        return json.loads(hello)["command"], json.loads(reload)["command"], socket.close_code

    assert asyncio.run(browser()) == ("hello", "reload", 1003)
    log = (tmp_path / "serve.log").read_text()
    assert f"Browser Connected: http://127.0.0.1:{port}/en/\\x1b[2J\\n::error::forged" in log
    assert "\x1b" not in log and "\n::error" not in log and "Traceback" not in log


BAD_PATHS = [
    "/%00",
    "/a%00b.html",
    "/en/%00/",
    "/%00/../site.yaml",
    "/%ff",
    "/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd",
    "/%",
    "/%zz",
    "/" + "a" * 300,
    "/en/" + "b" * 300 + "/",
    "/%1b%5b2J",
    "/%E2%80%AE",
    "/%C2%9B2J",
    "/en/index.html%00.txt",
    "//etc/passwd",
]
RAW_TARGETS = [b"/\x9b2J", b"/\xc2\x9b2J", b"/\xe2\x80\xae", b"/\xff", b"/\x1b[2J"]  # bytes no client library sends


def ask_raw(port: int, target: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port)
        return int(sock.makefile("rb").readline().split()[1])


def test_a_bad_path_is_a_404_or_400_with_no_traceback(server, tmp_path):
    _, port = server
    answers = {path: ask(port, path)[0] for path in BAD_PATHS} | {target: ask_raw(port, target) for target in RAW_TARGETS}
    assert {path: status for path, status in answers.items() if status not in (400, 404)} == {}
    assert ask(port, "/en/")[0] == 200
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log and " 500 " not in log
    assert not [line for line in log.splitlines() if any("\x80" <= char <= "\x9f" or char == "\x1b" for char in line)]


def test_the_names_a_dev_server_answers_to_follow_its_host_option():
    from sitegen.serve import Audience

    default = Audience.listening_on("127.0.0.1", 8000)
    assert default.url == "http://127.0.0.1:8000/"
    assert [default.accepts_host(h) for h in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "192.168.1.5:8000", "evil.example:8000")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    lan = Audience.listening_on("0.0.0.0", 8000)  # every address: a phone on the LAN uses the machine's IP
    assert [lan.accepts_host(h) for h in ("192.168.1.5:8000", "[fe80::1]:8000", "192.168.1.5:8001", "1.2.3.4.nip.io:8000", "mybox.lan:8000")] == [
        True,
        True,
        False,
        False,
        False,
    ]
    named = Audience.listening_on("mybox.lan", 8000)
    assert named.url == "http://mybox.lan:8000/" and named.accepts_host("MyBox.lan:8000") and named.accepts_origin("http://mybox.lan:8000")
    v6 = Audience.listening_on("::1", 80)
    assert v6.url == "http://[::1]/" and v6.accepts_host("[::1]") and v6.accepts_host("localhost") and not v6.accepts_host("[::1]:8080")


# Issue 29: the dev server shows a page's warnings on that page, escaped; `sitegen build` never does.
HOSTILE_IMAGE = '\n![The meeting][meeting]\n\n[meeting]: "meeting&lt;script&gt;alert(1)&lt;/script&gt;.jpg\n'


def test_the_problems_panel_is_escaped_and_only_on_the_pages_it_concerns(make_site):
    from conftest import text_of
    from sitegen.options import BuildOptions
    from sitegen.pipeline import State, build
    from sitegen.serve import PANEL_ID, problems_on, problems_panel, with_panel

    root = make_site()
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + HOSTILE_IMAGE, encoding="utf-8")
    state = State()
    report = build(BuildOptions(source=root, out=root / "served", pdf=False, search=False), state=state)
    assert report.ok

    def served(page: str) -> ET.Element:
        problems = problems_on(report, page, state.graph.deps[page])
        data = (root / "served" / page).read_bytes()
        return html5lib.parse(with_panel(data, problems_panel(problems)) if problems else data, namespaceHTMLElements=False)

    page = served("en/stories/oita-lsi/index.html")
    panel = page.find(".//main")[0]
    assert (panel.tag, panel.get("id")) == ("aside", PANEL_ID)  # first in the main content, in its flow
    assert "position:static" in panel.get("style")
    items = [text_of(li) for li in panel.iter("li")]
    assert len(items) == 1
    assert items[0].startswith("templates/story.html warning: expected a link to a page of the site")
    assert "'\"meeting<script>alert(1)</script>.jpg'" in items[0]  # the editor's text, shown as text
    unchanged = html5lib.parse((root / "served/en/stories/oita-lsi/index.html").read_bytes(), namespaceHTMLElements=False)
    assert len(page.findall(".//script")) == len(unchanged.findall(".//script"))  # no script came with the message
    for other in ("ko/stories/oita-lsi/index.html", "en/stories/index.html", "en/index.html"):
        assert served(other).find(f".//aside[@id='{PANEL_ID}']") is None, other


def test_a_published_build_has_no_problems_panel(make_site):
    from conftest import build_into

    root = make_site()
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + HOSTILE_IMAGE, encoding="utf-8")
    report = build_into(root)
    assert report.ok and any(d.severity == "warning" for d in report.diagnostics)
    pages = list((root / "public").rglob("*.html"))
    assert pages and not [path for path in pages if b"sitegen-problems" in path.read_bytes()]


def test_a_warning_is_served_on_its_page_and_in_the_terminal_until_fixed(server, tmp_path):
    root, port = server
    story = root / "content/en/stories/oita-lsi.md"
    good = story.read_text(encoding="utf-8")
    story.write_text(good + "\n![The meeting][photo]\n\n[photo]: meeting.jpg\n", encoding="utf-8")
    body = wait_for(port, "/en/stories/oita-lsi/", b'id="sitegen-problems"')
    panel = html5lib.parse(body, namespaceHTMLElements=False).find(".//aside[@id='sitegen-problems']")
    assert "content/en/stories/oita-lsi.md:10:10 warning: expected a link to a page of the site, found 'meeting.jpg'" in "".join(panel.itertext())
    assert b"sitegen-problems" not in fetch(port, "/ko/stories/oita-lsi/")[1]  # the Korean page has no such image
    story.write_text(good, encoding="utf-8")
    deadline = time.monotonic() + 60
    while b"sitegen-problems" in fetch(port, "/en/stories/oita-lsi/")[1]:
        assert time.monotonic() < deadline, "the panel stayed after the fix"
        time.sleep(0.05)
    log = (tmp_path / "serve.log").read_text()
    assert "content/en/stories/oita-lsi.md:10:10: warning: expected a link" in log
    assert "1 warning, on the pages they concern" in log
    assert "sitegen: fixed: no errors or warnings left" in log  # printed before the page was served again
