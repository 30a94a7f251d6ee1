"""Which inputs changed, told by the kernel (Linux inotify) as they are saved: no polling, no scan."""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from pathlib import Path

from .layout import CONFIG_NAME
from .deps import WATCHED

_IN_ATTRIB = 0x4  # touch, utime
_IN_CLOSE_WRITE = 0x8
_IN_MOVED_FROM = 0x40
_IN_MOVED_TO = 0x80
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_Q_OVERFLOW = 0x4000
_IN_ISDIR = 0x40000000
_MASK = _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name

# A folder came or went, or events were lost: the caller scans everything, as without a watcher.
EVERYTHING = None


class Inotify:
    """The site's input folders under watch. `changes()` returns the site paths saved, made or
    removed since the last call, or EVERYTHING when only a full scan can tell."""

    def __init__(self, root: Path):
        libc = ctypes.CDLL(None, use_errno=True)
        self._add_watch = libc.inotify_add_watch
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.root = root
        self.folders: dict[int, str] = {}  # watch descriptor -> site path of the folder ('' for the root)
        self._watch("")
        for name in WATCHED:
            self._watch_tree(name)

    def _watch(self, rel: str) -> None:
        wd = self._add_watch(self.fd, os.fsencode(self.root / rel), _MASK)
        if wd < 0:
            raise OSError(ctypes.get_errno(), f"inotify_add_watch {rel or '.'}")
        self.folders[wd] = rel

    def _watch_tree(self, rel: str) -> None:
        if not (self.root / rel).is_dir() or (self.root / rel).is_symlink():
            return
        self._watch(rel)
        with os.scandir(self.root / rel) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    self._watch_tree(f"{rel}/{entry.name}")

    def changes(self) -> set[str] | None:
        paths: set[str] = set()
        everything = False
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                raise
            offset = 0
            while offset < len(data):
                wd, mask, _, size = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + size].rstrip(b"\0").decode("utf-8", "surrogateescape")
                offset += _EVENT.size + size
                if mask & _IN_Q_OVERFLOW:
                    everything = True
                    continue
                folder = self.folders.get(wd)
                if folder is None or not name:
                    continue
                rel = f"{folder}/{name}" if folder else name
                if folder == "" and name not in (CONFIG_NAME, *WATCHED):
                    continue  # the site's own folder: only site.yaml and the input folders matter
                if mask & _IN_ISDIR:
                    everything = True
                    if mask & (_IN_CREATE | _IN_MOVED_TO):
                        self._watch_tree(rel)
                    continue
                paths.add(rel)
        return EVERYTHING if everything else paths

    def close(self) -> None:
        os.close(self.fd)
