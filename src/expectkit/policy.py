"""Promise policies: ordered rules with per-metric targets, loaded from YAML, TOML or JSON.

A :class:`Policy` is an ordered list of rules (:class:`Rule`). A rule matches a
:class:`Request` on channel, priority, customer segment, tags and custom attributes;
the first rule in force that matches wins, like a helpdesk SLA policy list. A rule
carries a :class:`Target` per metric (``first_response``, ``next_response``,
``resolution``, ``periodic_update``, ``follow_up``): the window the customer is told,
what the team aims for, the clock and schedule it counts on, and how the told time
is rounded.

Policy files are untrusted input: YAML is read with the safe loader and no tags,
aliases may not expand past a node limit, files over :data:`MAX_POLICY_BYTES` are
refused, and every failure is a :class:`~expectkit.errors.PolicyError` naming the
file, the line (where the format has lines) and the field path.

>>> policy = Policy.loads('''
... schedules:
...   berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}
... channels:
...   email: {kind: email, schedule: berlin}
... rules:
...   - name: email
...     match: {channel: email}
...     first_response: {promise: "1-3 business days", target: "1 business day"}
... ''')
>>> policy.match(Request(channel="email")).name
'email'
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import product
from pathlib import Path
from types import MappingProxyType
from typing import (
    Annotated,
    Any,
    Final,
    Literal,
    NamedTuple,
    Protocol,
    Self,
    TypeVar,
    cast,
    get_args,
)
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from expectkit._base import FrozenModel
from expectkit.buffers import Buffer, Rounding, _provably_longer
from expectkit.channels import Channel
from expectkit.errors import ExpectkitError, HorizonError, PolicyError
from expectkit.schedule import Schedule
from expectkit.windows import BusinessDayMode, ClockName, Duration, Window

__all__ = [
    "CLOCK_METRICS",
    "DEFAULT_TRIGGERS",
    "MAX_POLICY_BYTES",
    "MAX_YAML_NODES",
    "METRICS",
    "ClockMetric",
    "Escalation",
    "Finding",
    "Match",
    "Metric",
    "Policy",
    "PolicyFormat",
    "Request",
    "Rule",
    "Target",
    "TicketStatus",
    "Trigger",
    "Triggers",
]

Metric = Literal["first_response", "next_response", "resolution", "periodic_update", "follow_up"]
"""The promises a rule can carry, one :class:`Target` each."""

METRICS: Final[tuple[Metric, ...]] = get_args(Metric)
"""Every metric name, in the order rules list them."""

ClockMetric = Literal[
    "first_response",
    "next_response",
    "resolution",
    "periodic_update",
    "follow_up",
    "requester_wait",
    "agent_work",
]
"""What the SLA clock tracks: the quoted metrics plus the two time budgets.

``requester_wait`` (the time the customer waits, not counting ``pending``) and
``agent_work`` (the time the ticket is workable, not counting ``pending`` or
``on_hold``) are budgets accumulated over a ticket's life; :func:`quote` does not
quote them, the clock does.
"""

CLOCK_METRICS: Final[tuple[ClockMetric, ...]] = get_args(ClockMetric)
"""Every metric the clock tracks, in the order rules list them."""

TicketStatus = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
"""A ticket's status, as ticket events set it."""

Trigger = Literal[
    "created",
    "customer_message",
    "agent_reply",
    "agent_note",
    "reopened",
    "new",
    "open",
    "pending",
    "on_hold",
    "solved",
    "closed",
]
"""What starts or stops a metric: an event, or the ticket entering a status.

``agent_reply`` is a public reply, ``agent_note`` an internal one; a status name
fires when the ticket's status changes to it.
"""

_STATUSES: Final[frozenset[str]] = frozenset(get_args(TicketStatus))

_M = TypeVar("_M", bound=str)

Direction = Literal["after", "before"]
"""Whether a promise falls ``after`` the quoted instant or is a lead time ``before`` it."""
PolicyFormat = Literal["yaml", "toml", "json"]
"""The file formats :meth:`Policy.load` reads (and, except TOML, :meth:`Policy.dumps` writes)."""

Scalar = str | int | float | bool
"""A custom attribute value: matched by equality."""

MAX_POLICY_BYTES: Final = 1 << 20
"""Largest policy text :meth:`Policy.load` accepts (1 MiB), unless told otherwise."""

MAX_YAML_NODES: Final = 100_000
"""Most YAML nodes a document may hold once its aliases are expanded."""

_SUFFIXES: Final[Mapping[str, PolicyFormat]] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
}
_REFERENCE_ERROR: Final = "expectkit_reference"

Loc = tuple[str | int, ...]
Locator = Callable[[Loc], int | None]


# -- field types ------------------------------------------------------------


def _context_clock(info: ValidationInfo) -> ClockName:
    own = info.data.get("clock")
    if own in ("business", "calendar"):
        return cast("ClockName", own)
    context = info.context if isinstance(info.context, Mapping) else {}
    default = context.get("default_clock")
    return cast("ClockName", default) if default in ("business", "calendar") else "calendar"


def _parse_window(value: object, info: ValidationInfo) -> object:
    if isinstance(value, str):
        window = Window.parse(value, default_clock=_context_clock(info))
    elif isinstance(value, Window):
        window = value
    else:
        return value
    own = info.data.get("clock")
    if own is not None and window.clock != own:
        shown = value if isinstance(value, str) else str(value)
        msg = f"{shown!r} counts on the {window.clock} clock but the target's clock is {own!r}"
        raise PolicyError(msg)
    return window


def _one_or_many(value: object) -> object:
    return (value,) if isinstance(value, str) else value


def _scalar_or_many(value: object) -> object:
    return value if isinstance(value, list | tuple | set | frozenset) else (value,)


WindowField = Annotated[Window, BeforeValidator(_parse_window)]
"""A :class:`Window` field that reads strings on the target's clock or the policy default."""

Names = Annotated[
    tuple[str, ...],
    BeforeValidator(_one_or_many, json_schema_input_type=str | list[str]),
    Field(min_length=1),
]
Values = Annotated[
    tuple[Scalar, ...],
    BeforeValidator(_scalar_or_many, json_schema_input_type=Scalar | list[Scalar]),
    Field(min_length=1),
]


