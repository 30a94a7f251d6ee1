"""Where each page lives, and links between pages that work under any base path."""

from __future__ import annotations

from collections.abc import Callable

from ..inputs.model import Document
from ..layout import HOME

SECTION_INDEXES = ("clusters", "stories", "brochures")


def doc_path(doc: Document) -> str:
    """The site path of a document: a folder path ending in '/'."""
    return item_path(doc.section, doc.slug, doc.lang)


def item_path(section: str, slug: str, lang: str) -> str:
    if section == HOME:
        return f"{lang}/"
    if section == "pages":
        return f"{lang}/{slug}/"
    return f"{lang}/{section}/{slug}/"


def output_file(path: str) -> str:
    """The file that serves a site path: folders are served by their index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def linker(from_path: str, directory_urls: bool = True) -> Callable[[str], str]:
    """Links from the page at `from_path`: link(to_path) is the relative URL of `to_path`, both site paths."""
    # Site paths are normal already (no '.', '..' or empty segments): a link climbs from the page's
    # folder to the nearest folder that holds its target, then goes down from there.
    folders = from_path.split("/")[:-1]
    above = [("/".join(folders[: len(folders) - up]) + "/" if up < len(folders) else "", "../" * up) for up in range(len(folders) + 1)]

    def link(to_path: str) -> str:
        for folder, climb in above:  # noqa: B007  # the last, "", holds every path; `climb` is read after
            if to_path.startswith(folder):
                break
        rel = climb + to_path[len(folder) :] or "./"
        if not directory_urls and rel.endswith("/"):
            rel += "index.html"
        return rel

    return link


def index_path(section: str, lang: str, page: int = 1) -> str:
    """A section index; its later pages at page/2/, page/3/, ..."""
    return f"{lang}/{section}/" if page <= 1 else f"{lang}/{section}/page/{page}/"


def print_path(doc: Document) -> str:
    """The print view of a brochure: the PDF's source."""
    return doc_path(doc) + "print/"


def pdf_path(doc: Document) -> str:
    return doc_path(doc) + f"{doc.slug}-{doc.lang}.pdf"
