"""sitegen: the multilingual industrial-cluster portal, built from YAML and Markdown."""

__version__ = "0.1.0"
