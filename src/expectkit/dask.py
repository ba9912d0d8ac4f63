"""Business time over Dask DataFrames: :mod:`expectkit.batch`, partition by partition.

The code lives in :mod:`expectkit.frames.dask` and :mod:`expectkit.frames.dask_clock`;
this module only re-exports it, so the import path ``expectkit.dask`` stays.
"""

from expectkit.frames.dask import add, between, is_open, next_close, next_open, subtract
from expectkit.frames.dask_clock import clock_frame

__all__ = [
    "add",
    "between",
    "clock_frame",
    "is_open",
    "next_close",
    "next_open",
    "subtract",
]
