"""Consent codes: the private codes contributors use to change or withdraw consent.

A code has 80 random bits in Crockford's base32 (no I, L, O, U), printed in four groups:
``K7QM-2XRD-9FHT-WB4N``. Only its SHA-256 is stored; with that much entropy a keyed or slow
hash adds nothing, and the hash doubles as a lookup key.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LENGTH = 4, 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))


def normalise(code: str) -> str:
    """Upper-case, drop spaces and hyphens, map look-alike letters to digits."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum()).translate(_CONFUSABLE)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def looks_like_code(code: str) -> bool:
    cleaned = normalise(code)
    return len(cleaned) == GROUPS * GROUP_LENGTH and all(ch in ALPHABET for ch in cleaned)


def new_reference() -> str:
    """A receipt's reference number, e.g. ``R-7K3M-Q9XD`` (40 random bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(2 * GROUP_LENGTH))
    return f"R-{chars[:GROUP_LENGTH]}-{chars[GROUP_LENGTH:]}"
