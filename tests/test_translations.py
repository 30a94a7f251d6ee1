"""A translator asks: what is missing, what is out of date, and what changed since I translated it?"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_into, errors, parse_html, text_of
from sitegen.cli import main

SOURCE = "content/ko/stories/oita-lsi.md"
TRANSLATION = "content/en/stories/oita-lsi.md"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(make_site):
    """The mini site as a git repository whose translations are all recorded as done."""
    root = make_site()
    git(root, "init", "-q")
    git(root, "config", "user.email", "t@example.org")
    git(root, "config", "user.name", "Translator")
    assert main(["i18n", "done", "--source", str(root), *[str(p.relative_to(root)) for p in sorted((root / "content").glob("[ej][na]/*/*"))]]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "translated")
    return root


def status_json(root: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["i18n", "status", "--source", str(root), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def states(report: dict, lang: str) -> dict[str, str]:
    return {f"{i['section']}/{i['slug']}": i["state"] for i in report["languages"][lang]["content"]["items"]}


def test_a_translation_that_leaves_out_a_text_is_current_but_incomplete(repo, capsys):
    """Staff see which texts still show in Korean, though the translation is of the current source."""
    translation = repo / TRANSLATION
    translation.write_text("\n".join(line for line in translation.read_text(encoding="utf-8").split("\n") if not line.startswith("summary:")), encoding="utf-8")
    report = status_json(repo, capsys)
    item = next(i for i in report["languages"]["en"]["content"]["items"] if i["slug"] == "oita-lsi")
    assert (item["state"], item["untranslated"]) == ("translated", ["summary"])
    assert main(["i18n", "status", "--source", str(repo), "--lang", "en"]) == 0
    assert f"    incomplete   {TRANSLATION} (summary not translated: the page shows the source's text)" in capsys.readouterr().out.split("\n")


def test_done_records_the_source_version_in_the_translation(repo):
    head = (repo / TRANSLATION).read_text(encoding="utf-8").split("---")[1]
    assert re.search(r"^source_version: [0-9a-f]{12}$", head, re.MULTILINE)
    assert errors(build_into(repo)) == []


def test_status_counts_translated_and_missing_per_language(repo, capsys):
    report = status_json(repo, capsys)
    assert set(report["languages"]) == {"en", "ja"}
    en, ja = report["languages"]["en"]["content"], report["languages"]["ja"]["content"]
    assert (en["translated"], en["missing"], en["outdated"]) == (2, 2, 0)
    assert (ja["translated"], ja["missing"], ja["outdated"]) == (1, 3, 0)
    assert states(report, "ja")["stories/oita-lsi"] == "missing"
    missing = next(i for i in report["languages"]["ja"]["content"]["items"] if i["slug"] == "oita-lsi")
    assert missing["path"] == "content/ja/stories/oita-lsi.md"
    catalog = report["languages"]["ja"]["catalog"]
    assert catalog["path"] == "locale/ja/LC_MESSAGES/messages.po" and catalog["untranslated"] == 0 and catalog["translated"] > 30


def test_a_source_edit_makes_the_translation_out_of_date_with_a_diff(repo, capsys):
    source = repo / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace("교류했습니다.", "교류하여 계약을 맺었습니다."), encoding="utf-8")
    report = status_json(repo, capsys)
    assert states(report, "en")["stories/oita-lsi"] == "outdated"
    item = next(i for i in report["languages"]["en"]["content"]["items"] if i["slug"] == "oita-lsi")
    assert item["known"] is True
    assert "-일본 오이타현 LSI 클러스터와 교류했습니다." in item["diff"]
    assert "+일본 오이타현 LSI 클러스터와 교류하여 계약을 맺었습니다." in item["diff"]
    assert "[body]" in item["diff"]
    # and the build says so, naming the command that settles it
    notes = [d.format() for d in build_into(repo).diagnostics if d.path == TRANSLATION]
    assert any("sitegen i18n done content/en/stories/oita-lsi.md" in n for n in notes), notes


def test_a_changed_figure_does_not_make_translations_out_of_date(repo, capsys):
    path = repo / "content/ko/clusters/changwon.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("companies: 73", "companies: 74"), encoding="utf-8")
    assert states(status_json(repo, capsys), "en")["clusters/changwon"] == "translated"


def test_done_again_brings_it_up_to_date(repo, capsys):
    (repo / SOURCE).write_text((repo / SOURCE).read_text(encoding="utf-8") + "\n추가 문단.\n", encoding="utf-8")
    assert main(["i18n", "done", "--source", str(repo), TRANSLATION]) == 0
    assert states(status_json(repo, capsys), "en")["stories/oita-lsi"] == "translated"


def test_a_version_that_names_nothing_is_reported(repo, capsys):
    path = repo / TRANSLATION
    path.write_text(re.sub(r"source_version: \w+", "source_version: 0123456789ab", path.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    assert main(["i18n", "status", "--source", str(repo)]) == 1
    out = capsys.readouterr()
    assert (
        "content/en/stories/oita-lsi.md: error: source_version: expected a version of content/ko/stories/oita-lsi.md from its history, found 0123456789ab, which names none"
        in out.err
    )
    assert "out of date" in out.out


def test_text_status_lists_missing_items_with_their_paths(repo, capsys):
    capsys.readouterr()
    assert main(["i18n", "status", "--source", str(repo), "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "ja: UI" in out and "content: 1 translated, 3 missing, 0 out of date" in out
    assert "missing      content/ja/stories/oita-lsi.md" in out
    assert "en:" not in out


def test_html_report_has_a_cell_per_item_and_language(repo, tmp_path, capsys):
    source = repo / SOURCE
    source.write_text(source.read_text(encoding="utf-8") + "\n새 문단.\n", encoding="utf-8")
    assert main(["i18n", "status", "--source", str(repo), "--html", str(tmp_path / "report")]) == 0
    assert capsys.readouterr().err.endswith(f"sitegen: wrote the report to {tmp_path / 'report/index.html'}; open it in a browser\n")
    page = parse_html(tmp_path / "report/index.html")
    rows = page.findall(".//table[2]/tbody/tr")
    assert len(rows) == 4
    story = next(r for r in rows if "stories/oita-lsi" in text_of(r.find("th")))
    cells = story.findall("td")
    assert [c.get("class") for c in cells] == ["outdated", "missing"]
    links = {a.text: a.get("href") for a in cells[0].findall("a")}
    assert links["page"] == "https://example.org/portal/en/stories/oita-lsi/"
    assert links["diff"] == "#diff-en-stories-oita-lsi"
    assert page.find(".//h3[@id='diff-en-stories-oita-lsi']") is not None
    assert "+새 문단." in text_of(page.find(".//pre"))


def test_required_language_fails_a_strict_build_others_only_note(make_site):
    root = make_site(
        {
            "content/en/_index.md": "---\ntitle: Cluster home\nsummary: Mini-clusters\n---\nWelcome.\n",
            "content/en/pages/program.md": "---\ntitle: The programme\n---\n## Aim\nKnowledge-based complexes.\n",
        }
    )
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "require_complete: [en]\n")
    for path in (root / "content/en").rglob("*.*"):
        main(["i18n", "done", "--source", str(root), str(path.relative_to(root))])
    assert errors(build_into(root, strict=True)) == []
    (root / "content/en/clusters/changwon.yaml").unlink()
    report = build_into(root, strict=True)
    assert errors(report) == [
        "content/en/clusters/changwon.yaml: error: expected a translation into en of content/ko/clusters/changwon.yaml, found none (readers see the ko text)"
    ]
    assert any(d.severity == "note" and d.path.startswith("content/ja/") for d in report.diagnostics)


def test_fuzzy_and_untranslated_ui_strings_fall_back_to_the_source_string(make_site):
    root = make_site()
    po = root / "locale/ja/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Success stories"\nmsgstr "成功事例"', '#, fuzzy\nmsgid "Success stories"\nmsgstr "成功事例"')
    text = text.replace('msgid "Mini-clusters"\nmsgstr "ミニクラスター"', 'msgid "Mini-clusters"\nmsgstr ""')
    po.write_text(text, encoding="utf-8")
    report = build_into(root)
    nav = text_of(parse_html(root / "public/ja/index.html").find(".//nav[@class='wrap primary']"))
    assert "Success stories" in nav and "Mini-clusters" in nav and "成功事例" not in nav
    warned = {d.message for d in report.diagnostics if d.path == "locale/ja/LC_MESSAGES/messages.po"}
    assert "expected a translation of 'Success stories', found none (the English text is shown)" in warned
    assert "expected a translation of 'Mini-clusters', found none (the English text is shown)" in warned


# A module a clone could carry: it leaves a mark when imported, and works as an extractor and an extension.
PLANTED = "from pathlib import Path\nfrom jinja2.ext import Extension\nPath(__file__).with_name('ran').touch()\n\ndef run(*args, **options):\n    return iter(())\n\n\nclass Planted(Extension):\n    pass\n"


@pytest.mark.parametrize(
    "mapping, line, found",
    [
        ("[extractors]\nrun = planted:run\n\n[run: templates/**.html]\n", 1, "extractors"),  # a method of its own, by module:function
        ("[planted: templates/**.html]\n", 1, "planted"),
        ("[jinja2: templates/**.html]\nextensions = jinja2.ext.i18n,\n    planted.Planted\n", 3, "planted.Planted"),  # imported by Jinja
        # Read as Python's RawConfigParser reads it, as pybabel does (a security review's bypasses of a line-by-line check):
        ("[jinja2: templates/**.html]\n extensions = planted.Planted\n", 2, "planted.Planted"),  # an indented option
        ("[jinja2: templates/**.html]\nEXTENSIONS = planted.Planted\n", 2, "planted.Planted"),  # option names in any case
        (" [extractors]\n run = planted:run\n [run: templates/**.html]\n", 1, "extractors"),  # indented sections
        ("\t[planted.run: templates/**.html]\n", 1, "planted.run"),  # a method by its dotted name
        ("[jinja2: templates/**.html]\nextensions = jinja2.ext.i18n,\n\n# a note\n  planted.Planted\n", 5, "planted.Planted"),  # a value going on
        ("[DEFAULT]\nextensions = planted.Planted\n[jinja2: templates/**.html]\n", 2, "planted.Planted"),  # every section's options
    ],
)
def test_extract_refuses_a_babel_cfg_that_names_code_to_run(make_site, capsys, monkeypatch, mapping, line, found):
    """A clone's babel.cfg is data: a method or extension it names would be imported from the clone itself."""
    root = make_site({"babel.cfg": mapping, "planted.py": PLANTED})
    monkeypatch.syspath_prepend(str(root))  # as `python -m sitegen` run in the clone would find it
    assert main(["i18n", "extract", "--source", str(root)]) == 1
    err = capsys.readouterr().err
    assert (
        f"babel.cfg:{line}: error: expected Babel's own extraction methods and Jinja's own extensions, found {found!r}, which pybabel would import and run"
        in err
    )
    assert not (root / "ran").exists()


