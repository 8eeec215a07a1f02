"""gunicorn settings for the archive: ``gunicorn -c python:web.gunicorn_conf "web:create_app()"``.

The master opens the archive once before it starts any worker (:func:`on_starting`), so
what a new release or a crashed process left to do (tables to create, read models to rebuild,
withdrawals to finish) is done once, by a process no worker timeout can kill, and not raced
by every worker at boot.

The access log goes to standard output and records what ``web.log_privacy`` allows, whatever
``--access-logformat`` says: the logger class below replaces the atoms that could betray a
visitor (client address, request line, path, query, referrer, user agent, every header and
environment variable) before any format sees them, and scrubs the two error-log messages
that carry a client address or a request's path.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from gunicorn.glogging import Logger

from archive.config import Settings
from archive.errors import ConfigurationError

from web.bootstrap import open_archive
from web.log_privacy import private_path, private_request_line, private_target

#: Atoms that hold nothing about who the visitor is or what they looked for.
SAFE_ATOMS = ("l", "t", "s", "m", "H", "b", "B", "T", "D", "M", "L", "p")
INVALID_REQUEST = "Invalid request from ip="
ERROR_HANDLING = "Error handling request %s"


class PrivateLogger(Logger):
    """gunicorn's logger, keeping client addresses, queries and consent paths out of its logs."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        every = super().atoms(resp, req, environ, request_time)
        atoms = {name: every[name] for name in SAFE_ATOMS if name in every}
        atoms.update(
            h="-", u="-", f="-", a="-", q="",
            r=private_request_line(environ.get("REQUEST_METHOD"), environ.get("RAW_URI"), environ.get("SERVER_PROTOCOL")),
            U=private_path(environ.get("PATH_INFO")),
        )
        return atoms

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(msg, str) and msg.startswith(INVALID_REQUEST):
            msg, args = "Invalid request refused (its address and request line are not logged)", ()
        super().warning(msg, *args, **kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if msg == ERROR_HANDLING and args:
            args = (private_target(str(args[0])), *args[1:])
        super().exception(msg, *args, **kwargs)


#: The youngest generation's threshold (Python's default is 700 allocations): an exhibition
#: page of fifty cards makes a few thousand containers, which at 700 meant two or three
#: collections a page, each walking what the page still holds.
YOUNG_THRESHOLD = 7000

logger_class = PrivateLogger
accesslog = "-"
access_log_format = '%(t)s %(p)s "%(r)s" %(s)s %(b)s %(M)sms'


def on_starting(server: Any) -> None:
    """Open the archive in the master, then close it, before any worker is forked.

    A release that changes the read models rebuilds them when the archive is first opened:
    about 40 s of CPU at 50,000 items, in one write transaction. Left to the workers, every
    worker replayed the log at once, the others' table creation met SQLite's lock and failed
    ("database is locked"), and gunicorn shut down ("Worker failed to boot"); a rebuild longer
    than the worker timeout would be killed and restarted for ever. A refused archive (missing
    keys, no data folder) stops the server here with its one-line reason."""
    try:
        archive = open_archive(Settings.from_environ(os.environ))
    except ConfigurationError as refused:
        raise SystemExit(f"archive: {refused}") from None
    archive.close()


def post_worker_init(worker: Any) -> None:
    """Keep the garbage collector off what a worker holds for its whole life.

    The app, its archive, its templates and its caches are built when the worker boots;
    ``gc.freeze`` moves them out of the collector's generations, so that a full collection (one
    every few hundred requests) walks only what requests made since, not every object the
    worker holds (at 50,000 items, tens of milliseconds that some visitor waits through).
    The youngest generation is collected less often (:data:`YOUNG_THRESHOLD`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
