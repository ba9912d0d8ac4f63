"""The per-ticket state: one event at a time equals the clock's replay, and JSON round trips.

The streams come from the clock's property tests (both policies, every event kind:
replies, notes, pauses, solves, reopens and priority changes) spread over a few
tickets, delivered in a random arrival order, some events twice.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectkit.clock import Clock
from expectkit.errors import EventError, PendingTicketError
from expectkit.state import IngestCounts, TicketState, event_id, policy_version, to_event
from test_clock_properties import ANY, POLICIES, instants, tickets

US = timedelta(microseconds=1)


@st.composite
def streams(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], list[datetime]]:
    """Events of one to three tickets on one policy, in a random arrival order."""
    which = draw(st.sampled_from(sorted(POLICIES)))
    events: list[dict[str, Any]] = []
    starts: list[datetime] = []
    for n in range(draw(st.integers(1, 3))):
        policy, start, drawn = draw(tickets(ANY).filter(lambda t: t[0] == which))
        del policy
        starts.append(start)
        events += [e | {"ticket": f"T{n}"} for e in drawn]
    order = draw(st.permutations(events))
    again = draw(st.lists(st.sampled_from(events), max_size=3))
    return which, [*order, *again], starts


def one_by_one(
    clock: Clock, events: list[dict[str, Any]]
) -> tuple[dict[str, TicketState], IngestCounts]:
    states: dict[str, TicketState] = {}
    counts = IngestCounts()
    for e in events:
        state = states.get(e["ticket"]) or TicketState.empty(e["ticket"], clock)
        states[e["ticket"]], outcome = state.apply_counted(e)
        counts.count(outcome)
    return states, counts


@given(streams())
def test_one_event_at_a_time_equals_replay(
    drawn: tuple[str, list[dict[str, Any]], list[datetime]],
) -> None:
    which, events, starts = drawn
    replayed = Clock(POLICIES[which])
    report = replayed.replay(events)
    states, counts = one_by_one(Clock(POLICIES[which]), events)
    assert counts.balanced
    assert counts.events_in == report.events_in
    # events that waited for their ticket's created were applied when it came
    assert counts.applied + counts.pending == report.events_used
    assert report.pending == 0
    assert all(s.pending == 0 for s in states.values())
    assert sorted(states) == sorted(replayed.tickets)
    start = min(starts)
    moments = [*instants(start - timedelta(hours=1), 24), start + timedelta(days=30)]
    for name, state in states.items():
        assert state.events() == replayed.events(name)
        back = TicketState.from_json(state.to_json(), Clock(POLICIES[which]))
        assert back == state
        for at in moments:
            expected = replayed.status(name, at)
            assert state.status(at) == expected
            assert back.status(at) == expected
        assert state.history(moments[-1]) == replayed.history(name, moments[-1])


@given(streams(), st.integers(1, 4))
def test_a_stream_split_into_replays_equals_one_replay(
    drawn: tuple[str, list[dict[str, Any]], list[datetime]], parts: int
) -> None:
    """Late ``created`` events keep earlier ones pending, in the clock too."""
    which, events, starts = drawn
    whole = Clock(POLICIES[which])
    whole.replay(events)
    split = Clock(POLICIES[which])
    size = -(-len(events) // parts)
    total = used = dup = 0
    for i in range(0, len(events), size):
        r = split.replay(events[i : i + size])
        total += r.events_in
        used += r.events_used + r.released
        dup += r.duplicates_ignored
        assert r.events_in == r.events_used + r.duplicates_ignored + r.pending
    assert not split.pending
    assert total == len(events)
    assert used == len([e for n in whole.tickets for e in whole.events(n)])
    at = min(starts) + timedelta(days=2)
    for name in whole.tickets:
        assert split.events(name) == whole.events(name)
        assert split.status(name, at) == whole.status(name, at)


@given(tickets(ANY), st.integers(0, 6 * 24 * 60))
def test_next_deadline_is_when_a_status_next_changes(
    drawn: tuple[str, datetime, list[dict[str, Any]]], minutes: int
) -> None:
    which, start, events = drawn
    clock = Clock(POLICIES[which])
    state = TicketState.empty("T", clock).apply_all(events)
    at = start + timedelta(minutes=minutes)
    due = state.next_deadline(at)
    changed = clock_change(state, at)
    if due is None:
        assert changed is None
        return
    assert due.at > at
    # nothing changes before it; a threshold changes the status at its instant and a
    # target or promise just after it (deadlines are inclusive); an event may change nothing
    assert changed is None or changed >= due.at
    if due.kind != "event":
        assert changed is not None
        assert changed <= (due.at if due.kind in ("at_risk", "escalation") else due.at + US)


@settings(max_examples=40)
@given(tickets(ANY), st.lists(st.integers(0, 5 * 24 * 60), min_size=1, max_size=6), st.data())
def test_polling_between_appends_and_branches_equal_replays(
    drawn: tuple[str, datetime, list[dict[str, Any]]], polls: list[int], data: st.DataObject
) -> None:
    """Appends share the arrays and the kept fold; older states and branches stay exact."""
    which, start, events = drawn
    clock = Clock(POLICIES[which])
    states = [TicketState.empty("T", clock)]
    for i, e in enumerate(events):
        states.append(states[-1].apply(e))
        # poll in between: the kept fold moves on, and must not leak into older states
        at = start + timedelta(minutes=polls[i % len(polls)])
        assert states[-1].status(at) == replayed_status(which, events[: i + 1], at)
    # an older state takes another event: a branch of its own, the newest one unchanged
    cut = data.draw(st.integers(1, len(events)), label="cut")
    extra = {
        "ticket": "T",
        "type": "customer_message",
        "at": (start + timedelta(days=6)).isoformat(),
    }
    branch = states[cut].apply(extra)
    for at in (start + timedelta(minutes=m) for m in [*polls, 7 * 24 * 60]):
        assert branch.status(at) == replayed_status(which, [*events[:cut], extra], at)
        assert states[-1].status(at) == replayed_status(which, events, at)
        assert states[cut].status(at) == replayed_status(which, events[:cut], at)
    assert states[cut].events() == replayed_clock(which, events[:cut]).events("T")
    assert states[-1].events() == TicketState.empty("T", clock).apply_all(events).events()


@given(streams())
def test_the_first_state_format_still_reads(
    drawn: tuple[str, list[dict[str, Any]], list[datetime]],
) -> None:
    which, events, _ = drawn
    clock = Clock(POLICIES[which])
    states, _ = one_by_one(clock, events)
    for state in states.values():
        first = {
            "format": "expectkit.ticket-state/1",
            "ticket": state.ticket,
            "policy_version": state.policy_version,
            "events": [json.loads(e.to_json()) for e in state.events()],
        }
        back = TicketState.from_json(json.dumps(first), Clock(POLICIES[which]))
        assert back == state
        assert back.to_json() == state.to_json()


def test_a_damaged_compact_state_is_refused() -> None:
    clock = Clock(POLICIES["calendar"])
    state = TicketState.empty("T", clock).apply(
        {"ticket": "T", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"}
    )
    data = json.loads(state.to_json())
    data["kinds"] = ["no_such_kind"]
    with pytest.raises(EventError, match="no_such_kind"):
        TicketState.from_json(json.dumps(data), clock)


def replayed_clock(which: str, events: list[dict[str, Any]]) -> Clock:
    key = (which, json.dumps(events))
    found = _REPLAYED.get(key)
    if found is None:
        found = _REPLAYED[key] = Clock(POLICIES[which])
        found.replay(events)
    return found


def replayed_status(which: str, events: list[dict[str, Any]], at: datetime) -> Any:
    return replayed_clock(which, events).status("T", at)


_REPLAYED: dict[tuple[str, str], Clock] = {}


def test_an_in_order_append_shares_the_arrays() -> None:
    clock = Clock(POLICIES["calendar"])
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    state = TicketState.empty("T", clock).apply(
        {"ticket": "T", "type": "created", "at": t0.isoformat(), "channel": "web"}
    )
    for k in range(1, 200):
        at = (t0 + timedelta(minutes=k)).isoformat()
        new = state.apply({"ticket": "T", "type": "customer_message", "at": at})
        assert new._tk is state._tk  # no copy of the history
        state = new
    assert state.size == 200


def clock_change(state: TicketState, at: datetime) -> datetime | None:
    clock = Clock(state.clock.policy)
    clock.replay(state.events())
    return clock.next_deadline(state.ticket, at)


class TestTicketState:
    def test_apply_leaves_the_old_state_unchanged(self) -> None:
        clock = Clock(POLICIES["calendar"])
        s0 = TicketState.empty("T", clock)
        s1 = s0.apply(
            {"ticket": "T", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"}
        )
        assert (s0.size, s1.size) == (0, 1)
        s2, outcome = s1.apply_counted(
            {"ticket": "T", "type": "created", "at": "2026-01-05T10:00:00+01:00", "channel": "web"}
        )
        assert (outcome, s2 is s1) == ("duplicate", True)  # the same instant in another offset

    def test_pending_until_created(self) -> None:
        clock = Clock(POLICIES["calendar"])
        s = TicketState.empty("T", clock).apply(
            {"ticket": "T", "type": "agent_reply", "at": "2026-01-05T10:00:00Z"}
        )
        assert (s.created, s.pending) == (False, 1)
        with pytest.raises(PendingTicketError, match="1 events of this ticket are pending"):
            s.status(datetime(2026, 1, 5, 11, tzinfo=UTC))
        assert TicketState.from_json(s.to_json(), clock) == s
        s = s.apply(
            {"ticket": "T", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"}
        )
        assert (
            s.status(datetime(2026, 1, 5, 11, tzinfo=UTC))["first_response"].state == "met_target"
        )

    @pytest.mark.parametrize(
        ("event", "message"),
        [
            pytest.param(
                {"ticket": "U", "type": "reopened", "at": "2026-01-05T10:00:00Z"},
                "ticket 'U'",
                id="other-ticket",
            ),
            pytest.param(
                {"ticket": "T", "type": "reopened", "at": "9999-01-05T10:00:00Z"},
                "outside the supported",
                id="far-year",
            ),
            pytest.param(
                {"ticket": "T", "type": "reopened", "at": "2026-01-05T08:00:00Z"},
                "comes before",
                id="early",
            ),
        ],
    )
    def test_bad_events_are_refused(self, event: dict[str, Any], message: str) -> None:
        clock = Clock(POLICIES["calendar"])
        s = TicketState.empty("T", clock).apply(
            {"ticket": "T", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"}
        )
        with pytest.raises(EventError, match=message):
            s.apply(event)

    def test_json_names_its_format_and_policy(self) -> None:
        clock = Clock(POLICIES["calendar"])
        s = TicketState.empty("T", clock)
        assert '"format":"expectkit.ticket-state/2"' in s.to_json()
        with pytest.raises(EventError, match="policy version"):
            TicketState.from_json(s.to_json(), Clock(POLICIES["business"]))
        with pytest.raises(EventError, match="format"):
            TicketState.from_json('{"format": "x"}', clock)
        assert s.policy_version == policy_version(POLICIES["calendar"])

    def test_event_ids(self) -> None:
        given_id = to_event(
            {"ticket": "T", "type": "reopened", "at": "2026-01-05T10:00:00Z", "id": "e-1"}
        )
        assert event_id(given_id) == "e-1"
        a = to_event(
            {"ticket": "T", "type": "status", "at": "2026-01-05T10:00:00Z", "status": "pending"}
        )
        b = to_event(
            {"ticket": "T", "type": "status", "at": "2026-01-05T10:00:00Z", "status": "open"}
        )
        assert event_id(a) != event_id(b)
