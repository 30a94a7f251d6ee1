"""Checked items -> Site: translations joined to their source, fields inherited, references resolved."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeGuard

from ..errors import Diagnostic, Message, Severity, describe
from ..layout import HOME
from ..text.scripts import IS_HANGUL
from . import publishing as pub
from .config import SiteConfig
from .content import Asset, SourceItem
from .images import Picture
from .schema import CheckedItem, left_out, section_fields, translatable
from .validate import SLUG_RE


@dataclass(frozen=True)
class Members:
    companies: int
    universities: int
    research_institutes: int
    support_agencies: int

    @property
    def total(self) -> int:
        return self.companies + self.universities + self.research_institutes + self.support_agencies

    def counts(self) -> tuple[tuple[str, int], ...]:
        return (
            ("companies", self.companies),
            ("universities", self.universities),
            ("research_institutes", self.research_institutes),
            ("support_agencies", self.support_agencies),
        )


@dataclass(frozen=True)
class Contact:
    office: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Figures:
    firms: int | None = None
    partner_firms: int | None = None
    export_contracts: Money | None = None


@dataclass(frozen=True)
class Home:
    title: str
    summary: str
    body: str = ""


@dataclass(frozen=True)
class Page:
    title: str
    summary: str | None = None
    menu: int | None = None
    body: str = ""


@dataclass(frozen=True)
class Cluster:
    title: str
    summary: str
    region: str
    industry: str
    members: Members
    study_groups: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    contact: Contact | None = None
    cover: Cover | None = None
    body: str = ""


@dataclass(frozen=True)
class Story:
    title: str
    summary: str
    date: dt.date
    region: str
    clusters: tuple[str, ...] = ()
    figures: Figures | None = None
    cover: Cover | None = None
    body: str = ""


@dataclass(frozen=True)
class Cover:
    image: str | None = None
    text: str | None = None
    alt: str | None = None  # a story's or cluster's cover ('-': decorative); a brochure's has `text`


@dataclass(frozen=True)
class BrochureSection:
    """Markdown text, or a reference to a page, a cluster or a story."""

    kind: str  # text | page | cluster | story
    text: str = ""
    slug: str = ""

    @property
    def section(self) -> str:
        return {"page": "pages", "cluster": "clusters", "story": "stories"}[self.kind]


@dataclass(frozen=True)
class Brochure:
    title: str
    summary: str
    sections: tuple[BrochureSection, ...]
    subtitle: str | None = None
    cover: Cover | None = None
    back_page: str | None = None


Item = Home | Page | Cluster | Story | Brochure
Key = tuple[str, str]  # (section, slug)
Failed = frozenset[tuple[str, str, str]]  # (lang, section, slug) of files that did not pass their check


@dataclass(frozen=True)
class Document:
    """An item as a reader of one language sees it."""

    section: str
    slug: str
    lang: str  # the language of the page around it
    text_lang: str  # the language its text is in: the source language when no translation exists
    item: Item
    path: str  # the content file its text comes from
    sources: tuple[str, ...]  # every content file it is made from
    outdated: bool = False  # a translation made from an earlier version of the source, or one not recorded
    recorded_version: str | None = None  # the source version the translation says it was made from
    held: str | None = None  # shown though held back (a draft under --drafts, say): why, for its banner

    @property
    def key(self) -> Key:
        return (self.section, self.slug)

    @property
    def fallback(self) -> bool:
        return self.text_lang != self.lang


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    languages: tuple[str, ...]  # the languages being built, the source first when built
    documents: Mapping[tuple[str, str, str], Document]
    stories_by_cluster: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    assets: Mapping[str, bytes] = field(default_factory=dict)
    # The slugs of each (section, lang) in order, sorted once: the site itself never changes. A site
    # made from an edit of the last one starts with the orders the edit cannot have changed.
    orders: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    _groups: dict[tuple[str, str], list[Document]] = field(default_factory=dict, compare=False, repr=False)
    _sections: dict[tuple[str, str], list[Document]] = field(default_factory=dict, compare=False, repr=False)
    # Per language, each cluster's stories in order: carried over like `orders`.
    stories_index: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, compare=False, repr=False)
    # Items held back in every language, and why (publishing.DRAFT, ...); and, per (section, slug,
    # lang), the items left out of a language whose policy is `untranslated: omit`.
    held: Mapping[Key, str] = field(default_factory=dict)
    left_out: frozenset[tuple[str, str, str]] = frozenset()
    # Every image content names, by its repository path (a translation's missing one: the source's).
    images: Mapping[str, Picture] = field(default_factory=dict)

    def get(self, section: str, slug: str, lang: str) -> Document | None:
        return self.documents.get((section, slug, lang))

    def section(self, section: str, lang: str) -> list[Document]:
        docs = self._sections.get((section, lang))
        if docs is None:
            order = self.orders.get((section, lang))
            if order is None:
                docs = self._sort(section, lang)
                self.orders[(section, lang)] = tuple(d.slug for d in docs)
            else:
                docs = [self.documents[(section, slug, lang)] for slug in order]
            self._sections[(section, lang)] = docs
        return list(docs)

    def count(self, section: str, lang: str) -> int:
        """How many items a section has in a language, from its order once sorted: no list is made."""
        order = self.orders.get((section, lang))
        return len(order) if order is not None else len(self.section(section, lang))

    def _sort(self, section: str, lang: str) -> list[Document]:
        if not self._groups:
            for (section_of, _, lang_of), d in self.documents.items():
                self._groups.setdefault((section_of, lang_of), []).append(d)
        docs = self._groups.get((section, lang), [])
        regions = list(self.config.regions)
        return sorted(docs, key=lambda d: sort_key(d, regions))

    def versions(self, doc: Document) -> list[Document]:
        """The same item in every language being built, in config order."""
        return [d for lang in self.languages if (d := self.get(doc.section, doc.slug, lang))]

    def stories_of(self, cluster: str, lang: str) -> list[Document]:
        index = self.stories_index.get(lang)
        if index is None:  # one pass over a language's stories, not one per cluster
            clusters_of: dict[str, set[str]] = {}
            for slug, stories in self.stories_by_cluster.items():
                for story in stories:
                    clusters_of.setdefault(story, set()).add(slug)
            found: dict[str, list[str]] = {}
            for d in self.section("stories", lang):
                for slug in clusters_of.get(d.slug, ()):
                    found.setdefault(slug, []).append(d.slug)
            index = self.stories_index[lang] = {slug: tuple(stories) for slug, stories in found.items()}
        return [self.documents[("stories", slug, lang)] for slug in index.get(cluster, ())]

    def nav(self, lang: str) -> list[Document]:
        pages = [d for d in self.section("pages", lang) if d.item.menu is not None]  # type: ignore[union-attr]
        return sorted(pages, key=lambda d: (d.item.menu, d.slug))  # type: ignore[union-attr]


def markdown_texts(documents: Iterable[Document]) -> set[str]:
    """The Markdown the documents hold: their bodies, and their brochures' text sections."""
    texts: set[str] = set()
    for doc in documents:
        item = doc.item
        if isinstance(item, Brochure):
            texts.update(section.text for section in item.sections if section.text)
        elif item.body:
            texts.add(item.body)
    return texts


