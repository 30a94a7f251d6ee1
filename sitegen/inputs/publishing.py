"""What a build publishes: drafts, publish and expiry dates, and the day they are judged against."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Message

# Set to a date like 2026-12-07 to build as on that day: tests, and a build that must come out
# byte-identical later. SOURCE_DATE_EPOCH is not used for this: it is usually the last commit's
# time, which would keep the daily scheduled build from ever publishing a held item on its day.
TODAY_ENV = "SITEGEN_TODAY"
FIELDS = ("draft", "publish_date", "expiry_date")

# Why an item is held back, in the words of diagnostics and banners.
DRAFT = "draft"
SCHEDULED = "scheduled"
EXPIRED = "expired"


@dataclass(frozen=True)
class Publishing:
    """The day of the build and which held items it shows anyway (each with a banner)."""

    today: dt.date
    drafts: bool = False
    future: bool = False

    def shows(self, reason: str) -> bool:
        return (reason == DRAFT and self.drafts) or (reason == SCHEDULED and self.future)


def today(option: dt.date | None = None, environ: Mapping[str, str] | None = None) -> dt.date:
    """The build's day: --today, else $SITEGEN_TODAY, else today in UTC; ValueError for a bad $SITEGEN_TODAY."""
    if option is not None:
        return option
    value = (environ if environ is not None else os.environ).get(TODAY_ENV, "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(Message("{name}: expected a date like 2026-12-07, found {value!r}", name=TODAY_ENV, value=value)) from None
    return dt.datetime.now(dt.UTC).date()


def hold(fields: Mapping[str, Any], day: dt.date) -> str | None:
    """Why an item with these source fields is not published on `day`, or None when it is."""
    if fields.get("draft"):
        return DRAFT
    publish = fields.get("publish_date")
    if publish is not None and publish > day:
        return SCHEDULED
    expiry = fields.get("expiry_date")
    if expiry is not None and expiry <= day:
        return EXPIRED
    return None


def without(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields with the publishing ones taken out: they say when, not what, a page shows."""
    return {name: value for name, value in fields.items() if name not in FIELDS}
