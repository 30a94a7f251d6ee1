"""Where things live in a site folder: the names every stage, and the change check, agree on.

Kept free of the libraries the stages use, so that `sitegen build` finds out that nothing changed
without loading Jinja, Markdown or Babel."""

from __future__ import annotations

import re

from .errors import Message

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


# Files that editors' tools leave beside the files they open: never inputs, and said so in a note.
_LEFTOVERS = (
    (re.compile(r"(?i)thumbs\.db|ehthumbs\.db"), Message("Windows keeps its thumbnails in")),
    (re.compile(r"(?i)desktop\.ini"), Message("Windows keeps a folder's settings in")),
    (re.compile(r"\.DS_Store|\._.*"), Message("macOS keeps a folder's settings in")),
    (re.compile(r"~\$.*"), Message("Word or Excel keeps while a document is open")),
    (re.compile(r"\.~lock\..*#"), Message("LibreOffice keeps while a document is open")),
    (re.compile(r"(?i).*\.tmp"), Message("a program keeps for a while")),
    (re.compile(r"\..*\.sw[a-p]"), Message("Vim keeps while a file is open")),
    (re.compile(r".*~|#.*#"), Message("an editor keeps as a backup")),
)


def leftover(name: str) -> str | None:
    """What made the file `name`, when an editor's tool leaves such files behind; else None."""
    for pattern, made in _LEFTOVERS:
        if pattern.fullmatch(name):
            return made
    return None


def leftover_note(rel: str, made: str) -> str:
    return Message(
        "left out of the site: {name!r} is a file {made}, not content; nothing to do (delete it if you like)", name=rel.rsplit("/", 1)[-1], made=made
    )


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
