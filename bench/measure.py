"""Wall seconds, CPU seconds and peak memory of a command, counting every process it starts.

    measure(command, cwd=None, env=None) -> Run(seconds, peak, cpu)

Peak memory is the largest sum of resident memory (RSS) of the command's process tree, the main
process and its workers, sampled from /proc every 20 ms. Pages that forked workers still share with
their parent are counted once in each process, so it is an upper bound; GNU time's %M, used before,
was the largest single process only. Proportional set sizes (PSS) would count shared pages once, but
reading them walks every page table: 16 ms for a 600 MB process, too costly to sample while timing.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL = 0.02


@dataclass(frozen=True)
class Run:
    seconds: float
    peak: float  # MiB: the largest total RSS of the process tree at one sample
    cpu: float  # user and system seconds of the command and every process it waited for


class TreeSampler(threading.Thread):
    """Samples the total RSS of `root` and its descendants until stopped; `peak` is the largest, in bytes."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.parents: dict[int, int] = {}  # each process's parent, read once: /proc holds every process of the machine
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(INTERVAL):
            self.peak = max(self.peak, self.resident())

    def stop(self) -> None:
        self.done.set()
        self.join()

    def resident(self) -> int:
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        for pid in self.parents.keys() - pids:
            del self.parents[pid]
        for pid in pids - self.parents.keys():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            self.parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])  # the command name may hold spaces
        tree, grown = {self.root}, True
        while grown:
            more = {pid for pid, parent in self.parents.items() if parent in tree} - tree
            tree |= more
            grown = bool(more)
        total = 0
        for pid in tree:
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            except (OSError, IndexError):
                pass
        return total


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `command`; exit with its output when it fails. The disk is synced first: the kernel writes a
    command's files back up to half a minute after it ends, and that would be counted against the next one."""
    os.sync()
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        # wait4, not wait: its CPU times include every descendant the command waited for.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output.read()[-4000:].decode(errors='replace')}")
    return Run(seconds, sampler.peak / 2**20, usage.ru_utime + usage.ru_stime)
