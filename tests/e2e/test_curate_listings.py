"""Curator listings come from the read models: the same items as the aggregates say, a page at
a time, filterable; the exhibition editor picks works by searching their titles."""

from __future__ import annotations

import re

import pytest

from archive.services.application import ExhibitionArchive
from domain.consent import ConsentStatus

CURATOR = "curator:dana"


@pytest.fixture
def archive(media_archive, curator):
    return media_archive


@pytest.fixture
def client(logged_in):
    return logged_in


def _small_archive(archive: ExhibitionArchive) -> dict[str, object]:
    person = archive.contributors.register_contributor(name="Aizhan Listed", pseudonym="Ai", actor=CURATOR)
    other = archive.contributors.register_contributor(name="Other Person", actor=CURATOR)
    art = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Felt lantern"})
    told = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"ru": "Текст"}, language="ru",
                                    content_note={"en": "Note"}, title={"en": "Night bus"})
    offline = archive.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Only in the hall"})
    gone = archive.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Gone quilt"})
    online = ["exhibit", "publish_online"]
    archive.consent.record_consent(art, actor=CURATOR, scopes=online, attribution="named", text_version="v1")
    archive.consent.record_consent(offline, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
    archive.consent.record_consent(gone, actor=CURATOR, scopes=online, attribution="named", text_version="v1")
    archive.consent.withdraw(gone, actor=CURATOR)
    show = archive.curation.create_exhibition(slug="lanterns", actor=CURATOR, titles={"en": "Lanterns"})
    archive.curation.add_to_exhibition(show, art, actor=CURATOR)
    return {"person": person, "other": other, "art": art, "told": told, "offline": offline, "gone": gone}


def _linked_items(html: str) -> list[str]:
    return re.findall(r'href="/curate/items/([0-9a-f-]{36})"', html)


def test_listings_show_the_same_items_as_the_aggregates_say(archive, client):
    ids = _small_archive(archive)
    today = archive.today()
    items = [archive.get_item(i) for i in archive.item_ids()]

    mine = client.get(f"/curate/contributors/{ids['person']}").get_data(as_text=True)
    assert _linked_items(mine) == [str(i.id) for i in items if i.contributor_id == ids["person"]]
    assert "Felt lantern" in mine and "Night bus" in mine

    overview = client.get("/curate/consent").get_data(as_text=True)
    hidden = [str(i.id) for i in items if i.status(today) is not ConsentStatus.GIVEN
              or "publish_online" not in {s.value for s in i.consent.scopes}]
    assert _linked_items(overview) == hidden == [str(ids["told"]), str(ids["offline"]), str(ids["gone"])]
    assert "not consented for online publication" in overview and "consent withdrawn" in overview

    dashboard = client.get("/curate/").get_data(as_text=True)
    recorded = dashboard.split('id="items-h"')[1].split("</section>")[0]
    assert _linked_items(recorded) == [str(i.id) for i in reversed(items)]
    assert "1 work" in dashboard and "Lanterns" in dashboard

    people = client.get("/curate/contributors").get_data(as_text=True)
    assert "Aizhan Listed" in people and "(Ai)" in people and "2 items" in people

    for form in ("/curate/artworks/new", "/curate/testimonies/new"):
        page = client.get(form).get_data(as_text=True)
        assert f'value="{ids["person"]}"' in page and f'value="{ids["other"]}"' in page


def test_the_contributor_page_filters_by_kind_and_consent_status(archive, client):
    ids = _small_archive(archive)
    page = client.get(f"/curate/contributors/{ids['person']}?kind=testimony").get_data(as_text=True)
    assert _linked_items(page) == [str(ids["told"])]
    page = client.get(f"/curate/contributors/{ids['other']}?status=withdrawn").get_data(as_text=True)
    assert _linked_items(page) == [str(ids["gone"])]
    page = client.get(f"/curate/contributors/{ids['other']}?status=nonsense&kind=<b>").get_data(as_text=True)
    assert _linked_items(page) == [str(ids["offline"]), str(ids["gone"])], "unknown filters are ignored"


def test_long_listings_come_a_page_at_a_time(archive, client):
    person = archive.contributors.register_contributor(name="Prolific", actor=CURATOR)
    made = [archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": f"Work {n}"}) for n in range(57)]
    first = client.get(f"/curate/contributors/{person}").get_data(as_text=True)
    assert _linked_items(first) == [str(i) for i in made[:50]]
    assert "Page 1 of 2" in first and 'rel="next"' in first and "57 items" in first
    second = client.get(f"/curate/contributors/{person}?page=2").get_data(as_text=True)
    assert _linked_items(second) == [str(i) for i in made[50:]] and 'rel="prev"' in second
    beyond = client.get(f"/curate/contributors/{person}?page=99").get_data(as_text=True)
    assert _linked_items(beyond) == [str(i) for i in made[50:]], "a page past the end shows the last"
    overview = client.get("/curate/consent?page=2").get_data(as_text=True)
    assert _linked_items(overview) == [str(i) for i in made[50:]]
    for n in range(52):
        archive.contributors.register_contributor(name=f"Person {n}", actor=CURATOR)
    people = client.get("/curate/contributors?page=2").get_data(as_text=True)
    assert "Person 49" in people and "Person 48" not in people and "Page 2 of 2" in people


def test_the_exhibition_editor_picks_works_by_searching_their_titles(archive, client):
    ids = _small_archive(archive)
    editor = client.get("/curate/exhibitions/lanterns").get_data(as_text=True)
    assert "<select id=\"item_id\"" not in editor, "no select of every item"
    offered = re.findall(r'name="item_id" value="([0-9a-f-]{36})"', editor)
    assert offered == [str(ids["offline"]), str(ids["told"])], "newest first; not hung here, not withdrawn"

    found = client.get("/curate/exhibitions/lanterns?q=NIGHT+bu").get_data(as_text=True)
    assert re.findall(r'name="item_id" value="([0-9a-f-]{36})"', found) == [str(ids["told"])]
    fragment = client.get("/curate/exhibitions/lanterns/candidates?q=hall&kind=artwork").get_data(as_text=True)
    assert re.findall(r'name="item_id" value="([0-9a-f-]{36})"', fragment) == [str(ids["offline"])]
    assert "<html" not in fragment
    nothing = client.get("/curate/exhibitions/lanterns/candidates?q=zzz").get_data(as_text=True)
    assert "No work matches." in nothing
    assert client.get("/curate/exhibitions/nowhere/candidates?q=a").status_code == 404

    page = client.get("/curate/exhibitions/lanterns").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    added = client.post("/curate/exhibitions/lanterns/works",
                        data={"csrf_token": token, "version": version, "item_id": str(ids["told"])})
    assert added.status_code == 302
    assert archive.exhibition_by_slug("lanterns").item_ids == [ids["art"], ids["told"]]
    editor = client.get("/curate/exhibitions/lanterns").get_data(as_text=True)
    offered = re.findall(r'name="item_id" value="([0-9a-f-]{36})"', editor)
    assert offered == [str(ids["offline"])], "the read models know it hangs there now"


def test_the_dashboard_shows_what_changed_last(archive, client):
    ids = _small_archive(archive)
    archive.cataloguing.revise_item(ids["offline"], actor=CURATOR, title={"en": "Renamed in the hall"})
    dashboard = client.get("/curate/").get_data(as_text=True)
    changed = dashboard.split('id="changed-h"')[1].split("</section>")[0]
    assert _linked_items(changed)[0] == str(ids["offline"]) and "Renamed in the hall" in changed


def test_the_contributor_page_says_each_items_title_kind_and_consent_in_the_curators_language(archive, client):
    person = archive.contributors.register_contributor(name="Lines Person", actor=CURATOR)
    untitled = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"en": "Words"}, language="en", content_note={"en": "Note"})
    told = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"ru": "Текст"}, language="ru",
                                                content_note={"en": "Note"}, title={"en": "Night <bus>", "ru": "Ночной автобус"})
    gone = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Gone quilt"})
    archive.consent.record_consent(told, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
    archive.consent.record_consent(gone, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
    archive.consent.withdraw(gone, actor=CURATOR)

    page = client.get(f"/curate/contributors/{person}").get_data(as_text=True)
    lines = re.findall(r'<li><a href="/curate/items/([0-9a-f-]{36})">(.*?)</a> — (.*?), <span class="status status-(\w+)">(.*?)</span></li>', page)
    assert lines == [
        (str(untitled), "(untitled testimony)", "testimony", "not_recorded", "no consent yet"),
        (str(told), "Night &lt;bus&gt;", "testimony", "given", "consent given"),
        (str(gone), "(content withdrawn)", "artwork", "withdrawn", "withdrawn"),
    ]
    russian = client.get(f"/curate/contributors/{person}?lang=ru").get_data(as_text=True)
    assert "(свидетельство без названия)" in russian and "Ночной автобус" in russian and "согласие дано" in russian
