"""The fold: per-ticket metric cycles, pauses and their evaluation into statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final, Literal, NamedTuple, cast

from expectkit.promises.metrics import CLOCK_METRICS, DEFAULT_TRIGGERS, ClockMetric
from expectkit.promises.rules import Rule
from expectkit.promises.targets import Target
from expectkit.sla.events import (
    _instant,
)
from expectkit.sla.quote_cache import _Deadlines, _Line
from expectkit.sla.staging import (
    _CREATED,
    _MESSAGE,
    _NOTE,
    _REPLY,
    _STATUSES,
)
from expectkit.sla.statuses import (
    EscalationPoint,
    MetricState,
    MetricStatus,
    RuleChange,
)

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

    __slots__ = (
        "best",
        "elapsed",
        "index",
        "requests",
        "settings",
        "start",
        "stop",
        "stop_open",
        "stops",
    )

    def __init__(self, index: int, start: int, request: int, settings: _Settings) -> None:
        self.index = index
        self.start = start
        self.stop: int | None = None
        self.stop_open: int | None = None  # cumulative metrics: stopped since (solved)
        self.stops: list[tuple[int, int]] = []  # cumulative metrics: solved stretches
        self.requests: list[tuple[int, int]] = [(start, request)]  # (since, request number)
        self.settings = settings
        self.elapsed: int | None = None  # once stopped: its running time, in µs
        self.best: int | None = None  # once it and all before stopped: the longest so far

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


class _Evaluated(NamedTuple):
    status: MetricStatus
    changes: tuple[int, ...]  # instants after `at` where the state or escalations change
    pauses: tuple[tuple[int, int | None], ...] = ()  # paused stretches; None: lasting


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
    running = line.measure(start, now)
    lost_time = sum(lost for _, _, lost in pauses)
    if paused:  # the lasting pause stops the count at its start
        lost_time += max(0, line.measure(max(pauses[-1][0], start), now))
    elapsed = max(0, running - lost_time)
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
        paused=timedelta(microseconds=max(0, min(lost_time, running))),
    )
    return _Evaluated(status, tuple(changes), tuple((p0, p1) for p0, p1, _ in pauses))
