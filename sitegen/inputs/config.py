"""site.yaml -> SiteConfig, validated like content."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from babel import Locale, UnknownLocaleError

from ..errors import Diagnostic, Message, Severity, describe, did_you_mean
from ..layout import CONFIG_NAME
from . import validate as v
from .files import Refused, read_input
from .yamlfile import Parsed, YamlError, parse_yaml

# hreflang and <html lang> tags where the bare code is ambiguous (DESIGN: zh is Simplified).
DEFAULT_TAGS = {"zh": "zh-Hans"}
DEFAULT_LOCALES = {"zh": "zh_Hans"}
# The PDF font family of each language; Debian's fonts-noto-cjk has them all, Latin included.
DEFAULT_FONTS = {"ko": "Noto Sans CJK KR", "ja": "Noto Sans CJK JP", "zh": "Noto Sans CJK SC"}
FALLBACK_FONT = "Noto Sans CJK KR"
# What a language does with an item it has no translation of (site.yaml `untranslated`).
FALLBACK = "fallback"  # shown from the source language, with a notice
OMIT = "omit"  # left out of that language's site until it is translated
POLICIES = (FALLBACK, OMIT)


@dataclass(frozen=True)
class Language:
    code: str  # folder and URL segment: ko, en, ja, zh
    tag: str  # BCP 47 tag for <html lang> and hreflang: zh-Hans
    locale: str  # Babel locale identifier: zh_Hans

    @property
    def babel(self) -> Locale:
        return _locale(self.locale)

    @property
    def name(self) -> str:
        """The language's name in itself (한국어, English, 日本語, 中文), from CLDR."""
        return _name(self.locale) or self.code


@cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


@cache
def _name(identifier: str) -> str:
    locale = _locale(identifier)
    return locale.language_name or locale.display_name or ""


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    base_url: str
    source_language: str
    languages: tuple[Language, ...]  # the source language first
    title: Mapping[str, str]
    description: Mapping[str, str]
    regions: Mapping[str, Mapping[str, str]]
    directory_urls: bool = True
    require_complete: tuple[str, ...] = ()
    allow_raw_html: bool = False  # raw HTML and script URLs in Markdown run only when the site says so
    author: Mapping[str, str] = field(default_factory=dict)
    fonts: Mapping[str, str] = field(default_factory=dict)
    # Per language, what an item with no translation in it becomes: FALLBACK (the default) or OMIT.
    untranslated: Mapping[str, str] = field(default_factory=dict)

    def omits(self, code: str) -> bool:
        """Whether `code` leaves an untranslated item out of its site rather than showing the source's text."""
        return self.untranslated.get(code, FALLBACK) == OMIT

    def font(self, code: str) -> str:
        return self.fonts.get(code) or DEFAULT_FONTS.get(code, FALLBACK_FONT)

    def text(self, values: Mapping[str, str], code: str) -> str:
        """A per-language config text in `code`, or the source language's."""
        return values.get(code) or values.get(self.source_language, "")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    @property
    def translation_codes(self) -> tuple[str, ...]:
        """The languages the source language is translated into."""
        return tuple(code for code in self.codes if code != self.source_language)

    def language(self, code: str) -> Language:
        return self._by_code[code]

    @cached_property
    def _by_code(self) -> dict[str, Language]:
        # A page asks for a dozen languages: a lookup, not a search.
        return {lang.code: lang for lang in self.languages}

    def region_name(self, key: str, lang: str) -> str:
        names = self.regions[key]
        return names.get(lang) or names[self.source_language]

    def with_base_url(self, base_url: str) -> SiteConfig:
        """This config published at `base_url` (sitegen build --base-url); ValueError if it cannot be."""
        try:
            return replace(self, base_url=_slash(check_base_url(base_url)))
        except v.Invalid as exc:
            raise ValueError(str(exc)) from None


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


BASE_URL = Message("an http(s) URL such as https://example.org/portal/")
# What a URL may hold as written (RFC 3986): a space, a quote or a backslash is not one, and a
# browser reads a backslash as a slash, so http://good.org\@evil.org would lead to evil.org.
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class BadBaseUrl(v.Invalid):
    """A base URL that is not one, with the reason in words."""

    def __init__(self, found: object, why: Message):
        super().__init__(BASE_URL, found)
        self.message = Message("{problem} ({why})", problem=self.message, why=why)
        self.args = (str(self.message),)


