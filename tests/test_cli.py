"""`sitegen build` and `sitegen check` as CI and editors run them: messages and exit codes."""

import os
import re
import subprocess
import sys

import pytest

from sitegen.cli import main

BAD_DATE = "---\ntitle: 교류\nsummary: 요약\ndate: 2012-13-01\nregion: chungcheong\n---\n"


def test_build_exits_0_and_says_what_it_built(make_site, capsys):
    root = make_site()
    assert main(["build", "--source", str(root), "--no-search"]) == 0
    assert "built 31 pages in 3 languages" in capsys.readouterr().out
    assert (root / "public/en/index.html").is_file()


def test_content_error_exits_1_in_the_compilers_format(make_site, capsys):
    root = make_site({"content/ko/stories/oita-lsi.md": BAD_DATE})
    assert main(["build", "--source", str(root)]) == 1
    err = capsys.readouterr().err
    assert "content/ko/stories/oita-lsi.md:4:7: error: date: expected a date like 2012-05-31, found '2012-13-01'" in err
    assert "nothing was written" in err
    assert not (root / "public").exists()


def test_github_actions_get_annotations(make_site, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    root = make_site({"content/ko/stories/oita-lsi.md": BAD_DATE})
    assert main(["check", "--source", str(root)]) == 1
    assert "::error file=content/ko/stories/oita-lsi.md,line=4,col=7::date: expected a date" in capsys.readouterr().err


def test_an_unknown_language_exits_1_naming_the_sites_languages(make_site, capsys):
    """Issue 29: a name the site does not have exits 1, as a brochure that is not there does."""
    root = make_site()
    assert main(["build", "--source", str(root), "--lang", "fr"]) == 1
    assert capsys.readouterr().err == "sitegen: error: unknown language fr: expected one of ko, en, ja\n"


def test_unknown_option_is_wrong_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["build", "--frobnicate"])
    assert info.value.code == 2


def test_strict_turns_warnings_into_errors(make_site, capsys):
    root = make_site({"content/ko/pages/program.md": "---\ntitle: 사업\nmenu: 1\n---\n[깨진 링크](../nowhere/)\n"})
    assert main(["check", "--source", str(root)]) == 0
    assert "warning: expected a link to a page of the site, found '../nowhere/'" in capsys.readouterr().err
    assert main(["check", "--source", str(root), "--strict"]) == 1
    assert "content/ko/pages/program.md:5:9: error: expected a link to a page of the site, found '../nowhere/'" in capsys.readouterr().err


def test_check_writes_nothing(make_site):
    root = make_site()
    assert main(["check", "--source", str(root), "--quiet"]) == 0
    assert not (root / "public").exists()


