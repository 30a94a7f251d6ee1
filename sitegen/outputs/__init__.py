"""Pages -> the world: PDFs, the search index, the published folder. The side effects."""
