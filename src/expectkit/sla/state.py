"""A ticket's SLA state as a value: apply one event at a time, ask where it stands.

:class:`TicketState` is the live twin of :class:`~expectkit.sla.clock.Clock`: a frozen
value holding one ticket's events in the clock's compact form. :meth:`TicketState.apply`
returns a new state (the old one is unchanged); :meth:`~TicketState.status` and
:meth:`~TicketState.next_deadline` fold the events with the clock's own fold, so a
state built one event at a time, in any arrival order, answers exactly as
:meth:`Clock.replay <expectkit.sla.clock.Clock.replay>` of the same events.

States of one policy share a :class:`~expectkit.sla.clock.Clock` as their engine (its
quote cache and its lock); the engine is not part of the value's JSON form, which
holds the ticket's events, the policy version and a format version.

>>> from datetime import datetime, UTC
>>> from expectkit.sla.clock import Clock
>>> from expectkit.promises.policy import Policy
>>> clock = Clock(Policy(rules=[{"name": "r", "first_response": {"promise": "4 hours"}}]))
>>> s0 = TicketState.empty("T1", clock)
>>> s1 = s0.apply({"ticket": "T1", "type": "created", "at": "2026-01-05T09:00:00Z",
...                "channel": "web"})
>>> s1.status(datetime(2026, 1, 5, 12, 30, tzinfo=UTC))["first_response"].state
'at_risk'
>>> due = s1.next_deadline(datetime(2026, 1, 5, 12, 30, tzinfo=UTC))
>>> due.at.isoformat(), due.metric, due.kind
('2026-01-05T13:00:00+00:00', 'first_response', 'target')
>>> TicketState.from_json(s1.to_json(), clock) == s1
True
"""

from __future__ import annotations

import hashlib
import json
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, cast

from expectkit._core.errors import EventError, PendingTicketError
from expectkit._core.frozen import FrozenDict
from expectkit.promises.metrics import CLOCK_METRICS, ClockMetric
from expectkit.promises.policy import Policy
from expectkit.sla.engine import _as_instant, _Engine, _hash_policy
from expectkit.sla.events import (
    AgentReply,
    Event,
    StatusChanged,
    _check_year,
    _EventBase,
    _instant,
    _us,
)
from expectkit.sla.folding import _Evaluated
from expectkit.sla.jsonl import _Reader
from expectkit.sla.staging import (
    _CREATED,
    _MESSAGE,
    _NOTE,
    _PLAIN_CODES,
    _REOPENED,
    _REPLY,
    _STATUS_BASE,
    _STATUS_CODE,
    _decode,
    _finalize,
    _Staged,
    _Ticket,
)
from expectkit.sla.statuses import MetricStatus

if TYPE_CHECKING:
    from expectkit.sla.clock import Clock

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

FORMAT: Final = "expectkit.ticket-state/2"
"""The format version written by :meth:`TicketState.to_json`."""

Outcome = Literal["applied", "duplicate", "pending"]
"""What applying one event did: used, an exact repeat (no change), or kept waiting for
the ticket's ``created`` event."""

DeadlineKind = Literal["at_risk", "escalation", "target", "promise", "event"]


class Deadline(NamedTuple):
    """The next instant something of a ticket is due (see :meth:`TicketState.next_deadline`).

    >>> Deadline(datetime(2026, 1, 5, tzinfo=UTC), "resolution", "promise").kind
    'promise'
    """

    at: datetime
    metric: ClockMetric | None
    kind: DeadlineKind


@dataclass(slots=True)
class IngestCounts:
    """Counts of an ingest; ``events_in == applied + duplicates + pending + rejected``.

    >>> c = IngestCounts(events_in=3, applied=1, duplicates=1, pending=1)
    >>> c.balanced
    True
    """

    events_in: int = 0
    applied: int = 0
    duplicates: int = 0
    pending: int = 0
    rejected: int = 0

    @property
    def balanced(self) -> bool:
        """Whether every event is counted once."""
        return self.events_in == self.applied + self.duplicates + self.pending + self.rejected

    def count(self, outcome: Outcome) -> None:
        """Count one event with `outcome`."""
        self.events_in += 1
        if outcome == "applied":
            self.applied += 1
        elif outcome == "duplicate":
            self.duplicates += 1
        else:
            self.pending += 1

    def as_dict(self) -> dict[str, int]:
        """Return the counts as a JSON-ready mapping."""
        return {
            "in": self.events_in,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "pending": self.pending,
            "rejected": self.rejected,
        }


