"""Flask extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from web.rate_limits import limiter

csrf = CSRFProtect()
login_manager = LoginManager()

__all__ = ["csrf", "limiter", "login_manager"]
