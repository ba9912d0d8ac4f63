"""``expectkit check``: replay ticket events and say where every metric stands.

The rows are written as they are ready, one ticket at a time, so a check over
hundreds of thousands of tickets holds no table in memory and starts writing at
once: JSON Lines with ``--json``, aligned text lines with ``--all``; by default only
the summary, a count of the metrics in each state. ``--state``, ``--metric`` and
``--rule`` choose the rows; ``--ticket`` the tickets. The exit code is 1 when any
metric checked is breached, whatever ``--state`` shows.

>>> import json
>>> from importlib import resources
>>> from typer.testing import CliRunner
>>> demo = resources.files("expectkit") / "demo"
>>> args = ["check", str(demo / "policy.yaml"), str(demo / "events.jsonl")]
>>> result = CliRunner().invoke(
...     app, [*args, "--at", "2026-11-26T10:00+01:00", "--state", "breached", "--json"]
... )
>>> result.exit_code, [json.loads(line)["ticket"] for line in result.stdout.splitlines()]
(1, ['T1', 'T5'])
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final, get_args

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

import expectkit.interfaces.cli._events as _events
from expectkit.interfaces.cli._app import EXIT_FINDINGS, _fail, app
from expectkit.interfaces.cli._events import _replay, _showing, _Source
from expectkit.interfaces.cli._shared import (
    _STATE_STYLE,
    AtOpt,
    FormatOpt,
    PolicyArg,
    _console,
    _instant,
    _iso,
    _load_policy,
    _show,
    _span,
    _table,
    _when,
)
from expectkit.promises.metrics import CLOCK_METRICS
from expectkit.sla.clock import Clock
from expectkit.sla.statuses import MetricState, MetricStatus

__all__ = ["check_command"]

_BROKEN: Final = "breached"
_STATES: Final[tuple[MetricState, ...]] = get_args(MetricState)
_HEADERS: Final = ("ticket", "metric", "rule", "state", "elapsed", "remaining", "promise due")
_SPAN_WIDTH: Final = len("-9999 h 59 min")  # wider spans push the rest of their line right
_GAP: Final = "   "


@dataclass(frozen=True, slots=True)
class _Row:
    ticket: str
    metric: str
    status: MetricStatus


def _status_rows(clock: Clock, tickets: Sequence[str], at: datetime) -> Iterator[_Row]:
    """Yield every metric of every ticket at `at`, one ticket at a time, with a progress bar."""
    big = len(tickets) >= _events._PROGRESS_MIN_TICKETS
    progress = _events._progress(big=big, counting_bytes=False)
    with _showing(progress):
        task = progress.add_task("checking tickets", total=len(tickets))
        for number, ticket in enumerate(tickets, start=1):
            for name, status in clock.status(ticket, at=at).items():
                yield _Row(ticket, name, status)
            if number % 256 == 0:
                progress.update(task, completed=number)
        progress.update(task, completed=len(tickets))


def _choices(values: Sequence[str] | None, option: str, known: Sequence[str]) -> frozenset[str]:
    """Return the distinct `values` of a repeatable filter, each checked against `known`."""
    for value in values or ():
        if value not in known:
            _fail(f"{option}: {value!r} is not one of {', '.join(known)}")
    return frozenset(values or ())


@app.command("check")
def check_command(
    policy: PolicyArg,
    events: Annotated[
        str, typer.Argument(metavar="EVENTS", help="Ticket events as JSON Lines, or - for stdin.")
    ],
    at: AtOpt = None,
    ticket: Annotated[
        list[str] | None, typer.Option("--ticket", help="Only this ticket; repeat for more.")
    ] = None,
    state: Annotated[
        list[str] | None,
        typer.Option("--state", help="Only metrics in this state, e.g. breached; repeat."),
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", "-m", help="Only this metric; repeat.")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Only metrics under this rule; repeat.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every row, not only the summary.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Write every row as JSON Lines, as it is ready.")
    ] = False,
    policy_format: FormatOpt = None,
) -> None:
    """Replay ticket events and show where each metric stands at --at.

    Prints how many metrics are in each state; --all lists every row, --json writes
    every row as JSON Lines, each as soon as its ticket is checked. Exits with 1 when
    a promise is broken (a metric checked is 'breached'), even when --state hides it.
    """
    if policy == "-" and events == "-":
        _fail("POLICY and EVENTS cannot both be read from stdin")
    states = _choices(state, "--state", _STATES)
    metrics = _choices(metric, "--metric", CLOCK_METRICS)
    loaded = _load_policy(policy, policy_format)
    rules = _choices(rule, "--rule", [r.name for r in loaded.rules])
    when = _instant(at)
    source = _Source(events)
    clock = Clock(loaded)
    report = _replay(clock, source.lines(), source.name)
    if clock.pending:
        name, waiting = next(iter(clock.pending.items()))
        _fail(f"{source.name}, ticket {name!r}: {waiting} events but no 'created' event")
    known = list(clock.tickets)
    chosen = list(dict.fromkeys(ticket)) if ticket else known
    seen = set(known)
    missing = [t for t in chosen if t not in seen]
    if missing:
        _fail(f"--ticket: no events for {missing[0]!r} in {source.name}")
    console = _console()
    if not as_json:
        console.print(f"Statuses at {_show(when)} ({report})")
    in_policy = [r for r in loaded.rules if not rules or r.name in rules]
    shown = metrics or {m for r in in_policy for m in CLOCK_METRICS if getattr(r, m, None)}
    lines = _Lines(console, chosen, [r.name for r in in_policy], shown)
    if show_all and not as_json:
        lines.header()
    counts: Counter[tuple[str, str]] = Counter()
    broken = 0
    at_text = when.isoformat()
    for row in _status_rows(clock, chosen, when):
        status = row.status
        if (metrics and row.metric not in metrics) or (rules and status.rule not in rules):
            continue
        broken += status.state == _BROKEN
        if states and status.state not in states:
            continue
        counts[row.metric, status.state] += 1
        if as_json:
            lines.write(json.dumps(_status_json(row, at_text), ensure_ascii=False))
        elif show_all:
            lines.row(row)
    if not as_json:
        if not show_all and counts:
            console.print(_summary_table(counts))
        console.print(_summary_line(counts, broken, hint=not show_all))
    if broken:
        raise typer.Exit(EXIT_FINDINGS)


def _status_json(row: _Row, at: str) -> dict[str, object]:
    status = row.status
    return {
        "at": at,
        "ticket": row.ticket,
        "metric": row.metric,
        "state": status.state,
        "rule": status.rule,
        "clock": status.clock,
        "started_at": status.started_at.isoformat(),
        "stopped_at": _when(status.stopped_at),
        "target_at": _when(status.target_at),
        "breach_at": _when(status.breach_at),
        "elapsed": _iso(status.elapsed),
        "remaining": _iso(status.remaining),
    }


def _pad(text: str, width: int) -> str:
    return text.ljust(width) if text.isascii() else text + " " * (width - cell_len(text))


class _Lines:
    """Write rows as they come: plain lines to a file or pipe, styled ones on a terminal.

    The column widths are fixed before the first row, from what can appear in them
    (the tickets checked, the policy's rule names, the metric and state names), so
    no row waits for the widest one; a span wider than ``-9999 h 59 min`` pushes the
    rest of its own line to the right.
    """

    def __init__(
        self,
        console: Console,
        tickets: Sequence[str],
        rules: Sequence[str],
        metrics: Collection[str],
    ) -> None:
        self.console = console
        names = metrics or CLOCK_METRICS
        least = (
            max((cell_len(t) for t in tickets), default=0),
            max(len(m) for m in names),
            max((cell_len(r) for r in rules), default=0),
            max(len(s) for s in _STATES),
            _SPAN_WIDTH,
            _SPAN_WIDTH,
        )
        self.widths = tuple(max(w, len(h)) for w, h in zip(least, _HEADERS, strict=False))
        self.styled = console.is_terminal and console.color_system is not None

    def write(self, line: str) -> None:
        sys.stdout.write(line + "\n")  # looked up each time: a progress bar may wrap it

    def header(self) -> None:
        cells = [_pad(h, w) for h, w in zip(_HEADERS, self.widths, strict=False)]
        line = _GAP.join([*cells, _HEADERS[-1]])
        self.write(line)
        self.write(
            "─"
            * (sum(self.widths) + len(_GAP) * len(self.widths) + len("Wed 2026-11-25 17:00 CET"))
        )

    def row(self, row: _Row) -> None:
        status = row.status
        w = self.widths
        before = _GAP.join(
            (_pad(row.ticket, w[0]), _pad(row.metric, w[1]), _pad(status.rule, w[2]))
        )
        state = _pad(status.state, w[3])
        after = _GAP.join(
            (
                _pad(_span(status.elapsed), w[4]),
                _pad(_span(status.remaining), w[5]),
                _show(status.breach_at),
            )
        )
        if self.styled:
            text = Text.assemble(
                before + _GAP, (state, _STATE_STYLE.get(status.state, "")), _GAP + after
            )
            self.console.print(text)
        else:
            self.write(f"{before}{_GAP}{state}{_GAP}{after}")


def _summary_table(counts: Counter[tuple[str, str]]) -> object:
    metrics = [m for m in CLOCK_METRICS if any(m == k[0] for k in counts)]
    states = [s for s in _STATES if any(s == k[1] for k in counts)]
    table = _table("metric", *states, "total", keep=("metric", *states, "total"))
    for column in table.columns[1:]:
        column.justify = "right"
    for name in metrics:
        cells = [counts[name, s] for s in states]
        table.add_row(
            name,
            *(
                Text(str(n), style=_STATE_STYLE.get(s, "")) if n else Text("0", style="dim")
                for n, s in zip(cells, states, strict=True)
            ),
            str(sum(cells)),
        )
    return table


def _summary_line(counts: Counter[tuple[str, str]], broken: int, *, hint: bool) -> str:
    if not counts:
        line = "No metrics to report."
    else:
        by_state = Counter[str]()
        for (_, s), n in counts.items():
            by_state[s] += n
        summary = ", ".join(f"{n} {s}" for s, n in sorted(by_state.items()))
        line = f"{by_state.total()} metrics: {summary}"
    if hint and counts:
        line += "\nList every row with --all"
        line += ", the broken promises with --all --state breached." if broken else "."
    return line
