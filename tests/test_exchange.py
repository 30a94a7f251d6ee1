"""Translation agencies: content exported as XLIFF or PO, checked and imported back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO, tree_bytes
from sitegen.cli import main

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
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
    oita = next(f for f in files if f.get("original") == "content/ko/stories/oita-lsi.md")
    ids = [u.get("id") for u in oita.iter(f"{{{XLIFF}}}trans-unit")]
    assert ids[:3] == ["title", "summary", "body#1"] and len(ids) == len(set(ids))
    assert {t.get("state") for t in oita.iter(f"{{{XLIFF}}}target")} == {"translated"}
    note = oita.find("x:body/x:trans-unit[@id='body#2']/x:note", NS)
    assert note is not None and note.text.startswith("body, block 2: content/ko/stories/oita-lsi.md:")
    untranslated = next(f for f in files if f.get("original") == "content/ko/stories/daegyeong-working-groups.md")
    assert untranslated.findall(".//x:target", NS) == []


def test_a_brochure_exports_every_item_it_is_made_of(portal, tmp_path):
    file = export(portal, tmp_path / "b.xlf", "--lang", "ja", "--brochure", "program")
    originals = [f.get("original") for f in etree.parse(str(file)).getroot().findall("x:file", NS)]
    assert originals == [
        "content/ko/brochures/program.yaml",
        "content/ko/pages/program.md",
        "content/ko/clusters/changwon-machinery.yaml",
        "content/ko/pages/global.md",
        "content/ko/stories/oita-lsi.md",
        "content/ko/pages/contact.md",  # its back page
    ]


def test_missing_exports_only_what_is_not_translated(portal, tmp_path):
    file = export(portal, tmp_path / "m.xlf", "--lang", "zh", "--missing")
    originals = [f.get("original") for f in etree.parse(str(file)).getroot().findall("x:file", NS)]
    assert originals == ["content/ko/stories/daegyeong-working-groups.md"]
