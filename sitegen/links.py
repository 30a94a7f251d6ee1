"""Check every internal link and anchor of the rendered site against what was rendered."""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Mapping
from urllib.parse import unquote, urlsplit

from .errors import Diagnostic

# The pages are our templates' output, well-formed and quoted: a regular expression reads their
# links far faster than an HTML parser (the check runs over every page of every build).
_LINK = re.compile(rb"""<(?:a|link|img|script|source)\b[^>]*?\s(?:href|src)="([^"]*)\"""")
_ID = re.compile(rb"""\sid="([^"]*)\"""")

# No scheme, query, fragment, escape or entity, not from the root, no space or control character.
_PLAIN = re.compile(rb"(?!/)[^:?#%&\x00-\x20\x7f]*")

Link = tuple[int, str, str, str]  # (line, href as written, the output it names, its fragment)


@dataclass(frozen=True)
class PageLinks:
    """What one page offers (its ids) and what it points to (its links within the site)."""

    ids: frozenset[str]
    links: tuple[Link, ...]


def page_links(path: str, data: bytes) -> PageLinks:
    """Read a page's ids and internal links once, where it is rendered; the check needs only these."""
    folders = path.split("/")[:-1]
    links = []
    line, counted = 1, 0
    for match in _LINK.finditer(data):
        parsed = _parse(match.group(1))
        if parsed is None:
            continue
        href, target_path, fragment = parsed
        line += data.count(b"\n", counted, match.start())
        counted = match.start()
        links.append((line, href, _resolve(folders, target_path, path), fragment))
    ids = frozenset(html.unescape(m.decode()) for m in _ID.findall(data))
    return PageLinks(ids, tuple(links))


# Interned and cached: the same few hrefs (styles, menus) recur on every page of a big site.
@lru_cache(maxsize=16384)
def _parse(raw: bytes) -> tuple[str, str, str] | None:
    """(href, its path unquoted, its fragment unquoted); None for a link that leaves the site."""
    if _PLAIN.fullmatch(raw):  # most links: a relative path, nothing to unescape, split or unquote
        href = sys.intern(raw.decode("utf-8"))
        return href, href, ""
    href = html.unescape(raw.decode("utf-8"))
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or parts.path.startswith("/"):  # as a browser reads it: spaces stripped
        return None
    return sys.intern(href), unquote(parts.path), unquote(parts.fragment)


def _resolve(folders: list[str], target: str, page: str) -> str:
    """The output file a relative path names from a page in `folders`, as a browser resolves it;
    a path that climbs out of the site keeps its leading '../'."""
    if not target:
        return page
    parts = list(folders)
    climbed = 0
    for segment in target.split("/"):
        if segment == "..":
            if parts:
                parts.pop()
            else:
                climbed += 1
        elif segment and segment != ".":
            parts.append(segment)
    if target.rsplit("/", 1)[-1] in ("", ".", ".."):  # a folder: served by its index.html
        parts.append("index.html")
    return sys.intern("../" * climbed + "/".join(parts))


def check_pages(pages: Mapping[str, PageLinks], existing: Collection[str], to_come: Collection[str] = frozenset()) -> list[Diagnostic]:
    """A warning for each link to a file that is not in `existing` (nor `to_come`), or to an anchor that does not exist."""
    out = []
    for path in sorted(pages):
        for line, href, target, fragment in pages[path].links:
            if target.startswith("../") or (target not in existing and target not in to_come):
                problem = f"expected a link to a page of the site, found {href!r} (no such file)"
            elif fragment and target in pages and fragment not in pages[target].ids:
                problem = f"expected an anchor that exists, found {href!r}"
            else:
                continue
            out.append(Diagnostic(path, line, None, None, problem, "warning"))
    return out


def check_links(outputs: Mapping[str, bytes], to_come: Collection[str] = frozenset()) -> list[Diagnostic]:
    """check_pages over rendered outputs: every HTML file's links."""
    pages = {path: page_links(path, data) for path, data in outputs.items() if path.endswith(".html")}
    return check_pages(pages, outputs, to_come)
