"""The visitor projection: the one way anything of an item or an exhibition leaves the archive
for a visitor or another system (pages, the API, search documents and hits, media, and every
future feed or export).

It belongs to the consent gate (``archive.gate.rules``) and is the only place its rules are
applied: scopes and expiry (``may_show``), withdrawal, attribution (``credit``), the name
filter (the names an attribution withholds and the spans curators redacted) and image
redaction. What comes out is simple and immutable: frozen dataclasses, tuples, read-only
mappings (``types.MappingProxyType``) of str, int, date and UUID. A surface that holds a
:class:`VisibleItem` can show all of it and nothing else; it never needs, and never gets, an
aggregate, a ``Personal`` or a ``Consent``.

The functions here are pure: the caller (``archive.read.public``) reads the aggregates, once each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple, cast
from uuid import UUID

from archive.gate.rules import (
    ConsentTerms,
    Named,
    Surface,
    Terms,
    credit,
    may_show,
    names_lost,
    name_filter,
    works_name_filter,
)
from archive.gate.name_filter import NameFilter
from domain.consent import Attribution, Scope
from domain.exhibitions import Exhibition
from domain.images import ImageFacts
from domain.items import Item

#: Text in several languages: language code -> text (read-only).
Texts = Mapping[str, str]

EMPTY: Texts = MappingProxyType({})


def no_texts() -> Texts:
    """:data:`EMPTY`, as a dataclass default (a read-only mapping is not hashable)."""
    return EMPTY


@dataclass(frozen=True)
class ItemValues:
    """Everything the projection reads of an item, as plain values: who it is, its current
    consent state, and its content (``details``, the images not redacted as (id, values) pairs,
    the spans curators redacted; all empty once its content is shredded, ``is_redacted``).

    Built from an ``Item`` (:func:`item_values`) or from the read models (its consent from the
    item row, its content from the sealed card: :func:`card_values`), so a page built either way
    goes through the same :func:`project`. It satisfies ``gate.rules.Gated``."""

    id: UUID
    kind: str
    version: int
    recorded_on: date
    contributor_id: UUID
    consent: Terms | None
    is_withdrawn: bool
    is_redacted: bool
    details: Mapping[str, Any] = field(default_factory=no_texts)
    images: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    redacted_spans: tuple[str, ...] = ()


#: An item (the aggregate, or its plain values) with its contributor (None when unknown).
Work = tuple[Item | ItemValues, Named | None]


def item_content(item: Item) -> dict[str, Any]:
    """The item's content as the projection reads it and an item card stores it (sealed): its
    details, its images not redacted in order, and the redacted spans."""
    return {
        "details": dict(item.details.reveal(None) or {}),
        "images": [[image_id, dict(image.value)] for image_id, image in item.images.items() if not image.redacted],
        "spans": list(item.redacted_spans),
    }


#: The details a heading (:func:`visible_heading`) reads: a search hit shows only these.
HEADING_DETAILS = ("title", "content_note")


def item_heading_content(item: Item) -> dict[str, Any]:
    """The part of :func:`item_content` a heading reads, as an item's heading row stores it
    (sealed): the details of :data:`HEADING_DETAILS` and the redacted spans (the name filter
    needs them), no images. Plain values made from it (:func:`card_values`) are only for
    :func:`visible_heading`: the other details are not in them."""
    details = dict(item.details.reveal(None) or {})
    return {
        "details": {key: details[key] for key in HEADING_DETAILS if key in details},
        "spans": list(item.redacted_spans),
    }


def item_values(item: Item) -> ItemValues:
    """The plain values of an item aggregate as it stands."""
    return _values(
        item.id, item.kind, item.version, item.created_on.date(), item.contributor_id, item.consent,
        item.is_withdrawn, None if item.is_redacted else item_content(item),
    )


def card_values(
    item_id: UUID,
    kind: str,
    version: int,
    recorded_on: date,
    contributor_id: UUID,
    *,
    has_consent: bool,
    scopes: Iterable[str],
    attribution: str | None,
    expires_on: date | None,
    withdrawn: bool,
    content: Mapping[str, Any] | None,
) -> ItemValues:
    """The plain values of an item from its read-model row (consent state, as current as the
    row) and its opened card (``content`` as :func:`item_content` made it; None when shredded)."""
    consent = _terms(tuple(scopes), attribution, expires_on) if has_consent and attribution is not None else None
    return _values(item_id, kind, version, recorded_on, contributor_id, consent, withdrawn, content)


@lru_cache(maxsize=256)
def _terms(scopes: tuple[str, ...], attribution: str, expires_on: date | None) -> ConsentTerms:
    """Consent terms from a row's columns, made once for each distinct set of values: they are
    immutable, and the rows of a page share a few (an exhibition page reads fifty)."""
    return ConsentTerms(frozenset(Scope(s) for s in scopes), Attribution(attribution), expires_on)


def _values(
    item_id: UUID, kind: str, version: int, recorded_on: date, contributor_id: UUID, consent: Terms | None,
    withdrawn: bool, content: Mapping[str, Any] | None,
) -> ItemValues:
    if content is None:
        return ItemValues(item_id, kind, version, recorded_on, contributor_id, consent, withdrawn, is_redacted=True)
    return ItemValues(
        item_id, kind, version, recorded_on, contributor_id, consent, withdrawn, is_redacted=False,
        details=content.get("details") or {},
        images=tuple((str(image_id), values) for image_id, values in content.get("images") or ()),
        redacted_spans=tuple(content.get("spans") or ()),
    )


def work_of(item: Item | ItemValues, contributor: Named | None) -> tuple[ItemValues, Named | None]:
    """A work as plain values, from an item aggregate (turned into them) or plain values."""
    return (item if isinstance(item, ItemValues) else item_values(item), contributor)


#: The descriptive fields a visitor may see, per kind, picked one by one: a field added to an
#: item later is not shown until it is named here.
SHOWN_DETAILS = {
    "artwork": ("title", "year", "medium", "dimensions", "description", "series", "content_note"),
    "testimony": ("title", "text", "language", "content_note"),
}

#: The details a work's card shows where many works are shown at once (an exhibition's page):
#: no testimony text and no description, which its own page shows after the content note.
CARD_DETAILS = {
    "artwork": ("title", "year", "medium", "dimensions", "series", "content_note"),
    "testimony": ("title", "language", "content_note"),
}


def frozen(value: Any) -> Any:
    """``value`` with every dict made a read-only mapping and every list a tuple, all the way down."""
    kind = type(value)
    if kind is str or kind is int or value is None:  # most values: no abstract base class checks
        return value
    if kind is dict:  # as JSON decodes them (a card's texts), without the ABC check below
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, Mapping):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    return value


class Rendition(NamedTuple):
    """One stored derivative of an image (``thumb``/``display``/``large``, ``webp``/``jpeg``).

    A named tuple rather than a frozen dataclass: an exhibition page makes about 300, and a
    dataclass's frozen ``__init__`` cost a fifth of projecting a stored card."""

    name: str
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class VisibleImage:
    """An image of a visible item that is not redacted: its texts (names withheld) and renditions."""

    image_id: str
    alt_text: Texts
    caption: Texts
    derivatives: tuple[Rendition, ...] = ()

    def renditions(self, fmt: str) -> tuple[Rendition, ...]:
        """The renditions in one format, smallest first (for ``srcset``)."""
        return tuple(sorted((d for d in self.derivatives if d.format == fmt), key=lambda d: d.width))

    def rendition(self, name: str, fmt: str) -> Rendition | None:
        """The rendition ``name`` in ``fmt``, or None if it was never made."""
        return next((d for d in self.derivatives if d.name == name and d.format == fmt), None)


