"""SLA clock over ticket events: cycles, pauses, escalation points and breach checks.

:class:`Clock` replays ticket events — :class:`TicketCreated`, :class:`CustomerMessage`,
:class:`AgentReply`, :class:`StatusChanged`, :class:`PriorityChanged`,
:class:`AttributesChanged` and :class:`TicketReopened`, read from JSON Lines with
:func:`read_events` — and answers, for any instant, where each metric of the
ticket's rule stands (:class:`MetricStatus`):

* running: ``on_track``, ``at_risk`` (the running time reached the warn share of
  the time to the target), ``target_missed`` (past the internal target, the promise
  still kept), ``breached`` (past the promise); ``paused`` while a pausing status
  lasts;
* stopped: ``met_target``, ``met_promise`` or ``breached``.

Deadlines are inclusive: a stop at or before a deadline meets it, and a status
asked exactly at the due instant is not past it. A pause moves every deadline not
yet passed later by the running time the pause took; while a pause lasts the
deadlines are unknown. Each metric counts on its rule's clock: business time on the
schedule it was quoted on, or real time on the calendar clock. Instants come back
in that schedule's zone.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from expectkit.policy import Policy
>>> policy = Policy.loads('''
... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
... channels: {email: {kind: email, schedule: berlin}}
... rules:
...   - name: email
...     first_response: {promise: "1-3 business days", target: "1 business day"}
... ''')
>>> clock = Clock(policy)
>>> report = clock.replay([
...     '{"ticket": "T1", "type": "created", "at": "2026-11-20T16:30:00+01:00", '
...     '"channel": "email"}',
... ])
>>> berlin = ZoneInfo("Europe/Berlin")
>>> fr = clock.status("T1", at=datetime(2026, 11, 23, 16, 0, tzinfo=berlin))["first_response"]
>>> fr.state, fr.elapsed, fr.target_at.isoformat()
('at_risk', datetime.timedelta(seconds=27000), '2026-11-23T17:00:00+01:00')
"""

from __future__ import annotations

import json
import os
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import IO, Annotated, Any, Final, Literal, NamedTuple, TypeAlias, cast, get_args
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from expectkit._base import FrozenModel, describe_validation_error
from expectkit.calculator import MetricQuote, quote
from expectkit.errors import (
    EventError,
    ExpectkitError,
    InputTypeError,
    NaiveDatetimeError,
    PolicyError,
)
from expectkit.policy import (
    CLOCK_METRICS,
    DEFAULT_TRIGGERS,
    ClockMetric,
    Policy,
    Request,
    Rule,
    Scalar,
    Target,
    TicketStatus,
    _customer_zone,
)
from expectkit.schedule import Schedule

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

