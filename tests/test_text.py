"""Customer-facing text: phrasebooks, promise sentences, hours and the contact page.

Golden files in tests/golden/ hold the full output per locale; regenerate them with
``python tests/regen_golden.py`` and review the diff (grammar included).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from expectkit import (
    Commitment,
    InputTypeError,
    LocaleFallbackWarning,
    NaiveDatetimeError,
    Policy,
    PolicyError,
    quote,
)
from expectkit.text import (
    LOCALES,
    Phrasebook,
    channel_text,
    contact_page,
    hours_text,
    promise_text,
    window_text,
)
from expectkit.text.promise_text import _round_up, _shown_day
from goldens import check_golden
from test_policy import DESIGN_POLICY

BERLIN = ZoneInfo("Europe/Berlin")


# A customer in a zone that suits each locale.
CUSTOMER_TZ = {
    "en": "America/New_York",
    "en_US": "America/Los_Angeles",
    "ru": "Europe/Moscow",
    "bg": "Europe/Sofia",
    "zh_Hans": "Asia/Shanghai",
    "nb": "Europe/Oslo",
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "es": "Europe/Madrid",
    "pt_BR": "America/Sao_Paulo",
    "it": "Europe/Rome",
    "nl": "Europe/Amsterdam",
    "pl": "Europe/Warsaw",
    "ja": "Asia/Tokyo",
}
REQUESTS: list[tuple[str, dict[str, object], datetime]] = [
    ("email, Fri 16:30", {"channel": "email"}, datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)),
    (
        "social complaint, Fri 16:37",
        {"channel": "social", "tags": ["complaint"]},
        datetime(2026, 11, 20, 16, 37, tzinfo=BERLIN),
    ),
    ("chat, Fri 16:30", {"channel": "chat"}, datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)),
    ("chat, Fri 18:00", {"channel": "chat"}, datetime(2026, 11, 20, 18, 0, tzinfo=BERLIN)),
    ("social, Fri 16:30", {"channel": "social"}, datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)),
    ("email, Wed 30 Dec", {"channel": "email"}, datetime(2026, 12, 30, 10, 0, tzinfo=BERLIN)),
]
WEEK = datetime(2026, 11, 23, 12, tzinfo=UTC)
COUNTS = (1, 2, 5, 21)  # one, few, many and one-again in Russian; one and other elsewhere


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.loads(DESIGN_POLICY, source="design policy")


def commitment(policy: Policy, index: int, tz: str | None = None) -> Commitment:
    _, request, at = REQUESTS[index]
    return quote(policy, {**request, "customer_tz": tz}, at=at)


# -- golden output per locale --------------------------------------------------


def locale_report(policy: Policy, locale: str) -> str:
    book = Phrasebook.load(locale)
    tz = CUSTOMER_TZ[locale]
    lines = [f"# expectkit text, locale {locale} (customer zone {tz})", ""]
    lines.append("## windows: 1, 2, 5 and 21 of every unit, then ranges")
    for unit in ("seconds", "minutes", "hours", "days", "weeks", "months"):
        for clock in ("", "business "):
            if clock and unit in ("weeks", "months"):
                continue
            for n in COUNTS:
                lines.append(f"{n} {clock}{unit}: {window_text(f'{n} {clock}{unit}', locale=book)}")
    for text in ("1-2 days", "1-3 business days", "3-5 hours", "2-5 weeks", "5-21 days"):
        lines.append(f"{text}: {window_text(text, locale=book)}")
    lines += ["", "## relative: in about 1, 2, 5, 21 seconds, minutes, hours, days"]
    for unit in ("seconds", "minutes", "hours", "days"):
        for n in COUNTS:
            lines.append(f"{n} {unit}: {window_text(f'{n} {unit}', locale=book, relative=True)}")
    lines += ["", "## promises (the design's requests)"]
    for index, (label, _, _) in enumerate(REQUESTS):
        c = commitment(policy, index, tz)
        for form in ("exact", "range", "relative"):
            lines.append(f"{label}, {form}: {promise_text(c, locale=book, form=form)}")
    lines += ["", "## channels (week of 23 November 2026)"]
    for name in policy.channels:
        lines.append(channel_text(policy, name, locale=book, tz=tz, at=WEEK))
    lines += ["", "## hours"]
    shop = Policy.load(Path(__file__).parent.parent / "examples" / "policies" / "webshop.yaml")
    lines.append(hours_text(shop.schedules["shop"], locale=book, tz=tz, at=WEEK))
    lines.append(hours_text(shop.schedules["shop"], locale=book, tz="Asia/Tokyo", at=WEEK))
    desk = Policy.load(Path(__file__).parent.parent / "examples" / "policies" / "global_desk.yaml")
    lines.append(hours_text(desk.schedules["follow_the_sun"], locale=book, tz=tz, at=WEEK))
    lines.append(hours_text(desk.schedules["sydney"], locale=book, tz=tz, at=WEEK))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("locale", LOCALES)
def test_golden_sentences(policy: Policy, locale: str) -> None:
    check_golden(f"text_{locale}.txt", locale_report(policy, locale))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("page_format", ["html", "markdown"])
def test_golden_contact_page(policy: Policy, locale: str, page_format: str) -> None:
    page = contact_page(
        policy,
        locale=locale,
        tz=CUSTOMER_TZ[locale],
        at=datetime(2026, 12, 14, 12, tzinfo=UTC),
        format=page_format,  # type: ignore[arg-type]
        faq_url="https://help.example.com/faq?lang=x&v=1",
        contacts={"email": "support@example.com", "chat": "https://example.com/chat"},
    )
    suffix = "html" if page_format == "html" else "md"
    check_golden(f"contact_{locale}.{suffix}", page)


# -- plural forms -----------------------------------------------------------


class TestPlurals:
    # Russian counts decline by the number's last digits: one (1, 21), few (2-4), many (5-20).
    @pytest.mark.parametrize(
        ("n", "within", "relative"),
        [
            (1, "1 рабочего дня", "1 день"),
            (2, "2 рабочих дней", "2 дня"),
            (5, "5 рабочих дней", "5 дней"),
            (11, "11 рабочих дней", "11 дней"),  # why: 11 is "many", not "one"
            (21, "21 рабочего дня", "21 день"),  # why: 21 is "one" again
            (22, "22 рабочих дней", "22 дня"),
        ],
    )
    def test_russian_days(self, n: int, within: str, relative: str) -> None:
        assert window_text(f"{n} business days", locale="ru") == within
        assert window_text(f"{n} days", locale="ru", relative=True) == relative

    @pytest.mark.parametrize(
        ("n", "hours", "days"),
        [
            (1, "1 час", "1 ден"),
            (2, "2 часа", "2 дни"),
            (5, "5 часа", "5 дни"),
            (21, "21 часа", "21 дни"),
        ],
    )
    def test_bulgarian_count_forms(self, n: int, hours: str, days: str) -> None:
        # why: only 1 is singular in Bulgarian; masculine nouns take the count form.
        assert window_text(f"{n} hours", locale="bg") == hours
        assert window_text(f"{n} days", locale="bg") == days

    def test_a_range_takes_the_form_of_its_upper_end(self) -> None:
        assert window_text("1-2 hours", locale="en") == "1–2 hours"
        assert window_text("20-21 days", locale="ru", relative=True) == "20–21 день"
        assert window_text("1-5 days", locale="ru", relative=True) == "1–5 дней"

    def test_chinese_has_one_form(self) -> None:
        assert [window_text(f"{n} hours", locale="zh_Hans") for n in (1, 2)] == ["1小时", "2小时"]

    def test_relative_sentence_declines_in_russian(self, policy: Policy) -> None:
        c = commitment(policy, 1, "Europe/Moscow")  # social complaint: 3-5 hours
        start = c["first_response"].promised_at - timedelta(hours=21)
        text = promise_text(c, locale="ru", form="relative", now=start)
        assert text == "Мы ответим не позднее чем через 21 час."

    def test_numbers_are_formatted_for_the_locale(self) -> None:
        assert window_text("1000-2000 hours", locale="ru") == "1\xa0000–2\xa0000 часов"
        assert window_text("1000 hours", locale="en") == "1,000 hours"


# -- the rules every promise follows ---------------------------------------


class TestPromises:
    def test_exact_in_the_customers_zone_with_the_zone_named(self, policy: Policy) -> None:
        c = commitment(policy, 0, "Asia/Tokyo")
        assert promise_text(c) == "We'll reply by Thursday 26 November, 01:00 JST."

    def test_without_customer_zone_the_schedules_zone(self, policy: Policy) -> None:
        assert promise_text(commitment(policy, 0)) == (
            "We'll reply by Wednesday 25 November, 17:00 CET."
        )

    def test_range_with_its_deadline(self, policy: Policy) -> None:
        c = commitment(policy, 0, "Europe/Berlin")
        assert promise_text(c, form="range") == (
            "We'll reply within 1–3 business days — by Wednesday 25 November (CET) at the latest."
        )

    def test_range_in_hours_shows_the_time(self, policy: Policy) -> None:
        c = commitment(policy, 1)
        assert promise_text(c, form="range") == (
            "We'll reply within 3–5 hours — by Friday 20 November, 21:45 CET at the latest."
        )

    def test_relative_from_the_request(self, policy: Policy) -> None:
        assert promise_text(commitment(policy, 2), form="relative") == (
            "We'll reply in 30 seconds at the latest."
        )

    def test_relative_rounds_up(self, policy: Policy) -> None:
        c = commitment(policy, 1)  # told 21:45
        now = datetime(2026, 11, 20, 20, 44, tzinfo=BERLIN)  # 61 minutes left
        told = promise_text(c, form="relative", now=now)
        assert told == "We'll reply in 61 minutes at the latest."
        now = datetime(2026, 11, 20, 19, 0, tzinfo=BERLIN)  # 2 h 45 min left
        assert promise_text(c, form="relative", now=now) == "We'll reply in 3 hours at the latest."

    def test_relative_once_due(self, policy: Policy) -> None:
        c = commitment(policy, 1)
        later = datetime(2026, 11, 21, tzinfo=BERLIN)
        assert promise_text(c, form="relative", now=later) == "We'll reply shortly."

    def test_hidden_seconds_round_up(self, policy: Policy) -> None:
        c = commitment(policy, 2)  # chat: due 16:30:30
        assert promise_text(c) == "We'll reply by Friday 20 November, 16:31 CET."

    def test_hour_precision_rounds_up(self, policy: Policy) -> None:
        c = commitment(policy, 1)  # told 21:45
        assert promise_text(c, precision="hour") == "We'll reply by Friday 20 November, 22:00 CET."

    def test_day_precision_at_midnight_shows_the_day_that_ends_there(self, policy: Policy) -> None:
        c = commitment(policy, 0, "Asia/Shanghai")  # 17:00 CET is 00:00 in Shanghai
        assert "11月26日星期四 00:00" in promise_text(c, locale="zh_Hans")
        assert "11月25日星期三（" in promise_text(c, locale="zh_Hans", form="range")

    def test_half_hour_zone(self, policy: Policy) -> None:
        c = commitment(policy, 1, "Asia/Kolkata")  # 21:45 CET is 02:15 IST
        # why: IST also names Irish and Israeli time, so the offset is shown instead.
        assert promise_text(c, precision="hour") == (
            "We'll reply by Saturday 21 November, 03:00 GMT+05:30."
        )

    def test_ambiguous_abbreviation_is_not_used(self, policy: Policy) -> None:
        c = commitment(policy, 0, "Asia/Shanghai")
        assert promise_text(c).endswith("00:00 GMT+08:00.")  # not "CST", also US Central

    def test_year_shown_when_it_differs(self, policy: Policy) -> None:
        c = commitment(policy, 5)  # Wed 30 Dec: the promise falls in 2027
        assert promise_text(c, form="range") == (
            "We'll reply within 1–3 business days — by Tuesday 5 January 2027 (CET) at the latest."
        )

    def test_summer_time_is_named(self) -> None:
        policy = Policy(rules=[{"name": "r", "first_response": {"promise": "2 hours"}}])
        c = quote(
            policy,
            {"channel": "web", "customer_tz": "Europe/Berlin"},
            at=datetime(2026, 7, 1, 9, tzinfo=UTC),
        )
        assert promise_text(c) == "We'll reply by Wednesday 1 July, 13:00 CEST."
        assert promise_text(c, locale="ru").endswith("(Центральная Европа, летнее время).")

    def test_metric_quote_and_metric_choice(self) -> None:
        policy = Policy(
            rules=[
                {
                    "name": "r",
                    "first_response": {"promise": "1 hour"},
                    "resolution": {"promise": "2 weeks"},
                }
            ]
        )
        c = quote(policy, {"channel": "web"}, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
        assert promise_text(c, metric="resolution", locale="nb") == (
            "Vi løser saken din innen mandag 16. mars kl. 09:00 UTC."
        )
        assert promise_text(c["resolution"], form="range") == (
            "We'll resolve your request within 2 weeks — by Monday 16 March (UTC) at the latest."
        )

    def test_explicit_window(self, policy: Policy) -> None:
        c = commitment(policy, 0)
        assert "within 2–3 business days" in promise_text(
            c, form="range", window="2-3 business days"
        )

    def test_buffer_derived_promise_is_told_exactly(self) -> None:
        policy = Policy(
            rules=[{"name": "r", "first_response": {"target": "2 hours", "buffer": {"ratio": 0.5}}}]
        )
        c = quote(policy, {"channel": "web"}, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
        assert promise_text(c, form="range") == "We'll reply by Monday 2 March, 13:00 UTC."

    def test_lead_time_is_told_exactly(self) -> None:
        policy = Policy(
            rules=[{"name": "r", "follow_up": {"promise": "3-5 days", "direction": "before"}}]
        )
        c = quote(policy, {"channel": "web"}, at=datetime(2026, 3, 20, 9, tzinfo=UTC))
        assert promise_text(c, form="range") == "We'll follow up by Tuesday 17 March, 09:00 UTC."


class TestErrors:
    def test_unknown_locale(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="locale 'xx_YY' is not a locale Babel knows"):
            promise_text(commitment(policy, 0), locale="xx_YY")

    def test_known_to_babel_but_no_catalog_falls_back_to_english(self) -> None:
        with pytest.warns(LocaleFallbackWarning, match="locale 'cs' has no catalog"):
            assert window_text("2 days", locale="cs") == "2 days"

    def test_traditional_chinese_is_not_given_simplified(self) -> None:
        with pytest.warns(LocaleFallbackWarning, match="'zh_Hant_TW' has no catalog"):
            book = Phrasebook.load("zh_TW")
        assert (book.tag, book.fallback) == ("en", "en")

    def test_unknown_zone(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="tz: 'Mars/Olympus' is not an IANA time zone"):
            promise_text(commitment(policy, 0), tz="Mars/Olympus")

    def test_wrong_types(self, policy: Policy) -> None:
        with pytest.raises(InputTypeError, match="quote: expected a Commitment or MetricQuote"):
            promise_text("soon")  # type: ignore[arg-type]
        with pytest.raises(InputTypeError, match="locale: expected a locale tag"):
            promise_text(commitment(policy, 0), locale=7)  # type: ignore[arg-type]

    def test_naive_now(self, policy: Policy) -> None:
        with pytest.raises(NaiveDatetimeError, match="now: "):
            promise_text(commitment(policy, 0), form="relative", now=datetime(2026, 11, 20))

    def test_bad_form_precision_and_metric(self, policy: Policy) -> None:
        c = commitment(policy, 0)
        with pytest.raises(PolicyError, match="form: 'soon' is not one of exact, range, relative"):
            promise_text(c, form="soon")  # type: ignore[arg-type]
        with pytest.raises(PolicyError, match="precision: 'second' is not one of"):
            promise_text(c, precision="second")  # type: ignore[arg-type]
        with pytest.raises(PolicyError, match="'resolution' is not in the commitment"):
            promise_text(c, metric="resolution")
        with pytest.raises(PolicyError, match="the quote is for 'first_response'"):
            promise_text(c["first_response"], metric="resolution")


# -- phrasebooks ------------------------------------------------------------


class TestPhrasebook:
    @pytest.mark.parametrize(
        ("tag", "found", "lang"),
        [
            ("en", "en", "en"),
            ("en-US", "en_US", "en-US"),
            ("en_GB", "en", "en-GB"),
            ("ru_RU", "ru", "ru-RU"),
            ("zh", "zh_Hans", "zh"),
            ("zh_CN", "zh_Hans", "zh-Hans-CN"),
            ("zh-Hans", "zh_Hans", "zh-Hans"),
            ("no", "nb", "no"),  # why: Norwegian is written in Bokmål here
            ("nb_NO", "nb", "nb-NO"),
        ],
    )
    def test_lookup(self, tag: str, found: str, lang: str) -> None:
        book = Phrasebook.load(tag)
        assert (book.tag, book.lang) == (found, lang)

    @pytest.mark.parametrize("tag", LOCALES)
    def test_every_bundled_book_covers_its_plural_categories(self, tag: str) -> None:
        book = Phrasebook.load(tag)
        needed = {*book.locale.plural_form.tags, "other"}
        for table in ("units", "units_relative"):
            for forms in book.data.get(table, {}).values():
                assert needed <= set(forms)

    def test_en_us_only_changes_dates(self) -> None:
        us, en = Phrasebook.load("en_US"), Phrasebook.load("en")
        assert us.template("formats", "time") == "h:mm a"
        assert us.data["sentences"] == en.data["sentences"]

    def test_overrides_nested_and_dotted(self, policy: Policy) -> None:
        book = Phrasebook.load(
            "en",
            overrides={
                "sentences": {"exact": "Expect our answer by {when}."},
                "formats.zone": "offset",
            },
        )
        text = promise_text(commitment(policy, 0), locale=book)
        assert text == "Expect our answer by Wednesday 25 November, 17:00 GMT+01:00."

    def test_a_directory_adds_a_locale(self, tmp_path: Path, policy: Policy) -> None:
        lines = []
        for section, values in Phrasebook.load("en").data.items():
            lines.append(f"[{section}]")
            for key, value in values.items():
                if isinstance(value, str):
                    lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
                else:
                    forms = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                    lines.append(f"{key} = {{ {forms} }}")
        text = "\n".join(lines).replace("We'll {action} by", "Wir {action} bis")
        (tmp_path / "de.toml").write_text(text, encoding="utf-8")
        book = Phrasebook.load("de_DE", directory=tmp_path)
        assert book.tag == "de"
        # Babel supplies German names and plural rules; the templates are the file's.
        assert promise_text(commitment(policy, 0), locale=book) == (
            "Wir reply bis Mittwoch 25 November, 17:00 MEZ."
        )

    def test_a_directory_file_that_is_not_toml(self, tmp_path: Path) -> None:
        (tmp_path / "en.toml").write_text("[formats\n", encoding="utf-8")
        with pytest.raises(PolicyError, match=r"en\.toml: cannot read the phrasebook"):
            Phrasebook.load("en", directory=tmp_path)

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"sentences.exat": "x"}, r"sentences\.exat: unknown key"),
            ({"sentence.exact": "x"}, r"sentence: unknown section"),
            ({"sentences.exact": "by {whenn}"}, r"unknown placeholder \{whenn\}; use \{action\}"),
            ({"sentences.exact": "by {when"}, r"sentences\.exact: 'by \{when'"),
            ({"sentences.exact": 3}, r"sentences\.exact: expected text, got 3"),
            ({"formats.zone": "tiny"}, r"formats\.zone: 'tiny': use short, long, offset"),
            ({"formats.date": "d MMMMMMMMM"}, r"formats\.date: .* is not a CLDR date pattern"),
            ({"units.dya": {"one": "x", "other": "y"}}, r"units\.dya: unknown unit"),
            ({"units.day": "days"}, r"units\.day: expected a table of plural forms"),
            ({"units.day.one": "{count} day"}, r"units\.day\.one: unknown placeholder \{count\}"),
            ({"units.day.dual": "x"}, r"units\.day\.dual: not a CLDR plural category"),
        ],
    )
    def test_bad_overrides_name_the_key(self, overrides: dict[str, object], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            Phrasebook.load("en", overrides=overrides)

    def test_czech_needs_every_category(self, tmp_path: Path) -> None:
        # why: a file for a language without a catalog is that language's own, so its
        # plural rules apply (Polish, which this checked before, now has a catalog)
        lines = []
        for section, values in Phrasebook.load("en").data.items():
            lines.append(f"[{section}]")
            for key, value in values.items():
                if isinstance(value, str):
                    lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
                else:
                    forms = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                    lines.append(f"{key} = {{ {forms} }}")
        (tmp_path / "cs.toml").write_text("\n".join(lines), encoding="utf-8")
        with pytest.raises(
            PolicyError, match=r"units\.\w+: no form for the plural categories 'few', 'many'"
        ):
            Phrasebook.load("cs", directory=tmp_path)

    def test_data_is_read_only(self) -> None:
        book = Phrasebook.load("en")
        with pytest.raises(TypeError):
            book.data["sentences"]["exact"] = "x"


# -- never earlier: rounding up in any zone ------------------------------------

ZONES = [
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/New_York",
    "UTC",
]


@given(
    instant=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    precision=st.sampled_from(["minute", "hour"]),
)
def test_shown_time_is_never_earlier(instant: datetime, zone: str, precision: str) -> None:
    local = instant.astimezone(ZoneInfo(zone))
    shown = _round_up(local, precision)  # type: ignore[arg-type]
    assert shown.astimezone(UTC) >= instant
    assert shown.astimezone(UTC) - instant < timedelta(hours=2)  # and not much later
    assert shown.second == shown.microsecond == 0
    if precision == "minute":
        assert shown.astimezone(UTC) - instant < timedelta(minutes=1)


@given(
    instant=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
)
def test_shown_day_ends_at_or_after_the_promise(instant: datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    local = instant.astimezone(tz)
    day = _shown_day(local)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    assert end.astimezone(UTC) >= instant
    assert end.astimezone(UTC) - instant <= timedelta(hours=25)


@pytest.mark.parametrize(
    ("wall", "fold", "expected"),
    [
        # why: 02:00-03:00 does not exist on 29 March 2026 in Berlin: 01:59:30 rounds to 03:00.
        ((2026, 3, 29, 1, 59, 30), 0, "2026-03-29T03:00:00+02:00"),
        # why: in the fold the shown clock never steps back (as Rounding.round_up does):
        # 02:59:30 summer time shows 03:00 winter time, not the second 02:00.
        ((2026, 10, 25, 2, 59, 30), 0, "2026-10-25T03:00:00+01:00"),
        ((2026, 10, 25, 2, 59, 30), 1, "2026-10-25T03:00:00+01:00"),
        # why: a time in the fold's second pass rounds within it.
        ((2026, 10, 25, 2, 10, 30), 1, "2026-10-25T02:11:00+01:00"),
    ],
)
def test_round_up_across_dst(
    wall: tuple[int, int, int, int, int, int], fold: int, expected: str
) -> None:
    t = datetime(*wall).replace(tzinfo=BERLIN, fold=fold)
    shown = _round_up(t, "minute")
    assert shown.astimezone(UTC) >= t.astimezone(UTC)
    assert shown.astimezone(UTC) == datetime.fromisoformat(expected).astimezone(UTC)


# -- hours and channels -----------------------------------------------------


class TestHours:
    def test_moved_into_the_visitors_zone(self, policy: Policy) -> None:
        text = hours_text(policy.schedules["berlin"], tz="America/New_York", at=WEEK)
        assert text == "Mon–Fri 03:00–11:00 EST"

    def test_a_shift_across_the_visitors_midnight_stays_on_its_day(self, policy: Policy) -> None:
        text = hours_text(policy.schedules["berlin"], locale="zh_Hans", tz="Asia/Tokyo", at=WEEK)
        assert text == "周一至周五 17:00–01:00（日本标准时间）"

    def test_midnight_is_24_00(self, policy: Policy) -> None:
        text = hours_text(policy.schedules["berlin"], tz="Asia/Shanghai", at=WEEK)
        assert text == "Mon–Fri 16:00–24:00 GMT+08:00"

    def test_separate_days_and_pairs(self) -> None:
        from expectkit import Schedule

        s = Schedule(tz="UTC", weekly={"mon,wed": ["09:00-12:00"], "sat-sun": ["10:00-11:00"]})
        assert hours_text(s, at=WEEK) == "Mon, Wed 09:00–12:00, Sat, Sun 10:00–11:00 UTC"

    def test_summer_week(self, policy: Policy) -> None:
        july = datetime(2026, 7, 6, tzinfo=UTC)
        assert hours_text(policy.schedules["berlin"], at=july) == "Mon–Fri 09:00–17:00 CEST"

    def test_holidays_do_not_remove_regular_hours(self, policy: Policy) -> None:
        christmas = datetime(2026, 12, 21, tzinfo=UTC)
        assert hours_text(policy.schedules["berlin"], at=christmas) == "Mon–Fri 09:00–17:00 CET"

    def test_no_weekly_hours(self) -> None:
        from expectkit import Schedule

        s = Schedule(tz="UTC", special={"2026-11-24": ["09:00-10:00"]})
        assert hours_text(s, locale="nb", at=WEEK) == "ingen faste åpningstider"

    def test_naive_at(self, policy: Policy) -> None:
        with pytest.raises(NaiveDatetimeError, match="at: "):
            hours_text(policy.schedules["berlin"], at=datetime(2026, 11, 23))


class TestChannels:
    def test_live_with_offline_fallback(self, policy: Policy) -> None:
        text = channel_text(policy, "chat", at=WEEK, label="Chat")
        assert text == (
            "Chat: Mon–Fri 09:00–17:00 CET, answered within 30 seconds during business hours; "
            "outside these hours leave a message and we reply within 1–3 business days."
        )

    def test_async(self, policy: Policy) -> None:
        text = channel_text(policy, "email", locale="ru", tz="Europe/Moscow", at=WEEK)
        assert text == (
            "Электронная почта: отвечаем в течение 1–3 рабочих дней; "
            "часы работы: пн–пт 11:00–19:00 (Москва, стандартное время)."
        )

    def test_live_without_promises(self) -> None:
        policy = Policy.loads("""
