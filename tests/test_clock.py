"""The SLA clock: the design's breach table, helpdesk scenarios, events, robustness."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from expectkit.clock import (
    AgentReply,
    AttributesChanged,
    Clock,
    CustomerMessage,
    EscalationPoint,
    MetricStatus,
    PriorityChanged,
    ReplayReport,
    StatusChanged,
    TicketCreated,
    TicketReopened,
    read_events,
    write_events,
)
from expectkit.errors import (
    EventError,
    ExpectkitError,
    InputTypeError,
    NaiveDatetimeError,
    PendingTicketError,
    PolicyError,
)
from expectkit.policy import DEFAULT_TRIGGERS, Escalation, Policy, Rule, Target
from test_policy import DESIGN_POLICY

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_EVENTS = ROOT / "examples" / "events" / "tickets.jsonl"
BERLIN = ZoneInfo("Europe/Berlin")
US = timedelta(microseconds=1)


def berlin(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026, Berlin wall time (CET all month)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN)


# Mon 23 to Fri 27 November 2026 is an ordinary working week in Berlin.
MON, TUE, WED, THU, FRI, SAT = 23, 24, 25, 26, 27, 28

# A helpdesk policy in the style of public SLA documentation: an urgent tier and a
# standard one, every metric, escalation points on the standard first response.
HELPDESK = """\
schedules:
  office: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}
channels:
  email: {kind: email, schedule: office}
  chat: {kind: chat, mode: live, schedule: office, offline: email}
rules:
  - name: urgent
    match: {priority: urgent}
    first_response: {promise: "1 business hour", target: "30 business minutes"}
    next_response: {promise: "2 business hours"}
    resolution: {promise: "1 business day", target: "4 business hours"}
    periodic_update: {promise: "2 business hours"}
  - name: standard
    first_response:
      promise: "8 business hours"
      target: "4 business hours"
      escalations:
        - {name: remind, at: "50% target"}
        - {name: escalate, at: "100% target"}
        - {name: manager, at: "100% promise"}
    next_response: {promise: "8 business hours"}
    resolution: {promise: "5 business days", target: "3 business days"}
    follow_up: {promise: "1 week"}
    requester_wait: {promise: "3 business days"}
    agent_work: {promise: "2 business days"}
