"""Contributors, actors on every event, the domain clock, and the small index aggregates."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain import actor as actors
from domain.actor import Actor
from domain import clock
from domain.contributors import Contributor, contributor_profile
from domain.errors import InvalidValue
from domain.exhibitions import Exhibition
from domain.indexes import Catalogue, ConsentCodeIndex, ContributorItems, SlugIndex
from domain.items import Artwork, artwork_details, image_details
from domain.personal import Personal

CURATOR = actors.curator("aigerim")
CODE_HASH = hashlib.sha256(b"correct horse").hexdigest()


def a_contributor() -> Contributor:
    contributor_id = uuid4()
    return Contributor.register(
        contributor_id=contributor_id,
        profile=contributor_profile(name=" Aigerim ", pseudonym=" A. ", contact=""),
        actor=CURATOR,
    )


# -- contributors ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", None])
def test_a_contributor_needs_a_name(name):
    with pytest.raises(InvalidValue, match="name"):
        contributor_profile(name=name)


def test_a_contributor_profile_is_trimmed_and_blank_optional_fields_are_none():
    assert contributor_profile(name=" Aigerim ", pseudonym="  ", contact=None) == {
        "name": "Aigerim",
        "pseudonym": None,
        "contact": None,
    }


def test_a_contributors_profile_is_personal_data_owned_by_the_contributor():
    contributor = a_contributor()
    assert isinstance(contributor.profile, Personal)
    assert contributor.profile.subject_id == contributor.id
    assert contributor.name == "Aigerim" and contributor.pseudonym == "A."
    assert contributor.field("contact") is None


def test_a_revised_profile_is_still_owned_by_the_contributor():
    contributor = a_contributor()
    contributor.revise_profile(contributor_profile(name="Dana"), CURATOR)
    assert contributor.profile.subject_id == contributor.id
    assert contributor.name == "Dana" and contributor.pseudonym is None


def test_a_redacted_profile_reads_as_nothing():
    contributor = a_contributor()
    contributor.profile = Personal.redacted_for(contributor.id)
    assert contributor.name is None and contributor.pseudonym is None


def test_a_consent_code_hash_is_stored():
    contributor = a_contributor()
    assert not contributor.has_consent_code
    contributor.issue_consent_code(CODE_HASH, CURATOR)
    assert contributor.has_consent_code and contributor.consent_code_hash == CODE_HASH


@pytest.mark.parametrize("code_hash", ["", None, CODE_HASH[:-1], CODE_HASH + "0", "correct horse"])
def test_a_consent_code_hash_must_be_a_sha256_digest(code_hash):
    contributor = a_contributor()
    with pytest.raises(InvalidValue, match="SHA-256"):
        contributor.issue_consent_code(code_hash, CURATOR)
    assert contributor.version == 1 and not contributor.has_consent_code


@pytest.mark.parametrize("code_hash", ["z" * 64, "correct horse battery staple".ljust(64, "!")])
def test_a_consent_code_hash_must_be_hexadecimal(code_hash):
    contributor = a_contributor()
    with pytest.raises(InvalidValue):
        contributor.issue_consent_code(code_hash, CURATOR)


# -- actors ---------------------------------------------------------------------------------


def test_actors_are_stored_as_strings_that_name_their_kind():
    someone = uuid4()
    assert str(actors.curator(" aigerim ")) == "curator:aigerim"
    assert str(actors.contributor(someone)) == f"contributor:{someone}"
    assert str(actors.system("demo")) == "system:demo"


def test_an_actor_is_a_value_read_back_from_its_stored_form():
    someone = uuid4()
    assert actors.curator("aigerim") == Actor("curator", "aigerim")
    assert Actor.from_string(f"contributor:{someone}") == actors.contributor(someone)
    assert Actor.from_string("system:job:1") == Actor("system", "job:1")
    assert actors.contributor(someone).is_contributor and not actors.curator("aigerim").is_contributor
    assert len({actors.system("demo"), Actor.from_string("system:demo")}) == 1


@pytest.mark.parametrize("username", ["", "   ", None, "ai:gerim"])
def test_a_curator_needs_a_user_name_without_a_colon(username):
    with pytest.raises(InvalidValue, match="curator"):
        actors.curator(username)


@pytest.mark.parametrize(
    "actor", ["curator:aigerim", f"contributor:{uuid4()}", "system:demo", "system:job:1"]
)
def test_check_accepts_curators_contributors_and_the_system(actor):
    assert actors.check(actor) == actor


@pytest.mark.parametrize(
    "actor", ["nobody", "", None, "curator:", "curator", "admin:root", ":aigerim"]
)
def test_check_refuses_anything_that_is_not_an_actor(actor):
    with pytest.raises(InvalidValue, match="who made it"):
        actors.check(actor)


def test_actors_are_described_in_words():
    assert actors.describe("curator:aigerim") == "curator aigerim"
    assert actors.describe(actors.contributor(uuid4())) == "the contributor"
    assert actors.describe("system:demo") == "the system (demo)"


def test_every_event_records_its_actor():
    contributor_actor = actors.contributor(uuid4())
    system_actor = actors.system("import")

    item = Artwork.record(
        item_id=uuid4(),
        contributor_id=uuid4(),
        details=artwork_details(title={"en": "Quilt"}),
        actor=system_actor,
    )
    item.add_image(uuid4(), image_details(alt_text={"en": "A quilt"}), CURATOR)
    item.revise(artwork_details(title={"en": "Quilt II"}), contributor_actor)
    item.withdraw(contributor_actor)
    assert [e.by for e in item.pending_events] == [
        system_actor,
        CURATOR,
        contributor_actor,
        contributor_actor,
    ]
    assert item.pending_events[0].actor == "system:import"  # the form the log keeps

    exhibition = Exhibition.create(slug="room", details={"titles": {"en": "R"}}, actor=CURATOR)
    exhibition.publish(system_actor)
    assert [e.by for e in exhibition.pending_events] == [CURATOR, system_actor]

    contributor = a_contributor()
    contributor.issue_consent_code(CODE_HASH, contributor_actor)
    assert [e.actor for e in contributor.pending_events] == [str(CURATOR), str(contributor_actor)]


def test_a_command_without_an_actor_is_refused_and_changes_nothing():
    with pytest.raises(InvalidValue):
        Contributor.register(contributor_id=uuid4(), profile={"name": "x"}, actor="nobody")
    with pytest.raises(InvalidValue):
        Exhibition.create(slug="room", details={"titles": {"en": "R"}}, actor="")
    contributor = a_contributor()
    with pytest.raises(InvalidValue):
        contributor.revise_profile(contributor_profile(name="Dana"), "nobody")
    assert contributor.version == 1 and contributor.name == "Aigerim"


# -- the clock ------------------------------------------------------------------------------


def test_fixed_at_sets_the_timestamp_of_every_event():
    moment = datetime(2024, 3, 8, 12, 30, tzinfo=timezone.utc)
    with clock.fixed_at(moment):
        contributor = a_contributor()
        contributor.issue_consent_code(CODE_HASH, CURATOR)
        assert clock.today(timezone.utc) == date(2024, 3, 8)
    assert [e.timestamp for e in contributor.pending_events] == [moment, moment]
    assert contributor.created_on == moment and contributor.modified_on == moment


def test_fixed_at_converts_to_utc_and_is_undone_after_the_block():
    almaty = timezone(timedelta(hours=5))
    with clock.fixed_at(datetime(2024, 3, 9, 2, 0, tzinfo=almaty)):
        assert clock.now() == datetime(2024, 3, 8, 21, 0, tzinfo=timezone.utc)
        assert clock.now().tzinfo == timezone.utc
        assert clock.today(timezone.utc) == date(2024, 3, 8)
        assert clock.today(almaty) == date(2024, 3, 9)
    assert clock.now().year >= 2025
    assert clock.now().tzinfo is not None


def test_a_day_ends_at_midnight_of_the_zone_it_is_a_day_in():
    almaty = timezone(timedelta(hours=5))
    assert clock.end_of_day(date(2024, 3, 8), almaty) == datetime(2024, 3, 8, 19, 0, tzinfo=timezone.utc)
    assert clock.end_of_day(date(2024, 3, 8), timezone.utc) == datetime(2024, 3, 9, 0, 0, tzinfo=timezone.utc)


def test_the_last_day_a_date_can_name_ends_after_every_instant():
    almaty = timezone(timedelta(hours=5))
    assert clock.end_of_day(date.max, almaty) > datetime(9999, 12, 31, 23, 59, tzinfo=almaty)


def test_fixed_at_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        with clock.fixed_at(datetime(2024, 3, 8)):
            pass


def test_withdrawal_time_comes_from_the_clock():
    item = Artwork.record(
        item_id=uuid4(),
        contributor_id=uuid4(),
        details=artwork_details(title={"en": "Quilt"}),
        actor=CURATOR,
    )
    moment = datetime(2024, 6, 1, tzinfo=timezone.utc)
    with clock.fixed_at(moment):
        item.withdraw(CURATOR)
    assert item.withdrawn_at == moment and item.withdrawn_by == str(CURATOR)


# -- index aggregates -----------------------------------------------------------------------


def test_index_ids_are_derived_from_their_keys():
    assert SlugIndex.id_for("room") == SlugIndex.id_for("room") != SlugIndex.id_for("hall")
    assert ConsentCodeIndex.id_for(CODE_HASH) != SlugIndex.id_for(CODE_HASH)
    exhibition_id = uuid4()
    index = SlugIndex.create(slug="room", exhibition_id=exhibition_id, actor=CURATOR)
    assert index.id == SlugIndex.id_for("room") and index.exhibition_id == exhibition_id


def test_a_consent_code_index_retires_once():
    index = ConsentCodeIndex.create(code_hash=CODE_HASH, contributor_id=uuid4(), actor=CURATOR)
    index.retire(CURATOR)
    index.retire(CURATOR)
    assert index.retired and index.version == 2


def test_the_catalogue_lists_each_exhibition_once_in_order():
    catalogue = Catalogue.create(CURATOR)
    first, second = uuid4(), uuid4()
    catalogue.list_exhibition(first, CURATOR)
    catalogue.list_exhibition(second, CURATOR)
    with pytest.raises(InvalidValue, match="already"):
        catalogue.list_exhibition(first, CURATOR)
    assert catalogue.exhibition_ids == [first, second] and catalogue.id == Catalogue.ID


def test_a_contributors_item_list_lists_each_item_once_also_after_a_snapshot():
    listing = ContributorItems.create(contributor_id=uuid4(), actor=CURATOR)
    first, second = uuid4(), uuid4()
    listing.list_item(first, CURATOR)
    with pytest.raises(InvalidValue, match="already listed"):
        listing.list_item(first, CURATOR)
    snapshot = ContributorItems.Snapshot.take(listing)
    assert set(snapshot.state) >= {"item_ids", "contributor_id"} and "_listed" not in snapshot.state
    restored = snapshot.mutate(None)
    with pytest.raises(InvalidValue, match="already listed"):
        restored.list_item(first, CURATOR)
    restored.list_item(second, CURATOR)
    with pytest.raises(InvalidValue, match="already listed"):
        restored.list_item(second, CURATOR)
    assert restored.item_ids == [first, second] and restored.version == 3
