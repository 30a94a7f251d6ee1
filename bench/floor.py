"""The libraries' floor: front matter, Python-Markdown, one Jinja2 render and a write per page, on all cores.

.venv/bin/python bench/floor.py SITE OUT
"""

from __future__ import annotations

import os
import sys
from multiprocessing import Pool
from pathlib import Path

import jinja2
import markdown
import yaml

PAGE = jinja2.Environment(autoescape=True).from_string(
    "<!DOCTYPE html><html lang='{{ lang }}'><head><meta charset='utf-8'><title>{{ title }}</title></head><body><h1>{{ title }}</h1>{{ body }}</body></html>"
)


def one(job: tuple[str, str, str]) -> None:
    source, lang, out = job
    text = Path(source).read_text(encoding="utf-8")
    if source.endswith(".md"):
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader) or {}
    else:
        meta = yaml.load(text, Loader=yaml.CSafeLoader) or {}
        body = meta.get("body", "")
    html = markdown.markdown(body, extensions=["tables", "toc"])
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(PAGE.render(lang=lang, title=meta.get("title", ""), body=html), encoding="utf-8")


def main() -> None:
    site, out = Path(sys.argv[1]), Path(sys.argv[2])
    jobs = []
    for path in sorted((site / "content").rglob("*")):
        if path.suffix in (".md", ".yaml") and path.name != "_index.md":
            lang, section, _name = path.relative_to(site / "content").parts
            jobs.append((str(path), lang, str(out / lang / section / path.stem / "index.html")))
    with Pool(os.cpu_count()) as pool:
        pool.map(one, jobs, chunksize=64)
    print(len(jobs))


if __name__ == "__main__":
    main()
