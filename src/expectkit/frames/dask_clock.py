"""The frame clock on Dask: events shuffled by ticket, each partition's tickets complete.

:func:`clock_frame` takes an event log as a dask DataFrame (the columns of
:mod:`expectkit.frames.event_log`), moves every event of a ticket into one partition
(``DataFrame.shuffle(on="ticket")``) and runs the in-process frame clock,
:func:`expectkit.batch.clock_frame`, on each partition: the rows are exactly the
in-process clock's, partition by partition. The policy travels to the workers pickled.

The result is lazy, with its columns and dtypes declared up front (the pandas path run
on the log's empty stand-in, so a naive ``at`` column or a missing column is refused
when the graph is built). Rows of one ticket stay together, in the clock's order; the
order of tickets across partitions is the shuffle's, and each partition's index starts
from 0 — sort by ``ticket`` (and ``metric``, ``cycle``) for a stable order.

>>> from datetime import datetime, UTC
>>> import dask.dataframe as dd
>>> import pandas as pd
>>> from expectkit import Policy
>>> from expectkit import dask as ekd
>>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "4 hours"}}])
>>> log = pd.DataFrame({
...     "ticket": ["A", "B", "A", "B"],
...     "type": ["created", "created", "agent_reply", "agent_reply"],
...     "at": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 09:30", "2026-01-05 12:00",
...                           "2026-01-05 15:00"], utc=True),
...     "channel": ["web", "web", None, None],
... })
>>> rows = ekd.clock_frame(dd.from_pandas(log, npartitions=2), policy,
...                        at=datetime(2026, 1, 6, tzinfo=UTC))
>>> rows.compute(scheduler="sync").sort_values("ticket")["state"].tolist()
['met_target', 'breached']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from expectkit._core.errors import InputTypeError
from expectkit.promises.policy import Policy

__all__ = ["clock_frame"]


def _partition(part: Any, policy: Policy, at: datetime, warn: float, latest: bool) -> Any:
    """Run the in-process frame clock on one partition (all of its tickets' events)."""
    from expectkit.frames.clock_frame import _clock_pandas
    from expectkit.frames.event_log import read_event_log

    log = read_event_log(part, where="events")
    return _clock_pandas(log, policy, at, warn, latest, "events")


def _encode(part: Any) -> Any:
    """Write the instants as integer µs since the epoch, exactly, for the shuffle.

    Some dask releases hand a shuffled tz-aware column back as ``object``; integers
    come back as they went. Each partition's instants are checked here first.
    """
    from expectkit.frames.event_log import _instants

    out = part.copy()
    instants = _instants(part["at"], "events['at']")
    out["at"] = instants.dt.tz_localize(None).astype("int64")
    return out


def _decoded_partition(part: Any, policy: Policy, at: datetime, warn: float, latest: bool) -> Any:
    """Read the instants :func:`_encode` wrote back, then run the frame clock."""
    import pandas as pd

    log = part.copy()
    log["at"] = pd.to_datetime(part["at"].to_numpy(dtype="int64"), unit="us", utc=True)
    return _partition(log, policy, at, warn, latest)


def clock_frame(
    events: Any,
    policy: Policy,
    *,
    at: datetime,
    warn: float = 0.75,
    latest: bool = False,
    npartitions: int | None = None,
) -> Any:
    """Run the frame clock over a dask DataFrame of events, like ``expectkit.batch.clock_frame``.

    `at` is required: a default (the latest event) would need a pass over the data
    before the graph could be built.

    Args:
        events: The event log, a dask DataFrame, rows in any order and any partition.
        policy: The promise policy.
        at: The aware instant asked about.
        warn: The clock's default at-risk share.
        latest: Only the latest cycle of each metric.
        npartitions: Partitions after the shuffle; default as many as `events` has.

    Returns:
        A lazy dask DataFrame with :data:`~expectkit.batch.CLOCK_COLUMNS`.

    Raises:
        InputTypeError: `events` is not a dask DataFrame, or lacks a column; `policy`
            or `at` of the wrong kind.
        NaiveDatetimeError: ``at`` (the column or the argument) has no time zone.
        EventError: At compute time, a bad event (its row counted within its partition)
            or a ticket without a ``created`` event.
        ImportError: dask is not installed.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from datetime import datetime, UTC
    >>> from expectkit import Policy
    >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "1 day"}}])
    >>> naive = dd.from_pandas(pd.DataFrame({"ticket": ["A"], "type": ["created"],
    ...     "at": pd.to_datetime(["2026-01-05 09:00"]), "channel": ["web"]}), npartitions=1)
    >>> clock_frame(naive, policy, at=datetime(2026, 1, 6, tzinfo=UTC))
    Traceback (most recent call last):
    expectkit.errors.NaiveDatetimeError: events['at']: the instants are naive (no time zone); ...

    """
    from expectkit.frames.dask import _dask_dataframe
    from expectkit.frames.instants import _instant_us

    dd = _dask_dataframe()
    if not isinstance(events, dd.DataFrame):
        raise InputTypeError.for_value(type(events).__name__, "events", "a dask DataFrame")
    if not isinstance(policy, Policy):
        raise InputTypeError.for_value(policy, "policy", "a Policy")
    _instant_us(at, "at")  # aware, before any work
    meta = _partition(events._meta, policy, at, warn, latest)  # checks the columns
    encoded = events.map_partitions(_encode, meta=_encode(events._meta))
    shuffled = encoded.shuffle(on="ticket", npartitions=npartitions)
    return shuffled.map_partitions(_decoded_partition, policy, at, warn, latest, meta=meta)
