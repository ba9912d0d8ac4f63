"""Live SLA state in a database: SQLite (embedded, the default) or PostgreSQL.

Needs the ``store`` extra (``pip install "expectkit[store]"``): SQLAlchemy 2 Core
and psycopg 3. See :class:`Store`.
"""

from expectkit.sla.store._schema import SCHEMA_VERSION, StoreError
from expectkit.sla.store._store import Claimed, Due, Store, upgrade_store

__all__ = ["SCHEMA_VERSION", "Claimed", "Due", "Store", "StoreError", "upgrade_store"]
