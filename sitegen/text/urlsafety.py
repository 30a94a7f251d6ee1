"""Whether a URL may run script, judged on the value a browser will use, against an allow-list of schemes."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

# Links may lead to the web, to mail or to a phone; a URL without a scheme stays within the site.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Attributes whose value a browser reads as a URL (a srcset: as a list of them), on any element:
# HTML's, SVG's and MathML's, current and obsolete, for links, embeds, forms and media.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "srcset",
        "imagesrcset",
        "action",
        "formaction",
        "poster",
        "data",
        "cite",
        "background",
        "xlink:href",
        "longdesc",
        "lowsrc",
        "dynsrc",
        "usemap",
        "manifest",
        "codebase",
        "classid",
        "archive",
        "profile",
        "icon",
        "ping",
        "itemtype",
    }
)

# A scheme as the WHATWG URL parser reads one: an ASCII letter, then letters, digits, '+', '-' or
# '.', up to the first ':'. Anything else before the first ':' makes a relative URL ('a b:c', 'a/b:c').
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*(?=:)")
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def scheme_of(url: str) -> str | None:
    """The scheme of a URL as a browser reads it, in lower case; None for a URL without one."""
    found = _SCHEME.match(url)
    return found.group().lower() if found else None


def unsafe_url(written: str) -> str | None:
    """The URL a browser would use, if its scheme is not on the allow-list; None for a safe one.
    `written`: an attribute's value as written in HTML, its character references not yet decoded."""
    return unsafe_decoded(html.unescape(written) if "&" in written else written)


@lru_cache(maxsize=4096)  # the same few links recur on every page
def unsafe_decoded(value: str) -> str | None:
    """As unsafe_url, for an attribute's value already decoded by an HTML parser."""
    # As the WHATWG URL parser starts: C0 controls and spaces stripped at both ends, tabs and newlines removed.
    url = value.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)
    scheme = scheme_of(url)
    return url if scheme is not None and scheme not in SAFE_SCHEMES else None


Unsafe = tuple[int, int, str, str, str]  # (line, column, element, attribute, the URL as a browser reads it)


def unsafe_urls(page: bytes) -> tuple[Unsafe, ...]:
    """Each URL in a page's attributes whose scheme, as a browser reads it, is not on the allow-list."""
    return read_unsafe_urls(page) if _may_hold_unsafe_urls(page) else ()


def read_unsafe_urls(page: bytes) -> tuple[Unsafe, ...]:
    """As unsafe_urls, reading the whole page however its bytes look."""
    reader = _UrlReader()
    reader.feed(page.decode("utf-8", errors="replace").translate(_HIDE_ODD_SPACE))
    reader.close()
    return tuple(reader.found)