MetricState = Literal[
    "on_track", "at_risk", "target_missed", "breached", "paused", "met_target", "met_promise"
]
"""Where a metric stands: five running states (``breached`` also when stopped late)
and two stopped ones."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)


def _us(t: datetime) -> int:
    return (t - _EPOCH) // _US


def _instant(us: int, zone: tzinfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


# -- events -------------------------------------------------------------------


class _EventBase(FrozenModel):
    """Fields every ticket event has: the ticket id and an aware instant."""

    _error = EventError

    type: str
    ticket: str = Field(min_length=1)
    at: AwareDatetime

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

EventSource: TypeAlias = (
    str | os.PathLike[str] | Iterable[str | bytes | Mapping[str, Any] | _EventBase]
)
"""Where events come from: a JSON Lines file, or an iterable of JSON lines, mappings
or event models (a generator is read once, lazily)."""

_ADAPTER: Final[TypeAdapter[Event]] = TypeAdapter(Event)
_TYPES: Final[tuple[str, ...]] = get_args(EventType)


def _naive(exc: ValidationError) -> str | None:
    """Describe a naive ``at`` the way the rest of expectkit does, if that is the error."""
    for err in exc.errors(include_url=False):
        if err["type"] == "timezone_aware":
            shown = repr(err.get("input")).removeprefix("datetime.")
            return f"at: {shown} is naive (no UTC offset); write e.g. '2026-11-23T10:00:00+01:00'"
    return None


def _convert(exc: ValidationError, raw: object, source: str | None, line: int) -> ExpectkitError:
    ticket = _raw_ticket(raw)
    naive = _naive(exc)
    if naive is not None:
        return NaiveDatetimeError(EventError.at(source, line, ticket, naive).args[0])
    errors = exc.errors(include_url=False)
    first = errors[0] if errors else None
    kind = first["type"] if first is not None else ""
    expected = ", ".join(repr(t) for t in _TYPES)
    if kind == "json_invalid":
        problem = f"invalid JSON: {first['msg'] if first else exc}"
    elif kind == "union_tag_invalid":
        tag = (first.get("ctx") or {}).get("tag") if first else None
        problem = f"unknown event type {tag!r} (expected one of {expected})"
    elif kind == "union_tag_not_found":
        problem = f"the event has no 'type' (expected one of {expected})"
    elif kind == "model_attributes_type" or kind == "dict_type":
        problem = "an event is a JSON object with 'ticket', 'type' and 'at'"
    else:
        problem = describe_validation_error(exc)[0]
    return EventError.at(source, line, ticket, problem)


def _raw_ticket(raw: object) -> object:
    data: object = raw
    if isinstance(raw, str | bytes | bytearray):
        try:
            data = json.loads(raw)
        except ValueError:
            return None
    if isinstance(data, Mapping):
        ticket = data.get("ticket")
        return ticket.strip() if isinstance(ticket, str) else ticket
    return None


class _Reader:
    """Numbered raw items from an event source; counts the blank lines it skips."""

    def __init__(self, source: EventSource) -> None:
        self.blank = 0
        self.source: str | None = None
        self._items: Iterable[object]
        if isinstance(source, str | os.PathLike):
            self.source = os.fspath(source)
            self._items = self._lines(Path(source))
        elif isinstance(source, Iterable) and not isinstance(source, bytes | Mapping):
            self._items = source
        else:
            raise InputTypeError.for_value(
                source, "events", "a path, or an iterable of JSON lines, mappings or events"
            )

    def _lines(self, path: Path) -> Iterator[str]:
        try:
            handle = path.open(encoding="utf-8-sig")
        except OSError as exc:
            msg = f"cannot read the events file: {exc.strerror or exc}"
            raise EventError.at(str(path), None, None, msg) from exc
        with handle:
            try:
                yield from handle
            except UnicodeDecodeError as exc:
                msg = f"the file is not UTF-8 text ({exc.reason})"
                raise EventError.at(str(path), None, None, msg) from exc

    def __iter__(self) -> Iterator[tuple[int, object]]:
        for line, item in enumerate(self._items, start=1):
            if isinstance(item, str | bytes | bytearray) and (not item or item.isspace()):
                self.blank += 1
                continue
            yield line, item

    def event(self, line: int, item: object) -> Event:
        if isinstance(item, _EventBase):
            return cast("Event", item)
        try:
            if isinstance(item, str | bytes | bytearray):
                return _ADAPTER.validate_json(item)
            if isinstance(item, Mapping):
                return _ADAPTER.validate_python(item if isinstance(item, dict) else dict(item))
        except ValidationError as exc:
            raise _convert(exc, item, self.source, line) from exc
        problem = (
            f"expected a JSON line, a mapping or an event model, got {type(item).__name__} {item!r}"
        )
        raise EventError.at(self.source, line, None, problem)


def read_events(source: EventSource) -> Iterator[Event]:
    """Read ticket events from a JSON Lines file or an iterable, validating each.

    `source` is a path (``str`` or ``os.PathLike``) to a UTF-8 JSON Lines file, or
    an iterable of JSON lines, mappings or event models. Blank lines are skipped.
    Events come back in input order (the :class:`Clock` sorts them per ticket).

    Args:
        source: The file or the items.

    Returns:
        An iterator of event models; reading is lazy.

    Raises:
        EventError: An unreadable file, invalid JSON, an unknown type or a bad
            field; the message names the source, the line (the item's position,
            from 1) and the ticket.
        NaiveDatetimeError: An instant without a UTC offset, located the same way.

    >>> [e.type for e in read_events([
    ...     '{"ticket": "T1", "type": "created", "at": "2026-11-20T16:30:00+01:00",'
    ...     ' "channel": "email"}',
    ...     {"ticket": "T1", "type": "agent_reply", "at": "2026-11-23T10:00:00+01:00"},
    ... ])]
    ['created', 'agent_reply']
    >>> list(read_events(['{"ticket": "T9", "type": "escalated", "at": "2026-11-23T10:00:00Z"}']))
    Traceback (most recent call last):
    expectkit.errors.EventError: line 1, ticket 'T9': unknown event type 'escalated' (...)

    """
    reader = _Reader(source)
    for line, item in reader:
        yield reader.event(line, item)


def write_events(
    events: Iterable[Event | Mapping[str, Any]], target: str | os.PathLike[str] | IO[str]
) -> int:
    """Write events as JSON Lines (one :meth:`~TicketCreated.to_json` line each).

    Mappings are validated first. :func:`read_events` reads the file back to equal
    events.

    Args:
        events: Event models or mappings.
        target: A path (the file is replaced) or a text stream to write to.

    Returns:
        The number of events written.

    Raises:
        EventError: A mapping is not a valid event (the line is its position).
        NaiveDatetimeError: A mapping's instant has no UTC offset.

    >>> import io
    >>> out = io.StringIO()
    >>> write_events([{"ticket": "T1", "type": "reopened", "at": "2026-11-30T09:00:00Z"}], out)
    1
    >>> out.getvalue().splitlines()
    ['{"ticket": "T1", "type": "reopened", "at": "2026-11-30T09:00:00Z"}']

    """
    if isinstance(target, str | os.PathLike):
        with Path(target).open("w", encoding="utf-8", newline="\n") as handle:
            return write_events(events, handle)
    reader = _Reader(events)
    count = 0
    for line, item in reader:
        target.write(reader.event(line, item).to_json() + "\n")
        count += 1
    return count


# -- compact storage ----------------------------------------------------------

# One byte per event: what happened. Statuses take the codes from _STATUS_BASE on.
_CREATED: Final = 0
_MESSAGE: Final = 1
_REPLY: Final = 2
_NOTE: Final = 3
_REOPENED: Final = 4
_PRIORITY: Final = 5
_ATTRIBUTES: Final = 6
_STATUS_BASE: Final = 8
_STATUSES: Final[tuple[TicketStatus, ...]] = get_args(TicketStatus)
_STATUS_CODE: Final[Mapping[str, int]] = {s: _STATUS_BASE + i for i, s in enumerate(_STATUSES)}
_PAYLOAD_CODES: Final = frozenset({_CREATED, _PRIORITY, _ATTRIBUTES})

# (channel, segment, tags, attributes as sorted items): an attributes_changed payload.
_Change: TypeAlias = tuple[
    str | None, str | None, tuple[str, ...] | None, tuple[tuple[str, Scalar | None], ...] | None
]


class _Staged:
    """One ticket's events as read from one input, in input order, with their lines.

    The first ``created`` event's index and request number sit in two slots; other
    payloads (changes, a second ``created``) in a dictionary made when needed.
    """

    __slots__ = ("codes", "created", "lines", "payloads", "request", "times")

    def __init__(self) -> None:
        self.times = array("q")
        self.codes = bytearray()
        self.lines = array("q")
        self.created = -1
        self.request = -1
        self.payloads: dict[int, object] | None = None

    def add(self, at: int, code: int, payload: object, line: int) -> None:
        if code == _CREATED and self.created < 0:
            self.created = len(self.times)
            self.request = cast("int", payload)
        elif code in _PAYLOAD_CODES:
            if self.payloads is None:
                self.payloads = {}
            self.payloads[len(self.times)] = payload
        self.times.append(at)
        self.codes.append(code)
        self.lines.append(line)

    def all_payloads(self) -> dict[int, object]:
        found: dict[int, object] = dict(self.payloads or {})
        if self.created >= 0:
            found[self.created] = self.request
        return found


class _Ticket:
    """One ticket's events, sorted by time, in about ten bytes an event.

    ``codes[0]`` is the ``created`` event and ``request`` the clock's number for its
    request; ``extra`` maps the index of a priority or attributes change to its
    payload (None when there are none, as for most tickets).
    """

    __slots__ = ("codes", "extra", "request", "times")

    def __init__(
        self, times: array[int], codes: bytes, request: int, extra: dict[int, object] | None
    ) -> None:
        self.times = times
        self.codes = codes
        self.request = request
        self.extra = extra

    def payload(self, index: int) -> object:
        if index == 0:
            return self.request
        return self.extra.get(index) if self.extra is not None else None


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What one :meth:`Clock.replay` call read: nothing is dropped without a count.

    ``events_in == events_used + duplicates_ignored`` always holds; blank lines of a
    JSON Lines input are not events and are counted apart.

    Attributes:
        events_in: Events read.
        events_used: Events kept (new to the clock).
        duplicates_ignored: Exact repeats of an event already kept (same ticket,
            type, instant and fields), in this input or an earlier one.
        tickets: Distinct tickets the input touched.
        blank_lines: Blank lines skipped.

    >>> r = ReplayReport(events_in=10, events_used=9, duplicates_ignored=1, tickets=2)
    >>> str(r)
    '10 events in: 9 used, 1 duplicate ignored; 2 tickets'

    """

    events_in: int
    events_used: int
    duplicates_ignored: int
    tickets: int
    blank_lines: int = 0

    def __str__(self) -> str:
        plural = "" if self.duplicates_ignored == 1 else "s"
        text = (
            f"{self.events_in} events in: {self.events_used} used, "
            f"{self.duplicates_ignored} duplicate{plural} ignored; {self.tickets} tickets"
        )
        if self.blank_lines:
            text += f"; {self.blank_lines} blank lines skipped"
        return text


# -- statuses -----------------------------------------------------------------


class RuleChange(NamedTuple):
    """A rule a metric counted under, from an instant on (its start, or a re-match).

    >>> from datetime import datetime, UTC
    >>> RuleChange(datetime(2026, 11, 23, 10, tzinfo=UTC), "urgent").rule
    'urgent'
    """

    at: datetime
    rule: str


