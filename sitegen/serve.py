"""`sitegen serve`: build, serve on 127.0.0.1, rebuild what changed on each save, reload the browser."""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import os
import re
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from livereload.server import LiveScriptInjector, Server
from livereload.watcher import Watcher
from tornado import web
from tornado.log import access_log, gen_log

from .deps import WATCHED
from .errors import Diagnostic, Message, Translate, message_of, said, visible
from .layout import CONFIG_NAME
from .messages import speaking, translator
from .options import BuildOptions
from .outputs.publish import update_files
from .outputs.search import SearchIndexError, index_site
from .pipeline import Report, State, build


def error_page(report: Report) -> str:
    """What the browser shows while the last save has errors: each one with its file and line, in
    the editor's language (see messages.use)."""
    translate = translator(speaking())

    title = html.escape(said(Message("Build failed | sitegen"), translate))
    heading = html.escape(said(Message("The last save did not build"), translate))
    hint = html.escape(said(Message("Fix these and save again; this page reloads by itself."), translate))
    items = "\n".join(f"<li><code>{html.escape(d.format(translate))}</code></li>" for d in report.diagnostics if d.severity == "error")
    return f"""<!DOCTYPE html>
<html lang="{html.escape(speaking())}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1b2631}}h1{{color:#a4161a}}li{{margin:.6rem 0}}code{{white-space:pre-wrap}}</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{hint}</p>
<ol class="diagnostics">
{items}
</ol>
</main>
</body>
</html>
"""


def problems_on(report: Report, page: str, inputs: Collection[str]) -> list[Diagnostic]:
    """The errors and warnings of the last build that concern the output file `page`: the link check's
    found on that page, and the others at the page itself or at a file it is made from (`inputs`)."""
    out = []
    for diagnostic in report.diagnostics:
        if diagnostic.severity == "note":
            continue
        pages = report.found_on.get(diagnostic)
        if page in pages if pages is not None else diagnostic.path == page or diagnostic.path in inputs:
            out.append(diagnostic)
    return out


PANEL_ID = "sitegen-problems"
# First in the page's main content, under its header: a browser restores a reloaded page's scroll by the
# element that was at its top (the header), and would keep a panel above it out of sight.
_START = (re.compile(rb"<main\b[^>]*>"), re.compile(rb"<body\b[^>]*>"))


def problems_panel(problems: Sequence[Diagnostic], translate: Translate | None = None) -> str:
    """What the dev server shows at the top of a page while the last build found problems in what the
    page is made from: each one's file:line:col and message. It is in the page's flow, so it pushes the
    page down and hides nothing, and everything in it is escaped: messages quote what editors wrote."""
    items = []
    for diagnostic in problems:
        where = _where(diagnostic)
        what = diagnostic.format(translate)[len(where) + 2 :]  # severity, field and message
        items.append(f'<li><code style="font-weight:600">{html.escape(where)}</code> {html.escape(what)}</li>')
    warnings = sum(1 for d in problems if d.severity == "warning")
    errors = len(problems) - warnings

    parts = []
    if errors:
        parts.append(said(Message("1 error") if errors == 1 else Message("{count} errors", count=errors), translate))
    if warnings:
        parts.append(said(Message("1 warning") if warnings == 1 else Message("{count} warnings", count=warnings), translate))
    lang = "" if translate is not None else ' lang="en"'
    headline = html.escape(said(Message("sitegen serve: {counts} in what this page is made from.", counts=", ".join(parts)), translate))
    hint = html.escape(said(Message("Fix and save; this page reloads by itself. The published site has no such panel."), translate))
    return (
        f'<aside id="{PANEL_ID}" role="status"{lang} style="position:static;display:block;margin:0;padding:.75rem 1rem;'
        'background:#fff4e5;color:#1b2631;border-bottom:3px solid #b35c00;font:1rem/1.5 system-ui,sans-serif;overflow-wrap:anywhere">'
        f'<p style="margin:0 0 .25rem"><strong>{headline}</strong> {hint}</p>'
        f'<ul style="margin:0;padding-left:1.25rem">{"".join(items)}</ul></aside>'
    )


