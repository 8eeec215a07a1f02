"""Withdrawal really forgets: the key is gone from the files, the content cannot come back."""

from __future__ import annotations

from tests.conftest import CURATOR, Storage, files_containing

SENTENCE = "Ұмытылмас qorqynysh: the zebra-violet lantern hummed in flat 17b"
TITLE = "Marigold-tarpaulin evening"


def test_withdrawal_shreds_the_key_and_leaves_no_plaintext_in_any_database_file(storage: Storage):
    archive = storage.open()
    contributor = archive.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
    testimony = archive.cataloguing.record_testimony(
        contributor_id=contributor,
        actor=CURATOR,
        text={"en": SENTENCE},
        language="en",
        content_note={"en": "Mentions fear."},
        title={"en": TITLE},
    )
    archive.consent.record_consent(
        testimony, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named", text_version="v1"
    )
    [(_, wrapped, _)] = [row for row in archive.keys._rows() if row[0] == testimony]
    data_key = archive.keys.get(testimony)
    assert data_key is not None

    files = storage.database_files()
    assert files, "the backend's database files were found"
    assert files_containing(files, wrapped), "the scan can see the wrapped key before withdrawal"
    assert not files_containing(files, SENTENCE.encode()), "content is encrypted at rest"
    # The read models (in the same database files) hold the title, sealed: the scan covers them.
    assert [s.title for s in archive.listings.item_summaries().rows] == [{"en": TITLE}]
    assert not files_containing(files, TITLE.encode()), "titles in the read models are sealed too"
    # So does the item's card (its content for the exhibition page), sealed under its key.
    [(card, _)] = archive.listings.item_cards([testimony]).values()
    assert card.details["text"] == {"en": SENTENCE}

    archive.consent.withdraw(testimony, actor=f"contributor:{contributor}")
    archive.close()

    files = storage.database_files()
    for needle in (SENTENCE.encode(), TITLE.encode(), wrapped, data_key):
        assert files_containing(files, needle) == []

    reopened = storage.open()
    try:
        assert not reopened.keys.exists(testimony)
        assert testimony not in reopened.keys.subject_ids()
        item = reopened.get_item(testimony)
        assert item.is_withdrawn and item.is_redacted
        assert item.detail("text") is None
        [summary] = reopened.listings.item_summaries().rows
        assert summary.title == {} and summary.is_redacted and summary.is_withdrawn
        [(card, _)] = reopened.listings.item_cards([testimony]).values()
        assert card.is_redacted and card.is_withdrawn and not card.details
        history = reopened.history(testimony)
        assert [entry.what for entry in history] == [
            "testimony recorded",
            "consent recorded",
            "consent withdrawn",
        ]
        assert str(history[-1].summary) == "withdrawn by the contributor"
        assert all("zebra" not in str(entry.summary) for entry in history)
        # Others' content is untouched.
        assert reopened.get_contributor(contributor).name == "Zhanar Testova"
    finally:
        reopened.close()


def test_a_wall_text_about_a_withdrawn_item_is_shredded_with_it(storage: Storage):
    archive = storage.open()
    try:
        contributor = archive.contributors.register_contributor(name="A. Person", actor=CURATOR)
        artwork = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Veil"})
        exhibition = archive.curation.create_exhibition(slug="wall-texts", actor=CURATOR, titles={"en": "Walls"})
        archive.curation.add_to_exhibition(exhibition, artwork, actor=CURATOR, wall_text={"en": "quasar-marmalade wall text"})
        archive.consent.withdraw(artwork, actor=CURATOR)
        placement = archive.get_exhibition(exhibition).placement(artwork)
        assert placement.wall_text.redacted
        assert not files_containing(storage.database_files(), b"quasar-marmalade")
    finally:
        archive.close()


def test_a_redacted_span_is_sealed_and_shredded_with_its_item(storage: Storage):
    archive = storage.open()
    try:
        contributor = archive.contributors.register_contributor(name="A. Person", actor=CURATOR)
        artwork = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Veil"})
        archive.cataloguing.redact_span(artwork, "Quillemarossa", actor=CURATOR)
        assert not files_containing(storage.database_files(), b"Quillemarossa"), "the span is sealed at rest"
        [(card, _)] = archive.listings.item_cards([artwork]).values()
        assert card.redacted_spans == ("Quillemarossa",), "in the item's card too, sealed"
        assert archive.get_item(artwork).redacted_spans == ["Quillemarossa"]
        archive.consent.withdraw(artwork, actor=CURATOR)
    finally:
        archive.close()
    reopened = storage.open()
    try:
        item = reopened.get_item(artwork)
        assert item.redacted_spans == [] and all(r.redacted for r in item.redactions)
        [(card, _)] = reopened.listings.item_cards([artwork]).values()
        assert card.redacted_spans == () and card.is_redacted
    finally:
        reopened.close()