class EscalationPoint(NamedTuple):
    """A named point on a metric's way to its deadlines (see :class:`~expectkit.policy.Escalation`).

    ``at`` is None while a pause makes it unknown.

    >>> from datetime import datetime, UTC
    >>> EscalationPoint("warn", "75% target", datetime(2026, 11, 23, 14, tzinfo=UTC)).threshold
    '75% target'
    """

    name: str
    threshold: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class MetricStatus:
    """Where one metric of a ticket stands at an instant (one cycle of it).

    Durations count running time on the metric's clock — business time on its
    schedule, or real time on the calendar clock — without the paused stretches.
    Deadlines are inclusive. Instants are in the schedule's zone.

    Attributes:
        metric: The metric.
        state: ``on_track``, ``at_risk``, ``target_missed``, ``breached`` or
            ``paused`` while running; ``met_target``, ``met_promise`` or
            ``breached`` once stopped.
        cycle: Which cycle this is, from 0 (``next_response`` and
            ``periodic_update`` run many).
        rule: The rule the cycle counts under now.
        rules: Every rule it counted under, from its start (a priority or attribute
            change re-quotes a running metric from its original start).
        clock: ``business`` or ``calendar``.
        started_at: The event that started the cycle (quotes are made there).
        stopped_at: The event that stopped it, or None.
        target_at: The internal target after pauses; None while a pause makes it
            unknown.
        breach_at: The promise (as told, rounded) after pauses; None while unknown.
        elapsed: Running time from the start to the instant asked (or the stop).
        remaining: Running time left until the promise; negative once overdue.
        passed: Escalation points passed, with their instants.
        next_escalation: The next point to pass, or None.

    >>> from datetime import datetime, timedelta, UTC
    >>> s = MetricStatus("first_response", "on_track", 0, "email",
    ...                  (RuleChange(datetime(2026, 11, 20, tzinfo=UTC), "email"),),
    ...                  "business", datetime(2026, 11, 20, tzinfo=UTC), None, None, None,
    ...                  timedelta(hours=1), timedelta(hours=23), (), None)
    >>> s.is_running, s.is_stopped
    (True, False)

    """

    metric: ClockMetric
    state: MetricState
    cycle: int
    rule: str
    rules: tuple[RuleChange, ...]
    clock: Literal["business", "calendar"]
    started_at: datetime
    stopped_at: datetime | None
    target_at: datetime | None
    breach_at: datetime | None
    elapsed: timedelta
    remaining: timedelta
    passed: tuple[EscalationPoint, ...]
    next_escalation: EscalationPoint | None

    @property
    def is_stopped(self) -> bool:
        """Whether the cycle has stopped (its state is final until a reopen).

        >>> from datetime import datetime, timedelta, UTC
        >>> t = datetime(2026, 11, 20, tzinfo=UTC)
        >>> MetricStatus("resolution", "met_target", 0, "r", (), "calendar", t, t, t, t,
        ...              timedelta(0), timedelta(0), (), None).is_stopped
        True
        """
        return self.stopped_at is not None

    @property
    def is_running(self) -> bool:
        """Whether the cycle is counting or paused (not stopped).

        >>> from datetime import datetime, timedelta, UTC
        >>> t = datetime(2026, 11, 20, tzinfo=UTC)
        >>> MetricStatus("resolution", "paused", 0, "r", (), "calendar", t, None, None, None,
        ...              timedelta(0), timedelta(0), (), None).is_running
        True
        """
        return self.stopped_at is None


# -- quotes -------------------------------------------------------------------


class _Line:
    """A metric's clock in integer microseconds: business time on a schedule, or real time."""

    __slots__ = ("business", "schedule", "zone")

    def __init__(self, schedule: Schedule, business: bool) -> None:
        self.schedule = schedule
        self.business = business
        self.zone = schedule.zone

    def measure(self, a: int, b: int) -> int:
        if not self.business:
            return b - a
        span = self.schedule.between(_instant(a, UTC), _instant(b, UTC))
        return span // _US

    def add(self, x: int, d: int) -> int:
        if not self.business or d == 0:
            return x + d
        return _us(self.schedule.add(_instant(x, UTC), timedelta(microseconds=d)))


class _Point(NamedTuple):
    name: str
    threshold: str
    fraction: Fraction
    of_promise: bool


@dataclass(frozen=True, slots=True)
class _Deadlines:
    """What a cycle needs of a quote, in µs: the start, the deadlines, the thresholds.

    ``warn_at`` and the points' origins are where the running time reaches their
    share, before any pause moves them.
    """

    rule: str
    line: _Line
    start: int
    target: int
    promise: int
    target_budget: int
    promise_budget: int
    warn_at: int
    points: tuple[tuple[_Point, int], ...]


def _fraction(value: float) -> Fraction:
    return Fraction(repr(value))


