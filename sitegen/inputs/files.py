"""Reading a site's input files: only plain files whose real path is inside the site folder.

Content, templates, static files, assets, catalogs and site.yaml come from a folder that a clone
of a repository can fill with anything: a link to /proc/self/environ or to a key in the user's
home, a named pipe that blocks whoever opens it, a device, a folder where a file belongs, a link
that leads nowhere or round in a loop. Every reader of inputs goes through read_input (or
check_input, where the bytes are known already), so that each of these is refused in one place,
with a diagnostic at the file in the same plain words, and nothing is followed out of the site."""

from __future__ import annotations

import errno
import os
import stat
from functools import lru_cache
from pathlib import Path

from ..errors import Diagnostic, Message, os_reason
from ..layout import leftover, leftover_note

REPLACE_LINK = Message("replace the link with the file itself")
A_FILE = Message("a file")
NO_SUCH_FILE = Message("no such file")
ADD_IT = Message("add it")


class Refused(Exception):
    """An input that is not a plain file inside the site folder: what was expected, found, and the fix."""

    def __init__(self, rel: str, expected: str, found: str, fix: str, missing: bool = False):
        self.rel = rel  # the site path as the reader named it, before any link
        self.expected = expected
        self.found = found
        self.fix = fix
        self.missing = missing  # nothing there at all: a caller may say so in its own words
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return Message("expected {expected}, found {found}; {fix}", expected=self.expected, found=self.found, fix=self.fix)

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.rel, None, None, None, self.message)


class TooLarge(Refused):
    """A file over the reader's limit, refused before it is read; `found` says by how much, and how to mend it."""

    def __init__(self, rel: str, size: int, limit: int):
        super().__init__(
            rel, A_FILE, Message("a file of {size:.1f} MB, over the {limit} MB limit (make it smaller)", size=size / 2**20, limit=limit // 2**20), ""
        )

    @property
    def message(self) -> str:
        return self.found


def read_input(root: Path, rel: str, within: str = "", limit: int | None = None) -> bytes:
    """The bytes of the file `rel` of the site folder `root`; Refused unless it is a plain file whose
    real path is inside `within` (a folder of the site, such as content; the whole site when empty).
    With `limit`, TooLarge for a file of more bytes, which is never read (a 4 GB "photo" would fill
    the memory before any check of its size)."""
    path = os.path.join(root, rel)
    info = _stat(path, rel)
    if not stat.S_ISREG(info.st_mode):  # refused before it is opened: a pipe blocks its opener
        _check_inside(root, rel, within, os.path.realpath(path), path)
        raise _not_a_file(rel, path, info)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _unreadable(rel, exc) from None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise Refused(rel, A_FILE, Message("one replaced while it was being read"), Message("build again"))
        # Where the open file really is, as the system tells it: no race with a link changed meanwhile.
        _check_inside(root, rel, within, _real_path(fd, path), path)
        if limit is not None and opened.st_size > limit:
            raise TooLarge(rel, opened.st_size, limit)
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)  # (it may grow meanwhile)
        if limit is not None and len(data) > limit:
            raise TooLarge(rel, len(data), limit)
        return data
    except OSError as exc:
        raise _unreadable(rel, exc) from None
    finally:
        os.close(fd)


def check_input(root: Path, rel: str, within: str = "") -> None:
    """What read_input checks, without reading: for a file whose bytes were read before."""
    path = os.path.join(root, rel)
    info = _stat(path, rel)
    _check_inside(root, rel, within, os.path.realpath(path), path)
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file(rel, path, info)


def check_folder(root: Path, folder: str) -> None:
    """Refused when the site's `folder` (content, assets, ...) is a link that leads out of the site."""
    path = os.path.join(root, folder)
    if not os.path.islink(path):
        return
    real = os.path.realpath(path)
    inner = _inside(_real_root(os.path.abspath(root)), real)
    if inner is None or _hidden(inner):
        shown = real if inner is None else inner
        raise Refused(
            folder, Message("a folder inside the site folder"), Message("a link to {target}", target=shown), Message("replace the link with the folder itself")
        )


def check_new_file(root: Path, rel: str, within: str, what: str) -> None:
    """Refused when the folder a new file `rel` (`what`, as the message names it) goes into is not
    inside the site's `within` (content, say): the nearest of its folders that is there decides,
    since the ones still to make are made where it leads."""
    existing = os.path.dirname(os.path.join(root, rel))
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    real = os.path.realpath(existing)
    folder = os.path.realpath(os.path.join(root, within))
    if (real == folder or _inside(folder, real) is not None) and _inside(_real_root(os.path.abspath(root)), real) is not None:
        return
    expected = Message("a folder inside {folder}/ to write {what} into", folder=within, what=what)
    raise Refused(rel, expected, Message("a link to {target}", target=real), Message("replace the link with the folder itself"))


