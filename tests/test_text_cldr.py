"""Text parts taken from CLDR through Babel: the relative "in …" and the week's first day."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from babel import Locale
from babel.dates import get_day_names
from hypothesis import given
from hypothesis import strategies as st

from expectkit import LocaleFallbackWarning, Policy, Schedule, quote
from expectkit.text import Phrasebook, contact_page, hours_text, promise_text

ASKED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
SIZES = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def told_in(seconds: float, locale: str = "en") -> str:
    """Tell a promise due `seconds` after the request, in the relative form."""
    policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1 second"}}])
    c = quote(policy, {"channel": "web"}, at=ASKED)
    now = c["first_response"].promised_at - timedelta(seconds=seconds)
    return promise_text(c, locale=locale, form="relative", now=now)


class TestRelative:
    @pytest.mark.parametrize(
        ("locale", "seconds", "text"),
        [
            # why: CLDR's future pattern brings the case "через" and "za" govern.
            ("ru", 1, "Мы ответим не позднее чем через 1 секунду."),
            ("ru", 21 * 60, "Мы ответим не позднее чем через 21 минуту."),
            ("pl", 1, "Odpowiemy najpóźniej za 1 sekundę."),
            ("pl", 22 * 3600, "Odpowiemy najpóźniej za 22 godziny."),
            ("de", 2 * 86400 + 1, "Wir antworten Ihnen spätestens in 3 Tagen."),
            ("en", 90, "We'll reply in 90 seconds at the latest."),
            ("en", 91, "We'll reply in 2 minutes at the latest."),  # why: past 90 s, minutes
            ("en", 48 * 3600, "We'll reply in 48 hours at the latest."),
            ("en", 48 * 3600 + 1, "We'll reply in 3 days at the latest."),
        ],
    )
    def test_cldr_words_in_the_catalog_sentence(self, locale: str, seconds: int, text: str) -> None:
        assert told_in(seconds, locale) == text

    def test_a_locale_without_catalog_keeps_its_own_relative_time(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LocaleFallbackWarning)
            text = told_in(2 * 3600, "cs")
        assert text == "We'll reply za 2 hodiny at the latest."

    @given(st.integers(min_value=1, max_value=40 * 86400))
    def test_never_earlier_than_the_promise_and_never_a_unit_too_many(self, seconds: int) -> None:
        found = re.fullmatch(
            r"We'll reply in ([\d,]+) (second|minute|hour|day)s? at the latest\.", told_in(seconds)
        )
        assert found is not None
        amount, size = int(found[1].replace(",", "")), SIZES[found[2]]
        assert amount * size >= seconds > (amount - 1) * size


def test_babel_first_week_day_is_what_cldr_says() -> None:
    # why: the hours tables below rely on these CLDR facts, in the locked and lowest Babel.
    assert [Locale.parse(t).first_week_day for t in ("en_US", "en_GB", "de", "ar_EG")] == [
        6,
        0,
        0,
        5,
    ]


WEEK = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
WEEKEND = Schedule(tz="UTC", weekly={"mon-fri": ["09:00-17:00"], "sat,sun": ["10:00-14:00"]})
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TestFirstWeekDay:
    def test_monday_first(self) -> None:
        text = hours_text(WEEKEND, locale="en", at=WEEK)
        assert text == "Mon–Fri 09:00–17:00, Sat, Sun 10:00–14:00 UTC"

    def test_sunday_first_in_the_united_states(self) -> None:
        text = hours_text(WEEKEND, locale="en_US", at=WEEK)
        # why: en_US weeks start on Sunday; the group holding it comes first, Saturday wraps.
        assert text == "Sat, Sun 10:00 AM–2:00 PM, Mon–Fri 9:00 AM–5:00 PM UTC"
        sunday = Schedule(tz="UTC", weekly={"sun": ["10:00-14:00"], "mon-fri": ["09:00-17:00"]})
        assert hours_text(sunday, locale="en_US", at=WEEK) == (
            "Sun 10:00 AM–2:00 PM, Mon–Fri 9:00 AM–5:00 PM UTC"
        )
        assert hours_text(sunday, locale="en", at=WEEK) == (
            "Mon–Fri 09:00–17:00, Sun 10:00–14:00 UTC"
        )

    def test_saturday_first_runs_wrap_the_week(self) -> None:
        book = Phrasebook.load("ar_EG", fallback_ok=True)
        desk = Schedule(tz="UTC", weekly={"sat-wed": ["09:00-17:00"]})
        days = hours_text(desk, locale=book, at=WEEK).split(" ")[0]
        names = get_day_names("abbreviated", locale="ar_EG")
        assert days == f"{names[5]}–{names[2]}"  # why: Saturday opens the Egyptian week

    def test_the_contact_page_names_the_weeks_first_day(self) -> None:
        policy = Policy(
            schedules={"s": {"tz": "America/New_York", "weekly": {"mon-fri": ["09:00-17:00"]}}},
            channels={"email": {"kind": "email", "schedule": "s"}},
            rules=[{"name": "all", "first_response": {"promise": "1 business day"}}],
        )
        us = contact_page(policy, locale="en_US", at=WEEK, format="markdown")
        uk = contact_page(policy, locale="en", at=WEEK, format="markdown")
        assert "*Hours as of the week of November 22;" in us  # a Sunday
        assert "*Hours as of the week of 23 November;" in uk  # a Monday

    @given(
        st.sets(st.sampled_from(DAYS), min_size=1),
        st.sampled_from(["en", "en_US", "pt_BR", "de"]),
    )
    def test_every_open_day_is_named_once(self, open_days: set[str], locale: str) -> None:
        book = Phrasebook.load(locale)
        hours = ["09:00-10:00"]
        text = hours_text(
            Schedule(tz="UTC", weekly={",".join(open_days): hours}), locale=book, at=WEEK
        )
        names = get_day_names("abbreviated", locale=locale)
        monday = hours_text(Schedule(tz="UTC", weekly={"mon": hours}), locale=book, at=WEEK)
        suffix = monday.removeprefix(names[0])
        assert text.endswith(suffix)
        day_of = {name: day for day, name in names.items()}
        low, high = book.template("formats", "day_range").split("{first}")[1].split("{last}")
        assert low
        assert not high
        first = Locale.parse(locale).first_week_day
        shown: list[int] = []
        for part in text.removesuffix(suffix).split(book.template("formats", "day_list")):
            ends = [day_of[name] for name in part.split(low)]
            if len(ends) == 2:
                a, b = ((e - first) % 7 for e in ends)
                assert (b - a) % 7 >= 2  # why: two days in a row are named, not a range
                shown += [(a + i + first) % 7 for i in range((b - a) % 7 + 1)]
            else:
                shown += ends
        assert sorted(shown) == sorted(DAYS.index(d) for d in open_days)
