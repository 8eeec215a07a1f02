"""Removing a contributor's withheld names from the text visitors see.

A caption, alt text, title or wall text written while a contributor was credited by name
("Aigerim Sadykova in her studio") would still name her after she narrows her credit to a
pseudonym or to anonymous. Every visitor surface therefore passes an item's text through a
:class:`NameFilter` built from the names its consent withholds and the spans curators redacted
(see ``archive.gate.rules.name_filter``).

The filter compares words in a *folded* form, the same for the names and for the text, so that
the spellings people actually use meet: Unicode compatibility decomposition without accents or
combining marks, case folded; soft hyphens, zero-width characters and joiners ignored; Latin
look-alikes inside a Cyrillic word read as Cyrillic (a ``C`` in ``Cадыкова``) and the other
way round; the Kazakh
letters read as their Russian neighbours (і и, ә а, ү ұ у, қ к, ғ г, ң н, ө о, һ х), ё as е
(a name's ё also as yo, and its Latin yo as е: Алёна, Alyona),
soft and hard signs dropped; then one transliteration (anyascii) to Latin, where the letters
people swap are made equal: y i, kh h, q k, zh dzh dj j, ts c, shch sch sh, ng n, x ks, w v
(German and Polish transliteration: Sadykowa), the
Kazakh Latin alphabets' ş ç ý and 2017 apostrophes, a word-initial ye e, doubled letters as
one. An i next to a vowel in a name may also be written j (Ajgerim, Julia).

A word of the text is a name when it is a name part (three letters or more, so that initials
and particles blank no ordinary word) followed by an ending a name takes: Kazakh plural,
possessive and case suffixes (Айгерімнің, Садықоваға, Айгеріммен), Russian case endings also
on the stem of names in -а/-я/-ая (Садыковой, Садыкову), English ``'s``. Names run together
(#АйгеримСадыкова) are found too, and so are names hyphenated at the end of a line
(``Сады-\nкова``, as in text copied from print). Every match is mapped back to the exact span of the original
text, invisible characters inside it included, and replaced by :data:`OMITTED`.

Matching is deliberately generous: over-removal costs a word, under-removal could cost a person
their safety. What it still misses, curators review (``archive.services.name_review``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from anyascii import anyascii

#: What stands where a name was removed: the editorial mark for an omission, in any language.
OMITTED = "[…]"
#: Name parts shorter than this (initials, particles, "Ли") are not matched on their own.
MIN_NAME_LETTERS = 3

# -- folding -------------------------------------------------------------------------------

_DROPPED_CATEGORIES = frozenset({"Cf", "Mn", "Mc", "Me"})  # format characters and combining marks
_KAZAKH_TO_RUSSIAN = {
    "і": "и", "ә": "а", "ү": "у", "ұ": "у", "қ": "к", "ғ": "г", "ң": "н", "ө": "о", "һ": "х",
    "ь": "", "ъ": "",
}
# Letters of the Kazakh Latin alphabets (2021: ş ç; 2018: ý for у) that decomposition would
# turn into another letter.
_KAZAKH_LATIN = {"ş": "sh", "ș": "sh", "ç": "ch", "ý": "u"}
_LATIN_LETTERS, _CYRILLIC_LETTERS = "AaBCcEeHKkMOoPpTXxYyi", "АаВСсЕеНКкМОоРрТХхУуі"
_AS_CYRILLIC = str.maketrans(_LATIN_LETTERS, _CYRILLIC_LETTERS)
_AS_LATIN = str.maketrans(_CYRILLIC_LETTERS, _LATIN_LETTERS)
_WORDS_IN_ORIGINAL = re.compile(r"(?:[^\W\d_]|[\u00ad\u0300-\u036f\u200b-\u200f\u2060-\u2064\ufeff])+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")

# Latin equivalences, applied left to right in one pass, then word-initial ye and doubled letters.
# The leading lookahead names every character a rule can start with, so that the many other
# positions fail at once instead of trying each rule (2-3 times faster on a page of text).
_LATIN_RULES = re.compile(
    r"(?=['`scdzkgqtnxyw])"
    r"(?:(?P<possessive>(?<=[a-z])['`]s(?![a-z]))"
    r"|(?P<sh>s['`](?=[a-z])(?!s(?![a-z]))|shch|sch)"
    r"|(?P<ch>c['`](?=[a-z]))"
    r"|(?P<apostrophe>(?<=[a-z])['`](?=[a-z]))"
    r"|(?P<j>dzh|zh|dj)|(?P<h>kh)|(?P<g>gh)|(?P<k>ck|q)|(?P<c>ts)|(?P<n>ng)|(?P<ks>x)|(?P<i>y)|(?P<v>w))"
)
_LATIN_REPLACEMENTS = {
    "possessive": "", "sh": "sh", "ch": "ch", "apostrophe": "", "j": "j", "h": "h", "g": "g",
    "k": "k", "c": "c", "n": "n", "ks": "ks", "i": "i", "v": "v",
}
_INITIAL_YE = re.compile(r"(?<![a-z])ie")
_DOUBLED = re.compile(r"([a-z])\1+")
_WORD = re.compile(r"[a-z]+")
_JOINING = re.compile(r"[\s\-\u2010\u2011]*")
_VOWELS = frozenset("aeiou")
#: What joins the halves of a word hyphenated at the end of a line (text copied from print).
_LINE_BREAK_HYPHEN = re.compile(r"[\-\u00ad\u2010\u2011][^\S\n\r\u2028]*(?:\r?\n|\r|\u2028)\s*")


def _fold_char(char: str) -> str:
    """One character of the original text in folded form ("" for what is ignored)."""
    if unicodedata.category(char) in _DROPPED_CATEGORIES:
        return ""
    out = []
    for piece in char.casefold():
        special = _KAZAKH_LATIN.get(piece)
        if special is not None:
            out.append(special)
            continue
        for part in unicodedata.normalize("NFKD", piece):
            if unicodedata.category(part) in _DROPPED_CATEGORIES:
                continue
            part = _KAZAKH_TO_RUSSIAN.get(part, part)
            out.append(anyascii(part).lower() if part else "")
    return "".join(out)


@dataclass(frozen=True)
class Folded:
    """A text in folded form, with where each folded character came from in the original.

    ``starts[k]:ends[k]`` is the span of the original text that folded character ``k`` stands
    for; characters the folding dropped (invisible ones, combining marks, apostrophes inside a
    word) belong to the span of the folded character before them.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def words(self) -> list[tuple[int, int]]:
        """The folded words (runs of letters), as ``(start, end)`` in the folded text."""
        return [match.span() for match in _WORD.finditer(self.text)]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded ``text[start:end]`` stands for."""
        return self.starts[start], self.ends[end - 1]


def _lookalikes(text: str) -> dict[int, str]:
    """In words that mix Latin and Cyrillic letters, the letters of the script the word is not
    in, read as their look-alikes in the script it is in (``Cадыкова``, ``Sаdуkоvа``). The
    letters that have no look-alike decide the script (most of all letters, if none has)."""
    swapped: dict[int, str] = {}
    for match in _WORDS_IN_ORIGINAL.finditer(text):
        word = match.group()
        cyrillic, latin = _CYRILLIC.findall(word), _LATIN.findall(word)
        if not (cyrillic and latin):
            continue
        sure_cyrillic = sum(ch not in _CYRILLIC_LETTERS for ch in cyrillic)
        sure_latin = sum(ch not in _LATIN_LETTERS for ch in latin)
        if sure_cyrillic or sure_latin:
            in_cyrillic = sure_cyrillic >= sure_latin
        else:
            in_cyrillic = len(cyrillic) >= len(latin)
        table = _AS_CYRILLIC if in_cyrillic else _AS_LATIN
        for k, ch in enumerate(word):
            if (other := ch.translate(table)) != ch:
                swapped[match.start() + k] = other
    return swapped


def _rewrite(
    chars: list[str], starts: list[int], ends: list[int], pattern: re.Pattern[str], replace: Any
) -> tuple[list[str], list[int], list[int]]:
    """Apply one rewrite to the folded characters, keeping their spans in the original.

    A replacement stands for the whole span of what it replaced; what is replaced by nothing
    joins the span of the character before it.
    """
    text = "".join(chars)
    new_chars: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    at = 0
    for match in pattern.finditer(text):
        a, b = match.span()
        new_chars.extend(chars[at:a])
        new_starts.extend(starts[at:a])
        new_ends.extend(ends[at:a])
        replacement = replace(match)
        if replacement:
            new_chars.extend(replacement)
            new_starts.extend([starts[a]] * len(replacement))
            new_ends.extend([ends[b - 1]] * len(replacement))
        elif new_ends:
            new_ends[-1] = ends[b - 1]
        at = b
    if at == 0:
        return chars, starts, ends
    new_chars.extend(chars[at:])
    new_starts.extend(starts[at:])
    new_ends.extend(ends[at:])
    return new_chars, new_starts, new_ends


class _FoldedChars(dict[int, str]):
    """The folded form of every character met so far, by code point (single characters only:
    nothing of any text is kept)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDED_CHARS = _FoldedChars()


