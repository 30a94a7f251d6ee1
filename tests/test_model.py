"""Translations join their source: text from the translation, facts from the source."""

from sitegen.build import BuildOptions, build


def site_of(root, **options):
    report = build(BuildOptions(source=root, out=None, **options))
    return report.site, report


def test_a_document_per_item_and_language(make_site):
    site, _ = site_of(make_site())
    assert sorted(k for k in site.documents if k[0] == "stories") == [
        ("stories", "oita-lsi", "en"), ("stories", "oita-lsi", "ja"), ("stories", "oita-lsi", "ko")]


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
