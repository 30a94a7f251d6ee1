"""`sitegen new KIND SLUG`: a valid Korean source with every field explained, ready to fill in."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .inputs.config import SiteConfig
from .inputs.validate import MAX_SLUG, SLUG_RE
from .layout import CONTENT_DIR, SECTIONS

KINDS = {"cluster": "clusters", "story": "stories", "page": "pages", "brochure": "brochures"}


def scaffold(config: SiteConfig, kind: str, slug: str, today: dt.date | None = None) -> tuple[Path, str]:
    """Write the new file; return its path and a note on what to do next. Raises ValueError on a bad slug or
    an existing file, OSError when the file cannot be written."""
    if not SLUG_RE.fullmatch(slug):
        raise ValueError(f"expected a slug of lowercase letters, digits and hyphens, found {slug!r}")
    if len(slug) > MAX_SLUG:
        raise ValueError(f"expected a slug of at most {MAX_SLUG} characters, found {len(slug)}; choose a shorter one")
    section = KINDS[kind]
    rel = f"{CONTENT_DIR}/{config.source_language}/{section}/{slug}{SECTIONS[section]}"
    path = config.root / rel
    if path.exists() or path.is_symlink():
        raise ValueError(f"{rel} exists already; choose another slug or edit it")
    regions = ", ".join(config.regions)
    first_region = next(iter(config.regions))
    text = TEMPLATES[kind].format(regions=regions, region=first_region, date=(today or dt.date.today()).isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file, never one a link put in its place leads to.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666), "w", encoding="utf-8") as handle:
        handle.write(text)
    others = ", ".join(f"{CONTENT_DIR}/{code}/{section}/{slug}{SECTIONS[section]}" for code in config.codes if code != config.source_language)
    return path, f"{rel}: written. Fill it in; translations go in {others}, with only the text they translate."


TEMPLATES = {
    "cluster": """# A mini-cluster profile. Fields marked (required) must be there; see docs/content.md.
# (required) the cluster's name
title: 새 미니클러스터
# (required) one sentence, for lists and search results
summary: 미니클러스터를 한 문장으로 소개하세요.
# (required) one of: {regions}
region: {region}
# (required) the industry, in words
industry: 업종을 쓰세요
# (required) member counts, whole numbers; the total is computed
members:
  companies: 0
  universities: 0
  research_institutes: 0
  support_agencies: 0
# study groups, partner clusters and activities: lists of text
study_groups: []
partners: []
activities: []
# contact: office, address, phone, email, url (all optional)
contact:
  url: https://www.kicox.or.kr
# the cluster's story, in Markdown (use ## for headings)
body: |
  ## 소개
  본문을 쓰세요.
""",
    "story": """---
# A success story. Fields marked (required) must be there; see docs/content.md.
# (required) the story's title
title: 새 성공사례
# (required) one sentence, for lists, feeds and search results
summary: 성공사례를 한 문장으로 요약하세요.
# (required) the date, YYYY-MM-DD
date: {date}
# (required) one of: {regions}
region: {region}
# slugs of the clusters the story is about, e.g. [changwon-machinery]
clusters: []
# figures (optional): firms, partner_firms, export_contracts: {{amount: 1000000, currency: USD}}
# Photos: make this file a folder's index.md (stories/<slug>/index.md) and put them beside it.
# cover (optional), a path relative to this file, with alt text: {{image: photo.jpg, alt: what it shows}}
# In the body: ![what the photo shows](photo.jpg "a caption")
---
## 배경

본문을 Markdown으로 쓰세요.
""",
    "page": """---
# A page. Fields marked (required) must be there; see docs/content.md.
# (required) the page's title
title: 새 페이지
# one sentence, for search results
summary: 페이지를 한 문장으로 소개하세요.
# position in the main navigation (leave it out to keep the page out of the menu)
# menu: 4
---
## 개요

본문을 Markdown으로 쓰세요.
""",
    "brochure": """# A brochure: a web view, a print view and an A4 PDF per language. See docs/content.md.
# (required) the brochure's title
title: 새 안내서
subtitle: 부제목
# (required) one sentence, for the web view and the PDF's subject
summary: 안내서를 한 문장으로 소개하세요.
# cover: image (a path relative to this file, e.g. cover.jpg beside it, or ../../../assets/cover.svg) and text
cover:
  text: 표지 문구
# (required) the sections, in order: text (Markdown), or page, cluster or story (a slug)
sections:
  - text: |
      ## 소개
      본문을 쓰세요.
# back_page: a page slug for the back page, e.g. contact
""",
}
