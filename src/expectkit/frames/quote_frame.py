"""Quote a whole frame of requests against one policy, or one per period.

The vectorized quoting itself is in :mod:`expectkit.frames.quotes`, imported (with
pandas) only when a frame comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from expectkit._core.errors import InputTypeError
from expectkit.promises.metrics import METRICS
from expectkit.promises.policy import Policy

if TYPE_CHECKING:
    import pandas as pd

    from expectkit.promises.metrics import Metric

__all__ = ["quote_frame"]


def quote_frame(
    policy: Policy | Sequence[Policy],
    requests: pd.DataFrame,
    *,
    at: str = "created_at",
    metrics: Iterable[Metric] | None = None,
) -> pd.DataFrame:
    """Quote every request of a frame, like :func:`~expectkit.quote` row by row, vectorized.

    Rows are routed as :func:`~expectkit.quote` routes one request — the policy version
    in force at the row's instant, a closed live channel's ``offline`` fallback, the
    first rule in force that matches — once per distinct request, then grouped by
    (version, rule, quoted channel), so each group and metric is one vectorized call.
    Every value equals the scalar quote's.

    Columns read: ``channel`` and the instant column `at` (tz-aware) are required;
    ``priority``, ``segment``, ``tags`` (a list or tuple per row, or a comma-separated
    string) and ``attributes`` (a dict per row) are read when present and a rule
    matches on them.

    Columns written, on the index of `requests`: ``matched`` (a rule quoted the row),
    ``quoted_channel`` (after the offline fallback; None for a missing or unknown
    channel or no policy version in force) and per metric ``{metric}_rule``,
    ``{metric}_promised_low`` (early end of the told window), ``{metric}_promised_at``
    (told, rounded outward), ``{metric}_exact_promised_at`` and ``{metric}_target_at``.
    A row whose rule does not set a metric, and every unmatched row, has None and
    ``NaT`` there; where :func:`~expectkit.quote` raises (no version in force, unknown
    channel, no matching rule, ``NaT`` instant) the row is unmatched instead.

    All instant columns share one zone, decided by the policy and never by the rows:
    the zone of the policy's schedules when they all share one, else UTC (so the
    frame's dtypes are the same for every chunk of a larger table).

    Args:
        policy: A policy, or several versions of one (the one in force at each row's
            instant is used).
        requests: The requests, one per row: a pandas or Polars DataFrame.
        at: Name of the column with each request's aware instant.
        metrics: Only these metrics; default every metric a rule of `policy` sets.

    Returns:
        A new DataFrame with the columns above; a Polars DataFrame for a Polars
        `requests` (read and written through Arrow).

    Raises:
        PolicyError: `requests` has no ``channel`` or `at` column.
        NaiveDatetimeError: The `at` column has no time zone.
        InputTypeError: `policy`, `requests` or `metrics` is not of the accepted kinds.
        HorizonError: A schedule has no open time within its horizon.

    >>> import pandas as pd
    >>> from expectkit import Policy
    >>> policy = Policy.loads('''
    ... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
    ... channels:
    ...   email: {kind: email, mode: async, schedule: berlin}
    ...   chat: {kind: chat, mode: live, schedule: berlin, offline: email}
    ... rules:
    ...   - {name: chat, match: {channel: chat}, first_response: {promise: "30 seconds"}}
    ...   - {name: email, first_response: {promise: "1-3 business days"}}
    ... ''')
    >>> requests = pd.DataFrame({
    ...     "channel": ["email", "chat", "chat"],
    ...     "created_at": pd.to_datetime(["2026-11-20 16:30", "2026-11-20 16:30",
    ...                                   "2026-11-20 18:00"]).tz_localize("Europe/Berlin"),
    ... })
    >>> quotes = quote_frame(policy, requests)
    >>> quotes[["quoted_channel", "first_response_rule"]].values.tolist()
    [['email', 'email'], ['chat', 'chat'], ['email', 'email']]
    >>> [str(t) for t in quotes["first_response_promised_at"]]
    ['2026-11-25 17:00:00+01:00', '2026-11-20 16:30:30+01:00', '2026-11-26 17:00:00+01:00']

    """
    policies = [policy] if isinstance(policy, Policy) else policy
    if (
        isinstance(policies, str | bytes)
        or not isinstance(policies, Sequence)
        or not policies
        or not all(isinstance(p, Policy) for p in policies)
    ):
        raise InputTypeError.for_value(policy, "policy", "a Policy or a sequence of Policy")
    if type(requests).__module__.split(".")[0] == "polars":
        from expectkit.frames.polars_io import like_input, polars_to_pandas

        quoted = quote_frame(
            policies, polars_to_pandas(requests, "requests"), at=at, metrics=metrics
        )
        return like_input(requests, quoted)
    if (
        type(requests).__module__.split(".")[0] != "pandas"
    ):  # pandas is imported only when a frame comes
        raise InputTypeError.for_value(type(requests).__name__, "requests", "a pandas DataFrame")
    import pandas as pd

    from expectkit.frames.quotes import _quote_frame

    if not isinstance(requests, pd.DataFrame):
        raise InputTypeError.for_value(type(requests).__name__, "requests", "a pandas DataFrame")

    if metrics is None:
        rules = [r for p in policies for r in p.rules]
        chosen = [m for m in METRICS if any(getattr(r, m) is not None for r in rules)]
    else:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        for name in wanted:
            if name not in METRICS:
                raise InputTypeError.for_value(name, "metrics", f"one of {', '.join(METRICS)}")
        chosen = [m for m in METRICS if m in wanted]
    return _quote_frame(policies, requests, at, chosen)
