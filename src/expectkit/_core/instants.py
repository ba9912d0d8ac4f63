"""Strict instants: an aware ``datetime`` or ISO 8601 text with an offset, nothing else.

pydantic's lax mode reads a number, or a string of digits, as a Unix timestamp in
UTC, so ``effective_from: 42`` meant 1970-01-01T00:00:42Z. Here an instant is only

* an aware :class:`~datetime.datetime` (a pytz zone must be attached with
  ``zone.localize()``: a pytz zone attached directly carries the zone's first,
  local-mean-time offset), or
* ISO 8601 text with a date, a time and a UTC offset (``Z`` or ``±HH:MM``), with
  at most six decimals of a second (expectkit counts microseconds; a finer
  fraction would be cut silently, making two different instants equal).

Numbers, numeric strings, dates without a time and ``NaT`` are refused with a
message that shows what to write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Final

from pydantic import ValidationInfo

from expectkit._core.errors import (
    ExpectkitError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
)

__all__ = ["check_instant", "instant_validator", "is_iso_instant", "parse_instant"]

_EXAMPLE: Final = "'2026-11-20T16:30:00+01:00'"
# The usual spelling, tested first: seconds, up to six decimals, Z or ±HH:MM.
_COMMON: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")
_ISO: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?P<fraction>[.,]\d+)?)?"
    r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)?"
)


def _pytz_unlocalized(value: datetime) -> bool:
    """Tell whether `value` carries a pytz zone attached without ``localize``."""
    zone = value.tzinfo
    normalize = getattr(zone, "normalize", None)
    if normalize is None or not hasattr(zone, "localize"):
        return False
    return bool(normalize(value).tzinfo is not zone)


def check_instant(value: object, where: str) -> datetime:
    """Return `value` if it is an aware datetime that names an instant, else raise.

    Raises:
        InputTypeError: Not a datetime, ``NaT``, or a pytz zone attached without
            ``localize``.
        NaiveDatetimeError: No UTC offset.
        OutOfRangeError: The instant has no UTC equivalent (year 1 or 9999 with
            an offset that moves it out of the calendar).

    >>> check_instant(42, "at")
    Traceback (most recent call last):
    expectkit.errors.InputTypeError: at: expected an aware datetime, got int 42

    """
    if not isinstance(value, datetime):
        raise InputTypeError.for_value(value, where, "an aware datetime")
    if type(value) is not datetime and _is_nat(value):
        raise InputTypeError(
            f"{where}: got NaT (a missing pandas timestamp), not an instant; "
            "drop or fill missing values first, or use expectkit.batch for Series with NaT"
        )
    offset = value.utcoffset()
    if offset is None:
        raise NaiveDatetimeError.for_value(value, where)
    if _pytz_unlocalized(value):
        zone = getattr(value.tzinfo, "zone", value.tzinfo)
        raise InputTypeError(
            f"{where}: {value.isoformat()!r} carries the pytz zone {zone!r} attached "
            f"directly, which uses its local mean time {offset}; attach pytz zones with "
            f"zone.localize(naive), or use zoneinfo.ZoneInfo({zone!r})"
        )
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise OutOfRangeError(
            f"{where}: {value.isoformat()} has no UTC equivalent in the calendar; "
            "instants lie in the years 1900..2199"
        ) from None
    return value


def _is_nat(value: datetime) -> bool:
    try:
        return math.isnan(value.timestamp()) if value.tzinfo is None else value != value
    except (ValueError, TypeError, OverflowError):
        return True


def is_iso_instant(text: str) -> bool:
    """Tell whether `text` is ISO 8601 with a time and an offset, to the microsecond at most.

    A quick test for readers that parse with pydantic on their own: text it accepts
    :func:`parse_instant` reads the same way (a date out of range still fails there).

    >>> is_iso_instant("2026-11-20T16:30Z"), is_iso_instant("1763652600")
    (True, False)
    """
    if _COMMON.fullmatch(text):
        return True
    match = _ISO.fullmatch(text)
    if match is None or match.group("offset") is None:
        return False
    fraction = match.group("fraction")
    return fraction is None or len(fraction) <= 7


def parse_instant(value: object, where: str) -> datetime:
    """Read an instant strictly: an aware datetime, or ISO 8601 text with an offset.

    Raises:
        InputTypeError: A number, a boolean or another type.
        NaiveDatetimeError: Text or a datetime without a UTC offset.
        ValueError: Text that is not an ISO 8601 date and time, or with more
            than six decimals of a second (the caller re-raises its own error).

    >>> parse_instant("2026-11-20T16:30Z", "at").isoformat()
    '2026-11-20T16:30:00+00:00'
    >>> parse_instant("1763652600", "at")
    Traceback (most recent call last):
    ValueError: at: '1763652600' is a number, not an instant (numbers are not read as ...

    """
    if isinstance(value, datetime):
        return check_instant(value, where)
    if isinstance(value, bool | int | float):
        kind = "a boolean" if isinstance(value, bool) else "a number"
        raise InputTypeError(
            f"{where}: {value!r} is {kind}, not an instant (numbers are not read as "
            f"Unix timestamps); write ISO 8601 with an offset, e.g. {_EXAMPLE}"
        )
    if isinstance(value, date):
        msg = (
            f"{where}: {value.isoformat()!r} is a date, with no time and no UTC offset; "
            f"write e.g. '{value.isoformat()}T00:00:00+01:00'"
        )
        raise ValueError(msg)
    if not isinstance(value, str):
        raise InputTypeError.for_value(value, where, f"ISO 8601 text such as {_EXAMPLE}")
    text = value.strip()
    if re.fullmatch(r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?", text):
        msg = (
            f"{where}: {value!r} is a number, not an instant (numbers are not read as "
            f"Unix timestamps); write ISO 8601 with an offset, e.g. {_EXAMPLE}"
        )
        raise ValueError(msg)
    match = _ISO.fullmatch(text)
    if match is None:
        msg = f"{where}: {value!r} is not an ISO 8601 date and time; write e.g. {_EXAMPLE}"
        raise ValueError(msg)
    fraction = match.group("fraction")
    if fraction is not None and len(fraction) > 7:
        msg = (
            f"{where}: {value!r} gives a fraction of a second finer than a microsecond, "
            "which expectkit cannot hold; round it to at most 6 decimals"
        )
        raise ValueError(msg)
    if match.group("offset") is None:
        msg = f"{where}: {value!r} is naive (no UTC offset); write e.g. {text}+01:00 or {text}Z"
        raise NaiveDatetimeError(msg)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{where}: {value!r} is not a valid date and time; write e.g. {_EXAMPLE}"
        raise ValueError(msg) from None
    return check_instant(parsed, where)


def instant_validator(error: type[ExpectkitError]) -> Callable[[object, ValidationInfo], object]:
    """Return a pydantic before-validator reading an instant with :func:`parse_instant`.

    Use it as ``Annotated[datetime, BeforeValidator(instant_validator(MyError))]``.
    Every failure is raised as `error` (a ``ValueError`` subclass, so pydantic keeps
    it) with the field name in front, the shape the models' converters join onto a path.
    """

    def validate(value: object, info: ValidationInfo) -> object:
        if value is None:
            return None
        where = info.field_name or "instant"
        try:
            return parse_instant(value, where)
        except (ValueError, TypeError) as exc:
            raise error(str(exc)) from None

    return validate
