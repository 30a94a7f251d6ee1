"""Links are relative, so the site works under any base path."""

from sitegen.urls import item_path, output_file, relative


def test_item_paths():
    assert item_path("home", "index", "en") == "en/"
    assert item_path("pages", "program", "ja") == "ja/program/"
    assert item_path("stories", "oita-lsi", "zh") == "zh/stories/oita-lsi/"


def test_relative_links():
    assert relative("en/stories/oita-lsi/", "en/clusters/changwon/") == "../../clusters/changwon/"
    assert relative("en/", "en/") == "./"
    assert relative("", "en/") == "en/"
    assert relative("en/404.html", "static/style.css") == "../static/style.css"
    assert relative("en/", "ja/", directory_urls=False) == "../ja/index.html"


def test_output_files():
    assert output_file("en/") == "en/index.html"
    assert output_file("") == "index.html"
    assert output_file("en/404.html") == "en/404.html"
