"""Answered requests of one metric, and which of them a candidate promise would have kept.

:func:`~expectkit.analysis.calibrate` tries many promises over the same history: the
sample is read once (start and answer instants, groups, the schedule each row is
measured on, after a closed live channel's fallback), and a ladder answers "kept by
this promise?" for each candidate with one comparison over precomputed business
times or day counts where it can, and the exact quote path where it cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from expectkit._core.errors import InputTypeError
from expectkit.analysis.attainment import DEFAULT_COLUMNS
from expectkit.frames.instants import _DAY_US, _FIXED_US, _NAT, _column_us
from expectkit.frames.quotes import _apply, _buffer_target, _counting_start, _measure
from expectkit.frames.routing import _codes, _fall_back
from expectkit.promises.buffers import Buffer
from expectkit.promises.metrics import Metric
from expectkit.promises.policy import Policy
from expectkit.promises.windows import Window
from expectkit.time.business_days import BusinessDayMode
from expectkit.time.schedule import Schedule

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__: list[str] = []


@dataclass(frozen=True, slots=True)
class _Sample:
    """Answered rows of one metric, grouped, with their schedules."""

    start: NDArray[np.int64]
    stop: NDArray[np.int64]
    group: NDArray[np.int64]
    keys: pd.DataFrame  # one row per group: the `by` values
    tickets: NDArray[np.int64]
    unanswered: NDArray[np.int64]
    schedule_of: NDArray[np.int64]  # per row: index into `schedules`
    schedules: list[Schedule]

    def subset(self, rows: NDArray[np.int64]) -> _Sample:
        """Restrict the sample to some answered rows (group totals unchanged)."""
        return _Sample(
            start=self.start[rows],
            stop=self.stop[rows],
            group=self.group[rows],
            keys=self.keys,
            tickets=self.tickets,
            unanswered=self.unanswered,
            schedule_of=self.schedule_of[rows],
            schedules=self.schedules,
        )


def _sample(
    history: pd.DataFrame,
    hours: Schedule | Policy,
    metric: str,
    columns: tuple[str, str] | None,
    by: Sequence[str],
) -> _Sample:
    if not isinstance(history, pd.DataFrame):
        raise InputTypeError.for_value(type(history).__name__, "history", "a pandas DataFrame")
    if columns is None:
        if metric not in DEFAULT_COLUMNS:
            raise InputTypeError.for_value(metric, "metric", "a metric with columns=(start, stop)")
        columns = DEFAULT_COLUMNS[cast("Metric", metric)]
    start = _column_us(history, columns[0])
    stop = _column_us(history, columns[1])
    n = len(history)
    if isinstance(hours, Policy):
        if "channel" not in history.columns:
            raise InputTypeError.for_value("channel", "history", "a 'channel' column")
        codes, values = _codes(history["channel"])
        channels = [str(v) for v in values]
        rows = np.flatnonzero((codes >= 0) & (start != _NAT))

        def code_of(name: str) -> int:
            if name not in channels:
                channels.append(name)
            return channels.index(name)

        quoted = codes.copy()
        _fall_back(hours, rows, quoted, start, channels, code_of)
        schedules: list[Schedule] = []
        per_channel = []
        for name in channels:
            schedule = hours.schedule(hours.channel(name).schedule)
            if schedule not in schedules:
                schedules.append(schedule)
            per_channel.append(schedules.index(schedule))
        schedule_of = np.where(quoted >= 0, np.asarray(per_channel, dtype=np.int64)[quoted], 0)
    elif isinstance(hours, Schedule):
        schedules = [hours]
        schedule_of = np.zeros(n, dtype=np.int64)
        channels = []
        quoted = np.full(n, -1, dtype=np.int64)
        if "channel" in history.columns:
            quoted, values = _codes(history["channel"])
            channels = [str(v) for v in values]
    else:
        raise InputTypeError.for_value(hours, "schedule", "a Schedule or a Policy")

    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for key in by:
        if key == "channel" and channels:
            frame[key] = pd.Categorical.from_codes(quoted, categories=channels)
        elif key in history.columns:
            frame[key] = history[key].array  # keeps a categorical's order
        else:
            raise InputTypeError.for_value(key, "by", "history columns")
    usable = start != _NAT
    answered = usable & (stop != _NAT)
    if by:
        grouped = frame.groupby(list(by), observed=True, sort=True, dropna=False)
        group = np.asarray(grouped.ngroup(), dtype=np.int64)
        keys = grouped.size().index.to_frame(index=False)
    else:
        group = np.zeros(n, dtype=np.int64)
        keys = pd.DataFrame(index=pd.RangeIndex(1))
    groups = len(keys)
    tickets = np.bincount(group[answered], minlength=groups)
    unanswered = np.bincount(group[usable & ~answered], minlength=groups)
    return _Sample(
        start=start[answered],
        stop=stop[answered],
        group=group[answered],
        keys=keys,
        tickets=tickets.astype(np.int64),
        unanswered=unanswered.astype(np.int64),
        schedule_of=schedule_of[answered],
        schedules=schedules,
    )


def _met(
    sample: _Sample, window: Window, day_mode: BusinessDayMode, buffer: Buffer | None = None
) -> NDArray[np.bool_]:
    """Tell whether each answered row came by the window's due instant.

    With a `buffer`, by the target it derives from that due instant instead.
    """
    met = np.zeros(len(sample.start), dtype=bool)
    for k, schedule in enumerate(sample.schedules):
        rows = np.flatnonzero(sample.schedule_of == k)
        if not len(rows):
            continue
        start = _counting_start(window.clock, sample.start[rows], schedule)
        due = _apply(window.high, start, schedule, day_mode)
        if buffer is not None:
            due = _buffer_target(buffer, start, due, schedule, window.clock)
        met[rows] = sample.stop[rows] <= due
    return met


class _Ladder:
    """Fast membership tests for many candidate promises over the same rows.

    Fixed business units compare the open time to the answer, nudged by a microsecond
    when the answer came while closed (so ``add(start, d)`` landing at a close and an
    answer after it compare right); business days compare day counts on the per-day
    closes; calendar units compare elapsed time or shifted wall times.
    """

    def __init__(self, sample: _Sample) -> None:
        self.sample = sample
        self._business: NDArray[np.int64] | None = None
        self._days: NDArray[np.int64] | None = None

    def business(self) -> NDArray[np.int64]:
        if self._business is None:
            s = self.sample
            out = np.zeros(len(s.start), dtype=np.int64)
            for k, schedule in enumerate(s.schedules):
                rows = np.flatnonzero(s.schedule_of == k)
                if not len(rows):
                    continue
                a, b = s.start[rows], s.stop[rows]
                elapsed = _measure(a, b, schedule, "business")
                out[rows] = elapsed + _closed_after(schedule, b)
            self._business = out
        return self._business

    def days(self) -> NDArray[np.int64]:
        if self._days is None:
            s = self.sample
            out = np.zeros(len(s.start), dtype=np.int64)
            for k, schedule in enumerate(s.schedules):
                rows = np.flatnonzero(s.schedule_of == k)
                if len(rows):
                    out[rows] = _days_taken(schedule, s.start[rows], s.stop[rows])
            self._days = out
        return self._days

    def met(self, window: Window) -> NDArray[np.bool_]:
        high = window.high
        s = self.sample
        if high.clock == "business" and high.unit in _FIXED_US:
            if high.amount == 0:
                return _met(s, window, "end_of_day")
            return self.business() <= high.amount * _FIXED_US[high.unit]
        if high.clock == "business" and high.unit == "days":
            days = self.days()
            if (days == _NAT).any():
                return _met(s, window, "end_of_day")
            return days <= high.amount
        if high.unit in _FIXED_US:
            return (s.stop - s.start) <= high.amount * _FIXED_US[high.unit]
        return _met(s, window, "end_of_day")


def _closed_after(schedule: Schedule, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """1 where `x` lies later than the earliest instant of equal business position."""
    if not len(x):
        return np.zeros(0, dtype=np.int64)
    engine = schedule._get_engine()
    tl = engine.cover(int(x.min()), int(x.max()))
    starts, ends, cum, cumend = tl.arrays()
    i = np.searchsorted(starts, x, side="right") - 1
    k = np.maximum(i, 0)
    inside = (i >= 0) & (x < ends[k])
    position = np.where(inside, cum[k] + (x - starts[k]), np.where(i >= 0, cumend[k], 0))
    j = np.searchsorted(cumend, position, side="left")
    jj = np.minimum(j, len(starts) - 1)
    earliest = np.where((position > 0) & (j < len(starts)), starts[jj] + (position - cum[jj]), x)
    return (x > earliest).astype(np.int64)


def _days_taken(
    schedule: Schedule, start: NDArray[np.int64], stop: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Count business days from each start day to the day the answer fell in (0: same day).

    ``stop <= add_days(start, n)`` exactly when the result is at most ``n``; `_NAT`
    everywhere when the schedule's days cannot be ordered (odd night shifts).
    """
    engine = schedule._get_engine()
    lo = int(min(start.min(), stop.min())) - 2 * _DAY_US
    hi = int(max(start.max(), stop.max()))
    tl = engine.cover(lo, hi)
    if not tl.days_ordered:
        return np.full(start.shape, _NAT, dtype=np.int64)
    closes = np.asarray(tl.day_closes, dtype=np.int64)
    while not len(closes) or int(closes[-1]) < hi:
        tl = engine.extend_forward(tl, hi, 1)
        closes = np.asarray(tl.day_closes, dtype=np.int64)
    first = np.searchsorted(closes, start, side="right")
    answer = np.searchsorted(closes, stop, side="left")
    return np.asarray(np.maximum(answer - first, 0), dtype=np.int64)
