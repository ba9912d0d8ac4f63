"""Vectorized business time over arrays: numpy, pandas and Arrow.

Each function answers the same question as the scalar method of
:class:`~expectkit.Schedule` of the same name, for a whole array at once, with a
constant number of vectorized searches (bucket indexes over the compiled timeline,
O(1) per element) and no Python loop per element.

Containers and zones:

* numpy ``datetime64`` arrays hold **UTC** instants (numpy has no zones); results are
  ``datetime64[us]`` in UTC.
* pandas tz-aware ``Series`` and ``DatetimeIndex`` come back as the same container (same
  index and name) converted to the schedule's zone; a naive one raises
  :class:`~expectkit.NaiveDatetimeError`.
* pyarrow ``timestamp`` arrays must carry a zone; results carry the schedule's zone.
* Polars ``Series`` (``Datetime`` with a time zone, ``Duration``) go through the Arrow
  path without copying their values and come back as Polars Series of the same name
  (see :mod:`expectkit.frames.polars_io`).
* ``NaT`` and nulls propagate: the result at that position is ``NaT`` / null. numpy
  boolean results have no null, so :func:`is_open` answers ``False`` there; pandas
  results use the nullable ``boolean`` dtype.

Durations may be a scalar ``timedelta`` / ``numpy.timedelta64``, a ``timedelta64`` array,
a pandas ``Series`` / ``TimedeltaIndex`` or an Arrow ``duration`` array, of the same length.

>>> import numpy as np
>>> from expectkit import Schedule
>>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
>>> starts = np.array(["2026-11-20T16:30", "2026-11-21T12:00", "NaT"], dtype="datetime64[us]")
>>> add(s, starts, timedelta(hours=1))
array(['2026-11-23T09:30:00.000000', '2026-11-23T10:00:00.000000',
                              'NaT'], dtype='datetime64[us]')
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from expectkit._core.errors import InputTypeError, NaiveDatetimeError, OutOfRangeError
from expectkit.time.engine import _duration_us
from expectkit.time.schedule import Schedule
from expectkit.time.timeline import Timeline

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from expectkit.time.engine import _Engine

__all__ = ["add", "between", "is_open", "next_close", "next_open", "subtract"]

_NAT = np.iinfo(np.int64).min
_BLOCK = 1 << 17  # elements per block: ~1 MB per temporary array


# ---------------------------------------------------------------------------
# Containers in and out
# ---------------------------------------------------------------------------


class _Shape:
    """How to rebuild the caller's container around an int64 result."""

    def __init__(self, kind: str, like: Any = None) -> None:
        self.kind = kind
        self.like = like

    def instants(self, values: NDArray[np.int64], zone: str) -> Any:
        if self.kind == "numpy":
            return values.view("datetime64[us]")
        if self.kind == "arrow":
            import pyarrow as pa

            mask = values == _NAT
            return pa.array(values, type=pa.int64(), mask=mask).cast(pa.timestamp("us", tz=zone))
        import pandas as pd

        index = pd.DatetimeIndex(values.view("datetime64[us]")).tz_localize("UTC")
        index = index.tz_convert(ZoneInfo(zone))  # an object: pandas 2 reads names with pytz
        if self.kind == "index":
            return index.rename(self.like.name)
        return pd.Series(index, index=self.like.index, name=self.like.name)

    def durations(self, values: NDArray[np.int64]) -> Any:
        if self.kind == "numpy":
            return values.view("timedelta64[us]")
        if self.kind == "arrow":
            import pyarrow as pa

            return pa.array(values, type=pa.int64(), mask=values == _NAT).cast(pa.duration("us"))
        import pandas as pd

        deltas = pd.TimedeltaIndex(values.view("timedelta64[us]"))
        if self.kind == "index":
            return deltas.rename(self.like.name)
        return pd.Series(deltas, index=self.like.index, name=self.like.name)

    def flags(self, values: NDArray[np.bool_], missing: NDArray[np.bool_]) -> Any:
        if self.kind == "numpy":
            return values & ~missing
        if self.kind == "arrow":
            import pyarrow as pa

            return pa.array(values, type=pa.bool_(), mask=missing)
        import pandas as pd

        result = pd.array(values, dtype="boolean")
        result[missing] = pd.NA
        if self.kind == "index":
            return pd.Index(result, name=self.like.name)
        return pd.Series(result, index=self.like.index, name=self.like.name)


def _kind(value: object) -> str:
    """Name what a value is without printing a whole array."""
    dtype = getattr(value, "dtype", None) or getattr(value, "type", None)
    name = type(value).__name__
    return f"{name} of {dtype}" if dtype is not None else f"{name} {value!r:.60}"


