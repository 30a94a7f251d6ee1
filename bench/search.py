"""What the search index adds to a cold build (target, issue 9: at most 20%), and what the index costs
made two ways: the pagefind CLI over the staged pages (sitegen's way), or Pagefind's Python API
(`add_html_file` with each page's HTML from memory, the bundle written to a scratch folder and
read back: `get_files` never returns a bundle over about 1 MB, base64 in JSON in base64, as its
reply overflows the 2 MiB line the Python side reads, and the call then waits forever).

    .venv/bin/python bench/search.py                 # the sample portal
    .venv/bin/python bench/search.py 1000            # and the bench corpus, 1,000 items per language
    .venv/bin/python bench/search.py 1000 --api      # the Python API over that corpus too (minutes: see below)
    .venv/bin/python bench/search.py --no-pdf 1000   # HTML-only cold builds of the portal

Prints, for each site, the median of 3 cold builds (an empty cache folder each) without the index
and with it, wall and CPU (this process and its children: the render pool, Pagefind), and what it
adds; then the index alone, made both ways from the same built pages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import copy_portal, make_corpus  # noqa: E402

from sitegen.options import BuildOptions  # noqa: E402
from sitegen.outputs.search import INDEX_DIR, index_site  # noqa: E402
from sitegen.pipeline import build  # noqa: E402

Timing = tuple[float, float]  # wall and CPU seconds


def cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (pool workers, Pagefind)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object]) -> Timing:
    start_cpu, start = cpu(), time.perf_counter()
    work()
    return time.perf_counter() - start, cpu() - start_cpu


def cold(make: Callable[[Path], Path], search: bool, pdf: bool) -> Timing:
    with tempfile.TemporaryDirectory() as tmp:
        root = make(Path(tmp) / "site")
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp) / "cache")  # empty: a cold build renders every body and PDF
        options = BuildOptions(source=root, out=root / "public", search=search, pdf=pdf, jobs=2)
        start_cpu, start = cpu(), time.perf_counter()
        report = build(options)
        timing = time.perf_counter() - start, cpu() - start_cpu
        assert report.ok and (root / "public" / INDEX_DIR).is_dir() == search
        return timing


def median(runs: list[Timing]) -> Timing:
    return statistics.median(wall for wall, _ in runs), statistics.median(used for _, used in runs)


def index_with_api(pages: dict[str, str]) -> dict[str, bytes]:
    """The bundle made by Pagefind's Python API from pages in memory (URL -> HTML)."""
    from pagefind.service import PagefindService

    async def run(bundle: Path) -> None:
        # The service, not PagefindIndex's own context: that one writes a bundle into the working folder as it closes.
        async with PagefindService() as service:  # its process ends as the block does, whatever happens in it
            index = await service.create_index()
            await asyncio.gather(*(index.add_html_file(content=html, url=url) for url, html in pages.items()))
            await index.write_files(str(bundle))

    with tempfile.TemporaryDirectory() as scratch:
        bundle = Path(scratch) / INDEX_DIR
        asyncio.run(run(bundle))
        return {f"{INDEX_DIR}/{p.relative_to(bundle).as_posix()}": p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def marked_pages(folder: Path) -> dict[str, str]:
    """The built pages Pagefind indexes, by URL, as the renderer hands them over."""
    pages = {}
    for path in sorted(folder.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if "data-pagefind-body" in html:
            pages["/" + path.relative_to(folder).as_posix().removesuffix("index.html")] = html
    return pages


def index_alone(make: Callable[[Path], Path], api: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make(Path(tmp) / "site")
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp) / "cache")
        build(BuildOptions(source=root, out=root / "public", search=False, pdf=False, jobs=2))
        folder = root / "public"
        pages = marked_pages(folder)
        wall, used = median([timed(lambda: index_site(folder)) for _ in range(3)])
        print(f"  the index alone, {len(pages)} pages: pagefind CLI over the staged pages {wall:.2f} s wall, {used:.2f} s CPU")
        if api:
            wall, used = timed(lambda: index_with_api(pages))
            print(f"  the index alone, {len(pages)} pages: Python API from pages in memory {wall:.2f} s wall, {used:.2f} s CPU")


def report(name: str, make: Callable[[Path], Path], pdfs: tuple[bool, ...], api: bool) -> None:
    for pdf in pdfs:
        without = median([cold(make, False, pdf) for _ in range(3)])
        with_index = median([cold(make, True, pdf) for _ in range(3)])
        what = "HTML and PDFs" if pdf else "HTML only"
        print(
            f"{name}, cold build, {what}: {without[0]:.2f} s wall ({without[1]:.2f} s CPU) without search, "
            f"{with_index[0]:.2f} s ({with_index[1]:.2f} s CPU) with: +{with_index[0] - without[0]:.2f} s wall "
            f"(+{(with_index[0] / without[0] - 1) * 100:.0f}%), +{with_index[1] - without[1]:.2f} s CPU"
        )
    index_alone(make, api)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("items", type=int, nargs="?", help="also the bench corpus with this many items per language")
    parser.add_argument("--api", action="store_true", help="also time Pagefind's Python API (about 0.1 s a page)")
    parser.add_argument("--no-pdf", action="store_true", help="the portal's cold builds without PDFs only")
    args = parser.parse_args()
    report("portal", copy_portal, (False,) if args.no_pdf else (False, True), api=True)
    if args.items:
        report(f"corpus of {args.items} items a language", lambda out: make_corpus(out, args.items), (False,), api=args.api)


if __name__ == "__main__":
    main()
