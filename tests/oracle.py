"""A slow, independent reference model of a business-hours schedule.

The oracle shares no code with ``expectkit``: it takes its own plain description
of a schedule and answers every engine question by walking local dates one by
one with :mod:`zoneinfo`, resolving wall times to UTC microseconds, taking the
union of the resulting intervals and stepping through that list.  It is meant
to be easy to check by reading, not to be fast.

Rules implemented (DESIGN.md, "Time, exactly" and "Schedule"):

* A span is ``(start_minute, end_minute)`` measured from the local midnight of the
  date that owns it; ``end_minute`` may exceed 1440 (an overnight shift belongs to
  the day it starts, so a closure of that day removes the whole shift).
* The hours of one date are chosen by precedence: closed > special > holidays >
  weekly.
* A date's spans are merged on the wall clock (overlapping or touching spans are
  one span, as written hours), then each endpoint is resolved with ``fold=0``:
  a wall time in a gap resolves later by the gap, one in a fold to the earlier
  instant.  A span whose resolved end is not after its resolved start is dropped.
* A date that never happened in the zone (its midnight and the next resolve to
  the same instant, as Pacific/Apia's 2011-12-30) has no hours.
* The open timeline is the union of all resolved intervals; touching intervals
  merge.  Intervals are half-open ``[start, end)``; business time is real time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays as holidays_data

__all__ = [
    "DAY_US",
    "EPOCH",
    "HolidayCalendar",
    "Oracle",
    "OracleSchedule",
    "OracleSearchLimitError",
    "Span",
    "from_us",
    "calendar_holidays",
    "local_date",
    "merge",
    "to_us",
]

Span = tuple[int, int]
"""Minutes after the owning date's local midnight: ``(start, end)``, end may exceed 1440."""

Interval = tuple[int, int]
"""UTC microseconds since the Unix epoch, half-open ``[start, end)``."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
DAY_US = 86_400 * 1_000_000

# Dates whose spans can touch an instant lie within a few days of its local date:
# a span never reaches past the second midnight after its owning date, UTC offsets
# differ by at most 26 h, and the widest gap in the zones tested is one whole day
# (Pacific/Apia skipped 2011-12-30).  Four days of margin cover all of that.
_MARGIN_DAYS = 4
# Give up beyond this much searching; the engine's default horizon is ~10 years.
_SEARCH_LIMIT_US = 15 * 366 * DAY_US
_FIRST_CHUNK_US = 8 * DAY_US
_MAX_CHUNK_US = 128 * DAY_US


class OracleSearchLimitError(RuntimeError):
    """The oracle searched further than its limit without an answer."""


def to_us(dt: datetime) -> int:
    """Return an aware datetime as integer microseconds since the Unix epoch."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}")
    return (dt - EPOCH) // US


def from_us(us: int, tz: ZoneInfo | timezone = UTC) -> datetime:
    """Return the instant ``us`` as an aware datetime in ``tz``."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def local_date(us: int, tz: ZoneInfo) -> date:
    """Return the local calendar date of the instant ``us`` in ``tz``."""
    return from_us(us, tz).date()


def merge(intervals: list[Interval]) -> list[Interval]:
    """Return the union of half-open intervals, sorted; touching intervals merge."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _merge_spans(spans: tuple[Span, ...]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class HolidayCalendar:
    """Which public holidays close the schedule, as named in the ``holidays`` package."""

    country: str
    subdiv: str | None = None
    observed: bool = True
    categories: tuple[str, ...] = ("public",)


@functools.lru_cache(maxsize=4096)
def calendar_holidays(calendar: HolidayCalendar, year: int) -> frozenset[date]:
    """Return the holiday dates of ``calendar`` in ``year``, from the ``holidays`` package."""
    # Each year's population only holds dates of that year (observed days that
    # move across New Year included), so one year answers for its own dates.
    found = holidays_data.country_holidays(
        calendar.country,
        subdiv=calendar.subdiv,
        years=year,
        observed=calendar.observed,
        categories=calendar.categories,
    )
    return frozenset(d for d in found if d.year == year)


