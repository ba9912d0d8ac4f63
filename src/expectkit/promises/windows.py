"""Durations and windows: ``"8 business hours"``, ``"1-3 business days"``, ``"48h"``.

A :class:`Duration` is an amount of one unit counted on one clock; a :class:`Window`
is the range a customer is told (``"1–3 business days"``), a single value being a
range whose ends are equal. Both parse from and print to short strings.

Grammar (words are case-insensitive; a number may touch its unit, as in ``"48h"``)::

    window    = ["within"] amount [separator amount] [clock] unit
    duration  = ["within"] amount [clock] unit
    amount    = digits ["." digits]              ASCII digits, at most 999999999
    separator = "-" | "–" | "—" | "to"
    clock     = "business" | "working" | "calendar"
    unit      = "s" | "sec" | "secs" | "second" | "seconds"
              | "min" | "mins" | "minute" | "minutes"
              | "h" | "hr" | "hrs" | "hour" | "hours"
              | "d" | "day" | "days"
              | "w" | "wk" | "wks" | "week" | "weeks"
              | "mo" | "mos" | "month" | "months"

* ``"within"`` adds nothing: every window is already a bound the answer comes by.
* ``"m"`` is refused as ambiguous (minutes or months?); write ``min`` or ``mo``.
* Without a clock word the text counts on the *default clock* (the calendar unless a
  policy says otherwise). ``"working"`` is read as ``"business"``.
* A fractional amount is accepted when it is a whole number of a smaller fixed unit,
  and is stored in that unit: ``"1.5 hours"`` is 90 minutes, ``"1.5-2 hours"`` is
  90–120 minutes. Days, weeks and months take whole numbers.
* Business weeks and months are refused: they have no agreed length (five business
  days? the calendar week, rolled to a business day?). Write ``"10 business days"`` or
  ``"2 calendar weeks"``.
* ``str()`` prints the canonical form (``"1-3 business days"``, ``"1 hour"``, the
  calendar clock left implicit), so ``Window.parse(str(w)) == w``. Serialised models
  (``model_dump``, JSON) always name the clock (``"3 calendar days"``), so they read
  back the same whatever a policy's default clock is.

Semantics (every result is an instant in the schedule's zone):

* Calendar seconds, minutes and hours are real elapsed time. Calendar days, weeks and
  months move the wall-clock date in the schedule's zone and keep the local time
  (months clamp to the month's end, 31 Jan + 1 month = 28/29 Feb); a wall time that
  falls in a DST gap resolves later by the gap, one in a fold to the earlier instant.
* Business seconds, minutes and hours are :meth:`Schedule.add` /
  :meth:`Schedule.subtract`: a forward result lands at a close, a backward one at an
  opening.
* Business days count days the schedule is open (days that own open intervals; an
  overnight shift belongs to the day it starts).

  ``end_of_day`` (default): the start day D0 is the first business day whose last
  close is after the start (the start's own local date, or the previous date whose
  overnight shift is still running, else the next business day); the answer is the
  last close of the N-th business day after D0, so N = 0 is the end of D0.

  ``same_time``: the answer lies as much open time into the N-th business day after
  D0 as the start lay into D0 (a start before D0's opening is at position zero, the
  day's first opening; a start exactly at D0's last close is at D0's full length),
  capped at that day's length; a position that ends at a break lands at the start of
  the break (the earliest instant). N = 0 returns the start itself.

  Backward (:meth:`Duration.apply_backward`) mirrors this: the end day E0 is the
  latest business day that opened before the end (``same_time``: at or before it);
  ``end_of_day`` answers with the first opening of the N-th business day before E0,
  ``same_time`` with the same position in that day.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Final, Literal, NoReturn, Self

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from expectkit._core.base import FrozenModel
from expectkit._core.errors import (
    ExpectkitError,
    InputTypeError,
    WindowParseError,
)
from expectkit._core.instants import check_instant
from expectkit.time.business_days import (
    _FIXED_SECONDS,
    _MODES,
    BusinessDayMode,
    DurationUnit,
    _business_days,
    _calendar_shift,
    _checked,
    _Days,
)
from expectkit.time.schedule import Schedule

__all__ = ["MAX_AMOUNT", "ClockName", "Duration", "Window"]


ClockName = Literal["business", "calendar"]
"""``business`` counts open time of a schedule; ``calendar`` counts all time."""


MAX_AMOUNT: Final = 999_999_999
"""The largest amount a duration may have."""

_FINER: Final[dict[DurationUnit, tuple[DurationUnit, int]]] = {
    "hours": ("minutes", 60),
    "minutes": ("seconds", 60),
}
_SINGULAR: Final[dict[DurationUnit, str]] = {
    "seconds": "second",
    "minutes": "minute",
    "hours": "hour",
    "days": "day",
    "weeks": "week",
    "months": "month",
}
_UNIT_WORDS: Final[dict[str, DurationUnit]] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "seconds"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("mo", "mos", "month", "months"), "months"),
}
_CLOCK_WORDS: Final[dict[str, ClockName]] = {
    "business": "business",
    "working": "business",
    "calendar": "calendar",
}
_KNOWN_WORDS: Final = (*_UNIT_WORDS, *_CLOCK_WORDS, "within", "to")
_EXAMPLES: Final = "write e.g. '1-3 business days', '3-5 hours', '48h' or '30 seconds'"

_TOKEN_RE: Final = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<dash>[-\u2013\u2014])"
    r"|(?P<other>.)",
    re.DOTALL,
)


# ---------------------------------------------------------------------------
# Parsing and formatting
# ---------------------------------------------------------------------------


_TokenKind = Literal["number", "word", "dash", "other", "end"]
_TOKEN_KINDS: Final[dict[str, _TokenKind]] = {
    "number": "number",
    "word": "word",
    "dash": "dash",
    "other": "other",
}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _TokenKind
    text: str
    index: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


@dataclass(frozen=True, slots=True)
class _Parsed:
    low: int
    high: int
    unit: DurationUnit
    clock: ClockName


class _Parser:
    """Read one window or duration; every failure names the offending token."""

    def __init__(self, text: str, what: str, default_clock: ClockName) -> None:
        self.text = text
        self.what = what
        self.default_clock = default_clock
        self.tokens = self._tokenize(text)
        self.pos = 0

    @staticmethod
    def _tokenize(text: str) -> list[_Token]:
        tokens: list[_Token] = []
        for match in _TOKEN_RE.finditer(text):
            kind = _TOKEN_KINDS.get(match.lastgroup or "space")
            if kind is not None:
                tokens.append(_Token(kind, match.group(), match.start()))
        tokens.append(_Token("end", "", len(text)))
        return tokens

    def fail(self, token: _Token, problem: str) -> NoReturn:
        where = "at the end" if token.kind == "end" else f"{token.text!r} at index {token.index}"
        msg = f"cannot parse {self.what} {self.text!r}: {where}: {problem}; {_EXAMPLES}"
        raise WindowParseError(msg)

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def number(self, after: str) -> _Token:
        token = self.take()
        if token.kind != "number":
            problem = "expected a number" if not after else f"expected a number after {after}"
            if token.kind == "dash" and not after:
                problem += " (amounts are never negative)"
            self.fail(token, problem)
        integral = token.text.split(".")[0].lstrip("0")
        if len(integral) > len(str(MAX_AMOUNT)):
            self.fail(token, f"the amount is too large (at most {MAX_AMOUNT})")
        return token

    def parse(self, *, allow_range: bool) -> _Parsed:
        if self.peek().kind == "end":
            self.fail(self.peek(), f"the text is empty; expected a {self.what}")
        if self.peek().word == "within":
            self.take()
        low = self.number("")
        high = low
        sep = self.peek()
        if sep.kind == "dash" or sep.word == "to":
            if not allow_range:
                self.fail(sep, "a duration is one amount, not a range")
            self.take()
            high = self.number(repr(sep.text))
        clock_token: _Token | None = None
        if self.peek().word in _CLOCK_WORDS:
            clock_token = self.take()
        unit_token = self.take()
        unit = _UNIT_WORDS.get(unit_token.word)
        if unit is None:
            self.fail(unit_token, self._unit_problem(unit_token, clock_token))
        rest = self.peek()
        if rest.kind != "end":
            hint = ""
            if rest.word in _CLOCK_WORDS:
                hint = f" (the clock goes before the unit: '3 {rest.word} days')"
            self.fail(rest, f"unexpected text after the unit {unit_token.text!r}{hint}")
        clock = _CLOCK_WORDS[clock_token.word] if clock_token is not None else self.default_clock
        if clock == "business" and unit in ("weeks", "months"):
            implied = "" if clock_token is not None else " (the default clock here is business)"
            self.fail(
                unit_token,
                f"business {unit} have no agreed length{implied}; count business days "
                f"('10 business days') or calendar {unit} ('2 calendar {unit}')",
            )
        (low_amount, high_amount), unit = self._whole([low, high], unit)
        if low_amount > high_amount:
            span = self.text[low.index : high.index + len(high.text)]
            self.fail(
                _Token("other", span, low.index),
                f"the range runs backwards ({low.text} is more than {high.text})",
            )
        return _Parsed(low_amount, high_amount, unit, clock)

    def _unit_problem(self, token: _Token, clock: _Token | None) -> str:
        units = "seconds, minutes, hours, days, weeks or months"
        if token.kind == "end":
            return f"expected a unit ({units})"
        if token.kind == "number":
            return "expected a unit, found a second number (write a range as '3-5 days')"
        if token.word == "m":
            return "'m' is ambiguous; write 'min' for minutes or 'mo' for months"
        if token.word in _CLOCK_WORDS and clock is not None:
            return f"the clock is already {clock.text!r}; give one clock word"
        if token.kind == "word":
            close = difflib.get_close_matches(token.word, _KNOWN_WORDS, n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown unit{hint}; expected {units}"
        return f"expected a unit ({units})"

    def _whole(
        self, tokens: Sequence[_Token], unit: DurationUnit
    ) -> tuple[list[int], DurationUnit]:
        written = unit
        values = [Decimal(t.text) for t in tokens]
        while True:
            if all(v == v.to_integral_value() for v in values):
                for token, value in zip(tokens, values, strict=True):
                    if value > MAX_AMOUNT:
                        self.fail(token, f"the amount is too large (at most {MAX_AMOUNT} {unit})")
                return [int(v) for v in values], unit
            finer = _FINER.get(unit)
            bad = next(t for t, v in zip(tokens, values, strict=True) if v % 1)
            if finer is None:
                if written == unit:
                    self.fail(bad, f"{unit} take whole numbers, not fractions")
                self.fail(bad, f"{bad.text} {written} is not a whole number of {unit}")
            unit, factor = finer
            values = [v * factor for v in values]


def _parse(text: object, what: str, default_clock: ClockName, *, allow_range: bool) -> _Parsed:
    if not isinstance(text, str):
        raise InputTypeError.for_value(text, what, "a string like '1-3 business days'")
    if default_clock not in ("business", "calendar"):
        raise InputTypeError.for_value(default_clock, "default_clock", "'business' or 'calendar'")
    return _Parser(text, what, default_clock).parse(allow_range=allow_range)


def _format(low: int, high: int, unit: DurationUnit, clock: ClockName, *, explicit: bool) -> str:
    amount = str(low) if low == high else f"{low}-{high}"
    noun = _SINGULAR[unit] if low == high == 1 else unit
    if clock == "business":
        return f"{amount} business {noun}"
    return f"{amount} calendar {noun}" if explicit else f"{amount} {noun}"


def _context_clock(info: ValidationInfo) -> ClockName:
    context = info.context
    default = context.get("default_clock") if isinstance(context, Mapping) else None
    return "business" if default == "business" else "calendar"


def _text_schema(description: str, examples: list[str]) -> JsonSchemaValue:
    return {"type": "string", "description": description, "examples": examples}


# ---------------------------------------------------------------------------
# Instants
# ---------------------------------------------------------------------------


def _utc(value: object, where: str) -> datetime:
    """Return an aware datetime as UTC; naive or non-datetime input is refused."""
    return _checked(check_instant(value, where).astimezone(UTC), where)


def _check_mode(day_mode: object) -> BusinessDayMode:
    if day_mode not in _MODES:
        msg = f"day_mode: {day_mode!r} is not a business-day mode; use 'end_of_day' or 'same_time'"
        raise WindowParseError(msg)
    return day_mode


# ---------------------------------------------------------------------------
# Business days
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


class Duration(FrozenModel):
    """An amount of one unit counted on one clock: ``"8 business hours"``, ``"2 weeks"``.

    Equality is structural: ``Duration(amount=60, unit="minutes")`` differs from
    ``Duration(amount=1, unit="hours")`` although they apply alike. The model reads a
    string as well as its fields, and serialises to the explicit string
    (``"2 calendar weeks"``).

    Args:
        amount: How many units; a whole number from 0 to :data:`MAX_AMOUNT`.
        unit: ``seconds``, ``minutes``, ``hours``, ``days``, ``weeks`` or ``months``.
        clock: ``calendar`` (default) or ``business``; business weeks and months are
            refused (they have no agreed length).

    Raises:
        WindowParseError: A negative or fractional amount, an unknown unit or clock, or
            business weeks or months.

    >>> Duration(amount=8, unit="hours", clock="business")
    Duration(amount=8, unit='hours', clock='business')
    >>> str(Duration(amount=1, unit="days", clock="business"))
    '1 business day'

    """

    _error: ClassVar[type[ExpectkitError]] = WindowParseError

    amount: int = Field(ge=0, le=MAX_AMOUNT, strict=True, description="Whole number of units.")
    unit: DurationUnit = Field(description="seconds, minutes, hours, days, weeks or months.")
    clock: ClockName = Field(default="calendar", description="business or calendar.")

    @model_validator(mode="before")
    @classmethod
    def _read_text(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, str):
            parsed = _parse(data, "duration", _context_clock(info), allow_range=False)
            return {"amount": parsed.low, "unit": parsed.unit, "clock": parsed.clock}
        return data

    @model_validator(mode="after")
    def _check_clock(self) -> Self:
        if self.clock == "business" and self.unit in ("weeks", "months"):
            msg = (
                f"business {self.unit} have no agreed length; count business days "
                f"('10 business days') or calendar {self.unit} ('2 calendar {self.unit}')"
            )
            raise WindowParseError(msg)
        return self

    @model_serializer(mode="plain")
    def _write_text(self) -> str:
        return _format(self.amount, self.amount, self.unit, self.clock, explicit=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _text_schema(
            "A duration such as '8 business hours', '30 seconds' or '2 weeks'.",
            ["8 business hours", "30 seconds", "2 weeks"],
        )

    @classmethod
    def parse(cls, text: str, default_clock: ClockName = "calendar") -> Duration:
        """Read a duration such as ``"8 business hours"``, ``"48h"`` or ``"1.5 hours"``.

        The grammar is in the module documentation; a range (``"1-3 days"``) is a
        :class:`Window`, not a duration.

        Args:
            text: The duration text.
            default_clock: The clock when the text names none.

        Returns:
            The duration; a fraction is stored in the smaller unit it is whole in.

        Raises:
            WindowParseError: The text does not follow the grammar; the message names
                the offending token and its index.
            InputTypeError: `text` is not a string.

        >>> Duration.parse("1.5 hours")
        Duration(amount=90, unit='minutes', clock='calendar')
        >>> str(Duration.parse("30 seconds", default_clock="business"))
        '30 business seconds'
        >>> Duration.parse("3 bussiness days")
        Traceback (most recent call last):
        ...
        expectkit.errors.WindowParseError: cannot parse duration '3 bussiness days': 'bussiness' at index 2: unknown unit (did you mean 'business'?); expected seconds, minutes, hours, days, weeks or months; write e.g. '1-3 business days', '3-5 hours', '48h' or '30 seconds'

        """  # noqa: E501 -- a doctest shows the whole message on one line
        parsed = _parse(text, "duration", default_clock, allow_range=False)
        return cls(amount=parsed.low, unit=parsed.unit, clock=parsed.clock)

    def __str__(self) -> str:
        return _format(self.amount, self.amount, self.unit, self.clock, explicit=False)

    def apply(
        self, start: datetime, schedule: Schedule, *, day_mode: BusinessDayMode = "end_of_day"
    ) -> datetime:
        """Return the instant this duration after `start`, in the schedule's zone.

        Calendar seconds, minutes and hours are real time; calendar days, weeks and
        months move the local date and keep the local time (gap: later, fold:
        earlier). Business seconds, minutes and hours are :meth:`Schedule.add`.
        Business days follow `day_mode` (see the module documentation). A zero amount
        returns `start` itself, except ``0 business days`` in ``end_of_day`` mode,
        which is the end of the start day.

        Args:
            start: An aware instant, in any zone.
            schedule: Gives the zone, and the open hours on the business clock.
            day_mode: ``end_of_day`` (default) or ``same_time``, for business days.

        Returns:
            The due instant, never earlier than `start`.

        Raises:
            NaiveDatetimeError: `start` has no time zone.
            InputTypeError: `start` is not a datetime.
            HorizonError: Open time lies further than the schedule's horizon.
            OutOfRangeError: The answer lies outside the supported years.

        >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> friday = datetime(2026, 11, 20, 16, 30, tzinfo=berlin.zone)
        >>> Duration.parse("1 business day").apply(friday, berlin).isoformat()
        '2026-11-23T17:00:00+01:00'
        >>> Duration.parse("1 business day").apply(friday, berlin, day_mode="same_time").isoformat()
        '2026-11-23T16:30:00+01:00'
        >>> Duration.parse("3 hours").apply(friday, berlin).isoformat()
        '2026-11-20T19:30:00+01:00'

        """
        t = _utc(start, "start")
        mode = _check_mode(day_mode)
        if self.clock == "calendar":
            return _calendar_shift(t, schedule, self.unit, self.amount, 1)
        if self.unit == "days":
            return _business_days(t, schedule, self.amount, mode, 1).astimezone(schedule.zone)
        return schedule.add(t, self._fixed())

    def apply_backward(
        self, end: datetime, schedule: Schedule, *, day_mode: BusinessDayMode = "end_of_day"
    ) -> datetime:
        """Return the instant this duration before `end`: the mirror image of :meth:`apply`.

        Calendar units move back as :meth:`apply` moves forward. Business seconds,
        minutes and hours are :meth:`Schedule.subtract` (landing at an opening). For
        business days, the end day E0 is the latest business day that opened before
        `end`; ``end_of_day`` gives the *first opening* of the N-th business day before
        E0, ``same_time`` the same elapsed open time into that day (so a margin of
        ``1 business day`` before Wednesday 17:00 is Tuesday 17:00).

        Args:
            end: An aware instant, in any zone.
            schedule: Gives the zone, and the open hours on the business clock.
            day_mode: ``end_of_day`` (default) or ``same_time``, for business days.

        Returns:
            The instant, never later than `end`.

        Raises:
            NaiveDatetimeError: `end` has no time zone.
            InputTypeError: `end` is not a datetime.
            HorizonError: Open time lies further than the schedule's horizon.
            OutOfRangeError: The answer lies outside the supported years.

        >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> event = datetime(2026, 11, 26, 10, 0, tzinfo=berlin.zone)  # a Thursday
        >>> Duration.parse("2 business days").apply_backward(event, berlin).isoformat()
        '2026-11-24T09:00:00+01:00'
        >>> two = Duration.parse("2 business days")
        >>> two.apply_backward(event, berlin, day_mode="same_time").isoformat()
        '2026-11-24T10:00:00+01:00'
        >>> Duration.parse("1 month").apply_backward(
        ...     datetime(2026, 3, 31, 12, 0, tzinfo=berlin.zone), berlin).isoformat()
        '2026-02-28T12:00:00+01:00'

        """
        t = _utc(end, "end")
        mode = _check_mode(day_mode)
        if self.clock == "calendar":
            return _calendar_shift(t, schedule, self.unit, self.amount, -1)
        if self.unit == "days":
            return _business_days(t, schedule, self.amount, mode, -1).astimezone(schedule.zone)
        return schedule.subtract(t, self._fixed())

    def _fixed(self) -> timedelta:
        return timedelta(seconds=self.amount * _FIXED_SECONDS[self.unit])


class Window(FrozenModel):
    """The range a customer is told: ``"1-3 business days"``, ``"3-5 hours"``, ``"48h"``.

    Both ends count the same unit on the same clock, and ``low <= high``; a single
    value is a window whose ends are equal. The model reads a string as well as its
    fields (or a :class:`Duration`), and serialises to the explicit string
    (``"3-5 calendar hours"``).

    Args:
        low: The earliest end of the range.
        high: The latest end of the range (what a promise is held to).

    Raises:
        WindowParseError: The ends differ in unit or clock, or ``low > high``.

    >>> w = Window.parse("1–3 business days")
    >>> w.low, w.high
    (Duration(amount=1, unit='days', clock='business'), Duration(amount=3, unit='days', clock='business'))
    >>> str(w), w.clock, w.is_range
    ('1-3 business days', 'business', True)
    >>> str(Window(low=Duration.parse("30 seconds"), high=Duration.parse("30 seconds")))
    '30 seconds'

    """  # noqa: E501 -- a doctest shows the whole tuple on one line

    _error: ClassVar[type[ExpectkitError]] = WindowParseError

    low: Duration
    high: Duration

    @model_validator(mode="before")
    @classmethod
    def _read_text(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, str):
            parsed = _parse(data, "window", _context_clock(info), allow_range=True)
            return {
                "low": Duration(amount=parsed.low, unit=parsed.unit, clock=parsed.clock),
                "high": Duration(amount=parsed.high, unit=parsed.unit, clock=parsed.clock),
            }
        if isinstance(data, Duration):
            return {"low": data, "high": data}
        return data

    @model_validator(mode="after")
    def _check_ends(self) -> Self:
        low, high = self.low, self.high
        if low.clock != high.clock:
            msg = f"low {str(low)!r} and high {str(high)!r} count on different clocks"
            raise WindowParseError(msg)
        if low.unit != high.unit:
            msg = (
                f"low {str(low)!r} and high {str(high)!r} use different units; "
                "give both ends in one unit"
            )
            raise WindowParseError(msg)
        if low.amount > high.amount:
            msg = f"low {str(low)!r} is longer than high {str(high)!r}"
            raise WindowParseError(msg)
        return self

    @model_serializer(mode="plain")
    def _write_text(self) -> str:
        return _format(self.low.amount, self.high.amount, self.unit, self.clock, explicit=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _text_schema(
            "A window such as '1-3 business days', '3-5 hours', '30 seconds' or '2 weeks'.",
            ["1-3 business days", "3-5 hours", "30 seconds"],
        )

    @classmethod
    def parse(cls, text: str, default_clock: ClockName = "calendar") -> Window:
        """Read a window such as ``"1-3 business days"``, ``"3–5 hours"`` or ``"48h"``.

        The grammar is in the module documentation. Without the word ``business``
        (or ``calendar``) the window counts on `default_clock`.

        Args:
            text: The window text.
            default_clock: The clock when the text names none.

        Returns:
            The window; fractions are stored in the smaller unit they are whole in.

        Raises:
            WindowParseError: The text does not follow the grammar; the message names
                the offending token and its index.
            InputTypeError: `text` is not a string.

        >>> str(Window.parse("within 2 weeks"))
        '2 weeks'
        >>> str(Window.parse("1.5-2 hours"))
        '90-120 minutes'
        >>> Window.parse("3-1 days")
        Traceback (most recent call last):
        ...
        expectkit.errors.WindowParseError: cannot parse window '3-1 days': '3-1' at index 0: the range runs backwards (3 is more than 1); write e.g. '1-3 business days', '3-5 hours', '48h' or '30 seconds'

        """  # noqa: E501 -- a doctest shows the whole message on one line
        parsed = _parse(text, "window", default_clock, allow_range=True)
        return cls(
            low=Duration(amount=parsed.low, unit=parsed.unit, clock=parsed.clock),
            high=Duration(amount=parsed.high, unit=parsed.unit, clock=parsed.clock),
        )

    def __str__(self) -> str:
        return _format(self.low.amount, self.high.amount, self.unit, self.clock, explicit=False)

    @property
    def clock(self) -> ClockName:
        """The clock both ends count on.

        >>> Window.parse("3-5 hours").clock
        'calendar'
        """
        return self.low.clock

    @property
    def unit(self) -> DurationUnit:
        """The unit both ends count in.

        >>> Window.parse("48h").unit
        'hours'
        """
        return self.low.unit

    @property
    def is_range(self) -> bool:
        """Whether the ends differ (``"1-3 days"``) rather than being one value.

        >>> Window.parse("1-3 days").is_range, Window.parse("2 days").is_range
        (True, False)
        """
        return self.low.amount != self.high.amount

    def due_range(
        self, start: datetime, schedule: Schedule, *, day_mode: BusinessDayMode = "end_of_day"
    ) -> tuple[datetime, datetime]:
        """Return the earliest and latest due instants from `start`.

        Each end is :meth:`Duration.apply`; the latest is what a promise is held to.

        Args:
            start: An aware instant, in any zone.
            schedule: Gives the zone, and the open hours on the business clock.
            day_mode: ``end_of_day`` (default) or ``same_time``, for business days.

        Returns:
            ``(low.apply(start), high.apply(start))`` in the schedule's zone.

        Raises:
            NaiveDatetimeError: `start` has no time zone.
            InputTypeError: `start` is not a datetime.
            HorizonError: Open time lies further than the schedule's horizon.
            OutOfRangeError: The answer lies outside the supported years.

        >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> friday = datetime(2026, 11, 20, 16, 30, tzinfo=berlin.zone)
        >>> [t.isoformat() for t in Window.parse("1-3 business days").due_range(friday, berlin)]
        ['2026-11-23T17:00:00+01:00', '2026-11-25T17:00:00+01:00']

        """
        if self.clock == "business" and self.unit == "days":
            # Both ends of a same_time window walk the same dates: read each date once.
            # (end_of_day is answered by the engine's day index and needs no walk.)
            t = _utc(start, "start")
            mode = _check_mode(day_mode)
            days = _Days(schedule, t) if mode == "same_time" else None
            low, high = (
                _business_days(t, schedule, end.amount, mode, 1, days).astimezone(schedule.zone)
                for end in (self.low, self.high)
            )
            return low, high
        low = self.low.apply(start, schedule, day_mode=day_mode)
        if not self.is_range:
            return low, low
        return low, self.high.apply(start, schedule, day_mode=day_mode)
