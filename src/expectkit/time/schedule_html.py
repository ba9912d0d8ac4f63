"""Render a schedule from ``views/schedule.html``: zone, weekly hours, holidays, dates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from expectkit.time.schedule import Schedule
from expectkit._core.html import _DAYS
from expectkit._core.templates import view_html
from expectkit.time.parsing import _parse_days, _parse_interval

__all__ = ["schedule_html", "week_grid"]


def _weekly_minutes(schedule: Schedule) -> list[list[tuple[int, int]]]:
    """Per weekday, the open (start, end) minutes of the weekly hours (end may pass 1440)."""
    days: list[list[tuple[int, int]]] = [[] for _ in _DAYS]
    for key, intervals in schedule.weekly.items():
        parsed = [_parse_interval(iv, "weekly") for iv in intervals]
        for day in _parse_days(key, "weekly"):
            days[day] = parsed
    return days


def week_grid(
    days: Sequence[Sequence[tuple[int, int]]], labels: Sequence[str] = _DAYS
) -> dict[str, Any]:
    """Lay out open minutes per day for the week grid of the views (overnight shifts wrap).

    The views draw it as a small SVG with the ``week`` macro of ``views/_macros.html``.

    >>> grid = week_grid([[(1320, 1800)], [], [], [], [], [], []])
    >>> [(s["y"], s["title"]) for s in grid["shifts"]]  # the night runs into Tuesday
    [(14, 'mon 22:00–06:00'), (30, 'mon 22:00–06:00')]
    """
    width, row, left, top = 336, 16, 34, 14
    hour = (width - left) / 24
    shifts = []
    for i, intervals in enumerate(days):
        for start, end in intervals:
            pieces = [(i, start, min(end, 1440))]
            if end > 1440:  # an overnight shift runs into the next day
                pieces.append(((i + 1) % len(labels), 0, end - 1440))
            for day, a, b in pieces:
                shifts.append(
                    {
                        "x": f"{left + a / 60 * hour:.1f}",
                        "y": top + day * row,
                        "w": f"{(b - a) / 60 * hour:.1f}",
                        "title": f"{labels[i]} {_clock(start)}–{_clock(end)}",
                    }
                )
    return {
        "width": width,
        "height": top + row * len(labels) + 4,
        "left": left,
        "bar": row - 3,
        "hours": [{"h": h, "x": f"{left + h * hour:.1f}"} for h in (0, 6, 12, 18, 24)],
        "rows": [{"label": label, "y": top + i * row} for i, label in enumerate(labels)],
        "shifts": shifts,
    }


def _clock(minutes: int) -> str:
    minutes %= 1440 if minutes != 1440 else 1441
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_html(schedule: Schedule) -> str | None:
    """Render a schedule: zone, weekly hours (table and week grid), holidays and dates.

    None without Jinja2 (the ``text`` extra): the notebook then shows the plain repr.

    >>> from expectkit import Holidays, Schedule
    >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]},
    ...              holidays=Holidays(country="DE", subdiv="BE"), closed=["2026-12-24"])
    >>> html = schedule_html(s)
    >>> "Europe/Berlin" in html and "DE-BE" in html and "2026-12-24" in html
    True
    """
    holidays = ""
    if schedule.holidays is not None:
        h = schedule.holidays
        holidays = h.country + (f"-{h.subdiv}" if h.subdiv else "")
    return view_html(
        "schedule",
        tz=schedule.tz,
        weekly=[[key, ", ".join(hours) or "closed"] for key, hours in schedule.weekly.items()],
        week=week_grid(_weekly_minutes(schedule)),
        holidays=holidays,
        closed=", ".join(schedule.closed),
        special=[[day, ", ".join(hours) or "closed"] for day, hours in schedule.special.items()],
    )
