"""Message catalogs: completeness, plural forms, fallback, and one sentence per locale.

The expected sentences below are written by hand, as a native speaker would write the
notice; they are not copied from the output (tests/golden/ holds that).
"""

from __future__ import annotations

import gettext
import json
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

import expectkit
from expectkit import LocaleFallbackWarning, Policy, PolicyError, quote
from expectkit.text import (
    LOCALES,
    Phrasebook,
    channel_text,
    hours_text,
    promise_text,
    window_text,
)
from expectkit.text.catalogs import available, plural_slots, read_catalog
from expectkit.text.messages import MESSAGES
from expectkit.text.phrasebooks import _SPEC
from goldens import VERSIONS

# The installed package (the source tree, or the wheel in CI): its catalogs and messages.
SRC = Path(expectkit.__file__).resolve().parent
TEMPLATE = SRC / "locales" / "expectkit.pot"
FIELDS = string.Formatter()
UNITS = [m.key for m in MESSAGES if m.plural is not None]


def template() -> Catalog:
    with TEMPLATE.open("rb") as handle:
        return read_po(handle)


def catalog(tag: str) -> Catalog:
    found = read_catalog(tag)
    assert found is not None, tag
    return found


def entries(cat: Catalog) -> Iterator[Message]:
    return (m for m in cat if m.id)


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in FIELDS.parse(text) if f is not None}


def gettext_form(tag: str, key: str, n: int) -> str:
    """The form gettext itself would pick for `n`: the Plural-Forms index."""
    cat = catalog(tag)
    found = cat.get(next(m.text for m in MESSAGES if m.key == key), context=key)
    assert found is not None
    assert isinstance(found.string, tuple)
    form = found.string[gettext.c2py(cat.plural_expr)(n)]
    language = Locale.parse(tag).language
    # why: a regional catalog leaves to its language's what it does not change
    return form or gettext_form(language, key, n)


# -- the template and the source ------------------------------------------------


class TestTemplate:
    def test_is_what_pybabel_extracts_from_the_source(self) -> None:
        # why: the .pot is extracted (CONTRIBUTING.md); a message added to the source
        # but not extracted would reach no translator
        extracted = [
            (context, msgid if isinstance(msgid, str) else tuple(msgid))
            for _, msgid, _, context in extract_from_file("python", SRC / "text" / "messages.py")
        ]
        held = [(m.context, m.id) for m in entries(template())]
        assert held == extracted

    def test_declares_every_key_the_phrasebook_has(self) -> None:
        spec = {f"{section}.{key}" for section, keys in _SPEC.items() for key in keys}
        spec |= {f"units.{unit}" for unit in ("second", "minute", "hour", "day", "week")}
        spec |= {f"units.{u}" for u in ("month", "business_second", "business_minute")}
        spec |= {"units.business_hour", "units.business_day"}
        spec |= {f"units_relative.{u}" for u in ("second", "minute", "hour", "day")}
        assert {m.key for m in MESSAGES} == spec

    def test_every_message_has_its_key_as_context(self) -> None:
        assert all(m.context and m.context.count(".") == 1 for m in entries(template()))


# -- every catalog ----------------------------------------------------------------


