"""The SLA clock over an event log frame: one row per ticket, metric and cycle.

:func:`clock_frame` replays an event log held in a dataframe (pandas, Polars or Arrow;
columns in :mod:`expectkit.frames.event_log`) with the in-memory
:class:`~expectkit.clock.Clock` and writes where every cycle of every metric stands at
one instant, as :meth:`Clock.history <expectkit.clock.Clock.history>` answers it — the
same states, instants and durations, row for row.

The frame work is columnar: the log is checked column by column (missing or unknown
types, naive instants, bad tickets are refused naming the first bad row), and the
result is built as whole columns; the fold itself is the clock's, so the frame clock
counts exactly as the clock does (pauses, re-matches, reopens, DST nights, events in
any order).

>>> import pandas as pd
>>> from expectkit import Policy
>>> policy = Policy.loads('''
... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
... channels: {email: {kind: email, schedule: berlin}}
... rules:
...   - name: email
...     first_response: {promise: "1-3 business days", target: "1 business day"}
... ''')
>>> log = pd.DataFrame({
...     "ticket": ["T1", "T2", "T1"],
...     "type": ["created", "created", "agent_reply"],
...     "at": pd.to_datetime(["2026-11-20 16:30", "2026-11-23 10:00", "2026-11-23 09:10"]
...                          ).tz_localize("Europe/Berlin"),
...     "channel": ["email", "email", None],
... })
>>> rows = clock_frame(log, policy, at=pd.Timestamp("2026-11-23 16:00", tz="Europe/Berlin"))
>>> print(rows[["ticket", "metric", "state", "elapsed"]].to_string(index=False))
ticket         metric      state         elapsed
    T1 first_response met_target 0 days 00:40:00
    T2 first_response   on_track 0 days 06:00:00
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from expectkit._core.errors import EventError, InputTypeError
from expectkit.promises.metrics import CLOCK_METRICS, ClockMetric
from expectkit.promises.policy import Policy
from expectkit.sla.clock import Clock
from expectkit.sla.statuses import MetricStatus

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CLOCK_COLUMNS", "clock_frame"]

CLOCK_COLUMNS: Final[tuple[str, ...]] = (
    "ticket",
    "metric",
    "cycle",
    "rule",
    "clock",
    "state",
    "started_at",
    "stopped_at",
    "target_at",
    "breach_at",
    "elapsed",
    "remaining",
    "paused",
    "breached",
    "escalations",
    "next_escalation",
    "next_escalation_at",
)
"""The columns :func:`clock_frame` writes, in order (see its documentation)."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)
_NAT: Final = np.iinfo(np.int64).min
_INSTANTS: Final = ("started_at", "stopped_at", "target_at", "breach_at", "next_escalation_at")
_LINE: Final = re.compile(r"^line (\d+)")


def _us(value: datetime | None) -> int:
    return _NAT if value is None else (value - _EPOCH) // _US


def _at_us(at: object, where: str) -> int:
    from expectkit.frames.instants import _instant_us

    if isinstance(at, datetime):
        return _instant_us(at, where)
    raise InputTypeError.for_value(at, where, "an aware datetime (or pandas Timestamp)")


def _replay(clock: Clock, items: Iterator[dict[str, Any]], where: str) -> None:
    """Replay the rows; an error names the row (the clock counts lines from 1 too)."""
    try:
        report = clock.replay(items)
    except EventError as exc:
        text = _LINE.sub(lambda m: f"{where}, row {m.group(1)}", str(exc.args[0]), count=1)
        raise type(exc)(text) from None
    if report.pending:
        ticket = next(iter(clock.pending))
        raise EventError(
            f"{where}: ticket {ticket!r} has events but no 'created' event "
            f"({report.pending} such events in all); a frame must hold whole tickets"
        )


