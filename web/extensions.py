"""Flask extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# In-process counters: each worker limits on its own (documented in the README).
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])