def fold(text: str) -> Folded:
    """``text`` in the folded form names are compared in (see the module docstring)."""
    if text.isascii():
        chars = list(text.lower())
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    else:
        source = list(text)
        if _CYRILLIC.search(text) and _LATIN.search(text):
            for position, char in _lookalikes(text).items():
                source[position] = char
        table = _FOLDED_CHARS
        pieces = [table[ord(char)] for char in source]
        kept = [position for position, piece in enumerate(pieces) if piece]
        # A kept character's span runs to the next kept one: what was dropped joins it.
        following = kept[1:] + [len(text)]
        starts = [position for position in kept for _ in pieces[position]]
        ends = [end for position, end in zip(kept, following) for _ in pieces[position]]
        chars = list("".join(pieces))
    chars, starts, ends = _rewrite(
        chars, starts, ends, _LATIN_RULES, lambda m: _LATIN_REPLACEMENTS[m.lastgroup or "i"]
    )
    chars, starts, ends = _rewrite(chars, starts, ends, _INITIAL_YE, lambda m: "e")
    chars, starts, ends = _rewrite(chars, starts, ends, _DOUBLED, lambda m: m.group(1))
    return Folded("".join(chars), tuple(starts), tuple(ends))


def folded_text(text: str) -> str:
    """``fold(text).text`` without the spans: the same rewrites, each one pass in C over the
    string, for the cheap check of :meth:`NameFilter.matches` (nothing is kept between calls)."""
    if text.isascii():
        folded = text.lower()
    else:
        if _CYRILLIC.search(text) and _LATIN.search(text):
            source = list(text)
            for position, char in _lookalikes(text).items():
                source[position] = char
            text = "".join(source)
        folded = text.translate(_FOLDED_CHARS)
    folded = _LATIN_RULES.sub(lambda m: _LATIN_REPLACEMENTS[m.lastgroup or "i"], folded)
    folded = _INITIAL_YE.sub("e", folded)
    return _DOUBLED.sub(r"\1", folded)