def _aware(value: datetime | None, where: str) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        msg = (
            f"{where}: {value.isoformat()!r} has no UTC offset; "
            "write e.g. '2026-01-01T00:00:00+01:00'"
        )
        raise PolicyError(msg)
    return value


def _check_period(start: datetime | None, end: datetime | None, what: str) -> None:
    _aware(start, "effective_from")
    _aware(end, "effective_until")
    if start is not None and end is not None and end <= start:
        msg = f"{what} ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        raise PolicyError(msg)


def _in_period(start: datetime | None, end: datetime | None, at: datetime) -> bool:
    return (start is None or start <= at) and (end is None or at < end)


class Triggers(NamedTuple):
    """What starts, stops and pauses one metric on the clock.

    >>> DEFAULT_TRIGGERS["resolution"].pause_on
    ('pending', 'on_hold')
    """

    start_on: tuple[Trigger, ...]
    stop_on: tuple[Trigger, ...]
    pause_on: tuple[TicketStatus, ...]


DEFAULT_TRIGGERS: Final[Mapping[ClockMetric, Triggers]] = MappingProxyType(
    {
        "first_response": Triggers(("created",), ("agent_reply",), ()),
        "next_response": Triggers(("customer_message",), ("agent_reply",), ()),
        "resolution": Triggers(("created",), ("solved", "closed"), ("pending", "on_hold")),
        "periodic_update": Triggers(("agent_reply",), ("solved", "closed"), ()),
        "follow_up": Triggers(("solved",), ("agent_reply",), ()),
        "requester_wait": Triggers(("created",), ("solved", "closed"), ("pending",)),
        "agent_work": Triggers(("created",), ("solved", "closed"), ("pending", "on_hold")),
    }
)
"""Each metric's start, stop and pause conditions unless its target overrides them.

* ``first_response``: from ``created`` to the first public reply;
* ``next_response``: from a customer message after a public reply to the next one;
* ``resolution``, ``requester_wait``, ``agent_work``: from ``created`` while the
  ticket is not solved or closed (a reopen resumes them), paused in the listed statuses;
* ``periodic_update``: from each public reply to the next, until solved or closed;
* ``follow_up``: from ``solved`` to the next public reply.

>>> DEFAULT_TRIGGERS["follow_up"].start_on
('solved',)
"""

_CUMULATIVE: Final[frozenset[str]] = frozenset({"resolution", "requester_wait", "agent_work"})

_ESCALATION_AT: Final = re.compile(
    r"(\d+(?:\.\d+)?)\s*%\s*(?:of\s+)?(target|promise)", re.IGNORECASE
)
_MAX_ESCALATION_PERCENT: Final = 1000


