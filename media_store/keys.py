"""Validation of media keys, shared by every store so that all of them accept the same keys."""

from __future__ import annotations

import re

# One path segment: ASCII letters, digits, ".", "_", "-", never starting with "." (which rules
# out "." and "..", hidden files and the temporary files of ``LocalMediaStore``).
_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_PREFIX = re.compile(rf"(?:{_SEGMENT}/)*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*)?")
MAX_KEY_LENGTH = 512


class InvalidMediaKey(ValueError):
    """A key or prefix that no media store accepts (traversal, absolute path, odd characters)."""


def validate_key(key: str) -> str:
    """Return ``key`` if it is a relative, ``/``-separated path of safe segments, else raise.

    Allowed characters are ``[A-Za-z0-9._/-]``; a segment may not be empty or start with ``.``,
    so ``..``, ``./``, ``//``, leading or trailing ``/`` and absolute paths are all refused.
    """
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise InvalidMediaKey(f"Invalid media key {key!r}: use relative paths of [A-Za-z0-9._-] segments.")
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it could begin a valid key (``""``, ``items/``, ``items/ab``), else raise."""
    if not isinstance(prefix, str) or len(prefix) > MAX_KEY_LENGTH or not _PREFIX.fullmatch(prefix):
        raise InvalidMediaKey(f"Invalid media key prefix {prefix!r}.")
    return prefix


def validate_deletable_prefix(prefix: str) -> str:
    """Like ``validate_prefix`` but refuse ``""``: wiping a whole store is never a per-item action."""
    if prefix == "":
        raise InvalidMediaKey("Refusing to delete with an empty prefix (that would remove every object).")
    return validate_prefix(prefix)