class TestEveryCatalog:
    def test_the_bundled_catalogs_are_the_locales(self) -> None:
        assert available() == LOCALES
        assert set(LOCALES) == {
            *("en", "en_US", "ru", "bg", "zh_Hans", "nb"),
            *("de", "fr", "es", "pt_BR", "it", "nl", "pl", "ja"),
        }

    @pytest.mark.parametrize("tag", LOCALES)
    def test_holds_exactly_the_template(self, tag: str) -> None:
        held = [(m.context, m.id) for m in entries(catalog(tag))]
        assert held == [(m.context, m.id) for m in entries(template())]
        assert not catalog(tag).obsolete

    @pytest.mark.parametrize("tag", LOCALES)
    def test_nothing_is_fuzzy(self, tag: str) -> None:
        assert not catalog(tag).fuzzy
        assert [m.context for m in entries(catalog(tag)) if m.fuzzy] == []

    @pytest.mark.parametrize("tag", LOCALES)
    def test_language_header_is_the_tag(self, tag: str) -> None:
        assert str(catalog(tag).locale) == tag

    @pytest.mark.parametrize("tag", LOCALES)
    def test_plural_forms_are_what_pybabel_init_writes(self, tag: str) -> None:
        # why: older Babel releases write other (older, non-CLDR) Plural-Forms for some
        # languages; the catalogs follow the locked release, and any header that agrees
        # with CLDR over whole numbers reads right (TestPlurals checks that everywhere)
        locked = json.loads(VERSIONS.read_text(encoding="utf-8"))["babel"]
        if version("babel") != locked:
            pytest.skip(f"Plural-Forms are those of Babel {locked}, not {version('babel')}")
        assert catalog(tag).plural_forms == get_plural(tag).plural_forms

    @pytest.mark.parametrize("tag", LOCALES)
    def test_complete_unless_regional(self, tag: str) -> None:
        # why: a regional catalog (en_US) holds what differs from its language's and
        # leaves the rest empty; every other catalog translates every message
        untranslated = [
            m.context
            for m in entries(catalog(tag))
            if not (all(m.string) if isinstance(m.string, tuple) else m.string)
        ]
        if tag == "en_US":
            assert "formats.time" not in untranslated
            assert Phrasebook.load(tag).tag == "en_US"  # en fills the rest
        else:
            assert untranslated == []

    @pytest.mark.parametrize("tag", LOCALES)
    def test_placeholders_match_the_source(self, tag: str) -> None:
        for message in entries(catalog(tag)):
            sources = (message.id,) if isinstance(message.id, str) else tuple(message.id)
            wanted = fields(sources[-1])
            assert all(fields(s) == wanted for s in sources), message.context
            given = message.string or ()
            strings = (given,) if isinstance(given, str) else tuple(given)
            for text in strings:
                if text:
                    assert fields(text) == wanted, (tag, message.context, text)


# -- plural forms -------------------------------------------------------------------