def check_base_url(value: Any) -> str:
    """The published site's URL as site.yaml and --base-url give it: http(s), a host, a plain path.

    Every page's links start with it (its path is the root of the site's root-relative links), so
    anything that would lead a browser elsewhere is refused: another scheme, no host, credentials,
    a query or fragment, and an empty, '.' or '..' path segment (a path of //evil.org/ would make
    the links //evil.org/en/...)."""
    if not isinstance(value, str):
        raise v.Invalid(BASE_URL, value)
    if not URL_CHARACTERS.fullmatch(value):
        odd = next(char for char in value if not URL_CHARACTERS.fullmatch(char))
        raise BadBaseUrl(value, Message("a URL cannot hold {odd!r}: percent-encode it, or write a non-ASCII host name in its xn-- form", odd=odd))
    if re.search(r"%(?![0-9A-Fa-f]{2})", value):
        raise BadBaseUrl(value, Message("a '%' in a URL starts a code of two hex digits, such as %20"))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise BadBaseUrl(value, Message("its host or port cannot be read")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadBaseUrl(value, Message("a site is published at an http:// or https:// address"))
    if not value.lower().startswith(f"{parts.scheme.lower()}://") or not parts.hostname:
        raise BadBaseUrl(value, Message("it names no host"))
    if "@" in parts.netloc:
        raise BadBaseUrl(value, Message("it holds a user name or password before '@'"))
    if not _host(parts.hostname):
        raise BadBaseUrl(value, Message("{host!r} is not a host name or IP address", host=parts.hostname))
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise BadBaseUrl(value, Message("its port is not a number from 1 to 65535"))
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise BadBaseUrl(value, Message("a base URL has no query (?) or fragment (#)"))
    if "//" in parts.path or any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        raise BadBaseUrl(value, Message("its path has an empty, '.' or '..' part"))
    return value


def _host(name: str) -> bool:
    """A DNS name, a dotted-quad IPv4 address or an IPv6 address (already unbracketed and lowercased)."""
    if ":" in name:
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return False
        return True
    labels = name.split(".")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):  # 127.1 and 0x7f.1 are IPv4 too, to a browser
        try:
            return str(ipaddress.IPv4Address(name)) == name
        except ValueError:
            return False
    return len(name) <= 253 and all(HOST_LABEL.fullmatch(label) for label in labels)


def _language_code(value: Any) -> str:
    if not isinstance(value, str) or not v.SLUG_RE.fullmatch(value):
        raise v.Invalid(Message("a language code such as ko or en"), value)
    try:
        Locale.parse(DEFAULT_LOCALES.get(value, value))
    except (UnknownLocaleError, ValueError):
        raise v.Invalid(Message("a language Babel knows (ko, en, ja, zh, vi, ...)"), value) from None
    return value


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise v.Invalid(Message("a mapping of language code to text"), value)
    return value


FIELDS = (
    v.Field("base_url", check_base_url, required=True, doc=Message("the published site's URL")),
    v.Field("source_language", _language_code, doc=Message("the language every item starts in")),
    v.Field("languages", v.list_of(_language_code, Message("language codes")), required=True, doc=Message("a list of language codes")),
    v.Field("language_tags", _text_map, doc=Message("BCP 47 tags by language code")),
    v.Field("title", _text_map, required=True, doc=Message("the site title in each language")),
    v.Field("description", _text_map),
    v.Field("author", _text_map, doc=Message("the publisher's name in each language (PDF metadata)")),
    v.Field("fonts", _text_map, doc=Message("PDF font family by language code")),
    v.Field("regions", _text_map, required=True, doc=Message("region keys with their names in each language")),
    v.Field("directory_urls", v.boolean),
    v.Field("allow_raw_html", v.boolean, doc=Message("let Markdown bodies carry raw HTML (off: it is shown as text)")),
    v.Field("require_complete", v.list_of(_language_code, Message("language codes"))),
    v.Field("untranslated", lambda value: value, doc=Message("fallback or omit, or a mapping of language code to fallback or omit")),
)


def _policy(value: Any) -> str:
    if value not in POLICIES:
        raise v.Invalid(Message("fallback (shown from the source with a notice) or omit (left out until translated)"), value)
    return str(value)


def _untranslated(checker: v.Checker, value: Any, codes: list[str]) -> dict[str, str]:
    """`untranslated: omit` for every language, or `untranslated: {en: omit, ja: fallback}`."""
    if value is None:
        return {}
    entries = value if isinstance(value, dict) else dict.fromkeys(codes[1:], value)
    out: dict[str, str] = {}
    for code, policy in entries.items():
        key = ("untranslated", code) if isinstance(value, dict) else ("untranslated",)
        if code not in codes:
            checker.report(key, _not_a_language(code, codes))
            continue
        try:
            out[code] = _policy(policy)
        except v.Invalid as exc:
            checker.report(key, exc.message)
    return out


