"""Shared Hypothesis strategies: zones, schedules, instants and durations.

Every schedule is drawn twice over: as the keyword arguments of
``expectkit.Schedule`` and as the plain :class:`oracle.OracleSchedule` that the
oracle reads, so a test can compare the engine with the oracle on the same input.
Instants are drawn near a per-example *anchor*, which is itself biased towards
DST transitions and holidays; interval endpoints are biased towards the wall
times at which the clocks change near that anchor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from oracle import (
    DAY_US,
    HolidayCalendar,
    Oracle,
    OracleSchedule,
    Span,
    calendar_holidays,
    from_us,
    local_date,
    to_us,
)

if TYPE_CHECKING:
    from expectkit import Schedule

__all__ = [
    "COUNTRIES",
    "ZONES",
    "ScheduleCase",
    "anchors",
    "durations",
    "holiday_calendars",
    "instants",
    "long_overlaps",
    "render_span",
    "schedule_cases",
    "transitions",
    "years",
    "zones",
]

ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",  # DST changed at midnight until 2019: 00:00 did not exist
    "America/St_Johns",  # -03:30
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kathmandu",  # +05:45, LMT +05:41:16 before 1920
    "Asia/Tehran",  # +03:30, DST until 2022
    "Africa/Casablanca",  # DST suspended every Ramadan
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "Pacific/Chatham",  # +12:45 / +13:45
)

# The country (and subdivision) whose public holidays fit each zone.
COUNTRIES: dict[str, tuple[str, str | None]] = {
    "UTC": ("GB", "SCT"),
    "Europe/Berlin": ("DE", "BE"),
    "Europe/London": ("GB", "ENG"),
    "America/New_York": ("US", "NY"),
    "America/Sao_Paulo": ("BR", "SP"),
    "America/St_Johns": ("CA", "NL"),
    "Australia/Lord_Howe": ("AU", "NSW"),
    "Asia/Kathmandu": ("NP", None),
    "Asia/Tehran": ("IR", None),
    "Africa/Casablanca": ("MA", None),
    "Pacific/Apia": ("WS", None),
    "Pacific/Chatham": ("NZ", "CIT"),
}

# Years with unusual transitions: Nepal's switch to +05:45, the Apia date-line
# jump, Brazil's last DST, Iran's last DST, the end of the explicit tzdata
# tables, the end of the `holidays` data, wartime double summer time.
NOTABLE_YEARS: tuple[int, ...] = (
    1916, 1941, 1945, 1947, 1986, 2007, 2011, 2018, 2019, 2020,
    2021, 2022, 2023, 2026, 2037, 2038, 2087, 2088, 2100, 2101,
)  # fmt: skip

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROUND_MINUTES: tuple[int, ...] = (0, 30, 60, 120, 150, 180, 240, 360, 480, 540, 720, 1020, 1320)
# Weekly hours are topped up to at least this much so that 60 business hours
# are found within weeks, far inside the engine's search horizon.
MIN_WEEKLY_MINUTES = 240
FIRST_YEAR, LAST_YEAR = 1905, 2194
DEFAULT_HORIZON = timedelta(days=3653)


def zones() -> st.SearchStrategy[str]:
    """Draw one of :data:`ZONES`."""
    return st.sampled_from(ZONES)


# Years in which each zone did something unusual.
ZONE_YEARS: dict[str, tuple[int, ...]] = {
    "UTC": (1970,),
    "Europe/Berlin": (1945, 1947, 1949, 1980),  # double summer time, no DST 1950-1979
    "Europe/London": (1941, 1968, 1971, 1996),  # British Double/Standard Time
    "America/New_York": (1974, 1975, 2007),  # year-round DST, the 2007 rule change
    "America/Sao_Paulo": (1985, 2018, 2019),  # transitions at midnight, DST abolished
    "America/St_Johns": (1988, 2011),  # double daylight time, a 00:01 transition
    "Australia/Lord_Howe": (1981, 1985, 2020),  # DST of 60 then 30 minutes
    "Asia/Kathmandu": (1920, 1986),  # from LMT, then +05:30 -> +05:45
    "Asia/Tehran": (1978, 2022, 2023),  # DST abolished after 2022
    "Africa/Casablanca": (2018, 2019, 2026, 2087),  # +01 with Ramadan breaks
    "Pacific/Apia": (2011, 2012, 2021),  # skipped 2011-12-30
    "Pacific/Chatham": (1990, 2007),
}


def years(tz: str | None = None) -> st.SearchStrategy[int]:
    """Draw a year, mostly near today, sometimes anywhere in the supported range."""
    notable = NOTABLE_YEARS + (ZONE_YEARS[tz] if tz is not None else ())
    return st.one_of(
        st.integers(1995, 2040),
        st.sampled_from(notable),
        st.integers(FIRST_YEAR, LAST_YEAR),
    )


def _offset(us: int, zone: ZoneInfo) -> timedelta | None:
    return from_us(us, zone).utcoffset()


@functools.cache
def transitions(tz: str, year: int) -> tuple[int, ...]:
    """Return the instants (UTC microseconds) in ``year`` at which ``tz`` changes offset."""
    zone = ZoneInfo(tz)
    start = to_us(datetime(year, 1, 1, tzinfo=UTC))
    stop = to_us(datetime(year + 1, 1, 1, tzinfo=UTC))
    found: list[int] = []
    prev = start
    while prev < stop:
        nxt = min(prev + DAY_US, stop)
        if _offset(prev, zone) != _offset(nxt, zone):
            lo, hi = prev, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(mid, zone) == _offset(lo, zone):
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        prev = nxt
    return tuple(found)


def _transitions_near(tz: str, us: int, days: int) -> list[int]:
    year = from_us(us).year
    near = (*transitions(tz, year - 1), *transitions(tz, year), *transitions(tz, year + 1))
    return [t for t in near if abs(t - us) <= days * DAY_US]


def hot_minutes(tz: str, us: int) -> tuple[int, ...]:
    """Return local wall minutes at which the clocks change within a week of ``us``."""
    zone = ZoneInfo(tz)
    hot: set[int] = set()
    for t in _transitions_near(tz, us, 7):
        before = from_us(t - 1, zone).replace(tzinfo=None) + timedelta(microseconds=1)
        after = from_us(t, zone).replace(tzinfo=None)
        low, high = min(before, after), max(before, after)
        middle = low + (high - low) / 2
        for wall in (low, middle, high, low - timedelta(minutes=1), high + timedelta(minutes=1)):
            hot.add(wall.hour * 60 + wall.minute)
    return tuple(sorted(hot))


def holiday_calendars(tz: str) -> st.SearchStrategy[HolidayCalendar | None]:
    """Draw no holidays, the zone's own country's, or another country's."""
    own = COUNTRIES[tz]
    others = sorted(set(COUNTRIES.values()), key=lambda c: (c[0], c[1] or ""))
    return st.one_of(
        st.none(),
        st.builds(HolidayCalendar, st.just(own[0]), st.just(own[1])),
        st.builds(
            lambda c, observed: HolidayCalendar(c[0], c[1], observed),
            st.sampled_from(others),
            st.booleans(),
        ),
    )


