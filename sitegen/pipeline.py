"""The one build: read -> check -> model -> render -> outputs. Every command and the dev server call build().

A build given no State reads everything, renders every page and publishes a whole new site. The
dev server keeps the State of its last build and says which files changed: the same stages then
read those files again, render the pages that depend on them (after Lektor's dependency tracking)
and write only what changed."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from .deps import DepGraph, Stamp, changed_files, changed_keys, restamp, scan
from .errors import Diagnostic, Message, did_you_mean, has_errors, message_of
from .inputs.config import SiteConfig, load_config
from .inputs.content import ContentTree, ParseCache, SourceItem, read_content, reread
from .inputs.files import Refused, read_input
from .inputs.i18n import Catalogs, load_catalogs, untranslated
from .inputs.images import PictureCache, load_images, untranslated_alt
from .inputs.model import ModelMemo, Site, build_site, markdown_texts, unchecked_references
from .inputs.publishing import Publishing, today
from .inputs.schema import CheckedItem, check_item
from .layout import ASSETS_DIR, CONFIG_NAME, CONTENT_DIR, HOME, LOCALE_DIR, SECTIONS, TEMPLATES_DIR, identify
from .options import BuildOptions, UnknownName, UsageError
from .outputs.images import make_variants
from .outputs.pdf import PdfJob, plan_pdfs, render_pdfs
from .outputs.publish import OutputError, Staging, staging, update_files
from .outputs.search import INDEX_DIR, SearchIndexError, index_site
from .render import images, urls
from .render.cache import MarkdownCache, cache_dir
from .render.links import Finding, PageLinks, anchored, page_findings, report_findings, source_locator, to_check_again
from .render.pages import STATIC_DIR, PageSpec, Progress, Rendered, Renderer, cover_images, digest, plan_pages, refresh, render_pages, static_files

SECTIONS_ORDERED = ("clusters", "stories", "pages", "brochures")
CheckCache = dict[str, tuple[SourceItem, "CheckedItem | None", list[Diagnostic]]]


@dataclass
class Report:
    """What a build did: its diagnostics, the files it wrote and removed, its timings."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    site: Site | None = None
    pages: int = 0  # pages of the site: HTML, feeds, sitemap, robots.txt (what the progress line counts)
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # input files changed since the last build (dev server)
    pdfs: list[str] = field(default_factory=list)  # every PDF of the site
    pdfs_rendered: list[str] = field(default_factory=list)  # made by this build; the rest came from the cache
    images_processed: int = 0  # image variants made by this build; the rest came from the cache
    outputs: dict[str, bytes] = field(default_factory=dict)  # what was written, when the caller asked to keep it
    timings: dict[str, float] = field(default_factory=dict)
    whole: bool = True  # every page rendered
    found_on: dict[Diagnostic, frozenset[str]] = field(default_factory=dict)  # the link check's findings, with the pages they are on

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass(frozen=True)
class LinkCheck:
    """What the link check found, and what it checked against: kept for the dev server's next build."""

    links: dict[str, PageLinks] = field(default_factory=dict)  # of every page of the site
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)  # on each page, when anything
    anchors: dict[str, frozenset[str]] = field(default_factory=dict)  # each page -> the pages whose anchors it links to, when any
    available: frozenset[str] = frozenset()  # the outputs a link may name: files of the site and PDFs to come
    gone: dict[str, str] = field(default_factory=dict)  # pages not published, and why (see unpublished)


@dataclass
class State:
    """What the last build read and made, kept in memory by the dev server between builds."""

    stamps: dict[str, Stamp] = field(default_factory=dict)
    parsed: ParseCache = field(default_factory=dict)
    checked: CheckCache = field(default_factory=dict)
    model: ModelMemo = field(default_factory=ModelMemo)
    tree: ContentTree | None = None
    config: SiteConfig | None = None
    catalogs: Catalogs | None = None
    renderer: Renderer | None = None
    plan: Plan | None = None
    orders: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # of each section's items, by (section, language)
    graph: DepGraph = field(default_factory=DepGraph)  # each output file -> what it was made from
    digests: dict[str, bytes] = field(default_factory=dict)  # of every file in the output folder
    link_check: LinkCheck = field(default_factory=LinkCheck)
    notes: set[Diagnostic] = field(default_factory=set)  # what rendering reported, for pages not rendered again
    pictures: PictureCache = field(default_factory=dict)  # images read, by path, with their stamps
    static: tuple[dict[str, bytes], list[Diagnostic]] | None = None  # templates/static/, read when a file of it changed
    variants: dict[str, bytes] = field(default_factory=dict)  # the images' variants, by output path
    pending: set[str] = field(default_factory=set)  # dependency keys changed since the last build that published
    published: bool = False  # a build published the output folder
    ok: bool = False  # the last build found no error


