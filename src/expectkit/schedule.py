"""Business hours in one time zone, and exact business-time arithmetic over them.

The code lives in :mod:`expectkit.time.holidays`, :mod:`expectkit.time.schedule`; this
module only re-exports it, so the import path ``expectkit.schedule`` stays.
"""

from expectkit.time.holidays import Holidays
from expectkit.time.schedule import Schedule

__all__ = [
    "Holidays",
    "Schedule",
]
