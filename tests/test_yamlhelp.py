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


# (what the editor did, file, text, line, column, words the message must have: the cause, then the fix,
# in English and in Korean; test_messages.py reads the same mistakes in Korean)
MISTAKES = [
    (
        "a tab indents a field",
        CLUSTER,
        cluster("\n  companies: 73", "\n\tcompanies: 73"),
        6,
        1,
        ["found a tab", "replace the tab with spaces"],
        ["탭이 있습니다", "탭을 공백으로 바꾸세요"],
    ),
    (
        "a tab indents a later field",
        CLUSTER,
        cluster("\n  universities: 9", "\n\tuniversities: 9"),
        7,
        1,
        ["found a tab", "spaces"],
        ["탭이 있습니다", "공백으로"],
    ),
    (
        "a tab in front matter",
        STORY,
        story("\n  firms: 9", "\n\tfirms: 9"),
        8,
        1,
        ["found a tab", "replace the tab with spaces"],
        ["탭이 있습니다", "탭을 공백으로 바꾸세요"],
    ),
    (
        "a full-width space after a field's colon (a Korean keyboard in full-width mode)",
        STORY,
        story("date: 2012", "date:\u30002012"),
        4,
        6,
        ["found a full-width space (U+3000), which YAML does not read as a space", "type an ordinary space"],
        ["보통 공백이어야 하는데 전각 공백(U+3000)입니다", "보통 공백을 입력하세요"],
    ),
    (
        "a no-break space after a field's colon (pasted from a web page)",
        CLUSTER,
        cluster("\nregion: ", "\nregion:\u00a0"),
        3,
        8,
        ["found a no-break space (U+00A0)", "type an ordinary space"],
        ["줄바꿈 없는 공백(U+00A0)", "보통 공백을 입력하세요"],
    ),
    (
        "full-width spaces indent a list item",
        STORY,
        story("clusters: [changwon]", "clusters:\n\u3000\u3000- changwon"),
        7,
        1,
        ["found a full-width space (U+3000)", "type an ordinary space"],
        ["전각 공백(U+3000)", "보통 공백을 입력하세요"],
    ),
    (
        "a title with a colon in a word processor's curly quotes",
        STORY,
        story("title: 충청권–오이타 LSI 클러스터 교류", "title: “충청권: 오이타 LSI 클러스터 교류”"),
        2,
        8,
        ["found curly ones “”", 'write them as straight quotes: title: "충청권: 오이타 LSI 클러스터 교류"'],
        ["둥근 따옴표 “”이(가) 있습니다", '곧은 따옴표로 쓰세요: title: "충청권: 오이타 LSI 클러스터 교류"'],
    ),
    (
        "a line of the body that lost its indent",
        CLUSTER,
        cluster("\n  현장 맞춤형", "\n현장 맞춤형"),
        13,
        1,
        ["expected this line of 'body' indented like the lines above it", "put 2 spaces before it"],
        ["'body'의 이 줄은 위의 줄들처럼 들여써야 하는데", "앞에 공백 2칸을 넣으세요"],
    ),
    (
        "an unclosed double quote",
        STORY,
        story("title: 충청권", 'title: "충청권'),
        2,
        8,
        ['closing "', 'add " at the end of the value'],
        ['따옴표 "를 닫아야', '값 끝에 "를 넣으세요'],
    ),
    (
        "an unclosed single quote",
        CLUSTER,
        cluster("summary: 기계", "summary: '기계"),
        2,
        10,
        ["closing '", "add ' at the end"],
        ["따옴표 '를 닫아야", "값 끝에 '를 넣으세요"],
    ),
    (
        "an unclosed list bracket",
        CLUSTER,
        cluster("[금형, 이종접합]", "[금형, 이종접합"),
        10,
        15,
        ["closing ']'", "end it with ']'"],
        ["']'가 있어야 하는데 없습니다", "']'로 닫고"],
    ),
    ("an unclosed brace", STORY, story("USD}", "USD"), 9, 21, ["closing '}'", "end it with '}'"], ["'}'가 있어야 하는데 없습니다", "'}'로 닫고"]),
    (
        "a colon in a title",
        STORY,
        story("title: 충청권–오이타", "title: 충청권: 오이타"),
        2,
        11,
        ["another inside the value of 'title'", 'put the value in quotes: title: "충청권: 오이타'],
        ["'title'의 값 안에 또 있습니다", '따옴표로 감싸세요: title: "충청권: 오이타'],
    ),
    (
        "a colon in a summary",
        CLUSTER,
        cluster("summary: 기계부품 기업의", "summary: 목표: 기계부품 기업의"),
        2,
        12,
        ["found another", "put the value in quotes"],
        ["값 안에 또 있습니다", "따옴표로 감싸세요"],
    ),
    (
        "a list item without its dash",
        CLUSTER,
        cluster("study_groups: [금형, 이종접합]", "study_groups:\n  - 금형\n  이종접합"),
        12,
        3,
        ["without its dash", "'- 이종접합'"],
        ["'-' 없는 '이종접합'", "'- 이종접합'"],
    ),
    (
        "a field without its colon",
        STORY,
        story("region: chungcheong", "region chungcheong"),
        5,
        1,
        ["without a ':'", "'region: chungcheong'"],
        ["':'가 없는 'region chungcheong'", "'region: chungcheong'처럼 쓰세요"],
    ),
    (
        "a field indented too far",
        CLUSTER,
        cluster("\n  universities: 9", "\n   universities: 9"),
        7,
        4,
        ["line up with the fields above", "indent it like"],
        ["3칸입니다", "들여쓰세요"],
    ),
    (
        "a field indented too little",
        CLUSTER,
        cluster("\n  universities: 9", "\n universities: 9"),
        7,
        2,
        ["line up", "indent it like"],
        ["1칸입니다", "들여쓰세요"],
    ),
    (
        "a value starting with @",
        CLUSTER,
        cluster("industry: 기계부품", "industry: @기계"),
        4,
        11,
        ["starts with '@'", 'put the value in quotes: industry: "@기계"'],
        ["문자 '@'", '따옴표로 감싸세요: industry: "@기계"'],
    ),
    (
        "a value starting with a backtick",
        STORY,
        story("summary: 수출", "summary: `수출`"),
        3,
        10,
        ["starts with '`'", "quotes"],
        ["문자 '`'", "따옴표로 감싸세요"],
    ),
    ("a value starting with *", STORY, story("summary: 수출", "summary: *수출"), 3, 10, ["starts with '*'", "quotes"], ["문자 '*'", "따옴표로 감싸세요"]),
    (
        "text after a closing quote",
        STORY,
        story("title: 충청권–오이타 LSI 클러스터 교류", 'title: "충청권" 교류'),
        2,
        14,
        ["more text after it", "inside the quotes"],
        ["그 뒤에 글이 더 있습니다", "따옴표 안에 넣으세요"],
    ),
    (
        "a comma-grouped amount inside braces",
        STORY,
        story("amount: 1000000", "amount: 12,000,000"),
        9,
        30,
        ["'12,000,000'", "write it as 12000000"],
        ["'12,000,000'", "값 3개로 읽습니다", "12000000처럼 쓰세요"],
    ),
    (
        "a duplicated field",
        STORY,
        story("region: chungcheong\n", "region: chungcheong\ntitle: 다시\n"),
        6,
        1,
        ["found it again (first at line 2)", "keep one"],
        ["또 있습니다(처음은 2번째 줄)", "하나만 남기고"],
    ),
    (
        "a date with dots",
        STORY,
        story("2012-05-31", "2012.05.31"),
        4,
        7,
        ["found '2012.05.31'", "write it as 2012-05-31"],
        ["'2012.05.31'입니다", "2012-05-31처럼 쓰세요"],
    ),
    (
        "a date with slashes",
        STORY,
        story("2012-05-31", "2012/5/31"),
        4,
        7,
        ["found '2012/5/31'", "write it as 2012-05-31"],
        ["'2012/5/31'입니다", "2012-05-31처럼 쓰세요"],
    ),
    (
        "a date day first",
        STORY,
        story("2012-05-31", "31-05-2012"),
        4,
        7,
        ["found '31-05-2012'", "write it as 2012-05-31"],
        ["'31-05-2012'입니다", "2012-05-31처럼 쓰세요"],
    ),
    (
        "a date day first with dots",
        STORY,
        story("2012-05-31", "31.05.2012"),
        4,
        7,
        ["'31.05.2012'", "write it as 2012-05-31"],
        ["'31.05.2012'입니다", "2012-05-31처럼 쓰세요"],
    ),
    (
        "a date in Korean",
        STORY,
        story("2012-05-31", "2012년 5월 31일"),
        4,
        7,
        ["'2012년 5월 31일'", "write it as 2012-05-31"],
        ["'2012년 5월 31일'입니다", "2012-05-31처럼 쓰세요"],
    ),
    (
        "a date month first",
        STORY,
        story("2012-05-31", "5/31/2012"),
        4,
        7,
        ["'5/31/2012'", "write it as 2012-05-31"],
        ["'5/31/2012'입니다", "2012-05-31처럼 쓰세요"],
    ),
    (
        "an ambiguous date",
        STORY,
        story("2012-05-31", "05-06-2012"),
        4,
        7,
        ["'05-06-2012'", "write the year first"],
        ["'05-06-2012'입니다", "연, 월, 일 순서로 쓰고"],
    ),
    (
        "a '#' in a title",
        STORY,
        story("title: 충청권–오이타 LSI 클러스터 교류", "title: 교류 #1"),
        2,
        11,
        ["found '#' after '교류'", 'quotes: "교류 #1"'],
        ["'교류' 뒤에 '#'", '따옴표로 감싸세요: "교류 #1"'],
    ),
    # The fields' own checks: a value of the wrong kind, at the value, with what to write instead.
    (
        "a required title left out",
        STORY,
        story("title: 충청권–오이타 LSI 클러스터 교류\n", ""),
        2,
        1,
        ["expected a title, found nothing", "the field is required"],
        ["반드시 적어야 하는 항목인데 비어 있습니다", "적을 내용: 제목"],
    ),
    (
        "a misspelt field name",
        STORY,
        story("region: chungcheong", "region: chungcheong\ntitel: 교류"),
        6,
        8,
        ["unknown field", "did you mean 'title'?"],
        ["알 수 없는 항목입니다", "혹시 'title'입니까?", "쓸 수 있는 항목: title, summary"],
    ),
    (
        "a region not in site.yaml",
        STORY,
        story("region: chungcheong", "region: chungchung"),
        5,
        9,
        ["found 'chungchung'", "one of chungcheong, dongnam", "(did you mean 'chungcheong'?)"],
        ["'chungchung'입니다", "chungcheong, dongnam 중 하나", "혹시 'chungcheong'입니까?"],
    ),
    (
        "a region written by its name, as a page shows it",
        STORY,
        story("region: chungcheong", "region: 충청권"),
        5,
        9,
        ["found '충청권'", "one of chungcheong, dongnam", "(did you mean 'chungcheong'?)"],
        ["'충청권'입니다", "혹시 'chungcheong'입니까?"],
    ),
    ("a count in words", STORY, story("firms: 9", "firms: 아홉"), 8, 10, ["found '아홉'", "a whole number of 0 or more"], ["'아홉'입니다", "0 이상의 정수"]),
    (
        "a currency code in lowercase",
        STORY,
        story("currency: USD", "currency: usd"),
        9,
        49,
        ["found 'usd'", "a currency code such as USD"],
        ["'usd'입니다", "USD 같은 통화 코드"],
    ),
    (
        "a cluster slug with a capital",
        STORY,
        story("clusters: [changwon]", "clusters: [Changwon]"),
        6,
        12,
        ["found 'Changwon'", "lowercase letters, digits and hyphens"],
        ["'Changwon'입니다", "영문 소문자, 숫자, 하이픈(-)으로 된 슬러그"],
    ),
    (
        "a draft flag in words",
        STORY,
        story("region: chungcheong", "region: chungcheong\ndraft: 네"),
        6,
        8,
        ["found '네'", "true or false"],
        ["'네'입니다", "true 또는 false"],
    ),
    (
        "an image without alt text",
        STORY,
        story("본문.", "본문.\n\n![](photo.jpg)"),
        14,
        1,
        ["expected alt text for the image photo.jpg, found none", "describe the image between the brackets"],
        ["대체 텍스트(alt)가 있어야 하는데 없습니다", "대괄호 안에 이미지가 보여 주는 내용을 적거나"],
    ),
    (
        "an expiry date before the publish date",
        STORY,
        story("region: chungcheong", "region: chungcheong\npublish_date: 2027-02-01\nexpiry_date: 2027-01-01"),
        7,
        14,
        ["found 2027-01-01", "after the publish_date 2027-02-01", "never be shown"],
        ["2027-01-01입니다", "publish_date(2027-02-01)보다 뒤여야", "한 번도 게시되지 않습니다"],
    ),
    (
        "an amount with too many decimals",
        STORY,
        story("amount: 1000000", "amount: 1000000.12345"),
        9,
        30,
        ["found 1000000.12345", "at most 4 decimal places"],
        ["1000000.12345입니다", "소수점 아래 4자리까지"],
    ),
    (
        "one cluster where a list is expected",
        STORY,
        story("clusters: [changwon]", "clusters: changwon"),
        6,
        11,
        ["found 'changwon'", "a list of cluster slugs"],
        ["'changwon'입니다", "클러스터 슬러그 목록"],
    ),
    (
        "a story without the '---' line at its top",
        STORY,
        GOOD_STORY.removeprefix("---\n"),
        1,
        1,
        ["expected front matter between two '---' lines at the top", "found none"],
        ["'---' 두 줄 사이로 머리말(front matter)이 있어야 하는데 없습니다"],
    ),
    (
        "a story without the '---' line that ends its front matter",
        STORY,
        GOOD_STORY.replace("---\n## 교류", "## 교류"),
        1,
        1,
        ["expected a '---' line that ends the front matter opened here, found none", "after the last field, before the body"],
        ["머리말(front matter)을 끝내는 '---' 줄이 있어야 하는데 없습니다", "본문 앞에 '---'만 있는 줄을 넣으세요"],
    ),
    (
        "a list for a title",
        STORY,
        story("title: 충청권–오이타 LSI 클러스터 교류", "title: []"),
        2,
        8,
        ["expected text", "found a list"],
        ["글이어야", "목록입니다"],
    ),
    (
        "a number for a group of fields",
        STORY,
        story("figures:\n  firms: 9\n  export_contracts: {amount: 1000000, currency: USD}", "figures: 9"),
        7,
        10,
        ["found 9", "a mapping with firms, partner_firms, export_contracts"],
        ["9입니다", "firms, partner_firms, export_contracts 항목이 들여쓰기로"],
    ),
]


@pytest.mark.parametrize("mistake, path, text, line, column, words, korean", MISTAKES, ids=[row[0] for row in MISTAKES])
def test_a_yaml_mistake_is_told_at_the_line_to_change_with_its_fix(mistake, path, text, line, column, words, korean):
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
