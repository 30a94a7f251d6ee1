"""Diagnostics print on one line whatever a file name, a key or a value holds, and GitHub reads
each annotation as ours: a hostile name can neither forge a line nor rewrite the terminal."""

from __future__ import annotations

import re

import pytest

from sitegen.errors import UNPRINTABLE, Diagnostic, describe, did_you_mean, escape_data, escape_property, visible

# What a name or key may bring, each a way to forge or hide output. ESC and CSI sequences erase
# and rewrite lines; OSC 8 makes a link, OSC 52 writes the clipboard; bidi overrides reorder text.
HOSTILE = {
    "newline": "\n::error file=x::forged",
    "carriage return": "\r::error file=x::forged",
    "crlf": "\r\n::warning::forged",
    "esc erase line": "\x1b[2K\x1b[1Gforged",
    "osc 8 link": "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
    "osc 52 clipboard": "\x1b]52;c;ZXZpbA==\x07",
    "nul": "a\x00b",
    "bell": "\x07",
    "backspace": "safe\x08\x08\x08\x08evil",
    "vertical tab": "a\x0b::error::forged",
    "form feed": "a\x0c::error::forged",
    "del": "a\x7f",
    "c1 next line": "a\x85::error::forged",
    "c1 csi": "\x9b2K",
    "c1 osc": "\x9d8;;https://evil.example/\x9c",
    "line separator": "a\u2028::error::forged",
    "paragraph separator": "a\u2029::error::forged",
    "right-to-left override": "\u202egpj.exe",
    "isolates": "\u2066\u2067\u2068\u2069",
    "marks": "\u200e\u200f\u061c",
    "legacy command": "##[warning]forged",
    "legacy stop-commands": "x ##[stop-commands]t0k3n",
    "percent-encoded newline": "%0A::error::forged",
    "property separators": "a,line=1::b",
    "not utf-8 (surrogate)": "\udcff\udc9b",
}


def runner_lines(output: str) -> list[str]:
    """Lines as GitHub's runner reads them (.NET ReadLine: CR, LF or CRLF ends one)."""
    return re.split(r"\r\n|\r|\n", output)


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """A `::command props::data` line as the runner's ActionCommand.TryParseV2 reads it."""
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info = line[2:end]
    name, _, props = info.partition(" ")
    properties = {}
    for pair in filter(None, props.strip().split(",")):
        key, _, value = pair.partition("=")
        for token, code in (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")):
            value = value.replace(code, token)
        properties[key] = value
    data = line[end + 2 :]
    for token, code in (("\r", "%0D"), ("\n", "%0A"), ("%", "%25")):
        data = data.replace(code, token)
    return name, properties, data


def hostile_diagnostic(text: str) -> Diagnostic:
    return Diagnostic(f"content/ko/stories/{text}.md", 3, 1, f"figures.{text}", f"expected a whole number, found {text}")


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
def test_a_hostile_name_prints_as_one_visible_line_in_the_terminal(text):
    line = hostile_diagnostic(text).format()
    assert line.splitlines() == [line]  # Python's idea of a line break is the widest: \x1c-\x1e, \x85, \u2028 too
    assert not UNPRINTABLE.search(line)
    assert "##[" not in line
    assert line.startswith("content/ko/stories/") and ".md:3:1: error: figures." in line


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
def test_a_hostile_name_is_one_annotation_that_github_reads_back(text):
    diagnostic = hostile_diagnostic(text)
    annotation = diagnostic.github()
    assert runner_lines(annotation) == [annotation]
    assert not UNPRINTABLE.search(annotation)
    name, properties, data = parse_workflow_command(annotation)
    assert name == "error"
    # The runner gives back the name as written, newlines included; only what a log viewer acts on stays escaped.
    assert properties == {"file": visible(diagnostic.path, keep="\r\n"), "line": "3", "col": "1"}
    assert data == visible(f"{diagnostic.field}: {diagnostic.message}", keep="\r\n")


def test_terminal_escapes_read_as_python_writes_them():
    assert visible("a\nb\rc\td\x1be\x9bf\u202eg\udcffh") == "a\\nb\\rc\\td\\x1be\\x9bf\\u202eg\\udcffh"
    assert visible("##[error]x") == "#\\x23[error]x"
    assert visible("한국어, 日本語, English — ‘quotes’ and emoji 👍") == "한국어, 日本語, English — ‘quotes’ and emoji 👍"


def test_annotations_are_escaped_as_the_actions_toolkit_does():
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    diagnostic = Diagnostic("content/ko/a,b:c%.md", 4, 7, "date", "expected a date like 2012-05-31, found '50%'")
    assert diagnostic.github() == "::error file=content/ko/a%2Cb%3Ac%25.md,line=4,col=7::date: expected a date like 2012-05-31, found '50%25'"


def test_a_note_is_a_notice_and_a_plain_diagnostic_is_unchanged():
    diagnostic = Diagnostic("content/en/stories/oita-lsi.md", 4, 7, "date", "expected a date like 2012-05-31, found '2012-13-01'")
    assert diagnostic.format() == "content/en/stories/oita-lsi.md:4:7: error: date: expected a date like 2012-05-31, found '2012-13-01'"
    note = Diagnostic("content/en/_index.md", message="expected a translation", severity="note")
    assert note.github() == "::notice file=content/en/_index.md::expected a translation"


NUMBERS = [
    (float("nan"), ".nan"),
    (float("inf"), ".inf"),
    (float("-inf"), "-.inf"),
    (1e300, "1e+300"),
    (12000000, "12000000"),
    (-5, "-5"),
    (10**29, "1" + "0" * 29),
    (10**30, "a number of 31 digits"),
    (10**4000 - 1, "a number of 4,000 digits"),
    (10**4000, "a number of 4,001 digits"),
    (-int("f" * 4000, 16), "a negative number of 4,817 digits"),  # more digits than Python will write out
]


@pytest.mark.parametrize(("value", "shown"), NUMBERS, ids=[shown for _, shown in NUMBERS])
def test_found_numbers_are_described_as_an_editor_wrote_them(value, shown):
    assert describe(value) == shown


def test_a_did_you_mean_is_offered_for_a_letter_off_in_a_short_name_but_not_for_half_a_long_one():
    assert did_you_mean("jp", ["ko", "en", "ja"]) == " (did you mean 'ja'?)"
    assert did_you_mean("oita-lsx", ["oita-lsi", "changwon"]) == " (did you mean 'oita-lsi'?)"
    assert did_you_mean("oitaxyz", ["oita123"]) == ""  # half the letters: another name
