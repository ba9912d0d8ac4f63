"""Attainment, calibration and what-if analysis of a promise policy over ticket history.

"Never promise what you cannot deliver" needs numbers: how often was the word kept,
and what should be promised? This module answers from a **history table**, a pandas
``DataFrame`` with one row per ticket:

* ``created`` and one column per measured metric — by default ``first_reply`` for
  ``first_response`` and ``resolved`` for ``resolution`` — holding **tz-aware**
  timestamps (``NaT`` where the ticket has no such event yet);
* ``channel``, and whatever the policy's rules match on: ``priority``, ``segment``,
  ``tags`` (a comma-separated string or a list per row) and custom attribute columns.

Three questions, each vectorized over the whole table:

* :func:`attainment` — per ticket and metric, the promise the policy would have made
  (exactly what :func:`~expectkit.quote` gives), and whether the answer came by the
  target (``met_target``), by the told promise (``met_promise``) or later
  (``breached``); summarized per channel, rule and metric, with business-time
  percentiles, and week by week.
* :func:`calibrate` — the smallest human-sized promise (``"4 business hours"``,
  ``"2 business days"``) that at least a share ``p`` of history would have met, per
  channel and priority, with the target a buffer implies; :func:`promise_share` is
  the reverse: the share of history a candidate promise would have met.
* :func:`compare` — a candidate policy against the current one on the same history:
  attainment side by side and the tickets whose outcome flips.

Rules of the analysis:

* Deadlines are inclusive: an answer at the due instant meets it.
* A promise is held to the **told** time (``promised_at``, rounded outward), the
  target to ``target_at``; both exactly as :func:`~expectkit.quote` computes them at
  the metric's start instant (live channels closed then are quoted as their
  ``offline`` channel, rules and policy versions must be in force then).
* A ticket without an answer is ``breached`` once its promise lies before ``as_of``
  (default: ``history.attrs["as_of"]``, else the latest timestamp in the history),
  else ``open``; open tickets count in no share.
* Response times are measured on the metric's clock: open time of its schedule for a
  business clock, elapsed time for a calendar clock. Percentiles are the smallest
  observed value at or below which at least that share of answers lie (no
  interpolation), the same reading calibration uses.
* Lead times (targets with ``direction: before``) are not measured, and pauses
  (``pending``, ``on_hold``) are not in a history table of timestamps; replay ticket
  events with :mod:`expectkit.clock` for those.

>>> from expectkit.history import example_policy, synthetic_history
>>> history = synthetic_history(2_000, seed=1)
>>> result = attainment(history, example_policy())
>>> sorted(result.records["outcome"].unique())
['breached', 'met_promise', 'met_target', 'open']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    msg = "expectkit.analysis needs pandas; install it with: pip install 'expectkit[pandas]'"
    raise ImportError(msg) from exc

from expectkit._html import frame_html
from expectkit._vectorquote import (
    _DAY_US,
    _FIXED_US,
    _NAT,
    _SAFE,
    _UNMATCHED_REASONS,
    _US,
    _buffer_target,
    _codes,
    _column_us,
    _counting_start,
    _fall_back,
    _from_us,
    _instant_us,
    _ints,
    _measure,
    _quote_target,
    _Route,
    _route,
    _wall_us,
)

# Re-exported: the tests hold them against the scalar Duration and Rounding.
from expectkit._vectorquote import _apply as _apply
from expectkit._vectorquote import _round_up as _round_up
from expectkit.buffers import Buffer
from expectkit.errors import InputTypeError, PolicyError
from expectkit.policy import METRICS, Match, Metric, Policy, Request, Rule
from expectkit.schedule import Schedule
from expectkit.windows import BusinessDayMode, ClockName, Duration, Window

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_COLUMNS",
    "HUMAN_PROMISES",
    "OUTCOMES",
    "Attainment",
    "Calibration",
    "Outcome",
    "WhatIf",
    "attainment",
    "calibrate",
    "compare",
    "promise_share",
]

Outcome = Literal["met_target", "met_promise", "breached", "open"]
"""What became of one promise: kept with the target, kept with the promise, broken, open."""

OUTCOMES: Final[tuple[Outcome, ...]] = get_args(Outcome)
"""Every outcome, best first."""

DEFAULT_COLUMNS: Final[Mapping[Metric, tuple[str, str]]] = {
    "first_response": ("created", "first_reply"),
    "resolution": ("created", "resolved"),
}
"""The history columns (start, stop) measured for each metric unless told otherwise."""

HUMAN_PROMISES: Final[Mapping[ClockName, tuple[str, ...]]] = {
    "business": (
        "30 business seconds",
        "1 business minute",
        "2 business minutes",
        "5 business minutes",
        "10 business minutes",
        "15 business minutes",
        "30 business minutes",
        "1 business hour",
        "2 business hours",
        "3 business hours",
        "4 business hours",
        "6 business hours",
        "8 business hours",
        "1 business day",
        "2 business days",
        "3 business days",
        "4 business days",
        "5 business days",
        "7 business days",
        "10 business days",
        "15 business days",
        "20 business days",
    ),
    "calendar": (
        "30 seconds",
        "1 minute",
        "2 minutes",
        "5 minutes",
        "10 minutes",
        "15 minutes",
        "30 minutes",
        "1 hour",
        "2 hours",
        "3 hours",
        "4 hours",
        "6 hours",
        "8 hours",
        "12 hours",
        "24 hours",
        "48 hours",
        "72 hours",
        "5 days",
        "1 week",
        "2 weeks",
        "1 month",
    ),
}
"""The promises :func:`calibrate` tries, shortest first, per clock: what a person says."""

_NONE: Final = "(none)"

# ---------------------------------------------------------------------------
# Attainment
# ---------------------------------------------------------------------------


def _metric_columns(
    history: pd.DataFrame, metrics: Mapping[str, str | tuple[str, str]] | Iterable[str] | None
) -> dict[Metric, tuple[str, str]]:
    if metrics is None:
        return {m: cols for m, cols in DEFAULT_COLUMNS.items() if cols[1] in history.columns}
    if isinstance(metrics, Mapping):
        pairs = dict(metrics)
    else:
        pairs = {}
        for name in metrics:
            if name not in DEFAULT_COLUMNS:
                raise InputTypeError.for_value(
                    name, "metrics", "a mapping {metric: (start column, stop column)}"
                )
            pairs[name] = DEFAULT_COLUMNS[cast("Metric", name)]
    result: dict[Metric, tuple[str, str]] = {}
    for name, cols in pairs.items():
        if name not in METRICS:
            raise InputTypeError.for_value(name, "metrics", f"one of {', '.join(METRICS)}")
        pair = ("created", cols) if isinstance(cols, str) else tuple(cols)
        if len(pair) != 2:
            raise InputTypeError.for_value(cols, f"metrics[{name!r}]", "(start, stop) columns")
        result[cast("Metric", name)] = (str(pair[0]), str(pair[1]))
    return result


def _default_as_of(history: pd.DataFrame, columns: Iterable[str]) -> int:
    latest = _NAT
    for name in dict.fromkeys(columns):
        values = _column_us(history, name)
        valid = values[values != _NAT]
        if len(valid):
            latest = max(latest, int(valid.max()))
    return latest


def _category(values: Sequence[str], codes: NDArray[np.int64]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(values))


@dataclass(frozen=True, slots=True)
class _Part:
    """One (version, rule, channel, metric) group's records, as arrays."""

    rows: NDArray[np.int64]
    metric: int
    rule: str
    channel: str
    schedule: str
    clock: ClockName
    start: NDArray[np.int64]
    stop: NDArray[np.int64]
    target_at: NDArray[np.int64]
    exact: NDArray[np.int64]
    promised_at: NDArray[np.int64]
    elapsed: NDArray[np.int64]
    target_budget: NDArray[np.int64]
    promise_budget: NDArray[np.int64]
    outcome: NDArray[np.int8]


