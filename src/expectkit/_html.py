"""Rich HTML views of schedules, policies, commitments and tables, for notebooks.

Each function returns a self-contained HTML fragment (inline styles, no scripts, no
external resources; every text escaped), so a model's ``_repr_html_`` is one line::

    def _repr_html_(self) -> str:
        from expectkit._html import schedule_html

        return schedule_html(self)

>>> from expectkit import Schedule
>>> "<svg" in schedule_html(Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"]}))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from expectkit.calculator import Commitment
    from expectkit.policy import Policy, Target
    from expectkit.schedule import Schedule

__all__ = ["commitment_html", "frame_html", "policy_html", "schedule_html", "span_text"]

_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BOX: Final = (
    "font-family:system-ui,sans-serif;font-size:13px;line-height:1.4;"
    "border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:4px 0;"
    "display:inline-block;max-width:100%"
)
_TABLE: Final = "border-collapse:collapse;margin:4px 0"
_CELL: Final = "border-bottom:1px solid #eaeef2;padding:2px 8px;text-align:left;vertical-align:top"
_HEAD: Final = _CELL + ";font-weight:600;background:#f6f8fa"
_NUM: Final = _CELL + ";text-align:right;font-variant-numeric:tabular-nums"
_OPEN: Final = "#2da44e"
_SHADE: Final = "#ebedf0"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    caption: str = "",
    numeric: frozenset[int] = frozenset(),
) -> str:
    """Build a table from already-escaped cell HTML; `numeric` columns align right."""
    parts = [f'<table style="{_TABLE}">']
    if caption:
        parts.append(f'<caption style="text-align:left;font-weight:600">{caption}</caption>')
    parts.append("<tr>" + "".join(f'<th style="{_HEAD}">{h}</th>' for h in header) + "</tr>")
    for row in rows:
        cells = (
            f'<td style="{_NUM if i in numeric else _CELL}">{c}</td>' for i, c in enumerate(row)
        )
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def span_text(value: timedelta | None) -> str:
    """Write a span as hours and minutes (``"27 h 05 min"``), never as days.

    Business time is open time: 27 business hours are not "1 day 3 hours".

    >>> span_text(timedelta(hours=27, minutes=5)), span_text(timedelta(seconds=42))
    ('27 h 05 min', '42 s')
    """
    if value is None:
        return "–"
    total = int(value.total_seconds())
    sign = "−" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min {seconds:02d} s" if seconds else f"{sign}{minutes} min"
    return f"{sign}{seconds} s"


# ---------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------


def _weekly_minutes(schedule: Schedule) -> list[list[tuple[int, int]]]:
    """Per weekday, the open (start, end) minutes of the weekly hours (end may pass 1440)."""
    from expectkit.schedule import _parse_days, _parse_interval

    days: list[list[tuple[int, int]]] = [[] for _ in _DAYS]
    for key, intervals in schedule.weekly.items():
        parsed = [_parse_interval(iv, "weekly") for iv in intervals]
        for day in _parse_days(key, "weekly"):
            days[day] = parsed
    return days


def week_svg(days: Sequence[Sequence[tuple[int, int]]], labels: Sequence[str] = _DAYS) -> str:
    """Draw open minutes per day as a small SVG week grid (overnight shifts wrap).

    >>> week_svg([[(540, 1020)], [], [], [], [], [], []]).count("<rect")  # 7 days, 1 shift
    8
    """
    width, row, left, top = 336, 16, 34, 14
    hour = (width - left) / 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{top + row * len(labels) + 4}" role="img" aria-label="weekly open hours">'
    ]
    for h in (0, 6, 12, 18, 24):
        x = left + h * hour
        parts.append(
            f'<text x="{x:.1f}" y="10" font-size="9" text-anchor="middle" fill="#57606a">{h}</text>'
        )
    for i, label in enumerate(labels):
        y = top + i * row
        parts.append(
            f'<text x="0" y="{y + 11}" font-size="10" fill="#24292f">{_e(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{width - left}" height="{row - 3}" fill="{_SHADE}"/>'
        )
    for i, intervals in enumerate(days):
        for start, end in intervals:
            pieces = [(i, start, min(end, 1440))]
            if end > 1440:  # an overnight shift runs into the next day
                pieces.append(((i + 1) % len(labels), 0, end - 1440))
            for day, a, b in pieces:
                y = top + day * row
                parts.append(
                    f'<rect x="{left + a / 60 * hour:.1f}" y="{y}" '
                    f'width="{(b - a) / 60 * hour:.1f}" height="{row - 3}" fill="{_OPEN}">'
                    f"<title>{_e(labels[i])} {_clock(start)}–{_clock(end)}</title></rect>"
                )
    parts.append("</svg>")
    return "".join(parts)


def _clock(minutes: int) -> str:
    minutes %= 1440 if minutes != 1440 else 1441
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_html(schedule: Schedule) -> str:
    """Render a schedule: zone, weekly hours (table and week grid), holidays and dates.

    >>> from expectkit import Holidays, Schedule
    >>> s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]},
    ...              holidays=Holidays(country="DE", subdiv="BE"), closed=["2026-12-24"])
    >>> html = schedule_html(s)
    >>> "Europe/Berlin" in html and "DE-BE" in html and "2026-12-24" in html
    True
    """
    rows = [[_e(key), _e(", ".join(hours) or "closed")] for key, hours in schedule.weekly.items()]
    lines = [f'<div style="{_BOX}"><b>Schedule</b> in <code>{_e(schedule.tz)}</code>']
    lines.append(_table(["days", "hours"], rows))
    lines.append(week_svg(_weekly_minutes(schedule)))
    if schedule.holidays is not None:
        h = schedule.holidays
        where = h.country + (f"-{h.subdiv}" if h.subdiv else "")
        lines.append(f"<div>Closed on public holidays of <b>{_e(where)}</b></div>")
    if schedule.closed:
        lines.append(f"<div>Closed: {_e(', '.join(schedule.closed))}</div>")
    if schedule.special:
        special = [
            [_e(day), _e(", ".join(hours) or "closed")] for day, hours in schedule.special.items()
        ]
        lines.append(_table(["special dates", "hours"], special))
    lines.append("</div>")
    return "".join(lines)


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------


def _target_text(target: Target) -> str:
    parts = []
    if target.promise is not None:
        parts.append(f"promise <b>{_e(target.promise)}</b>")
    if target.target is not None:
        parts.append(f"target {_e(target.target)}")
    if target.buffer is not None:
        if target.buffer.ratio is not None:
            parts.append(f"target at ratio {_e(target.buffer.model_dump(mode='json')['ratio'])}")
        elif target.buffer.margin is not None:
            parts.append(f"target = promise − {_e(target.buffer.margin)}")
    if target.direction == "before":
        parts.append("before the event")
    if target.schedule is not None:
        parts.append(f"on <code>{_e(target.schedule)}</code>")
    if target.rounding is not None:
        parts.append(f"rounding {_e(target.rounding)}")
    if target.day_mode != "end_of_day":
        parts.append(_e(target.day_mode))
    return "; ".join(parts)


def _match_text(policy: Policy, index: int) -> str:
    match = policy.rules[index].match
    if match.is_catch_all:
        return "<i>every request</i>"
    parts = []
    for name in ("channel", "priority", "segment"):
        value = getattr(match, name)
        if value is not None:
            parts.append(f"{name} = {_e(' | '.join(value))}")
    if match.tags:
        parts.append(f"tags ⊇ {_e(', '.join(match.tags))}")
    for key, values in match.attributes.items():
        parts.append(f"{_e(key)} = {_e(' | '.join(str(v) for v in values))}")
    return "<br>".join(parts)


def _period(start: datetime | None, end: datetime | None) -> str:
    if start is None and end is None:
        return ""
    first = start.isoformat() if start is not None else "…"
    last = end.isoformat() if end is not None else "…"
    return _e(f"{first} – {last}")


def policy_html(policy: Policy) -> str:
    """Render a policy: its rules in order with their promises, channels and schedules.

    >>> from expectkit import Policy
    >>> policy = Policy(rules=[{"name": "email", "match": {"channel": "email"},
    ...                         "first_response": {"promise": "1-3 business days"}}])
    >>> html = policy_html(policy)
    >>> "1-3 business days" in html and "first_response" in html
    True
    """
    title = f"Policy <b>{_e(policy.name)}</b>" if policy.name else "<b>Policy</b>"
    lines = [f'<div style="{_BOX}">{title}']
    if policy.description:
        lines.append(f"<div>{_e(policy.description)}</div>")
    details = [f"default clock {_e(policy.default_clock)}", f"rounding {_e(policy.rounding)}"]
    period = _period(policy.effective_from, policy.effective_until)
    if period:
        details.append(f"in force {period}")
    lines.append(f'<div style="color:#57606a">{"; ".join(details)}</div>')
    rules = []
    for i, rule in enumerate(policy.rules):
        metrics = "<br>".join(
            f"<code>{_e(metric)}</code>: {_target_text(target)}"
            for metric, target in rule.metrics()
        )
        name = _e(rule.name)
        if rule.description:
            name += f'<br><span style="color:#57606a">{_e(rule.description)}</span>'
        rules.append(
            [
                str(i),
                name,
                _match_text(policy, i),
                metrics,
                _period(rule.effective_from, rule.effective_until),
            ]
        )
    lines.append(
        _table(["#", "rule", "matches", "promises", "in force"], rules, "Rules (first match wins)")
    )
    if policy.channels:
        channels = [
            [
                _e(name),
                _e(c.kind),
                _e(c.mode),
                _e(c.schedule or "24/7 UTC"),
                _e(c.offline or ""),
            ]
            for name, c in policy.channels.items()
        ]
        lines.append(
            _table(["channel", "kind", "mode", "schedule", "offline"], channels, "Channels")
        )
    if policy.schedules:
        schedules = [
            [
                _e(name),
                _e(s.tz),
                _e("; ".join(f"{k} {', '.join(v)}" for k, v in s.weekly.items())),
                week_svg(_weekly_minutes(s)),
            ]
            for name, s in policy.schedules.items()
        ]
        lines.append(_table(["schedule", "zone", "hours", "week"], schedules, "Schedules"))
    lines.append("</div>")
    return "".join(lines)


# ---------------------------------------------------------------------------
# Commitment
# ---------------------------------------------------------------------------


def _when(t: datetime) -> str:
    return _e(f"{t:%a %Y-%m-%d %H:%M} {t.tzname()}")


def commitment_html(commitment: Commitment) -> str:
    """Render a commitment: per metric the told range and time, the target and the trace.

    >>> from datetime import datetime, UTC
    >>> from expectkit import Policy, quote
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1-2 hours"}}])
    >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> html = commitment_html(c)
    >>> "Mon 2026-01-05 11:00 UTC" in html and "<details" in html
    True
    """
    head = (
        f"<b>Commitment</b>: rule <b>{_e(commitment.rule)}</b> on channel "
        f"<code>{_e(commitment.channel)}</code>, requested {_when(commitment.requested_at)}"
    )
    rows = []
    for metric, q in commitment.metrics.items():
        low, high = q.promised_range
        told = f"<b>{_when(q.promised_at)}</b>"
        window = _when(high) if low == high else f"{_when(low)} – {_when(high)}"
        trace = f"<details><summary>why</summary><pre>{_e(q.explain())}</pre></details>"
        rows.append(
            [f"<code>{_e(metric)}</code>", told, window, _when(q.target_at), _e(q.clock), trace]
        )
    table = _table(["metric", "promised", "window", "target", "clock", ""], rows)
    return f'<div style="{_BOX}">{head}{table}</div>'


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def _bar(share: float, signed: bool) -> str:
    if share != share:  # NaN
        return "–"
    if signed:
        points = share * 100
        color = "#1a7f37" if points > 0 else "#cf222e" if points < 0 else "#57606a"
        return f'<span style="color:{color}">{points:+.1f} pp</span>'
    width = max(0.0, min(1.0, share)) * 100
    return (
        f'<span style="display:inline-block;width:60px;height:8px;background:{_SHADE};'
        f'margin-right:6px"><span style="display:block;width:{width:.0f}%;height:8px;'
        f'background:{_OPEN}"></span></span>{share * 100:.1f}%'
    )


def frame_html(
    frame: Any,
    *,
    shares: Iterable[str] = (),
    spans: Iterable[str] = (),
    caption: str | None = None,
    signed: Iterable[str] = (),
    max_rows: int = 60,
) -> str:
    """Render a pandas DataFrame: shares as bars, spans as hours, the index as row labels.

    Args:
        frame: The table.
        shares: Columns holding shares in ``[0, 1]``.
        spans: Columns holding timedeltas.
        caption: A caption (plain text).
        signed: Column-name prefixes whose shares are changes, shown in points.
        max_rows: Rows shown before the table is cut (the count is noted).

    Returns:
        The HTML fragment.

    >>> import pandas as pd
    >>> html = frame_html(pd.DataFrame({"met": [0.5]}, index=pd.Index(["email"], name="channel")),
    ...                   shares=["met"])
    >>> "50.0%" in html and "channel" in html
    True

    """
    import pandas as pd

    share_set = set(shares)
    span_set = set(spans)
    prefixes = tuple(signed)
    index_names = [n if n is not None else "" for n in frame.index.names]
    header = [_e(n) for n in index_names] + [_e(c) for c in frame.columns]
    shown = frame.head(max_rows)
    rows = []
    for label, values in zip(shown.index, shown.itertuples(index=False), strict=True):
        labels = label if isinstance(label, tuple) else (label,)
        cells = [_e(_plain(v)) for v in labels]
        for column, value in zip(frame.columns, values, strict=True):
            name = str(column)
            if name in share_set:
                cells.append(_bar(float(value), name.startswith(prefixes) if prefixes else False))
            elif name in span_set:
                cells.append(
                    span_text(None if pd.isna(value) else pd.Timedelta(value).to_pytimedelta())
                )
            else:
                cells.append(_e(_plain(value)))
        rows.append(cells)
    first = len(index_names)
    numeric = frozenset(
        first + i
        for i, column in enumerate(frame.columns)
        if str(column) in share_set
        or str(column) in span_set
        or pd.api.types.is_numeric_dtype(frame[column].dtype)
    )
    html = _table(header, rows, _e(caption) if caption else "", numeric)
    if len(frame) > max_rows:
        html += f'<div style="color:#57606a">… {len(frame) - max_rows} more rows</div>'
    return f'<div style="{_BOX}">{html}</div>'


def _plain(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if hasattr(value, "date") and hasattr(value, "hour") and not getattr(value, "hour", 1):
        date = value.date() if callable(value.date) else value
        return str(date)
    return str(value)