def sort_key(doc: Document, regions: list[str]) -> tuple[Any, ...]:
    """Where a document stands in its section's lists: stories newest first, clusters by region."""
    if doc.section == "stories":
        return (-doc.item.date.toordinal(), doc.slug)  # type: ignore[union-attr]
    if doc.section == "clusters":
        return (regions.index(doc.item.region), doc.slug)  # type: ignore[union-attr]
    return (doc.slug,)


@dataclass
class ModelMemo:
    """What build_site made, kept between rebuilds: items whose files did not change are not joined
    again, and an edit that adds, removes or breaks no item makes the new site from the last one."""

    joined: dict[Key, Joined] = field(default_factory=dict)
    last: _LastModel | None = None


@dataclass
class _LastModel:
    """One build_site call: its inputs and what it made of them."""

    checked: list[CheckedItem]
    wanted: tuple[str, ...]
    failed: Failed
    assets: Mapping[str, Asset] | None
    config: SiteConfig
    sources: dict[Key, CheckedItem]
    translations: dict[Key, dict[str, CheckedItem]]
    orphans: list[Diagnostic]  # translations without a source
    by_key: dict[Key, list[Diagnostic]]  # each source item's, in key order
    site: Site
    publishing: pub.Publishing | None = None
    held: dict[Key, str] = field(default_factory=dict)

    def edited(
        self,
        checked: list[CheckedItem],
        config: SiteConfig,
        wanted: tuple[str, ...],
        failed: Failed,
        assets: Mapping[str, Asset] | None,
        publishing: pub.Publishing | None,
    ) -> list[CheckedItem] | None:
        """The items that changed since this call, when nothing else did: the same items, by place and identity."""
        if config != self.config or assets is not self.assets or wanted != self.wanted or failed != self.failed or publishing != self.publishing:
            return None
        if len(checked) != len(self.checked):
            return None
        pairs = [(old, new) for old, new in zip(self.checked, checked) if old is not new]
        if any(old.source.path != new.source.path for old, new in pairs):
            return None
        return [new for _, new in pairs]


