"""What the last `sitegen build` into a folder was made from: a build with nothing changed does
nothing, and a build with little changed starts from the last one's state."""

from __future__ import annotations

import copyreg
import fcntl
import gc
import hashlib
import json
import os
import pickle
import sys
import threading
import time
import types
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Mapping

from . import signing
from .deps import Stamp, scan
from .errors import Diagnostic
from .options import BuildOptions
from .output import MARKER

STATE_DIR = ".sitegen-cache/builds"
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Inputs:
    """A build's inputs as a scan just found them, and whether the last build into the same folder had the same."""

    stamps: dict[str, Stamp]
    header: str
    key: str  # equal to the last build's only when this build would repeat it
    previous: list[Diagnostic] | None  # that build's diagnostics, when it would
    seconds: float
    # The last build's state, read and its signature checked on a thread while the build loads its
    # libraries (both let other threads run): calling it waits for it. None with --force.
    state: Callable[[], memoryview | None] | None = None


def scan_inputs(options: BuildOptions) -> Inputs:
    """Stat every input of a build into `options.out`: enough to know that nothing changed (never with --force)."""
    assert options.out is not None
    start = time.perf_counter()
    stamps = scan(options.source)
    header = state_header(options)
    key = fingerprint(stamps, header)
    previous = None if options.force else unchanged(options.source, options.out, key)
    state = read_ahead(options.source, options.out) if previous is None and not options.force else None
    return Inputs(stamps, header, key, previous, time.perf_counter() - start, state)


def fingerprint(stamps: Mapping[str, Stamp], header: str) -> str:
    """Every input's stamp and the state header (options, sitegen's own code): equal only when a build would repeat itself."""
    digest = hashlib.sha256()
    for path, stamp in sorted(stamps.items()):
        digest.update(f"{path}\0{stamp[0]}\0{stamp[1]}\n".encode())
    digest.update(header.encode())
    return digest.hexdigest()


def state_header(options: BuildOptions) -> str:
    """sitegen's own code, Python's version, the options a build's output depends on, and the
    folders as given and as found: a state keeps paths as given, so one made with `--source .`
    is never used from another folder, nor by a build given the same folder spelled otherwise."""
    stats = [(path.name, path.stat()) for path in sorted(_CODE.glob("*.py"))]
    code = [f"{name}\0{stat.st_mtime_ns}\0{stat.st_size}" for name, stat in stats]
    folders = [(str(path), str(path.resolve())) for path in (options.source, options.out) if path is not None]
    return repr((code, sys.version, options.languages, options.strict, options.base_url, options.pdf, options.search, folders))


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
    state = {"key": key, "marker": _marker_id(out), "diagnostics": [[d.path, d.line, d.column, d.field, d.message, d.severity] for d in diagnostics]}
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state, ensure_ascii=False))
    partial.replace(path)


# The state of the last build (rebuild.Rebuilder) is a pickle: fast to load, but pickles run code.
# So each is signed (see signing), and one not signed here is never loaded: the build starts afresh.


def _proxy(mapping: dict) -> types.MappingProxyType:
    return types.MappingProxyType(mapping)


copyreg.pickle(types.MappingProxyType, lambda proxy: (_proxy, (dict(proxy),)))


def _state_path(root: Path, out: Path) -> Path:
    return _state_file(root, out).with_suffix(".state")


@contextmanager
def _locked(root: Path, out: Path) -> Iterator[IO[str]]:
    """The state file's lock: a load waits for a save still being written (see save_state)."""
    path = _state_path(root, out).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield lock


def save_state(root: Path, out: Path, header: Any, make_state: Callable[[], Any], background: bool = False) -> None:
    """Keep the state `make_state` gives for the next build into `out`, with a header it must match to be used.

    In the `background`, a forked process makes, pickles and writes it after this one has
    returned (a second or more at 10,000 pages); it holds the lock, so the next build waits for it."""
    marker = _marker_id(out)
    with _locked(root, out):
        if not background:
            _write_state(root, out, (header, marker, make_state()))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:
            # Forked twice, so that the saver is nobody's child to wait for; the lock stays held
            # by its open file until it exits. It writes to no terminal or pipe of the caller's.
            try:
                if os.fork() == 0:
                    null = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(null, fd)
                    try:
                        _write_state(root, out, (header, marker, make_state()))
                    finally:
                        os._exit(0)
            finally:
                os._exit(0)
        os.waitpid(child, 0)


def _write_state(root: Path, out: Path, saved: tuple[Any, Any, Any]) -> None:
    gc.disable()  # pickling a big model makes no garbage worth collecting
    try:
        payload = pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        gc.enable()
    signing.write(_state_path(root, out), payload, signing.key())


def read_state(root: Path, out: Path) -> memoryview | None:
    """The pickle the last build into `out` kept, if it was signed here."""
    try:
        with _locked(root, out):
            data = _state_path(root, out).read_bytes()
    except OSError:
        return None
    return signing.payload(data, signing.key())  # no copy of tens of megabytes


def read_ahead(root: Path, out: Path) -> Callable[[], memoryview | None]:
    """read_state on a thread, started now; what it read, when called."""
    read: list[memoryview | None] = []
    thread = threading.Thread(target=lambda: read.append(read_state(root, out)), name="sitegen-state", daemon=True)
    thread.start()

    def result() -> memoryview | None:
        thread.join()
        return read[0] if read else None

    return result


def load_state(root: Path, out: Path, header: Any, read: Callable[[], memoryview | None] | None = None) -> Any | None:
    """The state the last build into `out` kept, if it was signed here, has the same header, and `out`
    is still its output. `read`, when given, is read_ahead's."""
    payload = read() if read is not None else read_state(root, out)
    if payload is None:
        return None
    gc.disable()
    try:
        saved_header, marker, state = pickle.loads(payload)
        if saved_header != header or marker != _marker_id(out):
            return None
        # The state lives to the end of the build. Unfrozen, its million objects would be the young
        # generation the collector walks at its next allocation, a quarter of a second at 10,000 pages.
        gc.freeze()
    except Exception:  # a state from another version of sitegen: start afresh
        return None
    finally:
        gc.enable()
    return state


def forget_state(root: Path, out: Path) -> None:
    with _locked(root, out):
        _state_path(root, out).unlink(missing_ok=True)
