"""Instants as int64 UTC microseconds, the unit every vectorized quote works in.

``NaT`` is the int64 minimum. Conversions to and from datetimes, numpy and pandas
columns, and the few scalar fallbacks, applied once per distinct instant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from expectkit._core.errors import InputTypeError
from expectkit.frames import batch

if TYPE_CHECKING:
    from numpy.typing import NDArray


_NAT: Final = np.iinfo(np.int64).min
_US: Final = 1_000_000
_DAY_US: Final = 86_400 * _US
_FIXED_US: Final[Mapping[str, int]] = {"seconds": _US, "minutes": 60 * _US, "hours": 3600 * _US}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_SAFE: Final = 1 << 62


def _from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _to_us(value: datetime) -> int:
    return (value - _EPOCH) // _ONE_US


def _dt64(x: NDArray[np.int64]) -> NDArray[np.datetime64]:
    return x.view("datetime64[us]")


def _ints(values: Any) -> NDArray[np.int64]:
    """Return a numpy datetime64/timedelta64 result as int64 microseconds."""
    array = np.asarray(values)
    unit = "datetime64[us]" if array.dtype.kind == "M" else "timedelta64[us]"
    return array.astype(unit).view(np.int64)


def _column_us(history: pd.DataFrame, name: str) -> NDArray[np.int64]:
    if name not in history.columns:
        raise InputTypeError.for_value(name, "history", f"a column {name!r} of tz-aware timestamps")
    values, _ = batch._instants(history[name], f"history[{name!r}]")
    return np.ascontiguousarray(values)


def _instant_us(value: datetime, where: str) -> int:
    if not isinstance(value, datetime):
        raise InputTypeError.for_value(value, where, "an aware datetime")
    if value.utcoffset() is None:
        from expectkit._core.errors import NaiveDatetimeError

        raise NaiveDatetimeError.for_value(value, where)
    return _to_us(value)


def _each(x: NDArray[np.int64], fn: Callable[[datetime], datetime]) -> NDArray[np.int64]:
    """Apply a scalar function once per distinct instant (the rare, exotic paths)."""
    if not len(x):
        return x.copy()
    distinct, inverse = np.unique(x, return_inverse=True)
    answers = np.fromiter(
        (_to_us(fn(_from_us(int(v)))) for v in distinct), dtype=np.int64, count=len(distinct)
    )
    return answers[inverse.reshape(-1)]


def _pandas_zone(tz: str) -> ZoneInfo:
    # A zone object, never its name: pandas 2 reads a name with pytz when pytz is
    # installed, whose offsets differ from tzdata's before 1900-ish LMT and after 2037.
    return ZoneInfo(tz)


def _wall_us(x: NDArray[np.int64], tz: str) -> NDArray[np.int64]:
    """Local wall-clock time of UTC instants, as microseconds since the naive epoch."""
    index = pd.DatetimeIndex(_dt64(x)).tz_localize("UTC").tz_convert(_pandas_zone(tz))
    index = index.tz_localize(None)
    return np.asarray(index.as_unit("us").asi8, dtype=np.int64)
