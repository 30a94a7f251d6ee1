"""site.yaml is checked like content: errors with lines, unknown keys as warnings."""

import pytest

from sitegen.inputs.config import check_base_url, load_config
from sitegen.inputs.validate import Invalid


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
        "language_tags, title, description, author, fonts, regions, directory_urls, allow_raw_html, require_complete, untranslated (did you mean 'title'?)"
    ]


def test_bad_values_are_errors_with_lines(make_site):
    root = make_site({"site.yaml": "base_url: not a url\nlanguages: [ko, xx-nope]\ntitle: {ko: 가}\nregions: {}\n"})
    config, problems = load_config(root)
    assert config is None
    assert [p.format() for p in problems] == [
        "site.yaml:1:11: error: base_url: expected an http(s) URL such as https://example.org/portal/, found 'not a url' "
        "(a URL cannot hold ' ': percent-encode it, or write a non-ASCII host name in its xn-- form)",
        "site.yaml:2:17: error: languages.1: expected a language Babel knows (ko, en, ja, zh, vi, ...), found 'xx-nope'",
    ]


def test_missing_config_says_where_it_looked(tmp_path):
    config, problems = load_config(tmp_path)
    assert config is None
    assert "found no site.yaml" in problems[0].format()


# Base URLs a site may be published at, and ones that would send readers elsewhere, with the reason.
GOOD_BASE_URLS = [
    "https://example.org/portal/",
    "http://example.org",
    "HTTPS://Example.ORG/",
    "http://127.0.0.1:8000/",
    "http://[::1]:8000/preview/",
    "https://xn--9n2bp8q.kr/",
    "http://localhost:8000/",
    "https://x.org/a%20b/",
]
NO_HTTP = "a site is published at an http:// or https:// address"
NO_HOST = "it names no host"
BAD_PATH = "its path has an empty, '.' or '..' part"
BAD_BASE_URLS = {
    "javascript:alert(1)": NO_HTTP,
    "JavaScript:alert(1)//": NO_HTTP,
    "data:text/html,x": NO_HTTP,
    "file:///etc/passwd": NO_HTTP,
    "ftp://example.org/": NO_HTTP,
    "//evil.example": NO_HTTP,
    "": NO_HTTP,
    "http://": NO_HOST,
    "https://": NO_HOST,
    "http:///x": NO_HOST,
    "http:/evil.example": NO_HOST,
    "http:evil.example": NO_HOST,
    "https://good.org@evil.example/": "it holds a user name or password before '@'",
    "https://user:pass@example.org/": "it holds a user name or password before '@'",
    "https://good.org\\@evil.example/": "a URL cannot hold '\\\\': percent-encode it, or write a non-ASCII host name in its xn-- form",
    "https://example.org//evil.example/": BAD_PATH,
    "https://example.org/a/../": BAD_PATH,
    "https://example.org/%2e%2E/": BAD_PATH,
    "https://example.org/./": BAD_PATH,
    "https://example.org/?q=1": "a base URL has no query (?) or fragment (#)",
    "https://example.org/#top": "a base URL has no query (?) or fragment (#)",
    "https://example.org:99999/": "its host or port cannot be read",
    "https://[::1/": "its host or port cannot be read",
    "https://example.org:0/": "its port is not a number from 1 to 65535",
    "https://127.1/": "'127.1' is not a host name or IP address",
    "https://0x7f.0.0.1/": "'0x7f.0.0.1' is not a host name or IP address",
    "https://999.1.1.1/": "'999.1.1.1' is not a host name or IP address",
    "https://ex..ample/": "'ex..ample' is not a host name or IP address",
    "https://-x.example/": "'-x.example' is not a host name or IP address",
    "https://예시.kr/": "a URL cannot hold '예': percent-encode it, or write a non-ASCII host name in its xn-- form",
    "https://example.org/ a": "a URL cannot hold ' ': percent-encode it, or write a non-ASCII host name in its xn-- form",
    "https://example.org/\n": "a URL cannot hold '\\n': percent-encode it, or write a non-ASCII host name in its xn-- form",
    'https://example.org/"onmouseover=x': "a URL cannot hold '\"': percent-encode it, or write a non-ASCII host name in its xn-- form",
    "https://example.org/%zz": "a '%' in a URL starts a code of two hex digits, such as %20",
}


@pytest.mark.parametrize("url", GOOD_BASE_URLS)
def test_a_base_url_a_browser_reaches_is_accepted(url):
    assert check_base_url(url) == url


@pytest.mark.parametrize("url", BAD_BASE_URLS, ids=repr)
def test_a_base_url_that_leads_elsewhere_is_refused_with_the_reason(url):
    with pytest.raises(Invalid) as refused:
        check_base_url(url)
    assert str(refused.value).endswith(f"({BAD_BASE_URLS[url]})")


def test_site_yaml_base_url_is_refused_at_its_line(make_site):
    root = make_site()
    text = (root / "site.yaml").read_text().replace("https://example.org/portal/", "javascript:alert(1)//")
    (root / "site.yaml").write_text(text)
    config, problems = load_config(root)
    assert config is None
    assert [p.format() for p in problems] == [
        f"site.yaml:1:11: error: base_url: expected an http(s) URL such as https://example.org/portal/, found 'javascript:alert(1)//' ({NO_HTTP})"
    ]


def test_a_config_cannot_be_given_a_bad_base_url_by_a_caller_either(make_site):
    config, _ = load_config(make_site())
    assert config.with_base_url("https://preview.example.org/x").base_url == "https://preview.example.org/x/"
    with pytest.raises(ValueError, match=r"found '//evil\.example'"):
        config.with_base_url("//evil.example")
