"""The curator's one-line summary of a consent names its scopes in one order, whatever order
its set of scopes iterates in (a frozenset's order changes from one process to the next)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import render_template_string

from domain.consent import Attribution, Scope
from web import create_app


@dataclass
class _Consent:
    scopes: list[Scope]
    attribution: Attribution = Attribution.NAMED
    text_version: str = "v1"
    expires_on: None = None


def test_a_consents_scopes_are_listed_in_one_order_however_its_set_iterates(tmp_path: Path):
    app = create_app({"ARCHIVE_DATA_DIR": str(tmp_path / "var"), "ARCHIVE_SECURE_COOKIES": "0", "TESTING": True})
    template = '{% from "curate/_macros.html" import consent_summary %}{{ consent_summary(consent) }}'
    with app.test_request_context("/curate/"):
        shown = {
            render_template_string(template, consent=_Consent(order))
            for order in ([Scope.EXHIBIT, Scope.PUBLISH_ONLINE], [Scope.PUBLISH_ONLINE, Scope.EXHIBIT])
        }
    assert shown == {"Allows: exhibitions, published online; credit: by name; consent text v1."}
