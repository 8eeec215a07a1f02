"""What the read models answer: curators' listings, visitors' cards, and which exhibitions
hang which works, with the fields sealed in the rows opened.

A collaborator of the application (``archive.listings``), not a part of it: it is built with
the read-model store (the recorder's query side), the function that opens what the event
store's transcoder sealed, and the key table (to open cards and their credits), and reads
nothing else. The rows are written with the events by :mod:`archive.read.side`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag

from archive.gate.visibility import ItemValues, card_values
from archive.read.models import (
    PAGE_SIZE,
    SEALED,
    SEALED_CREDIT,
    VALID_THROUGH,
    ConsentRow,
    ContributorSummary,
    ExhibitionSummary,
    ItemFilter,
    ItemSummary,
    Open,
    Page,
    ReadModelStore,
    card_context,
    open_contributor,
    open_exhibition,
    open_item,
    opened_texts_json,
)
from archive.shredding.crypto import DataCipher
from domain.consent import Scope

#: How many candidates the work picker opens (decrypts) at most per request.
PICKER_SCAN = 2000
PICKER_BATCH = 100
#: Decodes one opened card (``decoded_card``).
_DECODER = json.JSONDecoder()


class DataKeys(Protocol):
    """The key table as listings use it: a subject's data key ready to decrypt with, None once
    shredded."""

    def cipher(self, subject_id: UUID) -> DataCipher | None: ...


class Listings:
    """Queries on the read models, each answered from rows alone (no aggregate is read)."""

    def __init__(self, read_models: ReadModelStore, open_sealed: Open, keys: DataKeys):
        """``read_models`` is the recorder's query side; ``open_sealed`` turns a sealed field back into
        its value (the application's transcoder: blank once its key is shredded); ``keys``
        gives the ciphers of the data keys that cards and their credits are sealed under."""
        self.read_models = read_models
        self._open = open_sealed
        self.keys = keys

    def open_visitor_texts(self, stored: str | Mapping[str, Any]) -> dict[str, Any] | None:
        """Visitor texts as ``ReadModels._visitor_texts`` stored them (texts sealed under the
        exhibition's texts key, beside their ``valid_through``; as stored, or already decoded
        from JSON), opened; None once that key is shredded (the caller computes them again
        through the gate)."""
        value = json.loads(stored) if isinstance(stored, str) else stored
        if SEALED not in value:
            return dict(value)  # stored by a release from before texts keys
        texts = opened_texts_json(value[SEALED], self._open)
        return None if texts is None else {**texts, VALID_THROUGH: value.get(VALID_THROUGH)}

    def item_summaries(
        self, where: ItemFilter | None = None, page: int = 1, size: int = PAGE_SIZE
    ) -> Page:
        """One page of the items matching ``where``, in the order they were recorded."""
        where = where or ItemFilter()
        store = self.read_models
        total = store.count_items(where)
        number = max(1, min(page, -(-total // size) or 1))
        rows = store.item_rows(where, offset=(number - 1) * size, limit=size, matching=total)
        return Page([open_item(row, self._open) for row in rows], number, total, size)

    def recent_items(
        self, count: int = 20, *, by_update: bool = False
    ) -> list[ItemSummary]:
        """The items recorded (or, ``by_update``, changed) last, newest first."""
        rows = self.read_models.item_rows(ItemFilter(), offset=0, limit=count, newest_first=True, by_update=by_update)
        return [open_item(row, self._open) for row in rows]

    def item_summaries_by_id(self, item_ids: Sequence[UUID]) -> list[ItemSummary]:
        """These items' summaries, in the order given (unknown ids are left out)."""
        rows = {row.item_id: row for row in self.read_models.item_rows_by_id(list(item_ids))}
        return [open_item(rows[i], self._open) for i in item_ids if i in rows]

    def find_items(
        self, text: str, where: ItemFilter | None = None, *, limit: int = 20
    ) -> tuple[list[ItemSummary], bool]:
        """Items whose title contains ``text`` (any language, any case), newest first, and
        whether the search stopped before looking at every candidate.

        Titles are sealed, so each candidate's title is opened to compare it: at most
        :data:`PICKER_SCAN` candidates per call (narrow by kind or contributor to reach older ones).
        """
        where = where or ItemFilter()
        needle = " ".join(text.split()).casefold()
        found: list[ItemSummary] = []
        for offset in range(0, PICKER_SCAN, PICKER_BATCH):
            rows = self.read_models.item_rows(where, offset=offset, limit=PICKER_BATCH, newest_first=True)
            for row in rows:
                summary = open_item(row, self._open)
                if not needle or any(needle in title.casefold() for title in summary.title.values()):
                    found.append(summary)
                    if len(found) == limit:
                        return found, True
            if len(rows) < PICKER_BATCH:
                return found, False
        return found, True

    def item_cards(
        self, item_ids: Sequence[UUID], *, headings: bool = False
    ) -> dict[UUID, tuple[ItemValues, ContributorSummary | None]]:
        """These items as the visitor projection reads them, each with its contributor (None if
        unknown), from the read models alone: the consent state from the item row, the content
        from the item's card (opened; blank once shredded), the names from the contributor row.
        An item whose card is missing or not at its row's version is left out: the caller reads
        it from its aggregate. With ``headings``, the content is only the item's heading
        (``visibility.item_heading_content``): values fit for ``visibility.visible_heading`` alone."""
        people: dict[UUID, ContributorSummary] = {}
        found = {}
        for row, card, person in self.read_models.item_card_rows(list(item_ids), headings=headings) if item_ids else []:
            if card is None or card.version != row.version:
                continue
            if person is not None and row.contributor_id not in people:
                people[row.contributor_id] = open_contributor(person, self._open)
            content = self._open(card.card)
            values = card_values(
                row.item_id, row.kind, row.version, row.recorded_at.date(), row.contributor_id,
                has_consent=row.has_consent, scopes=row.scopes, attribution=row.attribution,
                expires_on=row.expires_on, withdrawn=row.withdrawn,
                content=None if content.redacted else content.value,
            )
            found[row.item_id] = (values, people.get(row.contributor_id))
        return found

    def _open_credit(self, exhibition_id: UUID, row: ConsentRow, sealed: str | None) -> str | None:
        """The credit ``ReadModels._seal_credit`` sealed; None when there is none or her key is gone."""
        cipher = self.keys.cipher(row.contributor_id) if sealed else None
        if cipher is None or sealed is None:
            return None
        try:
            blob = base64.b64decode(sealed)
            return cipher.decrypt(row.contributor_id, blob, card_context(exhibition_id) + row.item_id.bytes).decode()
        except (InvalidTag, ValueError):  # not sealed for this work here: no name is shown
            return None

    def hung_cards(
        self, exhibition_id: UUID, on: date, scopes: Sequence[Scope]
    ) -> list[tuple[ItemValues, dict[str, Any] | None]]:
        """The exhibition's works that their item rows let visitors see on ``on`` under
        ``scopes``, in order, each as the item's consent state from its row (``ItemValues``
        without content, for ``visibility.stored_card`` to gate) with its card as it hangs
        there (``visibility.card_content``, opened, its ``credit`` opened under the
        contributor's key: None once that is shredded). The card is None when it is missing,
        blank (its key shredded) or not at the row's version: the caller reads that work from
        its aggregates."""
        context = card_context(exhibition_id)
        found: list[tuple[ItemValues, dict[str, Any] | None]] = []
        for row, card in self.read_models.shown_cards(exhibition_id, on, scopes):
            values = card_values(
                row.item_id, row.kind, row.version, row.recorded_at.date(), row.contributor_id,
                has_consent=row.has_consent, scopes=row.scopes, attribution=row.attribution,
                expires_on=row.expires_on, withdrawn=row.withdrawn, content={},
            )
            cipher = self.keys.cipher(row.item_id) if card is not None and card.version == row.version else None
            content = None
            if card is not None and cipher is not None:
                try:
                    content = decoded_card(cipher.decrypt(row.item_id, card.card, context))
                except InvalidTag:  # not sealed for this item in this exhibition: never shown
                    content = None
            if content is not None:
                content["credit"] = self._open_credit(exhibition_id, row, content.pop(SEALED_CREDIT, None))
            found.append((values, content))
        return found

    def contributor_summaries(self, page: int = 1, size: int = PAGE_SIZE) -> Page:
        """One page of contributors, in the order they were registered."""
        store = self.read_models
        total = store.count_contributors()
        number = max(1, min(page, -(-total // size) or 1))
        rows = store.contributor_rows(offset=(number - 1) * size, limit=size)
        return Page([open_contributor(row, self._open) for row in rows], number, total, size)

    def all_contributor_summaries(self) -> list[ContributorSummary]:
        """Every contributor (for choosing one in a form), in the order they were registered."""
        rows = self.read_models.contributor_rows(offset=0, limit=self.read_models.count_contributors())
        return [open_contributor(row, self._open) for row in rows]

    def exhibition_summaries(self) -> list[ExhibitionSummary]:
        """Every exhibition, published or not, in the order they were created."""
        return [open_exhibition(row, self._open) for row in self.read_models.exhibition_rows()]

    def exhibitions_ever_hanging(self, item_ids: Sequence[UUID]) -> list[UUID]:
        """The exhibitions (published or not) that hang, or once hung, any of these items: their
        texts lose the names those items withhold."""
        return self.read_models.exhibitions_hanging(list(item_ids), []) if item_ids else []

    def hung_works(
        self, exhibition_ids: Iterable[UUID]
    ) -> dict[UUID, list[tuple[UUID, UUID | None]]]:
        """Each exhibition's works, every one it ever hung (hanging now or taken down), each
        with its contributor's id from the rows (None if the item rows do not know the work).
        The names of these contributors shape the exhibition's texts for visitors."""
        store = self.read_models
        contents = store.works_ever_hung(list(dict.fromkeys(exhibition_ids)))
        item_ids = list(dict.fromkeys(item_id for item_ids in contents.values() for item_id in item_ids))
        contributor_of = {row.item_id: row.contributor_id for row in store.item_rows_by_id(item_ids)} if item_ids else {}
        return {
            exhibition_id: [(item_id, contributor_of.get(item_id)) for item_id in item_ids]
            for exhibition_id, item_ids in contents.items()
        }


def decoded_card(plaintext: bytes) -> dict[str, Any]:
    """An opened card (a JSON object, as ``ReadModels`` sealed it) decoded: exactly one object,
    or ``ValueError``. It is decoded as text by the decoder's scanner (``raw_decode``), which
    must end where the card ends: ``json.loads`` of bytes costs twice as much (it detects the
    encoding in Python), and a card that held more than one object must not pass."""
    text = plaintext.decode("utf-8")
    card, end = _DECODER.raw_decode(text)
    if end != len(text) or type(card) is not dict:
        raise ValueError("A stored card is not one JSON object.")
    return card
