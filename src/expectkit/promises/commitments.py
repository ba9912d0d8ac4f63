"""What a quote returns: a :class:`MetricQuote` per metric, gathered in a :class:`Commitment`.

Both are frozen values. Their explanation (``steps``) is kept as a
:class:`~expectkit.promises.explanation.Trace` and made into steps only when read.

>>> from datetime import datetime, UTC
>>> from expectkit.policy import Policy
>>> from expectkit.promises.calculator import quote
>>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
>>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
>>> isinstance(c, Commitment), isinstance(c["resolution"], MetricQuote)
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from expectkit._core.errors import InputTypeError, PolicyError
from expectkit._core.frozen import FrozenDict
from expectkit.promises.explanation import Step, Trace, _show
from expectkit.promises.metrics import Metric
from expectkit.promises.rules import Request
from expectkit.promises.windows import Window
from expectkit.time.schedule import Schedule

__all__ = ["Commitment", "MetricQuote"]


@dataclass(frozen=True, slots=True)
class MetricQuote:
    """The quote for one metric: the told range and time, the aim, and how they were found.

    For ``direction="after"`` (the usual case) ``start <= target_at <=
    exact_promised_at <= promised_at``. For a lead time (``direction="before"``)
    ``promised_range`` lies before the quoted instant, ``promised_at`` is the latest
    moment to act (rounded earlier, never later than the exact deadline) and the
    target lies at or before it.

    Attributes:
        metric: The metric quoted.
        rule: Name of the rule that set it.
        channel: The channel it was quoted as (after any offline fallback).
        clock: ``business`` or ``calendar``: what the promise counts.
        schedule: The hours the metric counts on (on the calendar clock, its zone).
        promise: The told window as the policy writes it (None when a buffer derives
            the promise from a target).
        direction: ``after`` or ``before`` the quoted instant.
        requested_at: The quoted instant.
        start: Where counting started (the next opening on the business clock).
        promised_range: Exact earliest and latest due instants of the told window.
        exact_promised_at: The exact promise (the range's end that binds).
        promised_at: The customer-facing promise, rounded outward.
        target_range: Exact ends of the internal aim.
        target_at: The internal aim, never rounded.
        steps: The explanation, step by step.

    >>> from datetime import datetime, UTC
    >>> from expectkit.policy import Policy
    >>> from expectkit.promises.calculator import quote
    >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "3-5 hours"}}],
    ...                 rounding="1h")
    >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, 20, tzinfo=UTC))
    >>> print(q["resolution"].explain())  # doctest: +NORMALIZE_WHITESPACE
    resolution: rule 'all'
      policy: the policy is in force at Mon 2026-01-05 09:20 UTC
      rule: rule 'all' (rules[0]) is the first rule in force matching the request
            on channel 'web'
      clock: calendar clock in UTC (no business hours)
      start: counting starts at the request, Mon 2026-01-05 09:20 UTC
      window: promise '3-5 hours' runs from Mon 2026-01-05 12:20 UTC
              to Mon 2026-01-05 14:20 UTC
      target: no target or buffer: the team aims for the exact promise,
              Mon 2026-01-05 14:20 UTC
      rounding: rounding '1h' moves the told time from Mon 2026-01-05 14:20 UTC
                to Mon 2026-01-05 15:00 UTC
      promised Mon 2026-01-05 15:00 UTC; aiming for Mon 2026-01-05 14:20 UTC

    """

    metric: Metric
    rule: str
    channel: str
    clock: Literal["business", "calendar"]
    schedule: Schedule
    promise: Window | None
    direction: Literal["after", "before"]
    requested_at: datetime
    start: datetime
    promised_range: tuple[datetime, datetime]
    exact_promised_at: datetime
    promised_at: datetime
    target_range: tuple[datetime, datetime]
    target_at: datetime
    _trace: Trace = field(repr=False)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The explanation, step by step (made when first read).

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> from expectkit.promises.calculator import quote
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> [step.kind for step in q["resolution"].steps][-2:]
        ['target', 'rounding']
        """
        return self._trace.steps()

    def _repr_html_(self) -> str | None:
        from expectkit.promises.html import metric_quote_html

        return metric_quote_html(self)

    def explain(self) -> str:
        """Return the explanation as text: one line per step, then the result.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> from expectkit.promises.calculator import quote
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> print(q["resolution"].explain().splitlines()[-1])
          promised Mon 2026-01-05 11:00 UTC; aiming for Mon 2026-01-05 11:00 UTC
        """
        lines = [f"{self.metric}: rule {self.rule!r}"]
        lines += [f"  {step.kind}: {step.text}" for step in self.steps]
        lines.append(f"  promised {_show(self.promised_at)}; aiming for {_show(self.target_at)}")
        return "\n".join(lines)

    def in_zone(self, tz: str | ZoneInfo) -> MetricQuote:
        """Return the same quote with every instant shown in `tz`.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> from expectkit.promises.calculator import quote
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> print(q["resolution"].in_zone("America/New_York").promised_at)
        2026-01-05 06:00:00-05:00
        """
        zone = _zone(tz)

        def move(t: datetime) -> datetime:
            return t.astimezone(zone)

        return replace(
            self,
            requested_at=move(self.requested_at),
            start=move(self.start),
            promised_range=(move(self.promised_range[0]), move(self.promised_range[1])),
            exact_promised_at=move(self.exact_promised_at),
            promised_at=move(self.promised_at),
            target_range=(move(self.target_range[0]), move(self.target_range[1])),
            target_at=move(self.target_at),
            _trace=Trace.of(tuple(step.in_zone(zone) for step in self.steps)),
        )


