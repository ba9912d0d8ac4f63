"""The ``expectkit`` command: quote promises, check tickets, lint policies, write pages.

Commands (``expectkit COMMAND --help`` for each):

* ``demo``: quote the bundled example policy and explain it; no arguments needed.
* ``quote POLICY --channel NAME``: promised and target times for a request.
* ``check POLICY EVENTS``: replay ticket events (JSON Lines) and show each metric's state.
* ``lint POLICY``: report rules that never match, requests no rule matches, and more.
* ``schema``: the JSON Schema of policy files.
* ``contact-page POLICY``: the contact & response-times page, HTML or Markdown.

A file argument of ``-`` reads standard input. Output is a table for people, or JSON
with ``--json``. Errors are one line on standard error naming the bad input.

Exit codes:

* 0: done; nothing to report.
* 1: findings: ``lint`` found a problem, ``check`` found a broken promise.
* 2: a usage or input error: a bad option or value, an unreadable or invalid file.
* 130: interrupted.

>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["lint", "-", "--at", "2026-11-23T09:00:00Z"],
...     input="rules: [{name: all, first_response: {promise: 1 day}}]")
>>> result.exit_code, result.stdout.strip()
(0, 'No findings.')
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn
from zoneinfo import ZoneInfo

try:
    import typer
    from rich import box
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table
    from rich.text import Text
    from typer.core import TyperGroup
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    msg = "the expectkit command needs the 'cli' extra: pip install 'expectkit[cli]'"
    raise ImportError(msg) from exc

from expectkit.calculator import Commitment, MetricQuote, quote
from expectkit.clock import Clock, MetricStatus, ReplayReport
from expectkit.errors import ExpectkitError
from expectkit.policy import METRICS, Finding, Metric, Policy, PolicyFormat, Request
from expectkit.text import LOCALES, Phrasebook, contact_page, promise_text

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "app", "main"]

EXIT_OK: Final = 0
"""Done; nothing to report."""
EXIT_FINDINGS: Final = 1
"""``lint`` found a problem, or ``check`` found a broken promise."""
EXIT_USAGE: Final = 2
"""A bad option or value, or an unreadable or invalid file."""
_EXIT_INTERRUPTED: Final = 130

_PROGRESS_MIN_BYTES: Final = 4 << 20  # below this a file reads faster than a bar draws
_PROGRESS_STEP: Final = 1 << 16
_PROGRESS_MIN_TICKETS: Final = 5_000  # about three seconds of status checks


class _InputError(Exception):
    """A bad input the command reports as one line, with exit code 2."""


def _fail(message: str) -> NoReturn:
    raise _InputError(message)


class _Group(TyperGroup):
    """Report every error as one line on standard error, with the documented exit codes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except (ExpectkitError, _InputError) as exc:
            _error(str(exc))
            code = EXIT_USAGE
        except OSError as exc:
            _error(f"{exc.filename or 'output'}: {exc.strerror or exc}")
            code = EXIT_USAGE
        except typer.Abort:
            _error("interrupted")
            code = _EXIT_INTERRUPTED
        except Exception as exc:
            if not callable(getattr(exc, "format_message", None)):
                raise  # a bug: let its traceback show
            code = _usage_error(exc)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


def _usage_error(exc: Exception) -> int:
    # Typer raises Click's exceptions (newer Typer versions vendor Click privately):
    # recognised by their shape rather than imported, so any Typer version works.
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return EXIT_USAGE
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    _error(f"{exc.format_message()}{hint}")  # type: ignore[attr-defined]
    return EXIT_USAGE


def _error(message: str) -> None:
    text = " ".join(message.split())  # one line, whatever the message held
    typer.echo(f"expectkit: error: {text}", err=True)


