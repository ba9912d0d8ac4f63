"""Buffers and rounding: under-promise, over-deliver.

A :class:`Buffer` relates the **promise** (the instant the customer is told) and the
**target** (the instant the team aims for); either can be derived from the other.
A :class:`Rounding` moves a customer-facing instant *outward* to a tidy wall-clock
time, never earlier than the exact promise.

* ``ratio``: the target lies ``r`` of the way from the start to the promise, measured
  on the rule's clock (open time on the business clock, real time on the calendar):
  ``target = add(start, r * between(start, promise))``. The arithmetic is exact, in
  integer microseconds with ``r`` a :class:`~fractions.Fraction`; the target rounds
  down to the microsecond, a promise derived from a target rounds up.
* ``margin``: ``target = promise - m``, on the margin's own clock. Business days keep
  the position in the day (``same_time``): one business day before Wednesday 17:00
  is Tuesday 17:00.
* ``explicit``: both windows given; the target is the target window's upper end and
  the promise the promise window's. Where the two can be compared without a date
  (same clock, and units of fixed relation) the target may not be the longer.

Whatever the kind, a derived target is never before the start nor after the promise,
and a derived promise is never before the target.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Final, Literal, Self, get_args

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from expectkit._core.base import FrozenModel
from expectkit._core.errors import ExpectkitError, InputTypeError, OutOfRangeError, PolicyError
from expectkit.promises.windows import ClockName, Duration, Window, _utc
from expectkit.time.business_days import BusinessDayMode, _checked, _Days, _last_close
from expectkit.time.schedule import Schedule

__all__ = ["Buffer", "BufferKind", "RatioLike", "Rounding", "RoundingKind"]

BufferKind = Literal["ratio", "margin", "explicit"]
"""How a buffer relates target and promise."""

RoundingKind = Literal["none", "step", "end_of_day"]
"""How a customer-facing instant is rounded outward."""

RatioLike = Fraction | Decimal | int | float | str
"""Accepted spellings of a ratio: ``Fraction(1, 2)``, ``Decimal("0.5")``, ``0.5``, ``"1/2"``."""

# Spelled out: pydantic's own schema for Fraction changed across 2.x (2.11: text only).
_Ratio = Annotated[
    Fraction,
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "format": "fraction"}]}),
]

_CLOCKS: Final[tuple[ClockName, ...]] = get_args(ClockName)
_ONE_US: Final = timedelta(microseconds=1)
_DAY_MINUTES: Final = 1440
_STEP_RE: Final = re.compile(
    r"(?P<amount>[0-9]{1,4})\s*(?P<unit>min|mins|minute|minutes|h|hr|hrs|hour|hours)",
    re.IGNORECASE,
)
_FIXED_SECONDS: Final = {"seconds": 1, "minutes": 60, "hours": 3600}


def _check_clock(clock: object) -> ClockName:
    if clock not in _CLOCKS:
        raise InputTypeError.for_value(clock, "clock", "'business' or 'calendar'")
    return clock


def _us(delta: timedelta) -> int:
    return delta // _ONE_US


def _measure(a: datetime, b: datetime, schedule: Schedule, clock: ClockName) -> int:
    """Return the time from `a` to `b` on `clock`, in microseconds."""
    if clock == "business":
        return _us(schedule.between(a, b))
    return _us(b - a)


def _advance(a: datetime, us: int, schedule: Schedule, clock: ClockName) -> datetime:
    """Return `a` plus `us` microseconds on `clock`."""
    if clock == "business":
        return schedule.add(a, timedelta(microseconds=us)).astimezone(UTC)
    try:
        return _checked(a + timedelta(microseconds=us), "result")
    except OverflowError:
        msg = f"{us} µs after {a.isoformat()} lies outside the supported years"
        raise OutOfRangeError(msg) from None


def _to_fraction(value: object) -> object:
    if isinstance(value, bool):
        msg = f"ratio: {value!r} is not a number; write e.g. 0.5 or '2/3'"
        raise PolicyError(msg)
    if isinstance(value, float):
        # The decimal the user wrote, not the binary float: 0.1 is 1/10.
        return Fraction(repr(value))
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            msg = f"ratio: {value!r} is not a number; write e.g. 0.5 or '2/3'"
            raise PolicyError(msg) from None
    return value


def _measure_of(d: Duration) -> tuple[str, int]:
    """Return a (measure, size) pair; durations on one clock and measure compare exactly."""
    if d.unit in _FIXED_SECONDS:
        return "seconds", d.amount * _FIXED_SECONDS[d.unit]
    if d.unit == "months":
        return "months", d.amount
    if d.unit == "weeks":
        return "days", 7 * d.amount
    return "days", d.amount


def _provably_longer(a: Duration, b: Duration) -> bool:
    """Tell whether `a` is longer than `b` from every start (False when unknown)."""
    if a.clock != b.clock:
        return False
    (left, size), (right, other) = _measure_of(a), _measure_of(b)
    return left == right and size > other


class Rounding(FrozenModel):
    """How a customer-facing instant is rounded outward: never earlier, on a tidy time.

    ``none`` keeps the instant; a step (``"15min"``, ``"30min"``, ``"1h"``, any
    ``"<n>min"`` or ``"<n>h"`` that divides a day) rounds up to the next multiple of
    the step after local midnight on the schedule's wall clock; ``end_of_day`` rounds
    up to the last close of the business day the instant falls in (a day whose last
    close is at or after it: the instant's own date, or the previous date's overnight
    shift), else of the next business day. The model reads and writes the short
    string.

    Args:
        kind: ``none``, ``step`` or ``end_of_day``.
        step_minutes: The step, for ``kind="step"`` only: 1 to 1440 minutes, dividing
            1440 so that every day has the same boundaries.

    Raises:
        PolicyError: A step that is missing, out of range or does not divide a day,
            or a step given with another kind.

    >>> Rounding.parse("15min")
    Rounding(kind='step', step_minutes=15)
    >>> str(Rounding(kind="step", step_minutes=60)), str(Rounding.parse("end_of_day"))
    ('1h', 'end_of_day')

    """

    _error: ClassVar[type[ExpectkitError]] = PolicyError

    kind: RoundingKind = Field(description="none, step or end_of_day.")
    step_minutes: int | None = Field(
        default=None, ge=1, le=_DAY_MINUTES, strict=True, description="Step for kind 'step'."
    )

    @model_validator(mode="before")
    @classmethod
    def _read_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return _parse_rounding(data)
        return data

    @model_validator(mode="after")
    def _check_step(self) -> Self:
        if self.kind == "step":
            if self.step_minutes is None:
                msg = "step_minutes: a 'step' rounding needs a step, e.g. 15"
                raise PolicyError(msg)
            if _DAY_MINUTES % self.step_minutes:
                msg = (
                    f"step_minutes: {self.step_minutes} does not divide a day (1440 minutes); "
                    "use e.g. 5, 10, 15, 20, 30, 60 or 120"
                )
                raise PolicyError(msg)
        elif self.step_minutes is not None:
            msg = f"step_minutes: only a 'step' rounding takes a step, not {self.kind!r}"
            raise PolicyError(msg)
        return self

    @model_serializer(mode="plain")
    def _write_text(self) -> str:
        return str(self)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "description": "Rounding of told times: 'none', '15min', '30min', '1h', 'end_of_day'.",
            "examples": ["none", "15min", "1h", "end_of_day"],
        }

    @classmethod
    def parse(cls, text: str) -> Rounding:
        """Read ``"none"``, ``"end_of_day"``, or a step such as ``"15min"`` or ``"1h"``.

        Words are case-insensitive; a step is a whole number of minutes (``min``,
        ``minutes``) or hours (``h``, ``hours``), optionally spaced (``"15 min"``).

        Args:
            text: The rounding text.

        Returns:
            The rounding.

        Raises:
            PolicyError: The text is not a rounding, or the step does not divide a day.
            InputTypeError: `text` is not a string.

        >>> Rounding.parse("30 minutes"), Rounding.parse("none")
        (Rounding(kind='step', step_minutes=30), Rounding(kind='none', step_minutes=None))
        >>> Rounding.parse("7min")
        Traceback (most recent call last):
        ...
        expectkit.errors.PolicyError: Rounding: step_minutes: 7 does not divide a day (1440 minutes); use e.g. 5, 10, 15, 20, 30, 60 or 120

        """  # noqa: E501 -- a doctest shows the whole message on one line
        if not isinstance(text, str):
            raise InputTypeError.for_value(text, "text", "a string like '15min'")
        return cls(**_parse_rounding(text))

    def __str__(self) -> str:
        if self.kind != "step" or self.step_minutes is None:
            return self.kind
        if self.step_minutes % 60 == 0:
            return f"{self.step_minutes // 60}h"
        return f"{self.step_minutes}min"

    def round_up(self, t: datetime, schedule: Schedule) -> datetime:
        """Return the first instant at or after `t` that this rounding allows.

        Steps are counted on the schedule's local wall clock from midnight. Around DST
        the result is the first *existing* boundary whose wall time is at or after
        `t`'s, at its first occurrence not earlier than `t`: a boundary skipped by a
        spring-forward gap is passed over; in a fall-back fold the wall clock never
        steps back (``02:50`` summer time rounds to ``03:00`` winter time, not to the
        second ``02:00``), while a time in the fold's second pass rounds within it.

        Args:
            t: An aware instant, in any zone.
            schedule: Gives the zone, and the business days for ``end_of_day``.

        Returns:
            The rounded instant in the schedule's zone; `t` itself when it already
            lies on a boundary.

        Raises:
            NaiveDatetimeError: `t` has no time zone.
            InputTypeError: `t` is not a datetime.
            HorizonError: ``end_of_day`` finds no business day within the horizon.
            OutOfRangeError: The answer lies outside the supported years.

        >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> t = datetime(2026, 11, 20, 21, 37, tzinfo=berlin.zone)
        >>> Rounding.parse("15min").round_up(t, berlin).isoformat()
        '2026-11-20T21:45:00+01:00'
        >>> Rounding.parse("end_of_day").round_up(t, berlin).isoformat()  # Friday is over
        '2026-11-23T17:00:00+01:00'

        """
        x = _utc(t, "t")
        zone = schedule.zone
        if self.kind == "end_of_day":
            days = _Days(schedule, x)
            day = days.start_day(x, inclusive=True)
            return _last_close(days.intervals(day)).astimezone(zone)
        if self.kind == "none" or self.step_minutes is None:
            return x.astimezone(zone)
        step = timedelta(minutes=self.step_minutes)
        wall = x.astimezone(zone).replace(tzinfo=None, fold=0)
        midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
        candidate = midnight + -((midnight - wall) // step) * step
        # A gap can swallow at most a day of boundaries (Pacific/Apia, 2011-12-30).
        for _ in range(2 * _DAY_MINUTES // self.step_minutes + 2):
            for fold in (0, 1):
                instant = candidate.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                exists = instant.astimezone(zone).replace(tzinfo=None) == candidate
                if exists and instant >= x:
                    return _checked(instant, "result").astimezone(zone)
            candidate += step
        msg = f"no {self} boundary found after {t.isoformat()} in {schedule.tz}"
        raise OutOfRangeError(msg)


def _parse_rounding(text: str) -> dict[str, Any]:
    word = text.strip().lower()
    if word in ("none", "end_of_day"):
        return {"kind": word}
    match = _STEP_RE.fullmatch(word)
    if match is None:
        msg = (
            f"rounding: {text!r} is not a rounding; write 'none', 'end_of_day', "
            "or a step like '15min' or '1h'"
        )
        raise PolicyError(msg)
    minutes = int(match["amount"]) * (60 if match["unit"].startswith("h") else 1)
    if not 1 <= minutes <= _DAY_MINUTES:
        msg = f"rounding: {text!r}: a step runs from 1 minute to 24 hours"
        raise PolicyError(msg)
    return {"kind": "step", "step_minutes": minutes}


class Buffer(FrozenModel):
    """The gap between the promise (told) and the target (aimed for).

    Give exactly one of: ``ratio`` (in ``(0, 1]``), ``margin`` (a :class:`Duration`),
    or ``target`` and ``promise`` (two :class:`Window` objects, the *explicit* kind).
    The kind is read from the fields given; a ``kind`` key, if present, must agree.
    Serialises to the same compact mapping (``{"ratio": 0.5}``).

    Args:
        ratio: Target = start + ratio × (promise − start) on the rule's clock. A float
            is read as the decimal it prints as (0.1 is exactly 1/10); ``"2/3"`` works.
        margin: Target = promise − margin, on the margin's clock.
        target: Explicit kind: the window aimed for.
        promise: Explicit kind: the window told.

    Raises:
        PolicyError: No kind or two kinds, a ratio outside ``(0, 1]``, half an
            explicit pair, or an explicit target provably longer than its promise.
        WindowParseError: A margin or window string that does not parse.

    >>> Buffer(ratio=0.5).kind, Buffer.from_margin("4 business hours").kind
    ('ratio', 'margin')
    >>> Buffer.from_explicit(target="3-4 weeks", promise="6 weeks").model_dump()
    {'target': '3-4 calendar weeks', 'promise': '6 calendar weeks'}

    """

    _error: ClassVar[type[ExpectkitError]] = PolicyError

    ratio: _Ratio | None = Field(default=None, description="Share of the promise, in (0, 1].")
    margin: Duration | None = Field(default=None, description="Time taken off the promise.")
    target: Window | None = Field(default=None, description="Explicit target window.")
    promise: Window | None = Field(default=None, description="Explicit promise window.")

    @model_validator(mode="before")
    @classmethod
    def _read_kind(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "kind" not in data:
            return data
        fields = dict(data)
        kind = fields.pop("kind")
        given = _kind_of(fields)
        if kind not in get_args(BufferKind):
            msg = f"kind: {kind!r} is not a buffer kind; use 'ratio', 'margin' or 'explicit'"
            raise PolicyError(msg)
        if given is not None and given != kind:
            msg = f"kind: {kind!r} does not match the fields given (a {given} buffer)"
            raise PolicyError(msg)
        return fields

    @field_validator("ratio", mode="before")
    @classmethod
    def _read_ratio(cls, value: object) -> object:
        return _to_fraction(value)

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        names = ("ratio", "margin", "target", "promise")
        given = [name for name in names if getattr(self, name) is not None]
        if not given:
            msg = "give a 'ratio', a 'margin', or a 'target' and a 'promise'"
            raise PolicyError(msg)
        if len(given) > 1 and given != ["target", "promise"]:
            msg = f"give one kind of buffer, not {' and '.join(given)}"
            raise PolicyError(msg)
        if self.ratio is not None and not 0 < self.ratio <= 1:
            msg = f"ratio: {_ratio_text(self.ratio)} must lie in (0, 1]: above 0, at most 1"
            raise PolicyError(msg)
        if (self.target is None) != (self.promise is None):
            missing = "promise" if self.promise is None else "target"
            msg = f"an explicit buffer needs both 'target' and 'promise'; {missing!r} is missing"
            raise PolicyError(msg)
        if (
            self.target is not None
            and self.promise is not None
            and _provably_longer(self.target.high, self.promise.high)
        ):
            msg = f"target {str(self.target)!r} is longer than promise {str(self.promise)!r}"
            raise PolicyError(msg)
        return self

    @field_serializer("ratio")
    def _write_ratio(self, value: Fraction | None) -> float | str | None:
        if value is None:
            return None
        as_float = float(value)
        return as_float if Fraction(repr(as_float)) == value else str(value)

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_ratio(cls, ratio: RatioLike) -> Buffer:
        """Build a ratio buffer: the target lies `ratio` of the way to the promise.

        Args:
            ratio: In ``(0, 1]``; floats are read as the decimal they print as.

        Returns:
            The buffer.

        Raises:
            PolicyError: The ratio is not a number in ``(0, 1]``.

        >>> Buffer.from_ratio("2/3").ratio
        Fraction(2, 3)
        >>> Buffer.from_ratio(0.1).ratio
        Fraction(1, 10)

        """
        return cls(ratio=ratio)

    @classmethod
    def from_margin(cls, margin: Duration | str, default_clock: ClockName = "calendar") -> Buffer:
        """Build a margin buffer: the target is `margin` before the promise.

        Args:
            margin: A duration, or its text (``"4 business hours"``).
            default_clock: The clock of a text that names none.

        Returns:
            The buffer.

        Raises:
            WindowParseError: The margin text does not parse.

        >>> Buffer.from_margin("1 day", default_clock="business").margin
        Duration(amount=1, unit='days', clock='business')

        """
        if isinstance(margin, str):
            margin = Duration.parse(margin, default_clock=default_clock)
        return cls(margin=margin)

    @classmethod
    def from_explicit(
        cls,
        target: Window | Duration | str,
        promise: Window | Duration | str,
        default_clock: ClockName = "calendar",
    ) -> Buffer:
        """Build an explicit buffer from the target and promise windows.

        Args:
            target: The window aimed for, a duration, or its text.
            promise: The window told, a duration, or its text.
            default_clock: The clock of texts that name none.

        Returns:
            The buffer.

        Raises:
            PolicyError: The target is provably longer than the promise.
            WindowParseError: A text does not parse.

        >>> b = Buffer.from_explicit("1 business day", "1-3 business days")
        >>> str(b.target), str(b.promise)
        ('1 business day', '1-3 business days')

        """
        return cls(target=_window(target, default_clock), promise=_window(promise, default_clock))

    @property
    def kind(self) -> BufferKind:
        """Which kind of buffer this is: ``ratio``, ``margin`` or ``explicit``.

        >>> Buffer.from_explicit("1 day", "2 days").kind
        'explicit'

        """
        if self.ratio is not None:
            return "ratio"
        if self.margin is not None:
            return "margin"
        return "explicit"

    def target_from_promise(
        self,
        start: datetime,
        promise_at: datetime,
        schedule: Schedule,
        clock: ClockName,
        *,
        day_mode: BusinessDayMode = "end_of_day",
    ) -> datetime:
        """Return the target instant for a promise due at `promise_at`.

        ``ratio``: ``add(start, r × between(start, promise_at))`` on `clock`, rounded
        down to the microsecond. ``margin``: the margin before `promise_at`. ``explicit``:
        the target window's upper end applied to `start` with `day_mode`. The result
        is clamped into ``[start, promise_at]``.

        Args:
            start: When the clock started (the request), aware.
            promise_at: The exact promised instant, aware.
            schedule: The rule's schedule.
            clock: The rule's clock, on which a ratio is measured.
            day_mode: Business-day mode for explicit target windows.

        Returns:
            The target instant in the schedule's zone.

        Raises:
            NaiveDatetimeError: An instant has no time zone.
            InputTypeError: An instant is not a datetime, or `clock` is unknown.
            HorizonError: Open time lies further than the schedule's horizon.

        >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> start = datetime(2026, 11, 20, 16, 30, tzinfo=berlin.zone)  # Friday
        >>> promise = datetime(2026, 11, 24, 17, 0, tzinfo=berlin.zone)  # Tuesday
        >>> Buffer(ratio=0.5).target_from_promise(start, promise, berlin, "business").isoformat()
        '2026-11-23T16:45:00+01:00'

        """
        s = _utc(start, "start")
        p = _utc(promise_at, "promise_at")
        rule_clock = _check_clock(clock)
        if self.ratio is not None:
            span = _measure(s, p, schedule, rule_clock)
            share = span * self.ratio.numerator // self.ratio.denominator
            result = _advance(s, share, schedule, rule_clock) if span > 0 else s
        elif self.margin is not None:
            result = self.margin.apply_backward(p, schedule, day_mode="same_time")
        else:
            assert self.target is not None
            result = self.target.high.apply(s, schedule, day_mode=day_mode)
        result = max(s, min(result.astimezone(UTC), p))
        return result.astimezone(schedule.zone)

    def promise_from_target(
        self,
        start: datetime,
        target_at: datetime,
        schedule: Schedule,
        clock: ClockName,
        *,
        day_mode: BusinessDayMode = "end_of_day",
    ) -> datetime:
        """Return the promise instant for a target due at `target_at`.

        The inverse of :meth:`target_from_promise`. ``ratio``:
        ``add(start, between(start, target_at) / r)`` on `clock`, rounded up to the
        microsecond. ``margin``: the margin after `target_at`. ``explicit``: the promise
        window's upper end applied to `start` with `day_mode`. The result is never
        before `target_at` (nor `start`).

        Args:
            start: When the clock started (the request), aware.
            target_at: The target instant, aware.
            schedule: The rule's schedule.
            clock: The rule's clock, on which a ratio is measured.
            day_mode: Business-day mode for explicit promise windows.

        Returns:
            The exact (unrounded) promise instant in the schedule's zone.

        Raises:
            NaiveDatetimeError: An instant has no time zone.
            InputTypeError: An instant is not a datetime, or `clock` is unknown.
            HorizonError: Open time lies further than the schedule's horizon.

        >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> start = datetime(2026, 11, 20, 16, 30, tzinfo=berlin.zone)
        >>> target = datetime(2026, 11, 23, 16, 45, tzinfo=berlin.zone)
        >>> Buffer(ratio=0.5).promise_from_target(start, target, berlin, "business").isoformat()
        '2026-11-24T17:00:00+01:00'
        >>> Buffer.from_margin("2 hours").promise_from_target(
        ...     start, target, berlin, "calendar").isoformat()
        '2026-11-23T18:45:00+01:00'

        """
        s = _utc(start, "start")
        g = _utc(target_at, "target_at")
        rule_clock = _check_clock(clock)
        if self.ratio is not None:
            span = _measure(s, g, schedule, rule_clock)
            whole = -(-span * self.ratio.denominator // self.ratio.numerator)
            result = _advance(s, whole, schedule, rule_clock) if span > 0 else s
        elif self.margin is not None:
            result = self.margin.apply(g, schedule, day_mode="same_time")
        else:
            assert self.promise is not None
            result = self.promise.high.apply(s, schedule, day_mode=day_mode)
        result = max(s, g, result.astimezone(UTC))
        return result.astimezone(schedule.zone)


def _kind_of(fields: dict[str, Any]) -> BufferKind | None:
    if fields.get("ratio") is not None:
        return "ratio"
    if fields.get("margin") is not None:
        return "margin"
    if fields.get("target") is not None or fields.get("promise") is not None:
        return "explicit"
    return None


def _ratio_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    return repr(as_float) if Fraction(repr(as_float)) == value else str(value)


def _window(value: Window | Duration | str, default_clock: ClockName) -> Window:
    if isinstance(value, str):
        return Window.parse(value, default_clock=default_clock)
    if isinstance(value, Duration):
        return Window(low=value, high=value)
    return value
