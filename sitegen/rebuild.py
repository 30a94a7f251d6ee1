"""Incremental rebuilds for `sitegen serve`: re-read what changed, re-render what depends on it."""

from __future__ import annotations

import gc
import sqlite3
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from . import urls
from .build import MARKDOWN_CACHE, BuildReport, Caches, CheckCache, build, check_items, save_markdown, source_date
from .buildstate import Inputs, forget_state, load_state, remember, save_state, scan_inputs
from .markdown import MarkdownStore
from .config import SiteConfig, load_config
from .content import ContentTree, ParseCache, read_content, reread
from .deps import DepGraph, Stamp, changed_files, changed_keys, restamp, scan
from .errors import Diagnostic, has_errors
from .i18n import Catalogs, load_catalogs, untranslated
from .model import ModelMemo, Site, build_site, markdown_texts
from .output import OutputError, Scratch, delete_files, publish, write_files
from .pdf import plan_pdfs, render_pdfs
from .links import PageLinks, check_pages
from .layout import CONFIG_NAME, TEMPLATES_DIR
from .options import BuildOptions
from .render import Progress, PageSpec, Recorded, Renderer, digest, files_to_copy, plan_pages, refresh, render_pages
from .search import INDEX_DIR, index_outputs


ORDERED = ("clusters", "stories", "pages", "brochures")


