"""Buffers between promise and target, and the outward rounding of told times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from expectkit import (
    Holidays,
    ImmutableError,
    InputTypeError,
    NaiveDatetimeError,
    PolicyError,
    Schedule,
    WindowParseError,
)
from expectkit.buffers import Buffer, RatioLike, Rounding
from expectkit.windows import ClockName, Duration, Window

BERLIN = ZoneInfo("Europe/Berlin")
US = timedelta(microseconds=1)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def assert_at(got: datetime, expected: datetime, zone: ZoneInfo = BERLIN) -> None:
    """Check the instant (in UTC: same-zone comparison ignores fold), wall time and zone."""
    assert got.astimezone(UTC) == expected.astimezone(UTC), (got, expected)
    assert got.replace(tzinfo=None) == expected.astimezone(zone).replace(tzinfo=None)
    assert got.tzinfo is zone


OFFICE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"]},
    holidays=Holidays(country="DE", subdiv="BE"),
)
NIGHTS = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["22:00-06:00"]})
ALWAYS = Schedule.always("Europe/Berlin")
LORD_HOWE = Schedule.always("Australia/Lord_Howe")

# Clock changes in 2026: Berlin, New York, Lord Howe (30 minutes).
CHANGES_2026 = [
    utc(2026, 3, 29, 1),
    utc(2026, 10, 25, 1),
    utc(2026, 3, 8, 7),
    utc(2026, 11, 1, 6),
    utc(2026, 4, 4, 15),
    utc(2026, 10, 3, 15, 30),
]

# The week of the worked examples: Fri 2026-11-20 .. Thu 2026-11-26.
FRI, SAT, SUN, MON, TUE, WED, THU = 20, 21, 22, 23, 24, 25, 26


# ---------------------------------------------------------------------------
# Rounding
# ---------------------------------------------------------------------------


class TestRoundingParse:
    @pytest.mark.parametrize(
        ("text", "kind", "step", "printed"),
        [
            # why: the named kinds
            ("none", "none", None, "none"),
            ("end_of_day", "end_of_day", None, "end_of_day"),
            # why: case and surrounding space do not matter
            ("  NONE ", "none", None, "none"),
            # why: the usual steps
            ("15min", "step", 15, "15min"),
            ("30min", "step", 30, "30min"),
            ("1h", "step", 60, "1h"),
            # why: words and a space are accepted; printing is compact
            ("15 minutes", "step", 15, "15min"),
            ("2 hours", "step", 120, "2h"),
            # why: whole hours print in hours
            ("60min", "step", 60, "1h"),
            # why: any divisor of a day
            ("90min", "step", 90, "90min"),
            ("5min", "step", 5, "5min"),
            ("24h", "step", 1440, "24h"),
        ],
    )
    def test_table(self, text: str, kind: str, step: int | None, printed: str) -> None:
        r = Rounding.parse(text)
        assert (r.kind, r.step_minutes, str(r)) == (kind, step, printed)
        assert Rounding.parse(str(r)) == r
        dumped: object = r.model_dump()  # the model serialises to its string
        assert dumped == printed
        assert Rounding.model_validate_json(r.model_dump_json()) == r

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            # why: 7 minutes do not divide a day, so days would differ
            ("7min", "does not divide a day"),
            # why: a step runs from 1 minute to 24 hours
            ("0min", "from 1 minute to 24 hours"),
            ("25h", "from 1 minute to 24 hours"),
            ("1441min", "from 1 minute to 24 hours"),
            # why: unknown words and spellings
            ("fortnight", "is not a rounding"),
            ("15 m", "is not a rounding"),
            ("1.5h", "is not a rounding"),
            ("-15min", "is not a rounding"),
            ("", "is not a rounding"),
            ("end of day", "is not a rounding"),
        ],
    )
    def test_bad(self, text: str, message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            Rounding.parse(text)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            # why: a step rounding needs its step
            ({"kind": "step"}, "needs a step"),
            # why: other kinds take none
            ({"kind": "none", "step_minutes": 15}, "only a 'step' rounding takes a step"),
            # why: the step must divide a day
            ({"kind": "step", "step_minutes": 7}, "does not divide a day"),
            # why: unknown kind
            ({"kind": "ceil"}, "kind"),
        ],
    )
    def test_bad_model(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            Rounding(**fields)

    def test_not_a_string(self) -> None:
        with pytest.raises(InputTypeError):
            Rounding.parse(15)  # type: ignore[arg-type]


class TestRoundUp:
    @pytest.mark.parametrize(
        ("rounding", "schedule", "t", "expected"),
        [
            # why: DESIGN social rule: exact promise 21:37 is told as 21:45
            ("15min", OFFICE, berlin(2026, 11, FRI, 21, 37), berlin(2026, 11, FRI, 21, 45)),
            # why: a time on a boundary stays
            ("15min", OFFICE, berlin(2026, 11, FRI, 21, 45), berlin(2026, 11, FRI, 21, 45)),
            # why: a microsecond past a boundary goes to the next
            (
                "15min",
                OFFICE,
                berlin(2026, 11, FRI, 21, 45, 0, 1),
                berlin(2026, 11, FRI, 22),
            ),
            # why: seconds count too
            ("30min", OFFICE, berlin(2026, 11, FRI, 16, 30, 30), berlin(2026, 11, FRI, 17)),
            # why: an hour step crosses midnight into the next date
            ("1h", OFFICE, berlin(2026, 11, FRI, 23, 30), berlin(2026, 11, SAT, 0)),
            # why: steps count from local midnight, not from the input's zone
            ("1h", OFFICE, utc(2026, 11, FRI, 15, 30), berlin(2026, 11, FRI, 17)),
            # why: "none" keeps the instant, in the schedule's zone
            (
                "none",
                OFFICE,
                utc(
                    2026,
                    11,
                    FRI,
                    15,
                    30,
                ),
                berlin(2026, 11, FRI, 16, 30),
            ),
            # why: end of the business day the instant falls in
            ("end_of_day", OFFICE, berlin(2026, 11, FRI, 16, 30), berlin(2026, 11, FRI, 17)),
            # why: at the close it stays (the DESIGN email promise Wed 17:00)
            ("end_of_day", OFFICE, berlin(2026, 11, WED, 17), berlin(2026, 11, WED, 17)),
            # why: past Friday's close, the end of the next business day
            ("end_of_day", OFFICE, berlin(2026, 11, FRI, 21, 37), berlin(2026, 11, MON, 17)),
            ("end_of_day", OFFICE, berlin(2026, 11, SAT, 11), berlin(2026, 11, MON, 17)),
            # why: before opening: the end of that day
            ("end_of_day", OFFICE, berlin(2026, 11, MON, 8), berlin(2026, 11, MON, 17)),
            # why: Tue 02:00 lies in Monday's night shift, which ends Tue 06:00
            ("end_of_day", NIGHTS, berlin(2026, 11, TUE, 2), berlin(2026, 11, TUE, 6)),
            # why: 02:00-02:59 do not exist on 29 March: 01:50 CET rounds to 03:00 CEST
            ("15min", ALWAYS, berlin(2026, 3, 29, 1, 50), berlin(2026, 3, 29, 3)),
            # why: the 2-hour boundary 02:00 does not exist; the next one is 04:00
            ("2h", ALWAYS, berlin(2026, 3, 29, 1, 50), berlin(2026, 3, 29, 4)),
            # why: Lord Howe skips 02:00-02:29 on 4 Oct 2026 (a 30-minute change)
            (
                "15min",
                LORD_HOWE,
                datetime(2026, 10, 4, 1, 50, tzinfo=ZoneInfo("Australia/Lord_Howe")),
                datetime(2026, 10, 4, 2, 30, tzinfo=ZoneInfo("Australia/Lord_Howe")),
            ),
        ],
    )
    def test_table(
        self, rounding: str, schedule: Schedule, t: datetime, expected: datetime
    ) -> None:
        assert_at(Rounding.parse(rounding).round_up(t, schedule), expected, schedule.zone)

    @pytest.mark.parametrize(
        ("t", "expected"),
        [
            # why: first pass of 02:xx (CEST): rounds within the first pass
            (utc(2026, 10, 25, 0, 5), utc(2026, 10, 25, 0, 15)),
            # why: 02:50 CEST: the wall clock never steps back to the second 02:00 (01:00Z);
            # the next boundary on the wall is 03:00, which exists only in CET
            (utc(2026, 10, 25, 0, 50), utc(2026, 10, 25, 2, 0)),
            # why: second pass (CET) 02:10 rounds to the second 02:15, not the first
            (utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 1, 15)),
            # why: a boundary in the second pass stays
            (utc(2026, 10, 25, 1, 15), utc(2026, 10, 25, 1, 15)),
        ],
    )
    def test_fold(self, t: datetime, expected: datetime) -> None:
        got = Rounding.parse("15min").round_up(t, ALWAYS)
        assert got.astimezone(UTC) == expected
        assert got.tzinfo is BERLIN

    def test_naive(self) -> None:
        with pytest.raises(NaiveDatetimeError):
            Rounding.parse("15min").round_up(datetime(2026, 11, 20, 9), OFFICE)

    @given(
        st.sampled_from(
            ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
        ),
        st.sampled_from([1, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 360, 720, 1440]),
        st.one_of(
            st.datetimes(datetime(1995, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
            # within three hours of the 2026 clock changes of these zones
            st.tuples(st.sampled_from(CHANGES_2026), st.integers(-3 * 3600, 3 * 3600)).map(
                lambda pair: pair[0] + timedelta(seconds=pair[1])
            ),
        ),
    )
    def test_never_earlier_and_on_a_boundary(self, tz: str, step: int, t: datetime) -> None:
        schedule = Schedule.always(tz)
        rounding = Rounding(kind="step", step_minutes=step)
        got = rounding.round_up(t, schedule)
        assert got.astimezone(UTC) >= t
        wall = got.replace(tzinfo=None)
        assert (wall.hour * 60 + wall.minute) % step == 0
        assert (wall.second, wall.microsecond) == (0, 0)
        # at most one step plus the largest offset change in these zones (1 h)
        assert got.astimezone(UTC) - t <= timedelta(minutes=step + 60)
        assert rounding.round_up(got, schedule).astimezone(UTC) == got.astimezone(UTC)

    @given(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)))
    def test_end_of_day_lands_on_a_close(self, t: datetime) -> None:
        rounding = Rounding.parse("end_of_day")
        got = rounding.round_up(t, NIGHTS)
        assert got.astimezone(UTC) >= t
        assert got.time().hour == 6
        assert not NIGHTS.is_open(got)
        assert NIGHTS.is_open(got - US)
        assert rounding.round_up(got, NIGHTS) == got


# ---------------------------------------------------------------------------
# Buffers
# ---------------------------------------------------------------------------


class TestBufferModel:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            # why: a float is read as the decimal it prints as: 0.1 is exactly 1/10
            (0.1, Fraction(1, 10)),
            (0.5, Fraction(1, 2)),
            # why: fractions, decimals, integers and strings
            (Fraction(2, 3), Fraction(2, 3)),
            (Decimal("0.75"), Fraction(3, 4)),
            (1, Fraction(1)),
            ("2/3", Fraction(2, 3)),
            (" 0.25 ", Fraction(1, 4)),
        ],
    )
    def test_ratio_spellings(self, value: RatioLike, expected: Fraction) -> None:
        assert Buffer.from_ratio(value).ratio == expected
        assert Buffer.model_validate({"ratio": value}).ratio == expected

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            # why: ratio lies in (0, 1]
            ({"ratio": 0}, r"ratio: 0 must lie in \(0, 1\]"),
            ({"ratio": 1.5}, r"ratio: 1.5 must lie in \(0, 1\]"),
            ({"ratio": "-1/2"}, r"ratio: -0.5 must lie in"),
            # why: not a number
            ({"ratio": "half"}, "'half' is not a number"),
            ({"ratio": True}, "True is not a number"),
            # why: exactly one kind
            ({}, "give a 'ratio', a 'margin', or a 'target' and a 'promise'"),
            ({"ratio": 0.5, "margin": "1 hour"}, "give one kind of buffer, not ratio and margin"),
            # why: an explicit buffer needs both windows
            ({"target": "1 day"}, "'promise' is missing"),
            ({"promise": "1 day"}, "'target' is missing"),
            # why: the target may not be provably longer than the promise
            ({"target": "3 days", "promise": "1-2 days"}, "longer than promise"),
            ({"target": "2 weeks", "promise": "10 days"}, "longer than promise"),
            ({"target": "90 minutes", "promise": "1 hour"}, "longer than promise"),
            # why: a kind key must agree with the fields
            ({"kind": "ratio", "margin": "1 hour"}, "does not match"),
            ({"kind": "cushion", "ratio": 0.5}, "not a buffer kind"),
            # why: unknown fields
            ({"ratio": 0.5, "factor": 2}, "factor"),
        ],
    )
    def test_bad(self, data: dict[str, Any], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            Buffer.model_validate(data)

    def test_bad_window_text_keeps_its_error(self) -> None:
        with pytest.raises(WindowParseError, match="bussiness"):
            Buffer.from_margin("4 bussiness hours")

    @pytest.mark.parametrize(
        ("target", "promise"),
        [
            # why: not comparable without a date: allowed, checked when quoting
            ("36 hours", "1 day"),
            ("10 business hours", "1 business day"),
            ("1 month", "30 days"),
            ("1 business day", "3 days"),
        ],
    )
    def test_explicit_not_comparable_is_allowed(self, target: str, promise: str) -> None:
        assert Buffer.from_explicit(target, promise).kind == "explicit"

    @pytest.mark.parametrize(
        ("buffer", "dumped"),
        [
            # why: the compact policy-file form; exact floats stay floats
            (Buffer(ratio=Fraction(1, 2)), {"ratio": 0.5}),
            # why: a fraction without an exact float is written as "n/d"
            (Buffer(ratio=Fraction(1, 3)), {"ratio": "1/3"}),
            (Buffer.from_margin("4 business hours"), {"margin": "4 business hours"}),
            (
                Buffer.from_explicit("3-4 weeks", "6 weeks"),
                {"target": "3-4 calendar weeks", "promise": "6 calendar weeks"},
            ),
        ],
    )
    def test_round_trip(self, buffer: Buffer, dumped: dict[str, Any]) -> None:
        assert buffer.model_dump() == dumped
        assert Buffer.model_validate(dumped) == buffer
        assert Buffer.model_validate_json(buffer.model_dump_json()) == buffer
        assert Buffer.model_validate({"kind": buffer.kind, **dumped}) == buffer

    def test_context_clock_reaches_the_windows(self) -> None:
        b = Buffer.model_validate({"margin": "1 day"}, context={"default_clock": "business"})
        assert b.margin == Duration(amount=1, unit="days", clock="business")

    def test_frozen_and_hashable(self) -> None:
        b = Buffer.from_ratio(0.5)
        assert len({b, Buffer(ratio=Fraction(1, 2))}) == 1
        with pytest.raises(ImmutableError):
            b.ratio = Fraction(1, 3)  # type: ignore[misc]


class TestTargetFromPromise:
    @pytest.mark.parametrize(
        ("buffer", "clock", "start", "promise", "expected"),
        [
            # why: DESIGN default rule: 16.5 business hours to Tue 17:00, half is 8.25 h
            (
                Buffer.from_ratio(0.5),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, TUE, 17),
                berlin(2026, 11, MON, 16, 45),
            ),
            # why: the calendar clock measures real time: 6 weeks over the spring change
            # hold 1007 h, half of it lands at 09:30 CET on 22 March
            (
                Buffer.from_ratio("1/2"),
                "calendar",
                berlin(2026, 3, 1, 10),
                berlin(2026, 4, 12, 10),
                berlin(2026, 3, 22, 9, 30),
            ),
            # why: ratio 1 is the promise itself
            (
                Buffer.from_ratio(1),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, TUE, 17),
                berlin(2026, 11, TUE, 17),
            ),
            # why: a promise at or before the start gives the start
            (
                Buffer.from_ratio(0.5),
                "calendar",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, FRI, 16),
                berlin(2026, 11, FRI, 16, 30),
            ),
            # why: a business margin is Schedule.subtract: lands at an opening
            (
                Buffer.from_margin("4 business hours"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, WED, 17),
                berlin(2026, 11, WED, 13),
            ),
            # why: a margin of business days keeps the position in the day
            (
                Buffer.from_margin("1 business day"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, WED, 17),
                berlin(2026, 11, TUE, 17),
            ),
            # why: calendar margin
            (
                Buffer.from_margin("2 hours"),
                "calendar",
                berlin(2026, 11, FRI, 16, 37),
                berlin(2026, 11, FRI, 21, 37),
                berlin(2026, 11, FRI, 19, 37),
            ),
            # why: a margin longer than the wait is clamped to the start
            (
                Buffer.from_margin("1 day"),
                "calendar",
                berlin(2026, 11, FRI, 16, 37),
                berlin(2026, 11, FRI, 21, 37),
                berlin(2026, 11, FRI, 16, 37),
            ),
            # why: DESIGN email rule: explicit target "1 business day" is Monday 17:00
            (
                Buffer.from_explicit("1 business day", "1-3 business days"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, WED, 17),
                berlin(2026, 11, MON, 17),
            ),
            # why: an explicit target that turns out later than the promise is capped
            (
                Buffer.from_explicit("10 business hours", "1 business day"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, MON, 17),
                berlin(2026, 11, MON, 17),
            ),
        ],
    )
    def test_table(
        self,
        buffer: Buffer,
        clock: ClockName,
        start: datetime,
        promise: datetime,
        expected: datetime,
    ) -> None:
        assert_at(buffer.target_from_promise(start, promise, OFFICE, clock), expected)

    def test_ratio_is_exact_where_a_float_is_not(self) -> None:
        # why: 0.7 × 97930558361510 µs as a float is 68551390853056; exactly it is ...057
        span = 97_930_558_361_510
        start = datetime(2026, 1, 1, tzinfo=UTC)
        promise = start + span * US
        got = Buffer.from_ratio(0.7).target_from_promise(start, promise, ALWAYS, "calendar")
        assert int(0.7 * span) == 68_551_390_853_056
        assert (got - start) // US == 68_551_390_853_057

    def test_bad_clock(self) -> None:
        start = berlin(2026, 11, FRI, 16, 30)
        with pytest.raises(InputTypeError, match="clock"):
            Buffer.from_ratio(0.5).target_from_promise(start, start, OFFICE, "lunar")  # type: ignore[arg-type]

    def test_naive(self) -> None:
        start = berlin(2026, 11, FRI, 16, 30)
        with pytest.raises(NaiveDatetimeError, match="promise_at"):
            Buffer.from_ratio(0.5).target_from_promise(
                start, datetime(2026, 11, 24, 17), OFFICE, "business"
            )


class TestPromiseFromTarget:
    @pytest.mark.parametrize(
        ("buffer", "clock", "start", "target", "expected"),
        [
            # why: the inverse of the DESIGN default rule
            (
                Buffer.from_ratio(0.5),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, MON, 16, 45),
                berlin(2026, 11, TUE, 17),
            ),
            # why: photographer: aim 3 weeks, ratio 1/2, promise 6 weeks of real time
            (
                Buffer.from_ratio(0.5),
                "calendar",
                berlin(2026, 6, 1, 10),
                berlin(2026, 6, 22, 10),
                berlin(2026, 7, 13, 10),
            ),
            # why: business margin: Schedule.add lands at a close
            (
                Buffer.from_margin("4 business hours"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, WED, 13),
                berlin(2026, 11, WED, 17),
            ),
            # why: one business day after the end of Tuesday is the end of Wednesday
            (
                Buffer.from_margin("1 business day"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, TUE, 17),
                berlin(2026, 11, WED, 17),
            ),
            # why: explicit: the promise window's upper end from the start
            (
                Buffer.from_explicit("1 business day", "1-3 business days"),
                "business",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, MON, 17),
                berlin(2026, 11, WED, 17),
            ),
        ],
    )
    def test_table(
        self,
        buffer: Buffer,
        clock: ClockName,
        start: datetime,
        target: datetime,
        expected: datetime,
    ) -> None:
        assert_at(buffer.promise_from_target(start, target, OFFICE, clock), expected)


# At least 1/100, so that promises derived from targets stay within the supported years.
_ratios = st.builds(Fraction, st.integers(1, 10**6), st.integers(1, 10**6)).filter(
    lambda r: Fraction(1, 100) <= r <= 1
)


class TestRatioProperties:
    @given(_ratios, st.integers(0, 10**13), st.integers(0, 10**14))
    def test_calendar_target_is_exact(self, r: Fraction, span_us: int, offset_us: int) -> None:
        start = datetime(1995, 1, 1, tzinfo=UTC) + offset_us * US
        promise = start + span_us * US
        got = Buffer(ratio=r).target_from_promise(start, promise, ALWAYS, "calendar")
        assert (got - start) // US == span_us * r.numerator // r.denominator

    @given(_ratios, st.integers(0, 10**13), st.integers(0, 10**14))
    def test_calendar_round_trip(self, r: Fraction, target_us: int, offset_us: int) -> None:
        # why: promise rounds up, target rounds down: target(promise(g)) == g exactly
        start = datetime(1995, 1, 1, tzinfo=UTC) + offset_us * US
        target = start + target_us * US
        buffer = Buffer(ratio=r)
        promise = buffer.promise_from_target(start, target, ALWAYS, "calendar")
        assert promise >= target
        assert buffer.target_from_promise(start, promise, ALWAYS, "calendar") == target

    @given(
        _ratios,
        st.dates(date(2026, 1, 1), date(2027, 12, 31)),
        st.integers(0, 86_400 * 10**6),
        st.integers(0, 400 * 3600 * 10**6),
    )
    def test_business_target_is_exact(
        self, r: Fraction, day: date, time_us: int, span_us: int
    ) -> None:
        start = datetime(day.year, day.month, day.day, tzinfo=BERLIN) + time_us * US
        promise = OFFICE.add(start, span_us * US)
        got = Buffer(ratio=r).target_from_promise(start, promise, OFFICE, "business")
        assert OFFICE.between(start, got) // US == span_us * r.numerator // r.denominator
        assert got.astimezone(UTC) <= promise.astimezone(UTC)

    @given(st.data())
    def test_every_kind_stays_between_start_and_promise(self, data: st.DataObject) -> None:
        buffer = data.draw(
            st.sampled_from(
                [
                    Buffer.from_ratio("1/3"),
                    Buffer.from_margin("3 business hours"),
                    Buffer.from_margin("1 business day"),
                    Buffer.from_margin("2 days"),
                    Buffer.from_explicit("1 business day", "3 business days"),
                    Buffer.from_explicit("20 business hours", "2 business days"),
                ]
            )
        )
        start = data.draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31))).replace(
            tzinfo=BERLIN
        )
        promise = Window.parse("2 business days").high.apply(start, OFFICE)
        assume(promise > start)
        got = buffer.target_from_promise(start, promise, OFFICE, "business")
        assert start.astimezone(UTC) <= got.astimezone(UTC) <= promise.astimezone(UTC)
        again = buffer.promise_from_target(start, got, OFFICE, "business")
        assert again.astimezone(UTC) >= got.astimezone(UTC)


class TestWorkedExample:
    """DESIGN's policy table, quoted from the pieces this module provides."""

    def test_rows(self) -> None:
        quarter = Rounding.parse("15min")
        friday = berlin(2026, 11, FRI, 16, 30)

        # email: "1-3 business days", target "1 business day"
        email = Buffer.from_explicit("1 business day", "1-3 business days")
        low, high = email.promise.due_range(friday, OFFICE)  # type: ignore[union-attr]
        assert_at(low, berlin(2026, 11, MON, 17))
        assert_at(quarter.round_up(high, OFFICE), berlin(2026, 11, WED, 17))
        target = email.target_from_promise(friday, high, OFFICE, "business")
        assert_at(target, berlin(2026, 11, MON, 17))

        # social complaint: "3-5 hours" on the calendar, told rounded to 15 minutes
        social = berlin(2026, 11, FRI, 16, 37)
        low, high = Window.parse("3-5 hours").due_range(social, OFFICE)
        assert_at(low, berlin(2026, 11, FRI, 19, 37))
        assert_at(quarter.round_up(high, OFFICE), berlin(2026, 11, FRI, 21, 45))

        # chat: "30 seconds" on the business clock, not rounded
        chat = Window.parse("30 seconds", default_clock="business").high.apply(friday, OFFICE)
        assert_at(Rounding.parse("none").round_up(chat, OFFICE), berlin(2026, 11, FRI, 16, 30, 30))

        # default: "2 business days" with a ratio buffer of 0.5
        promise = Window.parse("2 business days").high.apply(friday, OFFICE)
        assert_at(quarter.round_up(promise, OFFICE), berlin(2026, 11, TUE, 17))
        target = Buffer(ratio=Fraction(1, 2)).target_from_promise(
            friday, promise, OFFICE, "business"
        )
        assert_at(target, berlin(2026, 11, MON, 16, 45))
