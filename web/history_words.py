"""History in the interface language: who acted, what happened, its summary, and the changes a
stale form missed (``ChangedMeanwhile``).

``archive.history`` gives codes and simple parameters with English templates; this module
translates the templates (they are in the catalogs) and the parameters that are codes: consent
scopes and attributions, exhibition fields, kinds of work, receipt actions, actors and dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l

from archive.history import Changes, HistoryEntry, Summary, render
from domain.actor import PHRASES, Actor
from domain.contributors import RECEIPT_ACTIONS

_SCOPES = {"exhibit": _l("shown in exhibitions"), "publish_online": _l("published online")}
_ATTRIBUTIONS = {
    "named": _l("named"), "pseudonym": _l("pseudonym"), "anonymous": _l("anonymous"),
}
_FIELDS = {
    "titles": _l("title"), "organiser": _l("organiser"), "venue": _l("venue"),
    "city": _l("city"), "statement": _l("curatorial statement"),
    "opens_on": _l("opening date"), "closes_on": _l("closing date"),
}
_KINDS = {"artwork": _l("artwork"), "testimony": _l("testimony")}
_REASONS = {"erasure": _l("erasure")}


def who(actor: Actor) -> str:
    """The actor in words: 'curator aigerim', 'the contributor', 'the system (demo)'."""
    template = gettext(PHRASES[actor.kind])
    return template % {"id": actor.id} if "%(id)s" in template else template


def what(code: str) -> str:
    """What happened (a phrase code of ``archive.history.WHAT``) in words."""
    return gettext(code)


def _word(name: str, value: Any) -> str:
    if isinstance(value, Actor):
        return who(value)
    if name == "items":
        return " → ".join(value)
    if name == "expires_on":
        try:
            return format_date(date.fromisoformat(value), "long")
        except ValueError:
            return str(value)
    if name == "action":
        return gettext(RECEIPT_ACTIONS[value]) if value in RECEIPT_ACTIONS else str(value)
    table = {"scopes": _SCOPES, "attribution": _ATTRIBUTIONS, "fields": _FIELDS, "kind": _KINDS, "reason": _REASONS}.get(name)
    if table is None:
        return ", ".join(value) if isinstance(value, tuple) else str(value)
    if isinstance(value, tuple):
        return ", ".join(str(table.get(v, v)) for v in value) or gettext("nothing")
    return str(table.get(value, value))


def summary(found: Summary) -> str:
    """A history summary in words."""
    return render(found, gettext, _word)


def changes(happened: Changes) -> list[str]:
    """What a stale form missed, one line per change, in words."""
    return happened.lines(translate=gettext, who=who, summary=summary)


def entry_words(entry: HistoryEntry) -> dict[str, str]:
    """A history entry's who, what and summary in words (for a page's table)."""
    return {"who": who(entry.actor), "what": what(entry.what), "summary": summary(entry.summary)}


def template_helpers() -> dict[str, Any]:
    """``history_words(entry)`` for templates."""
    return {"history_words": entry_words}
