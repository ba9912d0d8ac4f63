"""Worked examples, model behaviour and bad input for :class:`expectkit.Schedule`."""

from __future__ import annotations

import copy
import json
import pickle
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from expectkit import (
    ExpectkitError,
    Holidays,
    HorizonError,
    ImmutableError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
    Schedule,
    ScheduleError,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=BERLIN)


OFFICE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"]},
    holidays=Holidays(country="DE", subdiv="BE"),
)
NIGHTS = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-sun": ["22:00-06:00"]},
    holidays=Holidays(country="DE", subdiv="BE"),
)
SPLIT = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-12:30", "13:30-17:00"]})


class TestWorkedExamples:
    """The readable table of the issue: each row says why it is what it is."""

    @pytest.mark.parametrize(
        ("schedule", "start", "duration", "expected"),
        [
            # Friday 16:30 + 1 business hour: 30 min on Friday, 30 min on Monday.
            (OFFICE, berlin(2026, 11, 20, 16, 30), H, berlin(2026, 11, 23, 9, 30)),
            # Landing exactly at close: the earliest instant, Monday 17:00, not Tuesday 09:00.
            (OFFICE, berlin(2026, 11, 23, 16, 0), H, berlin(2026, 11, 23, 17, 0)),
            # Start before opening: counting begins at 09:00.
            (OFFICE, berlin(2026, 11, 23, 7, 0), H, berlin(2026, 11, 23, 10, 0)),
            # Public holidays: 25 and 26 December are closed in Berlin, 24th is a workday.
            (OFFICE, berlin(2026, 12, 24, 16, 0), 2 * H, berlin(2026, 12, 28, 10, 0)),
            # Berlin's International Women's Day (8 March) is closed, unlike most states.
            (OFFICE, berlin(2027, 3, 5, 16, 0), 2 * H, berlin(2027, 3, 9, 10, 0)),
            # Split day: the lunch break does not count.
            (SPLIT, berlin(2026, 11, 23, 12, 0), H, berlin(2026, 11, 23, 14, 0)),
            # Overnight shift owned by Thu 24 Dec runs into the Christmas holiday morning.
            (NIGHTS, berlin(2026, 12, 24, 23, 0), 6 * H, berlin(2026, 12, 25, 5, 0)),
            # ...but the shifts starting on the 25th and 26th (holidays) are gone.
            (NIGHTS, berlin(2026, 12, 25, 5, 0), 2 * H, berlin(2026, 12, 27, 23, 0)),
            # DST fall-back night: 22:00-06:00 holds 9 real hours; 8.5 h ends at 05:30 CET.
            (NIGHTS, berlin(2026, 10, 24, 22, 0), 8 * H + H / 2, berlin(2026, 10, 25, 5, 30)),
            # DST spring-forward night: only 7 real hours, so 7 h lands at the 06:00 close.
            (NIGHTS, berlin(2026, 3, 28, 22, 0), 7 * H, berlin(2026, 3, 29, 6, 0)),
            # Zero duration returns the start itself, even when closed.
            (OFFICE, berlin(2026, 11, 21, 12, 0), timedelta(0), berlin(2026, 11, 21, 12, 0)),
            # Negative duration is subtract: lands at an opening.
            (OFFICE, berlin(2026, 11, 24, 10, 0), -H, berlin(2026, 11, 24, 9, 0)),
            # Subtracting across the night goes back to the previous day's close time.
            (OFFICE, berlin(2026, 11, 24, 9, 0), -H, berlin(2026, 11, 23, 16, 0)),
            # Microsecond exactness.
            (
                OFFICE,
                berlin(2026, 11, 23, 9, 0),
                timedelta(microseconds=1),
                berlin(2026, 11, 23, 9, 0, 0, 1),
            ),
        ],
    )
    def test_add(
        self, schedule: Schedule, start: datetime, duration: timedelta, expected: datetime
    ) -> None:
        result = schedule.add(start, duration)
        assert result == expected
        assert result.tzinfo == BERLIN

    @pytest.mark.parametrize(
        ("tz", "weekly", "start", "duration", "expected_utc"),
        [
            # Kathmandu is +05:45: Fri 16:30 local + 1 h = Mon 09:30 local = 03:45 UTC.
            (
                "Asia/Kathmandu",
                {"mon-fri": ["09:00-17:00"]},
                datetime(2026, 11, 20, 10, 45, tzinfo=UTC),
                H,
                datetime(2026, 11, 23, 3, 45, tzinfo=UTC),
            ),
            # St John's is -03:30: Fri 16:30 NST (20:00 UTC) + 1 h = Mon 09:30 NST = 13:00 UTC.
            (
                "America/St_Johns",
                {"mon-fri": ["09:00-17:00"]},
                datetime(2026, 11, 20, 20, 0, tzinfo=UTC),
                H,
                datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
            ),
            # Lord Howe moves by 30 minutes on 4 Oct 2026: a 24/7 day holds 23.5 hours.
            (
                "Australia/Lord_Howe",
                {"mon-sun": ["00:00-24:00"]},
                datetime(2026, 10, 3, 13, 30, tzinfo=UTC),  # Sat 00:00 +10:30
                23 * H + H / 2,
                datetime(2026, 10, 4, 13, 0, tzinfo=UTC),  # Sun 24:00 +11:00
            ),
        ],
    )
    def test_add_in_odd_zones(
        self,
        tz: str,
        weekly: dict[str, list[str]],
        start: datetime,
        duration: timedelta,
        expected_utc: datetime,
    ) -> None:
        schedule = Schedule(tz=tz, weekly=weekly)
        result = schedule.add(start, duration)
        assert result == expected_utc
        assert result.tzinfo == ZoneInfo(tz)

    def test_apia_skipped_day_counts_nothing(self) -> None:
        # Samoa skipped 30 December 2011: noon 29th to noon 31st is one real day.
        apia = ZoneInfo("Pacific/Apia")
        always = Schedule.always("Pacific/Apia")
        a = datetime(2011, 12, 29, 12, tzinfo=apia)
        b = datetime(2011, 12, 31, 12, tzinfo=apia)
        assert always.between(a, b) == timedelta(days=1)

    def test_apia_skipped_day_has_no_hours(self) -> None:
        # Samoa skipped 2011-12-30: a date that never happened has no hours (its wall
        # times would otherwise resolve 24 h later, onto the 31st's).
        apia = Schedule(tz="Pacific/Apia", weekly={"mon-sun": ["09:00-17:00"]})
        assert apia.day_intervals(date(2011, 12, 30)) == []
        tz = ZoneInfo("Pacific/Apia")
        opens = apia.open_intervals(
            datetime(2011, 12, 29, 18, tzinfo=tz), datetime(2011, 12, 31, 23, tzinfo=tz)
        )
        assert [(a.day, a.hour, b.day, b.hour) for a, b in opens] == [(31, 9, 31, 17)]


