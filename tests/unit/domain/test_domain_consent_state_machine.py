"""Consent's life cycle on an item, checked against a model by a hypothesis state machine.

The model knows only: has consent been recorded, is it withdrawn, the current consent value
(scopes, attribution, expiry), the consent as the contributor last set it, and 'today'. Every command is sent to the real ``Artwork``
whatever the state, and the model says whether it must succeed or which error it must raise.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from uuid import uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.consent import Attribution, Consent, ConsentStatus, Scope
from domain.errors import ConsentError, DomainError, InvalidValue, ItemWithdrawn, WideningNeedsConfirmation
from domain.items import Artwork, artwork_details, image_details
from tests.support.strategies import typed_text

CURATOR = "curator:aigerim"
START = date(2024, 3, 1)

scope_sets = st.frozensets(st.sampled_from(list(Scope)))
attributions = st.sampled_from(list(Attribution))
expiry_offsets = st.none() | st.integers(min_value=0, max_value=12)
actors = st.sampled_from([CURATOR, "curator:dana", "system:demo", f"contributor:{uuid4()}"])
not_actors = st.sampled_from(["", "nobody", "curator:", "admin:root", ":x"])



def consent_on(day: date, scopes, attribution, expiry_offset, text_version="v1") -> Consent:
    return Consent(
        scopes=scopes,
        attribution=attribution,
        text_version=text_version,
        recorded_by=CURATOR,
        recorded_at=datetime.combine(day, time(10, 0), tzinfo=timezone.utc),
        expires_on=None if expiry_offset is None else day + timedelta(days=expiry_offset),
    )


class ConsentLifeCycle(RuleBasedStateMachine):
    """Real item versus a small model of what its consent should be."""

    @initialize(title=typed_text(min_size=1, max_size=20))
    def record_the_item(self, title):
        self.item = Artwork.record(
            item_id=uuid4(),
            contributor_id=uuid4(),
            details=artwork_details(title={"en": title}),
            actor=CURATOR,
        )
        self.today = START
        self.recorded = False
        self.withdrawn = False
        self.consent: Consent | None = None
        self.contributors_choice: Consent | None = None
        self.events = 1
        self.image_ids: list = []
        self.title = title.strip()

    # -- helpers -------------------------------------------------------------------------

    def expect(self, command, error: type[DomainError] | None) -> None:
        """Run ``command``; it raises ``error`` and changes nothing, or succeeds with one event."""
        version = self.item.version
        pending = list(self.item.pending_events)
        if error is None:
            command()
            self.events += 1
            assert self.item.version == version + 1
            assert len(self.item.pending_events) == len(pending) + 1
            assert self.item.pending_events[:-1] == pending
        else:
            with pytest.raises(error):
                command()
            assert self.item.version == version
            assert self.item.pending_events == pending

    def refusal_when_withdrawn(self) -> type[DomainError] | None:
        return ItemWithdrawn if self.withdrawn else None

    def shows_more_than_the_contributor_chose(self, consent: Consent) -> bool:
        choice = self.contributors_choice
        if choice is None:
            return False
        breadth = {Attribution.ANONYMOUS: 0, Attribution.PSEUDONYM: 1, Attribution.NAMED: 2}
        later = choice.expires_on is not None and (consent.expires_on is None or consent.expires_on > choice.expires_on)
        return (
            breadth[consent.attribution] > breadth[choice.attribution]
            or not consent.scopes <= choice.scopes
            or later
        )

    # -- rules ---------------------------------------------------------------------------

    @rule(scopes=scope_sets, attribution=attributions, expiry=expiry_offsets, who=actors)
    def record_consent(self, scopes, attribution, expiry, who):
        consent = consent_on(self.today, scopes, attribution, expiry)
        if self.withdrawn:
            error = ItemWithdrawn
        elif self.recorded:
            error = ConsentError  # record-after-record
        else:
            error = None
        self.expect(lambda: self.item.record_consent(consent, who), error)
        if error is None:
            self.recorded = True
            self.consent = consent

    @rule(scopes=scope_sets, attribution=attributions, expiry=expiry_offsets, who=actors, asked=st.booleans())
    def update_consent(self, scopes, attribution, expiry, who, asked):
        consent = consent_on(self.today, scopes, attribution, expiry, text_version="v2")
        by_contributor = who.startswith("contributor:")
        if self.withdrawn:
            error = ItemWithdrawn
        elif not self.recorded:
            error = ConsentError  # update-before-record
        elif not by_contributor and not asked and self.shows_more_than_the_contributor_chose(consent):
            error = WideningNeedsConfirmation  # past the contributor's own latest choice
        else:
            error = None
        self.expect(lambda: self.item.update_consent(consent, who, contributor_asked=asked), error)
        if error is None:
            self.consent = consent
            if by_contributor or asked:
                self.contributors_choice = consent

    @rule(who=actors)
    def withdraw(self, who):
        error = self.refusal_when_withdrawn()
        self.expect(lambda: self.item.withdraw(who), error)
        if error is None:
            self.withdrawn = True
            self.consent = None
            assert self.item.withdrawn_by == who

    @rule(title=typed_text(min_size=1, max_size=20))
    def revise(self, title):
        details = artwork_details(title={"en": title}, year=2020)
        error = self.refusal_when_withdrawn()
        self.expect(lambda: self.item.revise(details, CURATOR), error)
        if error is None:
            self.title = title.strip()

    @rule(alt=typed_text(min_size=1, max_size=20), again=st.booleans())
    def add_image(self, alt, again):
        reuse = again and bool(self.image_ids)
        image_id = self.image_ids[0] if reuse else uuid4()
        image = image_details(alt_text={"en": alt})
        if self.withdrawn:
            error = ItemWithdrawn
        elif reuse:
            error = InvalidValue  # the same image twice
        else:
            error = None
        self.expect(lambda: self.item.add_image(image_id, image, CURATOR), error)
        if error is None:
            self.image_ids.append(image_id)

    @rule(
        command=st.sampled_from(["record", "update", "withdraw", "revise", "add_image"]),
        who=not_actors,
    )
    def a_command_without_a_real_actor_changes_nothing(self, command, who):
        consent = consent_on(self.today, {Scope.EXHIBIT}, Attribution.NAMED, None)
        commands = {
            "record": lambda: self.item.record_consent(consent, who),
            "update": lambda: self.item.update_consent(consent, who),
            "withdraw": lambda: self.item.withdraw(who),
            "revise": lambda: self.item.revise(artwork_details(title={"en": "x"}), who),
            "add_image": lambda: self.item.add_image(
                uuid4(), image_details(alt_text={"en": "x"}), who
            ),
        }
        self.expect(commands[command], DomainError)

    @rule(days=st.integers(min_value=0, max_value=6))
    def time_passes(self, days):
        self.today += timedelta(days=days)

    # -- invariants ----------------------------------------------------------------------

    def expected_status(self, on: date) -> ConsentStatus:
        if self.withdrawn:
            return ConsentStatus.WITHDRAWN
        if not self.recorded:
            return ConsentStatus.NOT_RECORDED
        assert self.consent is not None
        if self.consent.expires_on is not None and on > self.consent.expires_on:
            return ConsentStatus.EXPIRED
        return ConsentStatus.GIVEN

    @invariant()
    def status_agrees_with_the_model(self):
        assert self.item.status(self.today) == self.expected_status(self.today)
        assert self.item.is_withdrawn == self.withdrawn
        if self.consent is not None and self.consent.expires_on is not None:
            expires = self.consent.expires_on
            # The expiry day itself is still allowed; EXPIRED from the day after.
            assert self.item.status(expires) == ConsentStatus.GIVEN
            assert self.item.status(expires + timedelta(days=1)) == ConsentStatus.EXPIRED

    @invariant()
    def allows_only_a_given_unexpired_consent_with_that_scope(self):
        for scope in Scope:
            for day in (self.today, self.today + timedelta(days=3)):
                expected = (
                    self.expected_status(day) == ConsentStatus.GIVEN
                    and self.consent is not None
                    and scope in self.consent.scopes
                )
                assert self.item.allows(scope, day) == expected

    @invariant()
    def the_current_consent_is_the_last_one_recorded(self):
        assert self.item.consent == self.consent
        if self.consent is not None:
            assert self.item.consent.attribution == self.consent.attribution
            assert self.item.consent.scopes == self.consent.scopes

    @invariant()
    def the_contributors_choice_is_their_last_own_or_confirmed_change(self):
        assert self.item.contributors_choice == self.contributors_choice

    @invariant()
    def every_successful_command_is_one_event(self):
        assert self.item.version == self.events
        assert len(self.item.pending_events) == self.events

    @invariant()
    def content_and_images_are_as_last_changed(self):
        assert self.item.title == {"en": self.title}
        assert sorted(self.item.images) == sorted(str(i) for i in self.image_ids)


ConsentLifeCycle.TestCase.settings = settings(
    max_examples=75, stateful_step_count=30, deadline=None
)
test_consent_life_cycle_follows_the_model = ConsentLifeCycle.TestCase


# -- a few plain examples of the same rules ------------------------------------------------


def _artwork() -> Artwork:
    return Artwork.record(
        item_id=uuid4(),
        contributor_id=uuid4(),
        details=artwork_details(title={"en": "Quilt"}),
        actor=CURATOR,
    )


def test_consent_is_still_given_on_its_expiry_day_and_expired_the_day_after():
    item = _artwork()
    item.record_consent(consent_on(START, {Scope.EXHIBIT}, Attribution.NAMED, 5), CURATOR)
    last_day = START + timedelta(days=5)

    assert item.status(last_day) == ConsentStatus.GIVEN
    assert item.allows(Scope.EXHIBIT, last_day)
    assert item.status(last_day + timedelta(days=1)) == ConsentStatus.EXPIRED
    assert not item.allows(Scope.EXHIBIT, last_day + timedelta(days=1))


def test_an_expired_consent_can_be_renewed_by_an_update():
    item = _artwork()
    item.record_consent(consent_on(START, {Scope.EXHIBIT}, Attribution.NAMED, 0), CURATOR)
    later = START + timedelta(days=10)
    item.update_consent(consent_on(later, {Scope.EXHIBIT}, Attribution.NAMED, None), CURATOR)

    assert item.status(later) == ConsentStatus.GIVEN


def test_a_scope_not_consented_to_is_not_allowed():
    item = _artwork()
    item.record_consent(consent_on(START, {Scope.EXHIBIT}, Attribution.ANONYMOUS, None), CURATOR)

    assert item.allows(Scope.EXHIBIT, START)
    assert not item.allows(Scope.PUBLISH_ONLINE, START)


def test_an_item_can_be_withdrawn_before_consent_was_ever_recorded():
    item = _artwork()
    item.withdraw(CURATOR)

    assert item.status(START) == ConsentStatus.WITHDRAWN
    with pytest.raises(ItemWithdrawn):
        item.record_consent(consent_on(START, set(Scope), Attribution.NAMED, None), CURATOR)


def test_a_consent_expiry_cannot_be_before_the_day_it_is_recorded():
    with pytest.raises(InvalidValue):
        consent_on(START, {Scope.EXHIBIT}, Attribution.NAMED, -1)


def test_a_consent_names_the_version_of_the_text_signed():
    with pytest.raises(InvalidValue):
        consent_on(START, {Scope.EXHIBIT}, Attribution.NAMED, None, text_version="  ")


def test_unknown_scopes_and_attributions_are_refused():
    with pytest.raises(InvalidValue, match="exhibit, publish_online"):
        consent_on(START, {"print"}, Attribution.NAMED, None)
    with pytest.raises(InvalidValue, match="named, pseudonym, anonymous"):
        consent_on(START, {Scope.EXHIBIT}, "secret", None)


def test_scopes_and_attribution_given_as_codes_become_enums():
    consent = consent_on(START, {"exhibit"}, "pseudonym", None)

    assert consent.scopes == frozenset({Scope.EXHIBIT})
    assert consent.attribution is Attribution.PSEUDONYM


def test_a_consent_expiry_given_as_a_datetime_is_refused_as_invalid():
    with pytest.raises(InvalidValue):
        Consent(
            scopes={Scope.EXHIBIT},
            attribution=Attribution.NAMED,
            text_version="v1",
            recorded_by=CURATOR,
            recorded_at=datetime(2024, 3, 1, tzinfo=timezone.utc),
            expires_on=datetime(2024, 4, 1),
        )
