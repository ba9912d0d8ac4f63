"""The store: ticket events, states, the next-deadline index and the metric-event outbox."""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

import expectkit.sla.store._schema as s
from expectkit._core.errors import EventError, ExpectkitError
from expectkit.promises.metrics import ClockMetric
from expectkit.promises.policy import Policy
from expectkit.sla.clock import Clock
from expectkit.sla.engine import _as_instant
from expectkit.sla.events import _check_year, _instant, _us
from expectkit.sla.jsonl import EventSource, _Reader
from expectkit.sla.metric_events import MetricEvent, metric_events
from expectkit.sla.state import IngestCounts, TicketState, event_id, policy_version
from expectkit.sla.statuses import MetricStatus
from expectkit.sla.store._schema import StoreError

_RETRIES: Final = 50
_CHUNK: Final = 500  # names a statement binds at most (SQLite allows 32 766 parameters)
_CACHED: Final = 100_000  # ticket states a store keeps of what it wrote


class _ConflictError(Exception):
    """Another writer changed a ticket row since it was read: retry the batch."""


@dataclass(frozen=True, slots=True)
class Due:
    """A ticket's next deadline from the index.

    >>> Due("T1", datetime(2026, 1, 5, tzinfo=UTC), "resolution", "promise").kind
    'promise'
    """

    ticket: str
    at: datetime
    metric: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class Claimed:
    """A metric event taken from the outbox, to acknowledge with :meth:`Store.ack`."""

    id: int
    event: MetricEvent


def _url(target: str | os.PathLike[str]) -> str:
    text = os.fspath(target)
    if "://" not in text:
        return "sqlite:///" + str(Path(text).resolve())
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if text.startswith(("sqlite://", "postgresql+psycopg://")):
        return text
    msg = f"database: {text!r} is not a file path, sqlite:/// or postgresql:// URL"
    raise StoreError(msg)


