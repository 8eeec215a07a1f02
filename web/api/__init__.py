"""The JSON API under /api/v1: public reads through the consent gate, curator writes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
