"""Compiled quote plans: the same quotes, explanations and errors as the datetime path."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from expectkit import Policy, quote
from expectkit.promises.buffers import Rounding
from expectkit.promises.calculator import _quote_target
from expectkit.promises.explanation import Trace
from expectkit.promises.plans import MetricPlan, _us_of
from expectkit.promises.targets import Target
from strategies import ScheduleCase, instants, schedule_cases

BERLIN = ZoneInfo("Europe/Berlin")

WINDOWS = [
    "2 hours",
    "3-5 hours",
    "90 minutes",
    "0 hours",
    "4-8 business hours",
    "30 business minutes",
    "0 business hours",
    "1-3 business days",
    "0 business days",
    "2 business days",
    "1-2 days",
    "1 week",
    "1 month",
]
BUFFERS: list[dict[str, Any] | None] = [
    None,
    {"ratio": 0.5},
    {"ratio": "2/3"},
    {"margin": "2 hours"},
    {"margin": "1 business hour"},
    {"margin": "1 business day"},
    {"margin": "1 day"},
]
ROUNDINGS = ["none", "15min", "1h", "30min", "end_of_day", "5min"]


@st.composite
def targets(draw: st.DrawFn) -> dict[str, Any]:
    """A target as a policy writes it: promise and/or target window, buffer, day mode."""
    shape = draw(st.sampled_from(["promise", "promise+target", "promise+buffer", "target+buffer"]))
    fields: dict[str, Any] = {"day_mode": draw(st.sampled_from(["end_of_day", "same_time"]))}
    buffer = draw(st.sampled_from(BUFFERS[1:]))
    if shape.startswith("promise"):
        fields["promise"] = draw(st.sampled_from(WINDOWS))
    if shape.endswith("target") or shape == "target+buffer":
        fields["target"] = draw(st.sampled_from(WINDOWS))
    if shape.endswith("buffer"):
        fields["buffer"] = buffer
    if draw(st.booleans()):
        fields["rounding"] = draw(st.sampled_from(ROUNDINGS))
    return fields


def _policy(case: ScheduleCase, target: dict[str, Any]) -> Policy | None:
    try:
        return Policy(
            schedules={"hours": case.build()},
            channels={"web": {"kind": "web_form", "schedule": "hours"}},
            rules=[{"name": "r", "resolution": target}],
        )
    except Exception:  # a combination the policy refuses (e.g. a promise shorter than a target)
        return None


def _both(policy: Policy, at: datetime) -> tuple[Any, Any]:
    rule = policy.rules[0]
    target = rule.resolution
    assert isinstance(target, Target)
    schedule = policy.schedule("hours")
    rounding = target.rounding if target.rounding is not None else policy.rounding
    plan = MetricPlan("resolution", target, "r", schedule, "hours", rounding)
    common = Trace.of(())
    channel = policy.channel("web")

    def planned() -> Any:
        return plan.quote(at, _us_of(at), "web", common)

    def reference() -> Any:
        return _quote_target(
            "resolution", target, rule, channel, schedule, "hours", at, rounding, common
        )

    outcomes: list[Any] = []
    for run in (planned, reference):
        try:
            outcomes.append(run())
        except Exception as exc:  # the kinds are compared below
            outcomes.append(exc)
    return outcomes[0], outcomes[1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), case=schedule_cases(), target=targets())
def test_plan_equals_datetime_path(
    data: st.DataObject, case: ScheduleCase, target: dict[str, Any]
) -> None:
    policy = _policy(case, target)
    assume(policy is not None)
    assert policy is not None
    at = data.draw(instants(case))
    planned, reference = _both(policy, at)
    if isinstance(reference, Exception):
        # quote() then answers the datetime way, so only the error matters.
        assert isinstance(planned, Exception) or planned is not None
        with pytest.raises(type(reference)):
            quote(policy, {"channel": "web"}, at=at)
        return
    if isinstance(planned, ValueError) and "fold" in str(planned):
        planned = quote(policy, {"channel": "web"}, at=at)["resolution"]  # decided by datetimes
        assert planned.explain().endswith(reference.explain().split("\n", 1)[1])
        return
    assert not isinstance(planned, Exception), planned
    assert planned == reference
    assert planned.steps == reference.steps
    assert planned.explain() == reference.explain()
    lines = quote(policy, {"channel": "web"}, at=at)["resolution"].explain().splitlines()
    assert [line for line in lines if not line.startswith(("  policy:", "  rule:"))] == (
        reference.explain().splitlines()
    )


class TestRounding:
    # why: the fast step rounding must hand DST nights to the datetime rules.
    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            # spring forward: 02:00 does not exist, the next boundary is 03:00 CEST
            (datetime(2026, 3, 29, 0, 55, tzinfo=UTC), "2026-03-29T03:00:00+02:00"),
            # fall back, first pass: the wall clock never steps back
            (datetime(2026, 10, 25, 0, 50, tzinfo=UTC), "2026-10-25T03:00:00+01:00"),
            # fall back, second pass: rounds within it
            (datetime(2026, 10, 25, 1, 5, tzinfo=UTC), "2026-10-25T02:15:00+01:00"),
            # an ordinary day
            (datetime(2026, 11, 2, 10, 7, tzinfo=UTC), "2026-11-02T11:15:00+01:00"),
        ],
    )
    def test_step_rounding_around_dst(self, at: datetime, expected: str) -> None:
        policy = Policy(
            schedules={"b": {"tz": "Europe/Berlin", "weekly": {"mon-sun": ["00:00-24:00"]}}},
            channels={"web": {"kind": "web_form", "schedule": "b"}},
            rules=[{"name": "r", "resolution": {"promise": "0 hours", "rounding": "15min"}}],
        )
        assert quote(policy, {"channel": "web"}, at=at)["resolution"].promised_at.isoformat() == (
            expected
        )

    def test_a_plan_is_kept_with_the_policy(self) -> None:
        policy = Policy(rules=[{"name": "r", "resolution": {"promise": "1 business day"}}])
        at = datetime(2026, 1, 5, 9, tzinfo=UTC)
        quote(policy, {"channel": "web"}, at=at)
        plans = [p for p in policy._state().plans.values() if isinstance(p, MetricPlan)]
        quote(policy, {"channel": "web"}, at=at + timedelta(hours=1))
        again = [p for p in policy._state().plans.values() if isinstance(p, MetricPlan)]
        assert len(plans) == 1
        assert again == plans


def test_explanation_is_made_when_read() -> None:
    policy = Policy(rules=[{"name": "r", "resolution": {"promise": "2 hours"}}])
    q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))["resolution"]
    assert q._trace._steps is None
    assert [s.kind for s in q.steps] == [
        "policy",
        "rule",
        "clock",
        "start",
        "window",
        "target",
        "rounding",
    ]
    assert q._trace._steps is not None
    assert Rounding.parse("none").kind == "none"


def test_copies_of_a_policy_compile_their_own_plans() -> None:
    policy = Policy(rules=[{"name": "r", "resolution": {"promise": "2 business hours"}}])
    at = datetime(2026, 1, 5, 8, tzinfo=UTC)
    first = quote(policy, {"channel": "web"}, at=at)["resolution"]
    for copied in (copy.deepcopy(policy), pickle.loads(pickle.dumps(policy))):
        again = quote(copied, {"channel": "web"}, at=at)["resolution"]
        assert again.promised_at == first.promised_at
        assert again.explain() == first.explain()


def test_a_metric_quote_pickles_with_its_steps() -> None:
    policy = Policy(rules=[{"name": "r", "resolution": {"promise": "3-5 hours"}}])
    q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))["resolution"]
    back = pickle.loads(pickle.dumps(q))
    assert back == q
    assert back.explain() == q.explain()


def test_a_buffer_step_shows_the_elapsed_span_across_dst() -> None:
    # why: a calendar clock counts elapsed time; across the spring change a month from
    # 1995-03-18 is 743 hours, and the target is half of those, not of the wall's 744.
    policy = Policy(
        schedules={"h": {"tz": "Europe/Berlin", "weekly": {"mon-sun": ["00:00-24:00"]}}},
        channels={"web": {"kind": "web_form", "schedule": "h"}},
        rules=[{"name": "r", "resolution": {"promise": "1 month", "buffer": {"ratio": 0.5}}}],
    )
    at = datetime(1995, 3, 18, 2, 0, tzinfo=BERLIN)
    q = quote(policy, {"channel": "web"}, at=at)["resolution"]
    text = q.explain()
    assert "buffer ratio 0.5 on 743 h of elapsed time from Sat 1995-03-18 02:00 CET" in text
    elapsed = q.promised_at.astimezone(UTC) - at.astimezone(UTC)
    assert elapsed == timedelta(hours=743)
    assert q.target_at.astimezone(UTC) - at.astimezone(UTC) == elapsed / 2


def test_a_repeated_wall_time_is_decided_by_datetimes() -> None:
    # why: 02:00 CET on 1995-09-24 is the second pass of a fall-back; datetimes of two
    # zones never compare equal there (PEP 495), and the explanation has always said so.
    policy = Policy(
        schedules={"h": {"tz": "Europe/Berlin", "weekly": {"mon-sun": ["00:00-24:00"]}}},
        channels={"web": {"kind": "web_form", "schedule": "h"}},
        rules=[{"name": "r", "resolution": {"promise": "4-8 business hours"}}],
    )
    text = quote(policy, {"channel": "web"}, at=datetime(1995, 9, 24, 1, 0, tzinfo=UTC))[
        "resolution"
    ].explain()
    assert "start: closed at Sun 1995-09-24 02:00 CET: counting starts at the next opening" in text
