"""Text as the checks and the pages both read it: Markdown (Python-Markdown, with limits) and URLs as a browser reads them."""
