"""Called by bench/run: builds one corpus with sitegen and its peers and prints the figures.

For each N (items per language, 4 languages) it prints: sitegen's cold build (an empty cache folder)
with its peak memory, its build after a template change (content unchanged, the Markdown cache
warm), its one-story edit in `sitegen serve`; the same engine with the peers' plain templates; with
BENCH_BEFORE, the same figures of an older commit's sitegen; the libraries' floor, Hugo and Pelican.
Memory is the peak total RSS of each command's processes (see measure.py).
"""

from __future__ import annotations

import fcntl
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from corpus import edit, make_corpus  # noqa: E402
from measure import Run, measure  # noqa: E402
from peers import hugo_site, pelican_site, plain_site  # noqa: E402
from rebuild import served, story_edits  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
NOW = REPO / ".venv"
BEFORE = Path(os.environ["BENCH_BEFORE_VENV"]) if os.environ.get("BENCH_BEFORE_VENV") else None
STORY = "content/en/stories/story-00001.md"


def sitegen(venv: Path, site: Path) -> list[str]:
    # The venv's own script, not `python -m`: that would import the sitegen of the current folder.
    return [str(venv / "bin/sitegen"), "build", "--source", str(site), "--no-pdf", "--no-search", "--quiet"]


def with_cache(folder: Path) -> dict[str, str]:
    return {**os.environ, "SITEGEN_CACHE_DIR": str(folder)}