def _outcomes(
    stop: NDArray[np.int64], aim: NDArray[np.int64], told: NDArray[np.int64], as_of: int
) -> NDArray[np.int8]:
    answered = stop != _NAT
    outcome = np.full(stop.shape, 3, dtype=np.int8)  # open
    outcome[answered & (stop > told)] = 2
    outcome[answered & (stop <= told)] = 1
    outcome[answered & (stop <= aim)] = 0
    outcome[~answered & (told < as_of)] = 2
    return outcome


def attainment(
    history: pd.DataFrame,
    policy: Policy | Sequence[Policy],
    *,
    metrics: Mapping[str, str | tuple[str, str]] | Iterable[str] | None = None,
    as_of: datetime | None = None,
    keep: Iterable[str] = ("priority", "segment"),
    tz: str | None = None,
) -> Attainment:
    """Measure how often `policy`'s promises were kept over `history`.

    Every row is quoted as :func:`~expectkit.quote` would have quoted it at the
    metric's start instant — policy version, offline fallback, first matching rule
    in force, due instants, rounding — but for whole groups of rows at once: rows are
    grouped by rule, quoted channel and metric, and each group's due instants come from
    vectorized searches over the compiled schedule (business days by searching the
    per-day closes; only DST-ambiguous wall times and ``same_time`` business days take
    the scalar path, once per distinct instant).

    Args:
        history: One row per ticket; see the module documentation for the columns.
        policy: The policy, or several versions of it (the one in force at each row's
            start is used, as :func:`~expectkit.quote` does).
        metrics: Which metrics to measure: names (with the columns of
            :data:`DEFAULT_COLUMNS`) or a mapping ``{metric: (start, stop)}`` or
            ``{metric: stop}`` (start ``"created"``). Default: the metrics of
            :data:`DEFAULT_COLUMNS` whose stop column the history has.
        as_of: When the history was taken; unanswered tickets whose promise lies
            before it are breached. Default: ``history.attrs["as_of"]`` if set, else
            the latest timestamp in the used columns.
        keep: History columns copied into the records (those present), for grouping.
        tz: Zone in which weeks are cut; default: the zone of the policy's default
            schedule, else of its first schedule, else UTC.

    Returns:
        The :class:`Attainment`: one record per ticket and promised metric.

    Raises:
        NaiveDatetimeError: A timestamp column without a zone.
        InputTypeError: A missing column or a bad `metrics` entry.

    >>> from expectkit.history import example_policy, synthetic_history
    >>> result = attainment(synthetic_history(500, seed=3), example_policy())
    >>> list(result.table(by=["metric"]).index)
    ['first_response', 'resolution']

    """
    policies = [policy] if isinstance(policy, Policy) else list(policy)
    if not policies or not all(isinstance(p, Policy) for p in policies):
        raise InputTypeError.for_value(policy, "policy", "a Policy or a sequence of Policy")
    if not isinstance(history, pd.DataFrame):
        raise InputTypeError.for_value(type(history).__name__, "history", "a pandas DataFrame")
    if "channel" not in history.columns:
        raise InputTypeError.for_value("channel", "history", "a 'channel' column")
    columns = _metric_columns(history, metrics)
    used = [c for pair in columns.values() for c in pair]
    if as_of is None and isinstance(history.attrs.get("as_of"), datetime):
        as_of = history.attrs["as_of"]
    latest = _instant_us(as_of, "as_of") if as_of is not None else _default_as_of(history, used)
    zone = tz if tz is not None else _policy_zone(policies[0])

    routes: dict[str, tuple[_Route, NDArray[np.int64]]] = {}
    parts: list[_Part] = []
    for m, metric in enumerate(METRICS):
        if metric not in columns:
            continue
        start_col, stop_col = columns[metric]
        if start_col not in routes:
            at = _column_us(history, start_col)
            routes[start_col] = (_route(history, policies, at), at)
        route, at = routes[start_col]
        stop = _column_us(history, stop_col)
        parts.extend(_measure_metric(m, metric, policies, route, at, stop, latest))

    first_route = next(iter(routes.values()))[0] if routes else None
    records, positions = _records(history, parts, keep)
    unmatched = _unmatched(history, first_route)
    return Attainment(
        records=records,
        unmatched=unmatched,
        as_of=_from_us(latest).astimezone(UTC) if latest != _NAT else None,
        tz=zone,
        _positions=positions,
    )


def _policy_zone(policy: Policy) -> str:
    if policy.default_schedule is not None:
        return policy.schedules[policy.default_schedule].tz
    for schedule in policy.schedules.values():
        return schedule.tz
    return "UTC"


def _measure_metric(
    m: int,
    metric: Metric,
    policies: Sequence[Policy],
    route: _Route,
    at: NDArray[np.int64],
    stop: NDArray[np.int64],
    as_of: int,
) -> list[_Part]:
    valid = (route.rule >= 0) & (at != _NAT)
    rows_all = np.flatnonzero(valid)
    if not len(rows_all):
        return []
    n_rules = max(len(p.rules) for p in policies)
    n_channels = len(route.channels)
    version, rule_index, channel_code = (
        route.version[rows_all],
        route.rule[rows_all],
        route.channel[rows_all],
    )
    group = (version * n_rules + rule_index) * n_channels + channel_code
    order = np.argsort(group, kind="stable")
    sorted_groups = group[order]
    bounds = np.flatnonzero(np.diff(sorted_groups)) + 1
    parts: list[_Part] = []
    for chunk in np.split(order, bounds):
        rows = rows_all[chunk]
        first = int(rows[0])
        policy = policies[int(route.version[first])]
        rule: Rule = policy.rules[int(route.rule[first])]
        target = getattr(rule, metric)
        if target is None or target.direction == "before":
            continue  # nothing promised for this metric, or a lead time before an event
        channel_name = route.channels[int(route.channel[first])]
        channel = policy.channel(channel_name)
        schedule_name = target.schedule if target.schedule is not None else channel.schedule
        schedule = policy.schedule(schedule_name)
        rounding = target.rounding if target.rounding is not None else policy.rounding
        start = at[rows]
        quoted = _quote_target(target, rounding, schedule, start)
        end = stop[rows]
        elapsed = _measure(start, end, schedule, quoted.clock)
        parts.append(
            _Part(
                rows=rows,
                metric=m,
                rule=rule.name,
                channel=channel_name,
                schedule=schedule_name if schedule_name is not None else _NONE,
                clock=quoted.clock,
                start=start,
                stop=end,
                target_at=quoted.target_at,
                exact=quoted.exact,
                promised_at=quoted.promised_at,
                elapsed=elapsed,
                target_budget=_measure(start, quoted.target_at, schedule, quoted.clock),
                promise_budget=_measure(start, quoted.promised_at, schedule, quoted.clock),
                outcome=_outcomes(end, quoted.target_at, quoted.promised_at, as_of),
            )
        )
    return parts


