"""What the last `sitegen build` into a folder was made from: a build with nothing changed does nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple
from pathlib import Path
from typing import Any, Mapping

from .deps import Stamp
from .errors import Diagnostic
from .output import MARKER

STATE_DIR = ".sitegen-cache/builds"
_CODE = Path(__file__).resolve().parent


def fingerprint(stamps: Mapping[str, Stamp], options: Any) -> str:
    """Every input's stamp, the options, and sitegen's own code: equal only when a build would repeat itself."""
    digest = hashlib.sha256()
    for path, stamp in sorted(stamps.items()):
        digest.update(f"{path}\0{stamp[0]}\0{stamp[1]}\n".encode())
    for path in sorted(_CODE.glob("*.py")):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    digest.update(repr((options.languages, options.strict, options.base_url, options.pdf, options.search)).encode())
    return digest.hexdigest()


def _state_file(root: Path, out: Path) -> Path:
    return root / STATE_DIR / (hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16] + ".json")


def _marker_id(out: Path) -> list[int] | None:
    try:
        stat = (out / MARKER).stat()
    except OSError:
        return None
    return [stat.st_ino, stat.st_mtime_ns]


def unchanged(root: Path, out: Path, key: str) -> list[Diagnostic] | None:
    """The last build's diagnostics, if the last build into `out` had the same inputs and `out` is still its output."""
    try:
        state = json.loads(_state_file(root, out).read_text())
    except (OSError, ValueError):
        return None
    if state.get("key") != key or state.get("marker") != _marker_id(out):
        return None
    return [Diagnostic(*entry) for entry in state.get("diagnostics", [])]


def remember(root: Path, out: Path, key: str, diagnostics: list[Diagnostic]) -> None:
    path = _state_file(root, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"key": key, "marker": _marker_id(out), "diagnostics": [list(astuple(d)) for d in diagnostics]}
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state, ensure_ascii=False))
    partial.replace(path)
