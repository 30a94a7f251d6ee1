"""Markdown <-> translation units: blocks become units, inline markup becomes placeholders.

The split is lossless by construction: a body is cut into literal pieces (block markers, blank
lines, table rules, code blocks, cell padding) and unit texts, and joining them gives back the
same characters; within a unit, every piece of inline markup is kept verbatim as a placeholder's
opening and closing text. So export and import of an unchanged translation give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Message

# A unit's content: text, paired placeholders (emphasis, a link's text, an image's alt text) that
# hold content, and standalone ones (code, footnote marks, autolinks).


@dataclass(frozen=True)
class Span:
    id: str
    content: tuple[Part, ...]


@dataclass(frozen=True)
class Mark:
    id: str


Part = str | Span | Mark
Codes = dict[str, tuple[str, str | None]]  # id -> (opening markup, closing markup; None for a Mark)


@dataclass(frozen=True)
class Block:
    """A unit's text within a Markdown text, and its line there (1-based)."""

    text: str
    line: int
    kind: str = "paragraph"  # or heading, cell, item: those hold one line


@dataclass(frozen=True)
class Blocks:
    skeleton: tuple[str | int, ...]  # literal text, or the index of a block
    blocks: tuple[Block, ...]

    def join(self, texts: list[str]) -> str:
        return "".join(texts[piece] if isinstance(piece, int) else piece for piece in self.skeleton)


_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"([ \t]{0,3}#{1,6}[ \t]+)(.*?)([ \t]+#+[ \t]*)?$")
_RULE = re.compile(r"[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_ITEM = re.compile(r"([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)(.*)$")
_FOOTNOTE = re.compile(r"([ \t]{0,3}\[\^[^\]]+\]:[ \t]+)(.*)$")
_QUOTE = re.compile(r"([ \t]{0,3}>[ \t]?)(.*)$")


def _starts_block(line: str) -> bool:
    return bool(
        not line.strip()
        or _FENCE.match(line)
        or _HEADING.match(line)
        or _RULE.match(line)
        or line.lstrip().startswith("|")
        or _ITEM.match(line)
        or _FOOTNOTE.match(line)
        or _QUOTE.match(line)
    )


class _Cutter:
    def __init__(self) -> None:
        self.skeleton: list[str | int] = []
        self.blocks: list[Block] = []

    def literal(self, text: str) -> None:
        if text:
            self.skeleton.append(text)

    def unit(self, text: str, line: int, kind: str = "paragraph") -> None:
        """Text with its surrounding blanks kept literal; a blank text is literal whole."""
        core = text.strip()
        if not core:
            self.literal(text)
            return
        start = text.index(core)
        self.literal(text[:start])
        self.skeleton.append(len(self.blocks))
        self.blocks.append(Block(core, line + text[:start].count("\n"), kind))
        self.literal(text[start + len(core) :])


def split_blocks(text: str) -> Blocks:
    """Headings, paragraphs, list items, footnotes, quotes and table cells become blocks."""
    lines = text.split("\n")
    cut = _Cutter()
    i = 0
    while i < len(lines):
        line = lines[i]
        end = "\n" if i < len(lines) - 1 else ""
        fence = _FENCE.match(line)
        if not line.strip() or _RULE.match(line) or (_TABLE_RULE.match(line) and "-" in line and "|" in line):
            cut.literal(line + end)
            i += 1
        elif fence:
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(fence.group(1)):
                j += 1
            j = min(j, len(lines) - 1)
            cut.literal("\n".join(lines[i : j + 1]) + ("\n" if j < len(lines) - 1 else ""))
            i = j + 1
        elif heading := _HEADING.match(line):
            cut.literal(heading.group(1))
            cut.unit(heading.group(2), i + 1, "heading")
            cut.literal((heading.group(3) or "") + end)
            i += 1
        elif line.lstrip().startswith("|"):
            for k, cell in enumerate(_cells(line)):
                if k % 2:
                    cut.unit(cell, i + 1, "cell")
                else:
                    cut.literal(cell)
            cut.literal(end)
            i += 1
        else:
            marker = _ITEM.match(line) or _FOOTNOTE.match(line) or _QUOTE.match(line)
            prefix = marker.group(1) if marker else ""
            j = i + 1
            while j < len(lines) and not _starts_block(lines[j]):
                j += 1
            cut.literal(prefix)
            kind = "paragraph" if not prefix else "item"
            cut.unit("\n".join([line[len(prefix) :], *lines[i + 1 : j]]), i + 1, kind)
            cut.literal("\n" if j < len(lines) else "")
            i = j
    return Blocks(tuple(cut.skeleton), tuple(cut.blocks))


def _cells(line: str) -> list[str]:
    """A table row cut at its pipes (not escaped ones, not in code): pipes and cells alternate."""
    pieces, start, in_code = [], 0, False
    k = 0
    while k < len(line):
        char = line[k]
        if char == "\\":
            k += 2
            continue
        if char == "`":
            in_code = not in_code
        elif char == "|" and not in_code:
            pieces.append(line[start:k])
            pieces.append("|")
            start = k + 1
        k += 1
    pieces.append(line[start:])
    out = [pieces[0] + "|"]
    for cell in pieces[2:-1:2]:
        out += [cell, "|"]
    last = pieces[-1]
    if len(pieces) > 1 and last.strip():  # a row without a closing pipe
        out += [last, ""]
    elif len(pieces) > 1:
        out[-1] += last
    return out


# Inline markup, in the order Python-Markdown gives it precedence.
_INLINE = re.compile(
    r"(?P<escape>\\.)"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<image>!\[)(?P<alt>[^\]]*)(?P<imgtail>\]\([^)]*\))"
    r"|(?P<note>\[\^[^\]]+\])"
    r"|(?P<link>\[)(?P<label>(?:[^\[\]]|\[[^\]]*\])*)(?P<linktail>\](?:\([^)]*\)|\[[^\]]*\]))"
    r"|(?P<auto><(?:https?|mailto|ftp):[^>\s]+>)"
    r"|(?P<strong>\*\*|__)(?=\S)(?P<strongtext>.+?)(?<=\S)(?P=strong)"
    r"|(?P<em>\*|(?<!\w)_)(?=\S)(?P<emtext>.+?)(?<=\S)(?P=em)(?!\w)",
    re.DOTALL,
)


