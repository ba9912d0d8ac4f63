"""Ticket events: what happened to a ticket and when, as frozen models."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated, Final, Literal, TypeAlias, get_args

from pydantic import (
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from expectkit._core.base import FrozenModel, describe_validation_error
from expectkit._core.errors import (
    EventError,
    ExpectkitError,
    NaiveDatetimeError,
)
from expectkit._core.input import AwareInstant
from expectkit.promises.metrics import Scalar, TicketStatus
from expectkit.promises.rules import Request, _customer_zone

__all__ = [
    "AgentReply",
    "AttributesChanged",
    "CustomerMessage",
    "Event",
    "EventType",
    "PriorityChanged",
    "StatusChanged",
    "TicketCreated",
    "TicketReopened",
]

EventType = Literal[
    "created",
    "customer_message",
    "agent_reply",
    "status",
    "priority_changed",
    "attributes_changed",
    "reopened",
]
"""The ``type`` of a ticket event."""


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


_US: Final = timedelta(microseconds=1)


def _us(t: datetime) -> int:
    return (t - _EPOCH) // _US


def _instant(us: int, zone: tzinfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


# Instants the clock accepts, so every local year is 1900-2199.
_FIRST_US: Final = (datetime(1900, 1, 2, tzinfo=UTC) - _EPOCH) // _US
_LAST_US: Final = (datetime(2199, 12, 31, tzinfo=UTC) - _EPOCH) // _US


def _check_year(at_us: int, ticket: str, source: str | None, line: int | None) -> None:
    """Refuse an instant whose local year could fall outside 1900-2199, naming the line."""
    if not _FIRST_US <= at_us <= _LAST_US:
        shown = _instant(at_us, UTC).isoformat()
        problem = f"at: {shown} is outside the supported years (1900-01-02 to 2199-12-31 UTC)"
        raise EventError.at(source, line, ticket, problem)


def _naive(exc: ValidationError) -> str | None:
    """Describe a naive ``at`` the way the rest of expectkit does, if that is the error."""
    for err in exc.errors(include_url=False):
        if err["type"] == "timezone_aware":
            shown = repr(err.get("input")).removeprefix("datetime.")
            return f"at: {shown} is naive (no UTC offset); write e.g. '2026-11-23T10:00:00+01:00'"
    return None


class _EventBase(FrozenModel):
    """Fields every ticket event has: the ticket id and an aware instant."""

    _error = EventError

    type: str
    ticket: str = Field(min_length=1)
    at: AwareInstant
    # An optional event id, kept by the store; the fold ignores it.
    id: str | None = Field(default=None, min_length=1, max_length=200)

    @classmethod
    def _convert(cls, exc: ValidationError) -> ExpectkitError:
        naive = _naive(exc)
        if naive is not None:
            return NaiveDatetimeError(f"{cls.__name__}: {naive}")
        message, _ = describe_validation_error(exc)
        return EventError(f"{cls.__name__}: {message}")

    def to_json(self) -> str:
        """Return the event as one JSON line: ticket, type and instant first, defaults left out.

        >>> CustomerMessage(ticket="T1", at="2026-11-23T10:00:00+01:00").to_json()
        '{"ticket": "T1", "type": "customer_message", "at": "2026-11-23T10:00:00+01:00"}'
        """
        data = self.model_dump(mode="json", exclude_defaults=True)
        head = {"ticket": data.pop("ticket"), "type": self.type, "at": data.pop("at")}
        data.pop("type", None)
        return json.dumps({**head, **data}, ensure_ascii=False)


class TicketCreated(_EventBase):
    """A ticket was opened: the request its promises are quoted for.

    The routing fields are those of :class:`~expectkit.policy.Request`; the ticket's
    status starts as ``new``.

    Raises:
        EventError: A missing or bad field.
        NaiveDatetimeError: ``at`` has no UTC offset.

    >>> e = TicketCreated(ticket="T1", at="2026-11-20T16:30:00+01:00", channel="email")
    >>> e.type, e.request().channel
    ('created', 'email')

    """

    type: Literal["created"] = "created"
    channel: str = Field(min_length=1)
    priority: str | None = None
    segment: str | None = None
    tags: tuple[str, ...] = ()
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    customer_tz: str | None = None

    @field_validator("customer_tz", mode="before")
    @classmethod
    def _zone(cls, value: object) -> object:
        return _customer_zone(value, EventError)

    def request(self) -> Request:
        """Return the request this ticket is quoted as.

        >>> TicketCreated(ticket="T1", at="2026-01-05T09:00:00Z", channel="chat",
        ...               tags=["vip", "vip"]).request().tags
        ('vip',)
        """
        return Request(
            channel=self.channel,
            priority=self.priority,
            segment=self.segment,
            tags=self.tags,
            attributes=self.attributes,
            customer_tz=self.customer_tz,
        )


class CustomerMessage(_EventBase):
    """The customer wrote (a new message on an existing ticket).

    After a public agent reply it starts a ``next_response`` cycle.

    >>> CustomerMessage(ticket="T1", at="2026-11-23T10:00:00+01:00").type
    'customer_message'
    """

    type: Literal["customer_message"] = "customer_message"


class AgentReply(_EventBase):
    """An agent wrote: a public reply to the customer, or an internal note.

    Only public replies stop response metrics; an internal note (``public: false``)
    stops nothing unless a rule says ``stop_on: agent_note``.

    >>> AgentReply(ticket="T1", at="2026-11-23T10:00:00+01:00", public=False).public
    False
    """

    type: Literal["agent_reply"] = "agent_reply"
    public: bool = True


class StatusChanged(_EventBase):
    """The ticket's status changed.

    The status is one of ``new``, ``open``, ``pending``, ``on_hold``, ``solved``,
    ``closed``.

    >>> StatusChanged(ticket="T1", at="2026-11-23T10:00:00+01:00", status="pending").status
    'pending'
    """

    type: Literal["status"] = "status"
    status: TicketStatus


class PriorityChanged(_EventBase):
    """The ticket's priority changed (None clears it); the rule is matched again.

    >>> PriorityChanged(ticket="T1", at="2026-11-23T10:00:00+01:00", priority="urgent").priority
    'urgent'
    """

    type: Literal["priority_changed"] = "priority_changed"
    priority: str | None


class AttributesChanged(_EventBase):
    """Routing fields changed; the rule is matched again.

    Given ``channel``, ``segment`` and ``tags`` replace the ticket's; ``attributes``
    are merged in, a ``null`` value removing the attribute.

    Raises:
        EventError: No field is given.

    >>> AttributesChanged(ticket="T1", at="2026-11-23T10:00:00+01:00",
    ...                   tags=["complaint"]).tags
    ('complaint',)

    """

    type: Literal["attributes_changed"] = "attributes_changed"
    channel: str | None = Field(default=None, min_length=1)
    segment: str | None = None
    tags: tuple[str, ...] | None = None
    attributes: dict[str, Scalar | None] | None = None

    @model_validator(mode="after")
    def _something(self) -> AttributesChanged:
        if (
            self.channel is None
            and self.segment is None
            and self.tags is None
            and self.attributes is None
        ):
            msg = "give at least one of 'channel', 'segment', 'tags', 'attributes'"
            raise EventError(msg)
        return self


class TicketReopened(_EventBase):
    """A solved or closed ticket was reopened: its status becomes ``open``.

    >>> TicketReopened(ticket="T1", at="2026-11-30T09:00:00+01:00").type
    'reopened'
    """

    type: Literal["reopened"] = "reopened"


Event: TypeAlias = Annotated[
    TicketCreated
    | CustomerMessage
    | AgentReply
    | StatusChanged
    | PriorityChanged
    | AttributesChanged
    | TicketReopened,
    Field(discriminator="type"),
]
"""Any ticket event, told apart by its ``type``."""


_ADAPTER: Final[TypeAdapter[Event]] = TypeAdapter(Event)


_TYPES: Final[tuple[str, ...]] = get_args(EventType)
