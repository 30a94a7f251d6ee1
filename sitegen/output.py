"""Outputs -> public/: written to a staging folder, then swapped in whole."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterator, Mapping, MutableMapping

MARKER = ".sitegen-output"


class OutputError(Exception):
    """The output folder cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class WriteReport:
    written: int


def safe_relative(path: str) -> str:
    """Accept only plain relative paths: nothing can name a file outside the output folder."""
    # Strings, not pathlib: thousands of pages go through here, and a path that passes is normal already.
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise OutputError(f"refusing to write {path!r}: expected a path inside the output folder")
    return path


def check_destination(out_dir: Path, source_root: Path) -> None:
    """Refuse folders that are not ours to replace: the sources, or someone's files."""
    out = out_dir.resolve()
    root = source_root.resolve()
    if out == root or root.is_relative_to(out) or out == Path(out.anchor):
        raise OutputError(f"{out_dir}: expected an output folder apart from the sources, found {out}; choose another --out")
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError(f"{out_dir}: expected a folder, found {'a link' if out_dir.is_symlink() else 'a file'}")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OutputError(
            f"{out_dir}: expected an empty folder or an earlier sitegen output, found other files; "
            "choose another --out or empty it"
        )


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output folder: a second build waits for the first."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Staging:
    """A new output folder beside `out_dir`, swapped in whole by publish(). Pages may be written into
    it as they are rendered, by other processes too (write); publish() writes the rest."""

    def __init__(self, out_dir: Path, path: Path):
        self.out_dir = out_dir
        self.path = path
        self.site: Path | None = path  # where its files are now: `out_dir` once published, None once dropped

    def write(self, outputs: Mapping[str, bytes]) -> None:
        with _writing(self.out_dir):
            made: set[str] = set()
            for rel, data in outputs.items():
                target = f"{self.path}/{safe_relative(rel)}"
                folder = os.path.dirname(target)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                with open(target, "wb") as handle:
                    handle.write(data)

    def publish(self, outputs: Mapping[str, bytes], written: Collection[str] = frozenset()) -> WriteReport:
        """Write the `outputs` not `written` already, then swap the folder in, in one step."""
        self.write({rel: outputs[rel] for rel in sorted(outputs) if rel not in written})
        with _writing(self.out_dir):
            (self.path / MARKER).write_text("This folder is written by sitegen build; it is replaced whole.\n")
            _swap_in(self.path, self.out_dir)
        self.site = self.out_dir
        return WriteReport(len(outputs))


class Staged(MutableMapping[str, bytes]):
    """A build's outputs by path: those in memory, and those written into a staging folder as they
    were rendered, read back from where the folder is now when asked for (a build that fails
    removes the folder, and those pages with it). Render processes need not send a whole site's
    pages back to the main process (a tenth of a cold build's CPU)."""

    def __init__(self, stage: Staging, memory: dict[str, bytes], written: Collection[str]):
        self.stage = stage
        self.memory = memory
        self.written = set(written) - memory.keys()

    def __getitem__(self, path: str) -> bytes:
        if path in self.memory:
            return self.memory[path]
        if path in self.written:
            if self.stage.site is None:
                raise OutputError(f"{path}: the build failed, and the pages it wrote were removed with its staging folder")
            return (self.stage.site / path).read_bytes()
        raise KeyError(path)

    def __setitem__(self, path: str, data: bytes) -> None:
        self.memory[path] = data
        self.written.discard(path)

    def __delitem__(self, path: str) -> None:
        if path not in self:
            raise KeyError(path)
        self.memory.pop(path, None)
        self.written.discard(path)

    def __contains__(self, path: object) -> bool:
        return path in self.memory or path in self.written

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.memory.keys() | self.written))  # a list: the mapping may change meanwhile

    def __len__(self) -> int:
        return len(self.memory) + len(self.written)

    def copy(self) -> "Staged":
        return Staged(self.stage, dict(self.memory), self.written)


@contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """A failed write beside `out_dir`, before anything in it was replaced, as an OutputError that says so."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"{out_dir}: expected room to write the site, found the disk full; the previous site is untouched") from exc
        raise OutputError(f"{out_dir}: expected to write the site, found {exc}; the previous site is untouched") from exc


@contextmanager
def staging(out_dir: Path, source_root: Path) -> Iterator[Staging]:
    """A Staging for `out_dir`, held under the folder's lock until it is published or dropped: a build
    that fails, or is stopped, leaves `out_dir` as it was."""
    check_destination(out_dir, source_root)
    with output_lock(out_dir):
        _remove_stale_staging(out_dir)
        path = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        with _writing(out_dir):
            path.mkdir()
        stage = Staging(out_dir, path)
        try:
            yield stage
        finally:
            if stage.site == path:  # not published: its pages go with it
                stage.site = None
            _remove_later(path, out_dir)  # not published; or, once swapped, the previous site


def publish(outputs: Mapping[str, bytes], out_dir: Path, source_root: Path) -> WriteReport:
    """Write every output into a fresh staging folder, then swap it with `out_dir` in one step."""
    checked = {safe_relative(path): data for path, data in outputs.items()}
    with staging(out_dir, source_root) as stage:
        return stage.publish(checked)


class Scratch:
    """Pages rendered for an output folder built before, kept beside it (on its disk) until
    write_files moves them in. Render processes write into it as they go (write).

    Moving a page in exchanges it with the page it replaces, so the folder then holds the previous
    pages; it is kept, free, for the next build, which writes over those files instead of making
    new ones and deleting old ones (on some disks, each new file after many deletions is slow)."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.free = out_dir.parent / f".{out_dir.name}.scratch"
        self.path = out_dir.parent / f".{out_dir.name}.scratch-{os.getpid()}"  # while a build uses it

    def file(self, rel: str) -> str:
        # Flat names: no folder to make for each page.
        return f"{self.path}/{hashlib.blake2b(rel.encode(), digest_size=16).hexdigest()}"

    def write(self, outputs: Mapping[str, bytes]) -> None:
        with _writing(self.out_dir):
            self.path.mkdir(exist_ok=True)
            for rel, data in outputs.items():
                _overwrite(self.file(safe_relative(rel)), data)

    def prepare(self, pages: Collection[str]) -> None:
        """Leave one file for each of `pages` free for the next build, empty where none was, and none
        for a page no longer made: the next build's render processes then write into files that exist
        (the first template change after a whole build made 9,000 new ones here, 0.1-0.2 s)."""
        with self:
            self.path.mkdir(exist_ok=True)
            wanted = {os.path.basename(self.file(safe_relative(rel))) for rel in pages}
            for name in os.listdir(self.path):
                if name not in wanted:
                    _remove(f"{self.path}/{name}")
            for name in wanted:
                try:
                    os.close(os.open(f"{self.path}/{name}", os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666))
                except OSError:  # a link or a folder put in its place: the build replaces it (see _overwrite)
                    pass

    def __enter__(self) -> "Scratch":
        _remove_stale_scratch(self.out_dir)
        try:
            self.free.rename(self.path)  # one build claims it; another at the same time makes its own
        except OSError:
            pass
        if self.path.is_symlink():
            self.path.unlink()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.path.rename(self.free)  # fails when another build left one free first
        except OSError:
            shutil.rmtree(self.path, ignore_errors=True)


