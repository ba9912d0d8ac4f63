"""The ``expectkit import`` command: a helpdesk's exports in, a policy file out.

It writes the policy (YAML, or JSON for a ``.json`` output) and lists, one line each,
what did not map. Exit codes follow the other commands: 0 when everything mapped,
1 when something did not (the policy is still written), 2 for a usage or input error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer

from expectkit.importers._report import ImportResult
from expectkit.importers.freshdesk import import_freshdesk
from expectkit.importers.jsm import import_jsm
from expectkit.importers.zendesk import import_zendesk
from expectkit.promises.metrics import CLOCK_METRICS, METRICS
from expectkit.sla.jsonl import write_events

__all__ = ["import_command"]

_VENDORS: Final = {"zendesk": "Zendesk", "freshdesk": "Freshdesk", "jsm": "Jira Service Management"}
_EXIT_FINDINGS: Final = 1
_MAX_YEARS: Final = 100


def import_command(
    vendor: Annotated[str, typer.Argument(metavar="VENDOR", help="zendesk, freshdesk or jsm.")],
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILES...", help="The vendor's API exports (JSON), any order."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the policy here (default: standard output).",
            dir_okay=False,
        ),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(
            "--events",
            help="Zendesk: write the converted ticket events here (JSON "
            "Lines, for 'expectkit check').",
            dir_okay=False,
        ),
    ] = None,
    holiday_years: Annotated[
        str | None,
        typer.Option(
            "--holiday-years",
            metavar="YEARS",
            help="Close yearly holidays in these years: 2026 or 2026-2028.",
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            metavar="NAME=METRIC",
            help="JSM: the expectkit metric of an SLA name (repeatable).",
        ),
    ] = None,
    channel: Annotated[
        str,
        typer.Option(
            "--channel", help="Zendesk: the channel of tickets missing from the tickets export."
        ),
    ] = "unknown",
) -> None:
    """Import SLA policies and business hours from Zendesk, Freshdesk or Jira Service Management.

    Writes the policy and lists what did not map; exits with 1 when something did not.
    """
    if vendor not in _VENDORS:
        raise typer.BadParameter(
            f"{vendor!r} is not one of {', '.join(_VENDORS)}", param_hint="VENDOR"
        )
    years = _years(holiday_years)
    names = _metric_names(metric or [])
    if names and vendor != "jsm":
        raise typer.BadParameter("only the jsm importer names SLAs", param_hint="--metric")
    if vendor == "zendesk":
        result = import_zendesk(files, default_channel=channel)
    elif vendor == "freshdesk":
        result = import_freshdesk(files, holiday_years=years)
    else:
        result = import_jsm(files, metric_names=names, holiday_years=years)
    if result.events and events is None:
        msg = f"the exports hold {len(result.events)} ticket events; write them with --events FILE"
        raise typer.BadParameter(msg, param_hint="--events")
    _report(result, vendor, len(files), output, events)


def _years(text: str | None) -> list[int] | None:
    if text is None:
        return None
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a year or a range such as 2026-2028", param_hint="--holiday-years"
        ) from None
    if not 1900 <= start <= end <= 2199 or end - start >= _MAX_YEARS:
        raise typer.BadParameter(
            f"{text!r}: years run from 1900 to 2199, at most 100 of them",
            param_hint="--holiday-years",
        )
    return list(range(start, end + 1))


def _metric_names(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.rpartition("=")
        if not sep or not name.strip() or value.strip() not in (*METRICS, *CLOCK_METRICS):
            raise typer.BadParameter(
                f"{item!r} is not NAME=METRIC with a metric of {', '.join(CLOCK_METRICS)}",
                param_hint="--metric",
            )
        out[name.strip()] = value.strip()
    return out


def _report(
    result: ImportResult, vendor: str, files: int, output: Path | None, events: Path | None
) -> None:
    text = result.policy.dumps(
        "json" if output is not None and output.suffix == ".json" else "yaml"
    )
    to_stdout = output is None or str(output) == "-"
    if to_stdout:
        typer.echo(text, nl=False)
    else:
        assert output is not None
        output.write_text(text, encoding="utf-8")
    shown = "standard output" if to_stdout else str(output)
    rules, schedules = len(result.policy.rules), len(result.policy.schedules)
    lines = [
        f"Imported {rules} rule{'s' * (rules != 1)} and {schedules} "
        f"schedule{'s' * (schedules != 1)} from {files} {_VENDORS[vendor]} "
        f"export{'s' * (files != 1)} into {shown}."
    ]
    if events is not None:
        write_events(result.events, events)
        lines.append(f"Wrote {len(result.events)} ticket events to {events}.")
    if result.findings:
        lines.append(f"Not imported ({len(result.findings)}):")
        lines.extend(f"  {finding}" for finding in result.findings)
    else:
        lines.append("Everything mapped.")
    for line in lines:
        typer.echo(line, err=to_stdout)
    if result.findings:
        raise typer.Exit(_EXIT_FINDINGS)
