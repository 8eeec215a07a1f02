"""The portal's forms as WTForms classes, and saying in plain words what a change does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from wtforms import SelectMultipleField, StringField

from domain.consent import Attribution, Consent, ConsentChange, ConsentRequest, Scope, parse_attribution, parse_scopes
from domain.errors import N_
from web.forms import DayField, PostedForm


class CodeForm(PostedForm):
    """A consent code, as printed on a receipt (any spelling: the archive reads it)."""

    code = StringField(default="")


class ChangeForm(PostedForm):
    """How the holder wants an item credited and shown; ``confirm`` once they have seen
    what the change does."""

    attribution = StringField(default="")
    scope = SelectMultipleField(choices=[scope.value for scope in Scope], validate_choice=False)
    expires_on = DayField(message=N_("%(value)r is not a date: use the form YYYY-MM-DD, or leave it empty."))
    confirm = StringField()

    def wanted(self) -> ConsentChange:
        """The change asked for; ``InvalidValue`` for an unknown credit or place."""
        return ConsentChange(
            attribution=self.attribution.data,  # type: ignore[arg-type]  (parsed, or InvalidValue)
            scopes=frozenset(self.scope.data or ()),  # type: ignore[arg-type]
            expires_on=self.expires_on.data,
        )

    def submitted(self) -> dict[str, Any]:
        """The values as sent, to fill the form again after a refusal."""
        return {"attribution": self.attribution.data, "scope": self.scope.data or [],
                "expires_on": self.expires_on.raw_data[0] if self.expires_on.raw_data else ""}


class WithdrawForm(PostedForm):
    """The plain confirmation of a withdrawal (``confirm`` is "yes")."""

    confirm = StringField()


def form_of(consent: Consent | ConsentChange) -> dict[str, Any]:
    """Form values showing a consent (to fill the change form, or carry a confirmed change)."""
    return {
        "attribution": consent.attribution.value,
        "scope": sorted(s.value for s in consent.scopes),
        "expires_on": consent.expires_on.isoformat() if consent.expires_on else "",
    }


def describe(fields: Mapping[str, Any] | ConsentRequest) -> list[str]:
    """Plain sentences for consent fields given as values or codes (see ``as_codes``), or
    for what a contributor's pending request asks."""
    if isinstance(fields, ConsentRequest):
        return _sentences(fields.attribution, fields.scopes, fields.asks_expiry, fields.expires_on)
    attribution = fields.get("attribution")
    scopes = fields.get("scopes")
    expiry = fields.get("expires_on")
    return _sentences(
        parse_attribution(attribution) if attribution is not None else None,
        parse_scopes(scopes) if "scopes" in fields else None,
        "expires_on" in fields,
        date.fromisoformat(expiry) if isinstance(expiry, str) and expiry else expiry or None,
    )


def _sentences(
    attribution: Attribution | None, scopes: frozenset[Scope] | None, asks_expiry: bool, expires_on: date | None
) -> list[str]:
    """The sentences of what is given (a None credit or scopes: not part of it)."""
    sentences = []
    if attribution is not None:
        sentences.append(
            {
                Attribution.NAMED: gettext("Your name is shown with your work."),
                Attribution.PSEUDONYM: gettext("Your pseudonym is shown with your work, not your name."),
                Attribution.ANONYMOUS: gettext("No name is shown with your work: it is anonymous."),
            }[attribution]
        )
    if scopes is not None:
        sentences.append(
            gettext("It may be shown on the public website.")
            if Scope.PUBLISH_ONLINE in scopes
            else gettext("It is not shown on the public website.")
        )
        sentences.append(
            gettext("It may be shown in exhibitions.")
            if Scope.EXHIBIT in scopes
            else gettext("It is not shown in exhibitions.")
        )
    if asks_expiry:
        if expires_on:
            sentences.append(gettext("It is hidden everywhere after %(day)s.", day=format_date(expires_on, "long")))
        else:
            sentences.append(gettext("There is no end date."))
    return sentences
