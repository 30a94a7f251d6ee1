"""Characters XML 1.0 cannot hold: control characters an editor cannot see, pasted from a word
processor (Word's vertical tab for a line break, a form feed for a page break) into a text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Message

# What XML 1.0 allows is tab, line feed, carriage return and U+0020 on, but the surrogates,
# U+FFFE and U+FFFF: everything else is a C0 control character or a non-character.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Found:
    """One such character: its line and column (from 1) in the text, and the character."""

    line: int
    column: int
    char: str


def find(text: str) -> list[Found]:
    """Every character of `text` that XML cannot hold, in order."""
    found = []
    for match in NOT_XML.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        found.append(Found(text.count("\n", 0, match.start()) + 1, match.start() - start + 1, match.group()))
    return found


def name(char: str) -> Message:
    """The character in words, with its code point: 'a vertical tab (U+000B)'."""
    code = f"U+{ord(char):04X}"
    if char == "\x0b":
        return Message("a vertical tab ({code})", code=code)
    if char == "\x0c":
        return Message("a form feed, or page break ({code})", code=code)
    if char == "\x00":
        return Message("a null character ({code})", code=code)
    if char == "\x1b":
        return Message("an escape character ({code})", code=code)
    if ord(char) < 0x20:
        return Message("a control character ({code})", code=code)
    return Message("a non-character ({code})", code=code)


def invisible(char: str) -> Message:
    """What to tell an editor about the character."""
    return Message("expected visible text, found {what}, an invisible character pasted from another program: delete it", what=name(char))
