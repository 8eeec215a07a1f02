"""The exhibitions list, an exhibition's public history and its "as it was on" view."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from domain import clock
from tests.conftest import CURATOR
from web import create_app

ONLINE = ["exhibit", "publish_online"]


def at(year: int, month: int, day: int):
    """Record what follows at noon UTC on that day."""
    return clock.fixed_at(datetime(year, month, day, 12, tzinfo=timezone.utc))


@pytest.fixture
def site(archive):
    """An exhibition built over spring 2024, whose works' consent changed afterwards."""
    person = archive.contributors.register_contributor(name="Named Person", actor=CURATOR)
    ids = {}

    def artwork(key, title, **consent):
        item = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": title})
        archive.consent.record_consent(item, actor=CURATOR, text_version="v1", attribution="named", **consent)
        ids[key] = item
        return item

    with at(2024, 3, 1):
        ids["exhibition"] = exhibition = archive.curation.create_exhibition(
            slug="spring-show", actor=CURATOR, titles={"en": "Draft Spring"}, venue={"en": "Old Hall"},
            city={"en": "Almaty"}, opens_on=date(2024, 4, 1), closes_on=date(2024, 4, 30),
        )
        artwork("early", "Early-work", scopes=ONLINE)
        artwork("later_withdrawn", "Later-withdrawn-work", scopes=ONLINE)
        artwork("later_narrowed", "Later-offline-work", scopes=ONLINE)
        for key in ("early", "later_withdrawn", "later_narrowed"):
            archive.curation.add_to_exhibition(exhibition, ids[key], actor=CURATOR, wall_text={"en": f"wall-{key}"})
    with at(2024, 3, 20):
        artwork("late", "Late-work", scopes=ONLINE)
        archive.curation.add_to_exhibition(exhibition, ids["late"], actor=CURATOR, wall_text={"en": "wall-late"})
        archive.curation.revise_exhibition(exhibition, actor=CURATOR, titles={"en": "Spring Show"}, venue={"en": "New Hall"})
    with at(2024, 4, 1):
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    with at(2024, 4, 10):
        archive.curation.remove_from_exhibition(exhibition, ids["early"], actor=CURATOR)
    archive.consent.withdraw(ids["later_withdrawn"], actor=CURATOR)
    archive.consent.update_consent(ids["later_narrowed"], actor=CURATOR, scopes=["exhibit"])

    with at(2024, 1, 5):
        ids["retired"] = retired = archive.curation.create_exhibition(slug="retired-show", actor=CURATOR, titles={"en": "Retired Show"})
        archive.curation.add_to_exhibition(retired, ids["late"], actor=CURATOR)
        archive.curation.publish_exhibition(retired, actor=CURATOR)
    with at(2024, 2, 5):
        archive.curation.unpublish_exhibition(retired, actor=CURATOR)
    archive.curation.create_exhibition(slug="draft-show", actor=CURATOR, titles={"en": "Draft Show"})
    with at(2023, 5, 1):
        ids["old"] = old = archive.curation.create_exhibition(
            slug="old-show", actor=CURATOR, titles={"en": "Old Show"}, venue={"en": "Gallery Seven"},
            opens_on=date(2023, 5, 1), closes_on=date(2023, 5, 20),
        )
        archive.curation.publish_exhibition(old, actor=CURATOR)
    return archive, ids


@pytest.fixture
def client(site):
    archive, _ = site
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


# -- the list ---------------------------------------------------------------------------------


def test_the_exhibitions_list_shows_published_ones_with_dates_and_venue(client):
    html = main(page(client, "/exhibitions"))
    assert "<h1>All exhibitions</h1>" in html
    assert "Spring Show" in html and "New Hall" in html and '<time datetime="2024-04-01">' in html
    assert "Old Show" in html and "Gallery Seven" in html and '<time datetime="2023-05-20">' in html
    for absent in ("Retired Show", "Draft Show"):
        assert absent not in html


def test_the_exhibition_page_links_to_the_list_its_history_and_the_as_of_view(client):
    html = page(client, "/exhibitions/spring-show")
    assert 'href="/exhibitions?lang=en"' in html
    assert 'href="/exhibitions/spring-show/history?lang=en"' in html
    assert 'href="/exhibitions/spring-show/as-of?lang=en"' in html


# -- the history --------------------------------------------------------------------------


def test_the_history_timeline_tells_what_happened_and_when(client):
    html = main(page(client, "/exhibitions/spring-show/history"))
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    entries = re.findall(r'<time datetime="([\d-]+)">[\d-]+</time>\s*<span class="what">([^<]+)</span>', timeline)
    assert [day for day, _ in entries] == ["2024-03-01"] * 4 + ["2024-03-20"] * 2 + ["2024-04-01", "2024-04-10"]
    phrases = [what.replace("&#39;", "'") for _, what in entries]
    assert phrases == [
        "The exhibition was created",
        "A work was added",
        "A work was added",
        "A work was added",
        "A work was added",
        "The exhibition's details were changed",
        "The exhibition was published online",
        "A work was taken down",
    ]
    assert "Draft Spring" in timeline  # the exhibition's own title when it was created
    assert "now titled" in timeline and "Spring Show" in timeline
    assert 'href="/exhibitions/spring-show/as-of?date=2024-03-20&amp;lang=en"' in timeline


