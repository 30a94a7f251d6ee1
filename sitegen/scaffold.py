"""`sitegen new KIND SLUG`: a valid Korean source with every field explained, ready to fill in."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .errors import Message, Translate, said
from .inputs.config import SiteConfig
from .inputs.files import Refused, check_new_file
from .inputs.validate import MAX_SLUG, SLUG_RE
from .layout import CONTENT_DIR, SECTIONS

KINDS = {"cluster": "clusters", "story": "stories", "page": "pages", "brochure": "brochures"}


def scaffold(config: SiteConfig, kind: str, slug: str, today: dt.date | None = None, translate: Translate | None = None) -> tuple[Path, str]:
    """Write the new file, its comments in the language of `translate` (English by default); return its
    path and a note on what to do next (a Message, for the caller to say). Raises ValueError on a bad
    slug or an existing file, OSError when the file cannot be written."""
    if not SLUG_RE.fullmatch(slug):
        raise ValueError(Message("expected a slug of lowercase letters, digits and hyphens, found {slug!r}; write it like new-factory-2024", slug=slug))
    if len(slug) > MAX_SLUG:
        raise ValueError(Message("expected a slug of at most {most} characters, found {count}; choose a shorter one", most=MAX_SLUG, count=len(slug)))
    section = KINDS[kind]
    rel = f"{CONTENT_DIR}/{config.source_language}/{section}/{slug}{SECTIONS[section]}"
    path = config.root / rel
    if path.exists() or path.is_symlink():
        raise ValueError(Message("{path} exists already; choose another slug or edit it", path=rel))
    lines = templates(", ".join(config.regions), next(iter(config.regions)), (today or dt.date.today()).isoformat())[kind]
    text = "".join(f"# {said(line, translate)}\n" if isinstance(line, Message) else f"{line}\n" for line in lines)
    try:
        check_new_file(config.root, rel, CONTENT_DIR, rel)
    except Refused as exc:
        raise ValueError(exc.message) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file, never one a link put in its place leads to.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666), "w", encoding="utf-8") as handle:
        handle.write(text)
    others = ", ".join(f"{CONTENT_DIR}/{code}/{section}/{slug}{SECTIONS[section]}" for code in config.translation_codes)
    note = Message("{path}: written. Fill it in; translations go in {others}, with only the text they translate.", path=rel, others=others)
    return path, note


Line = str | Message  # a Message is a comment, said in the editor's language


def templates(regions: str, region: str, date: str) -> dict[str, tuple[Line, ...]]:
    """Each kind's new file, line by line: the YAML in Korean (the source language), the comments
    that explain it as Messages."""
    required = Message("(required) one of: {regions}", regions=regions)
    return {
        "cluster": (
            Message("A mini-cluster profile. Fields marked (required) must be there; see docs/content.md."),
            Message("(required) the cluster's name"),
            "title: 새 미니클러스터",
            Message("a draft: sitegen serve shows it with a banner, the published site leaves it out until you delete this line"),
            "draft: true",
            Message("(required) one sentence, for lists and search results"),
            "summary: 미니클러스터를 한 문장으로 소개하세요.",
            required,
            f"region: {region}",
            Message("(required) the industry, in words"),
            "industry: 업종을 쓰세요",
            Message("(required) member counts, whole numbers; the total is computed"),
            "members:",
            "  companies: 0",
            "  universities: 0",
            "  research_institutes: 0",
            "  support_agencies: 0",
            Message("study groups, partner clusters and activities: lists of text"),
            "study_groups: []",
            "partners: []",
            "activities: []",
            Message("contact: office, address, phone, email, url (all optional)"),
            "contact:",
            "  url: https://www.kicox.or.kr",
            Message("the cluster's story, in Markdown (use ## for headings)"),
            "body: |",
            "  ## 소개",
            "  본문을 쓰세요.",
        ),
        "story": (
            "---",
            Message("A success story. Fields marked (required) must be there; see docs/content.md."),
            Message("(required) the story's title"),
            "title: 새 성공사례",
            Message("a draft: sitegen serve shows it with a banner, the published site leaves it out until you delete this line"),
            "draft: true",
            Message("(required) one sentence, for lists, feeds and search results"),
            "summary: 성공사례를 한 문장으로 요약하세요.",
            Message("(required) the date, YYYY-MM-DD"),
            f"date: {date}",
            required,
            f"region: {region}",
            Message("slugs of the clusters the story is about, e.g. [changwon-machinery]"),
            "clusters: []",
            Message("figures (optional): firms, partner_firms, export_contracts: {{amount: 1000000, currency: USD}}"),
            Message("Photos: make this file a folder's index.md (stories/<slug>/index.md) and put them beside it."),
            Message("cover (optional), a path relative to this file, with alt text: {{image: photo.jpg, alt: what it shows}}"),
            Message('In the body: ![what the photo shows](photo.jpg "a caption")'),
            "---",
            "## 배경",
            "",
            "본문을 Markdown으로 쓰세요.",
        ),
        "page": (
            "---",
            Message("A page. Fields marked (required) must be there; see docs/content.md."),
            Message("(required) the page's title"),
            "title: 새 페이지",
            Message("a draft: sitegen serve shows it with a banner, the published site leaves it out until you delete this line"),
            "draft: true",
            Message("one sentence, for search results"),
            "summary: 페이지를 한 문장으로 소개하세요.",
            Message("position in the main navigation (leave it out to keep the page out of the menu)"),
            "# menu: 4",
            "---",
            "## 개요",
            "",
            "본문을 Markdown으로 쓰세요.",
        ),
        "brochure": (
            Message("A brochure: a web view, a print view and an A4 PDF per language. See docs/content.md."),
            Message("(required) the brochure's title"),
            "title: 새 안내서",
            Message("a draft: sitegen serve shows it with a banner, the published site leaves it out until you delete this line"),
            "draft: true",
            "subtitle: 부제목",
            Message("(required) one sentence, for the web view and the PDF's subject"),
            "summary: 안내서를 한 문장으로 소개하세요.",
            Message("cover: image (a path relative to this file, e.g. cover.jpg beside it, or ../../../assets/cover.svg) and text"),
            "cover:",
            "  text: 표지 문구",
            Message("(required) the sections, in order: text (Markdown), or page, cluster or story (a slug)"),
            "sections:",
            "  - text: |",
            "      ## 소개",
            "      본문을 쓰세요.",
            Message("back_page: a page slug for the back page, e.g. contact"),
        ),
    }
