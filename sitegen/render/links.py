"""Check every internal link and anchor of the rendered site against what was rendered, and every
URL in it against the schemes a page may use."""

from __future__ import annotations

import html
import posixpath
import re
import sys
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from ..errors import Diagnostic, Message, Severity, describe
from ..layout import CONTENT_DIR, identify
from ..text.urlsafety import Unsafe, scheme_of, unsafe_urls
from . import urls

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


# Where a page's link was written: (file, line, column), the column None when only the file is known.
Written = tuple[str, int | None, int | None]
# (page, the href or URL as the page has it, its output target) -> where it was written, if found.
Locate = Callable[[str, str, str], Written | None]


@dataclass(frozen=True)
class Finding:
    """A problem with one link or URL of one page: where it is reported, and the output it names
    (a page's findings change when that output comes, goes or changes its anchors)."""

    where: Written
    problem: str
    severity: Severity
    field: str | None
    target: str
    on: str | None = None  # 'page:line' when reported where it was written: the same link on several pages is one diagnostic


def page_findings(
    path: str, pages: Mapping[str, PageLinks], existing: Collection[str], to_come: Collection[str], gone: Mapping[str, str], locate: Locate | None
) -> tuple[Finding, ...]:
    """What the check finds on the page at `path`: a warning for each link to a file that is not in
    `existing` (nor `to_come`), or to an anchor that does not exist; an error for each URL whose scheme
    is not allowed, and for each link to a page in `gone` (an item this build does not publish: a
    draft, say, with the reason). With `locate`, each is reported where the link was written (a
    content file or template), the page named after it."""
    out: list[Finding] = []
    for unsafe in pages[path].unsafe:
        where = locate(path, unsafe[4], unsafe[4]) if locate else None
        if where is None or where[1] is None:  # the page's line and column say more than a template's name
            out.append(Finding((path, unsafe[0], unsafe[1]), _unsafe_problem(unsafe), "error", unsafe[3], path))
        else:
            out.append(Finding(where, _unsafe_problem(unsafe), "error", unsafe[3], path, f"{path}:{unsafe[0]}"))
    for line, href, target, fragment in pages[path].links:
        if target in gone and target not in existing:
            href, where = _written(path, href, target, locate)
            problem_text = Message("expected a link to a published page, found {href!r}, {why}", href=href, why=gone[target])
            if where is None:
                out.append(Finding((path, line, None), problem_text, "error", None, target))
            else:
                out.append(Finding(where, problem_text, "error", None, target, f"{path}:{line}"))
            continue
        if target.startswith("../") or (target not in existing and target not in to_come):
            broken = True
        elif fragment and target in pages and fragment not in pages[target].ids:
            broken = False
        else:
            continue
        href, where = _written(path, href, target, locate)
        if where is None:
            out.append(Finding((path, line, None), _broken(href) if broken else _no_anchor(href), "warning", None, target))
            continue
        address = _address_of_file(where[0], href, target, existing) if broken else None
        if address is not None:
            problem = Message(
                "expected a link to a page of the site, found {href!r}, the name of its file; link to the page's address instead: {address}",
                href=href,
                address=address,
            )
        else:
            problem = _broken_fix(href) if broken else _no_anchor_fix(href)
        out.append(Finding(where, problem, "warning", None, target, f"{path}:{line}"))
    return tuple(out)


def _written(page: str, href: str, target: str, locate: Locate | None) -> tuple[str, Written | None]:
    """The link as its source has it, and where: a link a text wrote from the site's root (/en/...), which
    the page has relative to it (see render.pages._for_page), is told and found as it was written."""
    if locate is None:
        return href, None
    climb = "../" * page.count("/")
    if href.startswith(climb) and not href.startswith(climb + "../"):
        rooted = "/" + href[len(climb) :]
        where = locate(page, rooted, target)
        if where is not None and where[1] is not None and where[0].startswith(CONTENT_DIR + "/"):
            return rooted, where
    return href, locate(page, href, target)


def _address_of_file(source: str, href: str, target: str, existing: Collection[str]) -> str | None:
    """The address of the page made from the content file a link names by its file name: read from the
    folder of `source`, the file it is written in (../clusters/x.md), or from the page (`target`)."""
    try:
        path = unquote(urlsplit(href).path)
    except ValueError:
        return None
    if not path.endswith((".md", ".yaml")):
        return None
    for rel in (posixpath.normpath(posixpath.join(posixpath.dirname(source), path)), f"{CONTENT_DIR}/{target}"):
        found = identify(rel)
        address = urls.item_path(found[1], found[2], found[0]) if found else None
        if address is not None and urls.output_file(address) in existing:
            return "/" + address
    return None


def report_findings(findings: Mapping[str, Iterable[Finding]]) -> dict[Diagnostic, frozenset[str]]:
    """The diagnostics of every page's findings, each with the pages it was found on; one for each link
    written once and found on several pages."""
    found: dict[tuple[Written, str, Severity, str | None], list[str]] = {}
    out: dict[Diagnostic, frozenset[str]] = {}
    for path in sorted(findings):
        for finding in findings[path]:
            if finding.on is None:
                out[Diagnostic(*finding.where, finding.field, finding.problem, finding.severity)] = frozenset({path})
            else:
                found.setdefault((finding.where, finding.problem, finding.severity, finding.field), []).append(finding.on)
    for ((source, at_line, column), problem, severity, field), on in found.items():
        out[Diagnostic(source, at_line, column, field, _on_pages(problem, on), severity)] = frozenset(page.rsplit(":", 1)[0] for page in on)
    return out


