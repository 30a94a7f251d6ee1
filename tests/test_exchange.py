"""Translation agencies: content exported as XLIFF or PO, checked and imported back."""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree

from conftest import REPO, build_into, errors, parse_html, tree_bytes
from sitegen.cli import main
from sitegen.layout import identify
from sitegen.render.urls import item_path, output_file

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
NS = {"x": XLIFF}
TRANSLATIONS = ("en", "ja", "zh")


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    """A copy of the real portal's sources, to import into."""
    root = tmp_path / "portal"
    root.mkdir()
    for name in ("site.yaml", "content", "assets", "templates", "locale"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("*.mo"))
        elif source.exists():
            shutil.copy(source, root / name)
    return root


def export(root: Path, out: Path, *args: str) -> Path:
    assert main(["i18n", "export", "--source", str(root), *args, "-o", str(out)]) == 0
    return out


def imported(root: Path, file: Path, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["i18n", "import", "--source", str(root), *args, str(file)])
    return code, capsys.readouterr().err


def test_every_translation_of_the_portal_comes_back_byte_identical(portal, tmp_path, capsys):
    before = tree_bytes(portal / "content")
    for lang in TRANSLATIONS:
        file = export(portal, tmp_path / f"{lang}.xlf", "--lang", lang)
        code, err = imported(portal, file, capsys)
        assert (code, err) == (0, "")
    assert tree_bytes(portal / "content") == before


def test_the_export_is_xliff_12_with_a_file_per_item_and_states(portal, tmp_path):
    file = export(portal, tmp_path / "zh.xlf", "--lang", "zh")
    root = etree.parse(str(file)).getroot()
    assert (root.tag, root.get("version")) == (f"{{{XLIFF}}}xliff", "1.2")
    files = root.findall("x:file", NS)
    assert {f.get("source-language") for f in files} == {"ko"} and {f.get("target-language") for f in files} == {"zh"}
    oita = next(f for f in files if f.get("original") == "content/ko/stories/oita-lsi/index.md")
    ids = [u.get("id") for u in oita.iter(f"{{{XLIFF}}}trans-unit")]
    assert ids[:4] == ["title", "summary", "cover.alt", "body#1"] and len(ids) == len(set(ids))
    assert {t.get("state") for t in oita.iter(f"{{{XLIFF}}}target")} == {"translated"}
    note = oita.find("x:body/x:trans-unit[@id='body#2']/x:note", NS)
    assert note is not None and note.text.startswith("body, block 2: content/ko/stories/oita-lsi/index.md:")
    untranslated = next(f for f in files if f.get("original") == "content/ko/stories/daegyeong-working-groups.md")
    assert untranslated.findall(".//x:target", NS) == []


def test_a_brochure_exports_every_item_it_is_made_of(portal, tmp_path):
    file = export(portal, tmp_path / "b.xlf", "--lang", "ja", "--brochure", "program")
    originals = [f.get("original") for f in etree.parse(str(file)).getroot().findall("x:file", NS)]
    assert originals == [
        "content/ko/brochures/program.yaml",
        "content/ko/pages/program/index.md",
        "content/ko/clusters/changwon-machinery.yaml",
        "content/ko/pages/global.md",
        "content/ko/stories/oita-lsi/index.md",
        "content/ko/pages/contact.md",  # its back page
    ]


def test_missing_exports_only_what_is_not_translated(portal, tmp_path):
    file = export(portal, tmp_path / "m.xlf", "--lang", "zh", "--missing")
    originals = [f.get("original") for f in etree.parse(str(file)).getroot().findall("x:file", NS)]
    assert originals == ["content/ko/stories/daegyeong-working-groups.md"]


# A story with every kind of inline markup and block the portal's Markdown has.
RICH = """---
title: 오이타와의 **교류**
summary: 수출 계약 100만 달러
date: 2012-05-31
region: chungcheong
---

## 교류의 *시작*

일본 *오이타현* [LSI 클러스터](https://example.org/lsi)와 **교류**했습니다.[^1] `LSI-2012` 모델입니다.

- 첫째 **항목**
- 둘째 항목

| 권역 | 성과 |
|---|---|
| 충청권 | **수출** 계약 |

![오이타의 공장](../../../assets/brochures/program-cover.svg)

[^1]: 2012년 5월의 일입니다.
"""
RICH_PATH = "content/ko/stories/rich.md"


@pytest.fixture
def rich(portal: Path) -> Path:
    (portal / RICH_PATH).write_text(RICH, encoding="utf-8")
    return portal


@dataclass(frozen=True)
class Xliff:
    """What tells XLIFF 1.2 and 2 apart for a test: the namespace, the unit, the placeholders."""

    ns: str
    unit: str
    paired: str  # a placeholder around text
    alone: str  # a standalone placeholder
    args: tuple[str, ...]  # of `sitegen i18n export`

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def source(self, unit: etree._Element) -> etree._Element:
        return unit.find(f".//{self.q('source')}")

    def target(self, unit: etree._Element) -> etree._Element | None:
        return unit.find(f".//{self.q('target')}")

    def original(self, unit: etree._Element) -> str:
        return next(a for a in unit.iterancestors(self.q("file"))).get("original")

    def id(self, ours: str) -> str:
        """A unit's id in the file: XLIFF 2's are NMTOKENs, without '#'."""
        return ours.replace("#", "-") if self.ns == XLIFF2 else ours


X12 = Xliff(XLIFF, "trans-unit", "g", "x", ())
X2 = Xliff(XLIFF2, "unit", "pc", "ph", ("--format", "xliff2"))
BOTH = pytest.mark.parametrize("fmt", [X12, X2], ids=["xliff12", "xliff2"])


def units(file: Path, fmt: Xliff = X12) -> tuple[etree._ElementTree, dict[str, etree._Element]]:
    tree = etree.parse(str(file))
    return tree, {f"{fmt.original(u)}#{u.get('id')}": u for u in tree.iter(fmt.q(fmt.unit))}


def translate_all(file: Path, mark: str = "", end: str = "", fmt: Xliff = X12) -> None:
    """What a CAT tool does: every unit gets a target, its source's text and placeholders, marked."""
    tree, found = units(file, fmt)
    for unit in found.values():
        source = fmt.source(unit)
        old = fmt.target(unit)
        if old is not None:
            old.getparent().remove(old)
        target = etree.Element(fmt.q("target"))
        if fmt is X12:
            target.set("state", "translated")
        else:
            source.getparent().set("state", "translated")
            source.getparent().attrib.pop("subState", None)
        target.text, target[:] = source.text, [copy.deepcopy(child) for child in source]
        if mark:
            for node in [target, *target.iter(fmt.q(fmt.paired))]:
                if node.text:
                    node.text = f"{mark}{node.text}{end or mark}"
            for node in target.iter(fmt.q(fmt.paired), fmt.q(fmt.alone)):
                if node.tail:
                    node.tail = f"{mark}{node.tail}{end or mark}"
        source.addnext(target)
    tree.write(str(file), xml_declaration=True, encoding="UTF-8")