def load_config(root: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Read and check site.yaml in `root`; return None and the diagnostics when it is unusable."""
    try:
        text = read_input(root, CONFIG_NAME).decode("utf-8")
    except Refused as exc:
        if exc.missing:
            missing = Message(
                "expected the site's config file, found no {name} in {root}; run sitegen in the site folder, or name it with --source",
                name=CONFIG_NAME,
                root=str(root),
            )
            return None, [Diagnostic(CONFIG_NAME, None, None, None, missing)]
        return None, [exc.diagnostic()]
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        odd = Message("expected UTF-8 text, found byte {byte:#04x}; save the file as UTF-8", byte=exc.object[exc.start])
        return None, [Diagnostic(CONFIG_NAME, line, None, None, odd)]
    try:
        parsed = parse_yaml(text)
    except YamlError as exc:
        return None, [Diagnostic(CONFIG_NAME, exc.line, exc.column, None, exc.message)]
    checker = v.Checker(CONFIG_NAME, parsed, unknown="warning")
    clean = checker.check(parsed.data, FIELDS)
    config = _build(root, clean, parsed, checker)
    diagnostics = checker.diagnostics
    if any(d.severity == "error" for d in diagnostics):
        return None, diagnostics
    return config, diagnostics


def _build(root: Path, clean: dict[str, Any], parsed: Parsed, checker: v.Checker) -> SiteConfig | None:
    codes = list(clean.get("languages", ()))
    if not codes or "base_url" not in clean or "title" not in clean or "regions" not in clean:
        return None
    if len(set(codes)) != len(codes):
        twice = sorted({code for code in codes if codes.count(code) > 1})
        checker.report(("languages",), Message("expected each language once, found {codes} more than once; delete the repeated line", codes=", ".join(twice)))
    source = clean.get("source_language", codes[0])
    if source not in codes:
        checker.report(("source_language",), _not_a_language(source, codes))
        return None
    for code in clean.get("require_complete", ()):
        if code not in codes:
            checker.report(("require_complete",), _not_a_language(code, codes))
    tags = {**DEFAULT_TAGS, **clean.get("language_tags", {})}
    ordered = [source] + [c for c in codes if c != source]
    languages = tuple(Language(code, str(tags.get(code, code)), DEFAULT_LOCALES.get(code, code)) for code in ordered)
    title = _per_language(checker, ("title",), clean["title"], ordered, required=True)
    description = _per_language(checker, ("description",), clean.get("description", {}), ordered, required=False)
    author = _per_language(checker, ("author",), clean.get("author", {}), ordered, required=False)
    fonts = _per_language(checker, ("fonts",), clean.get("fonts", {}), ordered, required=False)
    regions: dict[str, Mapping[str, str]] = {}
    for key, names in clean["regions"].items():
        try:
            v.slug(key)
        except v.Invalid as exc:
            checker.report(("regions", key), exc.message)
            continue
        if not isinstance(names, dict):
            checker.report(("regions", key), Message("expected the region's name in each language, found {found}", found=describe(names)))
            continue
        regions[key] = MappingProxyType(_per_language(checker, ("regions", key), names, ordered, required=True))
    return SiteConfig(
        root=root,
        base_url=_slash(clean["base_url"]),
        source_language=source,
        languages=languages,
        title=MappingProxyType(title),
        description=MappingProxyType(description),
        regions=MappingProxyType(regions),
        directory_urls=clean.get("directory_urls", True),
        allow_raw_html=clean.get("allow_raw_html", False),
        require_complete=tuple(clean.get("require_complete", ())),
        author=MappingProxyType(author),
        fonts=MappingProxyType(fonts),
        untranslated=MappingProxyType(_untranslated(checker, clean.get("untranslated"), ordered)),
    )


def _per_language(checker: v.Checker, key: tuple[str, ...], value: dict[str, Any], codes: list[str], required: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, text in value.items():
        if code not in codes:
            checker.report(key + (code,), _not_a_language(code, codes), "warning")
            continue
        try:
            out[code] = v.text(text)
        except v.Invalid as exc:
            checker.report(key + (code,), exc.message)
    if required:
        for code in codes:
            if code not in out:
                severity: Severity = "error" if code == codes[0] else "warning"
                checker.report(key, Message("expected text for '{code}', found none; add a line '{code}: ...' under it", code=code), severity)
    return out


def _not_a_language(code: object, codes: list[str]) -> Message:
    """A language code that is not one of site.yaml's languages, with the closest one."""
    fix = did_you_mean(str(code), codes)
    return Message("expected one of the languages {codes}, found {code!r}{fix}", codes=", ".join(codes), code=code, fix=fix)
