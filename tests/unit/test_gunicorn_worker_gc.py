"""A gunicorn worker keeps the garbage collector off what it holds for its whole life
(``web.gunicorn_conf.post_worker_init``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from web import gunicorn_conf


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector as the test found it, afterwards."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_booted_worker_freezes_what_it_holds_and_collects_young_objects_less_often(collector: None):
    held = [{"built": "at boot"} for _ in range(1000)]
    assert gc.get_freeze_count() == 0

    gunicorn_conf.post_worker_init(None)

    assert gc.get_freeze_count() >= len(held), "what the worker holds is out of the collector's walk"
    assert gc.get_threshold()[0] == gunicorn_conf.YOUNG_THRESHOLD > 700