def split_inline(text: str) -> tuple[tuple[Part, ...], Codes]:
    """A unit's text as text and placeholders, with the markup each placeholder stands for."""
    codes: Codes = {}
    return _split(text, codes), codes


def _split(text: str, codes: Codes) -> tuple[Part, ...]:
    parts: list[Part] = []
    at = 0
    for match in _INLINE.finditer(text):
        if match.group("escape") is not None:
            continue
        if match.start() > at:
            parts.append(text[at : match.start()])
        at = match.end()
        ident = str(len(codes) + 1)
        if match.group("code") is not None or match.group("note") is not None or match.group("auto") is not None:
            codes[ident] = (match.group(0), None)
            parts.append(Mark(ident))
            continue
        if match.group("image") is not None:
            opening, inner, closing = match.group("image"), match.group("alt"), match.group("imgtail")
        elif match.group("link") is not None:
            opening, inner, closing = match.group("link"), match.group("label"), match.group("linktail")
        elif match.group("strong") is not None:
            opening = closing = match.group("strong")
            inner = match.group("strongtext")
        else:
            opening = closing = match.group("em")
            inner = match.group("emtext")
        codes[ident] = (opening, closing)
        parts.append(Span(ident, _split(inner, codes)))
    if at < len(text):
        parts.append(text[at:])
    return _merge(parts)


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    """Adjacent texts as one (escapes are skipped over and leave text cut in two)."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


def join_inline(parts: tuple[Part, ...], codes: Codes) -> str:
    """The Markdown that the parts and placeholders stand for (placeholders checked before)."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Mark):
            out.append(codes[part.id][0])
        else:
            opening, closing = codes[part.id]
            out.append(opening + join_inline(part.content, codes) + (closing or ""))
    return "".join(out)


def placeholders(parts: tuple[Part, ...]) -> list[tuple[str, str]]:
    """Every placeholder in order, as (id, 'span' or 'mark')."""
    found = []
    for part in parts:
        if isinstance(part, Span):
            found.append((part.id, "span"))
            found += placeholders(part.content)
        elif isinstance(part, Mark):
            found.append((part.id, "mark"))
    return found


def placeholder_problems(target: tuple[Part, ...], codes: Codes) -> list[str]:
    """What is wrong with a target's placeholders against its source's, in words."""
    problems: list[str] = []
    used = placeholders(target)
    seen: set[str] = set()
    for ident, kind in used:
        if ident not in codes:
            problems.append(Message("placeholder {code}, which the source does not have", code=ident))
        elif ident in seen:
            problems.append(Message("placeholder {code} twice (each stands for one piece of markup)", code=ident))
        elif (codes[ident][1] is None) != (kind == "mark"):
            if codes[ident][1] is None:
                problems.append(Message("placeholder {code} changed from standalone", code=ident))
            else:
                problems.append(Message("placeholder {code} changed from paired", code=ident))
        seen.add(ident)
    for ident, (opening, closing) in codes.items():
        if ident not in seen:
            problems.append(Message("placeholder {code} missing (it stands for {markup})", code=ident, markup=f"{opening}…{closing or ''}"))
    return problems


def match_codes(target: tuple[Part, ...], target_codes: Codes, codes: Codes) -> tuple[Part, ...] | None:
    """A target split on its own, with its placeholders renumbered as the source's same markup
    (in order), or None when its markup is not the source's."""
    free: dict[tuple[str, str | None], list[str]] = {}
    for ident, markup in codes.items():
        free.setdefault(markup, []).append(ident)
    renumber: dict[str, str] = {}
    for ident, _ in placeholders(target):
        pool = free.get(target_codes[ident])
        if not pool:
            return None
        renumber[ident] = pool.pop(0)
    if any(free.values()):
        return None

    def walk(parts: tuple[Part, ...]) -> tuple[Part, ...]:
        out: list[Part] = []
        for part in parts:
            if isinstance(part, Span):
                out.append(Span(renumber[part.id], walk(part.content)))
            elif isinstance(part, Mark):
                out.append(Mark(renumber[part.id]))
            else:
                out.append(part)
        return tuple(out)

    return walk(target)


def layout_problem(kind: str, target: str) -> str | None:
    """Why a translated block would change the Markdown around it (a new block, a broken table), in words."""
    lines = target.split("\n")
    if len(lines) > 1 and kind in ("heading", "cell"):
        if kind == "cell":
            return Message("a line break in a table cell, which would end it; keep it on one line")
        return Message("a line break in a heading, which would end it; keep it on one line")
    if any(not line.strip() for line in lines):
        return Message("a blank line, which would start a new block; keep the unit one block")
    if any(_starts_block(line) for line in (lines if kind == "paragraph" else lines[1:])):
        return Message("a line that starts with a block's mark (#, -, 1., |, > or ```), which would make a new block; reword it or put a \\ before the mark")
    if kind == "cell" and re.search(r"(?<!\\)\|", re.sub(r"`[^`]*`", "", target)):
        return Message("a | in a table cell, which would split the cell; write \\| for a pipe")
    return None