def build_site(
    checked: Iterable[CheckedItem],
    config: SiteConfig,
    languages: Iterable[str] | None = None,
    failed: Failed = frozenset(),
    assets: Mapping[str, Asset] | None = None,
    memo: ModelMemo | None = None,
    publishing: pub.Publishing | None = None,
) -> tuple[Site, list[Diagnostic]]:
    """Join every translation to its source and make a Document per item and language.

    `failed` names the files, sources and translations, that exist but did not pass their check:
    their errors are already reported, so nothing that refers to them is reported again, and such a
    translation is not said to be missing. `memo`, kept between
    rebuilds, reuses the documents of items whose files did not change. `publishing`: the day and
    what is shown anyway; None publishes every item, whatever its draft and dates say.
    """
    source_lang = config.source_language
    wanted = tuple(lang for lang in config.codes if languages is None or lang in set(languages))
    checked = list(checked)
    if memo is not None and memo.last is not None:
        edited = memo.last.edited(checked, config, wanted, failed, assets, publishing)
        if edited is not None:
            return _edit_site(memo, memo.last, checked, edited)
    sources: dict[Key, CheckedItem] = {}
    translations: dict[Key, dict[str, CheckedItem]] = {}
    orphans: list[Diagnostic] = []
    for item in checked:
        key = item.source.key
        if item.source.lang == source_lang:
            sources[key] = item
        else:
            translations.setdefault(key, {})[item.source.lang] = item
    for key, by_lang in sorted(translations.items()):
        if key not in sources and (source_lang, *key) not in failed:
            for item in by_lang.values():
                expected = item.source.path.replace(f"content/{item.source.lang}/", f"content/{source_lang}/", 1)
                message = Message(
                    "expected a {lang} source at {expected}, found none; every item starts in the source language", lang=source_lang, expected=expected
                )
                orphans.append(Diagnostic(item.source.path, 1, 1, None, message))

    last = _LastModel(checked, wanted, failed, assets, config, sources, translations, orphans, {}, None, publishing)  # type: ignore[arg-type]
    joined_memo = memo.joined if memo is not None else None
    documents: dict[tuple[str, str, str], Document] = {}
    for key in sorted(sources):
        joined, last.by_key[key] = _model_item(last, key, joined_memo)
        documents.update(joined.documents)
    last.site = Site(
        config,
        wanted,
        MappingProxyType(documents),
        MappingProxyType(_stories_by_cluster(sources)),
        MappingProxyType({path: asset.data for path, asset in (assets or {}).items() if asset.problem is None}),
        held=MappingProxyType(dict(last.held)),
        left_out=_left_out(sources, last.held, documents, wanted, source_lang),
    )
    if memo is not None:
        memo.last = last
    return last.site, orphans + [d for problems in last.by_key.values() for d in problems]


