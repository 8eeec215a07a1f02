"""The ``archive`` console script: the archive's commands (``web.commands``) plus ``serve``."""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading

import click

from archive.errors import ArchiveError
from archive.search.folders import IndexFolders
from archive.search.follower import SearchFollower, rebuild_if_outdated
from web.bootstrap import open_archive, open_search_index, require_data_dir, search_index_opener
from web.commands import cli, settings_from

log = logging.getLogger(__name__)


def start_follower(ctx: click.Context, stop: threading.Event) -> threading.Thread | None:
    """Run the search follower in a background thread, unless another process already does."""
    settings = settings_from(ctx)
    try:
        index = open_search_index(settings, writable=True)
        index.position()  # opens the live folder, taking the writer's lock
    except ArchiveError as error:
        click.echo(f"Search follower not started here: {error}", err=True)
        return None
    archive = open_archive(settings)

    def run() -> None:
        try:
            try:
                rebuild_if_outdated(archive, index, IndexFolders(settings.search_dir), search_index_opener(writable=True))
            except Exception:  # noqa: BLE001 - the index as it is still answers and follows
                log.exception("Rebuilding the outdated search index failed; following it as it is")
            SearchFollower(archive, index).run_forever(stop)
        finally:
            index.close()
            archive.close()

    thread = threading.Thread(target=run, name="search-follower", daemon=True)
    thread.start()
    return thread


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-follow", is_flag=True, help="Do not run the search follower in this process.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, no_follow: bool) -> None:
    """Serve the website with the search follower in the background (development server;
    production uses gunicorn and a separate 'archive follow' worker, see the Procfile)."""
    from werkzeug.serving import make_server

    from web import create_app
    from web.log_privacy import PrivateRequestHandler

    # The port first: when it is taken, nothing starts and nothing claims to be serving.
    listening = listening_socket(host, port)
    try:
        require_data_dir(settings_from(ctx))  # `make run` loads the demo first, which makes it
    except BaseException:
        listening.close()
        raise
    stop = threading.Event()
    follower = None
    try:
        follower = None if no_follow else start_follower(ctx, stop)
        # The development server speaks plain HTTP on this machine: cookies cannot be 'Secure'.
        app = create_app({"ARCHIVE_SECURE_COOKIES": "0"})
        # Access lines without client addresses, queries or consent paths (web.log_privacy).
        server = make_server(host, port, app, threaded=True, request_handler=PrivateRequestHandler, fd=listening.fileno())
        click.echo(f"Serving the archive at http://{host}:{server.port}/ (Ctrl+C to stop)")
        server.serve_forever()  # until Ctrl+C
    finally:
        listening.close()
        stop.set()
        if follower is not None:
            follower.join(5)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, or one clear line saying why not
    (werkzeug's own server would print three, after ``serve`` had said it was serving)."""
    from werkzeug.serving import select_address_family

    try:
        return socket.create_server((host, port), family=select_address_family(host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"cannot serve on {host}:{port}: the port is in use by another program; "
                "stop it, or choose another port with --port"
            ) from None
        raise click.ClickException(f"cannot serve on {host}:{port}: {error.strerror or error}") from None


def main() -> None:
    """Console-script entry point."""
    cli(obj={"environ": os.environ}, prog_name="archive")
