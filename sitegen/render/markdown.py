"""Markdown -> HTML and a table of contents, with raw HTML escaped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from xml.etree import ElementTree as etree

import markdown as md
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from .urlsafety import URL_ATTRIBUTES, unsafe_url

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "toc"]
TOC_CONFIG = {"slugify": slugify_unicode, "toc_depth": "2-3"}


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    name: str


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: tuple[Heading, ...]


class _DropUnsafeUrls(Treeprocessor):
    """Drops each URL whose scheme a browser would read as other than web, mail or phone."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in URL_ATTRIBUTES.intersection(element.attrib):
                value = element.attrib[attribute]
                # A placeholder would be replaced after this check by what Python-Markdown stashed.
                if unsafe_url(value) is not None or "\x02" in value or "\x03" in value:
                    del element.attrib[attribute]


@lru_cache(maxsize=2)
def _converter(raw_html: bool) -> md.Markdown:
    """Stock Python-Markdown with our extensions, reused body after body (reset before each)."""
    converter = md.Markdown(extensions=EXTENSIONS, extension_configs={"toc": TOC_CONFIG}, output_format="html")
    if not raw_html:
        # Content is data, not markup: raw HTML in a body is shown as text, never run.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
    # Links that would run script are dropped: last, once every placeholder in an attribute is
    # replaced by what it stands for.
    converter.treeprocessors.register(_DropUnsafeUrls(converter), "drop_unsafe_urls", -100)
    return converter


@lru_cache(maxsize=16384)
def render_markdown(text: str, raw_html: bool = False) -> Rendered:
    """Render one body; the same text is rendered once per process."""
    converter = _converter(raw_html)
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