def test_progress_is_plain_in_logs_and_silent_when_quiet(make_site, capsys):
    root = make_site()
    assert main(["build", "--source", str(root), "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert "sitegen: pages 31/31" in err and "\r" not in err
    assert main(["build", "--source", str(root), "--no-pdf", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_progress_redraws_one_line_on_a_terminal():
    import io

    from sitegen.cli import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    line = ProgressLine(stream)
    for done in range(1, 4):
        line("pages", done, 3)
    assert stream.getvalue().count("\r") == 4 and "pages 2/3" in stream.getvalue() and "\n" not in stream.getvalue()


def test_ctrl_c_stops_a_build_with_one_line_and_leaves_nothing_behind(make_site):
    """Ctrl-C reaches every process of the build (the terminal signals its whole group): the render
    workers leave the stopping to the main process, which says so in one line and exits 130, and no
    process of the build is left running."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import FIXTURES

    story = (FIXTURES / "mini/content/ko/stories/oita-lsi.md").read_text(encoding="utf-8")
    root = make_site({f"content/ko/stories/story-{n:03d}.md": story for n in range(400)})
    build = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build", "--source", str(root), "--no-pdf", "--no-search", "--jobs", "2", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not any(root.glob(".public.staging-*/en/stories/*/index.html")) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until the render workers are writing pages
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=120)
    assert (build.returncode, stderr) == (130, "sitegen: interrupted\n")
    assert not (root / "public").exists() and not list(root.glob(".public.staging-*"))


def test_the_command_ends_with_all_its_output_and_the_builds_exit_code(make_site):
    """Through pipes, as CI reads it, no line is lost and the exit code is the build's."""
    import os
    import subprocess
    import sys

    root = make_site()
    command = [sys.executable, "-m", "sitegen", "build", "--source", str(root), "--no-search", "--no-pdf"]
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # as a pipe is by default
    built = subprocess.run(command, capture_output=True, text=True, env=buffered)
    assert built.returncode == 0 and "built 31 pages in 3 languages" in built.stdout
    (root / "content/ko/stories/oita-lsi.md").write_text(BAD_DATE, encoding="utf-8")
    failed = subprocess.run(command, capture_output=True, text=True, env=buffered)
    assert failed.returncode == 1 and "oita-lsi.md:4:7: error: date: expected a date like 2012-05-31" in failed.stderr


@pytest.mark.parametrize("command", [["build"], ["check"], ["i18n", "status"], ["i18n", "extract"], ["new", "story", "x"]])
def test_a_source_that_is_a_file_is_wrong_usage_and_a_missing_one_exits_1(make_site, capsys, command):
    root = make_site()
    with pytest.raises(SystemExit) as info:
        main([*command, "--source", str(root / "site.yaml")])
    assert info.value.code == 2
    assert f"sitegen: error: --source {root / 'site.yaml'}: expected the site folder, found a file" in capsys.readouterr().err
    assert main([*command, "--source", str(root / "nothing")]) == 1
    assert f"sitegen: error: --source {root / 'nothing'}: expected the site folder, found no such folder" in capsys.readouterr().err


def test_i18n_init_takes_a_language_code_not_a_path(make_site, capsys, tmp_path):
    root = make_site()
    for language in ("../../../outside", "ko/../../x", ""):
        with pytest.raises(SystemExit) as info:
            main(["i18n", "init", language, "--source", str(root)])
        assert info.value.code == 2
        assert f"expected a language code Babel knows, such as ja or vi, found {language!r}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_pybabel_is_never_let_at_a_link_out_of_the_site(make_site, capsys, tmp_path):
    root = make_site()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, root / "locale/ja/LC_MESSAGES/messages.mo")  # `compile` would write the catalog into it
    assert main(["i18n", "compile", "--source", str(root)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"locale/ja/LC_MESSAGES/messages.mo: error: expected a file inside the site folder, found a link to {victim}; replace the link with the file itself"
    ]
    assert victim.read_text() == "precious"


def test_new_refuses_a_slug_too_long_for_a_file_name(make_site, capsys):
    root = make_site()
    with pytest.raises(SystemExit) as info:
        main(["new", "story", "a" * 300, "--source", str(root)])
    assert info.value.code == 2
    assert "expected a slug of at most 100 characters, found 300; choose a shorter one" in capsys.readouterr().err


def test_new_never_writes_through_a_link_in_the_new_files_place(make_site, capsys, tmp_path):
    root = make_site()
    os.symlink(tmp_path / "created-outside.md", root / "content/ko/stories/new-one.md")
    with pytest.raises(SystemExit):
        main(["new", "story", "new-one", "--source", str(root)])
    assert "exists already" in capsys.readouterr().err
    assert not (tmp_path / "created-outside.md").exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "http://", "https://example.org/?next=1", "data:text/html,x"])
def test_a_base_url_option_that_leads_elsewhere_is_wrong_usage(make_site, capsys, url):
    """--base-url is checked as site.yaml's base_url is, before anything is built."""
    root = make_site()
    for command in ("build", "check"):
        with pytest.raises(SystemExit) as info:
            main([command, "--source", str(root), "--base-url", url])
        assert info.value.code == 2
        last = capsys.readouterr().err.splitlines()[-1]
        assert last.startswith(f"sitegen {command}: error: argument --base-url: expected an http(s) URL such as https://example.org/portal/, found {url!r} (")
    assert not (root / "public").exists()


def test_a_base_url_option_publishes_the_site_there(make_site):
    root = make_site()
    assert main(["build", "--source", str(root), "--no-pdf", "--no-search", "--quiet", "--base-url", "https://preview.example.org/kicox"]) == 0
    assert "<loc>https://preview.example.org/kicox/ko/</loc>" in (root / "public/sitemap.xml").read_text(encoding="utf-8")


def test_translation_status_shows_control_characters_of_the_source_visibly(make_site, capsys):
    """A translator's terminal shows the changed source lines as written; CSI (ESC [ in one character) or a
    bidi override in them rewrites nothing. (ESC itself is refused in content: no feed can hold it.)"""
    import subprocess

    root = make_site()
    for args in (["init", "-q"], ["config", "user.email", "t@example.org"], ["config", "user.name", "T"]):
        subprocess.run(["git", "-C", str(root), *args], check=True)
    assert main(["i18n", "done", "--source", str(root), "content/en/stories/oita-lsi.md"]) == 0
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "translated"], check=True)
    source = root / "content/ko/stories/oita-lsi.md"
    source.write_text(source.read_text(encoding="utf-8").replace("교류했습니다.", "교류했습니다.\x9b2J\u202e"), encoding="utf-8")
    capsys.readouterr()
    main(["i18n", "status", "--source", str(root)])
    out = capsys.readouterr().out
    assert "+일본 오이타현 LSI 클러스터와 교류했습니다.\\x9b2J\\u202e" in out
    assert "\x9b" not in out and "\u202e" not in out


