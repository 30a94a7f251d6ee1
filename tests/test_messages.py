"""An editor reads sitegen's messages in their own language: Korean or English, from the locale or
--messages; the compiler's format around them stays the same in every language."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po
from test_yamlhelp import CLUSTER, MISTAKES, cluster, diagnostics

from sitegen.cli import main
from sitegen.errors import Diagnostic, Message
from sitegen.messages import CATALOGS, available, chosen, translator

FORMAT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|note): (?:(?P<field>[\w.]+): )?(?P<message>.+)$")


@pytest.mark.parametrize(
    "option, environ, lang",
    [
        (None, {}, "en"),
        (None, {"LANG": "ko_KR.UTF-8"}, "ko"),
        (None, {"LANG": "en_US.UTF-8", "LC_ALL": "ko_KR.UTF-8"}, "ko"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalog: English
        ("en", {"LANG": "ko_KR.UTF-8"}, "en"),  # the option wins
        ("ko", {}, "ko"),
    ],
)
def test_the_language_comes_from_the_option_else_the_locale_else_english(option, environ, lang):
    assert chosen(option, environ) == lang


KOREAN = MISTAKES[:17]  # the syntax mistakes, whose messages are all in the catalog


@pytest.mark.parametrize("mistake, path, text, line, column, words", KOREAN, ids=[row[0] for row in KOREAN])
def test_a_yaml_mistake_is_told_in_korean_at_the_same_place_in_the_same_format(mistake, path, text, line, column, words):
    [found] = diagnostics(path, text)
    korean = found.format(translator("ko"))
    parsed = FORMAT.match(korean)
    assert parsed, korean
    assert (parsed["path"], int(parsed["line"]), int(parsed["column"]), parsed["severity"]) == (path, line, column, "error")
    assert re.search("[\uac00-\ud7a3]", parsed["message"]), korean  # said in Korean
    assert "expected" not in parsed["message"], korean  # not in English
    assert found.format() == f"{path}:{line}:{column}: error: {found.message}"  # English stays the default


def test_a_tab_is_told_in_korean_words_an_editor_knows():
    [found] = diagnostics(CLUSTER, cluster("\n  companies: 73", "\n\tcompanies: 73"))
    assert found.format(translator("ko")) == (
        f"{CLUSTER}:6:1: error: 줄 앞은 공백(스페이스)이어야 하는데 탭이 있습니다; YAML은 공백으로만 들여씁니다: 탭을 공백으로 바꾸세요(한 단계에 두 칸, 위 항목과 줄을 맞춰서)"
    )


def test_every_catalog_entry_keeps_the_placeholders_of_its_message():
    for lang in available():
        with (CATALOGS / f"{lang}.po").open("rb") as file:
            catalog = read_po(file)
        entries = [m for m in catalog if m.id]
        assert len(entries) > 20
        for message in entries:
            fields = lambda text: sorted(f for _, f, spec, _ in string.Formatter().parse(text) if f is not None)  # noqa: E731
            assert fields(message.string) == fields(message.id), message.id


def test_a_broken_translation_falls_back_to_english():
    message = Message("expected {x}", x=1)
    assert message.said(lambda template: "{y} 없음") == "expected 1"


def test_a_message_without_a_translation_stays_english_and_parseable():
    diagnostic = Diagnostic("content/ko/a.md", 3, 2, "title", "expected text, found nothing")
    assert diagnostic.format(translator("ko")) == "content/ko/a.md:3:2: error: title: expected text, found nothing"


def test_the_command_speaks_korean_under_a_korean_locale(make_site, capsys, monkeypatch):
    root = make_site({"content/ko/stories/Thumbs.db": "x", "content/ko/pages/program.md": "---\ntitle: 사업\nmenu: 1\n---\n[깨진 링크](../nowhere/)\n"})
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert main(["check", "--source", str(root)]) == 0
    err = capsys.readouterr().err
    assert "content/ko/stories/Thumbs.db: note: 사이트에서 뺐습니다: 'Thumbs.db'은(는) Windows가 미리보기 그림을 넣어 두는 파일이며" in err
    assert re.search(
        r"content/ko/pages/program\.md:5:9: warning: 사이트의 페이지로 가는 링크여야 하는데 '\.\./nowhere/'이\(가\) 있습니다.*; 주소를 고치거나 링크를 빼세요 \(en/program/index\.html:\d+ 외 2개 페이지\)",
        err,
    ), err
    assert main(["--messages", "en", "check", "--source", str(root)]) == 0
    assert "warning: expected a link to a page of the site, found '../nowhere/'" in capsys.readouterr().err


def test_an_unknown_messages_language_is_wrong_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--messages", "xx", "check"])
    assert info.value.code == 2
    assert "--messages xx: expected one of en, ko" in capsys.readouterr().err
