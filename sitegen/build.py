"""Runs the stages in order and reports what happened: read, check, model, render, write."""

from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import ContextManager, Mapping

from .deps import Stamp, scan
from .config import SiteConfig, load_config
from .content import MAX_FILE_BYTES, ContentTree, ParseCache, SourceItem, markdown_body, read_content
from .errors import Diagnostic, has_errors
from .i18n import Catalogs, load_catalogs, untranslated
from .layout import CONTENT_DIR
from .links import PageLinks, check_pages
from .model import ModelMemo, Site, build_site
from .output import OutputError, Staged, Staging, staging, write_files
from .pdf import plan_pdfs, render_pdfs
from .markdown import MarkdownStore, rendered_ahead
from .options import BuildOptions, UsageError
from .render import Progress, render_site
from .search import INDEX_DIR, SearchIndexError, index_outputs
from .schema import CheckedItem, check_item


MARKDOWN_CACHE = ".sitegen-cache/markdown.sqlite"


@dataclass
class BuildReport:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: dict[str, bytes] | Staged = field(default_factory=dict)  # Staged: pages written as they were rendered
    digests: dict[str, bytes] = field(default_factory=dict)  # of the pages, made where they were rendered
    site: Site | None = None
    written: WriteReport | None = None
    timings: dict[str, float] = field(default_factory=dict)
    pdfs_rendered: list[str] = field(default_factory=list)
    deps: dict[str, frozenset[str]] = field(default_factory=dict)  # what each output was made from
    links: dict[str, PageLinks] = field(default_factory=dict)  # each page's ids and links
    render_notes: list[Diagnostic] = field(default_factory=list)  # what rendering reported
    unchanged: bool = False  # nothing changed since the last build into the same folder: nothing was done
    incremental: str | None = None  # built from the last build's state: what was done, and why
    # What the build keeps for the next one (its caches, or the state it went on from): held by the
    # report, so that a process about to end can leave its million objects to the system (see cli.run).
    kept: object = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def pages(self) -> int:
        return sum(1 for path in self.outputs if path.endswith(".html"))


CheckCache = dict[str, tuple[SourceItem, CheckedItem | None, list[Diagnostic]]]


@dataclass
class Caches:
    """What a build reads and joins, kept for the next one (rebuild.py): parsed files, checked items,
    joined documents. A build given these fills them; a later build given them again reuses them.
    `stamps`, when given, are the inputs as a scan just found them. A build given these leaves the
    Markdown it rendered in `markdown`, for its caller to save (save_markdown) after it returns."""

    parsed: ParseCache = field(default_factory=dict)
    checked: CheckCache = field(default_factory=dict)
    model: ModelMemo = field(default_factory=ModelMemo)
    tree: ContentTree | None = None
    stamps: dict[str, Stamp] = field(default_factory=dict)
    templates: dict[str, frozenset[str]] = field(default_factory=dict)  # what each template includes (Renderer.template_files)
    markdown: MarkdownStore | None = None  # holding what the last build rendered, not yet saved


def build(options: BuildOptions, progress: Progress | None = None, caches: Caches | None = None) -> BuildReport:
    """Run every stage; write only when no stage found an error."""
    report = BuildReport()
    clock = _Clock(report.timings)
    saved_here = caches is None
    config, problems = load_config(options.source)
    report.diagnostics += problems
    if config is None:
        return report
    if options.base_url:
        config = config.with_base_url(options.base_url)
    languages = _languages(config, options.languages)
    caches = caches if caches is not None else Caches()
    if not caches.stamps:
        with clock("scan"):
            caches.stamps = scan(options.source)  # for the PDFs' date, and for the next build
    stamps = caches.stamps
    with _markdown_ahead(config, options, languages, stamps):
        with clock("read"):
            tree, problems = read_content(config, caches.parsed, stamps)
            report.diagnostics += problems
            caches.tree = tree
        with clock("check"):
            checked, problems = check_items(tree.items, config, caches.checked)
            report.diagnostics += problems
        with clock("model"):
            failed = tree.failed(config.source_language, checked)
            site, problems = build_site(checked, config, languages, failed, tree.assets, caches.model)
            report.diagnostics += problems
            report.site = site
        with clock("catalogs"):
            catalogs, problems = load_catalogs(config, site.languages)
            report.diagnostics += problems
            for code, missing in sorted(catalogs.untranslated.items()):
                report.diagnostics += [untranslated(code, msgid) for msgid in missing]
    if has_errors(report.diagnostics):
        return _finish(report, options)
    whole = options.out if options.pdf_slugs is None else None
    created = source_date(config.root, stamps)
    try:
        # A whole site is written into a staging folder as its pages are rendered, and swapped in
        # at the end; nothing is swapped in when a later stage finds an error.
        with staging(whole, options.source) if whole is not None else nullcontext() as stage:
            caches.templates = {}  # found afresh by each build: a template may have changed since
            _render_and_write(report, options, site, catalogs, created, progress, stage, clock, caches)
    except OutputError as exc:
        report.diagnostics.append(Diagnostic(str(options.out), None, None, None, str(exc)))
    finally:
        if saved_here:
            save_markdown(caches)
    return report


def save_markdown(caches: Caches) -> None:
    """Keep the Markdown the last build rendered in the cache, for the next build."""
    store, caches.markdown = caches.markdown, None
    if store is not None:
        store.save()
        store.close()


