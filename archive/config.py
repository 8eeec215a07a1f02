"""Settings, read once from the environment at the composition root.

Every setting is an ``ARCHIVE_*`` variable; the README's configuration table lists them.
No other module reads ``os.environ``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.errors import ConfigurationError

DEFAULT_DATA_DIR = "./var"
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_TIMEZONE = "UTC"
DEFAULT_MEDIA_GC_GRACE_HOURS = 24


def _optional(environ: Mapping[str, str], name: str) -> str | None:
    return (environ.get(name) or "").strip() or None


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _optional(environ, name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (true or false), not {raw!r}.")


def _whole_number(environ: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = _optional(environ, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be greater than zero." if minimum == 1 else f"{name} must be {minimum} or more.")
    return value


#: A host name as a visitor's browser sends it (no scheme, port or path); a leading dot also
#: trusts every subdomain; an IPv6 address is written in brackets.
_HOST_NAME = re.compile(r"\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]")


def _host_names(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = _optional(environ, name)
    if raw is None:
        return ()
    hosts = tuple(host.strip().lower() for host in raw.split(",") if host.strip())
    for host in hosts:
        if not _HOST_NAME.fullmatch(host):
            raise ConfigurationError(
                f"{name}: {host!r} is not a host name. List the names visitors use, separated by commas, "
                "without https:// or a port, e.g. archive.example.org,www.archive.example.org"
            )
    return hosts


@dataclass(frozen=True)
class PostgresURL:
    """The parts of a ``postgresql://user:password@host:port/dbname`` URL."""

    url: str
    host: str
    port: int
    user: str
    password: str
    dbname: str


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one archive deployment."""

    data_dir: Path
    database_url: str | None = None
    master_key: str | None = None
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    s3_bucket: str | None = None
    s3_region: str | None = None
    s3_endpoint_url: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    index_dir: Path | None = None
    secret_key: str | None = None
    secure_cookies: bool = True
    #: How many proxies in front of the web processes append to X-Forwarded-For (and -Proto)
    #: and are trusted to: the client is the address that many hops from the right.
    proxy_hops: int = 0
    trusted_hosts: tuple[str, ...] = ()
    #: ``archive media gc`` never deletes an object written less than this many hours ago.
    media_gc_grace_hours: int = DEFAULT_MEDIA_GC_GRACE_HOURS

    @property
    def search_dir(self) -> Path:
        """Where this host keeps its search index (``ARCHIVE_INDEX_DIR``, else ``<data dir>/search``)."""
        return self.index_dir or self.data_dir / "search"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``ARCHIVE_*`` variables; malformed values raise ``ConfigurationError``."""
        database_url = _optional(environ, "ARCHIVE_DATABASE_URL")
        settings = cls(
            data_dir=Path(environ.get("ARCHIVE_DATA_DIR") or DEFAULT_DATA_DIR),
            database_url=database_url,
            master_key=_optional(environ, "ARCHIVE_MASTER_KEY"),
            max_upload_mb=_whole_number(environ, "ARCHIVE_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB, minimum=1),
            s3_bucket=_optional(environ, "ARCHIVE_S3_BUCKET"),
            s3_region=_optional(environ, "ARCHIVE_S3_REGION"),
            s3_endpoint_url=_optional(environ, "ARCHIVE_S3_ENDPOINT_URL"),
            timezone=_optional(environ, "ARCHIVE_TIMEZONE") or DEFAULT_TIMEZONE,
            index_dir=Path(environ["ARCHIVE_INDEX_DIR"]) if _optional(environ, "ARCHIVE_INDEX_DIR") else None,
            secret_key=_optional(environ, "ARCHIVE_SECRET_KEY"),
            secure_cookies=_flag(environ, "ARCHIVE_SECURE_COOKIES", True),
            proxy_hops=_whole_number(environ, "ARCHIVE_PROXY_HOPS", 0, minimum=0),
            trusted_hosts=_host_names(environ, "ARCHIVE_TRUSTED_HOSTS"),
            media_gc_grace_hours=_whole_number(
                environ, "ARCHIVE_MEDIA_GC_GRACE_HOURS", DEFAULT_MEDIA_GC_GRACE_HOURS, minimum=1
            ),
        )
        settings.zone  # noqa: B018 - validates the time zone
        if settings.s3_endpoint_url and not settings.s3_bucket:
            raise ConfigurationError("ARCHIVE_S3_ENDPOINT_URL is set but ARCHIVE_S3_BUCKET is not.")
        if database_url:
            settings.postgres  # noqa: B018 - validates the URL
        return settings

    @property
    def zone(self) -> ZoneInfo:
        """The time zone whose calendar days count for consent expiry and history dates."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                f"ARCHIVE_TIMEZONE {self.timezone!r} is not a known time zone (e.g. Asia/Almaty, UTC)."
            ) from None

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def postgres(self) -> PostgresURL:
        if not self.database_url:
            raise ConfigurationError("ARCHIVE_DATABASE_URL is not set.")
        parts = urlsplit(self.database_url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ConfigurationError(
                "ARCHIVE_DATABASE_URL must be a postgresql:// URL "
                "(leave it unset for the embedded SQLite database)."
            )
        dbname = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not dbname:
            raise ConfigurationError(
                "ARCHIVE_DATABASE_URL needs a host and a database name: "
                "postgresql://user:password@host:5432/archive"
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise ConfigurationError("ARCHIVE_DATABASE_URL has an invalid port.") from None
        return PostgresURL(
            url=self.database_url,
            host=parts.hostname,
            port=port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            dbname=dbname,
        )
