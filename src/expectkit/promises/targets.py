"""What a rule promises for one metric: window, target or buffer, clock, rounding, escalations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import (
    Annotated,
    Final,
    Literal,
    Self,
    cast,
)

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from expectkit._core.base import FrozenModel
from expectkit._core.errors import PolicyError
from expectkit.promises.buffers import Buffer, Rounding, _provably_longer
from expectkit.promises.metrics import (
    _CUMULATIVE,
    _STATUSES,
    DEFAULT_TRIGGERS,
    ClockMetric,
    Direction,
    Scalar,
    TicketStatus,
    Trigger,
    Triggers,
    _dead_triggers,
)
from expectkit.promises.windows import ClockName, Duration, Window
from expectkit.time.business_days import BusinessDayMode

__all__ = ["Escalation", "Target"]


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


def _share(value: object) -> object:
    # pydantic's lax float reads true as 1.0: a typo for a share, never meant.
    if isinstance(value, bool):
        msg = f"warn: {value!r} is not a share; write a number above 0 and at most 1, e.g. 0.75"
        raise PolicyError(msg)
    return value


Share = Annotated[float, BeforeValidator(_share)]
"""A share of a metric's time (above 0, at most 1); a boolean is refused."""


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
    warn: Share | None = Field(default=None, gt=0, le=1)
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

    def _refuse_dead_triggers(self, metric: ClockMetric) -> None:
        for setting, trigger, why in _dead_triggers(metric, self):
            msg = f"{metric}.{setting}: {trigger!r} can never {why}"
            raise PolicyError(msg)

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
        self._refuse_dead_triggers(metric)
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
