"""Benchmark ``expectkit.batch.add`` on a million random instants.

Measures, in one process and on one workload:

- ``batch.add`` over numpy ``datetime64[us]`` starts and ``timedelta64[us]`` durations;
- the floor of a binary-search design: two bare ``numpy.searchsorted`` calls over the
  same compiled timeline, one for the starts and one for the positions ``add`` looks up;
- the peak memory ``batch.add`` allocates beyond its inputs (``tracemalloc``);
- pandas ``CustomBusinessHour`` added to a naive ``DatetimeIndex`` (a subsample);
- ``batch.add`` end to end over a tz-aware pandas Series.

    python benchmarks/batch.py [--quick] [--seed N]

``benchmarks/run.py`` runs it too and appends its table to the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from _peers import PandasPeer, holiday_dates
from expectkit import Holidays, Schedule, batch

if TYPE_CHECKING:
    from numpy.typing import NDArray

TZ = "Europe/Berlin"
ZONE = ZoneInfo(TZ)
COUNTRY = "DE"
WEEKLY = {"mon-fri": ["09:00-17:00"]}
FIRST_YEAR = 2025
LAST_YEAR = 2026
MAX_DURATION_MINUTES = 40 * 60
DEFAULT_SEED = 20250101
SCALAR_CHECK = 2_000

MAX_FLOOR_RATIO = 2.0
MAX_MEMORY_RATIO = 3.0
MIN_PANDAS_RATIO = 500.0


@dataclass(frozen=True)
class BatchSizes:
    """How much work one batch run does."""

    n: int
    peer_n: int
    repeats: int
    peer_repeats: int


FULL = BatchSizes(n=1_000_000, peer_n=2_000, repeats=7, peer_repeats=3)
QUICK = BatchSizes(n=100_000, peer_n=200, repeats=3, peer_repeats=3)


def make_schedule() -> Schedule:
    """Build the benchmark schedule: Mon-Fri 09:00-17:00 Berlin, DE holidays."""
    return Schedule(tz=TZ, weekly=WEEKLY, holidays=Holidays(country=COUNTRY))


def make_inputs(n: int, seed: int) -> tuple[NDArray[np.datetime64], NDArray[np.timedelta64]]:
    """Draw unsorted starts (whole seconds over the two years, UTC) and durations.

    Durations are whole minutes from 1 minute to 40 hours, as in ``run.py``.
    """
    rng = np.random.default_rng(seed)
    lo = int(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=ZONE).timestamp())
    hi = int(dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=ZONE).timestamp())
    seconds = rng.integers(lo, hi, n, dtype=np.int64)
    minutes = rng.integers(1, MAX_DURATION_MINUTES + 1, n, dtype=np.int64)
    starts = (seconds * 1_000_000).view("datetime64[us]")
    durations = (minutes * 60_000_000).view("timedelta64[us]")
    return starts, durations


def _passes(fn: Callable[[], object], repeats: int) -> list[int]:
    """Time ``fn()`` ``repeats`` times with the garbage collector off (as ``timeit``)."""
    times: list[int] = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            start = perf_counter_ns()
            fn()
            times.append(perf_counter_ns() - start)
    finally:
        gc.enable()
    return times


def _row(what: str, n: int, times: Sequence[int]) -> dict[str, Any]:
    median = statistics.median(times)
    return {
        "what": what,
        "n": n,
        "passes": len(times),
        "median_ms": median / 1e6,
        "best_ms": min(times) / 1e6,
        "ns_per_element": median / n,
        "best_ns_per_element": min(times) / n,
    }


def positions(timeline: Any, x: NDArray[np.int64], d: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return the positions ``add`` looks up: open time before each start plus its duration."""
    starts, ends, cum, cumend = timeline.arrays()
    i = np.searchsorted(starts, x, side="right") - 1
    k = np.maximum(i, 0)
    inside = (i >= 0) & (x < ends[k])
    before = np.where(inside, cum[k] + (x - starts[k]), np.where(i >= 0, cumend[k], 0))
    result: NDArray[np.int64] = before + d
    return result