def _overwrite(path: str, data: bytes) -> None:
    """Write `data` into the file at `path`, in the file already there when it is ours alone."""
    try:
        fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.EISDIR):
            raise
        fd = None  # a link or a folder put in its place
    if fd is not None and os.fstat(fd).st_nlink > 1:  # linked elsewhere too (a backup made with hard links, say)
        os.close(fd)
        fd = None
    if fd is None:
        # Replaced by a new file: a link is never followed, another copy never written over.
        _remove(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with open(fd, "wb") as handle:
        handle.write(data)
        handle.truncate()


def _remove(path: str) -> None:
    """Remove a file, a link (never what it points to) or a folder."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def write_files(
    outputs: Mapping[str, bytes], out_dir: Path, source_root: Path, scratch: Scratch | None = None, ready: Collection[str] = frozenset()
) -> WriteReport:
    """Write some files into an existing output, each replaced in one step; and move in the files
    `ready` in `scratch`, written there already."""
    check_destination(out_dir, source_root)
    checked = {safe_relative(path): data for path, data in outputs.items()}
    moved = sorted(safe_relative(path) for path in ready)
    assert scratch is not None or not moved, "files ready to move in come from a scratch folder"
    with output_lock(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / MARKER).touch()
        for rel in moved:
            new, target = scratch.file(rel), f"{out_dir}/{rel}"  # type: ignore[union-attr]
            try:
                _move_in(new, target)
            except FileNotFoundError:  # a new page in a new folder (most replace a page: no folder to make)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                _move_in(new, target)
        for rel, data in sorted(checked.items()):
            path = out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.parent / f".{path.name}.partial-{os.getpid()}"
            partial.write_bytes(data)
            partial.replace(path)
    return WriteReport(len(checked) + len(moved))


def delete_files(paths: list[str], out_dir: Path) -> None:
    """Remove outputs whose source is gone, and the folders they leave empty."""
    with output_lock(out_dir):
        for rel in sorted(paths):
            target = out_dir / safe_relative(rel)
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent


def _remove_stale_staging(out_dir: Path) -> None:
    # Left behind by a build that was killed: never published, safe to drop.
    for stale in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    # Being removed, or left half removed by a removal that was stopped: removed (again), meanwhile.
    ours = re.compile(rf"\.{re.escape(out_dir.name)}\.old-\d+-\d+")  # as _remove_later names them: nobody else's
    for old in out_dir.parent.glob(f".{glob.escape(out_dir.name)}.old-*"):
        if ours.fullmatch(old.name):
            _remove_in_background(old)
    _remove_stale_scratch(out_dir)


def _remove_later(folder: Path, out_dir: Path) -> None:
    """Remove `folder` in a process that outlives this one, so that a build returns once its site is
    in place: the previous site it replaced is thousands of files (1.5-2.4 s at 10,434 pages).
    Renamed first, so that no build takes it for a staging folder of its own."""
    if not folder.exists():
        return
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    try:
        folder.rename(old)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_in_background(old)


def _remove_in_background(folder: Path) -> None:
    try:
        # The shell starts rm without waiting for it and ends: rm is nobody's child to wait for.
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" &', "sh", str(folder)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_scratch(out_dir: Path) -> None:
    # A scratch folder is used outside the lock, by a build going on from the last one: only
    # one whose process is gone is left behind.
    for stale in out_dir.parent.glob(f".{out_dir.name}.scratch-*"):
        if not running(stale.name.rsplit("-", 1)[-1]):
            shutil.rmtree(stale, ignore_errors=True)


def running(pid: str) -> bool:
    """Whether the process `pid` names is still there (the owner of a folder it left, say)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # someone else's process
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _exchange(a: str | Path, b: str | Path) -> bool:
    """Atomically exchange two files or folders (Linux renameat2); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _move_in(new: str, target: str) -> None:
    """Put the file `new` in `target`'s place in one step; `new` then holds what `target` held,
    where the system can exchange them."""
    try:
        if _exchange(new, target):
            return
    except FileNotFoundError:  # a page that was not there before
        pass
    os.replace(new, target)


def _swap_in(new: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        new.rename(out_dir)
        return
    if _exchange(new, out_dir):
        return  # `new` now holds the previous site, for staging() to remove
    # Not an .old-* name until the new site is in: a build stopped in between leaves the previous
    # site here, and the next build's cleanup removes only .old-* folders.
    old = out_dir.parent / f".{out_dir.name}.swapped-{os.getpid()}"
    out_dir.rename(old)
    new.rename(out_dir)
    _remove_later(old, out_dir)
