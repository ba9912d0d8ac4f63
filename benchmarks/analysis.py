"""Benchmark the analysis layer on a large synthetic ticket history.

Measures, on one history of N tickets (default 1 000 000; ``--quick``: 100 000):
``attainment()`` with its summary table and weekly table, ``calibrate()`` with a
buffer, ``promise_share()`` and the what-if ``compare()``, and, as the peer, the
plain approach: one scalar ``quote()`` per ticket and metric (timed on a sample,
extrapolated). Prints a table, the speed-up over the peer and the goals as PASS/MISS.

    python benchmarks/analysis.py [--quick] [--n N] [--repeats R] [--seed S] [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from expectkit import quote
from expectkit.analysis import attainment, calibrate, compare, promise_share
from expectkit.history import example_policy, synthetic_history
from expectkit.policy import Metric

GOAL_SECONDS = 5.0
PEER_SAMPLE = 2_000


@dataclass(frozen=True)
class Timing:
    """Wall time of one operation: the first (cold) run and the warm runs."""

    op: str
    n: int
    first_s: float
    median_s: float
    best_s: float

    @property
    def per_ticket_us(self) -> float:
        """Median microseconds per ticket."""
        return self.median_s / self.n * 1e6 if self.n else 0.0


def measure(op: str, n: int, fn: Callable[[], object], repeats: int) -> tuple[Timing, Any]:
    """Run `fn` once cold, then `repeats` times warm, with the collector off while timing."""
    runs: list[float] = []
    result: Any = None
    for _ in range(repeats + 1):
        gc.collect()
        gc.disable()
        try:
            start = perf_counter()
            result = fn()
            runs.append(perf_counter() - start)
        finally:
            gc.enable()
    warm = runs[1:] or runs
    return Timing(op, n, runs[0], statistics.median(warm), min(warm)), result


def peer_quote_loop(history: Any, policy: Any, sample: int, seed: int) -> Timing:
    """Quote every sampled ticket and metric with the scalar quote(), and classify it."""
    rng = np.random.default_rng(seed)
    rows = history.iloc[np.sort(rng.choice(len(history), size=sample, replace=False))]
    records = list(rows.itertuples())

    def run() -> int:
        kept = 0
        for row in records:
            request = {"channel": row.channel, "priority": row.priority}
            if row.tags:
                request["tags"] = [row.tags]
            commitment = quote(policy, request, at=row.created.to_pydatetime())
            answers: list[tuple[Metric, Any]] = [
                ("first_response", row.first_reply),
                ("resolution", row.resolved),
            ]
            for metric, stop in answers:
                q = commitment.metrics.get(metric)
                if q is not None and stop is not None and stop == stop:  # NaT != NaT
                    kept += stop.to_pydatetime() <= q.promised_at
        return kept

    timing, _ = measure("peer: scalar quote() per ticket", sample, run, 1)
    return timing


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 000 tickets, one warm run")
    parser.add_argument("--n", type=int, default=None, help="tickets (default 1 000 000)")
    parser.add_argument("--repeats", type=int, default=None, help="warm runs (default 3)")
    parser.add_argument("--seed", type=int, default=20260105)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    n = args.n if args.n is not None else (100_000 if args.quick else 1_000_000)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)

    policy = example_policy()
    start = perf_counter()
    history = synthetic_history(n, seed=args.seed, weeks=52)
    generated = perf_counter() - start

    timings: list[Timing] = []
    att_timing, result = measure("attainment()", n, lambda: attainment(history, policy), repeats)
    timings.append(att_timing)
    table_timing, table = measure("  .table() by channel/rule/metric", n, result.table, repeats)
    timings.append(table_timing)
    timings.append(measure("  .weekly() by channel/metric", n, result.weekly, repeats)[0])
    cal_timing, cal = measure(
        "calibrate(p=0.9, buffer=0.5) by channel/priority",
        n,
        lambda: calibrate(history, policy, p=0.9, buffer=0.5),
        repeats,
    )
    timings.append(cal_timing)
    timings.append(
        measure(
            "promise_share(2 promises) by channel/priority",
            n,
            lambda: promise_share(history, ["4 business hours", "2 business days"], policy),
            repeats,
        )[0]
    )
    candidate = cal.to_policy(policy)
    timings.append(
        measure("compare() + flips", n, lambda: len(compare(history, policy, candidate).flips), 1)[
            0
        ]
    )
    peer = peer_quote_loop(history, policy, min(PEER_SAMPLE, n), args.seed)

    attain_total = att_timing.median_s + table_timing.median_s
    both = attain_total + cal_timing.median_s
    goals = [
        ("attainment() + table() on the history", attain_total),
        ("calibrate() on the history", cal_timing.median_s),
        ("attainment() + table() + calibrate() together", both),
    ]

    versions = {name: metadata.version(name) for name in ("expectkit", "numpy", "pandas")}
    print(
        f"expectkit analysis benchmark: {n:,} tickets (52 weeks, 5 channels, "
        f"{len(result.records):,} records), seed {args.seed}"
    )
    print(
        f"Python {platform.python_version()} on {platform.system()}, {os.cpu_count()} cores; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
    )
    print(f"generating the history took {generated:.2f} s (not counted below)\n")
    print(
        f"| operation | n | first run (s) | median of {repeats} warm (s) | best (s) | µs / ticket |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for t in [*timings, peer]:
        print(
            f"| {t.op} | {t.n:,} | {t.first_s:.3f} | {t.median_s:.3f} | {t.best_s:.3f} "
            f"| {t.per_ticket_us:.2f} |"
        )
    vectorized = att_timing.per_ticket_us
    print(
        f"\nscalar quote() per ticket: {peer.per_ticket_us:.0f} µs, i.e. "
        f"{peer.per_ticket_us * n / 1e6:.0f} s for {n:,} tickets "
        f"({peer.per_ticket_us / vectorized:.0f}× attainment()'s {vectorized:.2f} µs / ticket)\n"
    )
    print("| goal (≤ 5 s) | measured (s) | |")
    print("|---|---:|---|")
    for name, seconds in goals:
        verdict = "PASS" if seconds <= GOAL_SECONDS else "MISS"
        print(f"| {name} | {seconds:.2f} | {verdict} |")
    if args.json is not None:
        payload = {
            "n": n,
            "seed": args.seed,
            "versions": versions,
            "generate_s": generated,
            "timings": [asdict(t) for t in [*timings, peer]],
            "goals": [{"name": g, "seconds": s, "met": s <= GOAL_SECONDS} for g, s in goals],
        }
        args.json.write_text(json.dumps(payload, indent=2))
    del table
    return 0


if __name__ == "__main__":
    sys.exit(main())
