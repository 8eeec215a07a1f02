"""A key store's ciphers: each cached key's AES-GCM state is made once, and is forgotten with
the key, so a shredded or expired key can no longer open anything through its cipher."""

from __future__ import annotations

import time
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag

from archive.shredding import crypto
from tests.fakes import InMemoryKeyStore


def test_a_cipher_opens_what_its_key_sealed_and_nothing_moved_or_tampered() -> None:
    keys = InMemoryKeyStore()
    subject, other = uuid4(), uuid4()
    key = keys.create(subject)
    keys.create(other)
    sealed = crypto.encrypt(key, subject, b"Aliya", b"card")
    cipher = keys.cipher(subject)
    assert cipher is not None
    assert cipher.decrypt(subject, sealed, b"card") == b"Aliya"
    assert crypto.decrypt(key, subject, cipher.encrypt(subject, b"Madina")) == b"Madina"
    for opened in (
        lambda: cipher.decrypt(other, sealed, b"card"),  # moved to another subject
        lambda: cipher.decrypt(subject, sealed, b"other card"),  # moved to another place
        lambda: keys.cipher(other).decrypt(subject, sealed, b"card"),  # type: ignore[union-attr]
        lambda: cipher.decrypt(subject, sealed[:-1] + bytes([sealed[-1] ^ 1]), b"card"),
    ):
        with pytest.raises(InvalidTag):
            opened()


def test_a_cached_key_makes_its_cipher_once() -> None:
    keys = InMemoryKeyStore(cache_seconds=5.0)
    subject = uuid4()
    keys.create(subject)
    assert keys.cipher(subject) is keys.cipher(subject)


def test_a_shredded_keys_cipher_is_gone_with_it() -> None:
    keys = InMemoryKeyStore(cache_seconds=5.0)
    subject = uuid4()
    keys.create(subject)
    assert keys.cipher(subject) is not None and subject in keys._cache
    keys.shred(subject)
    assert subject not in keys._cache
    assert keys.cipher(subject) is None
    assert keys.get(subject) is None


def test_an_expired_keys_cipher_is_made_again_from_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = InMemoryKeyStore(cache_seconds=5.0)
    subject = uuid4()
    keys.create(subject)
    first = keys.cipher(subject)
    later = time.monotonic() + 10 * keys._cache_seconds  # past the cache bound and the once-a-second sweep
    monkeypatch.setattr("archive.shredding.keystore.time.monotonic", lambda: later)
    again = keys.cipher(subject)
    assert again is not None and again is not first
    assert keys._cache[subject][2] is again
