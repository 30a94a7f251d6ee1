"""The output folder is replaced whole, or not at all, and nothing lands outside it."""

from pathlib import Path

import pytest

from conftest import replaced_sites, tree_bytes
from sitegen.output import MARKER, OutputError, Scratch, Staged, publish, safe_relative, staging


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/etc/passwd", "a//b", "", "a\\..\\b", "./a", "a/\0"])
def test_paths_that_could_escape_are_refused(path):
    with pytest.raises(OutputError):
        safe_relative(path)


def test_publish_replaces_the_folder_whole(tmp_path):
    out = tmp_path / "public"
    publish({"a/index.html": b"one", "old.html": b"x"}, out, tmp_path / "src")
    publish({"a/index.html": b"two"}, out, tmp_path / "src")
    assert tree_bytes(out) == {"a/index.html": b"two", MARKER: (out / MARKER).read_bytes()}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public.staging")] == []


def test_the_replaced_site_is_removed_after_publish_returns(tmp_path):
    """The previous site, thousands of files, is removed by a process of its own: the build returns
    once its site is in place, and nothing of the old one is left beside it."""
    out = tmp_path / "public"
    publish({f"en/{i}/index.html": b"old" for i in range(200)}, out, tmp_path / "src")
    publish({"en/index.html": b"new"}, out, tmp_path / "src")
    assert tree_bytes(out) == {"en/index.html": b"new", MARKER: (out / MARKER).read_bytes()}
    assert replaced_sites(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.lock", "public"]


def test_a_replaced_site_left_half_removed_is_removed_by_the_next_publish(tmp_path):
    out = tmp_path / "public"
    left = tmp_path / ".public.old-1-2/en"
    left.mkdir(parents=True)
    (left / "index.html").write_bytes(b"old")
    (tmp_path / ".public.old-backup").mkdir()  # named alike, not by sitegen: left alone
    publish({"en/index.html": b"new"}, out, tmp_path / "src")
    assert replaced_sites(tmp_path, wait=5) == [".public.old-backup"]


def test_staged_outputs_are_read_from_where_the_staging_folder_is(tmp_path):
    """Pages written into the staging folder as they were rendered are read back when asked for:
    from the staging folder, then from the published site."""
    out = tmp_path / "public"
    with staging(out, tmp_path / "src") as stage:
        stage.write({"en/index.html": b"page"})
        outputs = Staged(stage, {"static/site.css": b"css"}, {"en/index.html"})
        assert list(outputs) == ["en/index.html", "static/site.css"] and len(outputs) == 2
        assert outputs["en/index.html"] == b"page" and "en/index.html" in outputs and "x.html" not in outputs
        before = outputs.copy()
        outputs["en/index.html"] = b"again"  # replaced in memory; the copy still reads the file
        assert before["en/index.html"] == b"page"
        stage.publish(before, {"en/index.html"})
    assert not any(p.name.startswith(".public.staging") for p in tmp_path.iterdir())
    assert before["en/index.html"] == b"page" and before["static/site.css"] == b"css"  # now from public/
    assert outputs["en/index.html"] == b"again"
    with pytest.raises(KeyError):
        before["x.html"]
    with pytest.raises(RuntimeError), staging(out, tmp_path / "src") as failed:  # a build that fails: its pages go
        failed.write({"en/index.html": b"unpublished"})
        dropped = Staged(failed, {}, {"en/index.html"})
        raise RuntimeError
    with pytest.raises(OutputError, match="the build failed"):
        dropped["en/index.html"]


def test_an_unsafe_output_leaves_the_previous_site_whole(tmp_path):
    out = tmp_path / "public"
    publish({"index.html": b"good"}, out, tmp_path / "src")
    before = tree_bytes(out)
    with pytest.raises(OutputError):
        publish({"index.html": b"bad", "../evil.html": b"x"}, out, tmp_path / "src")
    assert tree_bytes(out) == before
    assert not (tmp_path / "evil.html").exists()


def test_a_folder_of_someone_else_is_never_replaced(tmp_path):
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="expected an empty folder or an earlier sitegen output"):
        publish({"index.html": b"x"}, out, tmp_path / "src")
    assert (out / "thesis.tex").read_text() == "years of work"


