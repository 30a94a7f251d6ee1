"""An editor reads sitegen's messages in their own language: Korean or English, from the locale or
--messages; the compiler's format around them stays the same in every language."""

from __future__ import annotations

import copy
import re
import shutil
import string
import subprocess
from pathlib import Path

import html5lib
import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from test_yamlhelp import CLUSTER, MISTAKES, cluster, diagnostics

from conftest import FIXTURES, build_into, errors
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


@pytest.mark.parametrize("option", [["--messages", "ko"], ["--messages=ko"], ["--mess", "ko"]])
def test_an_option_checked_as_it_is_read_is_said_in_the_language_asked_for_however_written(option, capsys):
    """argparse takes --mess for --messages: the --today check, said before the options are all read, hears it too."""
    with pytest.raises(SystemExit) as info:
        main([*option, "check", "--today", "2026.12.07"])
    assert info.value.code == 2
    assert "argument --today: 2026-12-07 형식의 날짜여야 하는데 '2026.12.07'입니다" in capsys.readouterr().err


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


MINI_CONFIG = (Path(__file__).resolve().parent / "fixtures" / "mini" / "site.yaml").read_text(encoding="utf-8")
PROGRAM = "---\ntitle: 사업\nmenu: 1\n---\n소개.\n\n"
LINK = object()  # in a row's files: a link to /etc/passwd in the file's place


def config_with(old: str, new: str) -> dict[str, str | object | None]:
    assert old in MINI_CONFIG
    return {"site.yaml": MINI_CONFIG.replace(old, new)}