class TestPlurals:
    @pytest.mark.parametrize("tag", LOCALES)
    @pytest.mark.parametrize("key", UNITS)
    def test_counts_0_to_200_take_gettexts_form(self, tag: str, key: str) -> None:
        # why: expectkit picks a form by CLDR category; gettext by the Plural-Forms
        # index. Over whole numbers the two must agree for every locale and unit.
        book = Phrasebook.load(tag)
        table, _, unit = key.partition(".")
        for n in range(201):
            expected = gettext_form(tag, key, n).format(n=format_decimal(n, locale=tag))
            assert book.counted(unit, n, table=table) == expected, (key, n)

    @pytest.mark.parametrize("tag", LOCALES)
    def test_every_cldr_category_has_a_form_and_every_form_a_category(self, tag: str) -> None:
        slots = plural_slots(catalog(tag), tag)
        assert {*Locale.parse(tag).plural_form.tags, "other"} == set(slots)
        assert set(slots.values()) == set(range(catalog(tag).num_plurals))

    @pytest.mark.parametrize("tag", LOCALES)
    def test_a_range_takes_the_form_of_its_upper_end(self, tag: str) -> None:
        book = Phrasebook.load(tag)
        for low, high in [(0, 1), (1, 2), (1, 3), (2, 4), (2, 5), (5, 21), (21, 22), (1, 200)]:
            top = gettext_form(tag, "units.business_day", high)
            number = book.fill(
                "formats",
                "number_range",
                low=format_decimal(low, locale=tag),
                high=format_decimal(high, locale=tag),
            )
            assert book.counted("business_day", low, high) == top.format(n=number)

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            # why: genitive after "w ciągu": singular for 1, plural for the rest
            ("1 business day", "1 dnia roboczego"),
            ("2 business days", "2 dni roboczych"),
            ("5 business days", "5 dni roboczych"),
            ("12 hours", "12 godzin"),
            ("22 hours", "22 godzin"),
            ("1-3 business days", "1–3 dni roboczych"),
        ],
    )
    def test_polish_genitive_after_within(self, counts: str, expected: str) -> None:
        assert window_text(counts, locale="pl") == expected

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            # why: accusative after "za": one, few (2–4, 22–24) and many (5–21, 25–31)
            ("1 hours", "1 godzinę"),
            ("2 hours", "2 godziny"),
            ("5 hours", "5 godzin"),
            ("12 hours", "12 godzin"),
            ("21 hours", "21 godzin"),
            ("22 hours", "22 godziny"),
            ("1 minutes", "1 minutę"),
            ("24 minutes", "24 minuty"),
            ("1 days", "1 dzień"),
            ("3 days", "3 dni"),
        ],
    )
    def test_polish_accusative_after_in(self, counts: str, expected: str) -> None:
        assert window_text(counts, locale="pl", relative=True) == expected

    @pytest.mark.parametrize(
        ("locale", "counts", "expected"),
        [
            ("fr", "0 days", "0 jour"),  # why: French counts 0 and 1 as singular
            ("fr", "1000000 days", "1 000 000 de jours"),  # why: CLDR "many"
            ("pt_BR", "0 days", "0 dia"),  # why: Brazilian Portuguese, like French
            ("pt_PT", "0 days", "0 dias"),  # why: Portugal's rules, on Brazil's words
            ("es", "1000000 days", "1.000.000 de días"),
            ("it", "1 business days", "1 giorno lavorativo"),
            ("de", "2 days", "2 Tagen"),  # why: dative after "innerhalb von"
            ("ja", "3 days", "3日"),
            ("nl", "2 hours", "2 uur"),  # why: "uur" is not plural after a number
        ],
    )
    def test_language_rules(self, locale: str, counts: str, expected: str) -> None:
        got = window_text(counts, locale=locale)
        assert got.replace("\u202f", " ") == expected.replace("\u202f", " ")


# -- fallback -------------------------------------------------------------------------


