"""The bundled message catalogs: gettext ``.po`` files read with Babel, and their fallback.

Each catalog is ``locales/<tag>/LC_MESSAGES/expectkit.po``, translated from the template
``locales/expectkit.pot`` (extracted from :mod:`expectkit.text.messages`); adding a locale is
adding one file (CONTRIBUTING.md, "Translations"). The files are read at run time,
once each, so the wheel carries exactly what the repository holds and there is no
build step. A catalog becomes the phrasebook's nested mapping: the context of a
message (``sentences.exact``) is its place, its translation the template.

Rules the reading follows:

* an entry that is fuzzy, untranslated (an empty ``msgstr``) or whose ``msgid`` is not
  the source's any more is left out, so a regional catalog (``en_US``) holds only what
  differs from its language's (``en``), and a stale translation is never shown;
* a counted unit's forms are indexed by the catalog's ``Plural-Forms`` expression (the
  one ``pybabel init`` writes, from :func:`babel.messages.plurals.get_plural`), while
  expectkit picks a form by the CLDR plural category of the number. The two are tied
  by evaluating both over whole numbers: every category must land on one index. A
  category no whole number takes (Russian ``other``, Czech ``many``: fractions only,
  which expectkit never counts) gets the expression's last form;
* a locale with no catalog of its own takes the nearest one: the same language and
  script in another region (``pt_PT`` takes ``pt_BR``), else English.

>>> "ru" in available() and "pt_BR" in available()
True
>>> catalog_data("ru")["units"]["business_day"]["few"]
'{n} рабочих дней'
>>> nearest(Locale.parse("pt_PT")), nearest(Locale.parse("cs"))
(['pt_BR'], ['en'])
>>> fallback("de", Locale.parse("de_AT")), fallback("ru", Locale.parse("ru_RU"))
('de', None)
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any, Final

from babel import Locale
from babel.core import get_global
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from expectkit._core.errors import PolicyError
from expectkit.text.messages import MESSAGES, Message

__all__ = [
    "ALIASES",
    "DOMAIN",
    "available",
    "catalog_data",
    "fallback",
    "nearest",
    "plural_slots",
    "read_catalog",
    "text_locale",
]

DOMAIN: Final = "expectkit"
"""The gettext domain: the catalogs' file name."""

ALIASES: Final[Mapping[str, str]] = {"no": "nb"}  # Norwegian is written as Bokmål here
"""Languages read as another one's catalog."""

FALLBACK: Final = "en"
"""The catalog a locale takes when its language has none."""

_SOURCE: Final[Mapping[str, Message]] = {m.key: m for m in MESSAGES}
# Whole numbers whose CLDR category and gettext index are compared: every count up to
# a thousand, and the round millions French, Spanish, Italian and Portuguese count apart.
_SAMPLES: Final = (*range(1001), 10_000, 100_000, 1_000_000, 1_000_001, 2_000_000)


def _folder() -> Traversable:
    return resources.files("expectkit").joinpath("locales")


def _file(tag: str) -> Traversable:
    return _folder().joinpath(tag, "LC_MESSAGES", f"{DOMAIN}.po")


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """Return the tags of the bundled catalogs, sorted.

    >>> available()[:3]
    ('bg', 'de', 'en')
    """
    return tuple(sorted(e.name for e in _folder().iterdir() if _file(e.name).is_file()))


@lru_cache(maxsize=64)
def read_catalog(tag: str) -> Catalog | None:
    """Return the bundled catalog for `tag` as Babel reads it, or None without one."""
    resource = _file(tag)
    if not resource.is_file():
        return None
    with resource.open("rb") as handle:
        return read_po(handle, locale=tag, domain=DOMAIN)


def plural_slots(catalog: Catalog, tag: str) -> Mapping[str, int]:
    """Map each CLDR plural category of `tag` to its form's index in `catalog`.

    Raises:
        PolicyError: The catalog's ``Plural-Forms`` splits a CLDR category over two
            forms, or names a form the catalog does not have.

    >>> dict(plural_slots(read_catalog("ru"), "ru"))
    {'many': 2, 'one': 0, 'few': 1, 'other': 2}

    """
    rule = Locale.parse(tag).plural_form
    index = gettext.c2py(catalog.plural_expr)
    seen: dict[str, set[int]] = {}
    for n in _SAMPLES:
        seen.setdefault(rule(n), set()).add(index(n))
    slots: dict[str, int] = {}
    for category, indices in seen.items():
        if len(indices) > 1 or max(indices) >= catalog.num_plurals:
            msg = (
                f"catalog {tag!r}: Plural-Forms {catalog.plural_forms!r} gives the CLDR "
                f"category {category!r} the forms {sorted(indices)}; write the header "
                f"pybabel init writes ({catalog.num_plurals} forms)"
            )
            raise PolicyError(msg)
        slots[category] = indices.pop()
    for category in sorted({*rule.tags, "other"} - set(slots)):
        slots[category] = catalog.num_plurals - 1
    return MappingProxyType(slots)


