"""``POST /v1/quote``: the commitment per metric for one request or a batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request

from expectkit._core.errors import ExpectkitError
from expectkit.interfaces.service.auth import require
from expectkit.interfaces.service.models import (
    MetricQuoteOut,
    QuoteBatchOut,
    QuoteBody,
    QuoteIn,
    QuoteOut,
)
from expectkit.interfaces.service.problems import FieldProblem, ProblemError
from expectkit.promises.calculator import Commitment, quote
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Request as QuoteRequest
from expectkit.text.phrasebooks import Phrasebook
from expectkit.text.promise_text import promise_text

router = APIRouter(prefix="/v1", tags=["promises"])


class _BadItemError(ProblemError):
    def __init__(self, index: int | None, exc: ExpectkitError) -> None:
        where = "body" if index is None else f"body.requests.{index}"
        problem = FieldProblem(field=where, value=None, message=str(exc))
        super().__init__(422, f"{where}: {exc}", errors=[problem])


def _one(policy: Policy, asked: QuoteIn, now: datetime) -> QuoteOut:
    request = QuoteRequest(
        channel=asked.channel,
        priority=asked.priority,
        segment=asked.segment,
        tags=tuple(asked.tags),
        attributes=asked.attributes,
        customer_tz=asked.customer_tz,
    )
    commitment: Commitment = quote(policy, request, at=asked.at or now, metrics=asked.metrics)
    zone = asked.tz or asked.customer_tz
    shown = commitment.in_zone(zone) if zone is not None else commitment
    book = Phrasebook.load(asked.locale, fallback_ok=True) if asked.locale is not None else None
    metrics = {}
    for metric, q in shown.metrics.items():
        text = None
        if book is not None:
            text = promise_text(commitment, locale=book, tz=zone, form=asked.form, metric=metric)
        metrics[metric] = MetricQuoteOut(
            metric=metric,
            rule=q.rule,
            channel=q.channel,
            clock=q.clock,
            promised_at=q.promised_at,
            promised_range=q.promised_range,
            exact_promised_at=q.exact_promised_at,
            target_at=q.target_at,
            text=text,
            explain=q.explain() if asked.explain else None,
        )
    return QuoteOut(
        policy=shown.policy,
        rule=shown.rule,
        channel=shown.channel,
        requested_at=shown.requested_at,
        metrics=metrics,
    )


_EXAMPLE = {
    "channel": "email",
    "customer_tz": "Europe/Berlin",
    "at": "2026-11-20T16:30:00+01:00",
    "locale": "en",
}


@router.post(
    "/quote",
    dependencies=[Depends(require("read"))],
    summary="Quote promises for one request or a batch",
    responses={422: {"description": "A bad request (problem+json naming the field)"}},
)
async def quote_route(  # computation only: no thread-pool hop
    request: Request,
    body: Annotated[QuoteBody, Body(examples=[_EXAMPLE])],
) -> QuoteOut | QuoteBatchOut:
    """Quote each request against the policy serving now.

    A batch holds at most the service's ``max_quote_batch`` requests; a bad one
    refuses the batch, naming its index.
    """
    serving = request.app.state.runtime.serving
    now = datetime.now(UTC)
    if isinstance(body, QuoteIn):
        try:
            return _one(serving.policy, body, now)
        except ExpectkitError as exc:
            raise _BadItemError(None, exc) from exc
    limit = request.app.state.settings.max_quote_batch
    if len(body.requests) > limit:
        msg = f"body.requests: {len(body.requests)} requests is over the limit of {limit}"
        raise ProblemError(422, msg)
    out = []
    for index, asked in enumerate(body.requests):
        try:
            out.append(_one(serving.policy, asked, now))
        except ExpectkitError as exc:
            raise _BadItemError(index, exc) from exc
    return QuoteBatchOut(quotes=out)


__all__ = ["router"]
