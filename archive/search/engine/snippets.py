"""Highlighted fragments of a hit's stored text, cheaply.

Instead of re-analysing the whole text and ranking every fragment, jump to where a searched
term occurs (its stemmed form is usually the start of the word; if none is found that way,
scan for the first match), then mark the words of a short window whose analysed form is a
searched term. Words are analysed by the index's own analyser (``analyse(field, word)``),
which the adapter caches per commit.

Analysing a word the first time is the costly part (a Snowball stemmer in Python), so a word
is analysed only if it could become a searched term: the adapter says how each field's
analyser reads a word (``reading``), such that every term it makes of a word, read the same
way, begins the word's reading. Snowball's Russian stemmer, for one, romanises a word, cuts
only its end and writes it back, so a Russian field reads words romanised ("щука" as
"shchuka", and the term "щук" as "shchuk"); a field whose stemmer may change letters before
the end reads only the class of the first letter. A word whose reading begins with no
searched term's reading cannot become one of them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial

SNIPPET_SURROUND = 60  # characters shown before a match
SNIPPET_CHARS = 240  # characters of one fragment
SNIPPET_FRAGMENTS = 2
_FRAGMENT_GAP = " … "
WORD = re.compile(r"[^\W_]+")  # runs of letters and digits in any script (incl. ә ғ қ ң ө ұ ү һ і)

#: Letters an analyser reads as another (Snowball's Russian stemmer reads "ё" as "е"): the
#: text is searched with them folded, so such a word is jumped to rather than scanned for.
_FOLDED = (("ё", "е"),)

Analyse = Callable[[str, str], tuple[str, ...]]  # (field, word) -> the index terms it becomes
#: A lower-cased word -> how a field's analyser reads it: every term the analyser makes of a
#: word, read so, is a prefix of the lower-cased word's reading.
Reading = Callable[[str], str]


def _first_letter(lowered: str) -> str:
    """The reading that holds for any analyser that keeps a word's first letter."""
    return lowered[:1]


class Snippets:
    """Snippets of the stored text fields of one page's hits, marking the searched ``terms``."""

    def __init__(
        self,
        terms: Mapping[str, Iterable[str]],
        fields: Iterable[str],
        analyse: Analyse,
        reading: Callable[[str], Reading] = lambda field: _first_letter,
    ):
        self._terms = {field: frozenset(t for t in found if t) for field, found in terms.items()}
        self._fields = tuple(fields)
        self._analyse = analyse
        self._reading = reading  # field -> its analyser's reading of a word

    def for_hit(self, stored: Mapping[str, str], held: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
        """Field name -> safe HTML (escaped, matches in ``<mark>``) for each field with a match.

        ``held`` (field -> the searched terms this document holds there, as its postings
        say) narrows the work to what can match: a field holding none of them is not read,
        so a long text that matched nothing is never scanned word by word.
        """
        snippets: dict[str, str] = {}
        for field in self._fields:
            text = stored.get(field)
            terms = self._terms.get(field, frozenset()) if text else frozenset()
            if held is not None:
                terms = terms.intersection(held.get(field, ()))
            if not text or not terms:
                continue
            if snippet := marked_fragments(text, terms, _screened(terms, partial(self._analyse, field), self._reading(field))):
                snippets[field] = snippet
        return snippets


def _screened(
    terms: frozenset[str], analyse: Callable[[str], tuple[str, ...]], reading: Reading
) -> Callable[[str], tuple[str, ...]]:
    """``analyse``, answering "no terms" without analysing for a word whose reading begins
    with no searched term's reading (see the module's docstring)."""
    readings = tuple({reading(term) for term in terms})

    def screened(word: str) -> tuple[str, ...]:
        if not reading(word.lower()).startswith(readings):
            return ()
        return analyse(word)

    return screened


def _folded(lowered: str) -> str:
    """``lowered`` with the letters of ``_FOLDED`` folded (an unstemmed field's terms may keep ё)."""
    for letter, read_as in _FOLDED:
        lowered = lowered.replace(letter, read_as)
    return lowered


def _lowered(text: str) -> str:
    """``text`` lower-cased letter for letter: "İ", whose lower case is two letters ("i" and a
    combining dot), becomes its first, so that positions in the copy are the text's."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(letter.lower()[:1] for letter in text)
    return lowered


def _as_lowered(term: str) -> str:
    """``term`` as it reads in ``_lowered`` text: folded, and an "i" with a combining dot (an
    analyser's lower case of "İ") as "i"."""
    return _folded(term).replace("i\u0307", "i")


def marked_fragments(text: str, terms: frozenset[str], analyse: Callable[[str], tuple[str, ...]]) -> str:
    """Up to two fragments of ``text`` around matched words, HTML-escaped, matches in ``<mark>``."""
    lowered = _folded(_lowered(text))  # one letter for one: positions stay the text's
    fragments: list[str] = []
    end = 0
    while len(fragments) < SNIPPET_FRAGMENTS:
        match = _next_match(text, lowered, end, terms, analyse)
        if match is None and not fragments:
            match = _first_match_by_scanning(text, terms, analyse)
        if match is None:
            break
        begin = 0 if match.start() <= SNIPPET_SURROUND else text.find(" ", match.start() - SNIPPET_SURROUND, match.start()) + 1
        begin = max(begin, end)
        end = min(len(text), begin + SNIPPET_CHARS)
        if end < len(text) and (space := text.rfind(" ", match.end(), end)) > 0:
            end = space
        fragments.append(_mark(text[begin:end], terms, analyse))
    return _FRAGMENT_GAP.join(fragments)


def _next_match(
    text: str, lowered: str, position: int, terms: frozenset[str], analyse: Callable[[str], tuple[str, ...]]
) -> re.Match[str] | None:
    """The next word from ``position`` on whose analysed form is a searched term, found by
    jumping to where a term occurs in the text rather than analysing every word on the way."""
    while True:
        found = [p for p in (lowered.find(_as_lowered(term), position) for term in terms) if p >= 0]
        if not found:
            return None
        at = min(found)
        word_start = at
        while word_start > 0 and WORD.match(text, word_start - 1, word_start):
            word_start -= 1
        match = WORD.match(text, word_start)
        if match is not None and match.start() >= position and terms.intersection(analyse(match.group())):
            return match
        position = at + 1


def _first_match_by_scanning(text: str, terms: frozenset[str], analyse: Callable[[str], tuple[str, ...]]) -> re.Match[str] | None:
    """The first matching word, analysing every word (for stems that are not the start of
    their word, such as English "happi" for "happy")."""
    for match in WORD.finditer(text):
        if terms.intersection(analyse(match.group())):
            return match
    return None


def _mark(fragment: str, terms: frozenset[str], analyse: Callable[[str], tuple[str, ...]]) -> str:
    out, last = [], 0
    for match in WORD.finditer(fragment):
        if terms.intersection(analyse(match.group())):
            out += [html.escape(fragment[last : match.start()]), "<mark>", html.escape(match.group()), "</mark>"]
            last = match.end()
    out.append(html.escape(fragment[last:]))
    return "".join(out)
