"""The clock's engine: interning requests, encoding events, folding and evaluating a ticket.

:class:`~expectkit.sla.clock.Clock` (a collection of tickets) and
:class:`~expectkit.sla.state.TicketState` (one ticket as a value) both count with this
one engine, so they answer alike. A ticket's fold is kept (its cursor): asked again at
a later instant, only the events since are folded.
"""

from __future__ import annotations

import hashlib
import threading
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeAlias, cast
from zoneinfo import ZoneInfo

from expectkit._core.errors import EventError, PolicyError
from expectkit.promises.metrics import CLOCK_METRICS, ClockMetric
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Request
from expectkit.promises.windows import _utc
from expectkit.sla.events import (
    _US,
    AgentReply,
    AttributesChanged,
    Event,
    PriorityChanged,
    StatusChanged,
    TicketCreated,
    _instant,
    _us,
)
from expectkit.sla.folding import (
    _KINDS,
    _TRIGGERS_OF,
    _Cycle,
    _evaluate,
    _Evaluated,
    _Folded,
    _Settings,
    _settings,
)
from expectkit.sla.quote_cache import _Deadlines, _fraction, _Quotes
from expectkit.sla.staging import (
    _ATTRIBUTES,
    _CREATED,
    _NOTE,
    _PLAIN_CODES,
    _PRIORITY,
    _REOPENED,
    _REPLY,
    _STATUS_BASE,
    _STATUS_CODE,
    _STATUSES,
    _Change,
    _decode,
    _Ticket,
)
from expectkit.sla.statuses import RuleChange

__all__: list[str] = []


def _hash_policy(policy: Policy) -> str:
    text = policy.model_dump_json()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _as_instant(at: object, where: str = "at") -> int:
    return _us(_utc(at, where))  # aware, and in the supported years


_Signature: TypeAlias = dict[ClockMetric, tuple[str, int, str, tuple[str, ...]]]


class _Cursor:
    """A ticket's fold so far: the first `upto` events folded, ready to take more."""

    __slots__ = (
        "current",
        "cycles",
        "replied",
        "request",
        "settings",
        "status",
        "timeline",
        "upto",
    )

    def __init__(self, created: int, request: int, settings: tuple[_Settings, ...]) -> None:
        self.upto = 0
        self.status = "new"
        self.timeline: list[tuple[int, str]] = [(created, "new")]
        self.replied = False
        self.request = request
        self.settings = settings
        self.cycles: tuple[list[_Cycle], ...] = tuple([] for _ in CLOCK_METRICS)
        self.current: list[_Cycle | None] = [None] * len(CLOCK_METRICS)