def folded_words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    folded = fold(text)
    return [folded.text[a:b] for a, b in folded.words()]


# -- endings -------------------------------------------------------------------------------


def _fold_suffix(suffix: str) -> str:
    """A suffix folded as it is inside a word: after an f (ф), which no suffix starts with, in
    the suffix's own script, so that neither a rule for the start of a word nor the reading of
    look-alikes in mixed words applies."""
    return fold(("ф" if _CYRILLIC.search(suffix) else "f") + suffix).text[1:]


def _folded_set(suffixes: Iterable[str]) -> frozenset[str]:
    return frozenset(_fold_suffix(suffix) for suffix in suffixes)


def _chains(*slots: Sequence[str]) -> frozenset[str]:
    """Every sequence of one suffix per slot, folded: each suffix is folded once, and where
    two meet only what :func:`fold` does across a junction of these suffixes is redone (n+g,
    doubled letters)."""
    folded = [sorted({_fold_suffix(suffix) for suffix in slot}) for slot in slots]
    return frozenset(_DOUBLED.sub(r"\1", "".join(parts).replace("ng", "n")) for parts in product(*folded))


# Kazakh suffixes follow the name whole, in this order: endearment, plural, possessive, case.
_KAZAKH_ENDEARMENT = ("", "жан")
_KAZAKH_PLURAL = ("", "лар", "лер", "дар", "дер", "тар", "тер")
_KAZAKH_POSSESSIVE = ("", "ы", "і", "сы", "сі", "ым", "ім", "м", "ың", "ің", "ң", "мыз", "міз", "ымыз", "іміз")
_KAZAKH_CASE = (
    "", "ның", "нің", "дың", "дің", "тың", "тің",  # genitive
    "ға", "ге", "қа", "ке", "на", "не", "а", "е",  # dative
    "ны", "ні", "ды", "ді", "ты", "ті", "н",  # accusative
    "да", "де", "та", "те", "нда", "нде",  # locative
    "дан", "ден", "тан", "тен", "нан", "нен",  # ablative
    "мен", "бен", "пен", "менен", "бенен", "пенен",  # instrumental
    "ша", "ше", "дай", "дей", "тай", "тей",  # "like"
    "дағы", "дегі", "тағы", "тегі", "дікі", "дыкі", "тікі", "нікі",  # "the one at / of"
)
KAZAKH_ENDINGS = _chains(_KAZAKH_ENDEARMENT, _KAZAKH_PLURAL, _KAZAKH_POSSESSIVE, _KAZAKH_CASE)
RUSSIAN_ENDINGS = _folded_set((
    "", "а", "я", "у", "ю", "ы", "и", "е", "ой", "ей", "ою", "ею", "ом", "ём", "ем", "ым", "им",
    "ых", "их", "ыми", "ими", "ам", "ям", "ами", "ями", "ах", "ях", "ов", "ев", "ая", "ую", "ое",
    "ого", "его", "ому", "ему", "ие", "ия", "ию", "ии", "ием", "ью", "ья", "ье",
))
ENGLISH_ENDINGS = _folded_set(("", "s", "es"))
#: Endings after a whole name part.
NAME_ENDINGS = KAZAKH_ENDINGS | RUSSIAN_ENDINGS | ENGLISH_ENDINGS
#: Endings after the stem of a short name in -а/-я (Анна: Анны, Анне): never the bare stem.
SHORT_STEM_ENDINGS = RUSSIAN_ENDINGS - {""}
#: Nominative endings dropped to find the stem a Russian case ending replaces (-ая, -а, -я).
_STEM_ENDINGS = (_fold_suffix("ая"), _fold_suffix("а"))


