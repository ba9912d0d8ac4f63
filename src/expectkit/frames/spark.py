"""Business time and the frame clock on Spark DataFrames, through pandas UDFs.

* :func:`add`, :func:`subtract`, :func:`between`, :func:`is_open`, :func:`next_open`,
  :func:`next_close` answer the :mod:`expectkit.batch` operation of the same name for
  one timestamp column, with ``DataFrame.mapInPandas``: each Arrow record batch is one
  vectorized call. They return the frame with one column added (`output`).
* :func:`clock_frame` runs the frame clock per ticket with
  ``groupBy("ticket").applyInPandas``: every event of a ticket reaches one call, which
  answers as :func:`expectkit.batch.clock_frame` does. The output schema is
  :func:`clock_schema`.

Spark hands pandas its timestamps as *naive wall times in the session time zone*; only
UTC wall times turn back into instants without DST ambiguity, so every function needs
``spark.sql.session.timeZone = UTC`` and refuses another zone. Timestamps written back
are UTC instants. The schedule or policy travels to the executors pickled. Needs
``pip install "expectkit[spark]"`` (pyspark, with Java 17 or later).

The functions take the Spark DataFrame and build a lazy plan; nothing runs until an
action (``collect``, ``toPandas``, a write).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from expectkit._core.errors import InputTypeError
from expectkit.promises.policy import Policy
from expectkit.time.schedule import Schedule

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "add",
    "between",
    "clock_frame",
    "clock_schema",
    "is_open",
    "next_close",
    "next_open",
    "subtract",
]

_INSTALL: Final = 'pip install "expectkit[spark]"'
_INSTANTS: Final = ("started_at", "stopped_at", "target_at", "breach_at", "next_escalation_at")


def _check_session(frame: Any) -> None:
    try:
        from pyspark.sql import DataFrame
    except ImportError as exc:  # pragma: no cover - pyspark is in the dev environment
        raise ImportError(f"expectkit.spark needs pyspark; install it with {_INSTALL}") from exc
    if not isinstance(frame, DataFrame):
        raise InputTypeError.for_value(type(frame).__name__, "frame", "a Spark DataFrame")
    zone = frame.sparkSession.conf.get("spark.sql.session.timeZone")
    if zone != "UTC":
        raise InputTypeError(
            f"spark.sql.session.timeZone is {zone!r}; set it to 'UTC' so that timestamps "
            "reach pandas as unambiguous UTC wall times"
        )


def _aware(wall_utc: pd.Series) -> pd.Series:
    """Spark's naive UTC wall times as aware instants."""
    return wall_utc.dt.tz_localize("UTC")


def _wall(instants: Any) -> Any:
    """Aware instants as the naive UTC wall times Spark reads back."""
    return instants.dt.tz_convert("UTC").dt.tz_localize(None)


def _apply(
    schedule: Schedule,
    frame: Any,
    column: str,
    output: str,
    kind: str,
    answer: Callable[[pd.DataFrame, pd.Series], Any],
) -> Any:
    from pyspark.sql.types import (
        BooleanType,
        DayTimeIntervalType,
        StructField,
        StructType,
        TimestampType,
    )

    if not isinstance(schedule, Schedule):
        raise InputTypeError.for_value(schedule, "schedule", "a Schedule")
    _check_session(frame)
    if column not in frame.columns:
        raise InputTypeError.for_value(column, "column", f"a column of the frame ({frame.columns})")
    if output in frame.columns:
        raise InputTypeError.for_value(output, "output", "a name not yet in the frame")
    spark_type = {
        "instant": TimestampType(),
        "duration": DayTimeIntervalType(),
        "flag": BooleanType(),
    }[kind]
    schema = StructType([*frame.schema.fields, StructField(output, spark_type, True)])

    def batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for part in frames:
            result = answer(part, _aware(part[column]))
            if kind == "instant":
                result = _wall(result)
            yield part.assign(**{output: result})

    return frame.mapInPandas(batches, schema)