# html.parser splits a tag's attributes at any character Python's regular expressions call space; a
# browser only at tab, newline, form feed, carriage return and space. So '<a title=\xa0 href=...>' is
# one attribute to html.parser and two to a browser. Each other such character is read as a letter
# (a private-use character in its place, one for one), and put back in the values read.
_ODD_SPACES = [c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\t\n\x0c\r "]
_HIDE_ODD_SPACE = {ord(c): 0xE000 + i for i, c in enumerate(_ODD_SPACES)}
_SHOW_ODD_SPACE = {0xE000 + i: ord(c) for i, c in enumerate(_ODD_SPACES)}


class _UrlReader(HTMLParser):
    """Reads every element's URL attributes, decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Unsafe] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and name in URL_ATTRIBUTES:
                value = value.translate(_SHOW_ODD_SPACE)
                for url in _LIST.split(value) if name in _LISTS else (value,):
                    if (unsafe := unsafe_decoded(url)) is not None:
                        self.found.append((*self._position_of(name), tag, name, unsafe))

    def handle_comment(self, data: str) -> None:
        # Python's html.parser (before the fixes of 2025) ends a comment at '-->' only; a browser ends
        # '<!-->' and '<!--->' where they stand and a comment at '--!>' too, and reads what follows as markup.
        for close in (">", "->", "--!>"):
            end = data.find(close) if close == "--!>" else (0 if data.startswith(close) else -1)
            if end >= 0:
                cut = end + len(close)
                self._read_as_markup("<!--" + data[:cut], data[cut:])
                return

    def unknown_decl(self, data: str) -> None:
        # '<![CDATA[' in HTML is a comment to a browser, ended by the first '>'; html.parser reads to ']]>'.
        if data.startswith("CDATA[") and ">" in data:
            cut = data.index(">") + 1
            self._read_as_markup("<![" + data[:cut], data[cut:])

    def _read_as_markup(self, skipped: str, markup: str) -> None:
        """Read `markup`, which follows `skipped` (from where the construct at hand starts), as a browser does."""
        line, offset = self.getpos()
        breaks = skipped.count("\n")
        column = len(skipped) - skipped.rfind("\n") - 1 if breaks else offset + len(skipped)
        reader = _UrlReader()
        reader.feed(markup)
        reader.close()
        for found_line, found_column, tag, name, url in reader.found:
            self.found.append((line + breaks + found_line - 1, found_column + (column if found_line == 1 else 0), tag, name, url))

    def _position_of(self, attribute: str) -> tuple[int, int]:
        """Line and column of an attribute of the tag at hand (of the tag, if not found as written)."""
        line, offset = self.getpos()
        tag = self.get_starttag_text() or ""
        found = re.search(rf"(?<=[\s/\"']){re.escape(attribute)}\s*=", tag, re.IGNORECASE)
        if found is None:
            return line, offset + 1
        before = tag[: found.start()]
        lines = before.count("\n")
        return line + lines, (found.start() - before.rfind("\n") if lines else offset + found.start() + 1)


# Attributes that hold several URLs. A srcset's candidates are split at commas, its descriptors at
# spaces: split at both, every URL in it is read whole or in pieces that start as it does. (A ping's
# and an archive's URLs, split at spaces, are never opened as a page is: each is read as one URL.)
_LISTS = frozenset({"srcset", "imagesrcset"})
_LIST = re.compile(r"[\t\n\f\r ,]+")

# Reading a page with html.parser costs a millisecond, ten times what the rest of the link check
# costs; so a page is read only if its bytes may hold an unsafe URL. A URL's value starts after a
# quote or an '=' (unquoted) that follow its attribute's name or, in a srcset, after a comma; up to
# its scheme's ':' (written, or as a character reference) a browser finds only scheme characters,
# tabs and newlines, C0 controls and spaces at the start, and character references for any of these.
# So an unsafe URL shows in the bytes as a colon, before it a run of such bytes after such a
# delimiter, and the run, judged as a URL, has a scheme outside the allow-list. What else looks so
# (<meta property="og:title">, a srcset beside '"Note: ...' in the text) costs a reading that finds
# nothing. Each colon is found by a search for its first byte (many times faster than a pattern
# that starts with a class of bytes), and each run is read back from its colon at most to the
# colon before: the time is linear in the page's size.
_COLON = re.compile(rb":")
_COLON_REFERENCE = re.compile(rb"&(?:colon;|\#0*58(?![0-9])|\#[xX]0*3[aA](?![0-9a-fA-F]))")
_RUN_BACKWARDS = re.compile(rb"[A-Za-z0-9+.\-\#;&\x00-\x20]*+[\"'=,]")  # read in the page reversed
_SRCSET = re.compile(rb"srcset", re.IGNORECASE)
_SPACE = frozenset(b"\t\n\f\r ")
_NAME_END = frozenset(b"\t\n\f\r /<>\"'=")


def _may_hold_unsafe_urls(page: bytes) -> bool:
    colons = [(m.start(), m.end()) for m in _COLON.finditer(page)]
    if b"&" in page:
        colons = sorted(colons + [(m.start(), m.end()) for m in _COLON_REFERENCE.finditer(page)])
    backwards = page[::-1]
    size = len(page)
    after_last = 0
    srcset: bool | None = None
    for start, end in colons:
        run = _RUN_BACKWARDS.match(backwards, size - start, size - after_last)
        after_last = end
        if run is None or not _unsafe_before_colon(page[size - run.end() + 1 : start]):
            continue
        at = size - run.end()  # the delimiter
        if page[at] == ord(","):
            if srcset is None:
                srcset = _SRCSET.search(page) is not None
            if srcset:
                return True
        elif _attribute_before(page, at) in URL_ATTRIBUTES:
            return True
    return False


def _attribute_before(page: bytes, at: int) -> str | None:
    """The name of the attribute whose value starts after the quote or '=' at `at`, in lower case."""
    if page[at] != ord("="):
        at = _skip_space_back(page, at)
        if at == 0 or page[at - 1] != ord("="):
            return None
        at -= 1
    end = _skip_space_back(page, at)
    start = end
    while start and page[start - 1] not in _NAME_END:
        start -= 1
    return page[start:end].decode("ascii", errors="replace").lower()


def _skip_space_back(page: bytes, at: int) -> int:
    while at and page[at - 1] in _SPACE:
        at -= 1
    return at


@lru_cache(maxsize=4096)
def _unsafe_before_colon(written: bytes) -> bool:
    return unsafe_url(written.decode("ascii") + ":") is not None
