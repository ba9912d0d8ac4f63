"""``expectkit lint`` and ``expectkit schema``: what a valid policy can still get wrong.

``lint`` reports problems a valid policy can still have; ``schema`` writes the JSON
Schema of policy files.
"""

from __future__ import annotations

import json

import typer
from rich.text import Text

from expectkit.interfaces.cli._app import EXIT_FINDINGS, app
from expectkit.interfaces.cli._shared import (
    AtOpt,
    FormatOpt,
    JsonOpt,
    OutputOpt,
    PolicyArg,
    _console,
    _emit_json,
    _instant,
    _load_policy,
    _table,
    _write,
)
from expectkit.promises.lint import Finding
from expectkit.promises.policy import Policy

__all__ = ["lint_command", "schema_command"]


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


@app.command("schema")
def schema_command(output: OutputOpt = None) -> None:
    """Write the JSON Schema of policy files (for editors and validators)."""
    _write(json.dumps(Policy.json_schema(), indent=2, ensure_ascii=False) + "\n", output)
