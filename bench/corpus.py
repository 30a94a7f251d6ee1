"""A deterministic corpus for benchmarks: N clusters and stories per language, text in each script.

    .venv/bin/python bench/corpus.py OUT_DIR N

Sentences are drawn from the portal's own content in each language, so Korean, Japanese and
Chinese text looks and parses like the real thing. One story in ten has no translation in one
language, so fallbacks are part of the load.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGS = ("ko", "en", "ja", "zh")
REGIONS = ("dongnam", "capital", "chungcheong", "daegyeong", "honam", "gangwon")


def copy_portal(target: Path) -> Path:
    """A copy of the real portal's sources, to build without touching the repository."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", target)
    for folder in ("content", "templates", "locale", "assets"):
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns("*.mo"))
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a source file, as an editor saves it: with a later modification time
    even on a file system whose clock ticks coarsely, so that a build sees the change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def sentences(lang: str) -> list[str]:
    """Sentences of the portal's Markdown in `lang`, without headings, tables and images."""
    out = []
    for path in sorted((REPO / "content" / lang).rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for line in body.splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "|", "-", "*", "!", "<")):  # no headings, tables, lists, images or HTML
                out += [s for s in re.split(r"(?<=[.!?。！？])\s*", line) if len(s) > 8]
    return out


def _yaml(text: str) -> str:
    """A YAML string: JSON's double-quoted form is YAML too (Python's repr is not, with both quotes in it)."""
    return json.dumps(text, ensure_ascii=False)


def make_corpus(out: Path, n: int, seed: int = 2005, repo: Path = REPO) -> Path:
    """Write a site with n items per language (a tenth clusters) into `out`, with the config,
    templates and catalogs of `repo` (an older commit's, to time that commit's sitegen)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(repo / "site.yaml", out)
    for folder in ("templates", "locale", "assets"):
        shutil.copytree(repo / folder, out / folder, ignore=shutil.ignore_patterns("*.mo"))
    text = {lang: sentences(lang) for lang in LANGS}
    clusters = max(1, n // 10)
    for lang in LANGS:
        (out / "content" / lang / "clusters").mkdir(parents=True)
        (out / "content" / lang / "stories").mkdir(parents=True)
        shutil.copy(repo / "content" / lang / "_index.md", out / "content" / lang / "_index.md")

    def body(lang: str, r: random.Random) -> str:
        parts = []
        for section in range(r.randint(2, 4)):
            parts.append(f"## {r.choice(text[lang])[:30]}\n")
            parts.append(" ".join(r.choice(text[lang]) for _ in range(r.randint(3, 6))) + "\n")
            if section == 1:
                parts.append(f"**{r.choice(text[lang])[:20]}** {r.choice(text[lang])}\n")
        return "\n".join(parts)

    for i in range(clusters):
        slug = f"cluster-{i:05d}"
        r = random.Random(f"{seed}-{slug}")
        counts = [r.randint(10, 90), r.randint(1, 10), r.randint(1, 5), r.randint(1, 8)]
        for lang in LANGS:
            fields = [f"title: {_yaml(r.choice(text[lang])[:40])}", f"summary: {_yaml(r.choice(text[lang]))}", f"industry: {_yaml(r.choice(text[lang])[:20])}"]
            if lang == "ko":
                fields += [
                    f"region: {REGIONS[i % len(REGIONS)]}",
                    "members:",
                    *(f"  {k}: {v}" for k, v in zip(("companies", "universities", "research_institutes", "support_agencies"), counts)),
                ]
            fields.append("body: |\n" + "\n".join("  " + line for line in body(lang, r).splitlines()))
            (out / "content" / lang / "clusters" / f"{slug}.yaml").write_text("\n".join(fields) + "\n", encoding="utf-8")
    for i in range(n - clusters):
        slug = f"story-{i:05d}"
        r = random.Random(f"{seed}-{slug}")
        missing = LANGS[1 + i % 3] if i % 10 == 0 else None
        for lang in LANGS:
            if lang == missing:
                continue
            front = [f"title: {_yaml(r.choice(text[lang])[:40])}", f"summary: {_yaml(r.choice(text[lang]))}"]
            if lang == "ko":
                front += [
                    f"date: 20{10 + i % 6:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    f"region: {REGIONS[i % len(REGIONS)]}",
                    f"clusters: [cluster-{rng.randrange(clusters):05d}]",
                ]
            (out / "content" / lang / "stories" / f"{slug}.md").write_text("---\n" + "\n".join(front) + "\n---\n" + body(lang, r), encoding="utf-8")
    return out


if __name__ == "__main__":
    target, count = Path(sys.argv[1]), int(sys.argv[2])
    make_corpus(target, count)
    print(f"{target}: {count} items in each of {', '.join(LANGS)}")
