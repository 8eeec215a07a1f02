"""History of an aggregate: when, who, what happened, and a short summary; never content.

Each event type has one describer (``describe``, a ``functools.singledispatch`` on the event's
class) that returns what happened (a phrase code, e.g. ``"work added"``) and a ``Summary``: a
code and simple parameters (languages, scope and field codes, the first digits of an id,
counts, dates, an actor), never an item's or exhibition's text and never a contributor's name.
Interfaces put them in words: ``str(summary)`` is English (the CLI, the API); the web layer
translates the same templates (``TEMPLATES``, ``WHAT``) and parameters itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import singledispatch
from typing import Any, Union

from domain.consent import ConsentRequest
from domain.actor import Actor
from domain.contributors import Contributor
from domain.errors import N_
from domain.exhibitions import Exhibition, revealed
from domain.items import Item, Testimony
from domain.personal import Personal

#: A summary's parameter: a code or short value, a count, several codes, or a nested summary.
Param = Union[str, int, tuple[str, ...], Actor, "Summary", tuple["Summary", ...]]

#: What each summary code says, in English; the web layer translates these templates.
TEMPLATES: dict[str, str] = {
    "": "",
    "content-withdrawn": N_("content removed: consent was withdrawn"),
    "texts-withheld": N_("texts withheld: they named someone who erased their details"),
    "texts-in": N_("texts in %(languages)s"),
    "alt-text-given": N_("alt text given"),
    "span-redacted": N_("left out of everything visitors see"),
    "consent": N_("allows %(scopes)s; attribution %(attribution)s; consent text %(text_version)s"),
    "consent-until": N_(
        "allows %(scopes)s; attribution %(attribution)s; consent text %(text_version)s; "
        "expires after %(expires_on)s"
    ),
    "narrowed-by-contributor": N_("narrowed by the contributor: %(consent)s"),
    "confirmed-with-contributor": N_("confirmed with the contributor by %(by)s: %(consent)s"),
    "widening-asked": N_("%(asked)s (a curator confirms it with them first)"),
    "asked-scopes": N_("scopes: %(scopes)s"),
    "asked-attribution": N_("attribution: %(attribution)s"),
    "asked-expiry": N_("expires after %(expires_on)s"),
    "asked-no-expiry": N_("no end date"),
    "request-cancelled": N_("cancelled by the contributor"),
    "request-declined": N_("declined"),
    "withdrawn-by-contributor": N_("withdrawn by the contributor"),
    "withdrawn-on-behalf": N_("withdrawn by %(by)s on the contributor's behalf"),
    "fields-changed": N_("changed %(fields)s"),
    "work-added": N_("%(kind)s %(item)s at position %(position)s"),
    "work": "%(item)s",  # an id: nothing to translate
    "order": "%(items)s",
    "wall-text-for": N_("for %(item)s"),
    "versions-withheld": N_("%(count)s earlier version(s) withheld at an %(reason)s"),
    "visible-to-visitors": N_("visible to visitors"),
    "hidden-from-visitors": N_("hidden from visitors"),
    "previous-code-stopped": N_("the previous code, if any, stopped working"),
    "receipt": N_("%(reference)s: %(action)s"),
    "details-erased": N_("name, pseudonym and contact erased at the contributor's request"),
}

#: What happened, per event type: the phrase codes ``HistoryEntry.what`` holds.
WHAT: tuple[str, ...] = (
    N_("artwork recorded"),
    N_("testimony recorded"),
    N_("artwork revised"),
    N_("testimony revised"),
    N_("image added"),
    N_("image revised"),
    N_("image removed"),
    N_("span redacted"),
    N_("consent recorded"),
    N_("consent updated"),
    N_("contributor asked to widen consent"),
    N_("request closed"),
    N_("consent withdrawn"),
    N_("exhibition created"),
    N_("exhibition revised"),
    N_("work added"),
    N_("work removed"),
    N_("works reordered"),
    N_("wall text revised"),
    N_("names withheld"),
    N_("published"),
    N_("unpublished"),
    N_("contributor registered"),
    N_("contributor details revised"),
    N_("consent code issued"),
    N_("receipt issued"),
    N_("details erased"),
)


@dataclass(frozen=True)
class Summary:
    """What a history line says beyond what happened: a code of ``TEMPLATES`` and its
    parameters, as sorted (name, value) pairs. ``str()`` is the English sentence."""

    code: str
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Param) -> Summary:
        if code not in TEMPLATES:
            raise ValueError(f"No history summary has the code {code!r}.")
        return cls(code, tuple(sorted(params.items())))

    @property
    def args(self) -> dict[str, Param]:
        return dict(self.params)

    def __bool__(self) -> bool:
        return bool(self.code)

    def __str__(self) -> str:
        return render(self, lambda template: template, english_word)


NOTHING = Summary("")


def render(summary: Summary, translate: Callable[[str], str], word: Callable[[str, Any], str]) -> str:
    """``summary`` in words: its template through ``translate``, each simple parameter through
    ``word(name, value)``; nested summaries are rendered the same way (several joined by "; ")."""
    values: dict[str, str] = {}
    for name, value in summary.params:
        if isinstance(value, Summary):
            values[name] = render(value, translate, word)
        elif isinstance(value, tuple) and value and all(isinstance(v, Summary) for v in value):
            values[name] = "; ".join(render(v, translate, word) for v in value if isinstance(v, Summary))
        else:
            values[name] = word(name, value)
    template = translate(TEMPLATES[summary.code]) if summary.code else ""
    return template % values if values else template


def english_word(name: str, value: Any) -> str:
    """A parameter in English: codes with spaces for underscores, actors as phrases."""
    if isinstance(value, Actor):
        return value.describe()
    if name == "items":
        return " → ".join(value)
    if isinstance(value, tuple):
        return ", ".join(v.replace("_", " ") for v in value) or "nothing"
    if isinstance(value, str):
        return value.replace("_", " ")
    return str(value)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of history."""

    timestamp: datetime
    version: int
    actor: Actor
    what: str
    summary: Summary

    @property
    def who(self) -> str:
        return self.actor.describe()


