"""Incremental rebuilds for `sitegen serve`: re-read what changed, re-render what depends on it."""

from __future__ import annotations

import gc
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import urls
from .build import MARKDOWN_CACHE, source_date
from .markdown import MarkdownStore
from .config import CONFIG_NAME, SiteConfig, load_config
from .content import ContentTree, ParseCache, SourceItem, read_content, reread
from .deps import DepGraph, Stamp, changed_files, changed_keys, scan
from .errors import Diagnostic, has_errors
from .i18n import Catalogs, load_catalogs, untranslated
from .model import Site, build_site
from .output import delete_files, publish, write_files
from .pdf import plan_pdfs, render_pdfs
from .render import TEMPLATES_DIR, PageSpec, Renderer, files_to_copy, plan_pages, refresh
from .schema import CheckedItem, check_item
from .search import index_outputs


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
        self.stamps: dict[str, Stamp] = {}
        self.parse_cache: ParseCache = {}
        self.check_cache: dict[str, tuple[object, CheckedItem | None, list[Diagnostic]]] = {}
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
        self.joined: dict = {}  # the model's per-item memo (see model.build_site)
        self.tree: ContentTree | None = None
        self.plan: list[PageSpec] | None = None
        self.page_files: set[str] = set()
        self.edits_only = False

    def rebuild(self) -> RebuildReport:
        start = time.perf_counter()
        stamps = scan(self.source)
        files = changed_files(self.stamps, stamps)
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
            self._rebuild(report, files, full)
        finally:
            report.seconds = time.perf_counter() - start
        self.last = report
        return report

    def _done(self, report: RebuildReport, start: float) -> RebuildReport:
        report.seconds = time.perf_counter() - start
        return report

    def _rebuild(self, report: RebuildReport, files: set[str], full: bool) -> None:
        if full:
            config, problems = load_config(self.source)
            report.diagnostics += problems
            if config is None:
                self.config = None
                return
            self.config, self.check_cache, self.catalogs, self.renderer, self.joined = config, {}, None, None, {}
        config = self.config
        assert config is not None
        edits = [f for f in files if f.startswith("content/")]
        if not full and self.tree is not None and self.last is not None and self.last.ok and self.edits_only:
            tree, problems = reread(self.tree, self.source, edits, self.parse_cache, self.stamps)
        else:
            tree, problems = read_content(config, self.parse_cache, self.stamps)
        self.tree = tree
        report.diagnostics += problems
        checked = self._check(tree.items, report)
        failed = tree.failed(config.source_language, {item.source.path for item in checked})
        codes = tuple(c for c in config.codes if not self.languages or c in self.languages)
        site, problems = build_site(checked, config, codes, failed, tree.assets, self.joined)
        report.diagnostics += problems
        if self.catalogs is None or any(f.startswith("locale/") for f in files):
            self.catalogs, problems = load_catalogs(config, site.languages)
            report.diagnostics += problems
            report.diagnostics += [untranslated(code, m) for code, ms in self.catalogs.untranslated.items() for m in ms]
            self.renderer = None
            full = True
        if has_errors(report.diagnostics):
            return
        created = source_date(self.source, self.stamps)
        if self.renderer is None:
            self.renderer = Renderer(site, self.catalogs, created, MarkdownStore(self.source / MARKDOWN_CACHE, config.allow_raw_html))
        else:
            self.renderer.site, self.renderer.created = site, created
            if any(f.startswith(f"{TEMPLATES_DIR}/") for f in files):
                self.renderer.forget_templates()
        self.site = site
        # A changed date or region can move an item in its lists: then every list of that section changes.
        # Only source files hold those fields, so only their edits can reorder.
        if full or any(f.startswith(f"content/{config.source_language}/") for f in files):
            orders = {section: tuple(d.slug for d in site.section(section, site.languages[0])) for section in ORDERED}
            self.pending |= {f"section:{s}" for s in ORDERED if self.orders.get(s) is not None and self.orders[s] != orders[s]}
            self.orders = orders
        before = set(self.graph.deps)
        if full or self.plan is None or any(key.startswith("section:") for key in self.pending):
            pages = new_plan = plan_pages(site)
            page_files = {urls.output_file(spec.path) for spec in pages}
            only = None if full else self.graph.affected(self.pending) | (page_files - before)
        else:
            # No item came or went and no list changed order: the same pages, some with new contents.
            new_plan = None
            page_files = self.page_files
            only = self.graph.affected(self.pending)
            pages = [refresh(spec, site) for spec in self.plan if urls.output_file(spec.path) in only]
        copies = files_to_copy(site)
        rendered = self.renderer.render(pages, only)
        self.renderer.store.save()
        report.diagnostics += rendered.diagnostics
        if has_errors(report.diagnostics):
            return
        outputs = rendered.outputs
        deps = dict(rendered.deps)
        for path, data in copies.items():
            source_path = path if path.startswith("assets/") else f"{TEMPLATES_DIR}/{path}"
            if full or source_path in files:
                outputs[path] = data
            deps[path] = frozenset({source_path})
        wanted = page_files | set(copies)
        if self.pdf:
            jobs = plan_pdfs(site)
            wanted |= {job.pdf_file for job in jobs}
            todo = [job for job in jobs if job.print_file in outputs]
            pdfs = render_pdfs(site, {**copies, **outputs}, todo)
            report.diagnostics += pdfs.diagnostics
            outputs.update(pdfs.outputs)
            for job in todo:
                deps[job.pdf_file] = deps[job.print_file] | {d for d in self.graph.deps if d.startswith(("static/", "assets/"))}
        changed = {path: data for path, data in outputs.items() if self.digests.get(path) != _digest(data)}
        gone = sorted(before - wanted)
        if not self.published:
            # The search index is made with the first build; later saves leave it as it is.
            if self.search:
                outputs.update(index_outputs(outputs))
            publish(outputs, self.out, self.source)
            self.published = True
        else:
            write_files(changed, self.out, self.source)
            delete_files(gone, self.out)
        for path, data in changed.items():
            self.digests[path] = _digest(data)
        for path in gone:
            self.digests.pop(path, None)
        self.graph.update(deps)
        self.graph.remove(gone)
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

    def _check(self, items: list[SourceItem], report: RebuildReport) -> list[CheckedItem]:
        assert self.config is not None
        checked = []
        for item in items:
            cached = self.check_cache.get(item.path)
            if cached is None or cached[0] is not item:
                result, problems = check_item(item, self.config)
                cached = (item, result, problems)
                self.check_cache[item.path] = cached
            report.diagnostics += cached[2]
            if cached[1] is not None:
                checked.append(cached[1])
        return checked


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
