"""Quote a request against a policy: promised and target due times, with the reasons.

:func:`quote` picks the policy in force at the request's instant, follows a live
channel's ``offline`` fallback when the channel is closed, takes the first matching
rule in force, and turns each of the rule's targets into a :class:`MetricQuote`:

* ``promised_range``: the exact ends of the told window ("Mon 17:00 – Wed 17:00");
* ``promised_at``: its upper end rounded *outward* (later) per the target's or the
  policy's rounding — never earlier than the exact promise;
* ``target_at``: what the team aims for, never rounded and never later than the
  exact promise.

Every instant comes back in the zone of the schedule the metric counts on;
:meth:`Commitment.in_zone` shows the same instants in the customer's zone. Quoting
is pure: the same policy, request and instant always give the same commitment.

Each target is quoted through its compiled plan (:mod:`expectkit.promises.plans`),
kept with the policy after the first quote; lead times, and any quote a plan cannot
finish (an error to report), go through the datetime steps below, which the plans
stand for.

>>> from datetime import datetime, timezone
>>> from zoneinfo import ZoneInfo
>>> from expectkit.policy import Policy
>>> policy = Policy.loads('''
... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
... channels: {email: {kind: email, schedule: berlin}}
... rules:
...   - {name: email, first_response: {promise: "1-3 business days", target: "1 business day"}}
... ''')
>>> friday = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
>>> fr = quote(policy, {"channel": "email"}, at=friday)["first_response"]
>>> print(fr.promised_at, fr.target_at)
2026-11-25 17:00:00+01:00 2026-11-23 17:00:00+01:00
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, Literal, cast
from zoneinfo import ZoneInfo

from expectkit._core.errors import ExpectkitError, PolicyError
from expectkit._core.frozen import FrozenDict
from expectkit.promises.buffers import Buffer, Rounding
from expectkit.promises.channels import Channel
from expectkit.promises.commitments import Commitment, MetricQuote
from expectkit.promises.explanation import Raw, Step, StepKind, Trace, _literal, _show_span
from expectkit.promises.metrics import Metric
from expectkit.promises.plans import _HI, _LO, MetricPlan, _us_of
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Request, Rule
from expectkit.promises.targets import Target
from expectkit.promises.windows import Window, _utc
from expectkit.time.schedule import Schedule

__all__ = ["Commitment", "MetricQuote", "Step", "StepKind", "quote"]

# Zones whose attached datetimes need no further check (others go through check_instant).
_PLAIN_ZONES: Final = (ZoneInfo, timezone)


def _policy_in_force(policy: Policy | Sequence[Policy], at: datetime) -> Policy:
    if isinstance(policy, Policy):
        if not policy.in_force(at):
            msg = f"the policy is not in force at {at.isoformat()} ({_period(policy)})"
            raise PolicyError(msg)
        chosen = policy
    else:
        candidates = [p for p in policy if p.in_force(at)]
        if not candidates:
            msg = f"none of the {len(policy)} policies is in force at {at.isoformat()}"
            raise PolicyError(msg)
        chosen = max(
            candidates, key=lambda p: (p.effective_from is not None, p.effective_from or at)
        )
    return chosen


def _period(policy: Policy) -> str:
    start = policy.effective_from.isoformat() if policy.effective_from else "always"
    end = policy.effective_until.isoformat() if policy.effective_until else "open-ended"
    return f"in force from {start} until {end}"


def _as_instant(at: object) -> int:
    """Return `at` in µs since 1970 UTC, once it is known to be an aware instant in range."""
    if type(at) is datetime and isinstance(at.tzinfo, _PLAIN_ZONES):
        x = _us_of(at)
        if _LO <= x <= _HI:
            return x
    _utc(at, "at")  # aware, and in the supported years: else the error says why
    return _us_of(cast("datetime", at))


def quote(
    policy: Policy | Sequence[Policy],
    request: Request | Mapping[str, Any],
    *,
    at: datetime,
    metrics: Iterable[Metric] | None = None,
) -> Commitment:
    """Quote `request`, made at `at`, against the policy in force then.

    A live channel closed at `at` is quoted as its ``offline`` channel (and the
    explanation says so). The first rule in force that matches wins; each of its
    targets is quoted as described in :class:`MetricQuote`.

    Args:
        policy: A policy, or several versions of one: the version in force at `at`
            (the latest ``effective_from`` among those in force) is used, so a policy
            change never rewrites promises made before it.
        request: A :class:`Request` or a mapping of its fields.
        at: The aware instant the request was made (or, for follow-ups, completed).
        metrics: Only these metrics; default all the rule sets.

    Returns:
        The commitment, its instants in each metric's schedule zone.

    Raises:
        NaiveDatetimeError: `at` has no zone.
        InputTypeError: `at` is not a datetime.
        PolicyError: No policy is in force, the channel is unknown, or no rule matches.
        HorizonError: A schedule has no open time within its horizon.

    >>> from datetime import datetime, UTC
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1-2 hours"}}])
    >>> c = quote(policy, Request(channel="email"), at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> c.rule, [t.strftime("%H:%M") for t in c["first_response"].promised_range]
    ('all', ['10:00', '11:00'])

    """
    x = _as_instant(at)
    chosen = _policy_in_force(policy, at)
    asked = Request.coerce(request)
    chosen.check_request(asked)
    channel = chosen.channel(asked.channel)
    plans = chosen._state().plans
    zone = _zone_of(chosen, channel, plans)
    common: list[Raw] = [("policy", _policy_template(chosen, plans), (x,), 0)]

    seen = {channel.name}
    while channel.is_live and channel.offline is not None:
        hours = chosen.schedule(channel.schedule)
        if hours.is_open(at):
            break
        fallback = chosen.channel(channel.offline)
        common.append(
            (
                "channel",
                f"live channel {_literal(channel.name)!r} is closed at {{0}} (it opens "
                f"{{1}}); quoted as its offline channel {_literal(fallback.name)!r}",
                (at.astimezone(hours.zone), hours.next_open(at)),
                0,
            )
        )
        channel = fallback
        if channel.name in seen:  # pragma: no cover - Policy forbids offline loops
            break
        seen.add(channel.name)
    effective = asked if channel.name == asked.channel else _with_channel(asked, channel)

    rule = _match(chosen, effective, at, plans)
    if rule is None:
        msg = (
            f"no rule in force at {at.isoformat()} matches {_describe(effective)}; "
            "add a default rule (one without 'match')"
        )
        raise PolicyError(msg)
    common.append(("rule", _rule_template(chosen, rule, channel.name, plans), (), 0))
    shared = Trace(zone, common)
    wanted = None if metrics is None else frozenset(metrics)
    quotes: dict[Metric, MetricQuote] = {}
    pairs = plans.get(id(rule))
    if pairs is None:
        pairs = plans[id(rule)] = rule.metrics()
    for metric, target in pairs:
        if wanted is not None and metric not in wanted:
            continue
        name = target.schedule if target.schedule is not None else channel.schedule
        key = (id(target), name)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = MetricPlan(
                metric,
                target,
                rule.name,
                chosen.schedule(name),
                name,
                target.rounding if target.rounding is not None else chosen.rounding,
            )
        if plan.compiled:
            try:
                quotes[metric] = plan.quote(at, x, channel.name, shared)
                continue
            except (ExpectkitError, OverflowError, ValueError):
                pass  # the datetime steps below raise it with their own message
        quotes[metric] = _quote_target(
            metric, target, rule, channel, plan.schedule, name, at, plan.rounding, shared
        )
    zone = _zone_of(chosen, channel, plans)
    return Commitment(
        request=asked,
        requested_at=at.astimezone(zone),
        policy=chosen.name,
        rule=rule.name,
        channel=channel.name,
        metrics=FrozenDict(quotes),
        _trace=shared,
    )


def _zone_of(policy: Policy, channel: Channel, plans: dict[object, Any]) -> ZoneInfo:
    key = ("zone", channel.name)
    zone = plans.get(key)
    if zone is None:
        zone = plans[key] = policy.schedule(channel.schedule).zone
    return cast("ZoneInfo", zone)


def _match(policy: Policy, request: Request, at: datetime, plans: dict[object, Any]) -> Rule | None:
    """``policy.match(request, at)``, trying only the rules that can match the channel."""
    key = ("match", request.channel)
    matchers = plans.get(key)
    if matchers is None:
        matchers = plans[key] = tuple(
            m for m in policy._state().matchers if m.channel is None or request.channel in m.channel
        )
    for matcher in matchers:
        if matcher.matches(request, at):
            return cast("Rule | None", matcher.rule)
    return None


def _policy_template(policy: Policy, plans: dict[object, Any]) -> str:
    template = plans.get("policy")
    if template is None:
        name = f"policy {_literal(policy.name)!r}" if policy.name else "the policy"
        template = plans["policy"] = f"{name} is in force at {{0}}"
    return cast("str", template)


def _rule_template(policy: Policy, rule: Rule, channel: str, plans: dict[object, Any]) -> str:
    key = ("rule", id(rule), channel)
    template = plans.get(key)
    if template is None:
        index = next(i for i, candidate in enumerate(policy.rules) if candidate is rule)
        template = plans[key] = (
            f"rule {_literal(rule.name)!r} (rules[{index}]) is the first rule in force "
            f"matching the request on channel {_literal(channel)!r}"
        )
    return cast("str", template)


def _with_channel(request: Request, channel: Channel) -> Request:
    return request.model_copy(update={"channel": channel.name})


def _describe(request: Request) -> str:
    parts = [f"channel={request.channel!r}"]
    for key in ("priority", "segment"):
        value = getattr(request, key)
        if value is not None:
            parts.append(f"{key}={value!r}")
    if request.tags:
        parts.append(f"tags={list(request.tags)!r}")
    if request.attributes:
        parts.append(f"attributes={request.attributes!r}")
    return "the request " + ", ".join(parts)


def _counting_start(
    window: Window, schedule: Schedule, at: datetime, steps: list[Step] | None
) -> datetime:
    if window.clock == "business":
        start = schedule.next_open(at)
        if steps is not None:
            if start == at:
                steps.append(Step("start", "open at {0}: counting starts there", (start,)))
            else:
                steps.append(
                    Step(
                        "start",
                        "closed at {0}: counting starts at the next opening, {1}",
                        (at.astimezone(schedule.zone), start),
                    )
                )
        return start
    start = at.astimezone(schedule.zone)
    if steps is not None:
        steps.append(Step("start", "counting starts at the request, {0}", (start,)))
    return start


def _quote_target(
    metric: Metric,
    target: Target,
    rule: Rule,
    channel: Channel,
    schedule: Schedule,
    schedule_name: str | None,
    at: datetime,
    rounding: Rounding,
    common: Trace,
) -> MetricQuote:
    steps = list(common.steps())
    main = target.promise if target.promise is not None else target.target
    assert main is not None  # Target guarantees a promise or a target
    clock = main.clock
    if clock == "business":
        where = f"schedule {_literal(schedule_name)!r}" if schedule_name else "the default schedule"
        steps.append(Step("clock", f"business clock on {where} ({schedule.tz})"))
    elif schedule_name:
        steps.append(
            Step(
                "clock",
                f"calendar clock in {schedule.tz} (the zone of {_literal(schedule_name)!r})",
            )
        )
    else:
        steps.append(Step("clock", f"calendar clock in {schedule.tz} (no business hours)"))
    if target.direction == "before":
        return _quote_lead_time(metric, target, rule, channel, schedule, at, steps, clock)
    start = _counting_start(main, schedule, at, steps)
    day_mode = target.day_mode
    buffer = target.buffer
    if target.promise is not None:
        low, high = target.promise.due_range(start, schedule, day_mode=day_mode)
        steps.append(_window_step("promise", target.promise, low, high))
        if target.target is not None:
            aim_start = _counting_start(target.target, schedule, at, None)
            aim_low, aim = target.target.due_range(aim_start, schedule, day_mode=day_mode)
            steps.append(_window_step("target", target.target, aim_low, aim))
        elif buffer is not None:
            aim = buffer.target_from_promise(start, high, schedule, clock)
            aim_low = aim
            steps.append(_buffer_step(buffer, start, high, aim, "target", schedule, clock))
        else:
            aim_low = aim = high
            steps.append(
                Step(
                    "target",
                    "no target or buffer: the team aims for the exact promise, {0}",
                    (high,),
                )
            )
    else:
        assert target.target is not None  # Target guarantees a promise or a target
        assert buffer is not None  # ... and a buffer to derive the promise from a target
        aim_low, aim = target.target.due_range(start, schedule, day_mode=day_mode)
        steps.append(_window_step("target", target.target, aim_low, aim))
        low = buffer.promise_from_target(start, aim_low, schedule, clock)
        high = buffer.promise_from_target(start, aim, schedule, clock)
        steps.append(_buffer_step(buffer, start, aim, high, "promise", schedule, clock))
    if aim > high:
        steps.append(
            Step(
                "target",
                "the target {0} is later than the promise {1}: capped at the promise",
                (aim, high),
            )
        )
        aim = high
        aim_low = min(aim_low, high)
    told = rounding.round_up(high, schedule)
    steps.append(_rounding_step(rounding, high, told))
    return MetricQuote(
        metric=metric,
        rule=rule.name,
        channel=channel.name,
        clock=clock,
        schedule=schedule,
        promise=target.promise,
        direction="after",
        requested_at=at.astimezone(schedule.zone),
        start=start,
        promised_range=(low, high),
        exact_promised_at=high,
        promised_at=told,
        target_range=(aim_low, aim),
        target_at=aim,
        _trace=Trace.of(tuple(steps)),
    )


def _quote_lead_time(
    metric: Metric,
    target: Target,
    rule: Rule,
    channel: Channel,
    schedule: Schedule,
    at: datetime,
    steps: list[Step],
    clock: Literal["business", "calendar"],
) -> MetricQuote:
    promise = target.promise
    assert promise is not None  # a lead time always has a promise
    event = at.astimezone(schedule.zone)
    steps.append(Step("start", "a lead time before the event at {0}", (event,)))
    earliest = promise.high.apply_backward(event, schedule)
    latest = promise.low.apply_backward(event, schedule)
    steps.append(
        Step(
            "window",
            f"promise {_literal(str(promise))!r} ahead: send from {{0}} until {{1}}",
            (earliest, latest),
        )
    )
    if target.target is not None:
        aim_low = target.target.high.apply_backward(event, schedule)
        aim = target.target.low.apply_backward(event, schedule)
        steps.append(
            Step(
                "target",
                f"target {_literal(str(target.target))!r} ahead: aim for {{0}} to {{1}}",
                (aim_low, aim),
            )
        )
        if aim > latest:
            steps.append(
                Step(
                    "target", "the target {0} is later than the deadline {1}: capped", (aim, latest)
                )
            )
            aim = latest
            aim_low = min(aim_low, latest)
    else:
        aim_low = aim = latest
        steps.append(
            Step("target", "no target: the team aims for the exact deadline, {0}", (latest,))
        )
    told = latest
    steps.append(Step("rounding", "a lead time is told exactly: {0}", (told,)))
    return MetricQuote(
        metric=metric,
        rule=rule.name,
        channel=channel.name,
        clock=clock,
        schedule=schedule,
        promise=target.promise,
        direction="before",
        requested_at=event,
        start=event,
        promised_range=(earliest, latest),
        exact_promised_at=latest,
        promised_at=told,
        target_range=(aim_low, aim),
        target_at=aim,
        _trace=Trace.of(tuple(steps)),
    )


def _window_step(what: str, window: Window, low: datetime, high: datetime) -> Step:
    text = _literal(str(window))
    if low == high:
        return Step(
            "window" if what == "promise" else "target", f"{what} {text!r} is due at {{0}}", (high,)
        )
    return Step(
        "window" if what == "promise" else "target",
        f"{what} {text!r} runs from {{0}} to {{1}}",
        (low, high),
    )


def _buffer_step(
    buffer: Buffer,
    start: datetime,
    given: datetime,
    derived: datetime,
    what: str,
    schedule: Schedule,
    clock: Literal["business", "calendar"],
) -> Step:
    # Elapsed time, not the wall-clock difference two datetimes of one zone give.
    span = schedule.between(start, given) if clock == "business" else _elapsed(start, given)
    unit = "business time" if clock == "business" else "elapsed time"
    return Step(
        "buffer",
        f"buffer {_literal(_show_buffer(buffer))} on {_show_span(span)} of {unit} from {{0}} "
        f"gives the {what} {{1}}",
        (start, derived),
    )


def _elapsed(start: datetime, end: datetime) -> timedelta:
    return end.astimezone(UTC) - start.astimezone(UTC)


def _show_buffer(buffer: Buffer) -> str:  # the same text as plans._BufferPlan
    if buffer.ratio is not None:
        return f"ratio {buffer.model_dump(mode='json')['ratio']}"
    return f"margin {buffer.margin}"


def _rounding_step(rounding: Rounding, exact: datetime, told: datetime) -> Step:
    name = _literal(str(rounding))
    if told == exact:
        return Step("rounding", f"rounding {name!r} keeps the told time at {{0}}", (told,))
    return Step(
        "rounding", f"rounding {name!r} moves the told time from {{0}} to {{1}}", (exact, told)
    )
