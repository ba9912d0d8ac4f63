"""Attainment: per rule and metric, how often history met its targets and its promises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    msg = "expectkit.analysis needs pandas; install it with: pip install 'expectkit[pandas]'"
    raise ImportError(msg) from exc

from expectkit._core.errors import InputTypeError
from expectkit._core.html import frame_html
from expectkit.frames.instants import (
    _DAY_US,
    _NAT,
    _SAFE,
    _column_us,
    _from_us,
    _instant_us,
    _ints,
    _wall_us,
)

# Re-exported: the tests hold them against the scalar Duration and Rounding.
from expectkit.frames.quotes import _apply as _apply
from expectkit.frames.quotes import _measure, _quote_target
from expectkit.frames.quotes import _round_up as _round_up
from expectkit.frames.routing import _UNMATCHED_REASONS, _Route, _route
from expectkit.promises.metrics import METRICS, Metric
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Rule
from expectkit.promises.windows import ClockName

if TYPE_CHECKING:
    from numpy.typing import NDArray


__all__ = ["DEFAULT_COLUMNS", "OUTCOMES", "Attainment", "Outcome", "attainment"]

Outcome = Literal["met_target", "met_promise", "breached", "open"]
"""What became of one promise: kept with the target, kept with the promise, broken, open."""


OUTCOMES: Final[tuple[Outcome, ...]] = get_args(Outcome)
"""Every outcome, best first."""


DEFAULT_COLUMNS: Final[Mapping[Metric, tuple[str, str]]] = {
    "first_response": ("created", "first_reply"),
    "resolution": ("created", "resolved"),
}
"""The history columns (start, stop) measured for each metric unless told otherwise."""


_NONE: Final = "(none)"


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
    # A reader needs seconds, not microseconds; rounding up keeps "share q at or below".
    known = percentiles != _NAT
    percentiles[known] = -(-percentiles[known] // 1_000_000) * 1_000_000
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
        answered records, rounded up to whole seconds.

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

    def _repr_html_(self) -> str | None:
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
