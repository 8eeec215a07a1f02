"""One handler answers every "not found" of the site with the same 404 page."""

from __future__ import annotations

import re
from uuid import uuid4

from archive.errors import NotFound
from tests.e2e.helpers import site_app


def main(response) -> str:
    return re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)


def test_any_site_page_whose_record_is_not_found_answers_the_one_404_page(media_archive):
    app = site_app(media_archive, PAGE_CACHE=False)

    @app.get("/a-page-whose-record-is-gone")
    def gone() -> str:
        raise NotFound("Nothing with that id, a detail no visitor may read.")

    client = app.test_client()
    unknown_item = client.get(f"/items/{uuid4()}")
    answer = client.get("/a-page-whose-record-is-gone")

    assert answer.status_code == unknown_item.status_code == 404
    assert main(answer) == main(unknown_item)  # the page around it links to its own address
    assert "a detail no visitor may read" not in answer.get_data(as_text=True)


def test_the_api_still_answers_not_found_with_problem_details(media_archive):
    response = site_app(media_archive).test_client().get(f"/api/v1/items/{uuid4()}")

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
