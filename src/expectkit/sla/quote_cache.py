"""The clock's cache of quotes and deadlines per rule, clock and start."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta
from fractions import Fraction
from typing import Any, Final, NamedTuple, cast

from expectkit._core.errors import (
    PolicyError,
)
from expectkit.promises.calculator import MetricQuote, quote
from expectkit.promises.metrics import ClockMetric
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Request, Rule
from expectkit.promises.targets import Target
from expectkit.sla.events import (
    _US,
    _instant,
    _us,
)
from expectkit.time.schedule import Schedule


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
