"""Workspace forms name the version they were filled in on; a stale one changes nothing.

A curator's page can stay open for a long time. Meanwhile the contributor may narrow their
consent through the portal, or another curator may edit the same exhibition: submitting the
old page then answers 409 with what changed, instead of undoing it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain.consent import Attribution, ConsentChange, Scope

CURATOR = "curator:dana"


@pytest.fixture
def archive(media_archive):
    return media_archive


def _form(client, path: str) -> dict[str, str]:
    """The hidden fields of the page's forms (CSRF token and version), as the browser holds them."""
    page = client.get(path).get_data(as_text=True)
    fields = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)}
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version or "csrf_token" in page
    if version:
        fields["version"] = version.group(1)
    return fields


def _consented_item(archive, **consent):
    contributor = archive.contributors.register_contributor(name="Aigerim Testova", pseudonym="Aq", actor=CURATOR)
    item = archive.cataloguing.record_testimony(contributor_id=contributor, actor=CURATOR, text={"ru": "Текст"}, language="ru",
                                    content_note={"en": "Note"}, title={"en": "Kitchen"})
    archive.consent.record_consent(item, actor=CURATOR, text_version="v1",
                           **{"scopes": ["exhibit", "publish_online"], "attribution": "named", **consent})
    return contributor, item


def test_a_stale_consent_form_cannot_put_a_contributor_back_online_under_their_name(logged_in, archive, client):
    contributor, item = _consented_item(archive, expires_on=date(2099, 1, 1))
    held_open = _form(logged_in, f"/curate/items/{item}")  # the curator opens the item's page
    archive.self_service.change_consent_as_contributor(  # the contributor goes anonymous and offline
        contributor, item, ConsentChange("anonymous", ["exhibit"], date(2099, 1, 1))
    )
    narrowed = archive.get_item(item).consent

    response = logged_in.post(f"/curate/items/{item}/consent", data={  # only the expiry was changed
        **held_open, "scopes": ["exhibit", "publish_online"], "attribution": "named", "text_version": "v1",
        "expires_on": "2098-06-30",
    })

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This record changed after you opened it" in page and "narrowed by the contributor" in page
    assert "Consent saved" not in page
    assert archive.get_item(item).consent == narrowed
    assert client.get(f"/items/{item}").status_code == 404  # still not online


def test_widening_past_the_contributors_choice_needs_a_separate_confirmation(logged_in, archive):
    contributor, item = _consented_item(archive)
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("anonymous", ["exhibit"], None))
    fresh = _form(logged_in, f"/curate/items/{item}")
    wider = {**fresh, "scopes": ["exhibit"], "attribution": "named", "text_version": "v1", "expires_on": ""}

    asked_to_confirm = logged_in.post(f"/curate/items/{item}/consent", data=wider)
    page = asked_to_confirm.get_data(as_text=True)
    assert asked_to_confirm.status_code == 409
    assert "Confirm with the contributor first" in page and "What the contributor chose" in page
    assert re.search(r'class="contributors-choice">On [^<]*\d{4}[^<]*:', page)  # when they chose it
    assert "credit: anonymous" in page and "Credit: by name" in page
    assert archive.get_item(item).consent.attribution is Attribution.ANONYMOUS

    unticked = logged_in.post(f"/curate/items/{item}/consent", data={**wider, "confirming": "yes"})
    assert unticked.status_code == 409 and "Tick the box" in unticked.get_data(as_text=True)
    assert archive.get_item(item).consent.attribution is Attribution.ANONYMOUS

    confirmed = logged_in.post(f"/curate/items/{item}/consent",
                               data={**wider, "confirming": "yes", "contributor_asked": "yes"})
    assert confirmed.status_code == 302
    assert archive.get_item(item).consent.attribution is Attribution.NAMED
    history = logged_in.get(f"/curate/history/{item}").get_data(as_text=True)
    assert "confirmed with the contributor by curator dana" in history


def test_a_stale_decline_cannot_close_the_contributors_newer_request(logged_in, archive):
    contributor, item = _consented_item(archive, attribution="anonymous", scopes=["exhibit"])
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("pseudonym", ["exhibit"], None))
    held_open = _form(logged_in, f"/curate/items/{item}")
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], None))

    response = logged_in.post(f"/curate/items/{item}/decline-request", data=held_open)

    assert response.status_code == 409
    assert archive.get_item(item).consent_request.attribution is Attribution.NAMED


def test_a_stale_exhibition_form_is_refused_and_shows_the_current_values(logged_in, archive):
    exhibition = archive.curation.create_exhibition(slug="room", actor=CURATOR, titles={"en": "Silent Room"})
    held_open = _form(logged_in, "/curate/exhibitions/room")
    archive.curation.revise_exhibition(exhibition, actor="curator:bolat", venue={"en": "Gallery Nine"})

    response = logged_in.post("/curate/exhibitions/room", data={**held_open, "titles_en": "Quiet Room", "venue_en": ""})

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "curator bolat: exhibition revised (changed venue)" in page
    assert 'value="Gallery Nine"' in page  # the form now shows the current record
    stored = archive.get_exhibition(exhibition)
    assert stored.titles == {"en": "Silent Room"} and stored.field("venue") == {"en": "Gallery Nine"}


def test_a_stale_arrangement_action_changes_nothing(logged_in, archive):
    _, item = _consented_item(archive)
    exhibition = archive.curation.create_exhibition(slug="room", actor=CURATOR, titles={"en": "Room"})
    held_open = _form(logged_in, "/curate/exhibitions/room")
    archive.curation.add_to_exhibition(exhibition, item, actor="curator:bolat")
    version = archive.get_exhibition(exhibition).version

    publish = logged_in.post("/curate/exhibitions/room/publish", data=held_open)
    remove = logged_in.post(f"/curate/exhibitions/room/works/{item}/remove", data=held_open)

    assert publish.status_code == 409 and remove.status_code == 409
    assert "work added" in publish.get_data(as_text=True)
    stored = archive.get_exhibition(exhibition)
    assert stored.version == version and not stored.is_published and stored.item_ids == [item]


def test_a_consent_form_without_its_version_changes_nothing(logged_in, archive):
    _, item = _consented_item(archive)
    before = archive.get_item(item).consent
    token = _form(logged_in, f"/curate/items/{item}")["csrf_token"]

    response = logged_in.post(f"/curate/items/{item}/consent", data={
        "csrf_token": token, "scopes": ["exhibit"], "attribution": "anonymous", "text_version": "v1",
    }, follow_redirects=True)

    assert "does not say which version" in response.get_data(as_text=True)
    assert archive.get_item(item).consent == before
    assert Scope.PUBLISH_ONLINE in archive.get_item(item).consent.scopes
