"""Curator writes name the version they were based on, and never widen past the contributor.

A curator's page (or API read) shows one version of an item or exhibition; a write based on an
older version than the stored one is refused, saying what changed meanwhile, and saves nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from archive.errors import ChangedMeanwhile
from domain import clock
from domain.consent import Attribution, ConsentChange, Scope
from domain.errors import WideningNeedsConfirmation
from tests.conftest import CURATOR

ONLINE = ["exhibit", "publish_online"]
OTHER_CURATOR = "curator:bolat"
OPENED = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
NARROWED = datetime(2026, 12, 1, 14, 30, tzinfo=timezone.utc)


def _consented_testimony(archive, **consent):
    contributor = archive.contributors.register_contributor(name="Zhanar Testova", pseudonym="Zh", actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"kk": "Менің әңгімем"}, language="kk",
        content_note={"en": "Note"}, title={"en": "Secret kitchen title"},
    )
    archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **{"scopes": ONLINE, "attribution": "named", **consent})
    return contributor, item


def test_a_stale_consent_form_cannot_undo_the_contributors_narrowing(archive):
    with clock.fixed_at(OPENED):
        contributor, item = _consented_testimony(archive, expires_on=date(2027, 6, 1))
        seen = archive.get_item(item)  # the curator opens the item's page
    with clock.fixed_at(NARROWED):  # meanwhile the contributor goes anonymous and offline
        archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ["exhibit"], date(2027, 6, 1)))
        narrowed = archive.get_item(item).consent

        with pytest.raises(ChangedMeanwhile) as refused:  # the curator submits the form they had open
            archive.consent.update_consent(
                item, actor=CURATOR, scopes=[s.value for s in seen.consent.scopes],
                attribution=seen.consent.attribution.value, text_version="v1", expires_on=date(2027, 5, 1),
                based_on=seen.version,
            )

    message = str(refused.value)
    assert "the contributor: consent updated (narrowed by the contributor" in message
    assert "attribution anonymous" in message and "2026-12-01 14:30 UTC" in message
    assert archive.get_item(item).consent == narrowed
    assert not archive.get_item(item).allows(Scope.PUBLISH_ONLINE, date(2026, 12, 2))


def test_a_write_without_a_version_still_cannot_widen_past_the_contributors_choice(archive):
    contributor, item = _consented_testimony(archive)
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ["exhibit"], None))
    version = archive.get_item(item).version

    with pytest.raises(WideningNeedsConfirmation) as refused:
        archive.consent.update_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named")  # a script: no version

    assert refused.value.choice.attribution is Attribution.ANONYMOUS
    assert refused.value.widening == {"attribution": "named", "scopes": ["exhibit", "publish_online"]}
    assert archive.get_item(item).version == version


def test_a_widening_confirmed_with_the_contributor_applies_and_says_so_in_the_history(archive):
    contributor, item = _consented_testimony(archive, attribution="anonymous", scopes=["exhibit"])
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ONLINE, None))
    version = archive.get_item(item).version

    archive.consent.update_consent(
        item, actor=CURATOR, scopes=ONLINE, attribution="named", based_on=version, contributor_asked=True
    )

    stored = archive.get_item(item)
    assert stored.consent.attribution is Attribution.NAMED and stored.consent_request is None
    last = archive.history(item)[-1]
    assert str(last.actor) == CURATOR
    assert str(last.summary).startswith("confirmed with the contributor by curator test-curator: ")


def test_a_stale_exhibition_edit_is_refused_naming_what_another_curator_changed(archive):
    exhibition = archive.curation.create_exhibition(slug="silent-room", actor=CURATOR, titles={"en": "Silent Room"})
    seen = archive.get_exhibition(exhibition).version
    archive.curation.revise_exhibition(exhibition, actor=OTHER_CURATOR, venue={"en": "Gallery"}, based_on=seen)

    with pytest.raises(ChangedMeanwhile) as refused:
        archive.curation.revise_exhibition(exhibition, actor=CURATOR, titles={"en": "Quiet Room"}, based_on=seen)

    assert "curator bolat: exhibition revised (changed venue)" in str(refused.value)
    stored = archive.get_exhibition(exhibition)
    assert stored.titles == {"en": "Silent Room"} and stored.field("venue") == {"en": "Gallery"}


@pytest.mark.parametrize(
    "verb",
    ["revise", "add", "remove", "reorder", "wall_text", "publish", "unpublish"],
)
def test_every_exhibition_edit_based_on_an_old_version_changes_nothing(archive, verb):
    contributor, item = _consented_testimony(archive)
    second = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Quilt"})
    third = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Felt"})
    exhibition = archive.curation.create_exhibition(slug="room", actor=CURATOR, titles={"en": "Room"})
    archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR)
    archive.curation.add_to_exhibition(exhibition, second, actor=CURATOR)
    if verb == "unpublish":
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    stale = archive.get_exhibition(exhibition).version
    archive.curation.revise_exhibition(exhibition, actor=OTHER_CURATOR, city={"en": "Almaty"})
    current = archive.get_exhibition(exhibition).version
    write = {
        "revise": lambda: archive.curation.revise_exhibition(exhibition, actor=CURATOR, venue={"en": "Hall"}, based_on=stale),
        "add": lambda: archive.curation.add_to_exhibition(exhibition, third, actor=CURATOR, based_on=stale),
        "remove": lambda: archive.curation.remove_from_exhibition(exhibition, item, actor=CURATOR, based_on=stale),
        "reorder": lambda: archive.curation.reorder_exhibition(exhibition, [second, item], actor=CURATOR, based_on=stale),
        "wall_text": lambda: archive.curation.revise_wall_text(exhibition, item, actor=CURATOR, wall_text={"en": "W"}, based_on=stale),
        "publish": lambda: archive.curation.publish_exhibition(exhibition, actor=CURATOR, based_on=stale),
        "unpublish": lambda: archive.curation.unpublish_exhibition(exhibition, actor=CURATOR, based_on=stale),
    }[verb]

    with pytest.raises(ChangedMeanwhile, match="exhibition revised"):
        write()

    assert archive.get_exhibition(exhibition).version == current


def test_a_stale_refusal_never_quotes_the_items_content(archive):
    _, item = _consented_testimony(archive)
    seen = archive.get_item(item).version
    archive.cataloguing.revise_item(item, actor=OTHER_CURATOR, text={"kk": "Жаңа мәтін"}, language="kk",
                        content_note={"en": "Note"}, title={"en": "Another secret title"})

    with pytest.raises(ChangedMeanwhile) as refused:
        archive.consent.update_consent(item, actor=CURATOR, attribution="anonymous", based_on=seen)

    message = str(refused.value)
    assert "curator bolat: testimony revised," in message
    assert "secret" not in message.lower() and "Жаңа" not in message


@pytest.mark.parametrize("based_on", [0, 99, -1])
def test_a_version_the_record_never_had_is_refused(archive, based_on):
    _, item = _consented_testimony(archive)
    before = archive.get_item(item).consent

    with pytest.raises(ChangedMeanwhile, match="not the current one"):
        archive.consent.update_consent(item, actor=CURATOR, attribution="anonymous", based_on=based_on)

    assert archive.get_item(item).consent == before


def test_a_stale_decline_cannot_close_a_newer_request(archive):
    contributor, item = _consented_testimony(archive, attribution="anonymous", scopes=["exhibit"])
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("pseudonym", ["exhibit"], None))
    seen = archive.get_item(item).version
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ONLINE, None))

    with pytest.raises(ChangedMeanwhile, match="contributor asked to widen consent"):
        archive.consent.decline_consent_request(item, actor=CURATOR, based_on=seen)

    assert archive.get_item(item).consent_request.attribution is Attribution.NAMED
