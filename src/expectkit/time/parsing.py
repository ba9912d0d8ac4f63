"""Parse and write the short strings of schedules: times, intervals, day keys, zones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from expectkit._core.errors import (
    ScheduleError,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


MIN_YEAR = 1900


MAX_YEAR = 2199


_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


_DATE_KEY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?")


Minutes = tuple[int, int]


def _parse_clock(text: str, interval: str, where: str, *, is_end: bool) -> int:
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ScheduleError.at(
            where, interval, f"{text!r} is not a time HH:MM; write intervals like '09:00-17:00'"
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        allowed = "00:00 to 24:00" if is_end else "00:00 to 23:59"
        side = "an end" if is_end else "a start"
        raise ScheduleError.at(where, interval, f"{text!r}: {side} time runs from {allowed}")
    return hours * 60 + minutes


def _parse_interval(text: object, where: str) -> Minutes:
    if not isinstance(text, str):
        raise ScheduleError.at(where, text, "expected an interval string like '09:00-17:00'")
    parts = text.split("-")
    if len(parts) != 2:
        raise ScheduleError.at(where, text, "expected an interval like '09:00-17:00'")
    start = _parse_clock(parts[0], text, where, is_end=False)
    end = _parse_clock(parts[1], text, where, is_end=True)
    if end == start:
        raise ScheduleError.at(
            where, text, "an interval must not be empty; a whole day is '00:00-24:00'"
        )
    if end < start:
        end += 1440  # an overnight shift, owned by the day it starts
    return start, end


def _format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _format_interval(interval: Minutes) -> str:
    start, end = interval
    end_text = "24:00" if end == 1440 else _format_clock(end % 1440)
    return f"{_format_clock(start)}-{end_text}"


def _normalize_intervals(values: object, where: str) -> tuple[Minutes, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ScheduleError.at(where, values, "expected a list of intervals like ['09:00-17:00']")
    parsed = sorted(_parse_interval(v, f"{where}[{i}]") for i, v in enumerate(values))
    merged: list[Minutes] = []
    for start, end in parsed:
        if merged:
            prev_start, prev_end = merged[-1]
            new_end = max(prev_end, end)
            # Merge only while the result is still writable as one "HH:MM-HH:MM".
            fits = new_end - prev_start < 1440 or (prev_start == 0 and new_end == 1440)
            if start <= prev_end and fits:
                merged[-1] = (prev_start, new_end)
                continue
        merged.append((start, end))
    return tuple(merged)


def _parse_days(key: object, where: str) -> list[int]:
    if not isinstance(key, str) or not key.strip():
        raise ScheduleError.at(where, key, "expected day keys like 'mon', 'mon-fri' or 'mon,wed'")
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(e not in DAYS for e in ends):
            raise ScheduleError.at(
                where, key, f"unknown day {part!r}; use mon..sun, ranges 'mon-fri', lists 'mon,wed'"
            )
        first = DAYS.index(ends[0])
        last = DAYS.index(ends[-1])
        span = (last - first) % 7  # "fri-mon" wraps over the weekend
        days.extend((first + k) % 7 for k in range(span + 1))
    return days


def _day_key(days: Iterable[int]) -> str:
    """Write a set of weekdays compactly: {0,1,2,4} -> 'mon-wed,fri'."""
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) == 1:
            parts.append(DAYS[run[0]])
        elif len(run) == 2:
            parts.append(f"{DAYS[run[0]]},{DAYS[run[1]]}")
        else:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
    return ",".join(parts)


def _parse_date_key(key: object, where: str) -> tuple[date, date]:
    if isinstance(key, datetime):
        raise ScheduleError.at(where, key, "expected a date, not a datetime")
    if isinstance(key, date):
        return key, key
    if not isinstance(key, str):
        raise ScheduleError.at(
            where, key, "expected a date 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD'"
        )
    match = _DATE_KEY.fullmatch(key.strip())
    if match is None:
        raise ScheduleError.at(
            where, key, "expected 'YYYY-MM-DD' or a range 'YYYY-MM-DD..YYYY-MM-DD'"
        )
    try:
        first = date.fromisoformat(match.group(1))
        last = date.fromisoformat(match.group(2)) if match.group(2) else first
    except ValueError as exc:
        raise ScheduleError.at(where, key, f"not a calendar date ({exc})") from None
    if last < first:
        raise ScheduleError.at(where, key, "the range ends before it starts")
    if not (first.year >= MIN_YEAR and last.year <= MAX_YEAR):
        raise ScheduleError.at(where, key, f"dates must lie in {MIN_YEAR}..{MAX_YEAR}")
    return first, last


def _format_date_key(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


# POSIX TZ strings kept in the tz database for compatibility: what they mean depends on
# the host's tz data (before 2024b a fixed US rule without history, since then a link).
_POSIX_ZONES: Final = {
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
}
_POSIX_LIKE: Final = re.compile(r"[A-Za-z]{3,}[+-]?\d{1,2}(?:[A-Za-z]{3,})?")


@lru_cache(maxsize=1)
def _iana_keys() -> frozenset[str]:
    """Return the zone keys of the tz database as tzdata bundles it (else the host's)."""
    try:
        from importlib.resources import files

        text = files("tzdata").joinpath("zones").read_text(encoding="utf-8")
        keys = frozenset(text.split())
    except (ImportError, OSError):  # pragma: no cover - tzdata is a dependency
        from zoneinfo import available_timezones

        keys = frozenset(available_timezones())
    # Host-dependent or placeholder entries, never a zone anyone lives in.
    return keys - {"localtime", "posixrules", "Factory"}


def iana_zone(key: str, where: str = "tz") -> ZoneInfo:
    """Return the zone of IANA `key`; a host-dependent or POSIX-rule key is refused.

    Raises:
        ScheduleError: An unknown key, ``localtime`` or a POSIX rule such as ``EST5EDT``.

    """
    if key not in _iana_keys():
        if key in _POSIX_ZONES or _POSIX_LIKE.fullmatch(key):
            hint = _POSIX_ZONES.get(key, "America/New_York")
            problem = (
                "a POSIX TZ rule, not an IANA zone (its meaning depends on the host's tz "
                f"data); use a location such as {hint!r}"
            )
        elif key.lower() in {"localtime", "posixrules", "factory", "local"}:
            problem = (
                "names the host's own zone, so results would depend on the machine; "
                "use an IANA name like 'Europe/Berlin'"
            )
        else:
            problem = "unknown time zone; use an IANA name like 'Europe/Berlin'"
        raise ScheduleError.at(where, key, problem)
    if key in _POSIX_ZONES:
        raise ScheduleError.at(
            where,
            key,
            "a POSIX TZ rule, not an IANA zone (its meaning depends on the host's tz data); "
            f"use a location such as {_POSIX_ZONES[key]!r}",
        )
    try:
        return ZoneInfo(key)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError, OSError for odd keys
        raise ScheduleError.at(
            where,
            key,
            f"unknown time zone ({type(exc).__name__}); use an IANA name like 'Europe/Berlin'",
        ) from None
