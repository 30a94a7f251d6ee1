"""site.yaml is checked like content: errors with lines, unknown keys as warnings."""

from sitegen.config import load_config


def test_the_mini_site_config_loads(make_site):
    config, problems = load_config(make_site())
    assert problems == []
    assert config.codes == ("ko", "en", "ja")
    assert config.base_url == "https://example.org/portal/"
    assert [lang.name for lang in config.languages] == ["한국어", "English", "日本語"]


def test_chinese_is_simplified_by_default(make_site):
    root = make_site({"site.yaml": "base_url: https://x.org\nlanguages: [ko, zh]\ntitle: {ko: 가, zh: 甲}\nregions: {a: {ko: 가, zh: 甲}}\n"})
    config, problems = load_config(root)
    assert problems == []
    assert config.language("zh").tag == "zh-Hans"
    assert config.base_url == "https://x.org/"


def test_unknown_key_is_a_warning_with_a_suggestion(make_site):
    root = make_site()
    text = (root / "site.yaml").read_text() + "titel: oops\n"
    (root / "site.yaml").write_text(text)
    config, problems = load_config(root)
    assert config is not None
    assert [p.format() for p in problems] == [
        "site.yaml:8:8: warning: titel: unknown field; expected one of base_url, source_language, languages, "
        "language_tags, title, description, author, fonts, regions, directory_urls, allow_raw_html, require_complete (did you mean 'title'?)"
    ]


def test_bad_values_are_errors_with_lines(make_site):
    root = make_site({"site.yaml": "base_url: not a url\nlanguages: [ko, xx-nope]\ntitle: {ko: 가}\nregions: {}\n"})
    config, problems = load_config(root)
    assert config is None
    assert [p.format() for p in problems] == [
        "site.yaml:1:11: error: base_url: expected an http(s) URL, found 'not a url'",
        "site.yaml:2:17: error: languages.1: expected a language Babel knows (ko, en, ja, zh, vi, ...), found 'xx-nope'",
    ]


def test_missing_config_says_where_it_looked(tmp_path):
    config, problems = load_config(tmp_path)
    assert config is None
    assert "found no site.yaml" in problems[0].format()