def with_panel(page: bytes, panel: str) -> bytes:
    """The page with the panel first in its main content, else in its body (a page without either is left as it is)."""
    for start in _START:
        match = start.search(page)
        if match is not None:
            return page[: match.end()] + panel.encode("utf-8") + page[match.end() :]
    return page


def _where(diagnostic: Diagnostic) -> str:
    """'path:line:col' as Diagnostic.format writes it."""
    where = visible(diagnostic.path)
    if diagnostic.line is not None:
        where += f":{diagnostic.line}"
        if diagnostic.column is not None:
            where += f":{diagnostic.column}"
    return where


class SearchRefresher:
    """Makes the search index again after saves, off the request path: one run at a time, and one
    more if saves came in meanwhile. Until it is done, search answers from the previous index."""

    def __init__(self, source: Path, out: Path):
        self.source = source
        self.out = out
        self._lock = threading.Lock()
        self._pending = False
        self.thread: threading.Thread | None = None

    def request(self) -> None:
        with self._lock:
            self._pending = True
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(target=self._run, name="sitegen-search")
            self.thread.start()

    def join(self) -> None:
        """Wait for the index under way (the server is stopping): no thread outlives the command."""
        with self._lock:
            self._pending = False
        if self.thread is not None:
            self.thread.join()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    return
                self._pending = False
            try:
                update_files(index_site(self.out), [], self.out, self.source)
            except (SearchIndexError, OSError) as exc:
                failed = Message("the search index was not refreshed: {error}", error=message_of(exc))
                print(visible(f"sitegen: {said(failed, translator(speaking()))}"))


class SaveWatcher(Watcher):
    """livereload's watcher, told of saves by watchfiles (the kernel's notifications, on a thread of
    its own that ends with the server): the rebuild runs on the server's loop and is told which files
    changed, so it scans nothing."""

    def __init__(self, source: Path, rebuild: Callable[[set[str]], bool]):
        super().__init__()
        self.source = source
        self.rebuild = rebuild
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.filepath: str | None = None

    def start(self, callback: Callable[[], None]) -> bool:
        from tornado import ioloop

        loop = ioloop.IOLoop.current()

        def changed(paths: set[str]) -> None:
            if self.rebuild(paths):
                self.filepath = "*"
                callback()  # livereload's poll_tasks: examine(), then reload the browsers

        def watch() -> None:
            import watchfiles

            inputs = [str(self.source / name) for name in (CONFIG_NAME, *WATCHED) if (self.source / name).exists()]
            root = self.source.resolve()
            # yield_on_timeout: the first (empty) yield says the kernel is watching, so `ready` is set.
            for changes in watchfiles.watch(*inputs, stop_event=self.stop, debounce=50, step=20, rust_timeout=100, yield_on_timeout=True):
                ready.set()
                paths = {Path(path).resolve().relative_to(root).as_posix() for _, path in changes if Path(path).resolve().is_relative_to(root)}
                if paths:
                    loop.add_callback(changed, paths)

        ready = threading.Event()
        self.thread = threading.Thread(target=watch, name="sitegen-watch")
        self.thread.start()
        # The server answers only once saves are seen: an editor's first save is never missed.
        ready.wait(timeout=10)
        return True  # livereload starts no polling

    def examine(self) -> tuple[str | None, Any]:
        if self._changes:  # livereload's own messages, such as the reload after a restart
            return self._changes.pop()
        filepath, self.filepath = self.filepath, None
        return filepath, None

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


