"""Called by bench/run: builds one corpus with sitegen and its peers and prints the figures."""

from __future__ import annotations

import fcntl
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from corpus import make_corpus  # noqa: E402
from peers import hugo_site, pelican_site, plain_site  # noqa: E402
from rebuild import served, story_edits  # noqa: E402

PY = str(REPO / ".venv/bin/python")
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Seconds, peak memory (MiB) and CPU seconds (user and system, all processes waited for) of a command, from GNU time.
    The disk is synced first: the files the last command wrote are flushed by the kernel up to half a
    minute later, and that writeback would be counted against whichever command ran then."""
    os.sync()
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    peak, user, system = re.findall(r"^(\d+) ([\d.]+) ([\d.]+)$", done.stderr, re.MULTILINE)[-1]
    return seconds, int(peak) / 1024, float(user) + float(system)


def median(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The run with the median time."""
    return sorted(runs)[len(runs) // 2]


def wait_for_state_save(corpus: Path) -> None:
    """sitegen build saves its state for the next build in the background, holding a lock: wait for it,
    so that the next command does not share the CPU with it."""
    for lock in sorted((corpus / ".sitegen-cache/builds").glob("*.lock")):
        with open(lock) as held:
            fcntl.flock(held, fcntl.LOCK_EX)


def set_aside(folder: Path, trash: Path) -> None:
    """Move a tool's output out of the way, to be deleted once every figure is taken. On this machine's
    disk (ext4 without a journal) a file made within minutes of many deletions near it costs up to ten
    times more (the allocator steps over each recently freed inode), so a folder deleted between runs
    would slow whichever tool ran next."""
    if folder.exists():
        trash.mkdir(exist_ok=True)
        folder.rename(trash / str(sum(1 for _ in trash.iterdir())))


def template_changes(command: list[str], site: Path, old: str, new: str, peer: Callable[[], float] | None = None) -> tuple[float, float, list[float]]:
    """Seconds of the build after story.html changes: the first after a whole build (it makes the
    scratch files that later builds write over), then the median of REPEAT more. `peer`, when given,
    is timed after each of them (its seconds are returned): this machine's speed wanders from
    minute to minute, so a ratio is fair only between runs of the same minutes."""
    times, peers = [], []
    for _ in range(1 + REPEAT):
        template = site / "templates/story.html"
        template.write_text(template.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        wait_for_state_save(site)
        times.append(timed(command)[0])
        if peer is not None:
            peers.append(peer())
    return times[0], statistics.median(times[1:]), peers


def pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [250, 2500]
    # BENCH_TMP=/dev/shm: every tool's output in memory, to see the work apart from the disk's.
    # One folder for every size, deleted at the end, when nothing is timed any more (see set_aside).
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP") or None) as tmp:
        for n in sizes:
            work = Path(tmp) / str(n)
            corpus = make_corpus(work / "corpus", n)
            trash = work / "trash"
            plain = plain_site(corpus, work / "plain")
            sitegen, plain_sitegen = ([PY, "-m", "sitegen", "build", "--source", str(site), "--no-pdf", "--no-search", "--quiet"] for site in (corpus, plain))
            floor_command = [PY, str(HERE / "floor.py"), str(corpus), str(work / "floor")]
            # The cold build and the floor, one after the other, REPEAT times: this machine's disk
            # and CPU vary from minute to minute, and each is told by its median run.
            colds, plains, floors = [], [], []
            for _ in range(REPEAT):
                for folder in (corpus / "public", corpus / ".sitegen-cache", plain / "public", plain / ".sitegen-cache", work / "floor"):
                    set_aside(folder, trash)
                colds.append(timed(sitegen))
                wait_for_state_save(corpus)
                plains.append(timed(plain_sitegen))
                wait_for_state_save(plain)
                floors.append(timed(floor_command))
            (cold, peak, cold_cpu), (plain_cold, plain_peak, plain_cpu), (floor, floor_peak, floor_cpu) = median(colds), median(plains), median(floors)
            plain_count = pages(plain / "public")
            count = pages(corpus / "public")
            floor_pages = pages(work / "floor")
            spread = "; ".join(f"{name} {min(r[0] for r in runs):.1f}-{max(r[0] for r in runs):.1f} s" for name, runs in (("sitegen", colds), ("plain", plains), ("floor", floors)))
            # The peers before sitegen's rebuilds: those replace files, and each replaced file is a deletion.
            hugo_dir = hugo_site(corpus, work / "hugo")

            def hugo_cold() -> float:
                set_aside(work / "hugo-out", trash)
                return timed(["hugo", "--quiet", "-d", str(work / "hugo-out")], cwd=hugo_dir)[0]

            hugo_first, hugo_peak, _ = timed(["hugo", "--quiet", "-d", str(work / "hugo-out")], cwd=hugo_dir)
            hugo_pages = pages(work / "hugo-out")
            pelican_dir = pelican_site(corpus, work / "pelican")
            pelican, pelican_peak, _ = timed(["/tmp/sitegen-pelican/bin/pelican", "content", "-o", "out", "-s", "pelicanconf.py", "-q"], cwd=pelican_dir)
            pelican_pages = pages(pelican_dir / "out")
            # Each rebuild is timed alone: after the last one's state is saved, in the background.
            warm, _, _ = timed(sitegen)
            story = corpus / "content/en/stories/story-00001.md"
            story.write_text(story.read_text(encoding="utf-8").replace("\n## ", "\n## edited ", 1), encoding="utf-8")
            wait_for_state_save(corpus)
            edit, _, _ = timed(sitegen)
            # Hugo's cold build again after each of them: the ratio the issue asks for compares the two
            # over the same minutes.
            *after_template, hugo_runs = template_changes(sitegen, corpus, '<article class="story', '<article class="story t', hugo_cold)
            plain_template = template_changes(plain_sitegen, plain, "</h1>", " </h1>")[:2]
            hugo = statistics.median([hugo_first, *hugo_runs])
            # Last: a whole build into a folder built before deletes the previous site, and files
            # made within minutes of many deletions are slow to make (see set_aside).
            forced, _, _ = timed([*sitegen, "--force"])
            wait_for_state_save(corpus)
            # The editors' one-story edit: `sitegen serve`'s, from the save to the pages on disk.
            rebuilder, _ = served(corpus, work / "served", search=False)
            serve_edit, _ = story_edits(rebuilder, story, told=True)
            del rebuilder
            print(f"\nN = {n} items per language, 4 languages ({os.cpu_count()} cores; cold builds and floor, median of {REPEAT}: {spread})")
            print(f"  sitegen cold build         {cold:7.1f} s  {count / cold:7.0f} pages/s  {peak:6.0f} MiB  ({count} pages; CPU {cold_cpu / count * 1000:.2f} ms a page)")
            print(f"  sitegen no-change rebuild  {warm:7.2f} s  (a stat scan of the inputs)")
            print(f"  sitegen one-story edit     {edit:7.2f} s  (`sitegen build`, from the last build's state)")
            print(f"    with `sitegen serve`     {serve_edit * 1000:7.0f} ms (save to pages on disk, told by inotify; target < 100 ms)")
            print(f"  sitegen after a template   {after_template[0]:7.1f} s  (story.html: every story page again; again, median of {REPEAT}: {after_template[1]:.1f} s)")
            print(f"  sitegen --force            {forced:7.1f} s  (a whole build, Markdown from the cache)")
            print(f"  sitegen, plain templates   {plain_cold:7.1f} s  {plain_count / plain_cold:7.0f} pages/s  {plain_peak:6.0f} MiB  (the peers' templates: title and body; CPU {plain_cpu / plain_count * 1000:.2f} ms a page)")
            print(f"    after a template change  {plain_template[0]:7.1f} s  (story.html: every story page again; again, median of {REPEAT}: {plain_template[1]:.1f} s)")
            print(f"  libraries' floor           {floor:7.1f} s  {floor_peak:6.0f} MiB   sitegen/floor {cold / floor:.2f}, plain {plain_cold / floor:.2f}  (CPU {floor_cpu / floor_pages * 1000:.2f} ms a page; in CPU {cold_cpu / floor_cpu:.2f}, plain {plain_cpu / floor_cpu:.2f})")
            print(f"  Hugo 0.111 cold            {hugo:7.1f} s  {hugo_pages / hugo:7.0f} pages/s  {hugo_peak:6.0f} MiB   sitegen/Hugo {cold / hugo:.2f}; after a template change {after_template[0] / hugo:.2f} (again {after_template[1] / hugo:.2f}), plain {plain_template[0] / hugo:.2f} (again {plain_template[1] / hugo:.2f})")
            print(f"    (median of {1 + len(hugo_runs)} runs, {min(hugo_first, *hugo_runs):.1f}-{max(hugo_first, *hugo_runs):.1f} s: one before sitegen's rebuilds, one after each of its template changes)")
            print(f"  Pelican cold               {pelican:7.1f} s  {pelican_pages / pelican:7.0f} pages/s  {pelican_peak:6.0f} MiB   sitegen/Pelican {cold / pelican:.2f}")


if __name__ == "__main__":
    main()
