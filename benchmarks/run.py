"""Benchmark expectkit's scalar business-time arithmetic against its peers.

One run measures expectkit, businesstimedelta and pandas ``CustomBusinessHour``
on the same workload, checks that they agree where their semantics coincide,
times the compilation of a ten-year timeline and prints the goals as PASS/MISS.
It then runs the vectorized ``expectkit.batch`` benchmark (``batch.py``) and the
single calls on dense schedules and far years (``dense.py``), and appends their
tables and goals.

    python benchmarks/run.py [--quick] [--json PATH] [--seed N]

See benchmarks/README.md for the method.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import operator
import os
import platform
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from time import perf_counter_ns
from typing import Any
from zoneinfo import ZoneInfo

import expectkit
from _peers import (
    BusinessTimeDeltaPeer,
    PandasPeer,
    holiday_dates,
    whole_hours,
)
from batch import FULL as BATCH_FULL
from batch import QUICK as BATCH_QUICK
from batch import BatchSizes, report_batch, run_batch
from dense import report_dense, run_dense
from expectkit import Holidays, Schedule
from live import FULL as LIVE_FULL
from live import QUICK as LIVE_QUICK
from live import report_live, run_live
from quotes import report_quotes, run_quotes

TZ = "Europe/Berlin"
ZONE = ZoneInfo(TZ)
COUNTRY = "DE"
WEEKLY = {"mon-fri": ["09:00-17:00"]}
FIRST_YEAR = 2025
LAST_YEAR = 2026
# Peers get holiday dates for a margin of years: a start late in 2026 plus
# 40 business hours ends in 2027.
PEER_HOLIDAY_YEARS = range(FIRST_YEAR - 1, LAST_YEAR + 3)
MAX_DURATION_MINUTES = 40 * 60
MAX_SPAN_SECONDS = 7 * 86_400
COMPILE_YEARS = (2025, 2034)
DEFAULT_SEED = 20250101

EXPECTKIT = "expectkit"
# The same schedule with its compiled core switched off: the pure-Python twin.
EXPECTKIT_PURE = "expectkit, pure path"
BARE = "datetime + timedelta"
BDT = BusinessTimeDeltaPeer.name
PANDAS = PandasPeer.name


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    n: int
    peer_n: int
    agreement_n: int
    repeats: int
    peer_repeats: int
    compile_runs: int
    batch: BatchSizes
    quote_n: int
    quote_repeats: int


FULL = Sizes(
    n=20_000,
    peer_n=2_000,
    agreement_n=1_000,
    repeats=7,
    peer_repeats=5,
    compile_runs=9,
    batch=BATCH_FULL,
    quote_n=2_000,
    quote_repeats=5,
)
QUICK = Sizes(
    n=2_000,
    peer_n=200,
    agreement_n=200,
    repeats=3,
    peer_repeats=3,
    compile_runs=3,
    batch=BATCH_QUICK,
    quote_n=200,
    quote_repeats=3,
)


@dataclass(frozen=True)
class Workload:
    """Random inputs shared by every library."""

    starts: list[dt.datetime]
    durations: list[dt.timedelta]
    ends: list[dt.datetime]
    peer_index: list[int]


@dataclass(frozen=True)
class Timing:
    """Per-element time of one operation of one library."""

    library: str
    op: str
    n: int
    repeats: int
    median_us: float
    best_us: float


@dataclass(frozen=True)
class Agreement:
    """How often two libraries give the same answer on the agreement sample."""

    op: str
    pair: str
    agree: int
    total: int
    note: str
    examples: list[str]

    @property
    def rate(self) -> float:
        """Share of the sample on which both agree."""
        return self.agree / self.total if self.total else 1.0


@dataclass(frozen=True)
class Goal:
    """A performance goal and whether this run meets it."""

    name: str
    measured: float
    limit: float
    unit: str
    at_least: bool

    @property
    def met(self) -> bool:
        """True when the measured value is on the right side of the limit."""
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit


def make_schedule() -> Schedule:
    """Build the benchmark schedule afresh."""
    return Schedule(tz=TZ, weekly=WEEKLY, holidays=Holidays(country=COUNTRY))


def make_pure_schedule() -> Schedule:
    """Build the benchmark schedule on the pure-Python path, whatever the backend."""
    schedule = make_schedule()
    schedule._get_engine().use_core = False
    return schedule


def make_workload(sizes: Sizes, seed: int) -> Workload:
    """Draw start instants, durations, interval ends and the peers' subsample.

    Starts are whole seconds drawn uniformly over the two years in local time,
    so nights, weekends and holidays are included, and are given in UTC.
    Durations are whole minutes from 1 minute to 40 hours. ``between`` runs
    from each start to the start plus a calendar span of 1 minute to 7 days.
    """
    rng = random.Random(seed)
    lo = int(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=ZONE).timestamp())
    hi = int(dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=ZONE).timestamp())
    starts = [dt.datetime.fromtimestamp(rng.randrange(lo, hi), tz=dt.UTC) for _ in range(sizes.n)]
    durations = [dt.timedelta(minutes=rng.randint(1, MAX_DURATION_MINUTES)) for _ in range(sizes.n)]
    ends = [t + dt.timedelta(seconds=rng.randint(60, MAX_SPAN_SECONDS)) for t in starts]
    peer_index = rng.sample(range(sizes.n), min(sizes.peer_n, sizes.n))
    return Workload(starts=starts, durations=durations, ends=ends, peer_index=peer_index)


def _elapsed_ns(fn: Callable[[Any, Any], object], args: Sequence[tuple[Any, Any]]) -> int:
    start = perf_counter_ns()
    for a, b in args:
        fn(a, b)
    return perf_counter_ns() - start


def measure(
    library: str,
    op: str,
    fn: Callable[[Any, Any], object],
    args: Sequence[tuple[Any, Any]],
    repeats: int,
) -> Timing:
    """Time ``fn(a, b)`` over ``args`` ``repeats`` times; report per element.

    The garbage collector is off while a pass runs (as in ``timeit``). The
    median and the best pass are both kept; tables and ratios use the median.
    """
    passes: list[int] = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            passes.append(_elapsed_ns(fn, args))
    finally:
        gc.enable()
    per_element = 1_000 * len(args)
    return Timing(
        library=library,
        op=op,
        n=len(args),
        repeats=repeats,
        median_us=statistics.median(passes) / per_element,
        best_us=min(passes) / per_element,
    )


def measure_in_turn(
    entries: Sequence[tuple[str, Callable[[Any, Any], object]]],
    op: str,
    args: Sequence[tuple[Any, Any]],
    repeats: int,
) -> list[Timing]:
    """Time several libraries on the same ``args``, one pass of each in turn.

    Taking turns exposes each to the same machine load, so that their ratios, which
    are what the goals compare, stay meaningful on a busy machine.
    """
    passes: dict[str, list[int]] = {library: [] for library, _ in entries}
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for library, fn in entries:
                passes[library].append(_elapsed_ns(fn, args))
    finally:
        gc.enable()
    per_element = 1_000 * len(args)
    return [
        Timing(
            library=library,
            op=op,
            n=len(args),
            repeats=repeats,
            median_us=statistics.median(passes[library]) / per_element,
            best_us=min(passes[library]) / per_element,
        )
        for library, _ in entries
    ]


def measure_setup(runs: int) -> dict[str, float]:
    """Time building the schedule and its first, compiling, ``add``.

    The first construction in a process also loads the country's calendar from
    the ``holidays`` package; later ones are timed apart (median of ``runs``).
    """
    t = dt.datetime(FIRST_YEAR, 6, 2, 10, 0, tzinfo=ZONE)
    d = dt.timedelta(hours=8)
    start = perf_counter_ns()
    schedule = make_schedule()
    built = perf_counter_ns()
    schedule.add(t, d)
    first = perf_counter_ns()
    again: list[int] = []
    for _ in range(runs):
        begin = perf_counter_ns()
        make_schedule()
        again.append(perf_counter_ns() - begin)
    return {
        "first_construct_ms": (built - start) / 1e6,
        "construct_ms": statistics.median(again) / 1e6,
        "first_add_ms": (first - built) / 1e6,
    }


def measure_compile(runs: int) -> dict[str, Any]:
    """Time ``compile`` of a ten-year timeline, each run on a fresh schedule.

    The first run may also compute holiday calendars for years nothing has
    asked for yet; it is kept in ``runs_ms`` and counts towards the median.
    """
    times: list[int] = []
    nbytes = 0
    intervals = 0
    for _ in range(runs):
        schedule = make_schedule()
        start = perf_counter_ns()
        timeline = schedule.compile(*COMPILE_YEARS)
        times.append(perf_counter_ns() - start)
        nbytes = int(timeline.nbytes)
        intervals = len(timeline.starts)
    return {
        "first_year": COMPILE_YEARS[0],
        "last_year": COMPILE_YEARS[1],
        "runs": runs,
        "median_ms": statistics.median(times) / 1e6,
        "best_ms": min(times) / 1e6,
        "first_ms": times[0] / 1e6,
        "runs_ms": [t / 1e6 for t in times],
        "nbytes": nbytes,
        "intervals": intervals,
    }


def _compare(
    op: str,
    pair: str,
    rows: Sequence[tuple[object, object, object]],
    note: str = "",
) -> Agreement:
    """Count rows whose two answers are equal; keep a few disagreements."""
    agree = 0
    examples: list[str] = []
    for given, ours, theirs in rows:
        if ours == theirs:
            agree += 1
        elif len(examples) < 3:
            examples.append(f"{given} -> expectkit {ours}, peer {theirs}")
    return Agreement(op=op, pair=pair, agree=agree, total=len(rows), note=note, examples=examples)


def check_agreement(
    schedule: Schedule,
    bdt: BusinessTimeDeltaPeer,
    pdp: PandasPeer,
    work: Workload,
    closed: frozenset[dt.date],
    count: int,
) -> list[Agreement]:
    """Compare answers on a sample where the three libraries mean the same thing.

    ``add`` uses whole-hour durations, the unit pandas accepts. pandas never
    lands on a close: where expectkit and businesstimedelta stop at 17:00,
    pandas continues to the next opening, so that pair is also counted with
    the expectkit answer moved to ``next_open``. ``between`` has no pandas
    counterpart. Holidays are compared day by day over the workload's years.
    """
    index = work.peer_index[:count]
    add_rows: list[tuple[str, dt.datetime, dt.datetime, dt.datetime]] = []
    between_rows: list[tuple[object, object, object]] = []
    for i in index:
        t = work.starts[i]
        hours = whole_hours(work.durations[i])
        d = dt.timedelta(hours=hours)
        given = f"{t.isoformat()} + {hours} h"
        add_rows.append((given, schedule.add(t, d), bdt.add(t, d), pdp.add(t, hours)))
        a, b = t, work.ends[i]
        between_rows.append(
            (f"[{a.isoformat()}, {b.isoformat()})", schedule.between(a, b), bdt.between(a, b))
        )

    days: list[tuple[object, object, object]] = []
    day = dt.date(FIRST_YEAR, 1, 1)
    while day.year <= LAST_YEAR:
        expected = day.weekday() < 5 and day not in closed
        days.append((day.isoformat(), schedule.is_business_day(day), expected))
        day += dt.timedelta(days=1)

    return [
        _compare("add", f"{EXPECTKIT} = {BDT}", [(g, o, b) for g, o, b, _ in add_rows]),
        _compare("add", f"{EXPECTKIT} = {PANDAS}", [(g, o, p) for g, o, _, p in add_rows]),
        _compare(
            "add",
            f"{EXPECTKIT} = {PANDAS}",
            [(g, schedule.next_open(o), p) for g, o, _, p in add_rows],
            note="a close counted as the next opening",
        ),
        _compare("between", f"{EXPECTKIT} = {BDT}", between_rows),
        _compare(
            "business days",
            f"{EXPECTKIT} = weekdays minus holidays package",
            days,
            note=f"{FIRST_YEAR}-{LAST_YEAR}",
        ),
    ]


def path_ratios(timings: Sequence[Timing]) -> dict[str, dict[str, float]]:
    """Return, for each expectkit path, ``add`` as a multiple of the bare addition and
    how many times faster it is than each peer's ``add`` (all medians of this run)."""
    add = {t.library: t.median_us for t in timings if t.op == "add"}
    best = {t.library: t.best_us for t in timings if t.op == "add"}
    return {
        library: {
            "x bare add": add[library] / add[BARE],
            "x bare add, best passes": best[library] / best[BARE],
            f"{BDT} / it": add[BDT] / add[library],
            f"{PANDAS} / it": add[PANDAS] / add[library],
        }
        for library in (EXPECTKIT, EXPECTKIT_PURE)
    }


