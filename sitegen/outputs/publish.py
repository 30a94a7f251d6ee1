"""Outputs -> public/: written to a staging folder, then swapped in whole."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ..errors import Message, os_reason

MARKER = ".sitegen-output"


class OutputError(Exception):
    """The output folder cannot be written; the message says why and what to do."""


def safe_relative(path: str) -> str:
    """Accept only plain relative paths: nothing can name a file outside the output folder."""
    # Strings, not pathlib: thousands of pages go through here, and a path that passes is normal already.
    if not path or path.startswith("/") or "\\" in path or "\0" in path or any(part in ("", ".", "..") for part in path.split("/")):
        raise OutputError(Message("refusing to write {path!r}: expected a path inside the output folder", path=path))
    return path


def check_destination(out_dir: Path, source_root: Path) -> None:
    """Refuse folders that are not ours to replace: the sources, a folder the next build would read as
    sources, one a link in the site folder leads elsewhere, or someone's files."""
    from ..layout import ASSETS_DIR, CONTENT_DIR, LOCALE_DIR, TEMPLATES_DIR  # here: the rest of this module is another's to change

    out = out_dir.resolve()
    root = source_root.resolve()
    if out == root or root.is_relative_to(out) or out == Path(out.anchor):
        raise OutputError(
            Message("{out}: expected an output folder apart from the sources, found {found}; choose another --out", out=str(out_dir), found=str(out))
        )
    for folder in (CONTENT_DIR, ASSETS_DIR, TEMPLATES_DIR, LOCALE_DIR):  # what a build reads
        if out.is_relative_to((source_root / folder).resolve()):
            raise OutputError(
                Message(
                    "{out}: expected an output folder apart from the sources, found it inside {folder}/, whose files the next "
                    "build would read back as sources; choose another --out (the default is {default})",
                    out=str(out_dir),
                    folder=folder,
                    default=str(source_root / "public"),
                )
            )
    if Path(os.path.abspath(out_dir)).is_relative_to(os.path.abspath(source_root)) and not out.is_relative_to(root):
        raise OutputError(
            Message(
                "{out}: expected an output folder inside the site folder, as its path says, found a link on the way that leads "
                "to {found}; remove the link, or name that folder with --out",
                out=str(out_dir),
                found=str(out),
            )
        )
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        if out_dir.is_symlink():
            raise OutputError(Message("{out}: expected a folder, found a link; choose another --out or remove the link", out=str(out_dir)))
        raise OutputError(Message("{out}: expected a folder, found a file; choose another --out", out=str(out_dir)))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OutputError(
            Message("{out}: expected an empty folder or an earlier sitegen output, found other files; choose another --out or empty it", out=str(out_dir))
        )


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output folder: a second build waits for the first. A folder that cannot
    be written (read-only, or not a folder) is an OutputError that says so, before anything is written."""
    import stat

    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    # The lock file is sitegen's own: a link in its place (a clone can carry one) is never followed,
    # and a pipe never opened to wait on.
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, flags, 0o666)
    except OSError as exc:
        found = {errno.ELOOP: Message("a link"), errno.EISDIR: Message("a folder"), errno.ENXIO: Message("a named pipe")}.get(exc.errno or 0)
        if found:
            raise OutputError(
                Message("{lock}: expected sitegen's lock file, found {found}; remove it (sitegen makes the file again)", lock=str(lock_path), found=found)
            ) from exc
        reason = os_reason(exc)
        raise OutputError(
            Message(
                "{out}: expected a folder sitegen may write the site into, found it refused ({reason}); "
                "choose another --out, or make it writable; the previous site is untouched",
                out=str(out_dir),
                reason=reason,
            )
        ) from exc
    with open(fd, "a") as lock:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError(
                Message("{lock}: expected sitegen's lock file, found something else; remove it (sitegen makes the file again)", lock=str(lock_path))
            )
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Staging:
    """A new output folder beside `out_dir`, written as pages come and swapped in whole by publish()."""

    def __init__(self, out_dir: Path, path: Path):
        self.out_dir = out_dir
        self.path = path
        self.published = False

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

    def publish(self) -> None:
        """Swap the folder in, in one step; the previous site is removed after."""
        with _writing(self.out_dir):
            (self.path / MARKER).write_text("This folder is written by sitegen build; it is replaced whole.\n")
            _swap_in(self.path, self.out_dir)
        self.published = True


@contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """A failed write beside `out_dir`, before anything in it was replaced, as an OutputError that says so."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(Message("{out}: expected room to write the site, found the disk full; the previous site is untouched", out=str(out_dir))) from exc
        raise OutputError(
            Message("{out}: expected to write the site, found {error}; the previous site is untouched", out=str(out_dir), error=str(exc))
        ) from exc


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
            # Not published: its pages go with it. Published: it holds the previous site.
            shutil.rmtree(path, ignore_errors=True)


def _remove_stale_staging(out_dir: Path) -> None:
    """Staging folders left by builds that were killed: never published, safe to drop."""
    prefix = f".{out_dir.name}.staging-"  # compared as it is: no glob, whose [ * ? in --out would match others' folders
    for entry in os.scandir(out_dir.parent):
        if entry.name.startswith(prefix) and entry.name[len(prefix) :].removesuffix("-old").isdigit():
            if entry.is_symlink():  # a link under our name (rmtree refuses one): removed, never what it leads to
                os.unlink(entry.path)
            else:
                shutil.rmtree(entry.path, ignore_errors=True)


def update_files(outputs: Mapping[str, bytes], gone: list[str], out_dir: Path, source_root: Path) -> None:
    """Write some files into an existing output (the dev server's), each replaced in one step; remove
    `gone`, and the folders they leave empty."""
    check_destination(out_dir, source_root)
    checked = {safe_relative(path): data for path, data in outputs.items()}
    with output_lock(out_dir), _writing(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / MARKER).touch()
        for rel, data in sorted(checked.items()):
            path = out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.parent / f".{path.name}.partial-{os.getpid()}"
            partial.write_bytes(data)
            partial.replace(path)
        for rel in sorted(gone):
            target = out_dir / safe_relative(rel)
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two folders in one step (Linux renameat2), so that there is never a moment without a
    site; False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(new: Path, out_dir: Path) -> None:
    """Put `new` in `out_dir`'s place; `new` then holds the previous site, for staging() to remove."""
    if not out_dir.exists():
        new.rename(out_dir)
    elif not _exchange(new, out_dir):
        # Two renames: a build stopped in between leaves the previous site under the staging name,
        # and no site; the next build removes it as a stale staging folder and builds a new one.
        old = out_dir.parent / f"{new.name}-old"
        out_dir.rename(old)
        new.rename(out_dir)
        old.rename(new)
