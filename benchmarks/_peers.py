"""Peer libraries measured against expectkit on the benchmark schedule.

Both peers get the schedule used throughout the benchmarks: Monday to Friday,
09:00-17:00 wall time in one zone, closed on a fixed set of holiday dates.

- businesstimedelta works on aware datetimes; its rules take a pytz zone and
  resolve wall times with ``pytz.localize``.
- pandas ``CustomBusinessHour`` works on naive wall time, so instants go in as
  naive local wall times and come back through the zone with ``fold=0``. Its
  ``n`` is a whole number of business hours.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import businesstimedelta as btd
import holidays
import pandas as pd
import pytz

OPEN = dt.time(9)
CLOSE = dt.time(17)
WORKING_DAYS = (0, 1, 2, 3, 4)
HOUR = dt.timedelta(hours=1)


def holiday_dates(country: str, years: Iterable[int]) -> frozenset[dt.date]:
    """Return the public holidays of ``country`` in ``years`` as plain dates."""
    return frozenset(holidays.country_holidays(country, years=list(years)))


def whole_hours(d: dt.timedelta) -> int:
    """Round a duration up to whole hours, at least one."""
    return max(1, math.ceil(d / HOUR))


class BusinessTimeDeltaPeer:
    """The benchmark schedule as businesstimedelta rules."""

    name = "businesstimedelta"

    def __init__(self, tz: str, closed: frozenset[dt.date]) -> None:
        """Build a ``WorkDayRule`` and a ``HolidayRule`` on the pytz zone ``tz``.

        Args:
            tz: IANA zone name.
            closed: holiday dates; a frozenset keeps ``date in holidays`` cheap.
        """
        zone = pytz.timezone(tz)
        workday = btd.WorkDayRule(
            start_time=OPEN, end_time=CLOSE, working_days=list(WORKING_DAYS), tz=zone
        )
        holiday = btd.HolidayRule(closed, tz=zone)
        self.rules: Any = btd.Rules([workday, holiday])

    def delta(self, d: dt.timedelta) -> Any:
        """Return ``d`` as a ``BusinessTimeDelta`` on these rules."""
        return btd.BusinessTimeDelta(self.rules, timedelta=d)

    def add(self, t: dt.datetime, d: dt.timedelta) -> dt.datetime:
        """Return ``t`` plus ``d`` business time (``datetime + BusinessTimeDelta``)."""
        result: dt.datetime = t + self.delta(d)
        return result

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Return the business time between ``a`` and ``b`` (``Rules.difference``)."""
        result: dt.timedelta = self.rules.difference(a, b).timedelta
        return result


class PandasPeer:
    """The benchmark schedule as pandas ``CustomBusinessHour`` offsets."""

    name = "pandas CustomBusinessHour"

    def __init__(self, tz: str, closed: frozenset[dt.date]) -> None:
        """Keep the zone for wall-time conversion and the holiday dates.

        Args:
            tz: IANA zone name; pandas itself only sees naive wall times in it.
            closed: holiday dates passed to ``CustomBusinessHour(holidays=...)``.
        """
        self.zone = ZoneInfo(tz)
        self._holidays = sorted(closed)
        self._offsets: dict[int, Any] = {}

    def offset(self, hours: int) -> Any:
        """Return ``CustomBusinessHour(n=hours)`` for the schedule (built once per n)."""
        found = self._offsets.get(hours)
        if found is None:
            found = pd.offsets.CustomBusinessHour(
                n=hours,
                start=OPEN.strftime("%H:%M"),
                end=CLOSE.strftime("%H:%M"),
                holidays=self._holidays,
            )
            self._offsets[hours] = found
        return found

    def to_wall(self, t: dt.datetime) -> Any:
        """Return the aware instant ``t`` as a naive local wall-time ``Timestamp``."""
        return pd.Timestamp(t.astimezone(self.zone).replace(tzinfo=None))

    def from_wall(self, ts: Any) -> dt.datetime:
        """Return a naive local wall-time ``Timestamp`` as an aware datetime (fold=0)."""
        naive: dt.datetime = ts.to_pydatetime()
        return naive.replace(tzinfo=self.zone)

    def add(self, t: dt.datetime, hours: int) -> dt.datetime:
        """Return ``t`` plus ``hours`` business hours, via naive wall time."""
        return self.from_wall(self.to_wall(t) + self.offset(hours))
