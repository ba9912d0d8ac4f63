"""Opening hours and channels as text: the week, closures and what each channel promises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_pkg

from expectkit._core.errors import ScheduleError
from expectkit.promises.channels import Channel
from expectkit.promises.metrics import Metric
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Request
from expectkit.promises.windows import Window
from expectkit.text._babel import (
    format_time,
    get_day_names,
)
from expectkit.text.phrasebooks import Phrasebook, _book
from expectkit.text.promise_text import (
    _instant,
    _resolve,
    _utc,
    _zone,
    _zone_label,
    window_text,
)
from expectkit.time.schedule import Schedule

__all__ = ["channel_text", "hours_text"]


Spans = dict[int, list[tuple[int, int]]]
"""Open time of a repeating week: weekday (0 = Monday) to (start, end) local minutes.

An end past 1440 runs into the next day (an overnight 17:00-01:00 is (1020, 1500))."""


def _subdivision_name(country: str, subdiv: str) -> str:
    """Name a holiday subdivision as the `holidays` package does ("BE" -> "Berlin")."""
    aliases = getattr(holidays_pkg.country_holidays(country), "subdivisions_aliases", {})
    names = [name for name, code in aliases.items() if code == subdiv]
    return names[0] if names else subdiv


@lru_cache(maxsize=128)
def _weekly_only(schedule: Schedule) -> Schedule | None:
    """Return the schedule's regular week, without holidays, closures and special days."""
    if not schedule.weekly:
        return None
    try:
        return Schedule(tz=schedule.tz, weekly=schedule.weekly)
    except ScheduleError:  # pragma: no cover - a valid schedule's week is valid
        return None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the first instant of local date `day` (later, if midnight falls in a gap)."""
    wall = datetime.combine(day, time(0))
    for minutes in range(0, 24 * 60, 15):
        found = _resolve(wall + timedelta(minutes=minutes), zone)
        if found is not None:
            return found
    raise AssertionError(day)  # pragma: no cover - no zone skips a whole day's quarters


def _week_start(day: date, first_day: int) -> date:
    """Return the first day of the week holding `day`; weeks start on `first_day` (0 = Monday).

    >>> _week_start(date(2026, 11, 25), 0), _week_start(date(2026, 11, 25), 6)
    (datetime.date(2026, 11, 23), datetime.date(2026, 11, 22))
    """
    return day - timedelta(days=(day.weekday() - first_day) % 7)


@dataclass(frozen=True, slots=True)
class _Week:
    days: Spans
    always: bool


def _week(schedule: Schedule, zone: ZoneInfo, at: datetime, first_day: int = 0) -> _Week:
    """Return the regular week containing `at`, as the visitor's zone shows it.

    The week starts on weekday `first_day` (0 = Monday; the locale's, from CLDR).

    The week's open intervals (with two days either side, so stretches that run
    across the week's ends are whole) are cut at the visitor's midnights; the seven
    visitor dates from the one where the week starts each keep their pieces. A
    piece ending at midnight then takes the next day's piece starting at midnight
    when together they last at most a day: an overnight shift, not a long stretch.
    """
    base = _weekly_only(schedule)
    if base is None:
        return _Week({}, always=False)
    home = schedule.zone
    local = at.astimezone(home).date()
    monday = _week_start(local, first_day)
    merged: list[tuple[datetime, datetime]] = []
    for offset in range(-2, 9):
        for start, end in base.day_intervals(monday + timedelta(days=offset)):
            if merged and _utc(start) <= _utc(merged[-1][1]):
                merged[-1] = (merged[-1][0], max(end, merged[-1][1], key=_utc))
            else:
                merged.append((start, end))
    week_start, week_end = _midnight(monday, home), _midnight(monday + timedelta(days=7), home)
    if any(_utc(s) <= _utc(week_start) and _utc(e) >= _utc(week_end) for s, e in merged):
        return _Week({}, always=True)
    first = week_start.astimezone(zone).date()
    days: Spans = {}
    for start, end in merged:
        begin, finish = start.astimezone(zone), end.astimezone(zone)
        while _utc(begin) < _utc(finish):
            midnight = _midnight(begin.date() + timedelta(days=1), zone)
            cut = min(midnight, finish, key=_utc)
            if first <= begin.date() < first + timedelta(days=7):
                last = 1440 if cut == midnight else cut.hour * 60 + cut.minute
                days.setdefault(begin.weekday(), []).append((begin.hour * 60 + begin.minute, last))
            begin = cut
    for spans in days.values():
        spans.sort()
    order = [(first.weekday() + i) % 7 for i in range(7)]
    for day in order:
        today, tomorrow = days.get(day), days.get((day + 1) % 7)
        if not today or not tomorrow or today is tomorrow:
            continue
        (opens, closes), (next_opens, next_closes) = today[-1], tomorrow[0]
        if closes == 1440 and next_opens == 0 and 0 < next_closes <= opens:
            today[-1] = (opens, 1440 + next_closes)
            tomorrow.pop(0)
    return _Week({day: spans for day, spans in days.items() if spans}, always=False)


def _clock(minutes: int, book: Phrasebook) -> str:
    pattern = book.template("formats", "clock")
    if minutes == 1440:
        pattern = pattern.replace("HH", "'24'")  # "24:00" ends a day, as in schedules
    hours, minute = divmod(minutes % 1440, 60)
    return str(format_time(time(hours, minute), pattern, locale=book.locale))


def _times(spans: Sequence[tuple[int, int]], book: Phrasebook) -> tuple[str, ...]:
    return tuple(
        book.template("hours", "whole_day")
        if (start, end) == (0, 1440)
        else book.fill("formats", "time_range", start=_clock(start, book), end=_clock(end, book))
        for start, end in spans
    )


def _days_text(days: Sequence[int], book: Phrasebook) -> str:
    """Name weekdays as runs in the locale's week, a run may wrap its end ("Sun–Thu").

    The week starts on the locale's first day (CLDR, through Babel's
    ``Locale.first_week_day``: Monday for ``de``, Sunday for ``en_US``); a run that
    reaches the week's last day joins one that starts on its first.
    """
    names = get_day_names("abbreviated", locale=book.locale)
    first = book.locale.first_week_day
    runs: list[list[int]] = []
    for position in sorted((day - first) % 7 for day in days):
        if runs and runs[-1][-1] == position - 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:
        runs[0] = runs.pop() + runs[0]
    parts: list[str] = []
    for run in runs:
        weekdays = [(position + first) % 7 for position in run]
        if len(weekdays) >= 3:
            parts.append(
                book.fill(
                    "formats", "day_range", first=names[weekdays[0]], last=names[weekdays[-1]]
                )
            )
        else:
            parts.extend(names[day] for day in weekdays)
    return book.template("formats", "day_list").join(parts)


def hours_text(
    schedule: Schedule,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    at: datetime | None = None,
) -> str:
    """Return a schedule's regular weekly hours in the visitor's zone, zone named.

    The hours are those of the week containing `at` (default: now), the week
    starting on the locale's first day from CLDR (Sunday for ``en_US``, Monday for
    ``en`` and ``de``), listed in that order and moved into
    `tz`, so "Mon–Fri 09:00–17:00" in Berlin reads "Mon–Fri 03:00–11:00 EST" in New
    York; a shift that crosses the visitor's midnight is shown as one overnight
    interval ("17:00–01:00") on the day it starts, and a whole day as the
    phrasebook's "24 hours". Holidays, closures and special
    days are left out (see :func:`contact_page` for those); a week that is open
    throughout reads "around the clock".

    Args:
        schedule: The hours.
        locale: A locale tag or a :class:`Phrasebook`.
        tz: The visitor's zone; default the schedule's.
        at: An instant in the week to show; default now.

    Raises:
        PolicyError: An unknown locale or zone.
        NaiveDatetimeError: `at` has no zone.

    >>> from datetime import datetime, UTC
    >>> office = Schedule(tz="Europe/Berlin", weekly={
    ...     "mon-fri": ["09:00-12:30", "13:30-17:00"], "sat": ["10:00-14:00"]})
    >>> week = datetime(2026, 11, 23, tzinfo=UTC)
    >>> hours_text(office, at=week)
    'Mon–Fri 09:00–12:30, 13:30–17:00, Sat 10:00–14:00 CET'
    >>> hours_text(office, locale="nb", tz="Asia/Tokyo", at=week)
    'man.–fre. 17:00–20:30, 21:30–01:00, lør. 18:00–22:00 JST'
    >>> hours_text(Schedule.always("UTC"), locale="ru", at=week)
    'круглосуточно'

    """
    book = _book(locale)
    zone = _zone(tz) if tz is not None else schedule.zone
    moment = _instant(at, "at") if at is not None else datetime.now(UTC)
    first_day = book.locale.first_week_day
    week = _week(schedule, zone, moment, first_day)
    if week.always:
        return book.template("hours", "always")
    if not week.days:
        return book.template("hours", "none")
    groups: dict[tuple[str, ...], list[int]] = {}
    for day, spans in sorted(week.days.items()):
        groups.setdefault(_times(spans, book), []).append(day)
    separator = book.template("formats", "list")
    spans_text = [
        book.fill("hours", "span", days=_days_text(days, book), times=separator.join(times))
        for times, days in sorted(
            groups.items(), key=lambda item: min((day - first_day) % 7 for day in item[1])
        )
    ]
    return book.fill(
        "hours",
        "text",
        spans=separator.join(spans_text),
        zone=_zone_label(moment.astimezone(zone), book),
    )


def _promised_window(policy: Policy, channel: str, metric: Metric, at: datetime) -> Window | None:
    """Return the window a plain request on `channel` is told for `metric`, if any."""
    rule = policy.match(Request(channel=channel), at)
    target = getattr(rule, metric) if rule is not None else None
    if target is None or target.direction != "after":
        return None
    promise = target.promise
    return promise if isinstance(promise, Window) else None


def _channels(policy: Policy) -> list[Channel]:
    if policy.channels:
        return list(policy.channels.values())
    return [policy.channel("any")]


def _label(channel: Channel, policy: Policy, book: Phrasebook, labels: Mapping[str, str]) -> str:
    if channel.name in labels:
        return labels[channel.name]
    if not policy.channels:
        return book.template("page", "any_channel")
    same_kind = sum(1 for c in policy.channels.values() if c.kind == channel.kind)
    if channel.kind == "custom" or same_kind > 1:
        return channel.name
    return book.template("kinds", channel.kind)


def channel_text(
    policy: Policy,
    channel: str,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    at: datetime | None = None,
    label: str | None = None,
) -> str:
    """Return one line telling a visitor when a channel is open and what to expect.

    A live channel shows its hours, its own answer time if its rule sets one, and
    what happens outside the hours when it has an ``offline`` channel ("leave a
    message and we reply within …", the offline channel's promise). An async channel
    shows its reply window and the hours it is counted in. Windows are those told to
    a plain request on the channel (no tags, priority or segment) under the rules in
    force at `at`.

    Args:
        policy: The policy declaring the channel.
        channel: The channel's name.
        locale: A locale tag or a :class:`Phrasebook`.
        tz: The visitor's zone; default the channel schedule's.
        at: When (rules in force, the week of hours shown); default now.
        label: The channel's name as shown; default the phrasebook's name of its kind.

    Raises:
        PolicyError: An unknown channel, locale or zone.

    >>> from datetime import datetime, UTC
    >>> policy = Policy.loads('''
    ... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
    ... channels:
    ...   email: {kind: email, schedule: berlin}
    ...   chat: {kind: chat, schedule: berlin, offline: email}
    ... rules:
    ...   - {name: email, match: {channel: email}, first_response: {promise: "1 business day"}}
    ...   - {name: chat, match: {channel: chat}, first_response: {promise: "30 business seconds"}}
    ... ''')
    >>> week = datetime(2026, 11, 23, tzinfo=UTC)
    >>> print(channel_text(policy, "chat", at=week, label="Chat"))
    Chat: Mon–Fri 09:00–17:00 CET, answered within 30 seconds during business hours; \
outside these hours leave a message and we reply within 1 business day.
    >>> print(channel_text(policy, "email", locale="bg", tz="Europe/Sofia", at=week))
    Имейл: отговаряме в рамките на 1 работен ден; работно време: пн–пт 10:00–18:00 \
(Източноевропейско стандартно време).

    """
    book = _book(locale)
    moment = _instant(at, "at") if at is not None else datetime.now(UTC)
    found = policy.channel(channel)
    schedule = policy.schedule(found.schedule)
    hours = hours_text(schedule, locale=book, tz=tz, at=moment)
    name = label if label is not None else _label(found, policy, book, {})
    own = _promised_window(policy, found.name, "first_response", moment)
    if found.is_live:
        offline = (
            _promised_window(policy, found.offline, "first_response", moment)
            if found.offline is not None
            else None
        )
        values = {"channel": name, "hours": hours}
        if own is not None:
            values["answer"] = window_text(own, locale=book)
        if offline is not None:
            values["window"] = window_text(offline, locale=book)
        key = {
            (False, False): "live",
            (True, False): "live_answer",
            (False, True): "live_offline",
            (True, True): "live_answer_offline",
        }[(own is not None, offline is not None)]
        return book.fill("channels", key, **values)
    if own is None:
        return book.fill("channels", "plain", channel=name, hours=hours)
    return book.fill(
        "channels", "async", channel=name, hours=hours, window=window_text(own, locale=book)
    )