class TestFallback:
    @pytest.mark.parametrize(
        ("locale", "tag", "fallback"),
        [
            ("pt_PT", "pt_BR", "pt_BR"),  # why: same language, Brazil's catalog
            ("pt", "pt_BR", None),  # why: Portuguese is most likely Brazil's
            ("de_AT", "de", "de"),
            ("de_CH", "de", "de"),
            ("en_GB", "en", "en"),
            ("es_MX", "es", "es"),
            ("fr_CA", "fr", "fr"),
            ("nl_BE", "nl", "nl"),
            ("en_US", "en_US", None),
            ("de_DE", "de", None),
            ("ja_JP", "ja", None),
            ("pl_PL", "pl", None),
            ("zh_Hans_CN", "zh_Hans", None),
        ],
    )
    def test_same_language_without_a_warning(
        self, locale: str, tag: str, fallback: str | None
    ) -> None:
        book = Phrasebook.load(locale)  # filterwarnings = error: no warning here
        assert (book.tag, book.fallback, str(book.locale)) == (tag, fallback, locale)

    @pytest.mark.parametrize("locale", ["cs", "lv", "zh_TW", "sr_Latn", "nn"])
    def test_another_language_warns_and_reads_english(self, locale: str) -> None:
        with pytest.warns(LocaleFallbackWarning, match="has no catalog: sentences are in 'en'"):
            book = Phrasebook.load(locale)
        assert (book.tag, book.fallback, str(book.text_locale)) == ("en", "en", "en")

    def test_fallback_ok_silences_the_warning(self) -> None:
        assert Phrasebook.load("cs", fallback_ok=True).tag == "en"

    def test_english_plural_rules_count_english_words(self) -> None:
        # why: Latvian puts 21 in "one" and 10 in "zero"; the English words need
        # English rules
        book = Phrasebook.load("lv", fallback_ok=True)
        assert [book.counted("day", n) for n in (1, 10, 21)] == ["1 day", "10 days", "21 days"]

    def test_dates_names_and_zones_stay_in_the_locale(self) -> None:
        book = Phrasebook.load("cs", fallback_ok=True)
        c = quote(DESK, {"channel": "email", "customer_tz": "Europe/Prague"}, at=FRIDAY)
        assert promise_text(c, locale=book) == "We'll reply by středa 25 listopadu, 17:00 SEČ."

    def test_a_portuguese_customer_reads_brazilian_sentences_with_portuguese_dates(
        self,
    ) -> None:
        c = quote(DESK, {"channel": "email", "customer_tz": "Europe/Lisbon"}, at=FRIDAY)
        assert promise_text(c, locale="pt_PT") == (
            "Responderemos até quarta-feira, 25 de novembro, às 16h00 "
            "(Hora padrão da Europa Ocidental)."
        )

    def test_overrides_and_directories_layer_over_the_fallback(self, tmp_path: Path) -> None:
        (tmp_path / "en.toml").write_text(
            '[actions]\nfirst_response = "get back to you"\n', encoding="utf-8"
        )
        c = quote(DESK, {"channel": "email"}, at=FRIDAY)
        ours = Phrasebook.load("cs", directory=tmp_path, fallback_ok=True)
        assert promise_text(c, locale=ours).startswith("We'll get back to you by středa")
        pt = Phrasebook.load("pt_PT", overrides={"actions.first_response": "Daremos resposta"})
        assert promise_text(c, locale=pt).startswith("Daremos resposta até quarta-feira")

    def test_a_file_for_the_language_is_its_own(self, tmp_path: Path) -> None:
        # why: with a cs.toml the locale has a catalog: Czech rules, no fallback
        (tmp_path / "cs.toml").write_text("[formats]\n", encoding="utf-8")
        with pytest.raises(PolicyError, match=r"phrasebook 'cs': formats\.date: missing"):
            Phrasebook.load("cs", directory=tmp_path)


# -- one notice per new locale, by hand ---------------------------------------------------

DESK = Policy.loads(
    """
schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
channels: {email: {kind: email, schedule: berlin}}
rules: [{name: email, first_response: {promise: "1-3 business days"}}]
"""
)
FRIDAY = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
WEEK = datetime(2026, 11, 23, 12, tzinfo=UTC)

