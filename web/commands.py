"""The ``archive`` command line: set-up, demo data, history, key rotation, accounts and tokens.

The console script (``web.cli``) adds ``serve`` to this group; it is the one CLI.

Every failure a user can cause (unknown id, bad date, bad setting, unreachable database)
ends with one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import click

from archive.services.access import SHORT_ID_DIGITS, token_id
from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.shredding.crypto import MasterKey
from archive.errors import ArchiveError
from archive.media_ports.ports import MediaError
from archive.media_ports.gc import Kept
from archive.search.folders import IndexFolders
from domain import actor as actors
from domain import clock
from domain.errors import DomainError
from domain.exhibitions import Exhibition
from domain.languages import pick
from web.bootstrap import (
    MASTER_KEY_FILE,
    open_archive,
    open_search_index,
    require_data_dir,
    rotate_embedded_master_key,
    sample_photo,
    search_index_opener,
)

#: Who acts when an operator runs a command (accounts and tokens).
CLI = actors.system("cli")

EXIT_USER_ERROR = 1
EXIT_UNEXPECTED = 2


class IsoDate(click.ParamType[date]):
    """A calendar date written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD.", param, ctx)


class ArchiveGroup(click.Group):
    """A click group that turns expected failures into one clear line.

    Click's own usage errors (an unknown command or option, a missing argument, a bad value)
    too: ``archive: <message>`` on standard error and click's exit code (2 for usage), where
    click would print the usage, a hint and the error on three lines.
    """

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # 'archive' alone: the help, as asked
        except click.ClickException as error:
            _fail_click(error)
            raise  # unreachable: _fail_click exits

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as error:
            _fail_click(error)
        except (ArchiveError, DomainError, MediaError) as error:
            _fail(str(error), EXIT_USER_ERROR)
        except sqlite3.Error as error:
            _fail(f"database error: {error}", EXIT_USER_ERROR)
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as error:  # noqa: BLE001 - the promise is: never a traceback
            if type(error).__module__.startswith("psycopg"):
                first_line = (str(error).splitlines() or [type(error).__name__])[0]
                _fail(f"cannot use the PostgreSQL database: {first_line}", EXIT_USER_ERROR)
            first_line = (str(error).splitlines() or [""])[0]
            _fail(f"unexpected {type(error).__name__}: {first_line}", EXIT_UNEXPECTED)


def _fail(message: str, code: int) -> None:
    click.echo(f"archive: {message}", err=True)
    sys.exit(code)


def _fail_click(error: click.ClickException) -> None:
    """One line for a click error, naming the help of the command it concerns."""
    message = error.format_message().rstrip(".")
    context = getattr(error, "ctx", None)
    if isinstance(error, click.UsageError) and context is not None:
        message += f" (see '{context.command_path} --help')"
    _fail(f"{message}.", error.exit_code)