@dataclass(frozen=True)
class VisibleHeading:
    """What a link to a visible item shows (a search hit): its title and content note (names
    withheld), its credit (None for anonymous), and no text, images or other details.

    ``exhibitable`` says whether current consent also lets it be shown inside a published
    exhibition (search documents and exhibition filters need it). ``version`` is the item's
    version it was projected from, and ``expires_on`` the last day its consent runs (None: no
    end), for indexes and caches.
    """

    id: UUID
    kind: str
    version: int
    title: Texts
    content_note: Texts
    credit: str | None
    exhibitable: bool
    recorded_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class VisibleItem(VisibleHeading):
    """What a visitor may see of one item, now, on one surface: its heading, and ``details``
    (only :data:`SHOWN_DETAILS`), its images that are not redacted, and ``wall_text``, the
    text beside it in an exhibition (empty elsewhere), all with the names its attribution
    withholds and the redacted spans removed. The content note (``content_note``, also in
    ``details``) travels with it: a surface shows it before the item's text.
    """

    details: Mapping[str, Any] = field(default_factory=no_texts)
    images: tuple[VisibleImage, ...] = ()
    wall_text: Texts = field(default_factory=no_texts)

    def image(self, image_id: str) -> VisibleImage | None:
        """One of its visible images by id, or None."""
        return next((image for image in self.images if image.image_id == image_id), None)


