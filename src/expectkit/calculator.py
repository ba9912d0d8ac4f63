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

>>> from datetime import datetime
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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from expectkit.buffers import Buffer, Rounding
from expectkit.channels import Channel
from expectkit.errors import InputTypeError, NaiveDatetimeError, PolicyError
from expectkit.policy import Metric, Policy, Request, Rule, Target
from expectkit.schedule import Schedule
from expectkit.windows import Window

__all__ = ["Commitment", "MetricQuote", "Step", "StepKind", "quote"]

StepKind = Literal[
    "policy", "channel", "rule", "clock", "start", "window", "target", "buffer", "rounding"
]
"""What a :class:`Step` of a quote's explanation did."""


def _show(t: datetime) -> str:
    text = t.strftime("%a %Y-%m-%d %H:%M")
    if t.second or t.microsecond:
        text += t.strftime(":%S")
    if t.microsecond:
        text += f".{t.microsecond:06d}"
    return f"{text} {t.tzname()}"


def _show_span(d: timedelta) -> str:
    seconds = int(d.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    parts.append(f"{seconds} s" if seconds or not (hours or minutes) else "")
    return " ".join(p for p in parts if p)


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a quote's explanation: what was done, with the instants involved.

    ``template`` holds ``{0}``, ``{1}``... where ``times`` go, so the same step reads
    correctly in any zone (see :meth:`in_zone`).

    >>> from datetime import datetime, UTC
    >>> Step("start", "counting starts at {0}", (datetime(2026, 1, 5, 9, tzinfo=UTC),)).text
    'counting starts at Mon 2026-01-05 09:00 UTC'
    """

    kind: StepKind
    template: str
    times: tuple[datetime, ...] = ()

    @property
    def text(self) -> str:
        """The step as a sentence, its instants shown in their own zone.

        >>> from datetime import datetime, UTC
        >>> Step("rounding", "kept at {0}", (datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC),)).text
        'kept at Mon 2026-01-05 09:00:30 UTC'
        """
        return self.template.format(*(_show(t) for t in self.times))

    def in_zone(self, zone: ZoneInfo) -> Step:
        """Return the step with its instants shown in `zone`.

        >>> from datetime import datetime, UTC
        >>> from zoneinfo import ZoneInfo
        >>> Step("start", "at {0}", (datetime(2026, 1, 5, 9, tzinfo=UTC),)).in_zone(
        ...     ZoneInfo("Asia/Tokyo")).text
        'at Mon 2026-01-05 18:00 JST'
        """
        return replace(self, times=tuple(t.astimezone(zone) for t in self.times))


@dataclass(frozen=True, slots=True)
class MetricQuote:
    """The quote for one metric: the told range and time, the aim, and how they were found.

    For ``direction="after"`` (the usual case) ``start <= target_at <=
    exact_promised_at <= promised_at``. For a lead time (``direction="before"``)
    ``promised_range`` lies before the quoted instant, ``promised_at`` is the latest
    moment to act (rounded earlier, never later than the exact deadline) and the
    target lies at or before it.

    Attributes:
        metric: The metric quoted.
        rule: Name of the rule that set it.
        channel: The channel it was quoted as (after any offline fallback).
        clock: ``business`` or ``calendar``: what the promise counts.
        schedule: The hours the metric counts on (on the calendar clock, its zone).
        promise: The told window as the policy writes it (None when a buffer derives
            the promise from a target).
        direction: ``after`` or ``before`` the quoted instant.
        requested_at: The quoted instant.
        start: Where counting started (the next opening on the business clock).
        promised_range: Exact earliest and latest due instants of the told window.
        exact_promised_at: The exact promise (the range's end that binds).
        promised_at: The customer-facing promise, rounded outward.
        target_range: Exact ends of the internal aim.
        target_at: The internal aim, never rounded.
        steps: The explanation, step by step.

    >>> from datetime import datetime, UTC
    >>> from expectkit.policy import Policy
    >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "3-5 hours"}}],
    ...                 rounding="1h")
    >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, 20, tzinfo=UTC))
    >>> print(q["resolution"].explain())  # doctest: +NORMALIZE_WHITESPACE
    resolution: rule 'all'
      policy: the policy is in force at Mon 2026-01-05 09:20 UTC
      rule: rule 'all' (rules[0]) is the first rule in force matching the request
            on channel 'web'
      clock: calendar clock in UTC (no business hours)
      start: counting starts at the request, Mon 2026-01-05 09:20 UTC
      window: promise '3-5 hours' runs from Mon 2026-01-05 12:20 UTC
              to Mon 2026-01-05 14:20 UTC
      target: no target or buffer: the team aims for the exact promise,
              Mon 2026-01-05 14:20 UTC
      rounding: rounding '1h' moves the told time from Mon 2026-01-05 14:20 UTC
                to Mon 2026-01-05 15:00 UTC
      promised Mon 2026-01-05 15:00 UTC; aiming for Mon 2026-01-05 14:20 UTC

    """

    metric: Metric
    rule: str
    channel: str
    clock: Literal["business", "calendar"]
    schedule: Schedule
    promise: Window | None
    direction: Literal["after", "before"]
    requested_at: datetime
    start: datetime
    promised_range: tuple[datetime, datetime]
    exact_promised_at: datetime
    promised_at: datetime
    target_range: tuple[datetime, datetime]
    target_at: datetime
    steps: tuple[Step, ...]

    def explain(self) -> str:
        """Return the explanation as text: one line per step, then the result.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> print(q["resolution"].explain().splitlines()[-1])
          promised Mon 2026-01-05 11:00 UTC; aiming for Mon 2026-01-05 11:00 UTC
        """
        lines = [f"{self.metric}: rule {self.rule!r}"]
        lines += [f"  {step.kind}: {step.text}" for step in self.steps]
        lines.append(f"  promised {_show(self.promised_at)}; aiming for {_show(self.target_at)}")
        return "\n".join(lines)

    def in_zone(self, tz: str | ZoneInfo) -> MetricQuote:
        """Return the same quote with every instant shown in `tz`.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> print(q["resolution"].in_zone("America/New_York").promised_at)
        2026-01-05 06:00:00-05:00
        """
        zone = _zone(tz)

        def move(t: datetime) -> datetime:
            return t.astimezone(zone)

        return replace(
            self,
            requested_at=move(self.requested_at),
            start=move(self.start),
            promised_range=(move(self.promised_range[0]), move(self.promised_range[1])),
            exact_promised_at=move(self.exact_promised_at),
            promised_at=move(self.promised_at),
            target_range=(move(self.target_range[0]), move(self.target_range[1])),
            target_at=move(self.target_at),
            steps=tuple(step.in_zone(zone) for step in self.steps),
        )


@dataclass(frozen=True, slots=True)
class Commitment:
    """Everything promised for one request: a :class:`MetricQuote` per metric of the rule.

    ``commitment["first_response"]`` is short for ``commitment.metrics["first_response"]``.

    Attributes:
        request: The request as quoted (before any offline fallback).
        requested_at: The quoted instant.
        policy: The name of the policy in force (None if it has none).
        rule: Name of the matched rule.
        channel: The channel quoted (the offline channel if the live one was closed).
        metrics: One quote per metric the rule sets.
        steps: The steps shared by every metric (policy, channel, rule).

    >>> from datetime import datetime, UTC
    >>> from expectkit.policy import Policy
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1 hour"},
    ...                         "resolution": {"promise": "1-2 days"}}])
    >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> c.rule, list(c.metrics), str(c["resolution"].promised_at)
    ('all', ['first_response', 'resolution'], '2026-01-07 09:00:00+00:00')

    """

    request: Request
    requested_at: datetime
    policy: str | None
    rule: str
    channel: str
    metrics: Mapping[Metric, MetricQuote]
    steps: tuple[Step, ...]

    def __getitem__(self, metric: Metric) -> MetricQuote:
        return self.metrics[metric]

    def _repr_html_(self) -> str:
        from expectkit._html import commitment_html

        return commitment_html(self)

    def explain(self) -> str:
        """Return every metric's explanation, one block each.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> policy = Policy(rules=[{"name": "all", "follow_up": {"promise": "1 week"}}])
        >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> print(c.explain().splitlines()[-1])
          promised Mon 2026-01-12 09:00 UTC; aiming for Mon 2026-01-12 09:00 UTC
        """
        return "\n".join(q.explain() for q in self.metrics.values())

    def in_zone(self, tz: str | ZoneInfo | None = None) -> Commitment:
        """Return the same commitment with every instant shown in `tz`.

        Without `tz`, the request's ``customer_tz`` is used.

        Raises:
            PolicyError: No zone is given and the request has no ``customer_tz``.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> request = {"channel": "web", "customer_tz": "Asia/Tokyo"}
        >>> c = quote(policy, request, at=datetime(2026, 1, 5, 9, tzinfo=UTC)).in_zone()
        >>> print(c["resolution"].promised_at)
        2026-01-05 20:00:00+09:00

        """
        if tz is None:
            tz = self.request.customer_tz
            if tz is None:
                msg = "in_zone: give a zone; the request has no customer_tz"
                raise PolicyError(msg)
        zone = _zone(tz)
        return replace(
            self,
            requested_at=self.requested_at.astimezone(zone),
            metrics=MappingProxyType({m: q.in_zone(zone) for m, q in self.metrics.items()}),
            steps=tuple(step.in_zone(zone) for step in self.steps),
        )


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        raise InputTypeError.for_value(tz, "tz", "an IANA zone name or ZoneInfo")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"tz: {tz!r} is not an IANA time zone such as 'Europe/Oslo'"
        raise PolicyError(msg) from exc


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


def _policy_step(policy: Policy, at: datetime) -> Step:
    name = f"policy {_literal(policy.name)!r}" if policy.name else "the policy"
    return Step("policy", f"{name} is in force at {{0}}", (at,))


def _period(policy: Policy) -> str:
    start = policy.effective_from.isoformat() if policy.effective_from else "always"
    end = policy.effective_until.isoformat() if policy.effective_until else "open-ended"
    return f"in force from {start} until {end}"


def _as_instant(at: object) -> datetime:
    if not isinstance(at, datetime):
        raise InputTypeError.for_value(at, "at", "datetime")
    if at.utcoffset() is None:
        raise NaiveDatetimeError.for_value(at, "at")
    return at


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
    at = _as_instant(at)
    chosen = _policy_in_force(policy, at)
    asked = Request.coerce(request)
    channel = chosen.channel(asked.channel)
    zone = chosen.schedule(channel.schedule).zone
    steps: list[Step] = [_policy_step(chosen, at.astimezone(zone))]

    seen = {channel.name}
    while channel.is_live and channel.offline is not None:
        hours = chosen.schedule(channel.schedule)
        if hours.is_open(at):
            break
        fallback = chosen.channel(channel.offline)
        steps.append(
            Step(
                "channel",
                f"live channel {_literal(channel.name)!r} is closed at {{0}} (it opens "
                f"{{1}}); quoted as its offline channel {_literal(fallback.name)!r}",
                (at.astimezone(hours.zone), hours.next_open(at)),
            )
        )
        channel = fallback
        if channel.name in seen:  # pragma: no cover - Policy forbids offline loops
            break
        seen.add(channel.name)
    effective = asked if channel.name == asked.channel else _with_channel(asked, channel)

    rule = chosen.match(effective, at)
    if rule is None:
        msg = (
            f"no rule in force at {at.isoformat()} matches {_describe(effective)}; "
            "add a default rule (one without 'match')"
        )
        raise PolicyError(msg)
    index = next(i for i, candidate in enumerate(chosen.rules) if candidate is rule)
    steps.append(
        Step(
            "rule",
            f"rule {_literal(rule.name)!r} (rules[{index}]) is the first rule in force "
            f"matching the request on channel {_literal(channel.name)!r}",
        )
    )
    common = tuple(steps)
    wanted = None if metrics is None else frozenset(metrics)
    quotes: dict[Metric, MetricQuote] = {}
    for metric, target in rule.metrics():
        if wanted is not None and metric not in wanted:
            continue
        name = target.schedule if target.schedule is not None else channel.schedule
        quotes[metric] = _quote_target(
            metric,
            target,
            rule,
            channel,
            chosen.schedule(name),
            name,
            at,
            target.rounding if target.rounding is not None else chosen.rounding,
            common,
        )
    zone = chosen.schedule(channel.schedule).zone
    return Commitment(
        request=asked,
        requested_at=at.astimezone(zone),
        policy=chosen.name,
        rule=rule.name,
        channel=channel.name,
        metrics=MappingProxyType(quotes),
        steps=common,
    )


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
    common: tuple[Step, ...],
) -> MetricQuote:
    steps = list(common)
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
        steps=tuple(steps),
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
        steps=tuple(steps),
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
    span = schedule.between(start, given) if clock == "business" else given - start
    unit = "business time" if clock == "business" else "elapsed time"
    return Step(
        "buffer",
        f"buffer {_literal(_show_buffer(buffer))} on {_show_span(span)} of {unit} from {{0}} "
        f"gives the {what} {{1}}",
        (start, derived),
    )


def _show_buffer(buffer: Buffer) -> str:
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
