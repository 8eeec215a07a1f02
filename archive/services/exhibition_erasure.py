"""At an erasure, the exhibitions' texts forget the erased contributor's name.

Curators write about contributors in an exhibition's own texts and in wall texts, often by
name while the contributor consents to be named. Visitors never see a name its contributor
withholds (``gate.rules.works_name_filter``), but the filter knows a name only while it can
be read: once the contributor erases their details it is shredded, and a text that still holds
it would show it again. So, while the name is still known (before the contributor's key is
shredded, in the same save as the erasure), :func:`withhold_names` finds every exhibition whose
texts, in any version, name the contributor (with the gate's own matcher), and records on each a
new version of its texts without the name (``Exhibition.NamesWithheld``, actor the system).
The texts keys of the versions that named them are shredded after the save (see
``archive.consent.finish_interrupted_withdrawals`` for a save whose shredding was
interrupted). Versions from before the texts keys hold their texts in clear: they are withheld
from every view, but their bytes stay in the append-only log (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

from archive.gate.name_filter import NameFilter
from domain import actor as actors
from domain.exhibitions import MULTILINGUAL_FIELDS, Exhibition
from domain.personal import Personal

#: The actor and the reason recorded on the new version of the texts.
ACTOR = actors.system("erasure")
REASON = "erasure"


def _text_values(event: Any) -> tuple[list[Any], list[Any]]:
    """The own texts and the wall texts an exhibition event wrote (values as stored)."""
    if isinstance(event, Exhibition.Created):
        return [v for k, v in event.details.items() if k in MULTILINGUAL_FIELDS], []
    if isinstance(event, (Exhibition.Revised, Exhibition.NamesWithheld)):
        walls = list(event.wall_texts.values()) if isinstance(event, Exhibition.NamesWithheld) else []
        return [v for k, v in event.changes.items() if k in MULTILINGUAL_FIELDS], walls
    if isinstance(event, Exhibition.WorkAdded):
        return [], [event.placement.wall_text]
    if isinstance(event, Exhibition.WallTextRevised):
        return [], [event.wall_text]
    return [], []


def names_on_record(events: Iterable[Any]) -> list[str]:
    """Every name and pseudonym a contributor's record held (its ``events``, whole history):
    a text written before the record was corrected (a new surname, a fixed typo, a new
    pseudonym) names her by the earlier one, and after the erasure nothing can read it."""
    names: dict[str, None] = {}
    for event in events:
        profile = getattr(event, "profile", None)
        opened = profile.reveal(None) if isinstance(profile, Personal) else None
        for field in ("name", "pseudonym"):
            if opened and opened.get(field):
                names[opened[field]] = None
    return list(names)


def _names_someone(names: NameFilter, value: Any) -> bool:
    opened = value.reveal(None) if isinstance(value, Personal) else value
    return opened is not None and names.value(opened) != opened


def withhold_names(
    exhibition: Exhibition, events: Iterable[Any], names: NameFilter, new_key: Callable[[], UUID]
) -> list[UUID] | None:
    """Record on ``exhibition`` (its ``events`` are its whole history) its texts without the
    names ``names`` matches, if any version of them held one; then the texts keys to shred once
    it is saved, else None. ``new_key`` makes the texts key of the new version (only called
    when one is recorded)."""
    if not names:
        return None
    versions: list[int] = []
    shredded: set[UUID] = set()
    for event in events:
        own, walls = _text_values(event)
        named_own = [v for v in own if _names_someone(names, v)]
        if named_own or any(_names_someone(names, v) for v in walls):
            versions.append(event.originator_version)
        shredded.update(v.subject_id for v in named_own if isinstance(v, Personal))
    if not versions:
        return None
    texts: Mapping[str, Any] = {k: names.value(exhibition.field(k)) for k in MULTILINGUAL_FIELDS if exhibition.field(k)}
    wall_texts = {
        p.item_id: names.value(p.wall_text.reveal({}))
        for p in exhibition.placements
        if _names_someone(names, p.wall_text)
    }
    exhibition.withhold_names(
        texts=texts, wall_texts=wall_texts, versions=versions, shredded=shredded, texts_key=new_key(),
        reason=REASON, actor=ACTOR,
    )
    return sorted(shredded, key=str)
