"""UI catalogs compiled in memory; CLDR formats for each locale."""

import datetime as dt
from decimal import Decimal

from sitegen.inputs.config import Language, load_config
from sitegen.inputs.i18n import date, load_catalogs, money, number

KO, EN, JA, ZH = (Language("ko", "ko", "ko"), Language("en", "en", "en"), Language("ja", "ja", "ja"), Language("zh", "zh-Hans", "zh_Hans"))


def test_dates_in_each_locale():
    day = dt.date(2012, 5, 31)
    assert [date(day, lang) for lang in (KO, EN, JA, ZH)] == ["2012년 5월 31일", "May 31, 2012", "2012年5月31日", "2012年5月31日"]


def test_money_in_compact_form():
    million = Decimal(1_000_000)
    assert [money(million, "USD", lang) for lang in (KO, EN, JA, ZH)] == ["US$100만", "$1M", "$100万", "US$100万"]
    assert money(Decimal(1_500_000), "USD", EN) == "$1.5M"


def test_numbers_group_digits():
    assert number(12345, EN) == "12,345"


PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def test_fuzzy_entries_never_reach_a_page(make_site):
    root = make_site({"locale/ja/LC_MESSAGES/messages.po": PO_HEADER + '#, fuzzy\nmsgid "Home"\nmsgstr "ホーム"\n\nmsgid "Region"\nmsgstr "地域"\n'})
    config, _ = load_config(root)
    catalogs, problems = load_catalogs(config, ("ja",))
    assert problems == []
    assert catalogs.translations["ja"].gettext("Home") == "Home"
    assert catalogs.translations["ja"].gettext("Region") == "地域"
    assert catalogs.untranslated["ja"] == ("Home",)


def test_po_syntax_error_names_file_and_line(make_site):
    root = make_site({"locale/ja/LC_MESSAGES/messages.po": PO_HEADER + 'msgid "Home"\nmsgstr "ホーム\n'})
    config, _ = load_config(root)
    _, problems = load_catalogs(config, ("ja",))
    assert [(p.path, p.line, p.severity) for p in problems] == [("locale/ja/LC_MESSAGES/messages.po", 6, "error")]


def test_lost_placeholder_is_an_error(make_site):
    root = make_site(
        {"locale/ja/LC_MESSAGES/messages.po": PO_HEADER + '#, python-format\nmsgid "%(num)s member"\nmsgid_plural "%(num)s members"\nmsgstr[0] "会員"\n'}
    )
    config, _ = load_config(root)
    _, problems = load_catalogs(config, ("ja",))
    assert len(problems) == 1 and problems[0].line == 6 and "%(num)s member" in problems[0].message


def test_catalog_for_an_unconfigured_language_is_reported(make_site):
    root = make_site({"locale/fr/LC_MESSAGES/messages.po": PO_HEADER})
    config, _ = load_config(root)
    _, problems = load_catalogs(config, ("ko",))
    assert any(p.path == "locale/fr" for p in problems)


def test_markup_a_translation_adds_is_an_error_at_its_line_in_words_a_translator_knows(make_site):
    """A translator's tags and character references are reported at the msgid's line; the markup a
    template author put in the msgid may be moved about; a fuzzy entry, never shown, waits until confirmed."""
    po = PO_HEADER + (
        'msgid "Home"\nmsgstr "<script>alert(1)</script>ホーム"\n\n'  # line 5
        '#, python-format\nmsgid "<strong>%(num)s</strong> Korean firm took part"\n'  # line 9
        'msgid_plural "<strong>%(num)s</strong> Korean firms took part"\n'
        'msgstr[0] "韓国企業<strong>%(num)s</strong>社が<em>参加</em>"\n\n'
        '#, python-format\nmsgid "<strong>%(amount)s</strong> in export contracts"\n'  # line 14: moved, allowed
        'msgstr "輸出契約額<strong>%(amount)s</strong>"\n\n'
        'msgid "Search"\nmsgstr "検索&nbsp;する"\n\n'  # line 17
        '#, fuzzy\nmsgid "Region"\nmsgstr "<b>地域</b>"\n'
    )
    root = make_site({"locale/ja/LC_MESSAGES/messages.po": po})
    config, _ = load_config(root)
    _, problems = load_catalogs(config, ("ja",))
    assert [p.format() for p in problems] == [
        "locale/ja/LC_MESSAGES/messages.po:5: error: expected the translation of 'Home' to be text, found markup '<script>', '</script>'; remove it",
        "locale/ja/LC_MESSAGES/messages.po:9: error: expected the translation of '<strong>%(num)s</strong> Korean firm took part' (msgstr[0])"
        " to have no markup but the English text's ('<strong>', '</strong>'), found markup '<em>', '</em>'; remove it",
        "locale/ja/LC_MESSAGES/messages.po:17: error: expected the translation of 'Search' to be text, found markup '&nbsp;'; write the character itself",
    ]
