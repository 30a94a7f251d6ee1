"""Translations join their source: text from the translation, facts from the source."""

import os

import pytest

from sitegen.deps import scan
from sitegen.inputs.config import load_config
from sitegen.inputs.content import read_content, reread
from sitegen.inputs.model import ModelMemo, build_site
from sitegen.options import BuildOptions
from sitegen.pipeline import build, check_items


def site_of(root, **options):
    report = build(BuildOptions(source=root, out=None, **options))
    return report.site, report


def test_a_document_per_item_and_language(make_site):
    site, _ = site_of(make_site())
    assert sorted(k for k in site.documents if k[0] == "stories") == [
        ("stories", "oita-lsi", "en"),
        ("stories", "oita-lsi", "ja"),
        ("stories", "oita-lsi", "ko"),
    ]


def test_translation_text_with_source_facts(make_site):
    site, _ = site_of(make_site())
    doc = site.get("clusters", "changwon", "en")
    assert doc.item.title == "Changwon Machinery Parts Mini-Cluster"
    assert doc.item.members.total == 91 and doc.item.region == "dongnam"
    assert doc.sources == ("content/ko/clusters/changwon.yaml", "content/en/clusters/changwon.yaml")
    assert not doc.fallback


def test_missing_translation_falls_back_to_the_source(make_site):
    site, _ = site_of(make_site())
    doc = site.get("stories", "oita-lsi", "ja")
    assert doc.fallback and doc.text_lang == "ko" and doc.path == "content/ko/stories/oita-lsi.md"


def test_a_translation_may_repeat_a_figure_unchanged(make_site):
    root = make_site({"content/en/clusters/changwon.yaml": "title: Changwon\nmembers: {companies: 73}\nregion: dongnam\n"})
    site, report = site_of(root)
    assert report.ok, [d.format() for d in report.diagnostics]
    assert site.get("clusters", "changwon", "en").item.title == "Changwon"


def test_a_translation_may_not_change_a_date(make_site):
    root = make_site({"content/en/stories/oita-lsi.md": "---\ntitle: Oita\ndate: 2012-06-01\n---\n"})
    _, report = site_of(root)
    assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
        "content/en/stories/oita-lsi.md:3:7: error: date: expected '2012-05-31' as in content/ko/stories/oita-lsi.md, "
        "found '2012-06-01'; a translation must not change 'date': remove it and the source's value is used"
    ]


def test_only_the_languages_asked_for_are_modelled(make_site):
    site, _ = site_of(make_site(), languages=("en",))
    assert site.languages == ("en",)
    assert {k[2] for k in site.documents} == {"en"}


def test_clusters_list_their_stories(make_site):
    site, _ = site_of(make_site())
    assert [d.slug for d in site.stories_of("changwon", "en")] == ["oita-lsi"]
    assert [d.slug for d in site.nav("ko")] == ["program"]


SECOND_STORY = """---
title: 두 번째 이야기
summary: 요약
date: 2013-01-15
region: dongnam
clusters: [changwon]
---
본문.
"""


def read_and_check(root, parsed, checked_cache, tree=None, edited=()):
    """Read (all, or only the edited files again, as a rebuild does) and check, with caches kept."""
    config, _ = load_config(root)
    if tree is None:
        tree, _ = read_content(config, parsed, scan(root))
    else:
        tree, _ = reread(tree, root, list(edited), parsed, scan(root))
    checked, _ = check_items(tree.items, config, checked_cache)
    return config, tree, checked


def every_list(site):
    return {(section, lang): [d.slug for d in site.section(section, lang)] for section in ("stories", "clusters", "pages") for lang in site.languages} | {
        ("stories_of", lang): [d.slug for d in site.stories_of("changwon", lang)] for lang in site.languages
    }


