"""The ``archive`` console script: the archive's commands plus ``serve``."""

from __future__ import annotations

import logging
import os
import threading

import click

from archive.bootstrap import open_archive, open_search_index, search_index_opener
from archive.cli import cli, settings_from
from archive.errors import ArchiveError
from archive.search_folders import IndexFolders
from archive.search_follower import SearchFollower, rebuild_if_outdated

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
    from web import create_app
    from web.log_privacy import PrivateRequestHandler

    stop = threading.Event()
    follower = None if no_follow else start_follower(ctx, stop)
    # The development server speaks plain HTTP on this machine: cookies cannot be 'Secure'.
    app = create_app({"ARCHIVE_SECURE_COOKIES": "0"})
    click.echo(f"Serving the archive at http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        # Access lines without client addresses, queries or consent paths (web.log_privacy).
        app.run(host=host, port=port, threaded=True, use_reloader=False, request_handler=PrivateRequestHandler)
    finally:
        stop.set()
        if follower is not None:
            follower.join(5)


def main() -> None:
    """Console-script entry point."""
    cli(obj={"environ": os.environ}, prog_name="archive")