class Escalation(FrozenModel):
    """A named point on a metric's way to a deadline, for reminders and escalations.

    ``at`` is a share of the time from the metric's start to its ``target`` or its
    ``promise``, counted on the metric's clock: ``"50% target"``, ``"100% promise"``
    (the breach instant), ``"150% promise"`` (after the breach). Like the deadlines,
    a point moves later by the time the metric is paused. Shares run from above 0 %
    to 1000 %; ``at`` is kept in the short form ``"<percent>% <target|promise>"``.

    Raises:
        PolicyError: ``at`` is not of that form or out of range.

    >>> e = Escalation(name="remind", at="50 % of Target")
    >>> e.at, e.fraction, e.of
    ('50% target', Fraction(1, 2), 'target')

    """

    _error = PolicyError

    name: str = Field(min_length=1)
    at: str

    @field_validator("at", mode="before")
    @classmethod
    def _normalize(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        found = _ESCALATION_AT.fullmatch(value.strip())
        if found is None:
            msg = f"at: {value!r} is not a share of a deadline; write e.g. '75% target'"
            raise PolicyError(msg)
        percent = Decimal(found.group(1))
        if not 0 < percent <= _MAX_ESCALATION_PERCENT:
            msg = f"at: {value!r}: the share must lie above 0% and at most 1000%"
            raise PolicyError(msg)
        shown = format(percent.normalize(), "f")
        return f"{shown}% {found.group(2).lower()}"

    @property
    def fraction(self) -> Fraction:
        """The share as an exact fraction (``"75% target"`` gives 3/4).

        >>> Escalation(name="late", at="150% promise").fraction
        Fraction(3, 2)
        """
        return Fraction(self.at.split("%")[0]) / 100

    @property
    def of(self) -> Literal["target", "promise"]:
        """The deadline the share is of: ``target`` or ``promise``.

        >>> Escalation(name="breach", at="100% promise").of
        'promise'
        """
        return "promise" if self.at.endswith("promise") else "target"


def _unique(value: object) -> object:
    value = _one_or_many(value)
    if isinstance(value, list | tuple):
        return tuple(dict.fromkeys(value))
    return value


TriggerList = Annotated[
    tuple[Trigger, ...],
    BeforeValidator(_unique, json_schema_input_type=Trigger | list[Trigger]),
    Field(min_length=1),
]
StatusList = Annotated[
    tuple[TicketStatus, ...],
    BeforeValidator(_unique, json_schema_input_type=TicketStatus | list[TicketStatus]),
]


# -- models -----------------------------------------------------------------


class Target(FrozenModel):
    """One metric's promise: the told window, the aim, the clock, the rounding.

    ``promise`` is the window the customer is told; ``target`` (or a ``buffer``) is
    what the team aims for, never later than the promise (without either, the target
    is the exact promise). Window strings without the word ``business`` count on
    ``clock`` if given, else on the policy's ``default_clock``, else on the calendar.
    ``schedule`` names a policy schedule to count on instead of the channel's;
    ``rounding`` overrides the policy's rounding of told times. ``direction="before"``
    turns the window into a lead time before the quoted instant (a notice 3–5 days
    ahead of an event): the promise is then the latest moment to send, told exactly
    (rounding applies to promises after the instant only).

    The SLA clock reads five more settings, all optional: ``start_on``, ``stop_on``
    and ``pause_on`` replace the metric's :data:`DEFAULT_TRIGGERS`; ``warn`` is the
    share of the time to the target after which a running metric is ``at_risk``
    (default: the clock's); ``escalations`` lists named points such as
    ``{name: remind, at: "50% target"}`` (default: one point ``warn`` at the warn
    share of the target).

    Args:
        clock: Default clock for the window strings, and a check on them.
        schedule: Name of a policy schedule that overrides the channel's.
        promise: The customer-facing window.
        target: The internal aim (a window), as an alternative to ``buffer``.
        buffer: Derives the target from the promise, or the promise from ``target``.
        rounding: How told times are rounded outward; None uses the policy's.
        day_mode: ``end_of_day`` (default) or ``same_time`` for business days.
        direction: ``after`` (default) the quoted instant, or ``before`` it.
        start_on: Triggers starting the metric (one name or a list).
        stop_on: Triggers stopping it.
        pause_on: Statuses pausing it (an empty list: nothing pauses it).
        warn: Share of the target's time, above 0 and at most 1, that makes it at risk.
        escalations: Named points on the way to the deadlines (unique names).

    Raises:
        PolicyError: On a bad window, a clock conflict or a combination that leaves
            the promise undefined, an unknown trigger or status, a bad share.

    >>> Target(promise="1-3 business days", target="1 business day").promise.clock
    'business'
    >>> Target(clock="business", promise="30 seconds").promise.clock
    'business'

    """

    _error = PolicyError

    clock: ClockName | None = None
    schedule: str | None = Field(default=None, min_length=1)
    promise: WindowField | None = None
    target: WindowField | None = None
    buffer: Buffer | None = None
    rounding: Rounding | None = None
    day_mode: BusinessDayMode = "end_of_day"
    direction: Direction = "after"
    start_on: TriggerList | None = None
    stop_on: TriggerList | None = None
    pause_on: StatusList | None = None
    warn: float | None = Field(default=None, gt=0, le=1)
    escalations: tuple[Escalation, ...] | None = None

    @field_validator("escalations", mode="after")
    @classmethod
    def _unique_names(cls, value: tuple[Escalation, ...] | None) -> tuple[Escalation, ...] | None:
        if value is not None:
            names = [e.name for e in value]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                msg = f"escalations: the name {twice[0]!r} is used twice; give each point once"
                raise PolicyError(msg)
        return value

    def triggers(self, metric: ClockMetric) -> Triggers:
        """Return what starts, stops and pauses `metric`: the overrides, else its defaults.

        >>> Target(promise="1 week", stop_on="closed").triggers("resolution")
        Triggers(start_on=('created',), stop_on=('closed',), pause_on=('pending', 'on_hold'))
        """
        default = DEFAULT_TRIGGERS[metric]
        return Triggers(
            self.start_on if self.start_on is not None else default.start_on,
            self.stop_on if self.stop_on is not None else default.stop_on,
            self.pause_on if self.pause_on is not None else default.pause_on,
        )

    def check_triggers(self, metric: ClockMetric) -> None:
        """Check that the triggers make sense for `metric`.

        A metric may not start and stop on the same trigger nor pause in a status
        that stops it; ``resolution``, ``requester_wait`` and ``agent_work`` stop
        while the ticket is in a status, so their ``stop_on`` lists statuses only.

        Raises:
            PolicyError: Naming the metric and the setting.

        >>> Target(promise="1 week", stop_on="agent_reply").check_triggers("resolution")
        Traceback (most recent call last):
        expectkit.errors.PolicyError: resolution.stop_on: ...

        """
        start_on, stop_on, pause_on = self.triggers(metric)
        if metric in _CUMULATIVE:
            events = [t for t in stop_on if t not in _STATUSES]
            if events:
                msg = (
                    f"{metric}.stop_on: {events[0]!r} is not a status; {metric} stops while "
                    "the ticket is in one of the listed statuses (e.g. solved, closed)"
                )
                raise PolicyError(msg)
        both = [t for t in start_on if t in stop_on]
        if both:
            msg = f"{metric}.stop_on: {both[0]!r} also starts the metric; give it once"
            raise PolicyError(msg)
        stopping = [s for s in pause_on if s in stop_on]
        if stopping:
            msg = f"{metric}.pause_on: {stopping[0]!r} also stops the metric; give it once"
            raise PolicyError(msg)

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        if self.promise is None and self.target is None:
            msg = "give a 'promise' window (and optionally a 'target' or a 'buffer')"
            raise PolicyError(msg)
        if self.target is not None and self.buffer is not None and self.promise is not None:
            msg = "give either a 'target' or a 'buffer' with a 'promise', not both"
            raise PolicyError(msg)
        if self.promise is None and self.buffer is None:
            msg = "a 'target' without a 'promise' needs a 'buffer' to derive the promise"
            raise PolicyError(msg)
        if (
            self.promise is not None
            and self.target is not None
            and _provably_longer(self.target.high, self.promise.high)
        ):
            # Same rule as an explicit Buffer; where only the date decides (business
            # days against hours), quote() caps the target and lint() reports it.
            msg = f"target {str(self.target)!r} is longer than promise {str(self.promise)!r}"
            raise PolicyError(msg)
        if self.buffer is not None and self.buffer.kind == "explicit":
            msg = "write the explicit pair as 'promise' and 'target' on the metric, not a buffer"
            raise PolicyError(msg)
        if self.direction == "before":
            if self.buffer is not None:
                msg = "a lead time ('direction: before') takes a 'target' window, not a 'buffer'"
                raise PolicyError(msg)
            if self.rounding is not None and self.rounding.kind != "none":
                msg = "a lead time ('direction: before') is told exactly; remove 'rounding'"
                raise PolicyError(msg)
        return self

    @field_validator("buffer", mode="before")
    @classmethod
    def _margin_clock(cls, value: object, info: ValidationInfo) -> object:
        # A margin string counts on the target's clock, like the windows.
        if isinstance(value, Mapping) and isinstance(value.get("margin"), str):
            margin = Duration.parse(value["margin"], default_clock=_context_clock(info))
            return {**value, "margin": margin}
        return value

    @property
    def windows(self) -> tuple[Window, ...]:
        """The windows this target names (promise first), for checks and reports.

        >>> [str(w) for w in Target(promise="3-5 hours").windows]
        ['3-5 hours']
        """
        return tuple(w for w in (self.promise, self.target) if w is not None)


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
    effective_from: datetime | None = None
    effective_until: datetime | None = None

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
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"customer_tz: {value!r} is not an IANA time zone such as 'Europe/Oslo'"
            raise error(msg) from exc
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
class Finding:
    """One problem :meth:`Policy.lint` found: a code, the field path and what is wrong.

    >>> str(Finding("shadowed-rule", "rules[2]", "never matches", "warning"))
    'rules[2]: shadowed-rule: never matches'
    """

    code: str
    path: str
    message: str
    severity: Literal["error", "warning"] = "warning"

    def __str__(self) -> str:
        return f"{self.path}: {self.code}: {self.message}"


def _reference(message: str, loc: Loc) -> PydanticCustomError:
    return PydanticCustomError(_REFERENCE_ERROR, "{message}", {"message": message, "loc": loc})


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
        attributes = request.attributes
        return all(
            key in attributes and attributes[key] in values for key, values in self.attributes
        )


@dataclass(frozen=True, slots=True)
class _Compiled:
    matchers: tuple[_Matcher, ...]
    schedules: Mapping[str | None, Schedule]


class Policy(FrozenModel):
    """An ordered list of rules with the schedules and channels they refer to.

    The first rule in force that matches a request wins. Channels and targets name
    schedules declared under ``schedules``; a rule's ``match.channel`` must name a
    declared channel when any are declared. ``rounding`` is the default rounding of
    told times, ``default_clock`` the clock of window strings without ``business``,
    and ``default_schedule`` the schedule of channels that name none (without it such
    channels are open around the clock in UTC). ``effective_from`` /
    ``effective_until`` bound when the whole policy is in force.

    Raises:
        PolicyError: For any invalid field or dangling reference, naming the field.

    >>> policy = Policy(rules=[{"name": "default", "first_response": {"promise": "1 day"}}])
    >>> policy.match(Request(channel="web")).name
    'default'

    """

    _error = PolicyError

    name: str | None = None
    description: str | None = None
    default_clock: ClockName = "calendar"
    default_schedule: str | None = Field(default=None, min_length=1)
    rounding: Rounding = Field(default_factory=lambda: Rounding(kind="none"))
    schedules: dict[str, Schedule] = Field(default_factory=dict)
    channels: dict[str, Channel] = Field(default_factory=dict)
    rules: tuple[Rule, ...]
    effective_from: datetime | None = None
    effective_until: datetime | None = None

    _compiled: _Compiled | None = PrivateAttr(default=None)

    def __init__(self, /, **data: Any) -> None:
        try:
            self.__pydantic_validator__.validate_python(
                data, self_instance=self, context=_context(data)
            )
        except ValidationError as exc:
            raise _convert(exc, None, None) from exc

    # Validating a nested or parsed policy need not go through __init__ (pydantic's flag).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def _convert(cls, exc: ValidationError) -> ExpectkitError:
        return _convert(exc, None, None)

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate `obj` like pydantic, raising :class:`PolicyError` on failure.

        >>> Policy.model_validate({"rules": [{"name": "r", "resolution": {"promise": "2 weeks"}}]}
        ...                      ).rules[0].name
        'r'
        """
        kwargs.setdefault("context", _context(obj))
        return super().model_validate(obj, **kwargs)

    @model_validator(mode="before")
    @classmethod
    def _name_channels(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("channels"), Mapping):
            channels: dict[object, object] = {}
            for key, value in data["channels"].items():
                if isinstance(value, Mapping) and "name" not in value:
                    value = {"name": key, **value}
                channels[key] = value
            return {**data, "channels": channels}
        return data

    @field_validator("rules", mode="after")
    @classmethod
    def _some_rules(cls, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
        if not rules:
            msg = "a policy needs at least one rule"
            raise PolicyError(msg)
        return rules

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        try:
            _check_period(self.effective_from, self.effective_until, "the policy")
        except PolicyError as exc:
            raise _reference(str(exc), ("effective_from",)) from exc
        schedules = self.schedules
        if self.default_schedule is not None and self.default_schedule not in schedules:
            raise _reference(
                _unknown("schedule", self.default_schedule, schedules), ("default_schedule",)
            )
        for key, channel in self.channels.items():
            if channel.name != key:
                msg = f"channel {key!r} is named {channel.name!r}; the key is its name"
                raise _reference(msg, ("channels", key, "name"))
            if channel.schedule is not None and channel.schedule not in schedules:
                raise _reference(
                    _unknown("schedule", channel.schedule, schedules),
                    ("channels", key, "schedule"),
                )
            if channel.offline is not None and channel.offline not in self.channels:
                raise _reference(
                    _unknown("channel", channel.offline, self.channels),
                    ("channels", key, "offline"),
                )
        for key in self.channels:
            seen = [key]
            offline = self.channels[key].offline
            while offline is not None:
                if offline in seen:
                    msg = f"offline channels loop: {' -> '.join([*seen, offline])}"
                    raise _reference(msg, ("channels", key, "offline"))
                seen.append(offline)
                offline = self.channels[offline].offline
        names: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.name in names:
                msg = f"rule name {rule.name!r} is used by rules[{names[rule.name]}] already"
                raise _reference(msg, ("rules", index, "name"))
            names[rule.name] = index
            if self.channels and rule.match.channel is not None:
                for channel_name in rule.match.channel:
                    if channel_name not in self.channels:
                        raise _reference(
                            _unknown("channel", channel_name, self.channels),
                            ("rules", index, "match", "channel"),
                        )
            for metric, target in rule.clock_metrics():
                if target.schedule is not None and target.schedule not in schedules:
                    raise _reference(
                        _unknown("schedule", target.schedule, schedules),
                        ("rules", index, metric, "schedule"),
                    )
        return self

    def __eq__(self, other: object) -> bool:
        # Compare the fields only: the lazily built lookup state is not part of the value.
        if not isinstance(other, Policy):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    # -- lookups ----------------------------------------------------------

    def _state(self) -> _Compiled:
        # Read the private slot directly: pydantic's __getattr__ is slow on a hot path.
        private = self.__pydantic_private__
        compiled = private.get("_compiled") if private is not None else None
        if compiled is None:
            resolved: dict[str | None, Schedule] = {}
            resolved.update(self.schedules)
            resolved[None] = (
                self.schedules[self.default_schedule]
                if self.default_schedule is not None
                else Schedule.always("UTC")
            )
            compiled = _Compiled(
                tuple(_Matcher.of(rule.match, rule) for rule in self.rules), resolved
            )
            self._compiled = compiled
        return cast("_Compiled", compiled)

    def in_force(self, at: datetime) -> bool:
        """Return whether the policy is in force at the aware instant `at`.

        >>> from datetime import datetime, UTC
        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}],
        ...        effective_until=datetime(2026, 1, 1, tzinfo=UTC)).in_force(
        ...            datetime(2026, 1, 1, tzinfo=UTC))
        False
        """
        return _in_period(self.effective_from, self.effective_until, at)

    def channel(self, name: str) -> Channel:
        """Return the channel called `name`.

        When the policy declares no channels, any name is an async channel open
        around the clock (or on ``default_schedule``).

        Raises:
            PolicyError: The policy declares channels and none is called `name`.

        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]).channel("fax").mode
        'async'

        """
        found = self.channels.get(name)
        if found is not None:
            return found
        if self.channels:
            raise PolicyError(_unknown("channel", name, self.channels))
        return _undeclared_channel(name)

    def schedule(self, name: str | None) -> Schedule:
        """Return the schedule called `name`; None gives the default schedule.

        Raises:
            PolicyError: No schedule is called `name`.

        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]).schedule(None).tz
        'UTC'

        """
        schedules = self._state().schedules
        if name not in schedules:
            raise PolicyError(_unknown("schedule", name, self.schedules))
        return schedules[name]

    def match(self, request: Request, at: datetime | None = None) -> Rule | None:
        """Return the first rule matching `request` (in force at `at`, if given), or None.

        >>> policy = Policy(rules=[
        ...     {"name": "vip", "match": {"segment": "vip"}, "first_response": {"promise": "1h"}},
        ...     {"name": "default", "first_response": {"promise": "1 day"}}])
        >>> policy.match(Request(channel="email", segment="vip")).name
        'vip'
        """
        for matcher in self._state().matchers:
            if matcher.matches(request, at):
                return matcher.rule
        return None

    # -- files ------------------------------------------------------------

    def _repr_html_(self) -> str:
        from expectkit._html import policy_html

        return policy_html(self)

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        format: PolicyFormat | None = None,
        max_bytes: int = MAX_POLICY_BYTES,
    ) -> Policy:
        """Read a policy file: ``.yaml``/``.yml``, ``.toml`` or ``.json``.

        The format comes from the suffix unless `format` is given. YAML is read with
        the safe loader: tags are refused, aliases may expand to at most
        :data:`MAX_YAML_NODES` nodes, and duplicate keys are errors.

        Args:
            path: The file to read.
            format: ``yaml``, ``toml`` or ``json``; None picks by suffix.
            max_bytes: Largest file accepted.

        Returns:
            The validated policy.

        Raises:
            PolicyError: The file cannot be read, parsed or validated; the message
                names the file, the line and the field path.

        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "p.json").write_text(
        ...     '{"rules": [{"name": "all", "resolution": {"promise": "1 week"}}]}')
        >>> Policy.load(folder / "p.json").rules[0].name
        'all'

        """
        path = Path(path)
        source = str(path)
        if format is None:
            found = _SUFFIXES.get(path.suffix.lower())
            if found is None:
                msg = (
                    f"{source}: unknown policy file suffix {path.suffix!r}; "
                    "use .yaml, .yml, .toml or .json (or pass format=)"
                )
                raise PolicyError(msg)
            format = found
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise PolicyError(_too_big(source, size, max_bytes))
            raw = path.read_bytes()
        except OSError as exc:
            msg = f"{source}: cannot read the policy file: {exc.strerror or exc}"
            raise PolicyError(msg) from exc
        return cls._from_bytes(raw, format, source, max_bytes)

    @classmethod
    def loads(
        cls,
        text: str | bytes,
        format: PolicyFormat = "yaml",
        *,
        source: str = "<string>",
        max_bytes: int = MAX_POLICY_BYTES,
    ) -> Policy:
        """Parse a policy from text in `format`, with the same checks as :meth:`load`.

        `source` names the text in error messages.

        Raises:
            PolicyError: The text cannot be parsed or validated.

        >>> Policy.loads('rules = [{name = "all", resolution = {promise = "1 week"}}]',
        ...              format="toml").rules[0].name
        'all'
        >>> Policy.loads("rules: [{name: all, resolution: {promise: 1 weak}}]")
        Traceback (most recent call last):
        expectkit.errors.PolicyError: <string>, line 1, rules[0].resolution.promise: ...

        """
        if isinstance(text, str):
            text = text.encode("utf-8")
        return cls._from_bytes(text, format, source, max_bytes)

    @classmethod
    def _from_bytes(cls, raw: bytes, fmt: PolicyFormat, source: str, max_bytes: int) -> Policy:
        if fmt not in _SUFFIXES.values():
            msg = f"{source}: unknown policy format {fmt!r}; use 'yaml', 'toml' or 'json'"
            raise PolicyError(msg)
        if len(raw) > max_bytes:
            raise PolicyError(_too_big(source, len(raw), max_bytes))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            msg = f"{source}, line {line}: the file is not UTF-8 text ({exc.reason})"
            raise PolicyError(msg) from exc
        data, locate = _PARSERS[fmt](text, source)
        if not isinstance(data, Mapping):
            shown = "empty" if data is None else f"a {type(data).__name__}"
            msg = f"{source}, line 1: a policy is a mapping with 'rules' (the document is {shown})"
            raise PolicyError(msg)
        try:
            return cls.__pydantic_validator__.validate_python(data, context=_context(data))  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise _convert(exc, source, locate) from exc

    def dumps(self, format: PolicyFormat = "yaml") -> str:
        """Write the policy as YAML or JSON text that :meth:`loads` reads back equal.

        TOML is read but not written (the standard library has no TOML writer).

        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "1-2 weeks"}}])
        >>> Policy.loads(policy.dumps()) == policy
        True
        """
        data = self.model_dump(mode="json", exclude_defaults=True)
        if format == "json":
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if format == "yaml":
            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        msg = f"cannot write format {format!r}; use 'yaml' or 'json'"
        raise PolicyError(msg)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """Return the JSON Schema of policy files (for editors and validators).

        >>> schema = Policy.json_schema()
        >>> schema["required"], schema["additionalProperties"]
        (['rules'], False)
        """
        schema = cls.model_json_schema(mode="validation")
        _summarize_descriptions(schema)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return schema

    # -- lint -------------------------------------------------------------

    def lint(self, *, at: datetime | None = None) -> list[Finding]:
        """Report problems a valid policy can still have.

        * ``shadowed-rule``: an earlier rule, in force at least as long, matches
          every request the rule matches, so it never applies;
        * ``unmatched-request``: a request shape (channel × priority × segment, no
          tags or attributes) matches no rule in force;
        * ``target-after-promise``: an aim later than its promise for some start;
        * ``window-reversed``: a window whose low end falls after its high end;
        * ``schedule-never-opens``: a schedule with no open time within its horizon.

        Starts are sampled hourly over one week from `at` (default: the policy's
        ``effective_from``, else now).

        >>> policy = Policy(rules=[
        ...     {"name": "all", "first_response": {"promise": "1 day"}},
        ...     {"name": "vip", "match": {"segment": "vip"}, "first_response": {"promise": "1h"}}])
        >>> [f.code for f in policy.lint(at=datetime(2026, 1, 5, tzinfo=UTC))]
        ['shadowed-rule']
        """
        if at is None:
            at = self.effective_from or datetime.now(UTC)
        elif at.utcoffset() is None:
            msg = f"at: {at!r} is naive; pass an aware datetime"
            raise PolicyError(msg)
        findings: list[Finding] = []
        findings += self._lint_schedules(at)
        findings += self._lint_shadowed()
        findings += self._lint_unmatched(at)
        findings += self._lint_windows(at)
        return findings

    def _lint_schedules(self, at: datetime) -> list[Finding]:
        findings: list[Finding] = []
        for name, schedule in self.schedules.items():
            try:
                schedule.next_open(at)
            except HorizonError:
                findings.append(
                    Finding(
                        "schedule-never-opens",
                        f"schedules.{name}",
                        f"schedule {name!r} has no open time within its horizon "
                        f"({schedule.horizon.days} days) after {at.isoformat()}",
                        "error",
                    )
                )
        return findings

    def _lint_shadowed(self) -> list[Finding]:
        findings: list[Finding] = []
        declared = frozenset(self.channels)
        for j, later in enumerate(self.rules):
            for i, earlier in enumerate(self.rules[:j]):
                if earlier.match.covers(later.match, declared) and _period_covers(earlier, later):
                    findings.append(
                        Finding(
                            "shadowed-rule",
                            f"rules[{j}]",
                            f"rule {later.name!r} never applies: rules[{i}] {earlier.name!r} "
                            "comes first and matches every request it matches",
                        )
                    )
                    break
        return findings

    def _lint_unmatched(self, at: datetime) -> list[Finding]:
        channels: set[str | None] = set(self.channels)
        priorities: set[str | None] = {None}
        segments: set[str | None] = {None}
        for rule in self.rules:
            if not self.channels and rule.match.channel:
                channels.update(rule.match.channel)
            priorities.update(rule.match.priority or ())
            segments.update(rule.match.segment or ())
        if not self.channels:
            channels.add(None)  # stands for any channel no rule names
        instants = sorted(
            {at}
            | {
                t
                for rule in self.rules
                for t in (rule.effective_from, rule.effective_until)
                if t is not None and t > at
            }
        )
        findings: list[Finding] = []
        reported: set[tuple[str | None, str | None, str | None]] = set()
        shapes = list(
            product(
                sorted(channels, key=str), sorted(priorities, key=str), sorted(segments, key=str)
            )
        )[:10_000]
        for when in instants:
            rules = [rule for rule in self.rules if rule.in_force(when)]
            for shape in shapes:
                if shape in reported:
                    continue
                channel, priority, segment = shape
                request = Request(
                    channel=channel or "<any other channel>", priority=priority, segment=segment
                )
                if not any(rule.match.matches(request) for rule in rules):
                    reported.add(shape)
                    described = (
                        ", ".join(
                            f"{k}={v!r}"
                            for k, v in (
                                ("channel", channel),
                                ("priority", priority),
                                ("segment", segment),
                            )
                            if v is not None
                        )
                        or "any request"
                    )
                    findings.append(
                        Finding(
                            "unmatched-request",
                            "rules",
                            f"no rule in force on {when.isoformat()} matches {described} "
                            "(without tags or attributes); add a default rule without 'match'",
                        )
                    )
        return findings

    def _lint_windows(self, at: datetime) -> list[Finding]:
        findings: list[Finding] = []
        starts = [at + timedelta(hours=h) for h in range(7 * 24)]
        for index, rule in enumerate(self.rules):
            for metric, target in rule.metrics():
                path = f"rules[{index}].{metric}"
                for schedule in self._schedules_for(rule, target):
                    finding = _lint_target(target, schedule, starts, path, rule.name)
                    if finding is not None:
                        findings.append(finding)
                        break
        return findings

    def _schedules_for(self, rule: Rule, target: Target) -> list[Schedule]:
        if target.schedule is not None:
            return [self.schedule(target.schedule)]
        names: list[str | None] = []
        if self.channels:
            for name in rule.match.channel or tuple(self.channels):
                channel = self.channels[name]
                names.append(channel.schedule)
                if channel.offline is not None:
                    names.append(self.channels[channel.offline].schedule)
        else:
            names.append(None)
        unique = list(dict.fromkeys(names))
        return [self.schedule(name) for name in unique]


@lru_cache(maxsize=1024)
def _undeclared_channel(name: str) -> Channel:
    return Channel(kind="custom", name=name)


_ROLE = re.compile(r":(?:class|meth|func|data|attr):`~?(?:[\w.]+\.)?([\w]+)`")


def _summarize_descriptions(node: object) -> None:
    """Cut docstring descriptions to their prose (editors show them as tooltips).

    Models take their class docstring as the schema description; keep the paragraphs
    before ``Args:``/``Raises:`` and the examples, with Sphinx roles as plain names.
    """
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            kept: list[str] = []
            for paragraph in text.split("\n\n"):
                head = paragraph.lstrip()
                if head.startswith((">>>", "Args:", "Raises:", "Returns:", "Attributes:")):
                    break
                kept.append(" ".join(line.strip() for line in paragraph.splitlines()))
            node["description"] = _ROLE.sub(r"\1", "\n\n".join(kept).replace("``", "`"))
        for value in node.values():
            _summarize_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _summarize_descriptions(value)


def _period_covers(earlier: Rule, later: Rule) -> bool:
    starts_first = earlier.effective_from is None or (
        later.effective_from is not None and earlier.effective_from <= later.effective_from
    )
    ends_last = earlier.effective_until is None or (
        later.effective_until is not None and earlier.effective_until >= later.effective_until
    )
    return starts_first and ends_last


def _lint_target(
    target: Target, schedule: Schedule, starts: Sequence[datetime], path: str, rule: str
) -> Finding | None:
    for start in starts:
        try:
            for field, window in (("promise", target.promise), ("target", target.target)):
                if window is None:
                    continue
                low, high = window.due_range(start, schedule, day_mode=target.day_mode)
                if low > high:
                    return Finding(
                        "window-reversed",
                        f"{path}.{field}",
                        f"rule {rule!r}: {str(window)!r} ends before it starts "
                        f"(from {start.isoformat()}: {low.isoformat()} > {high.isoformat()})",
                        "error",
                    )
            if target.promise is not None and target.target is not None:
                promise = target.promise.due_range(start, schedule, day_mode=target.day_mode)[1]
                aim = target.target.due_range(start, schedule, day_mode=target.day_mode)[1]
                late = aim > promise if target.direction == "after" else aim < promise
                if late:
                    return Finding(
                        "target-after-promise",
                        f"{path}.target",
                        f"rule {rule!r}: target {str(target.target)!r} is later than promise "
                        f"{str(target.promise)!r} from {start.isoformat()} "
                        f"({aim.isoformat()} vs {promise.isoformat()}); the quote caps it",
                        "error",
                    )
        except HorizonError:
            return None
    return None


# -- errors -----------------------------------------------------------------


def _unknown(what: str, name: object, known: Iterable[str]) -> str:
    names = sorted(known)
    listed = ", ".join(repr(n) for n in names) if names else "none"
    return f"unknown {what} {name!r} (declared: {listed})"


def _too_big(source: str, size: int, limit: int) -> str:
    return (
        f"{source}: the policy is {size:,} bytes; the limit is {limit:,} bytes "
        "(pass max_bytes= to raise it)"
    )


def _context(data: object) -> dict[str, object]:
    clock = data.get("default_clock") if isinstance(data, Mapping) else None
    return {"default_clock": clock if clock in ("business", "calendar") else "calendar"}


def _path(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w-]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


_TYPE_TAG = re.compile(r"^[a-z-]+\[.*\]$|^(str|int|float|bool|list|tuple|dict)$")


def _clean_loc(loc: Loc) -> Loc:
    # pydantic adds a union member's name (``str``, ``function-after[...]``) to a loc.
    return tuple(p for p in loc if not (isinstance(p, str) and _TYPE_TAG.match(p)))


_INNER_PATH = re.compile(r"([A-Za-z_]\w*)((?:\[[^\]]*\]|\.[A-Za-z_]\w*)*): ")


def _convert(exc: ValidationError, source: str | None, locate: Locator | None) -> PolicyError:
    problems: list[str] = []
    errors = exc.errors(include_url=False)
    for err in errors[:5]:
        loc: Loc = _clean_loc(tuple(err["loc"]))
        ctx = err.get("ctx") or {}
        suffix = ""
        if err["type"] == _REFERENCE_ERROR:
            loc = tuple(ctx["loc"])
            message = str(ctx["message"])
        elif isinstance(ctx.get("error"), ExpectkitError):
            message = str(ctx["error"])
            inner = _INNER_PATH.match(message)
            if inner is not None:
                # Our own errors start with the field path inside the value: join it on.
                name, suffix = inner.groups()
                if not (loc and loc[-1] == name):
                    loc = (*loc, name)
                message = message[inner.end() :]
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] != "missing":
                shown = repr(err.get("input"))
                message += f" (got {shown[:77] + '...' if len(shown) > 80 else shown})"
        line = locate(loc) if locate is not None else None
        where = [part for part in (source, f"line {line}" if line else None) if part]
        where.append((_path(loc) + suffix) or "<policy>")
        problems.append(f"{', '.join(where)}: {message}")
    if len(errors) > 5:
        problems.append(f"... and {len(errors) - 5} more")
    return PolicyError("; ".join(problems))


# -- parsers ----------------------------------------------------------------


class _Marked(Protocol):
    line: int


class _YamlError(Exception):
    def __init__(self, mark: _Marked | None, problem: str) -> None:
        super().__init__(problem)
        self.line = None if mark is None else mark.line + 1
        self.problem = problem


class _SafeLoader(yaml.SafeLoader):
    """The safe loader, refusing every explicit tag (``!!python/...`` and plain ones)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, yaml.AliasEvent):
            msg = f"YAML tags are not allowed in policy files (found {tag!r})"
            raise _YamlError(event.start_mark, msg)
        return super().compose_node(parent, index)


