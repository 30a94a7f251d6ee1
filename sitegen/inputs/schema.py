"""SourceItem -> checked fields per section, or diagnostics naming file, line and field."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..errors import Diagnostic, Message
from ..layout import ASSETS_DIR, HOME
from ..text import controls
from . import validate as v
from .config import SiteConfig
from .content import SourceItem
from .images import ImageRef, resolve, rewrite_markdown
from .validate import Field


@dataclass(frozen=True)
class CheckedItem:
    """A content file whose fields passed its section's schema."""

    source: SourceItem
    fields: dict[str, Any]
    source_version: str | None = None  # a translation's record of the source version it was made from
    version: str = ""  # a source's version: the fingerprint of its translatable fields
    images: tuple[ImageRef, ...] = ()  # every local image its texts and cover name
    # The fields as the editor wrote them, before image paths became the renderer's marks: what a
    # translator is sent and what is written back (sitegen i18n export and import).
    written: dict[str, Any] | None = None

    @property
    def as_written(self) -> dict[str, Any]:
        return self.written if self.written is not None else self.fields


# A translation records the version of the source it translates (see model.source_version).
VERSION_FIELD = "source_version"


# Bounds far beyond any real figure, so that a slip of the keyboard (or a hostile file) is refused
# at its line, not met while a template renders it: Babel cannot format a whole number of 4,000
# digits, nor can Python write out one of more than 4,300.
MOST_COUNTED = 1_000_000_000  # firms, members, a menu position
LARGEST_AMOUNT = 10**15  # a thousand trillion, in won, yen or dollars
AMOUNT_DECIMALS = 4  # no currency has more minor units (ISO 4217)
AMOUNT = Message("an amount such as 1000000")


def count(value: Any) -> int:
    """A whole number from 0 to MOST_COUNTED."""
    number = v.count(value)
    if number > MOST_COUNTED:
        raise v.Invalid(Message("a whole number up to {most:,}", most=MOST_COUNTED), value)
    return number


