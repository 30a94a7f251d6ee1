"""The editor's messages in the editor's language: gettext catalogs of sitegen's own messages
(sitegen/catalogs/<lang>.po), chosen by --messages or the locale (LANG), English by default.

Only the text after `severity: field:` is translated: paths, line and column, the severity and
the field stay as they are, so the compiler's format stays parseable in every language.

Every message is an errors.Message whose first argument is its English template, a literal, so
that pybabel finds them as it finds the portal's UI strings (under the keyword Message alone, so
that none goes into the portal's locale/messages.pot):

    pybabel extract --no-default-keywords -k Message --no-location --sort-output \
        -o sitegen/catalogs/messages.pot sitegen
    pybabel update --no-fuzzy-matching --ignore-obsolete -i sitegen/catalogs/messages.pot \
        -o sitegen/catalogs/ko.po -l ko    # and ja, zh

tests/test_messages.py fails while a message has no translation."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

CATALOGS = Path(__file__).parent / "catalogs"
Translate = Callable[[str], str]


def available() -> tuple[str, ...]:
    """The languages sitegen can speak besides English."""
    return tuple(sorted(path.stem for path in CATALOGS.glob("*.po")))


def chosen(option: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The messages' language: the option, else the locale's (LC_ALL, LC_MESSAGES, LANG, as gettext
    reads them), else English. 'ko_KR.UTF-8' is ko; a language with no catalog is English."""
    if option:
        return option
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            code = value.split(".", 1)[0].split("_", 1)[0].split("-", 1)[0].lower()
            return code if code in available() else "en"
    return "en"


@lru_cache(maxsize=8)
def translator(lang: str) -> Translate | None:
    """gettext for `lang`'s catalog, read in memory with Babel; None for English."""
    path = CATALOGS / f"{lang}.po"
    if lang == "en" or not path.is_file():
        return None
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        catalog = read_po(file, locale=lang)
    table = {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy}
    return lambda template: table.get(template, template)


# The language this command speaks, chosen once by the cli (see use): what the dev server's error
# page, made on the server's threads long after the command line was read, is said in.
_speaking = ["en"]


def use(lang: str) -> None:
    """Speak `lang` from now on in this process (the cli calls it once, with the chosen language)."""
    _speaking[0] = lang


def speaking() -> str:
    """The language this process speaks: 'en' unless the cli chose another."""
    return _speaking[0]
