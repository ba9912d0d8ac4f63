"""Vectorized routing: which policy version, channel and rule each row is quoted under.

Per row, the policy version in force, the channel after a closed live channel's
``offline`` fallback, and the first rule in force that matches — decided once per
distinct request, not once per row, with the same answers as :func:`~expectkit.quote`.
Needs pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from expectkit._core.errors import PolicyError
from expectkit.frames import batch
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Request

if TYPE_CHECKING:
    from numpy.typing import NDArray

from expectkit.frames.instants import _NAT, _SAFE, _dt64, _to_us

_UNMATCHED_REASONS: Final = (
    "no policy version in force",
    "unknown channel",
    "no rule matches",
    "no start time",
)


def _codes(column: pd.Series) -> tuple[NDArray[np.int64], list[Any]]:
    """Factorize a column: integer codes (-1 for missing) and the distinct values."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # unhashable cells, e.g. lists of tags
        codes, uniques = pd.factorize(column.map(_hashable), use_na_sentinel=True)
    values = list(uniques.tolist() if hasattr(uniques, "tolist") else uniques)
    return np.asarray(codes, dtype=np.int64), values


def _hashable(value: object) -> object:
    if isinstance(value, list | set | frozenset | np.ndarray):
        return tuple(sorted(str(v) for v in value))
    return value