def path_goals(paths: dict[str, dict[str, float]]) -> list[Goal]:
    """The per-path goals of issue 17: the core near a bare addition, both far ahead of peers.

    The core's goals apply to the "expectkit" row only when the core is in use.
    """
    core, pure = paths[EXPECTKIT], paths[EXPECTKIT_PURE]
    goals: list[Goal] = []
    if expectkit.backend == "c":
        goals += [
            Goal("core: add <= 4x a bare datetime + timedelta", core["x bare add"], 4, "x", False),
            Goal(
                "core: add >= 300x faster than pandas CBH", core[f"{PANDAS} / it"], 300, "x", True
            ),
            Goal(
                "core: add >= 1000x faster than businesstimedelta",
                core[f"{BDT} / it"],
                1000,
                "x",
                True,
            ),
        ]
    goals.append(
        Goal("pure: add >= 60x faster than pandas CBH", pure[f"{PANDAS} / it"], 60, "x", True)
    )
    goals.append(
        Goal("pure: add >= 250x faster than businesstimedelta", pure[f"{BDT} / it"], 250, "x", True)
    )
    return goals


def quote_goals(results: dict[str, Any]) -> list[Goal]:
    """The quote goals of issue 17: the slowest of the four requests, on each path."""
    goals = [
        Goal(
            "pure: quote(), 20 rules, 2 metrics <= 15 us",
            results["worst"]["pure"],
            15,
            "us",
            False,
        )
    ]
    if "core" in results["worst"]:
        goals.insert(
            0,
            Goal(
                "core: quote(), 20 rules, 2 metrics <= 8 us",
                results["worst"]["core"],
                8,
                "us",
                False,
            ),
        )
    return goals


