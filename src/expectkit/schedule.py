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

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple
from zoneinfo import ZoneInfo

import holidays as holidays_pkg
from pydantic import Field, field_serializer, field_validator, model_validator

from expectkit._base import FrozenModel
from expectkit._timeline import Timeline, merge_intervals
from expectkit.errors import (
    ExpectkitError,
    HorizonError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
    ScheduleError,
)

__all__ = ["Holidays", "Schedule"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_YEAR = 1900
MAX_YEAR = 2199

_US = 1_000_000
_MINUTE_US = 60 * _US
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_DAY_CACHE = 20_000

_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
_DATE_KEY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?")

Minutes = tuple[int, int]


# ---------------------------------------------------------------------------
# Parsing and formatting of the short strings
# ---------------------------------------------------------------------------


def _parse_clock(text: str, interval: str, where: str, *, is_end: bool) -> int:
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ScheduleError.at(
            where, interval, f"{text!r} is not a time HH:MM; write intervals like '09:00-17:00'"
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        allowed = "00:00 to 24:00" if is_end else "00:00 to 23:59"
        side = "an end" if is_end else "a start"
        raise ScheduleError.at(where, interval, f"{text!r}: {side} time runs from {allowed}")
    return hours * 60 + minutes


def _parse_interval(text: object, where: str) -> Minutes:
    if not isinstance(text, str):
        raise ScheduleError.at(where, text, "expected an interval string like '09:00-17:00'")
    parts = text.split("-")
    if len(parts) != 2:
        raise ScheduleError.at(where, text, "expected an interval like '09:00-17:00'")
    start = _parse_clock(parts[0], text, where, is_end=False)
    end = _parse_clock(parts[1], text, where, is_end=True)
    if end == start:
        raise ScheduleError.at(
            where, text, "an interval must not be empty; a whole day is '00:00-24:00'"
        )
    if end < start:
        end += 1440  # an overnight shift, owned by the day it starts
    return start, end


def _format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _format_interval(interval: Minutes) -> str:
    start, end = interval
    end_text = "24:00" if end == 1440 else _format_clock(end % 1440)
    return f"{_format_clock(start)}-{end_text}"


def _normalize_intervals(values: object, where: str) -> tuple[Minutes, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ScheduleError.at(where, values, "expected a list of intervals like ['09:00-17:00']")
    parsed = sorted(_parse_interval(v, f"{where}[{i}]") for i, v in enumerate(values))
    merged: list[Minutes] = []
    for start, end in parsed:
        if merged:
            prev_start, prev_end = merged[-1]
            new_end = max(prev_end, end)
            # Merge only while the result is still writable as one "HH:MM-HH:MM".
            fits = new_end - prev_start < 1440 or (prev_start == 0 and new_end == 1440)
            if start <= prev_end and fits:
                merged[-1] = (prev_start, new_end)
                continue
        merged.append((start, end))
    return tuple(merged)


def _parse_days(key: object, where: str) -> list[int]:
    if not isinstance(key, str) or not key.strip():
        raise ScheduleError.at(where, key, "expected day keys like 'mon', 'mon-fri' or 'mon,wed'")
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(e not in DAYS for e in ends):
            raise ScheduleError.at(
                where, key, f"unknown day {part!r}; use mon..sun, ranges 'mon-fri', lists 'mon,wed'"
            )
        first = DAYS.index(ends[0])
        last = DAYS.index(ends[-1])
        span = (last - first) % 7  # "fri-mon" wraps over the weekend
        days.extend((first + k) % 7 for k in range(span + 1))
    return days


def _day_key(days: Iterable[int]) -> str:
    """Write a set of weekdays compactly: {0,1,2,4} -> 'mon-wed,fri'."""
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) == 1:
            parts.append(DAYS[run[0]])
        elif len(run) == 2:
            parts.append(f"{DAYS[run[0]]},{DAYS[run[1]]}")
        else:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
    return ",".join(parts)


def _parse_date_key(key: object, where: str) -> tuple[date, date]:
    if isinstance(key, datetime):
        raise ScheduleError.at(where, key, "expected a date, not a datetime")
    if isinstance(key, date):
        return key, key
    if not isinstance(key, str):
        raise ScheduleError.at(
            where, key, "expected a date 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD'"
        )
    match = _DATE_KEY.fullmatch(key.strip())
    if match is None:
        raise ScheduleError.at(
            where, key, "expected 'YYYY-MM-DD' or a range 'YYYY-MM-DD..YYYY-MM-DD'"
        )
    try:
        first = date.fromisoformat(match.group(1))
        last = date.fromisoformat(match.group(2)) if match.group(2) else first
    except ValueError as exc:
        raise ScheduleError.at(where, key, f"not a calendar date ({exc})") from None
    if last < first:
        raise ScheduleError.at(where, key, "the range ends before it starts")
    if not (first.year >= MIN_YEAR and last.year <= MAX_YEAR):
        raise ScheduleError.at(where, key, f"dates must lie in {MIN_YEAR}..{MAX_YEAR}")
    return first, last


def _format_date_key(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


def _zone(key: str, where: str = "tz") -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError, OSError for odd keys
        raise ScheduleError.at(
            where,
            key,
            f"unknown time zone ({type(exc).__name__}); use an IANA name like 'Europe/Berlin'",
        ) from None


# ---------------------------------------------------------------------------
# Holidays
# ---------------------------------------------------------------------------


class Holidays(FrozenModel):
    """Public holidays from the `holidays` package, by country and subdivision.

    Args:
        country: ISO 3166-1 alpha-2 code, e.g. ``"DE"``.
        subdiv: Subdivision code as the `holidays` package knows it, e.g. ``"BE"``.
        categories: Holiday categories (default: the package's public holidays).
        observed: Include observed (substitute) days where the country has them.

    Raises:
        ScheduleError: Unknown country, subdivision or category.

    >>> h = Holidays(country="DE", subdiv="BE")
    >>> date(2026, 3, 8) in h.dates(2026)  # International Women's Day in Berlin
    True

    """

    _error: ClassVar[type[ExpectkitError]] = ScheduleError

    country: str
    subdiv: str | None = None
    categories: tuple[str, ...] | None = None
    observed: bool = True

    @model_validator(mode="after")
    def _check_known(self) -> Holidays:
        try:
            _holiday_dates(self.country, self.subdiv, self.categories, self.observed, 2026)
        except ExpectkitError:
            raise
        except Exception as exc:  # the package raises NotImplementedError, KeyError, ...
            raise ScheduleError.at(
                "holidays", self.model_dump(exclude_defaults=True), _short(exc)
            ) from None
        return self

    def dates(self, year: int) -> frozenset[date]:
        """Return the holiday dates of `year`.

        >>> len(Holidays(country="US").dates(2026)) >= 10
        True
        """
        return _holiday_dates(self.country, self.subdiv, self.categories, self.observed, year)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


@lru_cache(maxsize=4096)
def _holiday_dates(
    country: str, subdiv: str | None, categories: tuple[str, ...] | None, observed: bool, year: int
) -> frozenset[date]:
    kwargs: dict[str, Any] = {"years": year, "observed": observed}
    if subdiv is not None:
        kwargs["subdiv"] = subdiv
    if categories is not None:
        kwargs["categories"] = categories
    table = holidays_pkg.country_holidays(country, **kwargs)
    return frozenset(table.keys())


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

    # -- validation --------------------------------------------------------

    @field_validator("tz", mode="before")
    @classmethod
    def _check_tz(cls, value: object) -> str:
        if isinstance(value, ZoneInfo):
            value = value.key
        if not isinstance(value, str):
            raise ScheduleError.at("tz", value, "expected an IANA zone name like 'Europe/Berlin'")
        _zone(value)
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
        seconds = value.seconds + value.microseconds / _US
        return f"P{value.days}D" if not seconds else f"P{value.days}DT{seconds:g}S"

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

    def _repr_html_(self) -> str:
        from expectkit._html import schedule_html

        return schedule_html(self)

    @classmethod
    def always(cls, tz: str = "UTC") -> Schedule:
        """Return the 24/7 schedule in `tz`: business time is calendar time.

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
        engine = self._get_engine()
        x = _to_us(t, "t")
        return engine.cover(x, x).is_open(x)

    def next_open(self, t: datetime) -> datetime:
        """Return `t` if open, else the start of the next open interval.

        Raises:
            HorizonError: No opening within the schedule's horizon.

        >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        >>> s.next_open(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
        datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        """
        engine = self._get_engine()
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
        engine = self._get_engine()
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
        engine = self._get_engine()
        x = _to_us(a, "a")
        y = _to_us(b, "b")
        tl = engine.timeline
        if tl is None or not (tl.lo <= x < tl.hi and tl.lo <= y < tl.hi):
            tl = engine.cover(min(x, y), max(x, y))
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
        engine = self._get_engine()
        x = _to_us(t, "t")
        amount = _duration_us(d, "d")
        if amount > 0:
            tl = engine.timeline
            if tl is not None and tl.lo <= x < tl.hi:  # the fast path: all compiled
                u = tl.advance(x, amount)
                if u is not None and u - x <= engine.horizon:
                    return engine.out(u)
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
        engine = self._get_engine()
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


def _to_us(t: object, where: str) -> int:
    if isinstance(t, datetime):
        try:
            delta = t - _EPOCH
        except TypeError:  # naive, or a tzinfo whose utcoffset() is None
            raise NaiveDatetimeError.for_value(t, where) from None
        return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds
    raise InputTypeError.for_value(t, where, "an aware datetime")


def _count(n: object, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise InputTypeError.for_value(n, where, "a whole number of business days")
    return n


def _duration_us(d: object, where: str) -> int:
    if not isinstance(d, timedelta):
        raise InputTypeError.for_value(d, where, "a datetime.timedelta")
    return (d.days * 86_400 + d.seconds) * _US + d.microseconds


def _none() -> None:
    return None


class _Chunk(NamedTuple):
    """One local year compiled: merged intervals clipped to the year, and its business days."""

    starts: list[int]
    ends: list[int]
    opens: list[int]  # first opening of each business day of the year
    closes: list[int]  # last close of each business day of the year


class _Engine:
    """Compiled state of one schedule; rebuilt, never shared, on copy or pickle."""

    def __init__(self, schedule: Schedule) -> None:
        self.zone = _zone(schedule.tz)
        weekly: list[tuple[Minutes, ...]] = [() for _ in DAYS]
        for key, intervals in schedule.weekly.items():
            parsed = tuple(_parse_interval(iv, "weekly") for iv in intervals)
            for day in _parse_days(key, "weekly"):
                weekly[day] = parsed
        self.weekly = tuple(weekly)
        self.closed: list[tuple[date, date]] = [
            _parse_date_key(key, "closed") for key in schedule.closed
        ]
        self.special: list[tuple[date, date, tuple[Minutes, ...]]] = [
            (*_parse_date_key(key, "special"), tuple(_parse_interval(iv, "special") for iv in ivs))
            for key, ivs in schedule.special.items()
        ]
        self.holidays = schedule.holidays
        self.horizon = _duration_us(schedule.horizon, "horizon")
        self.lock = threading.Lock()
        self.timeline: Timeline | None = None
        self.years: tuple[int, int] = (0, -1)
        self.chunks: dict[int, _Chunk] = {}
        # Per-date intervals, for business-day counting (bounded; cleared when full).
        self.days: dict[date, tuple[tuple[int, int], ...]] = {}

    # Copies and pickles of a schedule compile again on first use.
    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_none, ())

    def __deepcopy__(self, memo: dict[int, object]) -> None:
        return None

    # -- wall clock ----------------------------------------------------------

    def out(self, us: int) -> datetime:
        seconds, micros = divmod(us, _US)
        if micros:
            return (_EPOCH + timedelta(0, seconds, micros)).astimezone(self.zone)
        # Whole seconds: the faster exact route (an int timestamp, no float rounding).
        return datetime.fromtimestamp(seconds, self.zone)

    def wall_to_us(self, day: date, minutes: int) -> int:
        wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
        offset = self.zone.utcoffset(wall)  # fold=0: gaps resolve later, folds earlier
        assert offset is not None
        return (wall - _EPOCH_NAIVE - offset) // _ONE_US

    def day_minutes(self, day: date) -> tuple[Minutes, ...]:
        for first, last in self.closed:
            if first <= day <= last:
                return ()
        for first, last, intervals in self.special:
            if first <= day <= last:
                return intervals
        if self.holidays is not None and day in self.holidays.dates(day.year):
            return ()
        return self.weekly[day.weekday()]

    def compute_day(self, day: date) -> tuple[tuple[int, int], ...]:
        """Resolve the day's own intervals to UTC µs, drop emptied ones and merge."""
        # Merge on the wall clock first, without the model's one-string limit, so
        # that hours written as one interval or as overlapping pieces mean the same
        # (a piece starting in a DST gap must not pull the opening earlier).
        spans, ends_m = merge_intervals(self.day_minutes(day))
        pairs = [
            (self.wall_to_us(day, start), self.wall_to_us(day, end))
            for start, end in zip(spans, ends_m, strict=True)
        ]
        starts, ends = merge_intervals(pairs)
        return tuple(zip(starts, ends, strict=True))

    def resolved_day(self, day: date) -> tuple[tuple[int, int], ...]:
        """:meth:`compute_day`, remembered (business-day counting asks for days often)."""
        found = self.days.get(day)
        if found is None:
            found = self.compute_day(day)
            if len(self.days) >= _DAY_CACHE:
                self.days.clear()
            self.days[day] = found
        return found

    def year_start(self, year: int) -> int:
        return self.wall_to_us(date(year, 1, 1), 0)

    # -- compilation ----------------------------------------------------------

    def chunk(self, year: int) -> _Chunk:
        lo, hi = self.year_start(year), self.year_start(year + 1)
        pairs: list[tuple[int, int]] = []
        opens: list[int] = []
        closes: list[int] = []
        day = date(year - 1, 12, 30)  # shifts of the last days can reach into this year
        last = date(year, 12, 31)
        one = timedelta(days=1)
        while day <= last:
            own = self.compute_day(day)
            if own and day.year == year:
                opens.append(own[0][0])
                closes.append(max(b for _, b in own))
            for a, b in own:
                a, b = max(a, lo), min(b, hi)
                if b > a:
                    pairs.append((a, b))
            day += one
        starts, ends = merge_intervals(pairs)
        return _Chunk(starts, ends, opens, closes)

    def build(self, first: int, last: int, *, cache: bool) -> Timeline:
        starts: list[int] = []
        ends: list[int] = []
        opens: list[int] = []
        closes: list[int] = []
        for year in range(first, last + 1):
            chunk = self.chunks.get(year) if cache else None
            if chunk is None:
                chunk = self.chunk(year)
                if cache:
                    self.chunks[year] = chunk
            s, e = chunk.starts, chunk.ends
            if s and ends and s[0] == ends[-1]:  # open across New Year's midnight
                ends[-1] = e[0]
                starts.extend(s[1:])
                ends.extend(e[1:])
            else:
                starts.extend(s)
                ends.extend(e)
            opens.extend(chunk.opens)
            closes.extend(chunk.closes)
        return Timeline(
            starts,
            ends,
            lo=self.year_start(first),
            hi=self.year_start(last + 1),
            day_opens=opens,
            day_closes=closes,
        )

    def year_of(self, x: int) -> int:
        try:
            year = (_EPOCH + timedelta(microseconds=x)).year
        except OverflowError:
            year = MIN_YEAR - 1 if x < 0 else MAX_YEAR + 1
        if not MIN_YEAR <= year <= MAX_YEAR:
            return year
        if x < self.year_start(year):
            return year - 1
        if x >= self.year_start(year + 1):
            return year + 1
        return year

    def cover(self, x: int, y: int) -> Timeline:
        """Return a timeline covering instants `x` to `y` (inclusive)."""
        tl = self.timeline
        if tl is not None and tl.lo <= x and y < tl.hi:
            return tl
        first, last = self.year_of(x), self.year_of(y)
        if first < MIN_YEAR or last > MAX_YEAR:
            bad = x if first < MIN_YEAR else y
            raise OutOfRangeError(
                f"{self.out_or_text(bad)} lies outside the supported years {MIN_YEAR}..{MAX_YEAR}"
            )
        return self.extend(first, last)

    def out_or_text(self, us: int) -> str:
        try:
            return self.out(us).isoformat()
        except (OverflowError, ValueError):
            return f"{us} µs since 1970-01-01 UTC"

    def extend(self, first: int, last: int) -> Timeline:
        with self.lock:
            lo, hi = self.years
            if lo <= hi:
                first, last = min(first, lo), max(last, hi)
            if self.timeline is None or (first, last) != self.years:
                self.timeline = self.build(first, last, cache=True)
                self.years = (first, last)
            return self.timeline

    def extend_forward(self, tl: Timeline, x: int, needed: int) -> Timeline:
        """Grow the range after `tl` towards `needed` more open time, within the horizon."""
        limit = x + self.horizon
        if tl.hi > limit:
            raise HorizonError(
                f"no answer within the horizon of {timedelta(microseconds=self.horizon)} "
                f"after {self.out(x).isoformat()}; the schedule is closed for too long "
                "or the duration is too large (raise `horizon` to search further)"
            )
        lo_year, hi_year = self.years
        span = max(1, hi_year - lo_year + 1)
        rate = tl.total // span  # open time per year so far
        years = 1 if rate <= 0 else max(1, -(-needed // rate))
        target = min(hi_year + years, self.year_of(min(limit, self.year_start(MAX_YEAR + 1) - 1)))
        if target <= hi_year:
            raise OutOfRangeError(f"search after {self.out(x).isoformat()} runs past {MAX_YEAR}")
        return self.extend(lo_year, target)

    def extend_backward(self, tl: Timeline, x: int, needed: int) -> Timeline:
        """Grow the range before `tl` towards `needed` more open time, within the horizon."""
        limit = x - self.horizon
        if tl.lo <= limit:
            raise HorizonError(
                f"no answer within the horizon of {timedelta(microseconds=self.horizon)} "
                f"before {self.out(x).isoformat()}; the schedule is closed for too long "
                "or the duration is too large (raise `horizon` to search further)"
            )
        lo_year, hi_year = self.years
        span = max(1, hi_year - lo_year + 1)
        rate = tl.total // span
        years = 1 if rate <= 0 else max(1, -(-needed // rate))
        target = max(lo_year - years, self.year_of(max(limit, self.year_start(MIN_YEAR))))
        if target >= lo_year:
            raise OutOfRangeError(f"search before {self.out(x).isoformat()} runs past {MIN_YEAR}")
        return self.extend(target, hi_year)

    # -- searches -------------------------------------------------------------

    def check_horizon(self, x: int, u: int) -> int:
        if abs(u - x) > self.horizon:
            raise HorizonError(
                f"the answer {self.out(u).isoformat()} lies further than the horizon of "
                f"{timedelta(microseconds=self.horizon)} from {self.out(x).isoformat()} "
                "(raise `horizon` to allow it)"
            )
        return u

    def add(self, x: int, amount: int) -> int:
        tl = self.cover(x, x)
        while True:
            p = tl.position(x) + amount
            u = tl.forward(p)
            if u is not None:
                return self.check_horizon(x, u)
            tl = self.extend_forward(tl, x, p - tl.total)

    def subtract(self, x: int, amount: int) -> int:
        tl = self.cover(x, x)
        while True:
            p = tl.position(x) - amount
            if p >= 0 and tl.starts:
                return self.check_horizon(x, tl.backward(p))
            tl = self.extend_backward(tl, x, -p)

    def next_open(self, x: int) -> int:
        tl = self.cover(x, x)
        while True:
            i = tl.index(x)
            if i >= 0 and x < tl.ends[i]:
                return x
            if i + 1 < len(tl):
                return self.check_horizon(x, tl.starts[i + 1])
            tl = self.extend_forward(tl, x, 1)

    def day_close(self, x: int, count: int) -> int:
        """Last close of the `count`-th business day after the start day of `x`."""
        tl = self.cover(x - 2 * _DAY_US, x)  # yesterday's night shift may still run
        while tl.days_ordered:
            u = tl.business_day_close(x, count)
            if u is not None:
                return self.check_horizon(x, u)
            tl = self.extend_forward(tl, x, 1)
        return self.check_horizon(x, self.walk_days(x, count, forward=True))

    def day_open(self, x: int, count: int) -> int:
        """First opening of the `count`-th business day before the end day of `x`."""
        tl = self.cover(x, x)
        while tl.days_ordered:
            u = tl.business_day_open(x, count)
            if u is not None:
                return self.check_horizon(x, u)
            tl = self.extend_backward(tl, x, 1)
        return self.check_horizon(x, self.walk_days(x, count, forward=False))

    def walk_days(self, x: int, count: int, *, forward: bool) -> int:
        """Count business days date by date (for shifts the day index cannot order)."""
        local = self.out(x).date()
        step = timedelta(days=1 if forward else -1)
        limit = self.horizon // _DAY_US + 2
        candidates = [local - timedelta(days=1), local] if forward else [local]
        found: date | None = None
        for day in candidates:
            own = self.resolved_day(day)
            if own and (max(b for _, b in own) > x if forward else own[0][0] < x):
                found = day
                break
        day = local
        remaining = count if found is not None else count + 1
        if found is not None:
            day = found
        walked = 0
        while remaining:
            day += step
            walked += 1
            if walked > limit or not MIN_YEAR <= day.year <= MAX_YEAR:
                raise HorizonError(
                    f"counting business days from {self.out(x).isoformat()} runs past the "
                    f"horizon of {timedelta(microseconds=self.horizon)} (raise `horizon`)"
                )
            if self.resolved_day(day):
                remaining -= 1
        own = self.resolved_day(day)
        return max(b for _, b in own) if forward else own[0][0]

    def next_close(self, x: int) -> int:
        tl = self.cover(x, x)
        while True:
            i = tl.index(x)
            if i < 0 or x >= tl.ends[i]:
                i += 1
            # An interval ending at the edge of the range may go on beyond it.
            if i < len(tl) and tl.ends[i] < tl.hi:
                return self.check_horizon(x, tl.ends[i])
            tl = self.extend_forward(tl, x, 1)
