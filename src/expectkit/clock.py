"""SLA clock over ticket events: cycles, pauses, escalation points and breach checks.

The code lives in :mod:`expectkit.sla.clock`, :mod:`expectkit.sla.events`,
:mod:`expectkit.sla.jsonl`, :mod:`expectkit.sla.statuses`; this module only re-exports it,
so the import path ``expectkit.clock`` stays.
"""

from expectkit.sla.clock import Clock
from expectkit.sla.events import (
    AgentReply,
    AttributesChanged,
    CustomerMessage,
    Event,
    EventType,
    PriorityChanged,
    StatusChanged,
    TicketCreated,
    TicketReopened,
)
from expectkit.sla.jsonl import EventSource, read_events, write_events
from expectkit.sla.statuses import (
    EscalationPoint,
    MetricState,
    MetricStatus,
    ReplayReport,
    RuleChange,
)

__all__ = [
    "AgentReply",
    "AttributesChanged",
    "Clock",
    "CustomerMessage",
    "EscalationPoint",
    "Event",
    "EventSource",
    "EventType",
    "MetricState",
    "MetricStatus",
    "PriorityChanged",
    "ReplayReport",
    "RuleChange",
    "StatusChanged",
    "TicketCreated",
    "TicketReopened",
    "read_events",
    "write_events",
]