def _module_of(value: object) -> str:
    return type(value).__module__.split(".", 1)[0]


def _polars(fn: Callable[..., Any], schedule: Schedule, *args: Any, names: tuple[str, ...]) -> Any:
    """Answer for Polars Series through the Arrow path (see :mod:`expectkit.frames.polars_io`)."""
    from expectkit.frames.polars_io import _call

    return _call(fn, schedule, *args, names=names)


# Units finer than a microsecond: converting divides, which cannot overflow.
_FINE_UNITS = frozenset({"ns", "ps", "fs", "as"})


def _as_us(values: NDArray[Any], where: str) -> NDArray[np.int64]:
    """Return a 1-D ``datetime64`` / ``timedelta64`` array in int64 microseconds.

    numpy's own cast to a finer unit wraps around silently on overflow (an instant in
    the year 9 133 659 045 becomes 2026); every value is checked in its own unit first.
    NaT stays the int64 minimum.
    """
    kind = values.dtype.kind
    if values.ndim != 1:
        raise InputTypeError(
            f"{where}: expected a 1-D array, got {values.ndim}-D of shape {values.shape}; "
            "pass array.ravel() and reshape the result"
        )
    unit, count = np.datetime_data(values.dtype)
    if kind == "m" and unit in {"Y", "M"}:
        raise InputTypeError(
            f"{where}: timedelta64[{unit}] has no fixed length (months and years differ); "
            "give days, hours or smaller units, or a window such as '1 month' to quote()"
        )
    target = np.dtype(f"{kind}8[us]")
    if unit in _FINE_UNITS or (unit == "us" and count == 1):
        return values.astype(target).view(np.int64)
    raw = values.view(np.int64)
    present = raw != _NAT
    if unit in {"Y", "M"}:  # calendar units of instants: bound by the years themselves
        years = np.array(["1000", "3000"], dtype=f"datetime64[{unit}]").view(np.int64)
        lo, hi = years // count
        bad = present & ((raw < lo) | (raw > hi))
    else:
        one = np.array([count], dtype=f"timedelta64[{unit}]")
        per = int(one.astype("timedelta64[us]").view(np.int64)[0])
        limit = np.iinfo(np.int64).max // per
        bad = present & ((raw > limit) | (raw < -limit))
    if bad.any():
        k = int(np.argmax(bad))
        limit_text = (
            "instants lie in the years 1900..2199"
            if kind == "M"
            else "a duration must fit in int64 microseconds (about 292 000 years)"
        )
        raise OutOfRangeError(
            f"{where}[{k}]: {values[k]!s} ({raw[k]} {unit}) is too far; {limit_text}"
        )
    return values.astype(target).view(np.int64)


def _arrow_as_numpy(values: Any, kind: str) -> NDArray[Any]:
    """Return an Arrow timestamp or duration array as numpy in its own unit, nulls as NaT."""
    import pyarrow as pa

    raw = values.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
    return np.asarray(raw, dtype=np.int64).view(f"{kind}8[{values.type.unit}]")


def _instants(values: object, where: str) -> tuple[NDArray[np.int64], _Shape]:
    """Return UTC microseconds (NaT as the int64 minimum) and the container shape."""
    module = _module_of(values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "M":
            raise InputTypeError.for_value(values.dtype, where, "a datetime64 array")
        return _as_us(values, where), _Shape("numpy")
    if module == "pandas":
        import pandas as pd

        if isinstance(values, pd.Series | pd.DatetimeIndex):
            kind = "series" if isinstance(values, pd.Series) else "index"
            dtype = values.dtype
            if not isinstance(dtype, pd.DatetimeTZDtype):
                if pd.api.types.is_datetime64_dtype(dtype):
                    raise NaiveDatetimeError(
                        f"{where}: the pandas datetimes are naive (no tz); localize them "
                        "first, e.g. series.dt.tz_localize('Europe/Berlin')"
                    )
                raise InputTypeError(
                    f"{where}: expected tz-aware datetimes of one dtype, got {dtype} "
                    "(mixed zones?); convert with pd.to_datetime(values, utc=True)"
                )
            index = pd.DatetimeIndex(values) if kind == "series" else values
            own = np.asarray(index.asi8, dtype=np.int64).view(f"M8[{index.unit}]")
            return _as_us(own, where), _Shape(kind, values)
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array) and pa.types.is_timestamp(values.type):
            if values.type.tz is None:
                raise NaiveDatetimeError(
                    f"{where}: the Arrow timestamps have no time zone; cast them to "
                    "pa.timestamp(unit, tz=...) first"
                )
            return _as_us(_arrow_as_numpy(values, "M"), where), _Shape("arrow")
    raise InputTypeError(
        f"{where}: expected numpy datetime64, tz-aware pandas Series/DatetimeIndex or "
        f"Arrow timestamps, got {_kind(values)}"
    )


