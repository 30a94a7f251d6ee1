"""What a command asks a build for; read before any stage runs, by the change check too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


class UsageError(Exception):
    """The command was asked for something that cannot be: exit code 2."""

    exit_code = 2


class UnknownName(UsageError):
    """A name given to a command that the site does not have (a language, an item, a folder): exit
    code 1, as for a brochure that is not there; the message names what the site has."""

    exit_code = 1


@dataclass(frozen=True)
class BuildOptions:
    source: Path = Path(".")
    out: Path | None = None  # None: check only, write nothing
    languages: tuple[str, ...] | None = None
    strict: bool = False
    base_url: str | None = None
    pdf: bool = True
    search: bool = True  # a Pagefind index in the output
    cache: bool = True  # keep rendered Markdown and PDFs in the user's cache folder for the next build
    pdf_slugs: tuple[str, ...] | None = None  # only these brochures' PDFs (sitegen pdf SLUG)
    jobs: int = 1
    drafts: bool = False  # show items marked `draft: true` (with a banner): sitegen serve, --drafts
    future: bool = False  # show items whose publish_date is after `today` (with a banner): --future
    today: dt.date | None = None  # the day publish_date and expiry_date are judged against (see publishing.today)
