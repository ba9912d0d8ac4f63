"""Compiled open time: sorted, disjoint intervals in int64 UTC microseconds.

A :class:`Timeline` holds the open intervals of a schedule over a contiguous range
of instants ``[lo, hi)`` together with the cumulative open time before each
interval. Every question about business time becomes a binary search:

* ``position(x)`` — open microseconds in ``[lo, x)``; strictly the primitive the
  rest is built on, since ``between(a, b) == position(b) - position(a)``;
* ``forward(p)`` — the earliest instant whose position is ``p`` (lands at a close);
* ``backward(p)`` — the latest instant whose position is ``p`` (lands at an opening).

This module knows nothing of zones, wall clocks or schedules.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["BucketIndex", "Timeline", "merge_intervals"]

# A bucket that holds more keys than this is searched by bisection instead.
_MAX_STEPS = 4

_DAY_US = 86_400 * 1_000_000

# How many intervals past the start an `advance` first looks for its answer.
_NEAR = 8


def merge_intervals(pairs: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sort intervals, drop empty ones, merge overlapping and touching ones.

    >>> merge_intervals([(5, 9), (0, 2), (2, 3), (4, 4), (8, 12)])
    ([0, 5], [3, 12])
    """
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(p for p in pairs if p[1] > p[0]):
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _int64s(values: NDArray[np.int64]) -> array[int]:
    packed: array[int] = array("q")
    packed.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return packed


def _view(values: array[int]) -> NDArray[np.int64]:
    view = np.frombuffer(values, dtype=np.int64) if values else np.zeros(0, dtype=np.int64)
    view.flags.writeable = False
    return view


