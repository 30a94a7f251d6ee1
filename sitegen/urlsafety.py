"""Whether a URL may run script, judged on the value a browser will use, against an allow-list of schemes."""

from __future__ import annotations

import html
import re
from functools import lru_cache

# Links may lead to the web, to mail or to a phone; a URL without a scheme stays within the site.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# A scheme as the WHATWG URL parser reads one: an ASCII letter, then letters, digits, '+', '-' or
# '.', up to the first ':'. Anything else before the first ':' makes a relative URL ('a b:c', 'a/b:c').
# Attributes whose value a browser reads as a URL (or, srcset and ping, as URLs), on any element:
# HTML's, SVG's and MathML's, current and obsolete, for links, embeds, forms and media.
URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "imagesrcset", "action", "formaction", "poster", "data", "cite", "background",
    "xlink:href", "longdesc", "lowsrc", "dynsrc", "usemap", "manifest", "codebase", "classid", "archive",
    "profile", "icon", "ping", "itemtype",
})

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*(?=:)")
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def browser_url(written: str) -> str:
    """What a browser's URL parser reads from an attribute value as written in HTML: character
    references decoded (as the HTML parser does), leading and trailing C0 controls and spaces
    stripped, and every ASCII tab and newline removed (as the URL parser does)."""
    decoded = html.unescape(written) if "&" in written else written
    return decoded.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)


def scheme_of(url: str) -> str | None:
    """The scheme of a URL as a browser reads it, in lower case; None for a URL without one."""
    found = _SCHEME.match(url)
    return found.group().lower() if found else None


@lru_cache(maxsize=4096)  # the same few links recur on every page
def unsafe_url(written: str) -> str | None:
    """The URL a browser would use, if its scheme is not on the allow-list; None for a safe one."""
    url = browser_url(written)
    scheme = scheme_of(url)
    return url if scheme is not None and scheme not in SAFE_SCHEMES else None
