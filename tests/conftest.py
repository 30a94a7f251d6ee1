"""Tiny sites in tmp_path, built from a fixture plus the repo's own templates and catalogs."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import html5lib
import pytest
import yaml

from sitegen.messages import use
from sitegen.options import BuildOptions
from sitegen.pipeline import Report as BuildReport
from sitegen.pipeline import build

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

MakeSite = Callable[..., Path]


@pytest.fixture(autouse=True, scope="session")
def no_user_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads or writes the user's own cache folder, module fixtures' builds included."""
    os.environ["SITEGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("session-cache"))


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """sitegen speaks the locale's language: tests read its English, whatever the machine's locale."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    use("en")


@pytest.fixture(autouse=True)
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own cache folder (for builds in this process and the commands it starts)."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("SITEGEN_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """make_site(files={relative path: text or bytes or None}, fixture="mini") -> site root.

    The fixture's files come first, then the repo's templates and locale, then `files`
    (None deletes a file).
    """

    def make(files: dict[str, str | bytes | None] | None = None, fixture: str = "mini") -> Path:
        root = tmp_path / "site"
        shutil.copytree(FIXTURES / fixture, root)
        if not (root / "templates").exists():
            shutil.copytree(REPO / "templates", root / "templates")
        if not (root / "locale").exists():
            languages = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))["languages"]
            (root / "locale").mkdir()
            shutil.copy(REPO / "locale/messages.pot", root / "locale")
            for code in languages:
                shutil.copytree(REPO / "locale" / code, root / "locale" / code, ignore=shutil.ignore_patterns("*.mo"))
        for rel, data in (files or {}).items():
            path = root / rel
            if data is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return root

    return make


def build_into(root: Path, **options: object) -> BuildReport:
    """Build `root` into root/public, as `sitegen build` does (without the search index, which
    tests/test_search.py covers: it costs a second a build)."""
    options.setdefault("search", False)
    return build(BuildOptions(source=root, out=root / "public", **options))  # type: ignore[arg-type]


def parse_html(path: Path) -> ET.Element:
    """Parse a page the way a browser does."""
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def text_of(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def markdown_rows(path: Path, at_least: int = 0) -> int:
    """Bodies in a Markdown cache; with `at_least`, once it holds that many (waiting up to 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                count = db.execute("SELECT count(*) FROM markdown").fetchone()[0]
        except sqlite3.OperationalError:  # not made yet
            count = 0
        if count >= at_least or time.monotonic() > deadline:
            return count
        time.sleep(0.01)


def errors(report: BuildReport) -> list[str]:
    return [d.format() for d in report.diagnostics if d.severity == "error"]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """The mini fixture's config, loaded once for property tests."""
    from sitegen.inputs.config import load_config

    root = tmp_path_factory.mktemp("fixture") / "site"
    shutil.copytree(FIXTURES / "mini", root)
    loaded, _ = load_config(root)
    return loaded
