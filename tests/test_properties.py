"""Any bytes as a file either load or give a diagnostic with a path and line: never a traceback, never a hang."""

from __future__ import annotations

import os
import re

import html5lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import Diagnostic
from sitegen.inputs.config import load_config
from sitegen.inputs.content import parse_item
from sitegen.inputs.i18n import read_catalog
from sitegen.inputs.schema import check_item
from sitegen.text import markdown
from sitegen.text.markdown import render_markdown
from sitegen.text.urlsafety import URL_ATTRIBUTES, read_unsafe_urls, unsafe_urls

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Bytes that look like our files more often than random bytes do: YAML and front-matter pieces.
PIECES = st.sampled_from(
    [
        b"---\n",
        b"title: ",
        b"summary: ",
        b"date: 2012-05-31",
        b"date: 2012-13-01",
        b"region: dongnam",
        b"members:\n",
        b"  companies: ",
        b"73",
        b"-1",
        b"many",
        b"[",
        b"]",
        b"{",
        b"}",
        b"&a ",
        b"*a",
        b"!!python/object:os.system ",
        b"\n",
        b"  ",
        b"\t",
        b":",
        b"- ",
        b"'",
        b'"',
        b"\xef\xbb\xbf",
        b"\r\n",
        b"\x00",
        b"\xff",
        "한글".encode(),
        b"|\n",
        b"clusters: [",
        b"figures:\n",
        b"  export_contracts: {amount: 1e309, currency: usd}",
        b"sections:\n",
        b"  - text: ",
        b"  - video: x",
        b"source_version: ",
        b"0123456789ab",
        b"? ",
        b"%YAML 1.1\n",
        b"--- !!map\n",
        b"<<: *a\n",
    ]
)
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


PO_PIECES = st.sampled_from(
    [
        b'msgid ""\n',
        b'msgstr ""\n',
        b'"Content-Type: text/plain; charset=UTF-8\\n"\n',
        b'msgid "Home"\n',
        b'msgstr "\xe3\x83\x9b"\n',
        b"#, fuzzy\n",
        b"#, python-format\n",
        b'msgid_plural "x"\n',
        b'msgstr[0] "%(num)s"\n',
        b'msgstr[1] ""\n',
        b'msgctxt "c"\n',
        b'"unterminated\n',
        b"\\",
        b"\n",
        b'#~ msgid "old"\n',
        b"\xff",
        b'msgstr[9] "x"\n',
        b'"Plural-Forms: nplurals=x; plural=(n;\\n"\n',
    ]
)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.lists(PO_PIECES, max_size=30).map(b"".join)))
def test_any_po_file_loads_or_is_diagnosed(config, data):
    path = config.root / "locale/ja/LC_MESSAGES/messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    _catalog, problems = read_catalog(config, config.language("ja"))
    for problem in problems:
        assert problem.path == "locale/ja/LC_MESSAGES/messages.po"
        assert problem.message.startswith(("expected", "msgid"))


# URLs: pieces of what an attacker would write to hide a scheme from a check that reads the text
# as written, rather than as a browser decodes it.
URL_PIECES = st.sampled_from(
    [
        "javascript",
        "JaVaScRiPt",
        "java",
        "script",
        "vbscript",
        "data",
        "https",
        "http",
        "mailto",
        "tel",
        "x",
        ":",
        "&#58;",
        "&#0058",
        "&#x3a;",
        "&#X3A",
        "&colon;",
        "&colon",
        "&#106;",
        "&#x6A;",
        "&Tab;",
        "&NewLine;",
        "&#9;",
        "&#10;",
        "&#13;",
        "&#32;",
        "&#1;",
        "&#0;",
        "&amp;",
        "&amp",
        "&",
        "#",
        "/",
        "//",
        "?",
        ".",
        "-",
        "+",
        "1",
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x01",
        "\x0c",
        "\x1f",
        "%3A",
        "%6A",
        "\\",
        "alert(1)",
        ",",
        "'",
        '"',
        "=",
        "é",
        "\u00a0",
        "text/html,x",
    ]
)
URLS = st.lists(URL_PIECES, max_size=12).map("".join)
ATTRIBUTES = st.sampled_from(["href", "HREF", "src", "action", "formaction", "poster", "data", "cite", "xlink:href", "title", "content", "alt"])
SPACING = st.sampled_from(["", " ", "\n", " \t "])


@st.composite
def tags(draw: st.DrawFn) -> str:
    """A start tag with attributes quoted each way, or not at all, and spaced any way."""
    name = draw(st.sampled_from(["a", "img", "form", "video", "object", "blockquote", "iframe", "svg", "meta", "p"]))
    attributes = []
    for _ in range(draw(st.integers(0, 3))):
        value = draw(URLS)
        quote = draw(st.sampled_from(['"', "'", ""]))
        value = value.replace(quote, "") if quote else "".join(c for c in value if c not in " \t\n\r\x0c>\"'=<`") or "x"
        attributes.append(f"{draw(ATTRIBUTES)}{draw(SPACING)}={draw(SPACING)}{quote}{value}{quote}")
    return f"<{name}" + "".join(f"{draw(st.sampled_from([' ', chr(10), '/ ']))}{a}" for a in attributes) + ">"


