"""The mutation check (``make mutation``) finds the consent gate's call sites and disables each."""

from __future__ import annotations

import ast
import re

from tests.mutation import gate_mutants

ROOT = gate_mutants.ROOT


def test_every_call_of_the_gate_becomes_one_mutant_that_still_compiles():
    mutants = list(gate_mutants.call_sites(ROOT))
    calls = sum(
        len(re.findall(rf"(?<!\w){name}\(", text)) - text.count(f"def {name}(")
        for folder in gate_mutants.SEARCHED
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "rules.py"  # the gate itself (archive/gate/rules.py)
        for text in [path.read_text(encoding="utf-8")]
        for name in gate_mutants.REPLACEMENTS
    )

    assert len(mutants) == calls
    assert {m.function for m in mutants} == set(gate_mutants.REPLACEMENTS)
    for mutant in mutants:
        original = (ROOT / mutant.path).read_text(encoding="utf-8").splitlines()
        mutated = mutant.mutated.splitlines()
        assert len(mutated) == len(original)
        changed = [n for n, (a, b) in enumerate(zip(original, mutated), start=1) if a != b]
        assert changed == [mutant.line], mutant.name
        assert gate_mutants.REPLACEMENTS[mutant.function] in mutated[mutant.line - 1]
        ast.parse(mutant.mutated)


def test_the_safety_tests_exist():
    assert all((ROOT / test).is_file() for test in gate_mutants.SAFETY_TESTS)