def _durations(values: object, size: int, where: str) -> NDArray[np.int64]:
    """Return durations in microseconds (NaT as the int64 minimum), broadcast to `size`."""
    if isinstance(values, timedelta):
        return np.full(size, _duration_us(values, where), dtype=np.int64)
    if isinstance(values, np.timedelta64):
        values = np.array([values])
    module = _module_of(values)
    if module == "pandas":
        import pandas as pd

        if isinstance(values, pd.Series | pd.TimedeltaIndex):
            index = pd.TimedeltaIndex(values)
            values = np.asarray(index.asi8, dtype=np.int64).view(f"m8[{index.unit}]")
    elif module == "pyarrow":
        import pyarrow as pa

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array) and pa.types.is_duration(values.type):
            values = _arrow_as_numpy(values, "m")
    if isinstance(values, np.ndarray) and values.dtype.kind == "m":
        us = _as_us(values, where)
        if us.shape == (1,):
            return np.full(size, us[0], dtype=np.int64)
        if us.shape != (size,):
            raise InputTypeError.for_value(
                us.shape, where, f"one duration or {size} durations (the length of the instants)"
            )
        return us
    raise InputTypeError(
        f"{where}: expected a timedelta or an array/Series of timedelta64, got {_kind(values)}"
    )


# ---------------------------------------------------------------------------
# The searches, on int64 arrays
# ---------------------------------------------------------------------------


def _position(tl: Timeline, x: NDArray[np.int64]) -> NDArray[np.int64]:
    if not len(tl):  # no open time in the covered years
        return np.zeros(x.shape, dtype=np.int64)
    starts, ends, cum, cumend = tl.arrays()
    i = tl.indexes()[0].search(x) - 1
    k = np.maximum(i, 0)
    inside = (i >= 0) & (x < ends[k])
    after = np.where(i >= 0, cumend[k], 0)
    return np.where(inside, cum[k] + (x - starts[k]), after)


def _cover(engine: _Engine, x: NDArray[np.int64]) -> Timeline:
    return engine.cover(int(x.min()), int(x.max()))


def _check_horizon(engine: _Engine, x: NDArray[np.int64], u: NDArray[np.int64]) -> None:
    far = np.abs(u - x) > engine.horizon
    if far.any():
        k = int(np.argmax(far))
        engine.check_horizon(int(x[k]), int(u[k]))  # raises, naming the instants


def _shift(engine: _Engine, x: NDArray[np.int64], d: NDArray[np.int64]) -> NDArray[np.int64]:
    """``add`` for valid instants and durations of either sign."""
    tl = _cover(engine, x)
    while True:
        p = _position(tl, x) + d
        # Only a positive duration can reach past the range, only a negative one before it.
        k = int(np.argmax(p))
        if p[k] > tl.total:
            tl = engine.extend_forward(tl, int(x[k]), int(p[k]) - tl.total)
            continue
        k = int(np.argmin(p))
        if p[k] < 0:
            tl = engine.extend_backward(tl, int(x[k]), -int(p[k]))
            continue
        break
    if not len(tl):  # nothing open and nothing to move: every duration is zero
        return x.copy()
    starts, _, cum, _ = tl.arrays()
    _, forward, backward = tl.indexes()
    if d.min() >= 0:  # the usual case: no masks, no copies
        j = forward.search(p)
        result = np.where(d == 0, x, starts[j] + (p - cum[j]))
    elif d.max() <= 0:
        j = backward.search(p) - 1
        result = np.where(d == 0, x, starts[j] + (p - cum[j]))
    else:
        result = x.copy()
        for mask, index, shift in ((d > 0, forward, 0), (d < 0, backward, -1)):
            pm = p[mask]
            j = index.search(pm) + shift
            result[mask] = starts[j] + (pm - cum[j])
    _check_horizon(engine, x, result)
    return result


def _locate(
    engine: _Engine, tl: Timeline, x: NDArray[np.int64]
) -> tuple[Timeline, NDArray[np.intp], NDArray[np.bool_]]:
    """Index of the last interval starting at or before each `x`, and whether `x` is in it."""
    while not len(tl):  # nothing open in the covered years: look further
        tl = engine.extend_forward(tl, int(x.min()), 1)
    ends = tl.arrays()[1]
    i = tl.indexes()[0].search(x) - 1
    inside = (i >= 0) & (x < ends[np.maximum(i, 0)])
    return tl, i, inside