def measure_memory(schedule: Schedule, starts: Any, durations: Any) -> dict[str, Any]:
    """Peak bytes ``batch.add`` allocates beyond its inputs, result included."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = batch.add(schedule, starts, durations)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    inputs = int(starts.nbytes + durations.nbytes)
    extra = peak - before
    return {
        "input_bytes": inputs,
        "peak_extra_bytes": extra,
        "result_bytes": int(result.nbytes),
        "ratio": extra / inputs,
    }


def measure_pandas(
    starts: NDArray[np.datetime64],
    durations: NDArray[np.timedelta64],
    sample: NDArray[np.intp],
    repeats: int,
) -> tuple[list[int], list[int]]:
    """Time ``DatetimeIndex + CustomBusinessHour(n)`` on naive Berlin wall times.

    ``n`` is a whole number of hours and one per offset, so the same job as ``add`` splits
    the subsample by its durations rounded up to whole hours and adds each group its
    offset. The kindest case for pandas, one ``n = 8`` offset added to the whole
    subsample, is timed too. Wall times, groups and offsets are prepared before timing.

    Returns:
        The passes of the grouped job and of the single-offset one, in nanoseconds.
    """
    peer = PandasPeer(TZ, holiday_dates(COUNTRY, range(FIRST_YEAR - 1, LAST_YEAR + 3)))
    wall = pd.DatetimeIndex(starts[sample]).tz_localize("UTC").tz_convert(TZ).tz_localize(None)
    minutes = durations[sample].astype(np.int64) // 60_000_000
    hours = np.maximum(1, -(-minutes // 60))
    groups = [(wall[hours == h], peer.offset(int(h))) for h in np.unique(hours)]
    eight = peer.offset(8)

    def grouped() -> None:
        for index, offset in groups:
            index + offset

    def single() -> None:
        wall + eight

    with warnings.catch_warnings():
        # pandas applies this offset element by element and says so.
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        grouped()
        single()
        return _passes(grouped, repeats), _passes(single, repeats)


def check_scalar(
    schedule: Schedule,
    starts: NDArray[np.datetime64],
    durations: NDArray[np.timedelta64],
    due: NDArray[np.datetime64],
    sample: NDArray[np.intp],
) -> dict[str, int]:
    """Count sampled elements where ``batch.add`` equals the scalar ``Schedule.add``."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    agree = 0
    for k in sample:
        t = epoch + dt.timedelta(microseconds=int(starts[k].astype(np.int64)))
        d = dt.timedelta(microseconds=int(durations[k].astype(np.int64)))
        expected = schedule.add(t, d)
        got = epoch + dt.timedelta(microseconds=int(due[k].astype(np.int64)))
        agree += got == expected
    return {"agree": agree, "total": len(sample)}


def run_batch(sizes: BatchSizes, seed: int) -> dict[str, Any]:
    """Run every batch measurement and return the results as plain data."""
    schedule = make_schedule()
    starts, durations = make_inputs(sizes.n, seed)
    rng = np.random.default_rng(seed + 1)
    peer_sample = rng.choice(sizes.n, size=min(sizes.peer_n, sizes.n), replace=False)
    check_sample = rng.choice(sizes.n, size=min(SCALAR_CHECK, sizes.n), replace=False)

    # Warm: the first call compiles the timeline for every year the results reach.
    due = batch.add(schedule, starts, durations)
    timeline = schedule._get_engine().timeline
    assert timeline is not None
    tl_starts, _, _, tl_cumend = timeline.arrays()
    x = starts.view(np.int64)
    p = positions(timeline, x, durations.view(np.int64))

    def floor() -> None:
        np.searchsorted(tl_starts, x, side="right")
        np.searchsorted(tl_cumend, p, side="left")

    created = pd.Series(pd.DatetimeIndex(starts).tz_localize("UTC").tz_convert(TZ))
    waits = pd.Series(pd.TimedeltaIndex(durations))
    batch.add(schedule, created, waits)

    add_row = _row(
        "batch.add, numpy",
        sizes.n,
        _passes(lambda: batch.add(schedule, starts, durations), sizes.repeats),
    )
    floor_row = _row("floor: 2 x np.searchsorted", sizes.n, _passes(floor, sizes.repeats))
    series_row = _row(
        "batch.add, pandas Series (tz)",
        sizes.n,
        _passes(lambda: batch.add(schedule, created, waits), sizes.repeats),
    )
    grouped, single = measure_pandas(starts, durations, peer_sample, sizes.peer_repeats)
    pandas_rows = [
        _row("pandas CBH, n per duration", len(peer_sample), grouped),
        _row("pandas CBH, one n = 8", len(peer_sample), single),
    ]
    memory = measure_memory(schedule, starts, durations)
    floor_ratio = add_row["median_ms"] / floor_row["median_ms"]
    # The goal holds against the faster of the two pandas figures.
    pandas_ns = min(row["ns_per_element"] for row in pandas_rows)
    pandas_ratio = pandas_ns / add_row["ns_per_element"]
    goals = [
        {
            "name": f"batch add <= {MAX_FLOOR_RATIO:g}x two bare np.searchsorted calls",
            "measured": floor_ratio,
            "limit": MAX_FLOOR_RATIO,
            "unit": "x",
            "met": floor_ratio <= MAX_FLOOR_RATIO,
        },
        {
            "name": f"batch add peak extra memory <= {MAX_MEMORY_RATIO:g}x the input arrays",
            "measured": memory["ratio"],
            "limit": MAX_MEMORY_RATIO,
            "unit": "x",
            "met": memory["ratio"] <= MAX_MEMORY_RATIO,
        },
        {
            "name": f"batch add >= {MIN_PANDAS_RATIO:g}x faster per element than pandas CBH",
            "measured": pandas_ratio,
            "limit": MIN_PANDAS_RATIO,
            "unit": "x",
            "met": pandas_ratio >= MIN_PANDAS_RATIO,
        },
    ]
    return {
        "workload": {
            "sizes": asdict(sizes),
            "seed": seed,
            "starts": f"uniform whole seconds over {FIRST_YEAR}-{LAST_YEAR} local time, "
            "unsorted, numpy datetime64[us] (UTC)",
            "durations": f"uniform whole minutes, 1 to {MAX_DURATION_MINUTES}, timedelta64[us]",
        },
        "timeline": {
            "intervals": len(timeline),
            "first": str(np.datetime64(timeline.lo, "us")),
            "last": str(np.datetime64(timeline.hi, "us")),
        },
        "rows": [add_row, floor_row, series_row, *pandas_rows],
        "ratios": {"floor": floor_ratio, "pandas": pandas_ratio},
        "memory": memory,
        "scalar_check": check_scalar(schedule, starts, durations, due, check_sample),
        "goals": goals,
    }


