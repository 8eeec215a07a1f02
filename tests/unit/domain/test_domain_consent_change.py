"""A contributor's consent change: split into what narrows (at once) and what widens (a request).

Also the item's request life cycle and the contributor's receipts and erasure, as domain rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import actor as actors
from domain.consent import (
    ATTRIBUTION_BREADTH,
    Attribution,
    Consent,
    ConsentChange,
    ConsentRequest,
    Scope,
    parse_attribution,
    parse_scopes,
    split_change,
)
from domain.contributors import Contributor, Receipt, contributor_profile
from domain.errors import ConsentError, InvalidValue, ItemWithdrawn, WideningNeedsConfirmation
from domain.items import Artwork, artwork_details

CURATOR = actors.curator("aigerim")
START = date(2024, 3, 1)

scope_sets = st.frozensets(st.sampled_from(list(Scope)))
attributions = st.sampled_from(list(Attribution))
expiries = st.none() | st.integers(min_value=0, max_value=30).map(lambda n: START + timedelta(days=n))


def consent(scopes=(Scope.EXHIBIT,), attribution=Attribution.NAMED, expires_on=None) -> Consent:
    return Consent(
        scopes=frozenset(scopes),
        attribution=attribution,
        text_version="v1",
        recorded_by=CURATOR,
        recorded_at=datetime.combine(START, time(10, 0), tzinfo=timezone.utc),
        expires_on=expires_on,
    )


consents = st.builds(consent, scopes=scope_sets, attribution=attributions, expires_on=expiries)
changes = st.builds(ConsentChange, attribution=attributions, scopes=scope_sets, expires_on=expiries)


def widening_as_fields(widening: dict) -> dict:
    """The widening part (codes, as stored on a request) back as fields of a Consent."""
    fields: dict = {}
    for name, value in widening.items():
        if name == "attribution":
            fields[name] = parse_attribution(value)
        elif name == "scopes":
            fields[name] = parse_scopes(value)
        elif name == "expires_on":
            fields[name] = None if value is None else date.fromisoformat(value)
        else:  # pragma: no cover - a field the split should never produce
            raise AssertionError(f"unexpected field {name!r} in the widening part")
    return fields


def as_change(c: Consent) -> ConsentChange:
    return ConsentChange(attribution=c.attribution, scopes=c.scopes, expires_on=c.expires_on)


# -- split_change: properties ------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(current=consents, wanted=changes)
def test_applying_only_the_narrowing_part_never_shows_more_than_before(current, wanted):
    narrowed = replace(current, **split_change(current, wanted).narrowing)

    assert ATTRIBUTION_BREADTH[narrowed.attribution] <= ATTRIBUTION_BREADTH[current.attribution]
    assert narrowed.scopes <= current.scopes
    for day in (START + timedelta(days=n) for n in range(-1, 33)):
        for scope in Scope:
            if narrowed.allows(scope, day):
                assert current.allows(scope, day), (scope, day)


@settings(max_examples=300, deadline=None)
@given(current=consents, wanted=changes)
def test_narrowing_and_widening_together_reconstruct_exactly_the_wanted_change(current, wanted):
    split = split_change(current, wanted)
    result = replace(replace(current, **split.narrowing), **widening_as_fields(split.widening))

    assert as_change(result) == wanted
    assert set(split.narrowing) <= {"attribution", "scopes", "expires_on"}


@settings(max_examples=300, deadline=None)
@given(current=consents, wanted=changes)
def test_the_narrowing_and_widening_parts_are_empty_exactly_when_nothing_changes(current, wanted):
    split = split_change(current, wanted)

    assert split.is_empty == (as_change(current) == wanted)


@settings(max_examples=100, deadline=None)
@given(current=consents)
def test_asking_for_the_consent_as_it_is_is_an_empty_change(current):
    split = split_change(current, as_change(current))

    assert split.is_empty
    assert split.narrowing == {} and split.widening == {}


@settings(max_examples=200, deadline=None)
@given(current=consents, wanted=changes)
def test_the_widening_part_holds_only_plain_codes(current, wanted):
    widening = split_change(current, wanted).widening

    for value in widening.values():
        assert value is None or isinstance(value, (str, list))
    if "scopes" in widening:
        assert widening["scopes"] == sorted(widening["scopes"])
        assert all(isinstance(code, str) and not isinstance(code, Scope) for code in widening["scopes"])
    if "attribution" in widening:
        assert type(widening["attribution"]) is str


# -- split_change: examples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Attribution.NAMED, Attribution.PSEUDONYM),
        (Attribution.NAMED, Attribution.ANONYMOUS),
        (Attribution.PSEUDONYM, Attribution.ANONYMOUS),
    ],
)
def test_a_narrower_credit_is_narrowing(before, after):
    split = split_change(consent(attribution=before), ConsentChange(after, {Scope.EXHIBIT}, None))

    assert split.narrowing == {"attribution": after}
    assert split.widening == {}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Attribution.ANONYMOUS, Attribution.PSEUDONYM),
        (Attribution.ANONYMOUS, Attribution.NAMED),
        (Attribution.PSEUDONYM, Attribution.NAMED),
    ],
)
def test_a_wider_credit_is_a_widening_given_as_its_code(before, after):
    split = split_change(consent(attribution=before), ConsentChange(after, {Scope.EXHIBIT}, None))

    assert split.narrowing == {}
    assert split.widening == {"attribution": after.value}


def test_removing_a_scope_narrows_to_the_scopes_kept():
    current = consent(scopes={Scope.EXHIBIT, Scope.PUBLISH_ONLINE})
    split = split_change(current, ConsentChange(Attribution.NAMED, {Scope.EXHIBIT}, None))

    assert split.narrowing == {"scopes": frozenset({Scope.EXHIBIT})}
    assert split.widening == {}


def test_adding_a_scope_widens_with_every_scope_wanted_as_sorted_codes():
    split = split_change(consent(scopes={Scope.EXHIBIT}), ConsentChange(Attribution.NAMED, set(Scope), None))

    assert split.narrowing == {}
    assert split.widening == {"scopes": ["exhibit", "publish_online"]}


def test_swapping_one_scope_for_another_removes_at_once_and_asks_for_the_other():
    current = consent(scopes={Scope.PUBLISH_ONLINE})
    split = split_change(current, ConsentChange(Attribution.NAMED, {Scope.EXHIBIT}, None))

    assert split.narrowing == {"scopes": frozenset()}
    assert split.widening == {"scopes": ["exhibit"]}


def test_removing_every_scope_narrows_to_nothing():
    current = consent(scopes=set(Scope))
    split = split_change(current, ConsentChange(Attribution.NAMED, set(), None))

    assert split.narrowing == {"scopes": frozenset()}
    assert split.widening == {}


def test_setting_an_expiry_where_there_was_none_is_narrowing():
    day = START + timedelta(days=10)
    split = split_change(consent(), ConsentChange(Attribution.NAMED, {Scope.EXHIBIT}, day))

    assert split.narrowing == {"expires_on": day}
    assert split.widening == {}


def test_an_earlier_expiry_is_narrowing():
    current = consent(expires_on=START + timedelta(days=20))
    earlier = START + timedelta(days=5)
    split = split_change(current, ConsentChange(Attribution.NAMED, {Scope.EXHIBIT}, earlier))

    assert split.narrowing == {"expires_on": earlier}
    assert split.widening == {}


def test_a_later_expiry_is_a_widening_given_as_an_iso_date():
    current = consent(expires_on=START + timedelta(days=5))
    split = split_change(current, ConsentChange(Attribution.NAMED, {Scope.EXHIBIT}, date(2024, 4, 1)))

    assert split.narrowing == {}
    assert split.widening == {"expires_on": "2024-04-01"}


def test_clearing_the_expiry_is_a_widening_to_none():
    current = consent(expires_on=START + timedelta(days=5))
    split = split_change(current, ConsentChange(Attribution.NAMED, {Scope.EXHIBIT}, None))

    assert split.narrowing == {}
    assert split.widening == {"expires_on": None}


def test_one_change_can_narrow_and_widen_different_fields_at_once():
    current = consent(scopes={Scope.EXHIBIT}, attribution=Attribution.NAMED, expires_on=START + timedelta(days=5))
    wanted = ConsentChange(Attribution.ANONYMOUS, set(Scope), None)
    split = split_change(current, wanted)

    assert split.narrowing == {"attribution": Attribution.ANONYMOUS}
    assert split.widening == {"scopes": ["exhibit", "publish_online"], "expires_on": None}
    assert not split.is_empty


def test_a_consent_change_takes_codes_and_refuses_unknown_ones():
    change = ConsentChange("pseudonym", ["exhibit"], None)

    assert change.attribution is Attribution.PSEUDONYM
    assert change.scopes == frozenset({Scope.EXHIBIT})
    with pytest.raises(InvalidValue, match="Unknown attribution"):
        ConsentChange("famous", ["exhibit"], None)
    with pytest.raises(InvalidValue, match="Unknown consent scope"):
        ConsentChange("named", ["print"], None)


# -- the item's request life cycle -------------------------------------------------------------


def an_artwork(with_consent: Consent | None = None) -> Artwork:
    item = Artwork.record(
        item_id=uuid4(), contributor_id=uuid4(), details=artwork_details(title={"en": "Quilt"}), actor=CURATOR
    )
    if with_consent is not None:
        item.record_consent(with_consent, CURATOR)
    return item


def contributor_actor(item: Artwork) -> str:
    return actors.contributor(item.contributor_id)


def test_a_new_item_has_no_pending_request():
    assert an_artwork().consent_request is None


def test_a_request_is_kept_with_its_time_and_leaves_consent_unchanged():
    before = consent(attribution=Attribution.ANONYMOUS)
    item = an_artwork(before)
    item.request_consent_change({"attribution": "named"}, contributor_actor(item))

    assert item.consent == before
    request = item.consent_request
    assert request is not None and request.attribution is Attribution.NAMED
    assert request.requested_at == item.pending_events[-1].timestamp
    assert request.scopes is None and not request.asks_expiry  # nothing else is asked


def test_a_later_request_replaces_the_earlier_one():
    item = an_artwork(consent(attribution=Attribution.ANONYMOUS))
    item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    item.request_consent_change({"expires_on": None}, contributor_actor(item))

    assert item.consent_request.codes() == {"expires_on": None}


def test_an_empty_request_is_refused_and_records_nothing():
    item = an_artwork(consent())
    version = item.version
    with pytest.raises(InvalidValue, match="ask for something"):
        item.request_consent_change({}, contributor_actor(item))
    assert item.version == version
    assert item.consent_request is None


def test_a_request_before_consent_is_recorded_is_refused():
    item = an_artwork()
    with pytest.raises(ConsentError):
        item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    assert item.consent_request is None


def test_a_request_after_withdrawal_is_refused():
    item = an_artwork(consent())
    item.withdraw(contributor_actor(item))
    with pytest.raises(ItemWithdrawn):
        item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    assert item.consent_request is None


def test_a_request_without_a_real_actor_is_refused():
    item = an_artwork(consent())
    with pytest.raises(InvalidValue):
        item.request_consent_change({"attribution": "named"}, "nobody")
    assert item.consent_request is None


def test_declining_closes_the_request_and_keeps_consent():
    before = consent(attribution=Attribution.ANONYMOUS)
    item = an_artwork(before)
    item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    item.decline_consent_request(CURATOR)

    assert item.consent_request is None
    assert item.consent == before
    assert type(item.pending_events[-1]).__name__ == "ConsentRequestDeclined"
    assert item.pending_events[-1].by == CURATOR


def test_declining_when_nothing_is_pending_is_refused():
    item = an_artwork(consent())
    version = item.version
    with pytest.raises(ConsentError, match="no pending request"):
        item.decline_consent_request(CURATOR)
    assert item.version == version


def test_a_curators_update_confirmed_with_the_contributor_answers_the_request():
    item = an_artwork(consent(attribution=Attribution.ANONYMOUS))
    item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    item.update_consent(consent(attribution=Attribution.NAMED), CURATOR, contributor_asked=True)

    assert item.consent_request is None
    assert item.consent.attribution is Attribution.NAMED
    assert item.pending_events[-1].contributor_asked is True
    assert item.contributors_choice == item.consent  # what they confirmed is now their choice


def test_a_curator_cannot_apply_a_request_without_saying_the_contributor_was_asked():
    item = an_artwork(consent(attribution=Attribution.ANONYMOUS))
    item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    version = item.version

    with pytest.raises(WideningNeedsConfirmation) as refused:
        item.update_consent(consent(attribution=Attribution.NAMED), CURATOR)
    assert refused.value.widening == {"attribution": "named"}
    assert refused.value.chosen_at == item.pending_events[-1].timestamp
    assert item.version == version and item.consent.attribution is Attribution.ANONYMOUS


def test_a_curator_cannot_widen_past_the_contributors_own_narrowing():
    item = an_artwork(consent(scopes=(Scope.EXHIBIT, Scope.PUBLISH_ONLINE), attribution=Attribution.NAMED))
    narrowed = consent(scopes=(Scope.EXHIBIT,), attribution=Attribution.ANONYMOUS, expires_on=date(2024, 6, 1))
    item.update_consent(narrowed, contributor_actor(item))
    version = item.version

    wider = [
        consent(scopes=(Scope.EXHIBIT, Scope.PUBLISH_ONLINE), attribution=Attribution.ANONYMOUS, expires_on=date(2024, 6, 1)),
        consent(scopes=(Scope.EXHIBIT,), attribution=Attribution.PSEUDONYM, expires_on=date(2024, 6, 1)),
        consent(scopes=(Scope.EXHIBIT,), attribution=Attribution.ANONYMOUS, expires_on=date(2024, 7, 1)),
        consent(scopes=(Scope.EXHIBIT,), attribution=Attribution.ANONYMOUS, expires_on=None),
    ]
    for change in wider:
        with pytest.raises(WideningNeedsConfirmation) as refused:
            item.update_consent(change, CURATOR)
        assert refused.value.choice == narrowed
    assert item.version == version and item.consent == narrowed


def test_a_curator_may_still_narrow_below_the_contributors_choice_and_back_up_to_it():
    item = an_artwork(consent(scopes=(Scope.EXHIBIT, Scope.PUBLISH_ONLINE), attribution=Attribution.NAMED))
    narrowed = consent(scopes=(Scope.EXHIBIT,), attribution=Attribution.PSEUDONYM, expires_on=date(2024, 6, 1))
    item.update_consent(narrowed, contributor_actor(item))
    item.update_consent(consent(scopes=(), attribution=Attribution.ANONYMOUS, expires_on=date(2024, 5, 1)), CURATOR)
    item.update_consent(narrowed, CURATOR)  # back to exactly what they chose: nothing more

    assert item.consent == narrowed
    assert item.pending_events[-1].contributor_asked is False


def test_the_contributors_own_update_leaves_the_request_pending():
    item = an_artwork(consent(scopes={Scope.EXHIBIT}, attribution=Attribution.PSEUDONYM))
    item.request_consent_change({"scopes": ["exhibit", "publish_online"]}, contributor_actor(item))
    item.update_consent(consent(scopes={Scope.EXHIBIT}, attribution=Attribution.ANONYMOUS), contributor_actor(item))

    assert item.consent.attribution is Attribution.ANONYMOUS
    assert item.consent_request is not None
    assert item.consent_request.scopes == {Scope.EXHIBIT, Scope.PUBLISH_ONLINE}


def test_withdrawal_clears_the_request():
    item = an_artwork(consent(attribution=Attribution.ANONYMOUS))
    item.request_consent_change({"attribution": "named"}, contributor_actor(item))
    item.withdraw(contributor_actor(item))

    assert item.consent_request is None
    with pytest.raises(ConsentError):
        item.decline_consent_request(CURATOR)


# -- contributors: receipts and erasure ---------------------------------------------------------


def a_contributor() -> Contributor:
    return Contributor.register(
        contributor_id=uuid4(),
        profile=contributor_profile(name="Aigerim", pseudonym="A.", contact="a@example.org"),
        actor=CURATOR,
    )


def test_a_receipt_is_kept_and_returned_with_what_was_done_and_requested():
    contributor = a_contributor()
    item_id = uuid4()
    actor = actors.contributor(contributor.id)
    receipt = contributor.issue_receipt(
        reference="R-7K3M-Q9XD",
        action="consent_changed",
        item_ids=[item_id],
        actor=actor,
        done={"attribution": "anonymous"},
        requested={"scopes": ["exhibit", "publish_online"]},
    )

    assert isinstance(receipt, Receipt)
    assert receipt.reference == "R-7K3M-Q9XD"
    assert receipt.action == "consent_changed"
    assert receipt.item_ids == (item_id,)
    assert receipt.at == contributor.pending_events[-1].timestamp
    assert receipt.done == {"attribution": "anonymous"}
    assert receipt.requested == {"scopes": ["exhibit", "publish_online"]}
    assert contributor.receipt("R-7K3M-Q9XD") == receipt
    assert contributor.pending_events[-1].by == actor


def test_receipts_are_listed_oldest_first_and_unknown_references_find_nothing():
    contributor = a_contributor()
    actor = actors.contributor(contributor.id)
    contributor.issue_receipt(reference="R-AAAA-0001", action="consent_changed", item_ids=[], actor=actor)
    contributor.issue_receipt(reference="R-BBBB-0002", action="withdrawn", item_ids=[uuid4()], actor=actor)

    assert [r.reference for r in contributor.receipts] == ["R-AAAA-0001", "R-BBBB-0002"]
    assert [r.action for r in contributor.receipts] == ["consent_changed", "withdrawn"]
    assert contributor.receipt("R-CCCC-0003") is None
    assert contributor.receipt("") is None


def test_a_receipt_does_not_share_its_dictionaries_with_the_record():
    contributor = a_contributor()
    done = {"attribution": "anonymous"}
    receipt = contributor.issue_receipt(
        reference="R-AAAA-0001", action="consent_changed", item_ids=[], actor=CURATOR, done=done
    )
    done["attribution"] = "named"
    receipt.done["scopes"] = []

    assert contributor.receipt("R-AAAA-0001").done == {"attribution": "anonymous"}


def test_a_receipt_for_an_unknown_action_is_refused():
    contributor = a_contributor()
    version = contributor.version
    with pytest.raises(InvalidValue, match="Unknown receipt action"):
        contributor.issue_receipt(reference="R-AAAA-0001", action="deleted", item_ids=[], actor=CURATOR)
    assert contributor.version == version
    assert contributor.receipts == []


def test_a_receipt_reference_cannot_be_used_twice():
    contributor = a_contributor()
    contributor.issue_receipt(reference="R-AAAA-0001", action="withdrawn", item_ids=[], actor=CURATOR)
    version = contributor.version
    with pytest.raises(InvalidValue, match="new reference number"):
        contributor.issue_receipt(reference="R-AAAA-0001", action="consent_changed", item_ids=[], actor=CURATOR)
    assert contributor.version == version
    assert [r.action for r in contributor.receipts] == ["withdrawn"]


@pytest.mark.parametrize(
    "reference",
    ["", None, "R-AAAA", "R-AAA-AAAA", "R-AAAAA-AAAA", "r-aaaa-aaaa", "X-AAAA-AAAA", "R-AAAA-AAAA ", " R-AAAA-AAAA",
     "R_AAAA_AAAA", "R-AAAA-AAAA-AAAA", "RAAAAAAAA"],
)
def test_a_malformed_receipt_reference_is_refused(reference):
    contributor = a_contributor()
    with pytest.raises(InvalidValue, match="reference number"):
        contributor.issue_receipt(reference=reference, action="withdrawn", item_ids=[], actor=CURATOR)
    assert contributor.receipts == []


def test_a_receipt_without_a_real_actor_is_refused():
    contributor = a_contributor()
    with pytest.raises(InvalidValue):
        contributor.issue_receipt(reference="R-AAAA-0001", action="withdrawn", item_ids=[], actor="someone")
    assert contributor.receipts == []


def test_erasing_marks_the_contributor_once():
    contributor = a_contributor()
    assert not contributor.is_erased
    contributor.erase_personal_data(actors.contributor(contributor.id))
    version = contributor.version
    erased_at = contributor.erased_at
    contributor.erase_personal_data(CURATOR)

    assert contributor.is_erased
    assert erased_at == contributor.pending_events[-1].timestamp
    assert contributor.version == version  # the second erasure is a no-op
    assert contributor.erased_at == erased_at


def test_the_profile_can_be_revised_before_erasure_but_not_after():
    contributor = a_contributor()
    contributor.revise_profile(contributor_profile(name="Aigerim B."), CURATOR)
    assert contributor.name == "Aigerim B."
    contributor.erase_personal_data(CURATOR)
    version = contributor.version

    with pytest.raises(InvalidValue, match="erased"):
        contributor.revise_profile(contributor_profile(name="Someone else"), CURATOR)
    assert contributor.version == version
    assert contributor.name == "Aigerim B."  # only shredding the key removes it


def test_receipts_survive_erasure_and_can_still_be_issued_after_it():
    contributor = a_contributor()
    contributor.issue_receipt(reference="R-AAAA-0001", action="withdrawn_everything", item_ids=[], actor=CURATOR)
    contributor.erase_personal_data(CURATOR)
    contributor.issue_receipt(reference="R-AAAA-0002", action="withdrawn", item_ids=[], actor=CURATOR)

    assert [r.reference for r in contributor.receipts] == ["R-AAAA-0001", "R-AAAA-0002"]


# -- the pending request as a value ------------------------------------------------------------

ASKED_AT = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("codes", [
    {"attribution": "named"},
    {"scopes": ["exhibit", "publish_online"]},
    {"expires_on": None},
    {"expires_on": "2031-05-06"},
    {"attribution": "pseudonym", "scopes": [], "expires_on": None},
])
def test_a_request_reads_back_from_the_codes_events_store(codes):
    request = ConsentRequest.from_codes(codes, ASKED_AT)

    assert request.codes() == codes
    assert request.stored() == {**codes, "requested_at": "2024-05-01T10:00:00+00:00"}
    assert ConsentRequest.from_stored(request.stored()) == request


def test_a_request_tells_asking_for_no_end_date_from_not_asking_about_it():
    no_end = ConsentRequest.from_codes({"attribution": "named", "expires_on": None}, ASKED_AT)
    unasked = ConsentRequest.from_codes({"attribution": "named"}, ASKED_AT)

    assert no_end.asks_expiry and no_end.expires_on is None
    assert not unasked.asks_expiry and unasked.expires_on is None
    assert no_end != unasked


@pytest.mark.parametrize("codes, message", [
    ({}, "ask for something"),
    ({"text_version": "v2"}, "cannot ask for 'text_version'"),
    ({"attribution": "famous"}, "Unknown attribution"),
    ({"scopes": ["everywhere"]}, "Unknown consent scope"),
    ({"expires_on": 20310506}, "must be a date"),
])
def test_a_request_that_asks_for_nothing_or_for_what_no_request_asks_is_refused(codes, message):
    with pytest.raises(InvalidValue, match=message):
        ConsentRequest.from_codes(codes, ASKED_AT)


def test_a_request_names_an_expiry_only_when_it_asks_for_one():
    with pytest.raises(InvalidValue, match="expiry it does not ask for"):
        ConsentRequest(requested_at=ASKED_AT, attribution=Attribution.NAMED, expires_on=date(2031, 1, 1))


@settings(max_examples=200, deadline=None)
@given(current=consents, wanted=changes)
def test_every_widening_is_a_request_whose_codes_are_the_widening(current, wanted):
    widening = split_change(current, wanted).widening
    if widening:
        assert ConsentRequest.from_codes(widening, ASKED_AT).codes() == widening
