"""The compiled engine of a schedule: its open intervals as one int64 µs timeline.

Built lazily per year touched and thread-safe; business-time steps are walked on it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import timezone
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import numpy as np

from expectkit._core.instants import check_instant

if TYPE_CHECKING:
    from numpy.typing import NDArray

import threading
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import expectkit.time.backend as _backend
from expectkit._core.errors import (
    HorizonError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
)
from expectkit.time.parsing import (
    DAYS,
    MAX_YEAR,
    MIN_YEAR,
    Minutes,
    _parse_date_key,
    _parse_days,
    _parse_interval,
    iana_zone,
)
from expectkit.time.timeline import Timeline, merge_intervals

if TYPE_CHECKING:
    from expectkit.time.schedule import Schedule


_US = 1_000_000


_MINUTE_US = 60 * _US


_DAY_US = 86_400 * _US


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_EPOCH_NAIVE = datetime(1970, 1, 1)


_ONE_US = timedelta(microseconds=1)


_DAY_CACHE = 20_000


# Years compiled alone, for long `between` spans outside the compiled runs.
_CHUNK_CACHE = 64


# Zones whose attached datetimes need no further check (pytz zones and pandas'
# Timestamp, NaT included, go through check_instant).
_PLAIN_ZONES: Final = (ZoneInfo, timezone)


def _to_us(t: object, where: str) -> int:
    if not (type(t) is datetime and isinstance(t.tzinfo, _PLAIN_ZONES)):
        t = check_instant(t, where)
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

    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    opens: NDArray[np.int64]  # first opening of each business day of the year
    closes: NDArray[np.int64]  # last close of each business day of the year


_NONE: Final = np.zeros(0, dtype=np.int64)
_EMPTY_CHUNK: Final = _Chunk(_NONE, _NONE, _NONE, _NONE)
_EPOCH_DAY: Final = date(1970, 1, 1).toordinal()
# Offsets are sampled daily: since 1900 no two transitions of any zone in the tz
# database lie less than two days apart, so a change and its reversal cannot hide
# between two samples.
_SAMPLE_S: Final = 86_400


def _per_day(tl: Timeline) -> int:
    """Average open time of a business day in `tl` (0 without any)."""
    return tl.total // len(tl.day_closes) if tl.day_closes else 0


def _merged(
    starts: NDArray[np.int64], ends: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Merge sorted-by-start intervals that overlap or touch (vectorized merge_intervals)."""
    if not len(starts):
        return _NONE, _NONE
    reach = np.maximum.accumulate(ends)
    first = np.empty(len(starts), dtype=bool)
    first[0] = True
    np.greater(starts[1:], reach[:-1], out=first[1:])
    heads = np.flatnonzero(first)
    return starts[heads], np.maximum.reduceat(ends, heads)


