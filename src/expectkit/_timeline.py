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
        starts: Sequence[int],
        ends: Sequence[int],
        *,
        lo: int,
        hi: int,
        day_opens: Sequence[int] = (),
        day_closes: Sequence[int] = (),
    ) -> None:
        self.lo = lo
        self.hi = hi
        # Business days in date order: first opening and last close of each.
        self.day_opens: list[int] = list(day_opens)
        self.day_closes: list[int] = list(day_closes)
        # Bisection over the days needs both lists increasing; odd overlapping
        # shifts can break that, and then callers walk the dates instead.
        self.days_ordered = all(
            a < b for a, b in zip(self.day_opens, self.day_opens[1:], strict=False)
        ) and all(a < b for a, b in zip(self.day_closes, self.day_closes[1:], strict=False))
        # Binary searches run over `starts` and `cumend`: plain lists bisect fastest.
        # `ends` and `cum` are only indexed, so compact int64 arrays do.
        self.starts: list[int] = list(starts)
        self.ends = array("q", ends)
        cum = array("q", bytes(8 * len(self.starts)))
        cumend: list[int] = []
        total = 0
        for i, (start, end) in enumerate(zip(self.starts, self.ends, strict=True)):
            cum[i] = total
            total += end - start
            cumend.append(total)
        self.cum = cum
        self.cumend = cumend
        self._arrays: tuple[NDArray[np.int64], ...] | None = None
        self._indexes: tuple[BucketIndex, BucketIndex, BucketIndex] | None = None

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def total(self) -> int:
        """Open microseconds in the whole covered range."""
        return self.cumend[-1] if self.cumend else 0

    @property
    def nbytes(self) -> int:
        """Bytes held by the interval and cumulative arrays (int objects included)."""
        size = sys.getsizeof(self.ends) + sys.getsizeof(self.cum)
        for values in (self.starts, self.cumend):
            size += sys.getsizeof(values) + sum(sys.getsizeof(v) for v in values)
        return size

    def arrays(self) -> tuple[NDArray[np.int64], ...]:
        """Return ``(starts, ends, cum, cumend)`` as read-only numpy int64 arrays."""
        if self._arrays is None:
            views = (
                np.array(self.starts, dtype=np.int64),
                np.frombuffer(self.ends, dtype=np.int64) if self.ends else np.zeros(0, np.int64),
                np.frombuffer(self.cum, dtype=np.int64) if self.cum else np.zeros(0, np.int64),
                np.array(self.cumend, dtype=np.int64),
            )
            for view in views:
                view.flags.writeable = False
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
        """Return ``forward(position(x) + amount)`` in one call (the hot path of ``add``)."""
        starts = self.starts
        i = bisect_right(starts, x) - 1
        if i < 0:
            p = amount
        elif x < self.ends[i]:
            p = self.cum[i] + (x - starts[i]) + amount
        else:
            p = self.cumend[i] + amount
        j = bisect_left(self.cumend, p)
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