def _model_item(last: _LastModel, key: Key, memo: dict[Key, Joined] | None) -> tuple[Joined, list[Diagnostic]]:
    """One source item's documents in every language, and what is wrong with them."""
    section = key[0]
    source = last.sources[key]
    diagnostics: list[Diagnostic] = []
    diagnostics += check_references(source.source, source.fields, last.sources, last.failed, last.config.source_language)
    translations = last.translations.get(key, {})
    failed = frozenset(lang for lang in last.wanted if (lang, *key) in last.failed)  # translations with errors of their own
    inputs = (source, tuple(translations.get(lang) for lang in last.wanted), last.wanted, failed)
    joined = memo.get(key) if memo is not None else None
    if joined is None or not _same(joined.inputs, inputs):
        joined = _join(source, translations, last.wanted, last.config, section_fields(section, last.config), inputs, failed)
        if memo is not None:
            memo[key] = joined
    last.held.pop(key, None)
    reason = pub.hold(source.fields, last.publishing.today) if last.publishing is not None else None
    if reason is None:
        return joined, diagnostics + joined.diagnostics
    if not last.publishing or not last.publishing.shows(reason):
        last.held[key] = reason
        return Joined(joined.inputs, {}, []), diagnostics  # not in any language: no translation notes either
    shown = {at: replace(doc, held=reason) for at, doc in joined.documents.items()}
    return Joined(joined.inputs, shown, joined.diagnostics), diagnostics + joined.diagnostics


def _left_out(
    sources: Mapping[Key, CheckedItem], held: Mapping[Key, str], documents: Mapping[tuple[str, str, str], Document], wanted: tuple[str, ...], source_lang: str
) -> frozenset[tuple[str, str, str]]:
    """The published items a language has no page for: its policy leaves untranslated items out."""
    return frozenset((*key, lang) for key in sources if key not in held for lang in wanted if lang != source_lang and (*key, lang) not in documents)


