"""Live SLA commands over a store: ``ingest``, ``status``, ``due``, ``metric-events``, ``store``.

They need the ``store`` extra. ``--db`` is
an SQLite file path (or ``sqlite:///...``) or a ``postgresql://`` URL.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from expectkit._core.errors import ExpectkitError
from expectkit.interfaces.cli._app import _fail, app
from expectkit.interfaces.cli._events import _Source
from expectkit.interfaces.cli._shared import (
    AtOpt,
    FormatOpt,
    JsonOpt,
    _console,
    _emit_json,
    _instant,
    _iso,
    _load_policy,
    _short,
    _table,
    _when,
)

if TYPE_CHECKING:
    from expectkit.sla.store import Store

DbOpt = Annotated[
    str,
    typer.Option("--db", help="The store: an SQLite file or sqlite:/// URL, or postgresql://."),
]


def _store(db: str, policy: str | None = None, fmt: str | None = None) -> Store:
    try:
        from expectkit.sla.store import Store
    except ImportError:  # pragma: no cover - the dev environment has the extra
        _fail("the store needs the 'store' extra: pip install 'expectkit[store]'")
    return Store(db, _load_policy(policy, fmt) if policy is not None else None)


@app.command("ingest")
def ingest_command(
    events: Annotated[
        str, typer.Argument(metavar="EVENTS", help="Ticket events as JSON Lines, or - for stdin.")
    ],
    policy: Annotated[str, typer.Option("--policy", help="The policy file new tickets use.")],
    db: DbOpt,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Write bad events to the rejects table.")
    ] = False,
    as_json: JsonOpt = False,
    policy_format: FormatOpt = None,
) -> None:
    """Add ticket events to a store (idempotent: re-sending counts duplicates)."""
    source = _Source(events)
    with _store(db, policy, policy_format) as store:
        try:
            counts = store.ingest(_named(source), skip_bad=skip_bad)
        except ExpectkitError as exc:
            text = str(exc)
            raise type(exc)(f"{source.name}, {text}" if text.startswith("line ") else text) from exc
    if as_json:
        _emit_json(counts.as_dict())
    else:
        c = counts.as_dict()
        _console().print(
            f"{c['in']} events in: {c['applied']} applied, {c['duplicates']} duplicates, "
            f"{c['pending']} pending, {c['rejected']} rejected"
        )


def _named(source: _Source) -> list[str]:
    return list(source.lines())


@app.command("status")
def status_command(
    ticket: Annotated[str, typer.Argument(metavar="TICKET", help="The ticket id.")],
    db: DbOpt,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show where each metric of a stored ticket stands at --at."""
    when = _instant(at)
    with _store(db) as store:
        statuses = store.status(ticket, when)
    if as_json:
        _emit_json(
            {
                "ticket": ticket,
                "at": when.isoformat(),
                "metrics": {
                    m: {
                        "state": s.state,
                        "due": _when(s.breach_at),
                        "target": _when(s.target_at),
                        "elapsed": _iso(s.elapsed),
                        "remaining": _iso(s.remaining),
                        "rule": s.rule,
                    }
                    for m, s in statuses.items()
                },
            }
        )
        return
    table = _table("metric", "state", "due", "elapsed", "rule", keep=("state", "due"))
    for m, s in statuses.items():
        table.add_row(m, s.state, _short(s.breach_at), _iso(s.elapsed), s.rule)
    _console().print(table)


@app.command("due")
def due_command(
    db: DbOpt,
    before: Annotated[
        str | None, typer.Option("--before", help="An ISO 8601 instant; default now.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List tickets whose next deadline is at or before --before, earliest first."""
    when = _instant(before, "--before")
    with _store(db) as store:
        found = store.due(when)
    if as_json:
        for d in found:
            line = {"ticket": d.ticket, "at": d.at.isoformat(), "metric": d.metric, "kind": d.kind}
            typer.echo(json.dumps(line, ensure_ascii=False))
        return
    table = _table("ticket", "next deadline", "metric", "kind", keep=("next deadline",))
    for d in found:
        table.add_row(d.ticket, _short(d.at), d.metric or "", d.kind)
    _console().print(table)


@app.command("metric-events")
def metric_events_command(
    db: DbOpt,
    until: Annotated[
        str | None, typer.Option("--until", help="An ISO 8601 instant; default now.")
    ] = None,
) -> None:
    """Claim the metric events due by --until, print them as JSON Lines, acknowledge them."""
    when = _instant(until, "--until")
    with _store(db) as store:
        while claimed := store.claim(when):
            for c in claimed:
                typer.echo(c.event.to_json())
            store.ack([c.id for c in claimed])


store_app = typer.Typer(
    name="store", help="Look after a store: upgrade its schema.", invoke_without_command=True
)
app.add_typer(store_app)


@store_app.callback()
def store_group(ctx: typer.Context) -> None:
    """Look after a store: upgrade its schema."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


@store_app.command("upgrade")
def store_upgrade_command(db: DbOpt, as_json: JsonOpt = False) -> None:
    """Bring the store's schema to this release's version (every row is kept)."""
    try:
        from expectkit.sla.store import upgrade_store
    except ImportError:  # pragma: no cover - the dev environment has the extra
        _fail("the store needs the 'store' extra: pip install 'expectkit[store]'")
    try:
        found, now = upgrade_store(db)
    except ExpectkitError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"from": found, "to": now}))
    elif found is None:
        typer.echo(f"created the store at schema version {now}")
    elif found == now:
        typer.echo(f"the store is at schema version {now}: nothing to do")
    else:
        typer.echo(f"upgraded the store from schema version {found} to {now}")


__all__ = [
    "due_command",
    "ingest_command",
    "metric_events_command",
    "status_command",
    "store_app",
    "store_group",
    "store_upgrade_command",
]
