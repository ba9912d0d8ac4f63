"""Localized promise text: a due time or window as a customer reads it, in their zone."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from expectkit._core.errors import InputTypeError, PolicyError
from expectkit.promises.calculator import Commitment, MetricQuote
from expectkit.promises.metrics import Metric
from expectkit.promises.windows import Duration, Window
from expectkit.promises.windows import _utc as _checked_utc
from expectkit.text._babel import (
    _babel_zone_name,
    format_date,
    format_datetime,
    format_timedelta,
    get_timezone_gmt,
)
from expectkit.text.phrasebooks import Phrasebook, _book

__all__ = ["Form", "Precision", "promise_text", "window_text"]


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


Form = Literal["exact", "range", "relative"]
"""How a promise is told: a deadline, a window with its deadline, or "in about …"."""


Precision = Literal["minute", "hour", "day"]
"""The finest part of a shown time; anything finer is rounded up."""


_FORMS: Final = get_args(Form)


_Unit = Literal["second", "minute", "hour", "day"]


_PRECISIONS: Final = get_args(Precision)


def _zone(tz: str | ZoneInfo, where: str = "tz") -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        raise InputTypeError.for_value(tz, where, "an IANA zone name or ZoneInfo")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"{where}: {tz!r} is not an IANA time zone such as 'Europe/Oslo'"
        raise PolicyError(msg) from exc


def _instant(value: object, where: str) -> datetime:
    _checked_utc(value, where)  # aware, and in the supported years
    return cast("datetime", value)


@lru_cache(maxsize=8)
def _abbreviation_offsets(year: int) -> Mapping[str, frozenset[timedelta]]:
    """Every zone abbreviation in use in `year`, with the UTC offsets it stands for."""
    seen: dict[str, set[timedelta]] = {}
    for key in available_timezones():
        try:
            zone = ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # pragma: no cover - broken tzdata
            continue
        for month in (1, 7):
            local = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone)
            name, offset = local.tzname(), local.utcoffset()
            if name and offset is not None:
                seen.setdefault(name, set()).add(offset)
    return {name: frozenset(offsets) for name, offsets in seen.items()}


def _zone_label(t: datetime, book: Phrasebook) -> str:
    """Name `t`'s zone as the phrasebook asks: an abbreviation, a CLDR name or an offset.

    ``short`` uses the abbreviation CLDR lists for the locale, else the tz database's
    when it is letters and no other zone uses it for another offset (so ``CET`` and
    ``MSK``, but not China's ``CST``, which is also America's), else the offset.
    """
    style = book.data["formats"]["zone"]
    if style == "long":
        return str(_babel_zone_name(t, width="long", locale=book.locale))
    if style == "short":
        name = str(_babel_zone_name(t, width="short", locale=book.locale))
        if not any(ch.isdigit() for ch in name):
            return name
        abbr = t.tzname() or ""
        if abbr.isalpha() and len(_abbreviation_offsets(t.year).get(abbr, ())) == 1:
            return abbr
    return str(get_timezone_gmt(t, width="long", locale=book.locale))


def _showing(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """Return the instants whose local time in `zone` is `wall`: none in a gap, two in a fold."""
    found = []
    for fold in (0, 1):
        candidate = wall.replace(tzinfo=zone, fold=fold)
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
            found.append(candidate)
    return found


def _resolve(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """Return the earliest instant showing `wall` in `zone`; None if `wall` is in a gap."""
    found = _showing(wall, zone)
    return min(found, key=_utc) if found else None


def _round_up(t: datetime, precision: Precision) -> datetime:
    """Return the first instant at or after `t` showing nothing finer than `precision`."""
    zone = t.tzinfo
    assert isinstance(zone, ZoneInfo)
    wall = t.replace(tzinfo=None, fold=0)
    if precision == "minute":
        floor, step = wall.replace(second=0, microsecond=0), timedelta(minutes=1)
    else:
        floor, step = wall.replace(minute=0, second=0, microsecond=0), timedelta(hours=1)
    if floor == wall:
        return t
    target = t.astimezone(UTC)
    candidate = floor + step
    while True:  # a DST gap hides at most a few boundaries
        found = [u for u in _showing(candidate, zone) if u.astimezone(UTC) >= target]
        if found:
            return min(found, key=_utc)
        candidate += step


def _shown_day(t: datetime) -> date:
    """Return the local date whose end is the first at or after `t` (00:00 ends the day before)."""
    if t.time() == time(0):
        return t.date() - timedelta(days=1)
    return t.date()


def _format_date(day: date, book: Phrasebook, reference: date | None) -> str:
    pattern = "date" if reference is None or day.year == reference.year else "date_year"
    return str(format_date(day, book.template("formats", pattern), locale=book.locale))


def _when(t: datetime, book: Phrasebook, precision: Precision, reference: date | None) -> str:
    if precision == "day":
        day = _shown_day(t)
        return book.fill(
            "formats",
            "when_day",
            weekday=str(format_date(day, book.template("formats", "weekday"), locale=book.locale)),
            date=_format_date(day, book, reference),
            zone=_zone_label(t, book),
        )
    shown = _round_up(t, precision)
    return book.fill(
        "formats",
        "when",
        weekday=_pattern(shown, book, "weekday"),
        date=_format_date(shown.date(), book, reference),
        time=_pattern(shown, book, "time"),
        zone=_zone_label(shown, book),
    )


def _pattern(t: datetime, book: Phrasebook, key: str) -> str:
    return str(
        format_datetime(t, book.template("formats", key), tzinfo=t.tzinfo, locale=book.locale)
    )


def window_text(
    window: Window | Duration | str, *, locale: str | Phrasebook = "en", relative: bool = False
) -> str:
    """Return a window as the customer reads it: ``"1–3 business days"``, ``"30 seconds"``.

    A range takes the plural form of its upper end. With `relative`, the forms used
    after "in …" are taken where the language has them (Russian: the accusative).

    Args:
        window: A :class:`Window`, a :class:`Duration` or window text (``"1-3 business days"``).
        locale: A locale tag or a :class:`Phrasebook`.
        relative: Use the forms after "in …" rather than after "within …".

    Raises:
        WindowParseError: `window` is text that is not a window.
        PolicyError: An unknown locale.

    >>> window_text("1-3 business days")
    '1–3 business days'
    >>> [window_text(f"{n} business days", locale="ru") for n in (1, 2, 5, 21)]
    ['1 рабочего дня', '2 рабочих дней', '5 рабочих дней', '21 рабочего дня']
    >>> window_text("3-5 hours", locale="zh_Hans")
    '3–5小时'

    """
    book = _book(locale)
    if isinstance(window, str):
        window = Window.parse(window)
    elif isinstance(window, Duration):
        window = Window(low=window, high=window)
    elif not isinstance(window, Window):
        raise InputTypeError.for_value(window, "window", "a Window, Duration or window text")
    unit = window.unit.removesuffix("s")
    if window.clock == "business":
        unit = f"business_{unit}"
    table = (
        "units_relative" if relative and unit in book.data.get("units_relative", {}) else "units"
    )
    return book.counted(unit, window.low.amount, window.high.amount, table=table)


def _promise_window(quote: MetricQuote) -> Window | None:
    """Return the told window as the policy wrote it, if the promise came from one."""
    return quote.promise


def _metric(quote: Commitment | MetricQuote, metric: Metric | None) -> tuple[MetricQuote, ZoneInfo]:
    if isinstance(quote, MetricQuote):
        if metric is not None and metric != quote.metric:
            msg = f"metric: the quote is for {quote.metric!r}, not {metric!r}"
            raise PolicyError(msg)
        zone = quote.promised_at.tzinfo
        assert isinstance(zone, ZoneInfo)
        return quote, zone
    if not isinstance(quote, Commitment):
        raise InputTypeError.for_value(quote, "quote", "a Commitment or MetricQuote")
    wanted: Metric
    if metric is not None:
        wanted = metric
    elif "first_response" in quote.metrics:
        wanted = "first_response"
    else:
        wanted = next(iter(quote.metrics))
    if wanted not in quote.metrics:
        msg = f"metric: {wanted!r} is not in the commitment (it has {', '.join(quote.metrics)})"
        raise PolicyError(msg)
    chosen = quote.metrics[wanted]
    if quote.request.customer_tz is not None:
        return chosen, ZoneInfo(quote.request.customer_tz)
    zone = chosen.promised_at.tzinfo
    assert isinstance(zone, ZoneInfo)
    return chosen, zone


def promise_text(
    quote: Commitment | MetricQuote,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    form: Form = "exact",
    metric: Metric | None = None,
    precision: Precision | None = None,
    window: Window | str | None = None,
    now: datetime | None = None,
) -> str:
    """Tell the customer when they will hear back, in their language and zone.

    * ``exact``: "We'll reply by Wednesday 25 November, 17:00 CET."
    * ``range``: "We'll reply within 1–3 business days — by Wednesday 25 November
      (CET) at the latest."
    * ``relative``: "We'll reply in 2 hours at the latest." (from `now`, default the
      request; the "in 2 hours" is CLDR's, through Babel's ``format_timedelta``)

    The time shown is :attr:`MetricQuote.promised_at` (already rounded outward by the
    policy) in the customer's zone, rounded up again to `precision` when the zone's
    minutes do not line up; a date alone means the end of that day. The relative
    form counts elapsed time and rounds it up: 61 minutes is "in 2 hours". A lead
    time (``direction: before``) is always told exactly; a promise derived from its
    target by a buffer has no window, so ``range`` tells it exactly too. The year
    is shown when it differs from the request's.

    Args:
        quote: A :class:`Commitment` (its `metric`, default ``first_response`` or
            the first it has) or one :class:`MetricQuote`.
        locale: A locale tag or a :class:`Phrasebook`.
        tz: The customer's zone; default the request's ``customer_tz``, else the
            zone the quote counts in.
        form: ``exact``, ``range`` or ``relative``.
        metric: Which metric of a commitment to tell.
        precision: ``minute``, ``hour`` or ``day``; default ``minute``, and ``day``
            for a range counted in days, weeks or months.
        window: The told window, for ``range``; default the quote's promise.
        now: The instant a relative time counts from; default the request's.

    Returns:
        One sentence.

    Raises:
        PolicyError: An unknown locale, zone, form, precision or metric.
        InputTypeError: `quote` is not a quote, or `now` is not a datetime.
        NaiveDatetimeError: `now` has no zone.

    >>> from datetime import datetime, UTC
    >>> from expectkit import Policy, quote
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "90-100 minutes"}}])
    >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 11, 20, 15, 0, 20, tzinfo=UTC))
    >>> print(promise_text(c, tz="Europe/Oslo"))
    We'll reply by Friday 20 November, 17:41 CET.
    >>> print(promise_text(c, locale="bg", tz="Europe/Sofia", form="relative"))
    Ще отговорим най-късно след 2 часа.
    >>> print(promise_text(c, locale="zh_Hans", tz="Asia/Shanghai", form="range"))
    我们将在90–100分钟内回复您，最晚于11月21日星期六 00:41（中国标准时间）。

    """
    book = _book(locale)
    chosen, default_zone = _metric(quote, metric)
    zone = _zone(tz) if tz is not None else default_zone
    if form not in _FORMS:
        msg = f"form: {form!r} is not one of {', '.join(_FORMS)}"
        raise PolicyError(msg)
    if precision is not None and precision not in _PRECISIONS:
        msg = f"precision: {precision!r} is not one of {', '.join(_PRECISIONS)}"
        raise PolicyError(msg)
    action = book.template("actions", chosen.metric)
    start = _instant(now, "now") if now is not None else chosen.requested_at
    reference = start.astimezone(zone).date()
    promised = chosen.promised_at.astimezone(zone)
    if form == "relative":
        left = promised.astimezone(UTC) - start.astimezone(UTC)
        if left <= timedelta(0):
            return book.fill("sentences", "relative_now", action=action)
        return book.fill("sentences", "relative", action=action, span=_span(left, book))
    told: Window | None = None
    if form == "range" and chosen.direction == "after":
        told = Window.parse(window) if isinstance(window, str) else window
        if told is None:
            told = _promise_window(chosen)
    if told is not None:
        shown = precision or ("day" if told.unit in ("days", "weeks", "months") else "minute")
        return book.fill(
            "sentences",
            "range",
            action=action,
            window=window_text(told, locale=book),
            when=_when(promised, book, shown, reference),
        )
    return book.fill(
        "sentences",
        "exact",
        action=action,
        when=_when(promised, book, precision or "minute", reference),
    )


def _span(left: timedelta, book: Phrasebook) -> str:
    """Time left as CLDR's "in …" (Babel's ``format_timedelta``), rounded up: 61 min is 2 h.

    The unit is the largest that fits (up to 90 seconds, 90 minutes, 48 hours, then
    days); CLDR's future pattern brings the preposition and the case it governs
    ("через 1 минуту", "za 1 godzinę"), in the locale's own words even when the
    sentence around it comes from another catalog.
    """
    seconds = left // timedelta(seconds=1) + (1 if left % timedelta(seconds=1) else 0)
    unit: _Unit = "day"
    size = 86400
    steps: tuple[tuple[_Unit, int, int], ...] = (
        ("second", 1, 90),
        ("minute", 60, 90 * 60),
        ("hour", 3600, 48 * 3600),
    )
    for name, length, limit in steps:
        if seconds <= limit:
            unit, size = name, length
            break
    amount = -(-seconds // size)
    return str(
        format_timedelta(
            timedelta(seconds=amount * size),
            granularity=unit,
            threshold=math.inf,  # never a larger unit than the one chosen here
            add_direction=True,
            format="long",
            locale=book.locale,
        )
    )