def build(options: BuildOptions, progress: Progress | None = None, state: State | None = None, changed: set[str] | None = None) -> Report:
    """Run every stage; write only when no stage found an error. `state`: the last build's (the dev
    server's), filled in place; `changed`: the files a watcher saw change since, sparing a scan."""
    state = state if state is not None else State()
    if changed is not None and any(path not in state.stamps and not (options.source / path).is_file() for path in changed):
        changed = None  # a folder came or went: only a scan tells which files
    report = Report()
    clock = _Clock(report.timings)
    with clock("scan"):
        stamps = restamp(options.source, state.stamps, changed) if changed is not None and state.stamps else scan(options.source)
        files = changed_files(state.stamps, stamps, changed if changed is not None and state.stamps else None)
    report.changed = sorted(files)
    if state.published and state.ok and not files:
        report.whole = False
        return report
    state.pending |= changed_keys(files, state.stamps, stamps)
    edits_only = bool(state.stamps) and all(_edit(f, state.stamps, stamps) for f in files)
    state.stamps = stamps
    whole = not state.published or CONFIG_NAME in files or any(f.startswith(f"{LOCALE_DIR}/") for f in files)
    report.whole = whole
    site, catalogs = _read(options, state, report, files, whole, edits_only, clock)
    report.site = site
    if site is not None and catalogs is not None and not _failed(report, options):
        try:
            _render_and_write(options, state, report, site, files, whole, progress, clock)
        except OutputError as exc:
            report.diagnostics.append(Diagnostic(str(options.out), None, None, None, message_of(exc)))
    _finish(report, options)
    state.ok = report.ok
    return report


def _read(
    options: BuildOptions, state: State, report: Report, files: set[str], whole: bool, edits_only: bool, clock: _Clock
) -> tuple[Site | None, Catalogs | None]:
    """The read, check and model stages, and the catalogs: the Site, or None when it cannot be made."""
    if whole or state.config is None:
        with clock("config"):
            config, problems = load_config(options.source)
            report.diagnostics += problems
            if config is None:
                state.config = None
                return None, None
            if options.base_url:
                config = config.with_base_url(options.base_url)
            state.config, state.checked, state.model, state.catalogs, state.renderer = config, {}, ModelMemo(), None, None
    config = state.config
    languages = _languages(config, options.languages)
    with clock("read"):
        edits = [f for f in files if f.startswith((f"{CONTENT_DIR}/", f"{ASSETS_DIR}/"))]
        if not whole and state.tree is not None and state.ok and edits_only:
            tree, problems = reread(state.tree, options.source, edits, state.parsed, state.stamps)
        else:
            tree, problems = read_content(config, state.parsed, state.stamps)
        state.tree = tree
        report.diagnostics += problems
    with clock("check"):
        checked, problems = check_items(tree.items, config, state.checked)
        report.diagnostics += problems
    with clock("model"):
        failed = tree.failed(checked)
        publishing = Publishing(_today(options), options.drafts, options.future)
        site, problems = build_site(checked, config, languages, failed, tree.assets, state.model, publishing)
        report.diagnostics += problems + unchecked_references(tree.items, checked, failed, config.source_language)
    with clock("read images"):
        refs = [(ref, item.source.lang) for item in checked for ref in item.images]
        pictures, problems = load_images(options.source, refs, config.source_language, site.languages, state.pictures, state.stamps)
        report.diagnostics += problems
        keyed = [(ref, item.source.lang, f"{item.source.section}/{item.source.slug}") for item in checked for ref in item.images if ref.field != "cover.image"]
        report.diagnostics += untranslated_alt(keyed, config.source_language)
        site = replace(site, images=MappingProxyType(pictures))
    with clock("catalogs"):
        if state.catalogs is None:
            state.catalogs, problems = load_catalogs(config, site.languages)
            state.notes = set()
            report.diagnostics += problems
        report.diagnostics += [untranslated(code, m) for code, ms in sorted(state.catalogs.untranslated.items()) for m in ms]
    return site, state.catalogs