@dataclass
class RebuildReport:
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # the input files that changed
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def summary(self) -> str:
        """'3 pages: content/ko/stories/oita-lsi.md changed', as an editor reads it."""
        if not self.ok:
            errors = sum(1 for d in self.diagnostics if d.severity == "error")
            return f"{errors} error{'s' if errors != 1 else ''}; the browser shows them"
        what = f"{len(self.written)} page{'s' if len(self.written) != 1 else ''}"
        if self.deleted:
            what += f", {len(self.deleted)} removed"
        if self.full:
            why = "full build"
        elif self.changed:
            shown = ", ".join(self.changed[:3]) + (f" and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
            why = f"{shown} changed"
        else:
            why = "nothing changed"
        return f"{what}: {why} ({self.seconds * 1000:.0f} ms)"


class Rebuilder:
    """Keeps what the last build read and made, so the next one does only the work a change needs."""

    def __init__(self, source: Path, out: Path, languages: tuple[str, ...] | None = None, pdf: bool = False, search: bool = True):
        self.source = source
        self.out = out
        self.languages = languages
        self.pdf = pdf
        self.search = search
        # As `sitegen build` (see build_incrementally): check links and make the search index, as a
        # whole build does, strictly when asked; render on `jobs` processes when there is much to do.
        self.as_build = False
        self.strict = False
        self.base_url: str | None = None
        self.jobs = 1
        self.links: dict[str, PageLinks] = {}  # of every page in the output folder
        self.notes: set[Diagnostic] = set()  # what rendering reported, for pages not rendered again
        self.index_files: set[str] = set()  # the search index in the output folder
        self.stamps: dict[str, Stamp] = {}
        self.parse_cache: ParseCache = {}
        self.check_cache: CheckCache = {}
        self.graph = DepGraph()
        self.digests: dict[str, bytes] = {}  # of the files in the output folder
        self.pending: set[str] = set()  # dependency keys changed since the last good build
        self.config: SiteConfig | None = None
        self.catalogs: Catalogs | None = None
        self.renderer: Renderer | None = None
        self.site: Site | None = None
        self.last: RebuildReport | None = None
        self.published = False
        self.orders: dict[str, tuple[str, ...]] = {}
        self.model = ModelMemo()  # what the model made last (see model.build_site)
        self.tree: ContentTree | None = None
        self.plan: list[PageSpec] | None = None
        self.page_files: dict[str, int] = {}  # output file -> its page's place in the plan
        self.edits_only = False
        # What each template extends, includes or imports (Renderer.template_files), kept with the
        # state: finding it parses every template, a tenth of a second for each new process.
        self.template_refs: dict[str, frozenset[str]] = {}
        # The HTML of the model's Markdown, read from the cache as the state is kept (see kept): the
        # render processes of the next build find it in memory, not each in SQLite. In UTF-8, as
        # bytes load without decoding: each process decodes what it shows.
        self.markdown: dict[str, bytes] = {}

    def rebuild(self, stamps: dict[str, Stamp] | None = None, changed: set[str] | None = None) -> RebuildReport:
        """Build what changed since the last call. `stamps`, from a scan just made, or `changed`, the
        files a watcher saw saved, spare the scan of every input."""
        start = time.perf_counter()
        told = stamps is None and changed is not None and bool(self.stamps)
        if stamps is None:
            stamps = restamp(self.source, self.stamps, changed) if told else scan(self.source)
        files = changed_files(self.stamps, stamps, changed if told else None)
        first = not self.stamps
        self.pending |= changed_keys(files, self.stamps, stamps)
        # Only edits of content files that were there before: read just those again, no walk.
        self.edits_only = all(f in self.stamps and f in stamps for f in files if f.startswith(("content/", "assets/"))) and not any(
            f.startswith("assets/") for f in files)
        self.stamps = stamps
        if not first and not files and self.last is not None and self.last.ok:
            return self._done(RebuildReport(), start)
        full = first or CONFIG_NAME in files or self.config is None or not self.published
        report = RebuildReport(changed=sorted(files), full=full)
        try:
            with Scratch(self.out) as scratch:
                self._rebuild(report, files, full, scratch)
        finally:
            report.seconds = time.perf_counter() - start
            if self.renderer is not None:
                # Once the pages are out: what this rebuild rendered of the Markdown. Closed, as no
                # SQLite connection may cross a fork (the state's saver forks after this).
                self.renderer.store.save()
                self.renderer.store.close()
        self.last = report
        return report

    def _done(self, report: RebuildReport, start: float) -> RebuildReport:
        report.seconds = time.perf_counter() - start
        return report

    def _rebuild(self, report: RebuildReport, files: set[str], full: bool, scratch: Scratch) -> None:
        if full:
            config, problems = load_config(self.source)
            report.diagnostics += problems
            if config is None:
                self.config = None
                return
            if self.base_url:
                config = config.with_base_url(self.base_url)
            self.config, self.check_cache, self.catalogs, self.renderer, self.model = config, {}, None, None, ModelMemo()
            self.markdown = {}  # the config says whether raw HTML passes, and so what the HTML is
        config = self.config
        assert config is not None
        edits = [f for f in files if f.startswith("content/")]
        if not full and self.tree is not None and self.last is not None and self.last.ok and self.edits_only:
            tree, problems = reread(self.tree, self.source, edits, self.parse_cache, self.stamps)
        else:
            tree, problems = read_content(config, self.parse_cache, self.stamps)
        self.tree = tree
        report.diagnostics += problems
        checked, problems = check_items(tree.items, config, self.check_cache)
        report.diagnostics += problems
        failed = tree.failed(config.source_language, checked)
        codes = tuple(c for c in config.codes if not self.languages or c in self.languages)
        site, problems = build_site(checked, config, codes, failed, tree.assets, self.model)
        report.diagnostics += problems
        locale_changed = any(f.startswith("locale/") for f in files)
        if self.catalogs is None or locale_changed:
            self.catalogs, problems = load_catalogs(config, site.languages)
            report.diagnostics += problems
            report.diagnostics += [untranslated(code, m) for code, ms in self.catalogs.untranslated.items() for m in ms]
            self.renderer = None
            full = full or locale_changed
        self._strictly(report)
        if has_errors(report.diagnostics):
            return
        created = source_date(self.source, self.stamps)
        if self.renderer is None:
            store = MarkdownStore(self.source / MARKDOWN_CACHE, config.allow_raw_html, self.markdown)
            self.renderer = Renderer(site, self.catalogs, created, store, self.template_refs)
        else:
            self.renderer.site, self.renderer.created = site, created
        if any(f.startswith(f"{TEMPLATES_DIR}/") for f in files):
            self.renderer.forget_templates()  # and what they include, kept with the state
        self.site = site
        # A changed date or region can move an item in its lists: then every list of that section changes.
        # Only source files hold those fields, so only their edits can reorder.
        if full or any(f.startswith(f"content/{config.source_language}/") for f in files):
            orders = section_orders(site)
            self.pending |= {f"section:{s}" for s in ORDERED if self.orders.get(s) is not None and self.orders[s] != orders[s]}
            self.orders = orders
        before = set(self.graph.deps)
        if full or self.plan is None or any(key.startswith("section:") for key in self.pending):
            pages = new_plan = plan_pages(site)
            page_files = plan_index(pages)
            only = None if full else self.graph.affected(self.pending) | (page_files.keys() - before)
        else:
            # No item came or went and no list changed order: the same pages, some with new contents.
            new_plan = None
            page_files = self.page_files
            only = self.graph.affected(self.pending)
            pages = [refresh(self.plan[i], site) for i in sorted(page_files[f] for f in only if f in page_files)]
        copies = files_to_copy(site)
        jobs = plan_pdfs(site)
        # Into a folder published before, render processes write their pages beside it as they go;
        # only those whose bytes changed are moved in, once every check has passed. Only the print
        # views come back as bytes, for the PDFs; the search index reads the others where they were written.
        prints = frozenset(job.print_file for job in jobs) if self.pdf else frozenset()
        sink = scratch.write if self.published else None
        rendered = render_pages(self.renderer, pages, only, self.jobs, sink=sink, keep=prints.__contains__, recorded=Recorded(self.links, self.graph.deps))
        notes = set(rendered.diagnostics) if full else self.notes | set(rendered.diagnostics)
        report.diagnostics += notes
        self._strictly(report)
        if has_errors(report.diagnostics):
            return
        outputs = rendered.outputs
        deps = dict(rendered.deps)
        for path, data in copies.items():
            source_path = path if path.startswith("assets/") else f"{TEMPLATES_DIR}/{path}"
            if full or source_path in files:
                outputs[path] = data
            deps[path] = frozenset({source_path})
        wanted = page_files.keys() | set(copies)
        if self.pdf:
            wanted |= {job.pdf_file for job in jobs}
            todo = [job for job in jobs if job.print_file in outputs]
            pdfs = render_pdfs(site, {**copies, **outputs}, todo)
            report.diagnostics += pdfs.diagnostics
            outputs.update(pdfs.outputs)
            styles = _pdf_inputs(self.graph.deps)
            for job in todo:
                deps[job.pdf_file] = deps.get(job.print_file, self.graph.deps.get(job.print_file, frozenset())) | styles
        gone = sorted(before - wanted)
        links = {**self.links, **rendered.links}
        for path in gone:
            links.pop(path, None)
        if self.as_build:
            existing = (self.digests.keys() | outputs.keys() | rendered.written) - set(gone)
            report.diagnostics += check_pages(links, existing, {job.pdf_file for job in jobs})
            self._strictly(report)
            if has_errors(report.diagnostics):
                return
            if self.search and any(path.endswith(".html") for path in [*outputs, *rendered.written, *gone]):
                index = index_outputs(self._pages(links, outputs, rendered.written, scratch))
                outputs.update(index)
                gone = sorted({*gone, *(self.index_files - index.keys())})
                self.index_files = set(index)
        # A page's digest was made where it was rendered; the static files', PDFs' and index's here.
        digests = {path: digest(data) for path, data in outputs.items() if path not in rendered.digests} | rendered.digests
        changed = {path: new for path, new in digests.items() if self.digests.get(path) != new}
        if not self.published:
            # The search index is made with the first build; later saves in `sitegen serve` leave it to
            # the server's SearchRefresher, and later builds (as_build) make it again above.
            if self.search:
                outputs.update(index_outputs(outputs))
            publish(outputs, self.out, self.source)
            self.published = True
        elif changed or gone:
            # Each file is replaced in one step. A build cut short in between leaves a mix of whole
            # files, old and new, and no state: the next build is a whole one and swaps in a whole site.
            to_write = {path: outputs[path] for path in changed if path not in rendered.written}
            write_files(to_write, self.out, self.source, scratch, changed.keys() & rendered.written)
            delete_files(gone, self.out)
        self.digests.update(changed)
        for path in gone:
            self.digests.pop(path, None)
        self.graph.update(deps)
        self.graph.remove(gone)
        self.links, self.notes = links, notes
        self.pending.clear()
        if new_plan is not None:
            self.plan, self.page_files = new_plan, page_files
        if full:
            # What a full build made lives as long as the server: keep the collector from walking it
            # again and again on every save.
            gc.collect()
            gc.freeze()
        report.written = sorted(changed)
        report.deleted = gone

    def _strictly(self, report: RebuildReport) -> None:
        if self.strict:
            report.diagnostics = [d.as_error() for d in report.diagnostics]

    def _pages(self, links: dict[str, PageLinks], outputs: dict[str, bytes], written: set[str], scratch: Scratch) -> dict[str, bytes]:
        """Every page of the site, for the search index: those just made (in memory, or where the render
        processes wrote them), the rest from the output folder."""
        return {
            path: outputs[path] if path in outputs else Path(scratch.file(path) if path in written else self.out / path).read_bytes()
            for path in sorted(links)
        }

    @classmethod
    def adopt(cls, options: BuildOptions, report: BuildReport, caches: Caches) -> "Rebuilder":
        """The state of a full build just written by `build`, for the next `sitegen build` to go on from."""
        assert report.site is not None and options.out is not None
        rebuilder = cls(options.source, options.out, options.languages, options.pdf, options.search)
        rebuilder.as_build, rebuilder.strict, rebuilder.base_url, rebuilder.jobs = True, options.strict, options.base_url, options.jobs
        site = rebuilder.site = report.site
        rebuilder.config = site.config
        rebuilder.stamps, rebuilder.parse_cache, rebuilder.check_cache = caches.stamps, caches.parsed, caches.checked
        rebuilder.model, rebuilder.tree, rebuilder.template_refs = caches.model, caches.tree, caches.templates
        deps = dict(report.deps)
        styles = _pdf_inputs(deps)
        for job in plan_pdfs(site):
            if job.pdf_file in report.outputs:
                deps[job.pdf_file] = deps[job.print_file] | styles
        rebuilder.graph = DepGraph(deps)
        rebuilder.digests = {path: report.digests.get(path) or digest(report.outputs[path]) for path in report.outputs}
        rebuilder.links = dict(report.links)
        rebuilder.notes = set(report.render_notes)
        rebuilder.index_files = {path for path in report.outputs if path.startswith(f"{INDEX_DIR}/")}
        rebuilder.plan = plan_pages(site)
        rebuilder.page_files = plan_index(rebuilder.plan)
        rebuilder.orders = section_orders(site)
        rebuilder.published = True
        rebuilder.last = RebuildReport()
        return rebuilder

    def kept(self) -> "Rebuilder":
        """This state as the next build will load it: with the HTML of every Markdown text of the
        model, read from the cache in a few queries. The saver calls it, after the build has returned."""
        if self.site is not None and self.config is not None:
            texts = markdown_texts(self.site)
            html = {text: self.markdown[text] for text in texts if text in self.markdown}
            store = MarkdownStore(self.source / MARKDOWN_CACHE, self.config.allow_raw_html)
            try:
                html.update(store.html_of(texts - html.keys()))
            except sqlite3.Error:  # a cache that cannot be read: the next build reads each body as it renders it
                pass
            finally:
                store.close()
            self.markdown = html
        return self

    def __getstate__(self) -> dict:
        # Jinja environments and compiled catalogs are made again, quickly, by the next build. Of the
        # last report, the next build asks only whether it was ok: its errors are kept, not the files
        # it names, nor its warnings (7,500 objects to load at 10,434 pages).
        links, graph = _one_of_each(self.links, self.graph)
        last = self.last and replace(
            self.last, written=[], deleted=[], changed=[], diagnostics=[d for d in self.last.diagnostics if d.severity == "error"])
        return {**self.__dict__, "renderer": None, "catalogs": None, "links": links, "graph": graph, "last": last}


def _one_of_each(links: dict[str, PageLinks], graph: DepGraph) -> tuple[dict[str, PageLinks], DepGraph]:
    """The links and dependencies with each equal string and link made one object. Each render
    process sent copies of the same few paths and hrefs; shared, they pickle once, and the next
    build loads a fifth fewer objects (the state's load is most of a small build's time)."""
    one: dict = {}

    def the(value: Any) -> Any:
        return one.setdefault(value, value)

    shared = {
        the(path): PageLinks(frozenset(map(the, page.ids)), tuple(the((line, the(href), the(target), the(fragment))) for line, href, target, fragment in page.links))
        for path, page in links.items()
    }
    return shared, DepGraph({the(path): frozenset(map(the, keys)) for path, keys in graph.deps.items()})


def _pdf_inputs(outputs: Iterable[str]) -> frozenset[str]:
    """What a PDF is made from besides its print page: every static file and asset it may use."""
    return frozenset(path for path in outputs if path.startswith(("static/", "assets/")))


def plan_index(plan: list[PageSpec]) -> dict[str, int]:
    return {urls.output_file(spec.path): i for i, spec in enumerate(plan)}


def section_orders(site: Site) -> dict[str, tuple[str, ...]]:
    """The order of each section's items: when it changes, every list of the section changes."""
    return {section: tuple(d.slug for d in site.section(section, site.languages[0])) for section in ORDERED}


def _after_whole_build(options: BuildOptions, report: BuildReport, caches: Caches) -> Rebuilder:
    """The state a whole build leaves for the next one; and, when the next renders on processes that
    write its pages beside the site, a file for each page there to write into."""
    save_markdown(caches)  # first: kept() reads it back
    rebuilder = Rebuilder.adopt(options, report, caches)
    if options.jobs > 1:
        Scratch(rebuilder.out).prepare(rebuilder.page_files)
    return rebuilder.kept()


def build_incrementally(
    options: BuildOptions, progress: Progress | None = None, background: bool = False, inputs: Inputs | None = None
) -> BuildReport:
    """`sitegen build` into a folder built before: from the state the last build kept, only what
    changed is read, rendered and written, each file replaced in one step. The first build, and
    any build without a usable state, is a whole one (`build`), swapped in whole. The state for
    the next build is saved after this one returns when in the `background` (see save_state).
    `inputs`, when given, are what scan_inputs just found."""
    assert options.out is not None and options.pdf_slugs is None
    start = time.perf_counter()
    inputs = inputs or scan_inputs(options)
    if inputs.previous is not None:
        return BuildReport(diagnostics=inputs.previous, unchanged=True, timings={"scan": inputs.seconds})
    stamps, header, key = inputs.stamps, inputs.header, inputs.key
    rebuilder = None if options.force else load_state(options.source, options.out, header, inputs.state)
    if not isinstance(rebuilder, Rebuilder):
        caches = Caches(stamps=stamps)
        with_state = False
        try:
            report = build(options, progress, caches)
            if report.ok and report.written is not None:
                remember(options.source, options.out, key, report.diagnostics)
                save_state(options.source, options.out, header, lambda: _after_whole_build(options, report, caches), background)
                with_state = True  # its saver keeps the Markdown too
        finally:
            if not with_state:
                save_markdown(caches)  # what a failed or stopped build rendered, the next need not
        report.kept = caches
        return report
    rebuilder.jobs = options.jobs
    try:
        rebuilt = rebuilder.rebuild(stamps)
    except (OutputError, OSError) as exc:
        # Some files may be written, some not: the next build starts afresh and swaps in a whole site.
        forget_state(options.source, options.out)
        return BuildReport(diagnostics=[Diagnostic(str(options.out), None, None, None, str(exc))])
    report = BuildReport(diagnostics=sorted(set(rebuilt.diagnostics), key=Diagnostic.sort_key), site=rebuilder.site, kept=rebuilder)
    report.incremental = rebuilt.summary()
    if report.ok:
        remember(options.source, options.out, key, report.diagnostics)
    # Kept after errors too (nothing was written): the next build does what this one could not.
    save_state(options.source, options.out, header, rebuilder.kept, background)
    report.timings["build"] = time.perf_counter() - start
    return report
