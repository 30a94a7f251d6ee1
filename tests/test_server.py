"""The real dev server: it listens on 127.0.0.1, serves the site with live reload, and nothing outside."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time

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
    log = open(tmp_path / "serve.log", "w")
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
    root, port = server
    status, body = fetch(port, "/en/stories/oita-lsi/")
    assert status == 200
    assert b"Chungcheong and the Oita LSI cluster" in body
    assert b"livereload.js" in body
    # The listening socket, from the kernel's table: bound to 127.0.0.1 (0100007F), not to every address.
    table = open("/proc/net/tcp").read().splitlines()[1:] + open("/proc/net/tcp6").read().splitlines()[1:]
    local = [line.split()[1] for line in table if line.split()[3] == "0A" and line.split()[1].endswith(f":{port:04X}")]
    assert local == [f"0100007F:{port:04X}"]


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/en/..%2f..%2f..%2f..%2fetc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/static/../../site.yaml",
    "/leak.txt",
])
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


def wait_for(port: int, path: str, text: bytes, seconds: float = 20) -> bytes:
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
