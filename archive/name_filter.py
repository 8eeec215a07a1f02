"""Removing a contributor's withheld names from the text visitors see.

A caption, alt text, title or wall text written while a contributor was credited by name
("Aigerim Sadykova in her studio") would still name her after she narrows her credit to a
pseudonym or to anonymous. Every visitor surface therefore passes an item's text through a
:class:`NameFilter` built from the names its consent withholds (see
``archive.consent_gate.name_filter``).

Matching is deliberately generous: each word of a name (two letters or more) is matched as a
whole word, case-insensitively, and words of five letters or more also match inflected forms
(Садыкова, Садыковой, Sadykova's), since Russian and Kazakh decline names. Over-removal
costs a word; under-removal could cost a person their safety. Names are also matched in the
other script (Айгерим for Aigerim and back), by a plain transliteration table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: What stands where a name was removed: the editorial mark for an omission, in any language.
OMITTED = "[…]"
_VOWELS = "aeiouyаеёиоуыэюяәөүұі"
_MAX_ENDING = 4


_TO_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_TO_CYRILLIC = [
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"),
    ("ya", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("q", "қ"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"), ("h", "х"), ("y", "ы"), ("c", "к"), ("w", "у"), ("x", "кс"),
]


def _transliterated(word: str) -> set[str]:
    """The word in the other script (Cyrillic to Latin, or Latin to Cyrillic, where an ``i``
    after a vowel may be either и or й)."""
    lower = word.lower()
    if any(ch in _TO_LATIN for ch in lower):
        return {"".join(_TO_LATIN.get(ch, ch) for ch in lower)}
    out, i = [], 0
    while i < len(lower):
        for latin, cyrillic in _TO_CYRILLIC:
            if lower.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    plain = "".join(out)
    return {plain, re.sub(r"(?<=[аеоуыэ])и", "й", plain)}


def _pattern(word: str) -> str:
    if len(word) < 5:
        return re.escape(word)
    stem = word.rstrip(_VOWELS + _VOWELS.upper())
    stem = stem if len(stem) >= 4 else word[:4]
    return rf"{re.escape(stem)}\w{{0,{_MAX_ENDING + len(word) - len(stem)}}}"


class NameFilter:
    """Replaces every form of the given names in text with :data:`OMITTED`."""

    def __init__(self, names: Iterable[str | None] = ()):
        words = {w for name in names if name for w in re.findall(r"\w+", name) if len(w) >= 2}
        words |= {variant for w in words for variant in _transliterated(w)}
        alternatives = sorted((_pattern(w) for w in words), key=len, reverse=True)
        self._regex = (
            re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE) if alternatives else None
        )

    def __bool__(self) -> bool:
        return self._regex is not None

    def text(self, text: str) -> str:
        if self._regex is None or not text:
            return text
        return self._regex.sub(OMITTED, text)

    def value(self, value: Any) -> Any:
        """The same value with every string inside it (dicts, lists) filtered."""
        if self._regex is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(item) for item in value)
        return value


NO_NAMES = NameFilter()
