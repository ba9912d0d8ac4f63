"""Properties of the SLA clock: monotone states, pauses never hurry, order independence.

Tickets are drawn on two policies, one on business hours (Berlin office hours, so
nights and weekends occur) and one on the calendar clock, with every metric the
clock tracks and escalation points on some of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from expectkit.calculator import quote
from expectkit.clock import Clock, MetricStatus
from expectkit.policy import ClockMetric, Policy

BERLIN = ZoneInfo("Europe/Berlin")
US = timedelta(microseconds=1)

BUSINESS = Policy.loads("""\
priorities: [vip, standard]
schedules:
  office: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-12:30", "13:30-17:00"]}}
channels:
  email: {kind: email, schedule: office}
  chat: {kind: chat, mode: live, schedule: office, offline: email}
rules:
  - name: vip
    match: {priority: vip}
    first_response: {promise: "2 business hours", target: "1 business hour"}
    resolution: {promise: "1 business day", target: "4 business hours"}
  - name: standard
    first_response:
      promise: "1-2 business days"
      target: "4 business hours"
      escalations: [{name: a, at: "50% target"}, {name: b, at: "100% promise"}]
    next_response: {promise: "8 business hours", pause_on: [on_hold]}
    resolution: {promise: "3 business days", buffer: {ratio: 0.5}}
    requester_wait: {promise: "2 business days", warn: 0.5}
    agent_work: {promise: "12 business hours", target: "6 business hours"}
    periodic_update: {promise: "1 business day"}
""")

CALENDAR = Policy.loads("""\
rules:
  - name: all
    first_response: {promise: "3-5 hours", pause_on: [on_hold]}
    next_response: {promise: "2 hours"}
    resolution: {promise: "2 days", target: "30 hours", pause_on: [pending, on_hold]}
    requester_wait: {promise: "1 day"}
    agent_work: {promise: "20 hours", escalations: [{name: late, at: "150% promise"}]}
    follow_up: {promise: "1 week"}
