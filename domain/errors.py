"""Errors raised when a command would break a rule of the domain."""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; it is translated where it is shown."""
    return text


class Explained(Exception):
    """An error whose message is a template with named parameters.

    ``str(error)`` is the English sentence; interfaces translate ``template`` and fill in
    ``params`` themselves (see ``web.i18n.explain``).
    """

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


class DomainError(Explained):
    """A command broke a rule; the message says which, in words a curator understands."""


class InvalidValue(DomainError):
    """A value is malformed or missing (an unknown language, an empty title, bad dates)."""


class ItemWithdrawn(DomainError):
    """The item's consent was withdrawn: it can no longer be edited, re-consented or shown."""


class ConsentError(DomainError):
    """A consent command does not fit the item's current consent state."""


class WideningNeedsConfirmation(ConsentError):
    """A curator's change would show more than the contributor's own latest choice.

    ``choice`` is the consent as the contributor last left it (a ``Consent``), ``chosen_at``
    when, and ``widening`` what the change would show beyond it (as codes, like a portal
    request). Repeating the change with ``contributor_asked`` applies it and records that the
    contributor was asked.
    """

    def __init__(self, choice: object, chosen_at: object, widening: dict[str, object]):
        super().__init__(
            N_(
                "This change would show more than the contributor chose themselves. Ask the "
                "contributor first; apply it only after they confirm, and say that they did."
            )
        )
        self.choice = choice
        self.chosen_at = chosen_at
        self.widening = widening


class ExhibitionError(DomainError):
    """A change to an exhibition does not fit its current state."""
