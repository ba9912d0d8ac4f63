"""Property tests: the engine against an independent oracle, and algebraic laws.

``TestOracle`` checks the oracle itself on hand-computed cases, so that it is
not trusted blindly.  The other classes draw schedules and instants from
``strategies.py`` (biased towards DST transitions and interval endpoints) and
compare every engine verb with the oracle, exactly to the microsecond.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectkit import Schedule
from expectkit.errors import HorizonError, NaiveDatetimeError, OutOfRangeError
from oracle import (
    HolidayCalendar,
    Oracle,
    OracleSchedule,
    OracleSearchLimitError,
    Span,
    from_us,
    local_date,
    to_us,
)
from strategies import (
    ZONES,
    ScheduleCase,
    durations,
    in_some_zone,
    instants,
    schedule_cases,
)

H = 3_600_000_000
NINE_TO_FIVE: tuple[Span, ...] = ((540, 1020),)
ALL_DAY: tuple[Span, ...] = ((0, 1440),)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> int:
    """Return a literal UTC wall time as epoch microseconds."""
    return to_us(datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC))


def weekly(**days: tuple[Span, ...]) -> tuple[tuple[Span, ...], ...]:
    """Return oracle weekly hours from ``mon=...`` style keywords."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return tuple(days.get(name, ()) for name in names)


def oracle(tz: str, **kwargs: object) -> Oracle:
    """Return an oracle for a schedule given as ``OracleSchedule`` keywords."""
    return Oracle(OracleSchedule(tz=tz, **kwargs))  # type: ignore[arg-type]


WORKWEEK = weekly(
    mon=NINE_TO_FIVE, tue=NINE_TO_FIVE, wed=NINE_TO_FIVE, thu=NINE_TO_FIVE, fri=NINE_TO_FIVE
)


