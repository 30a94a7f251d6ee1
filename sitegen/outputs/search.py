"""The search index: Pagefind (extended, for Chinese and Japanese word segmentation) over the rendered pages."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

INDEX_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why."""


def index_site(folder: Path) -> dict[str, bytes]:
    """The Pagefind bundle for the pages in `folder` that ask to be indexed (data-pagefind-body),
    one index per <html lang>, as files to publish with the site."""
    with tempfile.TemporaryDirectory(prefix="sitegen-search-") as scratch:
        bundle = Path(scratch) / INDEX_DIR
        command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(bundle)]  # its log is captured
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchIndexError(f"expected Pagefind to index the site, found it failing to run: {exc}") from exc
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            reason = detail[-1] if detail else f"exit code {done.returncode}"
            raise SearchIndexError(f"expected Pagefind to index the site, found: {reason}; is pagefind[extended] installed?")
        files = {f"{INDEX_DIR}/{p.relative_to(bundle).as_posix()}": p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}
    entry = f"{INDEX_DIR}/pagefind-entry.json"
    if entry in files:
        # Pagefind lists the languages in hash-map order; sorted, the same site gives the same bytes.
        files[entry] = json.dumps(json.loads(files[entry]), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return files
