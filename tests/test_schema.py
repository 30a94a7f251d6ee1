"""Figures are checked where they are written: a number no page could show is refused at its line."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, build_into, errors
from sitegen.inputs.config import load_config
from sitegen.inputs.content import read_content
from sitegen.pipeline import check_items

STORY = "content/ko/stories/oita-lsi.md"
STORY_TEXT = (FIXTURES / "mini" / STORY).read_text(encoding="utf-8")
HUGE = "9" * 4000  # a count Babel cannot format: rendering it raised InvalidOperation
HUGER = "0x" + "f" * 4000  # 4,817 digits: more than Python will even write out


def check(make_site, firms: str = "9", amount: str = "1000000") -> list[str]:
    """The errors of the read and check stages for the mini site's story with these figures."""
    text = STORY_TEXT.replace("firms: 9", f"firms: {firms}", 1).replace("amount: 1000000", f"amount: {amount}")
    config, _ = load_config(make_site({STORY: text}))
    tree, _ = read_content(config)
    _, problems = check_items(tree.items, config)
    return [p.format() for p in problems if p.severity == "error"]


AMOUNT = f"{STORY}:10:30: error: figures.export_contracts.amount: expected an amount"
REFUSED_AMOUNTS = {
    ".nan": f"{AMOUNT} such as 1000000, found .nan",
    ".NaN": f"{AMOUNT} such as 1000000, found .nan",
    ".inf": f"{AMOUNT} such as 1000000, found .inf",
    "+.inf": f"{AMOUNT} such as 1000000, found .inf",
    "-.Inf": f"{AMOUNT} such as 1000000, found -.inf",
    "-0.0": f"{AMOUNT} such as 1000000, found -0.0",
    "-5": f"{AMOUNT} such as 1000000, found -5",
    "1.0e+300": f"{AMOUNT} up to 1,000,000,000,000,000, found 1e+300",
    "1000000000000001": f"{AMOUNT} up to 1,000,000,000,000,000, found 1000000000000001",
    "99999999999999999999": f"{AMOUNT} up to 1,000,000,000,000,000, found 99999999999999999999",
    HUGE: f"{AMOUNT} up to 1,000,000,000,000,000, found a number of 4,000 digits",
    HUGER: f"{AMOUNT} up to 1,000,000,000,000,000, found a number of 4,817 digits",
    "1.0e-300": f"{AMOUNT} such as 1000000 with at most 4 decimal places, found 1e-300",
    "12.345678": f"{AMOUNT} such as 1000000 with at most 4 decimal places, found 12.345678",
}


@pytest.mark.parametrize("amount", REFUSED_AMOUNTS, ids=lambda amount: amount[:24])
def test_an_amount_no_page_could_show_is_refused_at_its_line(make_site, amount):
    assert check(make_site, amount=amount) == [REFUSED_AMOUNTS[amount]]


@pytest.mark.parametrize("amount", ["0", "1000000", "12.3456", "1.0e+15", "1_000_000", "1000000000000000"])
def test_real_amounts_pass(make_site, amount):
    assert check(make_site, amount=amount) == []


FIRMS = f"{STORY}:8:10: error: figures.firms: expected a whole number"
REFUSED_COUNTS = {
    "-1": f"{FIRMS} of 0 or more, found -1",
    "-" + HUGER: f"{FIRMS} of 0 or more, found a negative number of 4,817 digits",
    ".nan": f"{FIRMS} of 0 or more, found .nan",
    "-.inf": f"{FIRMS} of 0 or more, found -.inf",
    "1.0e+3": f"{FIRMS} of 0 or more, found 1000.0",
    "1000000001": f"{FIRMS} up to 1,000,000,000, found 1000000001",
    HUGE: f"{FIRMS} up to 1,000,000,000, found a number of 4,000 digits",
    HUGER: f"{FIRMS} up to 1,000,000,000, found a number of 4,817 digits",
}


@pytest.mark.parametrize("firms", REFUSED_COUNTS, ids=lambda firms: firms[:24])
def test_a_count_no_page_could_show_is_refused_at_its_line(make_site, firms):
    assert check(make_site, firms=firms) == [REFUSED_COUNTS[firms]]


@pytest.mark.parametrize("firms", ["0", "1000000000", "0x10"])
def test_real_counts_pass(make_site, firms):
    assert check(make_site, firms=firms) == []


def test_member_counts_and_menu_positions_are_bounded_too(make_site):
    cluster = (FIXTURES / "mini/content/ko/clusters/changwon.yaml").read_text(encoding="utf-8")
    root = make_site(
        {
            "content/ko/clusters/changwon.yaml": cluster.replace("companies: 73", f"companies: {HUGE}"),
            "content/ko/pages/program.md": "---\ntitle: 사업\nmenu: 10000000000\n---\n",
        }
    )
    config, _ = load_config(root)
    tree, _ = read_content(config)
    _, problems = check_items(tree.items, config)
    assert [p.format() for p in problems if p.severity == "error"] == [
        "content/ko/clusters/changwon.yaml:6:14: error: members.companies: expected a whole number up to 1,000,000,000, found a number of 4,000 digits",
        "content/ko/pages/program.md:3:7: error: menu: expected a whole number up to 1,000,000,000, found 10000000000",
    ]


def test_a_nan_amount_and_a_4000_digit_count_are_blamed_on_the_story_not_a_template(make_site):
    """They rendered as "$NaN" and failed inside templates/story.html; now the build stops at the story's lines."""
    text = STORY_TEXT.replace("firms: 9", f"firms: {HUGE}").replace("amount: 1000000", "amount: .nan")
    root = make_site({STORY: text})
    assert errors(build_into(root, pdf=False)) == [
        f"{FIRMS} up to 1,000,000,000, found a number of 4,000 digits",
        f"{AMOUNT} such as 1000000, found .nan",
    ]
    assert not (root / "public").exists()
