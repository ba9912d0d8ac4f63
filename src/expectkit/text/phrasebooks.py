"""Phrasebooks: the words and CLDR patterns of one locale, bundled or from user files."""

from __future__ import annotations

import string
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, get_args

import expectkit.text.catalogs as _catalogs
from expectkit._core.errors import InputTypeError, LocaleFallbackWarning, PolicyError
from expectkit.promises.channels import ChannelKind
from expectkit.promises.metrics import METRICS
from expectkit.text._babel import (
    Locale,
    UnknownLocaleError,
    format_datetime,
    format_decimal,
    get_global,
)

__all__ = ["LOCALES", "Phrasebook"]


_ZONE_STYLES: Final = ("short", "long", "offset")


LOCALES: Final[tuple[str, ...]] = _catalogs.available()
"""The bundled catalogs, one per ``.po`` file (``en_US`` only changes English dates and times)."""


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


_ALIASES: Final = _catalogs.ALIASES


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


_SAMPLE: Final = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


_FIELD: Final = string.Formatter()


@dataclass(frozen=True, slots=True, eq=False)
class Phrasebook:
    """The templates of one locale, with Babel's locale data for dates and plurals.

    Load one with :meth:`load`; every function of this module also accepts a locale
    tag and loads the bundled phrasebook itself. ``data`` holds the sections of the
    catalogs (``formats``, ``sentences``, ``actions``, ``units``,
    ``units_relative``, ``hours``, ``channels``, ``kinds``, ``page``), read-only;
    ``locale`` is the Babel locale names and plural rules come from.

    Attributes:
        tag: The most specific catalog or phrasebook file used (``"en_US"``,
            ``"zh_Hans"``; ``"pt_BR"`` for ``pt_PT``, ``"en"`` for ``cs``).
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
        fallback_ok: bool = False,
    ) -> Phrasebook:
        """Load the phrasebook for `locale`, merging overrides over the bundled data.

        The locale is read by Babel (``"ru"``, ``"ru_RU"``, ``"zh-Hans"``, ``"zh_CN"``,
        ``"nb-NO"``). Catalogs are looked up from the general to the specific tag
        (``en``, then ``en_US``), first among the bundled ones and then in
        `directory`, each merged over the one before; `overrides` go last. An
        override is a nested mapping (``{"sentences": {"exact": "..."}}``) or uses
        dotted keys (``{"sentences.exact": "..."}``).

        With no catalog or file for any of those tags, the sentences come from the
        nearest catalog: the same language elsewhere (``pt_PT`` reads ``pt_BR``),
        else English; dates, times and names stay the locale's, from Babel.
        :attr:`fallback` tells which catalog stood in. When that changes the language
        (``cs`` reads English), a :class:`~expectkit.errors.LocaleFallbackWarning` says
        so, unless `fallback_ok`.

        Args:
            locale: A locale tag or a Babel :class:`~babel.Locale`.
            overrides: Templates replacing the catalog's.
            directory: A folder of ``<tag>.toml`` phrasebooks, read after the bundled.
            fallback_ok: Take a catalog in another language without a warning.

        Returns:
            The validated phrasebook.

        Raises:
            PolicyError: An unknown locale, or templates that miss a key, have an
                unknown key or placeholder, or lack a plural form the language needs;
                the message names the key.

        Warns:
            LocaleFallbackWarning: The locale's language has no catalog.

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
            book = _bundled_book(_locale_key(locale))
        else:
            book = _build(_parse_locale(locale), overrides, directory)
        if not fallback_ok and book.text_locale != book.locale:
            warnings.warn(
                LocaleFallbackWarning.for_locale(str(book.locale), book.tag), stacklevel=2
            )
        return book

    @property
    def fallback(self) -> str | None:
        """The catalog standing in for the locale's own, or None when it has its own.

        A catalog is the locale's own when both name the same language, script and
        region once CLDR's likeliest fill the gaps (``ru`` serves ``ru_RU``,
        ``zh_Hans`` serves ``zh_CN``).

        >>> Phrasebook.load("pt_PT").fallback, Phrasebook.load("de_AT").fallback
        ('pt_BR', 'de')
        >>> Phrasebook.load("ru_RU").fallback is None
        True
        """
        return _catalogs.fallback(self.tag, self.locale)

    @property
    def text_locale(self) -> Locale:
        """The locale the sentences are written in, whose plural rules count units.

        That is :attr:`locale`, unless the catalog is in another language
        (``cs`` reads English: ``en``).

        >>> str(Phrasebook.load("cs", fallback_ok=True).text_locale)
        'en'
        """
        return _catalogs.text_locale(self.tag, self.locale)

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
        'Vi {action} senest {span}.'
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
        category = self.text_locale.plural_form(top)
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


def _bundled_file(tag: str) -> Mapping[str, Any] | None:
    return _catalogs.catalog_data(tag)


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
    for chain in (_candidates(locale), _catalogs.nearest(locale)):
        for tag in chain:
            for layer in (_bundled_file(tag), _user_file(folder, tag) if folder else None):
                if layer is not None:
                    _merge(data, layer)
                    found = tag
        if found is not None:
            break
    if overrides:
        _merge(data, _expand_dotted(overrides))
    name = found or str(locale)
    _validate(name, _catalogs.text_locale(name, locale), data)
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
