"""Markdown -> HTML and a table of contents, with raw HTML escaped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import re
from xml.etree import ElementTree as etree

import markdown as md
from markdown.extensions.toc import TocExtension, TocTreeprocessor, nest_toc_tokens, slugify_unicode, unique
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


# Python-Markdown tries each of its inline patterns on each run of text, and most of them cannot
# match most bodies: each needs a character that a body of plain prose does not have at all. So a
# body is rendered by a converter without the patterns, and the extensions, whose every trigger it
# lacks: the same HTML (tests/test_markdown.py renders a text for each pattern both ways), in two
# thirds of the time. The triggers are looked for in the text as written; the line break's include
# what becomes two spaces and a newline before that pattern runs (a tab, a carriage return).
INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "linebreak": ("  \n", "\t", "\r"),
    "entity": ("&",),
    # Python-Markdown 3.11 reads both emphasis marks with one pattern; earlier versions with these three.
    "em_strong": ("*", "_"),
    "not_strong": ("*", "_"),
    "em_strong2": ("_",),
    "footnote": ("[^",),
}
# "toc_html": the table of contents as HTML, which only a [TOC] marker puts into a body (sitegen
# makes its own from the headings): without the marker, the toc extension gives the ids alone.
EXTENSION_TRIGGERS: dict[str, tuple[str, ...]] = {"tables": ("|",), "fenced_code": ("```", "~~~"), "footnotes": ("[^",), "toc_html": ("[TOC]",)}
# Block processors that search each block through for their mark (most look at its start only):
# a quote's '>' and a link reference definition's ']:'. Named apart from the inline "reference".
BLOCK_TRIGGERS: dict[str, tuple[str, ...]] = {"block:quote": (">",), "block:reference": ("]:",)}
_PARTS = (INLINE_TRIGGERS, EXTENSION_TRIGGERS, BLOCK_TRIGGERS)
_TRIGGERS = sorted({t for triggers in _PARTS for marks in triggers.values() for t in marks})


# What the toc extension must escape, unstash or strip in a heading's text to name it: a heading
# without any of these, or any element in it, names itself.
_NOT_PLAIN = frozenset("&<>\x02\x03")
# Postprocessors that change no text without a \x02 placeholder in it (the footnotes' one does).
_PLAIN_POSTPROCESSORS = frozenset({"raw_html", "amp_substitute"})


class _TocWithoutHtml(TocTreeprocessor):
    """The toc extension's heading ids and tokens, without the HTML table of contents it would build,
    serialize and run every postprocessor over for each body: a tenth of a body's rendering."""

    def build_toc_div(self, toc_list: list) -> etree.Element:
        return etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        """Nothing to replace: this processor renders only bodies without the marker."""

    def run(self, doc: etree.Element) -> None:
        """As the extension's run, for a body whose headings are plain text: each is named by its
        text, without serializing it, unescaping it, running the postprocessors over it and
        stripping tags from it, each of which leaves such a text as it is (a tenth of a body's
        rendering). Any other body, the extension's own way."""
        headings, used_ids = [], set()
        for el in doc.iter():
            if "id" in el.attrib:
                used_ids.add(el.attrib["id"])
            if isinstance(el.tag, str) and self.header_rgx.match(el.tag):
                headings.append(el)
        if (
            self.use_anchors
            or self.use_permalinks not in (False, None)
            or not _PLAIN_POSTPROCESSORS.issuperset(self.md.postprocessors._data)  # type: ignore[attr-defined]
            or any(len(el) or el.attrib or not _NOT_PLAIN.isdisjoint(el.text or "") for el in headings)
        ):
            super().run(doc)
            return
        tokens = []
        for el in headings:
            self.set_level(el)
            inner = (el.text or "").strip()
            name = " ".join(inner.split())
            el.attrib["id"] = unique(self.slugify(name, self.sep), used_ids)
            level = int(el.tag[-1])
            if self.toc_top <= level <= self.toc_bottom:
                tokens.append({"level": level, "id": el.attrib["id"], "name": name, "html": inner, "data-toc-label": ""})
        self.md.toc_tokens = nest_toc_tokens(tokens)  # type: ignore[attr-defined]
        self.md.toc = ""  # type: ignore[attr-defined]  # the HTML table of contents: nothing reads it


class _TocIds(TocExtension):
    TreeProcessorClass = _TocWithoutHtml


@lru_cache(maxsize=64)
def _converter(raw_html: bool, unused: frozenset[str]) -> md.Markdown:
    """A converter without the extensions and inline patterns named in `unused`."""
    extensions: list[str | md.extensions.Extension] = [e for e in EXTENSIONS if e not in unused]
    if "toc_html" in unused:
        extensions[extensions.index("toc")] = _TocIds(**TOC_CONFIG)
    converter = md.Markdown(extensions=extensions, extension_configs={"toc": TOC_CONFIG}, output_format="html")
    if not raw_html:
        # Content is data, not markup: raw HTML in a body is shown as text, never run.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
    # Links that would run script are dropped: last, once every placeholder in an attribute is
    # replaced by what it stands for.
    converter.treeprocessors.register(_DropUnsafeUrls(converter), "drop_unsafe_urls", -100)
    for name in unused & INLINE_TRIGGERS.keys():
        if name in converter.inlinePatterns:
            converter.inlinePatterns.deregister(name)
    for name in unused & BLOCK_TRIGGERS.keys():
        converter.parser.blockprocessors.deregister(name.removeprefix("block:"))
    return converter


def unused_parts(text: str) -> frozenset[str]:
    """The extensions, inline patterns and block processors that cannot change how `text` renders: their triggers are not in it."""
    # Python-Markdown drops STX and ETX before it parses: '[a]\x02: /x' is read as a definition.
    text = text.replace("\x02", "").replace("\x03", "") if "\x02" in text or "\x03" in text else text
    return _unused_without(frozenset(t for t in _TRIGGERS if t in text))


@lru_cache(maxsize=256)  # bodies of one site have few sets of marks between them
def _unused_without(present: frozenset[str]) -> frozenset[str]:
    return frozenset(name for triggers in _PARTS for name, marks in triggers.items() if present.isdisjoint(marks))


@lru_cache(maxsize=16384)
def render_markdown(text: str, raw_html: bool = False) -> Rendered:
    """Render one body; the same text is rendered once per process."""
    converter = _converter(raw_html, unused_parts(text))
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