class _Engine:
    """Compiled state of one schedule; rebuilt, never shared, on copy or pickle."""

    def __init__(self, schedule: Schedule) -> None:
        self.zone = iana_zone(schedule.tz)
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
        # The timeline last used (the fast path), and every compiled run of years: a
        # query far from the others compiles its own years, not the ones between.
        self.timeline: Timeline | None = None
        self.segments: list[tuple[int, int, Timeline]] = []
        self.chunks: dict[int, _Chunk] = {}
        self.templates: dict[tuple[Minutes, ...], tuple[NDArray[np.int64], ...]] = {}
        # Per-date intervals, for business-day counting (bounded; cleared when full).
        self.days: dict[date, tuple[tuple[int, int], ...]] = {}
        # Compiled-core seam (expectkit.time.backend): a core twin of `timeline`, or None.
        self.use_core = _backend.backend == "c"
        self.core: _backend.Core | None = None

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
        if spans and self.skipped(day):
            return ()
        pairs = [
            (self.wall_to_us(day, start), self.wall_to_us(day, end))
            for start, end in zip(spans, ends_m, strict=True)
        ]
        starts, ends = merge_intervals(pairs)
        return tuple(zip(starts, ends, strict=True))

    def skipped(self, day: date) -> bool:
        """Tell whether the local date `day` never happened (Pacific/Apia, 2011-12-30).

        A zone that jumps a whole day forward has no instant on that date: its wall
        times all fall in the gap, so the date has no hours (they would otherwise
        resolve onto the next day).
        """
        return self.wall_to_us(day + timedelta(days=1), 0) <= self.wall_to_us(day, 0)

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

    def offset_at(self, wall_s: int) -> int:
        """Return the UTC offset (seconds) of wall time `wall_s` (naive epoch seconds), fold=0."""
        offset = self.zone.utcoffset(_EPOCH_NAIVE + timedelta(seconds=wall_s))
        assert offset is not None
        return offset // timedelta(seconds=1)

    def offsets(self, lo_s: int, hi_s: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Return where (wall µs) the fold=0 offset changes over ``[lo_s, hi_s]``, and its values.

        ``values[searchsorted(bounds, wall, "right")]`` is the offset (µs) of each wall
        time, as :meth:`wall_to_us` resolves it one by one. Offsets are sampled every
        day and each change is bisected to the second.
        """
        bounds: list[int] = []
        values = [self.offset_at(lo_s)]

        def find(a: int, b: int, oa: int, ob: int) -> None:
            while b - a > 1:
                m = (a + b) // 2
                om = self.offset_at(m)
                if om == oa:
                    a = m
                elif om == ob:
                    b = m
                else:  # a third offset between: a change on each side
                    find(a, m, oa, om)
                    find(m, b, om, ob)
                    return
            bounds.append(b)
            values.append(ob)

        previous, before = lo_s, values[0]
        for wall in range(lo_s + _SAMPLE_S, hi_s + _SAMPLE_S, _SAMPLE_S):
            now = self.offset_at(wall)
            if now != before:
                find(previous, wall, before, now)
            previous, before = wall, now
        return (
            np.array(bounds, dtype=np.int64) * _US,
            np.array(values, dtype=np.int64) * _US,
        )

    def template(self, minutes: tuple[Minutes, ...]) -> tuple[NDArray[np.int64], ...]:
        """Return a day's hours merged on the wall clock, as minute arrays (remembered)."""
        found = self.templates.get(minutes)
        if found is None:
            spans, ends = merge_intervals(minutes)
            found = (np.array(spans, dtype=np.int64), np.array(ends, dtype=np.int64))
            self.templates[minutes] = found
        return found

    def chunk(self, year: int) -> _Chunk:
        """Compile one local year, vectorized: the same intervals :meth:`compute_day` gives.

        Dates sharing their hours are resolved together, wall to UTC through the
        zone's offset changes found once for the year, then clipped and merged.
        """
        lo, hi = self.year_start(year), self.year_start(year + 1)
        first = date(year - 1, 12, 30)  # shifts of the last days can reach into this year
        count = (date(year, 12, 31) - first).days + 1
        groups: dict[tuple[Minutes, ...], list[int]] = {}
        day, one = first, timedelta(days=1)
        for k in range(count):
            minutes = self.day_minutes(day)
            if minutes:
                groups.setdefault(minutes, []).append(k)
            day += one
        if not groups:
            return _EMPTY_CHUNK
        base = first.toordinal() - _EPOCH_DAY
        # Hours may run two days past their date (overnight shifts end by 48:00).
        bounds, values = self.offsets(base * 86_400, (base + count + 3) * 86_400)

        def utc(wall: NDArray[np.int64]) -> NDArray[np.int64]:
            result: NDArray[np.int64] = wall - values[np.searchsorted(bounds, wall, "right")]
            return result

        midnights = utc((base + np.arange(count + 1, dtype=np.int64)) * _DAY_US)
        skipped = midnights[1:] <= midnights[:-1]  # a date that never happened (Apia)
        walls_a: list[NDArray[np.int64]] = []
        walls_b: list[NDArray[np.int64]] = []
        owners: list[NDArray[np.int64]] = []
        for minutes, members in groups.items():
            spans, ends = self.template(minutes)
            ks = np.array(members, dtype=np.int64)
            ks = ks[~skipped[ks]]
            day_us = ((base + ks) * _DAY_US)[:, None]
            walls_a.append((day_us + spans[None, :] * 60 * _US).ravel())
            walls_b.append((day_us + ends[None, :] * 60 * _US).ravel())
            owners.append(np.repeat(ks, len(spans)))
        a, b = utc(np.concatenate(walls_a)), utc(np.concatenate(walls_b))
        owner = np.concatenate(owners)
        kept = b > a  # emptied by a gap
        a, b, owner = a[kept], b[kept], owner[kept]
        # Business days of this year: each date's first opening and last close.
        if len(owner) > 1 and not np.all(owner[1:] >= owner[:-1]):
            order = np.argsort(owner, kind="stable")
            ko, ao, bo = owner[order], a[order], b[order]
        else:  # one set of hours for every date: already in date order
            ko, ao, bo = owner, a, b
        heads = np.flatnonzero(np.r_[True, ko[1:] != ko[:-1]]) if len(ko) else _NONE
        opens = np.minimum.reduceat(ao, heads) if len(heads) else _NONE
        closes = np.maximum.reduceat(bo, heads) if len(heads) else _NONE
        own = ko[heads] >= 2 if len(heads) else np.zeros(0, dtype=bool)  # not 30/31 Dec before
        # The year's timeline: clipped to the year, sorted, merged.
        a, b = np.maximum(a, lo), np.minimum(b, hi)
        inside = b > a
        a, b = a[inside], b[inside]
        if len(a) > 1 and not np.all(a[1:] >= a[:-1]):
            order = np.argsort(a, kind="stable")
            a, b = a[order], b[order]
        starts, stops = _merged(a, b)
        return _Chunk(starts, stops, opens[own], closes[own])

    def build(
        self,
        first: int,
        last: int,
        *,
        cache: bool,
        joined: tuple[tuple[int, int, Timeline], ...] = (),
    ) -> Timeline:
        """Compile years `first`..`last` into one timeline.

        The years of `joined` (compiled runs inside the range) are taken from their
        timelines as they are; the others are compiled, or read from the cache of
        years that no run holds.
        """
        pieces: list[tuple[Any, Any, Any, Any]] = []
        year = first
        while year <= last:
            run = next(((lo, hi, tl) for lo, hi, tl in joined if lo <= year <= hi), None)
            if run is not None:
                starts, ends, _, _ = run[2].arrays()
                pieces.append((starts, ends, run[2].day_opens, run[2].day_closes))
                year = run[1] + 1
                continue
            chunk = self.chunks.pop(year, None) if cache else None
            if chunk is None:
                chunk = self.chunk(year)
            pieces.append(chunk)
            year += 1
        # Years meet at New Year's midnight: an interval open across it is merged.
        starts, ends = _merged(
            np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])
        )
        return Timeline(
            starts,
            ends,
            lo=self.year_start(first),
            hi=self.year_start(last + 1),
            day_opens=np.concatenate([np.asarray(p[2], dtype=np.int64) for p in pieces]),
            day_closes=np.concatenate([np.asarray(p[3], dtype=np.int64) for p in pieces]),
        )

    def between(self, x: int, y: int) -> int:
        """Open microseconds in ``[x, y)`` (negative if ``y < x``).

        Over more than two years the years are summed one by one instead of joined
        into one timeline, which would hold every interval in between at once: a
        year some compiled run holds is read from it, any other is compiled alone
        (and kept in a small cache of its own).
        """
        if y < x:
            return -self.between(y, x)
        first, last = self.year_of(x), self.year_of(y)
        if last - first <= 1 or first < MIN_YEAR or last > MAX_YEAR:
            tl = self.cover(x, y)
            return tl.position(y) - tl.position(x)
        total = 0
        for year in range(first, last + 1):
            lo, hi = self.year_start(year), self.year_start(year + 1)
            a, b = max(x, lo), min(y, hi)
            run = next((tl for f, t, tl in self.segments if f <= year <= t), None)
            if run is not None:
                total += run.position(b) - run.position(a)
                continue
            with self.lock:
                chunk = self.chunks.get(year)
                if chunk is None:
                    if len(self.chunks) >= _CHUNK_CACHE:
                        self.chunks.clear()
                    chunk = self.chunks[year] = self.chunk(year)
            clipped = np.clip(chunk.ends, a, b) - np.clip(chunk.starts, a, b)
            total += int(clipped.sum())
        return total

    def years_compiled(self) -> list[int]:
        """Return the local years compiled so far, in order (for tests and benchmarks)."""
        years = set(self.chunks)
        for first, last, _ in self.segments:
            years.update(range(first, last + 1))
        return sorted(years)

    def nbytes(self) -> int:
        """Bytes held by the compiled runs, the cache of lone years and the core twin."""
        size = sum(tl.nbytes for _, _, tl in self.segments)
        size += sum(sum(a.nbytes for a in chunk) for chunk in self.chunks.values())
        if self.core is not None:
            size += int(self.core.nbytes)
        return size

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
        for _, _, tl in self.segments:
            if tl.lo <= x and y < tl.hi:
                self.timeline = tl
                return tl
        first, last = self.year_of(x), self.year_of(y)
        if first < MIN_YEAR or last > MAX_YEAR:
            bad = x if first < MIN_YEAR else y
            raise OutOfRangeError(
                f"{self.out_or_text(bad)} lies outside the supported years {MIN_YEAR}..{MAX_YEAR}"
            )
        return self.extend(first, last)

    def years_of(self, tl: Timeline) -> tuple[int, int]:
        for first, last, known in self.segments:
            if known is tl:
                return first, last
        return self.year_of(tl.lo), self.year_of(tl.hi - 1)

    def out_or_text(self, us: int) -> str:
        try:
            return self.out(us).isoformat()
        except (OverflowError, ValueError):
            return f"{us} µs since 1970-01-01 UTC"

    def extend(self, first: int, last: int) -> Timeline:
        """Compile years `first`..`last`, joined with the compiled runs they meet only."""
        with self.lock:
            kept: list[tuple[int, int, Timeline]] = []
            for lo, hi, tl in self.segments:
                if lo <= last + 1 and first <= hi + 1:  # overlapping or adjacent
                    if lo <= first and last <= hi:
                        self.timeline = tl
                        return tl
                    first, last = min(first, lo), max(last, hi)
                else:
                    kept.append((lo, hi, tl))
            joined = tuple(run for run in self.segments if run not in kept)
            timeline = self.build(first, last, cache=True, joined=joined)
            kept.append((first, last, timeline))
            kept.sort(key=lambda segment: segment[0])
            self.segments = kept
            self.timeline = timeline
            if self.use_core:  # compiled-core seam: the twin follows the run built last
                self.core = _backend.compile_core(timeline, self.zone, self.horizon)
            return timeline

    def extend_forward(self, tl: Timeline, x: int, needed: int) -> Timeline:
        """Grow the range after `tl` towards `needed` more open time, within the horizon."""
        limit = x + self.horizon
        if tl.hi > limit:
            raise HorizonError(
                f"no answer within the horizon of {timedelta(microseconds=self.horizon)} "
                f"after {self.out(x).isoformat()}; the schedule is closed for too long "
                "or the duration is too large (raise `horizon` to search further)"
            )
        lo_year, hi_year = self.years_of(tl)
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
        lo_year, hi_year = self.years_of(tl)
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
            # Grow by the years the missing days take at this rate, not one at a time.
            missing = bisect_right(tl.day_closes, x) + count + 1 - len(tl.day_closes)
            tl = self.extend_forward(tl, x, max(1, missing * _per_day(tl)))
        return self.check_horizon(x, self.walk_days(x, count, forward=True))

    def day_open(self, x: int, count: int) -> int:
        """First opening of the `count`-th business day before the end day of `x`."""
        tl = self.cover(x, x)
        while tl.days_ordered:
            u = tl.business_day_open(x, count)
            if u is not None:
                return self.check_horizon(x, u)
            missing = count + 1 - (bisect_left(tl.day_opens, x) - 1)
            tl = self.extend_backward(tl, x, max(1, missing * _per_day(tl)))
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
