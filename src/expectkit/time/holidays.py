"""Public holidays of a country (and subdivision) as closed dates, via ``holidays``."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, ClassVar

import holidays as holidays_pkg
from pydantic import field_validator, model_validator

from expectkit._core.base import FrozenModel
from expectkit._core.errors import (
    ExpectkitError,
    ScheduleError,
)

__all__ = ["Holidays"]


class Holidays(FrozenModel):
    """Public holidays from the `holidays` package, by country and subdivision.

    Args:
        country: ISO 3166-1 alpha-2 code, e.g. ``"DE"``.
        subdiv: Subdivision code as the `holidays` package knows it, e.g. ``"BE"``.
        categories: Holiday categories (default: the package's public holidays).
        observed: Include observed (substitute) days where the country has them.

    Raises:
        ScheduleError: Unknown country, subdivision or category.

    >>> h = Holidays(country="DE", subdiv="BE")
    >>> date(2026, 3, 8) in h.dates(2026)  # International Women's Day in Berlin
    True

    """

    _error: ClassVar[type[ExpectkitError]] = ScheduleError

    country: str
    subdiv: str | None = None
    categories: tuple[str, ...] | None = None
    observed: bool = True

    @field_validator("country", mode="before")
    @classmethod
    def _check_country(cls, value: object) -> object:
        # Checked against the package's list, not looked up as a module attribute
        # (``HolidayBase``, ``"Germany"`` and alpha-3 codes resolved there too).
        if not isinstance(value, str):
            raise ScheduleError.at("holidays.country", value, "expected an ISO 3166-1 alpha-2 code")
        supported = _supported_countries()
        if value in supported and re.fullmatch(r"[A-Z]{2}", value):
            return value
        if value.strip().upper() in supported and re.fullmatch(r"[A-Z]{2}", value.strip().upper()):
            hint = f"write {value.strip().upper()!r}"
        else:
            alpha2 = _alpha2_for(value.strip())
            hint = f"write {alpha2!r}" if alpha2 else "use an ISO 3166-1 alpha-2 code like 'DE'"
        raise ScheduleError.at(
            "holidays.country",
            value,
            f"not a country code the holidays package supports; {hint}",
        )

    @model_validator(mode="after")
    def _check_known(self) -> Holidays:
        try:
            _holiday_dates(self.country, self.subdiv, self.categories, self.observed, 2026)
        except ExpectkitError:
            raise
        except Exception as exc:  # the package raises NotImplementedError, KeyError, ...
            raise ScheduleError.at(
                "holidays", self.model_dump(exclude_defaults=True), _short(exc)
            ) from None
        return self

    def dates(self, year: int) -> frozenset[date]:
        """Return the holiday dates of `year`.

        >>> len(Holidays(country="US").dates(2026)) >= 10
        True
        """
        return _holiday_dates(self.country, self.subdiv, self.categories, self.observed, year)


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays_pkg.list_supported_countries())


def _alpha2_for(value: str) -> str | None:
    """Return the alpha-2 code a country's alpha-3 code or class name stands for, if any."""
    found = getattr(holidays_pkg, value, None) if value.isidentifier() else None
    code = getattr(found, "country", None)
    if isinstance(code, str) and len(code) == 2 and code in _supported_countries():
        return code
    return None


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


@lru_cache(maxsize=4096)
def _holiday_dates(
    country: str, subdiv: str | None, categories: tuple[str, ...] | None, observed: bool, year: int
) -> frozenset[date]:
    kwargs: dict[str, Any] = {"years": year, "observed": observed}
    if subdiv is not None:
        kwargs["subdiv"] = subdiv
    if categories is not None:
        kwargs["categories"] = categories
    table = holidays_pkg.country_holidays(country, **kwargs)
    return frozenset(table.keys())
