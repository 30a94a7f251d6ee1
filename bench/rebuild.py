"""Save-to-page-on-disk times of `sitegen serve`: pipeline.build with the server's State, told which files changed.

    .venv/bin/python bench/rebuild.py [N ...]      (default: the sample portal and N = 2500)

Prints, for the sample portal and for a generated corpus of 4 x N items: the first (whole) build,
on every core; then, on one process as the server's later builds are, the median of 5 saves of one
story with no change, 5 one-story edits, and one edit of the story template, each timed from the
save to the pages on disk and told the saved file, as watchfiles tells the server. Targets (issue 5):
a story edit under 100 ms at either size.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import copy_portal, edit, make_corpus  # noqa: E402

from sitegen.options import BuildOptions  # noqa: E402
from sitegen.pipeline import Report, State, build  # noqa: E402


@dataclass
class Served:
    """A site as `sitegen serve` holds it between saves: the options of its later builds and the State of the last."""

    options: BuildOptions
    state: State = field(default_factory=State)

    def saved(self, *paths: Path) -> tuple[float, Report]:
        """Seconds from the save of `paths` to their pages on disk, and the build's report."""
        changed = {path.relative_to(self.options.source).as_posix() for path in paths}
        start = time.perf_counter()
        report = build(self.options, state=self.state, changed=changed)
        seconds = time.perf_counter() - start
        assert report.ok, [d.format() for d in report.diagnostics if d.severity == "error"][:5]
        return seconds, report


def served(root: Path, out: Path, search: bool = True) -> tuple[Served, float]:
    """A site after `sitegen serve`'s first build (every page, on every core), and that build's seconds."""
    options = BuildOptions(source=root, out=out, pdf=False, search=search, jobs=os.cpu_count() or 1)
    state = State()
    start = time.perf_counter()
    first = build(options, state=state)
    seconds = time.perf_counter() - start
    assert first.ok, [d.format() for d in first.diagnostics if d.severity == "error"][:5]
    # As the server's later builds: on this process only (its threads run), the search index refreshed after, off the save's path.
    return Served(replace(options, jobs=1, search=False), state), seconds


def story_edits(site: Served, story: Path, repeats: int = 5) -> tuple[float, int]:
    """The median seconds from a story's save to its pages on disk, and how many files the last edit rewrote."""
    edits = []
    for i in range(repeats):
        edit(story, "\n## ", f"\n## {i} ")
        seconds, report = site.saved(story)
        assert report.written
        edits.append(seconds)
    return statistics.median(edits), len(report.written)


def measure(name: str, root: Path, story: Path, repeats: int = 5) -> None:
    site, seconds = served(root, root / "served")
    print(f"\n{name}: {len(site.state.digests)} outputs")
    print(f"  first (whole) build     {seconds:8.2f} s")
    unchanged = []
    for _ in range(repeats):
        edit(story, "\n## ", "\n## ")  # saved as it was: a new modification time, the same text
        seconds, report = site.saved(story)
        unchanged.append(seconds)
    print(f"  save with no change     {statistics.median(unchanged) * 1000:8.0f} ms  ({len(report.written)} files rewritten)")
    seconds, rewritten = story_edits(site, story, repeats)
    print(f"  one story edit          {seconds * 1000:8.0f} ms  ({rewritten} files rewritten; target < 100 ms)")
    template = root / "templates/story.html"
    edit(template, '<article class="story"', '<article class="story edited"')
    seconds, report = site.saved(template)
    print(f"  story template edit     {seconds * 1000:8.0f} ms  ({len(report.written)} files rewritten)")


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [2500]
    with tempfile.TemporaryDirectory() as tmp:
        # A cache folder of this run's own: the first build renders all its Markdown, as on a new
        # machine, and the user's cache is left as it was.
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp) / "cache")
        root = copy_portal(Path(tmp) / "sample")
        measure("sample portal", root, root / "content/en/stories/oita-lsi/index.md")
        for n in sizes:
            root = make_corpus(Path(tmp) / f"corpus-{n}", n)
            measure(f"corpus of 4 x {n}", root, root / "content/en/stories/story-00001.md")


if __name__ == "__main__":
    main()