def test_the_history_never_names_a_work_or_quotes_a_wall_text(client, site):
    _, ids = site
    html = page(client, "/exhibitions/spring-show/history")
    for absent in ("Early-work", "Later-withdrawn-work", "Later-offline-work", "Late-work", "wall-"):
        assert absent not in html
    for key in ("early", "later_withdrawn", "later_narrowed", "late"):
        assert str(ids[key]) not in html and str(ids[key])[:8] not in html


@pytest.mark.parametrize("slug", ["retired-show", "draft-show", "never-was"])
def test_only_published_exhibitions_have_a_public_history(client, slug):
    for path in (f"/exhibitions/{slug}/history", f"/exhibitions/{slug}/as-of", f"/exhibitions/{slug}/as-of?date=2024-01-10"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "Retired Show" not in body and "Draft Show" not in body and "Late-work" not in body


# -- as it was on ---------------------------------------------------------------------------


def test_the_as_of_view_shows_the_arrangement_between_two_revisions(client):
    html = main(page(client, "/exhibitions/spring-show/as-of?date=2024-03-10"))
    assert '<time datetime="2024-03-10">2024-03-10</time>' in html
    assert "Early-work" in html and "wall-early" in html
    assert "Late-work" not in html  # added on 20 March
    assert "Draft Spring" in html and "Old Hall" in html  # the title and venue of that day
    assert "not yet open to visitors online" in html


def test_the_as_of_view_follows_later_changes_to_the_arrangement(client):
    before = main(page(client, "/exhibitions/spring-show/as-of?date=2024-04-05"))
    assert before.index("Early-work") < before.index("Late-work")
    assert "not yet open to visitors online" not in before
    after = main(page(client, "/exhibitions/spring-show/as-of?date=2024-04-10"))
    assert "Early-work" not in after and "Late-work" in after


def test_the_as_of_view_leaves_out_works_current_consent_does_not_allow(client):
    html = page(client, "/exhibitions/spring-show/as-of?date=2024-03-10")
    for absent in ("Later-withdrawn-work", "wall-later_withdrawn", "Later-offline-work", "wall-later_narrowed"):
        assert absent not in html


def test_the_as_of_view_links_each_work_to_its_page(client, site):
    _, ids = site
    html = page(client, "/exhibitions/spring-show/as-of?date=2024-04-05")
    assert f'href="/items/{ids["late"]}?exhibition=spring-show&amp;lang=en"' in html


def test_a_date_before_the_exhibition_existed_says_so(client):
    html = main(page(client, "/exhibitions/spring-show/as-of?date=2024-02-29"))
    assert "did not exist yet" in html
    assert "Early-work" not in html and "Draft Spring" not in html


@pytest.mark.parametrize("bad", ["yesterday", "2024-02-30", "2024-13-01", "20240310", "2024-3-1", "2024-03-10T00:00", "<b>x</b>"])
def test_a_malformed_date_gets_a_clear_message_not_an_error(client, bad):
    response = client.get("/exhibitions/spring-show/as-of", query_string={"date": bad})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a date this page understands" in html and "year-month-day" in html
    assert 'aria-invalid="true"' in html and "<b>x</b>" not in html
    assert "Early-work" not in html


def test_the_as_of_form_is_labelled_and_works_without_a_date(client):
    html = page(client, "/exhibitions/spring-show/as-of")
    assert '<label for="as-of-date">' in html and 'id="as-of-date" name="date" type="date"' in html
    assert 'action="/exhibitions/spring-show/as-of" method="get"' in html
    assert "Early-work" not in html and "is not a date" not in html


def test_a_date_still_to_come_shows_the_exhibition_as_it_stands_today(client):
    html = main(page(client, "/exhibitions/spring-show/as-of?date=9999-12-31"))
    assert "still to come" in html
    assert "Late-work" in html and "Early-work" not in html


# -- every new page ---------------------------------------------------------------------------


def test_exhibition_pages_have_the_quick_exit_lang_attributes_and_load_nothing_from_elsewhere(client):
    for path in (
        "/exhibitions",
        "/exhibitions/spring-show/history",
        "/exhibitions/spring-show/as-of",
        "/exhibitions/spring-show/as-of?date=2024-03-10",
        "/exhibitions/spring-show/as-of?date=nonsense",
        "/exhibitions/spring-show/as-of?date=2000-01-01",
    ):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "data-quick-exit" in html and "quick-exit.js" in html
        assert re.search(r'<html lang="(en|ru|kk)">', html)
        assert re.search(r"<h1[ >]", html)
        sources = re.findall(r'(?:src|href|srcset)="([^"]+)"', html)
        assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == ["https://www.google.com/"]
    ru = page(client, "/exhibitions/spring-show/history?lang=ru")
    assert '<html lang="ru">' in ru and '<span lang="en">Spring Show</span>' in ru