@dataclass(frozen=True, slots=True)
class Commitment:
    """Everything promised for one request: a :class:`MetricQuote` per metric of the rule.

    ``commitment["first_response"]`` is short for ``commitment.metrics["first_response"]``.

    Attributes:
        request: The request as quoted (before any offline fallback).
        requested_at: The quoted instant.
        policy: The name of the policy in force (None if it has none).
        rule: Name of the matched rule.
        channel: The channel quoted (the offline channel if the live one was closed).
        metrics: One quote per metric the rule sets.
        steps: The steps shared by every metric (policy, channel, rule).

    >>> from datetime import datetime, UTC
    >>> from expectkit.policy import Policy
    >>> from expectkit.promises.calculator import quote
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1 hour"},
    ...                         "resolution": {"promise": "1-2 days"}}])
    >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> c.rule, list(c.metrics), str(c["resolution"].promised_at)
    ('all', ['first_response', 'resolution'], '2026-01-07 09:00:00+00:00')

    """

    request: Request
    requested_at: datetime
    policy: str | None
    rule: str
    channel: str
    metrics: Mapping[Metric, MetricQuote]
    _trace: Trace = field(repr=False)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps shared by every metric: policy, channel, rule (made when first read).

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> from expectkit.promises.calculator import quote
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> [step.kind for step in c.steps]
        ['policy', 'rule']
        """
        return self._trace.steps()

    def __getitem__(self, metric: Metric) -> MetricQuote:
        return self.metrics[metric]

    def _repr_html_(self) -> str | None:
        from expectkit.promises.html import commitment_html

        return commitment_html(self)

    def explain(self) -> str:
        """Return every metric's explanation, one block each.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> from expectkit.promises.calculator import quote
        >>> policy = Policy(rules=[{"name": "all", "follow_up": {"promise": "1 week"}}])
        >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
        >>> print(c.explain().splitlines()[-1])
          promised Mon 2026-01-12 09:00 UTC; aiming for Mon 2026-01-12 09:00 UTC
        """
        return "\n".join(q.explain() for q in self.metrics.values())

    def in_zone(self, tz: str | ZoneInfo | None = None) -> Commitment:
        """Return the same commitment with every instant shown in `tz`.

        Without `tz`, the request's ``customer_tz`` is used.

        Raises:
            PolicyError: No zone is given and the request has no ``customer_tz``.

        >>> from datetime import datetime, UTC
        >>> from expectkit.policy import Policy
        >>> from expectkit.promises.calculator import quote
        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "2 hours"}}])
        >>> request = {"channel": "web", "customer_tz": "Asia/Tokyo"}
        >>> c = quote(policy, request, at=datetime(2026, 1, 5, 9, tzinfo=UTC)).in_zone()
        >>> print(c["resolution"].promised_at)
        2026-01-05 20:00:00+09:00

        """
        if tz is None:
            tz = self.request.customer_tz
            if tz is None:
                msg = "in_zone: give a zone; the request has no customer_tz"
                raise PolicyError(msg)
        zone = _zone(tz)
        return replace(
            self,
            requested_at=self.requested_at.astimezone(zone),
            metrics=FrozenDict({m: q.in_zone(zone) for m, q in self.metrics.items()}),
            _trace=Trace.of(tuple(step.in_zone(zone) for step in self.steps)),
        )


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        raise InputTypeError.for_value(tz, "tz", "an IANA zone name or ZoneInfo")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"tz: {tz!r} is not an IANA time zone such as 'Europe/Oslo'"
        raise PolicyError(msg) from exc
