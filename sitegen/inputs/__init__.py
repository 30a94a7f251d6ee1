"""Reading and checking: site.yaml, content/, locale/ -> a Site. No side effects."""
