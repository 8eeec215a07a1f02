"""Mutation check of the consent gate's call sites: would the safety tests notice if one went?

Every call of ``may_show``, ``name_filter``, ``works_name_filter`` and ``credit`` in
``archive/`` and ``web/`` is disabled in turn, in a temporary copy of the tree (the working tree
is never edited, so an interruption leaves nothing behind). They are called by the visitor
projection (``archive/gate/visibility.py``), which every visitor surface goes through, and by the
curators' name review:

* ``may_show(...)``          -> always True (shown whatever the consent says);
* ``name_filter(...)``       -> a filter that removes no name;
* ``works_name_filter(...)`` -> a filter that removes no name from an exhibition's own texts;
* ``credit(...)``            -> the contributor's name, whatever the attribution.

For each mutant the safety tests (``SAFETY_TESTS``) run until the first failure; a mutant no
test fails on *survived*. Tests that already fail on the unmutated copy are left out (and
listed), so that they cannot kill a mutant. Exit status 1 if any mutant survived.

Run with ``make mutation`` (slow: a few minutes; not part of ``make test``).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = ("archive", "web")
#: What each gate function is replaced by at a call site (called with the same arguments).
REPLACEMENTS = {
    "may_show": "(lambda *_: True)",
    "name_filter": '(lambda *_: __import__("archive.gate.name_filter", fromlist=["NO_NAMES"]).NO_NAMES)',
    "works_name_filter": '(lambda *_: __import__("archive.gate.name_filter", fromlist=["NO_NAMES"]).NO_NAMES)',
    "credit": "(lambda _item, person: person.name if person is not None else None)",
}
#: The safety tests: every surface a visitor or another system sees, and the use cases behind them.
SAFETY_TESTS = (
    "tests/unit/application/test_use_cases.py",
    "tests/unit/application/test_name_filter.py",
    "tests/unit/application/test_name_review.py",
    "tests/unit/search/test_search_queries.py",
    "tests/unit/search/test_search_documents.py",
    "tests/integration/search/test_search_follower.py",
    "tests/e2e/test_withheld_names_on_every_surface.py",
    "tests/e2e/test_withdrawal_everywhere.py",
    "tests/e2e/test_web_items.py",
    "tests/e2e/test_web_exhibitions.py",
    "tests/e2e/test_web_exhibition_history.py",
    "tests/e2e/test_web_search.py",
    "tests/e2e/test_api.py",
    "tests/e2e/test_name_battery.py",
    "tests/e2e/test_name_review_page.py",
    "tests/e2e/test_exhibition_names.py",
)
PYTEST_ARGS = ("-q", "-x", "-p", "no:cacheprovider", "-m", "not postgres and not slow", "-rf")
COPY_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "var", "node_modules", "screenshots", "__pycache__", ".pytest_cache", "*.pyc"
)


@dataclass(frozen=True)
class Mutant:
    """One call site of a gate function, and the source with that call disabled."""

    path: str  # relative to the tree
    line: int
    function: str
    mutated: str

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line} {self.function}()"


def call_sites(root: Path) -> Iterator[Mutant]:
    """Every call of a gate function under ``SEARCHED``, as a mutant (in file and line order)."""
    for folder in SEARCHED:
        for path in sorted((root / folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines(keepends=True)
            calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
            for node in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if name not in REPLACEMENTS:
                    continue
                assert func.end_lineno == func.lineno and func.end_col_offset is not None
                line = lines[func.lineno - 1]
                start, end = _byte_to_char(line, func.col_offset), _byte_to_char(line, func.end_col_offset)
                mutated_line = line[:start] + REPLACEMENTS[name] + line[end:]
                mutated = "".join([*lines[: func.lineno - 1], mutated_line, *lines[func.lineno :]])
                yield Mutant(str(path.relative_to(root)), func.lineno, name, mutated)


def _byte_to_char(line: str, offset: int) -> int:
    """ast offsets count UTF-8 bytes; string slicing counts characters."""
    return len(line.encode("utf-8")[:offset].decode("utf-8"))


def _pytest(tree: Path, tests: tuple[str, ...], deselected: list[str]) -> tuple[bool, list[str], float]:
    """Run the tests in ``tree``; (passed, the failed test ids, seconds)."""
    args = [sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests]
    args += [f"--deselect={test}" for test in deselected]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    done = subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, flags=re.MULTILINE)
    if done.returncode not in (0, 1):  # 2-5: interrupted, internal or usage error, nothing collected
        raise SystemExit(f"pytest could not run ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.returncode == 0, failed, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the mutants whose name (path:line function()) contains TEXT")
    parser.add_argument("tests", nargs="*", help=f"tests to run instead of {' '.join(SAFETY_TESTS)}")
    options = parser.parse_args(argv)
    tests = tuple(options.tests) or SAFETY_TESTS
    mutants = [m for m in call_sites(ROOT) if not options.only or any(t in m.name for t in options.only)]
    if options.list or not mutants:
        print("\n".join(m.name for m in mutants) or "no call sites found")
        return 0 if mutants else 1

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gate-mutants-") as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(ROOT, tree, ignore=COPY_IGNORED, symlinks=True)
        ok, broken, seconds = _pytest(tree, tests, [])
        if broken:
            print(f"left out, failing without any mutant: {', '.join(broken)}")
            ok, more, seconds = _pytest(tree, tests, broken)
            if not ok:
                raise SystemExit(f"the tests fail without any mutant: {', '.join(more)}")
        print(f"unmutated: the safety tests pass ({seconds:.0f} s); {len(mutants)} mutants")

        survived = []
        for number, mutant in enumerate(mutants, start=1):
            target = tree / mutant.path
            original = target.read_text(encoding="utf-8")
            target.write_text(mutant.mutated, encoding="utf-8")
            try:
                ok, failed, seconds = _pytest(tree, tests, broken)
            finally:
                target.write_text(original, encoding="utf-8")
            verdict = "SURVIVED" if ok else f"killed by {failed[0] if failed else '(no test id)'}"
            print(f"[{number}/{len(mutants)}] {mutant.name}: {verdict} ({seconds:.0f} s)", flush=True)
            if ok:
                survived.append(mutant)

    total = time.monotonic() - started
    print(f"{len(mutants)} mutants, {len(mutants) - len(survived)} killed, {len(survived)} survived, {total:.0f} s")
    for mutant in survived:
        print(f"  survived: {mutant.name}")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