def visible(
    item: Item | ItemValues,
    contributor: Named | None,
    on: date,
    surface: Surface = Surface.ONLINE,
    wall_text: Mapping[str, str] | None = None,
) -> VisibleItem | None:
    """The item as a visitor may see it on ``surface`` on the day ``on``, or None when its
    current consent does not allow that (none recorded, a scope missing, expired, withdrawn,
    its content shredded). Every text of it (details, image texts, ``wall_text``) loses the
    names its attribution withholds and the spans curators redacted; redacted images are left
    out."""
    return cast("VisibleItem | None", project(*work_of(item, contributor), on, surface, whole=True, wall_text=wall_text))


def visible_card(
    item: Item | ItemValues,
    contributor: Named | None,
    on: date,
    surface: Surface = Surface.ONLINE_EXHIBITION,
    wall_text: Mapping[str, str] | None = None,
) -> VisibleItem | None:
    """The item's card (under the same rules as :func:`visible`, or None): a :class:`VisibleItem`
    whose ``details`` are only :data:`CARD_DETAILS` and whose ``images`` are at most its first
    visible image. The testimony's text and the artwork's description are not read, so a page
    of many cards costs what it shows, and no testimony is on a page before its own content note."""
    return cast(
        "VisibleItem | None",
        project(*work_of(item, contributor), on, surface, whole=True, wall_text=wall_text, card=True),
    )


def visible_heading(
    item: Item | ItemValues, contributor: Named | None, on: date, surface: Surface = Surface.ONLINE
) -> VisibleHeading | None:
    """The item's heading (see :class:`VisibleHeading`) under the same rules as :func:`visible`,
    or None; its text and images are not read, so a search hit costs what it shows."""
    return project(*work_of(item, contributor), on, surface, whole=False)


def project(
    item: ItemValues,
    contributor: Named | None,
    on: date,
    surface: Surface,
    *,
    whole: bool,
    wall_text: Mapping[str, str] | None = None,
    card: bool = False,
) -> VisibleHeading | None:
    """The one projection of an item's plain values (however they were read): None unless
    ``gate.rules.may_show``; else its heading, or (``whole``) the whole :class:`VisibleItem`,
    or (``whole`` and ``card``) its card (see :func:`visible_card`). Nothing either when her
    names can no longer be withheld from its texts (``gate.rules.names_lost``)."""
    if not may_show(item, surface, on) or names_lost(contributor):
        return None
    return _view(item, _content(item, contributor, whole=whole, card=card, wall_text=wall_text), on, surface, whole=whole)


def card_content(
    item: Item | ItemValues, contributor: Named | None, wall_text: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What a work's card (:func:`visible_card`) shows that its item, its contributor and its
    wall text decide, as plain JSON values: every text with the names its attribution
    withholds and the redacted spans removed, and no name of the contributor's (the credit is
    read from her own record when shown). Its consent state decides nothing here: an
    exhibition's read model stores this sealed under the item's key, and whoever shows it gates
    it with :func:`stored_card`, from consent as current as the item's row."""
    content = _content(*work_of(item, contributor), whole=True, card=True, wall_text=wall_text)
    del content["credit"]
    return content


def stored_card(item: ItemValues, content: Mapping[str, Any], on: date) -> VisibleItem | None:
    """A work's card in an exhibition from its stored :func:`card_content` (computed at
    ``item.version``) with its ``credit`` (``gate.rules.credit`` at that version, as the
    store opens it now), or None unless ``gate.rules.may_show`` lets visitors see it in a
    published exhibition on ``on``; ``item`` holds the consent state (no content is read)."""
    if not may_show(item, Surface.ONLINE_EXHIBITION, on):
        return None
    return cast("VisibleItem", _view(item, content, on, Surface.ONLINE_EXHIBITION, whole=True))


def _content(
    item: ItemValues, contributor: Named | None, *, whole: bool, card: bool, wall_text: Mapping[str, str] | None
) -> dict[str, Any]:
    """The texts and images a projection shows, names withheld, as plain JSON values."""
    names = name_filter(item, contributor)
    shown = item.details
    picked = (CARD_DETAILS if card else SHOWN_DETAILS).get(item.kind, ()) if whole else HEADING_DETAILS
    content: dict[str, Any] = {
        "details": names.value({key: shown[key] for key in picked if key in shown}),
        "credit": credit(item, contributor),
    }
    if whole:
        content["images"] = [
            {
                "id": image_id,
                "alt_text": names.value(dict(image.get("alt_text") or {})),
                "caption": names.value(dict(image.get("caption") or {})),
                "derivatives": [
                    [r.name, r.format, r.width, r.height] for r in ImageFacts.from_plain(image.get("media")).renditions
                ],
            }
            for image_id, image in (item.images[:1] if card else item.images)
        ]
        content["wall_text"] = names.value(dict(wall_text or {}))
    return content


