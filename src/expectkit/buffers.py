"""Buffers and rounding: under-promise, over-deliver.

The code lives in :mod:`expectkit.promises.buffers`; this module only re-exports it, so the
import path ``expectkit.buffers`` stays.
"""

from expectkit.promises.buffers import Buffer, BufferKind, RatioLike, Rounding, RoundingKind

__all__ = [
    "Buffer",
    "BufferKind",
    "RatioLike",
    "Rounding",
    "RoundingKind",
]
