"""Business days and calendar days on a schedule: every rule of walking whole days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal, get_args

from dateutil.relativedelta import relativedelta

from expectkit._core.errors import (
    HorizonError,
    OutOfRangeError,
)
from expectkit.time.parsing import MAX_YEAR, MIN_YEAR
from expectkit.time.schedule import Schedule

__all__ = ["BusinessDayMode", "DurationUnit"]

DurationUnit = Literal["seconds", "minutes", "hours", "days", "weeks", "months"]
"""The units a :class:`~expectkit.Duration` counts in."""
_FIXED_SECONDS: Final[dict[DurationUnit, int]] = {"seconds": 1, "minutes": 60, "hours": 3600}


BusinessDayMode = Literal["end_of_day", "same_time"]
"""How business days land: at the day's last close, or at the same elapsed position."""


_MODES: Final[tuple[BusinessDayMode, ...]] = get_args(BusinessDayMode)


def _checked(value: datetime, where: str) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        msg = (
            f"{where}: {value.isoformat()} lies outside the supported years {MIN_YEAR}..{MAX_YEAR}"
        )
        raise OutOfRangeError(msg)
    return value


def _resolve_wall(wall: datetime, schedule: Schedule) -> datetime:
    """Return the instant of a naive local wall time: gap resolves later, fold earlier."""
    return wall.replace(tzinfo=schedule.zone, fold=0).astimezone(UTC)


def _calendar_shift(
    t: datetime, schedule: Schedule, unit: DurationUnit, amount: int, sign: int
) -> datetime:
    if amount == 0:
        return t.astimezone(schedule.zone)
    try:
        if unit in _FIXED_SECONDS:
            moved = t + sign * timedelta(seconds=amount * _FIXED_SECONDS[unit])
        else:
            wall = t.astimezone(schedule.zone).replace(tzinfo=None, fold=0)
            if unit == "months":
                wall += relativedelta(months=sign * amount)
            else:
                wall += timedelta(days=sign * amount * (7 if unit == "weeks" else 1))
            moved = _resolve_wall(wall, schedule)
    except (OverflowError, ValueError):
        direction = "after" if sign > 0 else "before"
        msg = f"{amount} {unit} {direction} {t.isoformat()} lies outside the supported years"
        raise OutOfRangeError(msg) from None
    return _checked(moved, "result").astimezone(schedule.zone)


_Intervals = list[tuple[datetime, datetime]]


_ONE_DAY: Final = timedelta(days=1)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class _Days:
    """The business days of one schedule around one instant, read one date at a time."""

    def __init__(self, schedule: Schedule, origin: datetime) -> None:
        self.schedule = schedule
        self.engine = schedule._get_engine()
        self.origin = origin
        local = origin.astimezone(schedule.zone).date()
        reach = timedelta(days=schedule.horizon.days)
        self.first = local - reach
        self.last = local + reach
        self.cache: dict[date, _Intervals] = {}

    def intervals(self, day: date) -> _Intervals:
        found = self.cache.get(day)
        if found is None:
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                self.schedule.day_intervals(day)  # raises the engine's range error
            # The engine's per-date view: merged, in UTC microseconds, remembered.
            found = [
                (_EPOCH + timedelta(microseconds=a), _EPOCH + timedelta(microseconds=b))
                for a, b in self.engine.resolved_day(day)
            ]
            self.cache[day] = found
        return found

    def step(self, day: date, direction: int) -> date:
        """Return the next business day after (direction 1) or before (-1) `day`."""
        while True:
            day += direction * _ONE_DAY
            if not self.first <= day <= self.last:
                word = "after" if direction > 0 else "before"
                msg = (
                    f"counting business days {word} {self.origin.isoformat()} runs past the "
                    f"horizon of {self.schedule.horizon} (raise the schedule's `horizon` "
                    "to allow it)"
                )
                raise HorizonError(msg)
            if self.intervals(day):
                return day

    def walk(self, day: date, count: int, direction: int) -> date:
        for _ in range(count):
            day = self.step(day, direction)
        return day

    def start_day(self, t: datetime, *, inclusive: bool) -> date:
        """Return the business day whose last close is after `t` (or at it, if inclusive)."""
        local = t.astimezone(self.schedule.zone).date()
        for day in (local - _ONE_DAY, local):
            if day.year < MIN_YEAR:
                continue
            found = self.intervals(day)
            if found:
                close = found[-1][1]
                if close > t or (inclusive and close == t):
                    return day
        return self.step(local, 1)

    def end_day(self, t: datetime, *, inclusive: bool) -> date:
        """Return the latest business day whose first opening is before `t` (or at it)."""
        local = t.astimezone(self.schedule.zone).date()
        found = self.intervals(local)
        if found:
            opening = found[0][0]
            if opening < t or (inclusive and opening == t):
                return local
        return self.step(local, -1)


def _last_close(intervals: _Intervals) -> datetime:
    return max(end for _, end in intervals)


def _elapsed(intervals: _Intervals, t: datetime) -> timedelta:
    """Return the open time of one day's intervals before `t`."""
    total = timedelta(0)
    for start, end in intervals:
        if start < t:
            total += min(end, t) - start
    return total


def _at_position(intervals: _Intervals, position: timedelta) -> datetime:
    """Return the earliest instant of a day with `position` open time before it.

    Position zero is the day's first opening; a position past the day's length is
    its last close.
    """
    if position <= timedelta(0):
        return intervals[0][0]
    remaining = position
    for start, end in intervals:
        if remaining <= end - start:
            return start + remaining
        remaining -= end - start
    return _last_close(intervals)


def _business_days(
    t: datetime,
    schedule: Schedule,
    count: int,
    mode: BusinessDayMode,
    direction: int,
    days: _Days | None = None,
) -> datetime:
    if mode == "end_of_day":  # the engine counts these on its compiled day index
        if direction > 0:
            return schedule.add_days(t, count)
        return schedule.subtract_days(t, count)
    if days is None:
        days = _Days(schedule, t)
    if count == 0:
        return t
    first = days.start_day(t, inclusive=True) if direction > 0 else days.end_day(t, inclusive=True)
    position = _elapsed(days.intervals(first), t)
    day = days.walk(first, count, direction)
    return _at_position(days.intervals(day), position)
