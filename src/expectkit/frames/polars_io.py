"""Polars in and out of the frame functions, through Arrow.

Every :mod:`expectkit.batch` operation, :func:`~expectkit.batch.quote_frame` and the frame
clock accept Polars and answer in Polars:

* a Polars ``Series`` of ``Datetime`` with a time zone (instants) or ``Duration``
  (durations) goes to the Arrow path as ``Series.to_arrow()`` — Arrow shares Polars'
  buffers, so no values are copied — and the Arrow answer comes back with
  ``pl.from_arrow`` under the input's name; nulls propagate as null (a missing instant
  gives a null answer, :func:`~expectkit.batch.is_open` a null flag);
* a Polars ``DataFrame`` is handed to pandas through Arrow (``DataFrame.to_pandas()``),
  and the pandas answer comes back with ``pl.from_pandas``. A naive ``Datetime``
  column is refused like a naive pandas one.

Polars is imported only when a Polars value comes; nothing here needs it installed.
(One code path over pandas and Polars through a compatibility layer such as narwhals
was considered; Arrow is already the way both libraries exchange columns, and keeps
expectkit's numpy kernels the only implementation.)

>>> import polars as pl
>>> from datetime import datetime, timedelta, UTC
>>> from expectkit import Schedule, batch
>>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
>>> created = pl.Series("created", [datetime(2026, 11, 20, 15, 30), None],
...                     dtype=pl.Datetime("us", "UTC"))
>>> batch.add(s, created, timedelta(hours=1)).to_list()
[datetime.datetime(2026, 11, 23, 9, 30, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin')), None]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from expectkit._core.errors import InputTypeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["is_polars", "like_input", "polars_to_pandas"]


def is_polars(value: object) -> bool:
    """Tell whether `value` is a Polars object (without importing Polars).

    >>> is_polars([1, 2]), is_polars(__import__("polars").Series([1]))
    (False, True)
    """
    return type(value).__module__.split(".", 1)[0] == "polars"


def polars_to_pandas(frame: Any, where: str) -> pd.DataFrame:
    """Return a Polars DataFrame (or LazyFrame, collected) as pandas, through Arrow.

    Raises:
        InputTypeError: Not a Polars DataFrame or LazyFrame.

    >>> import polars as pl
    >>> polars_to_pandas(pl.DataFrame({"a": [1, None]}), "frame")["a"].tolist()
    [1.0, nan]

    """
    import polars as pl

    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if not isinstance(frame, pl.DataFrame):
        raise InputTypeError.for_value(type(frame).__name__, where, "a Polars DataFrame")
    return frame.to_pandas()


def like_input(original: object, result: pd.DataFrame) -> Any:
    """Return a pandas result in the kind of frame `original` is: Polars, Arrow or pandas.

    >>> import pandas as pd, pyarrow as pa
    >>> type(like_input(pa.table({"a": [1]}), pd.DataFrame({"b": [2]}))).__name__
    'Table'
    """
    module = type(original).__module__.split(".", 1)[0]
    if module == "polars":
        import polars as pl

        return pl.from_pandas(result)
    if module == "pyarrow":
        import pyarrow as pa

        return pa.Table.from_pandas(result, preserve_index=False)
    return result


def _series_to_arrow(values: Any) -> Any:
    """Return a Polars Series as an Arrow array sharing its buffers; anything else as it is."""
    import polars as pl

    if isinstance(values, pl.Series):
        return values.to_arrow()
    return values


def _from_arrow(result: Any, like: Any) -> Any:
    """Return an Arrow answer as a Polars Series named like `like`."""
    import polars as pl

    return pl.from_arrow(result).alias(like.name)  # type: ignore[union-attr]


def _check_zone(values: Any, where: str) -> None:
    import polars as pl

    from expectkit._core.errors import NaiveDatetimeError

    dtype = getattr(values, "dtype", None)
    if isinstance(values, pl.Series) and isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        raise NaiveDatetimeError(
            f"{where}: the Polars datetimes are naive (no time zone); set one first, "
            "e.g. series.dt.replace_time_zone('Europe/Berlin')"
        )


def _call(fn: Any, schedule: Any, first: Any, *rest: Any, names: tuple[str, ...]) -> Any:
    """Answer ``fn(schedule, first, *rest)`` for Polars Series through the Arrow path."""
    import polars as pl

    if not isinstance(first, pl.Series):
        raise InputTypeError.for_value(type(first).__name__, names[0], "a Polars Series")
    for value, where in zip((first, *rest), names, strict=False):
        _check_zone(value, where)
    args = [_series_to_arrow(v) for v in (first, *rest)]
    return _from_arrow(fn(schedule, *args), first)
