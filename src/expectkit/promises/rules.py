"""Rules and requests: what a rule matches, when it is in force, and what is being quoted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import (
    Annotated,
    Any,
    Self,
    TypeAlias,
    TypeVar,
)
from zoneinfo import ZoneInfo

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from expectkit._core.base import FrozenModel
from expectkit._core.errors import ExpectkitError, PolicyError, ScheduleError
from expectkit._core.instants import instant_validator
from expectkit.promises.metrics import (
    CLOCK_METRICS,
    METRICS,
    ClockMetric,
    Metric,
    Scalar,
)
from expectkit.promises.targets import Names, Target, Values, _one_or_many
from expectkit.time.parsing import iana_zone

__all__ = ["Match", "Request", "Rule"]


Instant: TypeAlias = Annotated[datetime, BeforeValidator(instant_validator(PolicyError))]
"""An instant field: an aware datetime or ISO 8601 text with an offset, never a number."""


def _aware(value: datetime | None, where: str) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        msg = (
            f"{where}: {value.isoformat()!r} has no UTC offset; "
            "write e.g. '2026-01-01T00:00:00+01:00'"
        )
        raise PolicyError(msg)
    return value


_M = TypeVar("_M", bound=str)


def _check_period(start: datetime | None, end: datetime | None, what: str) -> None:
    _aware(start, "effective_from")
    _aware(end, "effective_until")
    if start is not None and end is not None and end <= start:
        msg = f"{what} ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        raise PolicyError(msg)


def _in_period(start: datetime | None, end: datetime | None, at: datetime) -> bool:
    return (start is None or start <= at) and (end is None or at < end)


class Match(FrozenModel):
    """What a rule matches: each given criterion must hold; an empty match matches all.

    ``channel``, ``priority`` and ``segment`` accept one name or a list (any of
    them); ``tags`` must all be on the request; each ``attributes`` entry must equal
    the request's attribute (or one of a list of values).

    >>> m = Match(channel="social", tags=["complaint"])
    >>> m.matches(Request(channel="social", tags=("complaint", "vip")))
    True
    >>> m.matches(Request(channel="social"))
    False
    """

    _error = PolicyError

    channel: Names | None = None
    priority: Names | None = None
    segment: Names | None = None
    tags: tuple[str, ...] = ()
    attributes: dict[str, Values] = Field(default_factory=dict)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        return _one_or_many(value)

    def __hash__(self) -> int:
        return hash(
            (self.channel, self.priority, self.segment, self.tags, tuple(self.attributes.items()))
        )

    @property
    def is_catch_all(self) -> bool:
        """Whether the match has no criteria, so it matches every request.

        >>> Match().is_catch_all
        True
        """
        return not (self.channel or self.priority or self.segment or self.tags or self.attributes)

    def matches(self, request: Request) -> bool:
        """Return whether `request` meets every criterion.

        >>> Match(priority=["high", "urgent"]).matches(Request(channel="x", priority="urgent"))
        True
        """
        return _Matcher.of(self).matches(request, None)

    def covers(self, other: Match, channels: frozenset[str] = frozenset()) -> bool:
        """Return whether every request `other` matches is also matched by this match.

        `channels` is the set of declared channel names (a request must use one of
        them); when empty, any channel name may occur.

        >>> Match(channel="email").covers(Match(channel="email", tags=["vip"]))
        True
        >>> Match(channel="email", tags=["vip"]).covers(Match(channel="email"))
        False
        """
        for mine, theirs, universe in (
            (self.channel, other.channel, channels),
            (self.priority, other.priority, frozenset[str]()),
            (self.segment, other.segment, frozenset[str]()),
        ):
            if mine is None:
                continue
            if theirs is None:
                if not universe or not universe.issubset(mine):
                    return False
            elif not set(theirs).issubset(mine):
                return False
        if not set(self.tags).issubset(other.tags):
            return False
        for key, values in self.attributes.items():
            if key not in other.attributes or not set(other.attributes[key]).issubset(values):
                return False
        return True


class Rule(FrozenModel):
    """A named rule: what it matches, its per-metric targets, and when it is in force.

    A rule without ``match`` matches every request (an explicit default rule). It
    is in force from ``effective_from`` (inclusive) until ``effective_until``
    (exclusive); either may be omitted.

    >>> rule = Rule(name="chat", match={"channel": "chat"},
    ...             first_response={"promise": "30 seconds", "clock": "business"})
    >>> str(rule.first_response.promise), rule.metrics()[0][0]
    ('30 business seconds', 'first_response')
    """

    _error = PolicyError

    name: str = Field(min_length=1)
    description: str | None = None
    match: Match = Field(default_factory=Match)
    first_response: Target | None = None
    next_response: Target | None = None
    resolution: Target | None = None
    periodic_update: Target | None = None
    follow_up: Target | None = None
    requester_wait: Target | None = None
    agent_work: Target | None = None
    effective_from: Instant | None = None
    effective_until: Instant | None = None

    @model_validator(mode="after")
    def _check_period(self) -> Self:
        _check_period(self.effective_from, self.effective_until, f"rule {self.name!r}")
        return self

    @model_validator(mode="after")
    def _check_triggers(self) -> Self:
        for metric, target in self.clock_metrics():
            target.check_triggers(metric)
        return self

    def clock_metrics(self) -> tuple[tuple[ClockMetric, Target], ...]:
        """Return the ``(metric, target)`` pairs the clock tracks, in metric order.

        These are :meth:`metrics` plus ``requester_wait`` and ``agent_work``.

        >>> Rule(name="r", agent_work={"promise": "2 business days"}).clock_metrics()[0][0]
        'agent_work'
        """
        return self._targets(CLOCK_METRICS)

    def metrics(self) -> tuple[tuple[Metric, Target], ...]:
        """Return the ``(metric, target)`` pairs the rule sets, in metric order.

        >>> Rule(name="r", resolution={"promise": "1 week"}).metrics()[0][0]
        'resolution'
        """
        return self._targets(METRICS)

    def _targets(self, names: tuple[_M, ...]) -> tuple[tuple[_M, Target], ...]:
        pairs = ((name, getattr(self, name)) for name in names)
        return tuple((name, target) for name, target in pairs if target is not None)

    def in_force(self, at: datetime) -> bool:
        """Return whether the rule is in force at the aware instant `at`.

        >>> from datetime import datetime, UTC
        >>> Rule(name="r", effective_from=datetime(2027, 1, 1, tzinfo=UTC)).in_force(
        ...     datetime(2026, 6, 1, tzinfo=UTC))
        False
        """
        return _in_period(self.effective_from, self.effective_until, at)


def _customer_zone(value: object, error: type[ExpectkitError]) -> object:
    """Check a ``customer_tz`` value (a ZoneInfo becomes its key), raising `error`."""
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, str):
        try:
            iana_zone(value.strip(), "customer_tz")
        except ScheduleError as exc:
            msg = str(exc).replace("'Europe/Berlin'", "'Europe/Oslo'")
            raise error(msg) from None
    return value


class Request(FrozenModel):
    """What is being quoted: a contact on a channel, with its routing attributes.

    ``customer_tz`` (an IANA zone) is where the customer is; commitments can be
    shown there. Tags are kept sorted and without duplicates.

    >>> Request(channel="social", tags=["complaint", "complaint"]).tags
    ('complaint',)
    """

    _error = PolicyError

    channel: str = Field(min_length=1)
    priority: str | None = None
    segment: str | None = None
    tags: tuple[str, ...] = ()
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    customer_tz: str | None = None

    @field_validator("tags", mode="after")
    @classmethod
    def _sort_tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    @field_validator("customer_tz", mode="before")
    @classmethod
    def _check_zone(cls, value: object) -> object:
        return _customer_zone(value, PolicyError)

    def __hash__(self) -> int:
        return hash(
            (
                self.channel,
                self.priority,
                self.segment,
                self.tags,
                tuple(sorted(self.attributes.items())),
                self.customer_tz,
            )
        )

    @classmethod
    def coerce(cls, value: Request | Mapping[str, Any]) -> Request:
        """Return `value` as a request, validating a plain mapping.

        >>> Request.coerce({"channel": "email"}).channel
        'email'
        """
        if isinstance(value, Request):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        msg = f"request: expected a Request or a mapping, got {type(value).__name__} {value!r}"
        raise PolicyError(msg)


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One rule's match criteria as sets, for matching without model attribute lookups."""

    rule: Rule | None
    start: datetime | None
    end: datetime | None
    channel: frozenset[str] | None
    priority: frozenset[str] | None
    segment: frozenset[str] | None
    tags: frozenset[str]
    attributes: tuple[tuple[str, tuple[Scalar, ...]], ...]

    @classmethod
    def of(cls, match: Match, rule: Rule | None = None) -> _Matcher:
        def names(value: tuple[str, ...] | None) -> frozenset[str] | None:
            return None if value is None else frozenset(value)

        return cls(
            rule,
            rule.effective_from if rule is not None else None,
            rule.effective_until if rule is not None else None,
            names(match.channel),
            names(match.priority),
            names(match.segment),
            frozenset(match.tags),
            tuple(match.attributes.items()),
        )

    def matches(self, request: Request, at: datetime | None) -> bool:
        if at is not None and (
            (self.start is not None and at < self.start)
            or (self.end is not None and at >= self.end)
        ):
            return False
        if self.channel is not None and request.channel not in self.channel:
            return False
        if self.priority is not None and request.priority not in self.priority:
            return False
        if self.segment is not None and request.segment not in self.segment:
            return False
        if self.tags and not self.tags.issubset(request.tags):
            return False
        if not self.attributes:
            return True
        attributes = request.attributes
        return all(
            key in attributes and attributes[key] in values for key, values in self.attributes
        )