@st.composite
def anchors(draw: st.DrawFn, tz: str, calendar: HolidayCalendar | None = None) -> int:
    """Draw an instant (UTC microseconds) near a transition, New Year, a holiday, or anywhere."""
    year = draw(years(tz))
    kinds = ["transition", "transition", "new year", "uniform"]
    kind = draw(st.sampled_from([*kinds, "holiday"] if calendar is not None else kinds))
    start = to_us(datetime(year, 1, 1, tzinfo=UTC))
    if kind == "new year":
        # the engine compiles a year at a time; stress the seams
        new_year = to_us(datetime(year, 1, 1, tzinfo=ZoneInfo(tz)))
        return new_year + draw(
            st.one_of(st.sampled_from([0, -1, 1]), st.integers(-2 * DAY_US, 2 * DAY_US))
        )
    if kind == "transition" and transitions(tz, year):
        t = draw(st.sampled_from(transitions(tz, year)))
        delta = draw(
            st.one_of(
                st.sampled_from([0, -1, 1, -3_600_000_000, 3_600_000_000]),
                st.integers(-3 * DAY_US, 3 * DAY_US),
            )
        )
        return t + delta
    if kind == "holiday" and calendar is not None:
        dates = sorted(calendar_holidays(calendar, year))
        if dates:
            holiday = draw(st.sampled_from(dates))
            midnight = datetime.combine(holiday, time(), tzinfo=ZoneInfo(tz))
            return to_us(midnight) + draw(st.integers(-DAY_US, 2 * DAY_US))
    return start + draw(st.integers(0, 365 * DAY_US))


