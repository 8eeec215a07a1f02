"""Consent: recording it, changing it, and withdrawing it, for good.

A service of the application (``archive.consent``), not a part of it: it reads and saves
through the application's public methods (:class:`ConsentRecords`). Withdrawing keeps one
order, whoever withdraws (a curator here, a contributor through ``archive.self_service``):
the withdrawal is saved first; then the item's data key is shredded, its media noted for
deletion in the same transaction of the key table; then the media are deleted, waiting a
short while at most. Whatever an interrupted process left of that is finished by
:meth:`ConsentAndWithdrawal.finish_interrupted_withdrawals` and
:meth:`ConsentAndWithdrawal.delete_pending_media`, which every process and the follower run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEventProtocol

from archive.media_ports import files as media_files
from archive.media_ports.ports import MediaError, MediaStore
from archive.services.cataloguing import check_may_act
from archive.services.contributors import new_consent_code
from archive.shredding.keystore import KeyStore
from domain import actor as actors
from domain import clock
from domain.actor import Actor
from domain.consent import Consent, parse_attribution, parse_scopes
from domain.contributors import Contributor
from domain.errors import ConsentError, InvalidValue, ItemWithdrawn
from domain.exhibitions import Exhibition
from domain.items import Artwork, Item, Testimony

A = TypeVar("A", bound=Aggregate)

log = logging.getLogger(__name__)

#: The key table's record of how far through the event log every withdrawal's keys are shredded.
WITHDRAWALS_CHECKED = "withdrawals_checked"


@dataclass(frozen=True)
class ConsentReceipt:
    """What a curator hands the contributor after recording consent.

    ``code`` is present only when a new consent code was issued: it is shown exactly once
    and never stored. Otherwise the contributor's existing code covers this item too.
    """

    item_id: UUID
    contributor_id: UUID
    recorded_at: datetime
    code: str | None


class ConsentRecords(Protocol):
    """What consent needs of the application: its key table and media storage, public reads
    of aggregates and of the log, and atomic saves; nothing private.

    :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    @property
    def keys(self) -> KeyStore: ...

    @property
    def media(self) -> MediaStore | None: ...

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def get_item(self, item_id: UUID) -> Item: ...

    def get_contributor(self, contributor_id: UUID) -> Contributor: ...

    def check_based_on(self, aggregate: Aggregate, based_on: int | None) -> None: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...

    def recorded_among(self, subject_ids: Sequence[UUID]) -> set[UUID]: ...

    def last_position(self) -> int: ...

    def originator_ids(
        self, *event_types: type[Any], start: int = 1, stop: int | None = None
    ) -> Iterator[UUID]: ...

    def recorded_events(
        self, *event_types: type[Any], start: int = 1, stop: int | None = None
    ) -> Iterator[DomainEventProtocol[UUID]]: ...


