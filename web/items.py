"""Public pages of single artworks and testimonies, through the consent gate."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("items", __name__)
