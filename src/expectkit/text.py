"""Customer-facing text: promise sentences, opening hours and a contact page.

Every sentence comes from a :class:`Phrasebook`: per-locale data files
(``expectkit/locales/*.toml``) holding the templates, while dates, times, zone names,
day names and plural categories come from Babel's CLDR data. Bundled phrasebooks:
English (``en``, with ``en_US`` dates), Russian (``ru``), Bulgarian (``bg``), Chinese
Simplified (``zh_Hans``, also reached as ``zh`` and ``zh_CN``) and Norwegian Bokmål
(``nb``, also ``no``). Any template can be overridden, and a new locale added, with a
mapping or a directory of TOML files.

The rules every text follows:

* a time is shown in the customer's zone, and the zone is named;
* a shown time is never earlier than the promise: hidden seconds, minutes or hours
  are rounded *up*, and a date shown without a time means "by the end of that day";
* a counted noun takes the plural form that Babel's CLDR rules give for its number
  (a range takes the form of its upper end, as CLDR's plural ranges do for the
  bundled languages).

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from expectkit import Policy, quote
>>> policy = Policy.loads('''
... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
... channels: {email: {kind: email, schedule: berlin}}
... rules: [{name: email, first_response: {promise: "1-3 business days"}}]
... ''')
>>> asked = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # a Friday
>>> c = quote(policy, {"channel": "email", "customer_tz": "Europe/Moscow"}, at=asked)
>>> print(promise_text(c, locale="ru", form="range"))
Мы ответим в течение 1–3 рабочих дней — не позднее 25 ноября (среда; Москва, стандартное время).
>>> print(promise_text(c, locale="en"))
We'll reply by Wednesday 25 November, 19:00 MSK.
"""

from __future__ import annotations

import html
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as holidays_pkg

try:
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.dates import (
        format_date,
        format_datetime,
        format_time,
        get_day_names,
        get_timezone_gmt,
    )
    from babel.dates import get_timezone_name as _babel_zone_name
    from babel.numbers import format_decimal
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    msg = "expectkit.text needs Babel: pip install 'expectkit[text]'"
    raise ImportError(msg) from exc

from expectkit.calculator import Commitment, MetricQuote
from expectkit.channels import Channel, ChannelKind
from expectkit.errors import InputTypeError, NaiveDatetimeError, PolicyError, ScheduleError
from expectkit.policy import METRICS, Metric, Policy, Request
from expectkit.schedule import Schedule
from expectkit.windows import Duration, Window

__all__ = [
    "LOCALES",
    "Form",
    "PageFormat",
    "Phrasebook",
    "Precision",
    "channel_text",
    "contact_page",
    "hours_text",
    "promise_text",
    "window_text",
]

Form = Literal["exact", "range", "relative"]
"""How a promise is told: a deadline, a window with its deadline, or "in about …"."""

Precision = Literal["minute", "hour", "day"]
"""The finest part of a shown time; anything finer is rounded up."""

PageFormat = Literal["html", "markdown"]
"""The formats :func:`contact_page` writes."""

LOCALES: Final[tuple[str, ...]] = ("en", "en_US", "ru", "bg", "zh_Hans", "nb")
"""The bundled phrasebooks (``en_US`` only changes English dates and times)."""

_FORMS: Final = get_args(Form)
_PRECISIONS: Final = get_args(Precision)
_PAGE_FORMATS: Final = get_args(PageFormat)
_ZONE_STYLES: Final = ("short", "long", "offset")
_UNITS: Final = (
    "second",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "business_second",
    "business_minute",
    "business_hour",
    "business_day",
)
_RELATIVE_UNITS: Final = ("second", "minute", "hour", "day")
_CATEGORIES: Final = frozenset({"zero", "one", "two", "few", "many", "other"})
_ALIASES: Final[Mapping[str, str]] = {"no": "nb"}  # Norwegian is written as Bokmål here
_PATTERN: Final = "pattern"  # a CLDR date pattern, checked by formatting a date
_WORD: Final = "word"  # plain text without placeholders

# Every key a phrasebook holds, with the placeholders its template may use.
_SPEC: Final[Mapping[str, Mapping[str, str | frozenset[str]]]] = {
    "formats": {
        "date": _PATTERN,
        "date_year": _PATTERN,
        "weekday": _PATTERN,
        "time": _PATTERN,
        "clock": _PATTERN,
        "zone": _WORD,
        "day": frozenset({"weekday", "date"}),
        "when": frozenset({"weekday", "date", "time", "zone"}),
        "when_day": frozenset({"weekday", "date", "zone"}),
        "number_range": frozenset({"low", "high"}),
        "day_range": frozenset({"first", "last"}),
        "time_range": frozenset({"start", "end"}),
        "list": _WORD,
        "day_list": _WORD,
    },
    "sentences": {
        "exact": frozenset({"action", "when"}),
        "range": frozenset({"action", "window", "when"}),
        "relative": frozenset({"action", "span"}),
        "relative_now": frozenset({"action"}),
    },
    "actions": dict.fromkeys(METRICS, _WORD),
    "hours": {
        "text": frozenset({"spans", "zone"}),
        "span": frozenset({"days", "times"}),
        "always": _WORD,
        "whole_day": _WORD,
        "none": _WORD,
    },
    "channels": {
        "live": frozenset({"channel", "hours"}),
        "live_answer": frozenset({"channel", "hours", "answer"}),
        "live_offline": frozenset({"channel", "hours", "window"}),
        "live_answer_offline": frozenset({"channel", "hours", "answer", "window"}),
        "async": frozenset({"channel", "hours", "window"}),
        "plain": frozenset({"channel", "hours"}),
    },
    "kinds": dict.fromkeys(get_args(ChannelKind), _WORD),
    "page": {
        "title": _WORD,
        "intro": frozenset({"zone_name", "zone_id"}),
        "caption": _WORD,
        "col_channel": _WORD,
        "col_contact": _WORD,
        "col_hours": _WORD,
        "col_expect": _WORD,
        "any_channel": _WORD,
        "first_response": frozenset({"window"}),
        "next_response": frozenset({"window"}),
        "resolution": frozenset({"window"}),
        "periodic_update": frozenset({"window"}),
        "offline": frozenset({"window"}),
        "no_promise": _WORD,
        "holidays": frozenset({"country"}),
        "closures_heading": _WORD,
        "closure": frozenset({"day", "channels"}),
        "faq_heading": _WORD,
        "faq_text": frozenset({"link"}),
        "faq_link": _WORD,
        "week_note": frozenset({"date"}),
    },
}
_PAGE_METRICS: Final[tuple[Metric, ...]] = (
    "first_response",
    "next_response",
    "resolution",
    "periodic_update",
)
_SAMPLE: Final = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
_FIELD: Final = string.Formatter()
_SAFE_SCHEMES: Final = ("http://", "https://", "mailto:", "tel:")


