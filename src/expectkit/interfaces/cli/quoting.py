"""``expectkit quote``: the promised range and time, the target and the customer's sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from expectkit.interfaces.cli._app import _fail, app
from expectkit.interfaces.cli._shared import (
    AtOpt,
    FormatOpt,
    JsonOpt,
    LocaleOpt,
    PolicyArg,
    TzOpt,
    _book,
    _console,
    _emit_json,
    _instant,
    _load_policy,
    _pairs,
    _scalar,
    _show,
    _table,
)
from expectkit.promises.calculator import Commitment, MetricQuote, quote
from expectkit.promises.metrics import METRICS, Metric
from expectkit.promises.rules import Request
from expectkit.text.phrasebooks import Phrasebook
from expectkit.text.promise_text import promise_text

__all__ = ["quote_command"]


def _sentences(
    commitment: Commitment, book: Phrasebook, tz: str | None
) -> dict[Metric, dict[str, str]]:
    return {
        metric: {
            form: promise_text(commitment, locale=book, tz=tz, form=form, metric=metric)
            for form in ("exact", "range", "relative")
        }
        for metric in commitment.metrics
    }


def _quote_json(commitment: Commitment, texts: Mapping[Metric, Mapping[str, str]]) -> object:
    def metric(q: MetricQuote) -> dict[str, object]:
        return {
            "rule": q.rule,
            "channel": q.channel,
            "clock": q.clock,
            "direction": q.direction,
            "start": q.start.isoformat(),
            "promised_range": [t.isoformat() for t in q.promised_range],
            "exact_promised_at": q.exact_promised_at.isoformat(),
            "promised_at": q.promised_at.isoformat(),
            "target_at": q.target_at.isoformat(),
            "text": dict(texts[q.metric]),
            "explanation": [{"kind": s.kind, "text": s.text} for s in q.steps],
        }

    return {
        "policy": commitment.policy,
        "rule": commitment.rule,
        "channel": commitment.channel,
        "requested_at": commitment.requested_at.isoformat(),
        "request": commitment.request.model_dump(mode="json", exclude_defaults=True),
        "metrics": {name: metric(q) for name, q in commitment.metrics.items()},
    }


def _print_quote(
    console: Console,
    commitment: Commitment,
    texts: Mapping[Metric, Mapping[str, str]],
    *,
    form: str,
    explain: bool,
) -> None:
    shown = f"policy {commitment.policy!r}, " if commitment.policy else ""
    console.print(
        f"Quote for a request on {commitment.request.channel!r} at "
        f"{_show(commitment.requested_at)} ({shown}rule {commitment.rule!r})"
    )
    table = _table(
        "metric", "told range", "promised", "target", keep=("metric", "promised", "target")
    )
    for name, q in commitment.metrics.items():
        low, high = q.promised_range
        told = _show(high) if low == high else f"{_show(low)} – {_show(high)}"
        table.add_row(name, told, _show(q.promised_at), _show(q.target_at))
    console.print(table)
    console.print("What the customer reads:")
    for name in commitment.metrics:
        console.print(Text(f"  {texts[name][form]}"))
    if explain:
        console.print()
        console.print("Why:")
        for line in commitment.explain().splitlines():
            console.print(Text(f"  {line}"))


@app.command("quote")
def quote_command(
    policy: PolicyArg,
    channel: Annotated[str, typer.Option("--channel", "-c", help="The channel of the request.")],
    priority: Annotated[str | None, typer.Option("--priority", "-p", help="Priority.")] = None,
    segment: Annotated[
        str | None, typer.Option("--segment", "-s", help="Customer segment.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat for more.")
    ] = None,
    attr: Annotated[
        list[str] | None, typer.Option("--attr", "-a", help="An attribute KEY=VALUE; repeat.")
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", "-m", help="Only this metric; repeat.")
    ] = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    locale: LocaleOpt = "en",
    form: Annotated[
        str, typer.Option("--form", help="Customer sentence: exact, range or relative.")
    ] = "range",
    explain: Annotated[
        bool, typer.Option("--explain/--no-explain", help="Show why each time is what it is.")
    ] = True,
    as_json: JsonOpt = False,
    policy_format: FormatOpt = None,
) -> None:
    """Quote a request: the promised range and time, the target, the customer's sentence.

    Times are shown in the customer's zone (--tz), else in the schedule's.
    """
    if form not in ("exact", "range", "relative"):
        _fail(f"--form: {form!r} is not one of exact, range, relative")
    wanted: list[Metric] = []
    for name in metric or ():
        if name not in METRICS:
            _fail(f"--metric: {name!r} is not one of {', '.join(METRICS)}")
        wanted.append(name)
    book = _book(locale)
    loaded = _load_policy(policy, policy_format)
    request = Request(
        channel=channel,
        priority=priority,
        segment=segment,
        tags=tuple(tag or ()),
        attributes={k: _scalar(v) for k, v in _pairs(attr, "--attr").items()},
        customer_tz=tz,
    )
    commitment = quote(loaded, request, at=_instant(at), metrics=wanted or None)
    if not commitment.metrics:
        _fail(f"rule {commitment.rule!r} sets none of the metrics {', '.join(wanted)}")
    if tz is not None:
        commitment = commitment.in_zone(tz)
    texts = _sentences(commitment, book, tz)
    if as_json:
        _emit_json(_quote_json(commitment, texts))
        return
    _print_quote(_console(), commitment, texts, form=form, explain=explain)
