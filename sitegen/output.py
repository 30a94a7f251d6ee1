"""Outputs -> public/: written to a staging folder, then swapped in whole."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator, Mapping

MARKER = ".sitegen-output"


class OutputError(Exception):
    """The output folder cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class WriteReport:
    written: int
    bytes: int


def safe_relative(path: str) -> PurePosixPath:
    """Accept only plain relative paths: nothing can name a file outside the output folder."""
    pure = PurePosixPath(path)
    if (
        not path
        or pure.is_absolute()
        or "\\" in path
        or "\0" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise OutputError(f"refusing to write {path!r}: expected a path inside the output folder")
    return pure


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


def publish(outputs: Mapping[str, bytes], out_dir: Path, source_root: Path) -> WriteReport:
    """Write every output into a fresh staging folder, then swap it with `out_dir` in one step."""
    check_destination(out_dir, source_root)
    checked = {str(safe_relative(path)): data for path, data in outputs.items()}
    with output_lock(out_dir):
        _remove_stale_staging(out_dir)
        staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        staging.mkdir()
        try:
            total = 0
            for rel, data in sorted(checked.items()):
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                total += len(data)
            (staging / MARKER).write_text("This folder is written by sitegen build; it is replaced whole.\n")
            _swap_in(staging, out_dir)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise OutputError(f"{out_dir}: expected room to write the site, found the disk full; the previous site is untouched") from exc
            raise
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return WriteReport(len(checked), total)


def write_files(outputs: Mapping[str, bytes], out_dir: Path, source_root: Path) -> WriteReport:
    """Write some files into an existing output, each replaced in one step (for `sitegen pdf`)."""
    check_destination(out_dir, source_root)
    checked = {str(safe_relative(path)): data for path, data in outputs.items()}
    with output_lock(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / MARKER).touch()
        for rel, data in sorted(checked.items()):
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.parent / f".{target.name}.partial-{os.getpid()}"
            partial.write_bytes(data)
            partial.replace(target)
    return WriteReport(len(checked), sum(len(d) for d in checked.values()))


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


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging)  # now holds the previous site
        return
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old)