def _stories_by_cluster(sources: Mapping[Key, CheckedItem]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for (section, slug), source in sorted(sources.items()):
        if section == "stories":
            for cluster in source.fields.get("clusters", ()):
                out.setdefault(cluster, []).append(slug)
    return {cluster: tuple(slugs) for cluster, slugs in out.items()}


def _edit_site(memo: ModelMemo, last: _LastModel, checked: list[CheckedItem], edited: list[CheckedItem]) -> tuple[Site, list[Diagnostic]]:
    """The last site with the edited items joined again: the rest, its checks and its orders carried over."""
    source_lang = last.config.source_language
    old = last.site
    sources, translations, by_key = dict(last.sources), dict(last.translations), dict(last.by_key)
    for item in edited:
        key = item.source.key
        if item.source.lang == source_lang:
            sources[key] = item
        else:
            translations[key] = {**translations[key], item.source.lang: item}
    keys = sorted({item.source.key for item in edited})
    new = _LastModel(
        checked, last.wanted, last.failed, last.assets, last.config, sources, translations, last.orphans, by_key, old, last.publishing, dict(last.held)
    )
    documents = dict(old.documents)
    for key in keys:
        if key in sources:  # a translation without a source stays one
            joined, by_key[key] = _model_item(new, key, memo.joined)
            for lang in last.wanted:
                documents.pop((*key, lang), None)
            documents.update(joined.documents)
    same = _clusters_of(sources, keys) == _clusters_of(last.sources, keys)
    stories_by_cluster = old.stories_by_cluster if same else MappingProxyType(_stories_by_cluster(sources))
    regions = list(last.config.regions)
    moved = {
        (section, lang)
        for section, slug in keys
        for lang in last.wanted
        if _place(old.documents.get((section, slug, lang)), regions) != _place(documents.get((section, slug, lang)), regions)
    }
    orders = {at: order for at, order in old.orders.items() if at not in moved}
    index = {
        lang: by_cluster for lang, by_cluster in old.stories_index.items() if stories_by_cluster is old.stories_by_cluster and ("stories", lang) not in moved
    }
    new.site = Site(
        last.config,
        last.wanted,
        MappingProxyType(documents),
        stories_by_cluster,
        old.assets,
        orders,
        stories_index=index,
        held=MappingProxyType(dict(new.held)),
        left_out=_left_out(sources, new.held, documents, last.wanted, source_lang),
    )
    memo.last = new
    return new.site, new.orphans + [d for problems in by_key.values() for d in problems]


def _clusters_of(sources: Mapping[Key, CheckedItem], keys: list[Key]) -> dict[Key, Any]:
    """The clusters each of these stories names."""
    return {key: sources[key].fields.get("clusters") for key in keys if key[0] == "stories" and key in sources}


def _place(doc: Document | None, regions: list[str]) -> tuple[Any, ...] | None:
    return None if doc is None else sort_key(doc, regions)


@dataclass(frozen=True)
class Joined:
    """One item's documents in every language, and the inputs they were made from."""

    inputs: tuple[Any, ...]
    documents: dict[tuple[str, str, str], Document]
    diagnostics: list[Diagnostic]


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """The same checked items (by identity: a rebuild keeps the objects of unchanged files)."""
    return a[0] is b[0] and a[2:] == b[2:] and len(a[1]) == len(b[1]) and all(x is y for x, y in zip(a[1], b[1]))


def _join(
    source: CheckedItem,
    translations: Mapping[str, CheckedItem],
    wanted: tuple[str, ...],
    config: SiteConfig,
    fields: tuple[Any, ...],
    inputs: tuple[Any, ...],
    failed: frozenset[str] = frozenset(),
) -> Joined:
    """One item's documents in each language of `wanted`, and the notes on its translations. `failed`:
    the languages whose translation did not pass its own check (its errors say so)."""
    section, slug = source.source.key
    source_lang = config.source_language
    documents: dict[tuple[str, str, str], Document] = {}
    diagnostics: list[Diagnostic] = []
    texts = translatable(fields, source.fields)  # the source's texts, which each translation should give
    for lang in wanted:
        translation = translations.get(lang) if lang != source_lang else None
        told = lang in failed  # its errors say what is wrong: no note that it is missing
        moved = _moved_entries(source, translation) if translation is not None and translation.source_version != source.version else []
        if moved and translation is not None:  # the source gained or lost a section since: out of date, not wrong
            diagnostics.append(_moved_note(source, translation, moved[0], config))
            translation, told = None, True  # shown as an untranslated item is, until it is updated
        data = source.fields
        text_lang, path, made_from = source_lang, source.source.path, [source.source.path]
        outdated = False
        if translation is None and lang != source_lang and section != HOME and config.omits(lang):  # a home page is never left out
            if not told:
                diagnostics.append(left_out_note(source, lang, config))
            continue
        if translation is not None:
            outdated = translation.source_version != source.version
            given = translatable(fields, translation.fields)
            problems = _check_neutral(source, translation, given)
            diagnostics += problems
            if problems:
                continue
            diagnostics += [_untranslated_field(translation, path, source.source.path, config) for path in left_out(texts, given)]
            diagnostics += [
                _untranslated_field(translation, path, source.source.path, config, copied=True)
                for path in sorted(given, key=str)
                if _copied(source, translation, path)
            ]
            data = _overlay(source.fields, translation.fields)
            text_lang, path = lang, translation.source.path
            made_from.append(path)
        doc = Document(
            section,
            slug,
            lang,
            text_lang,
            _typed(section, pub.without(data)),
            path,
            tuple(made_from),
            outdated,
            translation.source_version if translation else None,
        )
        documents[(section, slug, lang)] = doc
        if lang != source_lang and (doc.fallback or doc.outdated) and not told:
            diagnostics.append(translation_note(doc, config))
    return Joined(inputs, documents, diagnostics)


def _severity(config: SiteConfig, lang: str, shows_source_text: bool = False) -> Severity:
    """How loud a note on a translation is: a warning (an error under --strict) in a language that must
    be complete; with `shows_source_text` (a page showing a text in the source language), also in one
    that leaves untranslated items out rather than show the source's; else a note."""
    return "warning" if lang in config.require_complete or (shows_source_text and config.omits(lang)) else "note"


def _untranslated_field(translation: CheckedItem, path: tuple[Any, ...], source: str, config: SiteConfig, copied: bool = False) -> Diagnostic:
    """A text the source has and its translation leaves out, or has word for word in Korean (`copied`, as a
    CAT tool may leave it): the page shows the source's text there. A warning where the source's text
    may not show: a language that must be complete, or leaves untranslated items out."""
    lang = translation.source.lang
    severity = _severity(config, lang, shows_source_text=True)
    if copied:
        line, column = translation.source.parsed.mark(path) or (None, None)
        message = Message(
            "expected a translation of this text of {source}, found its Korean text word for word, so the {lang} page shows it in Korean; "
            "translate it (a CAT tool may have copied the source into the translation)",
            source=source,
            lang=lang,
        )
        return Diagnostic(translation.source.path, line, column, ".".join(map(str, path)), message, severity)
    message = Message(
        "expected a translation of this text of {source}, found none, so the {lang} page shows the {source_lang} text; "
        "translate it here (copy it if it is the same in both languages)",
        source=source,
        lang=lang,
        source_lang=config.source_language,
    )
    return Diagnostic(translation.source.path, None, None, ".".join(map(str, path)), message, severity)


def _copied(source: CheckedItem, translation: CheckedItem, path: tuple[Any, ...]) -> bool:
    """Whether a translation's text is the source's word for word, and Korean (a name kept as it is is not)."""
    value = _get(translation.fields, path)
    return value == _get(source.fields, path) and bool(IS_HANGUL.search(str(value)))


def left_out_note(source: CheckedItem, lang: str, config: SiteConfig) -> Diagnostic:
    """An untranslated item in a language that leaves such items out (`untranslated: omit`)."""
    severity = _severity(config, lang)
    path = source.source.path.replace(f"content/{config.source_language}/", f"content/{lang}/", 1)
    return Diagnostic(
        path,
        None,
        None,
        None,
        Message(
            "expected a translation into {lang} of {source}, found none: the item is left out of the {lang} site until it is translated",
            lang=lang,
            source=source.source.path,
        ),
        severity,
    )


def translation_note(doc: Document, config: SiteConfig) -> Diagnostic:
    """A missing or out-of-date translation: a warning in a language that must be complete, else a note."""
    severity = _severity(config, doc.lang)
    source = doc.sources[0]
    if doc.fallback:
        path = source.replace(f"content/{config.source_language}/", f"content/{doc.lang}/", 1)
        return Diagnostic(
            path,
            None,
            None,
            None,
            Message(
                "expected a translation into {lang} of {source}, found none (readers see the {source_lang} text)",
                lang=doc.lang,
                source=source,
                source_lang=config.source_language,
            ),
            severity,
        )
    if doc.recorded_version is None:
        return Diagnostic(
            doc.path,
            None,
            None,
            "source_version",
            Message(
                "expected a record of the {source} version this translates, found none; check it, then run `sitegen i18n done {path}`",
                source=source,
                path=doc.path,
            ),
            severity,
        )
    return Diagnostic(
        doc.path,
        None,
        None,
        "source_version",
        Message(
            "expected a translation of the current {source}, found one of an earlier version; update it, then run `sitegen i18n done {path}` "
            "(`sitegen i18n status` shows what changed)",
            source=source,
            path=doc.path,
        ),
        severity,
    )


def unchecked_references(items: Iterable[SourceItem], checked: Iterable[CheckedItem], failed: Failed, source_lang: str) -> list[Diagnostic]:
    """check_references of the source items that did not pass their own check (`items`: every item read)."""
    checked = list(checked)
    if len(checked) == len(items := list(items)):  # every item passed: the dev server's usual save
        return []
    passed = {item.source.path: item for item in checked}
    sources = {item.source.key: item for item in passed.values() if item.source.lang == source_lang}
    return [
        d
        for item in items
        if item.lang == source_lang and item.path not in passed
        for d in check_references(item, item.parsed.data, sources, failed, source_lang)
    ]


# What each kind of item is called in a message, in the editor's language.
KIND_WORDS = {"cluster": Message("cluster"), "story": Message("story"), "page": Message("page")}


def unknown_slug(kind: str, slug: str, sources: Mapping[Key, CheckedItem]) -> str:
    """'expected a cluster slug (a, b), found 'x'', or with many, the closest ones."""
    section = BrochureSection(kind).section
    known = sorted(s for sec, s in sources if sec == section)
    if len(known) <= 8:
        return Message("expected a {kind} slug ({known}), found {slug!r}", kind=KIND_WORDS[kind], known=", ".join(known), slug=slug)
    close = difflib.get_close_matches(slug, known, n=3)
    hint = Message(" (did you mean {names}?)", names=", ".join(close)) if close else ""
    return Message("expected one of the {count} {section} slugs, found {slug!r}{hint}", count=len(known), section=KIND_WORDS[kind], slug=slug, hint=hint)


def check_references(item: SourceItem, fields: Mapping[str, Any], sources: Mapping[Key, CheckedItem], failed: Failed, source_lang: str) -> list[Diagnostic]:
    """Every item a story (its clusters) or a brochure (its sections, its back page) names must exist.
    `fields`: the item's checked fields, or, for an item that failed its own check, its fields as
    written, so that all of its errors are told at once; a value that is no slug has its own error."""
    references: list[tuple[tuple[Any, ...], str, Any]] = []
    if item.section == "stories" and isinstance(fields.get("clusters"), (list, tuple)):
        references += [(("clusters", i), "cluster", slug) for i, slug in enumerate(fields["clusters"])]
    if item.section == "brochures" and isinstance(fields.get("sections"), (list, tuple)):
        entries = [(i, entry) for i, entry in enumerate(fields["sections"]) if isinstance(entry, Mapping)]
        references += [(("sections", i, kind), kind, entry[kind]) for i, entry in entries for kind in ("page", "cluster", "story") if kind in entry]
    if item.section == "brochures" and "back_page" in fields:
        references.append((("back_page",), "page", fields["back_page"]))
    out = []
    for path, kind, slug in references:
        section = BrochureSection(kind).section
        if isinstance(slug, str) and SLUG_RE.fullmatch(slug) and (section, slug) not in sources and (source_lang, section, slug) not in failed:
            line, column = item.parsed.mark(path) or (None, None)
            field = "clusters" if path[0] == "clusters" else ".".join(map(str, path))
            out.append(Diagnostic(item.path, line, column, field, unknown_slug(kind, slug, sources)))
    return out  # a brochure's cover is read and checked as every image is (inputs.images)


def _check_neutral(source: CheckedItem, translation: CheckedItem, allowed: set[tuple[str, ...]]) -> list[Diagnostic]:
    """A translation may repeat a language-neutral value, never change it."""
    out = []
    for name in _moved_entries(source, translation):  # the source's own version: the translator's slip
        line, column = translation.source.parsed.mark((name,)) or (None, None)
        message = Message(
            "expected {count} entries as in {source}, found {found}; translate each entry in its place",
            count=len(source.fields[name]),
            source=source.source.path,
            found=len(translation.fields[name]),
        )
        out.append(Diagnostic(translation.source.path, line, column, name, message))
    if out:
        return out
    for path, value in _leaves(translation.fields):
        if any(path[: len(p)] == p for p in allowed):
            continue
        expected = _get(source.fields, path)
        if value != expected:
            line, column = translation.source.parsed.mark(path) or (None, None)
            name = ".".join(str(part) for part in path)
            out.append(
                Diagnostic(
                    translation.source.path,
                    line,
                    column,
                    name,
                    Message(
                        "expected {expected} as in {source}, found {found}; a translation must not change '{name}': remove it and the source's value is used",
                        expected=describe(_plain(expected)),
                        source=source.source.path,
                        found=describe(_plain(value)),
                        name=name,
                    ),
                )
            )
    return out


def _moved_entries(source: CheckedItem, translation: CheckedItem) -> list[str]:
    """The fields of entries (a brochure's sections) whose translation has more or fewer than the source."""
    return [
        name for name, value in translation.fields.items() if _is_entries(value) and _is_entries(base := source.fields.get(name)) and len(value) != len(base)
    ]


def _moved_note(source: CheckedItem, translation: CheckedItem, name: str, config: SiteConfig) -> Diagnostic:
    """A translation made before the source gained or lost entries: it cannot be laid over the source, and
    the item is shown (or left out) as an untranslated one is, with a note as loud as that one's."""
    lang = translation.source.lang
    severity = _severity(config, lang)
    line, column = translation.source.parsed.mark((name,)) or (None, None)
    message = Message(
        "expected the {count} entries {source} now has, found the {found} it had when this was translated; until this file is updated, "
        "the {lang} site shows the item as untranslated (`sitegen i18n status` shows what changed)",
        count=len(source.fields[name]),
        source=source.source.path,
        found=len(translation.fields[name]),
        lang=lang,
    )
    return Diagnostic(translation.source.path, line, column, name, message, severity)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, (Decimal, dt.date)) else value


