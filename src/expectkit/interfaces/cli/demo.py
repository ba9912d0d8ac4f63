"""``expectkit demo``: quote the bundled example policy, explain it and check its tickets."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib import resources
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.text import Text

from expectkit.interfaces.cli._app import app
from expectkit.interfaces.cli._events import _replay
from expectkit.interfaces.cli._shared import (
    _STATE_STYLE,
    LocaleOpt,
    _book,
    _console,
    _short,
    _show,
    _span,
    _table,
    _write,
)
from expectkit.interfaces.cli.checking import _status_rows
from expectkit.promises.calculator import quote
from expectkit.promises.policy import Policy
from expectkit.sla.clock import Clock
from expectkit.text.promise_text import promise_text

__all__ = ["demo_command"]

_DEMO_ZONE: Final = "Europe/Berlin"
_DEMO_AT: Final = "2026-11-20T16:30:00+01:00"  # a Friday, half an hour before closing
_DEMO_CHECK_AT: Final = "2026-11-26T10:00:00+01:00"
_DEMO_REQUESTS: Final[tuple[tuple[str, Mapping[str, Any], str], ...]] = (
    ("chat, desk open", {"channel": "chat"}, _DEMO_AT),
    ("chat, after hours", {"channel": "chat"}, "2026-11-20T18:00:00+01:00"),
    ("social complaint", {"channel": "social", "tags": ["complaint"]}, "2026-11-20T16:37:00+01:00"),
    ("social, other", {"channel": "social"}, _DEMO_AT),
)
_DEMO_OTHERS: Final = (
    ("ru", "Europe/Moscow"),
    ("bg", "Europe/Sofia"),
    ("zh_Hans", "Asia/Shanghai"),
    ("nb", "Europe/Oslo"),
    ("en", "America/New_York"),
)


def _demo_file(name: str) -> str:
    return resources.files("expectkit").joinpath("demo", name).read_text(encoding="utf-8")


def _demo_instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(ZoneInfo(_DEMO_ZONE))


@app.command("demo")
def demo_command(
    locale: LocaleOpt = "en",
    tz: Annotated[
        str, typer.Option("--tz", help="The demo customer's IANA zone.")
    ] = "America/New_York",
    print_policy: Annotated[
        bool, typer.Option("--print-policy", help="Print the demo policy (YAML) and exit.")
    ] = False,
) -> None:
    """Quote the bundled example policy and explain it: no arguments needed.

    A support desk in Berlin (Mon–Fri 09:00–17:00, Berlin's public holidays)
    answers email within 1–3 business days, chat within 30 seconds while staffed,
    social-media complaints within 3–5 hours. A customer emails on a Friday
    afternoon: what are they told, what does the team aim for, and why? Then the
    SLA clock checks a handful of tickets.
    """
    if print_policy:
        _write(_demo_file("policy.yaml"), None)
        return
    book = _book(locale)
    policy = Policy.loads(_demo_file("policy.yaml"), source="demo/policy.yaml")
    asked = _demo_instant(_DEMO_AT)
    commitment = quote(policy, {"channel": "email", "customer_tz": tz}, at=asked)
    first = commitment["first_response"]
    console = _console()
    console.print(
        "expectkit demo: a support desk in Berlin, Mon–Fri 09:00–17:00, closed on "
        "Berlin's public holidays."
    )
    console.print(f"A customer in {tz} writes an email on {_show(asked)}.")
    console.print()
    console.print("Told to the customer:")
    for form in ("range", "exact"):
        console.print(Text(f"  {promise_text(commitment, locale=book, form=form)}"))
    console.print(f"The team aims for {_show(first.target_at)}: the internal target, never told.")
    console.print()
    console.print("Why:")
    for line in first.explain().splitlines()[1:]:
        console.print(Text(f"  {line.strip()}"))
    console.print()
    console.print("Other requests to the same desk (Berlin time):")
    table = _table(
        "request", "asked", "rule", "promised", "target", keep=("asked", "promised", "target")
    )
    for label, request, when in _DEMO_REQUESTS:
        fr = quote(policy, request, at=_demo_instant(when))["first_response"]
        table.add_row(
            label, _short(fr.requested_at), fr.rule, _short(fr.promised_at), _short(fr.target_at)
        )
    console.print(table)
    console.print("The email promise in other languages and zones:")
    for other, zone in _DEMO_OTHERS:
        if (other, zone) != (book.tag, tz):
            text = promise_text(commitment, locale=other, tz=zone, form="range")
            console.print(Text(f"  {other:<8}{text}"))
    _demo_check(console, policy)
    console.print()
    console.print("Try it on your own copy of the policy:")
    console.print("  expectkit demo --print-policy > desk.yaml")
    console.print("  expectkit quote desk.yaml --channel chat --at 2026-11-20T18:00+01:00")
    console.print(
        "  expectkit contact-page desk.yaml --locale ru --tz Europe/Moscow > contact.html"
    )


def _demo_story(lines: Sequence[str]) -> dict[str, str]:
    """Say in a few words what happened to each demo ticket."""
    story: dict[str, list[str]] = {}
    for line in lines:
        event = json.loads(line)
        at = _short(_demo_instant(event["at"]))
        if event["type"] == "created":
            tags = f" ({', '.join(event['tags'])})" if event.get("tags") else ""
            text = f"{event['channel']}{tags}, {at}"
        elif event["type"] == "agent_reply":
            text = f"{'reply' if event.get('public', True) else 'internal note'} {at}"
        else:  # pragma: no cover - the demo events hold only these two types
            text = f"{event['type']} {at}"
        story.setdefault(event["ticket"], []).append(text)
    return {ticket: "; ".join(parts) for ticket, parts in story.items()}


def _demo_check(console: Console, policy: Policy) -> None:
    lines = _demo_file("events.jsonl").splitlines()
    clock = Clock(policy)
    _replay(clock, lines, "demo/events.jsonl")
    story = _demo_story(lines)
    when = _demo_instant(_DEMO_CHECK_AT)
    console.print()
    console.print(f"The SLA clock on six demo tickets at {_show(when)} (Berlin time):")
    table = _table(
        "ticket",
        "events",
        "first response",
        "elapsed",
        "promise due",
        keep=("first response", "elapsed", "promise due"),
    )
    for row in _status_rows(clock, list(clock.tickets), when):
        status = row.status
        table.add_row(
            row.ticket,
            story[row.ticket],
            Text(status.state, style=_STATE_STYLE.get(status.state, "")),
            _span(status.elapsed),
            _short(status.breach_at),
        )
    console.print(table)
