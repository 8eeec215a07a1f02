"""Search documents: what an item's document may carry, decided by its consent now."""

from __future__ import annotations

from archive.search.documents import ExhibitionMap, item_document
from tests.conftest import CURATOR


def test_an_item_not_consented_for_exhibiting_carries_no_exhibition_in_its_document(archive):
    """Its exhibition facet (and a search filtered by the exhibition) would count it there."""
    person = archive.contributors.register_contributor(name="Hanging Person", actor=CURATOR)
    items = {}
    for key, scopes in (("exhibited", ["exhibit", "publish_online"]), ("online_only", ["publish_online"])):
        items[key] = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": key})
        archive.consent.record_consent(items[key], actor=CURATOR, text_version="v1", scopes=scopes, attribution="named")
    room = archive.curation.create_exhibition(slug="room", actor=CURATOR, titles={"en": "Room"})
    for item in items.values():
        archive.curation.add_to_exhibition(room, item, actor=CURATOR)
    archive.curation.publish_exhibition(room, actor=CURATOR)
    hung = ExhibitionMap.of(archive.exhibitions())

    documents = {key: item_document(archive, archive.get_item(item), hung) for key, item in items.items()}
    assert documents["exhibited"].exhibitions == ("room",)
    assert documents["online_only"] is not None and documents["online_only"].exhibitions == ()