@dataclass(frozen=True)
class OracleSchedule:
    """A schedule described with plain values only.

    Attributes:
        tz: IANA zone name.
        weekly: Seven tuples of spans, Monday first.
        closed: Dates closed all day.
        holiday_dates: Extra holiday dates (closed unless ``special`` says otherwise).
        holiday_calendar: Holidays taken from the ``holidays`` package.
        special: Per-date spans replacing the weekday's; an empty tuple closes the date.
    """

    tz: str
    weekly: tuple[tuple[Span, ...], ...]
    closed: frozenset[date] = frozenset()
    holiday_dates: frozenset[date] = frozenset()
    holiday_calendar: HolidayCalendar | None = None
    special: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly needs seven entries, Monday first")
        for spans in (*self.weekly, *self.special.values()):
            for start, end in spans:
                if not (0 <= start < end and start < 1440 and (end <= 1440 or end < start + 1440)):
                    raise ValueError(f"bad span {(start, end)!r}")

    def is_holiday(self, d: date) -> bool:
        """Return whether ``d`` is a holiday of this schedule."""
        if d in self.holiday_dates:
            return True
        if self.holiday_calendar is None:
            return False
        return d in calendar_holidays(self.holiday_calendar, d.year)

    def hours(self, d: date) -> tuple[Span, ...]:
        """Return the spans owned by ``d`` after precedence."""
        if d in self.closed:
            return ()
        if d in self.special:
            return self.special[d]
        if self.is_holiday(d):
            return ()
        return self.weekly[d.weekday()]