class TestOracle:
    """The oracle on cases worked out by hand (UTC literals)."""

    def test_berlin_workweek(self) -> None:
        o = oracle("Europe/Berlin", weekly=WORKWEEK)
        fri_1630 = utc(2026, 11, 20, 15, 30)  # CET = UTC+1
        # why: 30 min left on Friday, the other 30 on Monday from 09:00 CET
        assert o.add(fri_1630, H) == utc(2026, 11, 23, 8, 30)
        assert o.between(fri_1630, utc(2026, 11, 23, 8, 30)) == H
        assert o.between(utc(2026, 11, 23, 8, 30), fri_1630) == -H
        assert o.next_close(fri_1630) == utc(2026, 11, 20, 16)
        assert o.next_open(utc(2026, 11, 21, 12)) == utc(2026, 11, 23, 8)
        assert o.next_open(fri_1630) == fri_1630
        # why: add lands at the close, not at the next opening
        assert o.add(utc(2026, 11, 23, 8), 8 * H) == utc(2026, 11, 23, 16)
        # why: subtract lands at the opening, not at the previous close
        assert o.subtract(utc(2026, 11, 24, 16), 8 * H) == utc(2026, 11, 24, 8)
        assert o.subtract(utc(2026, 11, 24, 8), 8 * H) == utc(2026, 11, 23, 8)
        assert o.add(utc(2026, 11, 24, 8), -8 * H) == utc(2026, 11, 23, 8)
        assert o.is_open(utc(2026, 11, 23, 8))
        assert not o.is_open(utc(2026, 11, 23, 16))
        assert o.open_intervals(utc(2026, 11, 20, 12), utc(2026, 11, 23, 10)) == [
            (utc(2026, 11, 20, 12), utc(2026, 11, 20, 16)),
            (utc(2026, 11, 23, 8), utc(2026, 11, 23, 10)),
        ]

    def test_spring_forward_day_is_23_hours(self) -> None:
        o = oracle("Europe/Berlin", weekly=weekly(sun=ALL_DAY))
        assert o.day_intervals(date(2026, 3, 29)) == [
            (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        ]

    def test_fall_back_night_holds_five_hours(self) -> None:
        # why: DESIGN.md, 00:00-04:00 on the night clocks go back is 5 real hours
        o = oracle("Europe/Berlin", weekly=weekly(sun=((0, 240),)))
        assert o.day_intervals(date(2026, 10, 25)) == [
            (utc(2026, 10, 24, 22), utc(2026, 10, 25, 3)),
        ]

    def test_gap_start_resolves_later(self) -> None:
        # why: 02:30 does not exist on 2026-03-29; it is read as 02:30 CET = 03:30 CEST
        o = oracle("Europe/Berlin", weekly=weekly(sun=((150, 240),)))
        assert o.day_intervals(date(2026, 3, 29)) == [
            (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2)),
        ]

    def test_interval_inside_gap_is_dropped(self) -> None:
        o = oracle("Europe/Berlin", weekly=weekly(sun=((150, 180),)))
        assert o.day_intervals(date(2026, 3, 29)) == []
        assert not o.is_business_day(date(2026, 3, 29))
        assert o.is_business_day(date(2026, 3, 22))

    def test_fold_start_resolves_earlier(self) -> None:
        # why: 02:30 happens twice on 2026-10-25; the first one is 00:30 UTC
        o = oracle("Europe/Berlin", weekly=weekly(sun=((150, 300),)))
        assert o.day_intervals(date(2026, 10, 25)) == [
            (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4)),
        ]

    def test_overnight_shift_belongs_to_its_start_day(self) -> None:
        night = weekly(mon=((1320, 1800),))  # 22:00-06:00
        shift = [(utc(2026, 11, 23, 21), utc(2026, 11, 24, 5))]
        tuesday_closed = oracle(
            "Europe/Berlin", weekly=night, closed=frozenset({date(2026, 11, 24)})
        )
        assert tuesday_closed.open_intervals(utc(2026, 11, 23), utc(2026, 11, 25)) == shift
        monday_closed = oracle(
            "Europe/Berlin", weekly=night, closed=frozenset({date(2026, 11, 23)})
        )
        assert monday_closed.open_intervals(utc(2026, 11, 23), utc(2026, 11, 25)) == []

    def test_precedence(self) -> None:
        berlin = HolidayCalendar("DE", "BE")
        christmas = date(2026, 12, 25)  # a Friday and a public holiday in Berlin
        day = (utc(2026, 12, 24, 12), utc(2026, 12, 26, 12))
        holiday = oracle("Europe/Berlin", weekly=WORKWEEK, holiday_calendar=berlin)
        assert holiday.open_intervals(*day) == [(utc(2026, 12, 24, 12), utc(2026, 12, 24, 16))]
        special = {christmas: ((600, 720),)}
        opened = oracle("Europe/Berlin", weekly=WORKWEEK, holiday_calendar=berlin, special=special)
        assert opened.day_intervals(christmas) == [(utc(2026, 12, 25, 9), utc(2026, 12, 25, 11))]
        closed = oracle(
            "Europe/Berlin",
            weekly=WORKWEEK,
            holiday_calendar=berlin,
            special=special,
            closed=frozenset({christmas}),
        )
        assert closed.day_intervals(christmas) == []
        emptied = oracle("Europe/Berlin", weekly=WORKWEEK, special={date(2026, 12, 23): ()})
        assert emptied.day_intervals(date(2026, 12, 23)) == []

    def test_observed_holiday(self) -> None:
        # why: New Year 2022 fell on a Saturday and was observed on Friday 2021-12-31
        observed = oracle(
            "America/New_York", weekly=WORKWEEK, holiday_calendar=HolidayCalendar("US", "NY")
        )
        assert not observed.is_business_day(date(2021, 12, 31))
        plain = oracle(
            "America/New_York",
            weekly=WORKWEEK,
            holiday_calendar=HolidayCalendar("US", "NY", observed=False),
        )
        assert plain.day_intervals(date(2021, 12, 31)) == [
            (utc(2021, 12, 31, 14), utc(2021, 12, 31, 22))
        ]

    def test_midnight_gap_joins_across_days(self) -> None:
        # why: Sao Paulo skipped 2018-11-04 00:00-01:00; 24:00 and 00:00 both resolve to 03:00 UTC
        o = oracle("America/Sao_Paulo", weekly=weekly(sat=((1320, 1440),), sun=((0, 120),)))
        assert o.next_close(utc(2018, 11, 4, 1, 30)) == utc(2018, 11, 4, 4)
        assert o.open_intervals(utc(2018, 11, 3), utc(2018, 11, 5)) == [
            (utc(2018, 11, 4, 1), utc(2018, 11, 4, 4)),
        ]

    def test_skipped_date_in_apia(self) -> None:
        # why: 2011-12-30 did not exist in Apia (-10:00 -> +14:00), so it has no hours;
        # 12-28 (3 h after the cut), 12-29 (8 h), 12-31 (8 h) and 2012-01-01
        # (19:00-24:00 UTC, 5 h) remain
        o = oracle(
            "Pacific/Apia",
            weekly=weekly(
                **dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), NINE_TO_FIVE)
            ),
        )
        assert o.day_intervals(date(2011, 12, 30)) == []
        assert o.between(utc(2011, 12, 29), utc(2012, 1, 1)) == 24 * H

    def test_touching_days_merge(self) -> None:
        o = oracle("UTC", weekly=weekly(mon=ALL_DAY, tue=ALL_DAY))
        assert o.next_close(utc(2026, 11, 23, 10)) == utc(2026, 11, 25)
        assert o.open_intervals(utc(2026, 11, 22), utc(2026, 11, 26)) == [
            (utc(2026, 11, 23), utc(2026, 11, 25)),
        ]

    def test_long_interval_spans_search_chunks(self) -> None:
        every_day = weekly(
            **dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), ALL_DAY)
        )
        o = oracle("UTC", weekly=every_day, closed=frozenset({date(2026, 1, 1), date(2026, 3, 1)}))
        assert o.next_close(utc(2026, 1, 2, 5)) == utc(2026, 3, 1)
        assert o.next_open(utc(2026, 1, 1, 5)) == utc(2026, 1, 2)
        assert o.add(utc(2026, 1, 2), 58 * 24 * H) == utc(2026, 3, 1)
        assert o.add(utc(2026, 1, 2), 58 * 24 * H + 1) == utc(2026, 3, 2, 0, 0, 0, 1)
        assert o.subtract(utc(2026, 3, 1, 12), 58 * 24 * H) == utc(2026, 1, 2)
        # why: the last microsecond is taken from 2025-12-31, before the closed 01-01
        assert o.subtract(utc(2026, 3, 2), 58 * 24 * H + 1) == utc(2025, 12, 31, 23, 59, 59, 999999)
        assert o.between(utc(2025, 12, 1), utc(2026, 4, 1)) == (121 - 2) * 24 * H

    def test_dt_helpers_return_schedule_zone(self) -> None:
        o = oracle("Asia/Kathmandu", weekly=WORKWEEK)
        got = o.next_open_dt(datetime(2026, 11, 21, tzinfo=UTC))
        assert got.tzinfo is ZoneInfo("Asia/Kathmandu")
        assert got == datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Kathmandu"))
        assert o.between_td(got, got + timedelta(hours=9)) == timedelta(hours=8)

    def test_gives_up_when_never_closing(self) -> None:
        every_day = weekly(
            **dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), ALL_DAY)
        )
        with pytest.raises(OracleSearchLimitError):
            oracle("UTC", weekly=every_day).next_close(utc(2026, 1, 1))

    def test_rejects_bad_span(self) -> None:
        with pytest.raises(ValueError, match="bad span"):
            OracleSchedule(tz="UTC", weekly=weekly(mon=((600, 600),)))


