"""A seeded synthetic ticket history, for examples, tests, docs and benchmarks.

The code lives in :mod:`expectkit.analysis.history` and
:mod:`expectkit.frames.synthetic_log` (event logs); this module only re-exports it, so the
import path ``expectkit.history`` stays.
"""

from expectkit.analysis.history import (
    ARRIVALS_BY_HOUR,
    ARRIVALS_BY_WEEKDAY,
    CHANNEL_MIX,
    EXAMPLE_POLICY,
    PRIORITY_MIX,
    RESPONSES,
    Response,
    default_schedule,
    example_policy,
    synthetic_history,
)
from expectkit.frames.synthetic_log import synthetic_events

__all__ = [
    "ARRIVALS_BY_HOUR",
    "ARRIVALS_BY_WEEKDAY",
    "CHANNEL_MIX",
    "EXAMPLE_POLICY",
    "PRIORITY_MIX",
    "RESPONSES",
    "Response",
    "default_schedule",
    "example_policy",
    "synthetic_events",
    "synthetic_history",
]