class BucketIndex:
    """``numpy.searchsorted`` over sorted int64 keys in O(1) per value.

    The value range ``[lo, hi]`` is cut into equal buckets, about four per key; each
    bucket remembers the search result at its left edge, and a value walks right over
    the few keys between that edge and itself. Where keys crowd into one bucket (more
    than four), it falls back to bisection, so the answer is always ``searchsorted``'s.

    >>> keys = np.array([10, 20, 30, 40], dtype=np.int64)
    >>> index = BucketIndex(keys, lo=0, hi=50, side="right")
    >>> index.search(np.array([0, 10, 25, 49], dtype=np.int64)).tolist()
    [0, 1, 2, 4]
    """

    def __init__(self, keys: NDArray[np.int64], *, lo: int, hi: int, side: str) -> None:
        self.keys = keys
        self.lo = lo
        self.side: Literal["left", "right"] = "right" if side == "right" else "left"
        buckets = 4 * len(keys) + 1
        self.width = max(1, -(-(hi - lo) // buckets))
        edges = lo + np.arange(buckets + 2, dtype=np.int64) * self.width
        first = np.searchsorted(keys, edges, side=self.side)
        self.first = first.astype(np.int32 if len(keys) < 2**31 else np.int64)
        self.steps = int(np.diff(first).max(initial=0))

    def search(self, values: NDArray[np.int64]) -> NDArray[np.intp]:
        """Return ``numpy.searchsorted(keys, values, side)`` for values in ``[lo, hi]``."""
        keys = self.keys
        if self.steps > _MAX_STEPS or not len(keys):
            return np.searchsorted(keys, values, side=self.side)
        bucket = np.clip((values - self.lo) // self.width, 0, len(self.first) - 1)
        result = self.first[bucket].astype(np.intp)
        last = len(keys) - 1
        for _ in range(self.steps):
            ahead = keys[np.minimum(result, last)]
            step = ahead <= values if self.side == "right" else ahead < values
            result += step & (result <= last)
        return result


class Timeline:
    """Open intervals over ``[lo, hi)`` with cumulative open time; immutable once built.

    Intervals are half-open ``[start, end)``, sorted, disjoint and never touching.
    An interval that ends at ``hi`` (or starts at ``lo``) may continue beyond the
    covered range; callers extend the range before trusting such an edge.

    >>> tl = Timeline([10, 30], [20, 40], lo=0, hi=100)
    >>> tl.position(35), tl.forward(15), tl.backward(10)
    (15, 35, 30)
    """

    __slots__ = (
        "_arrays",
        "_indexes",
        "cum",
        "cumend",
        "daily",
        "day_closes",
        "day_opens",
        "days_ordered",
        "ends",
        "hi",
        "lo",
        "starts",
    )

    def __init__(
        self,
        starts: Sequence[int] | NDArray[np.int64],
        ends: Sequence[int] | NDArray[np.int64],
        *,
        lo: int,
        hi: int,
        day_opens: Sequence[int] | NDArray[np.int64] = (),
        day_closes: Sequence[int] | NDArray[np.int64] = (),
    ) -> None:
        self.lo = lo
        self.hi = hi
        # Business days in date order: first opening and last close of each.
        opens = np.asarray(day_opens, dtype=np.int64)
        closes = np.asarray(day_closes, dtype=np.int64)
        self.day_opens: array[int] = _int64s(opens)
        self.day_closes: array[int] = _int64s(closes)
        # Bisection over the days needs both lists increasing; odd overlapping
        # shifts can break that, and then callers walk the dates instead.
        self.days_ordered = bool(
            np.all(opens[1:] > opens[:-1]) and np.all(closes[1:] > closes[:-1])
        )
        # Every sequence is a compact int64 array (8 bytes an item, against 40 for a
        # list of ints): bisect and indexing read them directly, numpy views share them.
        first = np.asarray(starts, dtype=np.int64)
        last = np.asarray(ends, dtype=np.int64)
        if first.shape != last.shape:
            msg = f"starts and ends differ in length ({len(first)} and {len(last)})"
            raise ValueError(msg)
        running = np.cumsum(last - first)
        self.starts: array[int] = _int64s(first)
        self.ends: array[int] = _int64s(last)
        self.cum: array[int] = _int64s(running - (last - first))
        self.cumend: array[int] = _int64s(running)
        self._arrays: tuple[NDArray[np.int64], ...] | None = None
        self._indexes: tuple[BucketIndex, BucketIndex, BucketIndex] | None = None
        # For each day of the range (UTC days from `lo`), how many intervals start
        # at or before its first instant: a scalar search for `x` in day d then only
        # bisects between daily[d] and daily[d + 1], a probe or two.
        days = max(0, (hi - lo - 1) // _DAY_US + 1)
        edges = lo + np.arange(days + 1, dtype=np.int64) * _DAY_US
        counts = np.searchsorted(first, edges, side="right")
        self.daily: array[int] = array("i" if len(first) < 2**31 else "q")
        self.daily.frombytes(counts.astype(np.int32 if len(first) < 2**31 else np.int64).tobytes())

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def total(self) -> int:
        """Open microseconds in the whole covered range."""
        return self.cumend[-1] if self.cumend else 0

    @property
    def nbytes(self) -> int:
        """Bytes held: the six int64 arrays, and the numpy views and indexes once made.

        >>> tl = Timeline([10, 30], [20, 40], lo=0, hi=100)
        >>> before = tl.nbytes
        >>> _ = tl.indexes()
        >>> tl.nbytes > before
        True
        """
        size = sys.getsizeof(self) + sum(
            sys.getsizeof(values)
            for values in (
                self.starts,
                self.ends,
                self.cum,
                self.cumend,
                self.day_opens,
                self.day_closes,
                self.daily,
            )
        )
        if self._arrays is not None:  # views: their headers only, the data is shared
            size += sys.getsizeof(self._arrays) + sum(sys.getsizeof(v) for v in self._arrays)
        if self._indexes is not None:
            size += sys.getsizeof(self._indexes) + sum(
                sys.getsizeof(index) + sys.getsizeof(index.__dict__) + index.first.nbytes
                for index in self._indexes
            )
        return size

    def arrays(self) -> tuple[NDArray[np.int64], ...]:
        """Return ``(starts, ends, cum, cumend)`` as read-only numpy int64 views."""
        if self._arrays is None:
            views = tuple(
                _view(values) for values in (self.starts, self.ends, self.cum, self.cumend)
            )
            self._arrays = views
        return self._arrays

    def indexes(self) -> tuple[BucketIndex, BucketIndex, BucketIndex]:
        """Return bucket indexes over ``starts`` (right), ``cumend`` (left), ``cum`` (right).

        They answer the searches of the vectorized operations in O(1) per value.
        """
        if self._indexes is None:
            starts, _, cum, cumend = self.arrays()
            total = self.total
            self._indexes = (
                BucketIndex(starts, lo=self.lo, hi=self.hi, side="right"),
                BucketIndex(cumend, lo=0, hi=total, side="left"),
                BucketIndex(cum, lo=0, hi=total, side="right"),
            )
        return self._indexes

    def covers(self, x: int) -> bool:
        """Whether instant `x` lies in ``[lo, hi)``."""
        return self.lo <= x < self.hi

    def index(self, x: int) -> int:
        """Index of the last interval starting at or before `x` (``-1`` if none)."""
        return bisect_right(self.starts, x) - 1

    def is_open(self, x: int) -> bool:
        """Whether `x` lies inside an interval (start inclusive, end exclusive)."""
        i = bisect_right(self.starts, x) - 1
        return i >= 0 and x < self.ends[i]

    def position(self, x: int) -> int:
        """Open microseconds in ``[lo, x)``; `x` must lie in ``[lo, hi]``."""
        i = bisect_right(self.starts, x) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        if x < end:
            return self.cum[i] + (x - self.starts[i])
        return self.cumend[i]

    def forward(self, p: int) -> int | None:
        """Earliest instant with position `p` (``0 < p``), or ``None`` past the range."""
        j = bisect_left(self.cumend, p)
        if j == len(self.cumend):
            return None
        return self.starts[j] + (p - self.cum[j])

    def advance(self, x: int, amount: int) -> int | None:
        """Return ``forward(position(x) + amount)`` in one call (the hot path of ``add``).

        `x` must lie in ``[lo, hi)``.
        """
        starts = self.starts
        cumend = self.cumend
        daily = self.daily
        d = (x - self.lo) // _DAY_US
        i = bisect_right(starts, x, daily[d], daily[d + 1]) - 1
        if i < 0:
            p = amount
        else:
            end = self.ends[i]
            p = cumend[i] + amount  # cum[i] + (x - starts[i]) + amount when x is inside
            if x < end:
                p -= end - x
        # p > position(x) >= cumend[i - 1]: the answer lies at interval i or later,
        # and most often within a few intervals of it.
        lo = i if i > 0 else 0
        near = lo + _NEAR
        if near < len(cumend) and cumend[near] >= p:
            j = bisect_left(cumend, p, lo, near)
        else:
            j = bisect_left(cumend, p, lo)
        if j == len(starts):
            return None
        return starts[j] + (p - self.cum[j])

    def business_day_close(self, x: int, count: int) -> int | None:
        """Last close of the `count`-th business day after the first one closing after `x`.

        ``None`` when the covered days run out; requires ``days_ordered``.
        """
        k = bisect_right(self.day_closes, x) + count
        return self.day_closes[k] if k < len(self.day_closes) else None

    def business_day_open(self, x: int, count: int) -> int | None:
        """First opening of the `count`-th business day before the last one opening before `x`.

        ``None`` when the covered days run out; requires ``days_ordered``.
        """
        k = bisect_left(self.day_opens, x) - 1 - count
        return self.day_opens[k] if k >= 0 else None

    def backward(self, p: int) -> int:
        """Latest instant with position `p` (``0 <= p < total``)."""
        j = bisect_right(self.cum, p) - 1
        return self.starts[j] + (p - self.cum[j])

    def overlapping(self, a: int, b: int) -> list[tuple[int, int]]:
        """Intervals overlapping ``[a, b)``, clipped to it."""
        first = bisect_right(self.ends, a)
        last = bisect_left(self.starts, b)
        return [
            (max(self.starts[i], a), min(self.ends[i], b))
            for i in range(first, last)
            if min(self.ends[i], b) > max(self.starts[i], a)
        ]
