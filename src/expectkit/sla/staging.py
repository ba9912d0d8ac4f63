"""Replay staging: events encoded one byte each, staged per ticket, finalized in order."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Final, TypeAlias, cast, get_args

from expectkit._core.errors import (
    EventError,
)
from expectkit.promises.metrics import Scalar, TicketStatus
from expectkit.promises.rules import Request
from expectkit.sla.events import (
    AgentReply,
    AttributesChanged,
    CustomerMessage,
    Event,
    PriorityChanged,
    StatusChanged,
    TicketCreated,
    TicketReopened,
    _instant,
)

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


# A ticket's events waiting for its ``created``.
class _Pending:
    """Distinct events of a ticket without a ``created`` event yet, from earlier inputs."""

    __slots__ = ("keys", "times")

    def __init__(self) -> None:
        self.times: list[int] = []
        self.keys: list[tuple[int, object]] = []

    def copy(self) -> _Pending:
        out = _Pending()
        out.times = list(self.times)
        out.keys = list(self.keys)
        return out

    def add_all(self, new: _Staged) -> int:
        """Keep `new`'s events not kept yet; return how many were new."""
        seen = set(zip(self.times, self.keys, strict=True))
        added = 0
        for i, at in enumerate(new.times):
            key = (new.codes[i], (new.payloads or {}).get(i))
            if (at, key) in seen:
                continue
            seen.add((at, key))
            self.times.append(at)
            self.keys.append(key)
            added += 1
        return added

    def staged(self, new: _Staged) -> _Staged:
        """Return these events (as of an earlier input: line 0) followed by `new`'s."""
        out = _Staged()
        for at, (code, payload) in zip(self.times, self.keys, strict=True):
            out.add(at, code, payload, 0)
        payloads = new.all_payloads()
        for i, at in enumerate(new.times):
            out.add(at, new.codes[i], payloads.get(i), new.lines[i])
        return out


class _Ticket:
    """One ticket's events, sorted by time, in about ten bytes an event.

    ``codes[0]`` is the ``created`` event and ``request`` the clock's number for its
    request; ``extra`` maps the index of a priority or attributes change to its
    payload (None when there are none, as for most tickets).
    """

    __slots__ = ("codes", "cursor", "extra", "request", "times")

    def __init__(
        self,
        times: array[int],
        codes: bytes | bytearray,
        request: int,
        extra: dict[int, object] | None,
    ) -> None:
        self.times = times
        self.codes: bytes | bytearray = codes  # a bytearray once appended to in place
        self.request = request
        self.extra = extra
        self.cursor: Any = None  # the engine's kept fold of the first events

    def payload(self, index: int) -> object:
        if index == 0:
            return self.request
        return self.extra.get(index) if self.extra is not None else None


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
