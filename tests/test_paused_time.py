"""Paused time, the longest exchange and paused/resumed metric events.

Checked on generated tickets (every event kind: pauses, solves, reopens, priority
changes) against what the clock's own statuses say: on the calendar clock a cycle's
elapsed and paused time add up to its span; the longest exchange is the greatest
elapsed time of the ``next_response`` cycles so far; a ``paused`` metric event is
followed by a ``resumed`` one when the pause ends before the cycle stops.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from expectkit.clock import Clock
from expectkit.metric_events import metric_events
from expectkit.policy import Policy
from expectkit.state import TicketState
from test_clock_properties import ANY, POLICIES, instants, tickets


@given(tickets(ANY), st.integers(0, 6 * 24 * 60))
def test_elapsed_and_paused_add_up_to_the_span_on_the_calendar_clock(
    drawn: tuple[str, datetime, list[dict[str, Any]]], minutes: int
) -> None:
    which, start, events = drawn
    clock = Clock(POLICIES[which])
    clock.replay(events)
    at = start + timedelta(minutes=minutes)
    for runs in clock.history("T", at).values():
        for s in runs:
            assert s.paused >= timedelta(0)
            if s.clock == "calendar":
                end = s.stopped_at if s.stopped_at is not None else at
                assert s.elapsed + s.paused == end - s.started_at


@given(tickets(ANY))
def test_the_longest_exchange_is_the_greatest_elapsed_so_far(
    drawn: tuple[str, datetime, list[dict[str, Any]]],
) -> None:
    which, start, events = drawn
    clock = Clock(POLICIES[which])
    clock.replay(events)
    for at in instants(start, 12):
        history = clock.history("T", at)
        for metric, runs in history.items():
            if metric != "next_response":
                assert all(s.longest is None for s in runs)
                continue
            for i, s in enumerate(runs):
                assert s.longest == max(r.elapsed for r in runs[: i + 1])
            assert clock.status("T", at)[metric].longest == runs[-1].longest


@given(tickets(ANY))
def test_paused_events_match_the_paused_time(
    drawn: tuple[str, datetime, list[dict[str, Any]]],
) -> None:
    which, start, events = drawn
    clock = Clock(POLICIES[which])
    state = TicketState.empty("T", clock).apply_all(events)
    found = metric_events(state)
    horizon = max([start + timedelta(days=30), *(e.at for e in found)])
    statuses = state.history(horizon)
    for metric, runs in statuses.items():
        for s in runs:
            mine = [e for e in found if e.metric == metric and e.cycle == s.cycle]
            paused = [e.at for e in mine if e.kind == "paused"]
            resumed = [e.at for e in mine if e.kind == "resumed"]
            assert len(resumed) <= len(paused)
            assert all(a < b for a, b in zip(paused, resumed, strict=False))
            if not paused:
                assert s.paused == timedelta(0) or s.clock == "business"
            if s.clock == "calendar" and s.stopped_at is not None:
                # the stretches the events bound are the paused time (a pause the stop
                # ends counts up to the stop)
                ends = [*resumed, *([s.stopped_at] * (len(paused) - len(resumed)))]
                total = sum((b - a for a, b in zip(paused, ends, strict=True)), timedelta(0))
                assert total == s.paused


def test_a_pause_and_an_exchange_as_told() -> None:
    clock = Clock(
        Policy(
            rules=[
                {
                    "name": "r",
                    "resolution": {"promise": "1 day", "pause_on": ["pending"]},
                    "next_response": {"promise": "2 hours"},
                }
            ]
        )
    )
    t = "2026-01-05T{}:00Z".format
    state = TicketState.empty("T", clock).apply_all(
        [
            {"ticket": "T", "type": "created", "at": t("09:00"), "channel": "web"},
            {"ticket": "T", "type": "agent_reply", "at": t("09:30")},
            {"ticket": "T", "type": "status", "status": "pending", "at": t("10:00")},
            {"ticket": "T", "type": "customer_message", "at": t("12:00")},
            {"ticket": "T", "type": "status", "status": "open", "at": t("12:00")},
            {"ticket": "T", "type": "agent_reply", "at": t("13:30")},
            {"ticket": "T", "type": "customer_message", "at": t("14:00")},
        ]
    )
    now = datetime(2026, 1, 5, 14, 20, tzinfo=UTC)
    status = state.status(now)
    assert status["resolution"].paused == timedelta(hours=2)
    assert status["resolution"].elapsed == timedelta(hours=3, minutes=20)
    assert status["next_response"].longest == timedelta(hours=1, minutes=30)
    kinds = [(e.metric, e.kind, e.at.strftime("%H:%M")) for e in metric_events(state)][:4]
    assert kinds == [
        ("resolution", "activated", "09:00"),
        ("resolution", "paused", "10:00"),
        ("next_response", "activated", "12:00"),
        ("resolution", "resumed", "12:00"),
    ]


def test_a_pause_of_no_length_gives_no_pause_events() -> None:
    # Found by the property above: a solve and an on-hold at the creation instant.
    at = "2026-11-19T07:00:00+00:00"
    clock = Clock(POLICIES["calendar"])
    state = TicketState.empty("T", clock).apply_all(
        [
            {"ticket": "T", "type": "created", "at": at, "channel": "web"},
            {"ticket": "T", "type": "status", "at": at, "status": "solved"},
            {"ticket": "T", "type": "status", "at": at, "status": "on_hold"},
        ]
    )
    wait = [e.kind for e in metric_events(state) if e.metric == "requester_wait"]
    assert "paused" not in wait
    assert "resumed" not in wait
    assert wait[0] == "activated"
