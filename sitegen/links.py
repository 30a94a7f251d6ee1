"""Check every internal link and anchor of the rendered site against what was rendered."""

from __future__ import annotations

import html
import posixpath
import re
from typing import Mapping
from urllib.parse import unquote, urlsplit

from .errors import Diagnostic

# The pages are our templates' output, well-formed and quoted: a regular expression reads their
# links far faster than an HTML parser (the check runs over every page of every build).
_LINK = re.compile(rb"""<(?:a|link|img|script|source)\b[^>]*?\s(?:href|src)="([^"]*)\"""")
_ID = re.compile(rb"""\sid="([^"]*)\"""")


def check_links(outputs: Mapping[str, bytes], to_come: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """A warning for each link to a file that was not rendered (nor is `to_come`) or an anchor that does not exist."""
    ids: dict[str, set[str]] = {}

    def anchors(page: str) -> set[str]:
        if page not in ids:
            ids[page] = {html.unescape(m.decode()) for m in _ID.findall(outputs[page])}
        return ids[page]

    out = []
    for path in sorted(p for p in outputs if p.endswith(".html")):
        data = outputs[path]
        base = posixpath.dirname(path)
        for match in _LINK.finditer(data):
            href = html.unescape(match.group(1).decode("utf-8"))
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("/"):
                continue
            target = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else path
            if parts.path.endswith("/") or target == ".":
                target = posixpath.join("" if target == "." else target, "index.html")
            if target.startswith("../") or (target not in outputs and target not in to_come):
                problem = f"expected a link to a page of the site, found {href!r} (no such file)"
            elif parts.fragment and target.endswith(".html") and target in outputs and unquote(parts.fragment) not in anchors(target):
                problem = f"expected an anchor that exists, found {href!r}"
            else:
                continue
            out.append(Diagnostic(path, data.count(b"\n", 0, match.start()) + 1, None, None, problem, "warning"))
    return out
