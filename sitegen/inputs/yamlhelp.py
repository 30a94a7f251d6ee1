"""YAML's syntax errors in an editor's words: what was found, at the line to change, and how to fix it."""

from __future__ import annotations

import re

import yaml

from ..errors import Message

Explained = tuple[int | None, int | None, str]  # 1-based line and column in the file, the message
Found = tuple[int, int, str]  # what a rule finds: 0-based line and column in the text, the message

_CURLY = "\u201c\u201d\u2018\u2019"  # “ ” ‘ ’: typed by a word processor or a phone
_KEY = re.compile(r"\s*(?:-\s+)?([^\s:#'\"][^:#]*?):(?:\s|$)")


def explain(text: str, exc: yaml.MarkedYAMLError, offset: int = 0) -> Explained:
    """The error PyYAML raised for `text`, said plainly; `offset`: lines before the text in its file."""
    lines = text.split("\n")
    problem, context = exc.problem or "", exc.context or ""
    at = _position(exc.problem_mark) or _position(exc.context_mark)
    opened = _position(exc.context_mark)
    for rule in _RULES:
        found = rule(lines, problem, context, at, opened)
        if found is not None:
            line, column, message = found
            return line + 1 + offset, column + 1, message
    return (
        at[0] + 1 + offset if at else None,
        at[1] + 1 if at else None,
        Message(
            "expected valid YAML, found a syntax error ({problem}); compare the line with the lines around it", problem=problem or context or "not valid YAML"
        ),
    )


Position = tuple[int, int]  # 0-based line and column in the text


def _position(mark: yaml.Mark | None) -> Position | None:
    return (mark.line, mark.column) if mark is not None else None


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


# Spaces YAML does not read as spaces, which a Korean or Japanese keyboard types easily: after a ':' or
# a '-', or in the indent, they make the line something else than was meant.
_ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_ODD_SPACE = re.compile(rf"^ *(?:[{_ODD_SPACES}]|(?:- +)*(?:-|[^\s:#'\"][^:#]*:)[{_ODD_SPACES}])")  # ends with the space


