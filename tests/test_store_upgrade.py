"""Schema migrations: a store written by the first schema upgrades with every row kept.

The fixture is a real store written by the first release of the store (schema version
1, ticket states in the first state format), dumped with ``sqlite3 .dump``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from expectkit.clock import Clock
from expectkit.store import SCHEMA_VERSION, Store, StoreError, upgrade_store
from test_cli import assert_one_line_error, run

FIXTURES = Path(__file__).parent / "fixtures"
BEFORE = {"events": 22, "tickets": 7, "outbox": 51, "acked": 3, "rejects": 1}


def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((FIXTURES / "store_v1.sql").read_text())
    return path


def events() -> list[dict[str, object]]:
    lines = (FIXTURES / "store_v1_events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_upgrade_keeps_every_row_and_every_answer(tmp_path: Path) -> None:
    path = old_store(tmp_path)
    assert upgrade_store(path) == (1, SCHEMA_VERSION)
    columns = {
        c["name"]
        for c in inspect(create_engine(f"sqlite:///{path}")).get_columns("expectkit_policies")
    }
    assert "effective_from" in columns
    with Store(path) as store:  # the store's own policy, read back
        assert store.counts() == BEFORE
        clock = Clock(store.state("T0").clock.policy)
        clock.replay(events())
        for name in clock.tickets:
            state = store.state(name)
            assert state.events() == clock.events(name)
            for hours in range(0, 60, 5):
                at = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(hours=hours)
                assert state.status(at) == clock.status(name, at)
        assert store.state("P").pending == 1
        # the acknowledged events stay acknowledged; the others are still claimable
        claimed = store.claim(datetime(2026, 1, 5, 12, tzinfo=UTC))
        assert len(claimed) == len({c.event.key for c in claimed})
        # and the store takes new events on top of the old states
        more = {"ticket": "T0", "type": "agent_reply", "at": "2026-01-05T10:30:00Z"}
        assert store.ingest([more]).applied == 1
        assert (
            store.ingest(
                [
                    {
                        **more,
                        "ticket": "P",
                        "type": "created",
                        "channel": "web",
                        "at": "2026-01-05T09:00:00Z",
                    }
                ]
            ).applied
            == 1
        )
        assert store.state("P").created
        clock.replay([more])
        at = datetime(2026, 1, 6, tzinfo=UTC)
        assert store.status("T0", at) == clock.status("T0", at)
    assert upgrade_store(path) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_the_upgrade_command(tmp_path: Path) -> None:
    path = old_store(tmp_path)
    done = run(["store", "upgrade", "--db", str(path)])
    assert done.exit_code == 0, done.stderr
    assert done.stdout.strip() == f"upgraded the store from schema version 1 to {SCHEMA_VERSION}"
    again = run(["store", "upgrade", "--db", str(path), "--json"])
    assert json.loads(again.stdout) == {"from": SCHEMA_VERSION, "to": SCHEMA_VERSION}
    fresh = run(["store", "upgrade", "--db", str(tmp_path / "new.db")])
    assert fresh.stdout.strip() == f"created the store at schema version {SCHEMA_VERSION}"


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = old_store(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE expectkit_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        upgrade_store(path)
    assert_one_line_error(run(["store", "upgrade", "--db", str(path)]), "schema version 99")
