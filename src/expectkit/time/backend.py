"""Choose, once at import, between the compiled core and the pure-Python engine.

The pure-Python engine in :mod:`expectkit.time.engine` is the reference and always
works. When the C extension ``expectkit._ccore`` was built at install time (a
compiler was present) and ``EXPECTKIT_PURE`` is not set to ``1``, each schedule's
engine also keeps a compiled :class:`Core` beside its timeline; the scalar verbs
ask the core first and fall back to the pure path whenever it returns ``None``:
outside the compiled years, near an offset change, for a wall time that is missing
or doubled, or for inputs only the pure path judges (naive datetimes, subclasses).

This module knows timelines and zones, not schedules.
"""

from __future__ import annotations

import importlib
import os
from array import array
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from expectkit._ccore import Core
    from expectkit.time.timeline import Timeline

__all__ = ["Core", "backend", "compile_core"]

_US = 1_000_000
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The offset table reaches this far beyond a timeline's range, so that answers at
# its very edges still read their offset from the table.
_MARGIN_US = 2 * _DAY_US
# Offsets are probed a day apart and each change bisected to the second. No zone in
# tzdata changes its offset twice within 95 hours, so no change is missed.
_PROBE_SECONDS = 86_400


def _load_core() -> ModuleType | None:
    if os.environ.get("EXPECTKIT_PURE", "") not in ("", "0"):
        return None
    try:
        # The extension sits at the package root, beside no Python module of this layer.
        return importlib.import_module("expectkit._ccore")
    except ImportError:  # built without a compiler: the pure path alone
        return None


_ccore = _load_core()

backend: Literal["c", "pure"] = "c" if _ccore is not None else "pure"
"""``"c"`` when the compiled core answers the hot paths, ``"pure"`` otherwise."""


def _offset_us(zone: ZoneInfo, seconds: int) -> int:
    offset = datetime.fromtimestamp(seconds, zone).utcoffset()
    assert offset is not None
    return (offset.days * 86_400 + offset.seconds) * _US + offset.microseconds


@lru_cache(maxsize=4096)
def _year_changes(zone: ZoneInfo, year: int) -> tuple[tuple[int, int], ...]:
    """Return ``(instant_us, new_offset_us)`` for each offset change in UTC year `year`.

    A change exactly at the year's first instant belongs to the year before.
    """
    start = int((datetime(year, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
    stop = int((datetime(year + 1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
    changes: list[tuple[int, int]] = []
    prev, prev_offset = start, _offset_us(zone, start)
    while prev < stop:
        nxt = min(prev + _PROBE_SECONDS, stop)
        nxt_offset = _offset_us(zone, nxt)
        if nxt_offset != prev_offset:
            lo, hi = prev, nxt  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset_us(zone, mid) == prev_offset:
                    lo = mid
                else:
                    hi = mid
            changes.append((hi * _US, nxt_offset))
        prev, prev_offset = nxt, nxt_offset
    return tuple(changes)


def _year(us: int) -> int:
    return (_EPOCH + timedelta(microseconds=us)).year


def offset_table(zone: ZoneInfo, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """Return the segment bounds and offsets of `zone` over ``[lo, hi)``.

    ``bounds`` is ``[lo, t1, ..., hi]`` with ``t1...`` the instants the offset changes;
    ``offsets[k]`` holds on ``[bounds[k], bounds[k + 1])``.

    >>> bounds, offsets = offset_table(ZoneInfo("Europe/Berlin"), 1774000000000000,
    ...                                1775000000000000)
    >>> [datetime.fromtimestamp(b // 1_000_000, UTC).isoformat() for b in bounds[1:-1]]
    ['2026-03-29T01:00:00+00:00']
    >>> offsets
    [3600000000, 7200000000]
    """
    bounds = [lo]
    # Offsets change at whole seconds, so the second holding `lo` has its offset.
    offsets = [_offset_us(zone, lo // _US)]
    for year in range(_year(lo), _year(hi - 1) + 1):
        for instant, offset in _year_changes(zone, year):
            if lo < instant < hi:
                bounds.append(instant)
                offsets.append(offset)
    bounds.append(hi)
    return bounds, offsets


def compile_core(timeline: Timeline, zone: ZoneInfo, horizon: int) -> Core | None:
    """Return a compiled core for `timeline` in `zone`, or ``None`` on the pure path."""
    if _ccore is None:
        return None
    lo, hi = timeline.lo - _MARGIN_US, timeline.hi + _MARGIN_US
    bounds, offsets = offset_table(zone, lo, hi)
    core: Core = _ccore.Core(
        timeline.starts,
        timeline.ends,
        timeline.cum,
        timeline.cumend,
        timeline.lo,
        timeline.hi,
        horizon,
        zone,
        array("q", bounds),
        array("q", offsets),
    )
    return core
