"""Safe YAML parsing that keeps the line and column of every value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

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
    duplicates: list[tuple[Key, Mark]] = field(default_factory=list)

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
        duplicates: list[tuple[Key, Mark]] = []
        _walk(node, (), marks, duplicates, line_offset, set(), 0)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "not valid YAML"
        raise YamlError(line, column, f"expected valid YAML, found a syntax error ({problem})") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 + line_offset
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YamlError(line, column, f"expected text without control characters, found #x{exc.character:04x}") from None
    except yaml.YAMLError as exc:
        raise YamlError(None, None, f"expected valid YAML, found {exc}") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlError(1 + line_offset, 1, f"expected valid YAML, found {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise YamlError(1 + line_offset, 1, f"expected a mapping of fields, found {type(data).__name__}")
    return Parsed(data, marks, duplicates)


def _walk(
    node: yaml.Node,
    key: Key,
    marks: dict[Key, Mark],
    duplicates: list[tuple[Key, Mark]],
    offset: int,
    seen: set[int],
    depth: int,
) -> None:
    marks[key] = _mark(node, offset)
    if depth > MAX_DEPTH:
        raise YamlError(marks[key][0], marks[key][1], f"expected at most {MAX_DEPTH} levels of nesting, found more")
    # An alias points at a node already walked; walking it again is how YAML bombs explode.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        names: set[Any] = set()
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            child = key + (name,)
            if name in names:
                duplicates.append((child, _mark(key_node, offset)))
            names.add(name)
            _walk(value_node, child, marks, duplicates, offset, seen, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, key + (index,), marks, duplicates, offset, seen, depth + 1)