# -- phrasebooks -------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Phrasebook:
    """The templates of one locale, with Babel's locale data for dates and plurals.

    Load one with :meth:`load`; every function of this module also accepts a locale
    tag and loads the bundled phrasebook itself. ``data`` holds the sections of the
    locale files (``formats``, ``sentences``, ``actions``, ``units``,
    ``units_relative``, ``hours``, ``channels``, ``kinds``, ``page``), read-only;
    ``locale`` is the Babel locale names and plural rules come from.

    Attributes:
        tag: The most specific phrasebook file used (``"en_US"``, ``"zh_Hans"``), or
            the locale itself for a phrasebook made from overrides alone.
        locale: The Babel locale.
        data: The merged, validated templates.

    >>> book = Phrasebook.load("ru_RU")
    >>> book.tag, str(book.locale), book.lang
    ('ru', 'ru_RU', 'ru-RU')
    >>> book.counted("business_day", 21)
    '21 рабочего дня'

    """

    tag: str
    locale: Locale
    data: Mapping[str, Any] = field(repr=False)

    @classmethod
    def load(
        cls,
        locale: str | Locale = "en",
        *,
        overrides: Mapping[str, Any] | None = None,
        directory: str | Path | None = None,
    ) -> Phrasebook:
        """Load the phrasebook for `locale`, merging overrides over the bundled data.

        The locale is read by Babel (``"ru"``, ``"ru_RU"``, ``"zh-Hans"``, ``"zh_CN"``,
        ``"nb-NO"``). Files are looked up from the general to the specific tag
        (``en``, then ``en_US``), first among the bundled ones and then in
        `directory`, each merged over the one before; `overrides` go last. An
        override is a nested mapping (``{"sentences": {"exact": "..."}}``) or uses
        dotted keys (``{"sentences.exact": "..."}``). With no file for the locale,
        `overrides` (or a file in `directory`) must hold a whole phrasebook.

        Args:
            locale: A locale tag or a Babel :class:`~babel.Locale`.
            overrides: Templates replacing the file's.
            directory: A folder of ``<tag>.toml`` phrasebooks, read after the bundled.

        Returns:
            The validated phrasebook.

        Raises:
            PolicyError: An unknown locale, no phrasebook for it, or templates that
                miss a key, have an unknown key or placeholder, or lack a plural form
                the language needs; the message names the key.

        >>> Phrasebook.load("en", overrides={"actions.first_response": "get back to you"}
        ...                 ).data["actions"]["first_response"]
        'get back to you'
        >>> Phrasebook.load("xx")
        Traceback (most recent call last):
        expectkit.errors.PolicyError: locale 'xx' is not a locale Babel knows; use a tag \
such as 'en', 'ru', 'bg', 'zh_Hans' or 'nb'
        >>> Phrasebook.load("ru", overrides={"sentences.exact": "Мы {action} до {whn}."})
        Traceback (most recent call last):
        expectkit.errors.PolicyError: phrasebook 'ru': sentences.exact: unknown placeholder \
{whn}; use {action}, {when}

        """
        if overrides is None and directory is None:
            return _bundled_book(_locale_key(locale))
        return _build(_parse_locale(locale), overrides, directory)

    @property
    def lang(self) -> str:
        """The BCP 47 language tag, as HTML's ``lang`` attribute wants it.

        >>> Phrasebook.load("zh_CN").lang
        'zh-Hans-CN'
        """
        return str(self.locale).replace("_", "-")

    def template(self, section: str, key: str) -> str:
        """Return one template, unfilled.

        >>> Phrasebook.load("nb").template("sentences", "relative")
        'Vi {action} om omtrent {span}.'
        """
        value: str = self.data[section][key]
        return value

    def fill(self, section: str, key: str, **values: str) -> str:
        """Return one template with its placeholders filled.

        >>> Phrasebook.load("en").fill("channels", "plain", channel="Phone", hours="24/7")
        'Phone: 24/7.'
        """
        return self.template(section, key).format(**values)

    def counted(self, unit: str, low: int, high: int | None = None, *, table: str = "units") -> str:
        """Return `low` (or the range `low`–`high`) of `unit` in the right plural form.

        The plural category is Babel's for the number (for a range, for `high`);
        numbers are formatted for the locale. `table` is ``units`` or
        ``units_relative`` (the forms after "in …", where the language has them).

        >>> bg = Phrasebook.load("bg")
        >>> [bg.counted("hour", n) for n in (1, 2, 5, 21)]
        ['1 час', '2 часа', '5 часа', '21 часа']
        >>> Phrasebook.load("en").counted("business_day", 1, 3)
        '1–3 business days'
        """
        forms: Mapping[str, str] = self.data[table][unit]
        top = low if high is None else high
        number = self._number(low)
        if high is not None and high != low:
            number = self.fill("formats", "number_range", low=number, high=self._number(high))
        category = self.locale.plural_form(top)
        return forms.get(category, forms["other"]).format(n=number)

    def _number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)


