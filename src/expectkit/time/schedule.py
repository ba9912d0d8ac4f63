"""Business hours in one time zone, and exact business-time arithmetic over them.

A :class:`Schedule` is a frozen description — weekly hours, public holidays, extra
closures and per-date hours in one IANA zone — that compiles lazily, for the years
a question touches, to a :class:`~expectkit._timeline.Timeline` of UTC intervals.

The rules of time, stated once:

* Inputs are **aware** datetimes (a naive one raises :class:`NaiveDatetimeError`);
  results come back in the schedule's zone, whatever zone the input had.
* Open intervals are half-open: open at the start, closed at the end.
* Hours are wall-clock local times; elapsed business time counts real time, exact
  to the microsecond. A wall time in a spring-forward gap resolves later by the gap,
  one in a fall-back fold to the earlier instant (``zoneinfo`` with ``fold=0``); an
  interval that becomes empty is dropped.
* An overnight shift (``"22:00-06:00"``) belongs to the day it starts; ``"24:00"``
  ends a day. Per date: ``closed`` beats ``special`` beats holidays beats ``weekly``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import Field, field_serializer, field_validator, model_validator

from expectkit._core.base import FrozenModel
from expectkit._core.errors import (
    ExpectkitError,
    InputTypeError,
    OutOfRangeError,
    ScheduleError,
)
from expectkit.time.engine import _EPOCH, _PLAIN_ZONES, _count, _duration_us, _Engine, _to_us
from expectkit.time.holidays import Holidays
from expectkit.time.parsing import (
    DAYS,
    MAX_YEAR,
    MIN_YEAR,
    Minutes,
    _day_key,
    _format_date_key,
    _format_interval,
    _normalize_intervals,
    _parse_date_key,
    _parse_days,
    iana_zone,
)
from expectkit.time.timeline import Timeline

_fromtimestamp = datetime.fromtimestamp

__all__ = ["Schedule"]


# ---------------------------------------------------------------------------
# Parsing and formatting of the short strings
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Holidays
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------


class Schedule(FrozenModel):
    """Business hours in one zone: weekly hours, holidays, closures and special days.

    Args:
        tz: IANA zone name; hours are wall-clock times in it and results come back in it.
        weekly: Hours per day key — ``"mon"``..``"sun"``, ranges ``"mon-fri"``, lists
            ``"mon,wed"`` — each a list of ``"HH:MM-HH:MM"`` intervals. An end before its
            start is an overnight shift owned by the day it starts; ``"24:00"`` ends a day.
        holidays: Public holidays closing whole days (and the shifts starting on them).
        closed: Extra closed dates, ``"YYYY-MM-DD"`` or ranges ``"YYYY-MM-DD..YYYY-MM-DD"``.
        special: Hours for given dates or date ranges, replacing the weekday's; ``[]`` closes.
        horizon: How far a search for open time may go before :class:`HorizonError`.

    Raises:
        ScheduleError: A bad zone, day key, time, interval, date or holiday calendar, or
            a schedule that never opens.

    >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
    >>> friday = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    >>> berlin.add(friday, timedelta(hours=1))
    datetime.datetime(2026, 11, 23, 9, 30, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

    """

    _error: ClassVar[type[ExpectkitError]] = ScheduleError

    tz: str = Field(description="IANA time zone name, e.g. 'Europe/Berlin'.")
    weekly: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Open hours per day key ('mon', 'mon-fri', 'mon,wed'), as 'HH:MM-HH:MM'.",
    )
    holidays: Holidays | None = None
    closed: tuple[str, ...] = Field(
        default=(), description="Closed dates 'YYYY-MM-DD' or ranges 'YYYY-MM-DD..YYYY-MM-DD'."
    )
    special: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Hours for specific dates or ranges; [] closes."
    )
    horizon: timedelta = Field(
        default=timedelta(days=3653),
        description="How far a search for open time may reach before failing (ISO 8601, 'P3653D').",
    )

    _engine: _Engine | None = None
    if TYPE_CHECKING:  # a dict, since the model has private attributes: read directly
        __pydantic_private__: dict[str, Any]

    # -- validation --------------------------------------------------------

    @field_validator("tz", mode="before")
    @classmethod
    def _check_tz(cls, value: object) -> str:
        if isinstance(value, ZoneInfo):
            value = value.key
        if not isinstance(value, str):
            raise ScheduleError.at("tz", value, "expected an IANA zone name like 'Europe/Berlin'")
        iana_zone(value)
        return value

    @field_validator("weekly", mode="before")
    @classmethod
    def _check_weekly(cls, value: object) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, Mapping):
            raise ScheduleError.at(
                "weekly", value, "expected a mapping like {'mon-fri': ['09:00-17:00']}"
            )
        per_day: dict[int, tuple[Minutes, ...]] = {}
        named_by: dict[int, object] = {}
        for key, intervals in value.items():
            where = f"weekly[{key!r}]"
            parsed = _normalize_intervals(intervals, where)
            for day in _parse_days(key, where):
                if day in named_by:
                    raise ScheduleError.at(
                        where,
                        key,
                        f"{DAYS[day]} is also named by {named_by[day]!r}; give each day once",
                    )
                named_by[day] = key
                if parsed:
                    per_day[day] = parsed
        groups: dict[tuple[Minutes, ...], list[int]] = {}
        for day in sorted(per_day):
            groups.setdefault(per_day[day], []).append(day)
        return {
            _day_key(days): tuple(_format_interval(iv) for iv in intervals)
            for intervals, days in groups.items()
        }

    @field_validator("closed", mode="before")
    @classmethod
    def _check_closed(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str | date) or not isinstance(value, Iterable):
            raise ScheduleError.at("closed", value, "expected a list of dates 'YYYY-MM-DD'")
        ranges = sorted(_parse_date_key(v, f"closed[{i}]") for i, v in enumerate(value))
        merged: list[tuple[date, date]] = []
        for first, last in ranges:
            if merged and first <= merged[-1][1] + timedelta(days=1):
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return tuple(_format_date_key(a, b) for a, b in merged)

    @field_validator("special", mode="before")
    @classmethod
    def _check_special(cls, value: object) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, Mapping):
            raise ScheduleError.at(
                "special", value, "expected a mapping like {'2026-12-24': ['09:00-13:00']}"
            )
        entries = sorted(
            (_parse_date_key(key, f"special[{key!r}]"), key, intervals)
            for key, intervals in value.items()
        )
        result: dict[str, tuple[str, ...]] = {}
        previous: tuple[tuple[date, date], object] | None = None
        for (first, last), key, intervals in entries:
            if previous is not None and first <= previous[0][1]:
                raise ScheduleError.at(
                    f"special[{key!r}]",
                    key,
                    f"overlaps special[{previous[1]!r}]; give each date once",
                )
            previous = ((first, last), key)
            parsed = _normalize_intervals(intervals, f"special[{key!r}]")
            result[_format_date_key(first, last)] = tuple(_format_interval(iv) for iv in parsed)
        return result

    @field_validator("horizon")
    @classmethod
    def _check_horizon(cls, value: timedelta) -> timedelta:
        if not timedelta(days=1) <= value <= timedelta(days=366 * 100):
            raise ScheduleError.at("horizon", value, "must lie between 1 day and 100 years")
        return value

    @field_serializer("horizon")
    def _dump_horizon(self, value: timedelta) -> str:
        # Whole days as "P3653D": pydantic's default would write "P10Y3D", which reads
        # as calendar years.
        # Seconds written exactly from integers ("1e-06" or float rounding would not
        # read back).
        if not value.seconds and not value.microseconds:
            return f"P{value.days}D"
        seconds = f"{value.seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
        return f"P{value.days}DT{seconds}S"

    @model_validator(mode="after")
    def _check_opens(self) -> Schedule:
        if not any(self.weekly.values()) and not any(self.special.values()):
            raise ScheduleError.at(
                "weekly", dict(self.weekly), "the schedule never opens; give some weekly hours"
            )
        return self

    # -- identity ----------------------------------------------------------

    def _key(self) -> tuple[object, ...]:
        return (
            self.tz,
            tuple(self.weekly.items()),
            self.holidays,
            self.closed,
            tuple(self.special.items()),
            self.horizon,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _repr_html_(self) -> str | None:
        from expectkit.time.schedule_html import schedule_html

        return schedule_html(self)

    @classmethod
    def always(cls, tz: str = "UTC") -> Schedule:
        """Return the 24/7 schedule in `tz`: business time is calendar time.

        >>> from datetime import UTC
        >>> s = Schedule.always("UTC")
        >>> s.between(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
        datetime.timedelta(days=1)
        """
        return cls(tz=tz, weekly={"mon-sun": ["00:00-24:00"]})

    # -- operations --------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's zone as a :class:`zoneinfo.ZoneInfo`.

        >>> Schedule.always("Asia/Kathmandu").zone
        zoneinfo.ZoneInfo(key='Asia/Kathmandu')
        """
        return self._get_engine().zone

    def _get_engine(self) -> _Engine:
        # Read the private slot directly: pydantic's attribute hook costs ~1.5 µs a call.
        private = self.__pydantic_private__
        engine: _Engine | None = private.get("_engine") if private is not None else None
        if engine is None:
            engine = _Engine(self)
            self._engine = engine
        return engine

    def is_open(self, t: datetime) -> bool:
        """Tell whether `t` lies in an open interval (start inclusive, end exclusive).

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> berlin = ZoneInfo("Europe/Berlin")
        >>> s.is_open(datetime(2026, 11, 23, 9, 0, tzinfo=berlin))
        True
        >>> s.is_open(datetime(2026, 11, 23, 17, 0, tzinfo=berlin))
        False
        """
        # Compiled-core seam: the core answers, or defers to the pure path with None.
        engine = self.__pydantic_private__["_engine"] or self._get_engine()
        core = engine.core
        if core is not None and (answer := core.is_open(t)) is not None:
            return answer
        x = _to_us(t, "t")
        return engine.cover(x, x).is_open(x)

    def next_open(self, t: datetime) -> datetime:
        """Return `t` if open, else the start of the next open interval.

        Raises:
            HorizonError: No opening within the schedule's horizon.

        >>> from datetime import UTC
        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> s.next_open(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
        datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        """
        # Compiled-core seam: the core answers, or defers to the pure path with None.
        engine = self.__pydantic_private__["_engine"] or self._get_engine()
        core = engine.core
        if core is not None and (answer := core.next_open(t)) is not None:
            return answer
        x = _to_us(t, "t")
        return engine.out(engine.next_open(x))

    def next_close(self, t: datetime) -> datetime:
        """Return the end of the open interval containing `t`, or of the next one.

        Raises:
            HorizonError: No close within the horizon (a 24/7 schedule never closes).

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> s.next_close(datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("Europe/Berlin")))
        datetime.datetime(2026, 11, 24, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        """
        # Compiled-core seam: the core answers, or defers to the pure path with None.
        engine = self.__pydantic_private__["_engine"] or self._get_engine()
        core = engine.core
        if core is not None and (answer := core.next_close(t)) is not None:
            return answer
        x = _to_us(t, "t")
        return engine.out(engine.next_close(x))

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Return the open time in ``[a, b)``; negative when `b` is before `a`.

        It is additive: ``between(a, c) == between(a, b) + between(b, c)``.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> berlin = ZoneInfo("Europe/Berlin")
        >>> s.between(datetime(2026, 11, 20, 16, 30, tzinfo=berlin),
        ...           datetime(2026, 11, 23, 10, 0, tzinfo=berlin))
        datetime.timedelta(seconds=5400)
        """
        # Compiled-core seam: the core answers, or defers to the pure path with None.
        engine = self.__pydantic_private__["_engine"] or self._get_engine()
        core = engine.core
        if core is not None and (answer := core.between(a, b)) is not None:
            return answer
        x = _to_us(a, "a")
        y = _to_us(b, "b")
        tl = engine.timeline
        if tl is None or not (tl.lo <= x < tl.hi and tl.lo <= y < tl.hi):
            return timedelta(0, 0, engine.between(x, y))
        return timedelta(0, 0, tl.position(y) - tl.position(x))

    def add(self, t: datetime, d: timedelta) -> datetime:
        """Return the earliest instant ``u >= t`` with ``between(t, u) == d``.

        So a result lands *at a close*, not at the next opening, and
        ``add(t, timedelta(0)) == t``. A negative `d` means ``subtract(t, -d)``.

        Raises:
            HorizonError: The result lies further than the horizon from `t`.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> s.add(datetime(2026, 11, 23, 16, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        ...       timedelta(hours=1))
        datetime.datetime(2026, 11, 23, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        """
        # Compiled-core seam: the core answers, or defers to the pure path with None.
        engine = self.__pydantic_private__["_engine"] or self._get_engine()
        core = engine.core
        if core is not None and (answer := core.add(t, d)) is not None:
            return answer
        # The pure path, with the conversions written out (each call saved counts here).
        if type(t) is datetime and isinstance(t.tzinfo, _PLAIN_ZONES):
            try:
                delta = t - _EPOCH
            except TypeError:  # a tzinfo whose utcoffset() is None: _to_us says so
                x = _to_us(t, "t")
            else:
                x = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        else:
            x = _to_us(t, "t")
        if type(d) is timedelta:
            amount = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
        else:
            amount = _duration_us(d, "d")
        if amount > 0:
            tl = engine.timeline
            if tl is not None and tl.lo <= x < tl.hi:  # the fast path: all compiled
                u = tl.advance(x, amount)
                if u is not None and u - x <= engine.horizon:
                    if u % 1_000_000:
                        return engine.out(u)
                    return _fromtimestamp(u // 1_000_000, engine.zone)
            return engine.out(engine.add(x, amount))
        if amount < 0:
            return engine.out(engine.subtract(x, -amount))
        return t.astimezone(engine.zone)

    def subtract(self, t: datetime, d: timedelta) -> datetime:
        """Return the latest instant ``u <= t`` with ``between(u, t) == d``.

        The dual of :meth:`add`: a result lands *at an opening*, and
        ``subtract(t, timedelta(0)) == t``. A negative `d` means ``add(t, -d)``.

        Raises:
            HorizonError: The result lies further than the horizon from `t`.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> s.subtract(datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        ...            timedelta(hours=1))
        datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        """
        # Compiled-core seam: the core answers, or defers to the pure path with None.
        engine = self.__pydantic_private__["_engine"] or self._get_engine()
        core = engine.core
        if core is not None and (answer := core.subtract(t, d)) is not None:
            return answer
        x = _to_us(t, "t")
        amount = _duration_us(d, "d")
        if amount == 0:
            return t.astimezone(engine.zone)
        if amount < 0:
            return engine.out(engine.add(x, -amount))
        return engine.out(engine.subtract(x, amount))

    def add_days(self, t: datetime, n: int) -> datetime:
        """Return the last close of the `n`-th business day after the start day of `t`.

        "Within `n` business days", due at the end of the day. A business day is a
        local date that owns open time. The *start day* is `t`'s date if the schedule
        opens again before that date's last close (including a night shift of the
        previous date still running at `t`), otherwise the next business day; ``n=0``
        is the end of the start day. A negative `n` means ``subtract_days(t, -n)``.

        Raises:
            HorizonError: The day lies further than the horizon from `t`.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> berlin = ZoneInfo("Europe/Berlin")
        >>> s.add_days(datetime(2026, 11, 20, 16, 30, tzinfo=berlin), 1)  # Friday
        datetime.datetime(2026, 11, 23, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))
        >>> s.add_days(datetime(2026, 11, 20, 18, 0, tzinfo=berlin), 1)  # after close
        datetime.datetime(2026, 11, 24, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        """
        engine = self._get_engine()
        x = _to_us(t, "t")
        count = _count(n, "n")
        if count < 0:
            return engine.out(engine.day_open(x, -count))
        return engine.out(engine.day_close(x, count))

    def subtract_days(self, t: datetime, n: int) -> datetime:
        """Return the first opening of the `n`-th business day before the end day of `t`.

        The mirror of :meth:`add_days`: the *end day* is the latest business day that
        opens before `t`; ``n=0`` is its opening. A negative `n` means
        ``add_days(t, -n)``.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> s.subtract_days(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), 2)
        datetime.datetime(2026, 11, 24, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))
        """
        engine = self._get_engine()
        x = _to_us(t, "t")
        count = _count(n, "n")
        if count < 0:
            return engine.out(engine.day_close(x, -count))
        return engine.out(engine.day_open(x, count))

    def open_intervals(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        """Return the open intervals overlapping ``[a, b)``, clipped to it.

        Touching intervals (a shift running past midnight into the next day's hours)
        come back as one; the lengths sum to ``between(a, b)``.

        >>> from datetime import UTC
        >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-12:00", "13:00-17:00"]})
        >>> [(o.hour, c.hour) for o, c in s.open_intervals(
        ...     datetime(2026, 11, 23, 10, tzinfo=UTC), datetime(2026, 11, 23, 23, tzinfo=UTC))]
        [(10, 12), (13, 17)]
        """
        engine = self._get_engine()
        x = _to_us(a, "a")
        y = _to_us(b, "b")
        if y <= x:
            return []
        tl = engine.cover(x, y)
        return [(engine.out(s), engine.out(e)) for s, e in tl.overlapping(x, y)]

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """Return the open intervals owned by local date `day`, after precedence.

        An overnight shift belongs to the day it starts; intervals emptied by a DST
        gap are dropped and the day's own intervals merged where they overlap or
        touch. Neighbouring days' intervals are not merged in.

        >>> s = Schedule(tz="UTC", weekly={"fri": ["22:00-06:00"]})
        >>> [(o.isoformat(), c.isoformat()) for o, c in s.day_intervals(date(2026, 11, 20))]
        [('2026-11-20T22:00:00+00:00', '2026-11-21T06:00:00+00:00')]
        """
        if isinstance(day, datetime) or not isinstance(day, date):
            raise InputTypeError.for_value(day, "day", "date")
        engine = self._get_engine()
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise OutOfRangeError(f"day: {day!r} lies outside {MIN_YEAR}..{MAX_YEAR}")
        return [(engine.out(s), engine.out(e)) for s, e in engine.resolved_day(day)]

    def is_business_day(self, day: date) -> bool:
        """Tell whether local date `day` owns any open time.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]},
        ...              holidays=Holidays(country="DE"))
        >>> s.is_business_day(date(2026, 12, 25)), s.is_business_day(date(2026, 12, 28))
        (False, True)
        """
        return bool(self.day_intervals(day))

    def compile(self, first_year: int, last_year: int) -> Timeline:
        """Build a fresh timeline for local years `first_year`..`last_year` (not cached).

        Useful to measure compile cost or to hand the arrays to vectorized code;
        the operations compile what they need on their own.

        >>> tl = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]}).compile(2026, 2026)
        >>> len(tl)
        261
        """
        for year in (first_year, last_year):
            if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
                raise OutOfRangeError(f"year: {year!r} lies outside {MIN_YEAR}..{MAX_YEAR}")
        if last_year < first_year:
            raise OutOfRangeError(f"year range {first_year}..{last_year} is reversed")
        return self._get_engine().build(first_year, last_year, cache=False)


# ---------------------------------------------------------------------------
# The engine behind a schedule: lazy, thread-safe compilation and the searches
# ---------------------------------------------------------------------------
