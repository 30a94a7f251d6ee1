"""Markdown -> HTML and a table of contents, with raw HTML escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree as etree

import markdown as md
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from ..errors import Message
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


# How much a body may hold. Python-Markdown does some of its work again for each link in a
# paragraph (3.11 finds every bracket of the paragraph anew after each link it makes: 4,000 links
# in a line took 30 s), for each heading, definition, footnote or rule inside a block of lines (each
# search starts over on the rest of the block), and for each heading of a name used before and each
# footnote (it looks through those made before). With these limits kept, the time to render a body
# grows in proportion to its size; each is far above what the portal's 67 texts hold (at most 1,839
# characters, 8 headings and rules, no links, code, quotes or nested lists). Checked before rendering.
MAX_CHARACTERS = 100_000
MAX_DEPTH = 50  # quotes and lists, one inside another (Python-Markdown 3.5 fails past 200 or so)
MAX_PARTS = 1_000  # headings, definitions, footnotes, rules and code fences in a body
MAX_PARTS_IN_A_ROW = 100  # of those, and list items after text, without a blank line between
MAX_LINKS_PER_PARAGRAPH = 50  # links, images, footnotes and code spans in one paragraph, item, cell or heading


@dataclass(frozen=True)
class Problem:
    """A limit a body goes beyond: its line in the body, what was expected and what was found, in words."""

    line: int | None
    expected: str
    found: str

    def __repr__(self) -> str:
        """As errors.describe prints a value found: the words themselves."""
        return self.found


class TooComplex(ValueError):
    """A body beyond a limit (see Problem), refused rather than rendered."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(Message("expected {expected}, found {found}{fix}", expected=problem.expected, found=problem.found, fix=""))


_FENCE = re.compile(r"`{3,}|~{3,}")
_QUOTES = re.compile(r"(?:[ ]{0,3}>)+")
# A line that may be a heading, a setext heading's underline, a link or footnote definition, a rule
# or a code fence, once the quote marks and spaces before it are left out.
_PART = re.compile(r"#|\[[^\]\n]*\]:|[=-]+[ ]*$|(?:[-*_][ ]*){3,}$|`{3,}|~{3,}")
_ITEM = re.compile(r"(?:[*+-]|\d+\.)[ ]")
_SIZE = Message("a body of at most {most:,} characters (split it into several pages)", most=MAX_CHARACTERS)
_DEPTH = Message(
    "quotes and lists at most {most} levels deep, one inside another (each '>' and each 4 spaces of indent is a level)",
    most=MAX_DEPTH,
)
_PARTS = Message("at most {most:,} headings, footnotes, link definitions, rules and code blocks in a body (split it into several pages)", most=MAX_PARTS)
_IN_A_ROW = Message(
    "at most {most} headings, footnotes, link definitions, rules and list items after text one after "
    "another without a blank line (leave a blank line before each)",
    most=MAX_PARTS_IN_A_ROW,
)
_EXPECTED_LINKS = Message(
    "at most {most} links, images, footnotes and code spans in one paragraph, list item, table cell or heading "
    "(leave a blank line between paragraphs, or make the links a list, one '* ' line each)",
    most=MAX_LINKS_PER_PARAGRAPH,
)


def limit_problem(text: str) -> Problem | None:
    """The first limit `text` goes beyond, if any, found without rendering it."""
    problem, may_have_long_paragraphs = _measure(text)
    if problem is not None or not may_have_long_paragraphs:
        return problem
    checker = _converter(False, inline=False)  # its paragraphs, as Python-Markdown splits them
    checker.reset()
    try:
        checker.convert(text)
    except _LongParagraph as found:
        return found.problem(text)
    return None


def _measure(text: str) -> tuple[Problem | None, bool]:
    """The first limit a body's lines go beyond, if any; and whether a paragraph of it may hold more than
    MAX_LINKS_PER_PARAGRAPH links, counted over each block of lines between blank lines (which holds
    whole paragraphs). One pass; a count that may be too high costs a closer look, never one too low."""
    if len(text) > MAX_CHARACTERS:
        return Problem(None, _SIZE, Message("{count:,} characters", count=len(text))), False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as Python-Markdown reads them
    fences = [index for index, line in enumerate(lines) if _FENCE.match(line)]
    # A blank line between two fences may be code, which Python-Markdown takes out before it splits the
    # blocks: the text before and after the code is then one block.
    code = range(fences[0] + 1, fences[-1]) if fences else range(0)
    parts = in_a_row = 0
    links: float = 0  # a code span's backticks count half each
    most_links: float = 0
    first, a_list = 0, False  # the first line of the block at hand; whether the block is a list
    for index, line in enumerate(lines):
        if not line.strip(" \t") and index not in code:
            first, in_a_row, links = index + 1, 0, 0
            continue
        depth, content = _depth(line)
        if depth > MAX_DEPTH:
            return Problem(index + 1, _DEPTH, Message("{depth} levels at line {line} of the body", depth=depth, line=index + 1)), False
        if index == first:  # Python-Markdown reads a block that starts as a list item by item
            a_list = _ITEM.match(content) is not None
        part = _PART.match(content)
        if part or (index > first and not a_list and _ITEM.match(content)):
            parts, in_a_row = parts + 1, in_a_row + 1
            if parts > MAX_PARTS:
                return Problem(index + 1, _PARTS, Message("one more at line {line} of the body", line=index + 1)), False
            if in_a_row > MAX_PARTS_IN_A_ROW:
                return Problem(first + 1, _IN_A_ROW, Message("more in the lines from line {line} of the body", line=first + 1)), False
        # A footnote's references count among the parts too (its definition is counted above).
        parts += line.count("[^") - (1 if part and content.startswith("[^") else 0)
        links += _links_in(line)
        most_links = max(most_links, links)
    if parts > MAX_PARTS:
        return Problem(None, _PARTS, Message("{count:,} with the footnotes' references", count=parts)), False
    return None, most_links > MAX_LINKS_PER_PARAGRAPH