def _render_and_write(
    options: BuildOptions, state: State, report: Report, site: Site, files: set[str], whole: bool, progress: Progress | None, clock: _Clock
) -> None:
    """Render the pages, check their links, make the PDFs and the search index, and write: a whole
    build into a staging folder swapped in at the end, the dev server's into the output in place."""
    renderer, whole = _renderer(options, state, site, files, whole)
    plan, todo = _plan(state, site, whole)
    jobs = plan_pdfs(site, options.pdf_slugs)
    if options.pdf_slugs is not None and (unknown := unknown_brochures(site, options.pdf_slugs)):
        report.diagnostics += unknown
        return
    with clock("images"):
        copies, made_from = _copies(options, state, report, site, files, whole)
    # Written by this build: its static files, PDFs and search index, and its pages when not staged.
    outputs: dict[str, bytes] = {}
    to_stage = whole and options.out is not None and options.pdf_slugs is None
    with staging(options.out, options.source) if to_stage else nullcontext() as stage:  # type: ignore[arg-type]
        with clock("render"):
            made = _render(renderer, site, todo, whole, stage, outputs, {job.print_file for job in jobs}, options.jobs if whole else 1, progress)
        # After the pages, as a whole build writes them to its stage: a copy wins over a page of its path.
        outputs.update(
            (path, data) for path, data in copies.items() if whole or path in files or f"{TEMPLATES_DIR}/{path}" in files or path not in state.digests
        )
        made.deps.update(made_from)
        notes = set(made.diagnostics)
        report.diagnostics += notes if whole else state.notes | notes
        with clock("links"):
            checked = _check_links(state, site, plan, made, copies.keys(), {job.pdf_file for job in jobs}, whole)
            report.found_on = report_findings(checked.findings)
            report.diagnostics += report.found_on
        report.pages = len(plan.page_files)
        if _failed(report, options):
            return
        _pdfs_and_index(options, state, report, site, jobs, whole, copies, made, stage, outputs, progress, clock)
        if _failed(report, options):
            return
        digests = made.digests | {path: digest(data) for path, data in outputs.items() if path not in made.digests}
        wanted = plan.page_files | copies.keys() | {job.pdf_file for job in jobs if job.pdf_file in outputs or job.pdf_file in state.digests}
        wanted |= {path for path in outputs if path.startswith(f"{INDEX_DIR}/")}
        if not whole:
            wanted |= {path for path in state.digests if path.startswith(f"{INDEX_DIR}/")}
        gone = sorted(set(state.digests) - wanted) if state.published else []
        changed = {path for path, new in digests.items() if state.digests.get(path) != new}
        with clock("write"):
            if options.pdf_slugs is not None:
                if options.out is not None:
                    update_files({path: outputs[path] for path in sorted(outputs) if path.endswith(".pdf")}, [], options.out, options.source)
            elif stage is not None:
                stage.write(outputs)
                stage.publish()
            elif options.out is not None:
                update_files({path: outputs[path] for path in sorted(changed) if path in outputs}, gone, options.out, options.source)
        if stage is None:
            report.outputs = outputs
    if options.out is None or options.pdf_slugs is not None:
        return
    report.written, report.deleted = sorted(changed), gone
    # What the next build (the dev server's) starts from.
    state.digests = digests if whole else {path: d for path, d in {**state.digests, **digests}.items() if path not in gone}
    state.link_check = checked
    state.graph.update(made.deps)
    state.graph.remove(gone)
    state.notes = notes if whole else state.notes | notes
    state.pending.clear()
    state.plan = plan
    state.published = True


