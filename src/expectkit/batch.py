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

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from expectkit._timeline import Timeline
from expectkit.errors import InputTypeError, NaiveDatetimeError
from expectkit.schedule import Schedule, _duration_us

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from expectkit.policy import Metric, Policy
    from expectkit.schedule import _Engine

__all__ = ["add", "between", "is_open", "next_close", "next_open", "quote_frame", "subtract"]

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
        index = index.tz_convert(zone)
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


def _instants(values: object, where: str) -> tuple[NDArray[np.int64], _Shape]:
    """Return UTC microseconds (NaT as the int64 minimum) and the container shape."""
    module = _module_of(values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "M":
            raise InputTypeError.for_value(values.dtype, where, "a datetime64 array")
        return values.astype("datetime64[us]", copy=False).view(np.int64), _Shape("numpy")
    if module == "pandas":
        import pandas as pd

        if isinstance(values, pd.Series | pd.DatetimeIndex):
            kind = "series" if isinstance(values, pd.Series) else "index"
            index = pd.DatetimeIndex(values) if kind == "series" else values
            if not isinstance(getattr(index, "dtype", None), pd.DatetimeTZDtype):
                if pd.api.types.is_datetime64_dtype(index.dtype):
                    raise NaiveDatetimeError(
                        f"{where}: the pandas datetimes are naive (no tz); localize them "
                        "first, e.g. series.dt.tz_localize('Europe/Berlin')"
                    )
                raise InputTypeError.for_value(index.dtype, where, "tz-aware datetimes")
            us = np.asarray(index.as_unit("us").asi8, dtype=np.int64)
            return us, _Shape(kind, values)
    if module == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array) and pa.types.is_timestamp(values.type):
            if values.type.tz is None:
                raise NaiveDatetimeError(
                    f"{where}: the Arrow timestamps have no time zone; cast them to "
                    "pa.timestamp(unit, tz=...) first"
                )
            ints = pc.cast(pc.cast(values, pa.timestamp("us", tz="UTC")), pa.int64())
            us = ints.fill_null(_NAT).to_numpy(zero_copy_only=False).astype(np.int64)
            return us, _Shape("arrow")
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
            values = np.asarray(pd.TimedeltaIndex(values).as_unit("us").asi8, dtype=np.int64)
            values = values.view("timedelta64[us]")
    elif module == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array) and pa.types.is_duration(values.type):
            ints = pc.cast(pc.cast(values, pa.duration("us")), pa.int64())
            values = ints.fill_null(_NAT).to_numpy(zero_copy_only=False).view("timedelta64[us]")
    if isinstance(values, np.ndarray) and values.dtype.kind == "m":
        us = values.astype("timedelta64[us]", copy=False).view(np.int64)
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
    return _map(schedule, instants, _next_open)


def next_close(schedule: Schedule, instants: Any) -> Any:
    """Return the close of the interval containing or following each instant.

    Like :meth:`Schedule.next_close`; a schedule that never closes raises
    :class:`~expectkit.HorizonError`.

    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> next_close(s, np.array(["2026-11-23T17:00"], dtype="datetime64[us]"))
    array(['2026-11-24T17:00:00.000000'], dtype='datetime64[us]')
    """
    return _map(schedule, instants, _next_close)


