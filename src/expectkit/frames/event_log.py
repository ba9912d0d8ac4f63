"""Ticket event logs held in a dataframe: the columns read, checked column by column.

An **event log frame** has one row per ticket event, in any order:

* ``ticket`` — the ticket id (strings or whole numbers; never missing);
* ``type`` — the event type (``created``, ``customer_message``, ``agent_reply``,
  ``status``, ``priority_changed``, ``attributes_changed``, ``reopened``);
* ``at`` — the instant, a **tz-aware** datetime column (pandas ``datetime64[.., tz]``,
  Arrow ``timestamp`` with a zone, Polars ``Datetime`` with a time zone);
* each type's fields, read only on rows of that type and only when the column exists:
  ``channel``, ``priority``, ``segment``, ``tags`` (a list per row or a comma-separated
  string), ``attributes`` (a dict per row), ``customer_tz`` (``created``); ``public``
  (``agent_reply``; missing means a public reply); ``status`` (``status``);
  ``priority`` (``priority_changed``; missing clears it); ``channel``, ``segment``,
  ``tags``, ``attributes`` (``attributes_changed``; missing means unchanged); ``id``
  (any type, optional).

:func:`read_event_log` turns such a frame (pandas, Polars or Arrow) into the pandas
frame the clock functions work on, refusing what it cannot read with the row it is in.
Missing values are ``None``/``NaN``/``NaT``/null alike.

>>> import pandas as pd
>>> log = pd.DataFrame({
...     "ticket": ["T1", "T1"],
...     "type": ["created", "agent_reply"],
...     "at": pd.to_datetime(["2026-11-20 16:30", "2026-11-23 09:10"]).tz_localize("Europe/Berlin"),
...     "channel": ["email", None],
... })
>>> read_event_log(log)["at"].dt.tz
datetime.timezone.utc
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any, Final, get_args

import numpy as np

from expectkit._core.errors import EventError, InputTypeError, NaiveDatetimeError
from expectkit.sla.events import EventType

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EVENT_COLUMNS", "read_event_log"]

EVENT_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "created": ("channel", "priority", "segment", "tags", "attributes", "customer_tz"),
    "customer_message": (),
    "agent_reply": ("public",),
    "status": ("status",),
    "priority_changed": ("priority",),
    "attributes_changed": ("channel", "segment", "tags", "attributes"),
    "reopened": (),
}
"""The field columns read on rows of each event type (besides ticket, type, at, id)."""

_TYPES: Final = frozenset(get_args(EventType))
_FIELDS: Final = frozenset(c for cols in EVENT_COLUMNS.values() for c in cols) | {"id"}
_REQUIRED: Final = ("ticket", "type", "at")


def _as_pandas(frame: object, where: str) -> pd.DataFrame:
    """Return a pandas DataFrame for a pandas, Polars or Arrow frame (Arrow without copies)."""
    import pandas as pd

    module = type(frame).__module__.split(".", 1)[0]
    if isinstance(frame, pd.DataFrame):
        return frame
    if module == "polars":
        from expectkit.frames.polars_io import polars_to_pandas

        return polars_to_pandas(frame, where)
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(frame, pa.RecordBatch):
            frame = pa.Table.from_batches([frame])
        if isinstance(frame, pa.Table):
            return frame.to_pandas()
    raise InputTypeError.for_value(
        type(frame).__name__, where, "a pandas, Polars or Arrow table of events"
    )


def _instants(column: pd.Series, where: str) -> pd.Series:
    """Return the instants as a UTC ``datetime64[us, UTC]`` Series, NaT where missing."""
    import pandas as pd

    dtype = column.dtype
    if not isinstance(dtype, pd.DatetimeTZDtype):
        if pd.api.types.is_datetime64_dtype(dtype):
            raise NaiveDatetimeError(
                f"{where}: the instants are naive (no time zone); localize them first, e.g. "
                "frame['at'].dt.tz_localize('Europe/Berlin'), or read them with "
                "pd.to_datetime(..., utc=True) if they are UTC"
            )
        raise InputTypeError(
            f"{where}: expected a tz-aware datetime column, got {dtype} (strings or mixed "
            "zones?); convert with pd.to_datetime(frame['at'], utc=True)"
        )
    return column.dt.tz_convert(UTC).astype("datetime64[us, UTC]")


def _missing(values: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    import pandas as pd

    if values.dtype == object:
        return np.fromiter(
            (v is None or (isinstance(v, float) and v != v) or v is pd.NA for v in values),
            dtype=bool,
            count=len(values),
        )
    return np.asarray(values.isna(), dtype=bool)


def _row(frame: pd.DataFrame, k: int) -> str:
    label = frame.index[k]
    return f"row {k + 1} (index {label!r})"


def read_event_log(events: object, *, where: str = "events") -> pd.DataFrame:
    """Read an event log frame: check its columns and return it as pandas, ``at`` in UTC.

    The result has the columns ``ticket``, ``type``, ``at`` (``datetime64[us, UTC]``)
    and those field columns of the input that some event type reads, on the input's
    row order and a fresh ``RangeIndex``; every other column is dropped.

    Args:
        events: A pandas DataFrame, a Polars DataFrame, or an Arrow Table/RecordBatch.
        where: What to call the input in errors.

    Returns:
        A new pandas DataFrame.

    Raises:
        InputTypeError: Not a frame, a missing ``ticket``/``type``/``at`` column, or
            ``at`` is not a datetime column.
        NaiveDatetimeError: ``at`` has no time zone.
        EventError: A missing ticket, type or instant, or an unknown type, naming the
            first such row.

    >>> import pyarrow as pa
    >>> from datetime import datetime, UTC
    >>> table = pa.table({"ticket": ["A"], "type": ["created"],
    ...                   "at": pa.array([datetime(2026, 1, 5, 9, tzinfo=UTC)]),
    ...                   "channel": ["web"], "note": ["ignored"]})
    >>> read_event_log(table).columns.tolist()
    ['ticket', 'type', 'at', 'channel']
    >>> read_event_log(table.drop_columns(["at"]))
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: events: no 'at' column (the event log needs ticket, type, at)

    """
    import pandas as pd

    frame = _as_pandas(events, where)
    for name in _REQUIRED:
        if name not in frame.columns:
            raise InputTypeError(
                f"{where}: no {name!r} column (the event log needs {', '.join(_REQUIRED)})"
            )
    kept = [c for c in frame.columns if c in _FIELDS]
    out = pd.DataFrame(
        {"ticket": frame["ticket"].to_numpy(), "type": frame["type"].to_numpy()},
        index=pd.RangeIndex(len(frame)),
    )
    out["at"] = _instants(frame["at"], f"{where}['at']").array
    for name in kept:
        out[name] = frame[name].to_numpy()
    for name in _REQUIRED:
        missing = _missing(out[name])
        if missing.any():
            k = int(np.argmax(missing))
            raise EventError(f"{where}, {_row(frame, k)}: no {name} (missing value)")
    known = out["type"].isin(list(_TYPES)).to_numpy()
    if not known.all():
        k = int(np.argmax(~known))
        raise EventError(
            f"{where}, {_row(frame, k)}: unknown event type {out['type'].iloc[k]!r}; "
            f"expected one of {', '.join(sorted(_TYPES))}"
        )
    return out


def _at_us(log: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Return the ``at`` column of a read log as int64 microseconds (NaT never occurs there)."""
    import pandas as pd

    return np.asarray(pd.DatetimeIndex(log["at"]).as_unit("us").asi8, dtype=np.int64)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float):
        return value == value
    if isinstance(value, list | tuple | dict | np.ndarray):
        return True
    try:
        import pandas as pd

        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _plain(value: object) -> object:
    """Return a cell as a JSON-like Python value: numpy scalars unwrapped, arrays as lists."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _tags(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return _plain(value)


def _attributes(value: object) -> object:
    value = _plain(value)
    if isinstance(value, list):  # Arrow/Polars maps arrive as (key, value) pairs
        try:
            return dict(value)
        except (TypeError, ValueError):
            return value
    if isinstance(value, dict):
        # Polars structs fill absent keys with null: for `created` a null is no attribute.
        return value
    return value


def _event_mappings(log: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Yield one event mapping per row of a frame from :func:`read_event_log`.

    Only the fields of each row's type are given; missing values are left out (on
    ``priority_changed`` a missing priority clears it).

    >>> import pandas as pd
    >>> log = read_event_log(pd.DataFrame({
    ...     "ticket": ["A", "A"], "type": ["created", "agent_reply"],
    ...     "at": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 10:00"], utc=True),
    ...     "channel": ["web", None], "public": [None, False]}))
    >>> [sorted(m) for m in _event_mappings(log)]
    [['at', 'channel', 'ticket', 'type'], ['at', 'public', 'ticket', 'type']]
    """
    import pandas as pd

    columns = {c: log[c].to_numpy(dtype=object) for c in log.columns if c in _FIELDS}
    tickets = log["ticket"].to_numpy(dtype=object)
    types = log["type"].to_numpy(dtype=object)
    instants: Any = (
        np.asarray(pd.DatetimeIndex(log["at"]).to_pydatetime(), dtype=object) if len(log) else []
    )
    for k in range(len(log)):
        kind = types[k]
        item: dict[str, Any] = {"ticket": _ticket_id(tickets[k]), "type": kind, "at": instants[k]}
        for name in (*EVENT_COLUMNS[kind], "id"):
            values = columns.get(name)
            if values is None:
                continue
            value = values[k]
            if not _present(value):
                if name == "priority" and kind == "priority_changed":
                    item["priority"] = None
                continue
            if name == "tags":
                value = _tags(value)
            elif name == "attributes":
                value = _attributes(value)
                if kind == "created" and isinstance(value, dict):
                    value = {a: v for a, v in value.items() if v is not None}
            else:
                value = _plain(value)
            item[name] = value
        yield item


def _ticket_id(value: object) -> object:
    """Return the clock's id of a ticket: strings as they are, whole numbers written out."""
    value = _plain(value)
    if isinstance(value, bool):
        return value  # refused by the event model with the row
    if isinstance(value, int):
        return str(value)
    return value
