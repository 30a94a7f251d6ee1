"""What the search index adds to a cold build of the sample portal (target, issue 9: at most 20%).

    .venv/bin/python bench/search.py

Prints, for HTML only and for HTML and PDFs, the median of 3 cold builds (an empty cache folder
each) without the index and with it, and what it adds.
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

from corpus import copy_portal  # noqa: E402

from sitegen.options import BuildOptions  # noqa: E402
from sitegen.pipeline import build  # noqa: E402


def cold(search: bool, pdf: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_portal(Path(tmp) / "site")
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp) / "cache")  # empty: a cold build renders every body and PDF
        start = time.perf_counter()
        report = build(BuildOptions(source=root, out=root / "public", search=search, pdf=pdf, jobs=2))
        assert report.ok
        return time.perf_counter() - start


def main() -> None:
    for pdf in (False, True):
        without = statistics.median(cold(False, pdf) for _ in range(3))
        with_index = statistics.median(cold(True, pdf) for _ in range(3))
        what = "HTML and PDFs" if pdf else "HTML only"
        print(f"cold build, {what}: {without:.2f} s without search, {with_index:.2f} s with: +{(with_index / without - 1) * 100:.0f}%")


if __name__ == "__main__":
    main()
