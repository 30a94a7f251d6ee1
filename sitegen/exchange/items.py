"""A content item and its translation <-> translation units; a translation file written back."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..inputs import validate as v
from ..inputs.config import SiteConfig
from ..inputs.content import SourceItem
from ..inputs.schema import VERSION_FIELD, CheckedItem, section_fields, translatable
from ..inputs.validate import Field
from .segments import Codes, Part, join_inline, match_codes, split_blocks, split_inline

State = str  # "new", "translated" or "needs-review"


@dataclass(frozen=True)
class Unit:
    id: str  # the field's path, dotted; with #n for the n-th block of a Markdown field
    source: tuple[Part, ...]
    target: tuple[Part, ...] | None
    state: State = "new"
    note: str = ""
    line: int = 0  # where it is in an exchange file that was read
    codes: Codes = field(default_factory=dict)  # what each placeholder stands for, when exported
    previous: tuple[Part, ...] | None = None  # its source as the current translation translated it, when that changed since


@dataclass(frozen=True)
class ItemUnits:
    """One item's units, with what the import checks against: the source version and the local
    translation's digest ("" for none) when exported."""

    source_path: str
    target_path: str
    source_version: str
    translation_digest: str
    units: tuple[Unit, ...]
    line: int = 0


@dataclass(frozen=True)
class Exchange:
    source_lang: str
    target_lang: str
    items: tuple[ItemUnits, ...]
    line: int = 1  # where an exchange file that was read names its languages


def target_path(config: SiteConfig, source_path: str, lang: str) -> str:
    return source_path.replace(f"content/{config.source_language}/", f"content/{lang}/", 1)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, (list, tuple)) or part >= len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict) or part not in data:
                return None
            data = data[part]
    return data


def _field(fields: tuple[Field, ...], path: tuple[Any, ...]) -> Field | None:
    found = None
    for part in path:
        if isinstance(part, int):
            continue
        found = next((f for f in fields if f.name == part), None)
        if found is None:
            return None
        fields = found.fields or found.items
    return found


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(map(str, path))


def _paths(config: SiteConfig, source: CheckedItem) -> list[tuple[Any, ...]]:
    """The source's translatable paths in the order the file has them."""
    fields = section_fields(source.source.section, config)
    item = source.source

    def where(path: tuple[Any, ...]) -> tuple[int, int]:
        if path == ("body",) and item.body is not None:
            return (item.body_line, 0)
        return item.parsed.mark(path) or (0, 0)

    return sorted(translatable(fields, source.as_written), key=lambda p: (where(p), tuple(map(str, p))))


@dataclass(frozen=True)
class SourceUnit:
    """A unit as the current source makes it: what the import checks a returned unit against."""

    id: str
    path: tuple[Any, ...]
    source: tuple[Part, ...]
    codes: Codes
    line: int
    label: str
    kind: str = "field"  # or the kind of Markdown block


def source_units(config: SiteConfig, source: CheckedItem) -> tuple[list[SourceUnit], dict[tuple[Any, ...], Any]]:
    """Every unit of a source, and for each Markdown field its blocks (to rebuild it)."""
    fields = section_fields(source.source.section, config)
    units, layouts = [], {}
    item = source.source
    for path in _paths(config, source):
        value = _get(source.as_written, path)
        field = _field(fields, path)
        mark = item.body_line if path == ("body",) and item.body is not None else (item.parsed.mark(path) or (1, 1))[0]
        name = _dotted(path)
        if field is not None and field.check is v.markdown and isinstance(value, str):
            blocks = split_blocks(value)
            layouts[path] = blocks
            first = mark if path == ("body",) and item.body is not None else mark + 1  # a block scalar starts below its key
            for n, block in enumerate(blocks.blocks, 1):
                parts, codes = split_inline(block.text)
                units.append(SourceUnit(f"{name}#{n}", path, parts, codes, first + block.line - 1, f"{name}, block {n}", block.kind))
        elif isinstance(value, tuple):
            for index, entry in enumerate(value):
                line = (item.parsed.mark(path + (index,)) or (mark, 1))[0]
                units.append(SourceUnit(f"{name}.{index}", path + (index,), (str(entry),), {}, line, f"{name}, entry {index + 1}"))
        else:
            units.append(SourceUnit(name, path, (str(value),), {}, mark, name))
    return units, layouts


