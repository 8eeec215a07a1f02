"""The workspace's forms, one class a form: what each sends, parsed, or a clear refusal.

The fields (and why no form checks CSRF itself) are in ``web.forms``. Field names are the
ones the pages have always used: a text in several languages is one ``MultilingualField``
read from ``<name>_en``, ``<name>_ru`` and ``<name>_kk``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l  # "_l" is a keyword of the catalog's extraction (Makefile)
from flask_wtf.file import FileField
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from domain.consent import Scope
from web.forms import ChosenIdField, DayField, MultilingualField, PostedForm, VersionField, WholeNumberField

#: How many images the artwork form takes at once.
MAX_IMAGES_PER_FORM = 3

class VersionedForm(PostedForm):
    """A change to a record, based on the version the form showed (checked before any field)."""

    version = VersionField()


class LoginForm(PostedForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ContributorForm(PostedForm):
    name = StringField(default="")
    pseudonym = StringField()
    contact = StringField()


def _alt_text_given(n: int) -> Callable[[Any, Any], None]:
    """The rule of image slot ``n``: a chosen file needs alt text in at least one language."""

    def check(form: Any, field: Any) -> None:
        if field.data and getattr(field.data, "filename", "") and not any(form[f"alt_{n}"].data.values()):
            raise ValidationError(
                gettext("Image %(n)d needs alt text (a description for people who cannot see it).", n=n)
            )

    return check


class ImagesForm(PostedForm):
    """Image slots ``image_<n>``, each with ``alt_<n>`` and ``caption_<n>`` texts. The size and
    format of each file are the image pipeline's to judge (before it decodes a byte); the size
    of the whole request is ``web.body_limits``'."""

    slots = 0

    def images(self) -> list[tuple[int, Any, dict[str, str], dict[str, str]]]:
        """``(n, upload, alt text, caption)`` for each slot with a file chosen."""
        chosen = []
        for n in range(1, self.slots + 1):
            upload = self[f"image_{n}"].data
            if upload is not None and getattr(upload, "filename", ""):
                chosen.append((n, upload, self[f"alt_{n}"].data, self[f"caption_{n}"].data))
        return chosen


def _image_slots(count: int) -> type[ImagesForm]:
    """A form with ``count`` image slots, each file needing alt text in at least one language
    (made before the fields of a form built on it, so its refusals come first)."""
    fields: dict[str, Any] = {"slots": count}
    for n in range(1, count + 1):
        fields[f"image_{n}"] = FileField(validators=[_alt_text_given(n)])
        fields[f"alt_{n}"] = MultilingualField()
        fields[f"caption_{n}"] = MultilingualField()
    return type(f"ImageSlots{count}", (ImagesForm,), fields)


class AddImageForm(_image_slots(1)):  # type: ignore[misc]
    """One more image for a recorded item."""


class ArtworkForm(_image_slots(MAX_IMAGES_PER_FORM)):  # type: ignore[misc]
    """An artwork with up to ``MAX_IMAGES_PER_FORM`` images."""

    contributor_id = ChosenIdField(message=_l("Choose a contributor."))
    title = MultilingualField()
    year = WholeNumberField(_l("Year"))
    medium = MultilingualField()
    dimensions = StringField(default="")
    description = MultilingualField()
    series = MultilingualField()
    content_note = MultilingualField()


class TestimonyForm(PostedForm):
    contributor_id = ChosenIdField(message=_l("Choose a contributor."))
    text = MultilingualField()
    language = StringField(default="")
    content_note = MultilingualField()
    title = MultilingualField()


class ConsentForm(VersionedForm):
    """Record or update an item's consent; ``contributor_asked`` confirms a change that shows
    more than the contributor chose (``confirming`` says the form is that confirmation)."""

    expires_on = DayField(_l("Expiry"))
    scopes = SelectMultipleField(choices=[scope.value for scope in Scope], validate_choice=False)
    attribution = StringField(default="")
    text_version = StringField(default="")
    contributor_asked = StringField()
    confirming = StringField()


class RedactForm(VersionedForm):
    version = VersionField(
        message=_l(
            "The form did not say which version of the item it showed; reload the page and try again."
        )
    )
    span = StringField(default="")


class WithdrawForm(PostedForm):
    confirm = StringField()


class ExhibitionForm(PostedForm):
    """An exhibition's details (a new one also has its address, ``slug``)."""

    titles = MultilingualField()
    organiser = MultilingualField()
    venue = MultilingualField()
    city = MultilingualField()
    statement = MultilingualField()
    opens_on = DayField(_l("Opening date"))
    closes_on = DayField(_l("Closing date"))

    def details(self) -> dict[str, Any]:
        """The keyword arguments of creating or revising an exhibition."""
        return {name: self[name].data for name in (
            "titles", "organiser", "venue", "city", "statement", "opens_on", "closes_on")}


class NewExhibitionForm(ExhibitionForm):
    slug = StringField(default="", filters=[lambda value: (value or "").strip()])


class ExhibitionEditForm(VersionedForm, ExhibitionForm):
    """An exhibition's details, based on the version shown."""


class AddWorkForm(VersionedForm):
    item_id = ChosenIdField(message=_l("Choose a work."))
    wall = MultilingualField()


class WallTextForm(VersionedForm):
    wall = MultilingualField()


class MoveForm(VersionedForm):
    direction = StringField(default="")


class TokenForm(PostedForm):
    label = StringField(default="")
    expires_on = DayField(_l("Expires on"))


def form_values(formdata: Any) -> dict[str, Any]:
    """The submitted values as the page's inputs are named, to fill the form again after a refusal."""
    return {key: formdata.get(key) for key in formdata if key != "csrf_token"}
