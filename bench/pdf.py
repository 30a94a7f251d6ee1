"""Seconds per brochure PDF and PDF size per language, on the real portal, cold (an empty cache folder).

    .venv/bin/python bench/pdf.py [--jobs N]

Prints the cold build's seconds and the part of them spent making PDFs; each PDF made again alone,
in this process, with its seconds, pages and size; this process's peak memory; and the seconds of
a second build, its PDFs from the cache.

Targets (issue 3, 2-core machine): the four sample PDFs together under 5 s, each under 1 MB.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import copy_portal  # noqa: E402
from pypdf import PdfReader  # noqa: E402  (installed with .[test])

from sitegen.options import BuildOptions  # noqa: E402
from sitegen.outputs.pdf import _render_one, cache_key, check_fonts, fast_subsetting, plan_pdfs  # noqa: E402
from sitegen.pipeline import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # A cache folder of this run's own: the first build makes every PDF, and the user's cache is left alone.
        os.environ["SITEGEN_CACHE_DIR"] = str(Path(tmp) / "cache")
        root = copy_portal(Path(tmp) / "site")
        out = Path(tmp) / "public"
        print(f"HarfBuzz subsetting: {'yes' if fast_subsetting() else 'NO (install libharfbuzz-subset0)'}")

        start = time.perf_counter()
        report = build(BuildOptions(source=root, out=out, jobs=args.jobs))
        total = time.perf_counter() - start
        assert report.ok, [d.format() for d in report.diagnostics]
        pdf_time = report.timings.get("pdf", 0.0)
        print(
            f"cold build, {len(report.pdfs_rendered)} PDFs on {args.jobs} process(es): "
            f"{total:.2f} s in all, {pdf_time:.2f} s of it making PDFs (target: under 5 s)"
        )

        # One at a time, in this process, for seconds per PDF (the first one also loads the fonts).
        site = report.site
        jobs = plan_pdfs(site)
        fonts, _ = check_fonts(site.config, jobs)
        # A whole build keeps no outputs in its report: its print pages and styles are read back from the site.
        outputs = {path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*") if path.is_file()}
        resources = {p: d for p, d in outputs.items() if p.startswith(("static/", "assets/"))}
        print(f"{'language':<9}{'seconds':>9}{'pages':>7}{'size':>11}")
        for job in jobs:
            key = cache_key(job, outputs, fonts)
            start = time.perf_counter()
            data, error = _render_one((job.print_file, outputs[job.print_file], resources, key))
            seconds = time.perf_counter() - start
            assert error is None, error
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(f"{job.doc.lang:<9}{seconds:>9.2f}{pages:>7}{len(data) / 1024:>9.0f} KB")

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MiB")

        start = time.perf_counter()
        again = build(BuildOptions(source=root, out=out, jobs=args.jobs))
        print(f"warm build (PDFs from the cache): {time.perf_counter() - start:.2f} s, {len(again.pdfs_rendered)} PDFs rendered")


if __name__ == "__main__":
    main()