schedules: {s: {tz: UTC, weekly: {mon-fri: ["09:00-17:00"]}}}
channels: {phone: {kind: phone, schedule: s}, email: {kind: email, schedule: s}}
rules: [{name: r, match: {channel: email}, resolution: {promise: 1 week}}]
""")
        assert channel_text(policy, "phone", at=WEEK) == "Phone: Mon–Fri 09:00–17:00 UTC."
        assert channel_text(policy, "email", at=WEEK) == "Email: Mon–Fri 09:00–17:00 UTC."

    def test_unknown_channel(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="unknown channel 'fax'"):
            channel_text(policy, "fax", at=WEEK)


# -- the contact page, parsed -----------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link"}


@dataclass
class PageStructure(HTMLParser):
    """Checks nesting while it parses, and records what the page holds."""

    stack: list[str] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    doctype: str | None = None

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and data.strip():
            self.text.setdefault(self.stack[-1], []).append(data.strip())

    def find(self, tag: str) -> Iterator[dict[str, str | None]]:
        return (attrs for name, attrs in self.tags if name == tag)


def parse(page: str) -> PageStructure:
    parser = PageStructure()
    parser.feed(page)
    parser.close()
    return parser


class TestContactPage:
    @pytest.mark.parametrize("locale", LOCALES)
    def test_structure(self, policy: Policy, locale: str) -> None:
        page = contact_page(
            policy, locale=locale, at=WEEK, faq_url="/help", contacts={"email": "help@example.com"}
        )
        p = parse(page)
        assert p.problems == []
        assert p.stack == []
        assert p.doctype == "DOCTYPE html"
        [html] = p.find("html")
        assert html["lang"] == Phrasebook.load(locale).lang
        assert len(list(p.find("h1"))) == 1
        assert [t for t, _ in p.tags].index("caption") == [t for t, _ in p.tags].index("table") + 1
        assert {a.get("scope") for a in p.find("th")} == {"col", "row"}
        book = Phrasebook.load(locale)
        rows = p.text["th"]
        for channel in policy.channels.values():
            assert book.template("kinds", channel.kind) in rows
        for outside in ("script", "link", "img", "iframe"):
            assert not list(p.find(outside))
        assert [a["href"] for a in p.find("a")] == ["mailto:help@example.com", "/help"]

    def test_escapes_everything(self, policy: Policy) -> None:
        page = contact_page(
            policy,
            at=WEEK,
            title="<Q&A>",
            labels={"email": "<b>Mail</b>"},
            contacts={"chat": 'x" onclick="y'},
            faq_url="https://e.com/?a=1&b=<2>",
        )
        p = parse(page)
        assert p.problems == []
        assert not any("onclick" in attrs for _, attrs in p.tags)
        assert "<b>Mail</b>" in p.text["th"]
        assert "&lt;Q&amp;A&gt;" in page

    def test_markdown_escapes_table_cells(self, policy: Policy) -> None:
        page = contact_page(policy, at=WEEK, format="markdown", labels={"email": "Mail | post"})
        assert "| Mail \\| post |" in page

    def test_a_policy_without_channels(self) -> None:
        policy = Policy(rules=[{"name": "r", "first_response": {"promise": "1 day"}}])
        page = contact_page(policy, at=WEEK, format="markdown")
        assert "| Any channel | around the clock | First reply within 1 day |" in page

    def test_unsafe_faq_link(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="faq_url: 'javascript:alert"):
            contact_page(policy, at=WEEK, faq_url="javascript:alert(1)")

    def test_bad_format(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="format: 'pdf' is not one of html, markdown"):
            contact_page(policy, at=WEEK, format="pdf")  # type: ignore[arg-type]

    def test_closures_ahead(self, policy: Policy) -> None:
        page = contact_page(policy, at=datetime(2026, 12, 20, tzinfo=UTC), format="markdown")
        assert "- Friday 25 December: Email, Live chat, Social media" in page
        assert "- Friday 1 January 2027: Email, Live chat, Social media" in page


def test_babel_locale_is_exposed() -> None:
    assert isinstance(Phrasebook.load("bg").locale, Locale)
