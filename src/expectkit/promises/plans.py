"""Compiled quote plans: each rule's target, once, as integer-microsecond steps.

A :class:`MetricPlan` is built the first time a policy quotes a target on a schedule
and kept with the policy. It holds the texts of its explanation ready-made and each
window end, buffer and rounding as a step over the schedule's compiled engine in
UTC microseconds: counting start, ``add`` of business hours, business days due at
the end of the day, calendar hours, ratio and margin buffers, step rounding.
Anything else (calendar days and months, business days at the same time,
``end_of_day`` rounding, lead times) goes through the datetime functions the plan
stands for, so a plan's answer is always theirs. Datetimes are made only for the
results; the explanation is kept raw (see :class:`~expectkit.promises.explanation.Trace`).

>>> from datetime import datetime, UTC
>>> from expectkit.policy import Policy
>>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "3-5 hours"}}])
>>> rule = policy.rules[0]
>>> plan = MetricPlan("resolution", rule.resolution, rule.name, policy.schedule(None), None,
...                   policy.rounding)
>>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
>>> plan.quote(at, _us_of(at), "web", ()).promised_at.isoformat()
'2026-01-05T14:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from expectkit.promises.buffers import Buffer, Rounding
from expectkit.promises.commitments import MetricQuote
from expectkit.promises.explanation import Raw, Trace, _literal, instant
from expectkit.promises.metrics import Metric
from expectkit.promises.targets import Target
from expectkit.promises.windows import Duration, Window
from expectkit.time.business_days import BusinessDayMode
from expectkit.time.engine import _Engine
from expectkit.time.parsing import MAX_YEAR, MIN_YEAR
from expectkit.time.schedule import Schedule

__all__ = ["MetricPlan", "PlanCache"]

_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_fromtimestamp = datetime.fromtimestamp
_FIXED_US = {"seconds": _US, "minutes": 60 * _US, "hours": 3600 * _US}
# Instants a plan may answer itself; anything outside goes the datetime way, which
# names the range in its error.
_LO = (datetime(MIN_YEAR, 1, 1, tzinfo=UTC) - _EPOCH) // _ONE_US
_HI = (datetime(MAX_YEAR, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC) - _EPOCH) // _ONE_US

# Kinds of compiled duration steps.
_CAL, _BIZ, _DAYS, _SLOW = 0, 1, 2, 3


def _us_of(t: datetime) -> int:
    """Return the aware instant `t` in microseconds since 1970 UTC.

    >>> _us_of(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
    1000000
    """
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def _add(engine: _Engine, x: int, amount: int) -> int:
    """``Schedule.add`` for ``amount > 0`` µs, by the engine's compiled fast path."""
    tl = engine.timeline
    if tl is not None and tl.lo <= x < tl.hi:
        u = tl.advance(x, amount)
        if u is not None and u - x <= engine.horizon:
            return u
    return engine.add(x, amount)


def _between(engine: _Engine, x: int, y: int) -> int:
    """``Schedule.between`` in µs, by the engine's compiled fast path."""
    tl = engine.timeline
    if tl is not None and tl.lo <= x < tl.hi and tl.lo <= y < tl.hi:
        return tl.position(y) - tl.position(x)
    return engine.between(x, y)


class PlanCache(dict[object, Any]):
    """A policy's compiled plans and texts: copies and pickles empty (plans hold engines).

    >>> import copy
    >>> cache = PlanCache(policy="text")
    >>> copy.deepcopy(cache), len(cache)
    ({}, 1)
    """

    def __deepcopy__(self, memo: dict[int, object]) -> PlanCache:
        return PlanCache()

    def __reduce__(self) -> tuple[type[PlanCache], tuple[()]]:
        return (PlanCache, ())


class _Op:
    """One duration compiled for a schedule: forward (``apply``) or backward."""

    __slots__ = ("amount", "duration", "kind", "mode")

    def __init__(self, duration: Duration, mode: BusinessDayMode) -> None:
        self.duration = duration
        self.mode = mode
        fixed = _FIXED_US.get(duration.unit)
        if fixed is not None:
            self.kind = _CAL if duration.clock == "calendar" else _BIZ
            self.amount = duration.amount * fixed
        elif duration.clock == "business" and mode == "end_of_day":
            self.kind, self.amount = _DAYS, duration.amount
        else:
            self.kind, self.amount = _SLOW, 0

    def forward(self, x: int, schedule: Schedule, engine: _Engine) -> int:
        kind, amount = self.kind, self.amount
        if kind == _CAL:
            u = x + amount
            if not _LO <= u <= _HI:
                raise OverflowError(u)
            return u
        if kind == _BIZ:
            return _add(engine, x, amount) if amount else x
        if kind == _DAYS:
            return engine.day_close(x, amount)
        moved = self.duration.apply(instant(x, schedule.zone), schedule, day_mode=self.mode)
        return _us_of(moved)

    def backward(self, x: int, schedule: Schedule, engine: _Engine) -> int:
        kind, amount = self.kind, self.amount
        if kind == _CAL:
            u = x - amount
            if not _LO <= u <= _HI:
                raise OverflowError(u)
            return u
        if kind == _BIZ:
            return engine.subtract(x, amount) if amount else x
        moved = self.duration.apply_backward(
            instant(x, schedule.zone), schedule, day_mode=self.mode
        )
        return _us_of(moved)


class _WindowPlan:
    """A window's two ends as compiled steps, with its step texts."""

    __slots__ = ("business", "high", "low", "ranged", "text_due", "text_range")

    def __init__(self, what: str, window: Window, mode: BusinessDayMode) -> None:
        self.low = _Op(window.low, mode)
        self.high = _Op(window.high, mode)
        self.ranged = window.is_range
        self.business = window.clock == "business"
        text = _literal(str(window))
        self.text_due = f"{what} {text!r} is due at {{0}}"
        self.text_range = f"{what} {text!r} runs from {{0}} to {{1}}"

    def due_range(self, start: int, schedule: Schedule, engine: _Engine) -> tuple[int, int]:
        low = self.low.forward(start, schedule, engine)
        if not self.ranged:
            return low, low
        return low, self.high.forward(start, schedule, engine)

    def start(self, x: int, schedule: Schedule, engine: _Engine) -> int:
        return engine.next_open(x) if self.business else x


class _BufferPlan:
    """A buffer compiled: ratio, margin (same-time days) or explicit window end."""

    __slots__ = ("buffer", "business", "den", "explicit", "margin", "num", "text")

    def __init__(self, buffer: Buffer, clock: str, what: str) -> None:
        self.buffer = buffer
        self.business = clock == "business"
        ratio = buffer.ratio
        self.num, self.den = (ratio.numerator, ratio.denominator) if ratio else (0, 0)
        self.margin = None if buffer.margin is None else _Op(buffer.margin, "same_time")
        explicit = buffer.target if what == "target" else buffer.promise
        self.explicit = None if explicit is None else _Op(explicit.high, "end_of_day")
        shown = f"ratio {_ratio_text(buffer)}" if ratio is not None else f"margin {buffer.margin}"
        unit = "business time" if self.business else "elapsed time"
        self.text = (
            f"buffer {_literal(shown)} on ",
            f" of {unit} from {{0}} gives the {what} {{1}}",
        )

    def span(self, s: int, u: int, schedule: Schedule, engine: _Engine) -> int:
        """Return the span the buffer takes its share of, as the step shows it.

        Business time, or for a calendar clock the elapsed time: across a DST change
        the hours that pass (23 from Saturday to Sunday noon in spring), not the
        wall-clock difference.
        """
        return _between(engine, s, u) if self.business else u - s

    def advance(self, s: int, amount: int, schedule: Schedule, engine: _Engine) -> int:
        if self.business:
            return _add(engine, s, amount) if amount else s
        u = s + amount
        if not _LO <= u <= _HI:
            raise OverflowError(u)
        return u

    def target(self, s: int, p: int, schedule: Schedule, engine: _Engine) -> int:
        """``Buffer.target_from_promise`` in microseconds."""
        if self.den:
            span = self.span(s, p, schedule, engine)
            share = span * self.num // self.den
            result = self.advance(s, share, schedule, engine) if span > 0 else s
        elif self.margin is not None:
            result = self.margin.backward(p, schedule, engine)
        else:
            assert self.explicit is not None
            result = self.explicit.forward(s, schedule, engine)
        return max(s, min(result, p))

    def promise(self, s: int, g: int, schedule: Schedule, engine: _Engine) -> int:
        """``Buffer.promise_from_target`` in microseconds."""
        if self.den:
            span = self.span(s, g, schedule, engine)
            whole = -(-span * self.den // self.num)
            result = self.advance(s, whole, schedule, engine) if span > 0 else s
        elif self.margin is not None:
            result = self.margin.forward(g, schedule, engine)
        else:
            assert self.explicit is not None
            result = self.explicit.forward(s, schedule, engine)
        return max(s, g, result)


def _ratio_text(buffer: Buffer) -> str:
    # The ratio as the policy file writes it (the serializer's own spelling).
    return str(buffer.model_dump(mode="json")["ratio"])


class MetricPlan:
    """One target of a rule, compiled for the schedule it counts on.

    :meth:`quote` gives the same :class:`MetricQuote` as the datetime path it stands
    for, with the explanation kept raw until read. Lead times (``direction:
    before``) are not compiled: :attr:`compiled` is False and callers quote them
    the datetime way.

    >>> from expectkit.policy import Policy
    >>> policy = Policy(rules=[{"name": "r", "resolution": {"promise": "1 business day"}}])
    >>> plan = MetricPlan("resolution", policy.rules[0].resolution, "r",
    ...                   policy.schedule(None), None, policy.rounding)
    >>> plan.compiled
    True
    """

    __slots__ = (
        "aim",
        "buffer",
        "clock",
        "clock_text",
        "compiled",
        "engine",
        "metric",
        "none",
        "promise",
        "rounding",
        "rounding_keep",
        "rounding_move",
        "rule",
        "schedule",
        "step_us",
        "target",
        "zone",
    )

    def __init__(
        self,
        metric: Metric,
        target: Target,
        rule: str,
        schedule: Schedule,
        schedule_name: str | None,
        rounding: Rounding,
    ) -> None:
        self.metric = metric
        self.target = target
        self.rule = rule
        self.schedule = schedule
        self.engine = schedule._get_engine()  # held by the schedule for its lifetime
        self.zone = self.engine.zone
        main = target.promise if target.promise is not None else target.target
        assert main is not None  # Target guarantees a promise or a target
        self.clock: Literal["business", "calendar"] = main.clock
        if self.clock == "business":
            where = (
                f"schedule {_literal(schedule_name)!r}" if schedule_name else "the default schedule"
            )
            self.clock_text = f"business clock on {where} ({schedule.tz})"
        elif schedule_name:
            self.clock_text = (
                f"calendar clock in {schedule.tz} (the zone of {_literal(schedule_name)!r})"
            )
        else:
            self.clock_text = f"calendar clock in {schedule.tz} (no business hours)"
        self.compiled = target.direction == "after"
        mode = target.day_mode
        self.promise = (
            None if target.promise is None else _WindowPlan("promise", target.promise, mode)
        )
        self.aim = None if target.target is None else _WindowPlan("target", target.target, mode)
        what = "target" if target.promise is not None else "promise"
        buffer = target.buffer
        self.buffer = None if buffer is None else _BufferPlan(buffer, self.clock, what)
        self.rounding = rounding
        name = _literal(str(rounding))
        self.rounding_keep = f"rounding {name!r} keeps the told time at {{0}}"
        self.rounding_move = f"rounding {name!r} moves the told time from {{0}} to {{1}}"
        self.step_us = (rounding.step_minutes or 0) * 60 * _US if rounding.kind == "step" else 0
        self.none = rounding.kind == "none"

    def _round(self, high: int, shown: datetime) -> tuple[int, datetime]:
        """``Rounding.round_up`` in µs and as a datetime (`shown`: `high` in the zone)."""
        rounding = self.rounding
        if self.none:
            return high, shown
        step = self.step_us
        if step:
            offset = shown.utcoffset()
            assert offset is not None
            off = (offset.days * 86_400 + offset.seconds) * _US + offset.microseconds
            told = -(-(high + off) // step) * step - off  # midnights are whole steps
            if told == high:
                return told, shown
            if not _LO <= told <= _HI:
                raise OverflowError(told)
            # The same offset at the boundary: no DST change between, so it is the answer.
            zone = self.zone
            moved = _fromtimestamp(told // _US, zone) if not told % _US else instant(told, zone)
            if moved.utcoffset() == offset:
                return told, moved
        moved = rounding.round_up(shown, self.schedule)
        return _us_of(moved), moved

    def quote(
        self, at: datetime, x: int, channel: str, common: Trace | Sequence[Raw]
    ) -> MetricQuote:
        """Quote the target for a request at `at` (`x`: the same in µs) on `channel`.

        Raises what the datetime path raises for the same inputs (callers quote that
        way on any error, so that its message is the one seen).
        """
        schedule = self.schedule
        engine = self.engine
        zone = self.zone
        raw: list[Raw] = [("clock", self.clock_text, (), 0)]
        promise, aim_plan, buffer = self.promise, self.aim, self.buffer
        main = promise if promise is not None else aim_plan
        assert main is not None
        start = main.start(x, schedule, engine)
        if not main.business:
            raw.append(("start", "counting starts at the request, {0}", (start,), 0))
        elif start == x:
            raw.append(("start", "open at {0}: counting starts there", (start,), 0))
        else:
            raw.append(
                ("start", "closed at {0}: counting starts at the next opening, {1}", (x, start), 0)
            )
        if promise is not None:
            low, high = promise.due_range(start, schedule, engine)
            raw.append(_window_raw("window", promise, low, high))
            if aim_plan is not None:
                aim_low, aim = aim_plan.due_range(
                    aim_plan.start(x, schedule, engine), schedule, engine
                )
                raw.append(_window_raw("target", aim_plan, aim_low, aim))
            elif buffer is not None:
                aim_low = aim = buffer.target(start, high, schedule, engine)
                raw.append(
                    (
                        "buffer",
                        buffer.text,
                        (start, aim),
                        buffer.span(start, high, schedule, engine),
                    )
                )
            else:
                aim_low = aim = high
                raw.append(
                    (
                        "target",
                        "no target or buffer: the team aims for the exact promise, {0}",
                        (high,),
                        0,
                    )
                )
        else:
            assert aim_plan is not None  # Target guarantees a promise or a target
            assert buffer is not None  # ... and a buffer to derive the promise from
            aim_low, aim = aim_plan.due_range(start, schedule, engine)
            raw.append(_window_raw("target", aim_plan, aim_low, aim))
            low = buffer.promise(start, aim_low, schedule, engine)
            high = buffer.promise(start, aim, schedule, engine)
            raw.append(
                ("buffer", buffer.text, (start, high), buffer.span(start, aim, schedule, engine))
            )
        if aim > high:
            raw.append(
                (
                    "target",
                    "the target {0} is later than the promise {1}: capped at the promise",
                    (aim, high),
                    0,
                )
            )
            aim = high
            aim_low = min(aim_low, high)
        # Datetimes only for the results, each instant made once.
        made = {high: _fromtimestamp(high // _US, zone) if not high % _US else instant(high, zone)}
        high_at = made[high]
        told, told_at = self._round(high, high_at)
        if told == high:
            raw.append(("rounding", self.rounding_keep, (told,), 0))
        else:
            raw.append(("rounding", self.rounding_move, (high, told), 0))
            made[told] = told_at
        for u in (x, start, low, aim_low, aim):
            if u not in made:
                made[u] = _fromtimestamp(u // _US, zone) if not u % _US else instant(u, zone)
        # A wall time a fall-back repeats compares by its wall clock in its own zone and
        # unequal to any other zone (PEP 495), unlike microseconds: the datetime steps,
        # which compare datetimes, decide those quotes.
        for shown in (at, *made.values()):
            if shown.replace(fold=1 - shown.fold).utcoffset() != shown.utcoffset():
                raise ValueError(f"fold: {shown.isoformat()} is a repeated wall time")
        if isinstance(common, Trace):
            trace = Trace(zone, raw, common)
        else:
            trace = Trace(zone, [*common, *raw])
        return MetricQuote(
            metric=self.metric,
            rule=self.rule,
            channel=channel,
            clock=self.clock,
            schedule=schedule,
            promise=self.target.promise,
            direction="after",
            requested_at=made[x],
            start=made[start],
            promised_range=(made[low], high_at),
            exact_promised_at=high_at,
            promised_at=told_at,
            target_range=(made[aim_low], made[aim]),
            target_at=made[aim],
            _trace=trace,
        )


def _window_raw(kind: Literal["window", "target"], plan: _WindowPlan, low: int, high: int) -> Raw:
    if low == high:
        return (kind, plan.text_due, (high,), 0)
    return (kind, plan.text_range, (low, high), 0)