@dataclass(frozen=True)
class Audience:
    """Who the dev server answers: a browser that reached it at the address it listens on.

    A page of another site may point at http://127.0.0.1:8000/, or have its own name resolve to
    127.0.0.1 (DNS rebinding), and so read the site or follow its saves: its requests carry that
    other name as Host or Origin, and are refused."""

    names: frozenset[str]  # Host header values, lowercased: host:port (and the bare host on port 80)
    port: int
    main: str  # the address to open the site at
    any_ip: bool = False  # listening on every address: any IP literal too (no DNS name can rebind one)

    @classmethod
    def listening_on(cls, host: str, port: int) -> Audience:
        """127.0.0.1, localhost and [::1] (this machine's own names), and the address given to --host."""
        given = host.strip().lower()
        wildcard = given in ("", "0.0.0.0", "::", "[::]")
        if ":" in given and not given.startswith("["):
            given = f"[{given}]"
        main = "127.0.0.1" if wildcard else given
        hosts = {"127.0.0.1", "localhost", "[::1]", main}
        names = {f"{name}:{port}" for name in hosts} | (hosts if port == 80 else set())
        return cls(frozenset(names), port, main if port == 80 else f"{main}:{port}", wildcard)

    @property
    def url(self) -> str:
        return f"http://{self.main}/"

    def accepts_host(self, value: str) -> bool:
        """Whether a Host header (or an Origin's host:port) names this server."""
        value = value.strip().lower()
        if value in self.names:
            return True
        if not self.any_ip:
            return False
        host, port = _split_host(value)
        if port != str(self.port) and not (port == "" and self.port == 80):
            return False
        try:
            ipaddress.ip_address(host[1:-1] if host.startswith("[") else host)
        except ValueError:
            return False
        return True

    def accepts_origin(self, origin: str) -> bool:
        """Whether an Origin header (http://host:port) is a page of this server."""
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return parts.scheme == "http" and parts.path in ("", "/") and self.accepts_host(parts.netloc)


def _split_host(value: str) -> tuple[str, str]:
    """'host:port' (or '[v6]:port') -> (host, port); the port is '' when not given."""
    if value.startswith("["):
        host, bracket, rest = value.partition("]")
        return host + bracket, rest[1:] if rest.startswith(":") else rest
    host, _, port = value.partition(":") if value.count(":") == 1 else (value, "", "")
    return host, port


# The application setting that hands the Audience to every handler.
AUDIENCE = "sitegen_audience"


def refuse(handler: web.RequestHandler, why: str) -> None:
    """403 with a plain message (which repeats nothing the request sent)."""
    handler.set_status(403)
    handler.set_header("Content-Type", "text/plain; charset=utf-8")
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.finish(f"403 Forbidden: {said(why, translator(speaking()))}\n")


class Guarded(web.RequestHandler):
    """A handler that answers only requests addressed to this server by its own name."""

    def refusal(self) -> str | None:
        """Why this request is refused, or None."""
        audience: Audience | None = self.settings.get(AUDIENCE)
        if audience is None:
            return Message("this server was started without the addresses it answers at")
        host = self.request.headers.get("Host")
        if host is not None and not audience.accepts_host(host):  # no Host: not a browser, nothing to rebind
            return Message("sitegen serve answers only at {url} (and localhost); open the site there", url=audience.url)
        return None

    def prepare(self) -> None:
        why = self.refusal()
        if why is not None:
            refuse(self, why)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Tornado's warning for a bad request (such as /%ff), with the path shown as in diagnostics."""
        if isinstance(value, web.HTTPError):
            if value.log_message:
                message = visible(value.log_message % value.args)
                gen_log.warning("%d %s %s: %s", value.status_code, self.request.method, visible(self.request.uri or ""), message)
        else:
            super().log_exception(typ, value, tb)


def cross_site(handler: web.RequestHandler, audience: Audience) -> str | None:
    """Why a request that acts (reloads every browser) is refused: a page of another site sent it."""
    headers = handler.request.headers
    if headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return Message("only pages of this site may reload it")
    origin = headers.get("Origin")
    if origin is not None and not audience.accepts_origin(origin):
        return Message("only pages of this site may reload it")
    referer = headers.get("Referer")  # an <img> of an older browser sends no Origin nor Sec-Fetch-Site
    if referer is not None and not audience.accepts_origin(_origin_of(referer)):
        return Message("only pages of this site may reload it")
    return None


def _origin_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class GuardedLiveReload(Guarded, LiveReloadHandler):
    """livereload's WebSocket, for pages of this server only (livereload accepts every Origin)."""

    def refusal(self) -> str | None:
        # Checked here, before Tornado's own check: since 6.6 it skips check_origin when the Origin's
        # host:port is the Host's, whatever its scheme or path.
        origin = self.request.headers.get("Origin")
        if origin is not None and not self.settings[AUDIENCE].accepts_origin(origin):
            return Message("live reload talks only to pages of this site")
        return super().refusal()

    def check_origin(self, origin: str) -> bool:
        return self.settings[AUDIENCE].accepts_origin(origin)

    def on_message(self, message: str | bytes) -> None:
        """livereload's handshake; what is not its JSON closes the socket (it raised inside livereload), and the
        page's URL it logs is shown as in diagnostics."""
        try:
            data = json.loads(message)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("command"), str):
            self.close(1003, "expected livereload's JSON messages")
            return
        if "url" in data:
            data["url"] = visible(str(data["url"]))
        super().on_message(json.dumps(data))