def quote_frame(
    policy: Policy | Sequence[Policy],
    requests: pd.DataFrame,
    *,
    at: str = "created_at",
    metrics: Iterable[Metric] | None = None,
) -> pd.DataFrame:
    """Quote every request of a frame, like :func:`~expectkit.quote` row by row, vectorized.

    Rows are routed as :func:`~expectkit.quote` routes one request — the policy version
    in force at the row's instant, a closed live channel's ``offline`` fallback, the
    first rule in force that matches — once per distinct request, then grouped by
    (version, rule, quoted channel), so each group and metric is one vectorized call.
    Every value equals the scalar quote's.

    Columns read: ``channel`` and the instant column `at` (tz-aware) are required;
    ``priority``, ``segment``, ``tags`` (a list or tuple per row, or a comma-separated
    string) and ``attributes`` (a dict per row) are read when present and a rule
    matches on them.

    Columns written, on the index of `requests`: ``matched`` (a rule quoted the row),
    ``quoted_channel`` (after the offline fallback; None for a missing or unknown
    channel or no policy version in force) and per metric ``{metric}_rule``,
    ``{metric}_promised_low`` (early end of the told window), ``{metric}_promised_at``
    (told, rounded outward), ``{metric}_exact_promised_at`` and ``{metric}_target_at``.
    A row whose rule does not set a metric, and every unmatched row, has None and
    ``NaT`` there; where :func:`~expectkit.quote` raises (no version in force, unknown
    channel, no matching rule, ``NaT`` instant) the row is unmatched instead.

    All instant columns share one zone, decided by the policy and never by the rows:
    the zone of the policy's schedules when they all share one, else UTC (so the
    frame's dtypes are the same for every chunk of a larger table).

    Args:
        policy: A policy, or several versions of one (the one in force at each row's
            instant is used).
        requests: The requests, one per row.
        at: Name of the column with each request's aware instant.
        metrics: Only these metrics; default every metric a rule of `policy` sets.

    Returns:
        A new DataFrame with the columns above.

    Raises:
        PolicyError: `requests` has no ``channel`` or `at` column.
        NaiveDatetimeError: The `at` column has no time zone.
        InputTypeError: `policy`, `requests` or `metrics` is not of the accepted kinds.
        HorizonError: A schedule has no open time within its horizon.

    >>> import pandas as pd
    >>> from expectkit import Policy
    >>> policy = Policy.loads('''
    ... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
    ... channels:
    ...   email: {kind: email, mode: async, schedule: berlin}
    ...   chat: {kind: chat, mode: live, schedule: berlin, offline: email}
    ... rules:
    ...   - {name: chat, match: {channel: chat}, first_response: {promise: "30 seconds"}}
    ...   - {name: email, first_response: {promise: "1-3 business days"}}
    ... ''')
    >>> requests = pd.DataFrame({
    ...     "channel": ["email", "chat", "chat"],
    ...     "created_at": pd.to_datetime(["2026-11-20 16:30", "2026-11-20 16:30",
    ...                                   "2026-11-20 18:00"]).tz_localize("Europe/Berlin"),
    ... })
    >>> quotes = quote_frame(policy, requests)
    >>> quotes[["quoted_channel", "first_response_rule"]].values.tolist()
    [['email', 'email'], ['chat', 'chat'], ['email', 'email']]
    >>> [str(t) for t in quotes["first_response_promised_at"]]
    ['2026-11-25 17:00:00+01:00', '2026-11-20 16:30:30+01:00', '2026-11-26 17:00:00+01:00']

    """
    from expectkit.policy import METRICS, Policy

    policies = [policy] if isinstance(policy, Policy) else policy
    if (
        isinstance(policies, str | bytes)
        or not isinstance(policies, Sequence)
        or not policies
        or not all(isinstance(p, Policy) for p in policies)
    ):
        raise InputTypeError.for_value(policy, "policy", "a Policy or a sequence of Policy")
    if _module_of(requests) != "pandas":  # pandas is imported only when a frame comes
        raise InputTypeError.for_value(type(requests).__name__, "requests", "a pandas DataFrame")
    import pandas as pd

    if not isinstance(requests, pd.DataFrame):
        raise InputTypeError.for_value(type(requests).__name__, "requests", "a pandas DataFrame")
    from expectkit import _vectorquote

    if metrics is None:
        rules = [r for p in policies for r in p.rules]
        chosen = [m for m in METRICS if any(getattr(r, m) is not None for r in rules)]
    else:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        for name in wanted:
            if name not in METRICS:
                raise InputTypeError.for_value(name, "metrics", f"one of {', '.join(METRICS)}")
        chosen = [m for m in METRICS if m in wanted]
    return _vectorquote._quote_frame(policies, requests, at, chosen)
