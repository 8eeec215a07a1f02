"""What the web servers' access logs may record, and the development server's request handler.

An access log line records the time, the method, a *private path* (below), the status, the
size and (in gunicorn) the duration. It never records:

- client addresses, neither the socket's nor forwarded ones: a log line must not tie a person
  to a visit;
- query strings, on any path: they hold visitors' search words (``/search?q=``,
  ``/api/v1/search?q=``) and whatever else a link carries;
- paths under ``/consent``: item ids and receipt references there tie a contributor to their
  works, so every one of them is logged as ``/consent/…``;
- referrers, user agents, and any request or response header (a redirect's ``Location``
  names the receipt just issued).

Anything after a ``search`` segment is dropped too, so a search term typed into a path is not
logged either. gunicorn's logger applies the same rules (``web.gunicorn_conf``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.serving import WSGIRequestHandler

#: Paths whose first segment starts with one of these are logged as the prefix and "/…".
PRIVATE_PREFIXES = ("consent",)
#: A segment after which nothing is logged.
SEARCH_SEGMENT = "search"
MAX_PATH_CHARS = 200
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def private_path(path: str | None) -> str:
    """The path as the access log may record it (``path`` is decoded, without a query)."""
    segments = [segment for segment in (path or "").split("/") if segment]
    if not segments:
        return "/" if path else "-"
    first = segments[0].casefold()
    for prefix in PRIVATE_PREFIXES:
        if first.startswith(prefix):
            return f"/{prefix}/…" if len(segments) > 1 or first != prefix else f"/{prefix}"
    kept: list[str] = []
    for segment in segments:
        kept.append(segment)
        if segment.casefold() == SEARCH_SEGMENT:
            break
    shown = "/" + "/".join(kept)
    shown = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in shown)
    return shown if len(shown) <= MAX_PATH_CHARS else shown[:MAX_PATH_CHARS] + "…"


def private_target(target: str | None) -> str:
    """A raw request target (``/path?query``, percent-encoded) as the access log may record it."""
    if not target:
        return "-"
    return private_path(unquote(urlsplit(target).path))


def private_request_line(method: str | None, target: str | None, protocol: str | None) -> str:
    """``METHOD private-path PROTOCOL``, as the access log may record a request line."""
    shown_method = method if method in METHODS else "-"
    shown_protocol = protocol if protocol in ("HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0") else "-"
    return f"{shown_method} {private_target(target)} {shown_protocol}"


class PrivateRequestHandler(WSGIRequestHandler):
    """werkzeug's development server handler, logging by the rules above (``archive serve``)."""

    def address_string(self) -> str:
        return "-"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        line = private_request_line(
            getattr(self, "command", None), getattr(self, "path", None), getattr(self, "request_version", None)
        )
        self.log("info", '"%s" %s %s', line, code, size)

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("code %d"):  # the standard library adds the raw request line
            self.log("error", "code %d", args[0])
        else:
            self.log("error", format, *args)
