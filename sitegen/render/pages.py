"""Site + templates -> {output path: bytes}. Pure: reads templates, writes nothing."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import operator
import os
import re
import signal
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import escape as escape_html
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2 import meta
from markupsafe import Markup

from ..errors import Diagnostic, Message
from ..inputs import i18n
from ..inputs.config import Language, SiteConfig
from ..inputs.files import Refused, read_input, walk_inputs
from ..inputs.i18n import Catalogs, untranslated
from ..inputs.images import localized
from ..inputs.model import Document, Money, Site
from ..inputs.svg import diagnostics as svg_diagnostics
from ..inputs.svg import file_problems as svg_file_problems
from ..layout import CONFIG_NAME, HOME, TEMPLATES_DIR
from ..text.markdown import Rendered as MarkdownRendered
from ..text.scripts import HANGUL, IS_HANGUL
from . import images, templating, urls
from .cache import MarkdownCache
from .links import PageLinks, page_links

STATIC_DIR = "static"


@dataclass(frozen=True)
class PageSpec:
    """One page to render: where it goes, with which template, about what."""

    path: str  # site path: 'en/stories/oita-lsi/' or 'en/404.html'
    template: str
    lang: str
    doc: Document | None = None
    section: str | None = None  # for section indexes
    absolute_links: bool = False  # 404 pages are served at any URL, so relative links would break
    listing: tuple[Document, ...] = ()  # the items on this page of a section index
    page: int = 1
    pages: int = 1


# Items per page of a section index: a list stays readable, and an edit re-renders one page of it.
PAGE_SIZE = 24
FEED_SIZE = 50


def plan_pages(site: Site) -> list[PageSpec]:
    """Every page of the site, in a stable order."""
    first = site.config.source_language if site.config.source_language in site.languages else site.languages[0]
    # One language: its home page at the root too, a copy rather than a redirect (GitHub Pages
    # cannot send one, and a meta refresh is a second request and a flash of blank page), whose
    # canonical URL is /<lang>/ so search engines index it once. A chooser of one is no choice.
    root = PageSpec("", "home.html", first, site.get(HOME, "index", first)) if len(site.languages) == 1 else PageSpec("", "chooser.html", first)
    pages = [
        root,
        PageSpec("404.html", "404.html", site.languages[0], absolute_links=True),
        PageSpec("sitemap.xml", "sitemap.xml", first),
        PageSpec("robots.txt", "robots.txt", first),
    ]
    for lang in site.languages:
        pages.append(PageSpec(f"{lang}/", "home.html", lang, site.get(HOME, "index", lang)))
        for section in urls.SECTION_INDEXES:
            docs = site.section(section, lang)
            count = index_pages(section, len(docs))
            pages += [
                PageSpec(
                    urls.index_path(section, lang, number),
                    f"{section}.html",
                    lang,
                    section=section,
                    listing=tuple(docs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]),
                    page=number,
                    pages=count,
                )
                for number in range(1, count + 1)
            ]
            template = {"clusters": "cluster.html", "stories": "story.html", "brochures": "brochure.html"}[section]
            pages += [PageSpec(urls.doc_path(d), template, lang, d) for d in docs]
            if section == "brochures":
                pages += [PageSpec(urls.print_path(d), "brochure_print.html", lang, d) for d in docs]
        pages += [PageSpec(urls.doc_path(d), "page.html", lang, d) for d in site.section("pages", lang)]
        pages.append(PageSpec(f"{lang}/search/", "search.html", lang))
        pages.append(PageSpec(f"{lang}/404.html", "404.html", lang, absolute_links=True))
        pages.append(PageSpec(f"{lang}/feed.xml", "feed.xml", lang))
    return pages


def refresh(spec: PageSpec, site: Site) -> PageSpec:
    """The same page of a new model: its document and listing as they are now."""
    doc = site.get(spec.doc.section, spec.doc.slug, spec.doc.lang) if spec.doc else None
    listing = tuple(d for old in spec.listing if (d := site.get(old.section, old.slug, old.lang)))
    if doc is spec.doc and len(listing) == len(spec.listing) and all(map(operator.is_, listing, spec.listing)):
        return spec  # a model made again around unchanged items: most of a template change's pages
    return replace(spec, doc=doc, listing=listing)


@dataclass(frozen=True)
class SitemapEntry:
    """A page of the sitemap with its URLs made absolute here: thousands of calls from the template
    would cost more than the sitemap's own work."""

    url: str
    alternates: list[tuple[str, str]]  # (hreflang, URL)
    x_default: str | None  # URL
    lastmod: str | None = None