def _view(item: ItemValues, content: Mapping[str, Any], on: date, surface: Surface, *, whole: bool) -> VisibleHeading:
    """The frozen view of ``content`` (:func:`_content`) beside the item's own fields."""
    details = frozen(content["details"])
    # VisibleHeading's fields in their order (mypy checks each by type): an exhibition page
    # makes fifty, and keyword arguments through a dict cost 1.4% of the page.
    heading = (
        item.id,
        item.kind,
        item.version,
        details.get("title") or EMPTY,
        details.get("content_note") or EMPTY,
        content["credit"],
        surface is Surface.ONLINE_EXHIBITION or may_show(item, Surface.ONLINE_EXHIBITION, on),
        item.recorded_on,
        item.consent.expires_on if item.consent else None,
    )
    if not whole:
        return VisibleHeading(*heading)
    images = tuple(
        VisibleImage(
            str(image["id"]),
            frozen(image["alt_text"]),
            frozen(image["caption"]),
            tuple(map(Rendition._make, image["derivatives"])),  # [name, format, width, height] as _content made them
        )
        for image in content["images"]
    )
    return VisibleItem(*heading, details, images, frozen(content["wall_text"]))


# -- exhibitions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisibleExhibitionSummary:
    """A published exhibition's own fields, with the names any of its works withholds removed,
    and the ids of the works visitors may see in it, in order (for links, cards and counts).
    Its works themselves are not projected: see :class:`VisibleExhibition`."""

    id: UUID
    slug: str
    titles: Texts
    organiser: Texts
    venue: Texts
    city: Texts
    statement: Texts
    opens_on: date | None
    closes_on: date | None
    work_ids: tuple[UUID, ...] = ()

    def is_current(self, on: date) -> bool:
        started = self.opens_on is None or self.opens_on <= on
        ended = self.closes_on is not None and self.closes_on < on
        return started and not ended


@dataclass(frozen=True)
class VisibleExhibition(VisibleExhibitionSummary):
    """A published exhibition with the works visitors may see in it, in order, each a
    :class:`VisibleItem` with its wall text."""

    works: tuple[VisibleItem, ...] = ()


def exhibition_summary(
    exhibition: Exhibition, works: Mapping[UUID, Work], on: date, names_from: Iterable[Work] | None = None
) -> VisibleExhibitionSummary | None:
    """A published exhibition's summary (None while it is not published). ``works`` holds its
    works by id (those missing are left out), and should hold every work it ever hung
    (``Exhibition.works_ever_hung``): its texts lose the names withheld by ``names_from`` (by
    default every work it ever hung: see ``gate.rules.works_name_filter``)."""
    if not exhibition.is_published:
        return None
    return _summary(exhibition, works, on, _names(exhibition, works, on, names_from))


def visible_exhibition(
    exhibition: Exhibition,
    works: Mapping[UUID, Work],
    on: date,
    names_from: Iterable[Work] | None = None,
    *,
    cards: bool = False,
) -> VisibleExhibition | None:
    """A published exhibition with its visible works (None while it is not published); see
    :func:`exhibition_summary` for ``works`` and ``names_from``, :func:`exhibition_as_it_was`
    for ``cards``."""
    if not exhibition.is_published:
        return None
    return exhibition_as_it_was(exhibition, works, on, names_from, cards=cards)


def exhibition_as_it_was(
    exhibition: Exhibition,
    works: Mapping[UUID, Work],
    on: date,
    names_from: Iterable[Work] | None = None,
    *,
    cards: bool = False,
) -> VisibleExhibition:
    """An exhibition's state (a past one, published then or not) with the works of its
    arrangement that *current* consent (on ``on``) lets visitors see, their wall texts
    without the names any of its works withholds; each work whole, or (``cards``) as its card
    (:func:`visible_card`). Only for an exhibition that is published now: the caller checks."""
    names = _names(exhibition, works, on, names_from)
    shown = []
    for placement in exhibition.placements:
        if placement.item_id in works:
            item, contributor = works[placement.item_id]
            # A wall text may mention another work's contributor: it loses every name the
            # exhibition's works withhold, as the exhibition's own texts do.
            wall_text = names.value(dict(placement.wall_text.reveal({}) or {}))
            view = (visible_card if cards else visible)(item, contributor, on, Surface.ONLINE_EXHIBITION, wall_text)
            if view is not None:
                shown.append(view)
    summary = _summary(exhibition, {}, on, names)
    fields = {name: getattr(summary, name) for name in VisibleExhibitionSummary.__dataclass_fields__}
    return VisibleExhibition(**{**fields, "work_ids": tuple(view.id for view in shown)}, works=tuple(shown))