def history_entries(events: Iterable[Any]) -> list[HistoryEntry]:
    """Describe each stored event of one aggregate, oldest first."""
    events = list(events)
    withheld = {v for e in events if isinstance(e, Exhibition.NamesWithheld) for v in e.versions}
    entries = []
    for event in events:
        what, summary = describe(event)
        if event.originator_version in withheld and isinstance(event, Exhibition.Created):
            summary = Summary.of("texts-withheld")
        entries.append(HistoryEntry(event.timestamp, event.originator_version, event.by, what, summary))
    return entries


#: At most this many changes are listed one by one; earlier ones are counted.
MAX_CHANGES_LISTED = 5
#: How ``Changes`` puts a change in words (``%(when)s`` is a UTC time), and counts earlier ones.
CHANGE = N_("%(who)s: %(what)s (%(summary)s), %(when)s UTC")
CHANGE_WITHOUT_SUMMARY = N_("%(who)s: %(what)s, %(when)s UTC")
EARLIER_CHANGES = N_("%(count)s earlier change(s)")


@dataclass(frozen=True)
class Changes:
    """What happened since a version someone was looking at: the last ``MAX_CHANGES_LISTED``
    changes (``listed``), and how many came before them (``earlier``)."""

    listed: tuple[HistoryEntry, ...] = ()
    earlier: int = 0

    def __bool__(self) -> bool:
        return bool(self.listed)

    def lines(
        self,
        translate: Callable[[str], str] = lambda template: template,
        who: Callable[[Actor], str] = Actor.describe,
        summary: Callable[[Summary], str] = str,
    ) -> list[str]:
        """One line per change (English unless given a ``translate`` and word functions)."""
        lines = [translate(EARLIER_CHANGES) % {"count": self.earlier}] if self.earlier else []
        for entry in self.listed:
            values = {
                "who": who(entry.actor),
                "what": translate(entry.what),
                "summary": summary(entry.summary),
                "when": f"{entry.timestamp.astimezone(timezone.utc):%Y-%m-%d %H:%M}",
            }
            lines.append(translate(CHANGE if entry.summary else CHANGE_WITHOUT_SUMMARY) % values)
        return lines


