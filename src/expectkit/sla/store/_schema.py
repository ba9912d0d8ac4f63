"""The store's tables (one schema for SQLite and PostgreSQL) and their versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)

from expectkit._core.errors import ExpectkitError

SCHEMA_VERSION: Final = 2
"""The schema version this release writes; :func:`upgrade` brings older stores to it.

1. The first schema: meta, policies, events, tickets, outbox, rejects.
2. ``expectkit_policies.effective_from``: when a policy version takes effect (µs since
   the epoch, UTC; null: in force from the start).
"""

metadata = MetaData()

meta = Table(
    "expectkit_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

policies = Table(
    "expectkit_policies",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("body", Text, nullable=False),
    Column("effective_from", BigInteger, nullable=True),  # since schema version 2
)

# Append-only: one row per distinct event id of a ticket.
events = Table(
    "expectkit_events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("ticket", String(200), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("ticket", "event_id", name="uq_expectkit_events_ticket_event"),
)

tickets = Table(
    "expectkit_tickets",
    metadata,
    Column("ticket", String(200), primary_key=True),
    Column("state", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("policy_version", String(32), nullable=False),
    Column("next_deadline", BigInteger, nullable=True),  # µs since the epoch, UTC
    Column("next_metric", String(32), nullable=True),
    Column("next_kind", String(32), nullable=True),
)
Index("ix_expectkit_tickets_next_deadline", tickets.c.next_deadline)

outbox = Table(
    "expectkit_outbox",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("key", String(600), nullable=False, unique=True),
    Column("ticket", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
    Column("claimed_until", BigInteger, nullable=True),
    Column("acked", Boolean, nullable=False, default=False),
)
Index("ix_expectkit_outbox_due", outbox.c.acked, outbox.c.at)
Index("ix_expectkit_outbox_ticket", outbox.c.ticket)

rejects = Table(
    "expectkit_rejects",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("source", Text, nullable=True),
    Column("line", Integer, nullable=True),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),
)


class StoreError(ExpectkitError, RuntimeError):
    """The store cannot be used: an unknown schema version or database URL.

    >>> issubclass(StoreError, ExpectkitError)
    True
    """


def schema_version(conn: Connection) -> int | None:
    """Return the store's schema version, or None for an empty database."""
    if not conn.dialect.has_table(conn, meta.name):
        return None
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return None if found is None else int(found)


def _policy_effective_from(conn: Connection) -> None:
    """1 → 2: add the policies' effective date, filled in from each stored policy."""
    ops = Operations(MigrationContext.configure(conn))
    ops.add_column(policies.name, Column("effective_from", BigInteger, nullable=True))
    rows = conn.execute(select(policies.c.version, policies.c.body)).all()
    for version, body in rows:
        found = json.loads(body).get("effective_from")
        if found is not None:
            at = datetime.fromisoformat(found)
            us = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
            conn.execute(
                policies.update().where(policies.c.version == version).values(effective_from=us)
            )


# Migrations: from version n to n + 1, each run with Alembic's operations on the
# connection, in the caller's transaction (PostgreSQL and SQLite both roll DDL back).
MIGRATIONS: Final[dict[int, Callable[[Connection], None]]] = {1: _policy_effective_from}


def upgrade(conn: Connection) -> int:
    """Create the schema or bring it to :data:`SCHEMA_VERSION`; return the version.

    Raises:
        StoreError: The store was written by a newer release.

    """
    found = schema_version(conn)
    if found is None:
        metadata.create_all(conn)
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        return SCHEMA_VERSION
    if found > SCHEMA_VERSION:
        msg = f"the store has schema version {found}; this expectkit knows up to {SCHEMA_VERSION}"
        raise StoreError(msg)
    while found < SCHEMA_VERSION:
        MIGRATIONS[found](conn)
        found += 1
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(found)))
    return found
