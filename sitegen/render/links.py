"""Check every internal link and anchor of the rendered site against what was rendered, and every
URL in it against the schemes a page may use."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from ..errors import Diagnostic, describe
from ..text.urlsafety import Unsafe, scheme_of, unsafe_urls

# The pages are our templates' output, well-formed and quoted: a regular expression reads their
# links far faster than an HTML parser (the check runs over every page of every build).
_LINK = re.compile(rb"""<(?:a|link|img|script|source)\b[^>]*?\s(?:href|src)="([^"]*)\"""")
# Found by its literal first, the whitespace before it checked after: many times faster than
# a pattern that starts with \s, which must be tried at every space of the page.
_ID = re.compile(rb"""id="([^"]*)\"""")
_SPACE = frozenset(b" \t\n\r\f\v")

# No scheme, query, fragment, escape or entity, not from the root, no space or control character.
_PLAIN = re.compile(rb"(?!/)[^:?#%&\x00-\x20\x7f]*")
# A scheme as written, which urlsplit would find too (one hidden by an entity is left to urlsplit).
_SCHEME = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*:")

Link = tuple[int, str, str, str]  # (line, href as written, the output it names, its fragment)


@dataclass(frozen=True)
class PageLinks:
    """What one page offers (its ids) and what it points to (its links within the site, and the URLs
    whose scheme is not allowed, which a page must never have)."""

    ids: frozenset[str]
    links: tuple[Link, ...]
    unsafe: tuple[Unsafe, ...] = ()


def page_links(path: str, data: bytes) -> PageLinks:
    """Read a page's ids and internal links once, where it is rendered; the check needs only these."""
    folders = path.split("/")[:-1]
    # A link's leading '../' climb from the page's folder; what is left is resolved from there. Pages
    # of one section share the folders they climb to, so most resolutions are found in the cache.
    above = ["/".join(folders[: len(folders) - up]) for up in range(len(folders) + 1)]
    links = []
    line, counted = 1, 0
    for match in _LINK.finditer(data):
        raw = match.group(1)
        # A link that leaves the site, found cheaply: each page's canonical and alternate links are
        # absolute and its own, so _parse's cache would only lose room to them.
        if _SCHEME.match(raw):
            continue
        parsed = _parse(raw)
        if parsed is None:
            continue
        href, target_path, fragment, up, rest = parsed
        line += data.count(b"\n", counted, match.start())
        counted = match.start()
        if not target_path:
            target = path
        elif up < len(above):
            target = _resolve_from(above[up], rest)
        else:
            target = _walk(folders, target_path)
        links.append((line, href, target, fragment))
    return PageLinks(_ids(data), tuple(links), unsafe_urls(data))


def _ids(data: bytes) -> frozenset[str]:
    """Every id="..." after whitespace, as `\\sid="([^"]*)"` would find them."""
    found = []
    start = 0
    while (match := _ID.search(data, start)) is not None:
        if match.start() and data[match.start() - 1] in _SPACE:
            found.append(html.unescape(match.group(1).decode()))
            start = match.end()
        else:
            start = match.start() + 1
    return frozenset(found)


# Interned and cached: the same few hrefs (styles, menus) recur on every page of a big site.
@lru_cache(maxsize=16384)
def _parse(raw: bytes) -> tuple[str, str, str, int, str] | None:
    """(href, its path unquoted, its fragment unquoted, the path's leading '../' count, the rest of
    the path); None for a link that leaves the site."""
    if _PLAIN.fullmatch(raw):  # most links: a relative path, nothing to unescape, split or unquote
        href = path = sys.intern(raw.decode("utf-8"))
        fragment = ""
    else:
        href = html.unescape(raw.decode("utf-8"))
        try:
            parts = urlsplit(href)
        except ValueError:  # a host urlsplit cannot read ('//[x/'): a link to another site, if any
            return None
        if parts.scheme or parts.netloc or parts.path.startswith("/"):  # as a browser reads it: spaces stripped
            return None
        href, path, fragment = sys.intern(href), unquote(parts.path), unquote(parts.fragment)
    up = 0
    while path.startswith("../", 3 * up):
        up += 1
    return href, path, fragment, up, path[3 * up :]


@lru_cache(maxsize=16384)
def _resolve_from(folder: str, rest: str) -> str:
    return _walk(folder.split("/") if folder else [], rest)


def _walk(folders: list[str], target: str) -> str:
    """The output file a relative path names from a page in `folders`, as a browser resolves it;
    a path that climbs out of the site keeps its leading '../'."""
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


def check_pages(
    pages: Mapping[str, PageLinks], existing: Collection[str], to_come: Collection[str] = frozenset(), gone: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """A warning for each link to a file that is not in `existing` (nor `to_come`), or to an anchor
    that does not exist; an error for each URL whose scheme is not allowed, and for each link to a
    page in `gone` (an item this build does not publish: a draft, say, with the reason)."""
    out: list[Diagnostic] = []
    gone = gone or {}
    for path in sorted(pages):
        out.extend(_unsafe(path, found) for found in pages[path].unsafe)
        for line, href, target, fragment in pages[path].links:
            if target in gone and target not in existing:
                out.append(Diagnostic(path, line, None, None, f"expected a link to a published page, found {href!r}, {gone[target]}"))
                continue
            if target.startswith("../") or (target not in existing and target not in to_come):
                problem = f"expected a link to a page of the site, found {href!r} (no such file)"
            elif fragment and target in pages and fragment not in pages[target].ids:
                problem = f"expected an anchor that exists, found {href!r}"
            else:
                continue
            out.append(Diagnostic(path, line, None, None, problem, "warning"))
    return out


def _unsafe(path: str, found: Unsafe) -> Diagnostic:
    line, column, element, attribute, url = found
    problem = (
        f"expected a link to a web page (http:, https:), an e-mail address (mailto:), a phone number (tel:) or a page "
        f"of the site, found {describe(url)} in <{element}>, whose '{scheme_of(url)}:' a page may not use (a browser "
        "could run it as script); take it out of the text or template that makes this page: nothing is published until then"
    )
    return Diagnostic(path, line, column, attribute, problem)


def check_links(outputs: Mapping[str, bytes], to_come: Collection[str] = frozenset()) -> list[Diagnostic]:
    """check_pages over rendered outputs: every HTML file's links."""
    pages = {path: page_links(path, data) for path, data in outputs.items() if path.endswith(".html")}
    return check_pages(pages, outputs, to_come)
