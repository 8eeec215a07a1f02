"""Errors of the application layer, each with a message fit to show a curator."""

from archive.history import Changes
from domain.errors import N_, DomainError, Explained


class ArchiveError(Explained):
    """Base class for failures the CLI and the web can report in one line."""


class NotFound(ArchiveError):
    """No exhibition, item or contributor with that id or slug."""


class ConcurrentChange(ArchiveError):
    """Someone else saved a change to the same record first; nothing of theirs was lost."""


class ChangedMeanwhile(ConcurrentChange):
    """A change was based on an older version of the record than the stored one: nothing was saved.

    ``happened`` says what happened since that version (``archive.history.Changes``: who, what,
    when; never content), or nothing when the version named was never the record's; ``changes``
    is the same in English, one line each.
    """

    def __init__(self, happened: Changes | None = None):
        self.happened = happened if happened is not None else Changes()
        self.changes = self.happened.lines()
        if self.changes:
            super().__init__(
                N_(
                    "This record changed after you opened it: %(changes)s. Nothing was saved; "
                    "look at the current version and make your change again if it still applies."
                ),
                changes="; ".join(self.changes),
            )
        else:
            super().__init__(
                N_(
                    "Your change names a version of this record that is not the current one. "
                    "Nothing was saved; reload the record and try again."
                )
            )


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
    "ChangedMeanwhile",
    "ConcurrentChange",
    "ConfigurationError",
    "DomainError",
    "KeyShredded",
    "NotFound",
    "WrongMasterKey",
]
