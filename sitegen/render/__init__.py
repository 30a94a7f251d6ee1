"""Site + templates -> pages as bytes, with what each read and links to. Pure."""
