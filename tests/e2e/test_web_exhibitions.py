"""The first slice of the public site: exhibition list and exhibition page, through the gate."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import url_for

from domain import clock
from tests.conftest import CURATOR
from web import create_app

ONLINE = ["exhibit", "publish_online"]


@pytest.fixture
def site(archive):
    """A published exhibition holding one item in each consent state, and an unpublished one."""
    named = archive.contributors.register_contributor(name="Named Person", pseudonym="Pseudo", actor=CURATOR)
    ids = {}

    def artwork(key, title, **consent):
        item = archive.cataloguing.record_artwork(contributor_id=named, actor=CURATOR, title={"en": title, "ru": title + " ру"})
        if consent:
            archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **consent)
        ids[key] = item
        return item

    with clock.fixed_at(datetime(2024, 1, 1, tzinfo=timezone.utc)):
        artwork("expired", "Expired-work", scopes=ONLINE, attribution="named", expires_on=date(2024, 6, 1))
    artwork("shown", "Visible-work", scopes=ONLINE, attribution="named")
    artwork("pseudonymous", "Pseudonymous-work", scopes=ONLINE, attribution="pseudonym")
    artwork("anonymous", "Anonymous-work", scopes=ONLINE, attribution="anonymous")
    artwork("room_only", "Room-only-work", scopes=["exhibit"], attribution="named")
    artwork("online_only", "Online-not-exhibit-work", scopes=["publish_online"], attribution="named")
    artwork("no_consent", "Unconsented-work")
    artwork("withdrawn", "Withdrawn-work", scopes=ONLINE, attribution="named")
    testimony = archive.cataloguing.record_testimony(
        contributor_id=named, actor=CURATOR, text={"ru": "Текст свидетельства"}, language="ru",
        content_note={"en": "Mentions violence."},
    )
    archive.consent.record_consent(testimony, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
    ids["testimony"] = testimony

    exhibition = archive.curation.create_exhibition(
        slug="open-show", actor=CURATOR, titles={"en": "Open Show", "ru": "Открытая выставка"},
        opens_on=archive.today() - timedelta(days=1), closes_on=archive.today() + timedelta(days=30),
    )
    for key, item in ids.items():
        archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text={"en": f"wall-{key}"})
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    archive.consent.withdraw(ids["withdrawn"], actor=CURATOR)
    archive.curation.create_exhibition(slug="hidden-show", actor=CURATOR, titles={"en": "Hidden Show"})
    return archive, ids


@pytest.fixture
def client(site):
    archive, _ = site
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()


def test_home_lists_published_exhibitions_only(client):
    page = client.get("/").get_data(as_text=True)
    assert "Open Show" in page
    assert "Hidden Show" not in page


@pytest.mark.parametrize("root", ["", "/archive"])
@pytest.mark.parametrize("path", ["/", "/exhibitions"])
def test_a_listing_links_each_card_to_the_url_url_for_builds(site, root, path):
    """The cards' links are built once per page (a pattern with the slug filled in): each is
    still the URL ``url_for`` gives, under an application root too; unpublished ones have none."""
    app = create_app({"TESTING": True, "ARCHIVE": site[0], "SECRET_KEY": "test"})
    page = app.test_client().get(path + "?lang=ru", base_url=f"http://localhost{root}").get_data(as_text=True)
    with app.test_request_context("/", base_url=f"http://localhost{root}"):
        expected = url_for("exhibitions.show", slug="open-show", lang="ru")
    assert re.findall(r'<h3><a href="([^"]+)"', page) == [expected]
    assert expected.startswith(f"{root}/exhibitions/open-show")


def test_an_unpublished_exhibition_is_not_found(client):
    response = client.get("/exhibitions/hidden-show")
    assert response.status_code == 404
    assert "Hidden Show" not in response.get_data(as_text=True)
    assert client.get("/exhibitions/never-was").status_code == 404


def test_the_exhibition_page_shows_only_what_consent_allows_now(client, site):
    page = client.get("/exhibitions/open-show").get_data(as_text=True)
    for shown in ("Visible-work", "Pseudonymous-work", "Anonymous-work", f'id="item-{site[1]["testimony"]}"'):
        assert shown in page
    for absent in ("Expired-work", "Room-only-work", "Online-not-exhibit-work", "Unconsented-work", "Withdrawn-work"):
        assert absent not in page
    for absent_wall_text in ("wall-expired", "wall-room_only", "wall-no_consent", "wall-withdrawn", "wall-online_only"):
        assert absent_wall_text not in page


def test_the_exhibition_page_gates_each_stored_card_whatever_its_query_lets_through(client, site, monkeypatch):
    """The page's cards come from a query that already leaves out what consent does not allow;
    each card is gated again (``visibility.stored_card``), so a query that lets too much through
    (here one that asks for no scope at all) still shows nothing more."""
    archive, _ = site
    query = archive.read_models.shown_cards
    asked = []

    def any_scope(exhibition_id, on, scopes):
        asked.append(exhibition_id)
        return query(exhibition_id, on, ())

    monkeypatch.setattr(archive.read_models, "shown_cards", any_scope)
    page = client.get("/exhibitions/open-show").get_data(as_text=True)
    assert asked, "the page was read from its stored cards"
    assert "Visible-work" in page
    for absent in ("Room-only-work", "Online-not-exhibit-work", "wall-room_only", "wall-online_only"):
        assert absent not in page


def test_an_exhibitions_summary_lists_only_the_works_visitors_may_see(site):
    """From the read models and from the aggregates alike, the works a published exhibition's
    summary lists are those its works' consent lets visitors see online today."""
    from archive.gate.visibility import exhibition_summary
    from archive.read.public import carded_works, stored_summaries

    archive, ids = site
    exhibition = archive.get_exhibition(archive.exhibition_id_for_slug("open-show"))
    allowed = {ids[key] for key in ("shown", "pseudonymous", "anonymous", "testimony")}
    stored = stored_summaries(archive, archive.today(), [exhibition.id])[0]
    projected = exhibition_summary(exhibition, carded_works(archive, exhibition.works_ever_hung), archive.today())
    assert projected is not None
    assert set(stored.work_ids) == set(projected.work_ids) == allowed


