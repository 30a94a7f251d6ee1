"""Run by an older sitegen's Python (bench/run with BENCH_BEFORE): its `sitegen serve`'s one-story edit,
through sitegen.rebuild.Rebuilder, as that commit's bench/rebuild.py drove it (fc35187 and before).

    BEFORE_PYTHON bench/before.py SITE STORY OUT

Prints the median seconds of 5 edits of STORY, from the save to the pages on disk, told the file.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from corpus import edit  # bench/ is this script's folder: never the repository's own sitegen

from sitegen.rebuild import Rebuilder


def main() -> None:
    root, story, out = (Path(arg) for arg in sys.argv[1:4])
    rebuilder = Rebuilder(root, out, search=False)
    rebuilder.jobs = os.cpu_count() or 1
    assert rebuilder.rebuild().ok
    rebuilder.jobs = 1  # as the server did once its threads ran
    changed = {story.relative_to(root).as_posix()}
    edits = []
    for i in range(5):
        edit(story, "\n## ", f"\n## before{i} ")
        start = time.perf_counter()
        report = rebuilder.rebuild(changed=changed)
        edits.append(time.perf_counter() - start)
        assert report.ok and report.written, report.diagnostics[:5]
    print(statistics.median(edits))


if __name__ == "__main__":
    main()