def report_batch(results: dict[str, Any]) -> str:
    """Format the batch results as a section of the printed report."""
    work = results["workload"]
    tl = results["timeline"]
    add_ns = results["rows"][0]["ns_per_element"]
    lines = [
        f"batch: expectkit.batch.add over {work['sizes']['n']:,} starts ({work['starts']});"
        f" durations {work['durations']}; seed {work['seed']}",
        f"compiled timeline: {tl['intervals']} intervals, {tl['first']} to {tl['last']} UTC",
        "",
        f"{'what':<31} {'n':>9} {'ms/pass':>9} {'best ms':>9} {'ns/elem':>9} {'x add':>9}",
    ]
    for row in results["rows"]:
        lines.append(
            f"{row['what']:<31} {row['n']:>9,} {row['median_ms']:>9.2f} {row['best_ms']:>9.2f}"
            f" {row['ns_per_element']:>9.1f} {row['ns_per_element'] / add_ns:>8.2f}x"
        )
    memory = results["memory"]
    check = results["scalar_check"]
    lines += [
        "(ms/pass: median pass; ns/elem: median per element; x add: ns/elem / batch.add numpy's;",
        " floor: searchsorted(starts, x) + searchsorted(cumend, p) on the same timeline, p the",
        " positions batch.add looks up; pandas CBH: naive DatetimeIndex + CustomBusinessHour(n),",
        " per group of equal whole-hour n, or one n for the whole subsample)",
        f"batch add / floor: {results['ratios']['floor']:.2f}x;"
        f" faster pandas CBH row / batch add, per element: {results['ratios']['pandas']:,.0f}x",
        f"peak extra memory of batch.add: {memory['peak_extra_bytes'] / 1e6:.1f} MB"
        f" (result {memory['result_bytes'] / 1e6:.1f} MB included) ="
        f" {memory['ratio']:.2f}x the input arrays ({memory['input_bytes'] / 1e6:.1f} MB)",
        f"batch.add = scalar Schedule.add on {check['agree']}/{check['total']} sampled elements",
        "",
        "batch goals:",
    ]
    for g in results["goals"]:
        mark = "PASS" if g["met"] else "MISS"
        lines.append(f"  {mark}  {g['name']:<58} measured {g['measured']:.3g} {g['unit']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the batch benchmark and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100 000 instants, for a smoke run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    print(report_batch(run_batch(QUICK if args.quick else FULL, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
