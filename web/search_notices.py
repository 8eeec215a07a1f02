"""What a search's notice codes (``archive.search.Notice``) say, in the visitor's language."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from archive.search import MAX_QUERY_CHARS, Notice


def notice_text(codes: Iterable[str]) -> str | None:
    """The notices of one search as one translated sentence or more (``None``: no notice)."""
    words = {
        Notice.SHORTENED: lambda: _("Your query was shortened to its first %(num)d characters.", num=MAX_QUERY_CHARS),
        Notice.NO_WORDS: lambda: _("Your query had no words to search for, so everything is listed."),
        Notice.COMMON_WORDS_ONLY: lambda: _("Your query only had very common or very short words; try more specific ones."),
        Notice.SIMPLIFIED: lambda: _("Your query was simplified to its words."),
        Notice.UNBALANCED_QUOTES: lambda: _("Your query was simplified to its words: unbalanced quotes."),
        Notice.UNBALANCED_BRACKETS: lambda: _("Your query was simplified to its words: unbalanced brackets."),
        Notice.NAMED_FIELDS: lambda: _(
            "Your query was simplified to its words: searching in named fields (name:) is not supported."
        ),
        Notice.DANGLING_OPERATOR: lambda: _("Your query was simplified to its words: AND, OR and NOT need words on both sides."),
        Notice.UNREADABLE: lambda: _("Your query was simplified to its words: it could not be read as written."),
    }
    texts = [words[code]() for code in codes if code in words]
    return " ".join(texts) or None