def _depth(line: str) -> tuple[int, str]:
    """How deep a line is in quotes and lists (at most: indented code counts as deeper), and what follows the marks."""
    quotes = _QUOTES.match(line)
    rest = line[quotes.end() :] if quotes else line
    content = rest.lstrip(" \t")
    return (quotes.group().count(">") if quotes else 0) + len(rest[: len(rest) - len(content)].expandtabs(4)) // 4, content


def _links_in(text: str) -> float:
    """Links, images, footnotes and code spans a text may hold: one for each '[' (a reference link's
    '[text][name]' once) and each two backticks."""
    return text.count("[") - text.count("][") + text.count("`") / 2


class _LongParagraph(Exception):
    """A paragraph (list item, table cell, heading) with more than MAX_LINKS_PER_PARAGRAPH links."""

    def __init__(self, links: int, paragraph: str):
        self.links, self.paragraph = links, paragraph

    def problem(self, text: str) -> Problem:
        """The problem, for an editor: the paragraph's line in the body `text` and its first words."""
        words = self.paragraph.split()
        line = next((index + 1 for index, written in enumerate(text.split("\n")) if " ".join(words[:3]) in " ".join(written.split())), None)
        start = " ".join(words[:8])[:60]
        if line:
            found = Message("{count:,} in the paragraph at line {line} of the body, which starts {start!r}", count=self.links, line=line, start=start)
        else:
            found = Message("{count:,} in a paragraph, which starts {start!r}", count=self.links, start=start)
        return Problem(line, _EXPECTED_LINKS, found)


class _LinksPerParagraph(Treeprocessor):
    """Refuses a body with a paragraph (list item, table cell, heading) of too many links before the
    inline patterns read it: each element's text, as the block parser left it, is one such run."""

    active = True  # set off for a body whose blocks hold few enough links between them (see _measure)

    def run(self, root: etree.Element) -> None:
        if not self.active:
            return
        for element in root.iter():
            for text in (element.text, element.tail):
                if text and not isinstance(text, md.util.AtomicString) and _links_in(text) > MAX_LINKS_PER_PARAGRAPH:
                    raise _LongParagraph(int(_links_in(text)), text)


class _DropUnsafeUrls(Treeprocessor):
    """Drops each URL whose scheme a browser would read as other than web, mail or phone."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in URL_ATTRIBUTES.intersection(element.attrib):
                value = element.attrib[attribute]
                # A placeholder would be replaced after this check by what Python-Markdown stashed.
                if unsafe_url(value) is not None or "\x02" in value or "\x03" in value:
                    del element.attrib[attribute]


@lru_cache(maxsize=4)
def _converter(raw_html: bool, inline: bool = True) -> md.Markdown:
    """Stock Python-Markdown with our extensions, reused body after body (reset before each);
    without `inline`, one that splits a body into paragraphs and reads no further (see limit_problem)."""
    converter = md.Markdown(extensions=EXTENSIONS, extension_configs={"toc": TOC_CONFIG}, output_format="html")
    # Before the inline patterns (20), after the footnotes are placed (50).
    converter.treeprocessors.register(_LinksPerParagraph(converter), "links_per_paragraph", 25)
    if not inline:
        converter.treeprocessors.deregister("inline")
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
    """Render one body; the same text is rendered once per process. A body beyond a limit (see
    limit_problem, which content checks call first) raises TooComplex instead."""
    problem, may_have_long_paragraphs = _measure(text)
    if problem is not None:
        raise TooComplex(problem)
    converter = _converter(raw_html)
    converter.reset()
    checker = converter.treeprocessors["links_per_paragraph"]
    assert isinstance(checker, _LinksPerParagraph)
    checker.active = may_have_long_paragraphs
    try:
        html = converter.convert(text)
    except _LongParagraph as found:
        raise TooComplex(found.problem(text)) from None
    toc = tuple(_flatten(getattr(converter, "toc_tokens", [])))
    return Rendered(html, toc)


def _flatten(tokens: list[dict]) -> list[Heading]:
    out = []
    for token in tokens:
        out.append(Heading(token["level"], token["id"], token["name"]))
        out.extend(_flatten(token.get("children", [])))
    return out