class _Engine:
    """What a clock counts with: the policy, interned requests, quotes, the fold."""

    def __init__(self, policy: Policy, warn: float, cache_size: int) -> None:
        self._policy = policy
        self._warn = float(warn)
        # Requests are interned and named by number: tickets share them, caches key on them.
        self._requests: dict[Request, int] = {}
        self._request_list: list[Request] = []
        self._derived: dict[tuple[int, int, object], int] = {}
        self._quotes = _Quotes(policy, _fraction(float(warn)), cache_size, self._request_list)
        self._settings: dict[str | None, tuple[_Settings, ...]] = {}
        self._lock = threading.RLock()
        self._version: str | None = None

    # Clocks pickle and copy (to a worker, a cache); their lock does not, so a copy
    # gets a fresh one (Clock.__setstate__ shares it with its version engines again).
    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def _policy_version(self) -> str:
        if self._version is None:
            self._version = _hash_policy(self._policy)
        return self._version

    def _engine_for(self, created: int) -> _Engine:
        """Return the engine counting a ticket created at `created` (µs)."""
        del created
        return self

    def _engine_of_version(self, version: str) -> _Engine | None:
        """Return the engine of the policy version `version`, if this clock has it."""
        return self if version == self._policy_version() else None

    def _encode(self, event: Event, source: str | None, line: int) -> tuple[int, object]:
        if isinstance(event, PriorityChanged):
            self._check_known(event.ticket, source, line, priority=event.priority)
            return _PRIORITY, event.priority
        if isinstance(event, TicketCreated):
            self._check_channel(event.channel, event.ticket, source, line)
            request = event.request()
            self._check_known(event.ticket, source, line, request.priority, request.segment)
            return _CREATED, self._intern(request)
        if isinstance(event, AttributesChanged):
            if event.channel is not None:
                self._check_channel(event.channel, event.ticket, source, line)
            self._check_known(event.ticket, source, line, segment=event.segment)
            items = None if event.attributes is None else tuple(sorted(event.attributes.items()))
            change: _Change = (event.channel, event.segment, event.tags, items)
            return _ATTRIBUTES, change
        if isinstance(event, AgentReply):
            return (_REPLY if event.public else _NOTE), None
        if isinstance(event, StatusChanged):
            return _STATUS_CODE[event.status], None
        return _PLAIN_CODES[type(event)], None

    def _check_known(
        self,
        ticket: str,
        source: str | None,
        line: int,
        priority: str | None = None,
        segment: str | None = None,
    ) -> None:
        # Where a value enters: a typo would otherwise move the ticket to another rule.
        try:
            self._policy.check_values(priority, segment)
        except PolicyError as exc:
            raise EventError.at(source, line, ticket, str(exc)) from exc

    def _check_channel(self, channel: str, ticket: str, source: str | None, line: int) -> None:
        try:
            self._policy.channel(channel)
        except PolicyError as exc:
            raise EventError.at(source, line, ticket, str(exc)) from exc

    def _intern(self, request: Request) -> int:
        number = self._requests.get(request)
        if number is None:
            with self._lock:  # parsing threads intern requests too
                number = self._requests.get(request)
                if number is None:
                    number = self._requests[request] = len(self._request_list)
                    self._request_list.append(request)
        return number

    def _events_of(self, ticket: str, tk: _Ticket, n: int | None = None) -> tuple[Event, ...]:
        out: list[Event] = []
        n = len(tk.times) if n is None else n
        for i, (at_us, code) in enumerate(zip(tk.times[:n], tk.codes[:n], strict=True)):
            payload = tk.payload(i)
            if code == _CREATED:
                payload = self._request_list[cast("int", payload)]
            out.append(_decode(ticket, _instant(at_us, UTC), code, payload))
        return tuple(out)

    # -- questions ---------------------------------------------------------

    def _next_change(self, tk: _Ticket, cur: int, n: int | None = None) -> datetime | None:
        n = len(tk.times) if n is None else n
        found = self._evaluate(tk, cur, latest=True, n=n)
        before = _signature(found)
        for _ in range(100_000):
            candidates = [t for runs in found.values() for t in runs[-1].changes]
            following = bisect_right(tk.times, cur, 0, n)
            if following < n:
                candidates.append(tk.times[following])
            if not candidates:
                return None
            cur = min(candidates)
            found = self._evaluate(tk, cur, latest=True, n=n)
            after = _signature(found)
            if after != before:
                return _instant(cur, _zone_of(found, before, after))
        return None  # pragma: no cover - every step passes a deadline or an event

    # -- internals ---------------------------------------------------------

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
        """Fold the first `upto` events, continuing the ticket's kept fold when it can.

        The kept fold (the ticket's cursor) only moves forward: asked for fewer events
        than it holds, the ticket is folded afresh and the cursor stays.
        """
        cursor = tk.cursor
        if cursor is None or cursor.upto > upto:
            fresh = _Cursor(tk.times[0], tk.request, self._settings_for(tk.request, tk.times[0]))
            if cursor is None:
                tk.cursor = fresh
            cursor = fresh
        if cursor.upto < upto:
            self._advance(tk, cursor, upto)
        return _Folded(cursor.timeline, cursor.cycles)

    def _advance(self, tk: _Ticket, cursor: _Cursor, upto: int) -> None:
        times, codes = tk.times, tk.codes
        created = times[0]
        request, settings, status = cursor.request, cursor.settings, cursor.status
        timeline, replied = cursor.timeline, cursor.replied
        cycles, current = cursor.cycles, cursor.current
        for i in range(cursor.upto, upto):
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
        cursor.upto, cursor.request, cursor.settings = upto, request, settings
        cursor.status, cursor.replied = status, replied

    def _evaluate(
        self, tk: _Ticket, at: int, *, latest: bool, n: int | None = None
    ) -> dict[ClockMetric, list[_Evaluated]]:
        times = tk.times
        upto = bisect_right(times, at, 0, len(times) if n is None else n)
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
        offered = quotes.offered
        for metric, cycles in zip(CLOCK_METRICS, folded.cycles, strict=True):
            runs: list[_Evaluated] = []
            if metric not in offered:
                continue  # no rule promises it: no cycle has deadlines
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
                if metric == "next_response":
                    runs = self._longest(metric, cycles, runs, folded.timeline, at)
                found[metric] = runs
        return found

    def _longest(
        self,
        metric: ClockMetric,
        cycles: list[_Cycle],
        runs: list[_Evaluated],
        timeline: list[tuple[int, str]],
        at: int,
    ) -> list[_Evaluated]:
        """Set each run's longest exchange: the greatest elapsed time up to its cycle.

        Stopped cycles keep their elapsed time and the greatest so far, so a later
        poll reads them back instead of walking every earlier exchange.
        """
        out = list(runs)
        for i, run in enumerate(runs):
            k = run.status.cycle
            best = max(
                self._best_before(metric, cycles, k, timeline, at), run.status.elapsed // _US
            )
            out[i] = run._replace(status=replace(run.status, longest=timedelta(microseconds=best)))
        return out

    def _best_before(
        self,
        metric: ClockMetric,
        cycles: list[_Cycle],
        k: int,
        timeline: list[tuple[int, str]],
        at: int,
    ) -> int:
        j = k - 1
        while j >= 0 and cycles[j].best is None:
            j -= 1
        best = cast("int", cycles[j].best) if j >= 0 else 0
        keep = True  # every cycle walked so far stopped: what is found holds for good
        for cycle in cycles[j + 1 : k]:
            elapsed = cycle.elapsed
            if elapsed is None:
                d = self._quotes.deadlines(cycle.requests[-1][1], cycle.start, metric)
                if d is not None:
                    done = _evaluate(metric, cycle, d, timeline, at, self._rules_of(cycle, d))
                    elapsed = done.status.elapsed // _US
            if elapsed is not None:
                best = max(best, elapsed)
            keep = keep and cycle.stop is not None
            if keep:
                cycle.elapsed, cycle.best = elapsed if elapsed is not None else 0, best
        return best

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
