"""The output folder is replaced whole, or not at all, and nothing lands outside it."""

from pathlib import Path

import pytest

from conftest import tree_bytes
from sitegen.outputs.publish import MARKER, OutputError, safe_relative, staging, update_files


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/etc/passwd", "a//b", "", "a\\..\\b", "./a", "a/\0"])
def test_paths_that_could_escape_are_refused(path):
    with pytest.raises(OutputError):
        safe_relative(path)


def publish(files: dict[str, bytes], out: Path, source: Path) -> None:
    """What a whole build does with its files: write them into a staging folder, then swap it in."""
    with staging(out, source) as stage:
        stage.write(files)
        stage.publish()


def test_publish_replaces_the_folder_whole_and_leaves_nothing_beside_it(tmp_path):
    out = tmp_path / "public"
    publish({f"en/{i}/index.html": b"old" for i in range(200)} | {"old.html": b"x"}, out, tmp_path / "src")
    publish({"a/index.html": b"two"}, out, tmp_path / "src")
    assert tree_bytes(out) == {"a/index.html": b"two", MARKER: (out / MARKER).read_bytes()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.lock", "public"]


def test_a_staging_folder_left_by_a_killed_build_is_removed_and_others_left_alone(tmp_path):
    out = tmp_path / "pub[l]ic"  # glob characters in the name match only themselves
    for name in (".pub[l]ic.staging-12", ".pub[l]ic.staging-13-old", ".publ.staging-14", ".pub[l]ic.staging-backup"):
        (tmp_path / name).mkdir()
    publish({"index.html": b"new"}, out, tmp_path / "src")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pub[l]ic.lock", ".pub[l]ic.staging-backup", ".publ.staging-14", "pub[l]ic"]


def test_a_dropped_staging_folder_takes_its_pages_with_it(tmp_path):
    out = tmp_path / "public"
    publish({"index.html": b"old"}, out, tmp_path / "src")
    with pytest.raises(RuntimeError), staging(out, tmp_path / "src") as failed:  # a build that fails
        failed.write({"index.html": b"unpublished"})
        raise RuntimeError
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.lock", "public"]


def test_the_dev_server_updates_files_in_place_and_removes_what_is_gone(tmp_path):
    out = tmp_path / "public"
    publish({"a/index.html": b"a", "b/index.html": b"b", "b/c/index.html": b"c"}, out, tmp_path / "src")
    update_files({"a/index.html": b"A", "d/index.html": b"d"}, ["b/index.html", "b/c/index.html"], out, tmp_path / "src")
    assert tree_bytes(out) == {"a/index.html": b"A", "d/index.html": b"d", MARKER: (out / MARKER).read_bytes()}
    with pytest.raises(OutputError):
        update_files({"../evil.html": b"x"}, [], out, tmp_path / "src")
    assert not (tmp_path / "evil.html").exists()


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
