"""Reading the portal's forms, and saying in plain words what a change does."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from werkzeug.datastructures import MultiDict

from domain.consent import Attribution, Consent, ConsentChange, Scope
from domain.errors import InvalidValue

ONLINE, EXHIBIT = Scope.PUBLISH_ONLINE.value, Scope.EXHIBIT.value


def wanted_change(form: MultiDict[str, str]) -> ConsentChange:
    """The change a contributor asked for; ``InvalidValue`` for a malformed choice or date."""
    raw_expiry = (form.get("expires_on") or "").strip()
    try:
        expires_on = date.fromisoformat(raw_expiry) if raw_expiry else None
    except ValueError:
        raise InvalidValue("%(value)r is not a date: use the form YYYY-MM-DD, or leave it empty.", value=raw_expiry) from None
    return ConsentChange(
        attribution=form.get("attribution", ""),  # type: ignore[arg-type]  (parsed, or InvalidValue)
        scopes=frozenset(form.getlist("scope")),  # type: ignore[arg-type]
        expires_on=expires_on,
    )


def form_of(consent: Consent | ConsentChange) -> dict[str, Any]:
    """Form values showing a consent (to fill the change form, or carry a confirmed change)."""
    return {
        "attribution": consent.attribution.value,
        "scope": sorted(s.value for s in consent.scopes),
        "expires_on": consent.expires_on.isoformat() if consent.expires_on else "",
    }


def describe(fields: dict[str, Any]) -> list[str]:
    """Plain sentences for consent fields given as values or codes (see ``as_codes``)."""
    sentences = []
    if "attribution" in fields:
        attribution = Attribution(getattr(fields["attribution"], "value", fields["attribution"]))
        sentences.append(
            {
                Attribution.NAMED: gettext("Your name is shown with your work."),
                Attribution.PSEUDONYM: gettext("Your pseudonym is shown with your work, not your name."),
                Attribution.ANONYMOUS: gettext("No name is shown with your work: it is anonymous."),
            }[attribution]
        )
    if "scopes" in fields:
        scopes = {getattr(s, "value", s) for s in fields["scopes"]}
        sentences.append(
            gettext("It may be shown on the public website.")
            if ONLINE in scopes
            else gettext("It is not shown on the public website.")
        )
        sentences.append(
            gettext("It may be shown in exhibitions.")
            if EXHIBIT in scopes
            else gettext("It is not shown in exhibitions.")
        )
    if "expires_on" in fields:
        value = fields["expires_on"]
        if value:
            day = value if isinstance(value, date) else date.fromisoformat(value)
            sentences.append(gettext("It is hidden everywhere after %(day)s.", day=format_date(day, "long")))
        else:
            sentences.append(gettext("There is no end date."))
    return sentences
