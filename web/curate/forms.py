"""Reading workspace forms: CSRF through Flask-WTF, values checked by the domain itself.

The domain is the one place that validates (languages, required fields, dates); these
helpers only turn form fields into the shapes the use cases take, and turn malformed input
(a bad date, a non-number) into a clear ``InvalidValue`` before anything is recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from domain.errors import InvalidValue
from domain.languages import SUPPORTED_LANGUAGES


class CsrfForm(FlaskForm):
    """A form with only the CSRF token: fields are read and validated by the use cases."""


def multilingual(form: MultiDict[str, str], prefix: str) -> dict[str, str]:
    """``{language: text}`` from fields named ``<prefix>_en``, ``<prefix>_ru``, ``<prefix>_kk``."""
    return {lang: form.get(f"{prefix}_{lang}", "") for lang in SUPPORTED_LANGUAGES}


def optional_date(form: MultiDict[str, str], name: str, label: str) -> date | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"{label}: {raw!r} is not a date (use YYYY-MM-DD).") from None


def optional_int(form: MultiDict[str, str], name: str, label: str) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:  # "²⁰²⁴" is digits to isdigit()
        raise InvalidValue(f"{label} must be a whole number.")
    return int(raw)


def uuid_field(form: MultiDict[str, str], name: str, label: str) -> UUID:
    try:
        return UUID((form.get(name) or "").strip())
    except ValueError:
        raise InvalidValue(f"Choose a {label}.") from None


def based_on(form: MultiDict[str, str]) -> int:
    """The version of the record the form was filled in on (its hidden ``version`` field)."""
    raw = (form.get("version") or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidValue(
            "This form does not say which version of the record it was filled in on. "
            "Reload the page and make your change again."
        )
    return int(raw)


def form_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The submitted values, to fill the form again after an error."""
    return {key: form.get(key) for key in form if key != "csrf_token"}
