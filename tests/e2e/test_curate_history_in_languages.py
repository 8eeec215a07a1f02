"""The workspace's history and its "changed meanwhile" refusals speak the curator's language.

``archive.history`` gives codes and simple values; the web layer puts them in English, Russian
or Kazakh, like every other string of the workspace.
"""

from __future__ import annotations

import re

import pytest

CURATOR = "curator:dana"


@pytest.fixture
def archive(media_archive):
    return media_archive


def _withdrawn_item(archive):
    contributor = archive.contributors.register_contributor(name="Aigerim Testova", actor=CURATOR)
    item = archive.cataloguing.record_testimony(contributor_id=contributor, actor=CURATOR, text={"ru": "Текст"}, language="ru",
                                    content_note={"en": "Note"})
    archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="anonymous", text_version="v1")
    archive.consent.withdraw(item, actor=CURATOR)
    return item


def _cells(page: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", page)


def test_a_russian_history_page_shows_russian_summaries(logged_in, archive):
    item = _withdrawn_item(archive)

    page = logged_in.get(f"/curate/history/{item}?lang=ru").get_data(as_text=True)

    cells = _cells(page)
    assert "куратор dana" in cells
    assert "свидетельство записано" in cells and "содержание удалено: согласие было отозвано" in cells
    assert "согласие записано" in cells
    assert "разрешено: показ на выставках; указание автора: анонимно; текст согласия v1" in cells
    assert "согласие отозвано" in cells and "отозвано от имени автора (куратор dana)" in cells
    assert not [c for c in cells if re.search(r"\b(recorded|withdrawn|allows|curator)\b", c)]


def test_an_english_history_page_still_says_it_in_english(logged_in, archive):
    item = _withdrawn_item(archive)

    cells = _cells(logged_in.get(f"/curate/history/{item}?lang=en").get_data(as_text=True))

    assert "consent withdrawn" in cells and "withdrawn by curator dana on the contributor&#39;s behalf" in cells


def test_a_stale_exhibition_form_says_what_changed_in_kazakh(logged_in, archive):
    exhibition = archive.curation.create_exhibition(slug="room", actor=CURATOR, titles={"en": "Silent Room"})
    page = logged_in.get("/curate/exhibitions/room?lang=kk").get_data(as_text=True)
    held_open = {name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', page).group(1) for name in ("csrf_token", "version")}
    archive.curation.revise_exhibition(exhibition, actor="curator:bolat", venue={"en": "Gallery Nine"})

    response = logged_in.post("/curate/exhibitions/room?lang=kk", data={**held_open, "titles_en": "Quiet Room"})

    refused = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "куратор bolat: көрме өзгертілді (өзгертілді: өтетін орны)" in refused
    assert "exhibition revised" not in refused