@pytest.mark.parametrize(
    "path, old, new, from_the_last",
    [
        ("content/ko/stories/second.md", "date: 2013-01-15", "date: 2011-01-15", True),  # moves it down the list
        ("content/ko/stories/second.md", "clusters: [changwon]", "clusters: []", True),  # leaves the cluster's stories
        ("content/en/stories/oita-lsi.md", "title: ", "title: Edited ", True),  # a translation's text
        ("content/ko/stories/oita-lsi.md", "region: chungcheong", "region: nowhere", False),  # now fails its check
        ("content/en/stories/oita-lsi.md", "title: ", "region: nowhere\ntitle: ", False),  # a translation that now fails its own
    ],
)
def test_a_site_made_from_an_edit_equals_one_made_from_scratch(make_site, path, old, new, from_the_last):
    root = make_site({"content/ko/stories/second.md": SECOND_STORY})
    parsed, checked_cache, memo = {}, {}, ModelMemo()
    config, tree, checked = read_and_check(root, parsed, checked_cache)
    before, _ = build_site(checked, config, None, tree.failed(checked), tree.assets, memo)
    every_list(before)  # the lists a render asks for, sorted once and carried over where the edit cannot move them
    file = root / path
    file.write_text(file.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 1_000_000))

    config, tree, checked = read_and_check(root, parsed, checked_cache, tree, [path])
    edited, edited_problems = build_site(checked, config, None, tree.failed(checked), tree.assets, memo)
    fresh, fresh_problems = build_site(checked, config, None, tree.failed(checked), tree.assets)
    assert (("clusters", "en") in edited.orders) == from_the_last  # made from the last site, or from scratch
    assert edited.documents == fresh.documents and edited.stories_by_cluster == fresh.stories_by_cluster
    assert every_list(edited) == every_list(fresh)
    assert edited_problems == fresh_problems


def test_an_edit_of_one_text_joins_only_that_item_and_keeps_the_lists(make_site):
    root = make_site({"content/ko/stories/second.md": SECOND_STORY})
    parsed, checked_cache, memo = {}, {}, ModelMemo()
    config, tree, checked = read_and_check(root, parsed, checked_cache)
    before, _ = build_site(checked, config, None, tree.failed(checked), tree.assets, memo)
    every_list(before)
    file = root / "content/ko/stories/second.md"
    file.write_text(file.read_text(encoding="utf-8").replace("본문.", "새 본문."), encoding="utf-8")
    os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 1_000_000))
    config, tree, checked = read_and_check(root, parsed, checked_cache, tree, ["content/ko/stories/second.md"])
    after, _ = build_site(checked, config, None, tree.failed(checked), tree.assets, memo)
    assert after.get("stories", "second", "en").item.body == "새 본문.\n"
    assert after.get("clusters", "changwon", "en") is before.get("clusters", "changwon", "en")  # not joined again
    assert after.orders == before.orders and after.stories_index == before.stories_index  # nothing sorted again


def test_a_translation_that_fails_its_check_is_told_by_its_errors_not_said_to_be_missing(make_site):
    root = make_site({"content/en/stories/oita-lsi.md": "---\nregion: nowhere\ntitle: Oita\n---\n"})
    site, report = site_of(root)
    said = [d.format() for d in report.diagnostics if d.path == "content/en/stories/oita-lsi.md"]
    assert len(said) == 1 and said[0].startswith("content/en/stories/oita-lsi.md:2:9: error: region: expected one of"), said
    assert site.get("stories", "oita-lsi", "en").fallback  # shown in Korean meanwhile, as an untranslated item is


@pytest.mark.parametrize("untranslated, severity", [("fallback", "note"), ("omit", "warning")])
def test_a_translation_that_leaves_out_a_text_says_the_page_shows_the_source_text_there(make_site, untranslated, severity):
    """An English story without its summary shows the Korean one on the English page, in lists and the feed:
    a warning (so an error under --strict) where the site promises readers no Korean text."""
    root = make_site({"content/en/stories/oita-lsi.md": "---\ntitle: Oita\n---\n## How it began\nAn exchange.\n"})
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"untranslated: {{en: {untranslated}}}\n", encoding="utf-8")
    site, report = site_of(root)
    said = [d.format() for d in report.diagnostics if d.path == "content/en/stories/oita-lsi.md" and d.field != "source_version"]
    assert said == [
        f"content/en/stories/oita-lsi.md: {severity}: summary: expected a translation of this text of content/ko/stories/oita-lsi.md, "
        "found none, so the en page shows the ko text; translate it here (copy it if it is the same in both languages)"
    ]
    assert site.get("stories", "oita-lsi", "en").item.summary == "수출 계약 100만 달러"


