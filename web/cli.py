"""The ``archive`` console script: the archive's commands plus ``serve``."""

from __future__ import annotations

import os

import click

from archive.cli import cli


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the website (development server; production uses gunicorn, see the Procfile)."""
    from web import create_app

    app = create_app()
    click.echo(f"Serving the archive at http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def main() -> None:
    """Console-script entry point."""
    cli(obj={"environ": os.environ})