# What an editor meets beyond YAML: site.yaml's checks, folders refused, Markdown limits, names that
# do not exist, the summary, the files `sitegen new` makes. Each row: the site's changed files, the
# command, its exit code, the start of the line that must say it (the same in both languages: file,
# line, column, severity, field), words of that line in English, and the cause and fix in Korean.
EDITOR_MISTAKES = [
    # site.yaml
    (
        "an ftp base URL",
        config_with("https://example.org/portal/", "ftp://example.org/"),
        ["check"],
        1,
        "site.yaml:1:11: error: base_url: ",
        ["expected an http(s) URL", "a site is published at an http:// or https:// address"],
        ["http(s) URL이어야 하는데 'ftp://example.org/'입니다", "http:// 또는 https:// 주소로 게시합니다"],
    ),
    (
        "a base URL with a space",
        config_with("https://example.org/portal/", '"https://example.org/my portal/"'),
        ["check"],
        1,
        "site.yaml:1:11: error: base_url: ",
        ["a URL cannot hold ' '", "percent-encode it"],
        ["URL에는 ' '을(를) 쓸 수 없습니다", "퍼센트 인코딩", "%20"],
    ),
    (
        "no base URL",
        config_with("base_url: https://example.org/portal/\n", ""),
        ["check"],
        1,
        "site.yaml:1:1: error: base_url: ",
        ["expected the published site's URL, found nothing"],
        ["반드시 적어야 하는 항목", "게시할 사이트의 URL"],
    ),
    (
        "a language listed twice",
        config_with("[ko, en, ja]", "[ko, en, ja, en]"),
        ["check"],
        1,
        "site.yaml:2:12: error: languages: ",
        ["expected each language once, found en more than once"],
        ["en이(가) 두 번 이상 있습니다", "겹친 줄을 지우세요"],
    ),
    (
        "untranslated for a language the site does not have",
        {"site.yaml": MINI_CONFIG + "untranslated: {jp: omit}\n"},
        ["check"],
        1,
        "site.yaml:8:20: error: untranslated.jp: ",
        ["expected one of the languages ko, en, ja, found 'jp'", "(did you mean 'ja'?)"],
        ["언어 ko, en, ja 중 하나여야 하는데 'jp'입니다", "혹시 'ja'입니까?"],
    ),
    (
        "an untranslated policy sitegen does not know",
        {"site.yaml": MINI_CONFIG + "untranslated: hide\n"},
        ["check"],
        1,
        "site.yaml:8:15: error: untranslated: ",
        ["expected fallback (shown from the source with a notice) or omit", "found 'hide'"],
        ["fallback(안내와 함께 원문을 보임) 또는 omit(번역할 때까지 뺌)이어야 하는데 'hide'입니다"],
    ),
    (
        "a site title without the source language",
        config_with("title: {ko: 클러스터, en: Clusters, ja: クラスター}", "title: {en: Clusters, ja: クラスター}"),
        ["check"],
        1,
        "site.yaml:3:8: error: title: ",
        ["expected text for 'ko', found none", "add a line 'ko: ...'"],
        ["'ko'의 글이 있어야 하는데 없습니다", "'ko: ...' 줄을 넣으세요"],
    ),
    (
        "a site title in a language the site does not have",
        config_with("ja: クラスター}", "ja: クラスター, jp: クラスター}"),
        ["check"],
        0,
        "site.yaml:3:48: warning: title.jp: ",
        ["found 'jp' (did you mean 'ja'?)"],
        ["언어 ko, en, ja 중 하나여야 하는데 'jp'입니다", "혹시 'ja'입니까?"],
    ),
    (
        "a region with one name for every language",
        config_with("  chungcheong: {ko: 충청권, en: Chungcheong Region, ja: 忠清圏}", "  chungcheong: 충청권"),
        ["check"],
        1,
        "site.yaml:7:16: error: regions.chungcheong: ",
        ["expected the region's name in each language, found '충청권'"],
        ["언어마다 지역 이름이 있어야 하는데 '충청권'입니다"],
    ),
    (
        "no site.yaml",
        {"site.yaml": None},
        ["check"],
        1,
        "site.yaml: error: ",
        ["expected the site's config file, found no site.yaml", "name it with --source"],
        ["사이트 설정 파일이 있어야 하는데", "site.yaml이(가) 없습니다", "--source로 그 폴더를 적으세요"],
    ),
    (
        "a --base-url option that is no web address",
        {},
        ["check", "--base-url", "ftp://example.org/"],
        2,
        "sitegen check: error: argument --base-url: ",
        ["expected an http(s) URL such as https://example.org/portal/, found 'ftp://example.org/'"],
        ["http(s) URL이어야 하는데 'ftp://example.org/'입니다", "http:// 또는 https:// 주소로 게시합니다"],
    ),
    (
        "a --today option that is no date",
        {},
        ["check", "--today", "2026.12.07"],
        2,
        "sitegen check: error: argument --today: ",
        ["expected a date like 2026-12-07, found '2026.12.07'"],
        ["2026-12-07 형식의 날짜여야 하는데 '2026.12.07'입니다"],
    ),
    # Folders
    (
        "--source naming a file",
        {},
        ["check", "--source", "{root}/site.yaml"],
        2,
        "sitegen: error: --source {root}/site.yaml: ",
        ["expected the site folder, found a file"],
        ["사이트 폴더여야 하는데 파일입니다", "site.yaml이 있는 폴더를 적으세요"],
    ),
    (
        "--source naming no folder",
        {},
        ["check", "--source", "{root}/sites"],
        1,
        "sitegen: error: --source {root}/sites: ",
        ["expected the site folder, found no such folder"],
        ["그런 폴더가 없습니다", "이름을 확인하세요"],
    ),
    (
        "an output folder inside content",
        {},
        ["build", "--no-pdf", "--no-search", "--out", "{root}/content/public"],
        2,
        "sitegen: error: {root}/content/public: ",
        ["found it inside content/", "choose another --out (the default is {root}/public)"],
        ["content/ 안에 있습니다", "다음 빌드가 그 파일을 원본으로 다시 읽게 됩니다", "다른 --out을 정하세요(기본값은 {root}/public)"],
    ),
    (
        "an output folder with someone's files",
        {"elsewhere/notes.txt": "mine"},
        ["build", "--no-pdf", "--no-search", "--out", "{root}/elsewhere"],
        2,
        "sitegen: error: {root}/elsewhere: ",
        ["expected an empty folder or an earlier sitegen output, found other files"],
        ["다른 파일이 있습니다", "다른 --out을 정하거나 폴더를 비우세요"],
    ),
    (
        "an output folder that is a file",
        {"public": "a file"},
        ["build", "--no-pdf", "--no-search"],
        2,
        "sitegen: error: {root}/public: ",
        ["expected a folder, found a file"],
        ["폴더여야 하는데 파일입니다", "다른 --out을 정하세요"],
    ),
    (
        "a folder in a language folder that is no section",
        {"content/ko/notes/a.md": "메모"},
        ["check"],
        1,
        "content/ko/notes: error: ",
        ["expected _index.md or a section folder (clusters, stories, pages, brochures), found 'notes'; rename or move it"],
        ["섹션 폴더(clusters, stories, pages, brochures)여야 하는데 'notes'입니다", "이름을 바꾸거나 옮기세요"],
    ),
    (
        "a language folder the site does not have",
        {"content/jp/_index.md": "---\ntitle: ホーム\n---\n"},
        ["check"],
        1,
        "content/jp: error: ",
        ["expected a language folder (ko, en, ja), found 'jp' (did you mean 'ja'?)"],
        ["언어 폴더(ko, en, ja)여야 하는데 'jp'입니다", "혹시 'ja'입니까?", "site.yaml에 그 언어를 넣거나 폴더를 옮기세요"],
    ),
    (
        "a content file that is a link out of the site",
        {"content/ko/stories/passwd.md": LINK},
        ["check"],
        1,
        "content/ko/stories/passwd.md: error: ",
        ["expected a file inside content/, found a link to /etc/passwd; replace the link with the file itself"],
        ["content/ 안의 파일이어야 하는데 /etc/passwd(으)로 가는 링크입니다", "링크 대신 파일을 직접 두세요"],
    ),
    (
        "an SVG with a script",
        {"assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script>\n</svg>\n'},
        ["check"],
        1,
        "assets/logo.svg:2: error: ",
        ["found a <script> element", "remove it, or export the picture again without it"],
        ["평범한 SVG 그림이어야 하는데", "<script> 요소", "지우거나, 그 부분 없이 그림을 다시 내보내세요"],
    ),
    # Markdown limits
    (
        "quotes nested too deep",
        {"content/ko/pages/program.md": PROGRAM + ">" * 60 + " 깊은 인용\n"},
        ["check"],
        1,
        "content/ko/pages/program.md:2:1: error: body: ",
        ["expected quotes and lists at most 50 levels deep", "found 60 levels at line 3 of the body"],
        ["인용과 목록은 겹쳐서 50단계 이하", "본문 3번째 줄에서 60단계입니다"],
    ),
    (
        "too many links in one paragraph",
        {"content/ko/pages/program.md": PROGRAM + " ".join(f"[{n}](https://example.org/{n})" for n in range(60)) + "\n"},
        ["check"],
        1,
        "content/ko/pages/program.md:2:1: error: body: ",
        ["expected at most 50 links", "found 60 in the paragraph at line 3 of the body"],
        ["링크, 이미지, 각주, 코드가 50개 이하", "링크를 '* '로 시작하는 줄마다 하나씩 목록으로 만드세요", "본문 3번째 줄", "60개입니다"],
    ),
    (
        "a body too long",
        {"content/ko/pages/program.md": PROGRAM + ("가나다라마바사아자차 " * 10 + "\n\n") * 1000},
        ["check"],
        1,
        "content/ko/pages/program.md:2:1: error: body: ",
        ["expected a body of at most 100,000 characters (split it into several pages), found 112,005 characters"],
        ["100,000자 이하의 본문(여러 페이지로 나누세요)이어야 하는데 112,005자입니다"],
    ),
    (
        "a story naming a cluster the site does not have",
        {"content/ko/stories/oita-lsi.md": (FIXTURES / "mini/content/ko/stories/oita-lsi.md").read_text(encoding="utf-8").replace("[changwon]", "[changwun]")},
        ["check"],
        1,
        "content/ko/stories/oita-lsi.md:6:12: error: clusters: ",
        ["expected a cluster slug (changwon), found 'changwun'"],
        ["클러스터 슬러그(changwon)여야 하는데 'changwun'입니다"],
    ),
    # Names that do not exist
    (
        "a PDF of a brochure the site does not have",
        {},
        ["pdf", "gide"],
        1,
        "content/ko/brochures/gide.yaml: error: ",
        ["found no brochure 'gide'; the brochures are: none yet (start one with `sitegen new brochure SLUG`)"],
        ["안내서 'gide'이(가) 없습니다", "아직 없음(`sitegen new brochure 슬러그`로 만드세요)"],
    ),
    (
        "a language the site does not have",
        {},
        ["check", "--lang", "jp"],
        1,
        "sitegen: error: ",
        ["unknown language jp (did you mean 'ja'?): expected one of ko, en, ja"],
        ["모르는 언어 jp입니다", "혹시 'ja'입니까?", "ko, en, ja 중 하나를 쓰세요"],
    ),
    (
        "i18n done on a source file",
        {},
        ["i18n", "done", "content/ko/stories/oita-lsi.md"],
        1,
        "content/ko/stories/oita-lsi.md: error: ",
        ["did you mean content/en/stories/oita-lsi.md or content/ja/stories/oita-lsi.md?"],
        ["번역 파일이어야 하는데", "혹시 content/en/stories/oita-lsi.md 또는 content/ja/stories/oita-lsi.md입니까?"],
    ),
    (
        "an export into a language the site does not have",
        {},
        ["i18n", "export", "--lang", "jp", "-o", "{root}/jp.xlf"],
        1,
        "sitegen: error: --lang jp: ",
        ["expected a translation language of site.yaml (en, ja) (did you mean 'ja'?)"],
        ["site.yaml에 있는 번역 언어(en, ja)여야 합니다", "혹시 'ja'입니까?"],
    ),
    # The summary and the progress line
    (
        "a build's summary",
        {},
        ["build", "--no-pdf", "--no-search"],
        0,
        "sitegen: ",
        ["built 31 pages in 3 languages into {root}/public ("],
        ["페이지 31개를 3개 언어로 {root}/public에 만들었습니다(", "초)"],
    ),
    (
        "a build's progress line",
        {},
        ["build", "--no-pdf", "--no-search"],
        0,
        "sitegen: ",
        ["pages 31/31"],
        ["페이지 31/31"],
    ),
    (
        "a check's summary",
        {},
        ["check"],
        0,
        "sitegen: ",
        ["checked 31 pages in 3 languages ("],
        ["페이지 31개를 3개 언어로 검사했습니다(", "초)"],
    ),
    (
        "the translation status",
        {},
        ["i18n", "status", "--lang", "ja"],
        0,
        "    ",
        ["content: ", " translated, ", " missing, ", " out of date"],
        ["콘텐츠: 번역 ", "개, 미번역 ", "개, 원문이 바뀜 "],
    ),
    # sitegen new
    (
        "a new file's slug with capitals",
        {},
        ["new", "story", "Busan_Story"],
        2,
        "sitegen: error: ",
        ["expected a slug of lowercase letters, digits and hyphens, found 'Busan_Story'"],
        ["영문 소문자, 숫자, 하이픈(-)만 써야 하는데 'Busan_Story'입니다", "new-factory-2024처럼 쓰세요"],
    ),
    (
        "a new file that exists already",
        {},
        ["new", "story", "oita-lsi"],
        2,
        "sitegen: error: ",
        ["content/ko/stories/oita-lsi.md exists already; choose another slug or edit it"],
        ["content/ko/stories/oita-lsi.md이(가) 이미 있습니다", "다른 슬러그를 정하거나 그 파일을 고치세요"],
    ),
    (
        "a new cluster's comments",
        {},
        ["new", "cluster", "busan"],
        0,
        "# ",
        ["(required) the cluster's name"],
        ["(필수) 클러스터 이름"],
    ),
    (
        "a new page's comments",
        {},
        ["new", "page", "about"],
        0,
        "# ",
        ["(required) the page's title"],
        ["(필수) 페이지 제목"],
    ),
    (
        "a new brochure's comments",
        {},
        ["new", "brochure", "guide"],
        0,
        "# ",
        ["(required) the brochure's title"],
        ["(필수) 안내서 제목"],
    ),
]
NEW_FILES = {"cluster": "content/ko/clusters/{slug}.yaml", "page": "content/ko/pages/{slug}.md", "brochure": "content/ko/brochures/{slug}.yaml"}


def run_in(make_site, tmp_path: Path, files: dict, argv: list[str], capsys, lang: str) -> tuple[int, list[str]]:
    """The command run on a fresh copy of the site with `files` changed, in `lang`: its exit code and
    the lines it printed (and, for `sitegen new`, the lines of the file it made)."""
    shutil.rmtree(tmp_path / "site", ignore_errors=True)
    root = make_site({rel: data for rel, data in files.items() if data is not LINK})
    for rel in (rel for rel, data in files.items() if data is LINK):
        (root / rel).symlink_to("/etc/passwd")
    args = [arg.replace("{root}", str(root)) for arg in argv]
    if "--source" not in args:
        args += ["--source", str(root)]
    try:
        code = main(["--messages", lang, *args])
    except SystemExit as exit:
        code = int(exit.code or 0)
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).replace(str(root), "{root}").splitlines()
    if argv[0] == "new" and code == 0:
        lines += (root / NEW_FILES[argv[1]].format(slug=argv[2])).read_text(encoding="utf-8").splitlines()
    return code, lines