def _ceil(fraction: Fraction, amount: int) -> int:
    return -((-fraction.numerator * amount) // fraction.denominator)


_SHADOWED: Final[frozenset[str]] = frozenset({"requester_wait", "agent_work"})
_NO_TARGET: Final[tuple[str]] = ("none",)


class _Quotes:
    """Quotes as compact deadlines, cached: quoting is pure, so a cached answer is exact.

    Requests are the clock's interned request numbers. Two caches, each bounded
    (oldest entries go first):

    * by (request, instant, metric), for any quote;
    * by (rule, channel, metric, counting start) where the answer provably depends
      on the instant only through the counting start: no rule and not the policy
      has effective dates (so the same rule matches at every instant), the channel
      is not a live one with an offline fallback, and the target counts business
      time only (both windows on the business clock, after the instant). Then
      :func:`quote` starts counting at the next opening whatever the instant, and
      every request matching the same rule on the same channel gets the same
      deadlines: tickets written outside opening hours share one quote.

    ``requester_wait`` and ``agent_work`` are quoted through a copy of the policy
    whose rules carry them as ``resolution``: the same matching and arithmetic.
    """

    def __init__(self, policy: Policy, warn: Fraction, size: int, requests: list[Request]) -> None:
        self.policy = policy
        self.warn = warn
        self.size = size
        self.requests = requests
        self.rules: Mapping[str, Rule] = {rule.name: rule for rule in policy.rules}
        self.static = (
            policy.effective_from is None
            and policy.effective_until is None
            and all(r.effective_from is None and r.effective_until is None for r in policy.rules)
        )
        self.offered = frozenset(  # metrics some rule promises (after the instant)
            m for r in policy.rules for m, t in r.clock_metrics() if t.direction == "after"
        )
        self.shadows: dict[ClockMetric, Policy] = {}
        self.fixed: dict[int, bool] = {}  # request -> matching ignores the instant
        self.static_rule: dict[int, str | None] = {}
        self.rule_at: dict[tuple[int, int], str | None] = {}
        self.exact: dict[tuple[int, int, ClockMetric], _Deadlines | None] = {}
        self.shared: dict[tuple[str, str, ClockMetric, int], _Deadlines | None] = {}
        self.counting: dict[tuple[str, str, ClockMetric], Schedule | None] = {}
        self.keys: dict[tuple[int, int, ClockMetric], tuple[Any, ...]] = {}
        self.lines: dict[tuple[Schedule, bool], _Line] = {}
        self.quoted = 0  # calls to quote()

    # -- rules -------------------------------------------------------------

    def _fixed(self, rid: int) -> bool:
        found = self.fixed.get(rid)
        if found is None:
            channel = self.policy.channel(self.requests[rid].channel)
            found = self.fixed[rid] = self.static and not (
                channel.is_live and channel.offline is not None
            )
        return found

    def rule(self, rid: int, at: int) -> str | None:
        """Return the rule :func:`quote` picks for the request at the instant, if any."""
        if self._fixed(rid):
            if rid not in self.static_rule:
                rule = self.policy.match(self.requests[rid])
                self.static_rule[rid] = rule.name if rule is not None else None
            return self.static_rule[rid]
        key = (rid, at)
        if key not in self.rule_at:
            self.quoted += 1
            try:
                name: str | None = quote(
                    self.policy, self.requests[rid], at=_instant(at, UTC), metrics=()
                ).rule
            except PolicyError:
                name = None  # no rule (or no policy) in force: no promises
            _remember(self.rule_at, key, name, self.size)
        return self.rule_at[key]

    # -- deadlines ---------------------------------------------------------

    def _key(self, rid: int, at: int, metric: ClockMetric) -> tuple[Any, ...]:
        mine = (rid, at, metric)
        if metric not in self.offered:
            return _NO_TARGET
        if not self._fixed(rid):
            return mine
        rule = self.rule(rid, at)
        if rule is None or getattr(self.rules[rule], metric) is None:
            return _NO_TARGET
        channel = self.requests[rid].channel
        schedule = self._counting(rule, channel, metric)
        if schedule is None:
            return mine
        key = self.keys.get(mine)  # remembered: finding the next opening takes a while
        if key is None:
            start = _us(schedule.next_open(_instant(at, UTC)))
            key = (rule, channel, metric, start)
            _remember(self.keys, mine, key, self.size)
        return key

    def _counting(self, rule: str, channel: str, metric: ClockMetric) -> Schedule | None:
        """Return the schedule the quote counts from, if only its next opening matters."""
        key = (rule, channel, metric)
        if key not in self.counting:
            target: Target | None = getattr(self.rules[rule], metric)
            schedule: Schedule | None = None
            if (
                target is not None
                and target.direction == "after"
                and all(w.clock == "business" for w in target.windows)
            ):
                name = target.schedule or self.policy.channel(channel).schedule
                schedule = self.policy.schedule(name)
            self.counting[key] = schedule
        return self.counting[key]

    def _lookup(self, key: tuple[Any, ...]) -> tuple[bool, _Deadlines | None]:
        if len(key) == 1:
            return True, None
        table: dict[Any, _Deadlines | None] = self.shared if len(key) == 4 else self.exact
        if key in table:
            return True, table[key]
        return False, None

    def deadlines(self, rid: int, at: int, metric: ClockMetric) -> _Deadlines | None:
        """Return the cycle's deadlines (None: the rule sets no such target)."""
        key = self._key(rid, at, metric)
        known, found = self._lookup(key)
        if not known:
            self.prefetch([(rid, at, metric)])
            found = self._lookup(key)[1]
        return found

    def prefetch(self, needs: Iterable[tuple[int, int, ClockMetric]]) -> None:
        """Quote every missing need, one :func:`quote` call per request and instant."""
        groups: dict[tuple[int, int, bool], dict[ClockMetric, tuple[Any, ...]]] = {}
        for rid, at, metric in needs:
            key = self._key(rid, at, metric)
            if self._lookup(key)[0]:
                continue
            when = key[3] if len(key) == 4 else at  # the counting start gives the same answer
            shadowed = metric in _SHADOWED
            groups.setdefault((rid, when, shadowed), {})[metric] = key
        for (rid, when, shadowed), wanted in groups.items():
            request = self.requests[rid]
            instant = _instant(when, UTC)
            calls: list[tuple[Policy, tuple[ClockMetric, ...]]]
            if shadowed:
                calls = [(self._shadow(m), (m,)) for m in wanted]
            else:
                calls = [(self.policy, tuple(wanted))]
            for policy, metrics in calls:
                self.quoted += 1
                try:
                    commitment = quote(
                        policy,
                        request,
                        at=instant,
                        metrics=cast("tuple[Any, ...]", ("resolution",) if shadowed else metrics),
                    )
                except PolicyError:
                    commitment = None
                for metric in metrics:
                    found: _Deadlines | None = None
                    if commitment is not None:
                        name = "resolution" if shadowed else metric
                        q = cast("Mapping[str, MetricQuote]", commitment.metrics).get(name)
                        target: Target | None = getattr(self.rules[commitment.rule], metric)
                        if q is not None and target is not None and target.direction == "after":
                            found = self._compact(q, target)
                    key = wanted[metric]
                    table: dict[Any, _Deadlines | None] = (
                        self.shared if len(key) == 4 else self.exact
                    )
                    _remember(table, key, found, self.size)

    def _shadow(self, metric: ClockMetric) -> Policy:
        shadow = self.shadows.get(metric)
        if shadow is None:
            rules = tuple(
                rule.model_copy(update={"resolution": getattr(rule, metric)})
                for rule in self.policy.rules
            )
            fields = {name: getattr(self.policy, name) for name in type(self.policy).model_fields}
            shadow = Policy.model_validate({**fields, "rules": rules})
            self.shadows[metric] = shadow
        return shadow

    def _compact(self, q: MetricQuote, target: Target) -> _Deadlines:
        business = q.clock == "business"
        line = self.lines.get((q.schedule, business))
        if line is None:
            line = self.lines[q.schedule, business] = _Line(q.schedule, business)
        start, aim, promise = _us(q.start), _us(q.target_at), _us(q.promised_at)
        target_budget = max(0, line.measure(start, aim))
        promise_budget = max(0, line.measure(start, promise))
        warn = _fraction(target.warn) if target.warn is not None else self.warn
        if target.escalations is None:
            points = [_Point("warn", f"{_percent(warn)}% target", warn, False)]
        else:
            points = [
                _Point(e.name, e.at, e.fraction, e.of == "promise") for e in target.escalations
            ]
        origins: list[tuple[_Point, int]] = []
        for point in points:
            deadline = promise if point.of_promise else aim
            if point.fraction == 1:
                origins.append((point, deadline))
            else:
                budget = promise_budget if point.of_promise else target_budget
                origins.append((point, line.add(start, _ceil(point.fraction, budget))))
        return _Deadlines(
            rule=q.rule,
            line=line,
            start=start,
            target=aim,
            promise=promise,
            target_budget=target_budget,
            promise_budget=promise_budget,
            warn_at=line.add(start, _ceil(warn, target_budget)),
            points=tuple(origins),
        )


def _remember(table: dict[Any, Any], key: object, value: object, size: int) -> None:
    if len(table) >= size:
        del table[next(iter(table))]
    table[key] = value


def _percent(fraction: Fraction) -> str:
    value = fraction * 100
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):g}"


# -- the fold -----------------------------------------------------------------

_Kind = Literal["once", "repeat", "periodic", "cumulative"]
_KINDS: Final[Mapping[ClockMetric, _Kind]] = {
    "first_response": "once",
    "next_response": "repeat",
    "resolution": "cumulative",
    "periodic_update": "periodic",
    "follow_up": "repeat",
    "requester_wait": "cumulative",
    "agent_work": "cumulative",
}
_TRIGGERS_OF: Final[Mapping[int, tuple[str, ...]]] = {
    _CREATED: ("created",),
    _MESSAGE: ("customer_message",),
    _REPLY: ("agent_reply",),
    _NOTE: ("agent_note",),
}
_ALL_STATUSES: Final = frozenset(_STATUSES)


class _Settings(NamedTuple):
    """One metric's start, stop and pause conditions as sets."""

    start: frozenset[str]
    stop: frozenset[str]
    pause: frozenset[str]
    stop_statuses: frozenset[str]


def _settings(rule: Rule | None) -> tuple[_Settings, ...]:
    out: list[_Settings] = []
    for metric in CLOCK_METRICS:
        target: Target | None = getattr(rule, metric) if rule is not None else None
        start, stop, pause = (
            target.triggers(metric) if target is not None else DEFAULT_TRIGGERS[metric]
        )
        stops = frozenset(stop)
        out.append(_Settings(frozenset(start), stops, frozenset(pause), stops & _ALL_STATUSES))
    return tuple(out)


class _Cycle:
    """One run of a metric: where it started and stopped, the requests it counted under."""

    __slots__ = ("index", "requests", "settings", "start", "stop", "stop_open", "stops")

    def __init__(self, index: int, start: int, request: int, settings: _Settings) -> None:
        self.index = index
        self.start = start
        self.stop: int | None = None
        self.stop_open: int | None = None  # cumulative metrics: stopped since (solved)
        self.stops: list[tuple[int, int]] = []  # cumulative metrics: solved stretches
        self.requests: list[tuple[int, int]] = [(start, request)]  # (since, request number)
        self.settings = settings

    @property
    def live(self) -> bool:
        return self.stop is None and self.stop_open is None

    def follow(self, at: int, request: int, settings: _Settings) -> None:
        if self.requests[-1][1] != request:
            self.requests.append((at, request))
        self.settings = settings


class _Folded(NamedTuple):
    timeline: list[tuple[int, str]]
    cycles: tuple[list[_Cycle], ...]


# -- evaluation ---------------------------------------------------------------


class _Evaluated(NamedTuple):
    status: MetricStatus
    changes: tuple[int, ...]  # instants after `at` where the state or escalations change


