"""The curators' review of name-like words the name filter left in an item's text.

No filter catches every way a person is named. While an item's attribution withholds the
contributor's name, its workspace page lists every word visitors would still see that looks
like a personal name: a word that is not a common word (``archive.gate.common_words``) and is either
capitalised or right beside a removed name (a patronymic, a nickname, a relative's name). A
curator confirms each by redacting it (``archive.cataloguing.redact_span``), or leaves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from archive.services.application import ExhibitionArchive
from archive.gate.common_words import is_common
from archive.gate.rules import credit, name_filter
from archive.gate.name_filter import NO_NAMES, OMITTED, NameFilter
from domain.consent import Attribution
from domain.items import Item

#: Characters of the surrounding text shown on each side of a word.
CONTEXT = 40
_TOKENS = re.compile(rf"{re.escape(OMITTED)}|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PARTS = re.compile(r"[-'’]")
_NOT_TEXT = frozenset({"language", "media"})  # fields of item details that hold codes, not text


@dataclass(frozen=True)
class NameCandidate:
    """A word that may name someone, as written, with its surroundings as visitors see them."""

    word: str
    context: str
    beside_removed: bool  # right beside a name the filter removed


def name_candidates(
    texts: Iterable[str], names: NameFilter, shown: NameFilter = NO_NAMES
) -> list[NameCandidate]:
    """The name-like words of ``texts`` once ``names`` removed what it knows, each listed once;
    those beside a removed name first. Words ``shown`` matches (the credit the attribution
    allows) are not listed."""
    found: dict[str, NameCandidate] = {}
    for text in texts:
        filtered = names.text(text)
        tokens = list(_TOKENS.finditer(filtered))
        for k, token in enumerate(tokens):
            word = token.group()
            if word == OMITTED or len(word) < 2 or all(is_common(part) for part in _PARTS.split(word)):
                continue
            beside = any(0 <= j < len(tokens) and tokens[j].group() == OMITTED for j in (k - 1, k + 1))
            if not (beside or word[0].isupper()) or shown.matches(word):
                continue
            key = word.casefold()
            if key not in found:
                found[key] = NameCandidate(word, _context(filtered, *token.span()), beside)
            elif beside and not found[key].beside_removed:
                found[key] = replace(found[key], context=_context(filtered, *token.span()), beside_removed=True)
    return sorted(found.values(), key=lambda candidate: not candidate.beside_removed)


def review_list(archive: ExhibitionArchive, item: Item) -> list[NameCandidate]:
    """The words to review on an item's workspace page: its details, images' alt texts and
    captions, and its wall texts, through the filter visitors get. Empty while the item is
    credited by name, has no consent, or was withdrawn."""
    if item.is_withdrawn or item.is_redacted or item.consent is None:
        return []
    if item.consent.attribution is Attribution.NAMED:
        return []
    contributor = archive.get_contributor(item.contributor_id)
    texts = list(_strings(item.details.value))
    for image in item.images.values():
        texts += _strings(image.reveal({}))
    for exhibition in archive.exhibitions():
        if item.id in exhibition.item_ids:
            texts += _strings(exhibition.placement(item.id).wall_text.reveal({}))
    shown = NameFilter([credit(item, contributor)])
    return name_candidates(texts, name_filter(item, contributor), shown)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_TEXT:
                yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    lead = "…" if start > CONTEXT else ""
    tail = "…" if end + CONTEXT < len(text) else ""
    return " ".join(f"{lead}{before}{text[start:end]}{after}{tail}".split())
