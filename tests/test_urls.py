"""Links are relative, so the site works under any base path."""

import itertools
import posixpath

from sitegen.render.urls import item_path, linker, output_file


def test_item_paths():
    assert item_path("home", "index", "en") == "en/"
    assert item_path("pages", "program", "ja") == "ja/program/"
    assert item_path("stories", "oita-lsi", "zh") == "zh/stories/oita-lsi/"


def test_relative_links():
    assert linker("en/stories/oita-lsi/")("en/clusters/changwon/") == "../../clusters/changwon/"
    assert linker("en/")("en/") == "./"
    assert linker("")("en/") == "en/"
    assert linker("en/404.html")("static/style.css") == "../static/style.css"
    assert linker("en/", directory_urls=False)("ja/") == "../ja/index.html"


def test_every_link_leads_where_posixpath_says():
    """From every page to every page and file of a small tree, as posixpath.relpath resolves them."""
    folders = [""] + ["/".join(p) + "/" for n in (1, 2, 3) for p in itertools.product(["en", "stories", "en-x"], repeat=n)]
    files = [folder + name for folder in folders for name in ("a.html", "style.css")]
    for page in folders + files:
        link, to_files = linker(page), linker(page, directory_urls=False)
        for target in folders + files:
            expected = posixpath.relpath(target.rstrip("/") or ".", posixpath.dirname(page) or ".")
            if target.endswith("/") or not target:
                expected = "./" if expected == "." else expected + "/"
                assert to_files(target) == expected + "index.html", (page, target)
            else:
                assert to_files(target) == expected, (page, target)
            assert link(target) == expected, (page, target)


def test_output_files():
    assert output_file("en/") == "en/index.html"
    assert output_file("") == "index.html"
    assert output_file("en/404.html") == "en/404.html"