def _pauses(
    cycle: _Cycle, timeline: Sequence[tuple[int, str]], end: int | None, at: int
) -> list[tuple[int, int | None]]:
    """Return the cycle's paused stretches up to its stop (or `at`), in order.

    A stretch still lasting at `at` ends in None; a stop ends a stretch it falls in.
    """
    limit = end if end is not None else at
    pause = cycle.settings.pause
    stretches: list[tuple[int, int | None]] = []
    if pause:
        for i, (t, status) in enumerate(timeline):
            if status not in pause:
                continue
            nxt = timeline[i + 1][0] if i + 1 < len(timeline) else None
            p0 = max(t, cycle.start)
            if p0 > limit or (nxt is not None and nxt <= p0):
                continue
            if nxt is not None and nxt <= limit:
                stretches.append((p0, nxt))
            elif end is not None:
                if p0 < end:
                    stretches.append((p0, end))
            else:
                stretches.append((p0, None))
    if cycle.stops:
        # Solved stretches before a reopen do not count either (they end before `limit`).
        # After a re-match they may overlap the new rule's pauses: merge, never count twice.
        merged: list[tuple[int, int | None]] = []
        for p0, p1 in sorted([*stretches, *cycle.stops], key=lambda stretch: stretch[0]):
            if merged and (merged[-1][1] is None or p0 <= merged[-1][1]):
                last0, last1 = merged[-1]
                merged[-1] = (last0, None if last1 is None or p1 is None else max(last1, p1))
            else:
                merged.append((p0, p1))
        stretches = merged
    return stretches


def _shift(
    point: int, pauses: Sequence[tuple[int, int | None, int]], line: _Line, inclusive: bool
) -> int | None:
    """Move `point` later by the running time of each pause that began before it passed.

    A deadline (`inclusive`) is passed after its instant, a threshold at it. A moved
    point is never earlier than the pause's end. While a pause that began before
    the point lasts, the point is unknown (None).
    """
    for p0, p1, lost in pauses:
        if p0 > point or (not inclusive and p0 == point):
            break
        if p1 is None:
            return None
        point = max(line.add(point, lost), p1)
    return point


def _measured(
    pauses: Sequence[tuple[int, int | None]], line: _Line, start: int
) -> list[tuple[int, int | None, int]]:
    """Return the pauses with the running time each took (0 while one lasts)."""
    out: list[tuple[int, int | None, int]] = []
    for p0, p1 in pauses:
        lost = 0 if p1 is None else max(0, line.measure(max(p0, start), p1))
        out.append((p0, p1, lost))
    return out


def _evaluate(
    metric: ClockMetric,
    cycle: _Cycle,
    d: _Deadlines,
    timeline: Sequence[tuple[int, str]],
    at: int,
    rules: tuple[RuleChange, ...],
) -> _Evaluated:
    line, start = d.line, d.start
    end = cycle.stop if cycle.stop is not None else cycle.stop_open
    pauses = _measured(_pauses(cycle, timeline, end, at), line, start)
    paused = end is None and bool(pauses) and pauses[-1][1] is None
    now = end if end is not None else at
    elapsed = line.measure(start, now) - sum(lost for _, _, lost in pauses)
    if paused:  # the lasting pause stops the count at its start
        elapsed -= max(0, line.measure(max(pauses[-1][0], start), now))
    elapsed = max(0, elapsed)
    target = _shift(d.target, pauses, line, inclusive=True)
    breach = _shift(d.promise, pauses, line, inclusive=True)
    warn_at = _shift(d.warn_at, pauses, line, inclusive=False)
    points = [(point, _shift(origin, pauses, line, inclusive=False)) for point, origin in d.points]

    state: MetricState
    if target is None or breach is None or warn_at is None:
        # A pause lasts: the points it began before are unknown until it ends.
        state = "paused" if breach is None else "breached"
    elif end is not None:
        state = "met_target" if end <= target else "met_promise" if end <= breach else "breached"
    elif at > breach:
        state = "breached"
    elif at > target:
        state = "target_missed"
    elif at >= warn_at:
        state = "at_risk"
    else:
        state = "on_track"

    zone = line.zone

    def shown(us: int) -> datetime:
        return _instant(us, zone)

    passed: list[EscalationPoint] = []
    upcoming: list[tuple[int, EscalationPoint]] = []
    unknown: list[EscalationPoint] = []
    for point, when in points:
        if when is None:
            unknown.append(EscalationPoint(point.name, point.threshold, None))
        elif when <= at and (end is None or when < end):
            passed.append(EscalationPoint(point.name, point.threshold, shown(when)))
        elif end is None:
            upcoming.append((when, EscalationPoint(point.name, point.threshold, None)))
    upcoming.sort(key=lambda item: item[0])
    following: EscalationPoint | None = None
    if upcoming:
        when, point_at = upcoming[0]
        following = point_at._replace(at=shown(when))
    elif unknown:
        following = unknown[0]

    changes: list[int] = []
    if end is None and not paused and target is not None and breach is not None:
        changes += [t for t in (warn_at,) if t is not None and t > at]
        changes += [t + 1 for t in (target, breach) if t >= at]
        changes += [when for when, _ in upcoming]

    def maybe(us: int | None) -> datetime | None:
        return None if us is None else shown(us)

    started = rules[0].at if rules else _instant(cycle.start, zone)
    status = MetricStatus(
        metric=metric,
        state=state,
        cycle=cycle.index,
        rule=d.rule,
        rules=rules,
        clock="business" if line.business else "calendar",
        started_at=started,
        stopped_at=maybe(end),
        target_at=maybe(target),
        breach_at=maybe(breach),
        elapsed=timedelta(microseconds=elapsed),
        remaining=timedelta(microseconds=d.promise_budget - elapsed),
        passed=tuple(sorted(passed, key=lambda p: cast("datetime", p.at))),
        next_escalation=following,
    )
    return _Evaluated(status, tuple(changes))


# -- the clock ----------------------------------------------------------------


def _as_instant(at: object, where: str = "at") -> int:
    if not isinstance(at, datetime):
        raise InputTypeError.for_value(at, where, "datetime")
    if at.utcoffset() is None:
        raise NaiveDatetimeError.for_value(at, where)
    return _us(at)


_Signature: TypeAlias = dict[ClockMetric, tuple[str, int, str, tuple[str, ...]]]