# Text and markup around the tags: quotes, commas and colons in the text, a srcset beside them, and
# comments, which a browser may end sooner than Python's html.parser does.
PAGE_PIECES = st.one_of(
    tags(),
    st.sampled_from(
        [
            "text",
            '"Note: a," she said: "b:',
            "Tel: 1, fax: 2",
            "</a>",
            "</p>\n",
            '<img srcset="a.png 1x, b.png 2x">',
            "&amp;",
            ",",
            "'",
            "<!--",
            "-->",
            "<!-->",
            "<!--->",
            "--!>",
            "<![CDATA[",
            "]]>",
            ">",
            "\n",
        ]
    ),
)
PAGES = st.lists(PAGE_PIECES, max_size=12).map("".join)


def unsafe_scheme(value: str) -> str | None:
    """The scheme a browser reads from an attribute already decoded by its HTML parser, if it is
    outside the allow-list (the URL parser's first steps, written out again here)."""
    url = value.strip("".join(map(chr, range(0x21)))).replace("\t", "").replace("\n", "").replace("\r", "")
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    scheme = found.group(1).lower() if found else None
    return scheme if scheme not in (None, "http", "https", "mailto", "tel") else None


@FUZZ
@given(page=PAGES)
def test_every_url_a_browser_would_read_with_a_scheme_not_allowed_is_reported(page):
    data = page.encode("utf-8")
    reported = {(attribute, url.split(":")[0].lower()) for _, _, _, attribute, url in unsafe_urls(data)}
    # What the screen lets pass, a reading of the whole page would not have found either.
    assert unsafe_urls(data) == read_unsafe_urls(data)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    for element in tree.iter():
        for name, value in element.attrib.items():
            name = name if isinstance(name, str) else f"xlink:{name[1]}"  # html5lib names foreign attributes (namespace, name)
            if name in URL_ATTRIBUTES and unsafe_scheme(value):
                assert (name, unsafe_scheme(value)) in reported, (name, value)


# Markdown: bodies made of the constructs that carry a URL, with the pieces above as their URLs.
MARKDOWN_URLS = st.lists(URL_PIECES.filter(lambda p: p not in ("\n", "\r", " ", "\t")), max_size=8).map("".join)


@st.composite
def markdown_bodies(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        url, title = draw(MARKDOWN_URLS), draw(st.sampled_from(["", ' "t"', " 't'", " (t)"]))
        blocks.append(
            draw(
                st.sampled_from(
                    [
                        f"[link]({url}{title})",
                        f"![image]({url}{title})",
                        f"[link](<{url}>)",
                        f"[link][r]\n\n[r]: {url}{title}",
                        f"![image][r]\n\n[r]: <{url}>",
                        f"A note[^1].\n\n[^1]: [link]({url})",
                        f"| a | b |\n|---|---|\n| [link]({url}) | x |",
                        f"## [heading]({url})",
                        f"> [quote]({url})",
                        f"* [item]({url})",
                        f"<{url}>",
                        f'<a href="{url}" onclick="x()">a</a>',
                        f"<script>location='{url}'</script>",
                        f"```\n[code]({url})\n```",
                        f"`[code]({url})`",
                        f"\\[not]({url})",
                    ]
                )
            )
        )
    return "\n\n".join(blocks)


@FUZZ
@given(body=markdown_bodies())
def test_no_markdown_body_gives_a_script_url_a_script_or_an_event_handler(body):
    tree = html5lib.parse(render_markdown(body).html, namespaceHTMLElements=False)
    assert tree.findall(".//script") == []
    for element in tree.iter():
        assert not [name for name in element.attrib if str(name).lower().startswith("on")]
        if element.tag in ("a", "img"):  # their URLs: a title or an alt text such as 'Note: ...' is text
            assert not [value for name, value in element.attrib.items() if name in URL_ATTRIBUTES and unsafe_scheme(value)], element.attrib


# Pieces of Markdown that split a body into paragraphs, items, cells and code, or join them.
SHAPES = st.sampled_from(
    [
        "[a](b) ",
        "[a][r] ",
        "[a] [r] ",
        "![i](s) ",
        "[^1] ",
        "`c` ",
        "``",
        "[",
        "]",
        "][",
        "text ",
        "\n",
        "\n\n",
        "\n\n\n",
        "\r\n",
        "\r",
        "* ",
        "- ",
        "1. ",
        "2) ",
        "    ",
        "  ",
        "\t",
        "> ",
        ">",
        "| ",
        "|",
        "|---|---|\n",
        ":-:|",
        "# ",
        "## h\n",
        "```\n",
        "```py\n",
        "~~~\n",
        "[r]: /x\n",
        "[^1]: note\n",
        "===\n",
        "---\n",
        "***\n",
        " \n",
        "\x02",
        "\x03",
    ]
)


@FUZZ
@given(body=st.lists(SHAPES, max_size=80).map("".join))
def test_the_quick_count_of_links_never_misses_a_paragraph_that_holds_too_many(body, monkeypatch):
    # The quick count reads lines between blank lines; the exact one reads each paragraph as
    # Python-Markdown splits them (see sitegen.markdown._measure). A limit of 3 makes it bite often.
    monkeypatch.setattr(markdown, "MAX_LINKS_PER_PARAGRAPH", 3)
    problem, may_have_long_paragraphs = markdown._measure(body)
    if problem is None and not may_have_long_paragraphs:
        for raw_html in (False, True):
            converter = markdown._converter(raw_html)
            converter.reset()
            converter.treeprocessors["links_per_paragraph"].active = True
            converter.convert(body)  # raises if a paragraph holds more than 3