def policy_version(policy: Policy) -> str:
    """Return a policy's version: a stable hash of its content (16 hex digits).

    >>> len(policy_version(Policy(rules=[{"name": "r", "resolution": {"promise": "1 day"}}])))
    16
    """
    return _hash_policy(policy)


def to_event(item: str | bytes | Mapping[str, Any] | _EventBase, line: int = 1) -> Event:
    """Validate one event given as a model, a mapping or a JSON line.

    Raises:
        EventError: An invalid event (the message names `line`).
        NaiveDatetimeError: An instant without a UTC offset.

    """
    if isinstance(item, str) and not item.strip():
        raise EventError.at(None, line, None, "a blank line is not an event")
    return _Reader([item]).event(line, item)


def event_id(event: Event) -> str:
    """Return the event's id: the one it carries, or a stable hash of its content.

    The hash covers every field but the id, with the instant in UTC microseconds, so
    the same event written with another offset has the same id.

    >>> a = to_event({"ticket": "T", "type": "reopened", "at": "2026-01-05T10:00:00+01:00"})
    >>> b = to_event({"ticket": "T", "type": "reopened", "at": "2026-01-05T09:00:00Z"})
    >>> event_id(a) == event_id(b), event_id(a)[:2]
    (True, 'h:')
    """
    if event.id is not None:
        return event.id
    data = event.model_dump(mode="json", exclude={"id", "at"})
    data["at"] = _us(event.at)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "h:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _code_of(clock: _Engine, event: Event) -> tuple[int, object]:
    code = _PLAIN_CODES.get(type(event))
    if code is None:
        return clock._encode(event, None, 1)
    if code == _REPLY and not cast("AgentReply", event).public:
        return _NOTE, None
    if code == _STATUS_BASE:
        return _STATUS_CODE[cast("StatusChanged", event).status], None
    return code, None