def _parse_locale(locale: str | Locale) -> Locale:
    if isinstance(locale, Locale):
        return locale
    if not isinstance(locale, str):
        raise InputTypeError.for_value(locale, "locale", "a locale tag such as 'en'")
    try:
        return Locale.parse(locale.strip(), sep="-" if "-" in locale else "_")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        msg = (
            f"locale {locale!r} is not a locale Babel knows; use a tag such as "
            "'en', 'ru', 'bg', 'zh_Hans' or 'nb'"
        )
        raise PolicyError(msg) from exc


def _locale_key(locale: str | Locale) -> str:
    return str(_parse_locale(locale))


@lru_cache(maxsize=64)
def _bundled_book(key: str) -> Phrasebook:
    return _build(_parse_locale(key), None, None)


def _candidates(locale: Locale) -> list[str]:
    """Phrasebook tags for `locale`, from the general to the specific."""
    base = _ALIASES.get(locale.language, locale.language)
    likely = str(get_global("likely_subtags").get(locale.language, "")).split("_")
    likely_script = next((p for p in likely[1:] if len(p) == 4), None)
    script = locale.script or likely_script
    territory = locale.territory
    tags: list[str] = []
    if locale.script is None or locale.script == likely_script:
        tags.append(base)
    if script:
        tags.append(f"{base}_{script}")
    if territory:
        tags.append(f"{base}_{territory}")
    if script and territory:
        tags.append(f"{base}_{script}_{territory}")
    return list(dict.fromkeys(tags))


@lru_cache(maxsize=32)
def _bundled_file(tag: str) -> Mapping[str, Any] | None:
    resource = resources.files("expectkit").joinpath("locales", f"{tag}.toml")
    if not resource.is_file():
        return None
    return tomllib.loads(resource.read_text(encoding="utf-8"))


def _user_file(directory: Path, tag: str) -> Mapping[str, Any] | None:
    path = directory / f"{tag}.toml"
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = f"{path}: cannot read the phrasebook: {exc}"
        raise PolicyError(msg) from exc


def _build(
    locale: Locale, overrides: Mapping[str, Any] | None, directory: str | Path | None
) -> Phrasebook:
    data: dict[str, Any] = {}
    found: str | None = None
    folder = Path(directory) if directory is not None else None
    for tag in _candidates(locale):
        for layer in (_bundled_file(tag), _user_file(folder, tag) if folder else None):
            if layer is not None:
                _merge(data, layer)
                found = tag
    if overrides:
        _merge(data, _expand_dotted(overrides))
    if found is None and not overrides:
        msg = (
            f"locale {str(locale)!r} has no phrasebook; bundled: {', '.join(LOCALES)} "
            "(pass directory= or overrides= to add one)"
        )
        raise PolicyError(msg)
    name = found or str(locale)
    _validate(name, locale, data)
    return Phrasebook(name, locale, _freeze(data))


def _merge(into: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, Mapping):
            into[key] = {}
            _merge(into[key], value)
        else:
            into[key] = value


def _expand_dotted(overrides: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(overrides, Mapping):
        raise InputTypeError.for_value(overrides, "overrides", "a mapping")
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, Mapping):
            _merge(node.setdefault(parts[-1], {}), _expand_dotted(value))
        else:
            node[parts[-1]] = value
    return nested


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def _validate(name: str, locale: Locale, data: Mapping[str, Any]) -> None:
    def fail(where: str, problem: str) -> PolicyError:
        return PolicyError(f"phrasebook {name!r}: {where}: {problem}")

    unknown = sorted(set(data) - {*_SPEC, "units", "units_relative"})
    if unknown:
        raise fail(unknown[0], f"unknown section (known: {', '.join([*_SPEC, 'units'])})")
    for section, keys in _SPEC.items():
        given = data.get(section)
        if not isinstance(given, Mapping):
            raise fail(section, "missing section")
        extra = sorted(set(given) - set(keys))
        if extra:
            raise fail(f"{section}.{extra[0]}", f"unknown key (known: {', '.join(keys)})")
        for key, allowed in keys.items():
            where = f"{section}.{key}"
            value = given.get(key)
            if not isinstance(value, str):
                raise fail(where, "missing" if value is None else f"expected text, got {value!r}")
            if allowed == _PATTERN:
                try:
                    format_datetime(_SAMPLE, value, tzinfo=UTC, locale=locale)
                except (ValueError, KeyError, TypeError) as exc:
                    raise fail(where, f"{value!r} is not a CLDR date pattern ({exc})") from exc
            elif isinstance(allowed, frozenset):
                _check_fields(value, allowed, fail, where)
    if data["formats"]["zone"] not in _ZONE_STYLES:
        raise fail("formats.zone", f"{data['formats']['zone']!r}: use {', '.join(_ZONE_STYLES)}")
    needed = {*locale.plural_form.tags, "other"}
    for table, required in (("units", _UNITS), ("units_relative", _RELATIVE_UNITS)):
        units = data.get(table)
        if units is None and table == "units_relative":
            continue
        if not isinstance(units, Mapping):
            raise fail(table, "missing section")
        missing = [u for u in required if u not in units]
        if missing:
            raise fail(f"{table}.{missing[0]}", "missing")
        extra = sorted(set(units) - set(_UNITS))
        if extra:
            raise fail(f"{table}.{extra[0]}", f"unknown unit (known: {', '.join(_UNITS)})")
        for unit, forms in units.items():
            where = f"{table}.{unit}"
            if not isinstance(forms, Mapping):
                raise fail(
                    where, "expected a table of plural forms such as {one = ..., other = ...}"
                )
            odd = sorted(set(forms) - _CATEGORIES)
            if odd:
                raise fail(f"{where}.{odd[0]}", "not a CLDR plural category")
            lacking = sorted(needed - set(forms))
            if lacking:
                shown = ", ".join(repr(c) for c in lacking)
                raise fail(
                    where,
                    f"no form for the plural categories {shown} "
                    f"({locale.language} needs {', '.join(sorted(needed))})",
                )
            for category, form in forms.items():
                if not isinstance(form, str):
                    raise fail(f"{where}.{category}", f"expected text, got {form!r}")
                _check_fields(form, frozenset({"n"}), fail, f"{where}.{category}")