def _renderer(options: BuildOptions, state: State, site: Site, files: set[str], whole: bool) -> tuple[Renderer, bool]:
    """The last build's renderer, told what changed, or a new one (which renders every page)."""
    assert state.catalogs is not None
    created = source_date(options.source, state.stamps)
    if state.renderer is None:
        store = MarkdownCache(cache_dir() if options.cache else None, site.config.allow_raw_html)
        state.renderer, whole = Renderer(site, state.catalogs, created, store), True
    else:
        state.renderer.site, state.renderer.created = site, created
    if any(f.startswith(f"{TEMPLATES_DIR}/") for f in files):
        state.renderer.forget_templates()
    return state.renderer, whole


def _plan(state: State, site: Site, whole: bool) -> tuple[Plan, list[PageSpec]]:
    """Every page of the site, and those to render: all of them, or those whose inputs changed."""
    # A changed date or region can move an item in its lists: then every list of that section changes.
    orders = _orders(site)
    state.pending |= {f"section:{key[0]}" for key, order in orders.items() if state.orders and state.orders.get(key) != order}
    # The same languages and lists: the same pages, whose documents (refreshed when rendered) alone may have changed.
    plan = state.plan if not whole and state.plan is not None and state.plan.orders == orders else Plan.of(site, orders)
    state.orders = orders
    if whole:
        return plan, list(plan.specs)
    wanted = state.graph.affected(state.pending)
    return plan, [refresh(spec, site) for spec, path in zip(plan.specs, plan.files) if path in wanted or path not in state.graph.deps]


def _copies(
    options: BuildOptions, state: State, report: Report, site: Site, files: set[str], whole: bool
) -> tuple[dict[str, bytes], dict[str, frozenset[str]]]:
    """The files published as they are or made from one file: templates/static/, assets/ and the
    images' variants; and the source each is made from."""
    if whole or state.static is None or any(f.startswith(f"{TEMPLATES_DIR}/{STATIC_DIR}/") for f in files):
        state.static = static_files(site.config.root)
    report.diagnostics += state.static[1]  # refused static files: nothing is published (see the check after the links)
    variants = images.plan(site.images, cover_images(site), cover_images(site, "brochures"))
    pictures = make_variants(variants, site.images, cache_dir() if options.cache else None, options.jobs, state.variants)
    state.variants = pictures.outputs  # by output paths that name the image's hash: never stale
    report.images_processed = pictures.processed
    report.diagnostics += pictures.problems
    copies = {**state.static[0], **site.assets, **pictures.outputs}
    sources = {v.path: v.source for v in variants}
    made_from = {path: frozenset({sources.get(path) or (path if path.startswith(f"{ASSETS_DIR}/") else f"{TEMPLATES_DIR}/{path}")}) for path in copies}
    return copies, made_from


def _render(
    renderer: Renderer,
    site: Site,
    todo: list[PageSpec],
    whole: bool,
    stage: Staging | None,
    outputs: dict[str, bytes],
    keep: set[str],
    jobs: int,
    progress: Progress | None,
) -> Rendered:
    """Render `todo`, each block written to the stage as it comes, else added to `outputs`. What the
    pages are made from, their links and digests are kept; their bytes only for the pages in `keep`
    (the print views, which the PDFs are made from)."""
    renderer.store.load(markdown_texts(site.documents.values() if whole else (d for spec in todo for d in (spec.doc, *spec.listing) if d)))
    made = Rendered()
    for part in render_pages(renderer, todo, jobs, progress):
        if stage is not None:
            stage.write(part.outputs)
        else:
            outputs.update(part.outputs)
        made.outputs.update((path, data) for path, data in part.outputs.items() if path in keep)
        made.links.update(part.links)
        made.deps.update(part.deps)
        made.digests.update(part.digests)
        made.diagnostics += part.diagnostics
    renderer.store.save()
    return made


