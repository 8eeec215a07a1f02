"""The interface is complete in Russian and Kazakh: every string in the code has both."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from markupsafe import Markup

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


_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([a-zA-Z])")
_TAG = re.compile(r"<[^>]*>")


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_translation_formats_with_its_strings_values_and_keeps_its_markup(lang):
    """Templates' ``_()`` marks a translation safe and always %-formats it (web/i18n.py): a
    translation naming a value its English does not pass, or a stray %, fails the page in that
    language only; a tag the English does not have reaches the page as markup."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    broken, markup = [], []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        values: dict[str, object] = {
            name: "<v>" if kind in "sra" else 2 for text in english for name, kind in _PLACEHOLDER.findall(text)
        }
        values.setdefault("num", 2)  # ngettext's count, which a plural form may leave out
        for translation in message.string if isinstance(message.string, (list, tuple)) else (message.string,):
            try:
                english[0] % values
            except (KeyError, ValueError, TypeError):
                continue  # a Python gettext() without values: not formatted, nor is its translation
            try:
                Markup(translation) % values
            except (KeyError, ValueError, TypeError) as error:
                broken.append((english[0], repr(error)))
            if sorted(_TAG.findall(translation)) != sorted(_TAG.findall(english[0])):
                markup.append(english[0])
    assert broken == [] and markup == []
