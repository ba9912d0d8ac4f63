"""Vectorized business time over arrays: numpy, pandas and Arrow.

The code lives in :mod:`expectkit.frames.batch`, :mod:`expectkit.frames.quote_frame`,
:mod:`expectkit.frames.clock_frame`, :mod:`expectkit.frames.event_log` and
:mod:`expectkit.frames.event_history`; this
module only re-exports it, so the import path ``expectkit.batch`` stays.

>>> from datetime import timedelta
>>> import numpy as np
>>> from expectkit import Schedule
>>> s = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]})
>>> starts = np.array(["2026-11-20T16:30", "2026-11-21T12:00", "NaT"], dtype="datetime64[us]")
>>> add(s, starts, timedelta(hours=1))
array(['2026-11-23T09:30:00.000000', '2026-11-23T10:00:00.000000',
                              'NaT'], dtype='datetime64[us]')
"""

from expectkit.frames.batch import add, between, is_open, next_close, next_open, subtract
from expectkit.frames.clock_frame import CLOCK_COLUMNS, clock_frame
from expectkit.frames.event_history import HISTORY_COLUMNS, history_from_events
from expectkit.frames.event_log import EVENT_COLUMNS, read_event_log
from expectkit.frames.quote_frame import quote_frame

__all__ = [
    "CLOCK_COLUMNS",
    "EVENT_COLUMNS",
    "HISTORY_COLUMNS",
    "add",
    "between",
    "clock_frame",
    "history_from_events",
    "is_open",
    "next_close",
    "next_open",
    "quote_frame",
    "read_event_log",
    "subtract",
]
