"""Where things live in a site folder: the names every stage, and the change check, agree on.

Kept free of the libraries the stages use, so that `sitegen build` finds out that nothing changed
without loading Jinja, Markdown or Babel."""

from __future__ import annotations

CONFIG_NAME = "site.yaml"
CONTENT_DIR = "content"
ASSETS_DIR = "assets"
TEMPLATES_DIR = "templates"
LOCALE_DIR = "locale"
HOME_FILE = "_index.md"
HOME = "home"
# Section folder -> the one file extension its items use.
SECTIONS = {"clusters": ".yaml", "stories": ".md", "pages": ".md", "brochures": ".yaml"}
# A page bundle: content/<lang>/<section>/<slug>/index.md (or .yaml), with its images beside it.
BUNDLE_INDEX = "index"


def identify(rel: str) -> tuple[str, str, str] | None:
    """(lang, section, slug) of a content path such as content/ja/stories/oita-lsi.md or a bundle's
    content/ja/stories/oita-lsi/index.md."""
    parts = rel.split("/")
    if len(parts) == 3 and parts[0] == CONTENT_DIR and parts[2] == HOME_FILE:
        return parts[1], HOME, "index"
    if len(parts) == 4 and parts[0] == CONTENT_DIR and parts[2] in SECTIONS and parts[3].endswith(SECTIONS[parts[2]]):
        return parts[1], parts[2], parts[3][: -len(SECTIONS[parts[2]])]
    if len(parts) == 5 and parts[0] == CONTENT_DIR and parts[2] in SECTIONS and parts[4] == BUNDLE_INDEX + SECTIONS[parts[2]]:
        return parts[1], parts[2], parts[3]
    return None