def _check_yaml_tree(root: yaml.Node) -> None:
    sizes: dict[int, int] = {}
    total = _yaml_size(root, sizes, set())
    if total > MAX_YAML_NODES:
        msg = (
            f"the document expands to {total:,} nodes (aliases included); "
            f"the limit is {MAX_YAML_NODES:,}"
        )
        raise _YamlError(root.start_mark, msg)


def _yaml_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        raise _YamlError(node.start_mark, "a YAML alias refers to a node containing itself")
    active.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _yaml_size(child, sizes, active)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    msg = (
                        f"duplicate key {key_node.value!r} "
                        f"(first on line {seen[key_node.value] + 1})"
                    )
                    raise _YamlError(key_node.start_mark, msg)
                seen[key_node.value] = key_node.start_mark.line
            size += _yaml_size(key_node, sizes, active) + _yaml_size(value_node, sizes, active)
            if size > MAX_YAML_NODES:
                break
    active.discard(key)
    sizes[key] = size
    return size


def _yaml_locator(root: yaml.Node) -> Locator:
    def locate(loc: Loc) -> int | None:
        node = root
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    return locate


_LIBYAML: Final[bool] = yaml.__with_libyaml__
"""Whether PyYAML's C parser is there: ten times faster on large policy files."""


def _refuse_tags(events: Iterable[yaml.Event]) -> None:
    for event in events:
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, yaml.AliasEvent):
            msg = f"YAML tags are not allowed in policy files (found {tag!r})"
            raise _YamlError(event.start_mark, msg)