def changes_since(events: Iterable[Any]) -> Changes:
    """What happened in ``events`` (those after a version someone was looking at): who, what,
    when, and the summary, which never holds content. It is shown to whoever held an old page."""
    events = list(events)
    entries = [
        replace(entry, summary=NOTHING) if isinstance(event, (Item.Recorded, Item.Revised)) else entry
        for event, entry in zip(events, history_entries(events), strict=True)
    ]  # an item's texts changed: which languages it is in now is beside the point there
    listed = entries[-MAX_CHANGES_LISTED:]
    return Changes(tuple(listed), len(entries) - len(listed))


# -- one describer per event type -------------------------------------------------------------


@singledispatch
def describe(event: Any) -> tuple[str, Summary]:
    """What happened (a phrase code of ``WHAT``, or the event's class name for an event of an
    index) and a summary that holds no content."""
    return type(event).__name__, NOTHING


def _kind(event: Item.Event) -> str:
    return "testimony" if isinstance(event, Testimony.Event) else "artwork"


def _texts(details: Personal) -> Summary:
    if details.redacted:
        return Summary.of("content-withdrawn")
    value = details.value if isinstance(details.value, Mapping) else {}
    languages = sorted({lang for texts in value.values() if isinstance(texts, Mapping) for lang in texts})
    return Summary.of("texts-in", languages=tuple(languages)) if languages else NOTHING


@describe.register(Item.Recorded)
def _item_recorded(event: Item.Recorded) -> tuple[str, Summary]:
    return f"{_kind(event)} recorded", _texts(event.details)


@describe.register(Item.Revised)
def _item_revised(event: Item.Revised) -> tuple[str, Summary]:
    return f"{_kind(event)} revised", _texts(event.details)


@describe.register(Item.ImageAdded)
def _image_added(event: Item.ImageAdded) -> tuple[str, Summary]:
    return "image added", NOTHING if event.image.redacted else Summary.of("alt-text-given")


@describe.register(Item.ImageRevised)
def _image_revised(event: Item.ImageRevised) -> tuple[str, Summary]:
    return "image revised", NOTHING


@describe.register(Item.ImageRemoved)
def _image_removed(event: Item.ImageRemoved) -> tuple[str, Summary]:
    return "image removed", NOTHING


@describe.register(Item.SpanRedacted)
def _span_redacted(event: Item.SpanRedacted) -> tuple[str, Summary]:
    return "span redacted", Summary.of("span-redacted")


def _consent(consent: Any) -> Summary:
    params: dict[str, Param] = {
        "scopes": tuple(sorted(s.value for s in consent.scopes)),
        "attribution": consent.attribution.value,
        "text_version": consent.text_version,
    }
    if consent.expires_on:
        return Summary.of("consent-until", expires_on=consent.expires_on.isoformat(), **params)
    return Summary.of("consent", **params)


def _by_contributor(event: Any) -> bool:
    return bool(event.by.is_contributor)


@describe.register(Item.ConsentRecorded)
def _consent_recorded(event: Item.ConsentRecorded) -> tuple[str, Summary]:
    return "consent recorded", _consent(event.consent)


@describe.register(Item.ConsentUpdated)
def _consent_updated(event: Item.ConsentUpdated) -> tuple[str, Summary]:
    consent = _consent(event.consent)
    if _by_contributor(event):
        return "consent updated", Summary.of("narrowed-by-contributor", consent=consent)
    if event.contributor_asked:
        return "consent updated", Summary.of("confirmed-with-contributor", by=event.by, consent=consent)
    return "consent updated", consent


def _asked(request: ConsentRequest) -> tuple[Summary, ...]:
    asked = []
    if request.attribution is not None:
        asked.append(Summary.of("asked-attribution", attribution=request.attribution.value))
    if request.scopes is not None:
        asked.append(Summary.of("asked-scopes", scopes=tuple(sorted(s.value for s in request.scopes))))
    if request.asks_expiry:
        expiry = request.expires_on
        asked.append(Summary.of("asked-expiry", expires_on=expiry.isoformat()) if expiry else Summary.of("asked-no-expiry"))
    return tuple(asked)


