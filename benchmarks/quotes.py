"""Benchmark ``quote()`` on a 20-rule policy with two metrics, on both engine paths.

The policy is ``policy.py``'s (tag rules with ratio buffers, a default rule, a live
chat channel falling back to email, 15-minute rounding). Four requests — a first
rule, the default rule, a closed live channel, a calendar window — are quoted at
the same random instants on the compiled core and on the pure path (the policy's
schedules with their core switched off), one pass of each in turn, beside a bare
aware ``datetime + timedelta`` as the machine's yardstick.
"""

from __future__ import annotations

import gc
import operator
import random
import statistics
from datetime import datetime, timedelta
from time import perf_counter_ns, process_time_ns
from typing import Any
from zoneinfo import ZoneInfo

import expectkit
from expectkit import Policy, quote
from policy import policy_text

BERLIN = ZoneInfo("Europe/Berlin")
CASES: dict[str, dict[str, object]] = {
    "first rule (tag, ratio buffer)": {"channel": "email", "tags": ["t0"]},
    "default rule (business days)": {"channel": "email"},
    "live chat closed -> email": {"channel": "chat"},
    "calendar window (3-5 hours)": {"channel": "social", "tags": ["t2"]},
}


def _policy(pure: bool) -> Policy:
    policy = Policy.loads(policy_text(20))
    if pure:
        for schedule in policy.schedules.values():
            engine = schedule._get_engine()
            engine.use_core = False
            engine.core = None
    return policy


def run_quotes(n: int, repeats: int, seed: int) -> dict[str, Any]:
    """Time every case on both paths; per-request medians and best passes in µs."""
    rng = random.Random(seed)
    base = datetime(2026, 1, 5, tzinfo=BERLIN)
    instants = [base + timedelta(minutes=rng.randrange(0, 60 * 24 * 300)) for _ in range(n)]
    bare = [(t, timedelta(minutes=5)) for t in instants]
    paths = {"core": _policy(False), "pure": _policy(True)}
    if expectkit.backend != "c":
        del paths["core"]
    wall: dict[str, list[float]] = {"bare": []}
    cpu: dict[str, list[float]] = {"bare": []}
    for policy in paths.values():  # warm: compile the years and the plans
        for request in CASES.values():
            for t in instants:
                quote(policy, request, at=t)
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            start, cpu_start = perf_counter_ns(), process_time_ns()
            for a, b in bare:
                operator.add(a, b)
            wall["bare"].append((perf_counter_ns() - start) / n / 1000)
            cpu["bare"].append((process_time_ns() - cpu_start) / n / 1000)
            for path, policy in paths.items():
                for label, request in CASES.items():
                    key = f"{path}: {label}"
                    start, cpu_start = perf_counter_ns(), process_time_ns()
                    for t in instants:
                        quote(policy, request, at=t)
                    wall.setdefault(key, []).append((perf_counter_ns() - start) / n / 1000)
                    cpu.setdefault(key, []).append((process_time_ns() - cpu_start) / n / 1000)
    finally:
        gc.enable()
    rows = {
        key: {
            "median_us": statistics.median(wall[key]),
            "best_us": min(wall[key]),
            "cpu_median_us": statistics.median(cpu[key]),
        }
        for key in wall
    }
    worst = {path: max(rows[f"{path}: {label}"]["median_us"] for label in CASES) for path in paths}
    worst_cpu = {
        path: max(rows[f"{path}: {label}"]["cpu_median_us"] for label in CASES) for path in paths
    }
    return {"n": n, "repeats": repeats, "rows": rows, "worst": worst, "worst_cpu": worst_cpu}


def report_quotes(results: dict[str, Any]) -> str:
    """Format the quote timings as a table."""
    bare = results["rows"]["bare"]["median_us"]
    lines = [
        f"quote(), 20-rule policy, 2 metrics ({results['n']} instants, {results['repeats']}"
        " passes in turn; CPU: process time, which a loaded machine inflates less)",
        f"{'request':<42} {'us/quote':>9} {'best':>8} {'CPU us':>8} {'x bare add':>11}",
    ]
    for key, row in results["rows"].items():
        lines.append(
            f"{key:<42} {row['median_us']:>9.1f} {row['best_us']:>8.1f}"
            f" {row['cpu_median_us']:>8.1f} {row['median_us'] / bare:>10.0f}x"
        )
    return "\n".join(lines)
