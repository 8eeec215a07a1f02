"""Errors of the application layer, each with a message fit to show a curator."""

from domain.errors import DomainError, Explained


class ArchiveError(Explained):
    """Base class for failures the CLI and the web can report in one line."""


class NotFound(ArchiveError):
    """No exhibition, item or contributor with that id or slug."""


class ConcurrentChange(ArchiveError):
    """Someone else saved a change to the same record first; nothing of theirs was lost."""


class ConfigurationError(ArchiveError):
    """The environment does not describe a usable archive (missing or malformed setting)."""


class DataKeyError(ArchiveError):
    """Base class for data-key failures."""


class WrongMasterKey(DataKeyError):
    """The master key cannot unwrap the stored data keys: it is not the one they were made with."""


class KeyShredded(DataKeyError):
    """The subject's data key was shredded: its content can no longer be written or read."""


__all__ = [
    "ArchiveError",
    "ConcurrentChange",
    "ConfigurationError",
    "DomainError",
    "KeyShredded",
    "NotFound",
    "WrongMasterKey",
]
