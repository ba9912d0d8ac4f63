"""The service's request and response models: the contract its OpenAPI document publishes.

Instants are ISO 8601 with a UTC offset (a naive one is refused); durations are
ISO 8601 durations (``PT3H30M``, negative with a leading ``-``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Discriminator, Field, Tag

from expectkit.promises.file_formats import PolicyFormat
from expectkit.promises.metrics import ClockMetric, Metric, Scalar
from expectkit.sla.events import EventType
from expectkit.sla.metric_events import MetricEventKind
from expectkit.sla.statuses import MetricState

_STRICT = ConfigDict(extra="forbid")


class QuoteIn(BaseModel):
    """One request to quote: the contact, when it was made, and how to tell the answer.

    >>> QuoteIn(channel="email", locale="de").explain
    False
    """

    model_config = _STRICT

    channel: str = Field(min_length=1, max_length=200, description="A channel of the policy.")
    priority: str | None = Field(default=None, max_length=200)
    segment: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=100)
    attributes: dict[str, Scalar] = Field(default_factory=dict, max_length=100)
    customer_tz: str | None = Field(
        default=None, max_length=100, description="The customer's IANA zone."
    )
    at: AwareDatetime | None = Field(
        default=None, description="When the request was made; default now."
    )
    metrics: list[Metric] | None = Field(default=None, description="Only these; default all.")
    locale: str | None = Field(
        default=None,
        max_length=50,
        description="Tell each promise as a sentence in this locale (e.g. de, pt_BR).",
    )
    tz: str | None = Field(
        default=None,
        max_length=100,
        description="Show instants in this IANA zone; default customer_tz, else the schedule's.",
    )
    form: Literal["exact", "range"] = Field(default="exact", description="The sentence's form.")
    explain: bool = Field(default=False, description="Add the step-by-step explanation.")


class QuoteBatchIn(BaseModel):
    """Several requests quoted at once (at most the service's batch limit).

    >>> len(QuoteBatchIn(requests=[{"channel": "email"}]).requests)
    1
    """

    model_config = _STRICT

    requests: list[QuoteIn] = Field(min_length=1, max_length=10_000)


def _quote_kind(value: Any) -> str:
    batch = isinstance(value, QuoteBatchIn) or (isinstance(value, dict) and "requests" in value)
    return "batch" if batch else "one"


QuoteBody = Annotated[
    Annotated[QuoteIn, Tag("one")] | Annotated[QuoteBatchIn, Tag("batch")],
    Discriminator(_quote_kind),
]
"""The body of ``POST /v1/quote``: one request, or ``{"requests": [...]}``."""

UNION_TAGS = frozenset({"one", "batch"})
"""Tags of the body unions, left out of the field paths errors name."""


class MetricQuoteOut(BaseModel):
    """The quote for one metric."""

    metric: Metric
    rule: str
    channel: str
    clock: Literal["business", "calendar"]
    promised_at: datetime = Field(description="The customer-facing promise (rounded outward).")
    promised_range: tuple[datetime, datetime]
    exact_promised_at: datetime
    target_at: datetime = Field(description="The internal aim, never rounded.")
    text: str | None = Field(default=None, description="The sentence, when a locale is asked.")
    explain: str | None = Field(default=None, description="The steps, when asked.")


class QuoteOut(BaseModel):
    """Everything promised for one request."""

    policy: str | None
    rule: str
    channel: str
    requested_at: datetime
    metrics: dict[Metric, MetricQuoteOut]


class QuoteBatchOut(BaseModel):
    """The quotes of a batch, in request order."""

    quotes: list[QuoteOut]


class EventIn(BaseModel):
    """A ticket event (see the JSON Lines event format); fields beyond these are per type.

    >>> EventIn.model_validate({"ticket": "T1", "type": "created",
    ...     "at": "2026-11-23T09:00:00+01:00", "channel": "email"}).model_extra
    {'channel': 'email'}
    """

    model_config = ConfigDict(extra="allow")

    ticket: str = Field(min_length=1, max_length=200)
    type: EventType
    at: AwareDatetime
    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The event's id; default a hash of its content. Re-sending is a no-op.",
    )


class EventsIn(BaseModel):
    """A batch of events, ingested in one transaction (at most the service's batch limit)."""

    model_config = _STRICT

    events: list[EventIn] = Field(max_length=100_000)
    skip_bad: bool = Field(
        default=False,
        description="Keep bad events in the rejects table and count them, instead of refusing.",
    )


class IngestOut(BaseModel):
    """What an ingest did: ``in == applied + duplicates + pending + rejected``."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    events_in: int = Field(alias="in")
    applied: int
    duplicates: int
    pending: int
    rejected: int


class MetricStatusOut(BaseModel):
    """Where one metric of a ticket stands."""

    state: MetricState
    cycle: int
    rule: str
    clock: Literal["business", "calendar"]
    started_at: datetime
    stopped_at: datetime | None
    due: datetime | None = Field(description="The promise after pauses; null while unknown.")
    target: datetime | None
    elapsed: timedelta
    remaining: timedelta = Field(description="Until the promise; negative once overdue.")


class StatusOut(BaseModel):
    """A ticket's metrics at an instant."""

    ticket: str
    at: datetime
    metrics: dict[ClockMetric, MetricStatusOut]


class DueOut(BaseModel):
    """A ticket's next deadline."""

    ticket: str
    at: datetime
    metric: str | None
    kind: str


class DuePage(BaseModel):
    """One page of tickets by next deadline, earliest first."""

    items: list[DueOut]
    next_offset: int | None = Field(
        description="Pass as offset for the next page; null at the end."
    )


class ClaimedOut(BaseModel):
    """A metric event taken from the outbox; acknowledge its id once delivered."""

    id: int
    ticket: str
    metric: ClockMetric
    cycle: int
    kind: MetricEventKind
    at: datetime
    name: str


class ClaimedPage(BaseModel):
    """Metric events claimed for the lease; unacknowledged ones come back after it."""

    items: list[ClaimedOut]


class AckIn(BaseModel):
    """The ids of delivered metric events."""

    model_config = _STRICT

    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(max_length=100_000)


class AckOut(BaseModel):
    """How many ids were acknowledged."""

    acked: int


class PolicyOut(BaseModel):
    """The policy serving now."""

    version: str
    name: str | None
    source: str | None = Field(description="The file it was read from, if any.")
    policy: dict[str, Any]


class LintIn(BaseModel):
    """A policy to lint (default the one serving)."""

    model_config = _STRICT

    policy: str | None = Field(default=None, description="Policy text; default the serving one.")
    format: PolicyFormat = "yaml"
    at: AwareDatetime | None = Field(default=None, description="Lint as of; default now.")


class FindingOut(BaseModel):
    """One lint finding."""

    code: str
    path: str
    message: str
    severity: Literal["error", "warning"]


class LintOut(BaseModel):
    """The findings; none means the policy is clean."""

    findings: list[FindingOut]


class ReloadOut(BaseModel):
    """The policy serving after a reload."""

    version: str
    previous_version: str
    changed: bool


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"]


class ReadyOut(BaseModel):
    """Whether the service can answer: the database reachable, the policy loaded."""

    status: Literal["ready", "not ready"]
    database: bool
    policy: str | None


__all__ = [
    "UNION_TAGS",
    "QuoteBody",
    "AckIn",
    "AckOut",
    "ClaimedOut",
    "ClaimedPage",
    "DueOut",
    "DuePage",
    "EventIn",
    "EventsIn",
    "FindingOut",
    "HealthOut",
    "IngestOut",
    "LintIn",
    "LintOut",
    "MetricQuoteOut",
    "MetricStatusOut",
    "PolicyOut",
    "QuoteBatchIn",
    "QuoteBatchOut",
    "QuoteIn",
    "QuoteOut",
    "ReadyOut",
    "ReloadOut",
    "StatusOut",
]
