"""Fakes of the archive's ports, for tests: in-memory stand-ins for the adapters the
composition root (``web.bootstrap``) chooses in production.

``in_memory_archive`` builds the application on all of them at once (the in-memory event
store with its read models, a key table and a session table in dicts); tests pass the media
store and image pipeline they need.
"""

from __future__ import annotations

from typing import Any

from archive.services.application import ExhibitionArchive
from archive.shredding.keystore import KeyStore
from tests.fakes.images import SizedImagePipeline
from tests.fakes.keystore import InMemoryKeyStore
from tests.fakes.media import InMemoryMediaStore
from tests.fakes.read_models import InMemoryReadModelRecorder
from tests.fakes.sessions import InMemorySessionStore

#: The eventsourcing settings of an in-memory event store that keeps the read models.
MEMORY_ENV = {
    "PERSISTENCE_MODULE": "eventsourcing.popo",
    "APPLICATION_RECORDER_TOPIC": "tests.fakes.read_models:InMemoryReadModelRecorder",
}


def in_memory_archive(keys: KeyStore | None = None, **kwargs: Any) -> ExhibitionArchive:
    """The application on in-memory storage: ``keys`` (a new in-memory key table if not given),
    an in-memory session table unless ``sessions`` is given, and ``kwargs`` passed on
    (``media``, ``images``, ``zone``)."""
    kwargs.setdefault("sessions", InMemorySessionStore())
    return ExhibitionArchive(keys or InMemoryKeyStore(), MEMORY_ENV, **kwargs)


__all__ = [
    "MEMORY_ENV",
    "InMemoryKeyStore",
    "InMemoryMediaStore",
    "InMemoryReadModelRecorder",
    "InMemorySessionStore",
    "SizedImagePipeline",
    "in_memory_archive",
]
