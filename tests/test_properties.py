"""Any bytes as a file either load or give a diagnostic with a path and line: never a traceback, never a hang."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.content import parse_item
from sitegen.errors import Diagnostic
from sitegen.i18n import read_catalog
from sitegen.schema import check_item

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Bytes that look like our files more often than random bytes do: YAML and front-matter pieces.
PIECES = st.sampled_from([
    b"---\n", b"title: ", b"summary: ", b"date: 2012-05-31", b"date: 2012-13-01", b"region: dongnam", b"members:\n",
    b"  companies: ", b"73", b"-1", b"many", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"!!python/object:os.system ",
    b"\n", b"  ", b"\t", b":", b"- ", b"'", b'"', b"\xef\xbb\xbf", b"\r\n", b"\x00", b"\xff", "한글".encode(), b"|\n",
    b"clusters: [", b"figures:\n", b"  export_contracts: {amount: 1e309, currency: usd}", b"sections:\n", b"  - text: ",
    b"  - video: x", b"source_version: ", b"0123456789ab", b"? ", b"%YAML 1.1\n", b"--- !!map\n", b"<<: *a\n",
])
FILES = st.one_of(st.binary(max_size=400), st.lists(PIECES, max_size=40).map(b"".join))
SECTIONS = st.sampled_from([("stories", ".md"), ("pages", ".md"), ("clusters", ".yaml"), ("brochures", ".yaml"), ("home", ".md")])


def assert_located(diagnostic: Diagnostic, path: str) -> None:
    assert diagnostic.path == path
    assert diagnostic.message.startswith(("expected", "unknown field"))


@FUZZ
@given(data=FILES, section=SECTIONS, lang=st.sampled_from(["ko", "en"]))
def test_any_content_file_loads_or_is_diagnosed(config, data, section, lang):
    name, ext = section
    rel = f"content/{lang}/{name}/fuzz{ext}" if name != "home" else f"content/{lang}/_index.md"
    item = parse_item(data, rel, lang, name, "fuzz" if name != "home" else "index")
    if isinstance(item, Diagnostic):
        assert_located(item, rel)
        assert item.line is None or item.line >= 1
        return
    checked, problems = check_item(item, config)
    for problem in problems:
        assert_located(problem, rel)
        assert problem.line is not None and problem.line >= 1
    assert checked is not None or problems


@FUZZ
@given(data=FILES)
def test_any_site_yaml_loads_or_is_diagnosed(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("config")
    (root / "site.yaml").write_bytes(data)
    config, problems = load_config(root)
    assert config is not None or problems
    for problem in problems:
        assert problem.path == "site.yaml"


PO_PIECES = st.sampled_from([
    b'msgid ""\n', b'msgstr ""\n', b'"Content-Type: text/plain; charset=UTF-8\\n"\n', b'msgid "Home"\n', b'msgstr "\xe3\x83\x9b"\n',
    b'#, fuzzy\n', b'#, python-format\n', b'msgid_plural "x"\n', b'msgstr[0] "%(num)s"\n', b'msgstr[1] ""\n', b'msgctxt "c"\n',
    b'"unterminated\n', b'\\', b'\n', b'#~ msgid "old"\n', b'\xff', b'msgstr[9] "x"\n', b'"Plural-Forms: nplurals=x; plural=(n;\\n"\n',
])


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.lists(PO_PIECES, max_size=30).map(b"".join)))
def test_any_po_file_loads_or_is_diagnosed(config, data):
    path = config.root / "locale/ja/LC_MESSAGES/messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    catalog, problems = read_catalog(config, config.language("ja"))
    for problem in problems:
        assert problem.path == "locale/ja/LC_MESSAGES/messages.po"
        assert problem.message.startswith(("expected", "msgid"))