def _operand(frame: Any, value: object, where: str) -> Callable[[pd.DataFrame], Any]:
    """Return a duration reader: one ``timedelta`` for every row, or an interval column."""
    if isinstance(value, timedelta):
        return lambda part: value
    if isinstance(value, str) and value in frame.columns:
        return lambda part: part[value]
    raise InputTypeError.for_value(value, where, "a timedelta or the name of an interval column")


def add(
    schedule: Schedule, frame: Any, durations: timedelta | str, *, column: str, output: str
) -> Any:
    """Add business time to every instant of `column`, like :func:`expectkit.batch.add`.

    Args:
        schedule: The schedule whose open time counts.
        frame: A Spark DataFrame (session zone UTC).
        durations: One ``timedelta`` for every row, or the name of an
            ``interval day to second`` column.
        column: The timestamp column of starts.
        output: The name of the timestamp column added (the due instants).

    Returns:
        `frame` with `output` added; ``null`` where the start or duration is null.

    Raises:
        InputTypeError: Not a Spark DataFrame, a session zone other than UTC, an
            unknown column, or `output` already in the frame.
        HorizonError: At run time, a result beyond the schedule's horizon.

    >>> import pandas as pd
    >>> from expectkit import Schedule
    >>> add(Schedule.always("UTC"), pd.DataFrame(), timedelta(hours=1), column="created",
    ...     output="due")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'

    """
    from expectkit.frames import batch

    _check_session(frame)
    d = _operand(frame, durations, "durations")
    return _apply(
        schedule, frame, column, output, "instant", lambda p, x: batch.add(schedule, x, d(p))
    )


def subtract(
    schedule: Schedule, frame: Any, durations: timedelta | str, *, column: str, output: str
) -> Any:
    """Subtract business time, like :func:`expectkit.batch.subtract`; arguments as :func:`add`.

    >>> import pandas as pd
    >>> from expectkit import Schedule
    >>> subtract(Schedule.always("UTC"), pd.DataFrame(), timedelta(hours=1), column="due",
    ...          output="start")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'
    """
    from expectkit.frames import batch

    _check_session(frame)
    d = _operand(frame, durations, "durations")
    return _apply(
        schedule, frame, column, output, "instant", lambda p, x: batch.subtract(schedule, x, d(p))
    )


def between(schedule: Schedule, frame: Any, ends: str, *, column: str, output: str) -> Any:
    """Add the business time in ``[column, ends)`` as an interval column `output`.

    Like :func:`expectkit.batch.between`: negative where the end comes first, null
    where either is null.

    >>> import pandas as pd
    >>> from expectkit import Schedule
    >>> between(Schedule.always("UTC"), pd.DataFrame(), "solved", column="created", output="spent")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'
    """
    from expectkit.frames import batch

    _check_session(frame)
    if not isinstance(ends, str) or ends not in frame.columns:
        raise InputTypeError.for_value(ends, "ends", "the name of a timestamp column")
    return _apply(
        schedule,
        frame,
        column,
        output,
        "duration",
        lambda p, x: batch.between(schedule, x, _aware(p[ends])),
    )


def is_open(schedule: Schedule, frame: Any, *, column: str, output: str) -> Any:
    """Add whether each instant is open, like :func:`expectkit.batch.is_open` (null if null).

    >>> import pandas as pd
    >>> from expectkit import Schedule
    >>> is_open(Schedule.always("UTC"), pd.DataFrame(), column="created", output="in_hours")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'
    """
    from expectkit.frames import batch

    return _apply(schedule, frame, column, output, "flag", lambda p, x: batch.is_open(schedule, x))


def next_open(schedule: Schedule, frame: Any, *, column: str, output: str) -> Any:
    """Add each instant if open, else the next opening, like :func:`expectkit.batch.next_open`.

    >>> import pandas as pd
    >>> from expectkit import Schedule
    >>> next_open(Schedule.always("UTC"), pd.DataFrame(), column="created", output="opens")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'
    """
    from expectkit.frames import batch

    return _apply(
        schedule, frame, column, output, "instant", lambda p, x: batch.next_open(schedule, x)
    )