def _minutes_in(lo: int, hi: int, hot: tuple[int, ...]) -> st.SearchStrategy[int]:
    special = sorted({m for m in (*hot, *ROUND_MINUTES, 1440) if lo <= m <= hi})
    uniform = st.integers(lo, hi)
    if not special:
        return uniform
    return st.one_of(st.sampled_from(special), uniform)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def render_span(span: Span, *, midnight_as_zero: bool = False) -> str:
    """Return ``"HH:MM-HH:MM"`` for a span; an end at 1440 or later wraps past midnight."""
    start, end = span
    if end < 1440:
        tail = _hhmm(end)
    elif end == 1440:
        tail = "00:00" if midnight_as_zero else "24:00"
    else:
        tail = _hhmm(end - 1440)
    return f"{_hhmm(start)}-{tail}"


@st.composite
def spans(draw: st.DrawFn, hot: tuple[int, ...] = ()) -> tuple[str, Span]:
    """Draw one interval as engine text and as an oracle span."""
    start = draw(_minutes_in(0, 1439, hot))
    overnight = start > 0 and draw(st.integers(0, 3)) == 0
    if overnight:
        end = 1440 + draw(_minutes_in(0, start - 1, hot))
    else:
        end = draw(_minutes_in(start + 1, 1440, hot))
    text = render_span(
        (start, end), midnight_as_zero=end == 1440 and start > 0 and draw(st.booleans())
    )
    return text, (start, end)


@st.composite
def long_overlaps(draw: st.DrawFn, hot: tuple[int, ...] = ()) -> list[tuple[str, Span]]:
    """Draw two overlapping intervals whose union lasts 24 hours or more.

    Such a union cannot be written as one ``"HH:MM-HH:MM"``, so a model that merges
    intervals only while they stay writable keeps both; their union must still
    behave exactly like the merged hours.
    """
    first = draw(_minutes_in(0, 1438, hot))
    second = draw(_minutes_in(first + 1, 1439, hot))
    first_end = draw(_minutes_in(second, 1440, hot))
    second_end = 1440 + draw(_minutes_in(first, second - 1, hot))
    pair = [(first, first_end), (second, second_end)]
    return [(render_span(p), p) for p in draw(st.permutations(pair))]


def _day_lists(hot: tuple[int, ...]) -> st.SearchStrategy[list[tuple[str, Span]]]:
    return st.one_of(
        st.just([]),
        st.lists(spans(hot), min_size=1, max_size=3),
        long_overlaps(hot),
    )


def _open_minutes(day: list[tuple[str, Span]]) -> int:
    total, reach = 0, -1
    for start, end in sorted(span for _, span in day):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def _weekday_key(days: list[int]) -> str:
    if len(days) == 1:
        return WEEKDAYS[days[0]]
    if days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]}-{WEEKDAYS[days[-1]]}"
    return ",".join(WEEKDAYS[d] for d in days)


