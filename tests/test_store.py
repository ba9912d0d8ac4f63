"""The store on real databases: SQLite files and a PostgreSQL server started from local binaries.

What holds: the store answers as an in-memory replay of the same events; re-sending
is idempotent with balanced counts; a bad event rejects its batch naming the line
(or goes to the rejects table); the outbox delivers each metric event once after
acknowledgement and again after a crash before it; four processes ingesting
interleaved shards of the same tickets at once, and a process killed with SIGKILL
at random points then re-sent everything, both end equal to a replay.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectkit.clock import Clock, write_events
from expectkit.errors import EventError
from expectkit.metric_events import metric_events
from expectkit.policy import Policy
from expectkit.state import TicketState
from expectkit.store import Store, StoreError
from test_clock_properties import POLICIES, instants
from test_state import streams

pytest.importorskip("sqlalchemy")

CALENDAR = POLICIES["calendar"]
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def ticket_events(n: int, per: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """`n` calendar-policy tickets of `per` events each: replies, messages, pauses, solves."""
    rng = random.Random(seed)
    kinds = [
        {"type": "customer_message"},
        {"type": "agent_reply"},
        {"type": "status", "status": "pending"},
        {"type": "status", "status": "open"},
        {"type": "status", "status": "solved"},
        {"type": "reopened"},
    ]
    out: list[dict[str, Any]] = []
    for i in range(n):
        start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24))
        out.append(
            {"ticket": f"T{i}", "type": "created", "at": start.isoformat(), "channel": "web"}
        )
        for k in range(1, per):
            at = start + timedelta(minutes=37 * k + rng.randrange(0, 30))
            out.append({"ticket": f"T{i}", "at": at.isoformat(), **rng.choice(kinds)})
    return out


def assert_equal_to_replay(store: Store, events: list[dict[str, Any]], policy: Policy) -> None:
    clock = Clock(policy)
    clock.replay(events)
    assert sorted(store.tickets()) == sorted(clock.tickets)
    moments = [T0 + timedelta(hours=5 * k) for k in range(12)]
    for name in clock.tickets:
        state = store.state(name)
        assert state.events() == clock.events(name)
        for at in moments:
            assert state.status(at) == clock.status(name, at)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "sla.db")


class TestSQLite:
    def test_ingest_is_idempotent_and_counts_balance(self, db: str) -> None:
        events = ticket_events(20, 8)
        with Store(db, CALENDAR) as store:
            first = store.ingest(events, batch_size=37)
            assert first.as_dict() == {
                "in": 160,
                "applied": 160,
                "duplicates": 0,
                "pending": 0,
                "rejected": 0,
            }
            again = store.ingest(events)
            assert (again.events_in, again.duplicates) == (160, 160)
            assert store.counts()["events"] == 160
            assert_equal_to_replay(store, events, CALENDAR)

    def test_a_late_created_is_pending_then_applied(self, db: str) -> None:
        events = ticket_events(2, 4)
        with Store(db, CALENDAR) as store:
            early = store.ingest(events[1:4])
            assert (early.pending, early.applied) == (3, 0)
            late = store.ingest(events[:1] + events[4:])
            assert late.balanced
            assert_equal_to_replay(store, events, CALENDAR)

    def test_a_bad_event_rejects_its_batch_naming_the_line(self, db: str) -> None:
        events = ticket_events(3, 3)
        bad = [*events, {"ticket": "T9", "type": "escalated", "at": "2026-01-05T10:00:00Z"}]
        with Store(db, CALENDAR) as store:
            with pytest.raises(EventError, match=r"^line 10, ticket 'T9': unknown event type"):
                store.ingest(bad)
            assert store.counts()["events"] == 0
            late = [*events, {"ticket": "T0", "type": "agent_reply", "at": "2025-01-01T00:00:00Z"}]
            with pytest.raises(EventError, match=r"line 10, ticket 'T0': an event at .* before"):
                store.ingest(late)
            assert store.counts() == {
                "events": 0,
                "tickets": 0,
                "outbox": 0,
                "acked": 0,
                "rejects": 0,
            }
            counts = store.ingest(bad, skip_bad=True)
            assert (counts.events_in, counts.applied, counts.rejected) == (10, 9, 1)
            assert store.counts()["rejects"] == 1

    def test_far_years_are_refused(self, db: str) -> None:
        with Store(db, CALENDAR) as store, pytest.raises(EventError, match=r"line 1, .*supported"):
            store.ingest(
                [{"ticket": "T", "type": "created", "at": "9999-01-01T00:00:00Z", "channel": "w"}]
            )

    def test_due_lists_the_next_deadlines_earliest_first(self, db: str) -> None:
        events = ticket_events(30, 1)
        clock = Clock(CALENDAR)
        clock.replay(events)
        with Store(db, CALENDAR) as store:
            store.ingest(events)
            before = T0 + timedelta(hours=10)
            due = store.due(before)
            assert [d.at for d in due] == sorted(d.at for d in due)
            expected = []
            for name in clock.tickets:
                state = store.state(name)
                last = state.last_event_at
                assert last is not None
                nxt = state.next_deadline(last)
                if nxt is not None and nxt.at <= before:
                    expected.append(name)
            assert sorted(d.ticket for d in due) == sorted(expected)
            assert all(d.kind == "at_risk" for d in due)

    def test_outbox_delivers_once_after_ack_and_again_after_a_crash(self, db: str) -> None:
        events = ticket_events(10, 5)
        with Store(db, CALENDAR) as store:
            store.ingest(events)
            until = T0 + timedelta(days=3)
            first = store.claim(until, lease=timedelta(0))  # the claimer "crashes": no ack
            assert first
            again = store.claim(until)
            assert sorted(c.id for c in again) == sorted(c.id for c in first)
            store.ack([c.id for c in again])
            assert store.claim(until, lease=timedelta(0)) == []
            expected = {
                e.key
                for name in store.tickets()
                for e in metric_events(store.state(name))
                if e.at <= until
            }
            assert {c.event.key for c in again} == expected

    def test_an_unknown_url_or_a_newer_schema_is_refused(self, db: str) -> None:
        with pytest.raises(StoreError, match="not a file path"):
            Store("mysql://x", CALENDAR)
        with Store(db, CALENDAR) as store, store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE expectkit_meta SET value = '99' WHERE key = 'schema_version'"
            )
        with pytest.raises(StoreError, match="schema version 99"):
            Store(db, CALENDAR)

    def test_a_ticket_keeps_its_policy_version(self, db: str) -> None:
        events = ticket_events(2, 3)
        with Store(db, CALENDAR) as store:
            store.ingest(events[:3])
        other = POLICIES["calendar"].model_copy(update={"name": "v2"})
        with Store(db, other) as store:
            store.ingest(events[3:])
            assert (
                store.state("T0").policy_version
                == TicketState.empty("x", Clock(CALENDAR)).policy_version
            )
            assert store.state("T1").policy_version != store.state("T0").policy_version


@settings(max_examples=15, deadline=None)
@given(streams(), st.integers(1, 5))
def test_store_equals_replay(
    drawn: tuple[str, list[dict[str, Any]], list[datetime]], size: int
) -> None:
    which, events, starts = drawn
    with (
        tempfile.TemporaryDirectory() as d,
        Store(os.path.join(d, "s.db"), POLICIES[which]) as store,
    ):
        counts = store.ingest(events, batch_size=size)
        assert counts.balanced
        assert counts.events_in == len(events)
        clock = Clock(POLICIES[which])
        clock.replay(events)
        for name in clock.tickets:
            state = store.state(name)
            for at in instants(min(starts)):
                assert state.status(at) == clock.status(name, at)


# -- several processes, and SIGKILL -------------------------------------------------

WORKER = """
import sys
from expectkit.policy import Policy
from expectkit.store import Store
url, policy, events, size = sys.argv[1:5]
with open(policy) as f:
    store = Store(url, Policy.model_validate_json(f.read()))