def _labels(names: list[str], values: Sequence[str]) -> NDArray[np.int64]:
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[v] for v in values], dtype=np.int64)


def _take(column: pd.Series, rows: NDArray[np.int64]) -> Any:
    """Return the column's values at `rows`, keeping its dtype (categoricals stay codes)."""
    return column.array.take(rows)


def _records(
    history: pd.DataFrame, parts: list[_Part], keep: Iterable[str]
) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    sizes = [len(p.rows) for p in parts]

    def cat(name: str) -> NDArray[np.int64]:
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([getattr(p, name) for p in parts])

    rows = cat("rows")
    metric = np.repeat(np.array([p.metric for p in parts], dtype=np.int64), sizes)
    # Ticket by ticket, metrics in order: one key, one sort (faster than a lexsort).
    order = np.argsort(rows * len(METRICS) + metric)
    taken = rows[order]

    def named(values: Sequence[str]) -> pd.Categorical:
        names = sorted(set(values))
        codes = np.repeat(_labels(names, values), sizes) if parts else np.zeros(0, np.int64)
        return _category(names, codes[order])

    def instants(name: str) -> Any:
        values = cat(name)[order]
        return pd.DatetimeIndex(values.view("datetime64[us]")).tz_localize("UTC").array

    data: dict[str, Any] = {
        "ticket": history.index.array.take(taken),
        "metric": _category(METRICS, metric[order]),
        "channel": _take(history["channel"], taken),
        "quoted_channel": named([p.channel for p in parts]),
    }
    for name in keep:
        if name in history.columns and name not in data:
            data[name] = _take(history[name], taken)
    data["rule"] = named([p.rule for p in parts])
    data["schedule"] = named([p.schedule for p in parts])
    data["clock"] = named([p.clock for p in parts])
    for name in ("start", "stop", "target_at", "exact_promised_at", "promised_at"):
        data[name] = instants("exact" if name == "exact_promised_at" else name)
    for name in ("elapsed", "target_budget", "promise_budget"):
        data[name] = cat(name)[order].view("timedelta64[us]")
    outcomes = np.concatenate([p.outcome for p in parts]) if parts else np.zeros(0, np.int8)
    data["outcome"] = _category(OUTCOMES, outcomes[order].astype(np.int64))
    return pd.DataFrame(data, copy=False), taken


def _unmatched(history: pd.DataFrame, route: _Route | None) -> pd.DataFrame:
    columns = ["channel", "reason", "tickets"]
    if route is None:
        return pd.DataFrame(columns=columns)
    missing = np.flatnonzero(route.reason >= 0)
    if not len(missing):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns[:2]}).assign(
            tickets=pd.Series([], dtype=np.int64)
        )
    frame = pd.DataFrame(
        {
            "channel": np.asarray(history["channel"].astype(object))[missing],
            "reason": np.asarray(_UNMATCHED_REASONS, dtype=object)[route.reason[missing]],
        }
    )
    frame["channel"] = frame["channel"].fillna(_NONE)
    counts = frame.groupby(["channel", "reason"], sort=True).size()
    return counts.rename("tickets").reset_index()


def _group_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[NDArray[np.int64], pd.Index]:
    grouped = frame.groupby(list(by), observed=True, sort=True, dropna=False)
    codes = np.asarray(grouped.ngroup(), dtype=np.int64)
    return codes, grouped.size().index


