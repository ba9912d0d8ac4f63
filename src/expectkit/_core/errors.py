"""Exceptions and warnings raised by expectkit.

Every exception raised on purpose derives from :class:`ExpectkitError` and also from
the nearest builtin (``ValueError`` or ``TypeError``), so callers can catch either.
Messages quote the bad value with ``repr`` and say where it came from.

>>> from expectkit.errors import ExpectkitError, ScheduleError
>>> issubclass(ScheduleError, ExpectkitError) and issubclass(ScheduleError, ValueError)
True
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class ExpectkitError(Exception):
    """Base class of every error expectkit raises on purpose.

    >>> isinstance(ExpectkitError("x"), Exception)
    True
    """


class ScheduleError(ExpectkitError, ValueError):
    """A schedule definition is invalid (bad hours, day key, zone, holidays, dates).

    >>> str(ScheduleError.at("weekly.mon", "25:00", "hours run from 00:00 to 24:00"))
    "weekly.mon: '25:00': hours run from 00:00 to 24:00"
    """

    @classmethod
    def at(cls, where: str, value: Any, problem: str) -> ScheduleError:
        """Build the error for `value` found at `where` (a field path).

        >>> ScheduleError.at("tz", "Mars/Base", "unknown time zone").args[0]
        "tz: 'Mars/Base': unknown time zone"
        """
        return cls(f"{where}: {value!r}: {problem}")


class NaiveDatetimeError(ExpectkitError, ValueError):
    """A datetime without a time zone was given where an instant is required.

    >>> from datetime import datetime
    >>> str(NaiveDatetimeError.for_value(datetime(2026, 1, 5, 9, 0), "t"))[:44]
    't: datetime(2026, 1, 5, 9, 0) is naive (no t'
    """

    @classmethod
    def for_value(cls, value: datetime, where: str) -> NaiveDatetimeError:
        """Build the error for a naive `value` passed as argument `where`.

        >>> NaiveDatetimeError.for_value(datetime(2026, 1, 1), "start").args[0].startswith("start")
        True
        """
        shown = repr(value).removeprefix("datetime.")
        return cls(
            f"{where}: {shown} is naive (no tzinfo); pass an aware datetime, "
            "e.g. datetime(..., tzinfo=ZoneInfo('Europe/Berlin'))"
        )


class InputTypeError(ExpectkitError, TypeError):
    """An argument has the wrong type (for example a string where a datetime is needed).

    >>> str(InputTypeError.for_value("2026-01-05", "t", "datetime"))
    "t: expected datetime, got str '2026-01-05'"
    """

    @classmethod
    def for_value(cls, value: object, where: str, expected: str) -> InputTypeError:
        """Build the error for `value` of the wrong type passed as `where`.

        >>> InputTypeError.for_value(3, "d", "timedelta").args[0]
        'd: expected timedelta, got int 3'
        """
        return cls(f"{where}: expected {expected}, got {type(value).__name__} {value!r}")


class ImmutableError(ExpectkitError, AttributeError):
    """An attribute of a frozen model was assigned; build a new one with ``model_copy``.

    >>> issubclass(ImmutableError, AttributeError)
    True
    """


class OutOfRangeError(ExpectkitError, ValueError):
    """An instant lies outside the years expectkit supports (1900 to 2199).

    >>> issubclass(OutOfRangeError, ValueError)
    True
    """


class HorizonError(ExpectkitError, ValueError):
    """A search for open time went further than the schedule's horizon.

    Raised instead of looping when a schedule (after holidays and closures) has no
    open time close enough to answer, or a duration reaches past the horizon.

    >>> issubclass(HorizonError, ExpectkitError)
    True
    """


class WindowParseError(ExpectkitError, ValueError):
    """A duration or window string (``"1-3 business days"``) could not be parsed.

    >>> issubclass(WindowParseError, ValueError)
    True
    """


class PolicyError(ExpectkitError, ValueError):
    """A policy (file or model) is invalid; the message names file, line and field.

    >>> issubclass(PolicyError, ValueError)
    True
    """


class EventError(ExpectkitError, ValueError):
    """A ticket event is invalid or out of place; the message names source, line and ticket.

    Raised for an unknown event type, a bad field, an event before the ticket's
    ``created`` event, a second ``created``, or a ticket the clock has no events for.

    >>> str(EventError.at("events.jsonl", 3, "T1", "a second 'created' event"))
    "events.jsonl, line 3, ticket 'T1': a second 'created' event"
    """

    @classmethod
    def at(cls, source: str | None, line: int | None, ticket: object, problem: str) -> EventError:
        """Build the error for `problem` found in `ticket`'s event on `line` of `source`.

        >>> EventError.at(None, 7, None, "unknown event type 'x'").args[0]
        "line 7: unknown event type 'x'"
        """
        parts = [source] if source else []
        if line is not None:
            parts.append(f"line {line}")
        if ticket is not None:
            parts.append(f"ticket {ticket!r}")
        return cls(f"{', '.join(parts) or '<events>'}: {problem}")


class PendingTicketError(EventError):
    """A ticket's events are pending: its ``created`` event has not arrived yet.

    >>> issubclass(PendingTicketError, EventError)
    True
    """


class ImportFormatError(ExpectkitError, ValueError):
    """A helpdesk export cannot be imported; the message names the file and the field.

    >>> str(ImportFormatError.at("slas.json", "sla_policies[0].policy_metrics[1].target", "x",
    ...                          "expected minutes as an integer"))
    "slas.json: sla_policies[0].policy_metrics[1].target: 'x': expected minutes as an integer"
    """

    @classmethod
    def at(cls, source: str, field: str, value: Any, problem: str) -> ImportFormatError:
        """Build the error for `value` found at `field` of the export `source`.

        >>> ImportFormatError.at("hours.json", "time_zone", "Mars", "unknown zone").args[0]
        "hours.json: time_zone: 'Mars': unknown zone"
        """
        return cls(f"{source}: {field}: {value!r}: {problem}")


class ServiceError(ExpectkitError, ValueError):
    """The service cannot start or reload as configured: tokens, bind address, policy file.

    >>> issubclass(ServiceError, ValueError)
    True
    """


class ExpectkitWarning(UserWarning):
    """Base class of warnings about risky but legal input.

    >>> issubclass(ExpectkitWarning, UserWarning)
    True
    """


class LocaleFallbackWarning(ExpectkitWarning):
    """A locale's language has no catalog, so its sentences are in another language.

    Dates, times and zone names still come out in the locale (Babel's CLDR data); the
    sentences come from the nearest catalog, English when no catalog shares the
    language. Silence it with ``Phrasebook.load(locale, fallback_ok=True)``.

    >>> print(LocaleFallbackWarning.for_locale("cs", "en"))
    locale 'cs' has no catalog: sentences are in 'en', dates and names in 'cs'; add a \
catalog (CONTRIBUTING.md, "Translations") or a 'cs.toml' with directory=, or pass \
fallback_ok=True to Phrasebook.load
    """

    @classmethod
    def for_locale(cls, locale: str, catalog: str) -> LocaleFallbackWarning:
        """Build the warning for `locale`, whose sentences come from `catalog`."""
        return cls(
            f"locale {locale!r} has no catalog: sentences are in {catalog!r}, dates and "
            f'names in {locale!r}; add a catalog (CONTRIBUTING.md, "Translations") or a '
            f"{locale + '.toml'!r} with directory=, or pass fallback_ok=True to "
            "Phrasebook.load"
        )


# The errors are public as ``expectkit.errors``: tracebacks, reprs and pickles name them there.
_errors: list[type] = [ExpectkitError, ExpectkitWarning]
for _error in _errors:  # the list grows as it goes: subclasses at any depth
    _errors.extend(_error.__subclasses__())
    _error.__module__ = "expectkit.errors"
del _error, _errors