def sitemap(site: Site, pages: list[PageSpec]) -> list[SitemapEntry]:
    """Every page a reader should find, with its language versions: no fallbacks, print views or 404s."""
    base = site.config.base_url
    entries = []
    for spec in pages:
        if not (spec.path == "" or spec.path.endswith("/")) or spec.template in ("brochure_print.html", "search.html") or (spec.doc and spec.doc.fallback):
            continue
        if spec.path == "" and spec.template != "chooser.html":  # the one language's home, copied to the root
            continue
        alternates, _ = language_versions(site, spec, site.versions(spec.doc) if spec.doc else [])
        lastmod = spec.doc.item.date.isoformat() if spec.doc and spec.doc.section == "stories" else None  # type: ignore[union-attr]
        x_default = _x_default(site, spec.doc, spec)
        urls_of = [(lang.tag, base + path) for lang, path in alternates]
        entries.append(SitemapEntry(base + spec.path, urls_of, None if x_default is None else base + x_default, lastmod))
    return entries


def make_environment(
    config: SiteConfig,
    catalogs: Catalogs,
    language: Language,
    missing: set[str],
    markdown: MarkdownCache,
    bytecode: jinja2.BytecodeCache | None = None,
) -> jinja2.Environment:
    """A Jinja environment for one language; UI strings it lacks a translation for are added to `missing`.
    Environments that share `bytecode` compile each template once between them."""
    # Templates come with the repository, as content does: sandboxed, they show what the context
    # holds and cannot reach Python's internals or the disk (a clone's template runs no code on the build machine).
    env = templating.Sandbox(
        loader=jinja2.FileSystemLoader(config.root / TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # No stat of every template on every page: a changed template is forgotten by forget_templates().
        auto_reload=False,
        bytecode_cache=bytecode,
    )
    translations = catalogs.translations[language.code]
    known = getattr(translations, "_catalog", {})

    # A translation is data, not markup: escaped, but for the markup its msgid (the template's) has.
    # Jinja's newstyle wrappers then %-format it, escaping each value that is not Markup.
    def gettext(message: str) -> Markup:
        if message not in known:
            missing.add(message)
        return i18n.translation_html(translations.gettext(message), message)

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        if (singular, 0) not in known:
            missing.add(singular)
        return i18n.translation_html(translations.ngettext(singular, plural, n), singular, plural)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    translated: dict[str, Markup] = {}

    def fast_gettext(message: str, /, **variables: Any) -> Markup:
        """What the i18n extension's newstyle _() and gettext() give, in one call instead of three
        (a page makes a dozen of them): the translation as HTML (see above), then %-formatted."""
        if variables:
            return gettext(message) % variables
        if message not in translated:
            translated[message] = gettext(message) % {}
        return translated[message]

    env.globals.update(_=fast_gettext, gettext=fast_gettext)
    env.filters.update(
        date=lambda value: i18n.date(value, language),
        number=lambda value: i18n.number(value, language),
        money=lambda value: i18n.money(value.amount, value.currency, language) if isinstance(value, Money) else value,
        region=lambda key: config.region_name(key, language.code),
        markdown=jinja2.pass_context(lambda context, text: Markup(_for_page(context, markdown.html(text)))),
        # The same HTML as text, for XML that carries escaped HTML (Atom content type="html").
        markdown_escaped=jinja2.pass_context(lambda context, text: _for_page(context, markdown.html(text))),
        # CSS strings are text: a translation's text, not its HTML.
        css_string=lambda text: css_string(i18n.text_of(text)),
        css_counter=lambda text: css_counter(i18n.text_of(text)),
    )
    env.globals.update(
        toc=lambda text: markdown.render(text).toc,
        text_attrs=lambda doc: text_attrs(config, doc),
        search_attrs=search_attrs,
    )
    return env


# A link written from the site's root (/en/stories/oita-lsi/) leads there only where the site is
# published at its host's root: it is written as the page's other links are (relative; absolute in a
# feed or a print view), so that it works under a folder such as /portal/ and is checked as they are.
_ROOTED = re.compile(r'(<a\s[^>]*?href=")/(?![/\\\x00-\x20])')  # not //host or /\host (another host), nor / then a space (dropped in front of what follows)


def _for_page(context: Any, rendered: str) -> str:
    """Markdown's HTML with its links from the site's root, and its images, as this page shows them
    (see render.images)."""
    if 'href="/' in rendered:
        root = context["shown"].link("x")[:-1] or "./"  # the site's root, as this page links to it ("./" from the root itself)
        rendered = _ROOTED.sub(lambda match: match.group(1) + escape_html(root), rendered)
    if images.MARK not in rendered:
        return rendered
    site: Site = context["site"]
    lang = context["lang"].code
    source = site.config.source_language
    return images.rewrite_html(rendered, site.images, context["shown"], localize=lambda path: localized(path, lang, source))


def text_attrs(config: SiteConfig, doc: Document | None) -> Markup:
    """' lang="ko"' on the elements of a page whose text is borrowed from the source language."""
    if doc is None or not doc.fallback:
        return Markup("")
    return Markup(' lang="%s"') % config.language(doc.text_lang).tag


def search_attrs(doc: Document, section_label: str) -> Markup:
    """Pagefind indexes a document's own language version only: a page borrowed from the source is left
    out, and so is a held item a preview build shows (--drafts, --future)."""
    if doc.fallback or doc.held:
        return Markup("")
    return _search_marks(section_label)


@lru_cache(maxsize=64, typed=True)  # typed: a label given as Markup is not escaped, one given as str is
def _search_marks(section_label: str) -> Markup:
    # The section as a filter too, in the reader's words; the region filter is on the page's region
    # text (see templates). A comma would split Pagefind's filter list: no label has one.
    label = section_label.replace(",", " ")  # Markup stays Markup: escaped once
    return Markup(' data-pagefind-body data-pagefind-meta="section:%s" data-pagefind-filter="section:%s"') % (section_label, label)


Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class Rendered:
    """Pages as bytes, what each was made from (for the dev server's rebuilds), and what went wrong."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    deps: dict[str, frozenset[str]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    links: dict[str, PageLinks] = field(default_factory=dict)  # of the HTML pages
    digests: dict[str, bytes] = field(default_factory=dict)
    markdown: dict[str, MarkdownRendered] = field(default_factory=dict)  # rendered for these pages (see MarkdownCache.take)


COLLECT_EVERY = 256  # pages (see Renderer.render)
PAGES = Message("pages")  # the progress line's word


def digest(data: bytes) -> bytes:
    """What tells an output's bytes from the last build's, without keeping them."""
    # SHA-256 is computed in hardware by most CPUs: 5 µs a page where BLAKE2b takes 13.
    return hashlib.sha256(data).digest()[:16]


class Renderer:
    """Renders the pages of one site; keeps its Jinja environments, so a rebuild renders only what changed."""

    def __init__(
        self,
        site: Site,
        catalogs: Catalogs,
        created: str | None = None,
        store: MarkdownCache | None = None,
        templates: dict[str, frozenset[str]] | None = None,
    ):
        """`templates`: what template_files found for each template, kept by the caller (filled, and
        cleared by forget_templates, in place) when the templates have not changed since."""
        self.site = site
        self.created = created
        self.store = store or MarkdownCache(None, site.config.allow_raw_html)
        self.missing: dict[str, set[str]] = {code: set() for code in site.languages}
        bytecode = templating.SharedBytecode()  # in memory only: nothing compiled is ever read from disk
        self.envs = {
            code: make_environment(site.config, catalogs, site.config.language(code), self.missing[code], self.store, bytecode) for code in site.languages
        }
        for env in self.envs.values():  # before any template loads: templates are inputs, read as every input is
            env.loader = SiteLoader(site.config.root)
        self._templates = templates if templates is not None else {}
        self._compiled: dict[tuple[str, str], jinja2.Template] = {}  # (language, name): Jinja's own lookup takes a lock
        # What a template that does not parse, or is missing, gave the first page that used it: every
        # other page would parse it again to find the same error (a minute at 10,000 pages).
        self._broken: dict[tuple[str, str], Diagnostic] = {}

    def render(self, pages: list[PageSpec], progress: Progress | None = None) -> Rendered:
        """Render `pages`; collect every template error."""
        # Most of a page's objects are freed by their counts as it is written, yet the collector
        # would walk the young ones every 700 allocations, thousands of times a batch: 10-16% of
        # the render's time. So it rests while pages render, but for a look at the youngest every
        # COLLECT_EVERY pages: a page whose macros are bound to its context leaves a few cycles.
        # A few pages (a save in the dev server) are left to the collector: that look would cost more.
        collecting = gc.isenabled() and len(pages) >= COLLECT_EVERY
        if collecting:
            gc.disable()
        try:
            return self._render(pages, progress, collecting)
        finally:
            if collecting:
                gc.collect(0)
                gc.enable()

    def _render(self, pages: list[PageSpec], progress: Progress | None, collecting: bool) -> Rendered:
        site = self.site
        result = Rendered()
        made_by: dict[str, PageSpec] = {}
        diagnostics: set[Diagnostic] = set()
        for done, spec in enumerate(pages, 1):
            if collecting and done % COLLECT_EVERY == 0:
                gc.collect(0)
            if progress:
                progress(PAGES, done, len(pages))
            target = urls.output_file(spec.path)
            if target in made_by:
                diagnostics.add(_collision(spec, made_by[target], target))
                continue
            made_by[target] = spec
            deps: set[str] = {CONFIG_NAME, i18n.po_path(spec.lang)}
            broken = self._broken.get((spec.lang, spec.template))
            if broken is not None:
                diagnostics.add(broken)
                continue
            try:  # the template and what it extends, includes or imports by name: the same for every page
                deps |= self.template_files(spec.lang, spec.template)
                template = self._template(spec.lang, spec.template)
            except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
                diagnostics.add(self._broken.setdefault((spec.lang, spec.template), _unusable(spec, exc)))
                continue
            try:
                context = page_context(site, spec, deps)
                context.update(self._extra(spec, deps))
                html = template.render(context, created=self.created)
            except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:  # one this page includes by a name it makes
                diagnostics.add(_unusable(spec, exc))
                continue
            except Exception as exc:  # a template that fails at run time: name the template and its line
                diagnostics.add(_template_failure(site.config.root, spec, exc))
                continue
            if spec.template == "brochure_print.html" and spec.doc and spec.doc.text_lang in KEEP_WORDS:
                html = keep_words(html)
            data = result.outputs[target] = html.encode("utf-8")
            result.digests[target] = digest(data)
            result.deps[target] = frozenset(deps)
            if target.endswith(".html"):
                result.links[target] = page_links(target, data)
        for code, messages in self.missing.items():
            diagnostics.update(untranslated(code, message) for message in messages)
        result.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        return result

    def _template(self, lang: str, name: str) -> jinja2.Template:
        template = self._compiled.get((lang, name))
        if template is None:
            template = self._compiled[(lang, name)] = self.envs[lang].get_template(name)
        return template

    def forget_templates(self) -> None:
        """Templates changed: compile them again, and find again what each one includes."""
        self._templates.clear()
        self._compiled.clear()
        self._broken.clear()
        # Compiled code is found by the source's checksum: an edited template compiles anew.
        for env in self.envs.values():
            env.cache.clear()  # type: ignore[union-attr]

    def template_files(self, lang: str, name: str) -> frozenset[str]:
        """A template and every template it extends, includes or imports, as source paths."""
        if name not in self._templates:
            env = self.envs[lang]
            seen: set[str] = set()
            stack = [name]
            while stack:
                current = stack.pop()
                if current in seen:
                    continue
                seen.add(current)
                source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
                stack += [t for t in meta.find_referenced_templates(env.parse(source, current)) if t]
            self._templates[name] = frozenset(f"{TEMPLATES_DIR}/{t}" for t in seen)
        return self._templates[name]

    def _extra(self, spec: PageSpec, deps: set[str]) -> dict[str, Any]:
        """The data of the pages that list the whole site: the sitemap and the feeds."""
        site = self.site
        if spec.template == "sitemap.xml":
            deps.update(f"section:{section}" for section in (HOME, "pages", *urls.SECTION_INDEXES))
            return {"sitemap": sitemap(site, plan_pages(site))}
        if spec.template == "feed.xml":
            stories = [d for d in site.section("stories", spec.lang) if not d.fallback][:FEED_SIZE]
            deps.add("section:stories")
            for d in stories:
                deps.update(d.sources)
            updated = max((d.item.date for d in stories), default=None)  # type: ignore[union-attr]
            return {"feed_docs": stories, "updated": f"{updated.isoformat() if updated else '1970-01-01'}T00:00:00Z"}
        return {}


def render_pages(renderer: Renderer, pages: list[PageSpec], jobs: int = 1, progress: Progress | None = None) -> Iterator[Rendered]:
    """Render `pages` in blocks, on `jobs` processes when there are many, yielding each block as it is
    done (its pages, their links and inputs, and the Markdown rendered for them, for the caller's
    cache). The bytes are the same whatever the number of processes."""
    unique, collisions = _unique(pages)
    if collisions:
        yield Rendered(diagnostics=collisions)
    if jobs < 2 or len(unique) < PARALLEL_FROM:
        yield renderer.render(unique, progress)  # its Markdown is in the renderer's store already
        return
    blocks = [range(i, min(i + BLOCK, len(unique))) for i in range(0, len(unique), BLOCK)]
    # Compiled here once, not by each worker (50-80 ms each); one that does not parse is left for the
    # worker that renders the first page using it to report.
    for lang, name in sorted({(spec.lang, spec.template) for spec in unique}):
        with contextlib.suppress(jinja2.TemplateSyntaxError, jinja2.TemplateNotFound):
            renderer.template_files(lang, name)
            renderer._template(lang, name)
    # Forked, the workers inherit the renderer and its model as they are: nothing is pickled but
    # the block numbers going out and the pages coming back.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(jobs, len(blocks)), mp_context=context, initializer=_adopt, initargs=(renderer, unique)) as pool:
        done = 0
        try:
            for part in pool.map(_render_block, blocks):
                renderer.store.hold(part.markdown)
                done += len(part.digests)
                if progress:
                    progress(PAGES, done, len(unique))
                yield part
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


# Below this many pages, starting processes costs more than it saves.
PARALLEL_FROM = 400
BLOCK = 64
_WORK: tuple[Renderer, list[PageSpec]] | None = None  # in a worker process: what it renders from


def _adopt(renderer: Renderer, pages: list[PageSpec]) -> None:
    global _WORK
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    _WORK = (renderer, pages)


def _render_block(block: range) -> Rendered:
    assert _WORK is not None
    renderer, pages = _WORK
    part = renderer.render([pages[i] for i in block])
    part.markdown = renderer.store.take()
    return part


def _unique(pages: list[PageSpec]) -> tuple[list[PageSpec], list[Diagnostic]]:
    """The pages with an output of their own, and a diagnostic for each that would overwrite another's."""
    seen: dict[str, PageSpec] = {}
    collisions = []
    for spec in pages:
        target = urls.output_file(spec.path)
        if target in seen:
            collisions.append(_collision(spec, seen[target], target))
        else:
            seen[target] = spec
    return list(seen.values()), sorted(set(collisions), key=Diagnostic.sort_key)


# Languages whose lines break between words only (CSS word-break: keep-all, which WeasyPrint lacks).
KEEP_WORDS = {"ko"}
_TEXT = re.compile(r">([^<]+)<")
_HANGUL_WORD = re.compile(rf"[^\s<>]*[{HANGUL}][^\s<>]*")
WORD_JOINER = "\u2060"


def keep_words(html: str) -> str:
    """Let lines of Korean break only between words: each word goes in a no-break span, and a
    word split by a tag (<strong>미니클러스터</strong>입니다) is held together with a word joiner."""
    head, sep, body = html.partition("<body")
    if not sep:
        return html
    out = []
    position = 0
    previous = " "
    for match in _TEXT.finditer(body):
        text = match.group(1)
        wrapped = _HANGUL_WORD.sub(lambda w: f'<span class="kw">{w.group(0)}</span>', text)
        if not text[0].isspace() and not previous.isspace() and (IS_HANGUL.match(text[0]) or IS_HANGUL.match(previous)):
            wrapped = WORD_JOINER + wrapped
        out.append(body[position : match.start(1)] + wrapped)
        position = match.end(1)
        previous = text[-1]
    out.append(body[position:])
    return head + sep + "".join(out)


def _collision(spec: PageSpec, first: PageSpec, target: str) -> Diagnostic:
    # Worded without the language, so each language's collision collapses into one diagnostic.
    taken = first.doc.path.split("/", 2)[-1] if first.doc else Message("the {name} list", name=first.template.removesuffix(".html"))
    path = spec.doc.path if spec.doc else f"{TEMPLATES_DIR}/{spec.template}"
    return Diagnostic(path, None, None, "slug", Message("expected a page address of its own, found it taken by {taken}; rename the file", taken=taken))


def css_string(text: str) -> Markup:
    """Text as a CSS string literal, safe inside a <style> element."""
    return Markup(json.dumps(str(text), ensure_ascii=False).replace("<", "\\3c "))


def css_counter(text: str) -> Markup:
    """'Page {page} of {pages}', translated, as CSS content: "Page " counter(page) " of " counter(pages)."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", str(text)):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


def static_files(root: Path) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every file under templates/static/, by output path; an error at each one refused (see inputs.read_input,
    and svg for an SVG that can run script)."""
    rels, problems = walk_inputs(root, f"{TEMPLATES_DIR}/{STATIC_DIR}")
    files = {}
    for rel in rels:
        try:
            data = read_input(root, rel)
        except Refused as exc:
            if not exc.missing:  # else gone since the folder was listed
                problems.append(exc.diagnostic())
            continue
        refused = svg_file_problems(rel, data)
        if refused:
            problems += svg_diagnostics(rel, refused)
            continue
        files[rel[len(TEMPLATES_DIR) + 1 :]] = data
    return files, problems


class RefusedTemplate(jinja2.TemplateNotFound):
    """A template that cannot be used as it is (see inputs.read_input), with the diagnostic that says why."""

    def __init__(self, name: str, diagnostic: Diagnostic):
        super().__init__(name, diagnostic.message)
        self.diagnostic = diagnostic


class SiteLoader(jinja2.FileSystemLoader):
    """Jinja's FileSystemLoader, but each template is read as every input is (inputs.read_input): a
    link out of the site, a pipe or a folder in a template's place is refused, never followed."""

    def __init__(self, root: Path):
        super().__init__(root / TEMPLATES_DIR)
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)  # no '..': TemplateNotFound
        rel = "/".join((TEMPLATES_DIR, *pieces))
        try:
            data = read_input(self.root, rel)
            text = data.decode("utf-8")
        except Refused as exc:
            if exc.missing:
                raise jinja2.TemplateNotFound(template) from None
            raise RefusedTemplate(template, exc.diagnostic()) from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            found = Message("expected UTF-8 text, found byte {byte:#04x}; save the file as UTF-8", byte=data[exc.start])
            raise RefusedTemplate(template, Diagnostic(rel, line, None, None, found)) from None
        filename = os.path.normpath(os.path.join(self.searchpath[0], *pieces))
        mtime = _mtime(filename)
        return text, filename, lambda: _mtime(filename) == mtime


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _unusable(spec: PageSpec, exc: jinja2.TemplateSyntaxError | jinja2.TemplateNotFound) -> Diagnostic:
    """A template that does not parse, cannot be used, or is not there."""
    if isinstance(exc, RefusedTemplate):
        return exc.diagnostic
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Diagnostic(
            f"{TEMPLATES_DIR}/{exc.name or spec.template}", exc.lineno, None, None, Message("expected a valid template, found {error}", error=exc.message)
        )
    return Diagnostic(f"{TEMPLATES_DIR}/{spec.template}", None, None, None, Message("expected the template {name}, found no such file", name=exc.name))


