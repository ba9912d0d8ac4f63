"""Business time and the frame clock on Spark DataFrames.

The code lives in :mod:`expectkit.frames.spark`; this module only re-exports it, so the
import path ``expectkit.spark`` is short.
"""

from expectkit.frames.spark import (
    add,
    between,
    clock_frame,
    clock_schema,
    is_open,
    next_close,
    next_open,
    subtract,
)

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
