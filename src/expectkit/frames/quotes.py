"""Vectorized quoting: what :func:`~expectkit.quote` gives, for many requests at once.

Instants are int64 UTC microseconds (``NaT`` as the int64 minimum; see
:mod:`~expectkit.frames.instants`). Routing — which policy version, channel and rule
each row is quoted under — is :mod:`~expectkit.frames.routing`; this module holds

* **due instants** (:func:`_quote_target`): one metric's promise, target and told
  time for a whole group of rows quoted under the same rule and schedule, by
  vectorized searches over the compiled timeline; only DST-ambiguous wall times and
  ``same_time`` business days take the scalar path, once per distinct instant;
* **frames of requests** (:func:`_quote_frame`): routing and due instants for
  :func:`expectkit.batch.quote_frame`.

All reproduce the scalar :func:`~expectkit.quote` exactly; :mod:`expectkit.analysis`
and :func:`expectkit.batch.quote_frame` build on them. Needs pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from expectkit._core.errors import InputTypeError, PolicyError
from expectkit.frames import batch
from expectkit.promises.buffers import Buffer, Rounding
from expectkit.promises.metrics import Metric
from expectkit.promises.policy import Policy
from expectkit.promises.targets import Target
from expectkit.promises.windows import ClockName, Duration
from expectkit.time.business_days import BusinessDayMode
from expectkit.time.schedule import Schedule

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from expectkit.time.timeline import Timeline
from expectkit.frames.instants import (
    _DAY_US,
    _FIXED_US,
    _NAT,
    _SAFE,
    _US,
    _dt64,
    _each,
    _ints,
    _pandas_zone,
    _wall_us,
)
from expectkit.frames.routing import _route


def _check_horizon(schedule: Schedule, x: NDArray[np.int64], u: NDArray[np.int64]) -> None:
    engine = schedule._get_engine()
    far = np.abs(u - x) > engine.horizon
    if far.any():
        k = int(np.argmax(far))
        engine.check_horizon(int(x[k]), int(u[k]))  # raises, naming the instants


def _day_index(
    schedule: Schedule, lo: int, hi: int, closes: bool
) -> tuple[Timeline, NDArray[np.int64]]:
    engine = schedule._get_engine()
    tl = engine.cover(lo, hi)
    days = tl.day_closes if closes else tl.day_opens
    return tl, np.asarray(days, dtype=np.int64)


def _day_close(schedule: Schedule, x: NDArray[np.int64], count: int) -> NDArray[np.int64]:
    """``Schedule.add_days(x, count)`` for an array: searchsorted over the day closes."""
    if not len(x):
        return x.copy()
    engine = schedule._get_engine()
    # Yesterday's night shift may still run at x: cover it, as the scalar path does.
    tl, closes = _day_index(schedule, int(x.min()) - 2 * _DAY_US, int(x.max()), closes=True)
    while True:
        if not tl.days_ordered:
            return _each(x, lambda t: schedule.add_days(t, count))
        k = np.searchsorted(closes, x, side="right") + count
        if len(closes) and int(k.max()) < len(closes):
            break
        far = int(np.argmax(k))
        tl = engine.extend_forward(tl, int(x[far]), 1)
        closes = np.asarray(tl.day_closes, dtype=np.int64)
    u = closes[k]
    _check_horizon(schedule, x, u)
    return u


def _day_open(schedule: Schedule, x: NDArray[np.int64], count: int) -> NDArray[np.int64]:
    """``Schedule.subtract_days(x, count)`` for an array."""
    if not len(x):
        return x.copy()
    engine = schedule._get_engine()
    tl, opens = _day_index(schedule, int(x.min()), int(x.max()), closes=False)
    while True:
        if not tl.days_ordered:
            return _each(x, lambda t: schedule.subtract_days(t, count))
        k = np.searchsorted(opens, x, side="left") - 1 - count
        if len(opens) and int(k.min()) >= 0:
            break
        near = int(np.argmin(k))
        tl = engine.extend_backward(tl, int(x[near]), 1)
        opens = np.asarray(tl.day_opens, dtype=np.int64)
    u = opens[k]
    _check_horizon(schedule, x, u)
    return u


def _end_of_day(schedule: Schedule, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """``Rounding('end_of_day').round_up``: the close of the first day closing at or after x."""
    if not len(x):
        return x.copy()
    engine = schedule._get_engine()
    tl, closes = _day_index(schedule, int(x.min()) - 2 * _DAY_US, int(x.max()), closes=True)
    rounding = Rounding(kind="end_of_day")
    while True:
        if not tl.days_ordered:
            return _each(x, lambda t: rounding.round_up(t, schedule))
        k = np.searchsorted(closes, x, side="left")
        if len(closes) and int(k.max()) < len(closes):
            break
        tl = engine.extend_forward(tl, int(x[int(np.argmax(k))]), 1)
        closes = np.asarray(tl.day_closes, dtype=np.int64)
    return closes[k]


def _wall_shift(
    x: NDArray[np.int64], schedule: Schedule, duration: Duration, sign: int
) -> NDArray[np.int64]:
    """Calendar days, weeks or months: move the local date, keep the wall time.

    Wall times that fall in a DST gap or fold (pandas gives ``NaT`` there) are resolved
    by the scalar path, which knows the rule (gap: later by the gap; fold: earlier).
    """
    if not len(x):
        return x.copy()
    wall = pd.DatetimeIndex(_dt64(x)).tz_localize("UTC").tz_convert(schedule.zone)
    wall = wall.tz_localize(None)
    n = sign * duration.amount
    if duration.unit == "months":
        moved = wall + pd.DateOffset(months=n)
    else:
        moved = wall + pd.Timedelta(days=n * (7 if duration.unit == "weeks" else 1))
    local = moved.tz_localize(schedule.zone, ambiguous="NaT", nonexistent="NaT")
    out = np.array(local.as_unit("us").asi8, dtype=np.int64)
    odd = out == _NAT
    if odd.any():
        if sign > 0:
            out[odd] = _each(x[odd], lambda t: duration.apply(t, schedule))
        else:
            out[odd] = _each(x[odd], lambda t: duration.apply_backward(t, schedule))
    return out


def _apply(
    duration: Duration,
    x: NDArray[np.int64],
    schedule: Schedule,
    day_mode: BusinessDayMode,
    sign: int = 1,
) -> NDArray[np.int64]:
    """``Duration.apply`` (sign 1) or ``apply_backward`` (sign -1) over an array."""
    amount = duration.amount
    if duration.clock == "calendar":
        if amount == 0:
            return x.copy()
        if duration.unit in _FIXED_US:
            return x + sign * amount * _FIXED_US[duration.unit]
        return _wall_shift(x, schedule, duration, sign)
    if duration.unit == "days":
        if day_mode == "end_of_day":
            return _day_close(schedule, x, amount) if sign > 0 else _day_open(schedule, x, amount)
        if amount == 0:
            return x.copy()
        if sign > 0:
            return _each(x, lambda t: duration.apply(t, schedule, day_mode=day_mode))
        return _each(x, lambda t: duration.apply_backward(t, schedule, day_mode=day_mode))
    step = np.timedelta64(sign * amount * _FIXED_US[duration.unit], "us")
    return _ints(batch.add(schedule, _dt64(x), step))


def _counting_start(
    clock: ClockName, x: NDArray[np.int64], schedule: Schedule
) -> NDArray[np.int64]:
    if clock == "business":
        return _ints(batch.next_open(schedule, _dt64(x)))
    return x


def _measure(
    a: NDArray[np.int64], b: NDArray[np.int64], schedule: Schedule, clock: ClockName
) -> NDArray[np.int64]:
    """Time from `a` to `b` on `clock`, microseconds (NaT where either is missing)."""
    if clock == "business":
        return _ints(batch.between(schedule, _dt64(a), _dt64(b)))
    return np.where((a == _NAT) | (b == _NAT), _NAT, b - a)


def _advance(
    a: NDArray[np.int64], amount: NDArray[np.int64], schedule: Schedule, clock: ClockName
) -> NDArray[np.int64]:
    if clock == "business":
        return _ints(batch.add(schedule, _dt64(a), amount.view("timedelta64[us]")))
    return a + amount


def _scale(span: NDArray[np.int64], ratio: Fraction, *, up: bool) -> NDArray[np.int64]:
    """``floor(span × ratio)`` (or the ceiling), exact in integers."""
    num, den = ratio.numerator, ratio.denominator
    if not len(span):
        return span.copy()
    biggest = int(np.abs(span).max())
    if biggest * max(num, den) < _SAFE:
        if up:
            return -((-span * num) // den)
        return (span * num) // den
    exact = [(-((-int(v) * num) // den) if up else (int(v) * num) // den) for v in span]
    return np.array(exact, dtype=np.int64)


def _buffer_target(
    buffer: Buffer,
    start: NDArray[np.int64],
    promise: NDArray[np.int64],
    schedule: Schedule,
    clock: ClockName,
) -> NDArray[np.int64]:
    """``Buffer.target_from_promise`` over arrays."""
    if buffer.ratio is not None:
        span = _measure(start, promise, schedule, clock)
        share = _scale(np.maximum(span, 0), buffer.ratio, up=False)
        result = np.where(span > 0, _advance(start, share, schedule, clock), start)
    elif buffer.margin is not None:
        result = _apply(buffer.margin, promise, schedule, "same_time", sign=-1)
    else:  # pragma: no cover - a Target refuses explicit buffers
        msg = "an explicit buffer has no target of its own here; give the target window"
        raise PolicyError(msg)
    return np.maximum(start, np.minimum(result, promise))


def _buffer_promise(
    buffer: Buffer,
    start: NDArray[np.int64],
    target: NDArray[np.int64],
    schedule: Schedule,
    clock: ClockName,
) -> NDArray[np.int64]:
    """``Buffer.promise_from_target`` over arrays."""
    if buffer.ratio is not None:
        span = _measure(start, target, schedule, clock)
        whole = _scale(np.maximum(span, 0), 1 / buffer.ratio, up=True)
        result = np.where(span > 0, _advance(start, whole, schedule, clock), start)
    elif buffer.margin is not None:
        result = _apply(buffer.margin, target, schedule, "same_time")
    else:  # pragma: no cover - a Target refuses explicit buffers
        msg = "an explicit buffer needs its promise window on the target"
        raise PolicyError(msg)
    return np.maximum(np.maximum(start, target), result)


def _round_up(rounding: Rounding, x: NDArray[np.int64], schedule: Schedule) -> NDArray[np.int64]:
    """``Rounding.round_up`` over an array; DST edges go through the scalar path."""
    if rounding.kind == "none" or not len(x):
        return x.copy()
    if rounding.kind == "end_of_day":
        return _end_of_day(schedule, x)
    assert rounding.step_minutes is not None  # a step rounding always has a step
    step = rounding.step_minutes * 60 * _US
    wall = _wall_us(x, schedule.tz)
    candidate = -(-wall // step) * step  # steps divide a day: multiples from any midnight
    u = x + (candidate - wall)
    # Where the offset changes on the way, a gap or a fold is near: ask the scalar path.
    odd = (_wall_us(u, schedule.tz) - u) != (wall - x)
    if odd.any():
        u[odd] = _each(x[odd], lambda t: rounding.round_up(t, schedule))
    return u


@dataclass(frozen=True, slots=True)
class _Quoted:
    """The instants one target gives a group of requests (int64 UTC µs).

    ``promised_low`` (the early end of the told window) is computed only on request.
    """

    clock: ClockName
    target_at: NDArray[np.int64]
    exact: NDArray[np.int64]
    promised_at: NDArray[np.int64]
    promised_low: NDArray[np.int64] | None = None


def _quote_target(
    target: Target,
    rounding: Rounding,
    schedule: Schedule,
    at: NDArray[np.int64],
    *,
    low: bool = False,
) -> _Quoted:
    """Compute what ``quote()`` gives for one metric, for many request instants at once.

    A lead time (``direction: before``) is quoted by :func:`_quote_lead` instead.
    """
    main = target.promise if target.promise is not None else target.target
    assert main is not None  # Target guarantees a promise or a target
    clock = main.clock
    day_mode = target.day_mode
    start = _counting_start(clock, at, schedule)
    first: NDArray[np.int64] | None = None
    if target.promise is not None:
        high = _apply(target.promise.high, start, schedule, day_mode)
        if low:
            first = high
            if target.promise.is_range:
                first = _apply(target.promise.low, start, schedule, day_mode)
        if target.target is not None:
            aim_start = _counting_start(target.target.clock, at, schedule)
            aim = _apply(target.target.high, aim_start, schedule, day_mode)
        elif target.buffer is not None:
            aim = _buffer_target(target.buffer, start, high, schedule, clock)
        else:
            aim = high
    else:
        # Target guarantees a target window and a buffer when the promise is missing.
        assert target.target is not None
        assert target.buffer is not None
        aim = _apply(target.target.high, start, schedule, day_mode)
        high = _buffer_promise(target.buffer, start, aim, schedule, clock)
        if low:
            aim_low = aim
            if target.target.is_range:
                aim_low = _apply(target.target.low, start, schedule, day_mode)
            first = _buffer_promise(target.buffer, start, aim_low, schedule, clock)
    aim = np.minimum(aim, high)
    told = _round_up(rounding, high, schedule)
    return _Quoted(clock, aim, high, told, first)


def _quote_lead(target: Target, schedule: Schedule, at: NDArray[np.int64]) -> _Quoted:
    """Quote a lead time (``direction: before``) as ``quote()`` does: told exactly.

    The window counts back from the event at `at`: the promise runs from its long end
    to its short end before the event (the latest moment to send), the target likewise,
    capped at that latest moment; business days count in ``end_of_day`` mode.
    """
    promise = target.promise
    assert promise is not None  # a lead time always has a promise
    earliest = _apply(promise.high, at, schedule, "end_of_day", sign=-1)
    latest = _apply(promise.low, at, schedule, "end_of_day", sign=-1)
    if target.target is not None:
        aim = _apply(target.target.low, at, schedule, "end_of_day", sign=-1)
        aim = np.minimum(aim, latest)
    else:
        aim = latest
    return _Quoted(promise.clock, aim, latest, latest, earliest)


# ---------------------------------------------------------------------------
# Frames of requests: batch.quote_frame
# ---------------------------------------------------------------------------

_PER_METRIC: Final = ("rule", "promised_low", "promised_at", "exact_promised_at", "target_at")


def _frame_zone(policies: Sequence[Policy]) -> str:
    """Return the one zone of every schedule the policies quote on, else ``"UTC"``."""
    zones: set[str] = set()
    for policy in policies:
        names: set[str | None] = (
            {c.schedule for c in policy.channels.values()} if policy.channels else {None}
        )
        for rule in policy.rules:
            names.update(t.schedule for _, t in rule.metrics() if t.schedule is not None)
        zones.update(policy.schedule(name).tz for name in names)
    return zones.pop() if len(zones) == 1 else "UTC"


def _attribute_columns(requests: pd.DataFrame, policies: Sequence[Policy]) -> dict[str, pd.Series]:
    """One column per attribute key the rules match on, read from the ``attributes`` dicts."""
    keys = sorted({key for p in policies for r in p.rules for key in r.match.attributes})
    if not keys or "attributes" not in requests.columns:
        return {}
    cells = requests["attributes"].to_numpy(dtype=object)

    def get(cell: object, key: str) -> object:
        return cell.get(key) if isinstance(cell, Mapping) else None

    # A plain dict is the usual cell: read it without the slower Mapping check.
    return {
        key: pd.Series(
            [c.get(key) if type(c) is dict else get(c, key) for c in cells],
            index=requests.index,
            dtype=object,
        )
        for key in keys
    }


def _quote_frame(
    policies: Sequence[Policy], requests: pd.DataFrame, at: str, metrics: Sequence[Metric]
) -> pd.DataFrame:
    """Quote every row of `requests`; see :func:`expectkit.batch.quote_frame`."""
    for name in ("channel", at):
        if name not in requests.columns:
            msg = f"requests: no column {name!r}; expected a column {name!r} in the frame"
            raise PolicyError(msg)
    where = f"requests[{at!r}]"
    if not pd.api.types.is_datetime64_any_dtype(requests[at].dtype):
        raise InputTypeError.for_value(requests[at].dtype, where, "tz-aware timestamps")
    instants = np.ascontiguousarray(batch._instants(requests[at], where)[0])
    route = _route(requests, policies, instants, _attribute_columns(requests, policies))
    n = len(requests)
    matched = route.rule >= 0
    routed = matched | (route.reason == 2)  # a known channel, whether or not a rule matched
    channel_names = np.asarray([*route.channels, None], dtype=object)
    quoted_channel = channel_names[np.where(routed, route.channel, len(route.channels))]

    rule_names: list[str] = []
    rule_code = {m: np.full(n, -1, dtype=np.int64) for m in metrics}
    instants_out = {
        (m, col): np.full(n, _NAT, dtype=np.int64) for m in metrics for col in _PER_METRIC[1:]
    }
    rows_all = np.flatnonzero(matched)
    if len(rows_all):
        n_rules = max(len(p.rules) for p in policies)
        group = (route.version[rows_all] * n_rules + route.rule[rows_all]) * len(
            route.channels
        ) + route.channel[rows_all]
        order = np.argsort(group, kind="stable")
        bounds = np.flatnonzero(np.diff(group[order])) + 1
        for chunk in np.split(order, bounds):
            rows = rows_all[chunk]
            first = int(rows[0])
            policy = policies[int(route.version[first])]
            rule = policy.rules[int(route.rule[first])]
            channel = policy.channel(route.channels[int(route.channel[first])])
            if rule.name not in rule_names:
                rule_names.append(rule.name)
            code = rule_names.index(rule.name)
            for metric in metrics:
                target = getattr(rule, metric)
                if target is None:
                    continue
                named = target.schedule if target.schedule is not None else channel.schedule
                schedule = policy.schedule(named)
                start = instants[rows]
                if target.direction == "before":
                    quoted = _quote_lead(target, schedule, start)
                else:
                    rounding = target.rounding if target.rounding is not None else policy.rounding
                    quoted = _quote_target(target, rounding, schedule, start, low=True)
                assert quoted.promised_low is not None  # asked for above
                rule_code[metric][rows] = code
                for col, values in (
                    ("promised_low", quoted.promised_low),
                    ("promised_at", quoted.promised_at),
                    ("exact_promised_at", quoted.exact),
                    ("target_at", quoted.target_at),
                ):
                    instants_out[metric, col][rows] = values

    zone = _frame_zone(policies)
    index = requests.index
    rule_labels = np.asarray([*rule_names, None], dtype=object)
    data: dict[str, pd.Series] = {
        "matched": pd.Series(matched, index=index, copy=False),
        "quoted_channel": pd.Series(quoted_channel, index=index, dtype=object, copy=False),
    }
    for metric in metrics:
        codes = rule_code[metric]
        labels = rule_labels[np.where(codes >= 0, codes, len(rule_names))]
        data[f"{metric}_rule"] = pd.Series(labels, index=index, dtype=object, copy=False)
        for col in _PER_METRIC[1:]:
            utc = pd.DatetimeIndex(_dt64(instants_out[metric, col])).tz_localize("UTC")
            data[f"{metric}_{col}"] = pd.Series(
                utc.tz_convert(_pandas_zone(zone)), index=index, copy=False
            )
    return pd.DataFrame(data, index=index, copy=False)
