"""Where each page lives, and links between pages that work under any base path."""

from __future__ import annotations

from .layout import HOME
from .model import Document

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


def relative(from_path: str, to_path: str, directory_urls: bool = True) -> str:
    """A link from the page at `from_path` to `to_path`, both site paths."""
    # Plain string work, not posixpath.relpath: a page makes dozens of links, and site paths
    # are already normal (no '.', '..' or empty segments).
    here = from_path.split("/")[:-1]  # the folders of the page
    there = to_path.split("/")
    common = 0
    for a, b in zip(here, there[:-1]):
        if a != b:
            break
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    if not rel:
        rel = "./"
    if rel.endswith("/") and not directory_urls:
        rel += "index.html"
    return rel


def index_path(section: str, lang: str, page: int = 1) -> str:
    """A section index; its later pages at page/2/, page/3/, ..."""
    return f"{lang}/{section}/" if page <= 1 else f"{lang}/{section}/page/{page}/"


def print_path(doc: Document) -> str:
    """The print view of a brochure: the PDF's source."""
    return doc_path(doc) + "print/"


def pdf_path(doc: Document) -> str:
    return doc_path(doc) + f"{doc.slug}-{doc.lang}.pdf"