class GuardedForceReload(Guarded, ForceReloadHandler):
    """livereload's /forcereload (reload every browser), which any page of any site could call."""

    def refusal(self) -> str | None:
        return super().refusal() or cross_site(self, self.settings[AUDIENCE])


class GuardedLiveReloadJS(Guarded, LiveReloadJSHandler):
    pass


def log_request(handler: web.RequestHandler) -> None:
    """Tornado's access log line, with the path shown as in diagnostics (it may hold C1 controls)."""
    status = handler.get_status()
    log = access_log.info if status < 400 else access_log.warning if status < 500 else access_log.error
    request = handler.request
    log("%d %s %s (%s) %.2fms", status, request.method, visible(request.uri or ""), request.remote_ip, 1000 * request.request_time())


class SiteServer(Server):
    """livereload's Server, its application made of the guarded handlers above, on one port."""

    # livereload's snippet (Server.application), which loads livereload.js from the page's own host and port.
    LIVE_SCRIPT = (
        b'<script type="text/javascript">(function(){'
        b'var s=document.createElement("script");'
        b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
        b's.src="//"+window.location.hostname+":"+port'
        b'+ "/livereload.js?port=" + port;'
        b"document.head.appendChild(s);"
        b"})();</script>"
    )

    def application(self, port: int, host: str, liveport: int | None = None, debug: bool | None = None, live_css: bool = True) -> web.Application:
        if liveport:
            raise ValueError("sitegen serve reloads on the port it serves")
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        # livereload drops a reload that comes within 3 s of the last: a quick fix after a mistake never reached
        # the browser. Saves are debounced by the watcher and reload only when the site changed.
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0

        class Injector(LiveScriptInjector):
            script = self.LIVE_SCRIPT

        handlers = [
            (r"/livereload", GuardedLiveReload),
            (r"/forcereload", GuardedForceReload),
            (r"/livereload.js", GuardedLiveReloadJS),
            *self.get_web_handlers(self.LIVE_SCRIPT),
        ]
        settings: dict[str, Any] = {AUDIENCE: Audience.listening_on(host, port), "log_function": log_request}
        app = web.Application(handlers=handlers, transforms=[Injector], **settings)
        app.listen(port, address=host)
        return app


def make_handler(last: Callable[[], Report | None], inputs_of: Callable[[str], Collection[str]] = lambda page: (), translate: Translate | None = None) -> type:
    """A static file handler for the output folder that never serves a file outside it. A page is served
    with a panel of the problems that concern it (see problems_on; `inputs_of`: the files a page is made from)."""
    from tornado.web import HTTPError

    class SiteHandler(Guarded, StaticFileHandler):
        async def get(self, path: str, include_body: bool = True) -> None:
            # The path arrives decoded (%2e%2e is ..); resolved, with symlinks followed, it must stay inside.
            if "\0" in path:  # /%00: realpath would raise ValueError, a 500
                raise HTTPError(404)
            real_root = os.path.realpath(self.root)
            real = os.path.realpath(os.path.join(real_root, path))
            if real != real_root and not real.startswith(real_root + os.sep):
                raise HTTPError(404)
            report = last()
            if report is not None and not report.ok and (path == "" or path.endswith(("/", ".html"))):
                self.set_status(500)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(error_page(report))
                return
            if report is not None and include_body and (path == "" or path.endswith(("/", ".html"))):
                page = path + "index.html" if path == "" or path.endswith("/") else path
                problems = problems_on(report, page, inputs_of(page))
                file = os.path.realpath(os.path.join(real, "index.html") if page != path else real)
                if problems and file.startswith(real_root + os.sep) and os.path.isfile(file):
                    with open(file, "rb") as opened:
                        data = with_panel(opened.read(), problems_panel(problems, translate))
                    self.set_header("Content-Type", "text/html; charset=utf-8")
                    self.set_header("Cache-Control", "no-store")  # the panel goes when the problem does
                    self.set_header("Etag", f'"{hashlib.sha256(data).hexdigest()[:32]}"')  # (the static handler's is the file's)
                    self.finish(data)
                    return
            await StaticFileHandler.get(self, path, include_body)  # (Guarded has no get)

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            not_found = Path(self.root) / "404.html"
            if status_code == 404 and not_found.is_file():
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(not_found.read_bytes())
            else:
                super().write_error(status_code, **kwargs)

    return SiteHandler


