"""The search index: Pagefind (extended, for Chinese and Japanese word segmentation) over the rendered pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping

from .output import running

INDEX_DIR = "pagefind"
MARK = b"data-pagefind-body"
SCRATCH = "sitegen-search-"  # then the process id: a folder whose process is gone is removed
# ...and that is this old: a process in another PID namespace sharing /tmp looks gone, yet indexes.
LEFT_FOR = 3600  # seconds


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why."""


def index_outputs(outputs: Mapping[str, bytes]) -> dict[str, bytes]:
    """The Pagefind bundle for the rendered pages that ask to be indexed, one index per <html lang>.

    Only those pages are handed to Pagefind, in a scratch folder, so the index can be made
    while the PDFs render, and it joins the other outputs to be published whole."""
    _remove_left_behind()
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-") as scratch:
        site = Path(scratch) / "site"
        for path in outputs:
            if path.endswith(".html") and MARK in (data := outputs[path]):
                target = site / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        bundle = Path(scratch) / INDEX_DIR
        site.mkdir(exist_ok=True)
        command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle), "--silent"]
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


def _remove_left_behind() -> None:
    """Remove the scratch folders, each a copy of a site's pages, of processes stopped while they
    indexed: a server stopped by a signal ends its indexing thread without cleaning up."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH}*-*"):
        pid = folder.name[len(SCRATCH):].split("-", 1)[0]
        try:
            old = time.time() - folder.stat().st_mtime > LEFT_FOR
        except OSError:
            continue
        if pid.isdigit() and old and not running(pid):
            shutil.rmtree(folder, ignore_errors=True)
