"""Babel, which the text layer needs, with an install hint when the extra is missing."""

from __future__ import annotations

try:
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.dates import (
        format_date,
        format_datetime,
        format_time,
        format_timedelta,
        get_day_names,
        get_timezone_gmt,
    )
    from babel.dates import get_timezone_name as _babel_zone_name
    from babel.numbers import format_decimal
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    msg = "expectkit.text needs Babel: pip install 'expectkit[text]'"
    raise ImportError(msg) from exc

__all__ = [
    "Locale",
    "UnknownLocaleError",
    "_babel_zone_name",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_time",
    "format_timedelta",
    "get_day_names",
    "get_global",
    "get_timezone_gmt",
]