@dataclass(frozen=True)
class _Key:
    """A stem and the endings that may follow it within one word."""

    stem: str
    endings: frozenset[str]


def _spellings(part: str) -> set[str]:
    """A folded name part and its spellings with j for an i next to a vowel (and back)."""
    options = [
        ("i", "j")
        if ch in "ij" and ((k > 0 and part[k - 1] in _VOWELS) or (k + 1 < len(part) and part[k + 1] in _VOWELS))
        else (ch,)
        for k, ch in enumerate(part)
    ]
    if sum(len(o) > 1 for o in options) > 4:  # a pathological name: only the spelling as written
        return {part}
    return {_DOUBLED.sub(r"\1", "".join(choice)) for choice in product(*options)}


def _keys(part: str, inflected: bool = True) -> list[_Key]:
    keys = []
    for spelling in _spellings(part):
        if not inflected:
            keys.append(_Key(spelling, frozenset({""})))
            continue
        keys.append(_Key(spelling, NAME_ENDINGS))
        for ending in _STEM_ENDINGS:
            stem = spelling[: -len(ending)]
            if spelling.endswith(ending) and len(stem) >= 2:
                keys.append(_Key(stem, NAME_ENDINGS if len(stem) >= 4 else SHORT_STEM_ENDINGS))
                break
    return keys


