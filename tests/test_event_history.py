"""Event log → history table: equal to a ticket-by-ticket reading of the Clock's events,
and what attainment makes of it agrees with the Clock's first-response states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from eventlogs import clock_of, event_logs, instants_of, to_frame
from expectkit import Policy
from expectkit.analysis import attainment, calibrate
from expectkit.batch import HISTORY_COLUMNS, history_from_events
from expectkit.clock import Clock
from expectkit.errors import EventError
from expectkit.history import default_schedule, synthetic_history


def _oracle(clock: Clock, at: datetime) -> dict[str, tuple[Any, ...]]:
    """Per ticket, read its sorted events one by one."""
    out: dict[str, tuple[Any, ...]] = {}
    for ticket in clock.tickets:
        events = [e for e in clock.events(ticket) if e.at <= at]
        if not events:
            continue
        created = events[0]
        assert created.type == "created"
        first_reply = next((e.at for e in events if e.type == "agent_reply" and e.public), None)
        solved_since: datetime | None = None
        priority = created.priority
        for e in events:
            if e.type == "status":
                solved = e.status in ("solved", "closed")
                solved_since = (solved_since or e.at) if solved else None
            elif e.type == "reopened":
                solved_since = None
            elif e.type == "priority_changed":
                priority = e.priority
        out[ticket] = (created.at, first_reply, solved_since, created.channel, priority)
    return out


def _rows(history: pd.DataFrame) -> dict[str, tuple[Any, ...]]:
    def when(v: Any) -> datetime | None:
        return None if pd.isna(v) else pd.Timestamp(v).to_pydatetime()

    def text(v: Any) -> str | None:
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    return {
        str(t): (
            when(r.created),
            when(r.first_reply),
            when(r.resolved),
            text(r.channel),
            text(r.priority),
        )
        for t, r in zip(history.index, history.itertuples(index=False), strict=True)
    }


@given(event_logs(), st.sampled_from(["Europe/Berlin", "UTC"]))
def test_the_history_reads_the_events_as_the_clock_orders_them(
    log: tuple[str, list[dict[str, Any]]], zone: str
) -> None:
    which, rows = log
    frame = to_frame(rows, zone)
    note(frame.to_string())
    clock = clock_of(which, rows)
    for at in instants_of(rows, 3):
        history = history_from_events(frame, at=at)
        assert list(history.columns) == list(HISTORY_COLUMNS)
        assert history.attrs["as_of"] == at
        assert _rows(history) == _oracle(clock, at)


EMAIL = Policy.loads("""\
schedules: {office: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
channels: {email: {kind: email, schedule: office}, chat: {kind: email, schedule: office}}
rules:
  - name: all
    first_response: {promise: "1-2 business days", target: "3 business hours"}
""")
STATES = {"met_target": "met_target", "met_promise": "met_promise", "breached": "breached"}


@given(event_logs(max_tickets=5))
def test_attainment_of_the_history_agrees_with_the_clock(
    log: tuple[str, list[dict[str, Any]]],
) -> None:
    _, rows = log
    rows = [r for r in rows if r["type"] != "priority_changed"]
    rows = [r | {"channel": "email"} if r["type"] == "created" else r for r in rows]
    rows = [{k: v for k, v in r.items() if k != "priority"} for r in rows]
    frame = to_frame(rows)
    clock = Clock(EMAIL)
    clock.replay({**r, "ticket": str(r["ticket"]), "at": r["at"].isoformat()} for r in rows)
    at = max(r["at"] for r in rows) + timedelta(hours=1)
    records = attainment(history_from_events(frame, at=at), EMAIL).records
    outcomes = records[records["metric"] == "first_response"]["outcome"].tolist()
    states = [clock.status(t, at)["first_response"].state for t in clock.tickets]
    assert outcomes == [STATES.get(s, "open") for s in states]


def test_routing_fields_stand_as_at_the_instant() -> None:
    log = pd.DataFrame(
        {
            "ticket": ["A", "A", "A", "A", "B"],
            "type": [
                "created",
                "attributes_changed",
                "priority_changed",
                "attributes_changed",
                "created",
            ],
            "at": pd.to_datetime(
                [
                    "2026-01-05 09:00",
                    "2026-01-05 10:00",
                    "2026-01-05 11:00",
                    "2026-01-07 10:00",
                    "2026-01-05 09:30",
                ],
                utc=True,
            ),
            "channel": ["web", "email", None, None, "chat"],
            "priority": ["low", "high", None, None, None],  # the change clears it
            "segment": ["smb", None, None, "enterprise", None],
            "tags": ["b,a", ["x"], None, None, None],
            "attributes": [
                {"country": "DE", "plan": "free"},
                {"plan": None},
                None,
                {"plan": "pro"},
                None,
            ],
            "customer_tz": ["Europe/Oslo", None, None, None, None],
        }
    )
    history = history_from_events(log, at=datetime(2026, 1, 6, tzinfo=UTC))
    a = history.loc["A"]
    assert (a.channel, a.priority, a.segment, a.tags, a.customer_tz) == (
        "email",
        None,
        "smb",
        ("x",),
        "Europe/Oslo",
    )
    assert a.attributes == {"country": "DE"}
    later = history_from_events(log).loc["A"]
    assert (later.segment, later.attributes) == ("enterprise", {"country": "DE", "plan": "pro"})
    b = history.loc["B"]
    assert (b.channel, b.priority, b.tags, b.attributes) == ("chat", None, (), {})


def test_polars_logs_give_a_polars_history_with_the_ticket_column() -> None:
    log = pd.DataFrame(
        {
            "ticket": [1, 1, 2],
            "type": ["created", "agent_reply", "created"],
            "at": pd.to_datetime(
                ["2026-01-05 09:00", "2026-01-05 12:00", "2026-01-05 09:30"], utc=True
            ),
            "channel": ["web", None, "web"],
            "public": [None, True, None],
        }
    )
    got = history_from_events(pl.from_pandas(log))
    assert isinstance(got, pl.DataFrame)
    assert got.columns == ["ticket", *HISTORY_COLUMNS]
    assert got["ticket"].to_list() == [1, 2]
    assert got["first_reply"].null_count() == 1


def test_a_history_from_events_calibrates() -> None:
    # Round trip: a synthetic history written as events reads back as the same table.
    table = synthetic_history(300, seed=3)
    rows: list[dict[str, Any]] = []
    for k, r in enumerate(table.itertuples(index=False)):
        rows.append(
            {
                "ticket": k,
                "type": "created",
                "at": r.created,
                "channel": r.channel,
                "priority": r.priority,
                "tags": r.tags,
            }
        )
        if not pd.isna(r.first_reply):
            rows.append({"ticket": k, "type": "agent_reply", "at": r.first_reply})
        if not pd.isna(r.resolved):
            rows.append({"ticket": k, "type": "status", "at": r.resolved, "status": "solved"})
    log = pd.DataFrame(rows).sample(frac=1.0, random_state=1)
    history = history_from_events(log, at=table.attrs.get("as_of"))
    back = history.sort_index()
    for name in ("created", "first_reply", "resolved"):
        assert (
            back[name]
            .dt.tz_convert("UTC")
            .equals(table[name].dt.tz_convert("UTC").set_axis(back.index))
        )
    schedule = default_schedule()
    mine = calibrate(history, schedule, p=0.8).table
    theirs = calibrate(table, schedule, p=0.8).table
    assert len(mine) > 0

    def tidy(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(["channel", "priority"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(tidy(mine), tidy(theirs))


def test_tickets_without_one_created_event_are_refused() -> None:
    log = pd.DataFrame(
        {
            "ticket": ["A", "B"],
            "type": ["created", "agent_reply"],
            "at": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 10:00"], utc=True),
            "channel": ["web", None],
        }
    )
    with pytest.raises(EventError, match="ticket 'B' has no 'created' event"):
        history_from_events(log)
    twice = log.assign(ticket=["A", "A"], type=["created", "created"])
    with pytest.raises(EventError, match="ticket 'A' has 2 'created' events"):
        history_from_events(twice)
    early = log.assign(ticket=["A", "A"], at=log["at"][::-1].to_numpy())
    with pytest.raises(EventError, match="'agent_reply' event before its 'created'"):
        history_from_events(early)