def test_inline_markup_becomes_placeholders_the_translator_moves(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "rich.xlf", "--lang", "ja", "stories/rich")
    _, found = units(file)
    paragraph = found[f"{RICH_PATH}#body#2"].find("x:source", NS)
    assert [(child.tag.split("}")[1], child.get("id"), child.text) for child in paragraph] == [
        ("g", "1", "오이타현"),
        ("g", "2", "LSI 클러스터"),
        ("g", "3", "교류"),
        ("x", "4", None),
        ("x", "5", None),
    ]
    assert found[f"{RICH_PATH}#body#9"].find("x:source", NS)[0].text == "오이타의 공장"  # an image's alt text
    translate_all(file)
    tree, found = units(file)
    # The translator moves the link before the emphasis: placeholders may change places.
    target = found[f"{RICH_PATH}#body#2"].find("x:target", NS)
    emphasis, link = copy.deepcopy(target[0]), copy.deepcopy(target[1])
    emphasis.tail, link.tail = link.tail, emphasis.tail
    target[0], target[1] = link, emphasis
    tree.write(str(file))
    assert imported(rich, file, capsys) == (0, "")
    body = (rich / "content/ja/stories/rich.md").read_text(encoding="utf-8")
    assert "일본 [LSI 클러스터](https://example.org/lsi) *오이타현*와 **교류**했습니다.[^1] `LSI-2012` 모델입니다." in body
    assert "![오이타의 공장](../../../assets/brochures/program-cover.svg)" in body
    assert "| 충청권 | **수출** 계약 |" in body and "[^1]: 2012년" in body


def refused(root: Path, file: Path, capsys, *args: str) -> list[str]:
    """Import a bad file: every problem is reported and nothing in content/ changes."""
    before = tree_bytes(root / "content")
    code, err = imported(root, file, capsys, *args)
    assert code == 1
    assert tree_bytes(root / "content") == before
    assert err.endswith("nothing was written\n")
    return err.splitlines()[:-1]


