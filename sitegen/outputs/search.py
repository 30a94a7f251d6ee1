"""The search index: Pagefind (extended, for Chinese and Japanese word segmentation) over the rendered pages."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import tempfile
from pathlib import Path

from pagefind.service import get_executable

from ..errors import Message

INDEX_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why."""


def index_site(folder: Path) -> dict[str, bytes]:
    """The Pagefind bundle for the pages in `folder` that ask to be indexed (data-pagefind-body),
    one index per <html lang>, as files to publish with the site."""
    program = get_executable()  # the binary itself: `python -m pagefind` would start an interpreter first (0.15-0.35 s)
    if program is None:
        raise SearchIndexError(Message("expected Pagefind's program to index the site, found none; is pagefind[extended] installed?"))
    with tempfile.TemporaryDirectory(prefix="sitegen-search-") as scratch:
        bundle = Path(scratch) / INDEX_DIR
        command = [str(program), "--site", str(folder), "--output-path", str(bundle)]  # its log is captured
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchIndexError(Message("expected Pagefind to index the site, found it failing to run: {error}", error=str(exc))) from exc
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            reason = detail[-1] if detail else Message("exit code {code}", code=done.returncode)
            raise SearchIndexError(Message("expected Pagefind to index the site, found: {reason}; is pagefind[extended] installed?", reason=reason))
        files = {f"{INDEX_DIR}/{p.relative_to(bundle).as_posix()}": p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}
    files = stable_filters(files)
    entry = f"{INDEX_DIR}/pagefind-entry.json"
    if entry in files:
        # Pagefind lists the languages in hash-map order; sorted, the same site gives the same bytes.
        files[entry] = json.dumps(json.loads(files[entry]), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return files


# Pagefind (1.5) writes each filter's values in hash-map order, so the same site gives different
# filter files, names and metadata from build to build (Pagefind/pagefind#638 made the fragments
# stable, not these). A filter file is small and plain: "pagefind_dcd" and, in CBOR,
# [name, [[value, [page, ...]], ...]]. Its values are put in order, and each name that holds a
# hash of what changed (the filter file, the metadata naming it, the entry naming that) follows.
SIGNATURE = b"pagefind_dcd"
_FILTER = re.compile(rf"{INDEX_DIR}/filter/(.+)\.pf_filter")
_META = re.compile(rf"{INDEX_DIR}/pagefind\.(.+)\.pf_meta")


def stable_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filter files in a stable order, and the names that hash them."""
    renamed: dict[str, str] = {}  # old hash -> new, each the same length
    out = dict(files)
    for path, data in files.items():
        match = _FILTER.fullmatch(path)
        if match is None:
            continue
        old = match.group(1)
        body = gzip.decompress(data)
        if not body.startswith(SIGNATURE):
            continue
        try:
            value, end = _decode(body, len(SIGNATURE))
        except (ValueError, IndexError, UnicodeDecodeError):
            continue
        if end != len(body) or not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
            continue
        if SIGNATURE + _encode(value) != body:  # a layout this code does not write back as it was: left alone
            continue
        value[1].sort(key=lambda entry: _encode(entry))
        stable = SIGNATURE + _encode(value)
        new = _rehash(old, stable)
        renamed[old] = new
        del out[path]
        out[f"{INDEX_DIR}/filter/{new}.pf_filter"] = _gzip(stable)
    if not renamed:
        return files
    for path, data in files.items():
        match = _META.fullmatch(path)
        if match is None:
            continue
        body = gzip.decompress(data)
        for old, new in renamed.items():  # CBOR text of the same length: the bytes around it stay valid
            body = body.replace(old.encode(), new.encode())
        body = _sorted_filter_list(body, set(renamed.values()))
        old_meta = match.group(1)
        new_meta = _rehash(old_meta, body)
        renamed[old_meta] = new_meta
        del out[path]
        out[f"{INDEX_DIR}/pagefind.{new_meta}.pf_meta"] = _gzip(body)
    entry = f"{INDEX_DIR}/pagefind-entry.json"
    if entry in out:
        text = out[entry].decode()
        for old, new in renamed.items():
            text = text.replace(f'"{old}"', f'"{new}"')
        out[entry] = text.encode()
    return out


def _sorted_filter_list(body: bytes, filters: set[str]) -> bytes:
    """The metadata with its list of filters ([[name, file hash], ...], in hash-map order too) sorted."""
    try:
        value, end = _decode(body, len(SIGNATURE))
    except (ValueError, IndexError, UnicodeDecodeError):
        return body
    if not body.startswith(SIGNATURE) or end != len(body) or not isinstance(value, list) or SIGNATURE + _encode(value) != body:
        return body
    for part in value:
        if isinstance(part, list) and part and all(isinstance(pair, list) and len(pair) == 2 and pair[1] in filters for pair in part):
            part.sort(key=lambda pair: _encode(pair))
    return SIGNATURE + _encode(value)


def _rehash(name: str, data: bytes) -> str:
    """'ko_4989f5a' -> 'ko_' and as many hex digits of the data's hash."""
    prefix, _, digits = name.rpartition("_")
    return f"{prefix}_{hashlib.sha256(data).hexdigest()[: len(digits)]}"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _decode(data: bytes, at: int) -> tuple[object, int]:
    """One CBOR value of the kinds Pagefind's filter files hold: numbers, strings, arrays, maps."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        length = info
    elif info <= 27:
        size = 1 << (info - 24)
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR item {info} not expected in a filter file")
    if major == 0:
        return length, at
    if major in (2, 3):
        raw = data[at : at + length]
        return (raw.decode() if major == 3 else raw), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(length):
            key, at = _decode(data, at)
            value, at = _decode(data, at)
            pairs.append((key, value))
        return dict(pairs), at
    raise ValueError(f"CBOR major type {major} not expected in a filter file")


def _head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("a CBOR length beyond 64 bits")


def _encode(value: object) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("not expected in a filter file")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise ValueError(f"{type(value).__name__} not expected in a filter file")
