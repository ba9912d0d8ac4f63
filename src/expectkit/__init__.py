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
from expectkit._core.errors import (
    EventError,
    ExpectkitError,
    ExpectkitWarning,
    HorizonError,
    ImmutableError,
    InputTypeError,
    LocaleFallbackWarning,
    NaiveDatetimeError,
    OutOfRangeError,
    PendingTicketError,
    PolicyError,
    ScheduleError,
    WindowParseError,
)
from expectkit.promises.buffers import Buffer, Rounding
from expectkit.promises.calculator import Commitment, MetricQuote, Step, quote
from expectkit.promises.channels import Channel
from expectkit.promises.lint import Finding
from expectkit.promises.metrics import Triggers
from expectkit.promises.policy import Policy
from expectkit.promises.presets import Preset, load_preset, preset_names
from expectkit.promises.rules import Match, Request, Rule
from expectkit.promises.targets import Escalation, Target
from expectkit.promises.windows import Duration, Window
from expectkit.sla.clock import Clock
from expectkit.sla.events import (
    AgentReply,
    AttributesChanged,
    CustomerMessage,
    PriorityChanged,
    StatusChanged,
    TicketCreated,
    TicketReopened,
)
from expectkit.sla.jsonl import read_events, write_events
from expectkit.sla.state import Deadline, TicketState
from expectkit.sla.statuses import EscalationPoint, MetricStatus, ReplayReport, RuleChange
from expectkit.time.backend import backend
from expectkit.time.holidays import Holidays
from expectkit.time.schedule import Schedule

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
    "LocaleFallbackWarning",
    "NaiveDatetimeError",
    "OutOfRangeError",
    "PendingTicketError",
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
    # Live state
    "Deadline",
    "TicketState",
    # Presets
    "Preset",
    "load_preset",
    "preset_names",
    # Batch
    "batch",
    # Metadata
    "__version__",
    "backend",
]
