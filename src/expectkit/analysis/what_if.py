"""What-if: how attainment would change under another policy, week by week and ticket by ticket."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    msg = "expectkit.analysis needs pandas; install it with: pip install 'expectkit[pandas]'"
    raise ImportError(msg) from exc

from expectkit._core.html import frame_html

# Re-exported: the tests hold them against the scalar Duration and Rounding.
from expectkit.frames.quotes import _apply as _apply
from expectkit.frames.quotes import _round_up as _round_up
from expectkit.promises.metrics import METRICS
from expectkit.promises.policy import Policy

if TYPE_CHECKING:
    pass

from expectkit.analysis.attainment import _SHARES, OUTCOMES, Attainment, attainment

__all__ = ["WhatIf", "compare"]


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

    def _repr_html_(self) -> str | None:
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