def _quantiles(
    codes: NDArray[np.int64], values: NDArray[np.int64], groups: int, qs: Sequence[float]
) -> NDArray[np.int64]:
    """Per group, the smallest value with at least share q of the group at or below it."""
    result = np.full((groups, len(qs)), _NAT, dtype=np.int64)
    keep = values != _NAT
    codes, values = codes[keep], values[keep]
    if not len(values):
        return result
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span * groups < _SAFE:  # one key, one plain sort: faster than a two-key lexsort
        keys = codes * span + (values - low)
        keys.sort()
        sorted_values = keys - (keys // span) * span + low
    else:
        sorted_values = values[np.lexsort((values, codes))]
    counts = np.bincount(codes, minlength=groups)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    for j, q in enumerate(qs):
        rank = np.maximum(np.ceil(q * counts - 1e-9).astype(np.int64), 1) - 1
        result[has, j] = sorted_values[offsets[has] + rank[has]]
    return result


def _summarize(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Count, share and take percentiles per group of `frame` (records)."""
    codes, index = _group_codes(frame, by)
    groups = len(index)
    outcome = np.asarray(frame["outcome"].cat.codes, dtype=np.int64)
    counts = np.zeros((groups, len(OUTCOMES)), dtype=np.int64)
    np.add.at(counts, (codes, outcome), 1)
    tickets = counts.sum(axis=1)
    decided = tickets - counts[:, 3]
    answered = np.bincount(codes, weights=(frame["stop"].notna().to_numpy()), minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        met_target = np.where(decided > 0, counts[:, 0] / np.maximum(decided, 1), np.nan)
        met_promise = np.where(
            decided > 0, (counts[:, 0] + counts[:, 1]) / np.maximum(decided, 1), np.nan
        )
    elapsed = frame["elapsed"].to_numpy().astype("timedelta64[us]").view(np.int64)
    percentiles = _quantiles(codes, elapsed, groups, (0.5, 0.9, 0.95))
    return pd.DataFrame(
        {
            "tickets": tickets,
            "answered": answered.astype(np.int64),
            "open": counts[:, 3],
            "met_target": met_target,
            "met_promise": met_promise,
            "breached": np.where(decided > 0, 1 - met_promise, np.nan),
            "p50": percentiles[:, 0].view("timedelta64[us]"),
            "p90": percentiles[:, 1].view("timedelta64[us]"),
            "p95": percentiles[:, 2].view("timedelta64[us]"),
        },
        index=index,
    )


_SHARES: Final = ("met_target", "met_promise", "breached")
_SPANS: Final = ("p50", "p90", "p95")


@dataclass(frozen=True)
class Attainment:
    """How a policy's promises fared over a history: one record per ticket and metric.

    ``records`` has, per ticket and promised metric: ``ticket`` (the history's index),
    ``metric``, ``channel`` and ``quoted_channel`` (after an offline fallback), the kept
    columns, ``rule``, ``schedule``, ``clock``, ``start``/``stop`` (UTC),
    ``target_at``, ``exact_promised_at``, ``promised_at`` (told, rounded),
    ``elapsed`` (time to the answer on the metric's clock), ``target_budget`` and
    ``promise_budget`` (time allowed, on the same clock) and ``outcome``
    (:data:`OUTCOMES`). ``unmatched`` counts the tickets no rule quoted, per channel
    and reason.

    >>> from expectkit.history import example_policy, synthetic_history
    >>> result = attainment(synthetic_history(300, seed=2), example_policy())
    >>> result.records.columns[:4].tolist()
    ['ticket', 'metric', 'channel', 'quoted_channel']

    """

    records: pd.DataFrame
    unmatched: pd.DataFrame
    as_of: datetime | None
    tz: str
    _positions: NDArray[np.int64] = field(repr=False)

    def __repr__(self) -> str:
        tickets = self.records["ticket"].nunique()
        metrics = ", ".join(str(m) for m in self.records["metric"].unique())
        return f"Attainment({tickets} tickets, {len(self.records)} records; metrics: {metrics})"

    def table(self, by: Sequence[str] = ("channel", "rule", "metric")) -> pd.DataFrame:
        """Summarize per group: counts, shares met and business-time percentiles.

        Columns: ``tickets``, ``answered``, ``open`` (undecided), ``met_target`` and
        ``met_promise`` (shares of decided records answered by the target / by the
        told promise; the second includes the first), ``breached``
        (``1 - met_promise``), and ``p50``/``p90``/``p95`` of ``elapsed`` over the
        answered records.

        Args:
            by: Record columns to group by.

        Returns:
            One row per group, indexed by `by`.

        >>> from expectkit.history import example_policy, synthetic_history
        >>> result = attainment(synthetic_history(300, seed=2), example_policy())
        >>> table = result.table(by=["metric"])
        >>> bool(((table["met_target"] <= table["met_promise"])).all())
        True

        """
        return _summarize(self.records, _by(self.records, by))

    def weekly(self, by: Sequence[str] = ("channel", "metric")) -> pd.DataFrame:
        """Summarize week by week: the :meth:`table` columns per week and group.

        A record belongs to the week (Monday to Sunday, in :attr:`tz`) of its start.

        Args:
            by: Record columns to group by within each week.

        Returns:
            One row per week and group, indexed by ``week`` (the Monday) and `by`.

        >>> from expectkit.history import example_policy, synthetic_history
        >>> result = attainment(synthetic_history(2_000, seed=2), example_policy())
        >>> weeks = result.weekly(by=["metric"])
        >>> weeks.index.names, str(weeks.index[0][0].day_name())
        (FrozenList(['week', 'metric']), 'Monday')

        """
        frame = self.records.assign(week=_week_of(self.records["start"], self.tz))
        return _summarize(frame, ["week", *_by(self.records, by)])

    def _repr_html_(self) -> str:
        caption = f"Attainment: {self.records['ticket'].nunique()} tickets"
        if self.as_of is not None:
            caption += f", as of {self.as_of:%Y-%m-%d %H:%M} UTC"
        return frame_html(self.table(), shares=_SHARES, spans=_SPANS, caption=caption)


def _by(frame: pd.DataFrame, by: Sequence[str] | str) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in frame.columns:
            raise InputTypeError.for_value(key, "by", f"one of {', '.join(frame.columns)}")
    return keys


def _week_of(start: pd.Series, tz: str) -> pd.Series:
    wall = _wall_us(_ints(start.to_numpy(dtype="datetime64[us]")), tz)
    days = wall // _DAY_US
    monday = days - (days + 3) % 7  # 1970-01-01 was a Thursday
    return pd.Series((monday * _DAY_US).view("datetime64[us]"), index=start.index)


# ---------------------------------------------------------------------------
# What-if
# ---------------------------------------------------------------------------

_NOT_PROMISED: Final = "not_promised"


@dataclass(frozen=True)
class WhatIf:
    """A candidate policy beside the current one, on the same history.

    >>> from expectkit.history import example_policy, synthetic_history
    >>> history = synthetic_history(500, seed=4)
    >>> same = compare(history, example_policy(), example_policy())
    >>> len(same.flips)
    0

    """

    current: Attainment
    candidate: Attainment

    def __repr__(self) -> str:
        flips = len(self.flips)
        return f"WhatIf(current={self.current!r}, candidate={self.candidate!r}, flips={flips})"

    def table(self, by: Sequence[str] = ("channel", "metric")) -> pd.DataFrame:
        """Attainment side by side: current and candidate shares, and the change.

        Args:
            by: Record columns to group by.

        Returns:
            Columns ``tickets``, then ``met_target``, ``met_promise`` and ``breached``
            for ``current`` and ``candidate`` and their ``change`` (candidate − current),
            as a two-level column index.

        >>> from expectkit.history import example_policy, synthetic_history
        >>> history = synthetic_history(500, seed=4)
        >>> compare(history, example_policy(), example_policy()).table().columns[0]
        ('current', 'tickets')

        """
        a = self.current.table(by)[["tickets", *_SHARES]]
        b = self.candidate.table(by)[["tickets", *_SHARES]]
        joined = pd.concat({"current": a, "candidate": b}, axis=1)
        change = joined["candidate"][list(_SHARES)] - joined["current"][list(_SHARES)]
        return pd.concat([joined, pd.concat({"change": change}, axis=1)], axis=1)

    @property
    def flips(self) -> pd.DataFrame:
        """The records whose outcome differs between the two policies.

        One row per ticket and metric: ``ticket``, ``metric``, ``channel``, the rule,
        told promise and outcome under each policy (``not_promised`` where a policy
        sets no such metric for the ticket), and ``stop``.

        >>> from expectkit.history import example_policy, synthetic_history
        >>> compare(synthetic_history(200, seed=4), example_policy(), example_policy()
        ...         ).flips.columns.tolist()[:4]
        ['ticket', 'metric', 'channel', 'rule_current']

        """
        return _flips(self.current, self.candidate)

    def transitions(self, metric: str | None = None) -> pd.DataFrame:
        """Count records by outcome under the current (rows) and the candidate (columns) policy.

        Args:
            metric: Only this metric; default all.

        >>> from expectkit.history import example_policy, synthetic_history
        >>> t = compare(synthetic_history(200, seed=4), example_policy(), example_policy()
        ...             ).transitions()
        >>> int(t.to_numpy().trace()) == int(t.to_numpy().sum())
        True

        """
        pairs = _pairs(self.current, self.candidate)
        if metric is not None:
            pairs = pairs[pairs["metric"] == metric]
        states = [*OUTCOMES, _NOT_PROMISED]
        table = pd.crosstab(
            pd.Categorical(pairs["outcome_current"], categories=states),
            pd.Categorical(pairs["outcome_candidate"], categories=states),
            dropna=False,
        )
        table.index.name = "current"
        table.columns.name = "candidate"
        return table

    def _repr_html_(self) -> str:
        table = self.table()
        flat = table.copy()
        flat.columns = [f"{a} {b}" if a != "current" or b != "tickets" else b for a, b in table]
        shares = [c for c in flat.columns if c.split(" ")[-1] in _SHARES]
        caption = f"What-if: {len(self.flips)} records change outcome"
        return frame_html(flat, shares=shares, caption=caption, signed=("change",))


def _pairs(current: Attainment, candidate: Attainment) -> pd.DataFrame:
    """Join both attainments' records on (ticket position, metric), outer."""
    n_metrics = len(METRICS)
    columns = ["ticket", "metric", "channel", "rule", "promised_at", "outcome", "stop"]

    def keyed(att: Attainment) -> pd.DataFrame:
        r = att.records
        key = att._positions * n_metrics + np.asarray(r["metric"].cat.codes, dtype=np.int64)
        table = r[columns].copy()
        table["outcome"] = table["outcome"].cat.add_categories([_NOT_PROMISED])
        table.insert(0, "key", key)
        return table

    merged = keyed(current).merge(
        keyed(candidate), on="key", how="outer", suffixes=("_current", "_candidate"), sort=True
    )
    for name in ("ticket", "metric", "channel", "stop"):
        merged[name] = merged[f"{name}_current"].where(
            merged[f"{name}_current"].notna(), merged[f"{name}_candidate"]
        )
    for side in ("current", "candidate"):
        merged[f"outcome_{side}"] = merged[f"outcome_{side}"].fillna(_NOT_PROMISED)
    return merged


def _flips(current: Attainment, candidate: Attainment) -> pd.DataFrame:
    pairs = _pairs(current, candidate)
    changed = pairs[pairs["outcome_current"] != pairs["outcome_candidate"]]
    columns = [
        "ticket",
        "metric",
        "channel",
        "rule_current",
        "rule_candidate",
        "promised_at_current",
        "promised_at_candidate",
        "stop",
        "outcome_current",
        "outcome_candidate",
    ]
    return changed[columns].reset_index(drop=True)


def compare(
    history: pd.DataFrame,
    current: Policy | Sequence[Policy],
    candidate: Policy | Sequence[Policy],
    *,
    metrics: Mapping[str, str | tuple[str, str]] | Iterable[str] | None = None,
    as_of: datetime | None = None,
    keep: Iterable[str] = ("priority", "segment"),
) -> WhatIf:
    """Evaluate `candidate` against `current` on the same history.

    Both are measured by :func:`attainment` with the same columns and ``as_of``.

    Args:
        history: The ticket history.
        current: The policy in use (or its versions).
        candidate: The policy considered.
        metrics: As for :func:`attainment`.
        as_of: As for :func:`attainment`; default the latest timestamp in the history.
        keep: As for :func:`attainment`.

    Returns:
        The :class:`WhatIf`: ``table()``, ``flips`` and ``transitions()``.

    >>> from expectkit import Policy
    >>> from expectkit.history import example_policy, synthetic_history
    >>> history = synthetic_history(1_000, seed=5)
    >>> lenient = Policy.model_validate({**example_policy().model_dump(),
    ...     "rules": [{"name": "all", "first_response": {"promise": "5 business days"}}]})
    >>> what_if = compare(history, example_policy(), lenient, metrics=["first_response"])
    >>> table = what_if.table(by=["metric"])
    >>> bool(table[("change", "met_promise")].iloc[0] > 0)
    True

    """
    now = attainment(history, current, metrics=metrics, as_of=as_of, keep=keep)
    fixed = now.as_of if as_of is None else as_of
    then = attainment(history, candidate, metrics=metrics, as_of=fixed, keep=keep, tz=now.tz)
    return WhatIf(now, then)


# ---------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------


BufferLike = Buffer | float | Fraction | str
"""A buffer for :func:`calibrate`: a :class:`Buffer`, a ratio (``0.5``) or a margin text."""


def _as_buffer(value: BufferLike | None, clock: ClockName) -> Buffer | None:
    if value is None or isinstance(value, Buffer):
        return value
    if isinstance(value, str):
        try:
            return Buffer.from_ratio(value)
        except PolicyError:
            return Buffer.from_margin(value, default_clock=clock)
    if isinstance(value, float | int | Fraction) and not isinstance(value, bool):
        return Buffer.from_ratio(value)
    raise InputTypeError.for_value(value, "buffer", "a Buffer, a ratio like 0.5 or a margin text")


def _as_window(value: str | Window | Duration, clock: ClockName) -> Window:
    if isinstance(value, Window):
        return value
    if isinstance(value, Duration):
        return Window(low=value, high=value)
    if isinstance(value, str):
        return Window.parse(value, default_clock=clock)
    raise InputTypeError.for_value(value, "promise", "a window text like '4 business hours'")


@dataclass(frozen=True, slots=True)
class _Sample:
    """Answered rows of one metric, grouped, with their schedules."""

    start: NDArray[np.int64]
    stop: NDArray[np.int64]
    group: NDArray[np.int64]
    keys: pd.DataFrame  # one row per group: the `by` values
    tickets: NDArray[np.int64]
    unanswered: NDArray[np.int64]
    schedule_of: NDArray[np.int64]  # per row: index into `schedules`
    schedules: list[Schedule]

    def subset(self, rows: NDArray[np.int64]) -> _Sample:
        """Restrict the sample to some answered rows (group totals unchanged)."""
        return _Sample(
            start=self.start[rows],
            stop=self.stop[rows],
            group=self.group[rows],
            keys=self.keys,
            tickets=self.tickets,
            unanswered=self.unanswered,
            schedule_of=self.schedule_of[rows],
            schedules=self.schedules,
        )


def _sample(
    history: pd.DataFrame,
    hours: Schedule | Policy,
    metric: str,
    columns: tuple[str, str] | None,
    by: Sequence[str],
) -> _Sample:
    if not isinstance(history, pd.DataFrame):
        raise InputTypeError.for_value(type(history).__name__, "history", "a pandas DataFrame")
    if columns is None:
        if metric not in DEFAULT_COLUMNS:
            raise InputTypeError.for_value(metric, "metric", "a metric with columns=(start, stop)")
        columns = DEFAULT_COLUMNS[cast("Metric", metric)]
    start = _column_us(history, columns[0])
    stop = _column_us(history, columns[1])
    n = len(history)
    if isinstance(hours, Policy):
        if "channel" not in history.columns:
            raise InputTypeError.for_value("channel", "history", "a 'channel' column")
        codes, values = _codes(history["channel"])
        channels = [str(v) for v in values]
        rows = np.flatnonzero((codes >= 0) & (start != _NAT))

        def code_of(name: str) -> int:
            if name not in channels:
                channels.append(name)
            return channels.index(name)

        quoted = codes.copy()
        _fall_back(hours, rows, quoted, start, channels, code_of)
        schedules: list[Schedule] = []
        per_channel = []
        for name in channels:
            schedule = hours.schedule(hours.channel(name).schedule)
            if schedule not in schedules:
                schedules.append(schedule)
            per_channel.append(schedules.index(schedule))
        schedule_of = np.where(quoted >= 0, np.asarray(per_channel, dtype=np.int64)[quoted], 0)
    elif isinstance(hours, Schedule):
        schedules = [hours]
        schedule_of = np.zeros(n, dtype=np.int64)
        channels = []
        quoted = np.full(n, -1, dtype=np.int64)
        if "channel" in history.columns:
            quoted, values = _codes(history["channel"])
            channels = [str(v) for v in values]
    else:
        raise InputTypeError.for_value(hours, "schedule", "a Schedule or a Policy")

    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for key in by:
        if key == "channel" and channels:
            frame[key] = pd.Categorical.from_codes(quoted, categories=channels)
        elif key in history.columns:
            frame[key] = history[key].array  # keeps a categorical's order
        else:
            raise InputTypeError.for_value(key, "by", "history columns")
    usable = start != _NAT
    answered = usable & (stop != _NAT)
    if by:
        grouped = frame.groupby(list(by), observed=True, sort=True, dropna=False)
        group = np.asarray(grouped.ngroup(), dtype=np.int64)
        keys = grouped.size().index.to_frame(index=False)
    else:
        group = np.zeros(n, dtype=np.int64)
        keys = pd.DataFrame(index=pd.RangeIndex(1))
    groups = len(keys)
    tickets = np.bincount(group[answered], minlength=groups)
    unanswered = np.bincount(group[usable & ~answered], minlength=groups)
    return _Sample(
        start=start[answered],
        stop=stop[answered],
        group=group[answered],
        keys=keys,
        tickets=tickets.astype(np.int64),
        unanswered=unanswered.astype(np.int64),
        schedule_of=schedule_of[answered],
        schedules=schedules,
    )


def _met(
    sample: _Sample, window: Window, day_mode: BusinessDayMode, buffer: Buffer | None = None
) -> NDArray[np.bool_]:
    """Tell whether each answered row came by the window's due instant.

    With a `buffer`, by the target it derives from that due instant instead.
    """
    met = np.zeros(len(sample.start), dtype=bool)
    for k, schedule in enumerate(sample.schedules):
        rows = np.flatnonzero(sample.schedule_of == k)
        if not len(rows):
            continue
        start = _counting_start(window.clock, sample.start[rows], schedule)
        due = _apply(window.high, start, schedule, day_mode)
        if buffer is not None:
            due = _buffer_target(buffer, start, due, schedule, window.clock)
        met[rows] = sample.stop[rows] <= due
    return met


class _Ladder:
    """Fast membership tests for many candidate promises over the same rows.

    Fixed business units compare the open time to the answer, nudged by a microsecond
    when the answer came while closed (so ``add(start, d)`` landing at a close and an
    answer after it compare right); business days compare day counts on the per-day
    closes; calendar units compare elapsed time or shifted wall times.
    """

    def __init__(self, sample: _Sample) -> None:
        self.sample = sample
        self._business: NDArray[np.int64] | None = None
        self._days: NDArray[np.int64] | None = None

    def business(self) -> NDArray[np.int64]:
        if self._business is None:
            s = self.sample
            out = np.zeros(len(s.start), dtype=np.int64)
            for k, schedule in enumerate(s.schedules):
                rows = np.flatnonzero(s.schedule_of == k)
                if not len(rows):
                    continue
                a, b = s.start[rows], s.stop[rows]
                elapsed = _measure(a, b, schedule, "business")
                out[rows] = elapsed + _closed_after(schedule, b)
            self._business = out
        return self._business

    def days(self) -> NDArray[np.int64]:
        if self._days is None:
            s = self.sample
            out = np.zeros(len(s.start), dtype=np.int64)
            for k, schedule in enumerate(s.schedules):
                rows = np.flatnonzero(s.schedule_of == k)
                if len(rows):
                    out[rows] = _days_taken(schedule, s.start[rows], s.stop[rows])
            self._days = out
        return self._days

    def met(self, window: Window) -> NDArray[np.bool_]:
        high = window.high
        s = self.sample
        if high.clock == "business" and high.unit in _FIXED_US:
            if high.amount == 0:
                return _met(s, window, "end_of_day")
            return self.business() <= high.amount * _FIXED_US[high.unit]
        if high.clock == "business" and high.unit == "days":
            days = self.days()
            if (days == _NAT).any():
                return _met(s, window, "end_of_day")
            return days <= high.amount
        if high.unit in _FIXED_US:
            return (s.stop - s.start) <= high.amount * _FIXED_US[high.unit]
        return _met(s, window, "end_of_day")


def _closed_after(schedule: Schedule, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """1 where `x` lies later than the earliest instant of equal business position."""
    if not len(x):
        return np.zeros(0, dtype=np.int64)
    engine = schedule._get_engine()
    tl = engine.cover(int(x.min()), int(x.max()))
    starts, ends, cum, cumend = tl.arrays()
    i = np.searchsorted(starts, x, side="right") - 1
    k = np.maximum(i, 0)
    inside = (i >= 0) & (x < ends[k])
    position = np.where(inside, cum[k] + (x - starts[k]), np.where(i >= 0, cumend[k], 0))
    j = np.searchsorted(cumend, position, side="left")
    jj = np.minimum(j, len(starts) - 1)
    earliest = np.where((position > 0) & (j < len(starts)), starts[jj] + (position - cum[jj]), x)
    return (x > earliest).astype(np.int64)


def _days_taken(
    schedule: Schedule, start: NDArray[np.int64], stop: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Count business days from each start day to the day the answer fell in (0: same day).

    ``stop <= add_days(start, n)`` exactly when the result is at most ``n``; `_NAT`
    everywhere when the schedule's days cannot be ordered (odd night shifts).
    """
    engine = schedule._get_engine()
    lo = int(min(start.min(), stop.min())) - 2 * _DAY_US
    hi = int(max(start.max(), stop.max()))
    tl = engine.cover(lo, hi)
    if not tl.days_ordered:
        return np.full(start.shape, _NAT, dtype=np.int64)
    closes = np.asarray(tl.day_closes, dtype=np.int64)
    while not len(closes) or int(closes[-1]) < hi:
        tl = engine.extend_forward(tl, hi, 1)
        closes = np.asarray(tl.day_closes, dtype=np.int64)
    first = np.searchsorted(closes, start, side="right")
    answer = np.searchsorted(closes, stop, side="left")
    return np.asarray(np.maximum(answer - first, 0), dtype=np.int64)


def _target_text(window: Window, buffer: Buffer | None) -> str | None:
    if buffer is None:
        return None
    high = window.high
    if buffer.ratio is not None and high.unit in _FIXED_US:
        total = Fraction(high.amount * _FIXED_US[high.unit] // _US) * buffer.ratio
        seconds = int(total)  # a ratio target rounds down
        for unit, size in (("hours", 3600), ("minutes", 60), ("seconds", 1)):
            if seconds % size == 0 and seconds:
                return str(Duration(amount=seconds // size, unit=unit, clock=high.clock))
        return str(Duration(amount=0, unit="seconds", clock=high.clock))
    if buffer.ratio is not None:
        return f"{_ratio(buffer.ratio)} of the way to the promise"
    return f"promise − {buffer.margin}"


def _ratio(value: Fraction) -> str:
    as_float = float(value)
    return f"{as_float:g}" if Fraction(repr(as_float)) == value else str(value)


@dataclass(frozen=True)
class Calibration:
    """Calibrated promises: per group, the smallest candidate met by a share ``p`` of history.

    ``table`` has one row per group and requested share: the ``by`` columns,
    ``tickets`` (answered rows), ``unanswered`` (left out), ``p``, ``promise`` (the
    candidate's text, None if no candidate reaches ``p``), ``met`` (the share of the
    group it meets), ``target`` and ``target_met`` (what the buffer implies, when one
    is given). ``curve`` holds the share met by every candidate, per group — the
    data behind the choice, and what :func:`~expectkit.plots.plot_promise_curve` draws.

    >>> from expectkit.history import example_policy, synthetic_history
    >>> cal = calibrate(synthetic_history(2_000, seed=6), example_policy(), p=0.9,
    ...                 by=["channel"])
    >>> cal.table.set_index("channel").loc["email", "promise"]
    '2 business days'

    """

    table: pd.DataFrame
    curve: pd.DataFrame
    metric: Metric
    clock: ClockName
    buffer: Buffer | None
    by: tuple[str, ...]

    def __repr__(self) -> str:
        return f"Calibration({self.metric}, {len(self.table)} rows, by={list(self.by)})"

    def to_policy(self, base: Policy, *, p: float | None = None, name: str | None = None) -> Policy:
        """Return `base` with one rule per calibrated group put in front of its rules.

        Each new rule is the `base` rule the group's requests match today, narrowed to
        the group's ``channel``/``priority``/``segment`` values (missing values match
        any), with the calibrated window as the metric's promise and the buffer as its
        target, told with that rule's rounding (so a chat promise of minutes is not
        rounded to a quarter hour if the chat rule says ``rounding: none``); its other
        metrics stay as they were. `base` rules the new rules cover entirely are
        dropped, since they could never match again. Groups without a promise keep
        `base`'s rules.

        Args:
            base: The policy whose schedules, channels and rules are kept.
            p: Which share's proposal to use, when several were calibrated.
            name: Name of the new policy (default: ``base``'s name + ``" (calibrated)"``).

        Raises:
            PolicyError: A ``by`` column is not a request field, or several shares
                were calibrated and `p` is not given.

        >>> from expectkit.history import example_policy, synthetic_history
        >>> cal = calibrate(synthetic_history(2_000, seed=6), example_policy(), by=["channel"])
        >>> proposal = cal.to_policy(example_policy())
        >>> proposal.rules[0].name, str(proposal.rules[0].first_response.promise)
        ('calibrated-chat', '5 business minutes')

        """
        fields = {"channel", "priority", "segment"}
        bad = [key for key in self.by if key not in fields]
        if bad:
            msg = f"to_policy: {bad[0]!r} is not a request field; calibrate by {sorted(fields)}"
            raise PolicyError(msg)
        table = self.table
        shares = sorted(table["p"].unique())
        if p is None:
            if len(shares) > 1:
                msg = f"to_policy: several shares were calibrated ({shares}); pick one with p="
                raise PolicyError(msg)
        else:
            table = table[np.isclose(table["p"], p)]
        rules: list[dict[str, Any]] = []
        for row in table.itertuples(index=False):
            values = row._asdict()
            promise = values["promise"]
            if promise is None:
                continue
            match = {
                key: str(values[key])
                for key in self.by
                if values[key] is not None and not pd.isna(values[key])
            }
            label = "-".join([*match.values()]) or "all"
            window = Window.parse(promise, default_clock=self.clock)
            target: dict[str, Any] = {"promise": window.model_dump()}
            if self.buffer is not None:
                target["buffer"] = self.buffer.model_dump(mode="json")
            today = _rule_today(base, match)
            current = getattr(today, self.metric) if today is not None else None
            if current is not None and current.rounding is not None:
                target["rounding"] = str(current.rounding)
            # The group's rule today, narrowed to the group, keeps its other metrics:
            # the first matching rule sets every metric, so a bare rule would drop them.
            rule: dict[str, Any] = (
                today.model_dump(mode="json", exclude_none=True) if today is not None else {}
            )
            rule.update({"name": f"calibrated-{label}", "match": match, self.metric: target})
            rules.append(rule)
        # The calibrated promise is for every request of its group, so its rule goes in
        # front, most specific first; a base rule they cover entirely can never match
        # again and is dropped.
        rules.sort(key=lambda r: -len(r["match"]))
        data = base.model_dump(mode="json", exclude_none=True)
        channels = frozenset(base.channels)
        covering = [Match(**r["match"]) for r in rules]
        kept = [
            dumped
            for old, dumped in zip(base.rules, data["rules"], strict=True)
            if not any(match.covers(old.match, channels) for match in covering)
        ]
        data["rules"] = [*rules, *kept]
        data["name"] = name if name is not None else f"{base.name or 'policy'} (calibrated)"
        return Policy.model_validate(data)

    def _repr_html_(self) -> str:
        caption = f"Calibrated {self.metric} promises ({self.clock} clock)"
        return frame_html(
            self.table.set_index(list(self.by)) if self.by else self.table,
            shares=("met", "target_met", "p"),
            caption=caption,
        )


def _rule_today(base: Policy, match: Mapping[str, str]) -> Rule | None:
    """Return the `base` rule a group's requests match (ignoring dates), if any."""
    if "channel" not in match:
        return None
    return base.match(Request(**match))


def calibrate(
    history: pd.DataFrame,
    hours: Schedule | Policy,
    *,
    p: float | Sequence[float] = 0.9,
    metric: str = "first_response",
    columns: tuple[str, str] | None = None,
    by: Sequence[str] = ("channel", "priority"),
    clock: ClockName = "business",
    candidates: Sequence[str | Window | Duration] | None = None,
    buffer: BufferLike | None = None,
) -> Calibration:
    """Find the smallest human-sized promise that at least a share `p` of history met.

    Candidates are tried shortest first (:data:`HUMAN_PROMISES` for `clock`, or
    `candidates` in the order given); a ticket meets a candidate when its answer came
    at or before the candidate's due instant from its start, counted on the
    schedule exactly as a quote counts (business days due at the end of the day).
    The proposal for a group is the first candidate whose share reaches `p`, so a
    larger `p` never yields an earlier candidate. With a `buffer`, the target it
    implies is reported with the share of history that met it.

    Args:
        history: The ticket history (see the module documentation).
        hours: A schedule for every row, or a policy: each row then counts on its
            channel's schedule, after the policy's offline fallback (a chat ticket
            that arrived while chat was closed is calibrated with the offline channel).
        p: The share to meet, in ``(0, 1]``, or several.
        metric: The metric whose answers are measured.
        columns: ``(start, stop)`` columns; default those of :data:`DEFAULT_COLUMNS`.
        by: Columns to calibrate separately (those missing from the history, among
            the defaults, are dropped).
        clock: ``business`` or ``calendar``: which ladder of candidates to try.
        candidates: Promise texts (or windows) to try instead, shortest first.
        buffer: The buffer between promise and target: a :class:`Buffer`, a ratio
            (``0.5``) or a margin text (``"2 business hours"``).

    Returns:
        The :class:`Calibration`.

    Raises:
        InputTypeError: A missing column, a bad share or a bad buffer.
        PolicyError: With a policy: a channel in the history it does not declare
            (filter the history, or pass a schedule instead).

    >>> from expectkit.history import example_policy, synthetic_history
    >>> history = synthetic_history(2_000, seed=6)
    >>> cal = calibrate(history, example_policy(), p=[0.5, 0.9], by=["channel"], buffer=0.5)
    >>> row = cal.table.set_index(["channel", "p"]).loc[("email", 0.9)]
    >>> row["promise"], row["target"]
    ('2 business days', '0.5 of the way to the promise')

    """
    shares = [p] if isinstance(p, float | int) else list(p)
    for share in shares:
        if isinstance(share, bool) or not isinstance(share, float | int) or not 0 < share <= 1:
            raise InputTypeError.for_value(share, "p", "a share in (0, 1], e.g. 0.9")
    if clock not in ("business", "calendar"):
        raise InputTypeError.for_value(clock, "clock", "'business' or 'calendar'")
    default_by = tuple(by) == ("channel", "priority")
    keys = tuple(k for k in by if not (default_by and k not in history.columns))
    sample = _sample(history, hours, metric, columns, keys)
    texts = list(HUMAN_PROMISES[clock]) if candidates is None else list(candidates)
    windows = [_as_window(c, clock) for c in texts]
    chosen_buffer = _as_buffer(buffer, clock)
    ladder = _Ladder(sample)
    groups = len(sample.keys)
    met_counts = np.zeros((groups, len(windows)), dtype=np.int64)
    for j, window in enumerate(windows):
        met_counts[:, j] = np.bincount(sample.group[ladder.met(window)], minlength=groups)
    tickets = sample.tickets
    with np.errstate(invalid="ignore", divide="ignore"):
        share_met = met_counts / np.maximum(tickets, 1)[:, None]
    share_met[tickets == 0] = np.nan

    curve = sample.keys.loc[np.repeat(np.arange(groups), len(windows))].reset_index(drop=True)
    curve["promise"] = [str(w) for w in windows] * groups
    curve["order"] = list(range(len(windows))) * groups
    curve["tickets"] = np.repeat(tickets, len(windows))
    curve["met"] = share_met.reshape(-1)

    rows: list[dict[str, Any]] = []
    for share in shares:
        reach = share_met >= share - 1e-12
        first = np.where(reach.any(axis=1), reach.argmax(axis=1), -1)
        for g in range(groups):
            record: dict[str, Any] = dict(sample.keys.iloc[g].to_dict()) if keys else {}
            j = int(first[g])
            record.update(
                {
                    "tickets": int(tickets[g]),
                    "unanswered": int(sample.unanswered[g]),
                    "p": float(share),
                    "promise": str(windows[j]) if j >= 0 else None,
                    "met": float(share_met[g, j]) if j >= 0 else np.nan,
                }
            )
            if chosen_buffer is not None:
                record["target"] = _target_text(windows[j], chosen_buffer) if j >= 0 else None
                record["target_met"] = np.nan
            rows.append(record)
    table = pd.DataFrame(rows)
    for name in ("promise", "target"):
        if name in table.columns:  # None where no candidate reached p, whatever the dtype
            values = table[name].astype(object)
            table[name] = values.where(values.notna(), None)
    if chosen_buffer is not None and len(table):
        _fill_targets(table, sample, windows, [str(w) for w in windows], chosen_buffer)
    return Calibration(
        table=table,
        curve=curve,
        metric=cast("Metric", metric),
        clock=clock,
        buffer=chosen_buffer,
        by=keys,
    )


def _fill_targets(
    table: pd.DataFrame,
    sample: _Sample,
    windows: list[Window],
    texts: list[str],
    buffer: Buffer,
) -> None:
    """Fill ``target_met``: only the rows of the groups that chose each promise are quoted."""
    groups = len(sample.keys)
    group_of_row = np.arange(len(table)) % groups  # the table repeats the groups per share
    promises = table["promise"].to_numpy()
    shares = table["target_met"].to_numpy(dtype=float, copy=True)
    for text in sorted({t for t in promises if t is not None}):
        chosen = np.flatnonzero(promises == text)
        wanted = np.zeros(groups, dtype=bool)
        wanted[group_of_row[chosen]] = True
        rows = np.flatnonzero(wanted[sample.group])
        hit = _met(sample.subset(rows), windows[texts.index(text)], "end_of_day", buffer)
        counts = np.bincount(sample.group[rows][hit], minlength=groups)
        for i in chosen:
            g = group_of_row[i]
            if sample.tickets[g]:
                shares[i] = counts[g] / sample.tickets[g]
    table["target_met"] = shares


def promise_share(
    history: pd.DataFrame,
    promise: str | Window | Duration | Sequence[str | Window | Duration],
    hours: Schedule | Policy,
    *,
    metric: str = "first_response",
    columns: tuple[str, str] | None = None,
    by: Sequence[str] = ("channel", "priority"),
    buffer: BufferLike | None = None,
    day_mode: BusinessDayMode = "end_of_day",
) -> pd.DataFrame:
    """Return the share of history a candidate promise would have met, per group.

    The reverse of :func:`calibrate`: each answered row is quoted the candidate (its
    upper end, from the row's start, on the row's schedule) and counts as met when the
    answer came at or before the due instant.

    Args:
        history: The ticket history.
        promise: A promise text (``"2 business days"``), window or duration, or several.
        hours: A schedule, or a policy (each row on its channel's schedule).
        metric: The metric whose answers are measured.
        columns: ``(start, stop)`` columns; default those of :data:`DEFAULT_COLUMNS`.
        by: Columns to report separately (defaults missing from the history are dropped).
        buffer: Also report ``target_met``, the share meeting the implied target.
        day_mode: How business days land (``end_of_day`` or ``same_time``).

    Returns:
        One row per promise and group: ``promise``, the `by` columns, ``tickets``,
        ``met`` (and ``target_met`` with a buffer).

    >>> from expectkit.history import synthetic_history
    >>> from expectkit import Schedule
    >>> desk = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
    >>> share = promise_share(synthetic_history(1_000, seed=8), "3 business days", desk, by=[])
    >>> bool(0.8 < share["met"].iloc[0] <= 1)
    True

    """
    texts = [promise] if isinstance(promise, str | Window | Duration) else list(promise)
    default_by = tuple(by) == ("channel", "priority")
    keys = tuple(k for k in by if not (default_by and k not in history.columns))
    sample = _sample(history, hours, metric, columns, keys)
    groups = len(sample.keys)
    frames = []
    for text in texts:
        window = _as_window(text, "calendar")
        met = _met(sample, window, day_mode)
        counts = np.bincount(sample.group[met], minlength=groups)
        frame = sample.keys.copy()
        frame.insert(0, "promise", str(window))
        frame["tickets"] = sample.tickets
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["met"] = np.where(
                sample.tickets > 0, counts / np.maximum(sample.tickets, 1), np.nan
            )
        chosen = _as_buffer(buffer, window.clock)
        if chosen is not None:
            hit = _met(sample, window, day_mode, chosen)
            aimed = np.bincount(sample.group[hit], minlength=groups)
            frame["target_met"] = np.where(
                sample.tickets > 0, aimed / np.maximum(sample.tickets, 1), np.nan
            )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
