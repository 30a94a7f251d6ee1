"""What each output was made from, and which outputs a change touches (after Lektor's build state)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .layout import ASSETS_DIR, CONFIG_NAME, CONTENT_DIR, LOCALE_DIR, TEMPLATES_DIR, identify

WATCHED = (CONTENT_DIR, TEMPLATES_DIR, LOCALE_DIR, ASSETS_DIR)
Stamp = tuple[int, int]  # (mtime_ns, size)


def scan(root: Path) -> dict[str, Stamp]:
    """Every input file of the site with its modification stamp: the cheap way to see what changed."""
    stamps: dict[str, Stamp] = {}
    config = root / CONFIG_NAME
    if config.is_file():
        stat = config.stat()
        stamps[CONFIG_NAME] = (stat.st_mtime_ns, stat.st_size)
    for folder in WATCHED:
        base = root / folder
        if base.is_dir():
            _scan_dir(base, folder, stamps)
    return stamps


def restamp(root: Path, stamps: Mapping[str, Stamp], paths: Iterable[str]) -> dict[str, Stamp]:
    """`stamps` with the files at `paths` (site paths of files, told by a watcher) stamped again: scan() without the walk."""
    out = dict(stamps)
    for path in paths:
        if path != CONFIG_NAME and (not path.startswith(_WATCHED_FOLDERS) or _ignored(path.rsplit("/", 1)[-1])):
            continue
        try:
            stat = (root / path).stat()
        except OSError:
            out.pop(path, None)
            continue
        out[path] = (stat.st_mtime_ns, stat.st_size)
    return out


_WATCHED_FOLDERS = tuple(f"{folder}/" for folder in WATCHED)


def _ignored(name: str) -> bool:
    """Editors' swap and backup files, and compiled catalogs: not inputs."""
    return name.startswith(".") or name.endswith(("~", ".mo"))


def _scan_dir(folder: Path, rel: str, stamps: dict[str, Stamp]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:  # a folder that cannot be listed: the stage that reads it says so
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith("~"):
            continue
        path = f"{rel}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            _scan_dir(Path(entry.path), path, stamps)
        elif _ignored(entry.name):
            continue
        else:
            try:
                stat = entry.stat()
            except OSError:  # a link that leads nowhere, or round in a loop: stamped as the link, refused by its reader
                stat = entry.stat(follow_symlinks=False)
            stamps[path] = (stat.st_mtime_ns, stat.st_size)


def changed_files(before: Mapping[str, Stamp], after: Mapping[str, Stamp], among: Iterable[str] | None = None) -> set[str]:
    """The files whose stamps differ: of all of them, or only `among` the paths a watcher told."""
    paths = before.keys() | after.keys() if among is None else among
    return {path for path in paths if before.get(path) != after.get(path)}


def changed_keys(files: Iterable[str], before: Mapping[str, Stamp], after: Mapping[str, Stamp]) -> set[str]:
    """The dependency keys a set of changed files touches: the files themselves, and for content
    files that appeared or disappeared, their item and their section's lists."""
    keys = set()
    for path in files:
        keys.add(path)
        if (path in before) != (path in after):
            identity = identify(path)
            if identity:
                _, section, slug = identity
                keys.add(f"item:{section}/{slug}")
                keys.add(f"section:{section}")
    return keys


@dataclass
class DepGraph:
    """Output -> the keys it was made from, with the reverse index to answer 'what does this touch'."""

    deps: dict[str, frozenset[str]] = field(default_factory=dict)
    _users: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for output, keys in self.deps.items():
            for key in keys:
                self._users.setdefault(key, set()).add(output)

    def update(self, deps: Mapping[str, frozenset[str]]) -> None:
        for output, keys in deps.items():
            old = self.deps.get(output, frozenset())
            if keys == old:  # most pages made again are made from what they were made from
                continue
            for key in old - keys:
                self._users.get(key, set()).discard(output)
            self.deps[output] = keys
            for key in keys - old:
                self._users.setdefault(key, set()).add(output)

    def remove(self, outputs: Iterable[str]) -> None:
        for output in outputs:
            for key in self.deps.pop(output, ()):
                self._users.get(key, set()).discard(output)

    def affected(self, keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for key in keys:
            out |= self._users.get(key, set())
        return out