def _template_failure(root: Path, spec: PageSpec, exc: Exception) -> Diagnostic:
    templates = str((root / TEMPLATES_DIR).resolve())
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(templates)]
    if frames:
        frame = frames[-1]
        path = Path(frame.filename).resolve().relative_to(root.resolve()).as_posix()
        line = frame.lineno
    else:
        path, line = f"{TEMPLATES_DIR}/{spec.template}", None
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    failed = Message(
        "expected the template to render {page}, found {error}: {message}", page=spec.path or "index.html", error=type(exc).__name__, message=message
    )
    return Diagnostic(path, line, None, None, failed)


def page_context(site: Site, spec: PageSpec, deps: set[str] | None = None) -> dict[str, Any]:
    """What a template sees; every item it reads is added to `deps`, for incremental rebuilds."""
    config = site.config
    language = config.language(spec.lang)
    link = _linker(config, spec)

    def absolute(path: str) -> str:
        return config.base_url + path

    doc = spec.doc
    deps = deps if deps is not None else set()

    def record(d: Document | None) -> Document | None:
        if d is not None:
            deps.update(d.sources)
            deps.add(f"item:{d.section}/{d.slug}")
        return d

    def listed(section: str, docs: list[Document]) -> list[Document]:
        deps.add(f"section:{section}")
        for d in docs:
            record(d)
        return docs

    versions = [d for d in site.versions(doc) if record(d) is not None] if doc else []
    alternates, switch = language_versions(site, spec, versions)
    shown = images.Shown(absolute if spec.template == "feed.xml" else link, _IMAGE_MODES.get(spec.template, "web"), deps.add)
    canonical = f"{spec.lang}/" if spec.path == "" else spec.path  # the root's copy of a home page is that page
    x_default = _x_default(site, doc, spec)
    nav = listed("pages", site.nav(spec.lang))
    page_cover = _cover(site, doc, spec.lang, deps.add)
    # What every page's head and masthead show, made here: a call from a template costs several times
    # the call itself (the sandbox checks each one), and these were a third of a page's calls.
    ready = {
        "canonical_url": absolute(canonical),
        "alternate_urls": [(alt_lang, absolute(alt_path)) for alt_lang, alt_path in alternates],
        "x_default_url": None if x_default is None else absolute(x_default),
        "switch_links": [(other, link(other_path)) for other, other_path in switch],
        "nav_links": [(nav_doc, nav_path, link(nav_path)) for nav_doc in nav if (nav_path := urls.doc_path(nav_doc))],
        "menu": {"home": link(f"{spec.lang}/")} | {name: link(f"{spec.lang}/{name}/") for name in ("search", "clusters", "stories", "brochures")},
        "page_cover": page_cover,
        "social_url": None if page_cover is None else absolute(images.social_variant(page_cover[0]).path),
        "doc_attrs": text_attrs(config, doc),
    }
    return ready | {
        "site": site,
        "config": config,
        "lang": language,
        "languages": [config.language(code) for code in site.languages],
        "path": spec.path,
        "canonical": canonical,
        "doc": doc,
        "item": doc.item if doc else None,
        "text_lang": config.language(doc.text_lang) if doc else language,
        "section": spec.section,
        "site_title": config.title.get(spec.lang) or config.title[config.source_language],
        "description": config.description.get(spec.lang, ""),
        "link": link,
        "absolute": absolute,
        "shown": shown,
        "cover": lambda d: _cover(site, d, spec.lang, deps.add),
        "image_html": lambda picture, alt, lazy=True, doc=None, sizes=images.SIZES, full_page=False: Markup(
            images.picture_html(picture, alt, shown, lazy, config.language(doc.text_lang).tag if doc is not None and doc.fallback else None, sizes, full_page)
        ),
        "social_image": lambda picture: absolute(images.social_variant(picture).path),
        "alternates": alternates,
        "x_default": x_default,
        "switch": switch,
        "nav": nav,
        "path_of": urls.doc_path,
        "docs": lambda section: listed(section, site.section(section, spec.lang)),
        # Whether a section has items in the page's language: its list's order alone is read, so an
        # edit of one of them renders again none of the pages that only ask (every page's menu does).
        "has": lambda section: _has(site, section, spec.lang, deps),
        "get": lambda section, slug: record(site.get(section, slug, spec.lang)),
        "stories_of": lambda slug: listed("stories", site.stories_of(slug, spec.lang)),
        # The first n items of a section; only those (and the section's order) are dependencies.
        "first": lambda section, n: listed(section, site.section(section, spec.lang)[:n]),
        "listing": listed(spec.section, list(spec.listing)) if spec.section else [],
        "pagination": _pagination(spec),
        "pdf_path": urls.pdf_path,
        "print_path": urls.print_path,
        "author": config.text(config.author, spec.lang),
        "font": config.font(spec.lang),
    }


