"""Benchmark single calls on dense schedules and far years, each on a fresh schedule.

    python benchmarks/dense.py [--quick]

A schedule's timeline compiles lazily, one local year at a time, for the years a
query touches; these figures are the cost of the *first* call of a year, the one
that compiles. The goal (issue 15): every single call on a valid schedule of up to
1 000 intervals a week stays under 10 ms, its first call of a year included, and a
query far from the others compiles only its own years.

Schedules (Europe/Berlin, German public holidays):

* ``1 000 a week``: Mon-Fri, 200 one-minute intervals a day, one every two minutes;
* ``3 600 a week``: Mon-Fri, 720 a day (the 25 KB file of the report; beyond the goal);
* ``office``: Mon-Fri 09:00-17:00, for the far-year figures.

Each figure is the median over fresh schedules (a copy compiles again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from time import perf_counter_ns
from typing import Any, Final
from zoneinfo import ZoneInfo

from expectkit import Schedule

ZONE = ZoneInfo("Europe/Berlin")
GOAL_MS = 10.0


def dense(per_day: int) -> dict[str, list[str]]:
    """Mon-Fri hours of `per_day` one-minute intervals, one every two minutes."""
    hours = []
    for i in range(per_day):
        start, end = 2 * i, 2 * i + 1
        hours.append(f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    return {"mon-fri": hours}


SCHEDULES: dict[str, dict[str, list[str]]] = {
    "1 000 a week": dense(200),
    "3 600 a week": dense(720),
    "office": {"mon-fri": ["09:00-17:00"]},
}


def fresh(name: str) -> Schedule:
    return Schedule(
        tz="Europe/Berlin", weekly=SCHEDULES[name], holidays={"country": "DE", "subdiv": "BE"}
    )


def _timed(schedule: Schedule, call: Callable[[Schedule], object]) -> float:
    start = perf_counter_ns()
    call(schedule)
    return (perf_counter_ns() - start) / 1e6


def _median(name: str, runs: int, call: Callable[[Schedule], object]) -> float:
    return statistics.median(_timed(fresh(name), call) for _ in range(runs))


FRIDAY = datetime(2026, 11, 20, 16, 30, tzinfo=ZONE)
CALLS: dict[str, Callable[[Schedule], object]] = {
    "is_open, first call of 2026": lambda s: s.is_open(FRIDAY),
    "add 1 h, first call of 2026": lambda s: s.add(FRIDAY, timedelta(hours=1)),
    "add_days 300 business days": lambda s: s.add_days(FRIDAY, 300),
    "between over one week": lambda s: s.between(FRIDAY, FRIDAY + timedelta(days=7)),
    "next_close across New Year": lambda s: s.next_close(datetime(2026, 12, 31, 23, tzinfo=ZONE)),
}


def _far(name: str, year: int, runs: int) -> tuple[float, int]:
    """Time one query in `year` after a 2026 query; return the median and years compiled."""
    times: list[float] = []
    compiled = 0
    for _ in range(runs):
        s = fresh(name)
        s.add(FRIDAY, timedelta(hours=1))
        times.append(_timed(s, lambda s: s.next_open(datetime(year, 6, 1, tzinfo=ZONE))))
        compiled = len(s._get_engine().years_compiled())
    return statistics.median(times), compiled


def _long_span(s: Schedule) -> object:
    return s.between(datetime(1900, 1, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC))


_LONG_SPAN: Final = _long_span


def run_dense(runs: int, *, long_span: bool) -> dict[str, Any]:
    """Measure every figure; `long_span` adds between(1900, 2199) on each schedule."""
    figures: dict[str, dict[str, float]] = {}
    compiled: dict[str, dict[str, int]] = {}
    for name in SCHEDULES:
        row = {call: _median(name, runs, fn) for call, fn in CALLS.items()}
        for year in (2100, 2199):
            row[f"a query in {year} after 2026"], years = _far(name, year, runs)
            compiled.setdefault(name, {})[str(year)] = years
        if long_span:
            row["between 1900 and 2199"] = _timed(fresh(name), _LONG_SPAN)
        figures[name] = row
    worst = max(v for k, v in figures["1 000 a week"].items() if not k.startswith("between 1900"))
    return {"runs": runs, "figures": figures, "compiled": compiled, "worst_ms": worst}


def report_dense(results: dict[str, Any]) -> str:
    """Format the figures as a table, with the goal as PASS/MISS."""
    names = list(results["figures"])
    lines = [
        f"single calls on fresh schedules (ms, median of {results['runs']}):",
        f"  {'call':<34}" + "".join(f"{n:>15}" for n in names),
    ]
    calls = list(results["figures"][names[0]])
    for call in calls:
        cells = "".join(f"{results['figures'][n][call]:>15.2f}" for n in names)
        lines.append(f"  {call:<34}{cells}")
    for year in ("2100", "2199"):
        cells = "".join(f"{results['compiled'][n][year]:>15}" for n in names)
        lines.append(f"  {'years compiled after ' + year:<34}{cells}")
    mark = "PASS" if results["worst_ms"] < GOAL_MS else "MISS"
    lines.append(
        f"goal: every single call <= {GOAL_MS:g} ms on 1 000 intervals a week: {mark}"
        f" (worst {results['worst_ms']:.2f} ms)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 300-year span")
    args = parser.parse_args(argv)
    print(report_dense(run_dense(3 if args.quick else 7, long_span=not args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
