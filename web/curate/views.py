"""Workspace pages: dashboard and the curators' tasks."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import login_required

from web.curate import bp


@bp.get("/")
@login_required
def dashboard() -> Any:
    return render_template("curate/dashboard.html")