class TestDstResolution:
    @pytest.mark.parametrize(
        ("interval", "day", "expected_hours"),
        [
            # Gap (29 Mar 2026, 02:00 -> 03:00): 02:30 resolves later to 03:30, so 30 min remain.
            ("02:30-04:00", date(2026, 3, 29), 0.5),
            # An interval lying wholly in the gap becomes empty and is dropped.
            ("02:00-03:00", date(2026, 3, 29), 0.0),
            # Fold (25 Oct 2026, 03:00 -> 02:00): 02:30 is the earlier instant (CEST).
            ("01:00-02:30", date(2026, 10, 25), 1.5),
            # Start in the fold (earlier), end after it: 2 real hours for 1 wall hour.
            ("02:30-03:30", date(2026, 10, 25), 2.0),
            # The whole day on the fall-back night holds 25 hours.
            ("00:00-24:00", date(2026, 10, 25), 25.0),
        ],
    )
    def test_wall_times_resolve(self, interval: str, day: date, expected_hours: float) -> None:
        schedule = Schedule(tz="Europe/Berlin", special={day.isoformat(): [interval]})
        # Subtract in UTC: Python subtracts same-zone datetimes as wall times.
        total = sum(
            (b.astimezone(UTC) - a.astimezone(UTC) for a, b in schedule.day_intervals(day)),
            timedelta(),
        )
        assert total == timedelta(hours=expected_hours)


