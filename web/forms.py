"""The fields and the base of the site's HTML forms (WTForms through Flask-WTF).

CSRFProtect checks the token of every POST before any view runs, so forms do not check it
again (``Meta.csrf`` is off; templates print ``csrf_token()``). Fields parse what a browser
sends (days, whole numbers, chosen ids, the version a form was filled in on, a text per
language) and refuse malformed input with a translated message naming the field. The rules
of the domain (languages, required texts, the order of dates) stay in the domain, which
refuses with its own message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from flask_babel import gettext
from flask_babel import lazy_gettext as _l  # "_l" is a keyword of the catalog's extraction (Makefile)
from flask_wtf import FlaskForm
from wtforms import Form, FormField, HiddenField, StringField
from wtforms.validators import ValidationError

from domain.languages import SUPPORTED_LANGUAGES

#: The language subfields of a ``MultilingualField``: ``en``, ``ru``, ``kk``, each "" when not sent.
_Texts = type("Texts", (Form,), {lang: StringField(default="") for lang in SUPPORTED_LANGUAGES})


def MultilingualField(label: Any = None) -> Any:  # noqa: N802  (a field factory, like WTForms' own)
    """A text in each supported language, from inputs named ``<name>_<language>``; its data is
    ``{language: text}``."""
    return FormField(_Texts, label, separator="_")


class PostedForm(FlaskForm):
    """A form of the site's pages; CSRFProtect has checked its token before the view runs."""

    class Meta:
        csrf = False

    def refusal(self) -> str | None:
        """Validate every field: the first refusal (in the order the fields are declared),
        in the visitor's language, or ``None`` when the form can be used."""
        if self.validate():
            return None
        return next(_messages(self.errors.values()), None)


def _messages(errors: Iterable[Any]) -> Any:
    for error in errors:
        if isinstance(error, dict):  # a FormField's errors, by subfield
            yield from _messages(error.values())
        elif isinstance(error, list):
            yield from _messages(error)
        else:
            yield str(error)


# -- fields that parse -------------------------------------------------------------------------


class _ParsedField(StringField):
    """A text field whose data is parsed on submit; an empty value is ``None``."""

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = self.parse(raw.strip()) if raw.strip() else None

    def parse(self, raw: str) -> Any:
        raise NotImplementedError


class DayField(_ParsedField):
    """An optional calendar day written YYYY-MM-DD; ``message`` (a translatable template with
    ``%(field)s`` and ``%(value)r``) refuses anything else."""

    def __init__(self, label: Any = None, *, message: str | None = None, **kwargs: Any):
        super().__init__(label, **kwargs)
        self.message = message

    def parse(self, raw: str) -> date:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            if self.message:
                raise ValueError(gettext(self.message, field=self.label.text, value=raw)) from None
            raise ValueError(
                gettext("%(field)s: %(value)r is not a date (use YYYY-MM-DD).", field=self.label.text, value=raw)
            ) from None


class WholeNumberField(_ParsedField):
    """An optional whole number of at most six ASCII digits ("²⁰²⁴" is digits to ``isdigit``)."""

    def parse(self, raw: str) -> int:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
            raise ValueError(gettext("%(field)s must be a whole number.", field=self.label.text))
        return int(raw)


class ChosenIdField(_ParsedField):
    """The id of a record chosen in a list; ``message`` says what to choose when none is."""

    def __init__(self, label: Any = None, *, message: Any, **kwargs: Any):
        super().__init__(label, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = self.parse(((valuelist[0] if valuelist else "") or "").strip())

    def parse(self, raw: str) -> UUID:
        try:
            return UUID(raw)
        except ValueError:
            raise ValueError(str(self.message)) from None

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:  # not sent at all
            raise ValidationError(str(self.message))


class VersionField(HiddenField):
    """The version of the record the form was filled in on (the hidden ``version`` field)."""

    def __init__(self, label: Any = None, *, message: Any = None, **kwargs: Any):
        super().__init__(label, **kwargs)
        self.message = message or _l(
            "This form does not say which version of the record it was filled in on. "
            "Reload the page and make your change again."
        )

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = ((valuelist[0] if valuelist else "") or "").strip()
        self.data = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            raise ValidationError(str(self.message))
