"""Errors raised when a command would break a rule of the domain."""


class DomainError(Exception):
    """A command broke a rule; the message says which, in words a curator understands."""


class InvalidValue(DomainError):
    """A value is malformed or missing (an unknown language, an empty title, bad dates)."""


class ItemWithdrawn(DomainError):
    """The item's consent was withdrawn: it can no longer be edited, re-consented or shown."""


class ConsentError(DomainError):
    """A consent command does not fit the item's current consent state."""


class ExhibitionError(DomainError):
    """A change to an exhibition does not fit its current state."""