class TestIsOpen:
    @pytest.mark.parametrize(
        ("t", "expected"),
        [
            (berlin(2026, 11, 23, 9, 0), True),  # start is inclusive
            (berlin(2026, 11, 23, 16, 59, 59, 999999), True),
            (berlin(2026, 11, 23, 17, 0), False),  # end is exclusive
            (berlin(2026, 11, 22, 12, 0), False),  # Sunday
            (berlin(2026, 12, 25, 12, 0), False),  # Christmas Day
            (datetime(2026, 11, 23, 8, 30, tzinfo=UTC), True),  # 09:30 in Berlin
        ],
    )
    def test_half_open(self, t: datetime, expected: bool) -> None:
        assert OFFICE.is_open(t) is expected


class TestNextOpenClose:
    @pytest.mark.parametrize(
        ("t", "opens", "closes"),
        [
            # Open: next_open is t itself; next_close the end of this interval.
            (berlin(2026, 11, 23, 10), berlin(2026, 11, 23, 10), berlin(2026, 11, 23, 17)),
            # At close: closed, so the next interval.
            (berlin(2026, 11, 23, 17), berlin(2026, 11, 24, 9), berlin(2026, 11, 24, 17)),
            # Over the Christmas weekend.
            (berlin(2026, 12, 24, 18), berlin(2026, 12, 28, 9), berlin(2026, 12, 28, 17)),
        ],
    )
    def test_office(self, t: datetime, opens: datetime, closes: datetime) -> None:
        assert OFFICE.next_open(t) == opens
        assert OFFICE.next_close(t) == closes

    def test_touching_shifts_close_once(self) -> None:
        # Friday's night shift touches Saturday's morning: one interval, closing at noon.
        s = Schedule(tz="UTC", weekly={"fri": ["22:00-24:00"], "sat": ["00:00-12:00"]})
        t = datetime(2026, 11, 20, 23, tzinfo=UTC)
        assert s.next_close(t) == datetime(2026, 11, 21, 12, tzinfo=UTC)

    def test_open_across_new_year(self) -> None:
        # The compiled years are joined at midnight; the shift closes at 06:00 on 1 Jan.
        s = Schedule(tz="Europe/Berlin", weekly={"mon-sun": ["22:00-06:00"]})
        assert s.next_close(berlin(2026, 12, 31, 23)) == berlin(2027, 1, 1, 6)

    def test_always_never_closes(self) -> None:
        with pytest.raises(HorizonError, match="horizon"):
            Schedule.always("UTC").next_close(datetime(2026, 1, 1, tzinfo=UTC))


class TestBetween:
    @pytest.mark.parametrize(
        ("a", "b", "expected"),
        [
            (berlin(2026, 11, 20, 16, 30), berlin(2026, 11, 23, 10, 0), H * 1.5),
            (berlin(2026, 11, 23, 10, 0), berlin(2026, 11, 20, 16, 30), -H * 1.5),  # reversed
            (berlin(2026, 11, 21, 0, 0), berlin(2026, 11, 22, 0, 0), timedelta(0)),  # Saturday
            # 261 weekdays in 2026 less 7 Berlin holidays on weekdays (1 Jan, 3 and 6 Apr,
            # 1, 14 and 25 May, 25 Dec; 8 Mar, 3 Oct and 26 Dec fall on weekends).
            (berlin(2026, 1, 1), berlin(2027, 1, 1), 8 * H * 254),
        ],
    )
    def test_office(self, a: datetime, b: datetime, expected: timedelta) -> None:
        assert OFFICE.between(a, b) == expected

    def test_additive_over_a_holiday_season(self) -> None:
        a, b, c = berlin(2026, 12, 20), berlin(2026, 12, 25, 3), berlin(2027, 1, 5, 11)
        assert OFFICE.between(a, c) == OFFICE.between(a, b) + OFFICE.between(b, c)


