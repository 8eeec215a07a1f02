"""The website: the Flask app factory (a composition root) and its blueprints."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, NotFound, SecurityError, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix

from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.errors import NotFound as ArchiveNotFound
from archive.media_ports.ports import MediaStoreUnavailable
from web.bootstrap import load_secret_key, open_archive, open_rate_counters, open_search_index, trusted_hosts
from web.public_assets import SessionSkippingPublicAssets, is_public_asset

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app.

    Settings come from the process environment (``ARCHIVE_*``); ``test_config`` may
    override them and may pass a ready ``ARCHIVE`` application instead.
    """
    app = Flask(__name__)
    app.session_interface = SessionSkippingPublicAssets()  # no cookie on what caches may share
    config = dict(test_config or {})
    environ = {**os.environ, **{k: v for k, v in config.items() if k.startswith("ARCHIVE_") and isinstance(v, str)}}
    app.config.update(config)
    settings = Settings.from_environ(environ)
    if "TRUSTED_HOSTS" not in config:  # a forged Host header is refused with a 400
        app.config["TRUSTED_HOSTS"] = trusted_hosts(settings)
    archive: ExhibitionArchive = config.get("ARCHIVE") or open_archive(settings)
    app.extensions["archive"] = archive
    app.extensions["search"] = config.get("SEARCH") or open_search_index(settings, writable=False)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(settings)
    app.extensions["rate_counters"] = config.get("RATE_COUNTERS") or open_rate_counters(settings, app.config["SECRET_KEY"])
    if settings.proxy_hops:
        # The client address (rate limits) and scheme come from that many trusted proxy hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)  # type: ignore[method-assign]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,  # dates and times shown in the archive's zone
    )

    from web import api, consent, curate, exhibitions, items, media, pages, search
    from web.body_limits import limit_request_bodies
    from web.extensions import csrf, limiter, login_manager
    from web.i18n import (
        babel,
        install_template_helpers,
        install_template_translations,
        interface_locale,
        template_helpers,
    )

    # Before the CSRF check reads any form: 1 MB, or the upload limit on upload routes.
    limit_request_bodies(app, upload_limit=(settings.max_upload_mb * 8 + 1) * 1024 * 1024)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=interface_locale, default_translation_directories="translations")
    install_template_translations(app)
    install_template_helpers(app)
    app.context_processor(template_helpers)
    for blueprint in (exhibitions.bp, items.bp, media.bp, search.bp, pages.bp, consent.bp, curate.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)  # its blueprint, with each endpoint's declaration in the OpenAPI document
    csrf.exempt(api.bp)  # bearer tokens, never cookies

    @app.get("/healthz")
    def healthz() -> tuple[str, int, dict[str, str]]:
        """Liveness for load balancers (and the benchmarks' trivial route)."""
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    _register_safety_headers(app, https_only=settings.secure_cookies)
    _register_error_pages(app)
    return app


#: Browsers that saw the site over HTTPS keep to HTTPS for a year (not subdomains: other sites
#: of the organisation may not have certificates).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def _register_safety_headers(app: Flask, *, https_only: bool) -> None:
    @app.after_request
    def add_headers(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if https_only:  # Secure cookies: the site is served over HTTPS, and only so
            response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        if not is_public_asset():
            # Pages and media change with consent, and a visitor's device may be shared.
            response.headers["Cache-Control"] = "private, no-store"
        return response


#: How long a client should wait before asking again for media while the storage is down.
MEDIA_RETRY_AFTER_SECONDS = 60


def _register_error_pages(app: Flask) -> None:
    from web.rate_limits import describe_wait, seconds_to_wait

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException) -> Any:
        wait = seconds_to_wait()
        page = render_template("errors/error.html", error=error, wait=describe_wait(wait))
        return page, 429, {"Retry-After": str(wait)}

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> Any:
        # Not one of ARCHIVE_TRUSTED_HOSTS: no page, so no link is ever built for that host.
        return _("This site does not answer to that host name."), 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(MediaStoreUnavailable)
    def media_unavailable(error: MediaStoreUnavailable) -> Any:
        # Images, thumbnails and the workspace's images while the bucket cannot be reached.
        app.logger.warning("Media storage unavailable: %s", error)
        page = render_template("errors/error.html", error=ServiceUnavailable())
        return page, 503, {"Retry-After": str(MEDIA_RETRY_AFTER_SECONDS)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(ArchiveNotFound)
    def not_found(error: ArchiveNotFound) -> Any:
        # Unknown, withdrawn or not visible to this visitor: one and the same 404 page, which says
        # nothing of why. The API blueprint answers its own with problem details (web/api/problems.py);
        # Flask asks a blueprint's handlers before these.
        return http_error(NotFound())

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        app.logger.exception("Unhandled error")
        return render_template("errors/error.html", error=None), 500
