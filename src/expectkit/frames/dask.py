"""Business time over Dask DataFrames: :mod:`expectkit.batch`, partition by partition.

Each function answers the same question as the function of the same name in
:mod:`expectkit.batch` (and the scalar method of :class:`~expectkit.Schedule`), applied
with ``dask.dataframe.map_partitions`` to every partition through the pandas path.

* Instants are a tz-aware dask ``Series`` (or ``Index``), or a dask ``DataFrame`` with
  ``column=`` naming its instants column; a naive column raises
  :class:`~expectkit.NaiveDatetimeError` when the graph is built, not when it runs.
* A second operand (durations, or the ends of :func:`between`) is a scalar, a dask
  ``Series`` of the same frame (same partitions), or — with a DataFrame — a column name.
* Results are lazy, keep the partitions, divisions, index and name of the instants, and
  declare their dtype up front: ``datetime64[us, <schedule zone>]``, ``timedelta64[us]``
  or the nullable ``boolean``. ``NaT`` propagates as in :mod:`expectkit.batch`.
* The schedule travels to the workers pickled; each worker compiles its own timeline
  on first use, so nothing but the schedule's definition is shipped.

Needs ``pip install "expectkit[dask]"``; dask is imported on first call, and its absence
raises an :class:`ImportError` naming that extra.

>>> from datetime import timedelta
>>> import dask.dataframe as dd
>>> import pandas as pd
>>> from expectkit import Schedule
>>> from expectkit import dask as ekd
>>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
>>> tickets = pd.DataFrame(
...     {"created": pd.to_datetime(["2026-11-20 15:30", "2026-11-21 11:00", None], utc=True)},
...     index=pd.Index([101, 102, 103], name="ticket"),
... )
>>> frame = dd.from_pandas(tickets, npartitions=2)
>>> due = ekd.add(s, frame, timedelta(hours=1), column="created")
>>> due.npartitions, str(due.dtype)
(2, 'datetime64[us, Europe/Berlin]')
>>> due.compute(scheduler="sync")
ticket
101   2026-11-23 09:30:00+01:00
102   2026-11-23 10:00:00+01:00
103                         NaT
Name: created, dtype: datetime64[us, Europe/Berlin]
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import numpy as np

from expectkit._core.errors import InputTypeError
from expectkit.frames import batch
from expectkit.time.schedule import Schedule

if TYPE_CHECKING:
    import dask.dataframe as dd

    #: Instants: a tz-aware dask Series or Index, or a DataFrame with ``column=``.
    DaskInstants: TypeAlias = dd.Series | dd.Index | dd.DataFrame
    #: A duration for every row: one for all, a dask Series, or a column name.
    DaskDurations: TypeAlias = timedelta | np.timedelta64 | dd.Series | str
    #: The other end of an interval: a dask Series or Index, or a column name.
    DaskEnds: TypeAlias = dd.Series | dd.Index | str
    #: What every function returns: a lazy dask Series or Index.
    DaskResult: TypeAlias = dd.Series | dd.Index

__all__ = ["add", "between", "is_open", "next_close", "next_open", "subtract"]

_INSTALL = 'pip install "expectkit[dask]"'


def _dask_dataframe() -> ModuleType:
    """Import ``dask.dataframe``, or explain which extra provides it."""
    try:
        import dask.dataframe
    except ImportError as exc:
        raise ImportError(
            f"expectkit.dask needs dask with its dataframe support; install it with {_INSTALL}"
        ) from exc
    return dask.dataframe


def _instants(dd: ModuleType, data: Any, column: str | None) -> Any:
    """Return the instants as a dask Series or Index."""
    if isinstance(data, dd.DataFrame):
        if column is None:
            raise InputTypeError(
                "data: a dask DataFrame needs column=... naming its column of instants"
            )
        return data[column]
    if column is not None:
        raise InputTypeError.for_value(column, "column", "None unless data is a dask DataFrame")
    if isinstance(data, dd.Series | dd.Index):
        return data
    raise InputTypeError.for_value(
        data, "data", "a dask Series or Index, or a dask DataFrame with column=..."
    )


def _operand(dd: ModuleType, data: Any, instants: Any, value: Any, where: str) -> Any:
    """Return a second operand: a column name as that column, a scalar as is."""
    if isinstance(value, str):
        if not isinstance(data, dd.DataFrame):
            raise InputTypeError.for_value(
                value, where, "a column name only when data is a dask DataFrame"
            )
        value = data[value]
    if isinstance(value, timedelta | np.timedelta64):
        return value
    if not isinstance(value, dd.Series | dd.Index):
        # A pandas or numpy array would reach every partition whole, not in pieces.
        raise InputTypeError(
            f"{where}: expected a timedelta, a dask Series of the same frame or a column name, "
            f"got {type(value).__name__}"
        )
    if value.npartitions != instants.npartitions or (
        value.known_divisions and instants.known_divisions and value.divisions != instants.divisions
    ):
        raise InputTypeError(
            f"{where}: partitioned differently from the instants ({value.npartitions} vs "
            f"{instants.npartitions} partitions); take both from the same dask DataFrame"
        )
    return value


def _apply(
    fn: Callable[..., Any],
    schedule: Schedule,
    data: object,
    column: str | None,
    operand: tuple[object, str] | None = None,
) -> DaskResult:
    """Apply ``fn(schedule, *partitions)`` to every partition, declaring its output."""
    if not isinstance(schedule, Schedule):
        raise InputTypeError.for_value(schedule, "schedule", "a Schedule")
    dd = _dask_dataframe()
    instants = _instants(dd, data, column)
    args = [instants]
    if operand is not None:
        args.append(_operand(dd, data, instants, *operand))
    # Running the pandas path on the empty stand-ins gives the exact output dtype,
    # index type and name, and rejects naive or non-datetime columns before any work.
    meta = fn(schedule, *(getattr(a, "_meta", a) for a in args))
    return cast("DaskResult", dd.map_partitions(fn, schedule, *args, meta=meta))


def add(
    schedule: Schedule,
    data: DaskInstants,
    durations: DaskDurations,
    *,
    column: str | None = None,
) -> DaskResult:
    """Add business time to every instant of a dask collection, like :func:`expectkit.batch.add`.

    Each result is the earliest instant whose business time from its start equals the
    duration (landing at a close); a negative duration subtracts. ``NaT`` stays ``NaT``.

    Args:
        schedule: The schedule whose open time counts.
        data: A tz-aware dask Series or Index, or a dask DataFrame with `column`.
        durations: One ``timedelta`` for every row, a ``timedelta64`` dask Series of the
            same frame, or the name of such a column of `data`.
        column: With a DataFrame, the name of its column of instants.

    Returns:
        A lazy dask Series (or Index) of due instants in the schedule's zone, with the
        partitions, index and name of the instants.

    Raises:
        NaiveDatetimeError: The instants have no time zone.
        InputTypeError: An unsupported argument, or durations partitioned differently.
        HorizonError: At compute time, a result beyond the schedule's horizon.
        ImportError: dask is not installed.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
    >>> frame = dd.from_pandas(pd.DataFrame({
    ...     "created": pd.to_datetime(["2026-11-20 15:30", "2026-11-23 08:00"], utc=True),
    ...     "sla": pd.to_timedelta(["1h", "2h"]),
    ... }), npartitions=2)
    >>> [str(t) for t in add(s, frame, "sla", column="created").compute(scheduler="sync")]
    ['2026-11-23 09:30:00+01:00', '2026-11-23 11:00:00+01:00']

    """
    return _apply(batch.add, schedule, data, column, (durations, "durations"))


def subtract(
    schedule: Schedule,
    data: DaskInstants,
    durations: DaskDurations,
    *,
    column: str | None = None,
) -> DaskResult:
    """Subtract business time from every instant, like :func:`expectkit.batch.subtract`.

    Each result is the latest instant whose business time up to its end equals the
    duration (landing at an opening). Arguments and results as for :func:`add`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> due = pd.Series(pd.to_datetime(["2026-11-23 10:00"], utc=True))
    >>> due = dd.from_pandas(due, npartitions=1)
    >>> subtract(s, due, timedelta(hours=2)).compute(scheduler="sync").tolist()
    [Timestamp('2026-11-20 16:00:00+0000', tz='UTC')]
    """
    return _apply(batch.subtract, schedule, data, column, (durations, "durations"))


def between(
    schedule: Schedule,
    data: DaskInstants,
    ends: DaskEnds,
    *,
    column: str | None = None,
) -> DaskResult:
    """Return the business time in ``[start, end)`` per row, like :func:`expectkit.batch.between`.

    Negative where an end comes before its start; ``NaT`` at either end gives ``NaT``.

    Args:
        schedule: The schedule whose open time counts.
        data: The starts: a tz-aware dask Series or Index, or a DataFrame with `column`.
        ends: The ends: a tz-aware dask Series of the same frame, or a column name.
        column: With a DataFrame, the name of its column of starts.

    Returns:
        A lazy ``timedelta64[us]`` dask Series (or Index) with the partitions, index
        and name of the starts.

    Raises:
        NaiveDatetimeError: Starts or ends have no time zone.
        InputTypeError: An unsupported argument, or ends partitioned differently.
        ImportError: dask is not installed.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
    >>> frame = dd.from_pandas(pd.DataFrame({
    ...     "opened": pd.to_datetime(["2026-11-20 15:30", "2026-11-23 08:00"], utc=True),
    ...     "solved": pd.to_datetime(["2026-11-23 09:00", "2026-11-23 08:45"], utc=True),
    ... }), npartitions=2)
    >>> between(s, frame, "solved", column="opened").compute(scheduler="sync").tolist()
    [Timedelta('0 days 01:30:00'), Timedelta('0 days 00:45:00')]

    """
    return _apply(batch.between, schedule, data, column, (ends, "ends"))


def is_open(schedule: Schedule, data: DaskInstants, *, column: str | None = None) -> DaskResult:
    """Tell for every instant whether it is open, like :func:`expectkit.batch.is_open`.

    Intervals are half-open: an opening is open, a close is not. The result uses the
    nullable ``boolean`` dtype, ``<NA>`` where the instant is missing.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
    >>> at = pd.to_datetime(["2026-11-23 09:00", "2026-11-23 17:00", None]).tz_localize(s.tz)
    >>> is_open(s, dd.from_pandas(pd.Series(at), npartitions=2)).compute(scheduler="sync").tolist()
    [True, False, <NA>]
    """
    return _apply(batch.is_open, schedule, data, column)


def next_open(schedule: Schedule, data: DaskInstants, *, column: str | None = None) -> DaskResult:
    """Return each instant if open, else the next opening, like :func:`expectkit.batch.next_open`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> at = pd.Series(pd.to_datetime(["2026-11-21 12:00"], utc=True))
    >>> at = dd.from_pandas(at, npartitions=1)
    >>> next_open(s, at).compute(scheduler="sync").tolist()
    [Timestamp('2026-11-23 09:00:00+0000', tz='UTC')]
    """
    return _apply(batch.next_open, schedule, data, column)


def next_close(schedule: Schedule, data: DaskInstants, *, column: str | None = None) -> DaskResult:
    """Return the close of the interval containing or following each instant.

    Like :func:`expectkit.batch.next_close`; a schedule that never closes raises
    :class:`~expectkit.HorizonError` at compute time.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
    >>> at = pd.Series(pd.to_datetime(["2026-11-23 17:00"], utc=True))
    >>> at = dd.from_pandas(at, npartitions=1)
    >>> next_close(s, at).compute(scheduler="sync").tolist()
    [Timestamp('2026-11-24 17:00:00+0000', tz='UTC')]
    """
    return _apply(batch.next_close, schedule, data, column)
