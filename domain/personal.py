"""Values that belong to one subject and are encrypted with that subject's key at rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Personal:
    """A value owned by a subject (a contributor or an item).

    The persistence layer encrypts ``value`` with the subject's own data key. Once that key
    is shredded the value comes back ``redacted``: the event still exists, its content does
    not. ``value`` must be JSON-like (str, int, float, bool, None, list, dict of str).
    """

    subject_id: UUID
    value: Any
    redacted: bool = False

    @classmethod
    def of(cls, subject_id: UUID, value: Any) -> Personal:
        return cls(subject_id=subject_id, value=value)

    @classmethod
    def redacted_for(cls, subject_id: UUID) -> Personal:
        return cls(subject_id=subject_id, value=None, redacted=True)

    def reveal(self, placeholder: Any = None) -> Any:
        """The value, or ``placeholder`` when the content has been shredded."""
        return placeholder if self.redacted else self.value
