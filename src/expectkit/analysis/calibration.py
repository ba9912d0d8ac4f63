"""Calibrate promises from history: the shortest promise each rule keeps, what it would take."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, cast

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    msg = "expectkit.analysis needs pandas; install it with: pip install 'expectkit[pandas]'"
    raise ImportError(msg) from exc

from expectkit._core.errors import InputTypeError, PolicyError
from expectkit._core.html import frame_html
from expectkit.analysis.samples import _Ladder, _met, _Sample, _sample
from expectkit.frames.instants import _FIXED_US, _US

# Re-exported: the tests hold them against the scalar Duration and Rounding.
from expectkit.frames.quotes import _apply as _apply
from expectkit.frames.quotes import _round_up as _round_up
from expectkit.promises.buffers import Buffer
from expectkit.promises.metrics import Metric
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Match, Request, Rule
from expectkit.promises.windows import ClockName, Duration, Window
from expectkit.time.business_days import BusinessDayMode
from expectkit.time.schedule import Schedule

__all__ = ["HUMAN_PROMISES", "Calibration", "calibrate", "promise_share"]

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

    def _repr_html_(self) -> str | None:
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
