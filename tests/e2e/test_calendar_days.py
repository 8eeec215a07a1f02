"""Calendar days are days in the archive's own zone, at any hour of the machine's clock.

Each test runs at the four fixed instants of ``tests.conftest.INSTANTS``: just before and just
after midnight in Almaty (the archive's zone here), and just before and just after midnight UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from archive.services.application import ExhibitionArchive
from domain import clock
from tests.conftest import CURATOR, INSTANTS
from web import create_app
from tests.fakes import in_memory_archive

ALMATY = ZoneInfo("Asia/Almaty")
ONLINE = ["exhibit", "publish_online"]



@pytest.fixture(params=list(INSTANTS))
def moment(request: pytest.FixtureRequest):
    """The test body runs with the clock fixed at one of :data:`INSTANTS`; yields Almaty's day."""
    instant, day = INSTANTS[request.param]
    with clock.fixed_at(instant):
        yield day


@pytest.fixture
def archive():
    """An archive whose days are Almaty's (the process itself knows no zone)."""
    app = in_memory_archive(zone=ALMATY)
    yield app
    app.close()


@pytest.fixture
def client(archive):
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", "PAGE_CACHE": False}).test_client()


def _exhibition(archive: ExhibitionArchive, opens_on: date, closes_on: date) -> None:
    person = archive.contributors.register_contributor(name="Named Person", actor=CURATOR)
    work = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Tonight-work"})
    archive.consent.record_consent(work, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    show = archive.curation.create_exhibition(slug="tonight", actor=CURATOR, titles={"en": "Tonight Show"},
                                     opens_on=opens_on, closes_on=closes_on)
    archive.curation.add_to_exhibition(show, work, actor=CURATOR)
    archive.curation.publish_exhibition(show, actor=CURATOR)


def test_today_is_the_day_in_the_archives_zone(archive, moment):
    assert archive.today() == moment


def test_an_exhibition_made_just_now_is_shown_as_it_stood_today(archive, client, moment):
    _exhibition(archive, moment, moment + timedelta(days=30))
    html = client.get(f"/exhibitions/tonight/as-of?date={archive.today().isoformat()}&lang=en").get_data(as_text=True)
    assert "Tonight-work" in html
    assert "did not exist yet" not in html


def test_an_exhibition_opening_today_is_current_and_one_that_closed_yesterday_is_past(archive, client, moment):
    _exhibition(archive, moment, moment + timedelta(days=1))
    html = client.get("/exhibitions?lang=en").get_data(as_text=True)
    assert "Tonight Show" in html
    current = client.get("/?lang=en").get_data(as_text=True)
    assert "Tonight Show" in current


def test_consent_ends_at_midnight_in_the_archives_zone(archive, client, moment):
    person = archive.contributors.register_contributor(name="Named Person", actor=CURATOR)
    until_today = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Until-today"})
    archive.consent.record_consent(until_today, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1",
                           expires_on=moment)
    assert client.get(f"/items/{until_today}?lang=en").status_code == 200
    after_midnight = moment + timedelta(days=1)
    with clock.fixed_at(datetime.combine(after_midnight, datetime.min.time(), tzinfo=ALMATY) + timedelta(minutes=1)):
        assert client.get(f"/items/{until_today}?lang=en").status_code == 404


def test_a_contributor_may_set_an_expiry_of_today_but_not_of_yesterday(archive, moment):
    from domain.consent import ConsentChange

    person = archive.contributors.register_contributor(name="Named Person", actor=CURATOR)
    item = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Work"})
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    archive.self_service.change_consent_as_contributor(person, item, ConsentChange("named", ONLINE, moment))
    assert archive.get_item(item).consent.expires_on == moment
    from domain.errors import InvalidValue

    with pytest.raises(InvalidValue, match="past"):
        archive.self_service.change_consent_as_contributor(person, item, ConsentChange("named", ONLINE, moment - timedelta(days=1)))
