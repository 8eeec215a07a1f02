"""The contributor's self-service through a consent code, on in-memory storage."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from archive.credentials import consent_codes
from archive.errors import NotFound
from domain import actor as actors
from domain import clock
from domain.consent import Attribution, ConsentChange, Scope
from domain.errors import ConsentError, InvalidValue, ItemWithdrawn
from tests.conftest import CURATOR

ONLINE = ["exhibit", "publish_online"]
LATER = date(2099, 1, 1)
REFERENCE = re.compile(r"R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")  # Crockford's base32


def _contributor(archive, **profile):
    return archive.contributors.register_contributor(name=profile.pop("name", "Zhanar Testova"), actor=CURATOR, **profile)


def _testimony(archive, contributor, text="Менің әңгімем"):
    return archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"kk": text}, language="kk", content_note={"en": "Note"}
    )


def _artwork(archive, contributor, title="Quilt"):
    return archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": title})


def _consented(archive, *, scopes=("exhibit",), attribution="named", expires_on=None, **profile):
    """A contributor with one testimony under consent; returns (contributor, item, code)."""
    contributor = _contributor(archive, **profile)
    item = _testimony(archive, contributor)
    receipt = archive.consent.record_consent(
        item, actor=CURATOR, scopes=list(scopes), attribution=attribution, text_version="v1", expires_on=expires_on
    )
    return contributor, item, receipt.code


def _events(archive) -> int:
    return archive.recorder.max_notification_id() or 0


def _request(item) -> dict:
    return item.consent_request.codes() if item.consent_request is not None else {}


# -- the consent code ----------------------------------------------------------------------------


def test_the_right_code_finds_its_holder_and_is_live(archive):
    contributor, _, code = _consented(archive)
    holder = archive.self_service.holder_of_code(code)

    assert holder is not None
    assert holder.contributor_id == contributor
    assert archive.self_service.code_is_live(holder)
    assert archive.self_service.holder_of_code(code.lower().replace("-", " ")) == holder


@pytest.mark.parametrize(
    "code", ["", "nonsense", "0000-0000-0000-0000", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "x" * 10_000, "K7QM-2XRD-9FHT", None]
)
def test_a_wrong_or_malformed_code_finds_nobody(archive, code):
    _consented(archive)

    assert archive.self_service.holder_of_code(code) is None


def test_a_code_one_character_off_finds_nobody(archive):
    _, _, code = _consented(archive)
    last = code[-1]
    other = consent_codes.ALPHABET[(consent_codes.ALPHABET.index(last) + 1) % len(consent_codes.ALPHABET)]

    assert archive.self_service.holder_of_code(code[:-1] + other) is None


def test_a_retired_code_finds_nobody_and_its_session_stops_being_live(archive):
    contributor, _, old = _consented(archive)
    holder = archive.self_service.holder_of_code(old)
    new = archive.contributors.issue_consent_code(contributor, CURATOR)

    assert archive.self_service.holder_of_code(old) is None
    assert not archive.self_service.code_is_live(holder)
    new_holder = archive.self_service.holder_of_code(new)
    assert new_holder.contributor_id == contributor
    assert new_holder.code_id != holder.code_id
    assert archive.self_service.code_is_live(new_holder)


# -- what a contributor sees -----------------------------------------------------------------------


def test_a_contributors_items_are_listed_in_the_order_they_were_recorded(archive):
    contributor = _contributor(archive)
    other = _contributor(archive, name="Someone Else")
    first = _artwork(archive, contributor, "First")
    _artwork(archive, other, "Not theirs")
    second = _testimony(archive, contributor)
    third = _artwork(archive, contributor, "Third")

    items = archive.self_service.items_of_contributor(contributor)
    assert [item.id for item in items] == [first, second, third]
    assert [type(item).__name__ for item in items] == ["Artwork", "Testimony", "Artwork"]
    assert archive.contributor_item_ids(contributor) == [first, second, third]


def test_withdrawn_items_are_still_listed(archive):
    contributor, item, _ = _consented(archive)
    later = _artwork(archive, contributor)
    archive.self_service.withdraw_as_contributor(contributor, item)

    assert [i.id for i in archive.self_service.items_of_contributor(contributor)] == [item, later]
    assert archive.self_service.items_of_contributor(contributor)[0].is_withdrawn


def test_a_contributor_with_no_items_has_an_empty_list(archive):
    contributor = _contributor(archive)

    assert archive.self_service.items_of_contributor(contributor) == []
    assert archive.contributor_item_ids(uuid4()) == []


def test_an_artwork_recorded_with_images_is_listed_too():
    from archive.services.item_images import NewImage
    from tests.fakes import InMemoryMediaStore, in_memory_archive
    from media_store import PillowImagePipeline, make_sample_photo

    archive = in_memory_archive(
        media=InMemoryMediaStore(), images=PillowImagePipeline(),
    )
    contributor = _contributor(archive)
    first = _testimony(archive, contributor)
    with_images, _ = archive.item_images.record_artwork_with_images(
        contributor_id=contributor, actor=CURATOR, title={"en": "Quilt"},
        images=[NewImage(make_sample_photo(3), {"en": "A quilt"})],
    )

    assert archive.contributor_item_ids(contributor) == [first, with_images]


def test_a_contributor_cannot_see_or_act_on_another_contributors_item(archive):
    owner, item, _ = _consented(archive, pseudonym="Aq")
    stranger = _contributor(archive, name="Stranger", pseudonym="S.")
    before = _events(archive)

    with pytest.raises(NotFound) as theirs:
        archive.self_service.change_consent_as_contributor(stranger, item, ConsentChange("anonymous", ["exhibit"], None))
    with pytest.raises(NotFound) as unknown:
        archive.self_service.change_consent_as_contributor(stranger, uuid4(), ConsentChange("anonymous", ["exhibit"], None))
    assert str(theirs.value) == str(unknown.value)
    with pytest.raises(NotFound) as theirs:
        archive.self_service.withdraw_as_contributor(stranger, item)
    with pytest.raises(NotFound) as unknown:
        archive.self_service.withdraw_as_contributor(stranger, uuid4())
    assert str(theirs.value) == str(unknown.value)
    with pytest.raises(NotFound):
        archive.self_service.withdraw_as_contributor(stranger, owner)  # a contributor's id is not an item

    assert archive.self_service.items_of_contributor(stranger) == []
    assert _events(archive) == before
    still = archive.get_item(item)
    assert not still.is_withdrawn
    assert still.consent.attribution is Attribution.NAMED
    assert archive.keys.exists(item)


def test_withdraw_everything_reaches_only_the_contributors_own_items(archive):
    _, theirs, _ = _consented(archive)
    stranger, mine, _ = _consented(archive, name="Stranger")
    archive.self_service.withdraw_everything(stranger)

    assert archive.get_item(mine).is_withdrawn
    assert not archive.get_item(theirs).is_withdrawn
    assert archive.keys.exists(theirs)


def test_a_receipt_of_another_contributor_is_not_found(archive):
    owner, item, _ = _consented(archive)
    stranger = _contributor(archive, name="Stranger")
    receipt = archive.self_service.withdraw_as_contributor(owner, item)

    assert archive.self_service.contributor_receipt(owner, receipt.reference) == receipt
    with pytest.raises(NotFound):
        archive.self_service.contributor_receipt(stranger, receipt.reference)
    with pytest.raises(NotFound):
        archive.self_service.contributor_receipt(owner, "R-0000-0000")


# -- changing consent ----------------------------------------------------------------------------


def test_narrowing_to_anonymous_takes_effect_at_once_and_names_the_contributor(archive):
    contributor, item, _ = _consented(archive, scopes=ONLINE)
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ONLINE, None))

    consent = archive.get_item(item).consent
    assert consent.attribution is Attribution.ANONYMOUS
    assert consent.scopes == frozenset(Scope)
    assert consent.recorded_by == str(actors.contributor(contributor))
    assert archive.get_item(item).consent_request is None
    last = archive.history(item)[-1]
    assert last.what == "consent updated"
    assert last.actor == actors.contributor(contributor)
    assert last.who == "the contributor"
    assert receipt.action == "consent_changed"
    assert receipt.item_ids == (item,)
    assert receipt.done == {"attribution": "anonymous"}
    assert receipt.requested == {}
    assert REFERENCE.fullmatch(receipt.reference)
    assert archive.get_contributor(contributor).receipts == [receipt]


def test_removing_a_scope_and_setting_an_expiry_take_effect_at_once(archive):
    contributor, item, _ = _consented(archive, scopes=ONLINE)
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], LATER))

    consent = archive.get_item(item).consent
    assert consent.scopes == frozenset({Scope.EXHIBIT})
    assert consent.expires_on == LATER
    assert not archive.get_item(item).allows(Scope.PUBLISH_ONLINE, archive.today())
    assert receipt.done == {"scopes": ["exhibit"], "expires_on": LATER.isoformat()}


def test_an_expiry_of_today_is_accepted_as_narrowing(archive):
    contributor, item, _ = _consented(archive)
    today = archive.today()
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], today))

    assert archive.get_item(item).consent.expires_on == today
    assert receipt.done == {"expires_on": today.isoformat()}


def test_widening_is_only_a_request_and_changes_no_consent(archive):
    contributor, item, _ = _consented(archive, attribution="anonymous", expires_on=LATER)
    before = archive.get_item(item).consent
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ONLINE, None))

    stored = archive.get_item(item)
    assert stored.consent == before
    assert not stored.allows(Scope.PUBLISH_ONLINE, archive.today())
    wanted = {"attribution": "named", "scopes": ["exhibit", "publish_online"], "expires_on": None}
    assert _request(stored) == wanted
    assert stored.consent_request.requested_at == stored.modified_on
    assert receipt.done == {}
    assert receipt.requested == wanted
    last = archive.history(item)[-1]
    assert last.actor == actors.contributor(contributor)
    assert last.what != "consent updated"


def test_one_change_that_narrows_and_widens_applies_one_part_and_requests_the_other(archive):
    contributor, item, _ = _consented(archive, attribution="named", expires_on=LATER)
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ONLINE, LATER))

    stored = archive.get_item(item)
    assert stored.consent.attribution is Attribution.ANONYMOUS
    assert stored.consent.scopes == frozenset({Scope.EXHIBIT})
    assert _request(stored) == {"scopes": ["exhibit", "publish_online"]}
    assert receipt.done == {"attribution": "anonymous"}
    assert receipt.requested == {"scopes": ["exhibit", "publish_online"]}


def test_a_second_request_replaces_the_first(archive):
    contributor, item, _ = _consented(archive, attribution="anonymous")
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], None))
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ONLINE, None))

    assert _request(archive.get_item(item)) == {"scopes": ["exhibit", "publish_online"]}  # the latest wish
    assert receipt.requested == {"scopes": ["exhibit", "publish_online"]}


def test_asking_for_the_current_consent_again_cancels_a_pending_request(archive):
    contributor, item, _ = _consented(archive, attribution="anonymous")
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], None))
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ["exhibit"], None))

    assert archive.get_item(item).consent_request is None
    assert receipt is not None and receipt.action == "request_cancelled"
    assert receipt.done == {} and receipt.requested == {}


def test_narrowing_after_a_request_replaces_the_request_by_the_latest_wish(archive):
    contributor, item, _ = _consented(archive, attribution="anonymous")
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit", "publish_online"], None))
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", [], None))

    stored = archive.get_item(item)
    assert stored.consent.scopes == frozenset()
    assert stored.consent_request is None  # a curator confirming it can never widen past the latest wish


def test_a_curators_update_answers_the_request(archive):
    contributor, item, _ = _consented(archive, attribution="anonymous")
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], None))
    assert archive.get_item(item).consent_request is not None
    archive.consent.update_consent(item, actor=CURATOR, attribution="named", contributor_asked=True)

    stored = archive.get_item(item)
    assert stored.consent_request is None
    assert stored.consent.attribution is Attribution.NAMED


def test_a_curator_can_decline_the_request_leaving_consent_as_it_was(archive):
    contributor, item, _ = _consented(archive, attribution="anonymous")
    before = archive.get_item(item).consent
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], None))
    archive.consent.decline_consent_request(item, actor=CURATOR)

    stored = archive.get_item(item)
    assert stored.consent_request is None
    assert stored.consent == before
    assert str(archive.history(item)[-1].actor) == CURATOR
    with pytest.raises(ConsentError):
        archive.consent.decline_consent_request(item, actor=CURATOR)


def test_a_narrowing_that_still_asks_for_the_same_keeps_the_request_open(archive):
    contributor, item, _ = _consented(archive, attribution="pseudonym", pseudonym="Aq")
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("pseudonym", ONLINE, None))
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ONLINE, None))

    stored = archive.get_item(item)
    assert stored.consent.attribution is Attribution.ANONYMOUS
    assert _request(stored) == {"scopes": ["exhibit", "publish_online"]}


@pytest.mark.parametrize(
    "change",
    [
        ConsentChange("anonymous", ["exhibit"], None),  # narrowing
        ConsentChange("named", ONLINE, None),  # widening
        ConsentChange("named", ["exhibit"], None),  # the consent as it is
    ],
    ids=["narrowing", "widening", "unchanged"],
)
def test_repeating_the_same_change_returns_none_and_saves_nothing(archive, change):
    contributor, item, _ = _consented(archive)
    if change.attribution is not Attribution.NAMED or change.scopes != {Scope.EXHIBIT}:
        assert archive.self_service.change_consent_as_contributor(contributor, item, change) is not None
    events, version = _events(archive), archive.get_item(item).version
    receipts = archive.get_contributor(contributor).receipts

    assert archive.self_service.change_consent_as_contributor(contributor, item, change) is None
    assert _events(archive) == events
    assert archive.get_item(item).version == version
    assert archive.get_contributor(contributor).receipts == receipts


def test_an_expiry_in_the_past_is_refused(archive):
    contributor, item, _ = _consented(archive)
    before, events = archive.get_item(item).consent, _events(archive)
    yesterday = archive.today() - timedelta(days=1)

    with pytest.raises(InvalidValue, match="past"):
        archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ["exhibit"], yesterday))
    assert archive.get_item(item).consent == before
    assert _events(archive) == events


def test_attribution_by_pseudonym_needs_a_pseudonym_on_record(archive):
    contributor, item, _ = _consented(archive)
    events = _events(archive)

    with pytest.raises(InvalidValue, match="pseudonym"):
        archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("pseudonym", ["exhibit"], None))
    assert archive.get_item(item).consent.attribution is Attribution.NAMED
    assert _events(archive) == events


def test_attribution_by_pseudonym_is_a_narrowing_when_there_is_one(archive):
    contributor, item, _ = _consented(archive, pseudonym="Aq")
    receipt = archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("pseudonym", ["exhibit"], None))

    assert archive.get_item(item).consent.attribution is Attribution.PSEUDONYM
    assert receipt.done == {"attribution": "pseudonym"}


def test_changing_consent_before_it_is_recorded_or_after_withdrawal_is_refused(archive):
    contributor = _contributor(archive)
    item = _testimony(archive, contributor)
    with pytest.raises(ConsentError):
        archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", [], None))
    archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
    archive.self_service.withdraw_as_contributor(contributor, item)
    with pytest.raises(ItemWithdrawn):
        archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", [], None))
    assert [r.action for r in archive.get_contributor(contributor).receipts] == ["withdrawn"]


def test_a_contributor_can_narrow_a_consent_that_has_already_expired(archive):
    with clock.fixed_at(datetime(2024, 3, 1, 12, tzinfo=timezone.utc)):
        contributor, item, _ = _consented(archive, scopes=ONLINE, expires_on=date(2024, 3, 10))
    with clock.fixed_at(datetime(2024, 4, 1, 12, tzinfo=timezone.utc)):
        # Hide the name now; ask for the consent to run until the end of the year.
        archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ONLINE, date(2024, 12, 31)))
    assert archive.get_item(item).consent.attribution is Attribution.ANONYMOUS


# -- withdrawing one item ------------------------------------------------------------------------


def test_withdrawing_an_item_gives_a_receipt_and_shreds_its_key(archive):
    contributor, item, _ = _consented(archive)
    other = _artwork(archive, contributor)
    receipt = archive.self_service.withdraw_as_contributor(contributor, item)

    assert REFERENCE.fullmatch(receipt.reference)
    assert receipt.action == "withdrawn"
    assert receipt.item_ids == (item,)
    assert receipt.done == {} and receipt.requested == {}
    assert not archive.keys.exists(item)
    stored = archive.get_item(item)
    assert stored.is_withdrawn and stored.is_redacted
    assert stored.detail("text") is None
    assert stored.withdrawn_by == str(actors.contributor(contributor))
    assert str(archive.history(item)[-1].summary) == "withdrawn by the contributor"
    # Nothing else is touched: the other item, the contributor's details.
    assert archive.keys.exists(other)
    assert not archive.get_item(other).is_withdrawn
    assert archive.get_contributor(contributor).name == "Zhanar Testova"
    assert not archive.get_contributor(contributor).is_erased


def test_withdrawing_again_returns_the_same_receipt_and_saves_nothing(archive):
    contributor, item, _ = _consented(archive)
    first = archive.self_service.withdraw_as_contributor(contributor, item)
    events = _events(archive)

    assert archive.self_service.withdraw_as_contributor(contributor, item) == first
    assert _events(archive) == events
    assert archive.get_contributor(contributor).receipts == [first]


def test_withdrawing_an_item_a_curator_already_withdrew_returns_no_receipt(archive):
    contributor, item, _ = _consented(archive)
    archive.consent.withdraw(item, actor=CURATOR)

    assert archive.self_service.withdraw_as_contributor(contributor, item) is None
    assert archive.get_contributor(contributor).receipts == []


def _at_once(archive, monkeypatch, *calls):
    """Run the calls in threads that have each read what they change before any of them
    saves (two tabs, a double click); return what each returned, or the error it raised."""
    first_save = threading.Barrier(len(calls), timeout=10)
    waited = threading.local()
    save = archive._save

    def save_after_everyone_has_read(*aggregates):
        if not getattr(waited, "done", False):
            waited.done = True
            first_save.wait()
        return save(*aggregates)

    monkeypatch.setattr(archive, "_save", save_after_everyone_has_read)
    results: list = [None] * len(calls)

    def run(n, call):
        try:
            results[n] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test as a value
            results[n] = error

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results


def test_two_simultaneous_withdrawals_of_an_item_land_on_the_same_receipt(archive, monkeypatch):
    contributor, item, _ = _consented(archive)

    first, second = _at_once(
        archive, monkeypatch,
        lambda: archive.self_service.withdraw_as_contributor(contributor, item),
        lambda: archive.self_service.withdraw_as_contributor(contributor, item),
    )

    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert first == second and first.action == "withdrawn"
    assert archive.get_contributor(contributor).receipts == [first]
    assert not archive.keys.exists(item)


def test_two_simultaneous_withdrawals_of_everything_land_on_the_same_receipt(archive, monkeypatch):
    contributor, item, _ = _consented(archive)

    first, second = _at_once(
        archive, monkeypatch,
        lambda: archive.self_service.withdraw_everything(contributor),
        lambda: archive.self_service.withdraw_everything(contributor),
    )

    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert first == second and first.action == "withdrawn_everything"
    assert archive.get_contributor(contributor).receipts == [first]
    assert not archive.keys.exists(item) and not archive.keys.exists(contributor)


def test_withdrawing_two_items_at_once_gives_each_its_receipt(archive, monkeypatch):
    contributor, first_item, _ = _consented(archive)
    second_item = _artwork(archive, contributor)

    first, second = _at_once(
        archive, monkeypatch,
        lambda: archive.self_service.withdraw_as_contributor(contributor, first_item),
        lambda: archive.self_service.withdraw_as_contributor(contributor, second_item),
    )

    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert {first.item_ids, second.item_ids} == {(first_item,), (second_item,)}
    assert archive.get_item(first_item).is_withdrawn and archive.get_item(second_item).is_withdrawn


# -- withdrawing everything ------------------------------------------------------------------------


def test_withdrawing_everything_withdraws_every_item_and_erases_the_contributor(archive):
    contributor, first, code = _consented(archive, pseudonym="Aq", contact="zh@example.org", attribution="named")
    second = _artwork(archive, contributor)
    third = _testimony(archive, contributor)
    changed = archive.self_service.change_consent_as_contributor(contributor, first, ConsentChange("anonymous", ["exhibit"], None))
    single = archive.self_service.withdraw_as_contributor(contributor, third)

    receipt = archive.self_service.withdraw_everything(contributor)

    assert receipt.action == "withdrawn_everything"
    assert REFERENCE.fullmatch(receipt.reference)
    assert set(receipt.item_ids) == {first, second}
    for item_id in (first, second, third):
        item = archive.get_item(item_id)
        assert item.is_withdrawn and item.is_redacted
        assert not archive.keys.exists(item_id)
    person = archive.get_contributor(contributor)
    assert person.is_erased
    assert person.name is None and person.pseudonym is None and person.field("contact") is None
    assert not archive.keys.exists(contributor)
    # Receipts outlive the erasure, in the order they were issued, and the code still opens them.
    assert archive.get_contributor(contributor).receipts == [changed, single, receipt]
    assert archive.self_service.contributor_receipt(contributor, changed.reference) == changed
    holder = archive.self_service.holder_of_code(code)
    assert holder is not None and holder.contributor_id == contributor
    assert archive.self_service.code_is_live(holder)


def test_withdrawing_everything_again_returns_the_same_receipt_and_saves_nothing(archive):
    contributor, item, _ = _consented(archive)
    first = archive.self_service.withdraw_everything(contributor)
    events = _events(archive)

    assert archive.self_service.withdraw_everything(contributor) == first
    assert archive.self_service.withdraw_as_contributor(contributor, item) == first
    assert _events(archive) == events
    assert archive.get_contributor(contributor).receipts == [first]


def test_withdrawing_everything_without_items_still_erases_the_contributor(archive):
    contributor = _contributor(archive)
    receipt = archive.self_service.withdraw_everything(contributor)

    assert receipt.action == "withdrawn_everything"
    assert receipt.item_ids == ()
    assert archive.get_contributor(contributor).is_erased
    assert archive.get_contributor(contributor).name is None


def test_an_erased_contributors_details_cannot_be_revised(archive):
    contributor, _, _ = _consented(archive)
    archive.self_service.withdraw_everything(contributor)

    with pytest.raises(InvalidValue, match="erased"):
        archive.contributors.revise_contributor(contributor, actor=CURATOR, name="Back again")
    assert archive.get_contributor(contributor).name is None


def test_an_erased_contributor_cannot_be_given_new_items(archive):
    contributor, _, _ = _consented(archive)
    _testimony(archive, contributor)  # this process now knows the contributor
    archive.self_service.withdraw_everything(contributor)
    events = _events(archive)

    with pytest.raises(InvalidValue, match="erased"):
        _testimony(archive, contributor)
    with pytest.raises(InvalidValue, match="erased"):
        _artwork(archive, contributor)
    assert _events(archive) == events
    assert len(archive.contributor_item_ids(contributor)) == 2


def test_an_erased_contributor_cannot_be_given_a_new_consent_code(archive):
    contributor, _, code = _consented(archive)
    receipt = archive.self_service.withdraw_everything(contributor)

    with pytest.raises(InvalidValue, match="erased"):
        archive.contributors.issue_consent_code(contributor, CURATOR)
    holder = archive.self_service.holder_of_code(code)  # their own code still opens their receipts
    assert holder is not None and archive.self_service.code_is_live(holder)
    assert archive.self_service.contributor_receipt(contributor, receipt.reference) == receipt


def test_an_interrupted_withdrawal_of_everything_is_finished_later(archive, monkeypatch):
    contributor, first, _ = _consented(archive)
    second = _artwork(archive, contributor)
    shred = archive.keys.shred
    calls = []

    def fails_once(*subjects, **kwargs):
        calls.append(subjects)
        if len(calls) == 1:
            raise OSError("key table unreachable")
        return shred(*subjects, **kwargs)

    monkeypatch.setattr(archive.keys, "shred", fails_once)
    with pytest.raises(OSError):
        archive.self_service.withdraw_everything(contributor)
    monkeypatch.setattr(archive.keys, "shred", shred)

    # The withdrawal and erasure are saved; the keys are still there.
    assert set(calls[0]) == {first, second, contributor}
    assert all(archive.get_item(i).is_withdrawn for i in (first, second))
    assert archive.get_contributor(contributor).is_erased
    assert archive.keys.exists(first) and archive.keys.exists(second) and archive.keys.exists(contributor)

    assert archive.consent.finish_interrupted_withdrawals() == 3

    for subject in (first, second, contributor):
        assert not archive.keys.exists(subject)
    assert archive.get_contributor(contributor).name is None
    assert archive.get_item(first).is_redacted and archive.get_item(second).is_redacted
    assert archive.consent.finish_interrupted_withdrawals() == 0
    assert [r.action for r in archive.get_contributor(contributor).receipts] == ["withdrawn_everything"]


def test_repeating_an_interrupted_withdrawal_of_everything_finishes_the_shredding(archive, monkeypatch):
    contributor, item, _ = _consented(archive)
    shred = archive.keys.shred

    def fails(*subjects, **kwargs):
        raise OSError("key table unreachable")

    monkeypatch.setattr(archive.keys, "shred", fails)
    with pytest.raises(OSError):
        archive.self_service.withdraw_everything(contributor)
    monkeypatch.setattr(archive.keys, "shred", shred)

    receipt = archive.self_service.withdraw_everything(contributor)

    assert receipt is not None
    assert not archive.keys.exists(item)
    assert not archive.keys.exists(contributor)