_IMAGE_MODES = {"brochure_print.html": "print", "feed.xml": "feed"}


def _cover(site: Site, doc: Document | None, lang: str, record: Callable[[str], None] = images.ignore) -> tuple[Any, str] | None:
    """A story's, cluster's or brochure's cover as this language shows it (its own image of the same name, if
    its folder has one), with its alt text ('' for a decorative one); None without a cover. `record`
    is told the images looked for."""
    cover = getattr(doc.item, "cover", None) if doc is not None else None
    if cover is None or not cover.image:
        return None
    own = localized(cover.image, lang, site.config.source_language)
    record(cover.image)
    record(own)
    picture = site.images.get(own) or site.images.get(cover.image)
    if picture is None:  # reported where it is written (inputs.images)
        return None
    return picture, "" if cover.alt in (None, "-") else cover.alt


def cover_images(site: Site, section: str | None = None) -> set[str]:
    """The covers pages show (for their social cards), by repository path; `section`: of its items only."""
    return {found[0].path for d in site.documents.values() if (section in (None, d.section)) and (found := _cover(site, d, d.lang))}


def language_versions(site: Site, spec: PageSpec, versions: list[Document]) -> tuple[list[tuple[Language, str]], list[tuple[Language, str]]]:
    """The page in each language: as alternates (for hreflang: no fallbacks) and as the language switch.
    `versions`: its document in every language, for an item's page."""
    config = site.config
    if spec.doc:
        switch = [(config.language(d.lang), urls.doc_path(d)) for d in versions]
        return [pair for pair, d in zip(switch, versions) if not d.fallback], switch
    if spec.path == "" or not spec.path.endswith("/"):  # the language chooser; 404 pages, feeds
        homes = [(config.language(code), f"{code}/") for code in site.languages]
        return (homes if spec.path == "" else []), homes  # the chooser's alternates: each language's home
    same = spec.path[len(spec.lang) :]
    if spec.section is None:
        switch = [(config.language(code), code + same) for code in site.languages]
        return switch, switch
    # A list's page N in a language whose list is shorter (its untranslated items left out), or
    # that has no such list, does not exist: the switch goes to that list's first page, or home.
    alternates, switch = [], []
    for code in site.languages:
        count = index_pages(spec.section, site.count(spec.section, code))
        path = code + same if spec.page <= count else urls.index_path(spec.section, code) if count else f"{code}/"
        switch.append((config.language(code), path))
        if spec.page <= count:
            alternates.append(switch[-1])
    return alternates, switch