def _ids(log: pd.DataFrame, where: str) -> dict[str, object]:
    """Map the clock's ticket ids back to the frame's values, refusing two that collide."""
    from expectkit.frames.event_log import _ticket_id

    out: dict[str, object] = {}
    for value in log["ticket"].drop_duplicates().tolist():
        key = _ticket_id(value)
        if not isinstance(key, str):
            continue  # the clock refuses it with its row
        if key in out and out[key] != value:
            raise InputTypeError(
                f"{where}['ticket']: {out[key]!r} and {value!r} are the same ticket id {key!r}; "
                "use one type of id"
            )
        out.setdefault(key, value)
    return out


class _Columns:
    """The result's columns, appended to status by status."""

    def __init__(self) -> None:
        self.lists: dict[str, list[Any]] = {name: [] for name in CLOCK_COLUMNS}

    def add(self, ticket: object, status: MetricStatus) -> None:
        cols = self.lists
        cols["ticket"].append(ticket)
        cols["metric"].append(status.metric)
        cols["cycle"].append(status.cycle)
        cols["rule"].append(status.rule)
        cols["clock"].append(status.clock)
        cols["state"].append(status.state)
        cols["started_at"].append(_us(status.started_at))
        cols["stopped_at"].append(_us(status.stopped_at))
        cols["target_at"].append(_us(status.target_at))
        cols["breach_at"].append(_us(status.breach_at))
        cols["elapsed"].append(status.elapsed // _US)
        cols["remaining"].append(status.remaining // _US)
        cols["paused"].append(status.state == "paused")
        cols["breached"].append(status.state == "breached")
        cols["escalations"].append([p.name for p in status.passed])
        following = status.next_escalation
        cols["next_escalation"].append(None if following is None else following.name)
        cols["next_escalation_at"].append(_us(None if following is None else following.at))

    def frame(self, zone: str, ticket_dtype: Any) -> pd.DataFrame:
        import pandas as pd

        from expectkit.frames.instants import _pandas_zone

        cols = self.lists
        out: dict[str, Any] = {}
        for name in CLOCK_COLUMNS:
            values = cols[name]
            if name in _INSTANTS:
                raw = np.asarray(values, dtype=np.int64).view("datetime64[us]")
                index = pd.DatetimeIndex(raw).tz_localize("UTC").tz_convert(_pandas_zone(zone))
                out[name] = index.array
            elif name in ("elapsed", "remaining"):
                out[name] = np.asarray(values, dtype=np.int64).view("timedelta64[us]")
            elif name == "cycle":
                out[name] = np.asarray(values, dtype=np.int64)
            elif name in ("paused", "breached"):
                out[name] = np.asarray(values, dtype=bool)
            elif name == "ticket":
                out[name] = pd.array(values, dtype=ticket_dtype)
            else:
                column = np.empty(len(values), dtype=object)
                column[:] = values
                out[name] = column
        return pd.DataFrame(out)


def _statuses(
    clock: Clock, ids: Mapping[str, object], at: datetime, latest: bool
) -> Iterator[tuple[object, MetricStatus]]:
    for ticket in clock.tickets:
        value = ids.get(ticket, ticket)
        if latest:
            found: Mapping[ClockMetric, tuple[MetricStatus, ...]] = {
                m: (s,) for m, s in clock.status(ticket, at).items()
            }
        else:
            found = clock.history(ticket, at)
        for metric in CLOCK_METRICS:
            for status in found.get(metric, ()):
                yield value, status


def _clock_pandas(
    log: pd.DataFrame, policy: Policy, at: object, warn: float, latest: bool, where: str
) -> pd.DataFrame:
    """Run the pandas path on a frame from :func:`read_event_log` (used by every back end)."""
    from expectkit.frames.event_log import _at_us as _log_us
    from expectkit.frames.event_log import _event_mappings
    from expectkit.frames.quotes import _frame_zone

    clock = Clock(policy, warn=warn)
    ids = _ids(log, where)
    _replay(clock, _event_mappings(log), where)
    columns = _Columns()
    last = int(_log_us(log).max()) if len(log) else 0
    at_us = last if at is None else _at_us(at, "at")
    when = _EPOCH + timedelta(microseconds=at_us)
    for value, status in _statuses(clock, ids, when, latest):
        columns.add(value, status)
    return columns.frame(_frame_zone([policy]), log["ticket"].dtype)


def clock_frame(
    events: Any,
    policy: Policy,
    *,
    at: datetime | None = None,
    warn: float = 0.75,
    latest: bool = False,
) -> Any:
    """Replay an event log frame and return where every metric cycle stands at `at`.

    One row per ticket × metric × cycle (only the last cycle of each metric with
    `latest`), in the order tickets first appear in the log, metrics in the clock's
    order (:data:`~expectkit.policy.CLOCK_METRICS`), cycles oldest first: exactly
    the statuses of :meth:`Clock.history <expectkit.clock.Clock.history>` (or
    :meth:`~expectkit.clock.Clock.status`) at `at`. Tickets created after `at`, and
    metrics not started by then, have no row.

    Columns (:data:`CLOCK_COLUMNS`): ``ticket`` (as in the log), ``metric``,
    ``cycle`` (from 0), ``rule`` (the rule the cycle counts under now), ``clock``
    (``business``/``calendar``), ``state``, ``started_at``, ``stopped_at``,
    ``target_at`` (the internal target after pauses), ``breach_at`` (the promise as
    told, after pauses: the due instant), ``elapsed`` and ``remaining`` (running time,
    ``timedelta64[us]``), ``paused`` and ``breached`` (the state is that), ``escalations``
    (names of the escalation points passed, a list), ``next_escalation`` and
    ``next_escalation_at``. Instants share one zone: that of the policy's schedules
    when they all share one, else UTC; ``NaT`` where the clock has None (a pause makes
    the deadline unknown, a running cycle has no stop).

    Args:
        events: The event log: a pandas DataFrame, a Polars DataFrame or an Arrow
            Table (columns in :mod:`expectkit.frames.event_log`), rows in any order.
        policy: The promise policy.
        at: The aware instant asked about; default the latest event of the log.
        warn: The clock's default at-risk share (see :class:`~expectkit.clock.Clock`).
        latest: Only the latest cycle of each metric, as :meth:`Clock.status` gives.

    Returns:
        The rows in the container of `events`: pandas, Polars or an Arrow Table.

    Raises:
        InputTypeError: `events` is not a frame or lacks a column; `at` is not an
            aware datetime; two ticket values with the same id (``1`` and ``"1"``).
        NaiveDatetimeError: ``at`` (the column or the argument) has no time zone.
        EventError: A bad event, naming its row (counted from 1) and ticket, or a
            ticket with no ``created`` event.
        PolicyError: `warn` is out of range.

    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> from expectkit import Policy
    >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 days"}}])
    >>> log = pa.table({
    ...     "ticket": [7, 7, 7],
    ...     "type": ["created", "status", "status"],
    ...     "at": pa.array([datetime(2026, 1, 5, 9, tzinfo=UTC),
    ...                     datetime(2026, 1, 5, 10, tzinfo=UTC),
    ...                     datetime(2026, 1, 6, 10, tzinfo=UTC)]),
    ...     "channel": ["web", None, None], "status": [None, "pending", "open"]})
    >>> row = clock_frame(log, policy, at=datetime(2026, 1, 7, 9, tzinfo=UTC)).to_pylist()[0]
    >>> row["ticket"], row["state"], row["elapsed"], row["breach_at"].isoformat()
    (7, 'on_track', datetime.timedelta(days=1), '2026-01-08T09:00:00+00:00')

    """
    if not isinstance(policy, Policy):
        raise InputTypeError.for_value(policy, "policy", "a Policy")
    from expectkit.frames.event_log import read_event_log
    from expectkit.frames.polars_io import like_input

    log = read_event_log(events)
    result = _clock_pandas(log, policy, at, warn, latest, "events")
    return like_input(events, result)