@dataclass(frozen=True, slots=True, eq=False)
class TicketState:
    """One ticket's events and the answers the clock's fold gives for them.

    Build one with :meth:`empty` and :meth:`apply`; two states are equal when they
    hold the same ticket, policy version and events (pending ones included).

    Applying an event later than every applied one costs O(1) amortized, whatever
    the ticket's history: states share their events' compact arrays, each seeing its
    own first events, and the newest state appends in place (an older state that
    takes another event copies first). The fold is kept too, so a status asked
    after an append folds only the new event. An event earlier than the latest is
    merged in order (a copy and a fresh fold). Events of a ticket whose
    ``created`` has not arrived are kept pending.

    >>> from expectkit.sla.clock import Clock
    >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 day"}}]))
    >>> s = TicketState.empty("T9", clock).apply(
    ...     {"ticket": "T9", "type": "reopened", "at": "2026-01-05T10:00:00Z"})
    >>> s.created, s.pending
    (False, 1)

    """

    ticket: str
    clock: Clock = field(repr=False)
    policy_version: str
    _tk: _Ticket | None = field(default=None, repr=False)
    _pending: tuple[tuple[int, int, object], ...] = field(default=(), repr=False)
    _n: int = field(default=-1, repr=False)  # events of `_tk` this state sees; -1: all

    def __post_init__(self) -> None:
        if self._n < 0:
            object.__setattr__(self, "_n", len(self._tk.times) if self._tk is not None else 0)

    # -- building ------------------------------------------------------------

    @classmethod
    def empty(cls, ticket: str, clock: Clock) -> TicketState:
        """Return the state of a ticket no event has reached yet."""
        return cls(ticket, clock, clock._policy_version())

    @property
    def created(self) -> bool:
        """Whether the ticket's ``created`` event has been applied."""
        return self._tk is not None

    @property
    def size(self) -> int:
        """How many events the state holds (pending ones included)."""
        return self._n + len(self._pending)

    @property
    def pending(self) -> int:
        """How many events wait for the ticket's ``created`` event."""
        return len(self._pending)

    @property
    def last_event_at(self) -> datetime | None:
        """The instant of the latest applied event (UTC), or None."""
        return None if self._tk is None else _instant(self._tk.times[self._n - 1], UTC)

    def _view(self) -> _Ticket | None:
        """Return the events this state sees (a copy if a newer state appended)."""
        tk, n = self._tk, self._n
        if tk is None or n == len(tk.times):
            return tk
        extra = None if tk.extra is None else {i: p for i, p in tk.extra.items() if i < n}
        return _Ticket(tk.times[:n], bytes(tk.codes[:n]), tk.request, extra or None)

    def apply(self, event: Event | Mapping[str, Any] | str | bytes) -> TicketState:
        """Return the state with `event` applied; this state is unchanged.

        Raises:
            EventError: The event is invalid, of another ticket, out of the supported
                years, before the ticket's ``created`` event, or a second ``created``.

        """
        return self.apply_counted(event)[0]

    def apply_counted(
        self, event: Event | Mapping[str, Any] | str | bytes
    ) -> tuple[TicketState, Outcome]:
        """Return the new state and what applying `event` did (see :data:`Outcome`)."""
        ev = event if isinstance(event, _EventBase) else to_event(event)
        if ev.ticket != self.ticket:
            problem = f"the event is of ticket {ev.ticket!r}, not of this state's"
            raise EventError.at(None, None, self.ticket, problem)
        at = _us(ev.at)
        _check_year(at, self.ticket, None, None)
        clock = self.clock
        with clock._lock:
            code, payload = _code_of(clock, ev)
        tk = self._tk
        if tk is None:
            if code != _CREATED:
                if (at, code, payload) in self._pending:
                    return self, "duplicate"
                new = (*self._pending, (at, code, payload))
                return TicketState(self.ticket, clock, self.policy_version, None, new), "pending"
            staged = _Staged()
            for t, c, p in self._pending:
                staged.add(t, c, p, 0)
            staged.add(at, code, payload, 1)
            done = _finalize(self.ticket, None, staged, None)
            # a clock of several policy versions counts the ticket under the one in
            # force at its creation, for its whole life
            engine = cast("Clock", clock._engine_for(done.times[0]))
            version = engine._policy_version()
            return TicketState(self.ticket, engine, version, done), "applied"
        n = self._n
        if at > tk.times[n - 1] and code != _CREATED:
            with clock._lock:
                if n != len(tk.times):  # a newer state appended: start a branch of our own
                    view = self._view()
                    assert view is not None
                    tk = view
                codes = tk.codes
                if not isinstance(codes, bytearray):
                    codes = bytearray(codes)
                    tk.codes = codes
                tk.times.append(at)
                codes.append(code)
                if payload is not None:
                    if tk.extra is None:
                        tk.extra = {}
                    tk.extra[n] = payload
            return TicketState(self.ticket, clock, self.policy_version, tk, (), n + 1), "applied"
        staged = _Staged()
        staged.add(at, code, payload, 1)
        done = _finalize(self.ticket, self._view(), staged, None)
        if len(done.times) == n:
            return self, "duplicate"
        return TicketState(self.ticket, clock, self.policy_version, done), "applied"

    def apply_all(self, events: Iterable[Event | Mapping[str, Any] | str | bytes]) -> TicketState:
        """Return the state with every event applied in turn."""
        state = self
        for event in events:
            state = state.apply(event)
        return state

    # -- questions -----------------------------------------------------------

    def _folded(self) -> _Ticket:
        if self._tk is None:
            problem = (
                f"{len(self._pending)} events of this ticket are pending: "
                "its 'created' event has not arrived"
            )
            raise PendingTicketError.at(None, None, self.ticket, problem)
        return self._tk

    def status(self, at: datetime) -> Mapping[ClockMetric, MetricStatus]:
        """Return where each metric stands at `at`, as :meth:`Clock.status` does.

        Raises:
            PendingTicketError: The ticket's ``created`` event has not arrived.
            NaiveDatetimeError: `at` has no UTC offset.

        """
        at_us = _as_instant(at)
        tk = self._folded()
        with self.clock._lock:
            found = self.clock._evaluate(tk, at_us, latest=True, n=self._n)
        return FrozenDict({m: runs[-1].status for m, runs in found.items()})

    def history(self, at: datetime) -> Mapping[ClockMetric, tuple[MetricStatus, ...]]:
        """Return every cycle of every metric at `at`, as :meth:`Clock.history` does."""
        at_us = _as_instant(at)
        tk = self._folded()
        with self.clock._lock:
            found = self.clock._evaluate(tk, at_us, latest=False, n=self._n)
        return FrozenDict({m: tuple(r.status for r in runs) for m, runs in found.items()})

    def _runs(self, at: datetime) -> Mapping[ClockMetric, list[_Evaluated]]:
        """Every cycle of every metric at `at`, with its paused stretches."""
        at_us = _as_instant(at)
        tk = self._folded()
        with self.clock._lock:
            return self.clock._evaluate(tk, at_us, latest=False, n=self._n)

    def next_deadline(self, at: datetime) -> Deadline | None:
        """Return the earliest instant after `at` at which something of the ticket is due.

        Candidates, for the latest cycle of each metric that runs (not stopped, not
        paused) at `at`: the at-risk instant and each escalation point (reached *at*
        their instant), the target and the promise (the deadline instant itself:
        they are missed at any instant after it), and the next applied event after
        `at`. Only instants strictly after `at` count, so asked exactly at a
        deadline the answer is the following one. None when nothing is due without
        new events. Ties go to the earlier metric in :data:`CLOCK_METRICS` order.

        Raises:
            PendingTicketError: The ticket's ``created`` event has not arrived.

        """
        at_us = _as_instant(at)
        tk = self._folded()
        with self.clock._lock:
            found = self.clock._evaluate(tk, at_us, latest=True, n=self._n)
        best: tuple[int, int, ClockMetric | None, DeadlineKind, datetime] | None = None
        order = {m: i for i, m in enumerate(CLOCK_METRICS)}
        for metric, runs in found.items():
            ev = runs[-1]
            s = ev.status
            zone = s.started_at.tzinfo or UTC
            target = _us(s.target_at) if s.target_at is not None else None
            breach = _us(s.breach_at) if s.breach_at is not None else None
            point = s.next_escalation
            point_us = _us(point.at) if point is not None and point.at is not None else None
            for change in ev.changes:
                kind: DeadlineKind
                if target is not None and change == target + 1:
                    when, kind = target, "target"
                elif breach is not None and change == breach + 1:
                    when, kind = breach, "promise"
                elif point_us is not None and change == point_us and point is not None:
                    when, kind = change, "at_risk" if point.name == "warn" else "escalation"
                else:
                    when, kind = change, "at_risk"
                if when <= at_us:
                    continue
                key = (when, order[metric])
                if best is None or key < best[:2]:
                    best = (when, order[metric], metric, kind, _instant(when, zone))
        after = bisect_right(tk.times, at_us, 0, self._n)
        following = tk.times[after] if after < self._n else None
        if following is not None and (best is None or following < best[0]):
            return Deadline(_instant(following, UTC), None, "event")
        if best is None:
            return None
        return Deadline(best[4], best[2], best[3])

    def events(self) -> tuple[Event, ...]:
        """Return the applied events, sorted, then the pending ones (instants in UTC)."""
        out: list[Event] = []
        if self._tk is not None:
            out.extend(self.clock._events_of(self.ticket, self._tk, self._n))
        for at, code, payload in self._pending:
            out.append(_decode(self.ticket, _instant(at, UTC), code, payload))
        return tuple(out)

    # -- value ---------------------------------------------------------------

    def _key(self) -> tuple[object, ...]:
        tk = self._tk
        n = self._n
        body = None if tk is None else (tk.times[:n].tobytes(), tk.codes[:n], self.events())
        return (self.ticket, self.policy_version, body, self._pending)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TicketState):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.ticket, self.policy_version, self.size))

    def to_json(self) -> str:
        """Return the state as JSON: format, ticket, policy version and events.

        Events are written compactly: their instants in UTC microseconds, and each
        one's kind (``customer_message``, ``agent_reply``, ``agent_note``,
        ``reopened``, ``status:NAME``) or, for events with fields (``created``,
        ``priority``, ``attributes``), the event itself. :meth:`from_json` reads it
        back to an equal state (and reads the first format, which lists events whole).
        """
        tk, n = self._tk, self._n
        kinds: list[object] = []
        if tk is not None:
            codes, names = tk.codes, _CODE_NAMES
            for i in range(n):
                name = names.get(codes[i])
                if name is None:
                    payload = tk.payload(i)
                    if codes[i] == _CREATED:
                        payload = self.clock._request_list[cast("int", payload)]
                    ev = _decode(self.ticket, _instant(tk.times[i], UTC), codes[i], payload)
                    kinds.append(json.loads(ev.to_json()))
                else:
                    kinds.append(name)
        pending = [
            json.loads(_decode(self.ticket, _instant(at, UTC), code, payload).to_json())
            for at, code, payload in self._pending
        ]
        data = {
            "format": FORMAT,
            "ticket": self.ticket,
            "policy_version": self.policy_version,
            "times": [] if tk is None else tk.times[:n].tolist(),
            "kinds": kinds,
            "pending": pending,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, clock: Clock) -> TicketState:
        """Read a state written by :meth:`to_json`, folding with `clock`.

        Raises:
            EventError: Not a state of this format, or made under another policy
                version than the clock's.

        """
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise EventError(f"ticket state: invalid JSON ({exc})") from exc
        found = data.get("format") if isinstance(data, dict) else None
        if found not in (FORMAT, _FORMAT_1):
            raise EventError(f"ticket state: format {found!r} is not {FORMAT!r}")
        version = str(data.get("policy_version"))
        engine = clock._engine_of_version(version)
        if engine is None:
            msg = (
                f"ticket state: made under policy version {data.get('policy_version')!r}, "
                f"the clock's is {clock._policy_version()!r}"
            )
            raise EventError(msg)
        clock = cast("Clock", engine)
        ticket = str(data["ticket"])
        try:
            if found == FORMAT:
                return cls._compact(ticket, clock, version, data)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise EventError(f"ticket state: {exc!r} in a state of format {FORMAT!r}") from exc
        staged = _Staged()
        pending: list[tuple[int, int, object]] = []
        with clock._lock:
            for line, item in enumerate(data["events"], start=1):
                ev = to_event(item, line)
                code, payload = _code_of(clock, ev)
                pending.append((_us(ev.at), code, payload))
                staged.add(_us(ev.at), code, payload, line)
        if staged.created < 0:
            return cls(ticket, clock, version, None, tuple(pending))
        return cls(ticket, clock, version, _finalize(ticket, None, staged, None))

    @classmethod
    def _compact(cls, ticket: str, clock: Clock, version: str, data: dict[str, Any]) -> TicketState:
        times = array("q", data["times"])
        kinds = data["kinds"]
        if len(kinds) != len(times):
            raise ValueError("as many kinds as times")
        codes = bytearray(len(times))
        extra: dict[int, object] = {}
        request = -1
        with clock._lock:
            for i, kind in enumerate(kinds):
                if isinstance(kind, str):
                    codes[i] = _NAME_CODES[kind]
                    continue
                ev = to_event(kind, i + 1)
                codes[i], payload = _code_of(clock, ev)
                if codes[i] == _CREATED:
                    request = cast("int", payload)
                elif payload is not None:
                    extra[i] = payload
            pending = []
            for line, item in enumerate(data["pending"], start=1):
                ev = to_event(item, line)
                code, payload = _code_of(clock, ev)
                pending.append((_us(ev.at), code, payload))
        if not times:
            return cls(ticket, clock, version, None, tuple(pending))
        if codes[0] != _CREATED or request < 0 or pending:
            raise ValueError("the first event is the ticket's created, nothing pending after")
        if any(a > b for a, b in pairwise(times)):
            raise ValueError("times in order")
        tk = _Ticket(times, codes, request, extra or None)
        return cls(ticket, clock, version, tk, (), len(times))


_FORMAT_1: Final = "expectkit.ticket-state/1"
_CODE_NAMES: Final[Mapping[int, str]] = {
    _MESSAGE: "customer_message",
    _REPLY: "agent_reply",
    _NOTE: "agent_note",
    _REOPENED: "reopened",
    **{code: f"status:{name}" for name, code in _STATUS_CODE.items()},
}
_NAME_CODES: Final[Mapping[str, int]] = {name: code for code, name in _CODE_NAMES.items()}