def _next_open(engine: _Engine, x: NDArray[np.int64]) -> NDArray[np.int64]:
    tl = _cover(engine, x)
    while True:
        tl, i, inside = _locate(engine, tl, x)
        need = ~inside & (i + 1 >= len(tl))
        if not need.any():
            break
        tl = engine.extend_forward(tl, int(x[np.argmax(need)]), 1)
    starts = tl.arrays()[0]
    result = np.where(inside, x, starts[np.minimum(i + 1, len(tl) - 1)])
    _check_horizon(engine, x, result)
    return result


def _next_close(engine: _Engine, x: NDArray[np.int64]) -> NDArray[np.int64]:
    tl = _cover(engine, x)
    while True:
        tl, i, inside = _locate(engine, tl, x)
        k = np.where(inside, i, i + 1)
        ends = tl.arrays()[1]
        # An interval ending at the edge of the range may go on beyond it.
        need = (k >= len(tl)) | (ends[np.minimum(k, len(tl) - 1)] >= tl.hi)
        if not need.any():
            break
        tl = engine.extend_forward(tl, int(x[np.argmax(need)]), 1)
    result = ends[k]
    _check_horizon(engine, x, result)
    return result


def _blockwise(
    fn: Callable[..., NDArray[Any]],
    out: NDArray[Any],
    valid: NDArray[np.bool_],
    *arrays: NDArray[np.int64],
) -> None:
    """Set ``out[k] = fn(a[k], ...)`` where `valid`, one block at a time.

    Blocks keep the temporaries of the searches to a few megabytes whatever the input
    size; a block without missing values is passed as a view, without a copy.
    """
    n = len(out)
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)
        ok = valid[i:j]
        if ok.all():
            out[i:j] = fn(*(a[i:j] for a in arrays))
        elif ok.any():
            out[i:j][ok] = fn(*(a[i:j][ok] for a in arrays))


def _map(
    schedule: Schedule,
    instants: object,
    fn: Callable[[_Engine, NDArray[np.int64]], NDArray[np.int64]],
) -> Any:
    if not isinstance(schedule, Schedule):
        raise InputTypeError.for_value(schedule, "schedule", "a Schedule")
    x, shape = _instants(instants, "instants")
    engine = schedule._get_engine()
    out = np.full(x.shape, _NAT, dtype=np.int64)
    _blockwise(lambda xb: fn(engine, xb), out, x != _NAT, x)
    return shape.instants(out, schedule.tz)


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def add(schedule: Schedule, instants: Any, durations: Any) -> Any:
    """Add business time to every instant, like :meth:`Schedule.add`, vectorized.

    Each result is the earliest instant whose business time from its start equals the
    duration (landing at a close); a negative duration subtracts. ``NaT`` stays ``NaT``.

    Args:
        schedule: The schedule whose open time counts.
        instants: numpy ``datetime64`` (UTC), tz-aware pandas Series/DatetimeIndex, or
            an Arrow timestamp array with a zone.
        durations: One duration or one per instant.

    Returns:
        The due instants, in the container of `instants` and the schedule's zone.

    Raises:
        NaiveDatetimeError: pandas or Arrow instants without a zone.
        InputTypeError: An unsupported container or mismatched lengths.
        HorizonError: A result further than the schedule's horizon from its start.

    >>> import pandas as pd
    >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
    >>> created = pd.Series(pd.to_datetime(["2026-11-20 16:30", "2026-11-23 08:00"]))
    >>> due = add(s, created.dt.tz_localize("Europe/Berlin"), timedelta(hours=1))
    >>> [str(t) for t in due]
    ['2026-11-23 09:30:00+01:00', '2026-11-23 10:00:00+01:00']

    """
    if _module_of(instants) == "polars":
        return _polars(add, schedule, instants, durations, names=("instants", "durations"))
    x, shape = _instants(instants, "instants")
    d = _durations(durations, len(x), "durations")
    if not isinstance(schedule, Schedule):
        raise InputTypeError.for_value(schedule, "schedule", "a Schedule")
    engine = schedule._get_engine()
    out = np.full(x.shape, _NAT, dtype=np.int64)
    _blockwise(lambda xb, db: _shift(engine, xb, db), out, (x != _NAT) & (d != _NAT), x, d)
    return shape.instants(out, schedule.tz)


