"""The letters of a script, as the checks and the pages both look for them."""

from __future__ import annotations

import re

HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"  # syllables, jamo, compatibility jamo: a character class's body
IS_HANGUL = re.compile(f"[{HANGUL}]")