app = typer.Typer(
    cls=_Group,
    name="expectkit",
    help="Customer-expectation and SLA promises: quote, check, lint, publish.",
    epilog="Exit codes: 0 done, 1 findings (lint) or broken promises (check), "
    "2 usage or input error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
"""The Typer application (the ``expectkit`` console script)."""


def main(args: Sequence[str] | None = None) -> NoReturn:
    """Run the command line with `args` (default ``sys.argv[1:]``) and exit.

    >>> main(["schema", "--help"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    SystemExit: 0
    """
    app(args=list(args) if args is not None else None, prog_name="expectkit")
    raise AssertionError("unreachable")  # pragma: no cover - app() always exits


def _version(value: bool) -> None:
    if value:
        from expectkit import __version__

        typer.echo(f"expectkit {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Customer-expectation and SLA promises: quote, check, lint, publish."""


# -- shared options and helpers -------------------------------------------------

PolicyArg = Annotated[
    str, typer.Argument(metavar="POLICY", help="Policy file (.yaml, .toml, .json), or - for stdin.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--policy-format", help="yaml, toml or json; default from the suffix (yaml for stdin)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Write JSON instead of a table.")]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="An ISO 8601 instant with its offset, e.g. 2026-11-20T16:30+01:00; default now.",
    ),
]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="The customer's IANA zone, e.g. Europe/Oslo.")
]
LocaleOpt = Annotated[
    str,
    typer.Option("--locale", "-l", help=f"Language of customer text: {', '.join(LOCALES)}."),
]


def _console() -> Console:
    # Sentences and explanations are not wrapped: a terminal wraps them better than we can.
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped into a file or a pager: Rich would assume 80 columns and break table
        # cells mid-word; give tables the room a wide terminal would.
        console.width = 120
    return console


def _stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def _load_policy(path: str, fmt: str | None) -> Policy:
    if fmt is not None and fmt not in ("yaml", "toml", "json"):
        _fail(f"--policy-format: {fmt!r} is not one of yaml, toml, json")
    chosen: PolicyFormat | None = fmt  # type: ignore[assignment]
    if path == "-":
        return Policy.loads(sys.stdin.buffer.read(), chosen or "yaml", source="<stdin>")
    return Policy.load(path, format=chosen)


def _instant(text: str | None, option: str = "--at") -> datetime:
    if text is None or text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{option}: {text!r} is not an ISO 8601 instant such as 2026-11-20T16:30+01:00")
    if value.utcoffset() is None:
        _fail(f"{option}: {text!r} has no UTC offset; write e.g. {text.strip()}+01:00 or ...Z")
    return value


