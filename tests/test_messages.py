"""An editor reads sitegen's messages in their own language: Korean or English, from the locale or
--messages; the compiler's format around them stays the same in every language."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
from pathlib import Path

import html5lib
import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from test_yamlhelp import CLUSTER, MISTAKES, cluster, diagnostics

from conftest import build_into, errors
from sitegen.cli import main
from sitegen.errors import Diagnostic, Message
from sitegen.messages import CATALOGS, available, chosen, translator, use
from sitegen.pipeline import Report
from sitegen.serve import error_page

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"

FORMAT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|note): (?:(?P<field>[\w.]+): )?(?P<message>.+)$")


@pytest.mark.parametrize(
    "option, environ, lang",
    [
        (None, {}, "en"),
        (None, {"LANG": "ko_KR.UTF-8"}, "ko"),
        (None, {"LANG": "en_US.UTF-8", "LC_ALL": "ko_KR.UTF-8"}, "ko"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalog: English
        (None, {"LANG": "ja_JP.UTF-8"}, "ja"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        ("en", {"LANG": "ko_KR.UTF-8"}, "en"),  # the option wins
        ("ko", {}, "ko"),
    ],
)
def test_the_language_comes_from_the_option_else_the_locale_else_english(option, environ, lang):
    assert chosen(option, environ) == lang


@pytest.mark.parametrize("mistake, path, text, line, column, words, korean", MISTAKES, ids=[row[0] for row in MISTAKES])
def test_a_mistake_is_told_in_korean_at_the_same_place_in_the_same_format(mistake, path, text, line, column, words, korean):
    found = diagnostics(path, text)[0]
    said = found.format(translator("ko"))
    parsed = FORMAT.match(said)
    assert parsed, said
    assert (parsed["path"], int(parsed["line"]), int(parsed["column"]), parsed["severity"]) == (path, line, column, found.severity)
    assert parsed["field"] == found.field  # the field's name is the file's, in every language
    for word in korean:  # the cause, then the fix, in the editor's words
        assert word in parsed["message"], said
    assert "expected" not in parsed["message"] and " found " not in parsed["message"], said  # no English left in it
    english = found.format()  # English stays the default, in the same place
    assert english.startswith(f"{path}:{line}:{column}: {found.severity}: ") and all(word in english for word in words), english


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
    assert "--messages xx: expected one of en, ja, ko, zh" in capsys.readouterr().err


def said_by_sitegen() -> set[str]:
    """Every message sitegen can say, found in its source as pybabel extract finds them (the
    keyword Message; see messages.py)."""
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords={"Message": None}, comment_tags=(), strip_comment_tags=True)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def catalog(lang: str) -> dict[str, object]:
    with (CATALOGS / f"{lang}.po").open("rb") as file:
        return {m.id: m for m in read_po(file, locale=lang) if m.id}


@pytest.mark.parametrize("lang", ["ko", "ja", "zh"])
def test_every_message_sitegen_says_has_a_translation(lang):
    said, translated = said_by_sitegen(), catalog(lang)
    assert len(said) > 160
    untranslated = sorted(m for m in said if m not in translated or not translated[m].string or translated[m].fuzzy)  # type: ignore[attr-defined]
    assert untranslated == []
    assert sorted(set(translated) - said) == []  # nor a translation of a message no longer said


def test_the_template_for_translators_lists_every_message():
    with (CATALOGS / "messages.pot").open("rb") as file:
        template = {m.id for m in read_po(file) if m.id}
    assert template == said_by_sitegen()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed (.ci/install --test installs it)")
@pytest.mark.parametrize("lang", ["ko", "ja", "zh"])
def test_each_catalog_passes_msgfmt_check(lang):
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(CATALOGS / f"{lang}.po")], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize(
    "lang, said",
    [
        ("ja", "date: 2012-05-31 の形式の日付が必要ですが、'2012.05.31'になっています; 2012-05-31 のように書いてください"),
        ("zh", "date: 应为2012-05-31 格式的日期，实际为'2012.05.31'；请写成 2012-05-31"),
    ],
)
def test_the_portals_japanese_and_chinese_editors_read_their_language_too(lang, said):
    [found] = diagnostics("content/ko/stories/oita-lsi.md", next(row[2] for row in MISTAKES if row[0] == "a date with dots"))
    assert found.format(translator(lang)) == f"content/ko/stories/oita-lsi.md:4:7: error: {said}"


def test_a_new_file_explains_its_fields_in_korean(make_site, capsys, monkeypatch):
    root = make_site()
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert main(["new", "story", "new-one", "--source", str(root)]) == 0
    assert capsys.readouterr().out.startswith("content/ko/stories/new-one.md: 만들었습니다. 내용을 채우세요.")
    korean = (root / "content/ko/stories/new-one.md").read_text(encoding="utf-8")
    assert "# (필수) 성공사례 제목\ntitle: 새 성공사례\n" in korean
    assert "# (필수) 날짜, YYYY-MM-DD 형식\n" in korean
    assert "# (필수) 다음 중 하나: dongnam, chungcheong\nregion: dongnam\n" in korean
    assert "(required)" not in korean
    assert main(["--messages", "en", "new", "story", "other-one", "--source", str(root)]) == 0
    english = (root / "content/ko/stories/other-one.md").read_text(encoding="utf-8")
    assert "# (required) the story's title\ntitle: 새 성공사례\n" in english
    front = lambda text: yaml.safe_load(text.split("---")[1])  # noqa: E731
    assert front(korean) == front(english)  # only the comments differ
    assert errors(build_into(root, pdf=False)) == []


def test_the_dev_servers_error_page_speaks_the_editors_language():
    broken = Report(
        diagnostics=[
            Diagnostic(
                "content/ko/stories/oita-lsi.md",
                4,
                7,
                "date",
                Message("expected {expected}, found {found}{fix}", expected=Message("a date like 2012-05-31"), found="'2012.05.31'", fix=""),
            )
        ]
    )
    use("ko")
    page = html5lib.parse(error_page(broken), namespaceHTMLElements=False)
    assert page.get("lang") == "ko"
    assert page.findtext(".//title") == "빌드 실패 | sitegen"
    assert page.findtext(".//h1") == "마지막으로 저장한 내용으로 사이트를 만들지 못했습니다"
    assert "다시 저장하세요" in page.findtext(".//p")
    [item] = [li.findtext("code") for li in page.iter("li")]
    assert item == "content/ko/stories/oita-lsi.md:4:7: error: date: 2012-05-31 형식의 날짜이어야 하는데 '2012.05.31'입니다"
    use("en")
    page = html5lib.parse(error_page(broken), namespaceHTMLElements=False)
    assert (page.get("lang"), page.findtext(".//h1")) == ("en", "The last save did not build")
    assert [li.findtext("code") for li in page.iter("li")] == [
        "content/ko/stories/oita-lsi.md:4:7: error: date: expected a date like 2012-05-31, found '2012.05.31'"
    ]


def test_a_missing_image_is_told_in_korean_at_the_line_that_names_it(make_site, capsys, monkeypatch):
    root = make_site({"content/ko/pages/program.md": "---\ntitle: 사업\nmenu: 1\n---\n소개.\n\n![공장 전경](factory.jpg)\n"})
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert main(["check", "--source", str(root)]) == 1
    err = capsys.readouterr().err
    assert (
        "content/ko/pages/program.md:7:1: error: body: 이미지 파일이어야 하는데 파일이 없습니다(content/ko/pages/factory.jpg); "
        "이미지를 그 위치에 두거나 경로를 고치세요(경로는 이미지를 적은 파일이 있는 폴더를 기준으로 읽습니다)"
    ) in err, err
    assert err.endswith("sitegen: 오류 1개: 아무 파일도 쓰지 않았습니다\n")