class TestOpenIntervals:
    def test_clipped_and_summing_to_between(self) -> None:
        a, b = berlin(2026, 11, 23, 10), berlin(2026, 11, 25, 12)
        got = SPLIT.open_intervals(a, b)
        assert got[0] == (a, berlin(2026, 11, 23, 12, 30))
        assert got[-1] == (berlin(2026, 11, 25, 9), b)
        total = sum((y.astimezone(UTC) - x.astimezone(UTC) for x, y in got), timedelta())
        assert total == SPLIT.between(a, b)

    def test_empty_when_reversed(self) -> None:
        assert SPLIT.open_intervals(berlin(2026, 11, 25), berlin(2026, 11, 23)) == []


class TestPrecedence:
    def test_closed_beats_special_beats_holiday_beats_weekly(self) -> None:
        s = Schedule(
            tz="Europe/Berlin",
            weekly={"mon-fri": ["09:00-17:00"]},
            holidays=Holidays(country="DE"),
            closed=["2026-12-23"],
            special={"2026-12-23": ["10:00-12:00"], "2026-12-25": ["10:00-12:00"]},
        )
        assert s.day_intervals(date(2026, 12, 23)) == []  # closed wins over special
        assert s.day_intervals(date(2026, 12, 25)) == [
            (berlin(2026, 12, 25, 10), berlin(2026, 12, 25, 12))  # special wins over holiday
        ]
        assert s.day_intervals(date(2026, 12, 24)) == [
            (berlin(2026, 12, 24, 9), berlin(2026, 12, 24, 17))  # weekly
        ]

    def test_special_range_and_empty_special_closes(self) -> None:
        s = Schedule(
            tz="UTC",
            weekly={"mon-sun": ["09:00-17:00"]},
            special={"2026-08-01..2026-08-14": [], "2026-08-15": ["10:00-11:00"]},
        )
        assert not s.is_business_day(date(2026, 8, 7))
        assert s.next_open(datetime(2026, 8, 1, tzinfo=UTC)) == datetime(
            2026, 8, 15, 10, tzinfo=UTC
        )