""")

POLICIES = {"business": BUSINESS, "calendar": CALENDAR}
# A Thursday: two business days, a weekend, and a week of business hours follow.
BASE = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
RANK = {"on_track": 0, "at_risk": 1, "target_missed": 2, "breached": 3}
STOPPED_RANK = {"met_target": 0, "met_promise": 1, "breached": 2}

# Events that never stop a metric on these policies (no public reply, no solve).
QUIET = ["customer_message", "note", "pending", "on_hold", "open"]
ANY = [*QUIET, "reply", "reply", "solved", "closed", "reopened", "vip", "standard"]


def make(kind: str, at: datetime, ticket: object = "T") -> dict[str, Any]:
    base: dict[str, Any] = {"ticket": ticket, "at": at.isoformat()}
    if kind == "reply":
        return base | {"type": "agent_reply"}
    if kind == "note":
        return base | {"type": "agent_reply", "public": False}
    if kind in ("pending", "on_hold", "open", "solved", "closed"):
        return base | {"type": "status", "status": kind}
    if kind in ("vip", "standard"):
        return base | {"type": "priority_changed", "priority": kind}
    return base | {"type": kind}


@st.composite
def tickets(
    draw: st.DrawFn, kinds: Sequence[str], *, distinct: bool = False
) -> tuple[str, datetime, list[dict[str, Any]]]:
    """A ticket: its policy, its creation instant and its events (the creation first)."""
    which = draw(st.sampled_from(sorted(POLICIES)))
    start = BASE + timedelta(minutes=draw(st.integers(0, 6 * 24 * 60)))
    channel = draw(st.sampled_from(["email", "chat"])) if which == "business" else "web"
    offsets = draw(st.lists(st.integers(0, 4 * 24 * 60), max_size=10, unique=distinct).map(sorted))
    if distinct:
        offsets = [o + 1 for o in offsets]  # none at the creation instant
    events = [{"ticket": "T", "type": "created", "at": start.isoformat(), "channel": channel}]
    events += [make(draw(st.sampled_from(kinds)), start + timedelta(minutes=o)) for o in offsets]
    return which, start, events


def instants(start: datetime, count: int = 12) -> list[datetime]:
    """Every 9 h 7 min (every 4 h 33.5 min for 24), over four and a half days."""
    step = timedelta(hours=9, minutes=7) * 12 / count
    return [start + step * i for i in range(count)]


def replayed(which: str, events: Sequence[Mapping[str, Any]]) -> Clock:
    clock = Clock(POLICIES[which])
    clock.replay(events)
    return clock


def signature(statuses: Mapping[ClockMetric, MetricStatus]) -> dict[str, tuple[Any, ...]]:
    return {
        m: (s.state, s.cycle, s.rule, tuple(p.name for p in s.passed)) for m, s in statuses.items()
    }


@given(tickets(QUIET))
def test_without_stop_events_a_status_never_moves_backwards(
    drawn: tuple[str, datetime, list[dict[str, Any]]],
) -> None:
    which, start, events = drawn
    clock = replayed(which, events)
    last: dict[str, int] = {}
    passed: dict[tuple[str, str], datetime] = {}  # a deadline once passed never moves
    for at in instants(start, 24):
        for metric, s in clock.status("T", at).items():
            note(f"{at} {metric} {s.state} {s.target_at} {s.breach_at}")
            assert s.stopped_at is None
            for name, due in (("target", s.target_at), ("breach", s.breach_at)):
                if (metric, name) in passed:
                    assert due == passed[metric, name]
                elif due is not None and due < at:
                    passed[metric, name] = due
            if s.state == "paused":
                continue
            assert RANK[s.state] >= last.get(metric, 0)
            last[metric] = RANK[s.state]


@st.composite
def with_pauses(
    draw: st.DrawFn,
) -> tuple[str, datetime, list[dict[str, Any]], list[dict[str, Any]]]:
    """A ticket without pauses, and the same ticket with paused stretches added."""
    which, start, events = draw(tickets(["customer_message", "note", "reply"], distinct=True))
    taken = {e["at"] for e in events}
    stretches = draw(
        st.lists(st.tuples(st.integers(1, 5 * 24 * 60), st.integers(1, 2 * 24 * 60)), max_size=3)
    )
    extra: list[dict[str, Any]] = []
    end = start
    for offset, length in sorted(stretches):
        p0 = max(start + timedelta(minutes=offset), end + timedelta(minutes=1))
        p1 = p0 + timedelta(minutes=length)
        if p0.isoformat() in taken or p1.isoformat() in taken:
            continue
        extra += [make(draw(st.sampled_from(["pending", "on_hold"])), p0), make("open", p1)]
        end = p1
    return which, start, events, events + extra


@given(with_pauses())
def test_pausing_never_brings_a_breach_earlier(
    drawn: tuple[str, datetime, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    which, start, plain, paused = drawn
    a, b = replayed(which, plain), replayed(which, paused)
    last = max(datetime.fromisoformat(e["at"]) for e in paused)
    for at in [*instants(start), last + timedelta(days=3)]:
        sa, sb = a.status("T", at), b.status("T", at)
        assert set(sa) == set(sb)
        for metric, x in sa.items():
            y = sb[metric]
            note(f"{at} {metric}: {x.state} {x.breach_at} / {y.state} {y.breach_at}")
            if y.breach_at is not None:
                assert x.breach_at is not None
                assert y.breach_at >= x.breach_at
            if y.target_at is not None and x.target_at is not None:
                assert y.target_at >= x.target_at
            assert y.elapsed <= x.elapsed
            if y.state == "paused":
                continue
            if x.stopped_at is not None:
                assert STOPPED_RANK[y.state] <= STOPPED_RANK[x.state]
            else:
                assert RANK[y.state] <= RANK[x.state]
            mine = {p.name: p.at for p in y.passed}
            assert mine.keys() <= {p.name for p in x.passed}
            for p in x.passed:
                later = mine.get(p.name)
                if later is not None:
                    assert p.at is not None
                    assert later >= p.at


@given(tickets(ANY, distinct=True), st.randoms(use_true_random=False))
def test_replay_is_independent_of_input_order(
    drawn: tuple[str, datetime, list[dict[str, Any]]], rng: Any
) -> None:
    which, start, events = drawn
    shuffled = list(events)
    rng.shuffle(shuffled)
    twice = shuffled + shuffled[: rng.randrange(len(shuffled) + 1)]
    a = replayed(which, events)
    b = Clock(POLICIES[which])
    report = b.replay(twice)
    assert report.events_in == report.events_used + report.duplicates_ignored == len(twice)
    assert report.events_used == len(events)
    assert a.events("T") == b.events("T")
    for at in instants(start):
        assert a.status("T", at) == b.status("T", at)
    assert a.history("T", start + timedelta(days=6)) == b.history("T", start + timedelta(days=6))


@given(tickets(ANY), st.integers(0, 6 * 24 * 60))
def test_next_deadline_is_the_next_change(
    drawn: tuple[str, datetime, list[dict[str, Any]]], minutes: int
) -> None:
    which, start, events = drawn
    clock = replayed(which, events)
    at = start + timedelta(minutes=minutes)
    found = clock.next_deadline("T", at)
    now = signature(clock.status("T", at))
    if found is None:
        assert signature(clock.status("T", at + timedelta(days=30))) == now
        return
    assert found > at
    assert signature(clock.status("T", found)) != now
    assert signature(clock.status("T", found - US)) == now


@given(
    st.lists(st.integers(0, 10 * 24 * 60), min_size=1, max_size=25),
    st.sampled_from(["email", "chat"]),
)
def test_cached_quotes_equal_fresh_quotes(minutes: list[int], channel: str) -> None:
    """Tickets created outside hours share one quote; each must equal quote()'s answer."""
    clock = Clock(BUSINESS)
    starts = [BASE + timedelta(minutes=m) for m in minutes]
    clock.replay(
        {"ticket": f"T{i}", "type": "created", "at": t.isoformat(), "channel": channel}
        for i, t in enumerate(starts)
    )
    shadow = Policy(
        schedules=BUSINESS.schedules,
        channels=BUSINESS.channels,
        rules=[
            r.model_copy(update={"resolution": r.requester_wait, "requester_wait": None})
            for r in BUSINESS.rules
        ],
    )
    for i, t in enumerate(starts):
        statuses = clock.status(f"T{i}", t)
        commitment = quote(BUSINESS, {"channel": channel}, at=t)
        for metric in ("first_response", "resolution"):
            q = commitment.metrics[metric]
            assert statuses[metric].target_at == q.target_at
            assert statuses[metric].breach_at == q.promised_at
        wait = quote(shadow, {"channel": channel}, at=t)["resolution"]
        assert statuses["requester_wait"].breach_at == wait.promised_at


@pytest.mark.parametrize("which", sorted(POLICIES))
def test_a_status_is_in_the_schedule_zone(which: str) -> None:
    start = BASE
    clock = replayed(which, tickets_example(start))
    zone = BERLIN if which == "business" else ZoneInfo("UTC")
    for s in clock.status("T", start + timedelta(days=1)).values():
        assert s.started_at.tzinfo == zone


def tickets_example(start: datetime) -> list[dict[str, Any]]:
    channel = "email"
    return [
        {"ticket": "T", "type": "created", "at": start.isoformat(), "channel": channel},
        make("reply", start + timedelta(hours=1)),
    ]