def _tags(value: object) -> tuple[str, ...]:
    if value is None or (not isinstance(value, str | Iterable) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        return tuple(sorted({part.strip() for part in value.split(",") if part.strip()}))
    if isinstance(value, Iterable):
        return tuple(sorted({str(v) for v in value}))
    return (str(value),)


def _scalar(value: object) -> str | int | float | bool | None:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(frozen=True, slots=True)
class _Route:
    """Per row: policy version, quoted channel (code into `channels`) and rule (-1: none)."""

    version: NDArray[np.int64]
    channel: NDArray[np.int64]
    channels: list[str]
    rule: NDArray[np.int64]
    reason: NDArray[np.int64]


def _in_period(
    at: NDArray[np.int64], start: datetime | None, end: datetime | None
) -> NDArray[np.bool_]:
    inside = np.ones(at.shape, dtype=bool)
    if start is not None:
        inside &= at >= _to_us(start)
    if end is not None:
        inside &= at < _to_us(end)
    return inside


def _versions(policies: Sequence[Policy], at: NDArray[np.int64]) -> NDArray[np.int64]:
    """Index of the version in force at each instant (latest effective_from), or -1."""
    version = np.full(at.shape, -1, dtype=np.int64)

    def rank(i: int) -> tuple[bool, int, int]:
        start = policies[i].effective_from
        return (start is not None, _to_us(start) if start is not None else 0, -i)

    order = sorted(range(len(policies)), key=rank)
    for i in order:
        policy = policies[i]
        version[_in_period(at, policy.effective_from, policy.effective_until)] = i
    return version


def _route(
    history: pd.DataFrame,
    policies: Sequence[Policy],
    at: NDArray[np.int64],
    attributes: Mapping[str, pd.Series] | None = None,
) -> _Route:
    """Route every row: policy version, quoted channel and rule, or why none.

    Custom attributes the rules match on are read from `attributes` (one Series per
    key, aligned with `history`) when given, else from the history columns of the same
    name.
    """
    n = len(history)
    channel_codes, channel_values = _codes(history["channel"])
    channels = [str(v) for v in channel_values]
    quoted = channel_codes.copy()
    version = _versions(policies, at)
    rule = np.full(n, -1, dtype=np.int64)
    reason = np.where(version < 0, 0, -1).astype(np.int64)
    missing = channel_codes < 0
    reason[missing & (reason < 0)] = 1
    unstarted = at == _NAT
    reason[unstarted] = 3
    missing |= unstarted

    def code_of(name: str) -> int:
        if name not in channels:
            channels.append(name)
        return channels.index(name)

    for v, policy in enumerate(policies):
        rows = np.flatnonzero((version == v) & ~missing)
        if not len(rows):
            continue
        known = policy.channels
        if known:
            unknown = np.array([name not in known for name in channels], dtype=bool)
            bad = unknown[quoted[rows]]
            reason[rows[bad]] = 1
            rows = rows[~bad]
        _fall_back(policy, rows, quoted, at, channels, code_of)
        _match_rules(history, policy, rows, quoted, channels, at, rule, attributes)
        no_rule = rows[rule[rows] < 0]
        reason[no_rule] = 2
    return _Route(version, quoted, channels, rule, reason)


def _fall_back(
    policy: Policy,
    rows: NDArray[np.int64],
    quoted: NDArray[np.int64],
    at: NDArray[np.int64],
    channels: list[str],
    code_of: Callable[[str], int],
) -> None:
    """Move rows on a closed live channel to its offline channel, as ``quote()`` does."""
    for _ in range(len(policy.channels) + 1):
        moved = False
        for name, channel in policy.channels.items():
            if not channel.is_live or channel.offline is None or name not in channels:
                continue
            mine = rows[quoted[rows] == channels.index(name)]
            if not len(mine):
                continue
            hours = policy.schedule(channel.schedule)
            is_open = np.asarray(batch.is_open(hours, _dt64(at[mine])), dtype=bool)
            closed = mine[~is_open]
            if len(closed):
                quoted[closed] = code_of(channel.offline)
                moved = True
        if not moved:
            return


def _match_fields(policy: Policy) -> tuple[bool, bool, bool, tuple[str, ...]]:
    rules = policy.rules
    priority = any(r.match.priority is not None for r in rules)
    segment = any(r.match.segment is not None for r in rules)
    tags = any(r.match.tags for r in rules)
    attributes = tuple(sorted({key for r in rules for key in r.match.attributes}))
    return priority, segment, tags, attributes


def _match_rules(
    history: pd.DataFrame,
    policy: Policy,
    rows: NDArray[np.int64],
    quoted: NDArray[np.int64],
    channels: list[str],
    at: NDArray[np.int64],
    rule: NDArray[np.int64],
    attributes: Mapping[str, pd.Series] | None = None,
) -> None:
    """Set `rule` for `rows`: the first rule in force at `at` matching each row's request."""
    if not len(rows):
        return
    use_priority, use_segment, use_tags, keys = _match_fields(policy)
    # (request field, attribute key or None, codes, distinct values)
    columns: list[tuple[str, str | None, NDArray[np.int64], list[Any]]] = [
        ("channel", None, quoted[rows], list(channels))
    ]
    for name, used in (("priority", use_priority), ("segment", use_segment), ("tags", use_tags)):
        if used and name in history.columns:
            codes, values = _codes(history[name].iloc[rows])
            columns.append((name, None, codes, values))
    for attr in keys:
        source = attributes.get(attr) if attributes is not None else history.get(attr)
        if source is not None:
            codes, values = _codes(source.iloc[rows])
            columns.append(("attributes", attr, codes, values))
    key = np.zeros(len(rows), dtype=np.int64)
    size = 1
    for _, _, codes, values in columns:
        if size * (len(values) + 1) >= _SAFE:  # renumber the keys so far before they overflow
            key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
            size = int(key.max()) + 1
        key = key * (len(values) + 1) + (codes + 1)
        size *= len(values) + 1
    distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    by_key = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(distinct)))[:-1]
    chosen = np.full(len(rows), -1, dtype=np.int64)
    timed = [r.effective_from is not None or r.effective_until is not None for r in policy.rules]
    for k, members in enumerate(np.split(by_key, bounds)):
        fields: dict[str, Any] = {"attributes": {}}
        for name, attribute, codes, values in columns:
            code = int(codes[first[k]])
            value = values[code] if code >= 0 else None
            if name == "channel":
                fields["channel"] = value
            elif name == "tags":
                fields["tags"] = _tags(value)
            elif attribute is None:
                scalar = _scalar(value)
                fields[name] = None if scalar is None else str(scalar)
            else:
                scalar = _scalar(value)
                if scalar is not None:
                    fields["attributes"][attribute] = scalar
        request = Request(**fields)
        try:
            policy.check_request(request)
        except PolicyError as exc:
            raise PolicyError(f"row {int(rows[first[k]])}: {exc}") from None
        candidates = [i for i, r in enumerate(policy.rules) if r.match.matches(request)]
        pending = members
        for i in candidates:
            if not timed[i]:
                chosen[pending] = i
                break
            r = policy.rules[i]
            hit = _in_period(at[rows[pending]], r.effective_from, r.effective_until)
            chosen[pending[hit]] = i
            pending = pending[~hit]
            if not len(pending):
                break
    rule[rows] = chosen
