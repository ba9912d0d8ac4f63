"""Render a policy, a commitment and a quote from the package's ``views/*.html`` templates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from expectkit.promises.calculator import Commitment, MetricQuote
    from expectkit.promises.policy import Policy
    from expectkit.promises.targets import Target
from expectkit._core.templates import view_html
from expectkit.time.schedule_html import _weekly_minutes, week_grid

__all__ = ["commitment_html", "metric_quote_html", "policy_html"]


def _part(lead: str, value: object, tag: str = "") -> dict[str, str]:
    return {"lead": lead, "value": str(value), "tag": tag}


def _target_parts(target: Target) -> list[dict[str, str]]:
    parts = []
    if target.promise is not None:
        parts.append(_part("promise ", target.promise, "b"))
    if target.target is not None:
        parts.append(_part("target ", target.target))
    if target.buffer is not None:
        if target.buffer.ratio is not None:
            ratio = target.buffer.model_dump(mode="json")["ratio"]
            parts.append(_part("target at ratio ", ratio))
        elif target.buffer.margin is not None:
            parts.append(_part("target = promise − ", target.buffer.margin))
    if target.direction == "before":
        parts.append(_part("", "before the event"))
    if target.schedule is not None:
        parts.append(_part("on ", target.schedule, "code"))
    if target.rounding is not None:
        parts.append(_part("rounding ", target.rounding))
    if target.day_mode != "end_of_day":
        parts.append(_part("", target.day_mode))
    return parts


def _match_lines(policy: Policy, index: int) -> list[str] | None:
    """List the rule's conditions, one per line; None for a rule matching every request."""
    match = policy.rules[index].match
    if match.is_catch_all:
        return None
    lines = []
    for name in ("channel", "priority", "segment"):
        value = getattr(match, name)
        if value is not None:
            lines.append(f"{name} = {' | '.join(value)}")
    if match.tags:
        lines.append(f"tags ⊇ {', '.join(match.tags)}")
    for key, values in match.attributes.items():
        lines.append(f"{key} = {' | '.join(str(v) for v in values)}")
    return lines


def _period(start: datetime | None, end: datetime | None) -> str:
    if start is None and end is None:
        return ""
    first = start.isoformat() if start is not None else "…"
    last = end.isoformat() if end is not None else "…"
    return f"{first} – {last}"


def policy_html(policy: Policy) -> str | None:
    """Render a policy from ``views/policy.html``: rules in order, channels and schedules.

    None without Jinja2 (the ``text`` extra): the notebook then shows the plain repr.

    >>> from expectkit import Policy
    >>> policy = Policy(rules=[{"name": "email", "match": {"channel": "email"},
    ...                         "first_response": {"promise": "1-3 business days"}}])
    >>> html = policy_html(policy)
    >>> "1-3 business days" in html and "first_response" in html
    True
    """
    details = [f"default clock {policy.default_clock}", f"rounding {policy.rounding}"]
    period = _period(policy.effective_from, policy.effective_until)
    if period:
        details.append(f"in force {period}")
    rules: list[dict[str, Any]] = [
        {
            "index": i,
            "name": rule.name,
            "description": rule.description or "",
            "matches": _match_lines(policy, i),
            "metrics": [(metric, _target_parts(target)) for metric, target in rule.metrics()],
            "period": _period(rule.effective_from, rule.effective_until),
        }
        for i, rule in enumerate(policy.rules)
    ]
    channels = [
        [name, c.kind, c.mode, c.schedule or "24/7 UTC", c.offline or ""]
        for name, c in policy.channels.items()
    ]
    schedules = [
        {
            "name": name,
            "tz": s.tz,
            "hours": "; ".join(f"{k} {', '.join(v)}" for k, v in s.weekly.items()),
            "week": week_grid(_weekly_minutes(s)),
        }
        for name, s in policy.schedules.items()
    ]
    return view_html(
        "policy",
        policy=policy.name or "",
        description=policy.description or "",
        details=details,
        rules=rules,
        channels=channels,
        schedules=schedules,
    )


def _quote_context(quote: MetricQuote) -> dict[str, str]:
    low, high = quote.promised_range
    return {
        "metric": quote.metric,
        "rule": quote.rule,
        "clock": quote.clock,
        "requested": _instant(quote.requested_at),
        "promised": _instant(quote.promised_at),
        "window": _instant(high) if low == high else f"{_instant(low)} – {_instant(high)}",
        "target": _instant(quote.target_at),
        "start": _instant(quote.start),
        "trace": quote.explain(),
    }


def commitment_html(commitment: Commitment) -> str | None:
    """Render a commitment from ``views/commitment.html``: per metric the told time and why.

    None without Jinja2 (the ``text`` extra): the notebook then shows the plain repr.

    >>> from datetime import datetime, UTC
    >>> from expectkit import Policy, quote
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1-2 hours"}}])
    >>> c = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> html = commitment_html(c)
    >>> "Mon 2026-01-05 11:00 UTC" in html and "<details>" in html
    True
    """
    return view_html(
        "commitment",
        rule=commitment.rule,
        channel=commitment.channel,
        requested=_instant(commitment.requested_at),
        metrics=[_quote_context(q) for q in commitment.metrics.values()],
    )


def _instant(t: datetime) -> str:
    """Show an instant to the second it has (a chat promise is due at 16:30:30)."""
    text = f"{t:%a %Y-%m-%d %H:%M}"
    if t.second or t.microsecond:
        text += f":{t:%S}"
    return f"{text} {t.tzname()}"


def metric_quote_html(quote: MetricQuote) -> str | None:
    """Render one metric's quote from the template ``views/metric_quote.html``.

    None without Jinja2 (the ``text`` extra): the notebook then shows the plain repr.

    >>> from datetime import datetime, UTC
    >>> from expectkit import Policy, quote
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "1-2 hours"}}])
    >>> q = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    >>> html = metric_quote_html(q["first_response"])
    >>> "Mon 2026-01-05 11:00 UTC" in html and "<details>" in html
    True
    """
    return view_html("metric_quote", **_quote_context(quote))
