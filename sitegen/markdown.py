"""Markdown -> HTML and a table of contents, with raw HTML escaped."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import hashlib
import json
import multiprocessing
import signal
import sqlite3
import sys
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Iterable, Iterator, Mapping
from xml.etree import ElementTree as etree

import markdown as md
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from .urlsafety import URL_ATTRIBUTES, unsafe_url

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "toc"]
TOC_CONFIG = {"slugify": slugify_unicode, "toc_depth": "2-3"}
# Part of every stored entry's key: a new Python-Markdown or a changed set of extensions renders anew.
VERSION = f"{md.__version__}:{','.join(EXTENSIONS)}:2"


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


@lru_cache(maxsize=2)
def _converter(raw_html: bool) -> md.Markdown:
    """Stock Python-Markdown with our extensions, reused body after body (reset before each)."""
    converter = md.Markdown(extensions=EXTENSIONS, extension_configs={"toc": TOC_CONFIG}, output_format="html")
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
    """Render one body; the same text is rendered once per process."""
    converter = _converter(raw_html)
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


Entry = tuple[str, str]  # (HTML, headings as JSON)


class MarkdownStore:
    """Rendered Markdown kept across builds, by a hash of its text: a template change re-renders
    every page but parses no Markdown again. One SQLite file, written by the main process once the
    pages are out (and by rendered_ahead's process while the content is read): render processes
    hand what they rendered back to it (take, hold) instead of taking turns at the file's lock (and
    its disk syncs) while the others wait."""

    def __init__(self, path: Path | None, raw_html: bool = False, known: Mapping[str, bytes] | None = None):
        """`known`: texts and their HTML in UTF-8, already read from the store (see rebuild.Rebuilder.kept)."""
        self.path = path
        self.raw_html = raw_html
        self.known: Mapping[str, bytes] = known if known is not None else {}
        self.fresh: dict[str, Entry] = {}  # rendered by this process since the last take or save: key -> entry
        self.held: dict[str, Entry] = {}  # rendered in this run but taken, or by other processes: not yet saved
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = _open(self.path)
            except sqlite3.DatabaseError as exc:
                if exc.sqlite_errorname not in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                    raise  # busy or locked past the timeout, out of space: not the file's fault
                # Damaged, or not ours: a cache, so it is started anew rather than failing every page.
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                self._db = _open(self.path)
        return self._db

    def render(self, text: str) -> Rendered:
        html, toc = self._stored(text)
        return Rendered(html, _headings(toc))

    def html(self, text: str) -> str:
        """The HTML alone: what a page shows, without reading its headings back."""
        found = self.known.get(text)
        return found.decode() if found is not None else self._stored(text)[0]

    def html_of(self, texts: Iterable[str]) -> dict[str, bytes]:
        """The HTML, in UTF-8, of those of `texts` the file holds, read in a few queries; a missing file is not made."""
        if self.path is None or not self.path.exists():
            return {}
        db = self._connect()
        assert db is not None
        keys = {self._key(text): text for text in texts}
        found = {}
        listed = list(keys)
        for start in range(0, len(listed), _QUERY_KEYS):
            chunk = listed[start : start + _QUERY_KEYS]
            rows = db.execute(f"SELECT key, CAST(html AS BLOB) FROM markdown WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            found.update((keys[key], html) for key, html in rows)
        return found

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{VERSION}\0{int(self.raw_html)}\0{text}".encode()).hexdigest()

    def _stored(self, text: str) -> Entry:
        """(HTML, headings as JSON), from this run, the file or a render."""
        key = self._key(text)
        found = self.fresh.get(key) or self.held.get(key)
        if found:
            return found
        db = self._connect()
        row = db.execute("SELECT html, toc FROM markdown WHERE key = ?", (key,)).fetchone() if db else None
        if row:
            return row
        rendered = render_markdown(text, self.raw_html)
        self.fresh[key] = (rendered.html, json.dumps([[h.level, h.id, h.name] for h in rendered.toc], ensure_ascii=False))
        return self.fresh[key]

    def take(self) -> dict[str, Entry]:
        """What this process rendered since the last take, for another to save (see hold); still found here."""
        taken, self.fresh = self.fresh, {}
        self.held.update(taken)
        return taken

    def hold(self, entries: Mapping[str, Entry]) -> None:
        """Entries another process rendered (see take), to be found here and saved with this store's own."""
        self.held.update(entries)

    def save(self) -> None:
        """Keep what this run rendered and has not saved yet, for the next build. A file that cannot
        be written (locked past the timeout, a full disk) keeps none of it: a cache, it fails no build."""
        entries = {**self.held, **self.fresh}
        self.fresh.clear()
        self.held.clear()
        try:
            db = self._connect()
            if db is not None and entries:
                with db:
                    db.executemany("INSERT OR REPLACE INTO markdown VALUES (?, ?, ?)", [(k, h, t) for k, (h, t) in entries.items()])
        except (sqlite3.Error, OSError):
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


_COLUMNS = "key TEXT PRIMARY KEY, html TEXT, toc TEXT"
_COLUMN_NAMES = [column.split()[0] for column in _COLUMNS.split(", ")]


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30)
    try:
        # A cache: a commit lost to a power cut costs a render, so commits need not wait for the
        # disk (with a write-ahead log, the file stays whole whatever happens).
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"CREATE TABLE IF NOT EXISTS markdown ({_COLUMNS})")
        if [row[1] for row in db.execute("PRAGMA table_info(markdown)")] != _COLUMN_NAMES:
            with db:  # a table laid out otherwise, by another version: its rows cannot be read
                db.execute("DROP TABLE markdown")
                db.execute(f"CREATE TABLE markdown ({_COLUMNS})")
    except BaseException:
        db.close()
        raise
    return db


_QUERY_KEYS = 500  # keys a query asks for at once: SQLite takes at most 999 parameters before 3.32

# Texts rendered ahead between two saves: what a stop may lose, and each save's share of the lock.
AHEAD_SAVE = 32
STOP_WAIT = 0.5  # seconds


@contextmanager
def rendered_ahead(texts: Iterable[str | None], path: Path, raw_html: bool = False) -> Iterator[None]:
    """Render `texts` into the store at `path`, in another process, while the `with` block runs;
    stop where it got to when the block ends. A build reads and checks its content on one core:
    the others can meanwhile parse Markdown that the render stage would parse."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # else what is still buffered would be written again by the forked process
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    process = context.Process(target=_render_into, args=(texts, path, raw_html, stop), daemon=True)
    process.start()
    try:
        yield
    finally:
        stop.set()
        process.join(STOP_WAIT)  # it stops after the body at hand, and keeps what it rendered
        if process.is_alive():  # a body that takes long: not worth the wait (SQLite keeps what was committed)
            process.terminate()
            process.join()


def _render_into(texts: Iterable[str | None], path: Path, raw_html: bool, stop: Event) -> None:
    # Ctrl-C is the build's to handle: it stops this process as the `with` block ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = MarkdownStore(path, raw_html)
    try:
        for count, text in enumerate(texts, 1):
            if stop.is_set():
                break
            if text and text.strip():
                store.html(text)
            if count % AHEAD_SAVE == 0:
                store.save()
        store.save()
    except Exception:  # only a head start: what it failed to render, the render stage renders (and reports)
        pass
    finally:
        store.close()


def _headings(toc: str) -> tuple[Heading, ...]:
    return tuple(Heading(level, id_, name) for level, id_, name in json.loads(toc))
