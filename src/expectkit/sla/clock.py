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

>>> from datetime import UTC, datetime
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

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import cast

from expectkit._core.errors import (
    EventError,
    InputTypeError,
    PendingTicketError,
    PolicyError,
)
from expectkit._core.frozen import FrozenDict
from expectkit.promises.metrics import ClockMetric
from expectkit.promises.policy import Policy
from expectkit.sla.engine import _as_instant, _Engine
from expectkit.sla.events import (
    _EPOCH,
    _US,
    AgentReply,
    Event,
    StatusChanged,
    _check_year,
    _instant,
)
from expectkit.sla.jsonl import EventSource, _Reader
from expectkit.sla.staging import (
    _NOTE,
    _PLAIN_CODES,
    _REPLY,
    _STATUS_BASE,
    _STATUS_CODE,
    _finalize,
    _Pending,
    _Staged,
    _Ticket,
)
from expectkit.sla.state import TicketState
from expectkit.sla.statuses import MetricStatus, ReplayReport

__all__ = ["Clock"]


class Clock(_Engine):
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

    A clock is safe to share between threads: one lock guards its events and caches
    (replays still parse their input in parallel; only merging and answering take turns).
    Events of a ticket whose ``created`` event has not arrived yet are kept as pending
    (:attr:`pending`) and used once it arrives; they never block other tickets.

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

    def __init__(
        self, policy: Policy | Sequence[Policy], *, warn: float = 0.75, cache_size: int = 100_000
    ) -> None:
        versions = _versions(policy)
        if isinstance(warn, bool) or not isinstance(warn, int | float) or not 0 < warn <= 1:
            msg = f"warn: {warn!r} must be a share above 0 and at most 1 (e.g. 0.75)"
            raise PolicyError(msg)
        if isinstance(cache_size, bool) or not isinstance(cache_size, int):
            raise InputTypeError.for_value(cache_size, "cache_size", "a whole number of quotes")
        if cache_size < 1:
            msg = (
                f"cache_size: {cache_size!r} must be at least 1 (the default keeps 100_000 "
                "quotes; a small cache is slower, never wrong)"
            )
            raise PolicyError(msg)
        super().__init__(versions[-1], warn, cache_size)
        self._tickets: dict[str, TicketState] = {}
        self._pending: dict[str, _Pending] = {}
        self._versions = versions
        self._engines: tuple[Clock, ...] = (self,)
        if len(versions) > 1:
            self._engines = (*(self._sharing(v, cache_size) for v in versions[:-1]), self)

    def __setstate__(self, state: dict[str, object]) -> None:
        super().__setstate__(state)
        for engine in self._engines:
            engine._lock = self._lock

    def _sharing(self, version: Policy, cache_size: int) -> Clock:
        """Return a clock of one version sharing this one's requests and lock."""
        engine = Clock(version, warn=self._warn, cache_size=cache_size)
        engine._requests, engine._request_list = self._requests, self._request_list
        engine._quotes.requests = self._request_list
        engine._derived, engine._lock = self._derived, self._lock
        return engine

    @property
    def versions(self) -> tuple[Policy, ...]:
        """The policy versions the clock counts with, by effective date (:attr:`policy` last).

        A ticket counts under the version in force at its ``created`` instant (the
        latest ``effective_from`` among those in force, as :func:`quote` picks), for its
        whole life; where none is in force, it has no metrics.

        >>> from datetime import datetime, UTC
        >>> old = Policy(rules=[{"name": "old", "resolution": {"promise": "1 week"}}])
        >>> new = Policy(rules=[{"name": "new", "resolution": {"promise": "2 days"}}],
        ...              effective_from=datetime(2026, 6, 1, tzinfo=UTC))
        >>> clock = Clock([new, old])
        >>> [p.rules[0].name for p in clock.versions]
        ['old', 'new']
        >>> _ = clock.replay([
        ...     {"ticket": "A", "type": "created", "at": "2026-05-31T09:00Z", "channel": "web"},
        ...     {"ticket": "B", "type": "created", "at": "2026-06-01T09:00Z", "channel": "web"},
        ... ])
        >>> at = datetime(2026, 6, 2, tzinfo=UTC)
        >>> clock.status("A", at)["resolution"].rule, clock.status("B", at)["resolution"].rule
        ('old', 'new')
        """
        return self._versions

    def _engine_for(self, created: int) -> _Engine:
        if len(self._engines) == 1:
            return self
        at = _instant(created, UTC)
        found = [e for e in self._engines if e._policy.in_force(at)]
        if not found:
            return self
        return max(
            found,
            key=lambda e: (e._policy.effective_from is not None, e._policy.effective_from or at),
        )

    def _engine_of_version(self, version: str) -> _Engine | None:
        return next((e for e in self._engines if e._policy_version() == version), None)

    def _check_known(
        self,
        ticket: str,
        source: str | None,
        line: int,
        priority: str | None = None,
        segment: str | None = None,
    ) -> None:
        # With several versions, a value one of them knows is known.
        for engine in self._engines[:-1]:
            try:
                _Engine._check_known(engine, ticket, source, line, priority, segment)
            except EventError:
                continue
            return
        super()._check_known(ticket, source, line, priority, segment)

    def _check_channel(self, channel: str, ticket: str, source: str | None, line: int) -> None:
        for engine in self._engines[:-1]:
            try:
                _Engine._check_channel(engine, channel, ticket, source, line)
            except EventError:
                continue
            return
        super()._check_channel(channel, ticket, source, line)

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

    def _repr_html_(self) -> str | None:
        from expectkit.sla.views import clock_html

        return clock_html(self)

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
        >>> clock.replay([{"ticket": "B", "type": "reopened", "at": "1899-01-05T09:00:00Z"}])
        Traceback (most recent call last):
        expectkit.errors.EventError: line 1, ticket 'B': at: 1899-01-05T09:00:00+00:00 is ...

        """
        reader = _Reader(events)
        staged: dict[str, _Staged] = {}
        count = 0
        encode, plain = self._encode, _PLAIN_CODES
        for line, item in reader:
            # JSON lines take pydantic's parser when that is as strict (see _Reader.fast);
            # anything else, or any doubt, the strict reader.
            fast = reader.fast(item) if type(item) is str else None
            event = fast if fast is not None else reader.event(line, item)
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
            at_us = (event.at - _EPOCH) // _US
            _check_year(at_us, event.ticket, reader.source, line)
            ticket.add(at_us, code, payload, line)
        with self._lock:
            return self._merge(staged, count, reader)

    # Merging under the lock, and tickets whose ``created`` has not arrived.
    def _merge(self, staged: dict[str, _Staged], count: int, reader: _Reader) -> ReplayReport:
        merged: dict[str, TicketState] = {}
        waiting: dict[str, _Pending] = {}
        released: list[str] = []
        used = pending = freed = 0
        touched = len(staged)
        for name in list(staged):
            new = staged.pop(name)  # free as we go: the peak stays near the kept size
            state = self._tickets.get(name)
            old = None if state is None else state._view()
            earlier = self._pending.get(name)
            if old is None and new.created < 0:
                held = waiting[name] = earlier.copy() if earlier is not None else _Pending()
                pending += held.add_all(new)
                continue
            if earlier is not None:
                new = earlier.staged(new)
                released.append(name)
            done = _finalize(name, old, new, reader.source)
            if state is not None:
                engine = state.clock
            else:
                engine = cast("Clock", self._engine_for(done.times[0]))
            version = engine._policy_version()
            merged[name] = TicketState(name, engine, version, done, (), len(done.times))
            kept = len(done.times) - (len(old.times) if old is not None else 0)
            if earlier is not None:
                kept -= len(earlier.times)
                freed += len(earlier.times)
            used += kept
        self._tickets.update(merged)
        self._pending.update(waiting)
        for name in released:
            del self._pending[name]
        return ReplayReport(
            count, used, count - used - pending, touched, reader.blank, pending, freed
        )

    @property
    def pending(self) -> Mapping[str, int]:
        """Tickets whose events wait for their ``created`` event, with how many wait.

        >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]))
        >>> str(clock.replay([{"ticket": "B", "type": "reopened", "at": "2026-01-05T09:00:00Z"}]))
        "1 events in: 0 used, 0 duplicates ignored; 1 tickets; 1 pending (no 'created' yet)"
        >>> dict(clock.pending)
        {'B': 1}
        """
        with self._lock:
            return FrozenDict({k: len(v.times) for k, v in self._pending.items()})

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
        with self._lock:
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
        with self._lock:
            return self._state(ticket).events()

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
        _as_instant(at)  # a bad instant is the first thing said, whatever the ticket
        with self._lock:
            return self._state(ticket).status(at)

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
        _as_instant(at)
        with self._lock:
            return self._state(ticket).history(at)

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
        with self._lock:
            state = self._state(ticket)
            return state.clock._next_change(state._folded(), cur, state._n)

    def state(self, ticket: str) -> TicketState:
        """Return the ticket's state: the value the clock keeps for it (see :class:`TicketState`).

        Applying events to it gives new states; the clock keeps its own.

        Raises:
            EventError: The clock has no events for `ticket`.
            PendingTicketError: Its ``created`` event has not arrived.

        >>> clock = Clock(Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]))
        >>> _ = clock.replay([{"ticket": "H", "type": "created", "at": "2026-01-05T09:00:00Z",
        ...                    "channel": "web"}])
        >>> clock.state("H").size
        1

        """
        with self._lock:
            return self._state(ticket)

    def _ticket(self, ticket: str) -> _Ticket:
        return self._state(ticket)._folded()

    def _state(self, ticket: str) -> TicketState:
        found = self._tickets.get(ticket)
        if found is None:
            waiting = self._pending.get(ticket)
            if waiting is not None:
                problem = (
                    f"{len(waiting.times)} events of this ticket are pending: "
                    "its 'created' event has not arrived"
                )
                raise PendingTicketError.at(None, None, ticket, problem)
            raise EventError.at(None, None, ticket, "the clock has no events for this ticket")
        return found


def _versions(policy: object) -> tuple[Policy, ...]:
    """Return the policy, or its versions by effective date (an unbounded one first)."""
    if isinstance(policy, Policy):
        return (policy,)
    if isinstance(policy, str | bytes) or not isinstance(policy, Sequence) or not policy:
        raise InputTypeError.for_value(policy, "policy", "Policy or a list of its versions")
    for i, version in enumerate(policy):
        if not isinstance(version, Policy):
            raise InputTypeError.for_value(version, f"policy[{i}]", "Policy")
    starts = [p.effective_from for p in policy]
    if len(set(starts)) != len(starts):
        msg = "policy: two versions take effect at the same instant; give each its own"
        raise PolicyError(msg)
    first = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(policy, key=lambda p: p.effective_from or first))
