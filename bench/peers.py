"""The same corpus for Hugo and Pelican: benchmark tools only, never dependencies of sitegen.

hugo_site(corpus, target) and pelican_site(corpus, target) write each peer's project;
plain_site(corpus, target) writes the corpus for sitegen with templates like the peers'.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

LANGS = ("ko", "en", "ja", "zh")


def _items(corpus: Path):
    """(lang, section, slug, title, date, body) of every story and cluster, with sources' dates for translations."""
    dates = {}
    for path in sorted((corpus / "content/ko/stories").glob("*.md")):
        front = yaml.load(path.read_text(encoding="utf-8").split("---\n", 2)[1], Loader=yaml.CSafeLoader)
        dates[path.stem] = str(front["date"])
    for lang in LANGS:
        for path in sorted((corpus / "content" / lang).glob("*/*")):
            section, slug = path.parent.name, path.stem
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".md":
                _, front, body = text.split("---\n", 2)
                meta = yaml.load(front, Loader=yaml.CSafeLoader)
            else:
                meta = yaml.load(text, Loader=yaml.CSafeLoader)
                body = meta.get("body", "")
            yield lang, section, slug, meta["title"], dates.get(slug, "2012-01-01"), body


def hugo_site(corpus: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    (target / "layouts/_default").mkdir(parents=True)
    languages = "\n".join(f"[languages.{lang}]\n  contentDir = 'content/{lang}'\n  weight = {i + 1}\n  languageCode = '{lang}'" for i, lang in enumerate(LANGS))
    (target / "hugo.toml").write_text(
        f"baseURL = 'https://example.org/'\ndefaultContentLanguage = 'ko'\ndefaultContentLanguageInSubdir = true\n"
        f"disableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n{languages}\n",
        encoding="utf-8",
    )
    (target / "layouts/_default/baseof.html").write_text(
        "<!DOCTYPE html><html lang='{{ .Site.Language.Lang }}'><head><meta charset='utf-8'><title>{{ .Title }}</title></head>"
        '<body>{{ block "main" . }}{{ end }}</body></html>',
        encoding="utf-8",
    )
    (target / "layouts/_default/single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}', encoding="utf-8")
    (target / "layouts/_default/list.html").write_text(
        "{{ define \"main\" }}<ul>{{ range .Pages }}<li><a href='{{ .RelPermalink }}'>{{ .Title }}</a></li>{{ end }}</ul>{{ end }}", encoding="utf-8"
    )
    for lang, section, slug, title, date, body in _items(corpus):
        path = target / "content" / lang / section / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {title!r}\ndate: {date}\n---\n{body}", encoding="utf-8")
    return target


def pelican_site(corpus: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    (target / "content").mkdir(parents=True)
    (target / "pelicanconf.py").write_text(
        "SITENAME = 'Clusters'\nSITEURL = ''\nDEFAULT_LANG = 'ko'\nPATH = 'content'\nTIMEZONE = 'Asia/Seoul'\n"
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n"
        "DEFAULT_PAGINATION = False\nARTICLE_URL = '{lang}/{category}/{slug}/'\nARTICLE_SAVE_AS = '{lang}/{category}/{slug}/index.html'\n"
        "ARTICLE_LANG_URL = ARTICLE_URL\nARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS\n",
        encoding="utf-8",
    )
    for lang, section, slug, title, date, body in _items(corpus):
        path = target / "content" / lang / f"{section}-{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        title = str(title).replace("\n", " ")
        path.write_text(f"Title: {title}\nDate: {date}\nCategory: {section}\nLang: {lang}\nSlug: {slug}\n\n{body}", encoding="utf-8")
    return target


# sitegen's templates made like the peers' (and the floor's): a title and the body, or a list of links.
# The same engine with the portal's templates left out, so that sitegen is compared with the peers
# like for like; the portal's own templates (language switcher, navigation, alternates, figures)
# are timed by the corpus itself.
PLAIN_BASE = (
    '<!DOCTYPE html><html lang="{{ lang.tag }}"><head><meta charset="utf-8"><title>{% block title %}{{ site_title }}{% endblock %}</title></head>'
    "<body>{% block content %}{% endblock %}</body></html>\n"
)
PLAIN_ITEM = (
    '{% extends "base.html" %}{% block title %}{{ item.title }}{% endblock %}'
    "{% block content %}<h1>{{ item.title }}</h1>{% if item.body %}{{ item.body|markdown }}{% endif %}{% endblock %}\n"
)
PLAIN_LIST = (
    '{% extends "base.html" %}{% block content %}<ul>{% for d in listing %}'
    '<li><a href="{{ link(path_of(d)) }}">{{ d.item.title }}</a></li>{% endfor %}</ul>{% endblock %}\n'
)
PLAIN_OTHER = '{% extends "base.html" %}{% block content %}<h1>{{ site_title }}</h1>{% endblock %}\n'
PLAIN_TEMPLATES = {
    "base.html": PLAIN_BASE,
    **dict.fromkeys(("story.html", "cluster.html", "page.html", "brochure.html", "brochure_print.html"), PLAIN_ITEM),
    **dict.fromkeys(("stories.html", "clusters.html", "brochures.html"), PLAIN_LIST),
    **dict.fromkeys(("home.html", "chooser.html", "search.html", "404.html"), PLAIN_OTHER),
}


def plain_site(corpus: Path, target: Path) -> Path:
    """The corpus with plain templates; sitegen's sitemap, feeds and robots.txt as they are."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(corpus, target, ignore=shutil.ignore_patterns("public", ".sitegen-cache", ".public*"))
    templates = target / "templates"
    for name in {*PLAIN_TEMPLATES, "macros.html"}:
        (templates / name).unlink(missing_ok=True)
    for name, text in PLAIN_TEMPLATES.items():
        (templates / name).write_text(text, encoding="utf-8")
    return target
