"""Benchmark ``expectkit check`` over many tickets, against the clock doing the same work.

    python benchmarks/cli.py [--quick] [--tickets N] [--seed N] [--json PATH]

The workload is written to a temporary JSON Lines file first (not timed): N tickets
(default 200 000; 10 000 with ``--quick``) on the bundled demo policy (the one
``expectkit demo --print-policy`` writes), created over four weeks at any hour, on
email (60 %), chat (20 %) or social media (20 %, a quarter of them complaints); 80 %
are answered, a third of those then solved. Lines are in global time order, as a
helpdesk export would be.

Each run is a fresh process (``python -m expectkit check ...``, standard output to a
file), timed from start to exit, wall-clock and CPU (from ``wait4``), with its peak
resident memory (this process stays small, since a child's peak counts the process it
was started from):

* **clock alone**: the same work through the library, no command line —
  ``Clock(policy).replay(path)`` and ``clock.status(ticket, at)`` for every ticket;
* **check** (the summary), **check --json**, **check --all** and
  **check --json --state breached**.

Each ``check`` is reported as a multiple of the clock alone (CPU), which is what the
command line adds, and against the goal of 200 000 tickets in 10 s to a file. The
outputs are checked: one JSON line and one ``--all`` line per metric the clock reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from importlib import metadata, resources
from pathlib import Path
from time import perf_counter
from typing import Any

START = datetime(2026, 11, 2, tzinfo=UTC)
PERIOD = timedelta(days=28)
AT = "2026-12-02T12:00:00+00:00"  # two days after the last ticket is created
GOAL_S = 10.0
GOAL_TICKETS = 200_000

CLOCK_ALONE = """
import sys
from datetime import datetime
from expectkit import Clock, Policy

clock = Clock(Policy.load(sys.argv[1]))
clock.replay(sys.argv[2])
at = datetime.fromisoformat(sys.argv[3])
rows = sum(len(clock.status(ticket, at=at)) for ticket in clock.tickets)
print(rows)
"""


def write_workload(path: Path, tickets: int, seed: int) -> int:
    """Write the events in time order; return the number of lines."""
    rng = random.Random(seed)
    events: list[tuple[datetime, dict[str, Any]]] = []
    for n in range(tickets):
        ticket = f"T{n:06d}"
        t = START + timedelta(seconds=rng.randrange(int(PERIOD.total_seconds())))
        roll = rng.random()
        created: dict[str, Any] = {"channel": "email"}
        if roll > 0.8:
            created = {"channel": "social", "tags": ["complaint"] if rng.random() < 0.25 else []}
        elif roll > 0.6:
            created = {"channel": "chat"}
        events.append((t, {"ticket": ticket, "type": "created", "at": t.isoformat(), **created}))
        if rng.random() < 0.8:
            t += timedelta(seconds=int(rng.expovariate(1 / 36_000)) + 1)
            events.append((t, {"ticket": ticket, "type": "agent_reply", "at": t.isoformat()}))
            if rng.random() < 1 / 3:
                t += timedelta(seconds=int(rng.expovariate(1 / 7_200)) + 1)
                solved = {"ticket": ticket, "type": "status", "status": "solved"}
                events.append((t, {**solved, "at": t.isoformat()}))
    events.sort(key=lambda pair: pair[0])
    with path.open("w", encoding="utf-8") as out:
        for _, event in events:
            out.write(json.dumps(event) + "\n")
    return len(events)


def timed(command: list[str], output: Path) -> dict[str, float | int]:
    """Run `command` with standard output to `output`; its wall, CPU, peak memory, exit code."""
    with output.open("wb") as out:
        began = perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.returncode in (0, 1), f"{' '.join(command)} failed: {errors}"
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "exit": process.returncode,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 tickets")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--write", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    tickets = args.tickets or (10_000 if args.quick else GOAL_TICKETS)
    if args.write is not None:  # the child process that writes the workload
        print(write_workload(args.write, tickets, args.seed))
        return 0
    figures: dict[str, Any] = {
        "tickets": tickets,
        "python": platform.python_version(),
        "expectkit": metadata.version("expectkit"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg(),
        "runs": {},
    }
    print(f"expectkit {figures['expectkit']}, Python {figures['python']}, {figures['machine']}")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in figures['load_average'])}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        policy = work / "policy.yaml"
        demo = resources.files("expectkit").joinpath("demo", "policy.yaml")
        policy.write_text(demo.read_text(encoding="utf-8"), encoding="utf-8")
        events = work / "events.jsonl"
        # Written by a child process, so that this one stays small (see below).
        command = [sys.executable, __file__, "--write", str(events), "--tickets", str(tickets)]
        command += ["--seed", str(args.seed)]
        written = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures["lines"] = int(written)
        figures["file_mb"] = round(events.stat().st_size / 1e6, 1)
        print(
            f"workload: {tickets:,} tickets, {figures['lines']:,} lines ({figures['file_mb']} MB)"
        )

        check = [sys.executable, "-m", "expectkit", "check", str(policy), str(events), "--at", AT]
        runs = {
            "clock alone": [sys.executable, "-c", CLOCK_ALONE, str(policy), str(events), AT],
            "check (summary)": check,
            "check --json": [*check, "--json"],
            "check --all": [*check, "--all"],
            "check --json --state breached": [*check, "--json", "--state", "breached"],
        }
        print(f"{'run':<32}{'wall':>9}{'CPU':>9}{'× clock':>9}{'peak RSS':>10}  output")
        for name, command in runs.items():
            output = work / "out.txt"
            run = timed(command, output)
            # Read line by line: this process stays small, so that the peak memory a
            # child reports (which counts what it was started from) is its own.
            with output.open(encoding="utf-8") as lines:
                if name == "clock alone":
                    rows = int(lines.read())
                    figures["rows"] = rows
                    run["output_lines"] = 1
                elif "--json" in command:
                    states = [json.loads(line)["state"] for line in lines]
                    run["output_lines"] = len(states)
                    if "--state" in command:
                        assert set(states) <= {"breached"}, set(states)
                        run["breached"] = len(states)
                    else:
                        assert len(states) == rows, (len(states), rows)
                else:
                    run["output_lines"] = sum(1 for _ in lines)
                    if "--all" in command:
                        assert run["output_lines"] == rows + 4, (run["output_lines"], rows)
            base = figures["runs"].get("clock alone", run)
            run["x_clock_cpu"] = run["cpu_s"] / base["cpu_s"]
            figures["runs"][name] = run
            print(
                f"{name:<32}{run['wall_s']:>8.1f}s{run['cpu_s']:>8.1f}s{run['x_clock_cpu']:>8.2f}×"
                f"{run['peak_rss_mb']:>8.0f}MB  {run['output_lines']:,} lines"
            )
    per = {name: run["cpu_s"] / tickets * 1e6 for name, run in figures["runs"].items()}
    print(f"CPU per ticket: {', '.join(f'{name} {us:.0f} µs' for name, us in per.items())}")
    scale = GOAL_TICKETS / tickets
    for name in ("check --json", "check --all"):
        run = figures["runs"][name]
        wall, cpu = run["wall_s"] * scale, run["cpu_s"] * scale
        verdict = "PASS" if cpu <= GOAL_S else "MISS"
        note = "" if scale == 1 else f" (scaled from {tickets:,} tickets)"
        print(
            f"goal: {name} over {GOAL_TICKETS:,} tickets to a file in ≤ {GOAL_S:.0f} s: "
            f"{cpu:.1f} s CPU, {wall:.1f} s wall{note}: {verdict}"
        )
        figures["runs"][name]["goal"] = verdict
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
