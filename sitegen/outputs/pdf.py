"""Print views -> PDF bytes with WeasyPrint; fonts checked first, unchanged PDFs taken from a cache."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import signal
import subprocess
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, Message
from ..inputs.config import SiteConfig
from ..inputs.model import Document, Site
from ..render import urls

# Print views are fetched from the rendered outputs under this made-up origin; nothing else is fetched.
ORIGIN = "https://sitegen.invalid/"
FONT_PACKAGE = "fonts-noto-cjk"


@dataclass(frozen=True)
class PdfJob:
    """One brochure in one language: its print view and where its PDF goes."""

    doc: Document
    print_file: str  # output path of the print view's HTML
    pdf_file: str


@dataclass
class PdfReport:
    outputs: dict[str, bytes] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # PDFs made in this run; the rest came from the cache
    diagnostics: list[Diagnostic] = field(default_factory=list)


def plan_pdfs(site: Site, slugs: Iterable[str] | None = None) -> list[PdfJob]:
    wanted = set(slugs) if slugs is not None else None
    return [
        PdfJob(d, urls.output_file(urls.print_path(d)), urls.pdf_path(d))
        for lang in site.languages
        for d in site.section("brochures", lang)
        if wanted is None or d.slug in wanted
    ]


def fast_subsetting() -> bool:
    """WeasyPrint subsets fonts with HarfBuzz when libharfbuzz-subset is there, else ~30x slower."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:
        return False
    return harfbuzz_subset is not None


def font_file(family: str, lang: str) -> str | None:
    """The file fontconfig gives for `family` in `lang`, if that family is installed and covers the language."""
    try:
        listed = subprocess.run(["fc-list", f"{family}:lang={lang}", "file"], capture_output=True, text=True, check=False, timeout=30).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return sorted(line.rstrip(":") for line in listed)[0] if listed else None


def check_fonts(config: SiteConfig, jobs: list[PdfJob]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Before any rendering: a font that covers each brochure language's script, or an error naming the fix."""
    found: dict[str, str] = {}
    diagnostics = []
    for code in sorted({job.doc.lang for job in jobs} | {job.doc.text_lang for job in jobs}):
        family = config.font(code)
        path = font_file(family, config.language(code).babel.language)
        if path is None:
            diagnostics.append(
                Diagnostic(
                    "site.yaml",
                    None,
                    None,
                    f"fonts.{code}",
                    Message(
                        "expected a font for '{code}' ({family}) that covers its script, found none installed; "
                        "install the Debian package {package} (or name an installed family in site.yaml fonts)",
                        code=code,
                        family=family,
                        package=FONT_PACKAGE,
                    ),
                )
            )
        else:
            found[code] = path
    return found, diagnostics


def cache_key(job: PdfJob, outputs: Mapping[str, bytes], fonts: Mapping[str, str]) -> str:
    """Everything a PDF is made from: its print view, every stylesheet and image, the font files."""
    import weasyprint

    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}\n".encode())
    digest.update(outputs[job.print_file])
    for path in sorted(p for p in outputs if p.startswith(("static/", "assets/", "_img/"))):
        digest.update(path.encode() + b"\0" + hashlib.sha256(outputs[path]).digest())
    for code in sorted(fonts):
        stat = Path(fonts[code]).stat()
        digest.update(f"{code}={fonts[code]}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def render_pdfs(
    site: Site,
    outputs: Mapping[str, bytes],
    jobs: list[PdfJob],
    cache_folder: Path | None = None,
    jobs_count: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PdfReport:
    """Make each job's PDF, from the cache (in `cache_folder`) when nothing it is made from changed."""
    report = PdfReport()
    if not jobs:
        return report
    fonts, problems = check_fonts(site.config, jobs)
    report.diagnostics += problems
    if problems:
        return report
    if not fast_subsetting():
        report.diagnostics.append(
            Diagnostic(
                "site.yaml",
                None,
                None,
                None,
                Message(
                    "expected HarfBuzz font subsetting, found libharfbuzz-subset missing: PDFs are made about 30x slower; "
                    "install the Debian package libharfbuzz-subset0"
                ),
                "warning",
            )
        )
    cache = cache_folder / "pdf" if cache_folder is not None else None
    todo: list[tuple[PdfJob, str]] = []
    for job in jobs:
        key = cache_key(job, outputs, fonts)
        cached = cache / f"{key}.pdf" if cache is not None else None
        if cached is not None and cached.is_file():
            report.outputs[job.pdf_file] = cached.read_bytes()
        else:
            todo.append((job, key))
    resources = {p: outputs[p] for p in outputs if p.startswith(("static/", "assets/", "_img/"))}  # the pages may be on disk (Staged)
    tasks = [(job.print_file, outputs[job.print_file], resources, key) for job, key in todo]
    workers = max(1, min(len(tasks), jobs_count or 1))
    if workers > 1:
        # One brochure per process at a time: each worker holds one document's pages.
        # Ctrl-C is the main process's to handle: the PDFs under way finish, no other starts.
        with ProcessPoolExecutor(workers, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
            results = []
            try:
                for result in pool.map(_render_one, tasks):
                    results.append(result)
                    if progress:
                        progress(Message("PDFs"), len(results), len(tasks))
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    else:
        results = []
        for task in tasks:
            results.append(_render_one(task))
            if progress:
                progress(Message("PDFs"), len(results), len(tasks))
    for (job, key), (data, error) in zip(todo, results):
        if error:
            failing = Message("expected a PDF of {file}, found WeasyPrint failing: {error}", file=job.pdf_file, error=error)
            report.diagnostics.append(Diagnostic(job.doc.path, None, None, None, failing))
            continue
        if cache is not None:
            _write_atomically(cache / f"{key}.pdf", data)
        report.outputs[job.pdf_file] = data
        report.rendered.append(job.pdf_file)
    return report


def _write_atomically(path: Path, data: bytes) -> None:
    """Keep a PDF in the cache; a cache that cannot be written fails no build."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".partial-{os.getpid()}")
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        pass


def _render_one(task: tuple[str, bytes, Mapping[str, bytes], str]) -> tuple[bytes, str | None]:
    print_file, html, resources, key = task
    import weasyprint

    try:
        fetcher = site_fetcher(resources)
        document = weasyprint.HTML(string=html.decode("utf-8"), base_url=ORIGIN + print_file, url_fetcher=fetcher)
        data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=key[:32].encode(), uncompressed_pdf=False)
    except Exception as exc:  # WeasyPrint's failures are many and untyped: report, don't crash the build
        return b"", f"{type(exc).__name__}: {exc}"
    return data, None


def site_fetcher(resources: Mapping[str, bytes]) -> object:
    """A WeasyPrint URL fetcher that serves the site's own files and refuses everything else."""
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # an older WeasyPrint (the floor, 62) takes a function that returns a dict
        return _fetcher_function(resources)

    class SiteFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = url[len(ORIGIN) :].split("#")[0].split("?")[0] if url.startswith(ORIGIN) else None
            if path is None or path not in resources:
                raise ValueError(f"not a file of the site: {url}")
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=resources[path], headers={"Content-Type": mime})

    return SiteFetcher()


def _fetcher_function(resources: Mapping[str, bytes]) -> object:
    def fetch(url: str) -> dict[str, object]:
        path = url[len(ORIGIN) :].split("#")[0].split("?")[0] if url.startswith(ORIGIN) else None
        if path is None or path not in resources:
            raise ValueError(f"not a file of the site: {url}")
        return {"string": resources[path], "mime_type": mimetypes.guess_type(path)[0] or "application/octet-stream", "redirected_url": url}

    return fetch
