"""Markdown -> HTML and a table of contents, with raw HTML escaped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import re

import markdown as md
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "toc"]


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    name: str


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: tuple[Heading, ...]


# Links and images may point to the web, to mail, or within the site; never to script.
SAFE_URL = re.compile(r"(?:https?:|mailto:|tel:|#|/|\.|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


class _DropUnsafeUrls(Treeprocessor):
    def run(self, root):  # type: ignore[no-untyped-def]
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not SAFE_URL.match(value.strip()):
                    del element.attrib[attribute]
        return None


def _converter(raw_html: bool) -> md.Markdown:
    converter = md.Markdown(
        extensions=EXTENSIONS,
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"}},
        output_format="html",
    )
    if not raw_html:
        # Content is data, not markup: raw HTML in a body is shown as text, never run,
        # and links that would run script are dropped.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        converter.treeprocessors.register(_DropUnsafeUrls(converter), "drop_unsafe_urls", 0)
    return converter


# Two converters, reused: safe (the default) and trusting, for sites that set allow_raw_html.
_CONVERTERS = {False: _converter(False), True: _converter(True)}


@lru_cache(maxsize=16384)
def render_markdown(text: str, raw_html: bool = False) -> Rendered:
    """Render one body; the same text is rendered once per process."""
    converter = _CONVERTERS[raw_html]
    converter.reset()
    html = converter.convert(text)
    toc = tuple(_flatten(getattr(converter, "toc_tokens", [])))
    return Rendered(html, toc)


def _flatten(tokens: list[dict]) -> list[Heading]:
    out = []
    for token in tokens:
        out.append(Heading(token["level"], token["id"], token["name"]))
        out.extend(_flatten(token.get("children", [])))
    return out
