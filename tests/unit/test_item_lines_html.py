"""A curator's item lines (a contributor's page, the dashboard) are written in Python
(``web.curate.item_lines``): every text a contributor or curator wrote is escaped there, in
text and in attributes."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from uuid import uuid4

from flask import Flask
from flask_babel import Babel

from archive.read.models import ItemSummary
from web.curate.item_lines import item_lines_html

HOSTILE = "\"'><script>alert(1)</script>&amp;"
ON = date(2026, 12, 2)


def _summary(**changes: object) -> ItemSummary:
    values: dict[str, object] = dict(
        id=uuid4(), kind="testimony", contributor_id=uuid4(), recorded_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        updated_at=datetime(2026, 1, 1, tzinfo=timezone.utc), title={"en": HOSTILE}, is_redacted=False,
        scopes=frozenset(), attribution=None, expires_on=None, has_consent=True, is_withdrawn=False,
        consent_request=None, version=1,
    )
    values.update(changes)
    return ItemSummary(**values)  # type: ignore[arg-type]


def _lines(items: list[ItemSummary]) -> str:
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        return str(item_lines_html(items, ON, "en", lambda item_id: f"/curate/items/{item_id}?x={HOSTILE}"))


def test_every_text_of_a_line_is_escaped_in_text_and_in_attributes() -> None:
    html = _lines([_summary(), _summary(kind=HOSTILE, title={})])

    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;") >= 4  # link, title; kind, untitled
    for value in re.findall(r'="([^"]*)"', html) + re.findall(r">([^<]*)<", html):
        assert '"' not in value and "'" not in value and "<" not in value and ">" not in value


def test_each_item_is_one_line_with_its_title_kind_and_consent_status() -> None:
    html = _lines([_summary(title={"en": "Quilt"}), _summary(title={}, is_redacted=True, is_withdrawn=True)])

    assert html.count("<li>") == 2
    assert "Quilt</a> — testimony, <span class=\"status status-given\">consent given</span>" in html
    assert "(content withdrawn)</a> — testimony, <span class=\"status status-withdrawn\">withdrawn</span>" in html


def test_no_items_make_no_lines() -> None:
    assert _lines([]) == ""