def test_gettext_round_trip_matches_plain_pybabel(make_site, tmp_path):
    root = make_site({"babel.cfg": (Path(__file__).parent.parent / "babel.cfg").read_text()})
    (root / "sitegen").mkdir()
    assert main(["i18n", "extract", "--source", str(root)]) == 0
    ours = (root / "locale/messages.pot").read_text(encoding="utf-8")
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-o", str(tmp_path / "plain.pot"), "."], cwd=root, check=True, capture_output=True)
    plain = (tmp_path / "plain.pot").read_text(encoding="utf-8")
    no_date = lambda text: re.sub(r'"POT-Creation-Date: .*"', "", text)  # noqa: E731
    assert no_date(ours) == no_date(plain)
    # Every template is read (Babel skips, silently, one with a tag it does not know), and the
    # committed catalog template has every string the templates use, and no other.
    msgids = lambda text: set(re.findall(r'^msgid "(.+)"$', text, re.M))  # noqa: E731
    assert {"Skip to content", "Main navigation", "Success stories"} <= msgids(ours)
    assert msgids(ours) == msgids((Path(__file__).parent.parent / "locale/messages.pot").read_text(encoding="utf-8"))
    assert main(["i18n", "update", "--source", str(root)]) == 0
    assert main(["i18n", "compile", "--source", str(root)]) == 0
    assert (root / "locale/ja/LC_MESSAGES/messages.mo").stat().st_size > 0