def export_units(config: SiteConfig, source: CheckedItem, translation: CheckedItem | None, lang: str, digest: str, old: CheckedItem | None = None) -> ItemUnits:
    """An item's units, each with the current translation as target where it lines up with the source.
    `old`: the source as the translation translated it, when the history has it: a unit whose source
    text is as it was then keeps its translation as done, and only the others go out for review."""
    units, layouts = source_units(config, source)
    targets = _current_targets(units, layouts, translation)
    up_to_date = translation is not None and translation.source_version == source.version
    before = {unit.id: unit.source for unit in source_units(config, old)[0]} if old is not None else {}
    out = []
    for unit in units:
        target, why = targets.get(unit.id, (None, ""))
        state = "new" if target is None else "translated" if up_to_date or before.get(unit.id) == unit.source else "needs-review"
        note = f"{unit.label}: {source.source.path}:{unit.line}" + (f"; {why}" if why else "")
        previous = before.get(unit.id) if state == "needs-review" else None
        out.append(Unit(unit.id, unit.source, target, state, note, codes=unit.codes, previous=previous))
    return ItemUnits(source.source.path, target_path(config, source.source.path, lang), source.version, digest, tuple(out))


def _current_targets(
    units: list[SourceUnit], layouts: dict[tuple[Any, ...], Any], translation: CheckedItem | None
) -> dict[str, tuple[tuple[Part, ...] | None, str]]:
    if translation is None:
        return {}
    targets: dict[str, tuple[tuple[Part, ...] | None, str]] = {}
    for path, blocks in layouts.items():
        value = _get(translation.as_written, path)
        if not isinstance(value, str):
            continue
        mine = split_blocks(value)
        if mine.skeleton != blocks.skeleton:
            why = "the current translation of this field is laid out differently from the source (other blocks), so it is not offered here"
            for unit in units:
                if unit.path == path:
                    targets[unit.id] = (None, why)
            continue
        blockwise = iter(mine.blocks)
        for unit in units:
            if unit.path == path:
                parts, codes = split_inline(next(blockwise).text)
                matched = match_codes(parts, codes, unit.codes)
                targets[unit.id] = (
                    matched,
                    "" if matched is not None else "the current translation's markup differs from the source's, so it is not offered here",
                )
    for unit in units:
        if unit.path in layouts or unit.id in targets:
            continue
        value = _get(translation.as_written, unit.path)
        if len(unit.path) > 1 and isinstance(unit.path[-1], int):
            whole, mine_list = _get(translation.as_written, unit.path[:-1]), None
            if isinstance(whole, tuple):
                mine_list = whole
            source_len = sum(1 for u in units if u.path[:-1] == unit.path[:-1] and isinstance(u.path[-1], int))
            if mine_list is None or len(mine_list) != source_len:
                value = None
        if isinstance(value, str):
            targets[unit.id] = ((value,), "")
    return targets


def rebuild(config: SiteConfig, source: CheckedItem, local: SourceItem | None, returned: dict[str, tuple[Part, ...]], version: str | None) -> str:
    """The translation file with every fully translated field from `returned`, the rest as it was."""
    units, layouts = source_units(config, source)
    data = copy.deepcopy(dict(local.parsed.data)) if local is not None else {}
    recorded = data.pop(VERSION_FIELD, None)
    body = local.body if local is not None else None
    by_path: dict[tuple[Any, ...], list[SourceUnit]] = {}
    for unit in units:  # a Markdown field's blocks, and a list's entries, are written together
        by_path.setdefault(unit.path[:-1] if isinstance(unit.path[-1], int) else unit.path, []).append(unit)
    complete = all(unit.id in returned for unit in units)
    for path, group in by_path.items():
        if not all(unit.id in returned for unit in group):
            continue
        if path in layouts:
            value: Any = layouts[path].join([join_inline(returned[u.id], u.codes) for u in group])
        elif group[0].path != path:
            value = [join_inline(returned[u.id], {}) for u in group]
        else:
            value = join_inline(returned[group[0].id], {})
        if path == ("body",) and source.source.body is not None:
            body = value
        else:
            _set(data, path, value, source.source.parsed.data)
    if complete and version:
        recorded = version
    ordered: dict[str, Any] = {VERSION_FIELD: recorded} if recorded else {}
    for key in source.source.parsed.data:
        if key in data:
            ordered[key] = data.pop(key)
    ordered.update(data)
    if source.source.path.endswith(".md"):
        front = dump_yaml(ordered) if ordered else ""
        return f"---\n{front}---\n{body or ''}"
    return dump_yaml(ordered)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any, source: dict[str, Any]) -> None:
    """Set a nested value, taking a missing list from the source (its other entries are language-neutral)."""
    here: Any = data
    there: Any = source
    for part, following in itertools.pairwise(path):
        there = there[part] if there is not None and _has(there, part) else None
        if not _has(here, part):
            here[part] = copy.deepcopy(there) if isinstance(following, int) else {}
        here = here[part]
    here[path[-1]] = value


def _has(container: Any, part: Any) -> bool:
    if isinstance(part, int):
        return isinstance(container, list) and part < len(container)
    return isinstance(container, dict) and part in container


class _Dumper(yaml.SafeDumper):
    """YAML as the portal's editors write it: lists indented under their key, text with newlines as | blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**9, default_flow_style=False)