@pytest.mark.parametrize("mistake, files, argv, code, where, english, korean", EDITOR_MISTAKES, ids=[row[0] for row in EDITOR_MISTAKES])
def test_what_an_editor_meets_is_said_in_korean_at_the_same_place(make_site, tmp_path, capsys, mistake, files, argv, code, where, english, korean):
    said_code, said = run_in(make_site, tmp_path, files, argv, capsys, "ko")
    matching = [line for line in said if line.startswith(where) and all(word in line for word in korean)]
    assert (said_code, len(matching) >= 1) == (code, True), "\n".join(said)
    line = matching[0]
    assert "expected" not in line and " found " not in line, line  # no English left in it
    if re.match(r"[^:]+:\d+:\d+: ", where):  # path:line:col: severity: field: message, parseable in Korean too
        assert FORMAT.match(line), line
    english_code, told = run_in(make_site, tmp_path, files, argv, capsys, "en")
    assert english_code == code
    assert any(line.startswith(where) and all(word in line for word in english) for line in told), "\n".join(told)


def test_the_dev_servers_terminal_lines_speak_korean():
    from sitegen.serve import summary

    saved = Report(whole=False, written=["ko/stories/oita-lsi/index.html", "en/stories/oita-lsi/index.html"], changed=["content/ko/stories/oita-lsi.md"])
    saved.diagnostics = [Diagnostic("content/ko/stories/oita-lsi.md", 5, 1, None, Message("a warning"), "warning")]
    ko = translator("ko")
    assert re.fullmatch(r"파일 2개: content/ko/stories/oita-lsi\.md이\(가\) 바뀜\(\d+ms\); 경고 1개, 해당 페이지에 표시합니다", summary(saved).said(ko))
    assert re.fullmatch(r"2 files: content/ko/stories/oita-lsi\.md changed \(\d+ ms\); 1 warning, on the pages they concern", str(summary(saved)))
    broken = Report(diagnostics=[Diagnostic("content/ko/_index.md", 1, 1, None, "x")])
    assert summary(broken).said(ko) == "오류 1개: 브라우저에 표시합니다"