def test_the_sources_are_never_the_output(tmp_path):
    with pytest.raises(OutputError, match="apart from the sources"):
        publish({"index.html": b"x"}, tmp_path, tmp_path)


def test_a_build_killed_at_any_point_leaves_the_old_site_or_the_new_one_never_a_mix(make_site, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    root = make_site()
    command = [sys.executable, "-m", "sitegen", "build", "--source", str(root), "--no-pdf", "--quiet"]
    assert subprocess.run(command).returncode == 0
    old = tree_bytes(root / "public")
    story = root / "content/ko/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n새 문단.\n", encoding="utf-8")
    assert subprocess.run(command[:-1] + ["--out", str(tmp_path / "new"), "--quiet"]).returncode == 0
    new = tree_bytes(tmp_path / "new")
    assert new != old
    outcomes = set()
    for delay in (0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5):
        if tree_bytes(root / "public") != old:
            publish(old, root / "public", root)  # back to the old site for the next try
        process = subprocess.Popen(command)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        now = tree_bytes(root / "public")
        assert now in (old, new), f"a mixed site after a kill at {delay} s"
        outcomes.add("new" if now == new else "old")
    assert "old" in outcomes  # at least one kill landed before the swap


def test_a_scratch_folder_left_by_a_killed_build_is_removed_and_a_running_one_kept(tmp_path):
    import os
    import subprocess

    out = tmp_path / "public"
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs
    stale = tmp_path / f".public.scratch-{gone.pid}"
    running = tmp_path / f".public.scratch-{os.getpid()}"
    for folder in (stale, running):
        folder.mkdir()
        (folder / "page").write_bytes(b"x")
    publish({"index.html": b"new"}, out, tmp_path / "src")
    assert not stale.exists()
    assert (running / "page").read_bytes() == b"x"


def test_links_in_the_scratch_folder_are_replaced_never_followed(tmp_path):
    """The scratch folder is kept between builds: whatever was put there, a build writes only inside it."""
    import os

    out = tmp_path / "public"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_bytes(b"keep")
    scratch = Scratch(out)
    # The free folder is a link to another folder: it is dropped, not written through.
    scratch.free.symlink_to(outside)
    with Scratch(out) as claimed:
        claimed.write({"a/index.html": b"a"})
        assert not claimed.path.is_symlink() and Path(claimed.file("a/index.html")).read_bytes() == b"a"
    assert sorted(p.name for p in outside.iterdir()) == ["keep"]
    # A file of it is a link to a file elsewhere, or a folder: replaced, the file elsewhere untouched.
    target = Scratch(out).free / Path(Scratch(out).file("b/index.html")).name
    os.symlink(outside / "keep", target)
    (Scratch(out).free / Path(Scratch(out).file("c/index.html")).name).mkdir()
    with Scratch(out) as claimed:
        claimed.write({"b/index.html": b"b", "c/index.html": b"c"})
        assert Path(claimed.file("b/index.html")).read_bytes() == b"b" and Path(claimed.file("c/index.html")).read_bytes() == b"c"
    assert (outside / "keep").read_bytes() == b"keep"


def test_files_prepared_for_the_next_build_are_made_inside_the_scratch_folder_only(tmp_path):
    """Preparing the free scratch folder follows no link put in it, nor the folder's own."""
    import os

    out = tmp_path / "public"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_bytes(b"keep")
    free = Scratch(out).free
    free.symlink_to(outside)
    Scratch(out).prepare(["a/index.html"])
    assert not free.is_symlink() and sorted(p.name for p in outside.iterdir()) == ["keep"]
    assert [p.stat().st_size for p in free.iterdir()] == [0]
    os.symlink(outside / "keep", free / Path(Scratch(out).file("b/index.html")).name)
    Scratch(out).prepare(["b/index.html", "c/index.html"])  # a's file goes, b's link is left to the build to replace
    assert sorted(p.name for p in free.iterdir()) == sorted(Path(Scratch(out).file(rel)).name for rel in ("b/index.html", "c/index.html"))
    assert (outside / "keep").read_bytes() == b"keep"
