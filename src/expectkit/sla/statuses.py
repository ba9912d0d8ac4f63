"""What the clock reports: per-metric statuses, rule changes, escalation points, replays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from expectkit.promises.metrics import ClockMetric

__all__ = ["EscalationPoint", "MetricState", "MetricStatus", "ReplayReport", "RuleChange"]

MetricState = Literal[
    "on_track", "at_risk", "target_missed", "breached", "paused", "met_target", "met_promise"
]
"""Where a metric stands: five running states (``breached`` also when stopped late)
and two stopped ones."""


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What one :meth:`Clock.replay` call read: nothing is dropped without a count.

    ``events_in == events_used + duplicates_ignored + pending`` always holds; blank
    lines of a JSON Lines input are not events and are counted apart.

    Attributes:
        events_in: Events read.
        events_used: Events kept (new to the clock).
        duplicates_ignored: Exact repeats of an event already kept (same ticket,
            type, instant and fields), in this input or an earlier one.
        tickets: Distinct tickets the input touched.
        blank_lines: Blank lines skipped.
        pending: Events of this input kept waiting: their ticket has no ``created``
            event yet (they are used when it arrives).
        released: Events of earlier inputs that were pending and are used now.

    >>> r = ReplayReport(events_in=10, events_used=9, duplicates_ignored=1, tickets=2)
    >>> str(r)
    '10 events in: 9 used, 1 duplicate ignored; 2 tickets'

    """

    events_in: int
    events_used: int
    duplicates_ignored: int
    tickets: int
    blank_lines: int = 0
    # Events waiting for their ticket's ``created``.
    pending: int = 0
    released: int = 0

    def __str__(self) -> str:
        plural = "" if self.duplicates_ignored == 1 else "s"
        text = (
            f"{self.events_in} events in: {self.events_used} used, "
            f"{self.duplicates_ignored} duplicate{plural} ignored; {self.tickets} tickets"
        )
        if self.pending:
            text += f"; {self.pending} pending (no 'created' yet)"
        if self.released:
            text += f"; {self.released} earlier pending used"
        if self.blank_lines:
            text += f"; {self.blank_lines} blank lines skipped"
        return text


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
        paused: Running time the cycle spent paused (and, for ``resolution``,
            ``requester_wait`` and ``agent_work``, solved before a reopen) up to the
            instant asked or the stop; a pause still lasting counts up to then.
        longest: For ``next_response``: the longest exchange so far, the greatest
            elapsed time of this cycle and every earlier one; None for the others.

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
    paused: timedelta = timedelta(0)
    longest: timedelta | None = None

    def _repr_html_(self) -> str | None:
        from expectkit.sla.views import metric_status_html

        return metric_status_html(self)

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
