"""expectkit: customer-expectation and SLA policy primitives.

Exact business time across zones, DST, holidays and overnight shifts; promised due
times; breach checks.

>>> from expectkit import Schedule
>>> Schedule.always("UTC").tz
'UTC'
"""

from importlib.metadata import PackageNotFoundError, version

# Batch (vectorized numpy / pandas / Arrow)
from expectkit import batch

# Errors
from expectkit.errors import (
    ExpectkitError,
    ExpectkitWarning,
    HorizonError,
    ImmutableError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
    PolicyError,
    ScheduleError,
    WindowParseError,
)

# Schedules
from expectkit.schedule import Holidays, Schedule

try:
    __version__ = version("expectkit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    # Errors
    "ExpectkitError",
    "ExpectkitWarning",
    "HorizonError",
    "ImmutableError",
    "InputTypeError",
    "NaiveDatetimeError",
    "OutOfRangeError",
    "PolicyError",
    "ScheduleError",
    "WindowParseError",
    # Schedules
    "Holidays",
    "Schedule",
    # Batch
    "batch",
    # Metadata
    "__version__",
]
