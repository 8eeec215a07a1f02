"""Query arguments carried from a request into the links of its page.

``url_for`` reads keyword arguments of its own (``endpoint``, ``_external``, ``_anchor``,
``_method``, ``_scheme``): a visitor's ``?_external=1`` would make every language link absolute
to whatever ``Host`` the request named (and a cached page would hand that link to the next
visitor), and ``?_anchor=`` or ``?_scheme=`` would end in a server error. So no query argument
reaches ``url_for`` except through :func:`link_args`.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import MultiDict

#: Names ``url_for`` takes for itself; anything starting with "_" is reserved as well.
RESERVED = frozenset({"endpoint"})


def link_args(args: MultiDict[str, str], route_values: Iterable[str] = ()) -> dict[str, list[str]]:
    """The request's query arguments that may be passed to ``url_for`` as ``**values``.

    Drops ``url_for``'s own keywords and any name that is also a value of the route
    (``route_values``, e.g. ``item_id``), which would otherwise clash with it.
    """
    taken = set(route_values)
    return {
        name: values
        for name, values in args.to_dict(flat=False).items()
        if not name.startswith("_") and name not in RESERVED and name not in taken
    }