def test_a_fifth_language_is_config_a_folder_and_init(make_site):
    root = make_site()
    config = (root / "site.yaml").read_text()
    config = config.replace("languages: [ko, en, ja]", "languages: [ko, en, ja, vi]")
    config = config.replace("title: {ko: 클러스터, en: Clusters, ja: クラスター}", "title: {ko: 클러스터, en: Clusters, ja: クラスター, vi: Cụm công nghiệp}")
    (root / "site.yaml").write_text(config)
    (root / "content/vi/stories").mkdir(parents=True)
    (root / "content/vi/stories/oita-lsi.md").write_text("---\ntitle: Giao lưu với cụm LSI Oita\n---\nNội dung.\n", encoding="utf-8")
    assert main(["i18n", "init", "vi", "--source", str(root)]) == 0
    assert (root / "locale/vi/LC_MESSAGES/messages.po").is_file()
    report = build_into(root)
    assert errors(report) == []
    page = parse_html(root / "public/vi/stories/oita-lsi/index.html")
    assert page.get("lang") == "vi"
    assert text_of(page.find(".//h1")) == "Giao lưu với cụm LSI Oita"
    assert text_of(page.find(".//time")) == "31 tháng 5, 2012"
    switcher = [a.get("hreflang") for a in page.findall(".//nav[@class='languages']//a")]
    assert switcher == ["ko", "en", "ja", "vi"]
    # the new catalog is empty: its strings are reported, and the English text is shown meanwhile
    assert any(d.path == "locale/vi/LC_MESSAGES/messages.po" and d.severity == "warning" for d in report.diagnostics)