def _odd_space(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    marks = [mark[0] for mark in (opened, at) if mark is not None]
    if not marks:
        return None
    for index in range(max(0, min(marks) - 1), max(marks) + 1):
        found = _ODD_SPACE.search(_line(lines, index))
        if found is not None:
            char = found.group()[-1]
            space = {"\u3000": Message("a full-width space"), "\u00a0": Message("a no-break space")}.get(char) or Message("a special space")
            return (
                index,
                found.end() - 1,
                Message(
                    "expected an ordinary space, found {space} (U+{code:04X}), which YAML does not read as a space; delete it and type an ordinary space (with the keyboard in half-width mode)",
                    space=space,
                    code=ord(char),
                ),
            )
    return None


def _tab(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if at is None or ("tab" not in problem and "cannot start any token" not in problem):
        return None
    line = _line(lines, at[0])
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" not in indent and _line(lines, at[0])[at[1] : at[1] + 1] != "\t":
        return None
    column = indent.index("\t") if "\t" in indent else at[1]
    return (
        at[0],
        column,
        Message(
            "expected spaces at the start of the line, found a tab; YAML indents with spaces only: replace the tab with spaces "
            "(two for each level, lined up with the fields above)"
        ),
    )


def _reserved_start(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if "alias" in context or "anchor" in context:  # '*' or '&' then a name YAML cannot read
        at = opened
    elif "cannot start any token" not in problem and "undefined alias" not in problem:
        return None
    if at is None:
        return None
    line = _line(lines, at[0])
    char = line[at[1] : at[1] + 1]
    if not char:
        return None
    return (
        at[0],
        at[1],
        Message(
            "expected a value, found one that starts with '{char}', which YAML keeps for itself; put the value in quotes: {fix}",
            char=char,
            fix=_quoted_fix(line),
        ),
    )


def _unclosed_quote(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if "quoted scalar" not in context or opened is None:
        return None
    quote = _line(lines, opened[0])[opened[1] : opened[1] + 1] or '"'
    inside = '\\"' if quote == '"' else "''"
    return (
        opened[0],
        opened[1],
        Message(
            "expected a closing {quote} for the quote that opens here, found none; add {quote} at the end of the value (a {quote} inside the text is written {inside})",
            quote=quote,
            inside=inside,
        ),
    )


def _unclosed_bracket(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if opened is None or not ("flow sequence" in context or "flow mapping" in context):
        return None
    bracket, closing = ("[", "]") if "sequence" in context else ("{", "}")
    example = "study_groups: [금형, 이종접합]" if bracket == "[" else "members: {companies: 73, universities: 9}"
    return (
        opened[0],
        opened[1],
        Message(
            "expected a closing '{closing}' for the '{bracket}' that opens here, found none; end it with '{closing}' on the same line, with ', ' between the values: {example}",
            closing=closing,
            bracket=bracket,
            example=example,
        ),
    )


def _colon_in_value(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if at is None or "mapping values are not allowed" not in problem:
        return None
    line = _line(lines, at[0])
    key = _KEY.match(line)
    if key is not None and key.end() <= at[1]:
        name = key.group(1)
        value = line[key.end() :].strip()
        if len(value) > 1 and value[0] in _CURLY and value[-1] in _CURLY:  # a word processor's quotes
            fix = line[: key.end()].rstrip() + ' "' + value[1:-1].replace('"', '\\"') + '"'
            return (
                at[0],
                line.index(value[0], key.end()),
                Message(
                    "expected straight quotes \" around a value with ':' in it, found curly ones {quote}, which YAML reads as letters; "
                    "write them as straight quotes: {fix}",
                    quote=value[0] + value[-1],
                    fix=fix,
                ),
            )
        fix = line[: key.end()].rstrip() + f' "{value}"'
        return (
            at[0],
            at[1],
            Message(
                "expected one ':' after the field name, found another inside the value of '{name}'; put the value in quotes: {fix}",
                name=name,
                fix=fix,
            ),
        )
    previous = _previous(lines, at[0])
    if previous is not None and ":" not in lines[previous] and not lines[previous].lstrip().startswith("-"):
        return _no_colon(lines, previous)
    return None


def _no_colon(lines: list[str], index: int) -> Found:
    line = lines[index]
    stripped = line.strip()
    name, _, rest = stripped.partition(" ")
    fix = f"{line[: len(line) - len(line.lstrip())]}{name}: {rest.strip()}".rstrip()
    return (
        index,
        len(line) - len(line.lstrip()),
        Message("expected 'name: value', found {found!r} without a ':' after the field name; write it as {fix!r}", found=stripped, fix=fix.strip()),
    )


_BLOCK_TEXT = re.compile(r"([^\s:#'\"][^:#]*):[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _outside_block_text(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    """A line of a '|' text (a body) that lost its indent: YAML takes it for a field."""
    index = opened[0] if opened is not None else at[0] if at is not None else None
    if index is None or not _line(lines, index).strip() or _indent(_line(lines, index)) > 0:
        return None
    indents = []
    for above in range(index - 1, -1, -1):
        line = lines[above]
        if not line.strip():
            continue
        if _indent(line) > 0:
            indents.append(_indent(line))
            continue
        block = _BLOCK_TEXT.match(line)
        if block is None or not indents:
            return None
        return (
            index,
            0,
            Message(
                "expected this line of '{name}' indented like the lines above it, found it at the start of the line, where YAML takes it for a new field; "
                "put {spaces} spaces before it, as before every line of the text",
                name=block.group(1).strip(),
                spaces=indents[-1],
            ),
        )
    return None


def _no_dash(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if "could not find expected ':'" not in problem or opened is None:
        return None
    line = _line(lines, opened[0])
    previous = _previous(lines, opened[0])
    if previous is not None and lines[previous].lstrip().startswith("- ") and _indent(lines[previous]) == _indent(line):
        item = line.strip()
        return (
            opened[0],
            _indent(line),
            Message(
                "expected a list item to start with '- ', found {item!r} in a list without its dash; write it as '- {item}', like the items above it", item=item
            ),
        )
    return _no_colon(lines, opened[0])


def _indentation(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if at is None or not ("did not find expected key" in problem or "mapping values are not allowed" in problem or "expected <block end>" in problem):
        return None
    line = _line(lines, at[0])
    if re.search(r"""^[^"']*:\s*(["']).*\1\s*\S""", line):
        return at[0], at[1], Message("expected the value to end with its closing quote, found more text after it; put the whole value inside the quotes")
    previous = _previous(lines, at[0])
    if previous is not None:
        return (
            at[0],
            _indent(line),
            Message(
                "expected this line to line up with the fields above it (indented {above} spaces, or as the field it belongs to), "
                "found {found}; indent it like the other fields of its group",
                above=_indent(lines[previous]),
                found=_indent(line),
            ),
        )
    return None


def _previous(lines: list[str], index: int) -> int | None:
    """The nearest line before `index` with something on it other than a comment."""
    for number in range(index - 1, -1, -1):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _quoted_fix(line: str) -> str:
    key = _KEY.match(line)
    if key is None:
        return f'"{line.strip()}"'
    value = line[key.end() :].strip().replace('"', '\\"')
    return f'{line[: key.end()].strip()} "{value}"'


def _tag(lines: list[str], problem: str, context: str, at: Position | None, opened: Position | None) -> Found | None:
    if at is None or "could not determine a constructor" not in problem:
        return None
    tag = _line(lines, at[0])[at[1] :].split(" ", 1)[0]
    return (
        at[0],
        at[1],
        Message("expected a plain value, found the YAML tag {tag!r}, which sitegen does not read; take the tag out and keep the value", tag=tag),
    )


_RULES = (_tag, _odd_space, _outside_block_text, _tab, _reserved_start, _unclosed_quote, _unclosed_bracket, _no_dash, _colon_in_value, _indentation)