class TestModel:
    def test_normalizes_day_keys_and_intervals(self) -> None:
        s = Schedule(
            tz="UTC",
            weekly={"mon,tue": ["13:00-17:00", "09:00-12:00", "11:00-13:00"], "wed-fri": []},
        )
        t = Schedule(tz="UTC", weekly={"tue": ["09:00-17:00"], "mon": ["09:00-17:00"]})
        assert s.weekly == {"mon,tue": ("09:00-17:00",)}
        assert s == t
        assert hash(s) == hash(t)

    def test_overnight_end_at_midnight_reads_as_24(self) -> None:
        assert Schedule(tz="UTC", weekly={"fri": ["22:00-00:00"]}).weekly == {
            "fri": ("22:00-24:00",)
        }

    def test_json_round_trip(self) -> None:
        s = Schedule(
            tz="Europe/Berlin",
            weekly={"mon-fri": ["09:00-12:30", "13:30-17:00"], "sat": ["10:00-14:00"]},
            holidays=Holidays(country="DE", subdiv="BE"),
            closed=["2026-12-24", "2026-12-31"],
            special={"2026-12-23": ["09:00-13:00"]},
        )
        text = s.model_dump_json()
        again = Schedule.model_validate_json(text)
        assert again == s
        assert again.model_dump_json() == text
        assert json.loads(text)["horizon"] == "P3653D"

    def test_json_schema_exports(self) -> None:
        schema = Schedule.model_json_schema()
        assert set(schema["properties"]) >= {"tz", "weekly", "holidays", "closed", "special"}
        assert schema["required"] == ["tz"]

    def test_frozen(self) -> None:
        with pytest.raises(ImmutableError, match="tz"):
            OFFICE.tz = "UTC"  # type: ignore[misc]

    def test_copy_and_pickle_compile_afresh(self) -> None:
        t = berlin(2026, 11, 20, 16, 30)
        OFFICE.add(t, H)  # compile the original
        for clone in (pickle.loads(pickle.dumps(OFFICE)), copy.deepcopy(OFFICE)):
            assert clone == OFFICE
            assert clone.add(t, H) == berlin(2026, 11, 23, 9, 30)

    def test_model_copy_with_update_revalidates(self) -> None:
        other = OFFICE.model_copy(update={"tz": "Asia/Tokyo"})
        assert other.add(datetime(2026, 11, 23, 0, tzinfo=UTC), H) == datetime(
            2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Tokyo")
        )
        with pytest.raises(ScheduleError, match="Mars"):
            OFFICE.model_copy(update={"tz": "Mars/Olympus"})

    def test_concurrent_first_use_agrees(self) -> None:
        s = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        starts = [berlin(2020 + k % 12, 1 + k % 12, 1 + k % 28, 8) for k in range(240)]
        expected = [Schedule.model_validate(s.model_dump()).add(t, 40 * H) for t in starts]
        results: dict[int, datetime] = {}

        def work(k: int) -> None:
            results[k] = s.add(starts[k], 40 * H)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(len(starts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [results[k] for k in range(len(starts))] == expected


def _call(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: fn(*args)


BAD_SCHEDULES: list[tuple[dict[str, Any], str]] = [
    ({"tz": "UTC", "weekly": {"mon": ["25:00-26:00"]}}, "25:00"),
    ({"tz": "UTC", "weekly": {"mon": ["09:00-09:00"]}}, "09:00-09:00"),
    ({"tz": "UTC", "weekly": {"mon": ["9-17"]}}, "9-17"),
    ({"tz": "UTC", "weekly": {"mon": ["24:00-09:00"]}}, "24:00"),
    ({"tz": "UTC", "weekly": {"mon": ["09:60-10:00"]}}, "09:60"),
    ({"tz": "UTC", "weekly": {"monday": ["09:00-17:00"]}}, "monday"),
    ({"tz": "UTC", "weekly": {"mon-fri": ["09:00-17:00"], "fri": ["18:00-20:00"]}}, "fri"),
    ({"tz": "UTC", "weekly": {"mon": "09:00-17:00"}}, "09:00-17:00"),
    ({"tz": "UTC", "weekly": {"mon": [900]}}, "900"),
    ({"tz": "UTC", "weekly": {}}, "never opens"),
    ({"tz": "UTC", "weekly": {"mon-sun": []}}, "never opens"),
    ({"tz": "Mars/Olympus", "weekly": {"mon": ["09:00-17:00"]}}, "Mars/Olympus"),
    ({"tz": "../etc/passwd", "weekly": {"mon": ["09:00-17:00"]}}, "passwd"),
    ({"tz": 3, "weekly": {"mon": ["09:00-17:00"]}}, "3"),
    ({"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "holidays": {"country": "XX"}}, "XX"),
    (
        {
            "tz": "UTC",
            "weekly": {"mon": ["09:00-17:00"]},
            "holidays": {"country": "DE", "subdiv": "ZZ"},
        },
        "ZZ",
    ),
    ({"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "closed": ["2026-02-30"]}, "2026-02-30"),
    ({"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "closed": "2026-12-24"}, "2026-12-24"),
    (
        {"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "closed": ["2026-12-31..2026-12-24"]},
        "ends before it starts",
    ),
    (
        {
            "tz": "UTC",
            "weekly": {"mon": ["09:00-17:00"]},
            "special": {"2026-12-20..2026-12-27": [], "2026-12-24": ["09:00-12:00"]},
        },
        "overlaps",
    ),
    (
        {"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "special": {"2026-12-24": ["13:00"]}},
        "13:00",
    ),
    ({"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "opening": "soon"}, "opening"),
    ({"tz": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "horizon": "P0D"}, "horizon"),
]


class TestBadInput:
    @pytest.mark.parametrize(("kwargs", "named"), BAD_SCHEDULES)
    def test_schedule_errors_name_the_value(self, kwargs: dict[str, Any], named: str) -> None:
        began = time.perf_counter()
        with pytest.raises(ScheduleError) as info:
            Schedule(**kwargs)
        assert named in str(info.value)
        # Fast: not a hang; generous so that a cold holiday-module import on CI passes.
        assert time.perf_counter() - began < 2.0

    def test_json_input_errors_are_ours(self) -> None:
        with pytest.raises(ScheduleError, match="weekly"):
            Schedule.model_validate_json('{"tz": "UTC", "weekly": 5}')
        with pytest.raises(ScheduleError):
            Schedule.model_validate_json("{not json")

    @pytest.mark.parametrize(
        ("call", "error", "named"),
        [
            (_call(OFFICE.add, datetime(2026, 11, 20, 16, 30), H), NaiveDatetimeError, "naive"),
            (
                _call(OFFICE.between, berlin(2026, 1, 1), datetime(2026, 1, 2)),
                NaiveDatetimeError,
                "b:",
            ),
            (_call(OFFICE.is_open, "2026-11-20T16:30+01:00"), InputTypeError, "2026-11-20"),
            (_call(OFFICE.is_open, date(2026, 11, 20)), InputTypeError, "date"),
            (_call(OFFICE.add, berlin(2026, 11, 20), 3600), InputTypeError, "3600"),
            (_call(OFFICE.day_intervals, "2026-11-20"), InputTypeError, "2026-11-20"),
            (_call(OFFICE.add, berlin(2300, 1, 1), H), OutOfRangeError, "2300"),
            (
                _call(OFFICE.add, datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), H),
                OutOfRangeError,
                "supported years",
            ),
            (_call(OFFICE.add, berlin(2026, 1, 1), timedelta(days=40000)), HorizonError, "horizon"),
            (_call(OFFICE.compile, 2030, 2020), OutOfRangeError, "reversed"),
        ],
    )
    def test_operation_errors(
        self, call: Callable[[], Any], error: type[ExpectkitError], named: str
    ) -> None:
        began = time.perf_counter()
        with pytest.raises(error, match=named):
            call()
        assert time.perf_counter() - began < 2.0

    def test_closed_for_longer_than_the_horizon(self) -> None:
        s = Schedule(
            tz="UTC",
            weekly={"mon": ["09:00-17:00"]},
            closed=["2026-01-01..2031-12-31"],
            horizon=timedelta(days=365),
        )
        t = datetime(2026, 3, 1, tzinfo=UTC)
        for op in (s.next_open, s.next_close):
            with pytest.raises(HorizonError, match="horizon"):
                op(t)
        with pytest.raises(HorizonError):
            s.add(t, H)
        with pytest.raises(HorizonError):
            s.subtract(datetime(2031, 11, 1, tzinfo=UTC), H)
        # Once open time is in reach the answer comes back.
        assert s.next_open(datetime(2031, 6, 1, tzinfo=UTC)) == datetime(2032, 1, 5, 9, tzinfo=UTC)


class TestCompile:
    def test_ten_years_is_compact(self) -> None:
        tl = OFFICE.compile(2025, 2034)
        assert 2400 < len(tl) < 2600  # about 250 workdays a year
        assert tl.nbytes < 1_000_000

    def test_arrays_match_the_lists(self) -> None:
        tl = OFFICE.compile(2026, 2026)
        starts, ends, cum, cumend = tl.arrays()
        assert starts.tolist() == list(tl.starts)
        assert (ends - starts).sum() == tl.total == cumend[-1]
        assert cum[0] == 0
