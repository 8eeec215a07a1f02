"""The exhibition page builds its image URLs once per page: each is the URL ``url_for`` gives."""

from __future__ import annotations

from uuid import uuid4

import pytest
from flask import url_for

from web import create_app
from web.media import derivative_urls


@pytest.mark.parametrize("root", ["", "/archive"])
@pytest.mark.parametrize("name, fmt", [("thumb", "webp"), ("display", "jpeg"), ("big one", "jpeg"), ("x", "we/bp")])
def test_a_rendition_url_is_the_one_url_for_builds(archive, root, name, fmt):
    app = create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"})
    item_id, image_id = uuid4(), str(uuid4())
    with app.test_request_context("/", base_url=f"http://localhost{root}"):
        url = derivative_urls()

        assert url(item_id, image_id, name, fmt) == url_for(
            "media.derivative", item_id=item_id, image_id=image_id, name=name, fmt=fmt
        )