def anchored(path: str, page: PageLinks) -> frozenset[str]:
    """The other outputs whose anchors the page links to: its findings change when their ids do."""
    return frozenset(target for _, _, target, fragment in page.links if fragment and target != path)


def to_check_again(
    pages: Mapping[str, PageLinks],
    before: Mapping[str, PageLinks],
    rendered: Iterable[str],
    findings: Mapping[str, Iterable[Finding]],
    anchors: Mapping[str, frozenset[str]],
    came: Collection[str],
    went: Collection[str],
) -> set[str]:
    """The pages whose findings may differ from the last check's: those rendered again, those with a
    finding about an output that came or went, and those that link to an output that went, or to an
    anchor of a page whose ids changed. `came`, `went`: outputs (and outputs to come) since then."""
    again = {path for path in rendered if path in pages}
    moved = {path for path in again if path in before and before[path].ids != pages[path].ids}
    touched = set(came) | set(went) | moved
    again |= {path for path, found in findings.items() if path in pages and any(f.target in touched for f in found)}
    again |= {path for path, targets in anchors.items() if path in pages and not targets.isdisjoint(touched)}
    if went:  # rare (an item deleted, a file removed): a look at every link of every page
        lost = set(went)
        again |= {path for path, page in pages.items() if any(link[2] in lost for link in page.links)}
    return again


def _broken(href: str) -> Message:
    return Message("expected a link to a page of the site, found {href!r} (no such file)", href=href)


def _no_anchor(href: str) -> Message:
    return Message("expected an anchor that exists, found {href!r}", href=href)


def _broken_fix(href: str) -> Message:
    return Message("expected a link to a page of the site, found {href!r} (no such file); correct the address or take the link out", href=href)


def _no_anchor_fix(href: str) -> Message:
    return Message("expected an anchor that exists, found {href!r}; correct the address or take the link out", href=href)


def _on_pages(problem: str, on: list[str]) -> Message:
    """The problem with the pages it is on, said in the editor's language with it (see errors.Message)."""
    if len(on) == 1:
        return Message("{problem} (on the page {page})", problem=problem, page=on[0])
    if len(on) == 2:
        return Message("{problem} (on the page {page} and 1 other page)", problem=problem, page=on[0])
    return Message("{problem} (on the page {page} and {others} other pages)", problem=problem, page=on[0], others=len(on) - 1)


def _unsafe_problem(found: Unsafe) -> Message:
    _, _, element, _, url = found
    return Message(
        "expected a link to a web page (http:, https:), an e-mail address (mailto:), a phone number (tel:) or a page "
        "of the site, found {url} in <{element}>, whose '{scheme}:' a page may not use (a browser "
        "could run it as script); take it out of the text or template that makes this page: nothing is published until then",
        url=describe(url),
        element=element,
        scheme=scheme_of(url),
    )


# How a link is written, most telling first: in Markdown (inline, a reference's definition, an
# autolink), in HTML or a template, in YAML or a template's call.
_WRITTEN = ("]({})", "]: {}", "<{}>", '"{}"', "'{}'", " {}")


def find_written(texts: Iterable[tuple[str, str]], href: str) -> Written | None:
    """Where `href` was written in the first of `texts` ((path, text) pairs) that has it, as a link
    is written: file, line and column (1-based) of the href itself."""
    if not href.strip():
        return None
    texts = list(texts)
    for form in _WRITTEN:
        needle = form.format(href)
        for path, text in texts:
            at = text.find(needle)
            if at >= 0:
                at += form.index("{")
                line = text.count("\n", 0, at) + 1
                return path, line, at - (text.rfind("\n", 0, at) + 1) + 1
    return None


def source_locator(read: Callable[[str], str | None], deps_of: Callable[[str], Collection[str]], template_of: Mapping[str, str]) -> Locate:
    """Finds where a page's link was written among what the page was made from (`deps_of(page)`, read
    with `read`): the page's language's content files first, then the other content files and the
    config, as the href is written; then the templates, as a template names the target
    (link('static/style.css')); else the page's own template (`template_of[page]`), file only.

    Python-Markdown keeps no positions, and marking links as they render would change the pages'
    bytes: so a link is found again in the text as written, which is needed only for the few that
    are broken."""
    texts: dict[str, str | None] = {}

    def text(rel: str) -> str | None:
        if rel not in texts:
            texts[rel] = read(rel)
        return texts[rel]

    def locate(page: str, href: str, target: str) -> Written | None:
        lang = page.split("/", 1)[0]
        deps = sorted(deps_of(page))
        content = [d for d in deps if d.startswith(f"content/{lang}/")]
        content += [d for d in deps if d.startswith("content/") and d not in content]
        content += [d for d in deps if d == "site.yaml"]
        templates = [d for d in deps if d.startswith("templates/")]
        written = find_written(((rel, t) for rel in content if (t := text(rel)) is not None), href)
        if written is not None:
            return written
        site_path = target.removesuffix("index.html")
        template_texts = [(rel, t) for rel in templates if (t := text(rel)) is not None]
        for name in (href, site_path, site_path[len(lang) :] if site_path.startswith(f"{lang}/") else ""):
            if name and (written := find_written(template_texts, name)) is not None:
                return written
        template = template_of.get(page)
        return (f"templates/{template}", None, None) if template else None

    return locate