@describe.register(Item.ConsentChangeRequested)
def _consent_change_requested(event: Item.ConsentChangeRequested) -> tuple[str, Summary]:
    return "contributor asked to widen consent", Summary.of("widening-asked", asked=_asked(event.asked))


@describe.register(Item.ConsentRequestDeclined)
def _consent_request_declined(event: Item.ConsentRequestDeclined) -> tuple[str, Summary]:
    return "request closed", Summary.of("request-cancelled" if _by_contributor(event) else "request-declined")


@describe.register(Item.ConsentWithdrawn)
def _consent_withdrawn(event: Item.ConsentWithdrawn) -> tuple[str, Summary]:
    if _by_contributor(event):
        return "consent withdrawn", Summary.of("withdrawn-by-contributor")
    return "consent withdrawn", Summary.of("withdrawn-on-behalf", by=event.by)


def _short(item_id: Any) -> str:
    return str(item_id)[:8]


@describe.register(Exhibition.Created)
def _exhibition_created(event: Exhibition.Created) -> tuple[str, Summary]:
    languages = tuple(sorted(revealed(event.details.get("titles")) or {}))
    return "exhibition created", Summary.of("texts-in", languages=languages) if languages else NOTHING


@describe.register(Exhibition.Revised)
def _exhibition_revised(event: Exhibition.Revised) -> tuple[str, Summary]:
    return "exhibition revised", Summary.of("fields-changed", fields=tuple(sorted(event.changes)))


@describe.register(Exhibition.WorkAdded)
def _work_added(event: Exhibition.WorkAdded) -> tuple[str, Summary]:
    placement = event.placement
    return "work added", Summary.of(
        "work-added", kind=placement.kind, item=_short(placement.item_id), position=event.position + 1
    )


@describe.register(Exhibition.WorkRemoved)
def _work_removed(event: Exhibition.WorkRemoved) -> tuple[str, Summary]:
    return "work removed", Summary.of("work", item=_short(event.item_id))


@describe.register(Exhibition.WorksReordered)
def _works_reordered(event: Exhibition.WorksReordered) -> tuple[str, Summary]:
    return "works reordered", Summary.of("order", items=tuple(_short(i) for i in event.item_ids))


@describe.register(Exhibition.WallTextRevised)
def _wall_text_revised(event: Exhibition.WallTextRevised) -> tuple[str, Summary]:
    if event.wall_text.redacted:
        return "wall text revised", Summary.of("content-withdrawn")
    return "wall text revised", Summary.of("wall-text-for", item=_short(event.item_id))


@describe.register(Exhibition.NamesWithheld)
def _names_withheld(event: Exhibition.NamesWithheld) -> tuple[str, Summary]:
    return "names withheld", Summary.of("versions-withheld", count=len(event.versions), reason=event.reason)


@describe.register(Exhibition.Published)
def _published(event: Exhibition.Published) -> tuple[str, Summary]:
    return "published", Summary.of("visible-to-visitors")


@describe.register(Exhibition.Unpublished)
def _unpublished(event: Exhibition.Unpublished) -> tuple[str, Summary]:
    return "unpublished", Summary.of("hidden-from-visitors")


@describe.register(Contributor.Registered)
def _registered(event: Contributor.Registered) -> tuple[str, Summary]:
    return "contributor registered", NOTHING


@describe.register(Contributor.ProfileRevised)
def _profile_revised(event: Contributor.ProfileRevised) -> tuple[str, Summary]:
    return "contributor details revised", NOTHING


@describe.register(Contributor.ConsentCodeIssued)
def _code_issued(event: Contributor.ConsentCodeIssued) -> tuple[str, Summary]:
    return "consent code issued", Summary.of("previous-code-stopped")


@describe.register(Contributor.ReceiptIssued)
def _receipt_issued(event: Contributor.ReceiptIssued) -> tuple[str, Summary]:
    return "receipt issued", Summary.of("receipt", reference=event.reference, action=event.action)


@describe.register(Contributor.PersonalDataErased)
def _details_erased(event: Contributor.PersonalDataErased) -> tuple[str, Summary]:
    return "details erased", Summary.of("details-erased")