# Below this many Markdown files, the read and check stages end before a second process gets far.
AHEAD_FROM = 400


def _markdown_ahead(config: SiteConfig, options: BuildOptions, languages: tuple[str, ...], stamps: Mapping[str, Stamp]) -> ContextManager[None]:
    """While this process reads, checks and joins the content, another renders its Markdown into the
    cache, from the last file: the render stage renders pages in order, so it gets to those last."""
    # A page not yet translated shows its source's body.
    folders = tuple(f"{CONTENT_DIR}/{lang}/" for lang in {*languages, config.source_language})
    files = sorted((path for path, (_, size) in stamps.items() if path.startswith(folders) and path.endswith(".md") and size <= MAX_FILE_BYTES), reverse=True)
    if options.jobs < 2 or not options.cache or len(files) < AHEAD_FROM:
        return nullcontext()
    return rendered_ahead((markdown_body(config.root / path) for path in files), config.root / MARKDOWN_CACHE, config.allow_raw_html)


def _render_and_write(
    report: BuildReport,
    options: BuildOptions,
    site: Site,
    catalogs: Catalogs,
    created: str,
    progress: Progress | None,
    stage: Staging | None,
    clock: _Clock,
    caches: Caches,
) -> None:
    config = site.config
    jobs = plan_pdfs(site, options.pdf_slugs)
    with clock("render"):
        save_markdown(caches)  # what a build before this one left unsaved
        store = caches.markdown = MarkdownStore(config.root / MARKDOWN_CACHE if options.cache else None, config.allow_raw_html)
        # Of the pages render processes write into the staging folder, only the print views come
        # back, for the PDFs; the others are read from the folder when asked for (see Staged).
        keep = frozenset(job.print_file for job in jobs).__contains__
        try:
            rendered = render_site(site, catalogs, created, progress, options.jobs, store, stage.write if stage else None, keep, caches.templates)
        finally:
            store.close()
        report.outputs = Staged(stage, rendered.outputs, rendered.written) if stage is not None else rendered.outputs
        report.digests = rendered.digests
        report.deps = rendered.deps
        report.links = rendered.links
        report.render_notes = rendered.diagnostics
        report.diagnostics += rendered.diagnostics
    with clock("links"):
        to_come = frozenset(job.pdf_file for job in jobs)
        report.diagnostics += check_pages(report.links, report.outputs, to_come=to_come)
    if has_errors(report.diagnostics):
        _finish(report, options)
        return
    with ThreadPoolExecutor(1) as background:
        # The index needs only the HTML: it is made while the PDFs render.
        wanted = options.search and stage is not None
        index = background.submit(index_outputs, report.outputs.copy()) if wanted else None
        if options.pdf:
            with clock("pdf"):
                pdfs = render_pdfs(site, report.outputs, jobs, options.jobs, progress)
                report.diagnostics += pdfs.diagnostics
                report.outputs.update(pdfs.outputs)
                report.pdfs_rendered = pdfs.rendered
        if index is not None:
            with clock("search"):
                try:
                    report.outputs.update(index.result())
                except SearchIndexError as exc:
                    report.diagnostics.append(Diagnostic(INDEX_DIR, None, None, None, str(exc)))
    _finish(report, options)
    if report.ok and options.out is not None:
        with clock("write"):
            if stage is not None:
                report.written = stage.publish(report.outputs, rendered.written)
            else:
                pdfs = {path: report.outputs[path] for path in (job.pdf_file for job in jobs) if path in report.outputs}
                try:
                    report.written = write_files(pdfs, options.out, options.source)
                except OSError as exc:
                    raise OutputError(str(exc)) from exc


def check_items(items: list[SourceItem], config: SiteConfig, cache: CheckCache | None = None) -> tuple[list[CheckedItem], list[Diagnostic]]:
    """Check every item against its section's schema; an item checked before (the same object) is not checked again."""
    cache = cache if cache is not None else {}
    checked, diagnostics = [], []
    for item in items:
        cached = cache.get(item.path)
        if cached is None or cached[0] is not item:
            cached = cache[item.path] = (item, *check_item(item, config))
        diagnostics += cached[2]
        if cached[1] is not None:
            checked.append(cached[1])
    return checked, diagnostics


def source_date(root: Path, stamps: Mapping[str, tuple[int, int]] | None = None) -> str:
    """When the sources last changed, for PDF metadata: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.strip().isdigit():
        newest = max((mtime for mtime, _ in (stamps or scan(root)).values()), default=0)
        epoch = str(newest // 1_000_000_000)
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _finish(report: BuildReport, options: BuildOptions) -> BuildReport:
    if options.strict:
        report.diagnostics = [d.as_error() for d in report.diagnostics]
    report.diagnostics = sorted(set(report.diagnostics), key=Diagnostic.sort_key)
    return report


def _languages(config: SiteConfig, wanted: tuple[str, ...] | None) -> tuple[str, ...]:
    if not wanted:
        return config.codes
    unknown = [code for code in wanted if code not in config.codes]
    if unknown:
        raise UsageError(f"unknown language {', '.join(unknown)}: expected one of {', '.join(config.codes)}")
    return tuple(code for code in config.codes if code in wanted)


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def __call__(self, stage: str) -> "_Clock":
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.stage] = time.perf_counter() - self.start