def _check_links(state: State, site: Site, plan: Plan, made: Rendered, copies: Collection[str], to_come: set[str], whole: bool) -> LinkCheck:
    """Check the links of every page, or, after the dev server's save, of the pages whose findings can have changed."""
    last = state.link_check
    links = {path: found for path, found in last.links.items() if path in plan.page_files} | made.links
    locate = source_locator(  # reads each source once, however many of its links are looked for
        lambda rel: _read_text(site.config.root, rel),
        lambda page: made.deps.get(page) or state.graph.deps.get(page, frozenset()),
        plan.templates,
    )
    existing = plan.page_files | set(copies)
    gone = unpublished(site)
    available = frozenset(existing | to_come)
    if whole or not state.published:
        again: Collection[str] = links.keys()
        findings: dict[str, tuple[Finding, ...]] = {}
        anchors: dict[str, frozenset[str]] = {}
    else:
        moved = {t for t in gone.keys() | last.gone.keys() if gone.get(t) != last.gone.get(t)}
        came, went = (available - last.available) | moved, (last.available - available) | moved
        again = to_check_again(links, last.links, made.links, last.findings, last.anchors, came, went)
        findings = {path: found for path, found in last.findings.items() if path in links and path not in again}
        anchors = {path: found for path, found in last.anchors.items() if path in links and path not in again}
    for path in again:
        found = page_findings(path, links, existing, to_come, gone, locate)
        if found:
            findings[path] = found
        targets = anchored(path, links[path])
        if targets:
            anchors[path] = targets
    return LinkCheck(links, findings, anchors, available, gone)


def _pdfs_and_index(
    options: BuildOptions,
    state: State,
    report: Report,
    site: Site,
    jobs: list[PdfJob],
    whole: bool,
    copies: dict[str, bytes],
    made: Rendered,
    stage: Staging | None,
    outputs: dict[str, bytes],
    progress: Progress | None,
    clock: _Clock,
) -> None:
    """The brochures' PDFs, from the print views rendered (kept in `made`) and the files they use, and
    the search index, made from the staged pages while the PDFs render. What each PDF is made from
    goes into made.deps."""
    with ThreadPoolExecutor(1) as background:
        index = background.submit(index_site, stage.path) if options.search and stage is not None else None
        if options.pdf or options.pdf_slugs:
            with clock("pdf"):
                todo = [job for job in jobs if whole or job.print_file in made.outputs]
                pdfs = render_pdfs(site, {**copies, **made.outputs}, todo, cache_dir() if options.cache else None, options.jobs, progress)
                report.diagnostics += pdfs.diagnostics
                outputs.update(pdfs.outputs)
                report.pdfs_rendered = pdfs.rendered
                report.pdfs = sorted(pdfs.outputs) if whole else sorted({*pdfs.outputs, *(p for p in state.digests if p.endswith(".pdf"))})
                styles = frozenset(copies)
                for job in todo:
                    made.deps[job.pdf_file] = made.deps.get(job.print_file, state.graph.deps.get(job.print_file, frozenset())) | styles
        if index is not None:
            with clock("search"):
                try:
                    outputs.update(index.result())
                except SearchIndexError as exc:
                    report.diagnostics.append(Diagnostic(INDEX_DIR, None, None, None, message_of(exc)))


@dataclass(frozen=True)
class Plan:
    """Every page of the site, with its output file: the dev server's saves that change no list keep it."""

    specs: tuple[PageSpec, ...]
    files: tuple[str, ...]  # each page's output file, in the same order
    page_files: frozenset[str]
    templates: Mapping[str, str]  # output file -> the template that makes it
    orders: Mapping[tuple[str, str], tuple[str, ...]]  # the lists it was planned from (see _orders)

    @classmethod
    def of(cls, site: Site, orders: Mapping[tuple[str, str], tuple[str, ...]]) -> Plan:
        specs = tuple(plan_pages(site))
        files = tuple(urls.output_file(spec.path) for spec in specs)
        return cls(specs, files, frozenset(files), MappingProxyType(dict(zip(files, (spec.template for spec in specs)))), MappingProxyType(dict(orders)))


def _orders(site: Site) -> dict[tuple[str, str], tuple[str, ...]]:
    """The order of each section's items in each language, the home page's too: what the page plan follows."""
    for lang in site.languages:
        for section in (HOME, *SECTIONS_ORDERED):
            if (section, lang) not in site.orders:
                site.section(section, lang)  # sorts it, once
    return {(section, lang): site.orders[(section, lang)] for lang in site.languages for section in (HOME, *SECTIONS_ORDERED)}


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


