"""Durations and windows: ``"8 business hours"``, ``"1-3 business days"``, ``"48h"``.

The code lives in :mod:`expectkit.promises.windows`, :mod:`expectkit.time.business_days`;
this module only re-exports it, so the import path ``expectkit.windows`` stays.
"""

from expectkit.promises.windows import MAX_AMOUNT, ClockName, Duration, Window
from expectkit.time.business_days import BusinessDayMode, DurationUnit

__all__ = [
    "MAX_AMOUNT",
    "BusinessDayMode",
    "ClockName",
    "Duration",
    "DurationUnit",
    "Window",
]
