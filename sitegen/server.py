"""`sitegen serve`: build, serve on 127.0.0.1, rebuild what changed on each save, reload the browser."""

from __future__ import annotations

import html
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from livereload.watcher import Watcher

from .deps import WATCHED
from .layout import CONFIG_NAME
from .options import BuildOptions
from .output import update_files
from .pipeline import Report, State, build
from .search import SearchIndexError, index_site


def error_page(report: Report) -> str:
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
                print(f"sitegen: the search index was not refreshed: {exc}")


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
            for changes in watchfiles.watch(*inputs, stop_event=self.stop, debounce=50, step=20):
                paths = {Path(path).resolve().relative_to(root).as_posix() for _, path in changes if Path(path).resolve().is_relative_to(root)}
                loop.add_callback(changed, paths)

        self.thread = threading.Thread(target=watch, name="sitegen-watch")
        self.thread.start()
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


def make_handler(last: Callable[[], Report | None]) -> type:
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
            report = last()
            if report is not None and not report.ok and (path == "" or path.endswith(("/", ".html"))):
                self.set_status(500)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(error_page(report))
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

    state = State()
    # The first build renders on every core; later ones, made while the server's threads run, in
    # this process only (forking a process with threads running is asking for deadlocks).
    options = BuildOptions(source=source, out=out, languages=languages, pdf=pdf, search=True, jobs=os.cpu_count() or 1)
    reports: list[Report] = []
    refresher = SearchRefresher(source, out)

    def rebuild(changed: set[str] | None = None) -> bool:
        """Build what changed; True when the browser should reload."""
        report = build(options if not reports else replace(options, jobs=1, search=False), state=state, changed=changed)
        reports[:] = [report]
        if report.ok and not report.whole and any(p.endswith(".html") for p in report.written + report.deleted):
            refresher.request()
        if report.written or report.deleted or not report.ok:
            say(f"sitegen: {summary(report)}")
            for diagnostic in report.diagnostics:
                if diagnostic.severity == "error":
                    say(diagnostic.format())
            return True
        return False

    rebuild()
    out.mkdir(parents=True, exist_ok=True)
    watcher = SaveWatcher(source, rebuild)
    server = Server(watcher=watcher)
    server.SFH = make_handler(lambda: reports[0] if reports else None)
    say(f"sitegen: serving {out} on http://{host}:{port}/, told of saves by the kernel (Ctrl-C to stop)")
    try:
        server.serve(host=host, port=port, root=str(out), restart_delay=0)
    finally:
        watcher.close()
        refresher.join()


def summary(report: Report) -> str:
    """'3 pages: content/ko/stories/oita-lsi.md changed (12 ms)', as an editor reads it."""
    seconds = sum(report.timings.values())
    if not report.ok:
        errors = sum(1 for d in report.diagnostics if d.severity == "error")
        return f"{errors} error{'s' if errors != 1 else ''}; the browser shows them"
    what = f"{len(report.written)} file{'s' if len(report.written) != 1 else ''}"
    if report.deleted:
        what += f", {len(report.deleted)} removed"
    why = "every page" if report.whole else ", ".join(report.changed[:3]) + (" and more" if len(report.changed) > 3 else "") + " changed"
    return f"{what}: {why} ({seconds * 1000:.0f} ms)"
