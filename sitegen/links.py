"""Check every internal link and anchor of the rendered site against what was rendered."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from typing import Mapping
from urllib.parse import unquote, urlsplit

from .errors import Diagnostic


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif (name == "href" and tag in ("a", "link")) or (name == "src" and tag in ("img", "script", "source")):
                self.links.append((value, self.getpos()[0]))


def check_links(outputs: Mapping[str, bytes], to_come: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """A warning for each link to a file that was not rendered (nor is `to_come`) or an anchor that does not exist."""
    pages: dict[str, _Collector] = {}
    for path, data in outputs.items():
        if path.endswith(".html"):
            collector = _Collector()
            collector.feed(data.decode("utf-8"))
            pages[path] = collector
    out = []
    for path, page in sorted(pages.items()):
        base = posixpath.dirname(path)
        for href, line in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("/"):
                continue
            target = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else path
            if parts.path.endswith("/") or target == ".":
                target = posixpath.join("" if target == "." else target, "index.html")
            if target.startswith("../") or (target not in outputs and target not in to_come):
                out.append(Diagnostic(path, line, None, None, f"expected a link to a page of the site, found {href!r} (no such file)", "warning"))
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                out.append(Diagnostic(path, line, None, None, f"expected an anchor that exists, found {href!r}", "warning"))
    return out