class Clock:
    """Replay ticket events and answer where each metric of each ticket stands.

    The clock keeps every replayed event in a compact per-ticket form (about 10
    bytes an event), so it can answer :meth:`status` for any instant: events after
    the instant asked are not seen. Each ticket's events are sorted stably by time
    (an event at the ``created`` instant counts after it) and exact duplicates are
    ignored.

    How a ticket is counted:

    * Its rule is the policy's first rule matching its request (as :func:`quote`
      matches it at the ``created`` instant); a priority or attribute change matches
      again, and every running metric is re-quoted from its original start under
      the new rule, its earlier rules kept in :attr:`MetricStatus.rules`.
    * Each metric starts, stops and pauses as its target's triggers say (see
      :data:`~expectkit.policy.DEFAULT_TRIGGERS`); a cycle does not start while the
      ticket is in one of the metric's stop statuses. A cycle is quoted at the
      event that starts it (``next_response`` at the customer's message,
      ``follow_up`` at the solve). A ``next_response`` cycle starts only once an
      agent has replied publicly. ``resolution``, ``requester_wait`` and
      ``agent_work`` stop while the ticket is solved or closed and resume when it
      is reopened: the solved stretch does not count.
    * A paused stretch moves each deadline not yet passed later by the running time
      the pause took (never before the pause's end); the at-risk instant and the
      escalation points move the same way.
    * Metrics a ticket's rule does not set, targets that are lead times
      (``direction: before``), and tickets no rule matches have no status.

    A clock is not thread-safe (it caches as it answers): use one per thread.

    Args:
        policy: The promise policy.
        warn: The share of the time to the target after which a running metric is
            ``at_risk``, unless its target sets ``warn``: above 0, at most 1.
        cache_size: How many quotes to keep (under 1 KB each). Quoting is pure, so
            a cached quote is exact; tickets written outside opening hours share one.

    Raises:
        PolicyError: `warn` is out of range.

    >>> from datetime import datetime, UTC
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "4 hours"}}])
    >>> clock = Clock(policy)
    >>> str(clock.replay([
    ...     {"ticket": "A", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"},
    ...     {"ticket": "A", "type": "agent_reply", "at": "2026-01-05T12:00:00Z"},
    ... ]))
    '2 events in: 2 used, 0 duplicates ignored; 1 tickets'
    >>> clock.status("A", at=datetime(2026, 1, 6, tzinfo=UTC))["first_response"].state
    'met_target'

    """

    def __init__(self, policy: Policy, *, warn: float = 0.75, cache_size: int = 100_000) -> None:
        if not isinstance(policy, Policy):
            raise InputTypeError.for_value(policy, "policy", "Policy")
        if isinstance(warn, bool) or not isinstance(warn, int | float) or not 0 < warn <= 1:
            msg = f"warn: {warn!r} must be a share above 0 and at most 1 (e.g. 0.75)"
            raise PolicyError(msg)
        self._policy = policy
        self._warn = float(warn)
        self._tickets: dict[str, _Ticket] = {}
        # Requests are interned and named by number: tickets share them, caches key on them.
        self._requests: dict[Request, int] = {}
        self._request_list: list[Request] = []
        self._derived: dict[tuple[int, int, object], int] = {}
        self._quotes = _Quotes(
            policy, _fraction(float(warn)), max(1, int(cache_size)), self._request_list
        )
        self._settings: dict[str | None, tuple[_Settings, ...]] = {}

    @property
    def policy(self) -> Policy:
        """The policy the clock counts with.

        >>> Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}])
        ...       ).policy.rules[0].name
        'r'
        """
        return self._policy

    @property
    def warn(self) -> float:
        """The default at-risk share of the time to the target.

        >>> Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]),
        ...       warn=0.5).warn
        0.5
        """
        return self._warn

    @property
    def tickets(self) -> tuple[str, ...]:
        """The ids of the tickets replayed so far, in the order first seen.

        >>> Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}])).tickets
        ()
        """
        return tuple(self._tickets)

    def __len__(self) -> int:
        return len(self._tickets)

    def __contains__(self, ticket: object) -> bool:
        return ticket in self._tickets

    # -- replay ------------------------------------------------------------

    def replay(self, events: EventSource) -> ReplayReport:
        """Add events to the clock: a JSON Lines file, or JSON lines, mappings or models.

        The input is read once, as a stream (a generator is fine). Nothing changes
        if it holds an error: every event is checked, then all are added.

        Args:
            events: The events, in any order.

        Returns:
            The counts: events in, used, exact duplicates ignored, tickets.

        Raises:
            EventError: Invalid JSON, an unknown event type, a bad field, a channel
                the policy does not declare, an event earlier than its ticket's
                ``created``, a second ``created``, or a ticket without one; the
                message names the source, the line (the item's position, from 1)
                and the ticket.
            NaiveDatetimeError: An instant without a UTC offset, located the same way.

        >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]))
        >>> clock.replay([{"ticket": "B", "type": "reopened", "at": "2026-01-05T09:00:00Z"}])
        Traceback (most recent call last):
        expectkit.errors.EventError: line 1, ticket 'B': no 'created' event for this ticket ...

        """
        reader = _Reader(events)
        staged: dict[str, _Staged] = {}
        count = 0
        encode, validate, plain = self._encode, _ADAPTER.validate_json, _PLAIN_CODES
        for line, item in reader:
            # JSON lines take the short way; anything else, or any error, the general one.
            try:
                event = validate(item) if type(item) is str else reader.event(line, item)
            except ValidationError:
                event = reader.event(line, item)
            count += 1
            code = plain.get(type(event))
            payload: object = None
            if code is None:
                code, payload = encode(event, reader.source, line)
            elif code == _REPLY and not cast("AgentReply", event).public:
                code = _NOTE
            elif code == _STATUS_BASE:
                code = _STATUS_CODE[cast("StatusChanged", event).status]
            ticket = staged.get(event.ticket)
            if ticket is None:
                ticket = staged[event.ticket] = _Staged()
            ticket.add((event.at - _EPOCH) // _US, code, payload, line)
        merged: dict[str, _Ticket] = {}
        used = 0
        touched = len(staged)
        for name in list(staged):
            new = staged.pop(name)  # free as we go: the peak stays near the kept size
            old = self._tickets.get(name)
            merged[name] = done = _finalize(name, old, new, reader.source)
            used += len(done.times) - (len(old.times) if old is not None else 0)
        self._tickets.update(merged)
        return ReplayReport(count, used, count - used, touched, reader.blank)

    def _encode(self, event: Event, source: str | None, line: int) -> tuple[int, object]:
        if isinstance(event, PriorityChanged):
            return _PRIORITY, event.priority
        if isinstance(event, TicketCreated):
            self._check_channel(event.channel, event.ticket, source, line)
            return _CREATED, self._intern(event.request())
        if isinstance(event, AttributesChanged):
            if event.channel is not None:
                self._check_channel(event.channel, event.ticket, source, line)
            items = None if event.attributes is None else tuple(sorted(event.attributes.items()))
            change: _Change = (event.channel, event.segment, event.tags, items)
            return _ATTRIBUTES, change
        if isinstance(event, AgentReply):
            return (_REPLY if event.public else _NOTE), None
        if isinstance(event, StatusChanged):
            return _STATUS_CODE[event.status], None
        return _PLAIN_CODES[type(event)], None

    def _check_channel(self, channel: str, ticket: str, source: str | None, line: int) -> None:
        try:
            self._policy.channel(channel)
        except PolicyError as exc:
            raise EventError.at(source, line, ticket, str(exc)) from exc

    def _intern(self, request: Request) -> int:
        number = self._requests.get(request)
        if number is None:
            number = self._requests[request] = len(self._request_list)
            self._request_list.append(request)
        return number

    def forget(self, ticket: str) -> None:
        """Drop a ticket's events (for example once it is closed and reported).

        Raises:
            EventError: The clock has no events for `ticket`.

        >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]))
        >>> _ = clock.replay([{"ticket": "C", "type": "created", "at": "2026-01-05T09:00:00Z",
        ...                    "channel": "web"}])
        >>> clock.forget("C"); len(clock)
        0

        """
        self._ticket(ticket)
        del self._tickets[ticket]

    def events(self, ticket: str) -> tuple[Event, ...]:
        """Return the events the clock uses for `ticket`, sorted, without duplicates.

        Instants come back in UTC (the clock keeps instants, not their offsets).

        Raises:
            EventError: The clock has no events for `ticket`.

        >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]))
        >>> _ = clock.replay([
        ...     {"ticket": "D", "type": "status", "at": "2026-01-05T10:00Z", "status": "solved"},
        ...     {"ticket": "D", "type": "created", "at": "2026-01-05T09:00Z", "channel": "web"},
        ... ])
        >>> [e.type for e in clock.events("D")]
        ['created', 'status']

        """
        tk = self._ticket(ticket)
        out: list[Event] = []
        for i, (at_us, code) in enumerate(zip(tk.times, tk.codes, strict=True)):
            payload = tk.payload(i)
            if code == _CREATED:
                payload = self._request_list[cast("int", payload)]
            out.append(_decode(ticket, _instant(at_us, UTC), code, payload))
        return tuple(out)

    # -- questions ---------------------------------------------------------

    def status(self, ticket: str, at: datetime) -> Mapping[ClockMetric, MetricStatus]:
        """Return where each metric of `ticket` stands at `at` (its latest cycle).

        Only events at or before `at` count. A metric that has not started yet, or
        that the ticket's rule does not set, is absent; before the ticket was
        created the mapping is empty.

        Args:
            ticket: The ticket id.
            at: The aware instant asked about.

        Returns:
            A read-only mapping from metric name to :class:`MetricStatus`.

        Raises:
            EventError: The clock has no events for `ticket`.
            NaiveDatetimeError: `at` has no UTC offset.

        >>> from datetime import datetime, UTC
        >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "2 days"}}]))
        >>> _ = clock.replay([
        ...     {"ticket": "E", "type": "created", "at": "2026-01-05T09:00Z", "channel": "web"},
        ...     {"ticket": "E", "type": "status", "at": "2026-01-05T10:00Z", "status": "pending"},
        ... ])
        >>> st = clock.status("E", at=datetime(2026, 1, 9, tzinfo=UTC))["resolution"]
        >>> st.state, st.elapsed, st.breach_at
        ('paused', datetime.timedelta(seconds=3600), None)

        """
        at_us = _as_instant(at)
        found = self._evaluate(ticket, at_us, latest=True)
        return MappingProxyType({m: runs[-1].status for m, runs in found.items()})

    def history(self, ticket: str, at: datetime) -> Mapping[ClockMetric, tuple[MetricStatus, ...]]:
        """Return every cycle of every metric of `ticket` at `at`, oldest first.

        :meth:`status` shows the last of each.

        Raises:
            EventError: The clock has no events for `ticket`.
            NaiveDatetimeError: `at` has no UTC offset.

        >>> from datetime import datetime, UTC
        >>> policy = Policy(rules=[{"name": "r", "next_response": {"promise": "1 hour"}}])
        >>> clock = Clock(policy)
        >>> _ = clock.replay([
        ...     {"ticket": "F", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"},
        ...     {"ticket": "F", "type": "agent_reply", "at": "2026-01-05T09:10:00Z"},
        ...     {"ticket": "F", "type": "customer_message", "at": "2026-01-05T10:00:00Z"},
        ...     {"ticket": "F", "type": "agent_reply", "at": "2026-01-05T10:30:00Z"},
        ...     {"ticket": "F", "type": "customer_message", "at": "2026-01-05T11:00:00Z"},
        ... ])
        >>> [s.state for s in clock.history("F", at=datetime(2026, 1, 5, 13, tzinfo=UTC))[
        ...     "next_response"]]
        ['met_target', 'breached']

        """
        at_us = _as_instant(at)
        found = self._evaluate(ticket, at_us, latest=False)
        return MappingProxyType({m: tuple(run.status for run in runs) for m, runs in found.items()})

    def next_deadline(self, ticket: str, at: datetime) -> datetime | None:
        """Return the next instant after `at` at which a status of `ticket` changes.

        A change is a metric's state, cycle or rule, or an escalation point passing;
        replayed events after `at` count too. Since deadlines are inclusive, a state
        changes one microsecond after a deadline (the earliest instant past it).
        None if nothing will change without new events — for a scheduler: wake at
        the instant returned and ask :meth:`status` there.

        Raises:
            EventError: The clock has no events for `ticket`.
            NaiveDatetimeError: `at` has no UTC offset.

        >>> from datetime import datetime, UTC
        >>> clock = Clock(Policy(rules=[{"name": "r", "first_response": {"promise": "4 hours"}}]))
        >>> _ = clock.replay([{"ticket": "G", "type": "created", "at": "2026-01-05T09:00:00Z",
        ...                    "channel": "web"}])
        >>> print(clock.next_deadline("G", at=datetime(2026, 1, 5, 9, tzinfo=UTC)))
        2026-01-05 12:00:00+00:00
        >>> print(clock.next_deadline("G", at=datetime(2026, 1, 5, 12, tzinfo=UTC)))
        2026-01-05 13:00:00.000001+00:00

        """
        cur = _as_instant(at)
        tk = self._ticket(ticket)
        found = self._evaluate(ticket, cur, latest=True)
        before = _signature(found)
        for _ in range(100_000):
            candidates = [t for runs in found.values() for t in runs[-1].changes]
            following = bisect_right(tk.times, cur)
            if following < len(tk.times):
                candidates.append(tk.times[following])
            if not candidates:
                return None
            cur = min(candidates)
            found = self._evaluate(ticket, cur, latest=True)
            after = _signature(found)
            if after != before:
                return _instant(cur, _zone_of(found, before, after))
        return None  # pragma: no cover - every step passes a deadline or an event

    # -- internals ---------------------------------------------------------

    def _ticket(self, ticket: str) -> _Ticket:
        found = self._tickets.get(ticket)
        if found is None:
            raise EventError.at(None, None, ticket, "the clock has no events for this ticket")
        return found

    def _settings_for(self, request: int, created: int) -> tuple[_Settings, ...]:
        name = self._quotes.rule(request, created)
        found = self._settings.get(name)
        if found is None:
            rule = self._quotes.rules[name] if name is not None else None
            found = self._settings[name] = _settings(rule)
        return found

    def _apply(self, number: int, code: int, payload: object) -> int:
        key = (number, code, payload)
        found = self._derived.get(key)
        if found is None:
            request = self._request_list[number]
            if code == _PRIORITY:
                changed = request.model_copy(update={"priority": payload})
            else:
                channel, segment, tags, items = cast("_Change", payload)
                attributes = dict(request.attributes)
                for name, value in items or ():
                    if value is None:
                        attributes.pop(name, None)
                    else:
                        attributes[name] = value
                changed = Request(
                    channel=channel if channel is not None else request.channel,
                    priority=request.priority,
                    segment=segment if segment is not None else request.segment,
                    tags=tags if tags is not None else request.tags,
                    attributes=attributes,
                    customer_tz=request.customer_tz,
                )
            found = self._derived[key] = self._intern(changed)
        return found

    def _fold(self, tk: _Ticket, upto: int) -> _Folded:
        times, codes = tk.times, tk.codes
        created = times[0]
        request = tk.request
        settings = self._settings_for(request, created)
        status = "new"
        timeline: list[tuple[int, str]] = [(created, status)]
        replied = False
        cycles: tuple[list[_Cycle], ...] = tuple([] for _ in CLOCK_METRICS)
        current: list[_Cycle | None] = [None] * len(CLOCK_METRICS)
        for i in range(upto):
            t = times[i]
            code = codes[i]
            changed_status = False
            if code >= _STATUS_BASE:
                new = _STATUSES[code - _STATUS_BASE]
                if new == status:
                    continue
                status = new
                timeline.append((t, new))
                fired: tuple[str, ...] = (new,)
                changed_status = True
            elif code == _REOPENED:
                fired = ("reopened",)
                if status != "open":
                    status = "open"
                    timeline.append((t, status))
                    fired = ("reopened", "open")
                    changed_status = True
            elif code in (_PRIORITY, _ATTRIBUTES):
                changed = self._apply(request, code, tk.payload(i))
                if changed != request:
                    request = changed
                    settings = self._settings_for(request, created)
                    for m, cycle in enumerate(current):
                        if cycle is not None and cycle.live:
                            cycle.follow(t, request, settings[m])
                continue
            else:
                fired = _TRIGGERS_OF[code]
            for m, metric in enumerate(CLOCK_METRICS):
                setting = settings[m]
                cycle = current[m]
                kind = _KINDS[metric]
                if kind == "cumulative":
                    if cycle is None:
                        if setting.start.isdisjoint(fired):
                            continue
                        cycle = current[m] = _Cycle(0, t, request, setting)
                        cycles[m].append(cycle)
                        if status in setting.stop_statuses:
                            cycle.stop_open = t
                    elif changed_status:
                        stopped = status in cycle.settings.stop_statuses
                        if stopped and cycle.stop_open is None:
                            cycle.stop_open = t
                        elif not stopped and cycle.stop_open is not None:
                            cycle.stops.append((cycle.stop_open, t))
                            cycle.stop_open = None
                            cycle.follow(t, request, setting)
                    continue
                starts = not setting.start.isdisjoint(fired) and (
                    status not in setting.stop_statuses
                )
                if kind == "periodic" and starts:
                    if cycle is not None:
                        cycle.stop = t
                    cycle = current[m] = _Cycle(len(cycles[m]), t, request, setting)
                    cycles[m].append(cycle)
                elif cycle is not None:
                    if not setting.stop.isdisjoint(fired):
                        cycle.stop = t
                        current[m] = None
                elif starts and (
                    (kind == "once" and not cycles[m])
                    or (kind == "repeat" and (metric != "next_response" or replied))
                ):
                    cycle = current[m] = _Cycle(len(cycles[m]), t, request, setting)
                    cycles[m].append(cycle)
            if code == _REPLY:
                replied = True
        return _Folded(timeline, cycles)

    def _evaluate(
        self, ticket: str, at: int, *, latest: bool
    ) -> dict[ClockMetric, list[_Evaluated]]:
        tk = self._ticket(ticket)
        upto = bisect_right(tk.times, at)
        found: dict[ClockMetric, list[_Evaluated]] = {}
        if upto == 0:
            return found
        folded = self._fold(tk, upto)
        quotes = self._quotes
        quotes.prefetch(
            (cycle.requests[-1][1], cycle.start, metric)
            for metric, cycles in zip(CLOCK_METRICS, folded.cycles, strict=True)
            for cycle in (cycles[-1:] if latest else cycles)
        )
        for metric, cycles in zip(CLOCK_METRICS, folded.cycles, strict=True):
            runs: list[_Evaluated] = []
            for cycle in reversed(cycles):
                deadlines = quotes.deadlines(cycle.requests[-1][1], cycle.start, metric)
                if deadlines is None:
                    continue
                rules = self._rules_of(cycle, deadlines)
                runs.append(_evaluate(metric, cycle, deadlines, folded.timeline, at, rules))
                if latest:
                    break
            if runs:
                runs.reverse()
                found[metric] = runs
        return found

    def _rules_of(self, cycle: _Cycle, deadlines: _Deadlines) -> tuple[RuleChange, ...]:
        zone = deadlines.line.zone
        if len(cycle.requests) == 1:
            return (RuleChange(_instant(cycle.start, zone), deadlines.rule),)
        changes: list[RuleChange] = []
        for since, request in cycle.requests:
            name = self._quotes.rule(request, cycle.start) or "<no rule>"
            if not changes or changes[-1].rule != name:
                changes.append(RuleChange(_instant(since, zone), name))
        return tuple(changes)


def _signature(found: Mapping[ClockMetric, list[_Evaluated]]) -> _Signature:
    out: _Signature = {}
    for metric, runs in found.items():
        s = runs[-1].status
        out[metric] = (s.state, s.cycle, s.rule, tuple(p.name for p in s.passed))
    return out


def _zone_of(
    found: Mapping[ClockMetric, list[_Evaluated]], before: _Signature, after: _Signature
) -> ZoneInfo:
    for metric, runs in found.items():
        if before.get(metric) != after.get(metric):
            zone = runs[-1].status.started_at.tzinfo
            if isinstance(zone, ZoneInfo):
                return zone
    return ZoneInfo("UTC")


# Events without a payload: their code (a reply's and a status's refined from the event).
_PLAIN_CODES: Final[Mapping[type, int]] = {
    CustomerMessage: _MESSAGE,
    AgentReply: _REPLY,
    StatusChanged: _STATUS_BASE,
    TicketReopened: _REOPENED,
}


def _decode(ticket: str, at: datetime, code: int, payload: object) -> Event:
    if code == _CREATED:
        request = cast("Request", payload)
        return TicketCreated(ticket=ticket, at=at, **request.model_dump(exclude_defaults=True))
    if code == _MESSAGE:
        return CustomerMessage(ticket=ticket, at=at)
    if code in (_REPLY, _NOTE):
        return AgentReply(ticket=ticket, at=at, public=code == _REPLY)
    if code == _REOPENED:
        return TicketReopened(ticket=ticket, at=at)
    if code == _PRIORITY:
        return PriorityChanged(ticket=ticket, at=at, priority=cast("str | None", payload))
    if code == _ATTRIBUTES:
        channel, segment, tags, items = cast("_Change", payload)
        return AttributesChanged(
            ticket=ticket,
            at=at,
            channel=channel,
            segment=segment,
            tags=tags,
            attributes=None if items is None else dict(items),
        )
    return StatusChanged(ticket=ticket, at=at, status=_STATUSES[code - _STATUS_BASE])


def _finalize(name: str, old: _Ticket | None, new: _Staged, source: str | None) -> _Ticket:
    """Merge `new` events into `old`, sort stably, drop exact duplicates, check the order.

    An event at the ``created`` instant counts after it, whatever the input order.
    """
    if old is None and _in_order(new):
        return _Ticket(new.times, bytes(new.codes), new.request, new.payloads)
    times = array("q")
    codes = bytearray()
    payloads: dict[int, object] = {}
    if old is not None:
        times.extend(old.times)
        codes.extend(old.codes)
        payloads[0] = old.request
        payloads.update(old.extra or {})
    lines = array("q", bytes(8 * len(times)))  # 0: an event of an earlier input
    offset = len(times)
    times.extend(new.times)
    codes.extend(new.codes)
    payloads.update({offset + i: p for i, p in new.all_payloads().items()})
    lines.extend(new.lines)
    order = sorted(range(len(times)), key=lambda i: (times[i], codes[i] != _CREATED))
    kept: list[int] = []
    group_time: int | None = None
    seen: set[tuple[int, object]] = set()
    for i in order:
        if times[i] != group_time:
            group_time = times[i]
            seen = set()
        key = (codes[i], payloads.get(i))
        if key in seen:
            continue
        seen.add(key)
        kept.append(i)
    created = [i for i in kept if codes[i] == _CREATED]
    if not created:
        raise EventError.at(
            source,
            min(new.lines),
            name,
            "no 'created' event for this ticket (an event needs one first)",
        )
    if len(created) > 1:
        second = max(created)  # the later one in input order
        first_line = lines[min(created)]
        where = f"line {first_line}" if first_line else "an earlier input"
        raise EventError.at(
            source, lines[second], name, f"a second 'created' event (the first is on {where})"
        )
    if kept[0] != created[0]:
        early = kept[0]
        problem = (
            f"an event at {_instant(times[early], UTC).isoformat()} comes before the ticket's "
            f"'created' event at {_instant(times[created[0]], UTC).isoformat()}"
        )
        raise EventError.at(source, lines[early] or None, name, problem)
    extra = {j: payloads[i] for j, i in enumerate(kept) if j and i in payloads}
    return _Ticket(
        array("q", (times[i] for i in kept)),
        bytes(codes[i] for i in kept),
        cast("int", payloads[kept[0]]),
        extra or None,
    )


def _in_order(new: _Staged) -> bool:
    """Tell whether a new ticket's events need no sorting and hold no duplicates.

    True when ``created`` comes first, only once, and the instants strictly increase
    (duplicates share an instant, so there can be none).
    """
    times = new.times
    return (
        new.created == 0
        and new.codes.count(_CREATED) == 1
        and all(a < b for a, b in pairwise(times))
    )