# ---------------------------------------------------------------------------
# The engine against the oracle
# ---------------------------------------------------------------------------

US1 = timedelta(microseconds=1)


def show(t: datetime | int, tz: str) -> str:
    """Describe an instant in UTC and in the schedule's zone, for assertion messages."""
    us = t if isinstance(t, int) else to_us(t)
    return f"{from_us(us).isoformat()} = {from_us(us, ZoneInfo(tz)).isoformat()} local"


def show_pairs(pairs: list[tuple[int, int]], tz: str) -> list[str]:
    """Describe intervals in the schedule's zone, for assertion messages."""
    zone = ZoneInfo(tz)
    return [f"{from_us(a, zone).isoformat()}..{from_us(b, zone).isoformat()}" for a, b in pairs]


def nudge(t: datetime, us: int) -> datetime:
    """Return the instant ``us`` microseconds after ``t``, in UTC.

    Aware arithmetic and comparison within one zone work on the wall clock in
    Python, so every step and comparison of instants here goes through UTC.
    """
    return from_us(to_us(t) + us)


def span(a: datetime, b: datetime) -> timedelta:
    """Return the real time from ``a`` to ``b``."""
    return timedelta(microseconds=to_us(b) - to_us(a))


def assert_in_zone(result: datetime, tz: str) -> None:
    """Check that ``result`` is in the schedule's zone, written as zoneinfo writes it."""
    zone = ZoneInfo(tz)
    assert result.tzinfo == zone, f"{result!r} is not in {tz}"
    canonical = from_us(to_us(result), zone)
    assert (result.replace(tzinfo=None), result.fold) == (
        canonical.replace(tzinfo=None),
        canonical.fold,
    ), f"{result!r} is not the canonical local form {canonical!r}"


