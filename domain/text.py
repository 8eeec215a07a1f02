"""Text that people type: the length limits every interface shares, and characters that lie.

The API's schemas and the workspace's forms both end here, so a field is refused for the
same reasons whichever way it arrives: too long, only invisible characters (a title that
looks empty, a name that matches nothing), or explicit direction controls (which can make
text read differently from what it contains, e.g. a reversed name slipping past the filter).
"""

from __future__ import annotations

import re
import unicodedata

from domain.errors import InvalidValue

MAX_TEXT = 200_000  # one language of a testimony, description, statement or wall text
MAX_SHORT_TEXT = 2_000  # titles, alt texts, captions, content notes and the like
MAX_NAME = 200  # a contributor's name or pseudonym, an artwork's dimensions
MAX_CONTACT = 500

#: Embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
#: The plain marks LRM and RLM are allowed: they change no order, and real text uses them.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ANY_DIRECTION_CONTROL = re.compile(f"[{''.join(sorted(DIRECTION_CONTROLS))}]")  # C-speed scan
#: Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK_SIGNS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})


def _visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_SIGNS


def plain_text(text: str, *, field: str, max_length: int) -> str:
    """``text`` trimmed, or ``InvalidValue`` if it is too long, carries direction controls, or
    has characters but none that can be seen. Empty text stays empty (callers decide if it may)."""
    text = text.strip()
    if len(text) > max_length:
        raise InvalidValue("%(field)s can be at most %(max)d characters long.", field=field, max=max_length)
    if _ANY_DIRECTION_CONTROL.search(text):
        raise InvalidValue(
            "%(field)s contains invisible characters that change the direction of text; remove them.", field=field
        )
    if text and not any(_visible(char) for char in text):
        raise InvalidValue("%(field)s contains only invisible characters.", field=field)
    return text
