"""Artworks and testimonies: the items a contributor consents to show.

All descriptive content of an item (titles, texts, alt texts, media facts) is held as
``Personal`` values owned by the item, so that shredding the item's key removes it from
every event and snapshot at once, while the item's existence, consent history and
withdrawal stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast
from uuid import UUID

from domain import actor as actors
from domain import clock
from domain.actor import Actor
from domain.base import ArchiveAggregate
from domain.consent import Consent, ConsentRequest, ConsentStatus, Scope, widening_past
from domain.images import ImageFacts
from domain.errors import N_, ConsentError, InvalidValue, ItemWithdrawn, WideningNeedsConfirmation
from domain.languages import check_language, multilingual
from domain.personal import Personal
from domain.text import MAX_NAME, MAX_TEXT, plain_text

ARTWORK = "artwork"
TESTIMONY = "testimony"
MAX_IMAGES = 200
MAX_REDACTED_SPAN = 200


def artwork_details(
    *,
    title: Mapping[str, str],
    year: int | None = None,
    medium: Mapping[str, str] | None = None,
    dimensions: str | None = None,
    description: Mapping[str, str] | None = None,
    series: Mapping[str, str] | None = None,
    content_note: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Validated descriptive fields of an artwork."""
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 2200:
            raise InvalidValue("An artwork's year must be a four-digit year.")
    return {
        "title": multilingual(title, field=N_("Title"), required=True),
        "year": year,
        "medium": multilingual(medium, field=N_("Medium")),
        "dimensions": plain_text(dimensions or "", field=N_("Dimensions"), max_length=MAX_NAME),
        "description": multilingual(description, field=N_("Description"), max_length=MAX_TEXT),
        "series": multilingual(series, field=N_("Series")),
        "content_note": multilingual(content_note, field=N_("Content note")),
    }


