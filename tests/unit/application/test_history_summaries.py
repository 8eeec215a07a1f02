"""History summaries: one describer per event type, codes and simple values, never content.

A history line is shown to every curator and printed by the CLI, long after the texts it
describes may have been withdrawn or have named someone who erased their details: it says
who, what and when, and its summary holds no title, text or name.
"""

from __future__ import annotations

from datetime import date

from archive.history import TEMPLATES, Summary, describe
from domain.actor import Actor
from domain.consent import ConsentChange
from domain.contributors import Contributor
from domain.exhibitions import Exhibition
from domain import items
from domain.items import Item
from tests.conftest import CURATOR

#: Words that appear only in content and names: none may reach a summary.
SECRETS = ("Zhannatitle", "Zhannatext", "Zhannaname", "Zhannaalias", "Zhannawall", "Zhannashow", "Zhannavenue")


def _a_full_life(archive):
    """Every kind of event of an item, a contributor and an exhibition, with content in each."""
    contributor = archive.contributors.register_contributor(name="Zhannaname Testova", pseudonym="Zhannaalias", actor=CURATOR)
    archive.contributors.revise_contributor(contributor, actor=CURATOR, name="Zhannaname Other", pseudonym="Zhannaalias")
    art = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Zhannatitle", "ru": "Zhannatitle"})
    archive.cataloguing.revise_item(art, actor=CURATOR, title={"en": "Zhannatitle two"}, description={"kk": "Zhannatext"})
    testimony = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"ru": "Zhannatext Zhannaname"}, language="ru",
        content_note={"en": "Note"},
    )
    archive.cataloguing.redact_span(testimony, "Zhannaname", actor=CURATOR)
    for item in (art, testimony):
        archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1",
                               expires_on=date(2099, 1, 1))
    archive.self_service.change_consent_as_contributor(contributor, art, ConsentChange("anonymous", ["exhibit", "publish_online"], None))
    exhibition = archive.curation.create_exhibition(slug="zh", actor=CURATOR, titles={"en": "Zhannashow"}, venue={"en": "Zhannavenue"})
    archive.curation.revise_exhibition(exhibition, actor=CURATOR, titles={"en": "Zhannashow two"})
    archive.curation.add_to_exhibition(exhibition, art, actor=CURATOR, wall_text={"en": "Zhannawall"})
    archive.curation.add_to_exhibition(exhibition, testimony, actor=CURATOR)
    archive.curation.revise_wall_text(exhibition, testimony, actor=CURATOR, wall_text={"en": "Zhannawall two"})
    archive.curation.reorder_exhibition(exhibition, [testimony, art], actor=CURATOR)
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    archive.curation.remove_from_exhibition(exhibition, art, actor=CURATOR)
    archive.curation.unpublish_exhibition(exhibition, actor=CURATOR)
    archive.consent.withdraw(testimony, actor=CURATOR)
    archive.self_service.withdraw_everything(contributor)
    return [art, testimony, contributor, exhibition]


def _params(summary: Summary):
    for _, value in summary.params:
        nested = value if isinstance(value, tuple) else (value,)
        for part in nested:
            if isinstance(part, Summary):
                yield from _params(part)
            else:
                yield part


def test_no_summary_carries_a_title_a_text_or_a_name(archive):
    entries = [entry for aggregate in _a_full_life(archive) for entry in archive.history(aggregate)]

    assert len(entries) > 20
    for entry in entries:
        said = f"{entry.what} {entry.summary} {entry.summary!r}"
        assert [s for s in SECRETS if s in said] == [], said
        assert entry.summary.code in TEMPLATES
        assert all(isinstance(p, (str, int, Actor)) for p in _params(entry.summary)), entry.summary


def test_summaries_say_what_changed_in_codes_and_simple_values(archive):
    art, testimony, contributor, exhibition = _a_full_life(archive)

    by_what = {entry.what: entry.summary for entry in archive.history(exhibition)}
    assert by_what["exhibition revised"] == Summary.of("fields-changed", fields=("titles",))
    assert by_what["works reordered"].code == "order"
    assert by_what["published"] == Summary.of("visible-to-visitors")
    narrowed = archive.history(art)[-3].summary
    assert narrowed.code == "narrowed-by-contributor"
    assert str(narrowed) == (
        "narrowed by the contributor: allows exhibit; attribution anonymous; consent text v1; expires after 2099-01-01"
    )
    assert str(archive.history(testimony)[-1].summary) == "withdrawn by curator test-curator on the contributor's behalf"


def test_every_event_of_an_item_an_exhibition_and_a_contributor_has_its_own_describer():
    events = [
        cls for aggregate in (Item, Exhibition, Contributor) for cls in vars(aggregate).values()
        if isinstance(cls, type) and issubclass(cls, aggregate.Event) and cls is not aggregate.Event
        # eventsourcing's default created event, never stored: items are Recorded, contributors Registered
        and not (cls.__name__ == "Created" and aggregate is not Exhibition)
    ]
    assert len(events) >= 25  # 11 of an item, 9 of an exhibition, 5 of a contributor
    generic = describe.dispatch(object)
    assert [cls.__qualname__ for cls in events if describe.dispatch(cls) is generic] == []
    # Artworks and testimonies share their describers, and say which they are.
    assert describe.dispatch(items.Artwork.Recorded) is describe.dispatch(items.Testimony.Recorded)
