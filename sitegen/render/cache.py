"""Rendered Markdown kept between builds, in the user's cache folder: never in the repository, so a
clone or a pull request cannot bring a cache of its own into a build."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import markdown as md

from ..text import markdown, urlsafety
from ..text.markdown import EXTENSIONS, Heading, Rendered

# Part of every entry's key: another Python-Markdown, or any change to how sitegen renders and
# judges Markdown (its extensions, its URL check), renders anew.
_CODE = b"".join(Path(module.__file__).read_bytes() for module in (markdown, urlsafety) if module.__file__)
VERSION = f"{md.__version__}:{','.join(EXTENSIONS)}:{hashlib.sha256(_CODE).hexdigest()[:16]}"
_QUERY_KEYS = 500  # SQLite takes at most 999 parameters before 3.32


def cache_dir() -> Path:
    """SITEGEN_CACHE_DIR, else $XDG_CACHE_HOME/sitegen, else ~/.cache/sitegen (CI keeps it with actions/cache)."""
    if os.environ.get("SITEGEN_CACHE_DIR"):
        return Path(os.environ["SITEGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sitegen"


class MarkdownCache:
    """Markdown rendered by a hash of its text. `load` reads what a build will need in a few queries;
    render processes render what is missing and hand it back (`fresh`); the main process `save`s it."""

    def __init__(self, folder: Path | None, raw_html: bool = False):
        self.path = folder / "markdown.sqlite" if folder is not None else None
        self.raw_html = raw_html
        self.known: dict[str, Rendered] = {}  # by key
        self.fresh: dict[str, Rendered] = {}  # rendered in this process since the last take
        self._keys: dict[str, str] = {}

    def key(self, text: str) -> str:
        key = self._keys.get(text)
        if key is None:  # a text's hash is kept: the dev server asks for every body's key on every save
            key = self._keys[text] = hashlib.sha256(f"{VERSION}\0{int(self.raw_html)}\0{text}".encode()).hexdigest()
        return key

    def render(self, text: str) -> Rendered:
        key = self.key(text)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self.fresh[key] = markdown.render_markdown(text, self.raw_html)
        return found

    def html(self, text: str) -> str:
        return self.render(text).html

    def take(self) -> dict[str, Rendered]:
        """What this process rendered since the last take, for the main process to keep."""
        taken, self.fresh = self.fresh, {}
        return taken

    def hold(self, entries: dict[str, Rendered]) -> None:
        self.known.update(entries)
        self.fresh.update(entries)

    def load(self, texts: Iterable[str]) -> None:
        """Read the entries of `texts` kept by earlier builds. A cache that cannot be read is started anew."""
        keys = [key for key in {self.key(text) for text in texts} if key not in self.known]
        if self.path is None or not keys or not self.path.is_file():
            return
        try:
            with _connect(self.path) as db:
                for start in range(0, len(keys), _QUERY_KEYS):
                    chunk = keys[start : start + _QUERY_KEYS]
                    rows = db.execute(f"SELECT key, html, toc FROM markdown WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                    for key, html, toc in rows:
                        self.known[key] = Rendered(html, tuple(Heading(*h) for h in json.loads(toc)))
        except (sqlite3.Error, OSError, ValueError, TypeError):
            pass

    def save(self) -> None:
        """Keep what this build rendered. A cache that cannot be written fails no build."""
        entries, self.fresh = self.fresh, {}
        if self.path is None or not entries:
            return
        rows = [(k, r.html, json.dumps([[h.level, h.id, h.name] for h in r.toc], ensure_ascii=False)) for k, r in entries.items()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _connect(self.path) as db, db:
                db.executemany("INSERT OR REPLACE INTO markdown VALUES (?, ?, ?)", rows)
        except (sqlite3.Error, OSError):
            pass


class _connect:
    """An SQLite connection that is closed on leaving the `with` (sqlite3's own only commits)."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, timeout=30)

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.db.execute("CREATE TABLE IF NOT EXISTS markdown (key TEXT PRIMARY KEY, html TEXT, toc TEXT)")
        except sqlite3.DatabaseError:
            self.db.close()
            raise
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()