def _is_entries(value: Any) -> TypeGuard[tuple[Any, ...]]:
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, dict) for v in value)


def _leaves(data: Mapping[str, Any], prefix: tuple[Any, ...] = ()) -> Iterable[tuple[tuple[Any, ...], Any]]:
    for name, value in data.items():
        if isinstance(value, dict):
            yield from _leaves(value, prefix + (name,))
        elif _is_entries(value):
            for index, entry in enumerate(value):
                yield from _leaves(entry, prefix + (name, index))
        else:
            yield prefix + (name,), value


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for name in path:
        if (isinstance(data, Mapping) and name in data) or (isinstance(data, tuple) and isinstance(name, int) and name < len(data)):
            data = data[name]
        else:
            return None
    return data


def _overlay(source: Mapping[str, Any], translation: Mapping[str, Any]) -> dict[str, Any]:
    """The source with the translation's values laid over it; lists of entries merge entry by entry."""
    merged = dict(source)
    for name, value in translation.items():
        base = merged.get(name)
        if isinstance(value, dict) and isinstance(base, dict):
            merged[name] = _overlay(base, value)
        elif _is_entries(value) and _is_entries(base) and len(value) == len(base):
            merged[name] = tuple(_overlay(b, v) for b, v in zip(base, value))
        else:
            merged[name] = value
    return merged