@pytest.mark.parametrize(
    "lang, said",
    [
        (
            "ja",
            "{root}/elsewhere: 空のフォルダーか、sitegen が前に作った出力が必要ですが、ほかのファイルがあります; 別の --out を指定するか、フォルダーを空にしてください",
        ),
        ("zh", "{root}/elsewhere: 应为空文件夹或 sitegen 以前的输出，但含有其他文件；请换一个 --out，或清空该文件夹"),
    ],
)
def test_a_refused_output_folder_is_named_first_in_japanese_and_chinese_too(make_site, tmp_path, capsys, lang, said):
    code, lines = run_in(make_site, tmp_path, {"elsewhere/notes.txt": "mine"}, ["build", "--out", "{root}/elsewhere"], capsys, lang)
    assert (code, lines[-1]) == (2, f"sitegen: error: {said}")


def test_every_message_is_written_as_a_literal_so_that_its_translation_is_found():
    """A Message made from an f-string or a variable would pass the test above untranslated: pybabel
    (and said_by_sitegen) see only literals."""
    import ast

    made_otherwise = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    line = path.read_text(encoding="utf-8").splitlines()[node.lineno - 1].strip()
                    made_otherwise.append(f"{path.relative_to(PACKAGE.parent)}: {line}")
    assert made_otherwise == ["sitegen/errors.py: return Message(template, **values)"]  # _message, which unpickles one made from a literal


