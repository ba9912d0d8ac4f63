"""The live commands: ingest into a store, then status, due and metric-events from it."""

from __future__ import annotations

import json
from pathlib import Path

from expectkit.clock import write_events
from test_cli import assert_one_line_error, run
from test_clock_properties import CALENDAR
from test_store import ticket_events


def _files(tmp_path: Path) -> tuple[str, str, str]:
    policy = tmp_path / "policy.json"
    policy.write_text(CALENDAR.model_dump_json())
    events = tmp_path / "events.jsonl"
    write_events(ticket_events(5, 4), events)
    return str(policy), str(events), str(tmp_path / "sla.db")


def test_ingest_twice_counts_duplicates(tmp_path: Path) -> None:
    policy, events, db = _files(tmp_path)
    first = run(["ingest", events, "--policy", policy, "--db", db, "--json"])
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout) == {
        "in": 20,
        "applied": 20,
        "duplicates": 0,
        "pending": 0,
        "rejected": 0,
    }
    again = run(["ingest", events, "--policy", policy, "--db", db])
    assert again.exit_code == 0
    assert "20 events in: 0 applied, 20 duplicates" in again.stdout


def test_status_due_and_metric_events(tmp_path: Path) -> None:
    policy, events, db = _files(tmp_path)
    assert run(["ingest", events, "--policy", policy, "--db", db]).exit_code == 0
    status = run(["status", "T0", "--db", db, "--at", "2026-01-06T09:00:00Z", "--json"])
    assert status.exit_code == 0, status.stderr
    metrics = json.loads(status.stdout)["metrics"]
    assert {"state", "due", "elapsed", "remaining", "rule"} <= set(metrics["resolution"])
    due = run(["due", "--db", db, "--before", "2026-02-01T00:00:00Z", "--json"])
    assert due.exit_code == 0
    rows = [json.loads(line) for line in due.stdout.splitlines()]
    assert rows
    assert all({"ticket", "at", "metric", "kind"} <= set(r) for r in rows)
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    out = run(["metric-events", "--db", db, "--until", "2026-01-08T00:00:00Z"])
    assert out.exit_code == 0
    printed = [json.loads(line) for line in out.stdout.splitlines()]
    assert printed
    assert run(["metric-events", "--db", db, "--until", "2026-01-08T00:00:00Z"]).stdout == ""


def test_errors_are_one_line(tmp_path: Path) -> None:
    policy, events, db = _files(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ticket": "T1", "type": "created"\n')
    result = run(["ingest", str(bad), "--policy", policy, "--db", db])
    assert_one_line_error(result, f"{bad}, line 1")
    assert run(["ingest", events, "--policy", policy, "--db", db]).exit_code == 0
    assert_one_line_error(run(["status", "T9", "--db", db]), "ticket 'T9'")
    assert_one_line_error(run(["due", "--db", db, "--before", "tomorrow"]), "--before")
    assert_one_line_error(run(["due", "--db", "mysql://x"]), "mysql")