def serve(
    source: Path,
    out: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    languages: tuple[str, ...] | None = None,
    pdf: bool = False,
    say: Callable[[str], None] = lambda text: print(text, flush=True),  # at once, in a log too
    drafts: bool = True,  # an editor previews what they write: drafts shown, with a banner
    future: bool = False,
    translate: Translate | None = None,  # sitegen's messages in the editor's language
) -> None:
    state = State()
    # The first build renders on every core; later ones, made while the server's threads run, in
    # this process only (forking a process with threads running is asking for deadlocks).
    options = BuildOptions(source=source, out=out, languages=languages, pdf=pdf, search=True, jobs=os.cpu_count() or 1, drafts=drafts, future=future)
    reports: list[Report] = []
    refresher = SearchRefresher(source, out)

    def rebuild(changed: set[str] | None = None) -> bool:
        """Build what changed; True when the browser should reload."""
        report = build(options if not reports else replace(options, jobs=1, search=False), state=state, changed=changed)
        if reports and not report.changed:  # no input changed (a swap file, a folder): the last build's problems stand
            return False
        before = _problems(reports[0]) if reports else []
        reports[:] = [report]
        if report.ok and not report.whole and any(p.endswith(".html") for p in report.written + report.deleted):
            refresher.request()
        problems = _problems(report)
        if report.written or report.deleted or problems != before:
            say(f"sitegen: {visible(said(summary(report), translate))}")
            for diagnostic in problems:
                say(diagnostic.format(translate))
            if before and not problems:
                fixed = Message("fixed: no errors or warnings left")
                say(f"sitegen: {said(fixed, translate)}")
            return True
        return False

    rebuild()
    out.mkdir(parents=True, exist_ok=True)
    watcher = SaveWatcher(source, rebuild)
    server = SiteServer(watcher=watcher)
    server.SFH = make_handler(lambda: reports[0] if reports else None, lambda page: state.graph.deps.get(page, frozenset()), translate)
    serving = Message("serving {out} on {url}, told of saves by the kernel (Ctrl-C to stop)", out=str(out), url=f"http://{host}:{port}/")
    say(f"sitegen: {said(serving, translate)}")
    try:
        server.serve(host=host, port=port, root=str(out), restart_delay=0)
    finally:
        watcher.close()
        refresher.join()


def _problems(report: Report) -> list[Diagnostic]:
    return [d for d in report.diagnostics if d.severity != "note"]


def summary(report: Report) -> Message:
    """'3 files: content/ko/stories/oita-lsi.md changed (12 ms)', as an editor reads it."""
    seconds = sum(report.timings.values())
    if not report.ok:
        errors = sum(1 for d in report.diagnostics if d.severity == "error")
        if errors == 1:
            return Message("{count} error; the browser shows them", count=errors)
        return Message("{count} errors; the browser shows them", count=errors)
    written = len(report.written)
    what = Message("{count} file", count=written) if written == 1 else Message("{count} files", count=written)
    if report.deleted:
        what = Message("{written}, {count} removed", written=what, count=len(report.deleted))
    files = ", ".join(report.changed[:3])
    if report.whole:
        why = Message("every page")
    elif len(report.changed) > 3:
        why = Message("{files} and more changed", files=files)
    else:
        why = Message("{files} changed", files=files)
    warnings = sum(1 for d in report.diagnostics if d.severity == "warning")
    also: str = ""
    if warnings == 1:
        also = Message("; {count} warning, on the pages they concern", count=warnings)
    elif warnings:
        also = Message("; {count} warnings, on the pages they concern", count=warnings)
    return Message("{what}: {why} ({ms} ms){also}", what=what, why=why, ms=f"{seconds * 1000:.0f}", also=also)
