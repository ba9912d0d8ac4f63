"""The neutral notebook view of a table and the span format every view shares.

It knows rows and cells, never a model: each layer renders its own models from the
package's templates (``views/*.html`` through :func:`expectkit._core.templates.view_html`),
so a model's ``_repr_html_`` calls a renderer of its own layer or below and no import goes
upward. Every view is self-contained (inline styles, no scripts, no external resources;
every text escaped by the template).

>>> span_text(timedelta(minutes=90))
'1 h 30 min'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Final

from expectkit._core.templates import view_html

__all__ = ["frame_html", "span_text"]

_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


def _bar(share: float, signed: bool) -> dict[str, Any]:
    if share != share:  # NaN
        return {"kind": "text", "text": "–", "num": True}
    if signed:
        points = share * 100
        color = "#1a7f37" if points > 0 else "#cf222e" if points < 0 else "#57606a"
        return {"kind": "signed", "text": f"{points:+.1f} pp", "color": color, "num": True}
    width = max(0.0, min(1.0, share)) * 100
    return {"kind": "bar", "text": f"{share * 100:.1f}%", "width": f"{width:.0f}", "num": True}


def frame_html(
    frame: Any,
    *,
    shares: Iterable[str] = (),
    spans: Iterable[str] = (),
    caption: str | None = None,
    signed: Iterable[str] = (),
    max_rows: int = 60,
) -> str | None:
    """Render a pandas DataFrame from ``views/frame.html``: shares as bars, spans as hours.

    Args:
        frame: The table.
        shares: Columns holding shares in ``[0, 1]``.
        spans: Columns holding timedeltas.
        caption: A caption (plain text).
        signed: Column-name prefixes whose shares are changes, shown in points.
        max_rows: Rows shown before the table is cut (the count is noted).

    Returns:
        The HTML fragment; None without Jinja2 (the notebook shows the plain repr).

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
    index_names = [str(n) if n is not None else "" for n in frame.index.names]
    header = index_names + [str(c) for c in frame.columns]
    numeric = {
        str(column)
        for column in frame.columns
        if str(column) in share_set
        or str(column) in span_set
        or pd.api.types.is_numeric_dtype(frame[column].dtype)
    }
    shown = frame.head(max_rows)
    rows = []
    for label, values in zip(shown.index, shown.itertuples(index=False), strict=True):
        labels = label if isinstance(label, tuple) else (label,)
        cells: list[dict[str, Any]] = [
            {"kind": "text", "text": _plain(v), "num": False} for v in labels
        ]
        for column, value in zip(frame.columns, values, strict=True):
            name = str(column)
            if name in share_set:
                cells.append(_bar(float(value), name.startswith(prefixes) if prefixes else False))
                continue
            if name in span_set:
                span = None if pd.isna(value) else pd.Timedelta(value).to_pytimedelta()
                text = span_text(span)
            else:
                text = _plain(value)
            cells.append({"kind": "text", "text": text, "num": name in numeric})
        rows.append(cells)
    more = max(0, len(frame) - max_rows)
    return view_html("frame", header=header, rows=rows, caption=caption or "", more=more)


def _plain(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if hasattr(value, "date") and hasattr(value, "hour") and not getattr(value, "hour", 1):
        date = value.date() if callable(value.date) else value
        return str(date)
    return str(value)
