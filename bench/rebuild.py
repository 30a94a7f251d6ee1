"""Save-to-page-on-disk times of `sitegen serve`'s incremental rebuilds.

    .venv/bin/python bench/rebuild.py [N ...]      (default: the sample portal and N = 2500)

For the sample portal and for a generated corpus of 4 x N items: the first (full) build, a
no-change rebuild, one story edit and one template edit, each timed from the save to the
rewritten page on disk. Targets (issue 5): a story edit under 100 ms at either size; a
no-change rebuild under 1 s at 10,000 pages. `sitegen serve` is told of saves by the kernel
(inotify), so there is no polling delay; a story edit is timed both ways.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import copy_portal, make_corpus  # noqa: E402

from sitegen.rebuild import Rebuilder  # noqa: E402


def save(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def served(root: Path, out: Path, search: bool = True) -> tuple[Rebuilder, float]:
    """A Rebuilder as `sitegen serve` makes one, after its first (full) build on every core; and that build's seconds."""
    rebuilder = Rebuilder(root, out, search=search)
    rebuilder.jobs = os.cpu_count() or 1
    start = time.perf_counter()
    first = rebuilder.rebuild()
    assert first.ok, [d.format() for d in first.diagnostics if d.severity == "error"][:5]
    rebuilder.jobs = 1  # as the server does once its threads run
    return rebuilder, time.perf_counter() - start


def story_edits(rebuilder: Rebuilder, story: Path, told: bool, repeats: int = 5) -> tuple[float, int]:
    """The median seconds from a story's save to its pages on disk, and how many files each edit rewrote."""
    edits = []
    for i in range(repeats):
        save(story, "\n## ", f"\n## {told}{i} ")
        # As `sitegen serve` does: told by the kernel which file was saved, or else a scan of every input.
        report = rebuilder.rebuild(changed={story.relative_to(rebuilder.source).as_posix()} if told else None)
        assert report.ok and report.written
        edits.append(report.seconds)
    return statistics.median(edits), len(report.written)


def measure(name: str, root: Path, story: Path, repeats: int = 5) -> None:
    rebuilder, seconds = served(root, root / "served")
    print(f"\n{name}: {len(rebuilder.digests)} outputs")
    print(f"  first (full) build      {seconds:8.2f} s")
    none = [rebuilder.rebuild().seconds for _ in range(repeats)]
    print(f"  no-change rebuild       {statistics.median(none) * 1000:8.0f} ms")
    for told in (False, True):
        edit, rewritten = story_edits(rebuilder, story, told, repeats)
        how = "told the file (inotify)" if told else "with a scan of every input"
        print(f"  one story edit          {edit * 1000:8.0f} ms  {how}; {rewritten} files rewritten; target < 100 ms")
    template = root / "templates/story.html"
    save(template, '<article class="story"', '<article class="story edited"')
    report = rebuilder.rebuild(changed={"templates/story.html"})
    print(f"  story template edit     {report.seconds * 1000:8.0f} ms  ({len(report.written)} files rewritten)")


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [2500]
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_portal(Path(tmp) / "sample")
        measure("sample portal", root, root / "content/en/stories/oita-lsi.md")
        for n in sizes:
            root = make_corpus(Path(tmp) / f"corpus-{n}", n)
            measure(f"corpus of 4 x {n}", root, root / "content/en/stories/story-00001.md")


if __name__ == "__main__":
    main()
