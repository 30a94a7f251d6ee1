"""YAML is read safely, with the line and column of every value kept for messages."""

import time

import pytest

from sitegen.inputs.yamlfile import YamlError, parse_yaml


def test_values_keep_their_positions():
    parsed = parse_yaml("title: x\nmembers:\n  companies: 73\nlist: [a, b]\n", line_offset=1)
    assert parsed.marks[("members", "companies")] == (4, 14)
    assert parsed.marks[("list", 1)] == (5, 11)
    assert parsed.mark(("members", "nope")) == (4, 3)  # falls back to the mapping it is missing from


def test_dates_stay_text_so_the_schema_can_judge_them():
    assert parse_yaml("date: 2012-13-01\n").data == {"date": "2012-13-01"}


def test_syntax_error_has_a_line():
    with pytest.raises(YamlError) as info:
        parse_yaml("a: 1\nb: [1, 2\n")
    assert info.value.line is not None and info.value.line >= 2
    assert (info.value.line, info.value.column) == (2, 4)  # where the '[' opens
    assert "expected a closing ']'" in info.value.message


def test_only_safe_tags_are_loaded():
    with pytest.raises(YamlError):
        parse_yaml("a: !!python/object/apply:os.system ['true']\n")


def test_duplicate_keys_are_found():
    assert parse_yaml("a: 1\na: 2\n").duplicates == [(("a",), (2, 1), (1, 1))]


def test_a_top_level_list_is_refused():
    with pytest.raises(YamlError, match="found a list"):
        parse_yaml("- a\n- b\n")


def test_billion_laughs_does_not_explode():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join(f"*a{i - 1}" for _ in range(9)) + "]")
    start = time.perf_counter()
    parsed = parse_yaml("\n".join(lines) + "\n")
    assert "a8" in parsed.data
    assert len(parsed.marks) < 200  # aliases are walked once, not 9**8 times
    assert time.perf_counter() - start < 30  # a hang guard, not a speed target


def test_deep_nesting_is_refused_with_a_line():
    with pytest.raises(YamlError, match="levels of nesting"):
        parse_yaml("a: " + "[" * 200 + "]" * 200 + "\n")


@pytest.mark.parametrize("before", ["summary: ab", "summary: 라마"])  # libyaml counts the bytes of the UTF-8: Korean has three
def test_a_control_character_is_found_at_its_column_after_korean_text_too(before):
    with pytest.raises(YamlError) as found:
        parse_yaml(f"title: 충청권\n{before}\x0b바\n")
    assert (found.value.line, found.value.column) == (2, len(before) + 1)
