"""expectkit: customer-expectation and SLA policy primitives.

Exact business time across zones, DST, holidays and overnight shifts; promise
policies that turn into customer-facing due times with an internal target; and
breach checks over ticket events; vectorized batch arithmetic.

>>> from expectkit import Schedule
>>> Schedule.always("UTC").tz
'UTC'
"""

from importlib.metadata import PackageNotFoundError, version

from expectkit import batch
from expectkit.buffers import Buffer, Rounding
from expectkit.calculator import Commitment, MetricQuote, Step, quote
from expectkit.channels import Channel
from expectkit.clock import (
    AgentReply,
    AttributesChanged,
    Clock,
    CustomerMessage,
    EscalationPoint,
    MetricStatus,
    PriorityChanged,
    ReplayReport,
    RuleChange,
    StatusChanged,
    TicketCreated,
    TicketReopened,
    read_events,
    write_events,
)
from expectkit.errors import (
    EventError,
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
from expectkit.policy import Escalation, Finding, Match, Policy, Request, Rule, Target, Triggers
from expectkit.presets import Preset, load_preset, preset_names
from expectkit.schedule import Holidays, Schedule
from expectkit.windows import Duration, Window

try:
    __version__ = version("expectkit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    # Errors
    "EventError",
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
    "Escalation",
    "Finding",
    "Match",
    "MetricQuote",
    "Policy",
    "Request",
    "Rule",
    "Step",
    "Target",
    "Triggers",
    "quote",
    # Clock
    "AgentReply",
    "AttributesChanged",
    "Clock",
    "CustomerMessage",
    "EscalationPoint",
    "MetricStatus",
    "PriorityChanged",
    "ReplayReport",
    "RuleChange",
    "StatusChanged",
    "TicketCreated",
    "TicketReopened",
    "read_events",
    "write_events",
    # Presets
    "Preset",
    "load_preset",
    "preset_names",
    # Batch
    "batch",
    # Metadata
    "__version__",
]
