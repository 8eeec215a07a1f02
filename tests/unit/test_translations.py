"""The interface is complete in Russian and Kazakh: every string in the code has both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = next(
    line.split(":=", 1)[1].split() for line in (ROOT / "Makefile").read_text().splitlines()
    if line.startswith("BABEL_KEYWORDS")
)
TRANSLATIONS = ROOT / "web" / "translations"


def _ids(catalog) -> set:
    return {_key(message.id) for message in catalog if message.id}


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "-q", "extract", "-F", "babel.cfg", *KEYWORDS,
         "-o", str(pot), "--no-location", "--omit-header", "."],
        cwd=ROOT, check=True,
    )
    with open(pot, "rb") as handle:
        return _ids(read_po(handle))


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_interface_string_is_translated(extracted, lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing = sorted(str(i) for i in extracted - _ids(catalog))
    assert missing == [], f"strings not in the {lang} catalog (run pybabel update): {missing[:10]}"
    empty = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert empty == [], f"untranslated {lang} strings: {empty[:10]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_compiled_catalog_matches_the_source(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        source = {_key(m.id): _key(m.string) for m in read_po(handle, locale=lang) if m.id}
    with open(folder / "messages.mo", "rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run pybabel compile -d web/translations"