def versions() -> dict[str, str]:
    """Return the versions of Python and of every measured library."""
    found = {"python": platform.python_version()}
    for name in ("expectkit", "businesstimedelta", "pandas", "holidays", "pytz", "numpy"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed (imported from source)"
    return found


def run(sizes: Sizes, seed: int) -> dict[str, Any]:
    """Run every measurement and return the results as plain data."""
    setup = measure_setup(sizes.compile_runs)
    work = make_workload(sizes, seed)
    closed = holiday_dates(COUNTRY, PEER_HOLIDAY_YEARS)
    schedule = make_schedule()
    pure = make_pure_schedule()
    bdt = BusinessTimeDeltaPeer(TZ, closed)
    pdp = PandasPeer(TZ, closed)

    add_args = list(zip(work.starts, work.durations, strict=True))
    between_args = list(zip(work.starts, work.ends, strict=True))
    peer = work.peer_index
    bdt_add_args = [(work.starts[i], bdt.delta(work.durations[i])) for i in peer]
    bdt_between_args = [between_args[i] for i in peer]
    pandas_add_args = [
        (pdp.to_wall(work.starts[i]), pdp.offset(whole_hours(work.durations[i]))) for i in peer
    ]

    # Warm: the first pass compiles the timeline for every year the workload
    # touches; the peers get a short pass to fill their own caches.
    _elapsed_ns(schedule.add, add_args)
    _elapsed_ns(schedule.between, between_args)
    _elapsed_ns(pure.add, add_args)
    _elapsed_ns(pure.between, between_args)
    _elapsed_ns(operator.add, add_args)
    _elapsed_ns(bdt.rules.difference, bdt_between_args[:50])
    _elapsed_ns(operator.add, bdt_add_args[:50])
    _elapsed_ns(operator.add, pandas_add_args[:50])

    # "add" is the job end to end for everyone: an aware start and a timedelta in, an
    # aware due time out. "add core" times only the peer's own arithmetic on inputs
    # converted beforehand (its BusinessTimeDelta, or a naive wall-time Timestamp).
    bdt_e2e_args = [add_args[i] for i in peer]
    pandas_e2e_args = [(work.starts[i], whole_hours(work.durations[i])) for i in peer]
    _elapsed_ns(bdt.add, bdt_e2e_args[:50])
    _elapsed_ns(pdp.add, pandas_e2e_args[:50])

    # The floor: a bare aware `datetime + timedelta`, called the same way, on the same
    # starts and durations (a wall-clock addition, so it is not the same answer).
    in_turn = [(EXPECTKIT, schedule.add), (EXPECTKIT_PURE, pure.add), (BARE, operator.add)]
    timings = [
        *measure_in_turn(in_turn, "add", add_args, sizes.repeats),
        measure(BDT, "add", bdt.add, bdt_e2e_args, sizes.peer_repeats),
        measure(PANDAS, "add", pdp.add, pandas_e2e_args, sizes.peer_repeats),
        measure(BDT, "add core", operator.add, bdt_add_args, sizes.peer_repeats),
        measure(PANDAS, "add core", operator.add, pandas_add_args, sizes.peer_repeats),
        measure(EXPECTKIT, "between", schedule.between, between_args, sizes.repeats),
        measure(EXPECTKIT_PURE, "between", pure.between, between_args, sizes.repeats),
        measure(BDT, "between", bdt.rules.difference, bdt_between_args, sizes.peer_repeats),
    ]
    compiled = measure_compile(sizes.compile_runs)
    agreement = check_agreement(schedule, bdt, pdp, work, closed, sizes.agreement_n)
    batch_results = run_batch(sizes.batch, seed)
    dense_results = run_dense(sizes.compile_runs, long_span=sizes.compile_runs > 5)
    quote_results = run_quotes(sizes.quote_n, sizes.quote_repeats, seed)

    ours = {t.op: t.median_us for t in timings if t.library == EXPECTKIT}
    ratios = {f"{t.library} {t.op}": t.median_us / ours[t.op.split()[0]] for t in timings}
    paths = path_ratios(timings)
    goals = [
        Goal(
            "scalar add >= 200x faster than businesstimedelta",
            ratios[f"{BDT} add"],
            200,
            "x",
            at_least=True,
        ),
        Goal(
            "scalar add >= 100x faster than pandas CustomBusinessHour",
            ratios[f"{PANDAS} add"],
            100,
            "x",
            at_least=True,
        ),
        *path_goals(paths),
        Goal("compile 10 years <= 20 ms", compiled["median_ms"], 20, "ms", at_least=False),
        Goal(
            "10-year timeline <= 1 MB",
            compiled["nbytes"] / 1e6,
            1,
            "MB",
            at_least=False,
        ),
        Goal(
            "timeline memory per schedule-year <= 16 KB",
            compiled["nbytes"] / 10 / 1e3,
            16,
            "KB",
            at_least=False,
        ),
        *quote_goals(quote_results),
    ]
    return {
        "workload": {
            "schedule": f"Mon-Fri 09:00-17:00 {TZ}, {COUNTRY} public holidays",
            "seed": seed,
            "sizes": asdict(sizes),
            "starts": f"uniform whole seconds over {FIRST_YEAR}-{LAST_YEAR} local time, in UTC",
            "durations": f"uniform whole minutes, 1 to {MAX_DURATION_MINUTES}",
            "between": f"start to start + 1 minute..{MAX_SPAN_SECONDS // 86_400} days",
        },
        "environment": {
            "platform": platform.platform(),
            "backend": expectkit.backend,
            "cpus": os.cpu_count(),
            "versions": versions(),
        },
        "setup": setup,
        "timings": [asdict(t) for t in timings],
        "ratios": ratios,
        "paths": paths,
        "compile": compiled,
        "agreement": [asdict(a) | {"rate": a.rate} for a in agreement],
        "goals": [asdict(g) | {"met": g.met} for g in goals],
        "batch": batch_results,
        "dense": dense_results,
        "quotes": quote_results,
    }


def report(results: dict[str, Any]) -> str:
    """Format the results as the printed report."""
    work = results["workload"]
    env = results["environment"]
    ver = env["versions"]
    lines = [
        f"expectkit benchmarks: {work['schedule']}; engine in use: {env['backend']}",
        f"workload: {work['sizes']['n']} starts ({work['starts']}), seed {work['seed']};"
        f" durations {work['durations']} min; between {work['between']}",
        f"python {ver['python']} on {env['platform']}, {env['cpus']} CPUs; "
        + ", ".join(f"{k} {v}" for k, v in ver.items() if k != "python"),
        "",
        f"{'library':<27} {'op':<9} {'n':>6} {'us/elem':>10} {'best':>10} {'x expectkit':>12}",
    ]
    ratios = results["ratios"]
    for t in results["timings"]:
        ratio = ratios[f"{t['library']} {t['op']}"]
        lines.append(
            f"{t['library']:<27} {t['op']:<9} {t['n']:>6} {t['median_us']:>10.2f}"
            f" {t['best_us']:>10.2f} {ratio:>11.1f}x"
        )
    lines.append(f"{PANDAS:<27} {'between':<9} {'-':>6} {'n/a':>10} {'':>10} {'':>12}")
    lines += [
        "",
        f"{'add, per path':<27} {'x bare add':>11} {'(best)':>7} {'x faster than ' + BDT:>32}"
        f" {'x faster than pandas CBH':>26}",
    ]
    for library, figures in results["paths"].items():
        name = f"{library} ({env['backend']})" if library == EXPECTKIT else library
        lines.append(
            f"{name:<27} {figures['x bare add']:>10.2f}x"
            f" {figures['x bare add, best passes']:>6.2f}x {figures[f'{BDT} / it']:>31.1f}x"
            f" {figures[f'{PANDAS} / it']:>25.1f}x"
        )
    setup = results["setup"]
    comp = results["compile"]
    lines += [
        "(us/elem: median of the passes; best: fastest pass; x expectkit: median / expectkit's;",
        " add: aware datetime + timedelta in, aware datetime out, for every library;",
        " add core: the peer's own arithmetic only, on inputs converted before timing;",
        f" {EXPECTKIT_PURE}: the same schedule with the compiled core switched off;",
        f" {BARE}: a bare aware addition on the same inputs, the floor of any add)",
        "",
        f"expectkit setup: first Schedule(...) in the process {setup['first_construct_ms']:.2f} ms"
        f" (loads the holiday calendar), later ones {setup['construct_ms']:.3f} ms;"
        f" first add (lazy compile) {setup['first_add_ms']:.2f} ms",
        f"10-year timeline: compile({comp['first_year']}, {comp['last_year']})"
        f" median {comp['median_ms']:.2f} ms, best {comp['best_ms']:.2f} ms,"
        f" first {comp['first_ms']:.2f} ms ({comp['runs']} fresh schedules);"
        f" {comp['intervals']} intervals, nbytes {comp['nbytes']:,} B",
        "",
        "agreement:",
    ]
    for a in results["agreement"]:
        note = f" ({a['note']})" if a["note"] else ""
        lines.append(
            f"  {a['op']:<14} {a['pair']:<50} {a['agree']:>5}/{a['total']:<5}"
            f" {100 * a['rate']:6.2f} %{note}"
        )
        lines += [f"      e.g. {e}" for e in a["examples"]]
    lines += ["", "goals:"]
    for g in results["goals"]:
        mark = "PASS" if g["met"] else "MISS"
        lines.append(f"  {mark}  {g['name']:<58} measured {g['measured']:.3g} {g['unit']}")
    lines += ["", report_quotes(results["quotes"])]
    lines += ["", report_batch(results["batch"]), "", report_dense(results["dense"])]
    if "live" in results:
        lines += ["", report_live(results["live"])]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the benchmarks, print and optionally save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    results = run(QUICK if args.quick else FULL, args.seed)
    results["live"] = run_live(LIVE_QUICK if args.quick else LIVE_FULL)
    print(report(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