@click.group(cls=ArchiveGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """A consent-first archive for art and testimony exhibitions."""
    ctx.ensure_object(dict)
    ctx.obj.setdefault("environ", os.environ)


def settings_from(ctx: click.Context) -> Settings:
    environ: Mapping[str, str] = ctx.find_root().obj["environ"]
    return Settings.from_environ(environ)


@contextmanager
def opened(ctx: click.Context, *, creating: bool = False) -> Iterator[ExhibitionArchive]:
    """The archive, open for one command. Only ``creating`` commands (init, demo) may make a
    new data folder; the others refuse, saying where they looked."""
    settings = settings_from(ctx)
    if not creating:
        require_data_dir(settings)
    archive = open_archive(settings)
    try:
        yield archive
    finally:
        archive.close()


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data folder, master key and tables; finish any interrupted withdrawal."""
    settings = settings_from(ctx)
    with opened(ctx, creating=True) as archive:
        finished = archive.consent.finish_interrupted_withdrawals()
    where = "PostgreSQL" if settings.uses_postgres else f"{settings.data_dir.resolve()}"
    click.echo(f"Archive ready ({where}).")
    if finished:
        click.echo(f"Completed {finished} interrupted withdrawal(s): their keys are now shredded.")


@cli.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Load the Silent Room demo exhibition (idempotent)."""
    from archive.services.demo import SLUG, load_demo

    with opened(ctx, creating=True) as archive:  # `make run` loads the demo on a fresh clone
        result = load_demo(archive, sample_photo)
    if result.created:
        click.echo(f"Loaded the demo exhibition '{SLUG}'.")
        if result.consent_code:
            click.echo(f"Try the consent portal at /consent with a demo contributor's code: {result.consent_code}")
    else:
        click.echo(f"The demo exhibition '{SLUG}' is already loaded.")


@cli.command()
@click.argument("id_or_slug")
@click.pass_context
def history(ctx: click.Context, id_or_slug: str) -> None:
    """Print the history of an item, contributor or exhibition: by its id (in full, or the
    short id history lines show: any beginning only it has), or an exhibition's slug."""
    with opened(ctx) as archive:
        entries = archive.history(archive.resolve(id_or_slug))
    for entry in entries:
        line = f"{entry.timestamp:%Y-%m-%d %H:%M} UTC  v{entry.version:<3} {entry.what:<24} by {entry.who}"
        click.echo(f"{line}  {entry.summary}".rstrip())


@cli.command()
@click.argument("slug")
@click.option("--as-of", "as_of", type=IsoDate(), help="Show it as it stood at the end of this day (in ARCHIVE_TIMEZONE).")
@click.option("--lang", default="en", type=click.Choice(["en", "ru", "kk"]), show_default=True)
@click.pass_context
def exhibition(ctx: click.Context, slug: str, as_of: date | None, lang: str) -> None:
    """Print an exhibition: its details and works in order (for curators: includes hidden items)."""
    with opened(ctx) as archive:
        exhibition_id = archive.exhibition_id_for_slug(slug)
        shown = archive.exhibition_as_of(exhibition_id, as_of) if as_of else archive.get_exhibition(exhibition_id)
        _print_exhibition(archive, shown, lang, as_of)


def _print_exhibition(archive: ExhibitionArchive, exhibition: Exhibition, lang: str, as_of: date | None) -> None:
    text: Callable[[str], str] = lambda name: pick(exhibition.field(name), lang)  # noqa: E731
    heading = text("titles")
    if as_of:
        heading += f"  (as it stood on {as_of.isoformat()})"
    click.echo(heading)
    click.echo("=" * len(heading))
    opens, closes = exhibition.field("opens_on"), exhibition.field("closes_on")
    dates = f"{opens.isoformat() if opens else '?'} – {closes.isoformat() if closes else '?'}"
    click.echo(f"{text('venue')}, {text('city')}  {dates}")
    click.echo(f"Organiser: {text('organiser')}")
    click.echo(f"Status: {'published' if exhibition.is_published else 'not published'}")
    if text("statement"):
        click.echo("")
        click.echo(text("statement"))
    click.echo("")
    click.echo(f"Works ({len(exhibition.placements)}):")
    for number, placement in enumerate(exhibition.placements, start=1):
        item = archive.get_item(placement.item_id)
        if item.is_withdrawn or item.is_redacted:
            title, status = "(withdrawn)", "withdrawn"
        else:
            title, status = pick(item.detail("title", {}), lang) or "(untitled)", item.status(archive.today()).value
        click.echo(f"{number:>3}. [{placement.kind}] {title}  ({status.replace('_', ' ')})")
        wall = pick(placement.wall_text.reveal({}) or {}, lang)
        if wall:
            click.echo(f"     {wall}")


@cli.group()
def media() -> None:
    """Media storage maintenance."""


@media.command("gc")
@click.option("--delete", is_flag=True, help="Remove the objects listed (default: only list them).")
@click.pass_context
def media_gc(ctx: click.Context, delete: bool) -> None:
    """List stored media objects that no event refers to, and partial files of interrupted
    uploads; with --delete, remove them, and retry deleting the media of withdrawn items whose
    deletion is still pending.

    Safe while uploads run: an object written less than ARCHIVE_MEDIA_GC_GRACE_HOURS ago, or
    whose upload is still in progress, is kept and listed with the reason.
    """
    grace = timedelta(hours=settings_from(ctx).media_gc_grace_hours)
    with opened(ctx) as archive:
        sweep = archive.media_upkeep.orphaned_media(grace)
        for key in sweep.orphans:
            click.echo(key)
        if delete and sweep.orphans:
            deleted = archive.media_upkeep.delete_orphaned_media(sweep.orphans)
            click.echo(f"Deleted {deleted} orphaned object(s), with every stored version.")
        elif sweep.orphans:
            click.echo(f"{len(sweep.orphans)} orphaned object(s); run with --delete to remove them.")
        else:
            click.echo("No orphaned media objects.")
        _report_kept(sweep.kept, "object(s) no event refers to yet", grace)
        partial = archive.media_upkeep.abandoned_media_writes(grace)
        for name in partial.orphans:
            click.echo(f"{name} (partial write)")
        if delete and partial.orphans:
            removed = archive.media_upkeep.remove_abandoned_media_writes(thorough=True, grace=grace)
            click.echo(f"Removed {removed} partial write(s) left by interrupted uploads.")
        elif partial.orphans:
            click.echo(f"{len(partial.orphans)} partial write(s) left by interrupted uploads; run with --delete to remove them.")
        _report_kept(partial.kept, "partial write(s)", grace)
        if delete:
            _report_pending_media(archive.consent.delete_pending_media())
        else:
            _report_pending_media(len(archive.keys.pending_media_deletions()))


def _report_kept(kept: list[Kept], what: str, grace: timedelta) -> None:
    """List what gc keeps for now, by key (opaque ids) and why."""
    for entry in kept:
        click.echo(f"{entry.key} (kept: {entry.why})")
    if kept:
        hours = int(grace.total_seconds() // 3600)
        click.echo(
            f"Kept {len(kept)} {what}: written less than {hours} h ago (ARCHIVE_MEDIA_GC_GRACE_HOURS) "
            "or their upload is in progress."
        )


def _report_pending_media(left: int) -> None:
    if left:
        click.echo(
            f"{left} withdrawn item(s) still have media in storage awaiting deletion (their keys are "
            "shredded; the follower retries, as does 'archive media gc --delete')."
        )


@cli.command()
@click.pass_context
def fixity(ctx: click.Context) -> None:
    """Read back every original, decrypt it and check its SHA-256; report missing or changed files."""
    from tqdm import tqdm

    with opened(ctx) as archive:
        pairs = archive.media_upkeep.images_to_check()
        problems: list[str] = []
        bar = tqdm(pairs, unit="image", disable=not sys.stderr.isatty(), file=sys.stderr)
        for item_id, image_id in bar:
            problems.extend(archive.media_upkeep.check_image_fixity(item_id, image_id))
    for problem in problems:
        click.echo(problem)
    if problems:
        _fail(f"fixity: {len(problems)} problem(s) in {len(pairs)} image(s).", EXIT_USER_ERROR)
    click.echo(f"fixity: {len(pairs)} image(s) checked, all files present and unchanged.")


@cli.command()
@click.option("--once", is_flag=True, help="Catch up with the event log, purge, and exit.")
@click.pass_context
def follow(ctx: click.Context, once: bool) -> None:
    """Keep this host's search index in step with the event log (a long-lived worker)."""
    from archive.search.follower import SearchFollower, rebuild_if_outdated

    settings = settings_from(ctx)
    with opened(ctx) as archive:
        index = open_search_index(settings, writable=True)
        try:
            rebuilt = rebuild_if_outdated(archive, index, IndexFolders(settings.search_dir), search_index_opener(writable=True))
            if rebuilt is not None:
                click.echo(f"Rebuilt the search index with today's fields: {rebuilt} document(s).")
            follower = SearchFollower(archive, index)
            if once:
                count = follower.catch_up()
                follower.purge_if_due(force=True)
                click.echo(f"Applied {count} event(s); the index is at position {index.position()}.")
                archive.consent.finish_interrupted_withdrawals()
                _report_pending_media(archive.consent.delete_pending_media())
                return
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            click.echo(f"Following the event log from position {index.position()} (Ctrl+C to stop).")
            follower.run_forever(stop)
        finally:
            index.close()


@cli.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from all events into a new folder and switch to it atomically,
    and the curators' read models (as rebuild-read-models)."""
    from tqdm import tqdm

    from archive.search.follower import rebuild

    settings = settings_from(ctx)
    with opened(ctx) as archive:
        with tqdm(unit="doc", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            count = rebuild(archive, IndexFolders(settings.search_dir), search_index_opener(writable=True), progress)
        click.echo(f"Rebuilt the search index: {count} document(s); it is live now.")
        _rebuild_read_models(archive)


@cli.command("rebuild-read-models")
@click.pass_context
def rebuild_read_models(ctx: click.Context) -> None:
    """Rebuild the curators' read models from the event log, in one transaction."""
    with opened(ctx) as archive:
        _rebuild_read_models(archive)


def _rebuild_read_models(archive: ExhibitionArchive) -> None:
    try:
        rows = archive.rebuild_read_models()
    except RuntimeError as busy:
        _fail(str(busy), 1)
        return
    click.echo(
        f"Rebuilt the read models: {len(rows.items)} item(s), {len(rows.contributors)} contributor(s), "
        f"{len(rows.exhibitions)} exhibition(s)."
    )


@cli.command("create-curator")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Name shown in the workspace.")
@click.password_option(help="At least 12 characters (prompted when not given).")
@click.pass_context
def create_curator(ctx: click.Context, username: str, display_name: str, password: str) -> None:
    """Create a curator account for the workspace at /curate."""
    with opened(ctx) as archive:
        archive.access.create_curator(username=username, password=password, display_name=display_name, actor=CLI)
    click.echo(f"Curator {username!r} created; they can log in at /curate.")


@cli.command("change-password")
@click.argument("username")
@click.password_option(help="At least 12 characters (prompted when not given).")
@click.pass_context
def change_password(ctx: click.Context, username: str, password: str) -> None:
    """Set a curator's new password; every session of theirs ends, on every device."""
    with opened(ctx) as archive:
        archive.access.change_password(username, password, actor=CLI)
    click.echo(f"Password of {username!r} changed; their sessions have ended everywhere.")


@cli.command("deactivate-curator")
@click.argument("username")
@click.pass_context
def deactivate_curator(ctx: click.Context, username: str) -> None:
    """Stop a curator from logging in or using any API token; end their sessions everywhere."""
    with opened(ctx) as archive:
        changed = archive.access.deactivate_curator(username, actor=CLI)
    state = "deactivated" if changed else "was already deactivated"
    click.echo(f"Curator {username!r} {state}: no login, no token works, no session remains.")


@cli.command("create-token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for, e.g. 'import script'.")
@click.option("--expires", "expires_on", type=IsoDate(), help="Last day it works (in ARCHIVE_TIMEZONE).")
@click.pass_context
def create_token(ctx: click.Context, username: str, label: str, expires_on: date | None) -> None:
    """Issue an API bearer token for a curator; it is printed once and stored only as a hash."""
    with opened(ctx) as archive:
        token = archive.access.issue_api_token(username, actor=CLI, label=label, expires_on=expires_on)
    click.echo(token)
    click.echo(
        f"Token id {token_id(token).hex[:SHORT_ID_DIGITS]}. Keep the token secret; it is shown once. "
        "Use it as 'Authorization: Bearer <token>'.",
        err=True,
    )


@cli.command("list-tokens")
@click.argument("username", required=False)
@click.pass_context
def list_tokens(ctx: click.Context, username: str | None) -> None:
    """List API tokens (every curator's, or one's): id, curator, status, dates, label."""
    with opened(ctx) as archive:
        if username is not None:
            archive.access.get_curator(username)  # an unknown name is an error, not an empty list
        tokens = archive.access.api_tokens(username)
        now = clock.now()
        zone = archive.zone
    if not tokens:
        click.echo("No API tokens.")
        return
    click.echo(f"{'ID':<9} {'CURATOR':<16} {'STATUS':<20} {'ISSUED':<10} {'EXPIRES':<10} {'LAST USED':<10} LABEL")
    for t in tokens:
        expires = (t.expires_at - timedelta(microseconds=1)).astimezone(zone).date().isoformat() if t.expires_at else "never"
        click.echo(
            f"{t.short_id:<9} {t.username:<16} {t.status(now):<20} {t.issued_at.astimezone(zone).date().isoformat():<10} "
            f"{expires:<10} {t.last_used.isoformat() if t.last_used else 'never':<10} {t.label}".rstrip()
        )


@cli.command("revoke-token")
@click.argument("token_id")
@click.pass_context
def revoke_token(ctx: click.Context, token_id: str) -> None:
    """Revoke an API token by the id 'list-tokens' shows (the token itself is not needed)."""
    with opened(ctx) as archive:
        revoked = archive.access.revoke_api_token(token_id, actor=CLI)
    click.echo(f"Token {revoked.hex[:SHORT_ID_DIGITS]} revoked: it no longer works.")


@cli.command("new-master-key")
def new_master_key() -> None:
    """Print a new random master key (URL-safe base64) for ARCHIVE_MASTER_KEY."""
    click.echo(MasterKey.generate().to_text())


@cli.command("rotate-master-key")
@click.pass_context
def rotate_master_key(ctx: click.Context) -> None:
    """Re-wrap every live data key under a new master key.

    Embedded default: a new key is generated and replaces the key file. With
    ARCHIVE_MASTER_KEY set, the new key is read from ARCHIVE_NEW_MASTER_KEY (make one with
    'archive new-master-key'); afterwards set ARCHIVE_MASTER_KEY to it and destroy the old one.
    Stop other archive processes first.
    """
    settings = settings_from(ctx)
    require_data_dir(settings)
    environ = ctx.find_root().obj["environ"]
    if settings.master_key:
        new_text = (environ.get("ARCHIVE_NEW_MASTER_KEY") or "").strip()
        if not new_text:
            raise ArchiveError(
                "ARCHIVE_MASTER_KEY is set, so the new key must be given in ARCHIVE_NEW_MASTER_KEY "
                "(create one with 'archive new-master-key')."
            )
        new_key = MasterKey.from_text(new_text)
        with opened(ctx) as archive:
            count = archive.keys.rotate_master_key(new_key)
    else:
        count, new_key = rotate_embedded_master_key(settings)
    click.echo(f"Re-wrapped {count} data key(s) under the new master key (id {new_key.key_id}).")
    if settings.master_key:
        click.echo("Now set ARCHIVE_MASTER_KEY to the new key, restart, and destroy the old key.")
    else:
        click.echo(f"The new key replaced {settings.data_dir / MASTER_KEY_FILE}; the old key was overwritten.")