@lru_cache(maxsize=64)
def catalog_data(tag: str) -> Mapping[str, Any] | None:
    """Return the bundled catalog for `tag` as a phrasebook's nested mapping, or None.

    Only translated, current entries are in it; a counted unit maps each CLDR plural
    category to its form.

    >>> catalog_data("en_US")["formats"]["time"]
    'h:mm a'
    >>> catalog_data("xx") is None
    True
    """
    catalog = read_catalog(tag)
    if catalog is None:
        return None
    slots = plural_slots(catalog, tag)
    data: dict[str, dict[str, Any]] = {}
    for message in catalog:
        source = _SOURCE.get(message.context or "")
        if source is None or message.fuzzy:
            continue
        section, _, key = source.key.partition(".")
        if source.plural is None:
            if message.id == source.text and isinstance(message.string, str) and message.string:
                data.setdefault(section, {})[key] = message.string
            continue
        strings = message.string
        if message.id != (source.text, source.plural) or not isinstance(strings, tuple):
            continue
        forms = {category: strings[slot] for category, slot in slots.items()}
        if all(forms.values()):
            data.setdefault(section, {})[key] = MappingProxyType(forms)
    return MappingProxyType({section: MappingProxyType(keys) for section, keys in data.items()})


@lru_cache(maxsize=256)
def _maximize(tag: str) -> tuple[str, str, str]:
    """Return `tag`'s language, script and region, the missing ones CLDR's likeliest."""
    locale = Locale.parse(tag)
    language = ALIASES.get(locale.language, locale.language)
    likely: Mapping[str, str] = get_global("likely_subtags")

    def parts(key: str) -> list[str]:
        return str(likely.get(key, "")).split("_")[1:]

    script = locale.script or next((p for p in parts(language) if len(p) == 4), "")
    region = locale.territory or next(
        (p for p in parts(f"{language}_{script}") or parts(language) if len(p) != 4), ""
    )
    return language, script, region


def nearest(locale: Locale) -> list[str]:
    """Return the catalog chain, general to specific, for a locale without its own.

    The nearest catalog has the locale's language and script, in its language's
    likeliest region if there is one of those (``pt`` is Brazil's); else English.
    """
    language, script, _ = _maximize(str(locale))
    same = [tag for tag in available() if _maximize(tag)[:2] == (language, script)]
    if not same:
        return [FALLBACK]
    home = _maximize(language)
    best = min(same, key=lambda tag: (_maximize(tag) != home, len(tag), tag))
    return sorted((t for t in available() if best == t or best.startswith(f"{t}_")), key=len)


@lru_cache(maxsize=256)
def _fallback(tag: str, locale: str) -> str | None:
    return None if _maximize(tag) == _maximize(locale) else tag


def fallback(tag: str, locale: Locale) -> str | None:
    """Return `tag` when its catalog is not the locale's own, else None.

    A catalog is the locale's own when both name the same language, script and region
    once CLDR's likeliest fill the gaps (``ru`` is ``ru_RU``'s, ``zh_Hans`` is
    ``zh_CN``'s, ``en`` is not ``en_GB``'s).
    """
    return _fallback(tag, str(locale))


def text_locale(tag: str, locale: Locale) -> Locale:
    """Return the locale the sentences of catalog `tag` are written in, for `locale`.

    That is `locale` itself when the catalog is in its language (its plural rules
    apply: Portugal's to the Brazilian catalog), else the catalog's own locale.

    >>> str(text_locale("pt_BR", Locale.parse("pt_PT"))), str(text_locale("en", Locale("lv")))
    ('pt_PT', 'en')
    """
    if _maximize(tag)[0] == _maximize(str(locale))[0]:
        return locale
    return Locale.parse(tag)
