"""A contributor who erased themselves (withdrew everything) is given nothing new.

New items would hold content the contributor asked to be rid of, under a name that no longer
exists; a new consent code would retire the code they still hold, and with it the receipts
that prove what they did.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from archive.config import Settings
from domain.contributors import Contributor
from domain.errors import InvalidValue
from web.bootstrap import open_archive
from tests.conftest import CURATOR
from tests.fakes import InMemoryMediaStore, in_memory_archive


def _erased(archive: ExhibitionArchive, *, with_item_first: bool = True):
    """A contributor who had one consented testimony and then withdrew everything; their code."""
    contributor = archive.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"kk": "Менің әңгімем"}, language="kk",
        content_note={"en": "Note"},
    )
    code = archive.consent.record_consent(
        item, actor=CURATOR, scopes=["exhibit"], attribution="anonymous", text_version="v1"
    ).code
    archive.self_service.withdraw_everything(contributor)
    return contributor, code


def _events(archive: ExhibitionArchive) -> int:
    return archive.recorder.max_notification_id() or 0


def test_an_erased_contributor_cannot_be_given_a_new_testimony(archive):
    contributor, _ = _erased(archive)
    before = _events(archive)

    with pytest.raises(InvalidValue, match="erased at their request"):
        archive.cataloguing.record_testimony(
            contributor_id=contributor, actor=CURATOR, text={"ru": "Новый текст"}, language="ru",
            content_note={"en": "Note"},
        )

    assert _events(archive) == before
    assert len(archive.contributor_item_ids(contributor)) == 1


def test_an_erased_contributor_cannot_be_given_a_new_artwork(archive):
    contributor, _ = _erased(archive)
    before = _events(archive)

    with pytest.raises(InvalidValue, match="erased at their request"):
        archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Quilt"})

    assert _events(archive) == before


def test_an_erased_contributor_cannot_be_given_a_new_artwork_with_images():
    from media_store import PillowImagePipeline, make_sample_photo

    media = InMemoryMediaStore()
    archive = in_memory_archive(
        media=media, images=PillowImagePipeline(),
    )
    contributor, _ = _erased(archive)
    before = _events(archive)

    with pytest.raises(InvalidValue, match="erased at their request"):
        archive.item_images.record_artwork_with_images(
            contributor_id=contributor, actor=CURATOR, title={"en": "Quilt"},
            images=[NewImage(make_sample_photo(3), {"en": "A quilt"})],
        )

    assert _events(archive) == before
    assert media.list("") == []


def test_an_erased_contributor_cannot_be_given_a_new_consent_code(archive):
    contributor, code = _erased(archive)
    before = _events(archive)

    with pytest.raises(InvalidValue, match="erased at their request"):
        archive.contributors.issue_consent_code(contributor, CURATOR)

    # Their own code still opens their receipts.
    assert _events(archive) == before
    holder = archive.self_service.holder_of_code(code)
    assert holder is not None and archive.self_service.code_is_live(holder)
    assert [r.action for r in archive.get_contributor(holder.contributor_id).receipts] == ["withdrawn_everything"]


def test_items_are_refused_once_the_contributor_erased_themselves_after_earlier_recordings(archive):
    # This process recorded for the contributor before: it must not trust what it saw then.
    contributor = archive.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
    archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Before"})
    archive.self_service.withdraw_everything(contributor)

    with pytest.raises(InvalidValue, match="erased at their request"):
        archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "After"})


def test_items_are_refused_when_another_process_erased_the_contributor(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    web, portal = open_archive(settings), open_archive(settings)
    try:
        contributor = web.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
        web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Before"})
        portal.self_service.withdraw_everything(contributor)

        with pytest.raises(InvalidValue, match="erased at their request"):
            web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "After"})
        with pytest.raises(InvalidValue, match="erased at their request"):
            web.contributors.issue_consent_code(contributor, CURATOR)
    finally:
        web.close()
        portal.close()


# -- a recording and her erasure at the same time -----------------------------------------------


def _two_processes(tmp_path: Path) -> tuple[ExhibitionArchive, ExhibitionArchive]:
    settings = Settings(data_dir=tmp_path / "var")
    return open_archive(settings), open_archive(settings)


def test_an_item_recorded_while_she_withdraws_everything_is_withdrawn_with_the_rest(tmp_path: Path):
    web, portal = _two_processes(tmp_path)
    try:
        contributor = web.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
        first = web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Before"})
        save, late = portal.save_changes, []

        def recorded_meanwhile(*aggregates):
            # A curator saves a new item after her withdrawal read her items, before it saved.
            if not late:
                late.append(web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Late"}))
            return save(*aggregates)

        portal.save_changes = recorded_meanwhile  # type: ignore[method-assign]
        receipt = portal.self_service.withdraw_everything(contributor)

        assert receipt is not None and set(receipt.item_ids) == {first, *late}
        for item in (first, *late):
            assert web.get_item(item).is_withdrawn and not web.keys.exists(item)
    finally:
        web.close()
        portal.close()


def test_her_erasure_is_not_starved_by_recordings_that_keep_saving_first(tmp_path: Path):
    """A curator's bulk import records for her faster than her erasure reads everything: a
    recording before each of its saves. Once it has lost a race the erasure closes her list
    on its own, so nothing more is listed, and its next try saves."""
    web, portal = _two_processes(tmp_path)
    try:
        contributor = web.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
        first = web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Before"})
        save, recorded, refused = portal.save_changes, [], []

        def recorded_meanwhile(*aggregates):
            if any(isinstance(a, Contributor) for a in aggregates):  # the erasure's save
                try:
                    recorded.append(web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Bulk"}))
                except InvalidValue:
                    refused.append(True)
            return save(*aggregates)

        portal.save_changes = recorded_meanwhile  # type: ignore[method-assign]
        receipt = portal.self_service.withdraw_everything(contributor)

        assert receipt is not None and set(receipt.item_ids) == {first, *recorded} and refused
        assert web.contributor_item_ids(contributor) == [first, *recorded]
        assert all(web.get_item(item).is_withdrawn for item in web.contributor_item_ids(contributor))
    finally:
        web.close()
        portal.close()


def test_a_recording_that_read_her_record_before_she_erased_it_is_refused(tmp_path: Path):
    web, portal = _two_processes(tmp_path)
    try:
        contributor = web.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
        # Recorded elsewhere: this process has no item list of hers in hand, so it reads her record.
        first = portal.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Before"})
        check = web.cataloguing.check_may_receive_items

        def erased_meanwhile(contributor_id):
            check(contributor_id)  # not erased yet
            portal.self_service.withdraw_everything(contributor_id)

        web.cataloguing.check_may_receive_items = erased_meanwhile  # type: ignore[method-assign]
        with pytest.raises(InvalidValue, match="erased at their request"):
            web.cataloguing.record_testimony(
                contributor_id=contributor, actor=CURATOR, text={"ru": "Новый текст"}, language="ru",
                content_note={"en": "Note"},
            )

        assert portal.contributor_item_ids(contributor) == [first]
        assert [i for i in portal.item_ids() if not portal.get_item(i).is_withdrawn] == []
    finally:
        web.close()
        portal.close()


def test_a_recording_on_the_item_list_this_process_kept_is_refused_after_she_erased_it(tmp_path: Path):
    """The process kept her item list from its last recording and does not read her record
    again: her erasure closed the list meanwhile, so the save conflicts and is refused."""
    web, portal = _two_processes(tmp_path)
    try:
        contributor = web.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
        first = web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Before"})
        listed = web.cataloguing.listed

        def erased_meanwhile(*args, **kwargs):
            listing = listed(*args, **kwargs)
            if kwargs.get("listing") is not None:  # the kept list: she erases herself now
                portal.self_service.withdraw_everything(contributor)
            return listing

        web.cataloguing.listed = erased_meanwhile  # type: ignore[method-assign]
        with pytest.raises(InvalidValue, match="erased at their request"):
            web.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "After"})

        assert portal.contributor_item_ids(contributor) == [first]
        assert [i for i in portal.item_ids() if not portal.get_item(i).is_withdrawn] == []
    finally:
        web.close()
        portal.close()


def test_a_recording_with_images_that_read_her_record_before_she_erased_it_is_refused():
    from media_store import PillowImagePipeline, make_sample_photo

    media = InMemoryMediaStore()
    archive = in_memory_archive(media=media, images=PillowImagePipeline())
    contributor = archive.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
    check = archive.cataloguing.check_may_receive_items

    def erased_meanwhile(contributor_id):
        check(contributor_id)
        archive.self_service.withdraw_everything(contributor_id)

    archive.cataloguing.check_may_receive_items = erased_meanwhile  # type: ignore[method-assign]
    with pytest.raises(InvalidValue, match="erased at their request"):
        archive.item_images.record_artwork_with_images(
            contributor_id=contributor, actor=CURATOR, title={"en": "Quilt"},
            images=[NewImage(make_sample_photo(3), {"en": "A quilt"})],
        )

    assert archive.contributor_item_ids(contributor) == []
    assert media.list("") == []