def _brochure_section(entry: Mapping[str, Any]) -> BrochureSection:
    if "text" in entry:
        return BrochureSection("text", text=entry["text"])
    kind = next(k for k in ("page", "cluster", "story") if k in entry)
    return BrochureSection(kind, slug=entry[kind])


def _typed(section: str, data: Mapping[str, Any]) -> Item:
    if section == HOME:
        return Home(**data)
    if section == "pages":
        return Page(**data)
    if section == "clusters":
        values = dict(data)
        values["members"] = Members(**data["members"])
        if "contact" in data:
            values["contact"] = Contact(**data["contact"])
        if "cover" in data:
            values["cover"] = Cover(**data["cover"])
        return Cluster(**values)
    if section == "brochures":
        values = dict(data)
        values["sections"] = tuple(_brochure_section(entry) for entry in data["sections"])
        if "cover" in data:
            values["cover"] = Cover(**data["cover"])
        return Brochure(**values)
    if section == "stories":
        values = dict(data)
        if "figures" in data:
            figures = dict(data["figures"])
            if "export_contracts" in figures:
                figures["export_contracts"] = Money(**figures["export_contracts"])
            values["figures"] = Figures(**figures)
        if "cover" in data:
            values["cover"] = Cover(**data["cover"])
        return Story(**values)
    raise KeyError(section)
