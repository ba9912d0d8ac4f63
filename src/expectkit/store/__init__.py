"""Live SLA state in a database: SQLite (embedded, the default) or PostgreSQL.

The code lives in :mod:`expectkit.sla.store`; this package only re-exports it, so the
import path ``expectkit.store`` stays.
"""

from expectkit.sla.store import SCHEMA_VERSION, Claimed, Due, Store, StoreError, upgrade_store

__all__ = [
    "SCHEMA_VERSION",
    "Claimed",
    "Due",
    "Store",
    "StoreError",
    "upgrade_store",
]
