"""The layering contracts in .importlinter hold, and breaking one of them fails the check; the
fakes of the ports live in tests/.

Each case copies the code into a temporary folder, adds one import that a rule forbids, and
runs lint-imports there with the project's own contracts.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "archive", "media_store", "web")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_of_the_code(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            target / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "translations"),
        )
    shutil.copy(ROOT / ".importlinter", target / ".importlinter")
    return target


def _lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_layering_contract(tmp_path: Path):
    result = _lint_imports(_copy_of_the_code(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "rule"),
    [
        ("domain/items.py", "import archive.gate.visibility", "domain imports nothing of ours"),
        ("domain/items.py", "import flask", "domain imports nothing of ours"),
        ("archive/read/public.py", "import media_store", "archive imports only domain"),
        ("archive/gate/visibility.py", "import web.i18n", "archive imports only domain"),
        ("web/search.py", "import whoosh", "only the Whoosh adapter imports whoosh"),
        ("web/media.py", "import PIL", "only media_store imports boto3 and PIL"),
        ("web/items.py", "import archive.shredding.keystore_sqlite", "only the composition root chooses adapters"),
        ("web/commands.py", "import media_store", "only the composition root chooses adapters"),
        ("archive/services/demo.py", "import web.bootstrap", "archive imports only domain"),
        ("archive/gate/visibility.py", "import archive.read.models", "the consent gate imports no other package"),
        ("archive/gate/rules.py", "import archive.services.application", "the consent gate imports no other package"),
        ("archive/read/public.py", "import archive.search.queries", "the read side imports no search"),
        ("archive/shredding/keystore.py", "import archive.services.access", "shredding, credentials, media and storage"),
        ("archive/media_ports/gc.py", "import archive.gate.visibility", "shredding, credentials, media and storage"),
        ("archive/credentials/sessions.py", "import archive.read.side", "shredding, credentials, media and storage"),
        ("archive/storage/durable.py", "import archive.errors", "storage helpers import nothing of ours"),
    ],
)
def test_an_import_that_breaks_a_layering_rule_fails_the_check(tmp_path: Path, module: str, line: str, rule: str):
    folder = _copy_of_the_code(tmp_path)
    path = folder / module
    path.write_text(path.read_text() + f"\n{line}  # breaks the rule under test\n")

    result = _lint_imports(folder)

    assert result.returncode != 0
    broken = [text for text in result.stdout.splitlines() if " BROKEN" in text]
    assert any(text.startswith(rule) for text in broken), result.stdout


def test_the_fakes_of_the_ports_live_in_tests_not_in_the_code_they_stand_in_for():
    fakes = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef) and node.name.startswith("InMemory")
    ]

    assert fakes == []