@st.composite
def _weekly(
    draw: st.DrawFn, hot: tuple[int, ...]
) -> tuple[dict[str, list[str]], tuple[tuple[Span, ...], ...]]:
    per_day = [draw(_day_lists(hot)) for _ in range(7)]
    if sum(_open_minutes(day) for day in per_day) < MIN_WEEKLY_MINUTES:
        per_day[draw(st.integers(0, 6))].append(("09:00-17:00", (540, 1020)))
    groups: dict[tuple[str, ...], list[int]] = {}
    for weekday, day in enumerate(per_day):
        groups.setdefault(tuple(text for text, _ in day), []).append(weekday)
    grouped = draw(st.booleans())
    weekly: dict[str, list[str]] = {}
    for texts, days in groups.items():
        if not texts and not draw(st.booleans()):
            continue  # a missing weekday is closed; sometimes say so with []
        keys = [_weekday_key(days)] if grouped else [WEEKDAYS[d] for d in days]
        for key in keys:
            weekly[key] = list(texts)
    oracle_weekly = tuple(tuple(span for _, span in day) for day in per_day)
    return weekly, oracle_weekly


def _date_blocks(
    draw: st.DrawFn, around: date, taken: set[date], max_blocks: int
) -> list[tuple[str, list[date]]]:
    """Draw non-overlapping single dates and ``a..b`` ranges near ``around``."""
    blocks: list[tuple[str, list[date]]] = []
    for _ in range(draw(st.integers(0, max_blocks))):
        first = around + timedelta(days=draw(st.integers(-6, 6)))
        length = draw(st.sampled_from([1, 1, 1, 2, 3]))
        days = [first + timedelta(days=i) for i in range(length)]
        if taken.intersection(days):
            continue
        taken.update(days)
        key = days[0].isoformat() if length == 1 else f"{days[0]}..{days[-1]}"
        blocks.append((key, days))
    return blocks


@dataclass(frozen=True, eq=False)
class ScheduleCase:
    """One drawn schedule, as engine keyword arguments and as an oracle description."""

    tz: str
    weekly: dict[str, list[str]]
    closed: list[str]
    special: dict[str, list[str]]
    holidays: HolidayCalendar | None
    description: OracleSchedule
    anchor: int
    boundaries: tuple[int, ...]
    oracle: Oracle = field(repr=False)
    horizon: timedelta | None = None

    @property
    def effective_horizon(self) -> timedelta:
        """The search horizon the engine applies: the given one or its default."""
        return self.horizon if self.horizon is not None else DEFAULT_HORIZON

    def __repr__(self) -> str:
        return f"Schedule(**{self.schedule_kwargs(plain=True)!r})  # anchor {from_us(self.anchor)}"

    def schedule_kwargs(self, *, plain: bool = False) -> dict[str, Any]:
        """Return keyword arguments for ``expectkit.Schedule``.

        Args:
            plain: Give holidays as a dict instead of an ``expectkit.Holidays``.
        """
        kwargs: dict[str, Any] = {"tz": self.tz, "weekly": self.weekly}
        if self.closed:
            kwargs["closed"] = self.closed
        if self.special:
            kwargs["special"] = self.special
        if self.horizon is not None:
            kwargs["horizon"] = self.horizon
        if self.holidays is not None:
            hol: dict[str, Any] = {"country": self.holidays.country}
            if self.holidays.subdiv is not None:
                hol["subdiv"] = self.holidays.subdiv
            if not self.holidays.observed:
                hol["observed"] = False
            if plain:
                kwargs["holidays"] = hol
            else:
                from expectkit import Holidays

                kwargs["holidays"] = Holidays(**hol)
        return kwargs

    def build(self) -> Schedule:
        """Return the engine's ``Schedule`` for this case."""
        from expectkit import Schedule

        return Schedule(**self.schedule_kwargs())