store.ingest(events, batch_size=int(size))
"""


def run_worker(url: str, policy: Path, events: Path, size: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(policy), str(events), str(size)],
        stderr=subprocess.PIPE,
    )


def concurrent_ingest(url: str, tmp: Path) -> None:
    events = ticket_events(40, 12, seed=4)
    policy = tmp / "policy.json"
    policy.write_text(CALENDAR.model_dump_json())
    shards = []
    for k in range(4):
        path = tmp / f"shard{k}.jsonl"
        write_events(events[k::4], path)  # every shard holds events of every ticket
        shards.append(path)
    Store(url, CALENDAR).close()  # create the schema once
    procs = [run_worker(url, policy, path, 7) for path in shards]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    with Store(url, CALENDAR) as store:
        assert store.counts()["events"] == len(events)
        assert_equal_to_replay(store, events, CALENDAR)


@pytest.mark.integration
def test_four_processes_ingest_the_same_tickets_at_once_sqlite(tmp_path: Path) -> None:
    concurrent_ingest(str(tmp_path / "sla.db"), tmp_path)


def kill_and_resend(url: str, tmp: Path, *, tickets: int, per: int, kills: int) -> None:
    events = ticket_events(tickets, per, seed=7)
    path = tmp / "events.jsonl"
    write_events(events, path)
    policy = tmp / "policy.json"
    policy.write_text(CALENDAR.model_dump_json())
    Store(url, CALENDAR).close()
    rng = random.Random(11)
    delivered: dict[str, int] = {}
    killed = 0
    while killed < kills:
        proc = run_worker(url, policy, path, 50)
        time.sleep(rng.uniform(0.05, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate()
        with Store(url, CALENDAR) as store:  # the store opens and reads after every kill
            store.counts()
            for claimed in store.claim(T0 + timedelta(days=2), lease=timedelta(0)):
                if rng.random() < 0.5:  # delivered and acknowledged; else "crashed" before ack
                    delivered[claimed.event.key] = delivered.get(claimed.event.key, 0) + 1
                    store.ack([claimed.id])
    proc = run_worker(url, policy, path, 50)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    with Store(url, CALENDAR) as store:
        assert store.counts()["events"] == len(events)
        assert_equal_to_replay(store, events, CALENDAR)
        while batch := store.claim(T0 + timedelta(days=2)):
            for claimed in batch:
                delivered[claimed.event.key] = delivered.get(claimed.event.key, 0) + 1
            store.ack([c.id for c in batch])
        expected = {
            e.key
            for name in store.tickets()
            for e in metric_events(store.state(name))
            if e.at <= T0 + timedelta(days=2)
        }
        acked = {k for k, v in delivered.items() if v}
        assert expected <= acked
        assert all(v == 1 for v in delivered.values())


@pytest.mark.integration
def test_sigkill_at_20_points_then_resend_converges_sqlite(tmp_path: Path) -> None:
    kill_and_resend(str(tmp_path / "sla.db"), tmp_path, tickets=150, per=20, kills=20)


@pytest.mark.slow
def test_sigkill_over_100k_events_sqlite(tmp_path: Path) -> None:
    kill_and_resend(str(tmp_path / "sla.db"), tmp_path, tickets=5000, per=20, kills=20)


# -- PostgreSQL ---------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL server on 127.0.0.1 and a free port, on a temporary directory."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="expectkit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(root / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _fresh(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.mark.integration
class TestPostgres:
    def test_ingest_and_equal_to_replay(self, postgres: str) -> None:
        url = _fresh(postgres, "basic")
        events = ticket_events(20, 8)
        with Store(url, CALENDAR) as store:
            assert store.ingest(events, batch_size=33).applied == 160
            assert store.ingest(events).duplicates == 160
            assert_equal_to_replay(store, events, CALENDAR)
            claimed = store.claim(T0 + timedelta(days=3))
            store.ack([c.id for c in claimed])
            assert claimed
            assert store.claim(T0 + timedelta(days=3), lease=timedelta(0)) == []

    def test_four_processes_ingest_the_same_tickets_at_once(
        self, postgres: str, tmp_path: Path
    ) -> None:
        concurrent_ingest(_fresh(postgres, "four"), tmp_path)

    def test_sigkill_at_20_points_then_resend_converges(
        self, postgres: str, tmp_path: Path
    ) -> None:
        kill_and_resend(_fresh(postgres, "kill"), tmp_path, tickets=150, per=20, kills=20)