"""


@pytest.fixture(scope="module")
def design() -> Policy:
    return Policy.loads(DESIGN_POLICY, source="design.yaml")


@pytest.fixture(scope="module")
def helpdesk() -> Policy:
    return Policy.loads(HELPDESK, source="helpdesk.yaml")


def event(kind: str, at: datetime, ticket: str = "T1", **fields: Any) -> dict[str, Any]:
    return {"ticket": ticket, "type": kind, "at": at.isoformat(), **fields}


def created(at: datetime, channel: str = "email", **fields: Any) -> dict[str, Any]:
    return event("created", at, channel=channel, **fields)


def reply(at: datetime, *, public: bool = True) -> dict[str, Any]:
    return event("agent_reply", at, public=public)


def status(at: datetime, value: str) -> dict[str, Any]:
    return event("status", at, status=value)


def clock_with(policy: Policy, *events: dict[str, Any]) -> Clock:
    clock = Clock(policy)
    clock.replay(events)
    return clock


def state_of(clock: Clock, metric: str, at: datetime, ticket: str = "T1") -> MetricStatus:
    return clock.status(ticket, at)[metric]  # type: ignore[index]


# -- DESIGN.md, "Clock and breach checks": the worked example, every row ----------


class TestDesignBreachTable:
    # (status asked at, events after `created`, first_response state, elapsed)
    ROWS = (
        pytest.param(berlin(MON, 12), [], "on_track", timedelta(hours=3.5), id="mon-1200"),
        pytest.param(berlin(MON, 16), [], "at_risk", timedelta(hours=7.5), id="mon-1600"),
        pytest.param(berlin(TUE, 10), [], "target_missed", timedelta(hours=9.5), id="tue-1000"),
        pytest.param(berlin(THU, 10), [], "breached", timedelta(hours=25.5), id="thu-1000"),
        pytest.param(
            berlin(THU, 10),
            [reply(berlin(MON, 10))],
            "met_target",
            timedelta(hours=1.5),
            id="public-reply-mon-1000",
        ),
        pytest.param(
            berlin(THU, 10),
            [reply(berlin(TUE, 10))],
            "met_promise",
            timedelta(hours=9.5),
            id="public-reply-tue-1000",
        ),
        pytest.param(
            berlin(THU, 10),
            [reply(berlin(MON, 10), public=False)],
            "breached",
            timedelta(hours=25.5),
            id="internal-note-mon-1000",
        ),
    )

    @pytest.mark.parametrize(("asked", "later", "expected", "elapsed"), ROWS)
    def test_row(
        self,
        design: Policy,
        asked: datetime,
        later: list[dict[str, Any]],
        expected: str,
        elapsed: timedelta,
    ) -> None:
        clock = clock_with(
            design,
            {
                "ticket": "T1",
                "type": "created",
                "at": "2026-11-20T16:30:00+01:00",
                "channel": "email",
            },
            *later,
        )
        fr = state_of(clock, "first_response", asked)
        assert fr.state == expected
        assert fr.elapsed == elapsed
        assert fr.target_at == berlin(MON, 17)
        assert fr.breach_at == berlin(WED, 17)
        assert fr.rule == "email"
        assert fr.clock == "business"

    def test_at_risk_compares_with_the_time_to_the_target(self, design: Policy) -> None:
        # 0.5 h + 8 h = 8.5 business hours to the target; 75 % of it is 6 h 22 min 30 s.
        clock = clock_with(design, created(berlin(20, 16, 30)))
        warn_at = berlin(MON, 14, 52, 30)
        assert state_of(clock, "first_response", warn_at - US).state == "on_track"
        assert state_of(clock, "first_response", warn_at).state == "at_risk"
        assert state_of(clock, "first_response", warn_at).passed == (
            EscalationPoint("warn", "75% target", warn_at),
        )

    def test_remaining_counts_business_time_to_the_promise(self, design: Policy) -> None:
        clock = clock_with(design, created(berlin(20, 16, 30)))
        # The promise is 0.5 h + 3 × 8 h = 24.5 business hours away.
        assert state_of(clock, "first_response", berlin(MON, 12)).remaining == timedelta(hours=21)
        assert state_of(clock, "first_response", berlin(THU, 10)).remaining == -timedelta(hours=1)


# -- scenarios in the style of public helpdesk SLA documentation ------------------


class TestReplyDuringPause:
    """The agent asks a question and sets the ticket pending; the customer writes back
    while it is still pending and the agent answers before reopening it: the reply
    stops the response metric, resolution stays paused until the ticket is open."""

    EVENTS = (
        created(berlin(MON, 9)),
        reply(berlin(MON, 10)),
        status(berlin(MON, 10), "pending"),
        event("customer_message", berlin(MON, 11)),
        reply(berlin(MON, 15)),
        status(berlin(TUE, 9), "open"),
    )

    # (asked at, metric, state, target_at, elapsed)
    ROWS = (
        # why: resolution counts 1 h, then pauses; its deadlines are unknown
        (berlin(MON, 12), "resolution", "paused", None, timedelta(hours=1)),
        # why: the customer's message after a public reply starts next_response
        (berlin(MON, 12), "next_response", "on_track", berlin(TUE, 11), timedelta(hours=1)),
        # why: the reply during the pause stops next_response inside its target
        (berlin(MON, 16), "next_response", "met_target", berlin(TUE, 11), timedelta(hours=4)),
        (berlin(MON, 16), "resolution", "paused", None, timedelta(hours=1)),
        # why: reopened Tue 09:00 after 7 paused business hours: Thu 17:00 + 7 h
        (berlin(TUE, 10), "resolution", "on_track", berlin(FRI, 16), timedelta(hours=2)),
        # why: requester_wait pauses on pending too; agent_work also on on_hold
        (berlin(TUE, 10), "requester_wait", "on_track", None, timedelta(hours=2)),
        (berlin(TUE, 10), "agent_work", "on_track", None, timedelta(hours=2)),
    )

    @pytest.mark.parametrize(("asked", "metric", "state", "target_at", "elapsed"), ROWS)
    def test_row(
        self,
        helpdesk: Policy,
        asked: datetime,
        metric: str,
        state: str,
        target_at: datetime | None,
        elapsed: timedelta,
    ) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), metric, asked)
        assert (s.state, s.elapsed) == (state, elapsed)
        if target_at is not None or state == "paused":
            assert s.target_at == target_at

    def test_breach_moves_by_the_paused_business_time(self, helpdesk: Policy) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), "resolution", berlin(TUE, 10))
        # 5 business days end Mon 30 Nov 17:00 (48 business hours); plus 7 paused hours.
        assert s.breach_at == datetime(2026, 12, 1, 16, tzinfo=BERLIN)
        assert s.remaining == timedelta(hours=48) - timedelta(hours=2)


class TestCustomerWritesOutsideHours:
    EVENTS = (
        created(berlin(20, 20)),  # Friday evening
        reply(berlin(20, 21)),  # an agent on late duty answers at once
        event("customer_message", berlin(21, 10)),  # Saturday morning
    )

    ROWS = (
        # why: the reply came before the clock even started counting
        (berlin(21, 12), "first_response", "met_target", timedelta(0)),
        # why: quoted at Saturday 10:00, counting starts Monday 09:00
        (berlin(21, 12), "next_response", "on_track", timedelta(0)),
        (berlin(MON, 14), "next_response", "on_track", timedelta(hours=5)),
        # why: no target: the target is the promise, at risk from 75 % of 8 hours
        (berlin(MON, 15), "next_response", "at_risk", timedelta(hours=6)),
        # why: 8 business hours from Monday 09:00 end Monday 17:00, inclusive
        (berlin(MON, 17), "next_response", "at_risk", timedelta(hours=8)),
        (berlin(MON, 17) + US, "next_response", "breached", timedelta(hours=8)),
        (berlin(MON, 20), "next_response", "breached", timedelta(hours=8)),
    )

    @pytest.mark.parametrize(("asked", "metric", "state", "elapsed"), ROWS)
    def test_row(
        self, helpdesk: Policy, asked: datetime, metric: str, state: str, elapsed: timedelta
    ) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), metric, asked)
        assert (s.state, s.elapsed) == (state, elapsed)

    def test_next_response_is_quoted_at_the_message(self, helpdesk: Policy) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), "next_response", berlin(MON, 12))
        assert s.started_at == berlin(21, 10)
        assert s.breach_at == berlin(MON, 17)
        assert s.cycle == 0


class TestEscalationMidTicket:
    """remind at 50 % of the target, escalate at 100 %, the manager at 100 % of the promise."""

    ROWS: tuple[tuple[datetime, str, list[str], tuple[str, datetime] | None], ...] = (
        (berlin(MON, 10, 59), "on_track", [], ("remind", berlin(MON, 11))),
        # why: a point is reached at its instant (the deadlines themselves are inclusive)
        (berlin(MON, 11), "on_track", ["remind"], ("escalate", berlin(MON, 13))),
        (berlin(MON, 13), "at_risk", ["remind", "escalate"], ("manager", berlin(MON, 17))),
        (berlin(MON, 17), "target_missed", ["remind", "escalate", "manager"], None),
        (berlin(MON, 17) + US, "breached", ["remind", "escalate", "manager"], None),
    )

    @pytest.mark.parametrize(("asked", "state", "passed", "following"), ROWS)
    def test_row(
        self,
        helpdesk: Policy,
        asked: datetime,
        state: str,
        passed: list[str],
        following: tuple[str, datetime] | None,
    ) -> None:
        s = state_of(clock_with(helpdesk, created(berlin(MON, 9))), "first_response", asked)
        assert s.state == state
        assert [p.name for p in s.passed] == passed
        if following is None:
            assert s.next_escalation is None
        else:
            assert s.next_escalation is not None
            assert (s.next_escalation.name, s.next_escalation.at) == following

    def test_a_reply_stops_the_escalations(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)), reply(berlin(MON, 12)))
        s = state_of(clock, "first_response", berlin(TUE, 9))
        assert s.state == "met_target"
        assert [p.name for p in s.passed] == ["remind"]
        assert s.next_escalation is None

    def test_a_reply_exactly_at_a_point_stops_it_in_time(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)), reply(berlin(MON, 13)))
        s = state_of(clock, "first_response", berlin(TUE, 9))
        assert (s.state, [p.name for p in s.passed]) == ("met_target", ["remind"])

    def test_next_deadline_walks_the_points(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)))
        seen = []
        at: datetime | None = berlin(MON, 9)
        while at is not None:
            at = clock.next_deadline("T1", at)
            if at is not None:
                seen.append(at)
        # Resolution, requester wait and agent work change later in the week.
        assert all(t > berlin(MON, 17) + US for t in seen[6:])
        assert seen[:6] == [
            berlin(MON, 11),  # remind
            berlin(MON, 12),  # at risk (75 % of 4 h)
            berlin(MON, 13),  # escalate
            berlin(MON, 13) + US,  # target missed
            berlin(MON, 17),  # manager
            berlin(MON, 17) + US,  # breached
        ]

    def test_points_move_with_a_pause(self) -> None:
        policy = Policy(
            rules=[
                {
                    "name": "r",
                    "first_response": {
                        "promise": "4 hours",
                        "pause_on": ["on_hold"],
                        "escalations": [{"name": "half", "at": "50% promise"}],
                    },
                }
            ]
        )
        start = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(
            policy,
            created(start, "web"),
            status(start + timedelta(hours=1), "on_hold"),
            status(start + timedelta(hours=4), "open"),
        )
        during = state_of(clock, "first_response", start + timedelta(hours=2))
        assert during.state == "paused"
        assert during.next_escalation == EscalationPoint("half", "50% promise", None)
        after = state_of(clock, "first_response", start + timedelta(hours=4))
        assert after.next_escalation == EscalationPoint(
            "half", "50% promise", start + timedelta(hours=5)
        )
        assert after.breach_at == start + timedelta(hours=7)


class TestReopenAfterSolve:
    EVENTS = (
        created(berlin(MON, 9)),
        reply(berlin(MON, 10)),
        status(berlin(TUE, 12), "solved"),
        event("reopened", berlin(WED, 10)),
        reply(berlin(WED, 10, 30)),
        status(berlin(THU, 15), "solved"),
    )

    ROWS = (
        # why: solved Tue 12:00 inside the target (3 business days: Thu 17:00)
        (berlin(TUE, 13), "resolution", "met_target", berlin(TUE, 12), timedelta(hours=11)),
        # why: reopened: resolution resumes; the solved stretch (6 business hours) does not count
        (berlin(WED, 11), "resolution", "on_track", None, timedelta(hours=12)),
        (berlin(THU, 16), "resolution", "met_target", berlin(THU, 15), timedelta(hours=24)),
        # why: the follow-up starts at the solve and the reply after the reopen stops it
        (berlin(WED, 11), "follow_up", "met_target", berlin(WED, 10, 30), timedelta(hours=22.5)),
    )

    @pytest.mark.parametrize(("asked", "metric", "state", "stopped", "elapsed"), ROWS)
    def test_row(
        self,
        helpdesk: Policy,
        asked: datetime,
        metric: str,
        state: str,
        stopped: datetime | None,
        elapsed: timedelta,
    ) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), metric, asked)
        assert (s.state, s.stopped_at, s.elapsed) == (state, stopped, elapsed)

    def test_the_target_moves_by_the_solved_stretch(self, helpdesk: Policy) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), "resolution", berlin(WED, 11))
        assert s.target_at == berlin(FRI, 15)  # Thu 17:00 + 6 business hours

    def test_a_second_solve_starts_a_second_follow_up(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, *self.EVENTS)
        cycles = clock.history("T1", berlin(FRI, 9))["follow_up"]
        assert [(c.cycle, c.state) for c in cycles] == [(0, "met_target"), (1, "on_track")]
        assert cycles[1].started_at == berlin(THU, 15)
        assert cycles[1].breach_at == datetime(2026, 12, 3, 15, tzinfo=BERLIN)  # a week later


class TestReplyExactlyAtTheDeadline:
    # (reply at, first_response state): the promise is Mon 17:00, the target Mon 13:00
    ROWS = (
        (berlin(MON, 13), "met_target"),
        (berlin(MON, 13) + US, "met_promise"),
        (berlin(MON, 17), "met_promise"),
        (berlin(MON, 17) + US, "breached"),
    )

    @pytest.mark.parametrize(("replied", "state"), ROWS)
    def test_row(self, helpdesk: Policy, replied: datetime, state: str) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)), reply(replied))
        assert state_of(clock, "first_response", berlin(TUE, 9)).state == state

    def test_asked_exactly_at_the_due_instant(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)))
        assert state_of(clock, "first_response", berlin(MON, 13)).state == "at_risk"
        assert state_of(clock, "first_response", berlin(MON, 17)).state == "target_missed"

    def test_a_reply_at_the_instant_asked_counts(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)), reply(berlin(MON, 17)))
        assert state_of(clock, "first_response", berlin(MON, 17)).state == "met_promise"


class TestPriorityChange:
    EVENTS = (
        created(berlin(MON, 9)),
        event("priority_changed", berlin(MON, 10), priority="urgent"),
        reply(berlin(MON, 10, 30)),
    )

    def test_requotes_from_the_original_start(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, *self.EVENTS)
        before = state_of(clock, "first_response", berlin(MON, 9, 59))
        assert (before.rule, before.breach_at) == ("standard", berlin(MON, 17))
        # Urgent: 1 business hour from 09:00, not from the change at 10:00.
        at_change = state_of(clock, "first_response", berlin(MON, 10))
        assert (at_change.rule, at_change.target_at, at_change.breach_at) == (
            "urgent",
            berlin(MON, 9, 30),
            berlin(MON, 10),
        )
        assert at_change.state == "target_missed"
        assert [(r.at, r.rule) for r in at_change.rules] == [
            (berlin(MON, 9), "standard"),
            (berlin(MON, 10), "urgent"),
        ]
        assert state_of(clock, "first_response", berlin(MON, 11)).state == "breached"

    def test_resolution_follows_the_new_rule(self, helpdesk: Policy) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), "resolution", berlin(MON, 12))
        assert (s.rule, s.target_at, s.breach_at) == ("urgent", berlin(MON, 13), berlin(TUE, 17))

    def test_a_metric_only_the_new_rule_sets_starts_under_it(self, helpdesk: Policy) -> None:
        s = state_of(clock_with(helpdesk, *self.EVENTS), "periodic_update", berlin(MON, 11))
        assert (s.rule, s.started_at, s.breach_at) == (
            "urgent",
            berlin(MON, 10, 30),
            berlin(MON, 12, 30),
        )

    def test_metrics_the_new_rule_lacks_are_dropped(self, helpdesk: Policy) -> None:
        statuses = clock_with(helpdesk, *self.EVENTS).status("T1", berlin(MON, 11))
        assert "requester_wait" not in statuses
        assert "agent_work" not in statuses

    def test_a_stopped_metric_keeps_its_rule(self, helpdesk: Policy) -> None:
        clock = clock_with(
            helpdesk,
            created(berlin(MON, 9)),
            reply(berlin(MON, 9, 45)),
            event("priority_changed", berlin(MON, 10), priority="urgent"),
        )
        s = state_of(clock, "first_response", berlin(MON, 11))
        assert (s.state, s.rule, len(s.rules)) == ("met_target", "standard", 1)

    def test_an_attribute_change_rematches_too(self, design: Policy) -> None:
        clock = clock_with(
            design,
            created(berlin(20, 16, 30), "social"),
            event("attributes_changed", berlin(20, 17), tags=["complaint"]),
        )
        s = state_of(clock, "first_response", berlin(20, 18))
        assert [r.rule for r in s.rules] == ["default", "social-complaint"]
        assert s.breach_at == berlin(20, 21, 30)


# -- metrics ------------------------------------------------------------------


class TestMetrics:
    def test_requester_wait_and_agent_work_pause_differently(self, helpdesk: Policy) -> None:
        clock = clock_with(
            helpdesk,
            created(berlin(MON, 9)),
            status(berlin(MON, 11), "on_hold"),
            status(berlin(TUE, 9), "open"),
            status(berlin(TUE, 12), "pending"),
            status(berlin(WED, 9), "open"),
            status(berlin(WED, 12), "solved"),
        )
        statuses = clock.status("T1", berlin(THU, 9))
        # why: the customer waits while on hold (8 + 3 + 3 h); the agent works 2 + 3 + 3 h
        assert statuses["requester_wait"].elapsed == timedelta(hours=14)
        assert statuses["agent_work"].elapsed == timedelta(hours=8)
        assert statuses["resolution"].elapsed == timedelta(hours=8)
        assert {statuses[m].state for m in ("requester_wait", "agent_work", "resolution")} == {
            "met_target"
        }

    def test_next_response_cycles_and_history(self, helpdesk: Policy) -> None:
        clock = clock_with(
            helpdesk,
            created(berlin(MON, 9)),
            event("customer_message", berlin(MON, 9, 30)),  # before any reply: first_response's
            reply(berlin(MON, 10)),
            event("customer_message", berlin(MON, 11)),
            event("customer_message", berlin(MON, 12)),  # still the same unanswered cycle
            reply(berlin(TUE, 11)),
            event("customer_message", berlin(TUE, 12)),
        )
        cycles = clock.history("T1", berlin(WED, 9))["next_response"]
        assert [(c.cycle, c.started_at, c.state) for c in cycles] == [
            (0, berlin(MON, 11), "met_target"),  # no target: met at the promise, inclusive
            (1, berlin(TUE, 12), "on_track"),
        ]
        assert clock.status("T1", berlin(WED, 9))["next_response"] == cycles[-1]

    def test_periodic_update_restarts_at_each_public_reply(self, helpdesk: Policy) -> None:
        clock = clock_with(
            helpdesk,
            created(berlin(MON, 9), priority="urgent"),
            reply(berlin(MON, 9, 20)),
            reply(berlin(MON, 11), public=False),  # a note is no update
            reply(berlin(MON, 11, 10)),
            status(berlin(MON, 15), "solved"),
            reply(berlin(MON, 16)),  # after the solve: no new cycle
        )
        cycles = clock.history("T1", berlin(TUE, 9))["periodic_update"]
        assert [(c.started_at, c.stopped_at, c.state) for c in cycles] == [
            (berlin(MON, 9, 20), berlin(MON, 11, 10), "met_target"),
            (berlin(MON, 11, 10), berlin(MON, 15), "breached"),
        ]

    def test_follow_up_is_quoted_at_the_solve(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)), status(berlin(TUE, 12), "solved"))
        s = state_of(clock, "follow_up", berlin(TUE, 13))
        assert (s.started_at, s.breach_at, s.clock) == (
            berlin(TUE, 12),
            datetime(2026, 12, 1, 12, tzinfo=BERLIN),
            "calendar",
        )
        assert "follow_up" not in clock.status("T1", berlin(TUE, 11))

    def test_stop_on_override(self) -> None:
        policy = Policy(
            rules=[{"name": "r", "resolution": {"promise": "3 days", "stop_on": "closed"}}]
        )
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(
            policy,
            created(t0, "web"),
            status(t0 + timedelta(days=1), "solved"),
            status(t0 + timedelta(days=2), "closed"),
        )
        assert state_of(clock, "resolution", t0 + timedelta(days=1, hours=1)).state == "on_track"
        done = state_of(clock, "resolution", t0 + timedelta(days=5))
        assert (done.state, done.stopped_at) == ("met_target", t0 + timedelta(days=2))

    def test_start_on_override(self) -> None:
        # Tickets opened by an agent: the response clock starts when the customer writes.
        policy = Policy(
            rules=[
                {
                    "name": "outbound",
                    "first_response": {"promise": "2 hours", "start_on": "customer_message"},
                }
            ]
        )
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(
            policy,
            created(t0, "web"),
            event("customer_message", t0 + timedelta(hours=5)),
            reply(t0 + timedelta(hours=6)),
        )
        assert "first_response" not in clock.status("T1", t0 + timedelta(hours=4))
        s = state_of(clock, "first_response", t0 + timedelta(hours=7))
        assert (s.started_at, s.state) == (t0 + timedelta(hours=5), "met_target")

    def test_agent_note_can_stop_a_metric_when_asked(self) -> None:
        policy = Policy(
            rules=[
                {
                    "name": "r",
                    "first_response": {
                        "promise": "2 hours",
                        "stop_on": ["agent_reply", "agent_note"],
                    },
                }
            ]
        )
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(policy, created(t0, "web"), reply(t0 + timedelta(hours=1), public=False))
        assert state_of(clock, "first_response", t0 + timedelta(hours=3)).state == "met_target"

    def test_warn_per_target_and_per_clock(self) -> None:
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        own = Policy(rules=[{"name": "r", "resolution": {"promise": "10 hours", "warn": 0.5}}])
        plain = Policy(rules=[{"name": "r", "resolution": {"promise": "10 hours"}}])
        events = [created(t0, "web")]
        at = t0 + timedelta(hours=6)
        assert state_of(clock_with(own, *events), "resolution", at).state == "at_risk"
        assert state_of(clock_with(plain, *events), "resolution", at).state == "on_track"
        clock = Clock(plain, warn=0.6)
        clock.replay(events)
        assert state_of(clock, "resolution", at).state == "at_risk"

    def test_lead_times_and_unmatched_tickets_have_no_status(self) -> None:
        policy = Policy(
            rules=[
                {
                    "name": "promo",
                    "match": {"channel": "promo"},
                    "follow_up": {"promise": "3-5 days", "direction": "before"},
                },
                {"name": "web", "match": {"channel": "web"}, "resolution": {"promise": "1 day"}},
            ]
        )
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(
            policy,
            created(t0, "promo"),
            status(t0, "solved"),
            created(t0, "fax") | {"ticket": "T2"},
        )
        assert clock.status("T1", t0 + timedelta(hours=1)) == {}
        assert clock.status("T2", t0 + timedelta(hours=1)) == {}

    def test_a_ticket_created_paused_counts_nothing(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)), status(berlin(MON, 9), "pending"))
        s = state_of(clock, "resolution", berlin(TUE, 9))
        assert (s.state, s.elapsed) == ("paused", timedelta(0))

    def test_a_stretch_both_stopped_and_paused_counts_once(self) -> None:
        # Rule a stops resolution on hold; after the re-match rule b pauses it there.
        policy = Policy(
            priorities=["a", "b"],
            rules=[
                {
                    "name": "a",
                    "match": {"priority": "a"},
                    "resolution": {
                        "promise": "10 hours",
                        "stop_on": ["on_hold", "solved"],
                        "pause_on": [],
                    },
                },
                {"name": "b", "resolution": {"promise": "10 hours", "pause_on": "on_hold"}},
            ],
        )
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(
            policy,
            created(t0, "web", priority="a"),
            status(t0 + timedelta(hours=1), "on_hold"),
            status(t0 + timedelta(hours=3), "open"),
            event("priority_changed", t0 + timedelta(hours=4), priority="b"),
        )
        s = state_of(clock, "resolution", t0 + timedelta(hours=5))
        assert (s.rule, s.elapsed) == ("b", timedelta(hours=3))
        assert s.breach_at == t0 + timedelta(hours=12)

    def test_breached_before_a_pause_stays_breached(self) -> None:
        policy = Policy(rules=[{"name": "r", "resolution": {"promise": "2 hours"}}])
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(policy, created(t0, "web"), status(t0 + timedelta(hours=3), "pending"))
        s = state_of(clock, "resolution", t0 + timedelta(hours=4))
        assert (s.state, s.breach_at) == ("breached", t0 + timedelta(hours=2))

    def test_a_solve_during_a_pause_at_the_deadline_meets_it(self) -> None:
        # The pause began with no running time left; no running time passed since.
        policy = Policy(rules=[{"name": "r", "resolution": {"promise": "2 hours"}}])
        t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
        clock = clock_with(
            policy,
            created(t0, "web"),
            status(t0 + timedelta(hours=2), "pending"),
            status(t0 + timedelta(hours=5), "solved"),
        )
        s = state_of(clock, "resolution", t0 + timedelta(hours=6))
        assert (s.state, s.breach_at) == ("met_target", t0 + timedelta(hours=5))


# -- next_deadline ------------------------------------------------------------


class TestNextDeadline:
    def test_nothing_changes_once_stopped(self, design: Policy) -> None:
        clock = clock_with(design, created(berlin(20, 16, 30)), reply(berlin(MON, 10)))
        assert clock.next_deadline("T1", berlin(MON, 11)) is None

    def test_a_later_event_is_a_change(self, design: Policy) -> None:
        clock = clock_with(design, created(berlin(20, 16, 30)), reply(berlin(MON, 10)))
        assert clock.next_deadline("T1", berlin(MON, 9)) == berlin(MON, 10)

    def test_an_event_that_changes_nothing_is_skipped(self, design: Policy) -> None:
        clock = clock_with(
            design, created(berlin(20, 16, 30)), reply(berlin(MON, 10), public=False)
        )
        assert clock.next_deadline("T1", berlin(MON, 9)) == berlin(MON, 14, 52, 30)

    def test_nothing_while_paused(self, helpdesk: Policy) -> None:
        clock = clock_with(
            helpdesk,
            created(berlin(MON, 9)),
            reply(berlin(MON, 9, 5)),
            status(berlin(MON, 10), "pending"),
        )
        assert clock.next_deadline("T1", berlin(MON, 11)) is None

    def test_the_zone_is_the_metric_schedule(self, design: Policy) -> None:
        clock = clock_with(design, created(berlin(20, 16, 30)))
        found = clock.next_deadline("T1", datetime(2026, 11, 23, 8, tzinfo=UTC))
        assert found == berlin(MON, 14, 52, 30)
        assert found is not None
        assert found.tzinfo == BERLIN


# -- events -------------------------------------------------------------------


class TestEvents:
    def test_models(self) -> None:
        at = berlin(MON, 9)
        assert TicketCreated(ticket="T", at=at, channel="email").request().channel == "email"
        assert CustomerMessage(ticket="T", at=at).type == "customer_message"
        assert AgentReply(ticket="T", at=at).public is True
        assert StatusChanged(ticket="T", at=at, status="on_hold").status == "on_hold"
        assert PriorityChanged(ticket="T", at=at, priority=None).priority is None
        assert AttributesChanged(ticket="T", at=at, attributes={"plan": None}).attributes == {
            "plan": None
        }
        assert TicketReopened(ticket="T", at=at).type == "reopened"

    def test_json_round_trip(self) -> None:
        lines = EXAMPLE_EVENTS.read_text().splitlines()
        events = list(read_events(lines))
        out = io.StringIO()
        assert write_events(events, out) == len(lines)
        assert list(read_events(out.getvalue().splitlines())) == events
        for line, e in zip(lines, events, strict=True):
            assert json.loads(e.to_json()) == json.loads(line)

    def test_write_to_a_path(self, tmp_path: Path) -> None:
        path = tmp_path / "out.jsonl"
        write_events([created(berlin(MON, 9)), reply(berlin(MON, 10))], path)
        assert [e.type for e in read_events(path)] == ["created", "agent_reply"]

    @pytest.mark.parametrize(
        ("line", "error", "message"),
        [
            pytest.param(
                '{"ticket": "T7", "type": "agent_reply", "at": "2026-11-23T10:00:00"}',
                NaiveDatetimeError,
                r"^line 2, ticket 'T7': .*at.*naive",
                id="naive",
            ),
            pytest.param(
                '{"ticket": "T7", "type": "escalated", "at": "2026-11-23T10:00:00Z"}',
                EventError,
                r"^line 2, ticket 'T7': unknown event type 'escalated' \(expected one of 'created'",
                id="unknown-type",
            ),
            pytest.param(
                '{"ticket": "T7", "at": "2026-11-23T10:00:00Z"}',
                EventError,
                r"^line 2, ticket 'T7': the event has no 'type'",
                id="no-type",
            ),
            pytest.param(
                '{"ticket": "T7", "type": "status", "at": "2026-11-23T10:00Z", "status": "done"}',
                EventError,
                r"^line 2, ticket 'T7': status\.status: .*'done'",
                id="bad-status",
            ),
            pytest.param(
                '{"ticket": "T7", "type": "agent_reply", "at": "2026-11-23T10:00:00Z", "by": "x"}',
                EventError,
                r"^line 2, ticket 'T7': agent_reply\.by: Extra inputs",
                id="extra-field",
            ),
            pytest.param('{"ticket": "T7", ', EventError, r"^line 2: invalid JSON", id="json"),
            pytest.param('["T7"]', EventError, r"^line 2: an event is a JSON object", id="array"),
        ],
    )
    def test_errors_name_the_line_and_the_ticket(
        self, line: str, error: type[ExpectkitError], message: str
    ) -> None:
        first = '{"ticket": "T1", "type": "created", "at": "2026-11-23T09:00:00Z", "channel": "x"}'
        with pytest.raises(error, match=message):
            list(read_events([first, line]))
        with pytest.raises(error, match=message):
            Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 day"}}])).replay(
                [first, line]
            )

    def test_file_errors_name_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "events.jsonl"
        path.write_text('\n{"ticket": "T1", "type": "created", "at": "2026-11-23T09:00:00"}\n')
        with pytest.raises(NaiveDatetimeError, match=rf"^{path}, line 2, ticket 'T1'"):
            list(read_events(path))
        with pytest.raises(EventError, match="cannot read the events file"):
            list(read_events(tmp_path / "missing.jsonl"))

    def test_constructor_errors(self) -> None:
        with pytest.raises(NaiveDatetimeError, match="naive"):
            AgentReply(ticket="T", at=datetime(2026, 11, 23, 10))
        with pytest.raises(EventError, match="customer_tz"):
            TicketCreated(ticket="T", at=berlin(MON, 9), channel="x", customer_tz="Mars/Base")
        with pytest.raises(EventError, match="at least one"):
            AttributesChanged(ticket="T", at=berlin(MON, 9))
        with pytest.raises(EventError, match="ticket"):
            CustomerMessage(ticket="", at=berlin(MON, 9))
        with pytest.raises(InputTypeError):
            list(read_events(42))  # type: ignore[arg-type]
        with pytest.raises(EventError, match="got int 42"):
            list(read_events([42]))  # type: ignore[list-item]


# -- replay -------------------------------------------------------------------


def _lines() -> list[str]:
    return EXAMPLE_EVENTS.read_text().splitlines()


class TestReplay:
    def test_counts_in_equal_counts_out(self, design: Policy) -> None:
        report = Clock(design).replay(EXAMPLE_EVENTS)
        assert report == ReplayReport(
            events_in=33, events_used=32, duplicates_ignored=1, tickets=7, blank_lines=0
        )

    def test_a_path_a_generator_lines_mappings_models_agree(self, design: Policy) -> None:
        def generator() -> Iterator[str]:
            yield from _lines()

        sources: list[Any] = [
            EXAMPLE_EVENTS,
            str(EXAMPLE_EVENTS),
            generator(),
            [line.encode() for line in _lines()],
            [json.loads(line) for line in _lines()],
            list(read_events(EXAMPLE_EVENTS)),
        ]
        answers = []
        for source in sources:
            clock = Clock(design)
            assert clock.replay(source).events_used == 32
            answers.append([clock.status(t, berlin(24, 16)) for t in sorted(clock.tickets)])
        assert all(a == answers[0] for a in answers)

    def test_blank_lines_are_counted_apart(self, design: Policy) -> None:
        report = Clock(design).replay(["", *_lines()[:3], "   "])
        assert (report.events_in, report.blank_lines) == (3, 2)

    def test_duplicates_across_replays(self, design: Policy) -> None:
        clock = Clock(design)
        clock.replay(_lines()[:10])
        report = clock.replay(_lines())
        assert (report.events_in, report.events_used, report.duplicates_ignored) == (33, 22, 11)
        assert len(clock) == 7

    def test_out_of_order_input_gives_the_same_answers(self, design: Policy) -> None:
        ordered = Clock(design)
        lines: list[str] = sorted(_lines(), key=lambda line: str(json.loads(line)["at"]))
        ordered.replay(lines)
        shuffled = Clock(design)
        shuffled.replay(list(reversed(_lines())))
        for ticket in ordered.tickets:
            # Equal instants keep their input order, so compare the events as a set.
            assert sorted(e.to_json() for e in ordered.events(ticket)) == sorted(
                e.to_json() for e in shuffled.events(ticket)
            )
            for day in (21, MON, TUE, THU):
                assert ordered.status(ticket, berlin(day, 12)) == shuffled.status(
                    ticket, berlin(day, 12)
                )

    def test_equal_instants_keep_input_order_after_created(self, helpdesk: Policy) -> None:
        t = berlin(MON, 9)
        clock = clock_with(helpdesk, reply(t), created(t), status(t, "solved"))
        assert [e.type for e in clock.events("T1")] == ["created", "agent_reply", "status"]
        assert state_of(clock, "first_response", t).state == "met_target"

    @pytest.mark.parametrize(
        ("events", "message"),
        [
            pytest.param(
                [created(berlin(MON, 9)), reply(berlin(MON, 8))],
                r"^line 2, ticket 'T1': an event at 2026-11-23T07:00:00\+00:00 comes before",
                id="before-created",
            ),
            pytest.param(
                [created(berlin(MON, 9)), reply(berlin(MON, 10)), created(berlin(MON, 11))],
                r"^line 3, ticket 'T1': a second 'created' event \(the first is on line 1\)",
                id="second-created",
            ),
            pytest.param(
                [created(berlin(MON, 9)), reply(datetime(9999, 12, 31, 23, tzinfo=UTC))],
                r"^line 2, ticket 'T1': at: 9999-12-31T23:00:00\+00:00 is outside the supported",
                id="far-year",
            ),
            pytest.param(
                [created(berlin(MON, 9), "fax")],
                r"^line 1, ticket 'T1': unknown channel 'fax'",
                id="unknown-channel",
            ),
            pytest.param(
                [
                    created(berlin(MON, 9)),
                    event("attributes_changed", berlin(MON, 10), channel="fax"),
                ],
                r"^line 2, ticket 'T1': unknown channel 'fax'",
                id="unknown-channel-change",
            ),
        ],
    )
    def test_order_errors_name_the_line_and_the_ticket(
        self, helpdesk: Policy, events: list[dict[str, Any]], message: str
    ) -> None:
        clock = Clock(helpdesk)
        with pytest.raises(EventError, match=message):
            clock.replay(events)
        assert len(clock) == 0  # nothing was added

    def test_a_second_created_in_a_later_input(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)))
        with pytest.raises(EventError, match=r"line 1, .* \(the first is on an earlier input\)"):
            clock.replay([created(berlin(MON, 10))])
        # an exact repeat is a duplicate, not a second ticket
        assert clock.replay([created(berlin(MON, 9))]).duplicates_ignored == 1

    def test_a_late_created_keeps_the_events_pending(self, helpdesk: Policy) -> None:
        # why: a reply may arrive in one input and its ticket's creation in a later one
        clock = clock_with(helpdesk, created(berlin(MON, 9), ticket="T2"))
        early = clock.replay(
            [
                reply(berlin(MON, 10)),
                reply(berlin(MON, 10)),
                event("agent_reply", berlin(MON, 10), ticket="T2"),
            ]
        )
        assert (early.events_in, early.events_used, early.duplicates_ignored, early.pending) == (
            3,
            1,
            1,
            1,
        )
        assert dict(clock.pending) == {"T1": 1}
        assert clock.tickets == ("T2",)
        with pytest.raises(PendingTicketError, match=r"ticket 'T1': 1 events .* pending"):
            clock.status("T1", berlin(MON, 12))
        late = clock.replay([created(berlin(MON, 9)), reply(berlin(MON, 10))])
        assert (late.events_in, late.events_used, late.duplicates_ignored) == (2, 1, 1)
        assert late.released == 1
        assert dict(clock.pending) == {}
        assert state_of(clock, "first_response", berlin(MON, 12)).state == "met_target"

    def test_a_pending_event_before_created_rejects_that_input(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, reply(berlin(MON, 8)))
        with pytest.raises(EventError, match=r"^ticket 'T1': an event at .* comes before"):
            clock.replay([created(berlin(MON, 9))])
        assert dict(clock.pending) == {"T1": 1}  # nothing changed

    @pytest.mark.parametrize(
        "at", ["0001-01-01T00:00:00+00:00", "1899-12-31T12:00:00+00:00", "2200-01-01T00:00:00Z"]
    )
    def test_far_years_are_refused_on_the_way_in(self, helpdesk: Policy, at: str) -> None:
        # why: a year-1 or 9999 event used to be accepted and fail later in status()
        clock = Clock(helpdesk)
        bad = {"ticket": "T1", "type": "created", "at": at, "channel": "email"}
        with pytest.raises(EventError, match=r"^line 2, ticket 'T1': at: .* outside the supported"):
            clock.replay([created(berlin(MON, 9), ticket="T0"), bad])
        assert len(clock) == 0

    def test_a_shared_clock_loses_no_event_across_threads(self, helpdesk: Policy) -> None:
        # why: 8 threads replaying into one clock used to lose most events silently
        from concurrent.futures import ThreadPoolExecutor

        clock = Clock(helpdesk)

        def shard(k: int) -> ReplayReport:
            lines = []
            for i in range(k, 400, 8):
                lines += [
                    created(berlin(MON, 9), ticket=f"T{i}", segment=f"s{i % 13}"),
                    event("agent_reply", berlin(MON, 10), ticket=f"T{i}"),
                ]
            return clock.replay(lines)

        with ThreadPoolExecutor(8) as pool:
            reports = list(pool.map(shard, range(8)))
        assert sum(r.events_used for r in reports) == 800
        assert len(clock) == 400
        assert all(len(clock.events(t)) == 2 for t in clock.tickets)
        # every ticket kept its own request (interning from several threads at once)
        for t in clock.tickets:
            first = clock.events(t)[0]
            assert isinstance(first, TicketCreated)
            assert first.segment == f"s{int(t[1:]) % 13}"

    def test_a_failed_replay_changes_nothing(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)))
        before = clock.events("T1")
        with pytest.raises(EventError):
            clock.replay([reply(berlin(MON, 10)), created(berlin(MON, 9), ticket="T2") | {"x": 1}])
        assert clock.events("T1") == before
        assert clock.tickets == ("T1",)

    def test_forget(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)))
        assert "T1" in clock
        clock.forget("T1")
        assert "T1" not in clock
        with pytest.raises(EventError, match="no events"):
            clock.forget("T1")

    def test_questions_check_their_arguments(self, helpdesk: Policy) -> None:
        clock = clock_with(helpdesk, created(berlin(MON, 9)))
        with pytest.raises(EventError, match=r"^ticket 'T9': the clock has no events"):
            clock.status("T9", berlin(MON, 10))
        with pytest.raises(NaiveDatetimeError, match=r"^at: "):
            clock.status("T1", datetime(2026, 11, 23, 10))
        with pytest.raises(InputTypeError):
            clock.next_deadline("T1", "2026-11-23")  # type: ignore[arg-type]
        assert clock.status("T1", berlin(MON, 8)) == {}
        assert clock.history("T1", berlin(MON, 8)) == {}

    def test_clock_arguments(self, helpdesk: Policy) -> None:
        with pytest.raises(PolicyError, match="warn"):
            Clock(helpdesk, warn=0)
        with pytest.raises(PolicyError, match="warn"):
            Clock(helpdesk, warn=1.5)
        with pytest.raises(InputTypeError):
            Clock({"rules": []})  # type: ignore[arg-type]
        assert (Clock(helpdesk, warn=0.5).warn, Clock(helpdesk).policy) == (0.5, helpdesk)


# -- the example file -----------------------------------------------------------


class TestExampleFile:
    # (ticket, asked at, first_response state, rule) — the design policy
    ROWS = (
        ("T-1001", berlin(TUE, 16), "met_target", "email"),  # replied Mon 10:00; a note first
        ("T-1002", berlin(TUE, 16), "at_risk", "email"),  # written Fri 18:10: counts from Mon
        ("T-1002", berlin(30, 12), "met_promise", "email"),  # replied Wed 09:30
        ("T-1003", berlin(TUE, 16), "met_target", "chat"),  # 20 s on live chat
        ("T-1004", berlin(TUE, 16), "met_target", "email"),  # chat at 19:00 → offline → email
        ("T-1005", berlin(21, 9), "met_target", "social-complaint"),
        ("T-1006", berlin(TUE, 16), "breached", "social-complaint"),  # tagged complaint Monday
        ("T-1007", berlin(TUE, 16), "at_risk", "email"),
        ("T-1007", berlin(30, 12), "breached", "email"),
    )

    @pytest.mark.parametrize(("ticket", "asked", "state", "rule"), ROWS)
    def test_row(self, design: Policy, ticket: str, asked: datetime, state: str, rule: str) -> None:
        clock = Clock(design)
        clock.replay(EXAMPLE_EVENTS)
        s = clock.status(ticket, asked)["first_response"]
        assert (s.state, s.rule) == (state, rule)


# -- policy settings ------------------------------------------------------------


class TestPolicySettings:
    def test_defaults(self) -> None:
        target = Target(promise="1 week")
        assert target.triggers("resolution") == DEFAULT_TRIGGERS["resolution"]
        assert target.triggers("first_response").stop_on == ("agent_reply",)
        assert (target.warn, target.escalations) == (None, None)

    def test_escalation_form(self) -> None:
        assert Escalation(name="x", at="33.30 %  of promise").at == "33.3% promise"
        for bad in ("0% target", "1001% target", "50% deadline", "half target"):
            with pytest.raises(PolicyError, match="at:"):
                Escalation(name="x", at=bad)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            (
                {"resolution": {"promise": "1 week", "stop_on": "agent_reply"}},
                r"resolution\.stop_on",
            ),
            (
                {"first_response": {"promise": "1 day", "start_on": "agent_reply"}},
                r"first_response\.stop_on: 'agent_reply' also starts",
            ),
            (
                {"resolution": {"promise": "1 week", "pause_on": ["solved"]}},
                r"resolution\.pause_on: 'solved' also stops",
            ),
            ({"resolution": {"promise": "1 week", "pause_on": ["waiting"]}}, "pause_on"),
            ({"resolution": {"promise": "1 week", "start_on": []}}, "start_on"),
            ({"resolution": {"promise": "1 week", "warn": 0}}, "warn"),
            (
                {
                    "resolution": {
                        "promise": "1 week",
                        "escalations": [
                            {"name": "a", "at": "50% target"},
                            {"name": "a", "at": "60% target"},
                        ],
                    }
                },
                "used twice",
            ),
        ],
    )
    def test_bad_settings(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            Rule(name="r", **fields)

    def test_load_and_round_trip(self, helpdesk: Policy) -> None:
        assert Policy.loads(helpdesk.dumps()) == helpdesk
        points = helpdesk.rules[1].first_response.escalations  # type: ignore[union-attr]
        assert [(e.name, e.at) for e in points or ()] == [
            ("remind", "50% target"),
            ("escalate", "100% target"),
            ("manager", "100% promise"),
        ]

    def test_errors_in_files_name_the_line(self) -> None:
        text = HELPDESK.replace(
            'next_response: {promise: "2 business hours"}',
            'next_response: {promise: "2 business hours", pause_on: [later]}',
        )
        with pytest.raises(
            PolicyError, match=r"helpdesk\.yaml, line 10, rules\[0\]\.next_response\.pause_on\[0\]"
        ):
            Policy.loads(text, source="helpdesk.yaml")

    def test_clock_metric_schedules_are_checked(self) -> None:
        with pytest.raises(PolicyError, match=r"agent_work\.schedule: unknown schedule"):
            Policy(rules=[{"name": "r", "agent_work": {"promise": "1 day", "schedule": "x"}}])
