"""Hypothesis strategies shared by property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.text import plain_text


def typeable(text: str) -> bool:
    """Whether the domain takes ``text`` as a field's value: blank, or something visible with
    no direction controls (see ``domain.text.plain_text``)."""
    try:
        plain_text(text, field="Text", max_length=len(text))
    except InvalidValue:
        return False
    return True


def typed_text(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    """Any text a person could record in a field (blank text included unless ``min_size``
    asks for something visible)."""
    text = st.text(min_size=min_size, max_size=max_size).filter(typeable)
    return text.filter(str.strip) if min_size else text
