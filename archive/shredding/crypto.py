"""Encryption primitives: the master key that wraps data keys, and per-subject encryption.

AES-256-GCM throughout (the ``cryptography`` package). A data key is wrapped under the
master key with the subject's id as associated data, so a wrapped key cannot be moved to
another subject; content is encrypted under the data key with the subject's id as
associated data for the same reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from archive.errors import ConfigurationError, WrongMasterKey

KEY_BYTES = 32
NONCE_BYTES = 12


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class MasterKey:
    """The key that wraps every data key. It never leaves the process except as configured."""

    def __init__(self, key: bytes):
        if len(key) != KEY_BYTES:
            raise ConfigurationError(f"The master key must be {KEY_BYTES} bytes.")
        self._aead = AESGCM(key)
        self._key = key
        self.key_id = hmac.new(key, b"testimony-archive master key id", hashlib.sha256).hexdigest()[:16]

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(AESGCM.generate_key(bit_length=KEY_BYTES * 8))

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        """Parse the URL-safe base64 form used in ``ARCHIVE_MASTER_KEY`` and key files."""
        try:
            key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ConfigurationError(
                "ARCHIVE_MASTER_KEY is not valid base64; create one with 'archive new-master-key'."
            ) from None
        if len(key) != KEY_BYTES:
            raise ConfigurationError(
                f"ARCHIVE_MASTER_KEY must decode to {KEY_BYTES} bytes, not {len(key)}."
            )
        return cls(key)

    def derive(self, purpose: bytes) -> bytes:
        """A 32-byte key for one purpose (e.g. tagging sessions), derived from the master key."""
        return hmac.new(self._key, b"testimony-archive derived key: " + purpose, hashlib.sha256).digest()

    def to_text(self) -> str:
        return base64.urlsafe_b64encode(self._key).decode("ascii")

    def wrap(self, subject_id: UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, subject_id.bytes)

    def unwrap(self, subject_id: UUID, wrapped: bytes) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], subject_id.bytes)
        except InvalidTag:
            raise WrongMasterKey(
                "The master key cannot unwrap the stored data keys: check ARCHIVE_MASTER_KEY."
            ) from None


class DataCipher:
    """A data key made ready to use: AES-GCM's key schedule is set up once, not once a value.

    Setting it up costs about as much as opening a short value (1.1 us each), and a page
    opens fifty to a hundred values; the key store keeps one beside each key it caches, and
    forgets both together."""

    __slots__ = ("_aead",)

    def __init__(self, data_key: bytes):
        self._aead = AESGCM(data_key)

    def encrypt(self, subject_id: UUID, plaintext: bytes, context: bytes = b"") -> bytes:
        """As :func:`encrypt` with this key."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, subject_id.bytes + context)

    def decrypt(self, subject_id: UUID, blob: bytes, context: bytes = b"") -> bytes:
        """As :func:`decrypt` with this key."""
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], subject_id.bytes + context)


def encrypt(data_key: bytes, subject_id: UUID, plaintext: bytes, context: bytes = b"") -> bytes:
    """Encrypt ``plaintext`` for ``subject_id``: nonce followed by ciphertext and tag.

    ``context`` (for example a media object's key) is bound in as associated data, so a
    ciphertext cannot be moved to another subject or another place without detection.
    """
    return DataCipher(data_key).encrypt(subject_id, plaintext, context)


def decrypt(data_key: bytes, subject_id: UUID, blob: bytes, context: bytes = b"") -> bytes:
    """Decrypt what :func:`encrypt` produced; a tampered or moved blob raises ``InvalidTag``."""
    return DataCipher(data_key).decrypt(subject_id, blob, context)