def walk_inputs(root: Path, folder: str) -> tuple[list[str], list[Diagnostic]]:
    """The site paths of every file under the site's `folder`, in order, with links, pipes and other
    odd files among them for read_input to refuse; linked folders are not entered. Dotfiles and the
    files editors' tools leave are never inputs. The diagnostics: folders that cannot be listed, and
    a note at each such file left out."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    try:
        check_folder(root, folder)
    except Refused as exc:
        return [], [exc.diagnostic()]
    if not os.path.isdir(os.path.join(root, folder)):
        return [], []

    def visit(path: str, rel: str) -> None:
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            problems.append(
                Diagnostic(
                    rel,
                    None,
                    None,
                    None,
                    Message("expected a folder sitegen can list, found {reason}; let the user who builds the site read it", reason=_reason(exc)),
                )
            )
            return
        for entry in entries:
            made = leftover(entry.name)
            if made is not None:
                problems.append(Diagnostic(f"{rel}/{entry.name}", None, None, None, leftover_note(entry.name, made), "note"))
                continue
            if entry.name.startswith("."):
                continue
            sub = f"{rel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                visit(entry.path, sub)
            else:
                files.append(sub)

    visit(os.path.join(root, folder), folder)
    return files, problems


def _stat(path: str, rel: str) -> os.stat_result:
    """The file a read would open (through any links), or Refused saying why there is none."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            leads = Message("a link to {target}, which leads nowhere", target=_link_text(path))
            raise Refused(rel, A_FILE, leads, Message("replace the link with the file itself, or remove it")) from None
        raise Refused(rel, A_FILE, NO_SUCH_FILE, ADD_IT, missing=True) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused(rel, A_FILE, Message("a link that leads round in a loop"), REPLACE_LINK) from None
        if exc.errno == errno.ENOTDIR:  # a file where a folder on the way should be
            raise Refused(rel, A_FILE, NO_SUCH_FILE, ADD_IT, missing=True) from None
        raise _unreadable(rel, exc) from None


def _not_a_file(rel: str, path: str, info: os.stat_result) -> Refused:
    linked = os.path.islink(path)
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        if linked:
            return Refused(rel, A_FILE, Message("a link to a folder"), REPLACE_LINK)
        return Refused(rel, A_FILE, Message("a folder"), Message("put the file in the folder's place"))
    # Whole sentences in other languages, each found as it is or through a link: no phrase is put in another.
    if stat.S_ISFIFO(mode):
        found = (
            Message("a link to a named pipe (FIFO), which would keep the build waiting forever")
            if linked
            else Message("a named pipe (FIFO), which would keep the build waiting forever")
        )
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        found = Message("a link to a device") if linked else Message("a device")
    elif stat.S_ISSOCK(mode):
        found = Message("a link to a socket") if linked else Message("a socket")
    else:
        found = Message("a link to something other than a file") if linked else Message("something other than a file")
    return Refused(rel, A_FILE, found, Message("put an ordinary file in its place"))


def _unreadable(rel: str, exc: OSError) -> Refused:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Refused(
            rel, Message("a file sitegen may read"), Message("one it may not (permission denied)"), Message("let the user who builds the site read it")
        )
    if exc.errno == errno.ENAMETOOLONG:
        return Refused(rel, Message("a file name the system allows"), Message("one too long"), Message("shorten it"))
    return Refused(rel, Message("a file sitegen can read"), _reason(exc), Message("check the disk, or copy the file again"))


def _reason(exc: OSError) -> str:
    return Message("an error ({reason})", reason=os_reason(exc))


def _check_inside(root: Path, rel: str, within: str, real: str, path: str) -> None:
    """Refused when `real`, where `rel` really is, is outside `within`, outside the site, or hidden."""
    top = _real_root(os.path.abspath(root))
    inner = _inside(top, real)
    if inner is not None and not _hidden(inner) and (not within or _inside(_real_root(os.path.abspath(os.path.join(root, within))), real) is not None):
        return
    expected = Message("a file inside {folder}/", folder=within) if within else Message("a file inside the site folder")
    if inner is not None and _hidden(inner):
        found = Message("a link to {target}, a hidden file (sitegen's cache and git's files are never inputs)", target=inner)
    else:
        found = Message("a link to {target}", target=_shown(path, real))
    raise Refused(rel, expected, found, REPLACE_LINK)


def _inside(folder: str, real: str) -> str | None:
    """`real` relative to `folder`, or None when it is not inside it."""
    if real.startswith(folder.rstrip("/") + "/"):
        return real[len(folder.rstrip("/")) + 1 :]
    return None


def _hidden(inner: str) -> bool:
    return any(part.startswith(".") for part in inner.split("/"))


@lru_cache(maxsize=256)
def _real_root(folder: str) -> str:
    """The real path of a site folder or one of its folders (asked for once per file read)."""
    return os.path.realpath(folder)


def _real_path(fd: int, path: str) -> str:
    try:
        real = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # no /proc: resolved by name instead
        return os.path.realpath(path)
    return real if real.startswith("/") and not real.endswith(" (deleted)") else os.path.realpath(path)


def _shown(path: str, real: str) -> str:
    """Where a link out leads, as the link says it when that is as plain (/proc/self/environ)."""
    text = _link_text(path)
    return text if os.path.isabs(text) and os.path.realpath(text) == real else real


def _link_text(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "nothing"
