"""The metrics a target promises, the ticket statuses and the triggers that run their clocks."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import (
    Final,
    Literal,
    NamedTuple,
    get_args,
)

__all__ = [
    "CLOCK_METRICS",
    "DEFAULT_TRIGGERS",
    "METRICS",
    "ClockMetric",
    "Metric",
    "TicketStatus",
    "Trigger",
    "Triggers",
    "UnknownValues",
]

Metric = Literal["first_response", "next_response", "resolution", "periodic_update", "follow_up"]
"""The promises a rule can carry, one :class:`Target` each."""


METRICS: Final[tuple[Metric, ...]] = get_args(Metric)
"""Every metric name, in the order rules list them."""


ClockMetric = Literal[
    "first_response",
    "next_response",
    "resolution",
    "periodic_update",
    "follow_up",
    "requester_wait",
    "agent_work",
]
"""What the SLA clock tracks: the quoted metrics plus the two time budgets.

``requester_wait`` (the time the customer waits, not counting ``pending``) and
``agent_work`` (the time the ticket is workable, not counting ``pending`` or
``on_hold``) are budgets accumulated over a ticket's life; :func:`quote` does not
quote them, the clock does.
"""


CLOCK_METRICS: Final[tuple[ClockMetric, ...]] = get_args(ClockMetric)
"""Every metric the clock tracks, in the order rules list them."""


TicketStatus = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
"""A ticket's status, as ticket events set it."""


Trigger = Literal[
    "created",
    "customer_message",
    "agent_reply",
    "agent_note",
    "reopened",
    "new",
    "open",
    "pending",
    "on_hold",
    "solved",
    "closed",
]
"""What starts or stops a metric: an event, or the ticket entering a status.

``agent_reply`` is a public reply, ``agent_note`` an internal one; a status name
fires when the ticket's status changes to it.
"""


_STATUSES: Final[frozenset[str]] = frozenset(get_args(TicketStatus))


Direction = Literal["after", "before"]
"""Whether a promise falls ``after`` the quoted instant or is a lead time ``before`` it."""


Scalar = str | int | float | bool
"""A custom attribute value: matched by equality."""


class Triggers(NamedTuple):
    """What starts, stops and pauses one metric on the clock.

    >>> DEFAULT_TRIGGERS["resolution"].pause_on
    ('pending', 'on_hold')
    """

    start_on: tuple[Trigger, ...]
    stop_on: tuple[Trigger, ...]
    pause_on: tuple[TicketStatus, ...]


DEFAULT_TRIGGERS: Final[Mapping[ClockMetric, Triggers]] = MappingProxyType(
    {
        "first_response": Triggers(("created",), ("agent_reply",), ()),
        "next_response": Triggers(("customer_message",), ("agent_reply",), ()),
        "resolution": Triggers(("created",), ("solved", "closed"), ("pending", "on_hold")),
        "periodic_update": Triggers(("agent_reply",), ("solved", "closed"), ()),
        "follow_up": Triggers(("solved",), ("agent_reply",), ()),
        "requester_wait": Triggers(("created",), ("solved", "closed"), ("pending",)),
        "agent_work": Triggers(("created",), ("solved", "closed"), ("pending", "on_hold")),
    }
)
"""Each metric's start, stop and pause conditions unless its target overrides them.

* ``first_response``: from ``created`` to the first public reply;
* ``next_response``: from a customer message after a public reply to the next one;
* ``resolution``, ``requester_wait``, ``agent_work``: from ``created`` while the
  ticket is not solved or closed (a reopen resumes them), paused in the listed statuses;
* ``periodic_update``: from each public reply to the next, until solved or closed;
* ``follow_up``: from ``solved`` to the next public reply.

>>> DEFAULT_TRIGGERS["follow_up"].start_on
('solved',)
"""


_CUMULATIVE: Final[frozenset[str]] = frozenset({"resolution", "requester_wait", "agent_work"})


UnknownValues = Literal["refuse", "allow"]
"""What a policy does with a priority or segment it does not know: refuse it, or allow it."""

# Triggers the clock can never act on for a metric, with the reason. A next_response
# cycle starts only after a public reply, and 'created' always comes before any.
_NEVER_FIRES: Final[Mapping[tuple[str, str], Mapping[str, str]]] = MappingProxyType(
    {
        ("next_response", "start_on"): {
            "created": (
                "start next_response: a next_response cycle starts at a customer message "
                "after a public agent reply, and 'created' comes before any reply; the "
                "wait for the first reply is first_response (use start_on: customer_message)"
            ),
        },
    }
)


def _dead_triggers(metric: str, target: object) -> list[tuple[str, str, str]]:
    """Return (setting, trigger, reason) for each trigger `target` sets that cannot fire."""
    found: list[tuple[str, str, str]] = []
    for setting in ("start_on", "stop_on", "pause_on"):
        dead = _NEVER_FIRES.get((metric, setting), {})
        for trigger in getattr(target, setting, None) or ():
            if trigger in dead:
                found.append((setting, trigger, dead[trigger]))
    return found