def test_done_outside_the_site_missing_or_linked_out_is_a_diagnostic(make_site, capsys, tmp_path):
    root = make_site()
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    os.symlink(outside, root / "content/ja/clusters/linked.yaml")
    (root / "content/ko/clusters/linked.yaml").write_text((root / "content/ko/clusters/changwon.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    assert main(["i18n", "done", "--source", str(root), str(outside), "content/ja/stories/oita-lsi.md", "content/ja/clusters/linked.yaml"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{outside}: error: expected a translation file inside the site folder {root}, found a path outside it",
        "content/ja/stories/oita-lsi.md: error: expected the translation file, found no such file; translate the item first (`sitegen i18n status` lists what is missing)",
        f"content/ja/clusters/linked.yaml: error: expected a file inside content/, found a link to {outside}; replace the link with the file itself",
    ]
    assert outside.read_text(encoding="utf-8") == "---\ntitle: x\n---\n"


def test_done_on_an_uncommitted_source_says_so_and_how_to_commit_it(repo, capsys):
    source = repo / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace("교류했습니다.", "교류하여 계약을 맺었습니다."), encoding="utf-8")
    capsys.readouterr()
    assert main(["i18n", "done", "--source", str(repo), TRANSLATION]) == 0  # recorded all the same
    out = capsys.readouterr()
    version = re.search(r"^source_version: (\w+)$", (repo / TRANSLATION).read_text(encoding="utf-8"), re.MULTILINE)[1]
    assert f"{TRANSLATION}: translates source version {version}" in out.out
    [warning] = out.err.splitlines()
    assert warning.startswith(f"{SOURCE}: warning: expected the source to be committed before its translation is marked done, found changes not yet committed")
    assert f"{TRANSLATION} now records the version of the uncommitted text ({version})" in warning
    assert f"commit the source as it is now (git add {SOURCE}, then git commit)" in warning
    git(repo, "commit", "-qam", "source edited")
    assert main(["--messages", "ko", "i18n", "done", "--source", str(repo), TRANSLATION]) == 0
    assert capsys.readouterr().err == ""  # committed: nothing to say


def test_done_on_an_uncommitted_source_is_told_in_korean(repo, capsys):
    source = repo / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace("교류했습니다.", "교류하여 계약을 맺었습니다."), encoding="utf-8")
    capsys.readouterr()
    assert main(["--messages", "ko", "i18n", "done", "--source", str(repo), TRANSLATION]) == 0
    [warning] = capsys.readouterr().err.splitlines()
    assert warning.startswith(f"{SOURCE}: warning: 번역을 완료로 기록하기 전에 원문을 커밋해야 하는데, 아직 커밋하지 않은 변경이 있습니다")
    assert f"지금 상태 그대로 원문을 커밋하세요(git add {SOURCE} 후 git commit)" in warning


def test_done_on_a_source_whose_figures_alone_changed_says_nothing(repo, capsys):
    path = repo / "content/ko/clusters/changwon.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("companies: 73", "companies: 74"), encoding="utf-8")
    capsys.readouterr()
    assert main(["i18n", "done", "--source", str(repo), "content/en/clusters/changwon.yaml"]) == 0
    assert capsys.readouterr().err == ""  # the version is the committed one: status will find it


@pytest.mark.parametrize(
    "command, table",
    [
        (["init", "vi"], 'init_catalog]\noutput_file = "../outside/init.po"\n'),
        (["update"], 'update_catalog]\noutput_file = "../outside/update.po"\nlocale = "ja"\n'),
    ],
)
def test_a_clone_s_pyproject_toml_cannot_send_the_catalogs_outside_the_site(make_site, command, table):
    """Babel reads [tool.babel.*] from pyproject.toml for options the command line leaves out: not sitegen's."""
    root = make_site({"babel.cfg": (Path(__file__).parent.parent / "babel.cfg").read_text(), "pyproject.toml": "[tool.babel." + table})
    (root.parent / "outside").mkdir()
    main(["i18n", *command, "--source", str(root)])
    assert list((root.parent / "outside").iterdir()) == []
