"""A curator's list of items (a contributor's page, the dashboard's last recorded) as lines of
text, picked in Python.

A page lists up to fifty items. In the template each line made seven calls (the consent
status, the link, the title in the curator's language, three label lookups), each through
Jinja's call machinery, and the lines were most of the page's time; as on the exhibition
page (``web.work_cards``), the lines are written here, every text escaped, and the template
prints them whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape
from typing import NamedTuple

from flask_babel import gettext
from markupsafe import Markup

from archive.read.models import ItemSummary
from domain.languages import pick


class ItemLine(NamedTuple):
    """One item of a curator's list: its link, title (or what stands for a missing one), kind
    and consent status (the value, for the CSS class, and its words)."""

    link: str
    title: str
    kind: str
    status: str
    status_words: str


def item_lines(items: Sequence[ItemSummary], on: date, lang: str, link: Callable[[str], str]) -> list[ItemLine]:
    """The lines of ``items`` with their consent status on ``on``, titles in ``lang``, each
    linking to ``link(item_id)`` (the id as a string); labels translated once a page."""
    kinds = {"artwork": gettext("artwork"), "testimony": gettext("testimony")}
    untitled = {kind: gettext("(untitled %(kind)s)", kind=words) for kind, words in kinds.items()}
    statuses = {
        "given": gettext("consent given"),
        "not_recorded": gettext("no consent yet"),
        "expired": gettext("consent expired"),
        "withdrawn": gettext("withdrawn"),
    }
    withdrawn_content = gettext("(content withdrawn)")
    lines = []
    for item in items:
        status = item.status(on).value
        title = pick(item.title, lang) or (withdrawn_content if item.is_redacted else untitled.get(item.kind, item.kind))
        lines.append(ItemLine(link(str(item.id)), title, kinds.get(item.kind, item.kind), status, statuses.get(status, "")))
    return lines


def item_lines_html(items: Sequence[ItemSummary], on: date, lang: str, link: Callable[[str], str]) -> Markup:
    """The ``<li>`` of each of :func:`item_lines`, every text escaped (``html.escape``, quotes
    too); empty (false) for no items."""
    return Markup("".join([_line_html(line) for line in item_lines(items, on, lang, link)]))


def _line_html(line: ItemLine) -> str:
    return (
        f'<li><a href="{escape(line.link)}">{escape(line.title)}</a> — {escape(line.kind)},'
        f' <span class="status status-{escape(line.status)}">{escape(line.status_words)}</span></li>'
    )