def _check_fields(text: str, allowed: frozenset[str], fail: Any, where: str) -> None:
    try:
        fields = [f for _, f, _, _ in _FIELD.parse(text) if f is not None]
    except ValueError as exc:
        raise fail(where, f"{text!r}: {exc} (write a literal brace as {{{{ or }}}})") from exc
    for name in fields:
        if name not in allowed:
            shown = ", ".join("{" + a + "}" for a in sorted(allowed))
            raise fail(where, f"unknown placeholder {{{name}}}; use {shown}")


def _book(locale: str | Locale | Phrasebook) -> Phrasebook:
    if isinstance(locale, Phrasebook):
        return locale
    return Phrasebook.load(locale)


# -- zones, instants and rounding --------------------------------------------


def _zone(tz: str | ZoneInfo, where: str = "tz") -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        raise InputTypeError.for_value(tz, where, "an IANA zone name or ZoneInfo")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"{where}: {tz!r} is not an IANA time zone such as 'Europe/Oslo'"
        raise PolicyError(msg) from exc


def _instant(value: object, where: str) -> datetime:
    if not isinstance(value, datetime):
        raise InputTypeError.for_value(value, where, "datetime")
    if value.utcoffset() is None:
        raise NaiveDatetimeError.for_value(value, where)
    return value


@lru_cache(maxsize=8)
def _abbreviation_offsets(year: int) -> Mapping[str, frozenset[timedelta]]:
    """Every zone abbreviation in use in `year`, with the UTC offsets it stands for."""
    seen: dict[str, set[timedelta]] = {}
    for key in available_timezones():
        try:
            zone = ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # pragma: no cover - broken tzdata
            continue
        for month in (1, 7):
            local = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone)
            name, offset = local.tzname(), local.utcoffset()
            if name and offset is not None:
                seen.setdefault(name, set()).add(offset)
    return {name: frozenset(offsets) for name, offsets in seen.items()}


def _zone_label(t: datetime, book: Phrasebook) -> str:
    """Name `t`'s zone as the phrasebook asks: an abbreviation, a CLDR name or an offset.

    ``short`` uses the abbreviation CLDR lists for the locale, else the tz database's
    when it is letters and no other zone uses it for another offset (so ``CET`` and
    ``MSK``, but not China's ``CST``, which is also America's), else the offset.
    """
    style = book.data["formats"]["zone"]
    if style == "long":
        return str(_babel_zone_name(t, width="long", locale=book.locale))
    if style == "short":
        name = str(_babel_zone_name(t, width="short", locale=book.locale))
        if not any(ch.isdigit() for ch in name):
            return name
        abbr = t.tzname() or ""
        if abbr.isalpha() and len(_abbreviation_offsets(t.year).get(abbr, ())) == 1:
            return abbr
    return str(get_timezone_gmt(t, width="long", locale=book.locale))