#: An exhibition's own texts that visitors read, each losing the names its works withhold.
EXHIBITION_TEXTS = ("titles", "organiser", "venue", "city", "statement")


def exhibition_texts(exhibition: Exhibition, works: Mapping[UUID, Work], on: date) -> dict[str, dict[str, str]]:
    """The exhibition's own texts (:data:`EXHIBITION_TEXTS`) as visitors read them on the day
    ``on``: without the names any of its works (those of ``works`` it ever hung, see
    ``Exhibition.works_ever_hung``) withholds. They
    hold no personal data (the names are removed), so the exhibition listing's read model
    stores them as they are (``archive.read.models``), with :func:`texts_valid_through`, and
    builds summaries from them with :func:`stored_summary`."""
    names = _names(exhibition, works, on, None)
    return {name: dict(names.value(dict(exhibition.field(name) or {}))) for name in EXHIBITION_TEXTS}


def texts_valid_through(exhibition: Exhibition, works: Mapping[UUID, Work], on: date) -> date | None:
    """The last day texts computed on ``on`` (:func:`exhibition_texts`) stay exact with no new
    event: the first expiry, on or after ``on``, of the consent of a work it ever hung (None:
    no such expiry).
    From the day after it, the gate may withhold more (a consent that ran out), so a reader
    must compute them again."""
    ends = [
        item.consent.expires_on
        for item, _ in (works[i] for i in exhibition.works_ever_hung if i in works)
        if item.consent is not None and item.consent.expires_on is not None and item.consent.expires_on >= on
        and not item.is_withdrawn
    ]
    return min(ends, default=None)


def stored_summary(
    exhibition_id: UUID,
    slug: str,
    texts: Mapping[str, Mapping[str, str]],
    opens_on: date | None,
    closes_on: date | None,
    work_ids: Iterable[UUID],
) -> VisibleExhibitionSummary:
    """A published exhibition's summary from its stored visitor texts (:func:`exhibition_texts`)
    and the ids of its works that current consent lets visitors see in it, in order (the read
    model selects them by the rules of ``gate.rules.may_show``)."""
    shown = {name: frozen(dict(texts.get(name) or {})) for name in EXHIBITION_TEXTS}
    return VisibleExhibitionSummary(
        id=exhibition_id, slug=slug, **shown, opens_on=opens_on, closes_on=closes_on, work_ids=tuple(work_ids)
    )


def exhibition_texts_filter(exhibition: Exhibition, works: Mapping[UUID, Work], on: date) -> NameFilter:
    """The filter the exhibition's own texts and wall texts pass through on ``on``: the names
    any work it ever hung (those of ``works``) withholds (see :func:`exhibition_texts`)."""
    return _names(exhibition, works, on, None)


def _names(
    exhibition: Exhibition, works: Mapping[UUID, Work], on: date, names_from: Iterable[Work] | None
) -> NameFilter:
    # Every work ever hung, not only those hanging now: a text written while a work hung may
    # name its contributor, and taking the work down must not give her name back.
    own = (works[i] for i in exhibition.works_ever_hung if i in works)
    return works_name_filter(own if names_from is None else names_from, on)


def _summary(exhibition: Exhibition, works: Mapping[UUID, Work], on: date, names: NameFilter) -> VisibleExhibitionSummary:
    def texts(name: str) -> Texts:
        shown: Texts = frozen(names.value(dict(exhibition.field(name) or {})))
        return shown

    return VisibleExhibitionSummary(
        id=exhibition.id,
        slug=exhibition.slug,
        titles=texts("titles"),
        organiser=texts("organiser"),
        venue=texts("venue"),
        city=texts("city"),
        statement=texts("statement"),
        opens_on=exhibition.field("opens_on"),
        closes_on=exhibition.field("closes_on"),
        work_ids=tuple(
            p.item_id
            for p in exhibition.placements
            if p.item_id in works
            and may_show(works[p.item_id][0], Surface.ONLINE_EXHIBITION, on)
            and not names_lost(works[p.item_id][1])
        ),
    )
