"""Multilingual text: a mapping from a supported language code to text."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import InvalidValue
from domain.text import MAX_SHORT_TEXT, plain_text

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ru", "kk")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}


def check_language(code: str) -> str:
    """Return ``code`` if it is a supported language, else raise ``InvalidValue``."""
    if code not in SUPPORTED_LANGUAGES:
        raise InvalidValue(
            "Unsupported language %(code)r: use one of %(choices)s.",
            code=code,
            choices=", ".join(SUPPORTED_LANGUAGES),
        )
    return code


def multilingual(
    texts: Mapping[str, str] | None, *, field: str, required: bool = False, max_length: int = MAX_SHORT_TEXT
) -> dict[str, str]:
    """Validate a per-language text field and return it as a plain, trimmed dict.

    Empty entries are dropped; ``required`` means at least one language must have text. Each
    text is checked by ``domain.text.plain_text`` (length, invisible and direction characters).
    """
    if texts is None:
        texts = {}
    if not isinstance(texts, Mapping):
        raise InvalidValue("%(field)s must be given per language, e.g. {'en': '...'}.", field=field)
    cleaned: dict[str, str] = {}
    for code, text in texts.items():
        check_language(code)
        if not isinstance(text, str):
            raise InvalidValue("%(field)s in %(code)r must be text.", field=field, code=code)
        text = plain_text(text, field=field, max_length=max_length)
        if text:
            cleaned[code] = text
    if required and not cleaned:
        raise InvalidValue("%(field)s is required in at least one language.", field=field)
    return {code: cleaned[code] for code in SUPPORTED_LANGUAGES if code in cleaned}


def pick(texts: Mapping[str, str] | None, language: str) -> str:
    """Text in ``language``, else in the first supported language that has it, else ''."""
    if not texts:
        return ""
    if language in texts:
        return texts[language]
    for code in SUPPORTED_LANGUAGES:
        if code in texts:
            return texts[code]
    return ""