def _engine(url: str, *, writer: bool = True) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # transactions are begun below, immediately
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Writers take the lock at the start: no deadlock upgrading a read lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Ticket SLA state kept in SQLite (the embedded default) or PostgreSQL.

    Events are appended once per (ticket, event id); each ticket has one row with
    its :class:`~expectkit.sla.state.TicketState`, a version, the policy version it is
    counted under and its next deadline (indexed); metric events wait in an outbox
    until claimed and acknowledged.

    Concurrent writers use an optimistic version check: a ticket row is updated
    only if its version is the one read, and a batch that loses the race is rolled
    back and ingested again (SQLite serializes writers besides).

    Args:
        target: A file path or ``sqlite:///`` URL, or a ``postgresql://`` URL.
        policy: The policy new tickets are counted under (stored by version).

    >>> import tempfile, os
    >>> policy = Policy(rules=[{"name": "r", "first_response": {"promise": "4 hours"}}])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     store = Store(os.path.join(d, "sla.db"), policy)
    ...     counts = store.ingest([{"ticket": "T1", "type": "created",
    ...                             "at": "2026-01-05T09:00:00Z", "channel": "web"}])
    ...     print(counts.as_dict(), [d.kind for d in store.due(datetime(2026, 1, 6, tzinfo=UTC))])
    ...     store.close()
    {'in': 1, 'applied': 1, 'duplicates': 0, 'pending': 0, 'rejected': 0} ['at_risk']

    """

    def __init__(
        self, target: str | os.PathLike[str], policy: Policy | Sequence[Policy] | None = None
    ) -> None:
        self.url = _url(target)
        self.engine = _engine(self.url)
        # SQLite readers take no write lock (WAL lets them read while one writes).
        self._add_event = self._insert(s.events).on_conflict_do_nothing()
        self._add_outbox = self._insert(s.outbox).on_conflict_do_nothing()
        self.reader = (
            _engine(self.url, writer=False) if self.url.startswith("sqlite") else self.engine
        )
        self._clocks: dict[str, Clock] = {}
        self._states: dict[str, tuple[int, TicketState]] = {}  # ticket: (row version, state)
        t = s.tickets
        self._update_ticket = (
            update(t)
            .where(t.c.ticket == bindparam("b_ticket"), t.c.version == bindparam("b_version"))
            .values(version=bindparam("b_version") + 1)
        )
        try:
            with self.engine.begin() as conn:
                s.upgrade(conn)
                if policy is not None:
                    self._new = self._remember_policies(conn, Clock(policy))
                else:
                    self._new = self._current_clock(conn)
                self.policy_version = self._new._policy_version()
        except DBAPIError as exc:
            raise StoreError(f"database: {exc.orig}") from exc

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()
        self.reader.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is an SQLite file."""
        return self.engine.dialect.name == "sqlite"

    # -- policies --------------------------------------------------------------

    def _remember_policies(self, conn: Connection, clock: Clock) -> Clock:
        """Keep the clock's policy versions; new tickets count with it from now on."""
        for engine in clock._engines:
            self._remember_policy(conn, engine)
        versions = json.dumps([e._policy_version() for e in clock._engines])
        stmt = self._insert(s.meta).values(key="current_versions", value=versions)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": versions}))
        return clock

    def _current_clock(self, conn: Connection) -> Clock:
        """Return the clock new tickets count with, as the store last remembered it."""
        meta = s.meta.c
        query = select(meta.key, meta.value).where(
            meta.key.in_(["current_policy", "current_versions"])
        )
        found = {str(r.key): str(r.value) for r in conn.execute(query)}
        if "current_policy" not in found:
            raise StoreError("the store has no policy yet: give one")
        versions = json.loads(found.get("current_versions", "[]")) or [found["current_policy"]]
        if len(versions) == 1:
            return self._clock(conn, versions[0])
        bodies = [self._clock(conn, v).policy for v in versions]
        clock = Clock(bodies)
        for engine in clock._engines:
            self._clocks[engine._policy_version()] = engine
        return clock

    def _remember_policy(self, conn: Connection, clock: Clock) -> str:
        policy = clock.policy
        version = policy_version(policy)
        self._clocks[version] = clock
        known = conn.execute(
            select(s.policies.c.version).where(s.policies.c.version == version)
        ).scalar()
        if known is None:
            conn.execute(
                self._insert(s.policies)
                .values(
                    version=version,
                    body=policy.model_dump_json(),
                    effective_from=None
                    if policy.effective_from is None
                    else _us(policy.effective_from),
                )
                .on_conflict_do_nothing()
            )
        current = {"key": "current_policy", "value": version}
        stmt = self._insert(s.meta).values(**current)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": version}))
        return version

    def _clock(self, conn: Connection, version: str) -> Clock:
        clock = self._clocks.get(version)
        if clock is None:
            body = conn.execute(
                select(s.policies.c.body).where(s.policies.c.version == version)
            ).scalar()
            if body is None:
                raise StoreError(f"the store has no policy of version {version!r}")
            clock = self._clocks[version] = Clock(Policy.model_validate_json(body))
        return clock

    def _insert(self, table: Any) -> Any:
        return (sqlite.insert if self.is_sqlite else postgresql.insert)(table)

    # -- ingest ----------------------------------------------------------------

    def ingest(
        self, events: EventSource, *, skip_bad: bool = False, batch_size: int = 5000
    ) -> IngestCounts:
        """Add events in batches, one transaction each; return the counts.

        Each batch is validated first: a bad event rejects its batch (an
        :class:`~expectkit._core.errors.EventError` naming the line; nothing of that batch
        is written), or with `skip_bad` goes to the rejects table with its reason
        and is counted as rejected. Re-sending events is safe: an event id already
        stored counts as a duplicate.

        Raises:
            EventError: A bad event (without `skip_bad`).
            NaiveDatetimeError: An instant without a UTC offset.

        """
        reader = _Reader(events)
        total = IngestCounts()
        batch: list[tuple[int, Any]] = []
        for line, item in reader:
            batch.append((line, item))
            if len(batch) >= batch_size:
                self._ingest_batch(batch, reader, skip_bad, total)
                batch = []
        if batch:
            self._ingest_batch(batch, reader, skip_bad, total)
        return total

    def _ingest_batch(
        self, batch: list[tuple[int, Any]], reader: _Reader, skip_bad: bool, total: IngestCounts
    ) -> None:
        parsed: dict[str, list[tuple[int, Any, str]]] = {}
        bad: list[tuple[int | None, str, str]] = []
        clock = self._new  # events are checked against the policies new tickets use
        for line, item in batch:
            try:
                ev = reader.event(line, item)
                _check_year(_us(ev.at), ev.ticket, reader.source, line)
                with clock._lock:
                    clock._encode(ev, reader.source, line)  # a channel the policy declares
            except ExpectkitError as exc:
                if not skip_bad:
                    raise
                bad.append(
                    (
                        line,
                        str(exc),
                        item if isinstance(item, str) else json.dumps(item, default=str),
                    )
                )
                continue
            parsed.setdefault(ev.ticket, []).append((line, ev, event_id(ev)))
        for attempt in range(_RETRIES):
            counts = IngestCounts()
            written: dict[str, tuple[int, TicketState]] = {}
            try:
                with self.engine.begin() as conn:
                    for bad_line, reason, body in bad:
                        conn.execute(
                            s.rejects.insert().values(
                                source=reader.source, line=bad_line, reason=reason, body=body
                            )
                        )
                        counts.events_in += 1
                        counts.rejected += 1
                    self._ingest_tickets(conn, parsed, reader.source, counts, written)
            except (_ConflictError, IntegrityError) as exc:
                del exc
            except DBAPIError as exc:
                if not _retryable(exc):
                    raise StoreError(f"database: {exc.orig}") from exc
            else:
                for name in ("events_in", "applied", "duplicates", "pending", "rejected"):
                    setattr(total, name, getattr(total, name) + getattr(counts, name))
                if len(self._states) + len(written) > _CACHED:
                    self._states.clear()
                self._states.update(written)  # committed: what this process wrote last
                return
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        msg = f"gave up after {_RETRIES} conflicting attempts"  # pragma: no cover
        raise StoreError(msg)  # pragma: no cover

    def _ingest_tickets(
        self,
        conn: Connection,
        parsed: dict[str, list[tuple[int, Any, str]]],
        source: str | None,
        counts: IngestCounts,
        written: dict[str, tuple[int, TicketState]],
    ) -> None:
        """Ingest a batch's tickets in a few statements: read rows, add events, write rows."""
        t, e = s.tickets, s.events
        names = sorted(parsed)  # one order for every writer
        rows: dict[str, Any] = {}
        for chunk in _chunks(names, _CHUNK):
            query = select(t.c.ticket, t.c.state, t.c.version, t.c.policy_version).where(
                t.c.ticket.in_(chunk)
            )
            rows.update((r.ticket, r) for r in conn.execute(query))
        pairs = [(name, eid) for name in names if name in rows for _, _, eid in parsed[name]]
        known: set[tuple[str, str]] = set()
        for chunk in _chunks(pairs, _CHUNK // 2):
            query = select(e.c.ticket, e.c.event_id).where(
                tuple_(e.c.ticket, e.c.event_id).in_(chunk)
            )
            known.update((r.ticket, r.event_id) for r in conn.execute(query))
        new_events: list[dict[str, str]] = []
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        refresh: list[TicketState] = []
        for ticket in names:
            row = rows.get(ticket)
            if row is None:
                version = 0
                state = TicketState.empty(ticket, self._new)
            else:
                version, current = row.version, row.policy_version
                cached = self._states.get(ticket)
                if cached is not None and cached[0] == version:
                    state = cached[1]  # the state this process wrote: no need to read it
                else:
                    state = TicketState.from_json(row.state, self._clock(conn, current))
            before = state
            for line, ev, eid in parsed[ticket]:
                if (ticket, eid) in known:
                    counts.events_in += 1
                    counts.duplicates += 1
                    continue
                known.add((ticket, eid))
                new_events.append({"ticket": ticket, "event_id": eid, "body": ev.to_json()})
                try:
                    state, outcome = state.apply_counted(ev)
                except EventError as exc:
                    problem = str(exc).split(": ", 1)[-1]
                    raise EventError.at(source, line, ticket, problem) from exc
                counts.count(outcome)
            if state is before and row is not None:
                continue
            values = self._row(state)
            if row is None:
                inserts.append({"ticket": ticket, "version": 1, **values})
            else:
                updates.append({"b_ticket": ticket, "b_version": version, **values})
            written[ticket] = (version + 1, state)
            if state.created:
                refresh.append(state)
        if new_events:
            done = conn.execute(self._add_event, new_events)
            if done.rowcount not in (-1, len(new_events)):
                raise _ConflictError("events")  # another writer stored some of them first
        if inserts:
            conn.execute(t.insert(), inserts)
        if updates:
            done = conn.execute(self._update_ticket, updates)
            if done.rowcount not in (-1, len(updates)):
                raise _ConflictError("tickets")
        self._refresh_outboxes(conn, refresh)

    def _row(self, state: TicketState) -> dict[str, Any]:
        due = None
        if state.created:
            last = state.last_event_at
            assert last is not None
            due = state.next_deadline(last)
        return {
            "policy_version": state.policy_version,  # the version in force at its creation
            "state": state.to_json(),
            "next_deadline": None if due is None else _us(due.at),
            "next_metric": None if due is None else due.metric,
            "next_kind": None if due is None else due.kind,
        }

    def _refresh_outboxes(self, conn: Connection, refresh: list[TicketState]) -> None:
        """Replace the tickets' predicted metric events (after their latest event) with new ones.

        Every metric event is offered again (those stored already are kept as they are):
        a later event may add earlier ones, as a reopen turns a solve into a pause.
        """
        if not refresh:
            return
        o = s.outbox
        gone = [
            {"b_ticket": st.ticket, "b_last": _us(cast("datetime", st.last_event_at))}
            for st in refresh
        ]
        conn.execute(
            delete(o).where(
                o.c.ticket == bindparam("b_ticket"),
                o.c.at > bindparam("b_last"),
                o.c.acked.is_(False),
            ),
            gone,
        )
        rows = [
            {
                "key": ev.key,
                "ticket": ev.ticket,
                "at": _us(ev.at),
                "body": ev.to_json(),
                "acked": False,
            }
            for state in refresh
            for ev in metric_events(state)
        ]
        if rows:
            conn.execute(self._add_outbox, rows)

    # -- questions -------------------------------------------------------------

    def state(self, ticket: str) -> TicketState:
        """Return the ticket's state.

        Raises:
            EventError: The store has no events for `ticket`.

        """
        with self.reader.connect() as conn:
            row = conn.execute(
                select(s.tickets.c.state, s.tickets.c.policy_version).where(
                    s.tickets.c.ticket == ticket
                )
            ).first()
            if row is None:
                raise EventError.at(None, None, ticket, "the store has no events for this ticket")
            return TicketState.from_json(row.state, self._clock(conn, row.policy_version))

    def status(self, ticket: str, at: datetime) -> Mapping[ClockMetric, MetricStatus]:
        """Return where each metric of `ticket` stands at `at` (see :meth:`Clock.status`)."""
        return self.state(ticket).status(at)

    def tickets(self) -> list[str]:
        """Return the ids of the stored tickets, sorted."""
        with self.reader.connect() as conn:
            query = select(s.tickets.c.ticket).order_by(s.tickets.c.ticket)
            return list(conn.execute(query).scalars())

    def due(self, before: datetime, *, limit: int | None = None) -> list[Due]:
        """Return tickets whose next deadline is at or before `before`, earliest first.

        The next deadline is the one after the ticket's latest event (see
        :meth:`TicketState.next_deadline`), so a ticket past it stays listed.
        """
        t = s.tickets
        query = (
            select(t.c.ticket, t.c.next_deadline, t.c.next_metric, t.c.next_kind)
            .where(t.c.next_deadline.is_not(None), t.c.next_deadline <= _as_instant(before))
            .order_by(t.c.next_deadline, t.c.ticket)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.reader.connect() as conn:
            return [
                Due(r.ticket, _instant(r.next_deadline, UTC), r.next_metric, r.next_kind)
                for r in conn.execute(query)
            ]

    # -- outbox ----------------------------------------------------------------

    def claim(
        self, until: datetime, *, lease: timedelta = timedelta(minutes=5), limit: int = 1000
    ) -> list[Claimed]:
        """Take metric events due at or before `until` that are not acknowledged.

        A claim holds for `lease` (of real time): events claimed and not
        acknowledged come back once it runs out, so a crash between claim and
        :meth:`ack` delivers again and never loses one.
        """
        o = s.outbox
        now = _us(datetime.now(UTC))
        with self.engine.begin() as conn:
            query = (
                select(o.c.id, o.c.body)
                .where(
                    o.c.acked.is_(False),
                    o.c.at <= _as_instant(until),
                    (o.c.claimed_until.is_(None)) | (o.c.claimed_until < now),
                )
                .order_by(o.c.at, o.c.id)
                .limit(limit)
            )
            if not self.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            if rows:
                conn.execute(
                    update(o)
                    .where(o.c.id.in_([r.id for r in rows]))
                    .values(claimed_until=now + lease // timedelta(microseconds=1))
                )
        return [Claimed(r.id, MetricEvent.from_json(r.body)) for r in rows]

    def ack(self, ids: list[int]) -> None:
        """Acknowledge delivered metric events: they are never claimed again."""
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(s.outbox).where(s.outbox.c.id.in_(ids)).values(acked=True))

    def counts(self) -> dict[str, int]:
        """Return row counts: events, tickets, outbox (all, acknowledged) and rejects."""
        from sqlalchemy import func

        with self.reader.connect() as conn:

            def n(table: Any, *where: Any) -> int:
                return int(
                    conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
                    or 0
                )

            return {
                "events": n(s.events),
                "tickets": n(s.tickets),
                "outbox": n(s.outbox),
                "acked": n(s.outbox, s.outbox.c.acked.is_(True)),
                "rejects": n(s.rejects),
            }


def upgrade_store(target: str | os.PathLike[str]) -> tuple[int | None, int]:
    """Bring a store's schema to this release's version; return (found, now).

    ``found`` is None for an empty database (the schema is created). Upgrading keeps
    every row; a store already at :data:`SCHEMA_VERSION` is left as it is. Opening
    a :class:`Store` upgrades too; this does it without a policy, for a deployment
    step (``expectkit store upgrade --db URL``).

    Raises:
        StoreError: The store was written by a newer release, or the database fails.

    >>> import tempfile, os
    >>> from expectkit.sla.store import SCHEMA_VERSION
    >>> with tempfile.TemporaryDirectory() as d:
    ...     upgrade_store(os.path.join(d, "new.db")) == (None, SCHEMA_VERSION)
    True

    """
    engine = _engine(_url(target))
    try:
        with engine.begin() as conn:
            found = s.schema_version(conn)
            return found, s.upgrade(conn)
    except DBAPIError as exc:
        raise StoreError(f"database: {exc.orig}") from exc
    finally:
        engine.dispose()


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    text = str(exc.orig).lower()
    return code in ("40001", "40P01", "23505") or "locked" in text or "busy" in text


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
