"""Shared parts of the importers: reading exports, checked fields, matches, windows.

A vendor's condition becomes a :class:`Cond` — the part of an expectkit ``match`` it
says — and conditions combine with :meth:`Cond.and_`, which returns None when two of
them can never hold together (``priority is high`` and ``priority is low``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from expectkit._core.errors import ExpectkitError, ImportFormatError
from expectkit.importers._report import FindingCode, ImportFinding
from expectkit.promises.policy import Policy
from expectkit.time.schedule import Schedule

__all__ = [
    "MAX_EXPORT_BYTES",
    "Cond",
    "Findings",
    "Source",
    "build_policy",
    "conjoin",
    "merge",
    "percent_of",
    "build_schedule",
    "read_export",
    "slug",
    "unique",
    "window_text",
    "yearly_holiday",
]

Source = str | os.PathLike[str]
"""A path to an export file (JSON, as the vendor's API returns it)."""

MAX_EXPORT_BYTES: Final = 64 << 20
"""Largest export file an importer reads (64 MiB)."""

Scalar = str | int | float | bool


def read_export(path: Source) -> tuple[str, object]:
    """Read one JSON export; return its name (for messages) and its data.

    Raises:
        ImportFormatError: The file cannot be read, is too big or is not JSON.

    """
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        if size > MAX_EXPORT_BYTES:
            msg = f"{name}: {size} bytes is more than the {MAX_EXPORT_BYTES} an export may hold"
            raise ImportFormatError(msg)
        text = Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"{name}: cannot read the export: {exc.strerror or exc}"
        raise ImportFormatError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"{name}: not UTF-8 text ({exc.reason})"
        raise ImportFormatError(msg) from exc
    try:
        return name, json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{name}, line {exc.lineno}, column {exc.colno}: not JSON: {exc.msg}"
        raise ImportFormatError(msg) from exc


class Findings:
    """Collects what did not map, in the order it was met."""

    def __init__(self) -> None:
        self.items: list[ImportFinding] = []

    def add(self, source: str, path: str, code: FindingCode, message: str) -> None:
        """Record one finding."""
        self.items.append(ImportFinding(source, path, code, message))

    def unknown_keys(
        self, obj: Mapping[str, Any], known: Iterable[str], source: str, path: str
    ) -> None:
        """Record every key of `obj` that is not in `known`."""
        allowed = set(known)
        for key in obj:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.add(source, where, "field", f"unknown field {key!r} not imported")


# -- checked fields ------------------------------------------------------------------


def need(obj: Mapping[str, Any], key: str, source: str, path: str) -> Any:
    """Return ``obj[key]``, or raise naming the missing field."""
    if key not in obj or obj[key] is None:
        raise ImportFormatError(f"{source}: {path}.{key}: missing")
    return obj[key]


def as_dict(value: object, source: str, path: str) -> Mapping[str, Any]:
    """Return `value` if it is a JSON object, else raise naming the field."""
    if not isinstance(value, Mapping):
        raise ImportFormatError.at(source, path, _short(value), "expected a JSON object")
    return value


def as_list(value: object, source: str, path: str) -> Sequence[Any]:
    """Return `value` if it is a JSON array, else raise naming the field."""
    if not isinstance(value, list):
        raise ImportFormatError.at(source, path, _short(value), "expected a JSON array")
    return value


def as_int(value: object, source: str, path: str, what: str = "an integer") -> int:
    """Return `value` as an int (JSON numbers without a fraction), else raise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ImportFormatError.at(source, path, value, f"expected {what}")
    return int(value)


def as_bool(value: object, source: str, path: str) -> bool:
    """Return `value` if it is true or false, else raise."""
    if not isinstance(value, bool):
        raise ImportFormatError.at(source, path, value, "expected true or false")
    return value


def as_str(value: object, source: str, path: str) -> str:
    """Return `value` if it is a non-empty string, else raise."""
    if not isinstance(value, str) or not value.strip():
        raise ImportFormatError.at(source, path, value, "expected a non-empty string")
    return value.strip()


def _short(value: object) -> object:
    text = repr(value)
    return value if len(text) <= 60 else f"{text[:57]}..."


# -- conditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cond:
    """A conjunction of match criteria: what one vendor condition (or several) says.

    ``channel`` and ``priority`` are sets of allowed names (None: any), ``tags`` must
    all be present, each attribute must take one of its values.

    >>> a = Cond(priority=frozenset({"high", "urgent"}))
    >>> b = Cond(priority=frozenset({"urgent"}), tags=frozenset({"vip"}))
    >>> a.and_(b).match()
    {'priority': ['urgent'], 'tags': ['vip']}
    >>> a.and_(Cond(priority=frozenset({"low"}))) is None
    True
    """

    channel: frozenset[str] | None = None
    priority: frozenset[str] | None = None
    tags: frozenset[str] = frozenset()
    attributes: tuple[tuple[str, frozenset[Scalar]], ...] = field(default=())

    @classmethod
    def attribute(cls, key: str, values: Iterable[Scalar]) -> Cond:
        """Return the condition that attribute `key` takes one of `values`."""
        return cls(attributes=((key, frozenset(values)),))

    def and_(self, other: Cond) -> Cond | None:
        """Return the condition that both hold, or None if they never hold together."""
        channel = _meet(self.channel, other.channel)
        priority = _meet(self.priority, other.priority)
        if channel == frozenset() or priority == frozenset():
            return None
        attributes = dict(self.attributes)
        for key, values in other.attributes:
            both = attributes[key] & values if key in attributes else values
            if not both:
                return None
            attributes[key] = both
        return Cond(channel, priority, self.tags | other.tags, tuple(sorted(attributes.items())))

    def match(self) -> dict[str, Any]:
        """Return the expectkit ``match`` mapping (values sorted, empty parts left out)."""
        out: dict[str, Any] = {}
        if self.channel is not None:
            out["channel"] = sorted(self.channel)
        if self.priority is not None:
            out["priority"] = sorted(self.priority)
        if self.tags:
            out["tags"] = sorted(self.tags)
        if self.attributes:
            out["attributes"] = {k: sorted(v, key=repr) for k, v in self.attributes}
        return out


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    return a if b is None else a & b


def conjoin(parts: Sequence[Sequence[Cond]]) -> list[Cond]:
    """Return the alternatives of an AND of ORs: one :class:`Cond` per satisfiable pick.

    >>> high = Cond(priority=frozenset({"high"}))
    >>> [c.match() for c in conjoin([[high], [Cond(tags=frozenset({"a"})), Cond()]])]
    [{'priority': ['high'], 'tags': ['a']}, {'priority': ['high']}]
    """
    out = [Cond()]
    for alternatives in parts:
        out = [c for a in out for b in alternatives if (c := a.and_(b)) is not None]
    return list(dict.fromkeys(out))


def merge(alternatives: Sequence[Cond]) -> list[Cond]:
    """Join alternatives that differ only in their channels, priorities or one attribute.

    >>> mail = Cond(channel=frozenset({"mail"}))
    >>> [c.match() for c in merge([mail, Cond(channel=frozenset({"web_form"}))])]
    [{'channel': ['mail', 'web_form']}]
    """
    out: list[Cond] = []
    for cond in alternatives:
        for i, seen in enumerate(out):
            joined = _join(seen, cond)
            if joined is not None:
                out[i] = joined
                break
        else:
            out.append(cond)
    return out


def _join(a: Cond, b: Cond) -> Cond | None:
    if a.tags != b.tags:
        return None
    same_attributes = a.attributes == b.attributes
    if a.priority == b.priority and same_attributes and a.channel and b.channel:
        return Cond(a.channel | b.channel, a.priority, a.tags, a.attributes)
    if a.channel == b.channel and same_attributes and a.priority and b.priority:
        return Cond(a.channel, a.priority | b.priority, a.tags, a.attributes)
    if a.channel != b.channel or a.priority != b.priority:
        return None
    mine, theirs = dict(a.attributes), dict(b.attributes)
    if mine.keys() != theirs.keys():
        return None
    differ = [k for k in mine if mine[k] != theirs[k]]
    if len(differ) != 1:
        return None
    mine[differ[0]] = mine[differ[0]] | theirs[differ[0]]
    return Cond(a.channel, a.priority, a.tags, tuple(sorted(mine.items())))


# -- names, windows, schedules -------------------------------------------------------------

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str) -> str:
    """Return a lower-case, dash-separated name for `text` (`fallback` if nothing is left).

    >>> slug("Silver Plan (EMEA)", "policy")
    'silver-plan-emea'
    """
    return _SLUG.sub("-", text.lower()).strip("-") or fallback


def unique(name: str, used: set[str]) -> str:
    """Return `name`, or `name-2`, `name-3`, ... if it is taken; mark it as used."""
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate)
    return candidate


def window_text(seconds: int, business: bool) -> str:
    """Return a window string for a duration of `seconds` on one clock.

    The largest of hours, minutes and seconds that divides it exactly is used, never
    days: a vendor's "24 hours" is 24 hours, not a business day or a calendar date.

    >>> window_text(3600, True), window_text(5400, False), window_text(86400, False)
    ('1 business hour', '90 minutes', '24 hours')
    """
    size, unit = next(
        u for u in ((3600, "hour"), (60, "minute"), (1, "second")) if seconds % u[0] == 0
    )
    amount = seconds // size
    word = unit if amount == 1 else f"{unit}s"
    return f"{amount} {'business ' if business else ''}{word}"


def closed_dates(spans: Iterable[tuple[date, date]]) -> list[str]:
    """Return ``closed`` entries for inclusive date spans, in order, without repeats."""
    out: list[str] = []
    for start, end in sorted(set(spans)):
        entry = start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
        out.append(entry)
    return out


def parse_date(value: object, source: str, path: str) -> date:
    """Return the date of an ISO ``YYYY-MM-DD`` string, else raise naming the field."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ImportFormatError.at(source, path, value, "expected a date such as '2026-12-25'")


_YEARLY = re.compile(r"--(\d{2})-(\d{2})")
_MAX_PERCENT: Final = 1000


def yearly_holiday(
    value: object, years: Sequence[int] | None, source: str, path: str, findings: Findings
) -> list[tuple[date, date]]:
    """Return the closed days of a holiday: a date, or ``--MM-DD`` in each of `years`.

    Without `years` a yearly holiday is reported and closes nothing.

    >>> yearly_holiday("--12-25", [2026, 2027], "h.json", "holidays[0]", Findings())[1][0]
    datetime.date(2027, 12, 25)
    """
    found = _YEARLY.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        day = parse_date(value, source, path)
        return [(day, day)]
    month, day_of_month = int(found.group(1)), int(found.group(2))
    if years is None:
        findings.add(
            source,
            path,
            "holiday",
            f"yearly holiday {value!r} is not closed: give the years to close it in "
            "(holiday_years, or --holiday-years on the command line)",
        )
        return []
    out = []
    for year in years:
        try:
            day = date(year, month, day_of_month)
        except ValueError:
            continue  # 29 February in a year without it
        out.append((day, day))
    if not out and years:
        raise ImportFormatError.at(source, path, value, "not a day of the year")
    return out


def percent_of(share: Fraction) -> str | None:
    """Return `share` as an exact percentage string, or None if it has none up to 1000 %.

    >>> percent_of(Fraction(3, 2)), percent_of(Fraction(9, 8)), percent_of(Fraction(4, 3))
    ('150%', '112.5%', None)
    """
    value = share * 100
    if not 0 < value <= _MAX_PERCENT:
        return None
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{format(exact.normalize(), 'f')}%"


def build_schedule(data: Mapping[str, Any], source: str, path: str) -> Schedule:
    """Build a :class:`Schedule` from its mapping, naming `path` if it is invalid."""
    try:
        return Schedule.model_validate(data)
    except ExpectkitError as exc:
        msg = f"{source}: {path}: the schedule does not import: {exc}"
        raise ImportFormatError(msg) from exc


def build_policy(data: Mapping[str, Any], sources: Sequence[str]) -> Policy:
    """Build the :class:`Policy`, naming the exports if the result is invalid."""
    try:
        return Policy.model_validate(data)
    except ExpectkitError as exc:
        msg = f"{', '.join(sources) or '<export>'}: the imported policy is invalid: {exc}"
        raise ImportFormatError(msg) from exc
