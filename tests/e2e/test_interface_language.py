"""Templates translate through this request's catalog: looked up once per request, never
carried from one request into the next."""

from __future__ import annotations

import pytest
from flask_babel import Domain

from web import create_app

QUICK_EXIT = {"en": "Quick exit", "ru": "Быстрый выход", "kk": "Жылдам шығу"}


@pytest.fixture
def client(archive):
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", "PAGE_CACHE": False}).test_client()


def test_a_page_looks_its_catalog_up_once(client, monkeypatch: pytest.MonkeyPatch):
    """About 20 strings on every public page: one catalog lookup (12 us each) instead of 20."""
    lookups = []
    real = Domain.get_translations

    def counting(self: Domain) -> object:
        lookups.append(self)
        return real(self)

    monkeypatch.setattr(Domain, "get_translations", counting)
    page = client.get("/about?lang=ru").get_data(as_text=True)
    assert QUICK_EXIT["ru"] in page
    assert len(lookups) == 1


def test_each_request_is_translated_into_its_own_language(client):
    for lang in ("ru", "kk", "en", "ru"):
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert QUICK_EXIT[lang] in page, lang
        assert all(QUICK_EXIT[other] not in page for other in QUICK_EXIT if other != lang), lang
