"""Plots for notebooks and reports (matplotlib, imported only when a plot is drawn).

* :func:`plot_responses` — the distribution of response times on the metric's clock,
  with the target and promise lines;
* :func:`plot_attainment` — the share of promises kept, week by week;
* :func:`plot_week` — a week grid of a schedule's open hours;
* :func:`plot_promise_curve` — the share of history each candidate promise meets, as
  :func:`~expectkit.analysis.calibrate` saw it.

Each function draws into `ax` when given, else into a new figure (through
``matplotlib.pyplot``, so notebooks show it), and returns the axes; save with
``ax.figure.savefig(path)``. Without a display, matplotlib renders with Agg.

>>> from expectkit import Schedule
>>> ax = plot_week(Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]}))
>>> ax.get_title()
'Open hours (UTC)'
>>> import matplotlib.pyplot as plt; plt.close(ax.figure)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from numpy.typing import NDArray

    from expectkit.analysis.attainment import Attainment
    from expectkit.analysis.calibration import Calibration
    from expectkit.time.schedule import Schedule

__all__ = ["plot_attainment", "plot_promise_curve", "plot_responses", "plot_week"]

_OPEN: Final = "#2da44e"
_TARGET: Final = "#bf8700"
_PROMISE: Final = "#cf222e"
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_UNITS: Final = (("seconds", 1.0), ("minutes", 60.0), ("hours", 3600.0))


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        msg = "expectkit.plots needs matplotlib; install it with: pip install 'expectkit[plot]'"
        raise ImportError(msg) from exc
    _, new = plt.subplots(figsize=size)
    return new


def _unit(seconds: float) -> tuple[str, float]:
    """Pick seconds, minutes or hours so that `seconds` reads as a small number."""
    if seconds < 120:
        return _UNITS[0]
    if seconds < 2 * 3600:
        return _UNITS[1]
    return _UNITS[2]


def _seconds(values: object) -> NDArray[np.float64]:
    array = np.asarray(values, dtype="timedelta64[us]").astype(np.int64)
    return array / 1_000_000.0


def plot_responses(
    attainment: Attainment,
    *,
    metric: str = "first_response",
    channel: str | None = None,
    rule: str | None = None,
    bins: int = 40,
    tail: float = 0.98,
    ax: Axes | None = None,
) -> Axes:
    """Draw the distribution of response times, with the target and promise lines.

    Times are the records' ``elapsed``: open time on a business clock, elapsed time on
    a calendar clock. The lines mark the time each record allowed (``target_budget``
    and ``promise_budget``): where that varies with the start (business days, rounding)
    the median is drawn and the legend says so. The axis stops at the `tail` quantile
    of the answers, so one stray ticket does not squash the picture; the title counts
    the answers beyond it.

    Args:
        attainment: The result of :func:`~expectkit.analysis.attainment`.
        metric: The metric to draw.
        channel: Only this (history) channel.
        rule: Only this rule.
        bins: Histogram bins.
        tail: Quantile of the answers where the axis stops, in ``(0, 1]``.
        ax: Axes to draw into.

    Returns:
        The axes.

    >>> from expectkit.analysis import attainment
    >>> from expectkit.history import example_policy, synthetic_history
    >>> result = attainment(synthetic_history(1_000, seed=1), example_policy())
    >>> ax = plot_responses(result, channel="email")
    >>> [text.get_text().split(" ")[0] for text in ax.get_legend().get_texts()]
    ['target', 'promise']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    """
    records = attainment.records
    chosen = records[records["metric"] == metric]
    if channel is not None:
        chosen = chosen[chosen["channel"] == channel]
    if rule is not None:
        chosen = chosen[chosen["rule"] == rule]
    answered = chosen[chosen["stop"].notna()]
    ax = _axes(ax, (8, 4))
    elapsed = _seconds(answered["elapsed"])
    targets = _seconds(chosen["target_budget"])
    promises = _seconds(chosen["promise_budget"])
    promise = float(np.median(promises)) if len(promises) else 0.0
    target = float(np.median(targets)) if len(targets) else 0.0
    name, size = _unit(max(promise, 1.0))
    top = float(np.quantile(elapsed, tail)) if len(elapsed) else 1.0
    right = max(top, promise * 1.1, 1.0) / size
    beyond = int((elapsed / size > right).sum())
    ax.hist(np.clip(elapsed / size, 0, right), bins=bins, range=(0, right), color="#8c959f")
    for value, values, label, color in (
        (target, targets, "target", _TARGET),
        (promise, promises, "promise", _PROMISE),
    ):
        varies = len(values) and float(values.min()) != float(values.max())
        text = f"{label} {value / size:.3g} {name}" + (
            " (median; varies by start)" if varies else ""
        )
        ax.axvline(value / size, color=color, linestyle="--", linewidth=2, label=text)
    clocks = set(chosen["clock"].astype(str))
    kind = "business " if clocks == {"business"} else "" if clocks == {"calendar"} else "clock "
    ax.set_xlabel(f"{kind}{name} to answer")
    ax.set_ylabel("tickets")
    where = channel if channel is not None else "all channels"
    if rule is not None:
        where += f", rule {rule}"
    title = f"{metric} ({where}): {len(answered)} answers"
    if beyond:
        title += f", {beyond} beyond the axis"
    ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def plot_attainment(
    attainment: Attainment,
    *,
    metric: str = "first_response",
    by: str = "channel",
    level: str = "met_promise",
    goal: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the share of promises kept week by week, one line per group.

    Args:
        attainment: The result of :func:`~expectkit.analysis.attainment`.
        metric: The metric to draw.
        by: The record column whose values get a line each.
        level: ``met_promise``, ``met_target`` or ``breached``.
        goal: A share to mark with a dashed line (e.g. 0.9).
        ax: Axes to draw into.

    Returns:
        The axes.

    >>> from expectkit.analysis import attainment
    >>> from expectkit.history import example_policy, synthetic_history
    >>> result = attainment(synthetic_history(2_000, seed=1), example_policy())
    >>> ax = plot_attainment(result, goal=0.9)
    >>> len(ax.get_lines())  # five channels and the goal
    6
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    """
    if level not in ("met_promise", "met_target", "breached"):
        from expectkit._core.errors import InputTypeError

        raise InputTypeError.for_value(level, "level", "met_promise, met_target or breached")
    records = attainment.records
    weekly = attainment.weekly(by=[by, "metric"]).reset_index()
    weekly = weekly[weekly["metric"] == metric]
    ax = _axes(ax, (8, 4))
    for key, part in weekly.groupby(by, observed=True, sort=True):
        ax.plot(part["week"], part[level] * 100, marker="o", markersize=3, label=str(key))
    if goal is not None:
        ax.axhline(goal * 100, color="#57606a", linestyle="--", linewidth=1, label="goal")
    ax.set_ylim(0, 100)
    ax.set_ylabel(f"{level.replace('_', ' ')} (%)")
    ax.set_xlabel(f"week (starting Monday, {attainment.tz})")
    ax.set_title(f"{metric}: {level.replace('_', ' ')} by {by}, weekly")
    if len(records):
        ax.legend(loc="lower left", fontsize="small", ncols=3)
    ax.figure.autofmt_xdate()
    return ax


