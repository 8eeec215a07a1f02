"""The composition root: choose concrete adapters from settings and build the application.

Entrypoints (the CLI, the web app factory and gunicorn's master) call :func:`open_archive`;
nothing else picks an adapter. It lives in the entrypoint layer so that ``archive`` never
imports ``media_store`` or a storage adapter.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from archive.services.application import ExhibitionArchive
from archive.config import DEFAULT_DATA_DIR, Settings
from archive.shredding.crypto import MasterKey
from archive.storage.durable import fsync_dir
from archive.errors import ConfigurationError
from archive.shredding.keystore import KeyStore
from archive.media_ports.ports import ImagePipeline, MediaStore
from archive.credentials.rate_counters import RateCounters
from archive.credentials.sessions import SessionStore
from archive.search import SearchIndex
from archive.search.folders import IndexFolders, LiveIndex

MASTER_KEY_FILE = "master.key"
NEXT_MASTER_KEY_FILE = "master.key.next"
EVENTS_FILE = "events.sqlite3"
CREATING_LOCK_FILE = ".creating.lock"
KEYS_FILE = "keys.sqlite3"
SESSIONS_FILE = "sessions.sqlite3"
#: What the key that tags sessions with their subject is derived for (see archive.credentials.sessions).
SESSION_TAG_PURPOSE = b"session subject tags"
MEDIA_DIR = "media"
SECRET_KEY_FILE = "secret.key"
RATE_COUNTERS_FILE = "rate_limits.sqlite3"


def open_archive(settings: Settings) -> ExhibitionArchive:
    """Open (creating if needed) the archive described by ``settings``, and finish what a
    process that died left undone (a withdrawal whose key was not yet shredded, keys it had
    reserved, partial media files).

    An archive whose event store holds events is never opened without the key table and the
    master key its events are sealed under: a missing, empty or foreign one is refused with
    a ``ConfigurationError`` that says what to restore (see ``archive.shredding.key_seal``).
    """
    os.umask(0o077)  # every file the archive creates is private to its user
    env = persistence_env(settings)
    # With PostgreSQL the master key comes from the environment only: missing, it is refused
    # before any connection.
    given_key = load_master_key(settings) if settings.uses_postgres else None
    has_events = _event_store_has_events(settings, env)
    master_key = given_key or load_master_key(settings, has_events=has_events)
    keys: KeyStore
    if settings.uses_postgres:
        from archive.shredding.keystore_postgres import PostgresKeyStore

        keys = PostgresKeyStore(settings.postgres.url, master_key)
    else:
        from archive.shredding.keystore_sqlite import SQLiteKeyStore

        data_dir = ensure_data_dir(settings.data_dir)
        if has_events and not _nonempty_file(data_dir / KEYS_FILE):
            raise ConfigurationError(_missing_key_table(settings))
        keys = SQLiteKeyStore(data_dir / KEYS_FILE, master_key)
        if not settings.master_key and (data_dir / NEXT_MASTER_KEY_FILE).exists():
            keys = _finish_interrupted_rotation(data_dir, keys)
    sessions: SessionStore | None = None
    try:
        if has_events and keys.is_empty():
            raise ConfigurationError(_missing_key_table(settings))
        if not has_events and keys.holds_recorded_keys():
            # Opened, it would look like a fresh archive, and the first pass over abandoned
            # reservations would shred the keys of subjects recorded shortly before the backup.
            raise ConfigurationError(_missing_events(settings))
        keys.verify_master_key()
        keys.complete_pending_purges()
        media, images = media_adapters(settings)
        with _creating_tables(settings):
            sessions = open_session_store(settings, master_key)
            archive = ExhibitionArchive(keys, env, media=media, images=images, zone=settings.zone, sessions=sessions)
    except BaseException:
        if sessions is not None:
            sessions.close()
        keys.close()
        raise
    if not settings.uses_postgres:
        (settings.data_dir / EVENTS_FILE).chmod(0o600)
    try:
        _check_key_table_seal(settings, archive, has_events)
        # What a process that died left: a withdrawal's key not yet shredded, keys it reserved,
        # partial media files.
        archive.consent.finish_interrupted_withdrawals()
        archive.ensure_read_models()  # an archive from before the read models gets them now
        archive.consent.shred_abandoned_reservations()
        archive.media_upkeep.remove_abandoned_media_writes()
    except BaseException:
        archive.close()
        raise
    return archive


def persistence_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing settings of the archive's event store."""
    if settings.uses_postgres:
        pg = settings.postgres
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": pg.dbname,
            "POSTGRES_HOST": pg.host,
            "POSTGRES_PORT": str(pg.port),
            "POSTGRES_USER": pg.user,
            "POSTGRES_PASSWORD": pg.password,
        }
    return {
        "PERSISTENCE_MODULE": "archive.storage.sqlite_events",  # eventsourcing's, caching statements
        "SQLITE_DBNAME": str(settings.data_dir / EVENTS_FILE),
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def _event_store_has_events(settings: Settings, env: Mapping[str, str]) -> bool:
    """Whether the event store holds any event, asked before the key table and master key are
    opened (or made). A missing SQLite file holds none, and is not created here."""
    if not settings.uses_postgres and not (settings.data_dir / EVENTS_FILE).exists():
        return False
    with _creating_tables(settings):
        factory = InfrastructureFactory.construct(Environment(ExhibitionArchive.name, env))
        try:
            return bool(factory.application_recorder().max_notification_id())
        finally:
            factory.close()


def _check_key_table_seal(settings: Settings, archive: ExhibitionArchive, has_events: bool) -> None:
    """Refuse a key table other than the one the events were sealed under; seal an archive
    written before the seal existed (its events are there, and so are its keys)."""
    seal = archive.key_table_seal()
    if seal is not None and seal.fingerprint != archive.keys.fingerprint():
        raise ConfigurationError(
            f"The key table ({_key_table_place(settings)}) is not the one this archive's events were "
            "sealed under: it was made anew or belongs to another archive. Restore the key table "
            "and the master key from the backup they belong with, together with these events."
        )
    if has_events:
        archive.seal_key_table()


def _missing_key_table(settings: Settings) -> str:
    return (
        f"The key table ({_key_table_place(settings)}) is missing or empty, but the event store "
        f"({_event_store_place(settings)}) holds events sealed under it: opened without it, every "
        "item would look withdrawn. Restore the key table from the backup it belongs with (the "
        "same one as the events and the master key); do not start the archive without it."
    )


def _missing_events(settings: Settings) -> str:
    return (
        f"The event store ({_event_store_place(settings)}) holds no events, but the key table "
        f"({_key_table_place(settings)}) holds keys of recorded contributors and items: the events "
        "are missing. Restore the event store from the backup the key table belongs with; do not "
        "start the archive without it."
    )


def _key_table_place(settings: Settings) -> str:
    if settings.uses_postgres:
        from archive.shredding.keystore_postgres import TABLE

        return f"table {TABLE} in the PostgreSQL database {settings.postgres.dbname!r}"
    return str((settings.data_dir / KEYS_FILE).resolve())


def _event_store_place(settings: Settings) -> str:
    if settings.uses_postgres:
        return f"PostgreSQL database {settings.postgres.dbname!r}"
    return str((settings.data_dir / EVENTS_FILE).resolve())


def _nonempty_file(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _creating_tables(settings: Settings) -> AbstractContextManager[None]:
    """One process at a time creates the event store's tables: an advisory lock on PostgreSQL,
    an exclusive lock on ``<data dir>/.creating.lock`` with SQLite (where a second process
    setting WAL mode on a file the first is still creating met "database is locked")."""
    if settings.uses_postgres:
        from archive.shredding.keystore_postgres import creating_tables

        return creating_tables(settings.postgres.url)
    return _sqlite_creating_tables(ensure_data_dir(settings.data_dir) / CREATING_LOCK_FILE)


@contextmanager
def _sqlite_creating_tables(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def open_session_store(settings: Settings, master_key: MasterKey) -> SessionStore:
    """The session table every process shares: in PostgreSQL, or ``<data dir>/sessions.sqlite3``."""
    tag_key = master_key.derive(SESSION_TAG_PURPOSE)
    if settings.uses_postgres:
        from archive.credentials.sessions_postgres import PostgresSessionStore

        return PostgresSessionStore(settings.postgres.url, tag_key)
    from archive.credentials.sessions_sqlite import SQLiteSessionStore

    return SQLiteSessionStore(ensure_data_dir(settings.data_dir) / SESSIONS_FILE, tag_key)


def load_secret_key(settings: Settings) -> str:
    """The key that signs session cookies: ``ARCHIVE_SECRET_KEY``, or (embedded default only)
    one generated once into ``<data dir>/secret.key``. Hosts sharing PostgreSQL must share it."""
    if settings.secret_key:
        return settings.secret_key
    if settings.uses_postgres:
        raise ConfigurationError(
            "ARCHIVE_SECRET_KEY is required with PostgreSQL, so that every web host accepts the same sessions."
        )
    path = ensure_data_dir(settings.data_dir) / SECRET_KEY_FILE
    if not path.exists():
        _create_once(path, secrets.token_urlsafe(48).encode("ascii"))
    return path.read_text().strip()


def open_rate_counters(settings: Settings, secret: str) -> RateCounters:
    """The rate-limit counters every web process and host shares: a table in PostgreSQL, or
    (embedded default) ``<data dir>/rate_limits.sqlite3``. Keys are hashed with ``secret``."""
    if settings.uses_postgres:
        from archive.credentials.rate_counters_postgres import PostgresRateCounters

        with _creating_tables(settings):  # web workers starting together on a new database
            return PostgresRateCounters(settings.postgres.url, secret)
    from archive.credentials.rate_counters_sqlite import SQLiteRateCounters

    return SQLiteRateCounters(ensure_data_dir(settings.data_dir) / RATE_COUNTERS_FILE, secret)
def trusted_hosts(settings: Settings) -> list[str] | None:
    """The host names the web app answers to (``ARCHIVE_TRUSTED_HOSTS``); None: any (embedded
    default only). Required with PostgreSQL: a production site must refuse a forged ``Host``."""
    if settings.trusted_hosts:
        return list(settings.trusted_hosts)
    if settings.uses_postgres:
        raise ConfigurationError(
            "ARCHIVE_TRUSTED_HOSTS is required with PostgreSQL: list the host names visitors use, "
            "separated by commas (e.g. archive.example.org), so that a forged Host header is refused."
        )
    return None


def rotate_embedded_master_key(settings: Settings) -> tuple[int, MasterKey]:
    """Rotate the master key of an embedded archive whose key lives in the data folder.

    Crash-safe order: the new key is written durably to ``master.key.next`` first; then every
    data key is re-wrapped in one transaction; then the new key replaces ``master.key`` and
    the old key file's bytes are overwritten. An interruption at any point is finished (or
    rolled back) the next time the archive is opened.
    """
    data_dir = settings.data_dir
    new_key = MasterKey.generate()
    archive = open_archive(settings)
    try:
        write_master_key_file(data_dir / NEXT_MASTER_KEY_FILE, new_key)
        count = archive.keys.rotate_master_key(new_key)
    finally:
        archive.close()
    _promote_next_key(data_dir)
    return count, new_key


def _finish_interrupted_rotation(data_dir: Path, keys: KeyStore) -> KeyStore:
    """Complete or undo a rotation that stopped between re-wrapping and replacing the key file."""
    from archive.shredding.keystore_sqlite import SQLiteKeyStore

    next_key = MasterKey.from_text((data_dir / NEXT_MASTER_KEY_FILE).read_text())
    stored = keys.stored_master_key_ids()
    if stored and stored <= {next_key.key_id}:  # the re-wrap committed: adopt the new key
        keys.close()
        _promote_next_key(data_dir)
        return SQLiteKeyStore(data_dir / KEYS_FILE, next_key)
    (data_dir / NEXT_MASTER_KEY_FILE).unlink()  # the re-wrap never committed
    return keys


def _promote_next_key(data_dir: Path) -> None:
    current, next_ = data_dir / MASTER_KEY_FILE, data_dir / NEXT_MASTER_KEY_FILE
    with open(current, "r+b") as old:
        os.replace(next_, current)
        fsync_dir(data_dir)
        size = os.fstat(old.fileno()).st_size
        old.write(b"\0" * size)  # the old key's bytes, now unlinked, are overwritten too
        old.flush()
        os.fsync(old.fileno())


def search_index_opener(*, writable: bool) -> Callable[[Path], SearchIndex]:
    """How to open one version folder of the search index (the Whoosh adapter)."""
    from archive.search.whoosh import WhooshSearchIndex

    return lambda folder: WhooshSearchIndex(folder, writable=writable)


def open_search_index(settings: Settings, *, writable: bool) -> LiveIndex:
    """The host's live search index: read-only for web workers, writable for the follower."""
    return LiveIndex(IndexFolders(settings.search_dir), search_index_opener(writable=writable))


def sample_photo(seed: int, title: str) -> bytes:
    """A generated demo photograph (JPEG whose EXIF carries GPS coordinates, so that the
    stripping can be seen), for ``archive.services.demo.load_demo``."""
    from media_store import make_sample_photo

    return make_sample_photo(seed, title=title)


def media_adapters(settings: Settings) -> tuple[MediaStore, ImagePipeline]:
    """The media store (an S3 bucket if configured, else ``<data dir>/media``) and the pipeline."""
    from media_store import LocalMediaStore, PillowImagePipeline, S3MediaStore

    store: MediaStore
    if settings.s3_bucket:
        store = S3MediaStore(
            settings.s3_bucket, region=settings.s3_region, endpoint_url=settings.s3_endpoint_url
        )
    else:
        store = LocalMediaStore(ensure_data_dir(settings.data_dir) / MEDIA_DIR)
    return store, PillowImagePipeline(max_upload_bytes=settings.max_upload_mb * 1024 * 1024)


def require_data_dir(settings: Settings) -> None:
    """Refuse to go on when the data folder this archive keeps its files in does not exist.

    Commands other than ``archive init`` (and ``archive demo``) call this first, so that one
    run in the wrong folder says where it looked instead of making a new, empty archive there.
    With PostgreSQL and S3 nothing lives in the data folder, and nothing is required.
    """
    if (settings.uses_postgres and settings.s3_bucket) or settings.data_dir.is_dir():
        if settings.uses_postgres or (settings.data_dir / EVENTS_FILE).exists():
            return
        # An existing folder without an event store (an unmounted volume's mount point, a
        # folder made by hand) would become a new, empty archive just the same.
        raise ConfigurationError(
            f"No archive in the data folder {settings.data_dir.resolve()}: it holds no {EVENTS_FILE}. "
            "Check that the right folder (or volume) is there, set ARCHIVE_DATA_DIR to the archive's "
            "data folder, or create a new archive with 'archive init'."
        )
    where = settings.data_dir.resolve()
    source = (
        "ARCHIVE_DATA_DIR is not set, so the default ./var in the current folder"
        if settings.data_dir == Path(DEFAULT_DATA_DIR)
        else "ARCHIVE_DATA_DIR"
    )
    raise ConfigurationError(
        f"No archive data folder at {where} ({source}). Run the command where the archive's "
        "data folder is, set ARCHIVE_DATA_DIR to it, or create a new archive with 'archive init'."
    )


def ensure_data_dir(data_dir: Path) -> Path:
    """The data folder, created if needed and made private to the archive's user."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if data_dir.stat().st_mode & 0o077:
        data_dir.chmod(0o700)
    return data_dir


def load_master_key(settings: Settings, *, has_events: bool = False) -> MasterKey:
    """The master key from ``ARCHIVE_MASTER_KEY``, or (embedded default only) from the data folder.

    On first use of an embedded archive a key is generated into ``<data dir>/master.key``,
    readable by its owner only; never when the event store already ``has_events``: they are
    sealed under the lost key, and a missing key is refused. With PostgreSQL the key is
    required in the environment: a production key must not live beside the data it protects.
    """
    if settings.master_key:
        return MasterKey.from_text(settings.master_key)
    if settings.uses_postgres:
        raise ConfigurationError(
            "ARCHIVE_MASTER_KEY is required with PostgreSQL; create one with "
            "'archive new-master-key' and keep it out of the database's backups."
        )
    path = ensure_data_dir(settings.data_dir) / MASTER_KEY_FILE
    if has_events and not _nonempty_file(path):
        raise ConfigurationError(
            f"The master key is missing: ARCHIVE_MASTER_KEY is not set and {path.resolve()} "
            f"{'is empty' if path.exists() else 'does not exist'}, but the event store "
            f"({_event_store_place(settings)}) holds events sealed under it. Restore master.key "
            "(or set ARCHIVE_MASTER_KEY) from the backup it belongs with; a new key cannot open them."
        )
    if not path.exists():
        _create_master_key_file(path, MasterKey.generate())
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(
            f"{path} is readable by other users. Make it private (chmod 600 {path}) and, "
            "since it may have been copied, rotate it with 'archive rotate-master-key'."
        )
    try:
        return MasterKey.from_text(path.read_text(errors="replace"))
    except ConfigurationError:
        raise ConfigurationError(
            f"{path.resolve()} holds no valid master key (ARCHIVE_MASTER_KEY is not set, so the "
            "key is read from that file). Restore master.key from the backup it belongs with."
        ) from None


def _create_master_key_file(path: Path, key: MasterKey) -> None:
    """Create the key file unless another process created it first (see :func:`_create_once`):
    replacing it would leave one of two processes opening a new archive at once wrapping data
    keys under a lost key."""
    _create_once(path, (key.to_text() + "\n").encode("ascii"))


def _create_once(path: Path, content: bytes) -> None:
    """Create a private (0600) file holding ``content``, complete and durable, unless another
    process created it first: then theirs stays, and every process reads the same bytes.

    The content is written to a file of this process's own, then linked into place: the link
    fails if the file exists, and no process ever sees it empty or half written.
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process was first: its file is the one
    finally:
        tmp.unlink()
    fsync_dir(path.parent)


def write_master_key_file(path: Path, key: MasterKey) -> None:
    """Write a key file durably, atomically and with mode 0600 (replacing any previous one)."""
    tmp = path.with_name(path.name + ".tmp")
    _write_key_durably(tmp, key, os.O_TRUNC)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _write_key_durably(path: Path, key: MasterKey, mode: int) -> None:
    """Write ``key`` to a new (``O_EXCL``) or emptied (``O_TRUNC``) file of mode 0600, synced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    try:
        os.write(fd, (key.to_text() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


