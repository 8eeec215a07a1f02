"""Human-readable history of an aggregate: when, who, what happened, and a short summary.

Summaries quote content only while it is readable; once an item's key is shredded its
events come back redacted and the summary says so, without any of the content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from domain import actor as actors
from domain.consent import Consent
from domain.contributors import Contributor
from domain.exhibitions import Exhibition, revealed
from domain.indexes import Catalogue, ConsentCodeIndex, ContributorItems, SlugIndex
from domain.items import Artwork, Testimony
from domain.languages import pick
from domain.personal import Personal

WITHDRAWN_CONTENT = "(content removed: consent was withdrawn)"
#: What an exhibition's history says of texts that named someone who erased their details.
WITHHELD_NAMES = "(texts withheld: they named someone who erased their details)"


@dataclass(frozen=True)
class HistoryEntry:
    """One line of history."""

    timestamp: datetime
    version: int
    actor: str
    what: str
    summary: str

    @property
    def who(self) -> str:
        return actors.describe(self.actor)


def history_entries(events: Iterable[Any]) -> list[HistoryEntry]:
    """Describe each stored event of one aggregate, oldest first."""
    events = list(events)
    withheld = {v for e in events if isinstance(e, Exhibition.NamesWithheld) for v in e.versions}
    entries = []
    for event in events:
        what, summary = describe(event)
        if event.originator_version in withheld and isinstance(event, Exhibition.Created):
            summary = WITHHELD_NAMES
        entries.append(
            HistoryEntry(event.timestamp, event.originator_version, event.actor, what, summary)
        )
    return entries


#: Item events whose summaries quote the item's content: ``changes_since`` leaves them out.
_QUOTING_CONTENT = ("Recorded", "Revised")
#: At most this many changes are listed one by one; earlier ones are counted.
MAX_CHANGES_LISTED = 5


def changes_since(events: Iterable[Any]) -> list[str]:
    """What happened in ``events`` (those after a version someone was looking at), one line
    each: who, what, when (UTC), and the summary of consent and exhibition changes. It never
    quotes an item's content, withdrawn or not: it is shown to whoever held an old page."""
    lines = []
    for event in events:
        what, summary = describe(event)
        quotes = isinstance(event, (Artwork.Event, Testimony.Event)) and type(event).__name__ in _QUOTING_CONTENT
        detail = f" ({summary})" if summary and not quotes else ""
        lines.append(f"{actors.describe(event.actor)}: {what}{detail}, {event.timestamp.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC")
    if len(lines) > MAX_CHANGES_LISTED:
        earlier = len(lines) - MAX_CHANGES_LISTED
        lines = [f"{earlier} earlier change(s)", *lines[-MAX_CHANGES_LISTED:]]
    return lines


def _title(personal: Personal, field: str = "title") -> str:
    if personal.redacted:
        return WITHDRAWN_CONTENT
    return pick(personal.value.get(field) or {}, "en") or "(untitled)"


def _consent(consent: Consent) -> str:
    scopes = ", ".join(sorted(s.value.replace("_", " ") for s in consent.scopes)) or "nothing"
    text = f"allows {scopes}; attribution {consent.attribution.value}; consent text {consent.text_version}"
    if consent.expires_on:
        text += f"; expires after {consent.expires_on.isoformat()}"
    return text


def _consent_update_by(event: Any) -> str:
    if event.actor.startswith(actors.CONTRIBUTOR):
        return "narrowed by the contributor: "
    if event.contributor_asked:
        return f"confirmed with the contributor by {actors.describe(event.actor)}: "
    return ""


def describe(event: Any) -> tuple[str, str]:
    """A short phrase for what happened, and a summary that holds no withdrawn content."""
    kind = "testimony" if isinstance(event, Testimony.Event) else "artwork"
    if isinstance(event, (Artwork.Recorded, Testimony.Recorded)):
        title = _title(event.details)
        if kind == "testimony" and not event.details.redacted and title == "(untitled)":
            title = f"testimony in {event.details.value.get('language', '?')}"
        return f"{kind} recorded", title
    name = type(event).__name__
    item_phrases = {
        "Revised": (f"{kind} revised", lambda e: _title(e.details)),
        "ImageAdded": ("image added", lambda e: "" if e.image.redacted else "alt text given"),
        "ImageRevised": ("image revised", lambda e: ""),
        "ImageRemoved": ("image removed", lambda e: ""),
        "SpanRedacted": ("span redacted", lambda e: "left out of everything visitors see"),
        "ConsentRecorded": ("consent recorded", lambda e: _consent(e.consent)),
        "ConsentUpdated": (
            "consent updated",
            lambda e: _consent_update_by(e) + _consent(e.consent),
        ),
        "ConsentChangeRequested": (
            "contributor asked to widen consent",
            lambda e: "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(e.request.items()))
            + " (a curator confirms it with them first)",
        ),
        "ConsentRequestDeclined": (
            "request closed",
            lambda e: "cancelled by the contributor" if e.actor.startswith(actors.CONTRIBUTOR) else "declined",
        ),
        "ConsentWithdrawn": (
            "consent withdrawn",
            lambda e: "withdrawn by the contributor"
            if e.actor.startswith(actors.CONTRIBUTOR)
            else f"withdrawn by {actors.describe(e.actor)} on the contributor's behalf",
        ),
    }
    if isinstance(event, (Artwork.Event, Testimony.Event)) and name in item_phrases:
        what, summarise = item_phrases[name]
        return what, summarise(event)
    if isinstance(event, Exhibition.Event):
        return _describe_exhibition_event(name, event)
    if isinstance(event, Contributor.Event):
        return {
            "Registered": ("contributor registered", ""),
            "ProfileRevised": ("contributor details revised", ""),
            "ConsentCodeIssued": ("consent code issued", "the previous code, if any, stopped working"),
            "ReceiptIssued": ("receipt issued", f"{getattr(event, 'reference', '')}: {getattr(event, 'action', '').replace('_', ' ')}"),
            "PersonalDataErased": ("details erased", "name, pseudonym and contact erased at the contributor's request"),
        }.get(name, (name, ""))
    if isinstance(event, (SlugIndex.Event, ConsentCodeIndex.Event, Catalogue.Event, ContributorItems.Event)):
        return (name, "")
    return (name, "")


def _describe_exhibition_event(name: str, event: Any) -> tuple[str, str]:
    if name == "Created":
        titles = revealed(event.details.get("titles"))
        return "exhibition created", pick(titles, "en") if titles else WITHHELD_NAMES
    if name == "Revised":
        fields = ", ".join(k.replace("_", " ") for k in sorted(event.changes))
        return "exhibition revised", f"changed {fields}"
    if name == "WorkAdded":
        placement = event.placement
        return "work added", f"{placement.kind} {str(placement.item_id)[:8]} at position {event.position + 1}"
    if name == "WorkRemoved":
        return "work removed", f"{str(event.item_id)[:8]}"
    if name == "WorksReordered":
        return "works reordered", " → ".join(str(i)[:8] for i in event.item_ids)
    if name == "WallTextRevised":
        summary = WITHDRAWN_CONTENT if event.wall_text.redacted else f"for {str(event.item_id)[:8]}"
        return "wall text revised", summary
    if name == "NamesWithheld":
        return "names withheld", f"{len(event.versions)} earlier version(s) withheld at an {event.reason}"
    if name == "Published":
        return "published", "visible to visitors"
    if name == "Unpublished":
        return "unpublished", "hidden from visitors"
    return name, ""