@BOTH
def test_broken_xml_is_refused_at_its_line(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", *fmt.args)
    text = file.read_text(encoding="utf-8").replace("</target>", "", 1)
    file.write_text(text, encoding="utf-8")
    [problem] = refused(portal, file, capsys)
    assert problem.startswith(f"{file}:") and ": error: expected well-formed XML, found a syntax error" in problem


@BOTH
def test_a_deleted_unit_is_refused(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", *fmt.args)
    tree, found = units(file, fmt)
    unit = found[f"content/ko/stories/oita-lsi/index.md#{fmt.id('body#3')}"]
    unit.getparent().remove(unit)
    tree.write(str(file))
    line = etree.parse(str(file)).getroot()[0].sourceline
    [problem] = refused(portal, file, capsys)
    assert problem == f"{file}:{line}: error: expected every unit of content/ko/stories/oita-lsi/index.md, found 1 missing (body#3); send back the whole file"


@BOTH
@pytest.mark.parametrize("damage", ["removed", "duplicated"])
def test_a_broken_placeholder_is_refused_at_its_line(rich, tmp_path, capsys, damage, fmt):
    file = export(rich, tmp_path / "rich.xlf", "--lang", "ja", "stories/rich", *fmt.args)
    translate_all(file, fmt=fmt)
    tree, found = units(file, fmt)
    target = fmt.target(found[f"{RICH_PATH}#{fmt.id('body#2')}"])
    mark = target[3]  # <x id="4"/> (<ph id="4"/>): the footnote mark
    if damage == "removed":
        target.remove(mark)
    else:
        mark.addnext(copy.deepcopy(mark))
    tree.write(str(file))
    line = fmt.target(units(file, fmt)[1][f"{RICH_PATH}#{fmt.id('body#2')}"]).sourceline
    [problem] = refused(rich, file, capsys)
    expected = "placeholder 4 missing (it stands for [^1]…)" if damage == "removed" else "placeholder 4 twice (each stands for one piece of markup)"
    assert problem == f"{file}:{line}: error: body#2: expected the source's placeholders, found {expected}; put it back as in the source"


@BOTH
def test_the_wrong_target_language_is_refused(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", *fmt.args)
    language = "trgLang" if fmt is X2 else "target-language"
    file.write_text(file.read_text(encoding="utf-8").replace(f'{language}="ja"', f'{language}="fr"'), encoding="utf-8")
    line = next(n for n, text in enumerate(file.read_text(encoding="utf-8").split("\n"), 1) if f'{language}="fr"' in text)
    [problem] = refused(portal, file, capsys)
    assert problem == f"{file}:{line}: error: target-language: expected one of the site's translation languages (en, ja, zh), found 'fr'"


@BOTH
def test_a_target_language_changed_to_another_of_the_site_s_names_the_paths_language(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", "pages/global", *fmt.args)
    language = "trgLang" if fmt is X2 else "target-language"
    file.write_text(file.read_text(encoding="utf-8").replace(f'{language}="ja"', f'{language}="en"'), encoding="utf-8")
    line = next(n for n, text in enumerate(file.read_text(encoding="utf-8").split("\n"), 1) if f'{language}="en"' in text)
    assert refused(portal, file, capsys) == [
        f"{file}:{line}: error: target-language: expected target-language ja, the language of the file's paths "
        "('content/ja/stories/oita-lsi/index.md'), found 'en'; set target-language back to ja"
    ]


@pytest.mark.parametrize("tag", ["ja-JP", "ja_JP", "JA"])  # as CAT tools and Poedit write it
def test_a_language_tag_with_a_region_is_the_site_s_language(portal, tmp_path, capsys, tag):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi")
    translate_all(file, mark="[JA] ")
    file.write_text(
        file.read_text(encoding="utf-8").replace('target-language="ja"', f'target-language="{tag}"').replace('source-language="ko"', 'source-language="ko-KR"'),
        encoding="utf-8",
    )
    assert imported(portal, file, capsys) == (0, "")
    assert "[JA] " in (portal / "content/ja/stories/oita-lsi/index.md").read_text(encoding="utf-8")


@BOTH
def test_an_item_that_no_longer_exists_is_refused(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", "pages/global", *fmt.args)
    (portal / "content/ko/pages/global.md").unlink()
    for lang in TRANSLATIONS:
        (portal / f"content/{lang}/pages/global.md").unlink()
    problems = refused(portal, file, capsys)
    assert len(problems) == 1 and "found 'content/ko/pages/global.md', which no longer exists" in problems[0]


@BOTH
def test_a_source_changed_since_the_export_is_named_and_stays_out_of_date(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", *fmt.args)
    source = portal / "content/ko/stories/oita-lsi/index.md"
    source.write_text(source.read_text(encoding="utf-8").replace("## 한일 양국 기업의 만남", "## 한일 기업의 만남"), encoding="utf-8")
    translate_all(file, mark="", fmt=fmt)
    _, found = units(file, fmt)
    line = fmt.target(found[f"content/ko/stories/oita-lsi/index.md#{fmt.id('body#2')}"]).sourceline
    code, err = imported(portal, file, capsys)
    assert code == 0
    assert err.splitlines() == [
        f"{file}:{line}: warning: body#2: the source changed since the export (content/ko/stories/oita-lsi/index.md:21); "
        "the translation is imported as made from the old source and stays marked out of date"
    ]
    assert "source_version: a39afb536e60" in (portal / "content/ja/stories/oita-lsi/index.md").read_text(encoding="utf-8")


@BOTH
def test_a_source_text_the_agency_edited_is_refused_when_the_source_is_as_exported(portal, tmp_path, capsys, fmt):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", *fmt.args)
    translate_all(file, mark="", fmt=fmt)
    tree, found = units(file, fmt)
    unit = found[f"content/ko/stories/oita-lsi/index.md#{fmt.id('body#2')}"]
    source = fmt.source(unit)
    source.text = source.text.replace("만남", "만남들")
    tree.write(str(file), xml_declaration=True, encoding="UTF-8")
    before = tree_bytes(portal / "content")
    assert refused(portal, file, capsys) == [
        f"{file}:{fmt.target(unit).sourceline}: error: body#2: expected the source text as exported, found it edited in the file, while "
        "content/ko/stories/oita-lsi/index.md:21 has not changed since; put the source back as it was (translations go in the target only)"
    ]
    assert tree_bytes(portal / "content") == before


@pytest.mark.parametrize("args", [(), ("--format", "xliff2"), ("--format", "po")], ids=["xliff12", "xliff2", "po"])
def test_a_translation_edited_here_since_the_export_needs_force(portal, tmp_path, capsys, args):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi", *args)
    local = portal / "content/ja/stories/oita-lsi/index.md"
    local.write_text(local.read_text(encoding="utf-8").replace("日韓の企業が出会う", "日韓企業の出会い"), encoding="utf-8")
    [problem] = refused(portal, file, capsys)
    assert "expected content/ja/stories/oita-lsi/index.md as it was when exported, found it changed since" in problem and "--force" in problem
    assert imported(portal, file, capsys, "--force") == (0, "")
    assert "日韓の企業が出会う" in local.read_text(encoding="utf-8")


MARKUP = ("a", "em", "strong", "code", "table", "th", "td", "li", "img", "sup", "h2", "h3")


def page_of(root: Path, source_path: str, lang: str) -> Path:
    _, section, slug = identify(source_path)
    page = root / "public" / output_file(item_path(section, slug, lang))
    return page.parent / "print" / "index.html" if section == "brochures" else page  # the web view shows no text sections


def content_of(page: Path) -> etree._Element:
    """A page's <main>, or the print view's <body>."""
    tree = parse_html(page)
    main = tree.find(".//main")
    return main if main is not None else tree.find(".//body")


@BOTH
def test_a_pseudo_translation_marks_every_text_and_keeps_every_link_table_footnote_and_image(rich, tmp_path, capsys, fmt):
    file = export(rich, tmp_path / "zh.xlf", "--lang", "zh", *fmt.args)
    texts: dict[str, list[str]] = {}
    for unit in units(file, fmt)[1].values():
        source = fmt.source(unit)
        pieces = [source.text] + [n.text for n in source.iter(fmt.q(fmt.paired))] + [n.tail for n in source.iter() if n is not source]
        texts.setdefault(fmt.original(unit), []).extend(p.strip() for p in pieces if p and p.strip())
    translate_all(file, "⟦", "⟧", fmt=fmt)
    assert imported(rich, file, capsys) == (0, "")
    report = build_into(rich, pdf=False)
    assert errors(report) == []
    checked = 0
    for source_path, pieces in texts.items():
        zh, ko = page_of(rich, source_path, "zh"), page_of(rich, source_path, "ko")
        page = " ".join(html.unescape(zh.read_text(encoding="utf-8")).split())
        unmarked = [p for p in pieces if not re.search("⟦\\s*" + "\\s+".join(map(re.escape, p.split())) + "\\s*⟧", page)]
        assert unmarked == [], source_path
        checked += len(pieces)
        mine, theirs = content_of(zh), content_of(ko)
        for tag in MARKUP:
            assert len(mine.findall(f".//{tag}")) == len(theirs.findall(f".//{tag}")), (source_path, tag)
    assert checked > 200  # every text of the portal and the story above
    story = content_of(page_of(rich, RICH_PATH, "zh"))
    assert [a.get("href") for a in story.iter("a") if a.get("href", "").startswith("https://example.org")] == ["https://example.org/lsi"]
    assert [img.get("alt") for img in story.iter("img")] == ["⟦오이타의 공장⟧"]


def test_every_translation_comes_back_byte_identical_through_po_too(portal, tmp_path, capsys):
    before = tree_bytes(portal / "content")
    for lang in TRANSLATIONS:
        file = export(portal, tmp_path / f"{lang}.po", "--lang", lang, "--format", "po")
        assert imported(portal, file, capsys) == (0, "")
    assert tree_bytes(portal / "content") == before


def test_the_po_passes_msgfmt_check_and_shows_placeholders_as_tokens(rich, tmp_path):
    file = export(rich, tmp_path / "ja.po", "--lang", "ja", "--format", "po")
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(file)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    with file.open("rb") as po:  # read by Babel, not by the library that wrote it
        catalog = read_po(po)
    entry = catalog.get("일본 {1}오이타현{/1} {2}LSI 클러스터{/2}와 {3}교류{/3}했습니다.{4/} {5/} 모델입니다.", context=f"{RICH_PATH}#body#2")
    assert entry is not None and entry.string == ""
    oita = catalog.get("충청권 클러스터, 일본 오이타현 LSI 클러스터와의 교류로 수출 계약 결실", context="content/ko/stories/oita-lsi/index.md#title")
    assert oita.string.startswith("忠清圏クラスター") and not oita.fuzzy
    assert str(catalog.locale) == "ja"


def test_a_po_with_a_broken_token_is_refused_at_its_msgctxt(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "ja.po", "--lang", "ja", "--format", "po", "stories/rich")
    with file.open("rb") as po:  # Poedit, say: every message translated, one token lost
        catalog = read_po(po)
    for message in catalog:
        if message.id:
            message.string = "첫째 {1}항목{1}" if message.context == f"{RICH_PATH}#body#3" else message.id  # its {/1} typed as {1}: told once
    with file.open("wb") as po:
        write_po(po, catalog, width=0)
    line = next(n for n, text in enumerate(file.read_text(encoding="utf-8").split("\n"), 1) if text == f'msgctxt "{RICH_PATH}#body#3"')
    assert refused(rich, file, capsys) == [
        f"{file}:{line}: error: unit body#3: expected paired placeholders, found {{1}} without its {{/1}} after it",
        f"{file}:{line}: error: body#3: expected the source's placeholders, found placeholder 1 missing (it stands for **…**); put it back as in the source",
    ]


def set_target(file: Path, key: str, text: str) -> int:
    """A translator's edit of one unit's target (plain text); the line of that target afterwards."""
    tree, found = units(file)
    target = found[key].find("x:target", NS)
    target.text, target[:] = text, []
    tree.write(str(file))
    return units(file)[1][key].find("x:target", NS).sourceline


@pytest.mark.parametrize(
    ("unit", "text", "found"),
    [
        ("body#5", "圏\n域", "a line break in a table cell, which would end it; keep it on one line"),
        ("body#6", "成果 | 地域", "a | in a table cell, which would split the cell; write \\| for a pipe"),
        (
            "body#4",
            "2番目\n# 見出し",
            "a line that starts with a block's mark (#, -, 1., |, > or ```), which would make a new block; reword it or put a \\ before the mark",
        ),
        ("body#10", "2012年5月。\n\n別の段落", "a blank line, which would start a new block; keep the unit one block"),
    ],
)
def test_a_target_that_would_break_the_markdown_around_it_is_refused(rich, tmp_path, capsys, unit, text, found):
    file = export(rich, tmp_path / "rich.xlf", "--lang", "ja", "stories/rich")
    translate_all(file)
    line = set_target(file, f"{RICH_PATH}#{unit}", text)
    assert refused(rich, file, capsys) == [f"{file}:{line}: error: {unit}: expected the translation to keep the block as it is, found {found}"]


def test_a_doctype_is_refused_before_anything_is_read(portal, tmp_path, capsys):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi")
    text = file.read_text(encoding="utf-8").replace("<xliff ", '<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<xliff ', 1)
    file.write_text(text.replace("<target state", "<target>&secret;</target><target state", 1), encoding="utf-8")
    assert refused(portal, file, capsys) == [f"{file}:1: error: expected XLIFF without a DOCTYPE, found one; save the file from the CAT tool again"]


def test_the_same_content_exports_to_the_same_bytes(portal, tmp_path):
    for fmt in ("xliff", "xliff2", "po"):
        first = export(portal, tmp_path / f"1.{fmt}", "--lang", "ja", "--format", fmt).read_bytes()
        assert export(portal, tmp_path / f"2.{fmt}", "--lang", "ja", "--format", fmt).read_bytes() == first


def test_an_outdated_translation_is_offered_for_review_and_stays_out_of_date_until_reviewed(portal, tmp_path, capsys):
    source = portal / "content/ko/stories/oita-lsi/index.md"
    source.write_text(source.read_text(encoding="utf-8").replace("## 한일 양국 기업의 만남", "## 한일 기업의 만남"), encoding="utf-8")
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "--outdated")
    root = etree.parse(str(file)).getroot()
    assert [f.get("original") for f in root.findall("x:file", NS)] == ["content/ko/stories/oita-lsi/index.md"]
    assert {t.get("state") for t in root.iter(f"{{{XLIFF}}}target")} == {"needs-review-translation"}
    assert imported(portal, file, capsys) == (0, "")
    assert "source_version: a39afb536e60" in (portal / "content/ja/stories/oita-lsi/index.md").read_text(encoding="utf-8")
    translate_all(file)  # reviewed: every target now "translated"
    assert imported(portal, file, capsys) == (0, "")
    text = (portal / "content/ja/stories/oita-lsi/index.md").read_text(encoding="utf-8")
    assert "source_version: a39afb536e60" not in text and "## 한일 기업의 만남" in text


def heading_changed_since_commit(portal: Path) -> None:
    """The portal committed to git, then one heading of a story edited: its translations are out of date."""
    git = ["git", "-c", "user.name=staff", "-c", "user.email=staff@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=portal, check=True)
    subprocess.run([*git, "add", "-A"], cwd=portal, check=True)
    subprocess.run([*git, "commit", "-qm", "portal"], cwd=portal, check=True)
    source = portal / "content/ko/stories/oita-lsi/index.md"
    source.write_text(source.read_text(encoding="utf-8").replace("## 한일 양국 기업의 만남", "## 한일 기업의 만남"), encoding="utf-8")


def test_with_history_only_the_units_whose_source_changed_go_out_for_review(portal, tmp_path, capsys):
    """The agency re-reads (and bills for) the changed heading, not the whole story: the units whose
    Korean is as the translation translated it keep their translation as done."""
    heading_changed_since_commit(portal)
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "--outdated")
    states = {unit.get("id"): unit.find("x:target", NS).get("state") for unit in etree.parse(str(file)).iter(f"{{{XLIFF}}}trans-unit")}
    assert {unit for unit, state in states.items() if state != "translated"} == {"body#2"}
    tree, found = units(file)
    found["content/ko/stories/oita-lsi/index.md#body#2"].find("x:target", NS).set("state", "translated")  # reviewed
    tree.write(str(file), xml_declaration=True, encoding="UTF-8")
    assert imported(portal, file, capsys) == (0, "")
    capsys.readouterr()
    assert main(["i18n", "status", "--source", str(portal), "--lang", "ja", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["languages"]["ja"]["content"]["outdated"] == 0  # done, at the current source


def test_a_po_export_shows_a_changed_unit_s_previous_source_as_poedit_reads_it(portal, tmp_path):
    heading_changed_since_commit(portal)
    file = export(portal, tmp_path / "ja.po", "--lang", "ja", "--outdated", "--format", "po")
    text = file.read_text(encoding="utf-8")
    assert re.findall(r"^#, fuzzy\n#\| msgid (.*)\nmsgctxt (.*)$", text, re.M) == [('"한일 양국 기업의 만남"', '"content/ko/stories/oita-lsi/index.md#body#2"')]
    assert text.count("#, fuzzy") == 1 and text.count("#|") == 1
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(file)], check=True)  # gettext's own reader, as Poedit's


def test_unknown_items_and_languages_exit_1_with_what_the_site_has(portal, tmp_path, capsys):
    assert main(["i18n", "export", "--source", str(portal), "--lang", "ja", "stories/oita", "-o", str(tmp_path / "x.xlf")]) == 1
    err = capsys.readouterr().err
    assert "found stories/oita (did you mean 'stories/oita-lsi'?); the site has " in err and ": brochures/program, clusters/" in err, err
    assert main(["i18n", "export", "--source", str(portal), "--lang", "ko", "-o", str(tmp_path / "x.xlf")]) == 1
    assert "expected a translation language of site.yaml (en, ja, zh)" in capsys.readouterr().err
    assert not (tmp_path / "x.xlf").exists()


def _their_placeholders(value: object) -> list[tuple[str, str]]:
    """(kind, id) of every placeholder the npm xliff package found, in order."""
    found: list[tuple[str, str]] = []
    for part in value if isinstance(value, list) else [value]:
        if isinstance(part, dict):
            (kind, data), *_ = part.items()
            found.append((kind, data["id"]))
            found += _their_placeholders(data.get("contents", []))
    return found


def _our_placeholders(node: etree._Element) -> list[tuple[str, str]]:
    kinds = {"g": "GenericSpan", "x": "Standalone"}
    return [(kinds[etree.QName(child).localname], child.get("id")) for child in node.iter() if child is not node]


def test_a_second_implementation_reads_every_unit_we_write(rich, tmp_path):
    """The npm xliff package (xliff12ToJs), run by node, finds each unit with its source, target and placeholders."""
    file = export(rich, tmp_path / "zh.xlf", "--lang", "zh")
    done = subprocess.run(["node", str(REPO / "tests/xliff/read.js"), str(file)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    theirs = json.loads(done.stdout)
    assert (theirs["sourceLanguage"], theirs["targetLanguage"]) == ("ko", "zh")
    root = etree.parse(str(file)).getroot()
    ours: dict[str, dict[str, tuple[list[tuple[str, str]], bool]]] = {}
    for node in root.findall("x:file", NS):
        ids = [unit.get("id") for unit in node.iter(f"{{{XLIFF}}}trans-unit")]
        assert len(ids) == len(set(ids)), node.get("original")  # ids unique in their <file>
        for unit in node.iter(f"{{{XLIFF}}}trans-unit"):
            source, target = unit.find("x:source", NS), unit.find("x:target", NS)
            if target is not None:  # every placeholder of a target is one of its source's, once
                assert sorted(_our_placeholders(target)) == sorted(_our_placeholders(source)), unit.get("id")
            ours.setdefault(node.get("original"), {})[unit.get("id")] = (_our_placeholders(source), target is not None)
    found = {
        original: {ident: (_their_placeholders(unit["source"]), "target" in unit) for ident, unit in units.items()}
        for original, units in theirs["resources"].items()
    }
    assert found == ours
    assert sum(len(units) for units in found.values()) > 190  # the whole portal, and the story above
    assert theirs["resources"][RICH_PATH]["title"]["source"] == "오이타와의 **교류**"


def test_a_list_the_translation_shortened_is_offered_untranslated_and_written_whole(portal, tmp_path, capsys):
    local = portal / "content/ja/clusters/gangwon-battery.yaml"
    local.write_text(local.read_text(encoding="utf-8").replace("  - グリーン技術の世界市場進出の支援\n", ""), encoding="utf-8")
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "clusters/gangwon-battery")
    _, found = units(file)
    key = "content/ko/clusters/gangwon-battery.yaml#activities.{}"
    assert [found[key.format(n)].find("x:target", NS) for n in (0, 1)] == [None, None]
    assert found[key.format(1)].find("x:source", NS).text == "녹색기술의 세계시장 진출 지원"
    translate_all(file, "⟦", "⟧")
    assert imported(portal, file, capsys) == (0, "")
    text = local.read_text(encoding="utf-8")
    assert "activities:\n  - ⟦리튬 이차전지 소재·부품 국산화⟧\n  - ⟦녹색기술의 세계시장 진출 지원⟧\n" in text


def test_a_translation_file_that_links_out_of_the_site_is_not_written_through(portal, tmp_path, capsys):
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "stories/oita-lsi")
    outside = tmp_path / "outside.md"
    local = portal / "content/ja/stories/oita-lsi/index.md"
    outside.write_bytes(local.read_bytes())
    local.unlink()
    local.symlink_to(outside)
    problems = refused(portal, file, capsys, "--force")
    assert len(problems) == 1 and problems[0].startswith("content/ja/stories/oita-lsi/index.md: error: ") and "outside.md" in problems[0]
    assert outside.read_bytes() == (REPO / "content/ja/stories/oita-lsi/index.md").read_bytes()


def test_a_translation_linked_out_of_the_site_is_never_read_by_the_export(portal, tmp_path, capsys):
    """The export reads the local translation as every input is read: a link out of the site is an
    error at the translation, and no file goes to an agency (not even the outside file's hash)."""
    outside = tmp_path / "private.md"
    outside.write_bytes(b"---\ntitle: private\n---\nNot the site's.\n")
    local = portal / "content/ja/stories/oita-lsi/index.md"
    local.unlink()
    local.symlink_to(outside)
    file = tmp_path / "ja.xlf"
    capsys.readouterr()
    assert main(["i18n", "export", "--source", str(portal), "--lang", "ja", "stories/oita-lsi", "-o", str(file)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("content/ja/stories/oita-lsi/index.md: error: expected a file inside content/, found a link")
    assert err[-1] == f"sitegen: {file} was not written: correct the errors above first"
    assert not file.exists()


# XLIFF 2.1: the same exchange, for the CAT tools and pipelines that read the newer standard.
N2 = {"x": XLIFF2}
SITEGEN = "urn:x-sitegen:exchange"


def test_every_translation_of_the_portal_comes_back_byte_identical_through_xliff2(portal, tmp_path, capsys):
    before = tree_bytes(portal / "content")
    for lang in TRANSLATIONS:
        file = export(portal, tmp_path / f"{lang}.xlf", "--lang", lang, "--format", "xliff2")
        assert imported(portal, file, capsys) == (0, "")
    assert tree_bytes(portal / "content") == before


def test_the_xliff2_export_has_a_file_per_item_and_units_as_the_core_spec_lays_them_out(rich, tmp_path):
    file = export(rich, tmp_path / "ja.xlf", "--lang", "ja", "--format", "xliff2")
    root = etree.parse(str(file)).getroot()
    assert (root.tag, root.get("version"), root.get("srcLang"), root.get("trgLang")) == (f"{{{XLIFF2}}}xliff", "2.1", "ko", "ja")
    files = root.findall("x:file", N2)
    assert [f.get("id") for f in files] == [f"f{n}" for n in range(1, len(files) + 1)]
    oita = next(f for f in files if f.get("original") == "content/ko/stories/oita-lsi/index.md")
    assert (oita.get(f"{{{SITEGEN}}}target"), oita.get(f"{{{SITEGEN}}}source-version")) == ("content/ja/stories/oita-lsi/index.md", "a39afb536e60")
    ids = [u.get("id") for u in oita.findall("x:unit", N2)]
    assert ids[:4] == ["title", "summary", "cover.alt", "body-1"] and len(ids) == len(set(ids))
    assert {s.get("state") for s in oita.iter(f"{{{XLIFF2}}}segment")} == {"reviewed"}  # current translations
    note = oita.find("x:unit[@id='body-2']/x:notes/x:note", N2)
    assert note.text.startswith("body, block 2: content/ko/stories/oita-lsi/index.md:")
    # The schema's order in a unit, and xml:space where it may be: on the unit, not the segment.
    story = next(f for f in files if f.get("original") == RICH_PATH)
    unit = story.find("x:unit[@id='body-2']", N2)
    assert [etree.QName(child).localname for child in unit] == ["notes", "originalData", "segment"]
    assert unit.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert [s.attrib.keys() for s in root.iter(f"{{{XLIFF2}}}segment") if set(s.attrib) - {"state", "subState"}] == []
    # Untranslated: no target, state initial. Each code points at the markup it stands for.
    segment = unit.find("x:segment", N2)
    assert segment.get("state") == "initial" and segment.find("x:target", N2) is None
    data = {d.get("id"): d.text for d in unit.iterfind("x:originalData/x:data", N2)}
    codes = [
        (etree.QName(c).localname, c.get("id"), data.get(c.get("dataRef") or c.get("dataRefStart")), data.get(c.get("dataRefEnd")), c.get("type"), c.text)
        for c in segment.find("x:source", N2)
    ]
    assert codes == [
        ("pc", "1", "*", "*", "fmt", "오이타현"),
        ("pc", "2", "[", "](https://example.org/lsi)", "link", "LSI 클러스터"),
        ("pc", "3", "**", "**", "fmt", "교류"),
        ("ph", "4", "[^1]", None, "other", None),
        ("ph", "5", "`LSI-2012`", None, "other", None),
    ]
    assert segment.find("x:source/x:ph[@id='5']", N2).get("disp") == "`LSI-2012`"


def test_xliff2_codes_may_move_and_come_back_as_start_and_end_codes(rich, tmp_path, capsys):
    """A translator moves the link before the emphasis; a CAT tool writes the bold as <sc/>…<ec/>."""
    file = export(rich, tmp_path / "rich.xlf", "--lang", "ja", "stories/rich", "--format", "xliff2")
    translate_all(file, fmt=X2)
    tree, found = units(file, X2)
    target = X2.target(found[f"{RICH_PATH}#body-2"])
    emphasis, link, bold = (copy.deepcopy(target[k]) for k in range(3))
    emphasis.tail, link.tail = link.tail, emphasis.tail
    start = etree.Element(X2.q("sc"), id="3", dataRef="d3")
    start.tail = bold.text
    end = etree.Element(X2.q("ec"), startRef="3", dataRef="d3e")
    end.tail = bold.tail
    target[0], target[1] = link, emphasis
    target[2].addprevious(start)
    target[3].addprevious(end)
    target.remove(target[4])
    tree.write(str(file))
    assert imported(rich, file, capsys) == (0, "")
    body = (rich / "content/ja/stories/rich.md").read_text(encoding="utf-8")
    assert "일본 [LSI 클러스터](https://example.org/lsi) *오이타현*와 **교류**했습니다.[^1] `LSI-2012` 모델입니다." in body


@pytest.mark.parametrize(
    ("damage", "found"),
    [
        ("sc", "unit body#2: expected plain text and placeholders, found <sc id='3'/> without its <ec startRef='3'/> after it, in the same element"),
        ("segments", "unit body#2: expected one <segment>, found 2 parts; join them in the CAT tool"),
        ("element", "unit body#2: expected plain text and placeholders, found an inline <comment> element"),
    ],
)
def test_an_xliff2_unit_a_cat_tool_broke_is_refused_at_its_line(rich, tmp_path, capsys, damage, found):
    file = export(rich, tmp_path / "rich.xlf", "--lang", "ja", "stories/rich", "--format", "xliff2")
    translate_all(file, fmt=X2)
    tree, units_ = units(file, X2)
    unit = units_[f"{RICH_PATH}#body-2"]
    target = X2.target(unit)
    if damage == "sc":  # the bold's end code lost
        bold = target[2]
        start = etree.Element(X2.q("sc"), id="3", dataRef="d3")
        start.tail = (bold.text or "") + (bold.tail or "")
        bold.addprevious(start)
        target.remove(bold)
    elif damage == "segments":  # resegmented although the file says canResegment="no"
        unit.append(copy.deepcopy(unit.find("x:segment", N2)))
    else:
        target.append(etree.Element("{urn:x-some-cat-tool}comment"))
    tree.write(str(file))
    _, units_ = units(file, X2)
    line = (X2.target(units_[f"{RICH_PATH}#body-2"]) if damage != "segments" else units_[f"{RICH_PATH}#body-2"]).sourceline
    problems = refused(rich, file, capsys)
    assert problems[0].startswith(f"{file}:{line}: error: {found}")


def test_an_outdated_translation_goes_out_as_an_unconfirmed_xliff2_target_and_counts_once_confirmed(portal, tmp_path, capsys):
    source = portal / "content/ko/stories/oita-lsi/index.md"
    source.write_text(source.read_text(encoding="utf-8").replace("## 한일 양국 기업의 만남", "## 한일 기업의 만남"), encoding="utf-8")
    file = export(portal, tmp_path / "ja.xlf", "--lang", "ja", "--outdated", "--format", "xliff2")
    segments = list(etree.parse(str(file)).getroot().iter(f"{{{XLIFF2}}}segment"))
    assert {(s.get("state"), s.get("subState")) for s in segments} == {("initial", "sitegen:needs-review")}
    assert all(s.find("x:target", N2) is not None for s in segments)
    assert imported(portal, file, capsys) == (0, "")  # unconfirmed: still out of date
    assert "source_version: a39afb536e60" in (portal / "content/ja/stories/oita-lsi/index.md").read_text(encoding="utf-8")
    translate_all(file, fmt=X2)  # every segment confirmed: state translated
    assert imported(portal, file, capsys) == (0, "")
    text = (portal / "content/ja/stories/oita-lsi/index.md").read_text(encoding="utf-8")
    assert "source_version: a39afb536e60" not in text and "## 한일 기업의 만남" in text


def _xliff2js_codes(value: object) -> list[tuple[str, str]]:
    """(kind, id) of every inline code xliff2js found, in order."""
    found: list[tuple[str, str]] = []
    for part in value if isinstance(value, list) else [value]:
        if isinstance(part, dict):
            (kind, data), *_ = part.items()
            found.append((kind, data.get("id") or data.get("startRef")))
            found += _xliff2js_codes(data.get("contents", []))
    return found


def test_a_second_implementation_reads_every_xliff2_unit_we_write(rich, tmp_path):
    """The npm xliff package's xliff2js, run by node, finds each unit with its source, target and codes."""
    file = export(rich, tmp_path / "zh.xlf", "--lang", "zh", "--format", "xliff2")
    done = subprocess.run(["node", str(REPO / "tests/xliff/read.js"), str(file)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    theirs = json.loads(done.stdout)
    assert (theirs["xliffVersion"], theirs["sourceLanguage"], theirs["targetLanguage"]) == ("2.1", "ko", "zh")
    root = etree.parse(str(file)).getroot()
    assert etree.QName(root).namespace == XLIFF2
    kinds = {"pc": "Span", "ph": "Standalone"}
    ours: dict[str, dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]] | None]]] = {}
    for node in root.findall("x:file", N2):
        ids = [unit.get("id") for unit in node.iter(f"{{{XLIFF2}}}unit")]
        assert len(ids) == len(set(ids)), node.get("original")  # ids unique in their <file>
        for unit in node.iter(f"{{{XLIFF2}}}unit"):
            source, target = X2.source(unit), X2.target(unit)
            codes = [(kinds[etree.QName(c).localname], c.get("id")) for c in source.iter() if c is not source]
            data = {d.get("id") for d in unit.iterfind("x:originalData/x:data", N2)}
            assert {c.get(a) for c in source.iter() for a in ("dataRef", "dataRefStart", "dataRefEnd") if c.get(a)} == data, unit.get("id")
            assert all(len(pc) or pc.text for pc in source.iter(f"{{{XLIFF2}}}pc")), unit.get("id")  # a pair holds text
            mine = None if target is None else [(kinds[etree.QName(c).localname], c.get("id")) for c in target.iter() if c is not target]
            if mine is not None:  # every code of a target is one of its source's, once
                assert sorted(mine) == sorted(codes), unit.get("id")
            ours.setdefault(node.get("id"), {})[unit.get("id")] = (codes, mine)
    found = {
        name: {ident: (_xliff2js_codes(unit["source"]), _xliff2js_codes(unit["target"]) if "target" in unit else None) for ident, unit in units_.items()}
        for name, units_ in theirs["resources"].items()
    }
    assert found == ours
    assert sum(len(units_) for units_ in found.values()) > 190  # the whole portal, and the story above
    story = next(node.get("id") for node in root.findall("x:file", N2) if node.get("original") == RICH_PATH)
    assert theirs["resources"][story]["title"]["source"] == "오이타와의 **교류**"
    assert theirs["resources"][story]["body-1"]["note"].startswith(f"body, block 1: {RICH_PATH}:")


ALL_FORMATS = pytest.mark.parametrize("fmt", ["xliff", "xliff2", "po"])
PASTED = "expected visible text, found {}, an invisible character pasted from another program: delete it"


@ALL_FORMATS
def test_characters_pasted_from_word_stop_the_export_at_their_place_in_the_content(rich, tmp_path, capsys, fmt):
    """A vertical tab (Word's line break) and a form feed (its page break) no XML can hold: every one
    is named at its line and column, in the source and in the translation, and no file is written."""
    (rich / RICH_PATH).write_text(RICH.replace("## 교류의 *시작*", "## 교류의\x0b *시작*").replace("- 둘째 항목", "- 둘째\x0c항목"), encoding="utf-8")
    ja = rich / "content/ja/stories/oita-lsi/index.md"
    ja.write_text(ja.read_text(encoding="utf-8").replace("## 日韓の企業が出会う", "## 日韓の\x0b企業が出会う"), encoding="utf-8")
    out = tmp_path / "out.xlf"
    capsys.readouterr()
    code = main(["i18n", "export", "--source", str(rich), "--lang", "ja", "stories/rich", "stories/oita-lsi", "--format", fmt, "-o", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1 and not out.exists()
    assert err == [
        "content/ja/stories/oita-lsi/index.md:11:7: error: body: " + PASTED.format("a vertical tab (U+000B)"),
        f"{RICH_PATH}:8:7: error: body: " + PASTED.format("a vertical tab (U+000B)"),
        f"{RICH_PATH}:13:5: error: body: " + PASTED.format("a form feed, or page break (U+000C)"),
        f"sitegen: {out} was not written: correct the errors above first",
    ]


def test_sitegen_check_refuses_invisible_characters_in_a_body_and_in_a_field(rich, capsys):
    """No page, feed or XLIFF file can hold them: every one is an error at its place, all at once."""
    text = RICH.replace("## 교류의 *시작*", "## 교류의\x0b *시작*").replace("summary: 수출 계약 100만 달러", 'summary: "수출 계약\\f100만 달러"')
    (rich / RICH_PATH).write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--source", str(rich)]) == 1
    found = [line for line in capsys.readouterr().err.splitlines() if line.startswith(RICH_PATH)]
    assert found == [
        f"{RICH_PATH}:3:10: error: summary: " + PASTED.format("a form feed, or page break (U+000C)"),  # at the value: a YAML escape
        f"{RICH_PATH}:8:7: error: body: " + PASTED.format("a vertical tab (U+000B)"),
    ]


def test_a_code_point_a_cat_tool_sends_for_a_control_character_is_refused_at_its_line(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "rich.xlf", "--lang", "ja", "stories/rich", "--format", "xliff2")
    translate_all(file, fmt=X2)
    tree, found = units(file, X2)
    target = X2.target(found[f"{RICH_PATH}#body-1"])
    target.insert(0, etree.Element(X2.q("cp"), hex="000B"))
    tree.write(str(file))
    line = X2.target(units(file, X2)[1][f"{RICH_PATH}#body-1"]).sourceline
    assert refused(rich, file, capsys) == [f"{file}:{line}: error: body#1: " + PASTED.format("a vertical tab (U+000B)")]


def test_a_control_character_a_po_editor_left_in_a_translation_is_refused_at_its_msgctxt(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "ja.po", "--lang", "ja", "--format", "po", "stories/rich")
    with file.open("rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if message.id:
            message.string = message.id.replace("둘째", "둘째\x0c") if message.context == f"{RICH_PATH}#body#4" else message.id
    with file.open("wb") as po:
        write_po(po, catalog, width=0)
    line = next(n for n, text in enumerate(file.read_text(encoding="utf-8").split("\n"), 1) if text == f'msgctxt "{RICH_PATH}#body#4"')
    assert refused(rich, file, capsys) == [f"{file}:{line}: error: body#4: " + PASTED.format("a form feed, or page break (U+000C)")]


@ALL_FORMATS
def test_nothing_to_export_writes_no_file_and_says_so(portal, tmp_path, capsys, fmt):
    """Every item has its ja translation: --missing selects none. XLIFF cannot be empty (a file needs
    a <file>), so no format writes one, and a file already there is left as it was."""
    out = tmp_path / "todo-ja"
    out.write_bytes(b"last week's file")
    capsys.readouterr()
    assert main(["i18n", "export", "--source", str(portal), "--lang", "ja", "--missing", "--format", fmt, "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"sitegen: nothing to export: every item is translated into ja; {out} was not written\n"
    assert out.read_bytes() == b"last week's file"
    assert main(["i18n", "export", "--source", str(portal), "--lang", "ja", "--outdated", "--format", fmt, "-o", str(out)]) == 0
    assert "every translation into ja is up to date" in capsys.readouterr().out


def _set_state(file: Path, fmt: Xliff, state: str | None, approved: str | None = None) -> None:
    """What a CAT tool writes back: every unit in the state given (None: the attribute left out)."""
    tree, found = units(file, fmt)
    for unit in found.values():
        holder = fmt.target(unit) if fmt is X12 else fmt.source(unit).getparent()
        holder.attrib.pop("state", None)
        holder.attrib.pop("subState", None)
        if state is not None:
            holder.set("state", state)
        unit.attrib.pop("approved", None)
        if approved is not None:
            unit.set("approved", approved)
    tree.write(str(file))


@pytest.mark.parametrize(
    ("fmt", "state", "approved", "done"),
    [
        (X12, "translated", None, True),
        (X12, "signed-off", None, True),
        (X12, "final", None, True),
        (X12, None, None, True),  # 1.2 gives the state no default: a target is a translation
        (X12, "needs-review-translation", "yes", True),  # approved: passed its final review
        (X12, "needs-review-translation", None, False),
        (X12, "new", None, False),
        (X2, "translated", None, True),
        (X2, "reviewed", None, True),
        (X2, "final", None, True),
        (X2, "initial", None, False),
        (X2, None, None, False),  # XLIFF 2's default state is initial
        (X2, "signed-off", None, False),  # no XLIFF 2 state
    ],
    ids=lambda value: value.unit if isinstance(value, Xliff) else str(value),
)
def test_the_states_a_cat_tool_sends_back_say_whether_the_translation_is_done(portal, tmp_path, capsys, fmt, state, approved, done):
    """Done: the translation is written with its source version; not done: written, and still to review."""
    file = export(portal, tmp_path / "zh.xlf", "--lang", "zh", "--missing", *fmt.args)
    translate_all(file, "«", "»", fmt=fmt)
    _set_state(file, fmt, state, approved)
    capsys.readouterr()
    assert main(["i18n", "import", "--source", str(portal), str(file)]) == 0
    said = capsys.readouterr().out
    written = (portal / "content/zh/stories/daegyeong-working-groups.md").read_text(encoding="utf-8")
    assert "«" in written
    assert ("translates source version" in said, "source_version:" in written) == (done, done)
    assert ("written; still to translate or review: title, summary, body#1" in said) == (not done)


@pytest.mark.parametrize("fmt", ["xliff", "xliff2", "po"])
def test_each_format_says_new_current_and_outdated_as_readme_s_table_does(portal, tmp_path, fmt):
    """One idea of state in every format: an untranslated unit has no target; a current translation is
    done; one whose source changed since goes out for review. Each reads back as it was written."""
    from sitegen.exchange import read_exchange

    source = portal / "content/ko/stories/oita-lsi/index.md"
    source.write_text(source.read_text(encoding="utf-8").replace("## 한일 양국 기업의 만남", "## 한일 기업의 만남"), encoding="utf-8")
    file = export(portal, tmp_path / "x", "--lang", "zh", "--format", fmt, "stories/oita-lsi", "pages/global", "stories/daegyeong-working-groups")
    exchange, problems = read_exchange(file.read_bytes())
    assert problems == [] and exchange is not None
    states = {item.source_path.split("/")[-1]: {(u.state, u.target is not None) for u in item.units} for item in exchange.items}
    assert states == {"index.md": {("needs-review", True)}, "global.md": {("translated", True)}, "daegyeong-working-groups.md": {("new", False)}}
    text = file.read_text(encoding="utf-8")
    written = {
        "xliff": ['<target state="needs-review-translation">', 'approved="yes"', '<target state="translated">'],
        "xliff2": ['state="initial" subState="sitegen:needs-review"', 'state="reviewed"'],
        "po": ["#, fuzzy"],
    }[fmt]
    assert all(mark in text for mark in written)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])  # what a Windows tool may save it as
def test_an_xliff_saved_with_a_byte_order_mark_or_in_utf16_is_read_as_xliff(rich, tmp_path, capsys, encoding):
    file = export(rich, tmp_path / "en.xlf", "--lang", "en", "stories/rich")
    translate_all(file, mark="[EN] ")
    file.write_text(file.read_text(encoding="utf-8"), encoding=encoding)
    assert imported(rich, file, capsys) == (0, "")
    assert "[EN] " in (rich / "content/en/stories/rich.md").read_text(encoding="utf-8")


def test_the_same_file_imported_twice_is_no_edit_the_second_time(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "en.xlf", "--lang", "en", "stories/rich")
    translate_all(file, mark="[EN] ")
    assert imported(rich, file, capsys) == (0, "")
    first = tree_bytes(rich / "content")
    assert imported(rich, file, capsys) == (0, "")  # not 'changed since the export': this very import changed it
    assert tree_bytes(rich / "content") == first


def test_a_file_with_a_unit_left_untranslated_names_it_and_keeps_its_text_as_it_was(rich, tmp_path, capsys):
    """One body block came back without a target: the body, one Markdown text, stays as it was; the rest is written."""
    file = export(rich, tmp_path / "en.xlf", "--lang", "en", "stories/rich")
    translate_all(file, mark="[EN] ")
    tree, found = units(file)
    target = found[f"{RICH_PATH}#body#2"].find("x:target", NS)
    target.getparent().remove(target)
    tree.write(str(file), xml_declaration=True, encoding="UTF-8")
    capsys.readouterr()
    assert main(["i18n", "import", "--source", str(rich), str(file)]) == 0
    assert capsys.readouterr().out == (
        "content/en/stories/rich.md: written; still to translate or review: body#2 "
        "(a text with one of them is kept as it was until all of it comes back translated)\n"
    )
    # No English body here before: none now, and the build says the page shows the Korean one there.
    assert (rich / "content/en/stories/rich.md").read_text(encoding="utf-8") == (
        "---\ntitle: '[EN] 오이타와의 **교류**[EN] '\nsummary: '[EN] 수출 계약 100만 달러[EN] '\n---\n"
    )


def _segmented(file: Path, mtype: str = "seg") -> None:
    """Each target's content inside <mrk mtype="seg">, as Trados and memoQ send a file back (one segment a unit)."""
    tree, found = units(file)
    for unit in found.values():
        target = unit.find("x:target", NS)
        mark = etree.Element(f"{{{XLIFF}}}mrk", mtype=mtype, mid="1")
        mark.text, target.text = target.text, None
        for child in list(target):
            mark.append(child)
        target.append(mark)
        segmented = etree.Element(f"{{{XLIFF}}}seg-source")
        segmented.append(copy.deepcopy(mark))
        unit.find("x:source", NS).addnext(segmented)
    tree.write(str(file), xml_declaration=True, encoding="UTF-8")


def test_a_segmented_xliff_from_a_cat_tool_is_read_through_its_segments(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "en.xlf", "--lang", "en", "stories/rich")
    translate_all(file, mark="[EN] ")
    plain = tmp_path / "plain"
    shutil.copytree(rich / "content", plain)
    assert imported(rich, file, capsys) == (0, "")
    expected = (rich / "content/en/stories/rich.md").read_bytes()
    shutil.rmtree(rich / "content")
    shutil.copytree(plain, rich / "content")
    file = export(rich, tmp_path / "en2.xlf", "--lang", "en", "stories/rich")
    translate_all(file, mark="[EN] ")
    _segmented(file)
    assert imported(rich, file, capsys) == (0, "")
    assert (rich / "content/en/stories/rich.md").read_bytes() == expected  # placeholders inside the segments too


def test_an_inline_element_the_export_has_not_is_named_by_its_own_name(rich, tmp_path, capsys):
    file = export(rich, tmp_path / "en.xlf", "--lang", "en", "stories/rich")
    translate_all(file, mark="[EN] ")
    _segmented(file, mtype="x-comment")
    problems = refused(rich, file, capsys)
    assert problems and all("found an inline <mrk> element; only the <g> and <x/> placeholders of the export may be used" in p for p in problems)
