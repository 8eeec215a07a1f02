"""Contributors as curators register them: their record, its revisions, their consent code.

A service of the application (``archive.contributors``), not a part of it: it reads and saves
through the application's public methods (:class:`ContributorRecords`). A person's name,
pseudonym and contact are sealed under their own data key, made with their record.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from archive.credentials import consent_codes
from domain.actor import Actor
from domain.contributors import Contributor, contributor_profile
from domain.indexes import ConsentCodeIndex, ContributorItems

A = TypeVar("A", bound=Aggregate)


class CodeIndexRecords(Protocol):
    """What issuing a consent code reads: the code index (``find``)."""

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...


class ContributorRecords(CodeIndexRecords, Protocol):
    """What registering contributors needs of the application: public reads and writes.

    :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    def get_contributor(self, contributor_id: UUID) -> Contributor: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...

    def new_subject(self) -> AbstractContextManager[UUID]: ...


def new_consent_code(
    records: CodeIndexRecords, contributor: Contributor, actor: Actor
) -> tuple[str, list[Aggregate]]:
    """A new consent code for the contributor, and the aggregates it changed (the contributor,
    the new code's index record, the old one's if it is retired), to be saved together.
    Recording consent issues the first code this way, in the same transaction as the consent."""
    changed: list[Aggregate] = [contributor]
    if contributor.consent_code_hash is not None:
        old = records.find(ConsentCodeIndex, ConsentCodeIndex.id_for(contributor.consent_code_hash))
        if old is not None and not old.retired:
            old.retire(actor)
            changed.append(old)
    code = consent_codes.new_code()
    digest = consent_codes.code_hash(code)
    contributor.issue_consent_code(digest, actor)
    changed.append(
        ConsentCodeIndex.create(code_hash=digest, contributor_id=contributor.id, actor=actor)
    )
    return code, changed


class ContributorRegistry:
    """Use cases for curators keeping contributors' records."""

    def __init__(self, records: ContributorRecords, end_portal_sessions: Callable[[UUID], object]):
        """``records`` the application; ``end_portal_sessions`` ends every portal session of
        a contributor (``CuratorAccess.end_portal_sessions``)."""
        self.records = records
        self.end_portal_sessions = end_portal_sessions

    def register_contributor(
        self, *, name: str, actor: Actor, pseudonym: str | None = None, contact: str | None = None
    ) -> UUID:
        """Register a person; their name, pseudonym and contact are encrypted under their own key."""
        profile = contributor_profile(name=name, pseudonym=pseudonym, contact=contact)
        with self.records.new_subject() as contributor_id:
            contributor = Contributor.register(
                contributor_id=contributor_id, profile=profile, actor=actor
            )
            listing = ContributorItems.create(contributor_id=contributor_id, actor=actor)
            self.records.save_changes(contributor, listing)
        return contributor_id

    def revise_contributor(
        self,
        contributor_id: UUID,
        *,
        actor: Actor,
        name: str,
        pseudonym: str | None = None,
        contact: str | None = None,
    ) -> None:
        contributor = self.records.get_contributor(contributor_id)
        contributor.revise_profile(
            contributor_profile(name=name, pseudonym=pseudonym, contact=contact), actor
        )
        self.records.save_changes(contributor)

    def issue_consent_code(self, contributor_id: UUID, actor: Actor) -> str:
        """Issue a new consent code for a contributor; any previous code stops working, and
        every portal session opened with it ends."""
        contributor = self.records.get_contributor(contributor_id)
        code, changed = new_consent_code(self.records, contributor, actor)
        self.records.save_changes(*changed)
        self.end_portal_sessions(contributor_id)
        return code
