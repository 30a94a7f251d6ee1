"""The kernel tells which inputs were saved; stamping just those gives what a full scan gives."""

from __future__ import annotations

import time

import pytest

from sitegen.deps import restamp, scan
from sitegen.watch import EVERYTHING, Inotify


def settled(watch: Inotify) -> set[str] | None:
    time.sleep(0.05)  # the events of a write are queued by the time write() returns; this is margin
    return watch.changes()


@pytest.fixture
def watched(make_site):
    root = make_site()
    watch = Inotify(root)
    yield root, watch
    watch.close()


def test_saves_are_told_by_site_path_and_other_files_are_not(watched):
    root, watch = watched
    assert settled(watch) == set()
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    (root / "templates/base.html").touch()
    (root / "notes.txt").write_text("not an input")  # beside the inputs, not one of them
    (root / "site.yaml").touch()
    assert settled(watch) == {"content/en/stories/oita-lsi.md", "templates/base.html", "site.yaml"}
    (root / "content/en/stories/oita-lsi.md").unlink()
    assert settled(watch) == {"content/en/stories/oita-lsi.md"}


def test_a_new_folder_asks_for_a_scan_and_is_watched_from_then_on(watched):
    root, watch = watched
    (root / "content/en/pages").mkdir()
    assert settled(watch) is EVERYTHING
    (root / "content/en/pages/welcome.md").write_text("---\ntitle: Welcome\n---\n", encoding="utf-8")
    assert settled(watch) == {"content/en/pages/welcome.md"}


def test_restamping_the_saved_files_gives_what_a_scan_gives(make_site):
    root = make_site()
    before = scan(root)
    story = root / "content/en/stories/oita-lsi.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    (root / "content/ko/clusters/changwon.yaml").unlink()
    (root / "content/ko/clusters/.changwon.yaml.swp").write_text("an editor's swap file")
    (root / "locale/en/LC_MESSAGES/messages.mo").write_bytes(b"compiled")
    saved = {"content/en/stories/oita-lsi.md", "content/ko/clusters/changwon.yaml",
             "content/ko/clusters/.changwon.yaml.swp", "locale/en/LC_MESSAGES/messages.mo", "notes.txt"}
    assert restamp(root, before, saved) == scan(root)
    assert restamp(root, before, saved) != before