# `sitegen i18n export` and `import`: a translation agency's file comes back damaged, or the site
# changed meanwhile. The exchange file's problems are told at its line (no column: a CAT tool's
# file is not the editor's), the content's at their line and column.
TRADE = "content/ko/stories/trade.md"
TRADE_TEXT = "---\ntitle: 오이타와의 교류\nsummary: 수출 계약\ndate: 2012-05-31\nregion: chungcheong\n---\n\n## 교류의 시작\n\n일본 **오이타현** 클러스터와 [교류](https://example.org/lsi)했습니다.\n"
XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
AT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<severity>error|warning|note): (?:(?P<field>[\w.#-]+): )?(?P<message>.+)$")


def translated_as_a_cat_tool_does(file: Path) -> None:
    """Every unit given a target: its source's text and placeholders (a PO's msgstr its msgid)."""
    from lxml import etree

    if file.suffix == ".po":
        with file.open("rb") as po:
            made = read_po(po)
        for message in made:
            if message.id:
                message.string = message.id
        with file.open("wb") as po:
            write_po(po, made, width=0)
        return
    tree = etree.parse(str(file))
    ns = tree.getroot().nsmap[None]
    for source in tree.iter(f"{{{ns}}}source"):
        target = copy.deepcopy(source)
        target.tag = f"{{{ns}}}target"
        if ns == XLIFF12_NS:
            target.set("state", "translated")
        else:
            source.getparent().set("state", "translated")
        source.addnext(target)
    tree.write(str(file), xml_declaration=True, encoding="UTF-8")


def replaced(old: str, new: str, count: int = 1):
    def damage(text: str) -> str:
        assert old in text, (old, text)
        return text.replace(old, new, count)

    return damage


def line_of(text: str, part: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if part in line)


# Each row: the export's options (an import row exports stories/trade), the site's files changed (for an
# import row, after the export), the CAT tool's damage to the file (None: the export is refused or
# empty), the text of the file's line the problem is told at, the exit code, the start of the line
# ({file} and {line} the exchange file's), words in English, the cause and the fix in Korean.
EXCHANGE_MISTAKES = [
    (
        "a unit deleted",
        [],
        {},
        lambda text: re.sub(r'<trans-unit xml:space="preserve" id="title">.*?</trans-unit>', "", text, flags=re.S),
        "<file ",
        1,
        "{file}:{line}: error: ",
        ["expected every unit of content/ko/stories/trade.md, found 1 missing (title); send back the whole file"],
        ["content/ko/stories/trade.md의 번역 단위가 모두 있어야 하는데 1개가 빠졌습니다(title)", "파일 전체를 돌려보내"],
    ),
    (
        "a placeholder removed",
        [],
        {},
        replaced('<target state="translated">일본 <g id="1">오이타현</g>', '<target state="translated">일본 오이타현'),
        '<target state="translated">일본',
        1,
        "{file}:{line}: error: body#2: ",
        ["expected the source's placeholders, found placeholder 1 missing (it stands for **…**); put it back as in the source"],
        ["원문의 자리표시자가 그대로 있어야 하는데 자리표시자 1이(가) 빠졌습니다(**…**을(를) 나타냅니다)", "원문과 같게 되돌리세요"],
    ),
    (
        "a placeholder of XLIFF 2 the source does not have",
        ["--format", "xliff2"],
        {},
        lambda text: re.sub(r'(<target>일본 <pc id=)"1"', r'\1"7"', text),
        "<target>일본",
        1,
        "{file}:{line}: error: body#2: ",
        ["expected the source's placeholders, found placeholder 7, which the source does not have"],
        ["원문에 없는 자리표시자 7이(가) 있습니다", "원문과 같게 되돌리세요"],
    ),
    (
        "a wrong target language",
        [],
        {},
        replaced('target-language="ja"', 'target-language="fr"'),
        'target-language="fr"',
        1,
        "{file}:{line}: error: target-language: ",
        ["expected one of the site's translation languages (en, ja), found 'fr'"],
        ["사이트의 번역 언어(en, ja) 중 하나여야 하는데 'fr'입니다"],
    ),
    (
        "a wrong source language",
        [],
        {},
        replaced('source-language="ko"', 'source-language="en"'),
        'source-language="en"',
        1,
        "{file}:{line}: error: source-language: ",
        ["expected ko, the site's source language, found 'en'"],
        ["사이트의 원문 언어인 ko이어야 하는데 'en'입니다"],
    ),
    (
        "an item that no longer exists",
        [],
        {TRADE: None},
        lambda text: text,
        "<file ",
        1,
        "{file}:{line}: error: ",
        ["found 'content/ko/stories/trade.md', which no longer exists", "leave it out"],
        ["사이트의 항목이어야 하는데 'content/ko/stories/trade.md'은(는) 이제 없습니다", "이 항목을 빼세요"],
    ),
    (
        "a unit the source no longer has",
        [],
        {},
        replaced('id="summary"', 'id="subtitle"'),
        '<target state="translated">수출 계약',
        1,
        "{file}:{line}: error: subtitle: ",
        ["expected a unit of content/ko/stories/trade.md, found subtitle, which it no longer has; export the file again"],
        ["subtitle은(는) 이제 원문에 없습니다", "파일을 다시 내보내세요"],
    ),
    (
        "the source changed since the export",
        [],
        {TRADE: TRADE_TEXT.replace("## 교류의 시작", "## 교류의 첫걸음")},
        lambda text: text,
        '<target state="translated">교류의 시작',
        0,
        "{file}:{line}: warning: body#1: ",
        ["the source changed since the export (content/ko/stories/trade.md:8)", "stays marked out of date"],
        ["내보낸 뒤 원문이 바뀌었습니다(content/ko/stories/trade.md:8)", "최신이 아닌 번역으로 표시됩니다"],
    ),
    (
        "a translation edited here since the export",
        [],
        {"content/ja/stories/trade.md": TRADE_TEXT.replace("title: 오이타와의 교류", "title: 大分との交流")},
        lambda text: text,
        "<file ",
        1,
        "{file}:{line}: error: ",
        ["expected content/ja/stories/trade.md as it was when exported, found it changed since", "--force"],
        ["content/ja/stories/trade.md이(가) 내보낼 때 그대로여야 하는데 그 뒤에 바뀌었습니다", "--force를 붙여 가져오세요"],
    ),
    (
        "broken XML",
        [],
        {},
        replaced("</target>", ""),
        "</trans-unit>",
        1,
        "{file}:{line}: error: ",
        ["expected well-formed XML, found a syntax error", "send the file back as the CAT tool saved it"],
        ["올바른 XML이어야 하는데 문법 오류가 있습니다", "CAT 도구가 저장한 그대로의 파일을 보내 달라고 하세요"],
    ),
    (
        "a DOCTYPE",
        [],
        {},
        replaced("<xliff ", '<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<xliff '),
        "<?xml",
        1,
        "{file}:{line}: error: ",
        ["expected XLIFF without a DOCTYPE, found one"],
        ["DOCTYPE 선언이 없는 XLIFF여야 하는데 DOCTYPE이 있습니다", "CAT 도구에서 파일을 다시 저장하세요"],
    ),
    (
        "a blank line in a paragraph",
        [],
        {},
        replaced("</g>했습니다.</target>", "</g>했습니다.\n\n다음 단락</target>"),
        '<target state="translated">일본',
        1,
        "{file}:{line}: error: body#2: ",
        ["expected the translation to keep the block as it is, found a blank line"],
        ["번역은 단락 모양을 그대로 지켜야 하는데 빈 줄이 있어 새 단락이 시작됩니다", "한 덩어리로 두세요"],
    ),
    (
        "a PO token left open",
        ["--format", "po"],
        {},
        replaced('msgstr "일본 {1}오이타현{/1}', 'msgstr "일본 {1}오이타현'),
        'msgctxt "content/ko/stories/trade.md#body#2"',
        1,
        "{file}:{line}: error: ",
        ["unit body#2: expected paired placeholders, found {1} without its {/1} after it"],
        ["번역 단위 body#2: 자리표시자가 짝을 이루어야 하는데 {1} 뒤에 짝이 되는 {/1}이(가) 없습니다"],
    ),
    (
        "a control character in a PO translation",
        ["--format", "po"],
        {},
        replaced('msgstr "수출 계약"', 'msgstr "수출\x0c계약"'),
        'msgctxt "content/ko/stories/trade.md#summary"',
        1,
        "{file}:{line}: error: summary: ",
        ["expected visible text, found a form feed, or page break (U+000C)"],
        ["보이지 않는 문자입니다", "지우세요"],
    ),
    (
        "an XLIFF 2 unit split in two segments",
        ["--format", "xliff2"],
        {},
        lambda text: re.sub(r'(<unit id="summary".*?</segment>)', r"\1<segment><source>x</source></segment>", text, count=1, flags=re.S),
        '<unit id="summary"',
        1,
        "{file}:{line}: error: ",
        ["unit summary: expected one <segment>, found 2 parts; join them in the CAT tool"],
        ["번역 단위 summary: <segment>가 하나여야 하는데 2개로 나뉘어 있습니다", "CAT 도구에서 합치세요"],
    ),
    (
        "an empty selection",
        ["--missing", "clusters/changwon"],
        {},
        None,
        None,
        0,
        "sitegen: ",
        ["nothing to export: every item is translated into ja;", "was not written"],
        ["내보낼 것이 없습니다: 모든 항목이 ja(으)로 번역되어 있습니다", "쓰지 않았습니다"],
    ),
    (
        "a control character in the content to export",
        ["stories/trade"],
        {TRADE: TRADE_TEXT.replace("## 교류의 시작", "## 교류의\x0b시작")},
        None,
        None,
        1,
        "content/ko/stories/trade.md:8:7: error: body: ",
        ["expected visible text, found a vertical tab (U+000B)"],
        ["보이는 글이어야 하는데", "보이지 않는 문자입니다: 지우세요"],
    ),
]


def exchanged(make_site, tmp_path: Path, capsys, row: tuple, lang: str) -> tuple[int, list[str], str]:
    """The row's export and, for an import row, its damaged file imported, on a fresh site, told in
    `lang`: the exit code, the lines printed, and the start of the line that must tell the problem."""
    _, export_args, changed, damage, at, _, where, _, _ = row
    shutil.rmtree(tmp_path / "site", ignore_errors=True)
    root = make_site({TRADE: TRADE_TEXT})
    file = tmp_path / ("ja.po" if "po" in export_args else "ja.xlf")
    file.unlink(missing_ok=True)
    export = ["i18n", "export", "--source", str(root), "--lang", "ja", *export_args, "-o", str(file)]
    if damage is None:  # the export's own problem
        for rel, data in changed.items():
            (root / rel).write_text(data, encoding="utf-8")
        code = main(["--messages", lang, *export])
        captured = capsys.readouterr()
        return code, (captured.out + captured.err).splitlines(), where
    assert main([*export, "stories/trade"]) == 0
    translated_as_a_cat_tool_does(file)
    text = damage(file.read_text(encoding="utf-8"))
    file.write_text(text, encoding="utf-8")
    for rel, data in changed.items():
        if data is None:
            (root / rel).unlink()
        else:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(data, encoding="utf-8")
    capsys.readouterr()
    code = main(["--messages", lang, "i18n", "import", "--source", str(root), str(file)])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines(), where.format(file=file, line=line_of(text, at))


@pytest.mark.parametrize("row", EXCHANGE_MISTAKES, ids=[row[0] for row in EXCHANGE_MISTAKES])
def test_a_translation_agencys_file_is_judged_in_korean_at_the_same_line(make_site, tmp_path, capsys, row):
    code, english, korean = row[5], row[7], row[8]
    said_code, said, where = exchanged(make_site, tmp_path, capsys, row, "ko")
    matching = [line for line in said if line.startswith(where) and all(word in line for word in korean)]
    assert (said_code, len(matching) >= 1) == (code, True), "\n".join(said)
    assert "expected" not in matching[0] and " found " not in matching[0], matching[0]  # no English left in it
    if where.startswith((str(tmp_path), "content/")):  # path:line[:col]: severity: field: message
        told = AT.match(matching[0])
        assert told, matching[0]
        assert f"{told['path']}:{told['line']}" + (f":{told['column']}" if told["column"] else "") == where.split(": ")[0]
    english_code, told_in_english, where = exchanged(make_site, tmp_path, capsys, row, "en")
    assert english_code == code
    assert any(line.startswith(where) and all(word in line for word in english) for line in told_in_english), "\n".join(told_in_english)
