"""A curator redacts a span: every visitor surface and the search document leave it out."""

from __future__ import annotations

import pytest

from archive.gate.rules import Surface, name_filter
from archive.errors import ConcurrentChange
from archive.gate.name_filter import OMITTED
from archive.read.public import public_item
from archive.search.documents import ExhibitionMap, item_document
from tests.conftest import CURATOR

ONLINE = ["exhibit", "publish_online"]


@pytest.fixture
def testimony(archive):
    person = archive.contributors.register_contributor(name="Aigerim Sadykova", actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=person, actor=CURATOR, language="ru", content_note={"en": "Mentions violence."},
        text={"ru": "Соседка Гульмира Маратовна открыла дверь.", "en": "Our neighbour Gulmira Maratovna opened the door."},
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
    return item


def test_a_redacted_span_leaves_the_page_and_the_search_document(archive, testimony):
    archive.cataloguing.redact_span(testimony, "Гульмира Маратовна", actor=CURATOR, version=archive.get_item(testimony).version)

    item = archive.get_item(testimony)
    view = public_item(archive, item, Surface.ONLINE, archive.today())
    document = item_document(archive, item, ExhibitionMap())
    assert view.details["text"] == {
        "ru": f"Соседка {OMITTED} открыла дверь.", "en": f"Our neighbour {OMITTED} opened the door.",
    }
    assert document.texts == view.details["text"]
    assert archive.history(testimony)[-1].what == "span redacted"
    assert "Маратовна" not in repr(archive.history(testimony))


def test_a_redaction_from_a_stale_page_records_nothing(archive, testimony):
    seen = archive.get_item(testimony).version
    archive.consent.update_consent(testimony, actor=CURATOR, text_version="v2")

    with pytest.raises(ConcurrentChange):
        archive.cataloguing.redact_span(testimony, "Маратовна", actor=CURATOR, version=seen)
    assert archive.get_item(testimony).redacted_spans == []


def test_a_redaction_applies_whatever_the_attribution(archive, testimony):
    archive.consent.update_consent(testimony, actor=CURATOR, attribution="named")
    archive.cataloguing.redact_span(testimony, "Маратовна", actor=CURATOR)

    view = public_item(archive, archive.get_item(testimony), Surface.ONLINE, archive.today())
    assert "Маратовна" not in repr(view.details) and "Maratovna" not in repr(view.details)


def test_a_redaction_applies_when_the_contributor_record_is_gone(archive, testimony):
    archive.cataloguing.redact_span(testimony, "Маратовна", actor=CURATOR)

    names = name_filter(archive.get_item(testimony), None)  # an erased contributor reads as None
    assert names.text("Гульмира Маратовна") == f"Гульмира {OMITTED}"