def _parse_yaml(text: str, source: str) -> tuple[object, Locator]:
    loader: yaml.CSafeLoader | _SafeLoader | None = None
    try:
        if _LIBYAML:
            # The C composer cannot be hooked, so a first pass over the events finds tags.
            _refuse_tags(yaml.parse(text, Loader=yaml.CSafeLoader))
            loader = yaml.CSafeLoader(text)
        else:
            loader = _SafeLoader(text)
        root = loader.get_single_node()
        if root is None:
            return None, lambda loc: None
        _check_yaml_tree(root)
        data = loader.construct_document(root)
    except _YamlError as exc:
        line = f", line {exc.line}" if exc.line is not None else ""
        raise PolicyError(f"{source}{line}: {exc.problem}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PolicyError(f"{source}{line}: invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise PolicyError(f"{source}: the YAML document is nested too deeply") from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, _yaml_locator(root)


def _parse_json(text: str, source: str) -> tuple[object, Locator]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{source}, line {exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})"
        raise PolicyError(msg) from exc
    except RecursionError as exc:
        raise PolicyError(f"{source}: the JSON document is nested too deeply") from exc

    def locate(loc: Loc) -> int | None:
        try:
            lines = _json_lines(text)
        except (RecursionError, ValueError, IndexError):
            return None
        return _longest_prefix(lines, loc)

    return data, locate