class Oracle:
    """Answer business-time questions for one :class:`OracleSchedule`.

    Instants and durations are integer microseconds (UTC since the epoch);
    the ``*_dt`` helpers wrap them for datetimes and timedeltas.
    """

    def __init__(self, schedule: OracleSchedule) -> None:
        self.schedule = schedule
        self.zone = ZoneInfo(schedule.tz)
        self._days: dict[date, list[Interval]] = {}

    # -- building the timeline -------------------------------------------------

    def resolve(self, d: date, minute: int) -> int:
        """Return the instant of wall time ``d`` + ``minute`` minutes, with fold=0."""
        wall = datetime.combine(d, time()) + timedelta(minutes=minute)
        aware = datetime(
            wall.year, wall.month, wall.day, wall.hour, wall.minute, tzinfo=self.zone, fold=0
        )
        return to_us(aware.astimezone(UTC))

    def day_intervals(self, d: date) -> list[Interval]:
        """Return the resolved, non-empty intervals owned by ``d``, as a union."""
        cached = self._days.get(d)
        if cached is None:
            skipped = self.resolve(d, 1440) <= self.resolve(d, 0)
            resolved = [
                (self.resolve(d, start), self.resolve(d, end))
                for start, end in (() if skipped else _merge_spans(self.schedule.hours(d)))
            ]
            cached = merge([(s, e) for s, e in resolved if e > s])
            self._days[d] = cached
        return list(cached)

    def clipped(self, lo: int, hi: int) -> list[Interval]:
        """Return the open timeline restricted to ``[lo, hi)``: merged, sorted, clipped."""
        if hi <= lo:
            return []
        first = local_date(lo, self.zone) - timedelta(days=_MARGIN_DAYS)
        last = local_date(hi, self.zone) + timedelta(days=_MARGIN_DAYS)
        raw: list[Interval] = []
        d = first
        while d <= last:
            raw.extend(self.day_intervals(d))
            d += timedelta(days=1)
        out: list[Interval] = []
        for start, end in merge(raw):
            start, end = max(start, lo), min(end, hi)
            if start < end:
                out.append((start, end))
        return out

    def forward(self, t: int) -> Iterator[Interval]:
        """Yield the open time after ``t`` in order, as pieces cut at search-chunk edges.

        Consecutive pieces may touch; :meth:`next_close` joins them.
        """
        lo, size = t, _FIRST_CHUNK_US
        while lo - t <= _SEARCH_LIMIT_US:
            hi = lo + size
            yield from self.clipped(lo, hi)
            lo, size = hi, min(2 * size, _MAX_CHUNK_US)
        raise OracleSearchLimitError(f"no open time within the search limit after {from_us(t)}")

    def backward(self, t: int) -> Iterator[Interval]:
        """Yield the open time before ``t``, latest first, as pieces cut at chunk edges."""
        hi, size = t, _FIRST_CHUNK_US
        while t - hi <= _SEARCH_LIMIT_US:
            lo = hi - size
            yield from reversed(self.clipped(lo, hi))
            hi, size = lo, min(2 * size, _MAX_CHUNK_US)
        raise OracleSearchLimitError(f"no open time within the search limit before {from_us(t)}")

    # -- questions, in integer microseconds ------------------------------------

    def is_open(self, t: int) -> bool:
        """Return whether ``t`` lies in an open interval."""
        return bool(self.clipped(t, t + 1))

    def next_open(self, t: int) -> int:
        """Return ``t`` if open, else the start of the next open interval."""
        return next(self.forward(t))[0]

    def next_close(self, t: int) -> int:
        """Return the end of the open interval containing ``t``, or of the next one."""
        pieces = self.forward(t)
        _, close = next(pieces)
        for start, end in pieces:
            if start != close:
                break
            close = end
        return close

    def between(self, a: int, b: int) -> int:
        """Return the open microseconds in ``[a, b)``; negative if ``b < a``."""
        if b < a:
            return -self.between(b, a)
        return sum(end - start for start, end in self.clipped(a, b))

    def open_intervals(self, a: int, b: int) -> list[Interval]:
        """Return the open intervals overlapping ``[a, b)``, clipped and merged."""
        return self.clipped(a, b)

    def add(self, t: int, d: int) -> int:
        """Return the earliest ``u >= t`` with ``between(t, u) == d``; negative ``d`` subtracts."""
        if d < 0:
            return self.subtract(t, -d)
        if d == 0:
            return t
        remaining = d
        for start, end in self.forward(t):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("unreachable: forward() raises at its limit")

    def subtract(self, t: int, d: int) -> int:
        """Return the latest ``u <= t`` with ``between(u, t) == d``; negative ``d`` adds."""
        if d < 0:
            return self.add(t, -d)
        if d == 0:
            return t
        remaining = d
        for start, end in self.backward(t):
            if remaining <= end - start:
                return end - remaining
            remaining -= end - start
        raise AssertionError("unreachable: backward() raises at its limit")

    def is_business_day(self, d: date) -> bool:
        """Return whether ``d`` owns any open time."""
        return bool(self.day_intervals(d))

    # -- the same questions with datetimes ----------------------------------------

    def dt(self, us: int) -> datetime:
        """Return ``us`` as a datetime in the schedule's zone."""
        return from_us(us, self.zone)

    def is_open_dt(self, t: datetime) -> bool:
        """Datetime form of :meth:`is_open`."""
        return self.is_open(to_us(t))

    def next_open_dt(self, t: datetime) -> datetime:
        """Datetime form of :meth:`next_open`."""
        return self.dt(self.next_open(to_us(t)))

    def next_close_dt(self, t: datetime) -> datetime:
        """Datetime form of :meth:`next_close`."""
        return self.dt(self.next_close(to_us(t)))

    def between_td(self, a: datetime, b: datetime) -> timedelta:
        """Timedelta form of :meth:`between`."""
        return timedelta(microseconds=self.between(to_us(a), to_us(b)))

    def add_dt(self, t: datetime, d: timedelta) -> datetime:
        """Datetime form of :meth:`add`."""
        return self.dt(self.add(to_us(t), d // US))

    def subtract_dt(self, t: datetime, d: timedelta) -> datetime:
        """Datetime form of :meth:`subtract`."""
        return self.dt(self.subtract(to_us(t), d // US))