def amount(value: Any) -> Decimal:
    """A sum of money from 0 to LARGEST_AMOUNT, with at most AMOUNT_DECIMALS decimal places."""
    value = v.ungrouped(value)
    if isinstance(value, float) and not math.isfinite(value):  # .nan, .inf: "$NaN", "$∞" on the page
        raise v.Invalid(AMOUNT, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > LARGEST_AMOUNT:
        raise v.Invalid(Message("an amount up to {most:,}", most=LARGEST_AMOUNT), value)
    money = v.amount(value)
    if money.is_signed():  # -0.0: "-$0" on the page
        raise v.Invalid(AMOUNT, value)
    if -money.normalize().as_tuple().exponent > AMOUNT_DECIMALS:  # type: ignore[operator]
        raise v.Invalid(Message("{amount} with at most {decimals} decimal places", amount=AMOUNT, decimals=AMOUNT_DECIMALS), value)
    return money


NAMES = Message("names")
REGION = Message("a region key from site.yaml")


def _members() -> tuple[Field, ...]:
    return tuple(
        Field(name, count, required=True, doc=Message("a whole number")) for name in ("companies", "universities", "research_institutes", "support_agencies")
    )


def section_fields(section: str, config: SiteConfig) -> tuple[Field, ...]:
    """The schema of one section; regions come from the config."""
    names = tuple((name, key) for key, by_lang in config.regions.items() for name in by_lang.values())
    return _section_fields(section, tuple(config.regions), names)


@lru_cache(maxsize=64)
def _section_fields(section: str, regions: tuple[str, ...], names: tuple[tuple[str, str], ...] = ()) -> tuple[Field, ...]:
    region = v.one_of(regions, names)
    title = Field("title", v.text, required=True, translatable=True, doc=Message("a title"))
    summary = Field("summary", v.text, required=True, translatable=True, doc=Message("a one-sentence summary"))
    body = Field("body", v.markdown, translatable=True)
    # A story's or profile's picture on cards, as og:image and in the feed: written as a body's images are.
    cover = Field("cover", fields=(Field("image", v.image_path, required=True, doc=Message("an image path")), Field("alt", v.text, translatable=True)))
    if section == HOME:
        return (title, summary, body)
    return _items_fields(section, region, title, summary, body, cover) + PUBLISHING


# On the source, they hold an item back in every language (see publishing.hold); a translation may
# not change them.
PUBLISHING = (
    Field("draft", v.boolean, doc=Message("true or false")),
    Field("publish_date", v.date, doc=Message("a date like 2027-01-31")),
    Field("expiry_date", v.date, doc=Message("a date like 2027-12-31")),
)


def _items_fields(section: str, region: v.Check, title: Field, summary: Field, body: Field, cover: Field) -> tuple[Field, ...]:
    if section == "pages":
        return (title, Field("summary", v.text, translatable=True), Field("menu", count), body)
    if section == "clusters":
        return (
            title,
            summary,
            Field("region", region, required=True, doc=REGION),
            Field("industry", v.text, required=True, translatable=True, doc=Message("the industry in words")),
            Field("members", fields=_members(), required=True, doc=Message("member counts")),
            Field("study_groups", v.list_of(v.text, NAMES), translatable=True),
            Field("partners", v.list_of(v.text, NAMES), translatable=True),
            Field("activities", v.list_of(v.text, Message("sentences")), translatable=True),
            cover,
            Field(
                "contact",
                fields=(
                    Field("office", v.text, translatable=True),
                    Field("address", v.text, translatable=True),
                    Field("phone", v.text),
                    Field("email", v.email),
                    Field("url", v.url),
                ),
            ),
            body,
        )
    if section == "stories":
        money = (Field("amount", amount, required=True, doc=Message("an amount")), Field("currency", v.currency, required=True, doc=Message("a currency code")))
        return (
            title,
            summary,
            Field("date", v.date, required=True, doc=Message("a date like 2012-05-31")),
            Field("region", region, required=True, doc=REGION),
            Field("clusters", v.list_of(v.slug, Message("cluster slugs"))),
            Field(
                "figures",
                fields=(
                    Field("firms", count),
                    Field("partner_firms", count),
                    Field("export_contracts", fields=money),
                ),
            ),
            cover,
            body,
        )
    if section == "brochures":
        return (
            title,
            Field("subtitle", v.text, translatable=True),
            summary,
            # Its image written as every other image is (relative to this file); `alt` only for a
            # cover that says what its title beside it does not: otherwise it is decorative.
            Field("cover", fields=(Field("image", v.image_path), Field("text", v.text, translatable=True), Field("alt", v.text, translatable=True))),
            Field("sections", items=SECTION_KINDS, required=True, doc=Message("sections (text, page, cluster or story)")),
            Field("back_page", v.slug),
        )
    raise KeyError(section)


SECTION_KINDS = (
    Field("text", v.markdown, translatable=True),
    Field("page", v.slug),
    Field("cluster", v.slug),
    Field("story", v.slug),
)


def translatable(fields: tuple[Field, ...], data: dict[str, Any], prefix: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    """Paths in `data` that a translation may give (every other path is language-neutral)."""
    paths: set[tuple[Any, ...]] = set()
    for f in fields:
        if f.name in data:
            value = data[f.name]
            if f.translatable:
                paths.add(prefix + (f.name,))
            elif f.fields and isinstance(value, dict):
                paths |= translatable(f.fields, value, prefix + (f.name,))
            elif f.items and isinstance(value, tuple):
                for index, entry in enumerate(value):
                    paths |= translatable(f.items, entry, prefix + (f.name, index))
    return paths


def left_out(source_texts: set[tuple[Any, ...]], given: set[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The source's texts (its `translatable` paths) a translation does not give, in a stable order."""
    return sorted(source_texts - given, key=str)


def check_item(item: SourceItem, config: SiteConfig) -> tuple[CheckedItem | None, list[Diagnostic]]:
    """Check one file; a translation need not repeat required fields, it inherits them."""
    is_source = item.lang == config.source_language
    checker = v.Checker(item.path, item.parsed, require=is_source)
    data = dict(item.parsed.data)
    if item.body is not None:
        if "body" in data:
            checker.report(("body",), Message("expected the body below the front matter, found a 'body' field too"))
        elif item.body.strip():
            data["body"] = item.body
    fields = section_fields(item.section, config)
    if not is_source:
        fields += (Field(VERSION_FIELD, v.version),)
    clean = checker.check(data, fields)
    if item.section == "brochures" and is_source:
        _check_section_kinds(checker, data.get("sections"), clean.get("sections", ()))
    publish, expiry = clean.get("publish_date"), clean.get("expiry_date")
    if publish is not None and expiry is not None and expiry <= publish:
        checker.report(
            ("expiry_date",),
            Message("expected an expiry_date after the publish_date {publish}, found {expiry}; the item would never be shown", publish=publish, expiry=expiry),
        )
    checker.diagnostics += _invisible_characters(item)
    written = {name: value for name, value in clean.items() if name != VERSION_FIELD}
    images = _images(item, clean, checker)
    if any(d.severity == "error" for d in checker.diagnostics):
        return None, checker.diagnostics
    recorded = clean.pop(VERSION_FIELD, None)
    version = fingerprint(clean, translatable(fields, clean)) if is_source else ""
    return CheckedItem(item, clean, recorded, version, images, written), checker.diagnostics


def _invisible_characters(item: SourceItem) -> list[Diagnostic]:
    """Each character XML cannot hold in an item's body (at its line and column) or in a YAML value
    (written as an escape such as "\\v": at the value): invisible on the page, and no XLIFF file can
    carry one to a translator."""
    found = []
    for key, text in item.parsed.invisible:
        line, column = item.parsed.mark(key) or (None, None)
        name = ".".join(map(str, key))
        found += [Diagnostic(item.path, line, column, name, controls.invisible(f.char)) for f in controls.find(text)]
    if item.body is not None:
        for f in controls.find(item.body):
            found.append(Diagnostic(item.path, item.body_line + f.line - 1, f.column, "body", controls.invisible(f.char)))
    return found


def _images(item: SourceItem, clean: dict[str, Any], checker: v.Checker) -> tuple[ImageRef, ...]:
    """Each text's local images written as the renderer finds them (see images.MARK), in place in
    `clean`; a cover's path made the repository's; alt text checked."""
    refs: list[ImageRef] = []

    def text(value: str, key: tuple[Any, ...], place: tuple[int, int] | None) -> str:
        rewritten, found, problems = rewrite_markdown(value, item.path, place, ".".join(map(str, key)))
        refs.extend(found)
        checker.diagnostics.extend(problems)
        return rewritten

    if isinstance(clean.get("body"), str):
        if item.body is not None:
            place: tuple[int, int] | None = (item.body_line, 1)
        else:  # a YAML field: a block (| or >) starts on the line after its key's
            mark = item.parsed.mark(("body",))
            place = (mark[0] + 1, 1) if mark and "\n" in clean["body"] else mark
        clean["body"] = text(clean["body"], ("body",), place)
    sections = clean.get("sections")
    if isinstance(sections, tuple):
        entries = []
        for index, entry in enumerate(sections):
            if isinstance(entry, dict) and isinstance(entry.get("text"), str):
                mark = item.parsed.mark(("sections", index, "text"))
                entry = {**entry, "text": text(entry["text"], ("sections", index, "text"), (mark[0] + 1, 1) if mark else None)}
            entries.append(entry)
        clean["sections"] = tuple(entries)
    cover = clean.get("cover")
    if item.section in ("stories", "clusters", "brochures") and isinstance(cover, dict) and "image" in cover:
        line, column = item.parsed.mark(("cover", "image")) or (None, None)
        target = resolve(item.path, cover["image"])
        # A brochure's cover was once written from the repository's top (assets/x.svg): still read there.
        legacy = cover["image"] if item.section == "brochures" and cover["image"].startswith(f"{ASSETS_DIR}/") else None
        refs.append(ImageRef(item.path, line, column, "cover.image", cover["image"], target, cover.get("alt", ""), legacy))
        if target is not None:
            clean["cover"] = {**cover, "image": target}
        if "alt" not in cover and checker.require and item.section != "brochures":  # a translation inherits the source's
            checker.report(
                ("cover",),
                Message("expected cover.alt, the cover's alt text, found none; say what the picture shows, or write alt: '-' for one that only decorates"),
            )
    return tuple(refs)


def fingerprint(data: dict[str, Any], paths: set[tuple[Any, ...]]) -> str:
    """A source's version as translations record it: a hash of its translatable fields only,
    so a changed figure (which translations inherit) does not make them out of date."""
    chosen = {}
    for path in sorted(paths, key=lambda p: tuple(map(str, p))):
        value: Any = data
        for part in path:
            value = value[part]
        chosen[".".join(map(str, path))] = value
    canonical = json.dumps(chosen, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _check_section_kinds(checker: v.Checker, raw: Any, sections: tuple[dict[str, Any], ...]) -> None:
    """Each brochure section is exactly one kind; an unknown kind was already reported."""
    if not isinstance(raw, list):
        return
    names = [f.name for f in SECTION_KINDS]
    for index, (entry, clean) in enumerate(zip(raw, sections)):
        kinds = [name for name in names if name in clean]
        if len(kinds) > 1:
            checker.report(
                ("sections", index), Message("expected one of {names}, found {kinds} in one section", names=", ".join(names), kinds=" and ".join(kinds))
            )
        elif not kinds and isinstance(entry, dict) and not entry:
            checker.report(("sections", index), Message("expected one of {names}, found an empty section", names=", ".join(names)))