class ConsentAndWithdrawal:
    """Use cases for an item's consent: recording and changing it, withdrawing it, and
    making what a withdrawal or an erasure forgets unrecoverable."""

    #: How long a withdrawal waits for the media storage to delete the item's files before it
    #: answers anyway (the key is shredded by then; the follower finishes the deletion).
    media_deletion_wait_seconds = 2.0

    def __init__(self, records: ConsentRecords):
        self.records = records

    def record_consent(
        self,
        item_id: UUID,
        *,
        actor: Actor,
        scopes: Iterable[str],
        attribution: str,
        text_version: str,
        expires_on: date | None = None,
        based_on: int | None = None,
    ) -> ConsentReceipt:
        """Record the contributor's consent for an item.

        Issues the contributor's consent code if they have none yet; the receipt carries it
        (shown once). The item, contributor and code index are saved atomically. ``based_on``
        is the version of the item the curator saw (see ``ExhibitionArchive.check_based_on``).
        """
        item = self.records.get_item(item_id)
        self.records.check_based_on(item, based_on)
        contributor = self.records.get_contributor(item.contributor_id)
        consent = self._consent(contributor, actor, scopes, attribution, text_version, expires_on)
        item.record_consent(consent, actor)
        code = None
        changed: list[Aggregate] = [item]
        if not contributor.has_consent_code:
            code, more = new_consent_code(self.records, contributor, actor)
            changed.extend(more)
        self.records.save_changes(*changed)
        return ConsentReceipt(item.id, contributor.id, consent.recorded_at, code)

    def update_consent(
        self,
        item_id: UUID,
        *,
        actor: Actor,
        scopes: Iterable[str] | None = None,
        attribution: str | None = None,
        text_version: str | None = None,
        expires_on: date | None | str = "unchanged",
        based_on: int | None = None,
        contributor_asked: bool = False,
    ) -> Consent:
        """Change the scopes, attribution or expiry of an item's consent.

        ``based_on`` is the version of the item the change was made on (see
        ``ExhibitionArchive.check_based_on``). Showing more than the contributor's own latest choice is
        refused (``WideningNeedsConfirmation``) unless ``contributor_asked``: the curator
        confirmed it with the contributor, which the event records.
        """
        item = self.records.get_item(item_id)
        check_may_act(item, actor)
        self.records.check_based_on(item, based_on)
        if item.is_withdrawn:
            raise ItemWithdrawn("Consent was withdrawn for this item; it cannot be changed.")
        if item.consent is None:
            raise ConsentError("No consent is recorded for this item yet; record it first.")
        current = item.consent
        contributor = self.records.get_contributor(item.contributor_id)
        consent = self._consent(
            contributor,
            actor,
            current.scopes if scopes is None else scopes,
            current.attribution if attribution is None else attribution,
            current.text_version if text_version is None else text_version,
            current.expires_on if expires_on == "unchanged" else expires_on,  # type: ignore[arg-type]
        )
        item.update_consent(consent, actor, contributor_asked=contributor_asked)
        self.records.save_changes(item)
        return consent

    def decline_consent_request(self, item_id: UUID, *, actor: Actor, based_on: int | None = None) -> None:
        """Close a contributor's pending request to widen consent, leaving consent as it is."""
        item = self.records.get_item(item_id)
        check_may_act(item, actor)
        self.records.check_based_on(item, based_on)
        item.decline_consent_request(actor)
        self.records.save_changes(item)

    def withdraw(self, item_id: UUID, *, actor: Actor) -> datetime:
        """Withdraw consent for an item, for good, and shred its data key.

        Repeating a withdrawal is harmless: it returns the time of the first one. The key is
        shredded after the withdrawal is saved; if that fails, the next call (or
        :meth:`finish_interrupted_withdrawals`) completes it.
        """
        item = self.records.get_item(item_id)
        check_may_act(item, actor)
        if not item.is_withdrawn:
            item.withdraw(actor)
            self.records.save_changes(item)
        self.make_unrecoverable([item.id], None)
        assert item.withdrawn_at is not None
        return item.withdrawn_at

    def make_unrecoverable(
        self, item_ids: list[UUID], contributor_id: UUID | None, texts_keys: Iterable[UUID] = ()
    ) -> None:
        """Shred the keys (everything sealed becomes noise), noting the items' media for
        deletion in the same transaction; then delete the media, waiting a short while at most.
        ``texts_keys`` are the keys of exhibition texts that named an erased contributor.

        Only after the withdrawal or erasure that calls for it is saved."""
        subjects = [*item_ids, *([contributor_id] if contributor_id else []), *texts_keys]
        if subjects:
            self.records.keys.shred(*subjects, media_of=item_ids)
        self._delete_media_within(item_ids, self.media_deletion_wait_seconds)

    def delete_pending_media(self) -> int:
        """Delete the media objects (every version) of withdrawn items whose deletion is
        pending; return how many items still have some.

        Their keys are shredded already, so what is left cannot be decrypted: this removes the
        ciphertext. Each failure is logged (the item's id and the storage's one-line reason,
        nothing else) and left pending; the follower calls this until nothing is.
        """
        return self._delete_media_of(self.records.keys.pending_media_deletions())

    def media_removal_pending(self, item_ids: Iterable[UUID]) -> bool:
        """Whether stored copies of any of these (withdrawn) items are still being deleted."""
        return not set(item_ids).isdisjoint(self.records.keys.pending_media_deletions())

    def _delete_media_within(self, item_ids: list[UUID], seconds: float) -> bool:
        """Delete the items' media, waiting at most ``seconds`` (True if all done by then).

        A stalled storage must not hold up the answer to the person withdrawing: what is not
        done in time carries on in the background and stays pending for the follower.
        """
        if not item_ids:
            return True
        finished = threading.Event()

        def delete() -> None:
            try:
                self._delete_media_of(item_ids)
            finally:
                finished.set()

        threading.Thread(target=delete, name="withdrawn-media-deletion", daemon=True).start()
        if finished.wait(seconds):
            return True
        log.warning(
            "Media deletion of withdrawn item(s) %s still running after %.1f s; the follower will retry it.",
            ", ".join(map(str, item_ids)), seconds,
        )
        return False

    def _delete_media_of(self, item_ids: list[UUID]) -> int:
        """Delete each item's media objects and clear its pending note; return how many failed."""
        failed = 0
        for item_id in item_ids:
            if self.records.media is not None:
                try:
                    self.records.media.delete_prefix(media_files.item_prefix(item_id))
                except MediaError as error:
                    log.warning("Media of withdrawn item %s not deleted yet (will retry): %s", item_id, error)
                    failed += 1
                    continue
            self.records.keys.media_deleted(item_id)
        return failed

    def finish_interrupted_withdrawals(self) -> int:
        """Shred the keys of withdrawn items and erased contributors whose shredding was
        interrupted (the process died after saving the event); return how many.

        Every process runs this when it opens the archive, and the follower keeps running it.
        It reads only the events after the position up to which the last complete run found
        every key shredded (kept in the key table), so it costs little when nothing happened.
        Also completes physical purges left pending in the key table. The items' media are
        noted for deletion (see :meth:`delete_pending_media`), not deleted here.
        """
        checked = self.records.keys.progress(WITHDRAWALS_CHECKED)
        end = self.records.last_position()
        withdrawn = (Artwork.ConsentWithdrawn, Testimony.ConsentWithdrawn)
        # subject id: whether it is an item (a contributor has no media)
        subjects = dict.fromkeys(self.records.originator_ids(*withdrawn, start=checked + 1, stop=end), True)
        erased = self.records.originator_ids(Contributor.PersonalDataErased, start=checked + 1, stop=end)
        subjects.update(dict.fromkeys(erased, False))
        subjects.update(dict.fromkeys(self._texts_keys_to_shred(checked + 1, end), False))
        pending = [subject for subject in subjects if self.records.keys.exists(subject)]
        if pending:
            # The media are only noted: a stalled storage must not hold up a process's start.
            self.records.keys.shred(*pending, media_of=[subject for subject in pending if subjects[subject]])
        else:
            self.records.keys.complete_pending_purges()
        if end > checked:
            self.records.keys.advance(WITHDRAWALS_CHECKED, end)
        return len(pending)

    def _texts_keys_to_shred(self, start: int, stop: int) -> list[UUID]:
        """The texts keys that ``NamesWithheld`` events between the positions list."""
        return [
            key
            for event in self.records.recorded_events(Exhibition.NamesWithheld, start=start, stop=stop)
            for key in cast(Exhibition.NamesWithheld, event).shredded
        ]

    def shred_abandoned_reservations(self) -> int:
        """Shred the keys a process reserved and never used before it died; return how many.

        A process takes a reserved key within minutes or never (see ``KeyStore.reserve``), so
        a reservation older than ``ABANDONED_AFTER_SECONDS`` whose subject has no event was
        left by a process that died, perhaps after storing media sealed with it: the key is
        shredded and the subject's media noted for deletion. Every process runs this when it
        opens the archive, and the follower keeps running it; it reads only the reservations
        not yet settled, so it costs little.
        """
        abandoned = self.records.keys.abandoned_reservations()
        if not abandoned:
            return 0
        used = self.records.recorded_among(abandoned)  # a few queries, not one per reservation
        unused = [subject for subject in abandoned if subject not in used]
        if used:
            self.records.keys.reservations_used(*used)
        if unused:
            self.records.keys.shred(*unused, media_of=unused)
        return len(unused)

    def _consent(
        self,
        contributor: Contributor,
        actor: Actor,
        scopes: Iterable[Any],
        attribution: Any,
        text_version: str,
        expires_on: date | None,
    ) -> Consent:
        if contributor.is_erased:
            raise InvalidValue(
                "This contributor's details were erased at their request; register them again if they return."
            )
        parsed = parse_attribution(attribution)
        if parsed.value == "pseudonym" and not contributor.pseudonym:
            raise InvalidValue(
                "Attribution by pseudonym needs a pseudonym on the contributor's record."
            )
        return Consent(
            scopes=parse_scopes(scopes),
            attribution=parsed,
            text_version=(text_version or "").strip(),
            recorded_by=actors.check(actor),
            recorded_at=clock.now(),
            expires_on=expires_on,
        )