BROCHURE = "title: 사업 안내\nsummary: 요약\nsections:\n  - page: program\n"


def test_pdf_of_an_unknown_brochure_exits_1_naming_the_brochures_it_knows(make_site, capsys):
    root = make_site({"content/ko/brochures/guide.yaml": BROCHURE, "content/ko/brochures/program-2024.yaml": BROCHURE})
    assert main(["pdf", "gide", "--source", str(root)]) == 1
    err = capsys.readouterr().err
    assert (
        "content/ko/brochures/gide.yaml: error: expected a brochure, found no brochure 'gide' (did you mean 'guide'?); the brochures are: guide, program-2024"
    ) in err
    assert "nothing was written" in err
    assert not (root / "public").exists()


def test_pdf_with_no_brochure_at_all_says_how_to_start_one(make_site, capsys):
    assert main(["pdf", "nosuch", "--source", str(make_site())]) == 1
    assert "found no brochure 'nosuch'; the brochures are: none yet (start one with `sitegen new brochure SLUG`)" in capsys.readouterr().err


def test_an_unknown_language_has_a_did_you_mean(make_site, capsys):
    root = make_site()
    assert main(["check", "--source", str(root), "--lang", "jp"]) == 1
    assert "unknown language jp (did you mean 'ja'?): expected one of ko, en, ja" in capsys.readouterr().err


def test_a_missing_site_folder_exits_1_and_a_file_for_it_is_wrong_usage(tmp_path, capsys):
    assert main(["build", "--source", str(tmp_path / "nosuch")]) == 1
    assert "expected the site folder, found no such folder; check the name" in capsys.readouterr().err
    (tmp_path / "site.yaml").write_text("title: x\n")
    with pytest.raises(SystemExit) as info:
        main(["build", "--source", str(tmp_path / "site.yaml")])
    assert info.value.code == 2


def test_version_prints_the_version(capsys):
    from sitegen import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"sitegen {__version__}\n"


@pytest.mark.parametrize(
    "path, hint",
    [
        ("content/ja/stories/oita-lsl.md", "did you mean content/ja/stories/oita-lsi.md?"),
        ("content/ko/stories/oita-lsi.md", "did you mean content/en/stories/oita-lsi.md or content/ja/stories/oita-lsi.md?"),
        ("content/jp/clusters/changwon.yaml", "did you mean content/ja/clusters/changwon.yaml"),
    ],
)
def test_i18n_done_on_a_path_that_is_not_a_translation_exits_1_with_a_did_you_mean(make_site, capsys, path, hint):
    root = make_site()
    assert main(["i18n", "done", path, "--source", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: error: expected ") and hint in err


def test_the_progress_line_and_the_summary_count_the_same_pages(make_site, capsys):
    root = make_site()
    assert main(["build", "--source", str(root), "--no-pdf", "--no-search"]) == 0
    captured = capsys.readouterr()
    progress = re.search(r"sitegen: pages (\d+)/(\d+)", captured.err)
    summary = re.search(r"built (\d+) pages", captured.out)
    assert progress and summary and progress.group(1) == progress.group(2) == summary.group(1)


def test_a_reader_that_stops_early_gets_no_traceback(make_site):
    """`sitegen i18n status --format json | head`: head is gone before the report is written."""
    root = make_site()
    read, write = os.pipe()
    os.close(read)  # a reader that has already stopped
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "i18n", "status", "--format", "json", "--source", str(root)], stdout=write, stderr=subprocess.PIPE, text=True
    )
    os.close(write)
    assert (done.returncode, done.stderr) == (1, "")
