"""Links every page repeats are built once per app and script root (``web.site_urls``)."""

from __future__ import annotations

from pathlib import Path

from flask import url_for

from web import create_app
from web.site_urls import MAX_KEPT, links_to, site_url


def _app(tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app({"ARCHIVE_DATA_DIR": str(tmp_path / "var"), "ARCHIVE_SECURE_COOKIES": "0", "TESTING": True})


def test_a_repeated_link_is_the_link_url_for_gives_under_any_script_root(tmp_path: Path):
    app = _app(tmp_path)
    for root in ("", "/archive"):
        with app.test_request_context("/exhibitions", base_url=f"http://localhost{root}"):
            for endpoint, values in [("static", {"filename": "site.css"}), ("exhibitions.index", {"lang": "kk"}),
                                     ("exhibitions.show", {"slug": "silent-room", "lang": "ru"})]:
                assert site_url(endpoint, **values) == url_for(endpoint, **values)
                assert site_url(endpoint, **values) == url_for(endpoint, **values)  # and again, kept
            assert site_url("static", filename="site.css").startswith(root + "/")


def test_each_app_keeps_its_own_links(tmp_path: Path):
    first, second = _app(tmp_path / "a"), _app(tmp_path / "b")
    with first.test_request_context("/"):
        site_url("exhibitions.index", lang="en")
        [key] = first.extensions["site_urls"]
        first.extensions["site_urls"][key] = "/elsewhere"  # what the first app keeps
        assert site_url("exhibitions.index", lang="en") == "/elsewhere"
    with second.test_request_context("/"):
        assert site_url("exhibitions.index", lang="en") == url_for("exhibitions.index", lang="en")


def test_the_kept_links_are_bounded(tmp_path: Path):
    app = _app(tmp_path)
    with app.test_request_context("/"):
        for n in range(MAX_KEPT + 10):
            site_url("exhibitions.show", slug=f"show-{n}", lang="en")
        assert len(app.extensions["site_urls"]) <= MAX_KEPT


def test_links_that_differ_in_one_value_are_the_links_url_for_gives(tmp_path: Path):
    app = _app(tmp_path)
    item = "0b6f9a3e-8c1d-4f5e-9a7b-2c3d4e5f6a7b"
    with app.test_request_context("/", base_url="http://localhost/archive"):
        to_item = links_to("items.show", "item_id", exhibition="silent-room", lang="kk")
        to_show = links_to("exhibitions.show", "slug", lang="ru")
        assert to_item(item) == url_for("items.show", item_id=item, exhibition="silent-room", lang="kk")
        assert to_show("silent-room") == url_for("exhibitions.show", slug="silent-room", lang="ru")
        assert to_show("tikha-komnata") == url_for("exhibitions.show", slug="tikha-komnata", lang="ru")
