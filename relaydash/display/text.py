"""relay's text on a page: its direction isolated, its bidirectional controls defused.

A right-to-left override (U+202E) in a file name turns "Rechnung \u202efdp.exe" into
what reads as "Rechnung exe.pdf": a way to dress up an executable. Such controls, and the
embeddings and isolates that a name could leave unclosed, are removed before the text is
shown; what is left is wrapped in `<bdi>`, so right-to-left names (Arabic, Hebrew) keep
their own direction without reordering the words and numbers around them. CSV exports
keep relay's text as it is.
"""

from __future__ import annotations

import re
from typing import Final

from django.utils.html import format_html
from django.utils.safestring import SafeString

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, and the Arabic letter mark.
BIDI_CONTROLS: Final = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI_CONTROL_RE: Final = re.compile(f"[{BIDI_CONTROLS}]")


def without_bidi_controls(text: object) -> str:
    """`text` as a string without bidirectional control characters ("" for None)."""
    if text is None:
        return ""
    return _BIDI_CONTROL_RE.sub("", str(text))


def isolated(text: object) -> SafeString:
    """Escaped HTML of relay's text in its own direction: `<bdi>text</bdi>`; "" for
    empty text, so `|default:` still works."""
    plain = without_bidi_controls(text)
    if not plain:
        return SafeString("")
    return format_html("<bdi>{}</bdi>", plain)