def test_credit_follows_attribution(client, site):
    archive, ids = site
    page = client.get("/exhibitions/open-show").get_data(as_text=True)
    block = lambda key: page.split(f'id="item-{ids[key]}"')[1].split("</li>")[0]  # noqa: E731
    assert "Named Person" in block("shown")
    assert "Pseudo" in block("pseudonymous") and "Named Person" not in block("pseudonymous")
    assert "Anonymous" in block("anonymous") and "Named Person" not in block("anonymous")
    archive.consent.update_consent(ids["shown"], actor=CURATOR, attribution="anonymous")
    page = client.get("/exhibitions/open-show").get_data(as_text=True)
    assert "Named Person" not in page


def test_narrowing_consent_to_offline_removes_the_item_at_once(client, site):
    archive, ids = site
    archive.consent.update_consent(ids["shown"], actor=CURATOR, scopes=["exhibit"])
    assert "Visible-work" not in client.get("/exhibitions/open-show").get_data(as_text=True)


def test_the_exhibition_page_shows_a_testimonys_content_note_and_a_link_never_its_text(client, site):
    """A page of many works is no place to come upon a testimony: its card there holds the
    content note and a link to the testimony's own page, which shows the note first again."""
    page = client.get("/exhibitions/open-show").get_data(as_text=True)
    block = page.split(f'id="item-{site[1]["testimony"]}"')[1].split("</li>")[0]
    assert "Mentions violence." in block
    assert "Текст свидетельства" not in page
    link = re.search(r'<a class="reveal" href="([^"]+)">Read the testimony</a>', block)
    assert link is not None
    item_page = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert "Mentions violence." in item_page and "Continue to the testimony" in item_page
    assert "Текст свидетельства" not in item_page


def test_content_is_shown_in_the_visitors_language_with_a_fallback(client):
    ru = client.get("/exhibitions/open-show?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in ru and "Открытая выставка" in ru and "Visible-work ру" in ru
    kk = client.get("/exhibitions/open-show?lang=kk").get_data(as_text=True)
    assert '<html lang="kk">' in kk
    assert '<h1 lang="en">Open Show</h1>' in kk  # no Kazakh title: English, marked as English


def test_every_page_has_a_quick_exit_and_strict_headers(client):
    for path in ("/", "/exhibitions/open-show", "/exhibitions/missing"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert "data-quick-exit" in page and "quick-exit.js" in page
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        external = [s for s in sources if s.startswith(("http:", "https:", "//"))]
        assert external == ["https://www.google.com/"]  # only the quick-exit destination, never loaded


def test_static_assets_are_served_by_the_app(client):
    assert client.get("/static/quick-exit.js").status_code == 200
    assert client.get("/static/site.css").status_code == 200


def test_a_cached_page_is_never_served_after_a_change_of_consent(client, site):
    archive, ids = site
    assert "Visible-work" in client.get("/exhibitions/open-show").get_data(as_text=True)
    assert "Visible-work" in client.get("/exhibitions/open-show").get_data(as_text=True)  # from the cache
    archive.consent.withdraw(ids["shown"], actor=CURATOR)
    assert "Visible-work" not in client.get("/exhibitions/open-show").get_data(as_text=True)
    assert client.get(f"/items/{ids['shown']}").status_code == 404
