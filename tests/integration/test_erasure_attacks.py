"""Attacks on the erasure of names from exhibition texts (issue 14 review): spellings, past
names, short pseudonyms, exhibitions never published and works taken down.

Each test is a way a survivor's name could outlive "erase everything" in what visitors read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID


from archive.read import public
from archive.services.application import ExhibitionArchive
from domain import clock
from tests.conftest import CURATOR, Storage

NOON = datetime(2026, 3, 1, 12, tzinfo=UTC)
TODAY = date(2026, 3, 1)
FIELDS = ("titles", "organiser", "venue", "city", "statement")


def _hung(app: ExhibitionArchive, her: UUID, slug: str, **texts: dict[str, str]) -> UUID:
    """A published exhibition of her work (named) with the given own texts."""
    quilt = app.cataloguing.record_artwork(contributor_id=her, actor=CURATOR, title={"en": "Quilt"})
    app.consent.record_consent(quilt, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named",
                       text_version="v1")
    texts.setdefault("titles", {"en": "Letters"})
    show = app.curation.create_exhibition(slug=slug, actor=CURATOR, **texts)
    app.curation.add_to_exhibition(show, quilt, actor=CURATOR, wall_text={"en": "A quilt."})
    app.curation.publish_exhibition(show, actor=CURATOR)
    return show


def _own_texts(app: ExhibitionArchive, slug: str) -> str:
    page = public.published_exhibition(app, slug, TODAY)
    return " ".join(t for name in FIELDS for t in getattr(page, name).values())


def test_a_name_from_an_earlier_version_of_her_record_is_taken_out_at_erasure(storage: Storage):
    """She was registered as Ysolda Qorvathenko, then her record was corrected (a new surname,
    a fixed typo, a new pseudonym). The statement written while she was Qorvathenko names her
    by it; the erasure must take out every name her record ever held, while it can read them."""
    app = storage.open()
    try:
        with clock.fixed_at(NOON):
            her = app.contributors.register_contributor(name="Ysolda Qorvathenko", pseudonym="Vexmaraquill", actor=CURATOR)
            _hung(app, her, "letters", statement={"en": "Qorvathenko sewed these as Vexmaraquill."})
            assert "Qorvathenko" in _own_texts(app, "letters"), "named while she consents to it"
            app.contributors.revise_contributor(her, actor=CURATOR, name="Ysolda Brennavik", pseudonym="Tolquarine")
            assert "Qorvathenko" not in _own_texts(app, "letters"), "a former name is withheld"
            app.self_service.withdraw_everything(her)
            shown = _own_texts(app, "letters")
        assert [w for w in ("Qorvathenko", "Vexmaraquill") if w in shown] == []
    finally:
        app.close()


def test_a_name_she_withholds_stays_out_of_the_statement_after_her_work_is_taken_down(storage: Storage):
    """She narrows her credit to anonymous, so the statement that named her reads "[…]"; then
    a curator takes her work down (often at her request). The statement's filter knew her name
    only through the works hung now, so her name came back on the exhibition's page."""
    from domain.consent import ConsentChange

    app = storage.open()
    try:
        with clock.fixed_at(NOON):
            her = app.contributors.register_contributor(name="Ysolda Qorvathenko", actor=CURATOR)
            other = app.contributors.register_contributor(name="Dana Open", actor=CURATOR)
            lamp = app.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Lamp"})
            app.consent.record_consent(lamp, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named",
                               text_version="v1")
            show = _hung(app, her, "letters", statement={"en": "Quilts by Ysolda Qorvathenko."})
            app.curation.add_to_exhibition(show, lamp, actor=CURATOR)
            [quilt] = [i for i in app.get_exhibition(show).item_ids if i != lamp]
            app.self_service.change_consent_as_contributor(her, quilt, ConsentChange(
                attribution="anonymous", scopes=frozenset({"exhibit", "publish_online"}), expires_on=None))
            assert "Qorvathenko" not in _own_texts(app, "letters")
            app.curation.remove_from_exhibition(show, quilt, actor=CURATOR)
            shown = _own_texts(app, "letters")
            listed = " ".join(t for s in public.published_exhibitions(app, TODAY) for t in s.statement.values())
        assert [w for w in ("Ysolda", "Qorvathenko") if w in shown + listed] == []
    finally:
        app.close()