def _has(site: Site, section: str, lang: str, deps: set[str]) -> bool:
    deps.add(f"section:{section}")
    return site.count(section, lang) > 0


def index_pages(section: str, items: int) -> int:
    """How many pages a section's list of `items` has: one when empty, but brochures none."""
    if not items:
        return 0 if section == "brochures" else 1
    return -(-items // PAGE_SIZE)


def _pagination(spec: PageSpec) -> dict[str, Any] | None:
    if spec.pages <= 1 or spec.section is None:
        return None
    return {
        "page": spec.page,
        "pages": spec.pages,
        "previous": urls.index_path(spec.section, spec.lang, spec.page - 1) if spec.page > 1 else None,
        "next": urls.index_path(spec.section, spec.lang, spec.page + 1) if spec.page < spec.pages else None,
    }


def _x_default(site: Site, doc: Document | None, spec: PageSpec) -> str | None:
    source = site.config.source_language
    if spec.path == "":
        return ""
    if doc is None:
        return spec.path.replace(spec.lang, source, 1) if source in site.languages and spec.path.startswith(spec.lang) else None
    original = site.get(doc.section, doc.slug, source)
    return urls.doc_path(original) if original else None


def _linker(config: SiteConfig, spec: PageSpec) -> Callable[[str], str]:
    if spec.absolute_links:
        base = urlsplit(config.base_url).path or "/"
        return lambda target: base + target
    return urls.linker(spec.path, config.directory_urls)
