"""Instants out of pandas, compared as instants whatever the pandas version.

pandas 2 gets DST folds wrong at the boundary with ``datetime``: a ``Timestamp`` in a
fold compares with an aware ``datetime`` by wall time, and ``to_pydatetime()`` of a
``Timestamp`` in a zone may drop ``fold``. Going through UTC, which has no folds, keeps
every comparison about the instant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd


def instant(value: Any) -> Any:
    """Return an aware datetime or Timestamp as a ``datetime`` in UTC; other values as given."""
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").to_pydatetime()
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def optional_pydatetime(value: Any) -> datetime | None:
    """Return a pandas instant as an aware ``datetime`` in UTC; ``None`` for a missing one."""
    return None if pd.isna(value) else pydatetime(value)


def pydatetime(value: Any) -> datetime:
    """Return a pandas instant as an aware ``datetime`` in UTC."""
    result: datetime = pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    return result
