"""From an event log to the history table of :mod:`expectkit.analysis`, column by column.

:func:`history_from_events` reads an event log frame (pandas, Polars or Arrow; columns
in :mod:`expectkit.frames.event_log`) and writes one row per ticket with the columns
:func:`~expectkit.analysis.attainment`, :func:`~expectkit.analysis.calibrate` and
:func:`~expectkit.analysis.compare` read: ``created``, ``first_reply``, ``resolved``
and the routing fields. Every step is a sort or a grouped pass over whole columns.

>>> import pandas as pd
>>> log = pd.DataFrame({
...     "ticket": ["T1", "T1", "T2", "T1"],
...     "type": ["created", "agent_reply", "created", "status"],
...     "at": pd.to_datetime(["2026-11-20 16:30", "2026-11-23 09:10", "2026-11-23 10:00",
...                           "2026-11-23 12:00"]).tz_localize("Europe/Berlin"),
...     "channel": ["email", None, "chat", None],
...     "status": [None, None, None, "solved"],
... })
>>> history = history_from_events(log)
>>> history.index.tolist()
['T1', 'T2']
>>> print(history[["created", "first_reply", "resolved"]].to_string(index=False))
                  created               first_reply                  resolved
2026-11-20 15:30:00+00:00 2026-11-23 08:10:00+00:00 2026-11-23 11:00:00+00:00
2026-11-23 09:00:00+00:00                       NaT                       NaT
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from expectkit._core.errors import EventError, InputTypeError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["HISTORY_COLUMNS", "history_from_events"]

HISTORY_COLUMNS: Final[tuple[str, ...]] = (
    "created",
    "first_reply",
    "resolved",
    "channel",
    "priority",
    "segment",
    "tags",
    "attributes",
    "customer_tz",
)
"""The columns :func:`history_from_events` writes, on an index named ``ticket``."""

_NAT: Final = np.iinfo(np.int64).min
_SOLVED: Final = frozenset({"solved", "closed"})


def _last(
    codes: NDArray[np.int64], values: NDArray[Any], keep: NDArray[np.bool_], n: int
) -> NDArray[Any]:
    """Per ticket, the value of its last kept row (rows sorted by ticket, then time)."""
    out = np.empty(n, dtype=object)
    out[:] = None
    rows = np.flatnonzero(keep)
    if len(rows):
        # The last kept row of each ticket: where the next kept row is another ticket's.
        c = codes[rows]
        last = np.r_[c[1:] != c[:-1], True]
        out[c[last]] = values[rows[last]]
    return out


def _first_instant(
    codes: NDArray[np.int64], at: NDArray[np.int64], keep: NDArray[np.bool_], n: int
) -> NDArray[np.int64]:
    out = np.full(n, _NAT, dtype=np.int64)
    rows = np.flatnonzero(keep)
    if len(rows):
        c = codes[rows]
        first = np.r_[True, c[1:] != c[:-1]]
        out[c[first]] = at[rows[first]]
    return out


def _present(values: NDArray[Any]) -> NDArray[np.bool_]:
    from expectkit.frames.event_log import _present as present

    return np.fromiter((present(v) for v in values), dtype=bool, count=len(values))


def history_from_events(events: Any, *, at: datetime | None = None) -> Any:
    """Return the history table of an event log: one row per ticket, as analysis reads it.

    For each ticket created at or before `at` (events after `at` are not seen):

    * ``created``: the instant of its ``created`` event;
    * ``first_reply``: its first public agent reply (an internal note is not a reply),
      ``NaT`` if none;
    * ``resolved``: when it was solved, if it is solved or closed at `at` — the start
      of its last solved stretch (a ``closed`` after ``solved`` keeps the solve's
      instant; a reopen or any other status ends the stretch) — else ``NaT``;
    * ``channel``, ``priority``, ``segment``, ``tags``, ``attributes``,
      ``customer_tz``: the routing fields as they stand at `at`, after every
      ``priority_changed`` and ``attributes_changed`` (the clock re-quotes a running
      metric from its start under the new rule the same way); ``tags`` as a sorted
      tuple, ``attributes`` a dict.

    Instants are ``datetime64[us, UTC]``; rows are on an index named ``ticket``, in
    the order tickets first appear in the log; ``attrs["as_of"]`` is `at`, which
    :func:`~expectkit.analysis.attainment` uses to call unanswered tickets
    ``breached`` or ``open``.

    Args:
        events: The event log: pandas, Polars or Arrow, rows in any order.
        at: The aware instant the history is taken at; default the latest event.

    Returns:
        A pandas DataFrame with :data:`HISTORY_COLUMNS`; for a Polars or Arrow log, a
        frame of that kind with ``ticket`` as its first column.

    Raises:
        EventError: A bad row (see :func:`~expectkit.batch.read_event_log`), a ticket
            with no ``created`` event or two, or an event before its ``created``.
        InputTypeError: Not a frame, a missing column, or `at` not an aware datetime.
        NaiveDatetimeError: ``at`` has no time zone.

    >>> import pandas as pd
    >>> from expectkit.analysis import attainment
    >>> from expectkit import Policy
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "4 hours"}}])
    >>> log = pd.DataFrame({
    ...     "ticket": [1, 1, 2],
    ...     "type": ["created", "agent_reply", "created"],
    ...     "at": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 12:00", "2026-01-05 09:30"],
    ...                          utc=True),
    ...     "channel": ["web", None, "web"],
    ... })
    >>> history = history_from_events(log, at=pd.Timestamp("2026-01-05 18:00", tz="UTC"))
    >>> attainment(history, policy).records["outcome"].tolist()
    ['met_target', 'breached']

    """
    import pandas as pd

    from expectkit.frames.event_log import _at_us, _attributes, _tags, read_event_log
    from expectkit.frames.event_log import _present as one
    from expectkit.frames.instants import _instant_us
    from expectkit.frames.polars_io import like_input

    log = read_event_log(events)
    instants = _at_us(log)
    if at is None:
        at_us = int(instants.max()) if len(log) else 0
        as_of = pd.Timestamp(at_us, unit="us", tz=UTC)
    else:
        if not isinstance(at, datetime):
            raise InputTypeError.for_value(at, "at", "an aware datetime")
        at_us = _instant_us(at, "at")
        as_of = pd.Timestamp(at)
    seen = instants <= at_us
    log, instants = log[seen], instants[seen]
    codes, tickets = pd.factorize(log["ticket"].to_numpy(dtype=object), sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    # By ticket and time; at one instant the ``created`` event first (as the clock counts
    # it), other ties in the log's order (lexsort is stable).
    later = log["type"].to_numpy(dtype=object) != "created"
    order = np.lexsort((later, instants, codes))
    codes, instants = codes[order], instants[order]
    types = log["type"].to_numpy(dtype=object)[order]
    n = len(tickets)

    def column(name: str) -> NDArray[Any]:
        if name not in log.columns:
            out = np.empty(len(order), dtype=object)
            out[:] = None
            return out
        values: NDArray[Any] = log[name].to_numpy(dtype=object)[order]
        return values

    created = types == "created"
    count = np.bincount(codes[created], minlength=n)
    if (count != 1).any():
        k = int(np.argmax(count != 1))
        problem = "no 'created' event" if count[k] == 0 else f"{count[k]} 'created' events"
        raise EventError(f"events: ticket {tickets[k]!r} has {problem}; it needs exactly one")
    start = np.empty(n, dtype=np.int64)
    start[codes[created]] = instants[created]
    early = instants < start[codes]
    if early.any():
        k = int(np.argmax(early))
        raise EventError(
            f"events: ticket {tickets[codes[k]]!r} has a {types[k]!r} event before its "
            "'created' event"
        )

    public = column("public")
    reply = (types == "agent_reply") & np.fromiter(
        (v is not False and v is not np.False_ for v in public), dtype=bool, count=len(public)
    )
    first_reply = _first_instant(codes, instants, reply, n)

    status = column("status")
    moves = (types == "status") | (types == "reopened")
    solved = np.fromiter((s in _SOLVED for s in status), dtype=bool, count=len(status)) & (
        types == "status"
    )
    resolved = np.full(n, _NAT, dtype=np.int64)
    rows = np.flatnonzero(moves)
    if len(rows):
        c, s = codes[rows], solved[rows]
        new_ticket = np.r_[True, c[1:] != c[:-1]]
        begins = s & (new_ticket | ~np.r_[False, s[:-1]])
        # The latest start of a solved run so far; a ticket whose last move is solved
        # began that run itself (its first solved row is a start).
        began = np.maximum.accumulate(np.where(begins, np.arange(len(rows)), -1))
        last = np.r_[c[1:] != c[:-1], True]
        done = last & s
        resolved[c[done]] = instants[rows][began[done]]

    channel_col, segment_col, tags_col = column("channel"), column("segment"), column("tags")
    changed = types == "attributes_changed"
    channel = _last(codes, channel_col, (created | changed) & _present(channel_col), n)
    segment = _last(codes, segment_col, created | (changed & _present(segment_col)), n)
    tag_values = np.empty(len(order), dtype=object)
    tag_values[:] = [_tag_tuple(_tags(v)) if one(v) else () for v in tags_col]
    tags = _last(codes, tag_values, created | (changed & _present(tags_col)), n)
    priority_col = column("priority")
    priority = _last(codes, priority_col, created | (types == "priority_changed"), n)
    zone = _last(codes, column("customer_tz"), created, n)
    attributes = _attribute_maps(codes, types, column("attributes"), n, _attributes)

    def instants_of(values: NDArray[np.int64]) -> Any:
        return pd.DatetimeIndex(values.view("datetime64[us]")).tz_localize("UTC").array

    def clean(values: NDArray[Any]) -> NDArray[Any]:
        return np.array([v if one(v) else None for v in values], dtype=object)

    index = pd.Index(tickets, name="ticket")
    if log["ticket"].dtype != object:
        index = index.astype(log["ticket"].dtype)
    frame = pd.DataFrame(
        {
            "created": instants_of(start),
            "first_reply": instants_of(first_reply),
            "resolved": instants_of(resolved),
            "channel": clean(channel),
            "priority": clean(priority),
            "segment": clean(segment),
            "tags": tags,
            "attributes": attributes,
            "customer_tz": clean(zone),
        },
        index=index,
    )
    frame.attrs["as_of"] = as_of
    if type(events).__module__.split(".", 1)[0] in ("polars", "pyarrow"):
        return like_input(events, frame.reset_index())
    return frame


def _tag_tuple(value: object) -> tuple[str, ...]:
    """Return tags as the sorted tuple of distinct names."""
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted({str(v) for v in value}))
    return () if value is None else (str(value),)


def _attribute_maps(
    codes: NDArray[np.int64], types: NDArray[Any], values: NDArray[Any], n: int, read: Any
) -> NDArray[Any]:
    """Per ticket, the attributes at the end: created's, with every change merged in."""
    from expectkit.frames.event_log import _present as present

    out = np.empty(n, dtype=object)
    for k in range(n):
        out[k] = {}
    for k in np.flatnonzero((types == "created") | (types == "attributes_changed")).tolist():
        value = values[k]
        if not present(value):
            continue
        items = read(value)
        if not isinstance(items, dict):
            continue
        merged = dict(out[codes[k]])
        for name, item in items.items():
            if item is None:
                merged.pop(name, None)
            else:
                merged[name] = item
        out[codes[k]] = merged
    return out