class _Words:
    """A set of keys, indexed by their first letter, matched against folded words."""

    def __init__(self, keys: Iterable[_Key] = ()):
        self.by_prefix: dict[str, list[_Key]] = {}
        for key in keys:
            self.by_prefix.setdefault(key.stem[:1], []).append(key)

    def __bool__(self) -> bool:
        return bool(self.by_prefix)

    def match(self, word: str, start: int = 0, depth: int = 0) -> bool:
        """Whether ``word[start:]`` is a key with an allowed ending, or keys run together."""
        for key in self.by_prefix.get(word[start : start + 1], ()):
            if not word.startswith(key.stem, start):
                continue
            rest = word[start + len(key.stem) :]
            if rest in key.endings or (rest and key.stem[-1] + rest in key.endings):
                return True
            if depth < 3 and len(rest) >= 2 and self.match(word, start + len(key.stem), depth + 1):
                return True
        return False


# -- the filter ----------------------------------------------------------------------------


class NameFilter:
    """Replaces every spelling of the given names, and every given span, with :data:`OMITTED`.

    ``names`` are people's names or pseudonyms: each part of three letters or more is matched
    with the endings a name takes, and a name with shorter parts also whole (word for word). ``spans`` are words or phrases curators redacted: matched
    word for word in folded form, words of three letters or more with those endings too.
    """

    def __init__(self, names: Iterable[str | None] = (), spans: Iterable[str | None] = ()):
        keys: list[_Key] = []
        #: Names with parts too short to match alone ("Светлана Ли", "Ан Ли"): matched whole,
        #: word for word with only spaces or hyphens between, so that no surname is left
        #: beside an omission and no pseudonym of short parts stays.
        self._whole_names: list[tuple[_Words, ...]] = []
        for name in names:
            parts = _parts(name)
            long_parts = [part for part in parts if sum(ch.isalpha() for ch in part) >= MIN_NAME_LETTERS]
            for part in long_parts:
                for spelling in _yo_spellings(part):
                    keys.extend(_keys(fold(spelling).text))
            if len(parts) > 1 and len(long_parts) < len(parts):
                self._whole_names.append(_phrase(name or ""))
        self._phrases: list[tuple[_Words, ...]] = []
        for span in spans:
            matchers = _phrase(span or "")
            if len(matchers) == 1:
                keys.extend(k for keyset in matchers[0].by_prefix.values() for k in keyset)
            elif matchers:
                self._phrases.append(matchers)
        self._words = _Words(keys)
        # Every match starts a folded word with a key's stem (a phrase with its first word's):
        # a folded text that contains no stem has no match (see ``_may_match``). Plain
        # substring tests, not a regular expression: ``re`` would keep the pattern, and so the
        # names, in its module-wide cache after the request.
        stems = {key.stem for key in keys} | {
            key.stem for phrase in self._phrases + self._whole_names for words in phrase for keyset in words.by_prefix.values() for key in keyset
        }
        stems.discard("")  # an empty stem never matches a word (see ``_Words.match``)
        self._stems = tuple(stems)

    def __bool__(self) -> bool:
        return bool(self._words) or bool(self._phrases) or bool(self._whole_names)

    def matches(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` (start, end) that name someone withheld or were redacted."""
        if not self or not text:
            return []
        if not self._may_match(text):
            return []
        folded = fold(text)
        words = folded.words()
        hit = [self._words.match(folded.text[a:b]) for a, b in words]
        for k in range(len(words) - 1):  # a word hyphenated at the end of a line ("Сады-\nкова")
            (a, b), (c, d) = words[k], words[k + 1]
            end = folded.original(a, b)[1]
            end -= text[end - 1] == "\u00ad"  # a soft hyphen joined the first half's span
            if _LINE_BREAK_HYPHEN.fullmatch(text, end, folded.original(c, d)[0]):
                if self._words.match(folded.text[a:b] + folded.text[c:d]):
                    hit[k] = hit[k + 1] = True
        for phrase in self._phrases:
            for first in range(len(words) - len(phrase) + 1):
                if all(m.match(folded.text[slice(*words[first + k])]) for k, m in enumerate(phrase)):
                    hit[first : first + len(phrase)] = [True] * len(phrase)
        for name in self._whole_names:
            for first in range(len(words) - len(name) + 1):
                if not all(m.match(folded.text[slice(*words[first + k])]) for k, m in enumerate(name)):
                    continue
                spans = [folded.original(*words[first + k]) for k in range(len(name))]
                if all(_JOINING.fullmatch(text, spans[k][1], spans[k + 1][0]) for k in range(len(name) - 1)):
                    hit[first : first + len(name)] = [True] * len(name)
        return [folded.original(*span) for span, found in zip(words, hit) if found]

    def _may_match(self, text: str) -> bool:
        """A cheap necessary condition for a match: a word hyphenated at a line break (its
        halves are matched joined), or a key's stem anywhere in the folded text. False only when
        :meth:`matches` would find nothing."""
        if _LINE_BREAK_HYPHEN.search(text):
            return True
        folded = folded_text(text)
        return any(stem in folded for stem in self._stems)

    def text(self, text: str) -> str:
        """``text`` with every match replaced; matches separated only by spaces or hyphens
        become one."""
        spans = self.matches(text)
        if not spans:
            return text
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and _JOINING.fullmatch(text, merged[-1][1], start):
                merged[-1][1] = end
            else:
                merged.append([start, end])
        out, at = [], 0
        for start, end in merged:
            out.append(text[at:start])
            out.append(OMITTED)
            at = end
        out.append(text[at:])
        return "".join(out)

    def value(self, value: Any) -> Any:
        """The same value with every string inside it (dicts, lists) filtered."""
        if not self:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(item) for item in value)
        return value


_YO_CYRILLIC = re.compile("[ёЁ]")
_YO_LATIN = re.compile("(?<=[^\\W\\d_])(?:y|j)o", re.IGNORECASE)


def _yo_spellings(part: str) -> set[str]:
    """A name part and its spellings with ё read as yo (Алёна: Alyona, Семён: Semyon) and a
    Latin yo after a letter as е (Alyona: Алёна, Алена): folding reads ё as е, as Russian is
    mostly printed, so the Latin yo would otherwise meet neither."""
    spellings = {part}
    if _YO_CYRILLIC.search(part):
        spellings.add(_YO_CYRILLIC.sub(lambda m: "йо" if m.group() == "ё" else "Йо", part))
    if _YO_LATIN.search(part):
        spellings.add(_YO_LATIN.sub("e", part))
    return spellings


def _phrase(text: str) -> tuple[_Words, ...]:
    """A matcher for each folded word of ``text``: words of three letters or more with the
    endings a name takes, shorter ones as written."""
    return tuple(_Words(_keys(word, inflected=len(word) >= MIN_NAME_LETTERS)) for word in folded_words(text))


def without_words_of(name: str, shown: str | None) -> str:
    """``name`` without its words that are, folded, words of ``shown`` (a former name beside
    the name an item credits now: the first name she kept stays readable), as one string."""
    if not shown:
        return name
    kept = set(folded_words(shown))
    return " ".join(part for part in _parts(name) if not set(folded_words(part)) <= kept)


def _parts(name: str | None) -> Sequence[str]:
    """The words of a name as written (split at spaces, hyphens and punctuation)."""
    return [m.group() for m in _WORDS_IN_ORIGINAL.finditer(name or "")]


NO_NAMES = NameFilter()


class _EveryText(NameFilter):
    """Withholds every text whole: for texts that may name someone whose names can no longer
    be read (see ``gate.rules.names_lost``), where no word can be told safe."""

    def __bool__(self) -> bool:
        return True

    def matches(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))] if text and not text.isspace() else []


#: A filter that replaces every non-blank text by :data:`OMITTED`.
EVERY_TEXT: NameFilter = _EveryText()
