"""An editor's YAML mistakes are told in plain words, at the line to change, with the fix."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from sitegen.errors import Diagnostic
from sitegen.inputs.config import load_config
from sitegen.inputs.content import SourceItem, parse_item
from sitegen.inputs.schema import check_item

STORY = "content/ko/stories/oita-lsi.md"
CLUSTER = "content/ko/clusters/changwon.yaml"
GOOD_STORY = (
    "---\ntitle: 충청권–오이타 LSI 클러스터 교류\nsummary: 수출 계약 100만 달러\ndate: 2012-05-31\nregion: chungcheong\n"
    "clusters: [changwon]\nfigures:\n  firms: 9\n  export_contracts: {amount: 1000000, currency: USD}\n---\n## 교류\n본문.\n"
)
GOOD_CLUSTER = (FIXTURES / "mini" / CLUSTER).read_text(encoding="utf-8")


def story(old: str, new: str) -> str:
    assert old in GOOD_STORY
    return GOOD_STORY.replace(old, new, 1)


def cluster(old: str, new: str) -> str:
    assert old in GOOD_CLUSTER
    return GOOD_CLUSTER.replace(old, new, 1)


def diagnostics(path: str, text: str) -> list[Diagnostic]:
    """What reading and checking one content file says."""
    parsed = parse_item(text.encode("utf-8"), path, "ko", path.split("/")[2], path.rsplit("/", 1)[1].split(".")[0])
    if isinstance(parsed, Diagnostic):
        return [parsed]
    assert isinstance(parsed, SourceItem)
    config, problems = load_config(FIXTURES / "mini")
    assert config is not None, problems
    return check_item(parsed, config)[1]


# (what the editor did, file, text, line, column, words the message must have: the cause, then the fix)
MISTAKES = [
    ("a tab indents a field", CLUSTER, cluster("\n  companies: 73", "\n\tcompanies: 73"), 6, 1, ["found a tab", "replace the tab with spaces"]),
    ("a tab indents a later field", CLUSTER, cluster("\n  universities: 9", "\n\tuniversities: 9"), 7, 1, ["found a tab", "spaces"]),
    ("a tab in front matter", STORY, story("\n  firms: 9", "\n\tfirms: 9"), 8, 1, ["found a tab", "replace the tab with spaces"]),
    ("an unclosed double quote", STORY, story("title: 충청권", 'title: "충청권'), 2, 8, ['closing "', 'add " at the end of the value']),
    ("an unclosed single quote", CLUSTER, cluster("summary: 기계", "summary: '기계"), 2, 10, ["closing '", "add ' at the end"]),
    ("an unclosed list bracket", CLUSTER, cluster("[금형, 이종접합]", "[금형, 이종접합"), 10, 15, ["closing ']'", "end it with ']'"]),
    ("an unclosed brace", STORY, story("USD}", "USD"), 9, 21, ["closing '}'", "end it with '}'"]),
    (
        "a colon in a title",
        STORY,
        story("title: 충청권–오이타", "title: 충청권: 오이타"),
        2,
        11,
        ["another inside the value of 'title'", 'put the value in quotes: title: "충청권: 오이타'],
    ),
    (
        "a colon in a summary",
        CLUSTER,
        cluster("summary: 기계부품 기업의", "summary: 목표: 기계부품 기업의"),
        2,
        12,
        ["found another", "put the value in quotes"],
    ),
    (
        "a list item without its dash",
        CLUSTER,
        cluster("study_groups: [금형, 이종접합]", "study_groups:\n  - 금형\n  이종접합"),
        12,
        3,
        ["without its dash", "'- 이종접합'"],
    ),
    ("a field without its colon", STORY, story("region: chungcheong", "region chungcheong"), 5, 1, ["without a ':'", "'region: chungcheong'"]),
    ("a field indented too far", CLUSTER, cluster("\n  universities: 9", "\n   universities: 9"), 7, 4, ["line up with the fields above", "indent it like"]),
    ("a field indented too little", CLUSTER, cluster("\n  universities: 9", "\n universities: 9"), 7, 2, ["line up", "indent it like"]),
    (
        "a value starting with @",
        CLUSTER,
        cluster("industry: 기계부품", "industry: @기계"),
        4,
        11,
        ["starts with '@'", 'put the value in quotes: industry: "@기계"'],
    ),
    ("a value starting with a backtick", STORY, story("summary: 수출", "summary: `수출`"), 3, 10, ["starts with '`'", "quotes"]),
    ("a value starting with *", STORY, story("summary: 수출", "summary: *수출"), 3, 10, ["starts with '*'", "quotes"]),
    (
        "text after a closing quote",
        STORY,
        story("title: 충청권–오이타 LSI 클러스터 교류", 'title: "충청권" 교류'),
        2,
        14,
        ["more text after it", "inside the quotes"],
    ),
    ("a comma-grouped amount inside braces", STORY, story("amount: 1000000", "amount: 12,000,000"), 9, 30, ["'12,000,000'", "write it as 12000000"]),
    ("a duplicated field", STORY, story("region: chungcheong\n", "region: chungcheong\ntitle: 다시\n"), 6, 1, ["found it again (first at line 2)", "keep one"]),
    ("a date with dots", STORY, story("2012-05-31", "2012.05.31"), 4, 7, ["found '2012.05.31'", "write it as 2012-05-31"]),
    ("a date with slashes", STORY, story("2012-05-31", "2012/5/31"), 4, 7, ["found '2012/5/31'", "write it as 2012-05-31"]),
    ("a date day first", STORY, story("2012-05-31", "31-05-2012"), 4, 7, ["found '31-05-2012'", "write it as 2012-05-31"]),
    ("a date day first with dots", STORY, story("2012-05-31", "31.05.2012"), 4, 7, ["'31.05.2012'", "write it as 2012-05-31"]),
    ("a date in Korean", STORY, story("2012-05-31", "2012년 5월 31일"), 4, 7, ["'2012년 5월 31일'", "write it as 2012-05-31"]),
    ("a date month first", STORY, story("2012-05-31", "5/31/2012"), 4, 7, ["'5/31/2012'", "write it as 2012-05-31"]),
    ("an ambiguous date", STORY, story("2012-05-31", "05-06-2012"), 4, 7, ["'05-06-2012'", "write the year first"]),
    ("a '#' in a title", STORY, story("title: 충청권–오이타 LSI 클러스터 교류", "title: 교류 #1"), 2, 11, ["found '#' after '교류'", 'quotes: "교류 #1"']),
]


@pytest.mark.parametrize("mistake, path, text, line, column, words", MISTAKES, ids=[row[0] for row in MISTAKES])
def test_a_yaml_mistake_is_told_at_the_line_to_change_with_its_fix(mistake, path, text, line, column, words):
    found = diagnostics(path, text)
    assert found, mistake
    first = found[0]
    assert (first.path, first.line, first.column) == (path, line, column), first.format()
    for word in words:
        assert word in first.message, first.format()
    # No parser jargon an editor cannot act on.
    for jargon in ("token", "scalar", "mapping values", "simple key", "block end", "flow"):
        assert jargon not in first.message


@pytest.mark.parametrize(
    "written, value",
    [("12,000,000", 12000000), ("1,234", 1234), ("999", 999)],
)
def test_a_count_or_amount_with_digit_group_commas_is_the_number(written, value):
    text = story(
        "  firms: 9\n  export_contracts: {amount: 1000000, currency: USD}", f"  firms: {written}\n  export_contracts:\n    amount: {written}\n    currency: USD"
    )
    assert diagnostics(STORY, text) == []
    item = parse_item(text.encode(), STORY, "ko", "stories", "oita-lsi")
    assert isinstance(item, SourceItem)
    config, _ = load_config(FIXTURES / "mini")
    checked, _ = check_item(item, config)  # type: ignore[arg-type]
    assert checked is not None
    assert checked.fields["figures"]["firms"] == value