def median(runs: list[Run]) -> Run:
    """The run with the median time."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def wait_for_state_save(site: Path) -> None:
    """Before 2496cd7, `sitegen build` saved its state for the next build in the background, holding a
    lock: wait for it, so that the next command does not share the CPU with it."""
    for lock in sorted((site / ".sitegen-cache/builds").glob("*.lock")):
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


def template_changes(builds: list[Callable[[], float]], peer: Callable[[], float] | None = None) -> tuple[list[list[float]], list[float]]:
    """Seconds of each of `builds` (each changes its site's story.html, then builds), 1 + REPEAT times
    in turn, with `peer` timed after each turn: this machine's speed wanders from minute to minute,
    so a ratio is fair only between runs of the same minutes."""
    times: list[list[float]] = [[] for _ in builds]
    peers = []
    for _ in range(1 + REPEAT):
        for build, seconds in zip(builds, times):
            seconds.append(build())
        if peer is not None:
            peers.append(peer())
    return times, peers


def first_then(times: list[float]) -> str:
    return f"{times[0]:7.1f} s  then {again(times):.1f} s (median of {len(times) - 1} more)"


def again(times: list[float]) -> float:
    """The median of the runs after the first."""
    return statistics.median(times[1:])


def pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def hugo_version() -> str:
    found = re.search(r"v(\d+\.\d+)", subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout)
    return found.group(1) if found else "?"


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [250, 2500]
    # BENCH_TMP=/dev/shm: every tool's output in memory, to see the work apart from the disk's.
    # One folder for every size, deleted at the end, when nothing is timed any more (see set_aside).
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP") or None) as tmp:
        # Every cache of every tool in this run's folder: the user's is neither used nor changed.
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "xdg")
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp) / "cache")
        for n in sizes:
            figures(Path(tmp) / str(n), n)


def figures(work: Path, n: int) -> None:
    corpus = make_corpus(work / "corpus", n)
    old = make_corpus(work / "before", n, repo=BEFORE.parent / "src") if BEFORE else None
    trash = work / "trash"
    caches = work / "caches"
    plain = plain_site(corpus, work / "plain")
    floor_command = [str(NOW / "bin/python"), str(HERE / "floor.py"), str(corpus), str(work / "floor")]
    # The cold builds and the floor, one after the other, REPEAT times: this machine's disk and CPU
    # vary from minute to minute, and each is told by its median run. Each sitegen build gets a new,
    # empty cache folder; the last ones stay for the builds after a template change.
    colds: list[Run] = []
    plains: list[Run] = []
    olds: list[Run] = []
    floors: list[Run] = []
    for i in range(REPEAT):
        for site in (corpus, plain, *([old] if old else [])):
            for folder in (site / "public", site / ".public.scratch", site / ".sitegen-cache"):
                set_aside(folder, trash)
        set_aside(work / "floor", trash)
        cache, plain_cache = caches / f"cold-{i}", caches / f"plain-{i}"
        colds.append(measure(sitegen(NOW, corpus), env=with_cache(cache)))
        plains.append(measure(sitegen(NOW, plain), env=with_cache(plain_cache)))
        if BEFORE and old:
            olds.append(measure(sitegen(BEFORE, old)))  # its Markdown cache is in the site's .sitegen-cache
            wait_for_state_save(old)
        floors.append(measure(floor_command))
    cold, plain_cold, floor = median(colds), median(plains), median(floors)
    count, plain_count, floor_pages = pages(corpus / "public"), pages(plain / "public"), pages(work / "floor")
    runs = [("sitegen", colds), ("plain", plains), ("floor", floors)] + ([("before", olds)] if olds else [])
    spread = "; ".join(f"{name} {min(r.seconds for r in rs):.1f}-{max(r.seconds for r in rs):.1f} s" for name, rs in runs)

    # The peers before sitegen's later builds: those replace files, and each replaced file is a deletion.
    hugo_dir = hugo_site(corpus, work / "hugo")

    def hugo_cold() -> float:
        set_aside(work / "hugo-out", trash)
        return measure(["hugo", "--quiet", "-d", str(work / "hugo-out")], cwd=hugo_dir).seconds

    hugo_first = measure(["hugo", "--quiet", "-d", str(work / "hugo-out")], cwd=hugo_dir)
    hugo_pages = pages(work / "hugo-out")
    pelican_dir = pelican_site(corpus, work / "pelican")
    pelican = measure(["/tmp/sitegen-pelican/bin/pelican", "content", "-o", "out", "-s", "pelicanconf.py", "-q"], cwd=pelican_dir)
    pelican_pages = pages(pelican_dir / "out")

    # A template change: every story page again, the content as it was (its Markdown in the cache the
    # last cold build filled; before, the state the last build saved). Hugo's cold build after each
    # turn, for the ratio the issue asks for.
    def template_change(venv: Path, site: Path, env: dict[str, str] | None, old_text: str, new_text: str) -> Callable[[], float]:
        def build() -> float:
            edit(site / "templates/story.html", old_text, new_text)
            wait_for_state_save(site)
            seconds = measure(sitegen(venv, site), env=env).seconds
            wait_for_state_save(site)
            return seconds

        return build

    article = ('<article class="story', '<article class="story t')
    builds = [template_change(NOW, corpus, with_cache(cache), *article)]
    if BEFORE and old:
        builds.append(template_change(BEFORE, old, None, *article))  # its ordinary `sitegen build`, what users ran: not --force
    (after_template, *before_template), hugo_runs = template_changes(builds, hugo_cold)
    plain_template = template_changes([template_change(NOW, plain, with_cache(plain_cache), "</h1>", " </h1>")])[0][0]
    hugo = statistics.median([hugo_first.seconds, *hugo_runs])

    # The editors' one-story edit: `sitegen serve`'s, from the save to the pages on disk.
    site, _ = served(corpus, work / "served", search=False)
    serve_edit, _ = story_edits(site, corpus / STORY)
    del site
    if BEFORE and old:  # in that commit's Python
        told = subprocess.run(
            [str(BEFORE / "bin/python"), str(HERE / "before.py"), str(old), str(old / STORY), str(work / "before-served")],
            capture_output=True,
            text=True,
            check=True,
        )
        before_edit = float(told.stdout.split()[-1])

    print(f"\nN = {n} items per language, 4 languages ({os.cpu_count()} cores; cold builds and floor, median of {REPEAT}: {spread})")
    print("  MiB: the peak of the summed RSS of a command's processes (main and workers), sampled from /proc every 20 ms")
    row("sitegen cold build", speed(cold, count), f"({count} pages, an empty cache folder; CPU {cold.cpu / count * 1000:.2f} ms a page)")
    row("  after a template change", first_then(after_template), "(story.html changed, content not: every page, Markdown from the cache)")
    row("  one-story edit, serve", f"{serve_edit * 1000:7.0f} ms", "(`sitegen serve`: save to pages on disk, told the file; target < 100 ms)")
    row(
        "sitegen, plain templates",
        speed(plain_cold, plain_count),
        f"(the peers' templates: title and body; CPU {plain_cold.cpu / plain_count * 1000:.2f} ms a page)",
    )
    row("  after a template change", first_then(plain_template))
    if BEFORE and olds:
        before = median(olds)
        row(
            f"{os.environ.get('BENCH_BEFORE_COMMIT', 'before')}, before: cold",
            speed(before, pages(old / "public")),
            f"(CPU {before.cpu / pages(old / 'public') * 1000:.2f} ms a page)  now/before {cold.seconds / before.seconds:.2f}, memory {cold.peak / before.peak:.2f}",
        )
        row(
            "  after a template change",
            first_then(before_template[0]),
            f"(its `sitegen build` from the state the last one saved)  now/before {again(after_template) / again(before_template[0]):.2f}",
        )
        row("  one-story edit, serve", f"{before_edit * 1000:7.0f} ms", f"(its Rebuilder, told the file)  now/before {serve_edit / before_edit:.2f}")
    row(
        "libraries' floor",
        speed(floor, floor_pages),
        f"sitegen/floor {cold.seconds / floor.seconds:.2f}, plain {plain_cold.seconds / floor.seconds:.2f}  (CPU {floor.cpu / floor_pages * 1000:.2f} ms a page; in CPU {cold.cpu / floor.cpu:.2f}, plain {plain_cold.cpu / floor.cpu:.2f})",
    )
    hugo_run = Run(hugo, hugo_first.peak, hugo_first.cpu)
    row(
        f"Hugo {hugo_version()} cold",
        speed(hugo_run, hugo_pages),
        f"sitegen/Hugo {cold.seconds / hugo:.2f}; after a template change {after_template[0] / hugo:.2f} (again {again(after_template) / hugo:.2f}), plain {plain_template[0] / hugo:.2f} (again {again(plain_template) / hugo:.2f})",
    )
    print(
        f"    (median of {1 + len(hugo_runs)} runs, {min(hugo_first.seconds, *hugo_runs):.1f}-{max(hugo_first.seconds, *hugo_runs):.1f} s: one before sitegen's template changes, one after each turn of them)"
    )
    row("Pelican cold", speed(pelican, pelican_pages), f"sitegen/Pelican {cold.seconds / pelican.seconds:.2f}")


def row(label: str, figure: str, note: str = "") -> None:
    print(f"  {label:<26} {figure}  {note}".rstrip())


def speed(run: Run, count: int) -> str:
    return f"{run.seconds:7.1f} s  {count / run.seconds:7.0f} pages/s  {run.peak:6.0f} MiB"


if __name__ == "__main__":
    main()
