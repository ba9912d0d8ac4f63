"""expectkit: customer-expectation and SLA policy primitives.

Exact business time across zones, DST, holidays and overnight shifts; promise
policies that turn into customer-facing due times with an internal target; and
vectorized batch arithmetic.

>>> from expectkit import Schedule
>>> Schedule.always("UTC").tz
'UTC'
"""

from importlib.metadata import PackageNotFoundError, version

from expectkit import batch
from expectkit.buffers import Buffer, Rounding
from expectkit.calculator import Commitment, MetricQuote, Step, quote
from expectkit.channels import Channel
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
from expectkit.policy import Finding, Match, Policy, Request, Rule, Target
from expectkit.presets import Preset, load_preset, preset_names
from expectkit.schedule import Holidays, Schedule
from expectkit.windows import Duration, Window

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
    # Windows and buffers
    "Buffer",
    "Duration",
    "Rounding",
    "Window",
    # Channels
    "Channel",
    # Promises
    "Commitment",
    "Finding",
    "Match",
    "MetricQuote",
    "Policy",
    "Request",
    "Rule",
    "Step",
    "Target",
    "quote",
    # Presets
    "Preset",
    "load_preset",
    "preset_names",
    # Batch
    "batch",
    # Metadata
    "__version__",
]