def _local_hours(start: datetime, end: datetime, day: date) -> tuple[float, float]:
    midnight = datetime(day.year, day.month, day.day, tzinfo=start.tzinfo)
    wall_start = start.replace(tzinfo=None) - midnight.replace(tzinfo=None)
    wall_end = end.replace(tzinfo=None) - midnight.replace(tzinfo=None)
    return wall_start / timedelta(hours=1), wall_end / timedelta(hours=1)


def plot_week(schedule: Schedule, week_of: date | None = None, *, ax: Axes | None = None) -> Axes:
    """Draw a week grid of open hours: one row per day, local hours across.

    Without `week_of`, the weekly hours; with it, the actual hours of that week
    (holidays, closed and special dates applied), labelled with their dates.
    Overnight shifts continue on the next row.

    Args:
        schedule: The schedule.
        week_of: Any date in the week to draw (weeks start on Monday).
        ax: Axes to draw into.

    Returns:
        The axes.

    >>> from expectkit import Holidays, Schedule
    >>> berlin = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]},
    ...                   holidays=Holidays(country="DE"))
    >>> ax = plot_week(berlin, date(2026, 12, 24))
    >>> [label.get_text() for label in ax.get_yticklabels()][:3]
    ['Mon 12-21', 'Tue 12-22', 'Wed 12-23']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    """
    from expectkit.time.schedule_html import _weekly_minutes

    ax = _axes(ax, (8, 3))
    bars: list[list[tuple[float, float]]] = [[] for _ in _DAYS]

    def put(day: int, a: float, b: float) -> None:
        if b > 24:  # an overnight shift: the rest goes on the next row
            put((day + 1) % 7, 0, b - 24)
            b = 24
        if day < 7 and b > a:
            bars[day].append((a, b - a))

    if week_of is None:
        labels = list(_DAYS)
        for day, intervals in enumerate(_weekly_minutes(schedule)):
            for start, end in intervals:
                put(day, start / 60, end / 60)
        title = f"Open hours ({schedule.tz})"
    else:
        monday = week_of - timedelta(days=week_of.weekday())
        dates = [monday + timedelta(days=i) for i in range(7)]
        labels = [f"{_DAYS[i]} {d:%m-%d}" for i, d in enumerate(dates)]
        for i, d in enumerate(dates):
            for opens, closes in schedule.day_intervals(d):
                a, b = _local_hours(opens, closes, d)
                if i == 6 and b > 24:
                    b = 24  # next week's Monday is not drawn
                put(i, a, b)
        title = f"Open hours, week of {monday:%Y-%m-%d} ({schedule.tz})"
    for row, spans in enumerate(bars):
        ax.broken_barh([(0, 24)], (row - 0.4, 0.8), facecolors="#ebedf0")
        if spans:
            ax.broken_barh(spans, (row - 0.4, 0.8), facecolors=_OPEN)
        else:
            ax.text(12, row, "closed", ha="center", va="center", fontsize=8, color="#57606a")
    ax.set_yticks(range(7), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel("local time (h)")
    ax.set_title(title)
    return ax


def plot_promise_curve(
    calibration: Calibration,
    *,
    groups: Sequence[object] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the share of history each candidate promise meets, one line per group.

    The dashed lines are the calibrated shares ``p``: a group's proposal is the first
    candidate whose line reaches its ``p``.

    Args:
        calibration: The result of :func:`~expectkit.analysis.calibrate`.
        groups: Only these groups: values of the first ``by`` column (``"email"``), or
            tuples of all of them (``("email", "high")``).
        ax: Axes to draw into.

    Returns:
        The axes.

    >>> from expectkit.analysis import calibrate
    >>> from expectkit.history import example_policy, synthetic_history
    >>> cal = calibrate(synthetic_history(1_000, seed=1), example_policy(), by=["channel"])
    >>> ax = plot_promise_curve(cal, groups=["email", "chat"])
    >>> len(ax.get_lines())  # two groups and p = 0.9
    3
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    """
    curve = calibration.curve
    by = list(calibration.by)
    ax = _axes(ax, (9, 4))
    names = curve.drop_duplicates("order").sort_values("order")["promise"].tolist()
    if by:
        for key, part in curve.groupby(by, observed=True, sort=True, dropna=False):
            parts = key if isinstance(key, tuple) else (key,)
            if groups is not None and parts[0] not in groups and parts not in groups:
                continue
            label = " / ".join(str(k) for k in parts)
            ax.plot(part["order"], part["met"] * 100, marker="o", markersize=3, label=label)
    else:
        ax.plot(curve["order"], curve["met"] * 100, marker="o", markersize=3, label="all")
    for share in sorted(calibration.table["p"].unique()):
        ax.axhline(share * 100, color="#57606a", linestyle="--", linewidth=1)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_ylim(0, 101)
    ax.set_ylabel("history met (%)")
    ax.set_title(f"{calibration.metric}: share of history each promise meets")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize="small", ncols=2)
    figure = ax.get_figure(root=True)
    if figure is not None:
        figure.tight_layout()
    return ax