# locale: (customer zone, exact, range, relative, hours, email channel line)
NOTICES: dict[str, tuple[str, str, str, str, str, str]] = {
    "de": (
        "Europe/Berlin",
        "Wir antworten Ihnen bis Mittwoch, 25. November, 17:00 Uhr MEZ.",
        "Wir antworten Ihnen innerhalb von 1–3 Werktagen – spätestens bis Mittwoch, "
        "25. November (MEZ).",
        "Wir antworten Ihnen spätestens in 6 Tagen.",
        "Mo.–Fr. 09:00–17:00 MEZ",
        "E-Mail: Wir antworten innerhalb von 1–3 Werktagen; unsere Zeiten: "
        "Mo.–Fr. 09:00–17:00 MEZ.",
    ),
    "fr": (
        "Europe/Paris",
        "Nous vous répondrons d’ici le mercredi 25 novembre à 17 h 00 "
        "(heure normale d’Europe centrale).",
        "Nous vous répondrons dans un délai de 1 à 3 jours ouvrés, au plus tard le "
        "mercredi 25 novembre (heure normale d’Europe centrale).",
        "Nous vous répondrons dans 6 jours au plus tard.",
        "lun.–ven. 09:00–17:00 (heure normale d’Europe centrale)",
        "E-mail\u00a0: nous répondons sous 1 à 3 jours ouvrés\u202f; nos horaires\u00a0: "
        "lun.–ven. 09:00–17:00 (heure normale d’Europe centrale).",
    ),
    "es": (
        "Europe/Madrid",
        "Le responderemos a más tardar el miércoles 25 de noviembre a las 17:00 "
        "(hora estándar de Europa central).",
        "Le responderemos en un plazo de 1 a 3 días hábiles, a más tardar el miércoles "
        "25 de noviembre (hora estándar de Europa central).",
        "Le responderemos dentro de 6 días como máximo.",
        "lun–vie 09:00–17:00 (hora estándar de Europa central)",
        "Correo electrónico: respondemos en un plazo de 1 a 3 días hábiles; horario: "
        "lun–vie 09:00–17:00 (hora estándar de Europa central).",
    ),
    "pt_BR": (
        "America/Sao_Paulo",
        "Responderemos até quarta-feira, 25 de novembro, às 13h00 (Horário Padrão de Brasília).",
        "Responderemos em 1 a 3 dias úteis, no máximo até quarta-feira, 25 de novembro "
        "(Horário Padrão de Brasília).",
        "Responderemos em 6 dias, no máximo.",
        "seg. a sex. 05:00–13:00 (Horário Padrão de Brasília)",
        "E-mail: respondemos em 1 a 3 dias úteis; horário de atendimento: "
        "seg. a sex. 05:00–13:00 (Horário Padrão de Brasília).",
    ),
    "it": (
        "Europe/Rome",
        "Le risponderemo entro mercoledì 25 novembre alle 17:00 "
        "(Ora standard dell’Europa centrale).",
        "Le risponderemo entro 1–3 giorni lavorativi, al più tardi mercoledì 25 novembre "
        "(Ora standard dell’Europa centrale).",
        "Le risponderemo tra 6 giorni al più tardi.",
        "lun–ven 09:00–17:00 (Ora standard dell’Europa centrale)",
        "E-mail: rispondiamo entro 1–3 giorni lavorativi; orari: "
        "lun–ven 09:00–17:00 (Ora standard dell’Europa centrale).",
    ),
    "nl": (
        "Europe/Amsterdam",
        "Uiterlijk woensdag 25 november om 17:00 CET reageren we.",
        "Binnen 1–3 werkdagen reageren we, uiterlijk woensdag 25 november (CET).",
        "Uiterlijk over 6 dagen reageren we.",
        "ma–vr 09:00–17:00 CET",
        "E-mail: we reageren binnen 1–3 werkdagen; openingstijden: ma–vr 09:00–17:00 CET.",
    ),
    "pl": (
        "Europe/Warsaw",
        "Odpowiemy do 25 listopada (środa), godz. 17:00 CET.",
        "Odpowiemy w ciągu 1–3 dni roboczych – najpóźniej do 25 listopada (środa; CET).",
        "Odpowiemy najpóźniej za 6 dni.",
        "pon.–pt. 09:00–17:00 CET",
        "E-mail: odpowiadamy w ciągu 1–3 dni roboczych; godziny pracy: pon.–pt. 09:00–17:00 CET.",
    ),
    "ja": (
        "Asia/Tokyo",
        "11月26日（木）1:00（日本標準時）までにご返信いたします。",
        "1～3営業日以内、遅くとも11月26日（木、日本標準時）までにご返信いたします。",
        "遅くとも6 日後にご返信いたします。",
        "月～金 17:00～01:00（日本標準時）",
        "メール：1～3営業日以内にご返信いたします。受付時間：月～金 17:00～01:00（日本標準時）。",
    ),
}


@pytest.mark.parametrize("locale", sorted(NOTICES))
def test_a_notice_reads_as_written(locale: str) -> None:
    zone, exact, range_, relative, hours, line = NOTICES[locale]
    c = quote(DESK, {"channel": "email", "customer_tz": zone}, at=FRIDAY)
    assert promise_text(c, locale=locale) == exact
    assert promise_text(c, locale=locale, form="range") == range_
    assert promise_text(c, locale=locale, form="relative") == relative
    assert hours_text(DESK.schedule("berlin"), locale=locale, tz=zone, at=WEEK) == hours
    assert channel_text(DESK, "email", locale=locale, tz=zone, at=WEEK) == line