def subtract(schedule: Schedule, instants: Any, durations: Any) -> Any:
    """Subtract business time from every instant, like :meth:`Schedule.subtract`.

    Each result is the latest instant whose business time up to its end equals the
    duration (landing at an opening). Arguments and containers as for :func:`add`.

    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> subtract(s, np.array(["2026-11-23T10:00"], dtype="datetime64[us]"), timedelta(hours=2))
    array(['2026-11-20T16:00:00.000000'], dtype='datetime64[us]')
    """
    if _module_of(instants) == "polars":
        return _polars(subtract, schedule, instants, durations, names=("instants", "durations"))
    x, _ = _instants(instants, "instants")
    d = _durations(durations, len(x), "durations")
    negated = np.where(d == _NAT, _NAT, -d).view("timedelta64[us]")
    return add(schedule, instants, negated)


def between(schedule: Schedule, starts: Any, ends: Any) -> Any:
    """Return the business time in ``[start, end)`` pairwise, like :meth:`Schedule.between`.

    Negative where an end comes before its start. Both arrays use the same kind of
    container; the result is ``timedelta64[us]`` (numpy), a timedelta Series/Index
    (pandas) or an Arrow ``duration`` array.

    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> a = np.array(["2026-11-20T16:30", "NaT"], dtype="datetime64[us]")
    >>> b = np.array(["2026-11-23T10:00", "2026-11-23T10:00"], dtype="datetime64[us]")
    >>> between(s, a, b)
    array([5400000000,      'NaT'], dtype='timedelta64[us]')
    """
    if _module_of(starts) == "polars":
        return _polars(between, schedule, starts, ends, names=("starts", "ends"))
    if not isinstance(schedule, Schedule):
        raise InputTypeError.for_value(schedule, "schedule", "a Schedule")
    x, shape = _instants(starts, "starts")
    y, _ = _instants(ends, "ends")
    if x.shape != y.shape:
        raise InputTypeError.for_value(y.shape, "ends", f"{len(x)} instants, like starts")
    engine = schedule._get_engine()

    def spans(xb: NDArray[np.int64], yb: NDArray[np.int64]) -> NDArray[np.int64]:
        tl = engine.cover(int(min(xb.min(), yb.min())), int(max(xb.max(), yb.max())))
        return _position(tl, yb) - _position(tl, xb)

    out = np.full(x.shape, _NAT, dtype=np.int64)
    _blockwise(spans, out, (x != _NAT) & (y != _NAT), x, y)
    return shape.durations(out)


def is_open(schedule: Schedule, instants: Any) -> Any:
    """Tell for every instant whether it lies in an open interval, like :meth:`Schedule.is_open`.

    numpy results are plain booleans (``NaT`` gives ``False``); pandas and Arrow results
    are nullable, with null where the instant is missing.

    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> is_open(s, np.array(["2026-11-23T09:00", "2026-11-23T17:00"], dtype="datetime64[us]"))
    array([ True, False])
    """
    if _module_of(instants) == "polars":
        return _polars(is_open, schedule, instants, names=("instants",))
    if not isinstance(schedule, Schedule):
        raise InputTypeError.for_value(schedule, "schedule", "a Schedule")
    x, shape = _instants(instants, "instants")
    missing = x == _NAT
    engine = schedule._get_engine()
    flags = np.zeros(x.shape, dtype=bool)
    _blockwise(lambda xb: _locate(engine, _cover(engine, xb), xb)[2], flags, ~missing, x)
    return shape.flags(flags, missing)


def next_open(schedule: Schedule, instants: Any) -> Any:
    """Return each instant if open, else the next opening, like :meth:`Schedule.next_open`.

    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> next_open(s, np.array(["2026-11-21T12:00"], dtype="datetime64[us]"))
    array(['2026-11-23T09:00:00.000000'], dtype='datetime64[us]')
    """
    if _module_of(instants) == "polars":
        return _polars(next_open, schedule, instants, names=("instants",))
    return _map(schedule, instants, _next_open)


def next_close(schedule: Schedule, instants: Any) -> Any:
    """Return the close of the interval containing or following each instant.

    Like :meth:`Schedule.next_close`; a schedule that never closes raises
    :class:`~expectkit.HorizonError`.

    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> next_close(s, np.array(["2026-11-23T17:00"], dtype="datetime64[us]"))
    array(['2026-11-24T17:00:00.000000'], dtype='datetime64[us]')
    """
    if _module_of(instants) == "polars":
        return _polars(next_close, schedule, instants, names=("instants",))
    return _map(schedule, instants, _next_close)