_JSON_ATOM = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _scanstring(text: str, start: int) -> tuple[str, int]:
    match = _JSON_STRING.match(text, start)
    if match is None:
        raise ValueError(start)
    value: str = json.loads(match.group())
    return value, match.end()


_WS = re.compile(r"\s*")


def _json_lines(text: str) -> dict[Loc, int]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    lines: dict[Loc, int] = {}

    def line_of(pos: int) -> int:
        low, high = 0, len(starts)
        while low + 1 < high:
            mid = (low + high) // 2
            if starts[mid] <= pos:
                low = mid
            else:
                high = mid
        return low + 1

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, path: Loc) -> int:
        i = skip(i)
        lines.setdefault(path, line_of(i))
        char = text[i]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                key_at = i
                key, i = _scanstring(text, i)
                lines.setdefault((*path, key), line_of(key_at))
                i = skip(i) + 1  # the colon
                i = skip(value(i, (*path, key)))
                if text[i] == "}":
                    return i + 1
                i += 1
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(value(i, (*path, index)))
                index += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        if char == '"':
            return _scanstring(text, i)[1]
        atom = _JSON_ATOM.match(text, i)
        if atom is None:
            raise ValueError(i)
        return atom.end()

    value(0, ())
    return lines


def _longest_prefix(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    for size in range(len(loc), -1, -1):
        found = lines.get(loc[:size])
        if found is not None:
            return found
    return None


_TOML_LINE = re.compile(r"at line (\d+)")
_TOML_KEY_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_TOML_KEYS = re.compile(rf"\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*")
_TOML_ARRAY_HEADER = re.compile(rf"^\s*\[\[{_TOML_KEYS.pattern}\]\]")
_TOML_HEADER = re.compile(rf"^\s*\[{_TOML_KEYS.pattern}\]")
_TOML_ASSIGN = re.compile(rf"^{_TOML_KEYS.pattern}=")


def _toml_keys(text: str) -> tuple[str, ...]:
    parts = re.findall(_TOML_KEY_PART, text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _toml_lines(text: str) -> dict[Loc, int]:
    # Approximate: enough to point at the table or key a validation error names.
    lines: dict[Loc, int] = {}
    arrays: dict[tuple[str, ...], int] = {}
    table: Loc = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            in_string = (line.count('"""') + line.count("'''")) % 2 == 0
            continue
        header = _TOML_ARRAY_HEADER.match(line)
        if header is not None:
            keys = _toml_keys(header.group(1))
            arrays[keys] = arrays.get(keys, -1) + 1
            table = _toml_table(keys, arrays)
            lines.setdefault(table, number)
            continue
        header = _TOML_HEADER.match(line)
        if header is not None:
            table = _toml_table(_toml_keys(header.group(1)), arrays)
            lines.setdefault(table, number)
            continue
        assign = _TOML_ASSIGN.match(line)
        if assign is not None:
            lines.setdefault((*table, *_toml_keys(assign.group(1))), number)
        in_string = (line.count('"""') + line.count("'''")) % 2 == 1
    return lines


def _toml_table(keys: tuple[str, ...], arrays: Mapping[tuple[str, ...], int]) -> Loc:
    path: list[str | int] = []
    for size in range(1, len(keys) + 1):
        path.append(keys[size - 1])
        index = arrays.get(keys[:size])
        if index is not None:
            path.append(index)
    return tuple(path)


def _parse_toml(text: str, source: str) -> tuple[object, Locator]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = f", line {found.group(1)}" if found else ""
        raise PolicyError(f"{source}{line}: invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise PolicyError(f"{source}: the TOML document is nested too deeply") from exc

    def locate(loc: Loc) -> int | None:
        return _longest_prefix(_toml_lines(text), loc)

    return data, locate


_PARSERS: Final[Mapping[str, Callable[[str, str], tuple[object, Locator]]]] = {
    "yaml": _parse_yaml,
    "json": _parse_json,
    "toml": _parse_toml,
}
