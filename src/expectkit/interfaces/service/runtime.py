"""What one service process serves: the policy in force and the store, swapped whole on reload.

Workers keep no state of their own beyond these two: every ticket lives in the store,
so several processes or hosts can serve one database.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from expectkit._core.errors import PolicyError, ServiceError
from expectkit.promises.policy import Policy
from expectkit.sla.state import policy_version
from expectkit.sla.store import Store, StoreError

_log = logging.getLogger("expectkit.serve")


@dataclass(frozen=True, slots=True)
class Serving:
    """The policy and the store one request uses, taken together.

    >>> Serving.__slots__
    ('policy', 'version', 'store')
    """

    policy: Policy
    version: str
    store: Store


@dataclass(frozen=True, slots=True)
class Reloaded:
    """What a reload did.

    >>> Reloaded("b", "a").changed
    True
    """

    version: str
    previous_version: str

    @property
    def changed(self) -> bool:
        """Whether the policy serving now differs from the one before."""
        return self.version != self.previous_version


class Runtime:
    """The serving pair of one process, with a validated, atomic policy reload.

    A request takes :attr:`serving` once and uses that pair to the end, so a reload
    never changes the policy under a request in flight, and none is dropped.

    Args:
        policy: A policy file (re-read on reload) or a policy.
        db: The store's file path or URL.

    Raises:
        PolicyError: The policy file cannot be read or is invalid.
        StoreError: The database cannot be opened.

    >>> import tempfile, os
    >>> policy = Policy(rules=[{"name": "r", "first_response": {"promise": "4 hours"}}])
    >>> runtime = Runtime(policy, os.path.join(tempfile.mkdtemp(), "sla.db"))
    >>> runtime.serving.version == runtime.serving.store.policy_version
    True
    >>> runtime.close()

    """

    def __init__(self, policy: Policy | str | os.PathLike[str], db: str) -> None:
        self.db = db
        self.source: Path | None = None if isinstance(policy, Policy) else Path(policy)
        loaded = policy if isinstance(policy, Policy) else Policy.load(Path(policy))
        self._lock = threading.Lock()
        self._serving = Serving(loaded, policy_version(loaded), Store(db, loaded))
        self._retired: list[Store] = []

    @property
    def serving(self) -> Serving:
        """The pair in force now."""
        return self._serving

    def reload(self) -> Reloaded:
        """Read the policy file again and serve it, if it is valid.

        The new file is read and validated, and the store opened with it, before
        anything changes: on any error the old policy keeps serving and the error
        says why.

        Raises:
            ServiceError: The service was given a policy, not a file.
            PolicyError: The file is unreadable or invalid (the old policy stays).
            StoreError: The database refused the new policy (the old policy stays).

        """
        if self.source is None:
            raise ServiceError("reload: the service was started with a policy, not a file")
        with self._lock:
            old = self._serving
            try:
                fresh = Policy.load(self.source)
            except PolicyError as exc:
                msg = f"reload refused, policy {old.version} keeps serving: {exc}"
                raise PolicyError(msg) from exc
            version = policy_version(fresh)
            if version == old.version:
                return Reloaded(version, old.version)
            try:
                store = Store(self.db, fresh)
            except StoreError as exc:
                msg = f"reload refused, policy {old.version} keeps serving: {exc}"
                raise StoreError(msg) from exc
            self._serving = Serving(fresh, version, store)
            # Requests in flight may still hold the old store; its pool closes at shutdown.
            self._retired.append(old.store)
        _log.info("policy reloaded: %s -> %s at %s", old.version, version, datetime.now(UTC))
        return Reloaded(version, old.version)

    def ready(self) -> bool:
        """Whether the database answers a query."""
        try:
            self._serving.store.due(datetime(1970, 1, 1, tzinfo=UTC), limit=1)
        except (StoreError, OSError):
            return False
        except Exception:
            _log.warning("readiness check failed", exc_info=True)
            return False
        return True

    def close(self) -> None:
        """Close every store this process opened."""
        for store in [*self._retired, self._serving.store]:
            store.close()
        self._retired.clear()


__all__ = ["Reloaded", "Runtime", "Serving"]
