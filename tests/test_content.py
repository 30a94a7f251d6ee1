"""Every content file is read once, its identity taken from its path."""

import os

from conftest import build_into
from sitegen.inputs.config import load_config
from sitegen.inputs.content import read_content, suggest_slug


def read(root):
    config, _ = load_config(root)
    return read_content(config)


def test_items_carry_language_section_slug_and_body_line(make_site):
    tree, problems = read(make_site())
    assert problems == []
    story = next(i for i in tree.items if i.path == "content/ko/stories/oita-lsi.md")
    assert (story.lang, story.section, story.slug) == ("ko", "stories", "oita-lsi")
    assert story.body_line == 12
    assert story.body.startswith("## 교류의 시작")
    assert {(i.lang, i.section) for i in tree.items if i.slug == "changwon"} == {("ko", "clusters"), ("en", "clusters"), ("ja", "clusters")}


def test_bom_and_crlf_are_accepted(make_site):
    text = "\ufeff---\r\ntitle: 사업\r\n---\r\n본문\r\n"
    tree, problems = read(make_site({"content/ko/pages/program.md": text.encode("utf-8")}))
    assert problems == []
    page = next(i for i in tree.items if i.slug == "program")
    assert page.parsed.data == {"title": "사업"} and page.body == "본문\n"


def test_markdown_without_front_matter_is_an_error_at_line_1(make_site):
    _, problems = read(make_site({"content/ko/pages/program.md": "# 사업\n"}))
    assert [p.format() for p in problems] == ["content/ko/pages/program.md:1:1: error: expected front matter between two '---' lines at the top, found none"]


def test_wrong_extension_and_stray_files_are_reported(make_site):
    _, problems = read(make_site({"content/ko/stories/notes.txt": "x", "content/ko/stray.md": "x"}))
    assert [p.format() for p in problems] == [
        "content/ko/stories/notes.txt: error: expected a .md file in stories/, or a folder (a page bundle) with an index.md in it, found 'notes.txt'",
        "content/ko/stray.md: error: expected _index.md or a section folder (clusters, stories, pages, brochures), found 'stray.md'; rename or move it",
    ]


LEFTOVERS = {
    "content/ko/stories/Thumbs.db": "Windows keeps its thumbnails in",
    "content/ko/stories/desktop.ini": "Windows keeps a folder's settings in",
    "content/ko/.DS_Store": "macOS keeps a folder's settings in",
    "content/ko/stories/~$draft.docx": "Word or Excel keeps while a document is open",
    "content/ko/stories/.~lock.oita-lsi.md#": "LibreOffice keeps while a document is open",
    "content/ko/pages/program.md.tmp": "a program keeps for a while",
    "content/ko/stories/.oita-lsi.md.swp": "Vim keeps while a file is open",
    "content/ko/stories/oita-lsi.md~": "an editor keeps as a backup",
    "content/ja/clusters/Thumbs.db": "Windows keeps its thumbnails in",
    "content/Thumbs.db": "Windows keeps its thumbnails in",
    "assets/Thumbs.db": "Windows keeps its thumbnails in",
    "assets/covers/~$cover.pptx": "Word or Excel keeps while a document is open",
}


def test_files_editors_tools_leave_are_left_out_with_a_note(make_site):
    _tree, problems = read(make_site(dict.fromkeys(LEFTOVERS, "x")))
    assert {p.path: (p.severity, p.line) for p in problems} == dict.fromkeys(LEFTOVERS, ("note", None))
    for problem in problems:
        name = problem.path.rsplit("/", 1)[1]
        assert problem.message == f"left out of the site: {name!r} is a file {LEFTOVERS[problem.path]}, not content; nothing to do (delete it if you like)"


def test_a_site_with_editors_leftovers_builds(make_site):
    report = build_into(make_site(dict.fromkeys(LEFTOVERS, "x")), pdf=False)
    assert report.ok, [d.format() for d in report.diagnostics if d.severity == "error"]


def test_other_dotfiles_are_ignored_without_a_word(make_site):
    _tree, problems = read(make_site({"content/ko/stories/.gitkeep": "", "assets/.keep": ""}))
    assert problems == []


def test_symlink_out_of_the_content_folder_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: secret\n---\n")
    root = make_site()
    os.symlink(secret, root / "content/ko/pages/leak.md")
    tree, problems = read(root)
    assert [p.path for p in problems] == ["content/ko/pages/leak.md"]
    assert "expected a file inside content/" in problems[0].message
    assert not any(i.slug == "leak" for i in tree.items)


def test_slug_suggestions():
    assert suggest_slug("Oita LSI") == "oita-lsi"
    assert suggest_slug("oita..lsi") == "oita-lsi"
    assert suggest_slug("..") == ""


def test_a_story_as_a_file_and_as_a_bundle_too_is_an_error_naming_both(make_site):
    """An editor moving a story into a folder for its photos, who leaves the old file: which one is the page?"""
    root = make_site()
    story = (root / "content/ko/stories/oita-lsi.md").read_text(encoding="utf-8")
    (root / "content/ko/stories/oita-lsi").mkdir()
    (root / "content/ko/stories/oita-lsi/index.md").write_text(story.replace("title: ", "title: 새 ", 1), encoding="utf-8")
    before = {path: path.read_bytes() for path in (root / "content").rglob("*") if path.is_file()}
    report = build_into(root)
    assert [d.format() for d in report.diagnostics if d.severity == "error"] == [
        "content/ko/stories/oita-lsi.md: error: expected one file for each item, found content/ko/stories/oita-lsi/index.md too, "
        "for the same item 'oita-lsi'; keep one of the two (a folder is a page bundle, with its photos) and delete the other"
    ]
    assert not (root / "public").exists()
    assert {path: path.read_bytes() for path in (root / "content").rglob("*") if path.is_file()} == before