def source_date(root: Path, stamps: Mapping[str, Stamp] | None = None) -> str:
    """When the sources last changed, for PDF metadata: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.strip().isdigit():
        newest = max((mtime for mtime, _ in (stamps or scan(root)).values()), default=0)
        epoch = str(newest // 1_000_000_000)
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unpublished(site: Site) -> dict[str, str]:
    """The page of each item this build does not publish, with the reason a link to it is reported."""
    gone: dict[str, str] = {}
    for (section, slug), reason in site.held.items():
        for lang in site.languages:
            source = f"content/{site.config.source_language}/{section}/{slug}"
            gone[urls.output_file(urls.item_path(section, slug, lang))] = Message(
                "a page held back ({reason}: see {source}); publish it first, or take the link out", reason=reason, source=source
            )
    for section, slug, lang in site.left_out:
        gone[urls.output_file(urls.item_path(section, slug, lang))] = Message(
            "a page left out of the {lang} site until {path} is translated; translate it, or take the link out",
            lang=lang,
            path=f"content/{lang}/{section}/{slug}",
        )
    return gone


def _today(options: BuildOptions) -> dt.date:
    try:
        return today(options.today)
    except ValueError as exc:
        raise UsageError(message_of(exc)) from None


def _read_text(root: Path, rel: str) -> str | None:
    """A source file's text, for finding a link in it again; None if it cannot be read now."""
    try:
        return read_input(root, rel).decode("utf-8").replace("\r\n", "\n")
    except (Refused, UnicodeDecodeError):
        return None


def _edit(path: str, before: Mapping[str, Stamp], after: Mapping[str, Stamp]) -> bool:
    """Whether a changed file leaves the content walk's findings as they were, so that the items and
    assets changed are read again alone: an item or asset that was there and still is, a photo beside
    a page bundle's index (read when a text names it, never by the walk), or a file outside content/."""
    if identify(path) is not None or path.startswith(f"{ASSETS_DIR}/"):
        return path in before and path in after
    parts = path.split("/")
    return parts[0] != CONTENT_DIR or (len(parts) >= 5 and parts[2] in SECTIONS)


def _failed(report: Report, options: BuildOptions) -> bool:
    """Whether the build has an error so far (a warning, under --strict): checked between stages, unsorted."""
    return any(d.severity == "error" or (options.strict and d.severity == "warning") for d in report.diagnostics)


def _finish(report: Report, options: BuildOptions) -> None:
    if options.strict:
        report.diagnostics = [d.as_error() for d in report.diagnostics]
    report.diagnostics = sorted(set(report.diagnostics), key=Diagnostic.sort_key)


def unknown_brochures(site: Site, slugs: tuple[str, ...]) -> list[Diagnostic]:
    """An error for each slug that names no brochure: `sitegen pdf` would otherwise make nothing, silently."""
    known = sorted({d.slug for lang in site.languages for d in site.section("brochures", lang)})
    folder = f"content/{site.config.source_language}/brochures"
    names = ", ".join(known) if known else Message("none yet (start one with `sitegen new brochure SLUG`)")
    return [
        Diagnostic(
            f"{folder}/{slug}.yaml",
            None,
            None,
            None,
            Message("expected a brochure, found no brochure {slug!r}{fix}; the brochures are: {names}", slug=slug, fix=did_you_mean(slug, known), names=names),
        )
        for slug in dict.fromkeys(slugs)
        if slug not in known
    ]


def _languages(config: SiteConfig, wanted: tuple[str, ...] | None) -> tuple[str, ...]:
    if not wanted:
        return config.codes
    unknown = [code for code in wanted if code not in config.codes]
    if unknown:
        fixes = [did_you_mean(code, config.codes) for code in unknown]
        fix = fixes[0] if len(fixes) == 1 else "".join(fixes)  # (one stays a Message, said in the editor's language)
        raise UnknownName(Message("unknown language {code}{fix}: expected one of {codes}", code=", ".join(unknown), fix=fix, codes=", ".join(config.codes)))
    return tuple(code for code in config.codes if code in wanted)


class _Clock:
    """`with clock("stage"):` adds the stage's seconds to the report's timings."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start