def same_instant(got: datetime, want_us: int, tz: str, what: str) -> None:
    """Check an engine result against the oracle's instant, and its zone."""
    assert to_us(got) == want_us, f"{what}: engine {show(got, tz)}, oracle {show(want_us, tz)}"
    assert_in_zone(got, tz)


def as_pairs(intervals: list[tuple[datetime, datetime]], tz: str) -> list[tuple[int, int]]:
    """Check the zone of every endpoint and return the intervals in microseconds."""
    for start, end in intervals:
        assert_in_zone(start, tz)
        assert_in_zone(end, tz)
    return [(to_us(start), to_us(end)) for start, end in intervals]


def compare_search(
    case: ScheduleCase,
    engine: Callable[[], datetime],
    oracle_answer: Callable[[], int],
    t: datetime,
    what: str,
) -> None:
    """Compare a searching verb; answers beyond the horizon must raise HorizonError."""
    try:
        want = oracle_answer()
    except OracleSearchLimitError:
        # never opens (or never closes) again for years: the engine must refuse too
        with pytest.raises((HorizonError, OutOfRangeError)):
            engine()
        return
    if abs(want - to_us(t)) > case.effective_horizon // US1:
        with pytest.raises(HorizonError):
            engine()
        return
    same_instant(engine(), want, case.tz, what)


def check_is_open(case: ScheduleCase, s: Schedule, t: datetime) -> None:
    assert s.is_open(t) == case.oracle.is_open(to_us(t)), f"is_open({show(t, case.tz)})"


def check_next_open(case: ScheduleCase, s: Schedule, t: datetime) -> None:
    what = f"next_open({show(t, case.tz)})"
    compare_search(case, lambda: s.next_open(t), lambda: case.oracle.next_open(to_us(t)), t, what)


def check_next_close(case: ScheduleCase, s: Schedule, t: datetime) -> None:
    what = f"next_close({show(t, case.tz)})"
    compare_search(case, lambda: s.next_close(t), lambda: case.oracle.next_close(to_us(t)), t, what)