def testimony_details(
    *,
    text: Mapping[str, str],
    language: str,
    content_note: Mapping[str, str],
    title: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Validated fields of a testimony: its text, original language and content note."""
    texts = multilingual(text, field=N_("Testimony text"), required=True, max_length=MAX_TEXT)
    check_language(language)
    if language not in texts:
        raise InvalidValue("The testimony's text must include its original language.")
    return {
        "text": texts,
        "language": language,
        "title": multilingual(title, field=N_("Title")),
        "content_note": multilingual(content_note, field=N_("Content note"), required=True),
    }


def image_details(
    *,
    alt_text: Mapping[str, str],
    caption: Mapping[str, str] | None = None,
    media: ImageFacts | None = None,
) -> dict[str, Any]:
    """Validated fields of an image: alt text is required for every image; ``media`` the
    facts of its stored files (kept in their plain form, :meth:`ImageFacts.plain`)."""
    return {
        "alt_text": multilingual(alt_text, field=N_("Alt text"), required=True),
        "caption": multilingual(caption, field=N_("Caption")),
        "media": (media or ImageFacts()).plain(),
    }


def _with_alt_text(image: dict[str, Any]) -> dict[str, Any]:
    alt_text = multilingual(image.get("alt_text"), field=N_("Alt text"))
    if not alt_text:
        raise InvalidValue("Every image needs alt text in at least one language.")
    return {**image, "alt_text": alt_text}


class Item(ArchiveAggregate):
    """Common life of artworks and testimonies: content, images and consent."""

    kind: ClassVar[str]

    class Recorded(ArchiveAggregate.Created):
        contributor_id: UUID
        details: Personal

        def apply(self, item: Item) -> None:
            item.contributor_id = self.contributor_id
            item.details = self.details
            item.images = {}
            item.consent = None
            item.withdrawn_at = None
            item.withdrawn_by = None
            item.consent_request = None

    class Revised(ArchiveAggregate.Event):
        details: Personal

        def apply(self, item: Item) -> None:
            item.details = self.details

    class ImageAdded(ArchiveAggregate.Event):
        image_id: UUID
        image: Personal

        def apply(self, item: Item) -> None:
            item.images[str(self.image_id)] = self.image

    class ImageRevised(ArchiveAggregate.Event):
        image_id: UUID
        image: Personal

        def apply(self, item: Item) -> None:
            item.images[str(self.image_id)] = self.image

    class ImageRemoved(ArchiveAggregate.Event):
        image_id: UUID

        def apply(self, item: Item) -> None:
            item.images.pop(str(self.image_id), None)

    class SpanRedacted(ArchiveAggregate.Event):
        """A curator confirmed that a word or phrase of the item's text names someone: it is
        left out of everything shown and indexed of the item, for good. The span is personal
        data, sealed under the item's key like the text it comes from."""

        span: Personal

        def apply(self, item: Item) -> None:
            item.redactions = (*item.redactions, self.span)

    class ConsentRecorded(ArchiveAggregate.Event):
        consent: Consent

        def apply(self, item: Item) -> None:
            item.consent = self.consent

    class ConsentUpdated(ArchiveAggregate.Event):
        consent: Consent
        #: A curator confirmed the change with the contributor (events before this field: no).
        contributor_asked: bool = False

        def apply(self, item: Item) -> None:
            item.consent = self.consent
            by_contributor = self.by.is_contributor
            if not by_contributor:
                item.consent_request = None  # a curator's update answers the request
            if by_contributor or self.contributor_asked:
                item._chosen_by_contributor(self.consent, self.timestamp)

    class ConsentChangeRequested(ArchiveAggregate.Event):
        """The contributor asked for consent that shows more; a curator confirms it first."""

        request: dict[str, Any]  # the request's plain form (``ConsentRequest.codes``), as always stored

        @property
        def asked(self) -> ConsentRequest:
            """The request, as a value."""
            return ConsentRequest.from_codes(self.request, self.timestamp)

        def apply(self, item: Item) -> None:
            item.consent_request = self.asked
            item._chosen_by_contributor(item.consent, self.timestamp)

    class ConsentRequestDeclined(ArchiveAggregate.Event):
        def apply(self, item: Item) -> None:
            item.consent_request = None
            if self.by.is_contributor:  # they cancelled their own request
                item._chosen_by_contributor(item.consent, self.timestamp)

    class ConsentWithdrawn(ArchiveAggregate.Event):
        def apply(self, item: Item) -> None:
            item.consent = None
            item.consent_request = None
            item.withdrawn_at = self.timestamp
            item.withdrawn_by = self.actor

    # State set by the events above (eventsourcing turns class annotations on an aggregate
    # into fields of its created event, so they are listed here in words only):
    # contributor_id, details (Personal), images (image id -> Personal), consent,
    # withdrawn_at, withdrawn_by, consent_request (what the contributor asked to widen),
    # redactions (the spans curators redacted, each a Personal string); contributors_choice and
    # contributors_choice_at (the consent as the contributor last left it, by their own change
    # or one a curator confirmed with them, and when; None if never).
    # No annotations at run time: they would become fields of the created event. The type
    # checker reads them from this block, which never runs.
    if TYPE_CHECKING:
        contributor_id: UUID
        details: Personal
        images: dict[str, Personal]
        consent: Consent | None
        withdrawn_at: datetime | None
        withdrawn_by: str | None
        consent_request: ConsentRequest | None
        redactions: tuple[Personal, ...]
        contributors_choice: Consent | None
        contributors_choice_at: datetime | None
    consent_request = None
    redactions = ()
    contributors_choice = None
    contributors_choice_at = None

    #: Snapshots of version 1 hold ``consent_request`` as a plain dict (``ConsentRequest.stored``).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot's state from before the request was a value (eventsourcing calls it)."""
        stored = state.get("consent_request")
        if stored is not None:
            state["consent_request"] = ConsentRequest.from_stored(stored)

    @classmethod
    def record(
        cls, *, item_id: UUID, contributor_id: UUID, details: dict[str, Any], actor: Actor
    ) -> Item:
        """Record a new item; its content is owned by (and encrypted for) the item itself."""
        return cls._create(
            cls.Recorded,
            id=item_id,
            actor=actors.check(actor),
            contributor_id=contributor_id,
            details=Personal.of(item_id, details),
        )

    # -- state ---------------------------------------------------------------------------

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_redacted(self) -> bool:
        """True when the content key is gone: the item's content cannot be read any more."""
        return self.details.redacted

    def status(self, on: date) -> ConsentStatus:
        """The consent status of this item on the day ``on``."""
        return ConsentStatus.of(
            withdrawn=self.is_withdrawn,
            recorded=self.consent is not None,
            expires_on=self.consent.expires_on if self.consent is not None else None,
            on=on,
        )

    def allows(self, scope: Scope, on: date) -> bool:
        """Does current consent allow ``scope`` on the day ``on``?"""
        return (
            not self.is_withdrawn
            and not self.is_redacted
            and self.consent is not None
            and self.consent.allows(scope, on)
        )

    def image_facts(self, image_id: str) -> ImageFacts:
        """The facts of an attached image's stored files (none once the item is shredded)."""
        image = self.images[image_id].reveal(None)
        return ImageFacts.from_plain(image.get("media") if isinstance(image, Mapping) else None)

    def detail(self, name: str, default: Any = None) -> Any:
        """One descriptive field, or ``default`` when absent or redacted."""
        values = self.details.reveal(None)
        if not values:
            return default
        return values.get(name, default)

    # -- commands ------------------------------------------------------------------------

    def _check_editable(self) -> None:
        if self.is_withdrawn:
            raise ItemWithdrawn(
                "This item's consent was withdrawn; it can no longer be changed."
            )

    def revise(self, details: dict[str, Any], actor: Actor) -> None:
        """Replace the item's descriptive fields (already validated for its kind)."""
        self._check_editable()
        self.trigger_event(
            self.Revised, actor=actors.check(actor), details=Personal.of(self.id, details)
        )

    def add_image(self, image_id: UUID, image: dict[str, Any], actor: Actor) -> None:
        """Attach an image (a reference to stored media, never bytes) with its alt text."""
        self._check_editable()
        if str(image_id) in self.images:
            raise InvalidValue("This image is already attached to the item.")
        if len(self.images) >= MAX_IMAGES:
            raise InvalidValue("An item can have at most %(max)d images.", max=MAX_IMAGES)
        image = _with_alt_text(image)
        self.trigger_event(
            self.ImageAdded,
            actor=actors.check(actor),
            image_id=image_id,
            image=Personal.of(self.id, image),
        )

    def revise_image(self, image_id: UUID, image: dict[str, Any], actor: Actor) -> None:
        """Replace an image's alt text, caption or media facts."""
        self._check_editable()
        if str(image_id) not in self.images:
            raise InvalidValue("No such image on this item.")
        image = _with_alt_text(image)
        self.trigger_event(
            self.ImageRevised,
            actor=actors.check(actor),
            image_id=image_id,
            image=Personal.of(self.id, image),
        )

    def remove_image(self, image_id: UUID, actor: Actor) -> None:
        self._check_editable()
        if str(image_id) not in self.images:
            raise InvalidValue("No such image on this item.")
        self.trigger_event(self.ImageRemoved, actor=actors.check(actor), image_id=image_id)

    def redact_span(self, span: str, actor: Actor) -> None:
        """Leave ``span`` (a word or phrase of the item's text) out of everything shown of
        the item, for good. Redacting a span already redacted records nothing."""
        self._check_editable()
        text = " ".join((span or "").split())
        if not any(ch.isalnum() for ch in text):
            raise InvalidValue("Say which word or phrase to redact.")
        if len(text) > MAX_REDACTED_SPAN:
            raise InvalidValue("A redacted span can be at most %(max)d characters long.", max=MAX_REDACTED_SPAN)
        if any(redaction.reveal() == text for redaction in self.redactions):
            return
        self.trigger_event(self.SpanRedacted, actor=actors.check(actor), span=Personal.of(self.id, text))

    @property
    def redacted_spans(self) -> list[str]:
        """The spans curators redacted (none once the item's content is shredded)."""
        return [redaction.value for redaction in self.redactions if not redaction.redacted]

    def record_consent(self, consent: Consent, actor: Actor) -> None:
        """Record the contributor's first consent for this item."""
        if self.is_withdrawn:
            raise ItemWithdrawn("Consent was withdrawn for this item; it cannot be given again.")
        if self.consent is not None:
            raise ConsentError("Consent is already recorded for this item; update it instead.")
        self.trigger_event(self.ConsentRecorded, actor=actors.check(actor), consent=consent)

    def update_consent(self, consent: Consent, actor: Actor, *, contributor_asked: bool = False) -> None:
        """Change scopes, attribution or expiry of the consent already recorded.

        Nobody but the contributor may show more than the contributor's own latest choice
        (:attr:`contributors_choice`) unless ``contributor_asked``: the actor confirmed the
        change with the contributor, and the event records that they did. Otherwise
        ``WideningNeedsConfirmation`` says what the contributor chose, and when.
        """
        if self.is_withdrawn:
            raise ItemWithdrawn("Consent was withdrawn for this item; it cannot be changed.")
        if self.consent is None:
            raise ConsentError("No consent is recorded for this item yet; record it first.")
        by_contributor = actors.Actor.of(actor).is_contributor
        if not by_contributor and not contributor_asked and self.contributors_choice is not None:
            widening = widening_past(self.contributors_choice, consent)
            if widening:
                raise WideningNeedsConfirmation(self.contributors_choice, self.contributors_choice_at, widening)
        self.trigger_event(
            self.ConsentUpdated,
            actor=actors.check(actor),
            consent=consent,
            contributor_asked=bool(contributor_asked) and not by_contributor,
        )

    def request_consent_change(self, request: Mapping[str, object], actor: Actor) -> None:
        """Record the contributor's wish to widen consent: ``request`` is what it asks for, as
        codes (``SplitChange.widening`` of ``domain.consent.split_change``)."""
        if self.is_withdrawn:
            raise ItemWithdrawn("Consent was withdrawn for this item; it cannot be changed.")
        if self.consent is None:
            raise ConsentError("No consent is recorded for this item yet; record it first.")
        if not request:
            raise InvalidValue("A consent request must ask for something.")
        asked = ConsentRequest.from_codes(request, clock.now())  # refuses what no request asks
        self.trigger_event(self.ConsentChangeRequested, actor=actors.check(actor), request=asked.codes())

    def decline_consent_request(self, actor: Actor) -> None:
        """Close the contributor's pending request without changing consent."""
        if self.consent_request is None:
            raise ConsentError("There is no pending request from the contributor.")
        self.trigger_event(self.ConsentRequestDeclined, actor=actors.check(actor))

    def withdraw(self, actor: Actor) -> None:
        """Withdraw consent for good. Nothing of the item may be shown again."""
        if self.is_withdrawn:
            raise ItemWithdrawn("Consent for this item was already withdrawn.")
        self.trigger_event(self.ConsentWithdrawn, actor=actors.check(actor))

    def _chosen_by_contributor(self, consent: Consent | None, at: datetime) -> None:
        self.contributors_choice = consent
        self.contributors_choice_at = at


class Artwork(Item):
    """A work of art: title, year, medium, dimensions, description, series, images."""

    kind = ARTWORK

    @property
    def title(self) -> dict[str, str]:
        return cast("dict[str, str]", self.detail("title", {}))


class Testimony(Item):
    """A testimony: its text per language, original language, content note."""

    kind = TESTIMONY

    @property
    def title(self) -> dict[str, str]:
        return cast("dict[str, str]", self.detail("title", {}))
