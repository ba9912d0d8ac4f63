"""Durations and windows: parsing, printing, and due instants on both clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from expectkit import (
    ExpectkitError,
    Holidays,
    HorizonError,
    ImmutableError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
    Schedule,
    WindowParseError,
)
from expectkit.windows import (
    MAX_AMOUNT,
    BusinessDayMode,
    ClockName,
    Duration,
    DurationUnit,
    Window,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=BERLIN)


def assert_at(got: datetime, expected: datetime, zone: ZoneInfo = BERLIN) -> None:
    """Check the instant (in UTC: same-zone comparison ignores fold), wall time and zone."""
    assert got.astimezone(UTC) == expected.astimezone(UTC), (got, expected)
    assert got.replace(tzinfo=None) == expected.astimezone(zone).replace(tzinfo=None)
    assert got.tzinfo is zone


def assert_all_at(got: tuple[datetime, ...], expected: tuple[datetime, ...]) -> None:
    assert len(got) == len(expected)
    for one, other in zip(got, expected, strict=True):
        assert_at(one, other)


OFFICE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"]},
    holidays=Holidays(country="DE", subdiv="BE"),
)
SPLIT = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-12:30", "13:30-17:00"]})
NIGHTS = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["22:00-06:00"]})
EVERY_NIGHT = Schedule(tz="Europe/Berlin", weekly={"mon-sun": ["22:00-06:00"]})
HALF_WEDNESDAY = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"]},
    special={"2026-11-25": ["09:00-13:00"]},
)
ALWAYS = Schedule.always("Europe/Berlin")

# The week of the worked examples: Fri 2026-11-20 .. Thu 2026-11-26.
FRI, SAT, SUN, MON, TUE, WED, THU = 20, 21, 22, 23, 24, 25, 26


def d(text: str) -> Duration:
    return Duration.parse(text)


# ---------------------------------------------------------------------------
# Parsing and printing
# ---------------------------------------------------------------------------


class TestParse:
    @pytest.mark.parametrize(
        ("text", "low", "high", "unit", "clock"),
        [
            # why: the canonical range, hyphen-minus
            ("1-3 business days", 1, 3, "days", "business"),
            # why: customer-facing text uses an en dash
            ("1–3 business days", 1, 3, "days", "business"),
            # why: an em dash and spaces around it are read alike
            ("1 — 3 business days", 1, 3, "days", "business"),
            # why: "to" is a separator too
            ("1 to 3 business days", 1, 3, "days", "business"),
            # why: without "business" a window counts on the calendar
            ("3-5 hours", 3, 5, "hours", "calendar"),
            # why: a single value is a range with equal ends
            ("30 seconds", 30, 30, "seconds", "calendar"),
            # why: compact forms with the unit touching the number
            ("48h", 48, 48, "hours", "calendar"),
            ("30s", 30, 30, "seconds", "calendar"),
            ("15min", 15, 15, "minutes", "calendar"),
            ("1-3d", 1, 3, "days", "calendar"),
            ("2w", 2, 2, "weeks", "calendar"),
            ("6mo", 6, 6, "months", "calendar"),
            # why: plain calendar weeks and month ranges
            ("2 weeks", 2, 2, "weeks", "calendar"),
            ("1-2 months", 1, 2, "months", "calendar"),
            # why: singular unit
            ("1 business day", 1, 1, "days", "business"),
            # why: "within" adds nothing; every window is already a bound
            ("within 2 days", 2, 2, "days", "calendar"),
            # why: words are case-insensitive and surrounding space is ignored
            ("  Within 2 Business DAYS ", 2, 2, "days", "business"),
            # why: "working" is read as "business"; "calendar" can be explicit
            ("5 working days", 5, 5, "days", "business"),
            ("3 calendar days", 3, 3, "days", "calendar"),
            # why: zero is a legal amount
            ("0 business days", 0, 0, "days", "business"),
            # why: a fraction that is whole in a smaller unit is stored in that unit
            ("1.5 hours", 90, 90, "minutes", "calendar"),
            ("1.5-2 hours", 90, 120, "minutes", "calendar"),
            ("0.5 minutes", 30, 30, "seconds", "calendar"),
            ("0.01 hours", 36, 36, "seconds", "calendar"),
            # why: a whole decimal stays in its unit
            ("3.0 days", 3, 3, "days", "calendar"),
            # why: leading zeros do not count against the size limit
            ("000000000007 days", 7, 7, "days", "calendar"),
            # why: the largest amount
            (f"{MAX_AMOUNT} seconds", MAX_AMOUNT, MAX_AMOUNT, "seconds", "calendar"),
        ],
    )
    def test_table(self, text: str, low: int, high: int, unit: str, clock: str) -> None:
        w = Window.parse(text)
        assert (w.low.amount, w.high.amount, w.unit, w.clock) == (low, high, unit, clock)

    @pytest.mark.parametrize(
        ("text", "default", "clock"),
        [
            # why: a policy may make the business clock the default
            ("30 seconds", "business", "business"),
            # why: an explicit word beats the default either way
            ("3 calendar days", "business", "calendar"),
            ("3 business days", "calendar", "business"),
        ],
    )
    def test_default_clock(self, text: str, default: ClockName, clock: str) -> None:
        assert Window.parse(text, default_clock=default).clock == clock
        assert Duration.parse(text, default_clock=default).clock == clock

    def test_duration_parse_is_one_value(self) -> None:
        assert Duration.parse("8 business hours") == Duration(
            amount=8, unit="hours", clock="business"
        )
        with pytest.raises(WindowParseError, match=r"'-' at index 1: a duration is one amount"):
            Duration.parse("1-3 days")

    def test_non_string_is_a_type_error(self) -> None:
        with pytest.raises(InputTypeError, match="expected a string"):
            Window.parse(3)  # type: ignore[arg-type]

    def test_bad_default_clock(self) -> None:
        with pytest.raises(InputTypeError, match="default_clock"):
            Window.parse("3 days", default_clock="lunar")  # type: ignore[arg-type]


class TestBadWindows:
    """Every error names the offending token (or the end of the text) and its index."""

    @pytest.mark.parametrize(
        ("text", "named"),
        [
            # why: nothing to read
            ("", "at the end: the text is empty"),
            # why: the amount is missing
            ("days", "'days' at index 0: expected a number"),
            # why: the unit is missing
            ("3", "at the end: expected a unit"),
            # why: a misspelt clock, with a suggestion
            (
                "1-3 bussiness days",
                "'bussiness' at index 4: unknown unit (did you mean 'business'?)",
            ),
            # why: amounts are never negative
            ("-3 days", "'-' at index 0: expected a number (amounts are never negative)"),
            # why: a range that runs backwards names the whole range
            ("3-1 days", "'3-1' at index 0: the range runs backwards"),
            # why: days are whole
            ("1.5 days", "'1.5' at index 0: days take whole numbers"),
            # why: 1.2345 hours is 4444.2 seconds
            ("1.2345 hours", "'1.2345' at index 0: 1.2345 hours is not a whole number of seconds"),
            # why: unknown unit
            ("3 fortnights", "'fortnights' at index 2: unknown unit"),
            # why: one separator only
            ("1-3-5 days", "'-' at index 3: expected a unit"),
            # why: the clock goes before the unit
            ("3 days business", "'business' at index 7: unexpected text after the unit"),
            # why: a clock without a unit
            ("1–3 business", "at the end: expected a unit"),
            # why: 'm' could be minutes or months
            ("3 m", "'m' at index 2: 'm' is ambiguous"),
            # why: stray punctuation
            ("3 days!", "'!' at index 6: unexpected text after the unit"),
            # why: no exponent notation
            ("1e3 days", "'e' at index 1: unknown unit"),
            # why: two clocks
            ("3 business calendar days", "'calendar' at index 11: the clock is already 'business'"),
            # why: "within" once
            ("within within 3 days", "'within' at index 7: expected a number"),
            # why: one unit per window
            ("3 days 4 hours", "'4' at index 7: unexpected text after the unit"),
            # why: only ASCII digits
            ("٣ days", "'٣' at index 0: expected a number"),
            # why: business weeks have no agreed length
            ("2 business weeks", "'weeks' at index 11: business weeks have no agreed length"),
            # why: ...and neither do business months, even when business is only the default
            ("1-2 working months", "'months' at index 12: business months"),
            # why: absurd sizes are refused before any arithmetic
            ("99999999999 days", "'99999999999' at index 0: the amount is too large"),
            ("999999999.5 hours", "'999999999.5' at index 0: the amount is too large"),
            # why: two numbers without a separator
            ("3 4 days", "'4' at index 2: expected a unit, found a second number"),
            # why: decimal comma
            ("1,5 hours", "',' at index 1: expected a unit"),
            # why: the second amount is missing
            ("1 - days", "'days' at index 4: expected a number after '-'"),
        ],
    )
    def test_names_the_token(self, text: str, named: str) -> None:
        with pytest.raises(WindowParseError) as info:
            Window.parse(text)
        message = str(info.value)
        assert message.startswith(f"cannot parse window {text!r}: "), message
        assert named in message, message
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, ExpectkitError)

    def test_business_default_names_the_reason(self) -> None:
        with pytest.raises(WindowParseError, match=r"the default clock here is business"):
            Window.parse("2 weeks", default_clock="business")


class TestFormat:
    @pytest.mark.parametrize(
        ("text", "printed", "serialised"),
        [
            # why: canonical range; the calendar clock is implicit in str()
            ("1–3 business days", "1-3 business days", "1-3 business days"),
            ("3-5 hours", "3-5 hours", "3-5 calendar hours"),
            # why: singular only for exactly one
            ("1 business day", "1 business day", "1 business day"),
            ("1 h", "1 hour", "1 calendar hour"),
            ("0 days", "0 days", "0 calendar days"),
            ("1-1 weeks", "1 week", "1 calendar week"),
            # why: compact input prints in words
            ("48h", "48 hours", "48 calendar hours"),
            ("30s", "30 seconds", "30 calendar seconds"),
            # why: "working" prints as "business", "within" is dropped
            ("within 2 working days", "2 business days", "2 business days"),
            # why: fractions print in the unit they were stored in
            ("1.5 hours", "90 minutes", "90 calendar minutes"),
        ],
    )
    def test_table(self, text: str, printed: str, serialised: str) -> None:
        w = Window.parse(text)
        assert str(w) == printed
        dumped: object = w.model_dump()  # the model serialises to its string
        assert dumped == serialised
        assert w.model_dump_json() == f'"{serialised}"'
        assert Window.parse(printed) == w
        assert Window.parse(serialised, default_clock="business") == w

    def test_duration_str(self) -> None:
        assert str(Duration(amount=1, unit="months")) == "1 month"
        assert str(Duration(amount=8, unit="hours", clock="business")) == "8 business hours"
        dumped: object = Duration(amount=2, unit="weeks").model_dump()
        assert dumped == "2 calendar weeks"


_UNITS: list[DurationUnit] = ["seconds", "minutes", "hours", "days", "weeks", "months"]


@st.composite
def windows(draw: st.DrawFn) -> Window:
    unit = draw(st.sampled_from(_UNITS))
    clocks: list[ClockName] = (
        ["calendar"] if unit in ("weeks", "months") else ["calendar", "business"]
    )
    clock = draw(st.sampled_from(clocks))
    low, high = sorted(draw(st.lists(st.integers(0, MAX_AMOUNT), min_size=2, max_size=2)))
    high = draw(st.sampled_from([low, high]))
    return Window(
        low=Duration(amount=low, unit=unit, clock=clock),
        high=Duration(amount=high, unit=unit, clock=clock),
    )


_SPELLINGS: dict[DurationUnit, list[str]] = {
    "seconds": ["s", "sec", "secs", "second", "seconds"],
    "minutes": ["min", "mins", "minute", "minutes"],
    "hours": ["h", "hr", "hrs", "hour", "hours"],
    "days": ["d", "day", "days"],
    "weeks": ["w", "wk", "wks", "week", "weeks"],
    "months": ["mo", "mos", "month", "months"],
}


class TestRoundTrip:
    @given(windows())
    def test_parse_str(self, w: Window) -> None:
        assert Window.parse(str(w)) == w
        assert str(Window.parse(str(w))) == str(w)

    @given(windows(), st.sampled_from(["business", "calendar"]))
    def test_serialised_text_reads_back_under_any_default(
        self, w: Window, default: ClockName
    ) -> None:
        text: object = w.model_dump()
        assert isinstance(text, str)
        assert Window.parse(text, default_clock=default) == w
        assert Window.model_validate_json(w.model_dump_json()) == w
        assert Window.model_validate(text, context={"default_clock": default}) == w

    @given(windows(), st.data())
    def test_any_spelling(self, w: Window, data: st.DataObject) -> None:
        space = st.sampled_from(["", " ", "  ", "\t"])
        word = data.draw(st.sampled_from(_SPELLINGS[w.unit]))
        word = data.draw(st.sampled_from([word, word.upper(), word.title()]))
        if w.clock == "business":
            clock = data.draw(st.sampled_from(["business ", "working ", "Business "]))
        else:
            clock = data.draw(st.sampled_from(["", "calendar ", "CALENDAR "]))
        amount = str(w.low.amount)
        if w.is_range:
            sep = data.draw(st.sampled_from(["-", "–", "—", " to "]))
            amount += data.draw(space) + sep + data.draw(space) + str(w.high.amount)
        prefix = data.draw(st.sampled_from(["", "within ", "Within "]))
        # A clock word must be followed by a space; a bare unit may touch the number.
        text = f"{data.draw(space)}{prefix}{amount}{data.draw(space) or ' '}{clock}{word}"
        assert Window.parse(text) == w


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


class TestModels:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            # why: amounts are never negative
            ({"amount": -1, "unit": "days"}, "greater than or equal to 0"),
            # why: a fractional amount must be spelt in a smaller unit
            ({"amount": 1.5, "unit": "hours"}, "amount"),
            # why: True is not a number of days
            ({"amount": True, "unit": "days"}, "amount"),
            # why: unknown unit and clock
            ({"amount": 1, "unit": "fortnights"}, "unit"),
            ({"amount": 1, "unit": "days", "clock": "lunar"}, "clock"),
            # why: business weeks and months have no agreed length
            ({"amount": 1, "unit": "weeks", "clock": "business"}, "business weeks"),
            ({"amount": 1, "unit": "months", "clock": "business"}, "business months"),
            # why: too large
            ({"amount": MAX_AMOUNT + 1, "unit": "seconds"}, "amount"),
            # why: extra fields are refused
            ({"amount": 1, "unit": "days", "size": 3}, "size"),
        ],
    )
    def test_bad_duration(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(WindowParseError, match=message):
            Duration(**fields)
        with pytest.raises(WindowParseError, match=message):
            Duration.model_validate(fields)

    @pytest.mark.parametrize(
        ("low", "high", "message"),
        [
            # why: both ends count on one clock
            ("1 business day", "3 days", "different clocks"),
            # why: ...and in one unit
            ("30 minutes", "2 hours", "different units"),
            # why: low <= high
            ("3 days", "1 day", "longer than high"),
        ],
    )
    def test_bad_window(self, low: str, high: str, message: str) -> None:
        with pytest.raises(WindowParseError, match=message):
            Window(low=d(low), high=d(high))
        with pytest.raises(WindowParseError, match=message):
            Window.model_validate({"low": low, "high": high})

    def test_reads_fields_text_and_durations(self) -> None:
        w = Window.parse("1-3 business days")
        assert Window.model_validate({"low": "1 business day", "high": "3 business days"}) == w
        assert Window.model_validate(w.model_dump()) == w
        assert Window.model_validate(d("2 days")) == Window.parse("2 days")
        assert Duration.model_validate("8 business hours") == d("8 business hours")

    def test_context_sets_the_default_clock(self) -> None:
        got = Window.model_validate("30 seconds", context={"default_clock": "business"})
        assert got.clock == "business"

    def test_frozen_and_hashable(self) -> None:
        w = Window.parse("1-3 business days")
        assert len({w, Window.parse("1–3 business days")}) == 1
        with pytest.raises(ImmutableError):
            w.low = d("2 days")  # type: ignore[misc]

    def test_structural_equality(self) -> None:
        # why: equality compares fields, not effect
        assert d("60 minutes") != d("1 hour")
        assert d("1.5 hours") == d("90 minutes")

    def test_json_schema_is_the_string_form(self) -> None:
        assert Window.model_json_schema()["type"] == "string"
        assert Duration.model_json_schema()["type"] == "string"


# ---------------------------------------------------------------------------
# Business days
# ---------------------------------------------------------------------------


class TestBusinessDaysEndOfDay:
    @pytest.mark.parametrize(
        ("schedule", "text", "start", "expected"),
        [
            # why: DESIGN: from Fri 16:30 the start day is Friday; one more is Monday
            (OFFICE, "1 business day", berlin(2026, 11, FRI, 16, 30), berlin(2026, 11, MON, 17)),
            # why: DESIGN: after Friday's close the start day is Monday, so Tuesday
            (OFFICE, "1 business day", berlin(2026, 11, FRI, 18), berlin(2026, 11, TUE, 17)),
            # why: DESIGN: a closed day counts from the next business day
            (OFFICE, "1 business day", berlin(2026, 11, SAT, 11), berlin(2026, 11, TUE, 17)),
            # why: DESIGN: before Monday's opening the start day is Monday itself
            (OFFICE, "1 business day", berlin(2026, 11, MON, 8), berlin(2026, 11, TUE, 17)),
            # why: a close is exclusive: exactly 17:00 no longer counts Friday
            (OFFICE, "1 business day", berlin(2026, 11, FRI, 17), berlin(2026, 11, TUE, 17)),
            # why: ...but a microsecond before it does
            (
                OFFICE,
                "1 business day",
                berlin(2026, 11, FRI, 16, 59, 59, 999_999),
                berlin(2026, 11, MON, 17),
            ),
            # why: N = 0 is the end of the start day
            (OFFICE, "0 business days", berlin(2026, 11, FRI, 16, 30), berlin(2026, 11, FRI, 17)),
            (OFFICE, "0 business days", berlin(2026, 11, FRI, 18), berlin(2026, 11, MON, 17)),
            (OFFICE, "0 business days", berlin(2026, 11, SAT, 11), berlin(2026, 11, MON, 17)),
            (OFFICE, "0 business days", berlin(2026, 11, MON, 8), berlin(2026, 11, MON, 17)),
            # why: DESIGN email rule, upper end of "1-3 business days"
            (OFFICE, "3 business days", berlin(2026, 11, FRI, 16, 30), berlin(2026, 11, WED, 17)),
            # why: 25 Dec (Fri) is a Berlin holiday; the 24th is a working day
            (OFFICE, "1 business day", berlin(2026, 12, 24, 10), berlin(2026, 12, 28, 17)),
            # why: start on the holiday itself counts from Monday
            (OFFICE, "1 business day", berlin(2026, 12, 25, 10), berlin(2026, 12, 29, 17)),
            # why: an input in UTC (15:30Z is 16:30 in Berlin) answers in Berlin
            (
                OFFICE,
                "1 business day",
                datetime(2026, 11, FRI, 15, 30, tzinfo=UTC),
                berlin(2026, 11, MON, 17),
            ),
            # why: Tue 02:00 lies in Monday's night shift: Monday is the start day
            (NIGHTS, "0 business days", berlin(2026, 11, TUE, 2), berlin(2026, 11, TUE, 6)),
            (NIGHTS, "1 business day", berlin(2026, 11, TUE, 2), berlin(2026, 11, WED, 6)),
            # why: after Monday's shift the start day is Tuesday (its shift opens 22:00)
            (NIGHTS, "1 business day", berlin(2026, 11, TUE, 7), berlin(2026, 11, THU, 6)),
            # why: Sat 03:00 lies in Friday's shift; the next business day is Monday
            (NIGHTS, "1 business day", berlin(2026, 11, 28, 3), berlin(2026, 12, 1, 6)),
            # why: on the 24/7 clock a business day is a calendar day (23 h on 29 March)
            (ALWAYS, "1 business day", berlin(2026, 3, 28, 12), berlin(2026, 3, 30, 0)),
        ],
    )
    def test_table(
        self, schedule: Schedule, text: str, start: datetime, expected: datetime
    ) -> None:
        assert_at(Duration.parse(text).apply(start, schedule), expected)

    def test_due_range_of_the_email_rule(self) -> None:
        # why: DESIGN worked example, email from Fri 16:30 and (offline chat) Fri 18:00
        w = Window.parse("1-3 business days")
        friday = berlin(2026, 11, FRI, 16, 30)
        expected = (berlin(2026, 11, MON, 17), berlin(2026, 11, WED, 17))
        assert_all_at(w.due_range(friday, OFFICE), expected)
        evening = berlin(2026, 11, FRI, 18)
        expected = (berlin(2026, 11, TUE, 17), berlin(2026, 11, THU, 17))
        assert_all_at(w.due_range(evening, OFFICE), expected)


class TestBusinessDaysSameTime:
    @pytest.mark.parametrize(
        ("schedule", "text", "start", "expected"),
        [
            # why: same elapsed time into the next business day
            (
                OFFICE,
                "1 business day",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, MON, 16, 30),
            ),
            (
                OFFICE,
                "1 business day",
                berlin(2026, 11, TUE, 10, 15),
                berlin(2026, 11, WED, 10, 15),
            ),
            # why: a start at the close sits at the end of its day
            (OFFICE, "1 business day", berlin(2026, 11, FRI, 17), berlin(2026, 11, MON, 17)),
            # why: after the close, on a closed day or before opening: position 0 of Monday
            (OFFICE, "1 business day", berlin(2026, 11, FRI, 18), berlin(2026, 11, TUE, 9)),
            (OFFICE, "1 business day", berlin(2026, 11, SAT, 11), berlin(2026, 11, TUE, 9)),
            (OFFICE, "1 business day", berlin(2026, 11, MON, 8), berlin(2026, 11, TUE, 9)),
            (OFFICE, "1 business day", berlin(2026, 11, MON, 9), berlin(2026, 11, TUE, 9)),
            # why: N = 0 returns the start itself
            (OFFICE, "0 business days", berlin(2026, 11, SAT, 11), berlin(2026, 11, SAT, 11)),
            # why: holidays are skipped: Mon 28 is the first business day, Tue 29 the second
            (OFFICE, "2 business days", berlin(2026, 12, 24, 10), berlin(2026, 12, 29, 10)),
            # why: 12:45 is in the lunch break: 3.5 h elapsed lands at 12:30, the earliest
            (SPLIT, "1 business day", berlin(2026, 11, TUE, 12, 45), berlin(2026, 11, WED, 12, 30)),
            # why: the lunch break does not count: 14:00 is 4 h into the day
            (SPLIT, "1 business day", berlin(2026, 11, TUE, 14), berlin(2026, 11, WED, 14)),
            # why: Wednesday is a half day: 6 h into Tuesday is capped at Wednesday's close
            (
                HALF_WEDNESDAY,
                "1 business day",
                berlin(2026, 11, TUE, 15),
                berlin(2026, 11, WED, 13),
            ),
            # why: Tue 02:00 is 4 h into Monday's night shift; 4 h into Tuesday's is Wed 02:00
            (NIGHTS, "1 business day", berlin(2026, 11, TUE, 2), berlin(2026, 11, WED, 2)),
            # why: Sat 06:00 ends Friday's shift (8 h in); Saturday's shift over the
            # spring-forward night holds only 7 h, so it caps at its 06:00 close
            (EVERY_NIGHT, "1 business day", berlin(2026, 3, 28, 6), berlin(2026, 3, 29, 6)),
        ],
    )
    def test_table(
        self, schedule: Schedule, text: str, start: datetime, expected: datetime
    ) -> None:
        assert_at(Duration.parse(text).apply(start, schedule, day_mode="same_time"), expected)


class TestBusinessDaysBackward:
    @pytest.mark.parametrize(
        ("text", "mode", "end", "expected"),
        [
            # why: a notice 2 business days ahead of Thu 10:00: by Tuesday's opening
            ("2 business days", "end_of_day", berlin(2026, 11, THU, 10), berlin(2026, 11, TUE, 9)),
            # why: N = 0 is the opening of the end day
            ("0 business days", "end_of_day", berlin(2026, 11, THU, 10), berlin(2026, 11, THU, 9)),
            # why: an end exactly at the opening has not opened yet: the day before
            ("0 business days", "end_of_day", berlin(2026, 11, THU, 9), berlin(2026, 11, WED, 9)),
            # why: a closed day counts back from the last business day
            ("1 business day", "end_of_day", berlin(2026, 11, SUN, 12), berlin(2026, 11, 19, 9)),
            # why: same position one business day earlier (a margin before a promise)
            ("1 business day", "same_time", berlin(2026, 11, WED, 17), berlin(2026, 11, TUE, 17)),
            ("1 business day", "same_time", berlin(2026, 11, WED, 12), berlin(2026, 11, TUE, 12)),
            ("1 business day", "same_time", berlin(2026, 11, WED, 9), berlin(2026, 11, TUE, 9)),
            ("1 business day", "same_time", berlin(2026, 11, MON, 10), berlin(2026, 11, FRI, 10)),
            # why: Sunday sits at the end of Friday; one earlier is the end of Thursday
            ("1 business day", "same_time", berlin(2026, 11, SUN, 12), berlin(2026, 11, 19, 17)),
            # why: before the holidays: Mon 28 back over 25/26 Dec to Thu 24
            ("1 business day", "same_time", berlin(2026, 12, 28, 11), berlin(2026, 12, 24, 11)),
            # why: N = 0 returns the end itself
            ("0 business days", "same_time", berlin(2026, 11, SUN, 12), berlin(2026, 11, SUN, 12)),
        ],
    )
    def test_table(
        self, text: str, mode: BusinessDayMode, end: datetime, expected: datetime
    ) -> None:
        assert_at(Duration.parse(text).apply_backward(end, OFFICE, day_mode=mode), expected)


class TestBusinessHours:
    @pytest.mark.parametrize(
        ("text", "start", "expected"),
        [
            # why: business hours are Schedule.add: 0.5 h Friday + 7.5 h Monday
            ("8 business hours", berlin(2026, 11, FRI, 16, 30), berlin(2026, 11, MON, 16, 30)),
            # why: DESIGN chat rule: 30 business seconds while open
            (
                "30 business seconds",
                berlin(2026, 11, FRI, 16, 30),
                berlin(2026, 11, FRI, 16, 30, 30),
            ),
            # why: ...and from the next opening when closed
            ("30 business seconds", berlin(2026, 11, FRI, 18), berlin(2026, 11, MON, 9, 0, 30)),
            # why: landing exactly at a close stays there (the earliest instant)
            ("1 business hour", berlin(2026, 11, MON, 16), berlin(2026, 11, MON, 17)),
            # why: a fraction of an hour in business minutes
            ("1.5 business hours", berlin(2026, 11, MON, 16), berlin(2026, 11, TUE, 9, 30)),
        ],
    )
    def test_apply(self, text: str, start: datetime, expected: datetime) -> None:
        assert_at(Duration.parse(text).apply(start, OFFICE), expected)

    def test_backward_lands_at_an_opening(self) -> None:
        # why: Schedule.subtract returns the latest instant, an opening
        got = d("8 business hours").apply_backward(berlin(2026, 11, WED, 17), OFFICE)
        assert_at(got, berlin(2026, 11, WED, 9))


# ---------------------------------------------------------------------------
# Calendar clock
# ---------------------------------------------------------------------------


class TestCalendar:
    @pytest.mark.parametrize(
        ("text", "start", "expected"),
        [
            # why: a calendar day keeps the wall time: 23 real hours on the spring night
            ("1 day", berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12)),
            # why: 24 hours are real hours, so the wall clock shows 13:00
            ("24 hours", berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 13)),
            # why: a calendar day holds 25 real hours on the autumn night
            ("1 day", berlin(2026, 10, 24, 12), berlin(2026, 10, 25, 12)),
            ("24 hours", berlin(2026, 10, 24, 12), berlin(2026, 10, 25, 11)),
            # why: 3 real hours across the spring gap move the wall clock by 4
            ("3 hours", berlin(2026, 3, 29, 1, 30), berlin(2026, 3, 29, 5, 30)),
            # why: a wall time in the gap resolves later by the gap: 02:30 -> 03:30 CEST
            ("1 day", berlin(2026, 3, 28, 2, 30), berlin(2026, 3, 29, 3, 30)),
            # why: a weekly move onto the gap as well
            ("1 week", berlin(2026, 3, 22, 2, 30), berlin(2026, 3, 29, 3, 30)),
            # why: weeks keep the wall time across DST
            ("2 weeks", berlin(2026, 3, 21, 12), berlin(2026, 4, 4, 12)),
            # why: months clamp to the end of the month, leap years included
            ("1 month", berlin(2026, 1, 31, 10), berlin(2026, 2, 28, 10)),
            ("1 month", berlin(2028, 1, 31, 10), berlin(2028, 2, 29, 10)),
            ("1 month", berlin(2026, 10, 31, 10), berlin(2026, 11, 30, 10)),
            # why: months across the DST change keep the wall time
            ("2 months", berlin(2026, 2, 15, 9), berlin(2026, 4, 15, 9)),
            # why: zero is the start itself
            ("0 days", berlin(2026, 11, SAT, 11), berlin(2026, 11, SAT, 11)),
            # why: an input in New York answers in Berlin
            (
                "2 days",
                datetime(2026, 11, FRI, 10, 30, tzinfo=NEW_YORK),
                berlin(2026, 11, SUN, 16, 30),
            ),
        ],
    )
    def test_apply(self, text: str, start: datetime, expected: datetime) -> None:
        assert_at(Duration.parse(text).apply(start, OFFICE), expected)

    def test_fold_resolves_to_the_earlier_instant(self) -> None:
        # why: 02:30 occurs twice on 25 Oct; a move onto it takes the first (CEST)
        got = d("1 day").apply(berlin(2026, 10, 24, 2, 30), OFFICE)
        assert got.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)

    def test_move_from_the_second_pass_of_a_fold(self) -> None:
        # why: 02:30 CET (the second 02:30) + 1 day is 02:30 CET on Monday
        second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert d("1 day").apply(second, OFFICE) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
        # why: zero days leaves the instant alone instead of re-reading its wall time
        assert d("0 days").apply(second, OFFICE).astimezone(UTC) == second

    @pytest.mark.parametrize(
        ("text", "end", "expected"),
        [
            # why: backward months clamp too: 31 Mar - 1 month = 28 Feb
            ("1 month", berlin(2026, 3, 31, 12), berlin(2026, 2, 28, 12)),
            # why: a notice 3 days ahead keeps the wall time across the spring change
            ("3 days", berlin(2026, 3, 30, 9), berlin(2026, 3, 27, 9)),
            # why: real hours back across the gap
            ("3 hours", berlin(2026, 3, 29, 5, 30), berlin(2026, 3, 29, 1, 30)),
        ],
    )
    def test_apply_backward(self, text: str, end: datetime, expected: datetime) -> None:
        assert_at(Duration.parse(text).apply_backward(end, OFFICE), expected)

    def test_due_range_of_the_social_rule(self) -> None:
        # why: DESIGN worked example: "3-5 hours" from Fri 16:37 is 19:37-21:37
        got = Window.parse("3-5 hours").due_range(berlin(2026, 11, FRI, 16, 37), OFFICE)
        assert_all_at(got, (berlin(2026, 11, FRI, 19, 37), berlin(2026, 11, FRI, 21, 37)))

    def test_month_range(self) -> None:
        got = Window.parse("1-2 months").due_range(berlin(2026, 12, 31, 9), OFFICE)
        assert_all_at(got, (berlin(2027, 1, 31, 9), berlin(2027, 2, 28, 9)))


# ---------------------------------------------------------------------------
# Errors while applying
# ---------------------------------------------------------------------------


class TestApplyErrors:
    def test_naive_start(self) -> None:
        with pytest.raises(NaiveDatetimeError, match="start"):
            d("1 day").apply(datetime(2026, 11, 20, 9), OFFICE)
        with pytest.raises(NaiveDatetimeError, match="end"):
            d("1 business day").apply_backward(datetime(2026, 11, 20, 9), OFFICE)

    def test_not_a_datetime(self) -> None:
        with pytest.raises(InputTypeError, match="start"):
            d("1 day").apply("2026-11-20T09:00:00+01:00", OFFICE)  # type: ignore[arg-type]

    def test_unknown_day_mode(self) -> None:
        with pytest.raises(WindowParseError, match="day_mode: 'eod'"):
            d("1 business day").apply(berlin(2026, 11, FRI, 9), OFFICE, day_mode="eod")  # type: ignore[arg-type]

    def test_business_days_past_the_horizon(self) -> None:
        # why: a month-long closure is longer than a 30-day horizon
        closed = Schedule(
            tz="Europe/Berlin",
            weekly={"mon-fri": ["09:00-17:00"]},
            closed=["2026-11-21..2027-01-31"],
            horizon=timedelta(days=30),
        )
        with pytest.raises(HorizonError, match="horizon"):
            d("1 business day").apply(berlin(2026, 11, FRI, 10), closed)

    def test_too_many_business_days(self) -> None:
        with pytest.raises(HorizonError):
            d("5000 business days").apply(berlin(2026, 11, FRI, 10), OFFICE)

    def test_calendar_out_of_range(self) -> None:
        with pytest.raises(OutOfRangeError):
            d(f"{MAX_AMOUNT} days").apply(berlin(2026, 11, FRI, 10), OFFICE)
        with pytest.raises(OutOfRangeError):
            d("200 weeks").apply_backward(berlin(1901, 1, 1), OFFICE)


# ---------------------------------------------------------------------------
# Properties, and an independent day-walking oracle for business days
# ---------------------------------------------------------------------------

Span = tuple[int, int]  # minutes after local midnight, end <= 1440
_DAY = timedelta(days=1)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DayWalker:
    """Business days from a weekly table and closed dates, one date at a time.

    Shares no code with expectkit: wall times are resolved with zoneinfo (fold=0:
    a gap resolves later, a fold earlier), and every question walks dates.
    """

    tz: ZoneInfo
    weekly: tuple[tuple[Span, ...], ...]
    closed: frozenset[date]

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.closed:
            return []
        out: list[tuple[datetime, datetime]] = []
        for start, end in self.weekly[day.weekday()]:
            a, b = self.instant(day, start), self.instant(day, end)
            if b <= a:
                continue
            if out and a <= out[-1][1]:  # resolved intervals that touch or overlap join
                out[-1] = (out[-1][0], max(b, out[-1][1]))
            else:
                out.append((a, b))
        return out

    def instant(self, day: date, minute: int) -> datetime:
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        return wall.replace(tzinfo=self.tz, fold=0).astimezone(UTC)

    def schedule(self) -> Schedule:
        weekly = {
            _WEEKDAYS[i]: [
                f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in spans
            ]
            for i, spans in enumerate(self.weekly)
        }
        return Schedule(tz=self.tz.key, weekly=weekly, closed=sorted(map(str, self.closed)))

    def forward(self, t: datetime, n: int, mode: BusinessDayMode) -> datetime:
        t = t.astimezone(UTC)
        day = t.astimezone(self.tz).date() - _DAY
        while True:  # the first business day whose last close is after t (or at it)
            spans = self.intervals(day)
            if spans and (spans[-1][1] > t or (mode == "same_time" and spans[-1][1] == t)):
                break
            day += _DAY
        if mode == "same_time" and n == 0:
            return t
        elapsed = sum((min(b, t) - a for a, b in spans if a < t), timedelta(0))
        for _ in range(n):
            day += _DAY
            while not self.intervals(day):
                day += _DAY
        return self.place(self.intervals(day), elapsed, mode)

    def backward(self, t: datetime, n: int, mode: BusinessDayMode) -> datetime:
        t = t.astimezone(UTC)
        day = t.astimezone(self.tz).date()
        while True:  # the last business day whose first opening is before t (or at it)
            spans = self.intervals(day)
            if spans and (spans[0][0] < t or (mode == "same_time" and spans[0][0] == t)):
                break
            day -= _DAY
        if mode == "same_time" and n == 0:
            return t
        elapsed = sum((min(b, t) - a for a, b in spans if a < t), timedelta(0))
        for _ in range(n):
            day -= _DAY
            while not self.intervals(day):
                day -= _DAY
        spans = self.intervals(day)
        return spans[0][0] if mode == "end_of_day" else self.place(spans, elapsed, mode)

    @staticmethod
    def place(
        spans: list[tuple[datetime, datetime]], elapsed: timedelta, mode: BusinessDayMode
    ) -> datetime:
        if mode == "end_of_day":
            return spans[-1][1]
        if elapsed <= timedelta(0):
            return spans[0][0]
        for a, b in spans:
            if elapsed <= b - a:
                return a + elapsed
            elapsed -= b - a
        return spans[-1][1]


@st.composite
def day_spans(draw: st.DrawFn) -> tuple[Span, ...]:
    # Quarter hours, biased to the small hours where DST gaps and folds happen.
    marks = draw(
        st.lists(
            st.one_of(st.integers(0, 96).map(lambda q: q * 15), st.sampled_from([120, 150, 180])),
            min_size=0,
            max_size=4,
            unique=True,
        )
    )
    marks.sort()
    if len(marks) % 2:
        marks.pop()
    return tuple((marks[i], marks[i + 1]) for i in range(0, len(marks), 2))


@st.composite
def walkers(draw: st.DrawFn) -> tuple[DayWalker, date]:
    tz = ZoneInfo(draw(st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"])))
    weekly = [draw(day_spans()) for _ in range(7)]
    if not any(weekly):
        weekly[draw(st.integers(0, 6))] = ((540, 1020),)
    anchor = draw(
        st.one_of(
            st.sampled_from(
                [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1)]
            ),
            st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        )
    )
    closed = draw(
        st.frozensets(st.integers(-10, 25).map(lambda k: anchor + timedelta(days=k)), max_size=6)
    )
    return DayWalker(tz, tuple(weekly), closed), anchor


@st.composite
def instants_near(draw: st.DrawFn, walker: DayWalker, anchor: date) -> datetime:
    base = datetime.combine(anchor, time(), tzinfo=walker.tz).astimezone(UTC)
    offset = draw(
        st.one_of(
            st.integers(-3 * 1440, 4 * 1440).map(lambda m: timedelta(minutes=m)),
            st.integers(-3 * 86_400_000_000, 4 * 86_400_000_000).map(
                lambda us: timedelta(microseconds=us)
            ),
        )
    )
    t = base + offset
    return draw(st.sampled_from([t, t.astimezone(walker.tz), t.astimezone(NEW_YORK)]))


class TestBusinessDayOracle:
    @given(st.data(), st.integers(0, 12), st.sampled_from(["end_of_day", "same_time"]))
    def test_apply_matches_the_oracle(
        self, data: st.DataObject, n: int, mode: BusinessDayMode
    ) -> None:
        walker, anchor = data.draw(walkers())
        schedule = walker.schedule()
        t = data.draw(instants_near(walker, anchor))
        got = Duration(amount=n, unit="days", clock="business").apply(t, schedule, day_mode=mode)
        assert got.astimezone(UTC) == walker.forward(t, n, mode)
        assert got.astimezone(UTC) >= t.astimezone(UTC)  # same-zone comparison ignores fold
        assert got.tzinfo is schedule.zone

    @given(st.data(), st.integers(0, 12), st.sampled_from(["end_of_day", "same_time"]))
    def test_apply_backward_matches_the_oracle(
        self, data: st.DataObject, n: int, mode: BusinessDayMode
    ) -> None:
        walker, anchor = data.draw(walkers())
        schedule = walker.schedule()
        t = data.draw(instants_near(walker, anchor))
        duration = Duration(amount=n, unit="days", clock="business")
        got = duration.apply_backward(t, schedule, day_mode=mode)
        assert got.astimezone(UTC) == walker.backward(t, n, mode)
        assert got.astimezone(UTC) <= t.astimezone(UTC)


class TestProperties:
    @given(
        st.integers(0, 40),
        st.sampled_from(_UNITS),
        st.sampled_from(["business", "calendar"]),
        st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(BERLIN)),
    )
    def test_apply_is_never_earlier_and_backward_never_later(
        self, amount: int, unit: DurationUnit, clock: ClockName, start: datetime
    ) -> None:
        assume(not (clock == "business" and unit in ("weeks", "months")))
        duration = Duration(amount=amount, unit=unit, clock=clock)
        # Compare in UTC: datetimes sharing a zone compare by wall time, ignoring fold.
        instant = start.astimezone(UTC)
        for mode in ("end_of_day", "same_time"):
            assert duration.apply(start, NIGHTS, day_mode=mode).astimezone(UTC) >= instant
            assert duration.apply_backward(start, NIGHTS, day_mode=mode).astimezone(UTC) <= instant

    @given(
        st.integers(0, 20),
        st.dates(date(2026, 1, 1), date(2026, 12, 31)),
        st.integers(0, 8 * 3600 * 10**6),
    )
    def test_same_time_there_and_back(self, n: int, day: date, offset_us: int) -> None:
        # why: on equal days, same_time backward undoes same_time forward exactly
        assume(OFFICE.is_business_day(day))
        start = berlin(day.year, day.month, day.day, 9) + timedelta(microseconds=offset_us)
        duration = Duration(amount=n, unit="days", clock="business")
        there = duration.apply(start, OFFICE, day_mode="same_time")
        assert duration.apply_backward(there, OFFICE, day_mode="same_time") == start

    @given(st.integers(0, 15), st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)))
    def test_end_of_day_lands_on_a_last_close(self, n: int, naive: datetime) -> None:
        start = naive.replace(tzinfo=BERLIN)
        got = Duration(amount=n, unit="days", clock="business").apply(start, SPLIT)
        assert got.time() == time(17)
        assert not SPLIT.is_open(got)
