"""What the commands share: options, reading a policy or an instant, writing times, tables."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Final

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from expectkit._core.errors import PolicyError
from expectkit._core.input import read_stream_bounded
from expectkit.interfaces.cli._app import _fail
from expectkit.promises.file_formats import MAX_POLICY_BYTES, PolicyFormat
from expectkit.promises.policy import Policy
from expectkit.text.phrasebooks import LOCALES, Phrasebook

__all__: list[str] = []

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
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.", dir_okay=False
    ),
]

_STATE_STYLE: Final[Mapping[str, str]] = {
    "on_track": "green",
    "met_target": "green",
    "met_promise": "green",
    "at_risk": "yellow",
    "target_missed": "yellow",
    "paused": "blue",
    "breached": "bold red",
}


def _console() -> Console:
    # Sentences and explanations are not wrapped: a terminal wraps them better than we can.
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped into a file or a pager: Rich would assume 80 columns and break table
        # cells mid-word; give tables the room a wide terminal would.
        console.width = 120
    return console


def _load_policy(path: str, fmt: str | None) -> Policy:
    if fmt is not None and fmt not in ("yaml", "toml", "json"):
        _fail(f"--policy-format: {fmt!r} is not one of yaml, toml, json")
    chosen: PolicyFormat | None = fmt  # type: ignore[assignment]
    if path == "-":
        raw = read_stream_bounded(
            sys.stdin.buffer, MAX_POLICY_BYTES, "<stdin>", PolicyError, "policy"
        )
        return Policy.loads(raw, chosen or "yaml", source="<stdin>")
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


def _when(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror or exc}")
