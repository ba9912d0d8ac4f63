"""Benchmark the frame clock: an event log in a dataframe, in process, on Dask and on Spark.

    python benchmarks/frames.py [--quick] [--sizes 20000,60000] [--dask] [--spark] [--json PATH]

The workload is :func:`expectkit.history.synthetic_events` (about 4.5 events a ticket,
pauses, notes, reopens, rows shuffled) on :func:`expectkit.history.example_policy`,
asked at the end of the period. Measured in the same run, on the same log:

* **frame clock**: ``expectkit.batch.clock_frame(log, policy, at=...)`` from pandas,
  and from Polars;
* **Clock baseline**: what a user writes without it — ``Clock.replay`` of the rows as
  mappings, then ``Clock.history`` for every ticket (not timed: building the mappings);
* **history table**: ``expectkit.batch.history_from_events(log)``;
* with ``--dask``: ``expectkit.dask.clock_frame`` on a 2-worker ``LocalCluster``;
* with ``--spark``: ``expectkit.spark.clock_frame`` on ``local[2]``.

The goal of the issue is a rate: at least 1 000 000 events a second on one core from
an in-memory frame. It is reported as the measured rate over the goal (a ratio, PASS
at 1 or more), next to the frame clock over the Clock baseline and each distributed
run over the in-process one, all measured in this run. Peak memory is the growth of
this process's peak resident set (Dask and Spark workers are other processes; their
peak is reported from ``RUSAGE_CHILDREN``, the largest child).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

GOAL_EVENTS_PER_S = 1_000_000
AT = datetime(2026, 4, 20, tzinfo=UTC)


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _timed(fn: Any) -> tuple[float, Any]:
    start = perf_counter()
    result = fn()
    return perf_counter() - start, result


def _clock_baseline(log: Any, policy: Any) -> tuple[float, int]:
    from expectkit.clock import Clock

    items = [
        {k: v for k, v in row.items() if v is not None and v == v}
        | {"ticket": str(row["ticket"]), "at": row["at"].to_pydatetime()}
        for row in log.astype(object).to_dict("records")
    ]
    for item in items:
        if item.get("public") is not None:
            item["public"] = bool(item["public"])

    def run() -> int:
        clock = Clock(policy)
        clock.replay(items)
        return sum(len(v) for t in clock.tickets for v in clock.history(t, AT).values())

    return _timed(run)


def measure(sizes: list[int], *, dask: bool, spark: bool) -> dict[str, Any]:
    import polars as pl

    from expectkit.batch import clock_frame, history_from_events
    from expectkit.history import example_policy, synthetic_events

    policy = example_policy()
    runs: list[dict[str, Any]] = []
    for tickets in sizes:
        log = synthetic_events(tickets, seed=20260401)
        events = len(log)
        before = _peak_mib()
        frame_s, rows = _timed(lambda: clock_frame(log, policy, at=AT))  # noqa: B023
        peak = _peak_mib() - before
        polars_log = pl.from_pandas(log)
        polars_s, _ = _timed(lambda: clock_frame(polars_log, policy, at=AT))  # noqa: B023
        clock_s, clock_rows = _clock_baseline(log, policy)
        assert clock_rows == len(rows), (clock_rows, len(rows))
        history_s, _ = _timed(lambda: history_from_events(log, at=AT))  # noqa: B023
        run: dict[str, Any] = {
            "tickets": tickets,
            "events": events,
            "rows": len(rows),
            "frame_s": frame_s,
            "polars_s": polars_s,
            "clock_s": clock_s,
            "history_s": history_s,
            "frame_events_per_s": events / frame_s,
            "frame_over_clock": clock_s / frame_s,
            "frame_peak_mib": peak,
        }
        if dask:
            run |= _dask(log, policy, frame_s)
        if spark:
            run |= _spark(log, policy, frame_s)
        runs.append(run)
        print(_line(run), flush=True)
    best = max(r["frame_events_per_s"] for r in runs)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "python": sys.version.split()[0],
        "runs": runs,
        "goal": {
            "events_per_s": GOAL_EVENTS_PER_S,
            "best_events_per_s": best,
            "ratio": best / GOAL_EVENTS_PER_S,
            "met": best >= GOAL_EVENTS_PER_S,
        },
    }


def _dask(log: Any, policy: Any, frame_s: float) -> dict[str, Any]:
    import dask.dataframe as dd
    import distributed

    from expectkit import dask as ekd

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        frame = dd.from_pandas(log, npartitions=8)
        seconds, rows = _timed(lambda: ekd.clock_frame(frame, policy, at=AT).compute())
        workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {
        "dask_s": seconds,
        "dask_rows": len(rows),
        "dask_over_frame": frame_s / seconds,
        "dask_worker_peak_mib": max(workers.values()),
    }


def _spark(log: Any, policy: Any, frame_s: float) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    from expectkit import spark as eks

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    try:
        wall = log.assign(at=log["at"].dt.tz_convert("UTC").dt.tz_localize(None))
        schema = (
            "ticket long, type string, at timestamp, channel string, priority string, "
            "public boolean, status string"
        )
        events = session.createDataFrame(wall, schema=schema).cache()
        events.count()
        seconds, count = _timed(lambda: eks.clock_frame(events, policy, at=AT).count())
    finally:
        session.stop()
    return {
        "spark_s": seconds,
        "spark_rows": count,
        "spark_over_frame": frame_s / seconds,
        "spark_child_peak_mib": _peak_mib(resource.RUSAGE_CHILDREN),
    }


def _line(run: dict[str, Any]) -> str:
    text = (
        f"{run['events']:>9,} events {run['tickets']:>7,} tickets: frame {run['frame_s']:.2f} s "
        f"({run['frame_events_per_s']:,.0f} ev/s), polars {run['polars_s']:.2f} s, "
        f"Clock baseline {run['clock_s']:.2f} s (frame/Clock {run['frame_over_clock']:.2f}x), "
        f"history {run['history_s']:.2f} s"
    )
    if "dask_s" in run:
        text += f"; dask {run['dask_s']:.2f} s ({run['dask_over_frame']:.2f}x)"
    if "spark_s" in run:
        text += f"; spark {run['spark_s']:.2f} s ({run['spark_over_frame']:.2f}x)"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one small size")
    parser.add_argument("--sizes", help="tickets per run, comma-separated")
    parser.add_argument("--dask", action="store_true", help="also on a 2-worker LocalCluster")
    parser.add_argument("--spark", action="store_true", help="also on local[2] Spark")
    parser.add_argument("--json", type=Path, help="write every figure as JSON")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [1_000] if args.quick else [5_000, 15_000, 45_000]
    result = measure(sizes, dask=args.dask, spark=args.spark)
    goal = result["goal"]
    print(
        f"goal >= {goal['events_per_s']:,} events/s on one core: best "
        f"{goal['best_events_per_s']:,.0f} ({goal['ratio']:.4f} of the goal) "
        f"{'PASS' if goal['met'] else 'MISS'}; {result['machine']}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
