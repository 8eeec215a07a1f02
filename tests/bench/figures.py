"""Formatting shared by the benchmarks: percentiles, durations, goals, the machine's load."""

from __future__ import annotations

import os


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def goal(met: bool) -> str:
    return "MET" if met else "NOT MET"


def load() -> str:
    """The load average: other work on the machine skews every figure."""
    return "load avg " + " ".join(f"{x:.1f}" for x in os.getloadavg())
