"""The output folder is replaced whole, or not at all, and nothing lands outside it."""

import pytest

from conftest import tree_bytes
from sitegen.output import MARKER, OutputError, publish, safe_relative


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
