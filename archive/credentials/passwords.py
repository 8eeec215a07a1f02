"""Password hashing with Argon2id (argon2-cffi), and a constant-time check for unknown users."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.errors import InvalidValue

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this when the user is unknown takes as long as a real check.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


def check_strength(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_strength(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with no hash (unknown user) it spends the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
