"""A ticket's SLA state as a value: apply one event at a time, ask where it stands.

The code lives in :mod:`expectkit.sla.state`; this module only re-exports it, so the
import path ``expectkit.state`` stays.
"""

from expectkit.sla.state import (
    FORMAT,
    Deadline,
    IngestCounts,
    Outcome,
    TicketState,
    event_id,
    policy_version,
    to_event,
)

__all__ = [
    "FORMAT",
    "Deadline",
    "IngestCounts",
    "Outcome",
    "TicketState",
    "event_id",
    "policy_version",
    "to_event",
]