def test_a_brochure_with_a_bad_field_still_has_its_missing_sections_told_in_the_same_build(make_site):
    brochure = (
        "title: 안내\nsummary: 요약\ncover: {text: 표지}\nsubtitle: [not, text]\nsections:\n  - story: oita-lsii\n  - page: Program\nback_page: contacts\n"
    )
    _, report = site_of(make_site({"content/ko/brochures/guide.yaml": brochure}))
    assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
        "content/ko/brochures/guide.yaml:4:11: error: subtitle: expected text, found a list",
        "content/ko/brochures/guide.yaml:6:12: error: sections.0.story: expected a story slug (oita-lsi), found 'oita-lsii'",
        "content/ko/brochures/guide.yaml:7:11: error: sections.1.page: expected a slug of lowercase letters, digits and hyphens, found 'Program'",
        "content/ko/brochures/guide.yaml:8:12: error: back_page: expected a page slug (program), found 'contacts'",
    ]


GUIDE = "title: 안내\nsummary: 요약\ncover: {text: 표지}\nsections:\n  - text: 첫 절\n  - story: oita-lsi\n"
GUIDE_EN = "source_version: {version}\ntitle: Guide\nsummary: Summary\ncover: {{text: Cover}}\nsections:\n  - text: First part\n  - story: oita-lsi\n"


def test_a_section_added_to_the_source_leaves_the_translation_out_of_date_not_wrong(make_site):
    """The Korean editor adds a section: the translations are out of date, which blocks nobody's build."""
    root = make_site({"content/ko/brochures/guide.yaml": GUIDE, "content/en/brochures/guide.yaml": GUIDE_EN.format(version="0123456789ab")})
    guide = root / "content/ko/brochures/guide.yaml"
    guide.write_text(GUIDE.replace("sections:\n", "sections:\n  - text: 새 절\n"), encoding="utf-8")
    site, report = site_of(root)
    assert report.ok
    said = [d.format() for d in report.diagnostics if d.path == "content/en/brochures/guide.yaml"]
    assert said == [
        "content/en/brochures/guide.yaml:6:3: note: sections: expected the 3 entries content/ko/brochures/guide.yaml now has, found the 2 it had "
        "when this was translated; until this file is updated, the en site shows the item as untranslated (`sitegen i18n status` shows what changed)"
    ]
    english = site.get("brochures", "guide", "en")
    assert english.fallback and english.item.title == "안내"


def test_a_translation_of_the_current_source_with_a_section_too_few_is_an_error(make_site):
    root = make_site({"content/ko/brochures/guide.yaml": GUIDE})
    version = next(c.version for c in read_and_check(root, {}, {})[2] if c.source.slug == "guide")
    (root / "content/en/brochures").mkdir()
    (root / "content/en/brochures/guide.yaml").write_text(GUIDE_EN.format(version=version).replace("  - story: oita-lsi\n", ""), encoding="utf-8")
    _, report = site_of(root)
    assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
        "content/en/brochures/guide.yaml:6:3: error: sections: expected 2 entries as in content/ko/brochures/guide.yaml, found 1; translate each entry in its place"
    ]


def test_a_translation_whose_text_is_the_korean_source_word_for_word_says_so_at_its_line(make_site):
    """A CAT tool that copies the source into an empty target: the English page would show Korean."""
    root = make_site({"content/en/stories/oita-lsi.md": "---\ntitle: Oita\nsummary: 수출 계약 100만 달러\n---\n## How it began\nAn exchange.\n"})
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "untranslated: {en: omit}\n", encoding="utf-8")
    _, report = site_of(root)
    said = [d.format() for d in report.diagnostics if d.path == "content/en/stories/oita-lsi.md" and d.field == "summary"]
    assert said == [
        "content/en/stories/oita-lsi.md:3:10: warning: summary: expected a translation of this text of content/ko/stories/oita-lsi.md, "
        "found its Korean text word for word, so the en page shows it in Korean; translate it (a CAT tool may have copied the source into the translation)"
    ]