def _pairs(values: Sequence[str] | None, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail(f"{option}: {item!r} is not KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def _scalar(text: str) -> str | int | float | bool:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        number = json.loads(text)
    except ValueError:
        return text
    return number if isinstance(number, int | float) and not isinstance(number, bool) else text


def _show(t: datetime | None) -> str:
    if t is None:
        return "—"
    text = t.strftime("%a %Y-%m-%d %H:%M")
    if t.second or t.microsecond:
        text += t.strftime(":%S")
    return f"{text} {t.tzname()}"


def _span(d: timedelta) -> str:
    # Hours, not days: on the business clock a "day" of 24 running hours means nothing.
    sign = "-" if d < timedelta(0) else ""
    seconds = abs(d) // timedelta(seconds=1)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    parts.append(f"{seconds} s" if seconds or not any(parts) else "")
    return sign + " ".join(p for p in parts if p)


def _short(t: datetime | None) -> str:
    if t is None:
        return "—"
    text = t.strftime("%a %d %b %H:%M")
    if t.second or t.microsecond:
        text += t.strftime(":%S")
    return text


def _iso(d: timedelta) -> str:
    """Write a duration in ISO 8601 hours ("PT25H30M"): business time has no 24-hour days."""
    sign = "-" if d < timedelta(0) else ""
    micros = abs(d) // timedelta(microseconds=1)
    seconds, micro = divmod(micros, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}H" if hours else ""
    text += f"{minutes}M" if minutes else ""
    if seconds or micro or not text:
        text += f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") + "S"
    return f"{sign}PT{text}"


def _emit_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _book(locale: str) -> Phrasebook:
    return Phrasebook.load(locale)


def _table(*columns: str, keep: Sequence[str] = ()) -> Table:
    """Return a plain table; the `keep` columns (times, states) are never wrapped."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in keep)
    return table


# -- quote --------------------------------------------------------------------


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


# -- check --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    """Event lines from a file or standard input, with a progress bar on big files."""

    path: str

    @property
    def name(self) -> str:
        return "<stdin>" if self.path == "-" else self.path

    def lines(self) -> Iterator[str]:
        if self.path == "-":
            yield from sys.stdin
            return
        path = Path(self.path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            _fail(f"{self.path}: cannot read the events file: {exc.strerror or exc}")
        with path.open("rb") as handle:
            progress = _progress(big=size >= _PROGRESS_MIN_BYTES)
            with progress:
                task = progress.add_task("reading events", total=size)
                pending = 0
                for number, raw in enumerate(handle, start=1):
                    pending += len(raw)
                    if pending >= _PROGRESS_STEP:  # a bar update per line would cost more
                        progress.advance(task, pending)
                        pending = 0
                    try:
                        yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
                    except UnicodeDecodeError as exc:
                        _fail(f"{self.path}, line {number}: not UTF-8 text ({exc.reason})")
                progress.advance(task, pending)


def _progress(*, big: bool, counting_bytes: bool = True) -> Progress:
    """Return a progress bar on standard error, shown only for big inputs on a terminal."""
    console = _stderr_console()
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn() if counting_bytes else MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not big or not console.is_terminal,
    )


_BROKEN: Final = "breached"


def _replay(clock: Clock, lines: Iterator[str] | Sequence[str], source: str) -> ReplayReport:
    try:
        return clock.replay(lines)
    except ExpectkitError as exc:
        # The clock reads lines, not the file: name the file its line numbers count in.
        raise type(exc)(f"{source}, {exc}" if str(exc).startswith("line ") else str(exc)) from exc


@dataclass(frozen=True, slots=True)
class _Row:
    ticket: str
    metric: str
    status: MetricStatus


def _status_rows(clock: Clock, tickets: Sequence[str], at: datetime) -> list[_Row]:
    rows: list[_Row] = []
    progress = _progress(big=len(tickets) >= _PROGRESS_MIN_TICKETS, counting_bytes=False)
    with progress:
        task = progress.add_task("checking tickets", total=len(tickets))
        for number, ticket in enumerate(tickets, start=1):
            rows.extend(_Row(ticket, name, s) for name, s in clock.status(ticket, at=at).items())
            if number % 256 == 0:
                progress.update(task, completed=number)
        progress.update(task, completed=len(tickets))
    return rows


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
    as_json: JsonOpt = False,
    policy_format: FormatOpt = None,
) -> None:
    """Replay ticket events and show where each metric stands at --at.

    Exits with 1 when a promise is broken (a metric is 'breached').
    """
    if policy == "-" and events == "-":
        _fail("POLICY and EVENTS cannot both be read from stdin")
    loaded = _load_policy(policy, policy_format)
    when = _instant(at)
    source = _Source(events)
    clock = Clock(loaded)
    report = _replay(clock, source.lines(), source.name)
    known = list(clock.tickets)
    chosen = list(dict.fromkeys(ticket)) if ticket else known
    seen = set(known)
    missing = [t for t in chosen if t not in seen]
    if missing:
        _fail(f"--ticket: no events for {missing[0]!r} in {source.name}")
    rows = _status_rows(clock, chosen, when)
    broken = sum(1 for row in rows if row.status.state == _BROKEN)
    if as_json:
        _emit_json(
            {
                "at": when.isoformat(),
                "events": {"read": report.events_in, "used": report.events_used},
                "statuses": [_status_json(row) for row in rows],
                "breached": broken,
            }
        )
    else:
        _print_statuses(_console(), rows, when, str(report))
    if broken:
        raise typer.Exit(EXIT_FINDINGS)


def _when(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _status_json(row: _Row) -> dict[str, object]:
    status = row.status
    return {
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


_STATE_STYLE: Final[Mapping[str, str]] = {
    "on_track": "green",
    "met_target": "green",
    "met_promise": "green",
    "at_risk": "yellow",
    "target_missed": "yellow",
    "paused": "blue",
    "breached": "bold red",
}


def _print_statuses(console: Console, rows: Sequence[_Row], at: datetime, read: str) -> None:
    console.print(f"Statuses at {_show(at)} ({read})")
    table = _table(
        "ticket",
        "metric",
        "rule",
        "state",
        "elapsed",
        "remaining",
        "promise due",
        keep=("ticket", "metric", "state", "elapsed", "remaining", "promise due"),
    )
    counts: dict[str, int] = {}
    for row in rows:
        status = row.status
        counts[status.state] = counts.get(status.state, 0) + 1
        table.add_row(
            row.ticket,
            row.metric,
            status.rule,
            Text(status.state, style=_STATE_STYLE.get(status.state, "")),
            _span(status.elapsed),
            _span(status.remaining),
            _show(status.breach_at),
        )
    console.print(table)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    console.print(f"{len(rows)} metrics: {summary}" if rows else "No metrics to report.")


# -- lint, schema ---------------------------------------------------------------


@app.command("lint")
def lint_command(
    policy: PolicyArg,
    at: AtOpt = None,
    as_json: JsonOpt = False,
    policy_format: FormatOpt = None,
) -> None:
    """Report problems a valid policy can still have; exits with 1 on any finding.

    Shadowed rules, request shapes no rule matches, targets later than their
    promises, reversed windows and schedules that never open (starts sampled over
    the week from --at).
    """
    loaded = _load_policy(policy, policy_format)
    findings: list[Finding] = loaded.lint(at=_instant(at))
    if as_json:
        _emit_json(
            [
                {"code": f.code, "path": f.path, "message": f.message, "severity": f.severity}
                for f in findings
            ]
        )
    elif findings:
        console = _console()
        table = _table("severity", "code", "where", "problem")
        for f in findings:
            style = "bold red" if f.severity == "error" else "yellow"
            table.add_row(Text(f.severity, style=style), f.code, f.path, f.message)
        console.print(table)
        console.print(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}.")
    else:
        _console().print("No findings.")
    if findings:
        raise typer.Exit(EXIT_FINDINGS)


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.", dir_okay=False
    ),
]


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror or exc}")


@app.command("schema")
def schema_command(output: OutputOpt = None) -> None:
    """Write the JSON Schema of policy files (for editors and validators)."""
    _write(json.dumps(Policy.json_schema(), indent=2, ensure_ascii=False) + "\n", output)


# -- contact page ---------------------------------------------------------------


@app.command("contact-page")
def contact_page_command(
    policy: PolicyArg,
    locale: LocaleOpt = "en",
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="The visitor's IANA zone; default the first channel's schedule's."
        ),
    ] = None,
    at: AtOpt = None,
    page_format: Annotated[str, typer.Option("--format", "-f", help="html or markdown.")] = "html",
    faq: Annotated[str | None, typer.Option("--faq", help="URL of the FAQ or help centre.")] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option("--contact", help="CHANNEL=ADDRESS (email, phone or URL); repeat."),
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="CHANNEL=NAME shown; repeat.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The page title.")] = None,
    output: OutputOpt = None,
    policy_format: FormatOpt = None,
) -> None:
    """Write the contact & response-times page: channels, hours, what to expect."""
    if page_format not in ("html", "markdown", "md"):
        _fail(f"--format: {page_format!r} is not one of html, markdown")
    loaded = _load_policy(policy, policy_format)
    contacts = _pairs(contact, "--contact")
    labels = _pairs(label, "--label")
    for option, names in (("--contact", contacts), ("--label", labels)):
        for name in names:
            if loaded.channels and name not in loaded.channels:
                _fail(
                    f"{option}: unknown channel {name!r} (declared: {', '.join(loaded.channels)})"
                )
    page = contact_page(
        loaded,
        locale=_book(locale),
        tz=tz,
        at=_instant(at),
        format="html" if page_format == "html" else "markdown",
        faq_url=faq,
        contacts=contacts,
        labels=labels,
        title=title,
    )
    _write(page, output)


# -- demo -----------------------------------------------------------------------

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