def check_add(case: ScheduleCase, s: Schedule, t: datetime, d: timedelta) -> None:
    what = f"add({show(t, case.tz)}, {d!r})"
    compare_search(case, lambda: s.add(t, d), lambda: case.oracle.add(to_us(t), d // US1), t, what)


def check_subtract(case: ScheduleCase, s: Schedule, t: datetime, d: timedelta) -> None:
    what = f"subtract({show(t, case.tz)}, {d!r})"
    compare_search(
        case, lambda: s.subtract(t, d), lambda: case.oracle.subtract(to_us(t), d // US1), t, what
    )


def check_between(case: ScheduleCase, s: Schedule, a: datetime, b: datetime) -> None:
    got = s.between(a, b)
    assert isinstance(got, timedelta)
    want = timedelta(microseconds=case.oracle.between(to_us(a), to_us(b)))
    assert got == want, f"between({show(a, case.tz)}, {show(b, case.tz)})"


def check_open_intervals(case: ScheduleCase, s: Schedule, a: datetime, b: datetime) -> None:
    got = as_pairs(s.open_intervals(a, b), case.tz)
    want = case.oracle.open_intervals(to_us(a), to_us(b))
    assert got == want, (
        f"open_intervals({show(a, case.tz)}, {show(b, case.tz)}): "
        f"engine {show_pairs(got, case.tz)}, oracle {show_pairs(want, case.tz)}"
    )


def check_day(case: ScheduleCase, s: Schedule, day: date) -> None:
    got = as_pairs(s.day_intervals(day), case.tz)
    want = case.oracle.day_intervals(day)
    assert got == want, (
        f"day_intervals({day}): engine {show_pairs(got, case.tz)}, "
        f"oracle {show_pairs(want, case.tz)}"
    )
    assert s.is_business_day(day) == case.oracle.is_business_day(day), f"is_business_day({day})"


def signed(data: st.DataObject) -> timedelta:
    """Draw a duration of either sign."""
    d = data.draw(durations(), label="|d|")
    return -d if data.draw(st.booleans(), label="negative") else d


def two_sorted(data: st.DataObject, case: ScheduleCase) -> tuple[datetime, datetime]:
    """Draw two instants, earlier first."""
    a, b = data.draw(instants(case), label="a"), data.draw(instants(case), label="b")
    return (a, b) if to_us(a) <= to_us(b) else (b, a)


def day_near(data: st.DataObject, case: ScheduleCase) -> date:
    """Draw a local date within four days of the case's anchor."""
    around = local_date(case.anchor, ZoneInfo(case.tz))
    return around + timedelta(days=data.draw(st.integers(-4, 4), label="day offset"))


def check_everything(case: ScheduleCase, data: st.DataObject) -> None:
    """Compare every verb with the oracle at drawn instants."""
    s = case.build()
    a, b = two_sorted(data, case)
    d = signed(data)
    for t in (a, b):
        check_is_open(case, s, t)
        check_next_open(case, s, t)
        check_next_close(case, s, t)
        check_add(case, s, t, d)
        check_subtract(case, s, t, d)
    check_between(case, s, a, b)
    check_between(case, s, b, a)
    check_open_intervals(case, s, a, b)
    check_day(case, s, day_near(data, case))


class TestIsOpen:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(4):
            check_is_open(case, s, data.draw(instants(case), label="t"))


class TestNextOpen:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(3):
            check_next_open(case, s, data.draw(instants(case), label="t"))


class TestNextClose:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(3):
            check_next_close(case, s, data.draw(instants(case), label="t"))


class TestBetween:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(3):
            a, b = data.draw(instants(case), label="a"), data.draw(instants(case), label="b")
            check_between(case, s, a, b)


class TestAdd:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(3):
            check_add(case, s, data.draw(instants(case), label="t"), signed(data))

    @given(case=schedule_cases(), data=st.data())
    def test_exactly_to_an_endpoint(self, case: ScheduleCase, data: st.DataObject) -> None:
        # why: a duration that uses up the open time exactly must land at the close
        # (forwards) or at the opening (backwards), never at the next interval
        s = case.build()
        t = data.draw(instants(case), label="t")
        target = data.draw(st.sampled_from(case.boundaries or (case.anchor,)), label="endpoint")
        d = timedelta(microseconds=abs(case.oracle.between(to_us(t), target)))
        check_add(case, s, t, d)
        check_subtract(case, s, t, d)


class TestSubtract:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(3):
            check_subtract(case, s, data.draw(instants(case), label="t"), signed(data))


class TestOpenIntervals:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        a, b = two_sorted(data, case)
        check_open_intervals(case, s, a, b)
        check_open_intervals(case, s, a, a)


class TestDayIntervals:
    @given(case=schedule_cases(), data=st.data())
    def test_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        for _ in range(3):
            check_day(case, s, day_near(data, case))


@pytest.mark.parametrize("tz", ZONES)
class TestEveryZone:
    @given(data=st.data())
    def test_every_verb_matches_oracle(self, tz: str, data: st.DataObject) -> None:
        check_everything(data.draw(schedule_cases(zone=tz), label="case"), data)


def parse_span(text: str) -> Span:
    """Read ``"HH:MM-HH:MM"`` as an oracle span (an earlier end runs past midnight)."""
    start_text, end_text = text.split("-")
    start = int(start_text[:2]) * 60 + int(start_text[3:])
    end = int(end_text[:2]) * 60 + int(end_text[3:])
    return (start, end if end > start else end + 1440)


# Schedules at the sharpest edges of the rules, each with the local date to look at.
# The engine is compared with the oracle there, not with hand-computed values.
KNOWN_EDGES: list[tuple[str, str, dict[str, list[str]], date]] = [
    # why: 02:30 lies in the gap and resolves to 03:30 CEST; the second interval,
    # which makes the union too long to write as one interval, must not move the
    # opening (merged hours and separately written hours mean the same)
    (
        "gap start, long union",
        "Europe/Berlin",
        {"sun": ["02:30-24:00", "03:00-02:30"]},
        date(2026, 3, 29),
    ),
    # why: the same with Tehran's midnight gap (1995-03-22 00:00 -> 01:00)
    (
        "midnight gap, long union",
        "Asia/Tehran",
        {"wed": ["00:30-24:00", "01:00-00:30"]},
        date(1995, 3, 22),
    ),
    # why: disjoint wall intervals that overlap once the gap end is resolved
    (
        "overlap after resolving",
        "Europe/Berlin",
        {"sun": ["01:00-02:40", "03:00-04:00"]},
        date(2026, 3, 29),
    ),
    # why: touching intervals too long to write as one; one stretch of open time
    ("touching long union", "UTC", {"mon": ["00:00-17:00", "17:00-09:00"]}, date(2026, 11, 23)),
    # why: 24:00 and 00:00 both fall in Sao Paulo's midnight gap
    (
        "midnight gap joins days",
        "America/Sao_Paulo",
        {"sat": ["22:00-24:00"], "sun": ["00:00-02:00"]},
        date(2018, 11, 4),
    ),
    # why: Samoa skipped 2011-12-30: a date that never happened has no hours
    ("skipped date", "Pacific/Apia", {"mon-sun": ["09:00-17:00"]}, date(2011, 12, 30)),
    # why: a fold: 00:00-04:00 holds five real hours
    ("fold", "Europe/Berlin", {"sun": ["00:00-04:00", "02:30-03:30"]}, date(2026, 10, 25)),
    # why: a 30-minute DST change; 02:00-02:30 does not exist on 2026-10-04
    (
        "half-hour gap",
        "Australia/Lord_Howe",
        {"sun": ["02:00-02:30", "02:15-03:00"]},
        date(2026, 10, 4),
    ),
]


class TestKnownEdges:
    @pytest.mark.parametrize(
        ("tz", "hours", "day"), [edge[1:] for edge in KNOWN_EDGES], ids=[e[0] for e in KNOWN_EDGES]
    )
    def test_matches_oracle(self, tz: str, hours: dict[str, list[str]], day: date) -> None:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        per_day: dict[str, tuple[Span, ...]] = {}
        for key, texts in hours.items():
            first, _, last = key.partition("-")
            days = names[names.index(first) : names.index(last or first) + 1]
            per_day.update(dict.fromkeys(days, tuple(parse_span(text) for text in texts)))
        o = oracle(tz, weekly=weekly(**per_day))
        s = Schedule(tz=tz, weekly=hours)
        zone = ZoneInfo(tz)
        got_day, want_day = as_pairs(s.day_intervals(day), tz), o.day_intervals(day)
        assert got_day == want_day, (
            f"day_intervals({day}): engine {show_pairs(got_day, tz)}, "
            f"oracle {show_pairs(want_day, tz)}"
        )
        lo = to_us(datetime(day.year, day.month, day.day, tzinfo=zone)) - 86_400_000_000
        hi = lo + 3 * 86_400_000_000
        want = o.open_intervals(lo, hi)
        got = as_pairs(s.open_intervals(from_us(lo), from_us(hi)), tz)
        assert got == want, f"engine {show_pairs(got, tz)}, oracle {show_pairs(want, tz)}"
        points = sorted(
            {p + step for pair in o.day_intervals(day) for p in pair for step in (-1, 0, 1)}
        )
        for point in points:
            t = from_us(point, zone)
            assert s.is_open(t) == o.is_open(point), f"is_open({show(point, tz)})"
            same_instant(s.next_open(t), o.next_open(point), tz, f"next_open({show(point, tz)})")
            same_instant(s.next_close(t), o.next_close(point), tz, f"next_close({show(point, tz)})")


# ---------------------------------------------------------------------------
# Algebraic laws of the engine
# ---------------------------------------------------------------------------

# The laws hold wherever answers exist, so these schedules keep the default horizon.
cases = schedule_cases(short_horizons=False)


class TestLaws:
    @given(case=cases, data=st.data())
    def test_between_is_additive(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        a, b, c = (data.draw(instants(case), label=name) for name in "abc")
        assert s.between(a, c) == s.between(a, b) + s.between(b, c)
        assert s.between(a, b) == -s.between(b, a)
        assert s.between(a, a) == timedelta(0)

    @given(case=cases, data=st.data())
    def test_add_then_between(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        t = data.draw(instants(case), label="t")
        d = data.draw(durations(), label="d")
        u = s.add(t, d)
        assert_in_zone(u, case.tz)
        assert to_us(u) >= to_us(t)
        assert s.between(t, u) == d
        if d > timedelta(0):
            # earliest such u: the microsecond before it is open time, so u is
            # inside an open interval or exactly at its close, never in closed time
            assert s.is_open(nudge(u, -1))
            assert s.between(t, nudge(u, -1)) == d - US1
            # and stepping back from u lands on the first opening at or after t
            same_instant(s.subtract(u, d), to_us(s.next_open(t)), case.tz, "subtract(add(t, d), d)")

    @given(case=cases, data=st.data())
    def test_subtract_then_between(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        t = data.draw(instants(case), label="t")
        d = data.draw(durations(), label="d")
        v = s.subtract(t, d)
        assert_in_zone(v, case.tz)
        assert to_us(v) <= to_us(t)
        assert s.between(v, t) == d
        if d > timedelta(0):
            # latest such v: v itself is open, so it lies at or inside an opening
            assert s.is_open(v)
            assert s.between(nudge(v, 1), t) == d - US1
            last_close = to_us(s.subtract(t, US1)) + 1
            same_instant(s.add(v, d), last_close, case.tz, "add(subtract(t, d), d)")

    @given(case=cases, data=st.data())
    def test_zero_and_negative(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        t = data.draw(instants(case), label="t")
        d = data.draw(durations(), label="d")
        for got in (s.add(t, timedelta(0)), s.subtract(t, timedelta(0))):
            same_instant(got, to_us(t), case.tz, "zero duration")
        same_instant(s.add(t, -d), to_us(s.subtract(t, d)), case.tz, "add(t, -d)")
        same_instant(s.subtract(t, -d), to_us(s.add(t, d)), case.tz, "subtract(t, -d)")

    @given(case=cases, data=st.data())
    def test_monotone(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        t1, t2 = two_sorted(data, case)
        d1, d2 = sorted((data.draw(durations(), label="d1"), data.draw(durations(), label="d2")))
        assert to_us(s.add(t1, d1)) <= to_us(s.add(t2, d1))
        assert to_us(s.add(t1, d1)) <= to_us(s.add(t1, d2))
        assert to_us(s.subtract(t1, d1)) <= to_us(s.subtract(t2, d1))
        assert to_us(s.subtract(t1, d2)) <= to_us(s.subtract(t1, d1))
        assert to_us(s.next_open(t1)) <= to_us(s.next_open(t2))
        assert to_us(s.next_close(t1)) <= to_us(s.next_close(t2))
        assert s.between(t1, t2) >= timedelta(0)

    @given(case=cases, data=st.data())
    def test_next_open_and_close(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        t = data.draw(instants(case), label="t")
        opening, closing = s.next_open(t), s.next_close(t)
        assert_in_zone(opening, case.tz)
        assert_in_zone(closing, case.tz)
        assert to_us(t) <= to_us(opening) < to_us(closing)
        assert s.is_open(opening)
        assert s.is_open(nudge(closing, -1))
        assert not s.is_open(closing)
        assert s.between(t, opening) == timedelta(0)
        assert s.between(opening, closing) == span(opening, closing)
        assert (to_us(opening) == to_us(t)) == s.is_open(t)

    @given(case=cases, data=st.data())
    def test_open_intervals_shape(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        a, b = two_sorted(data, case)
        got = s.open_intervals(a, b)
        assert sum((span(start, end) for start, end in got), timedelta(0)) == s.between(a, b)
        previous_end: int | None = None
        for start, end in got:
            assert to_us(a) <= to_us(start) < to_us(end) <= to_us(b)
            assert previous_end is None or previous_end < to_us(start), "not merged or not sorted"
            assert s.is_open(start)
            assert s.is_open(nudge(end, -1))
            previous_end = to_us(end)

    @given(case=cases, data=st.data())
    def test_input_zone_does_not_matter(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        t = data.draw(instants(case), label="t")
        d = signed(data)
        moved = data.draw(in_some_zone(to_us(t), case.tz), label="same instant elsewhere")
        assert to_us(moved) == to_us(t)
        assert s.is_open(moved) == s.is_open(t)
        for verb in (s.next_open, s.next_close):
            here, there = verb(t), verb(moved)
            assert (to_us(here), here.tzinfo) == (to_us(there), there.tzinfo)
        for shift in (s.add, s.subtract):
            here, there = shift(t, d), shift(moved, d)
            assert (to_us(here), here.tzinfo) == (to_us(there), there.tzinfo)
        b = data.draw(instants(case), label="b")
        assert s.between(t, b) == s.between(moved, b)
        assert [(to_us(x), to_us(y)) for x, y in s.open_intervals(*sorted((t, b), key=to_us))] == [
            (to_us(x), to_us(y)) for x, y in s.open_intervals(*sorted((moved, b), key=to_us))
        ]


class TestInputChecks:
    @given(case=schedule_cases(), data=st.data())
    def test_naive_input_is_refused(self, case: ScheduleCase, data: st.DataObject) -> None:
        s = case.build()
        naive = data.draw(instants(case), label="t").replace(tzinfo=None)
        aware = from_us(case.anchor)
        calls: list[Callable[[], object]] = [
            lambda: s.is_open(naive),
            lambda: s.next_open(naive),
            lambda: s.next_close(naive),
            lambda: s.between(naive, aware),
            lambda: s.between(aware, naive),
            lambda: s.add(naive, timedelta(hours=1)),
            lambda: s.subtract(naive, timedelta(hours=1)),
            lambda: s.open_intervals(naive, aware),
        ]
        for call in calls:
            with pytest.raises(NaiveDatetimeError):
                call()


# Fifty times the profile's budget, and at least 2 000 examples.
_profile = settings.default
HEAVY_EXAMPLES = max(2_000, 50 * (_profile.max_examples if _profile is not None else 0))


@pytest.mark.slow
class TestHeavyFuzzing:
    @settings(max_examples=HEAVY_EXAMPLES)
    @given(case=schedule_cases(), data=st.data())
    def test_every_verb_matches_oracle(self, case: ScheduleCase, data: st.DataObject) -> None:
        check_everything(case, data)