def _showing(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """Return the instants whose local time in `zone` is `wall`: none in a gap, two in a fold."""
    found = []
    for fold in (0, 1):
        candidate = wall.replace(tzinfo=zone, fold=fold)
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
            found.append(candidate)
    return found


def _resolve(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """Return the earliest instant showing `wall` in `zone`; None if `wall` is in a gap."""
    found = _showing(wall, zone)
    return min(found, key=_utc) if found else None


def _round_up(t: datetime, precision: Precision) -> datetime:
    """Return the first instant at or after `t` showing nothing finer than `precision`."""
    zone = t.tzinfo
    assert isinstance(zone, ZoneInfo)
    wall = t.replace(tzinfo=None, fold=0)
    if precision == "minute":
        floor, step = wall.replace(second=0, microsecond=0), timedelta(minutes=1)
    else:
        floor, step = wall.replace(minute=0, second=0, microsecond=0), timedelta(hours=1)
    if floor == wall:
        return t
    target = t.astimezone(UTC)
    candidate = floor + step
    while True:  # a DST gap hides at most a few boundaries
        found = [u for u in _showing(candidate, zone) if u.astimezone(UTC) >= target]
        if found:
            return min(found, key=_utc)
        candidate += step


def _shown_day(t: datetime) -> date:
    """Return the local date whose end is the first at or after `t` (00:00 ends the day before)."""
    if t.time() == time(0):
        return t.date() - timedelta(days=1)
    return t.date()


def _format_date(day: date, book: Phrasebook, reference: date | None) -> str:
    pattern = "date" if reference is None or day.year == reference.year else "date_year"
    return str(format_date(day, book.template("formats", pattern), locale=book.locale))


def _when(t: datetime, book: Phrasebook, precision: Precision, reference: date | None) -> str:
    if precision == "day":
        day = _shown_day(t)
        return book.fill(
            "formats",
            "when_day",
            weekday=str(format_date(day, book.template("formats", "weekday"), locale=book.locale)),
            date=_format_date(day, book, reference),
            zone=_zone_label(t, book),
        )
    shown = _round_up(t, precision)
    return book.fill(
        "formats",
        "when",
        weekday=_pattern(shown, book, "weekday"),
        date=_format_date(shown.date(), book, reference),
        time=_pattern(shown, book, "time"),
        zone=_zone_label(shown, book),
    )


def _pattern(t: datetime, book: Phrasebook, key: str) -> str:
    return str(
        format_datetime(t, book.template("formats", key), tzinfo=t.tzinfo, locale=book.locale)
    )


# -- promises ----------------------------------------------------------------


def window_text(
    window: Window | Duration | str, *, locale: str | Phrasebook = "en", relative: bool = False
) -> str:
    """Return a window as the customer reads it: ``"1–3 business days"``, ``"30 seconds"``.

    A range takes the plural form of its upper end. With `relative`, the forms used
    after "in …" are taken where the language has them (Russian: the accusative).

    Args:
        window: A :class:`Window`, a :class:`Duration` or window text (``"1-3 business days"``).
        locale: A locale tag or a :class:`Phrasebook`.
        relative: Use the forms after "in …" rather than after "within …".

    Raises:
        WindowParseError: `window` is text that is not a window.
        PolicyError: An unknown locale.

    >>> window_text("1-3 business days")
    '1–3 business days'
    >>> [window_text(f"{n} business days", locale="ru") for n in (1, 2, 5, 21)]
    ['1 рабочего дня', '2 рабочих дней', '5 рабочих дней', '21 рабочего дня']
    >>> window_text("3-5 hours", locale="zh_Hans")
    '3–5小时'

    """
    book = _book(locale)
    if isinstance(window, str):
        window = Window.parse(window)
    elif isinstance(window, Duration):
        window = Window(low=window, high=window)
    elif not isinstance(window, Window):
        raise InputTypeError.for_value(window, "window", "a Window, Duration or window text")
    unit = window.unit.removesuffix("s")
    if window.clock == "business":
        unit = f"business_{unit}"
    table = (
        "units_relative" if relative and unit in book.data.get("units_relative", {}) else "units"
    )
    return book.counted(unit, window.low.amount, window.high.amount, table=table)


def _subdivision_name(country: str, subdiv: str) -> str:
    """Name a holiday subdivision as the `holidays` package does ("BE" -> "Berlin")."""
    aliases = getattr(holidays_pkg.country_holidays(country), "subdivisions_aliases", {})
    names = [name for name, code in aliases.items() if code == subdiv]
    return names[0] if names else subdiv


def _promise_window(quote: MetricQuote) -> Window | None:
    """Return the told window as the policy wrote it, if the promise came from one."""
    return quote.promise


def _metric(quote: Commitment | MetricQuote, metric: Metric | None) -> tuple[MetricQuote, ZoneInfo]:
    if isinstance(quote, MetricQuote):
        if metric is not None and metric != quote.metric:
            msg = f"metric: the quote is for {quote.metric!r}, not {metric!r}"
            raise PolicyError(msg)
        zone = quote.promised_at.tzinfo
        assert isinstance(zone, ZoneInfo)
        return quote, zone
    if not isinstance(quote, Commitment):
        raise InputTypeError.for_value(quote, "quote", "a Commitment or MetricQuote")
    wanted: Metric
    if metric is not None:
        wanted = metric
    elif "first_response" in quote.metrics:
        wanted = "first_response"
    else:
        wanted = next(iter(quote.metrics))
    if wanted not in quote.metrics:
        msg = f"metric: {wanted!r} is not in the commitment (it has {', '.join(quote.metrics)})"
        raise PolicyError(msg)
    chosen = quote.metrics[wanted]
    if quote.request.customer_tz is not None:
        return chosen, ZoneInfo(quote.request.customer_tz)
    zone = chosen.promised_at.tzinfo
    assert isinstance(zone, ZoneInfo)
    return chosen, zone


def promise_text(
    quote: Commitment | MetricQuote,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    form: Form = "exact",
    metric: Metric | None = None,
    precision: Precision | None = None,
    window: Window | str | None = None,
    now: datetime | None = None,
) -> str:
    """Tell the customer when they will hear back, in their language and zone.

    * ``exact``: "We'll reply by Wednesday 25 November, 17:00 CET."
    * ``range``: "We'll reply within 1–3 business days — by Wednesday 25 November
      (CET) at the latest."
    * ``relative``: "We'll reply in about 2 hours." (from `now`, default the request)

    The time shown is :attr:`MetricQuote.promised_at` (already rounded outward by the
    policy) in the customer's zone, rounded up again to `precision` when the zone's
    minutes do not line up; a date alone means the end of that day. The relative
    form counts elapsed time and rounds it up: 61 minutes is "about 2 hours". A lead
    time (``direction: before``) is always told exactly; a promise derived from its
    target by a buffer has no window, so ``range`` tells it exactly too. The year
    is shown when it differs from the request's.

    Args:
        quote: A :class:`Commitment` (its `metric`, default ``first_response`` or
            the first it has) or one :class:`MetricQuote`.
        locale: A locale tag or a :class:`Phrasebook`.
        tz: The customer's zone; default the request's ``customer_tz``, else the
            zone the quote counts in.
        form: ``exact``, ``range`` or ``relative``.
        metric: Which metric of a commitment to tell.
        precision: ``minute``, ``hour`` or ``day``; default ``minute``, and ``day``
            for a range counted in days, weeks or months.
        window: The told window, for ``range``; default the quote's promise.
        now: The instant a relative time counts from; default the request's.

    Returns:
        One sentence.

    Raises:
        PolicyError: An unknown locale, zone, form, precision or metric.
        InputTypeError: `quote` is not a quote, or `now` is not a datetime.
        NaiveDatetimeError: `now` has no zone.

    >>> from datetime import datetime, UTC
    >>> from expectkit import Policy, quote
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "90-100 minutes"}}])
    >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 11, 20, 15, 0, 20, tzinfo=UTC))
    >>> print(promise_text(c, tz="Europe/Oslo"))
    We'll reply by Friday 20 November, 17:41 CET.
    >>> print(promise_text(c, locale="bg", tz="Europe/Sofia", form="relative"))
    Ще отговорим след около 2 часа.
    >>> print(promise_text(c, locale="zh_Hans", tz="Asia/Shanghai", form="range"))
    我们将在90–100分钟内回复您，最晚于11月21日星期六 00:41（中国标准时间）。

    """
    book = _book(locale)
    chosen, default_zone = _metric(quote, metric)
    zone = _zone(tz) if tz is not None else default_zone
    if form not in _FORMS:
        msg = f"form: {form!r} is not one of {', '.join(_FORMS)}"
        raise PolicyError(msg)
    if precision is not None and precision not in _PRECISIONS:
        msg = f"precision: {precision!r} is not one of {', '.join(_PRECISIONS)}"
        raise PolicyError(msg)
    action = book.template("actions", chosen.metric)
    start = _instant(now, "now") if now is not None else chosen.requested_at
    reference = start.astimezone(zone).date()
    promised = chosen.promised_at.astimezone(zone)
    if form == "relative":
        left = promised.astimezone(UTC) - start.astimezone(UTC)
        if left <= timedelta(0):
            return book.fill("sentences", "relative_now", action=action)
        return book.fill("sentences", "relative", action=action, span=_span(left, book))
    told: Window | None = None
    if form == "range" and chosen.direction == "after":
        told = Window.parse(window) if isinstance(window, str) else window
        if told is None:
            told = _promise_window(chosen)
    if told is not None:
        shown = precision or ("day" if told.unit in ("days", "weeks", "months") else "minute")
        return book.fill(
            "sentences",
            "range",
            action=action,
            window=window_text(told, locale=book),
            when=_when(promised, book, shown, reference),
        )
    return book.fill(
        "sentences",
        "exact",
        action=action,
        when=_when(promised, book, precision or "minute", reference),
    )


def _span(left: timedelta, book: Phrasebook) -> str:
    """Elapsed time in the largest fitting unit, rounded up: 61 minutes is 2 hours."""
    seconds = left // timedelta(seconds=1) + (1 if left % timedelta(seconds=1) else 0)
    for unit, size, limit in (
        ("second", 1, 90),
        ("minute", 60, 90 * 60),
        ("hour", 3600, 48 * 3600),
    ):
        if seconds <= limit:
            return window_text(
                Duration(amount=-(-seconds // size), unit=f"{unit}s"), locale=book, relative=True
            )
    return window_text(
        Duration(amount=-(-seconds // 86400), unit="days"), locale=book, relative=True
    )


# -- opening hours -----------------------------------------------------------


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


Spans = dict[int, list[tuple[int, int]]]
"""Open time of a repeating week: weekday (0 = Monday) to (start, end) local minutes.

An end past 1440 runs into the next day (an overnight 17:00-01:00 is (1020, 1500))."""


@dataclass(frozen=True, slots=True)
class _Week:
    days: Spans
    always: bool


def _week(schedule: Schedule, zone: ZoneInfo, at: datetime) -> _Week:
    """Return the regular week containing `at`, as the visitor's zone shows it.

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
    monday = local - timedelta(days=local.weekday())
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


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


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
    """Name weekdays as runs, Sunday joining a run that starts on Monday ("Sun–Thu")."""
    names = get_day_names("abbreviated", locale=book.locale)
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:
        runs[0] = runs.pop() + runs[0]
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                book.fill("formats", "day_range", first=names[run[0]], last=names[run[-1]])
            )
        else:
            parts.extend(names[day] for day in run)
    return book.template("formats", "day_list").join(parts)


def hours_text(
    schedule: Schedule,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    at: datetime | None = None,
) -> str:
    """Return a schedule's regular weekly hours in the visitor's zone, zone named.

    The hours are those of the week containing `at` (default: now), moved into
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
    week = _week(schedule, zone, moment)
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
        for times, days in sorted(groups.items(), key=lambda item: min(item[1]))
    ]
    return book.fill(
        "hours",
        "text",
        spans=separator.join(spans_text),
        zone=_zone_label(moment.astimezone(zone), book),
    )


# -- channels and the contact page -------------------------------------------


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


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    contact: str | None
    hours: str
    notes: tuple[str, ...]
    expect: tuple[str, ...]


def _rows(
    policy: Policy,
    book: Phrasebook,
    zone: ZoneInfo,
    at: datetime,
    contacts: Mapping[str, str],
    labels: Mapping[str, str],
) -> list[_Row]:
    rows: list[_Row] = []
    for channel in _channels(policy):
        schedule = policy.schedule(channel.schedule)
        expect = [
            book.fill("page", metric, window=window_text(window, locale=book))
            for metric in _PAGE_METRICS
            if (window := _promised_window(policy, channel.name, metric, at)) is not None
        ]
        if channel.is_live and channel.offline is not None:
            offline = _promised_window(policy, channel.offline, "first_response", at)
            if offline is not None:
                expect.append(
                    book.fill("page", "offline", window=window_text(offline, locale=book))
                )
        notes: list[str] = []
        if schedule.holidays is not None:
            country = book.locale.territories.get(
                schedule.holidays.country, schedule.holidays.country
            )
            if schedule.holidays.subdiv:
                region = _subdivision_name(schedule.holidays.country, schedule.holidays.subdiv)
                country = book.template("formats", "list").join((country, region))
            notes.append(book.fill("page", "holidays", country=country))
        rows.append(
            _Row(
                label=_label(channel, policy, book, labels),
                contact=contacts.get(channel.name),
                hours=hours_text(schedule, locale=book, tz=zone, at=at),
                notes=tuple(notes),
                expect=tuple(expect) or (book.template("page", "no_promise"),),
            )
        )
    return rows


def _closures(
    policy: Policy, book: Phrasebook, zone: ZoneInfo, at: datetime, labels: Mapping[str, str]
) -> list[str]:
    """Dates in the coming 4 weeks a channel's regular week would open but it stays closed."""
    closed: dict[date, list[str]] = {}
    for channel in _channels(policy):
        schedule = policy.schedule(channel.schedule)
        base = _weekly_only(schedule)
        if base is None:
            continue
        first = at.astimezone(schedule.zone).date()
        for offset in range(28):
            day = first + timedelta(days=offset)
            if base.day_intervals(day) and not schedule.day_intervals(day):
                closed.setdefault(day, []).append(_label(channel, policy, book, labels))
    reference = at.astimezone(zone).date()
    lines = []
    for day in sorted(closed):
        weekday = str(format_date(day, book.template("formats", "weekday"), locale=book.locale))
        shown = book.fill(
            "formats", "day", weekday=weekday, date=_format_date(day, book, reference)
        )
        channels = book.template("formats", "list").join(closed[day])
        lines.append(book.fill("page", "closure", day=shown, channels=channels))
    return lines


def _href(contact: str) -> str | None:
    text = contact.strip()
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return f"mailto:{text}"
    if re.fullmatch(r"\+?[0-9][0-9 ()./-]{4,}", text):
        return "tel:" + re.sub(r"[^0-9+]", "", text)
    if text.startswith(("http://", "https://")):
        return text
    return None


def _check_url(url: str) -> str:
    if not isinstance(url, str):
        raise InputTypeError.for_value(url, "faq_url", "a URL")
    if ":" in url.split("/", 1)[0] and not url.startswith(_SAFE_SCHEMES):
        msg = f"faq_url: {url!r} uses a scheme other than {', '.join(_SAFE_SCHEMES)}"
        raise PolicyError(msg)
    return url


def contact_page(
    policy: Policy,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    at: datetime | None = None,
    format: PageFormat = "html",
    faq_url: str | None = None,
    contacts: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> str:
    """Write the "contact us and response times" page for a policy.

    One table row per channel: how to reach it (`contacts`), its hours in the
    visitor's zone with its public holidays, and what to expect (first reply,
    further replies, resolution and update windows told to a plain request, and a
    live channel's "leave a message" fallback). Then the closures of the next four
    weeks, the self-service link and the week the hours were taken from.

    ``html`` is a standalone, accessible page: ``lang`` set, one ``h1``, a table with
    a caption and header scopes, no scripts or external assets; ``markdown`` is the
    same content for a docs site or help centre.

    Args:
        policy: The policy whose channels to show.
        locale: A locale tag or a :class:`Phrasebook`.
        tz: The visitor's zone; default the first channel's schedule's.
        at: When (rules in force, the week of hours, closures ahead); default now.
        format: ``html`` or ``markdown``.
        faq_url: Link to the FAQ or help centre (http, https or relative).
        contacts: Channel name to address, number or URL; emails and phone numbers
            become ``mailto:`` and ``tel:`` links.
        labels: Channel name to the name shown.
        title: The page title; default the phrasebook's.

    Returns:
        The page as text.

    Raises:
        PolicyError: An unknown locale, zone or format, or an unsafe `faq_url`.

    >>> from datetime import datetime, UTC
    >>> from html.parser import HTMLParser
    >>> policy = Policy.loads('''
    ... schedules: {oslo: {tz: Europe/Oslo, weekly: {mon-fri: ["08:00-16:00"]}}}
    ... channels: {email: {kind: email, schedule: oslo}}
    ... rules: [{name: email, first_response: {promise: "1-2 business days"}}]
    ... ''')
    >>> page = contact_page(policy, locale="nb", at=datetime(2026, 11, 23, tzinfo=UTC),
    ...                     contacts={"email": "hjelp@example.no"})
    >>> page.splitlines()[1]
    '<html lang="nb" dir="ltr">'
    >>> print(contact_page(policy, format="markdown", at=datetime(2026, 11, 23, tzinfo=UTC)
    ...                    ).splitlines()[8])
    | Email | Mon–Fri 08:00–16:00 CET | First reply within 1–2 business days |

    """
    if format not in _PAGE_FORMATS:
        msg = f"format: {format!r} is not one of {', '.join(_PAGE_FORMATS)}"
        raise PolicyError(msg)
    book = _book(locale)
    moment = _instant(at, "at") if at is not None else datetime.now(UTC)
    first = _channels(policy)[0]
    zone = _zone(tz) if tz is not None else policy.schedule(first.schedule).zone
    link = _check_url(faq_url) if faq_url is not None else None
    contacts = dict(contacts or {})
    labels = dict(labels or {})
    page = _Page(
        book=book,
        title=title if title is not None else book.template("page", "title"),
        intro=book.fill(
            "page",
            "intro",
            zone_name=str(
                _babel_zone_name(zone, width="long", zone_variant="generic", locale=book.locale)
            ),
            zone_id=zone.key,
        ),
        rows=_rows(policy, book, zone, moment, contacts, labels),
        closures=_closures(policy, book, zone, moment, labels),
        faq_url=link,
        week_note=book.fill(
            "page",
            "week_note",
            date=_format_date(
                (local := moment.astimezone(zone).date()) - timedelta(days=local.weekday()),
                book,
                None,
            ),
        ),
        with_contacts=bool(contacts),
    )
    return page.html() if format == "html" else page.markdown()


@dataclass(frozen=True, slots=True)
class _Page:
    book: Phrasebook
    title: str
    intro: str
    rows: list[_Row]
    closures: list[str]
    faq_url: str | None
    week_note: str
    with_contacts: bool

    def _columns(self) -> list[str]:
        keys = ["col_channel", "col_contact", "col_hours", "col_expect"]
        if not self.with_contacts:
            keys.remove("col_contact")
        return [self.book.template("page", key) for key in keys]

    def _faq(self, link: str) -> str:
        return self.book.fill("page", "faq_text", link=link)

    def markdown(self) -> str:
        book = self.book
        out = [
            f"# {_md(self.title)}",
            "",
            _md(self.intro),
            "",
            f"*{_md(book.template('page', 'caption'))}*",
            "",
        ]
        columns = self._columns()
        out.append("| " + " | ".join(_md(c) for c in columns) + " |")
        out.append("|" + "---|" * len(columns))
        for row in self.rows:
            cells = [_md(row.label)]
            if self.with_contacts:
                cells.append(_md_link(row.contact, _href(row.contact)) if row.contact else "")
            cells.append("<br>".join(_md(x) for x in (row.hours, *row.notes)))
            cells.append("<br>".join(_md(x) for x in row.expect))
            out.append("| " + " | ".join(cells) + " |")
        if self.closures:
            out += ["", f"## {_md(book.template('page', 'closures_heading'))}", ""]
            out += [f"- {_md(line)}" for line in self.closures]
        if self.faq_url is not None:
            link = _md_link(book.template("page", "faq_link"), self.faq_url)
            out += ["", f"## {_md(book.template('page', 'faq_heading'))}", ""]
            out.append(_md(self._faq("\x00")).replace("\x00", link))
        out += ["", f"*{_md(self.week_note)}*", ""]
        return "\n".join(out)

    def html(self) -> str:
        book = self.book
        e = _esc
        columns = self._columns()
        out = [
            "<!DOCTYPE html>",
            f'<html lang="{e(book.lang)}" dir="{e(book.locale.text_direction)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(self.title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            f"<h1>{e(self.title)}</h1>",
            f"<p>{e(self.intro)}</p>",
            "<table>",
            f"<caption>{e(book.template('page', 'caption'))}</caption>",
            "<thead>",
            "<tr>" + "".join(f'<th scope="col">{e(c)}</th>' for c in columns) + "</tr>",
            "</thead>",
            "<tbody>",
        ]
        for row in self.rows:
            cells = [f'<th scope="row">{e(row.label)}</th>']
            if self.with_contacts:
                cells.append(
                    f"<td>{_html_link(row.contact, _href(row.contact)) if row.contact else ''}</td>"
                )
            hours = f"<td>{e(row.hours)}" + "".join(f"<br>{e(n)}" for n in row.notes) + "</td>"
            cells.append(hours)
            cells.append(
                "<td><ul>" + "".join(f"<li>{e(x)}</li>" for x in row.expect) + "</ul></td>"
            )
            out.append("<tr>" + "".join(cells) + "</tr>")
        out += ["</tbody>", "</table>"]
        if self.closures:
            out += [
                '<section aria-labelledby="closures">',
                f'<h2 id="closures">{e(book.template("page", "closures_heading"))}</h2>',
                "<ul>" + "".join(f"<li>{e(line)}</li>" for line in self.closures) + "</ul>",
                "</section>",
            ]
        if self.faq_url is not None:
            link = _html_link(book.template("page", "faq_link"), self.faq_url)
            out += [
                '<section aria-labelledby="self-service">',
                f'<h2 id="self-service">{e(book.template("page", "faq_heading"))}</h2>',
                f"<p>{e(self._faq(chr(0))).replace(chr(0), link)}</p>",
                "</section>",
            ]
        out += [f'<p class="note">{e(self.week_note)}</p>', "</main>", "</body>", "</html>", ""]
        return "\n".join(out)


_CSS: Final = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;padding:1rem;"
    "color:#1a1a1a;background:#fff}"
    "main{max-width:60rem;margin:0 auto}"
    "table{border-collapse:collapse;width:100%}"
    "caption{text-align:left;font-weight:600;padding:.5rem 0}"
    "th,td{border:1px solid #767676;padding:.5rem;text-align:left;vertical-align:top}"
    "thead th{background:#f0f0f0}"
    "td ul{margin:0;padding-left:1.2rem}"
    "a{color:#0645ad}"
    ".note{font-size:.9rem;color:#4a4a4a}"
)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_link(text: str, href: str | None) -> str:
    if href is None:
        return _esc(text)
    return f'<a href="{_esc(href)}">{_esc(text)}</a>'


# Characters Markdown could read as markup; "_" only where it can open or close emphasis.
_MD_SPECIAL: Final = re.compile(r"([\\`*\[\]<>|]|(?<!\w)_|_(?!\w)|^#)")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_link(text: str, href: str | None) -> str:
    if href is None:
        return _md(text)
    return f"[{_md(text)}](<{href.replace('>', '%3E').replace(' ', '%20')}>)"
