"""Exceptions and warnings raised by expectkit.

The code lives in :mod:`expectkit._core.errors`; this module only re-exports it, so the
import path ``expectkit.errors`` stays.
"""

# ruff: noqa: F405 - __all__ names what the star import brings
from expectkit._core.errors import *  # noqa: F403 - the error tree, nothing more

__all__ = [  # in the order of the tree
    "ExpectkitError",
    "ScheduleError",
    "NaiveDatetimeError",
    "InputTypeError",
    "ImmutableError",
    "OutOfRangeError",
    "HorizonError",
    "WindowParseError",
    "PolicyError",
    "EventError",
    "PendingTicketError",
    "ImportFormatError",
    "ServiceError",
    "ExpectkitWarning",
    "LocaleFallbackWarning",
]
