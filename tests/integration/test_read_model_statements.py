"""The read models' visitor statements stay cheap to run again and again."""

from __future__ import annotations

from datetime import date

import pytest

from archive.read.models import shown_clause
from domain.consent import Scope


@pytest.mark.parametrize("param", ["?", "%s"])
def test_the_shown_clause_binds_no_like_pattern(param: str):
    """SQLite prepares a statement again at every run when a LIKE pattern is a bound parameter
    (70 us a query, on every item page and listing): the scopes are written as literals, and
    only the day is bound."""
    clause, params = shown_clause((Scope.PUBLISH_ONLINE, Scope.EXHIBIT), date(2026, 3, 1), param)
    assert params == ["2026-03-01"]
    assert clause.count(param) == 1
    percent = "%%" if param == "%s" else "%"
    assert f"LIKE '{percent},exhibit,{percent}'" in clause and f"LIKE '{percent},publish_online,{percent}'" in clause