def next_close(schedule: Schedule, frame: Any, *, column: str, output: str) -> Any:
    """Add the close of the interval containing or following each instant.

    >>> import pandas as pd
    >>> from expectkit import Schedule
    >>> next_close(Schedule.always("UTC"), pd.DataFrame(), column="created", output="closes")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'
    """
    from expectkit.frames import batch

    return _apply(
        schedule, frame, column, output, "instant", lambda p, x: batch.next_close(schedule, x)
    )


def clock_schema(ticket: str = "string") -> str:
    """Return the DDL schema of :func:`clock_frame`'s rows, with `ticket` as the id's type.

    >>> clock_schema("long").split(", ")[:3]
    ['ticket long', 'metric string', 'cycle long']
    """
    fields = [
        f"ticket {ticket}",
        "metric string",
        "cycle long",
        "rule string",
        "clock string",
        "state string",
        *(f"{name} timestamp" for name in _INSTANTS[:4]),
        "elapsed interval day to second",
        "remaining interval day to second",
        "paused boolean",
        "breached boolean",
        "escalations array<string>",
        "next_escalation string",
        "next_escalation_at timestamp",
    ]
    return ", ".join(fields)


def _ticket_rows(policy: Policy, at: datetime, warn: float, latest: bool) -> Callable[..., Any]:
    def rows(events: pd.DataFrame) -> pd.DataFrame:
        from expectkit.frames.clock_frame import _clock_pandas
        from expectkit.frames.event_log import read_event_log

        events = events.assign(at=_aware(events["at"]))
        result = _clock_pandas(read_event_log(events), policy, at, warn, latest, "events")
        for name in _INSTANTS:
            result[name] = _wall(result[name])
        return result

    return rows


def clock_frame(
    frame: Any, policy: Policy, *, at: datetime, warn: float = 0.75, latest: bool = False
) -> Any:
    """Run the frame clock per ticket on a Spark DataFrame of events.

    Like :func:`expectkit.batch.clock_frame` (same rows and values, instants as UTC
    timestamps, durations as ``interval day to second``), with
    ``groupBy("ticket").applyInPandas``. `at` is required, as for Dask.

    Args:
        frame: The events (columns of :mod:`expectkit.frames.event_log`; ``at`` a
            timestamp column, ``tags`` an array or a comma-separated string,
            ``attributes`` a map).
        policy: The promise policy.
        at: The aware instant asked about.
        warn: The clock's default at-risk share.
        latest: Only the latest cycle of each metric.

    Returns:
        A Spark DataFrame with :func:`clock_schema` (``ticket`` of the input's type).

    Raises:
        InputTypeError: Not a Spark DataFrame, a session zone other than UTC, no
            ``ticket``/``type``/``at`` column, or `policy`/`at` of the wrong kind.
        NaiveDatetimeError: `at` has no time zone.
        EventError: At run time, a bad event or a ticket without ``created``.

    >>> import pandas as pd
    >>> from datetime import datetime, UTC
    >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "1 day"}}])
    >>> clock_frame(pd.DataFrame(), policy, at=datetime(2026, 1, 5, tzinfo=UTC))
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: frame: expected a Spark DataFrame, got str 'DataFrame'

    """
    from expectkit.frames.instants import _instant_us

    _check_session(frame)
    if not isinstance(policy, Policy):
        raise InputTypeError.for_value(policy, "policy", "a Policy")
    _instant_us(at, "at")
    for name in ("ticket", "type", "at"):
        if name not in frame.columns:
            raise InputTypeError(
                f"events: no {name!r} column (the event log needs ticket, type, at)"
            )
    ticket_type = frame.schema["ticket"].dataType.simpleString()
    return frame.groupBy("ticket").applyInPandas(
        _ticket_rows(policy, at, warn, latest), clock_schema(ticket_type)
    )