@st.composite
def schedule_cases(
    draw: st.DrawFn, zone: str | None = None, *, short_horizons: bool = True
) -> ScheduleCase:
    """Draw a schedule near an anchor instant, with its oracle twin.

    Weekly hours hold up to three possibly overlapping intervals a day, overnight
    shifts and ``24:00``/``00:00`` ends, with endpoints biased to the wall times of
    nearby DST transitions; closures, special days (``[]`` closes) and holidays
    fall within a week of the anchor.  With ``short_horizons`` the search horizon
    is sometimes a few days, so that answers beyond it must raise.
    """
    tz = zone if zone is not None else draw(zones())
    calendar = draw(holiday_calendars(tz))
    anchor = draw(anchors(tz, calendar))
    zone_info = ZoneInfo(tz)
    around = local_date(anchor, zone_info)
    hot = hot_minutes(tz, anchor)

    weekly, oracle_weekly = draw(_weekly(hot))

    taken: set[date] = set()
    closed_blocks = _date_blocks(draw, around, taken, 2)
    taken = set()
    special_blocks = _date_blocks(draw, around, taken, 3)
    special: dict[str, list[str]] = {}
    oracle_special: dict[date, tuple[Span, ...]] = {}
    for key, days in special_blocks:
        day = draw(_day_lists(hot))
        special[key] = [text for text, _ in day]
        for d in days:
            oracle_special[d] = tuple(span for _, span in day)

    description = OracleSchedule(
        tz=tz,
        weekly=oracle_weekly,
        closed=frozenset(d for _, days in closed_blocks for d in days),
        holiday_calendar=calendar,
        special=oracle_special,
    )
    oracle = Oracle(description)
    points: set[int] = set()
    for offset in range(-4, 5):
        for start, end in oracle.day_intervals(around + timedelta(days=offset)):
            points.update((start, end))
    horizon: timedelta | None = None
    if short_horizons and draw(st.integers(0, 3)) == 0:
        horizon = timedelta(microseconds=draw(st.integers(DAY_US, 21 * DAY_US)))
    return ScheduleCase(
        horizon=horizon,
        tz=tz,
        weekly=weekly,
        closed=[key for key, _ in closed_blocks],
        special=special,
        holidays=calendar,
        description=description,
        anchor=anchor,
        boundaries=tuple(sorted(points)),
        oracle=oracle,
    )


_NUDGES = (0, 0, 0, 1, -1, 1_000_000, -1_000_000, 60_000_000, -60_000_000)


@st.composite
def instants(draw: st.DrawFn, case: ScheduleCase) -> datetime:
    """Draw an aware instant near the case's anchor, an interval endpoint or a transition.

    The instant is expressed in the schedule's zone, UTC, another zone or a fixed
    offset, so that tests also cover inputs from foreign zones.
    """
    near_transitions = _transitions_near(case.tz, case.anchor, 7)
    bases = [
        st.integers(case.anchor - 8 * DAY_US, case.anchor + 8 * DAY_US),
        st.integers(case.anchor - 8 * DAY_US, case.anchor + 8 * DAY_US),
        st.integers(case.anchor - 800 * DAY_US, case.anchor + 800 * DAY_US),
    ]
    if case.boundaries:
        bases.append(st.sampled_from(case.boundaries))
    if near_transitions:
        bases.append(st.sampled_from(near_transitions))
    base = draw(st.one_of(*bases))
    nudge = draw(st.one_of(st.sampled_from(_NUDGES), st.integers(-7_200_000_000, 7_200_000_000)))
    return draw(in_some_zone(base + nudge, case.tz))


@st.composite
def in_some_zone(draw: st.DrawFn, us: int, tz: str) -> datetime:
    """Express the instant ``us`` in ``tz``, UTC, another zone or a fixed offset."""
    target = draw(st.sampled_from(["schedule", "schedule", "utc", "zone", "fixed"]))
    if target == "schedule":
        return from_us(us, ZoneInfo(tz))
    if target == "utc":
        return from_us(us)
    if target == "zone":
        return from_us(us, ZoneInfo(draw(zones())))
    minutes = draw(st.integers(-(14 * 60), 14 * 60))
    return from_us(us, timezone(timedelta(minutes=minutes)))


MAX_DURATION_US = 60 * 3600 * 1_000_000


def durations(max_us: int = MAX_DURATION_US) -> st.SearchStrategy[timedelta]:
    """Draw a non-negative timedelta up to 60 hours, exact to the microsecond."""
    return st.one_of(
        st.just(0),
        st.integers(1, 1000),
        st.integers(1, max_us // 60_000_000).map(lambda m: m * 60_000_000),
        st.integers(1, max_us // 3_600_000_000).map(lambda h: h * 3_600_000_000),
        st.integers(0, max_us),
    ).map(lambda us: timedelta(microseconds=us))
