"""Safe YAML parsing that keeps the line and column of every value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import Message, describe
from ..text import controls
from .yamlhelp import explain

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Key = tuple[Any, ...]
Mark = tuple[int, int]  # 1-based line, column


class _Loader(_Base):
    """SafeLoader that leaves dates as text, so the schema can report a bad one with its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"] for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# A document nested deeper than this is hostile or broken; real content is a few levels deep.
MAX_DEPTH = 64


@dataclass
class YamlError(Exception):
    line: int | None
    column: int | None
    message: str


@dataclass
class Parsed:
    """A YAML mapping with the position of each value, keyed by its path of keys and indexes."""

    data: dict[str, Any]
    marks: dict[Key, Mark] = field(default_factory=dict)
    duplicates: list[tuple[Key, Mark, Mark]] = field(default_factory=list)  # (key, where again, where first)
    notes: list[tuple[Key, Mark, str]] = field(default_factory=list)  # what an editor may not have meant
    invisible: list[tuple[Key, str]] = field(default_factory=list)  # texts with a character XML cannot hold (see controls)

    def mark(self, key: Key) -> Mark | None:
        """The position of `key`, or of its nearest parent that has one."""
        while key:
            if key in self.marks:
                return self.marks[key]
            key = key[:-1]
        return self.marks.get(())


def _mark(node: yaml.Node, line_offset: int) -> Mark:
    return (node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def parse_yaml(text: str, line_offset: int = 0) -> Parsed:
    """Parse one YAML mapping; raise YamlError with a position for anything else."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed({}, {(): (1 + line_offset, 1)})
        marks: dict[Key, Mark] = {}
        duplicates: list[tuple[Key, Mark, Mark]] = []
        notes: list[tuple[Key, Mark, str]] = []
        invisible: list[tuple[Key, str]] = []
        _walk(node, (), marks, duplicates, line_offset, set(), 0, (text.split("\n"), notes, invisible))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(*explain(text, exc, line_offset)) from None
    except yaml.reader.ReaderError as exc:
        position = exc.position
        if text[position : position + 1] != chr(exc.character):  # libyaml counts the bytes of the UTF-8
            position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        line = text[:position].count("\n") + 1 + line_offset
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise YamlError(line, column, controls.invisible(chr(exc.character))) from None
    except yaml.YAMLError as exc:
        raise YamlError(None, None, Message("expected valid YAML, found {error}", error=str(exc))) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlError(1 + line_offset, 1, Message("expected valid YAML, found {error}", error=str(exc))) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        found = describe(data) if isinstance(data, (list, str)) or data is None else type(data).__name__
        raise YamlError(1 + line_offset, 1, Message("expected fields written as 'name: value', one a line, found {found}", found=found))
    return Parsed(data, marks, duplicates, notes, invisible)


def _walk(
    node: yaml.Node,
    key: Key,
    marks: dict[Key, Mark],
    duplicates: list[tuple[Key, Mark, Mark]],
    offset: int,
    seen: set[int],
    depth: int,
    lines_notes: tuple[list[str], list[tuple[Key, Mark, str]], list[tuple[Key, str]]],
) -> None:
    marks[key] = _mark(node, offset)
    if isinstance(node, yaml.ScalarNode) and not node.style:  # plain: None from PyYAML, "" from libyaml
        note = _comment_after(node, lines_notes[0])
        if note is not None:
            lines_notes[1].append((key, (note[0] + offset, note[1]), note[2]))
    if isinstance(node, yaml.ScalarNode) and controls.NOT_XML.search(node.value):  # written as an escape such as "\v"
        lines_notes[2].append((key, node.value))
    if depth > MAX_DEPTH:
        raise YamlError(marks[key][0], marks[key][1], Message("expected at most {most} levels of nesting, found more; indent less", most=MAX_DEPTH))
    # An alias points at a node already walked; walking it again is how YAML bombs explode.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode) and node.flow_style:
        _grouped_number_in_flow(node, lines_notes[0], offset)
    if isinstance(node, yaml.MappingNode):
        names: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            child = key + (name,)
            if name in names:
                duplicates.append((child, _mark(key_node, offset), names[name]))
            names.setdefault(name, _mark(key_node, offset))
            _walk(value_node, child, marks, duplicates, offset, seen, depth + 1, lines_notes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, key + (index,), marks, duplicates, offset, seen, depth + 1, lines_notes)


# A field's value inside { } written with digit-group commas: {amount: 12,000,000, currency: USD}.
_GROUPED = re.compile(r"(?<=:)[ \t]*(\d{1,3}(?:,\d{3})+)(?!\w|,\d)")


def _grouped_number_in_flow(node: yaml.Node, lines: list[str], offset: int) -> None:
    """Refuses a value 12,000,000 inside { }, where YAML reads each comma as the end of a value."""
    start, end = node.start_mark, node.end_mark
    if start.line != end.line or start.line >= len(lines):
        return
    match = _GROUPED.search(lines[start.line], start.column, end.column)
    if match is None:
        return
    number = match.group(1)
    message = Message(
        "expected a number without commas inside {{ }}, found {number!r}, which YAML reads as {values} values; "
        "write it as {plain} (or give the field a line of its own, where {number} is read as one number)",
        number=number,
        values=number.count(",") + 1,
        plain=number.replace(",", ""),
    )
    raise YamlError(start.line + 1 + offset, match.start(1) + 1, message)


_COMMENT = re.compile(r"[ \t]+#")


def _comment_after(node: yaml.ScalarNode, lines: list[str]) -> tuple[int, int, str] | None:
    """A '#' after an unquoted value on its line, which YAML reads as the start of a comment and leaves
    out of the value (`title: Cluster #1` is 'Cluster'): (line, column, the note)."""
    end = node.end_mark
    if end.line >= len(lines) or node.start_mark.line != end.line:
        return None
    match = _COMMENT.match(lines[end.line], end.column)
    if match is None:
        return None
    line = lines[end.line]
    start = node.start_mark.column
    value = line[start:].strip() if node.value else line[match.end() - 1 :].strip()
    found = Message("'#' after {value}", value=describe(node.value)) if node.value else Message("a value that starts with '#'")
    message = Message(
        "expected the whole value, found {found}: YAML reads ' #' as the start of a comment and leaves the rest of the line out; "
        "if the '#' belongs to the value, put the whole value in quotes: \"{value}\"",
        found=found,
        value=value,
    )
    return end.line + 1, match.end(), message
