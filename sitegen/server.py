"""`sitegen serve`: build, serve on 127.0.0.1, rebuild what changed on each save, reload the browser."""

from __future__ import annotations

import html
import os
import threading
from pathlib import Path
from typing import Any, Callable

from livereload.watcher import Watcher

from .deps import WATCHED
from .layout import CONFIG_NAME
from .output import write_files
from .rebuild import RebuildReport, Rebuilder
from .search import INDEX_DIR, SearchIndexError, index_outputs
from .watch import Inotify


def error_page(report: RebuildReport) -> str:
    """What the browser shows while the last save has errors: each one with its file and line."""
    items = "\n".join(
        f"<li><code>{html.escape(d.format())}</code></li>" for d in report.diagnostics if d.severity == "error"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed | sitegen</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1b2631}}h1{{color:#a4161a}}li{{margin:.6rem 0}}code{{white-space:pre-wrap}}</style>
</head>
<body>
<main>
<h1>The last save did not build</h1>
<p>Fix these and save again; this page reloads by itself.</p>
<ol class="diagnostics">
{items}
</ol>
</main>
</body>
</html>
"""


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
            self.thread = threading.Thread(target=self._run, name="sitegen-search", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    return
                self._pending = False
            bundle = self.out / INDEX_DIR
            pages = {
                p.relative_to(self.out).as_posix(): p.read_bytes()
                for p in self.out.rglob("*.html")
                if not p.is_relative_to(bundle)
            }
            try:
                write_files(index_outputs(pages), self.out, self.source)
            except (SearchIndexError, OSError) as exc:
                print(f"sitegen: the search index was not refreshed: {exc}")


class KernelWatcher(Watcher):
    """livereload's watcher, told of each save by the kernel (inotify) instead of polling every
    file: the rebuild starts at once and is told which files changed, so it scans nothing."""

    def __init__(self, source: Path, rebuild: Callable[[set[str] | None], bool]):
        super().__init__()
        self.inotify = Inotify(source)
        self.rebuild = rebuild
        self.filepath: str | None = None

    def start(self, callback: Callable[[], None]) -> bool:
        from tornado import ioloop

        def ready(fd: int, events: int) -> None:
            if self.rebuild(self.inotify.changes()):
                self.filepath = "*"
                callback()  # livereload's poll_tasks: examine(), then reload the browsers

        ioloop.IOLoop.current().add_handler(self.inotify.fd, ready, ioloop.IOLoop.READ)
        return True  # livereload starts no polling

    def examine(self) -> tuple[str | None, Any]:
        if self._changes:  # livereload's own messages, such as the reload after a restart
            return self._changes.pop()
        filepath, self.filepath = self.filepath, None
        return filepath, None


def make_handler(rebuilder: Rebuilder) -> type:
    """A static file handler for the output folder that never serves a file outside it."""
    from livereload.handlers import StaticFileHandler
    from tornado.web import HTTPError

    class SiteHandler(StaticFileHandler):  # type: ignore[misc]
        async def get(self, path: str, include_body: bool = True) -> None:
            # The path arrives decoded (%2e%2e is ..); resolved, with symlinks followed, it must stay inside.
            real_root = os.path.realpath(self.root)
            real = os.path.realpath(os.path.join(real_root, path))
            if "\0" in path or (real != real_root and not real.startswith(real_root + os.sep)):
                raise HTTPError(404)
            last = rebuilder.last
            if last is not None and not last.ok and (path == "" or path.endswith(("/", ".html"))):
                self.set_status(500)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(error_page(last))
                return
            await super().get(path, include_body)

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
) -> None:
    from livereload import Server

    rebuilder = Rebuilder(source, out, languages, pdf)
    refresher = SearchRefresher(source, out)

    def rebuild(changed: set[str] | None = None) -> bool:
        """Rebuild; True when the browser should reload."""
        report = rebuilder.rebuild(changed=changed)
        if report.ok and not report.full and any(p.endswith(".html") for p in report.written + report.deleted):
            refresher.request()
        if report.written or report.deleted or not report.ok or report.full:
            say(f"sitegen: {report.summary()}")
            for diagnostic in report.diagnostics:
                if diagnostic.severity == "error":
                    say(diagnostic.format())
            return True
        return False

    # The first build renders on every core; later ones, made while the server's threads run, in
    # this process only (forking a process with threads running is asking for deadlocks).
    rebuilder.jobs = os.cpu_count() or 1
    rebuild()
    rebuilder.jobs = 1
    out.mkdir(parents=True, exist_ok=True)
    try:
        server, watching = Server(watcher=KernelWatcher(source, rebuild)), "told of saves by the kernel"
    except (OSError, AttributeError):  # no inotify here: livereload polls every file instead
        server, watching = Server(), "polling for saves"
    server.SFH = make_handler(rebuilder)
    for name in (CONFIG_NAME, *WATCHED):
        if (source / name).exists():
            # Without arguments: livereload would hand a function that takes one its own list of files.
            server.watch(str(source / name), lambda: rebuild())
    say(f"sitegen: serving {out} on http://{host}:{port}/, {watching} (Ctrl-C to stop)")
    server.serve(host=host, port=port, root=str(out), restart_delay=0)
