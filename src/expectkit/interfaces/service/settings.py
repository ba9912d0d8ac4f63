"""The service's limits and options, and how the command line hands them to its workers.

``expectkit serve`` runs uvicorn with an import string so that several worker processes
can start the same app; it passes its options through ``EXPECTKIT_SERVE_*`` environment
variables, which :meth:`Settings.from_env` reads back in each worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Final

from expectkit._core.errors import ServiceError

ENV_PREFIX: Final = "EXPECTKIT_SERVE_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Limits and options of one service.

    Attributes:
        max_body_bytes: A larger request body gets 413.
        max_quote_batch: Most requests in one ``POST /v1/quote``.
        max_event_batch: Most events in one ``POST /v1/events``.
        max_page: Most items in one page of ``/v1/due`` or ``/v1/metric-events``.
        lease_seconds: How long a claimed metric event waits for its acknowledgement.
        cors_origins: Origins allowed by CORS; empty: CORS off.
        metrics_ticket_limit: Most tickets the ``/metrics`` gauges count.
        contact_url: The FAQ link of the contact page, if any.

    >>> Settings(max_quote_batch=10).max_quote_batch
    10
    >>> Settings.from_env({"EXPECTKIT_SERVE_MAX_PAGE": "50"}).max_page
    50

    """

    max_body_bytes: int = 4 << 20
    max_quote_batch: int = 100
    max_event_batch: int = 1000
    max_page: int = 1000
    lease_seconds: int = 300
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    metrics_ticket_limit: int = 2000
    contact_url: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and value < 1:
                raise ServiceError(f"{f.name}: {value!r} must be at least 1")

    def to_env(self) -> dict[str, str]:
        """Return the settings as ``EXPECTKIT_SERVE_*`` variables.

        >>> Settings(cors_origins=("https://a.example",)).to_env()["EXPECTKIT_SERVE_CORS_ORIGINS"]
        'https://a.example'
        """
        env = {}
        for name, value in asdict(self).items():
            if value is None:
                continue
            text = ",".join(value) if isinstance(value, tuple) else str(value)
            env[ENV_PREFIX + name.upper()] = text
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``EXPECTKIT_SERVE_*`` variables; the defaults for the rest.

        Raises:
            ServiceError: A variable is not a number where one is needed.

        """
        env = os.environ if environ is None else environ
        given: dict[str, object] = {}
        for f in fields(cls):
            text = env.get(ENV_PREFIX + f.name.upper())
            if text is None:
                continue
            if f.name == "cors_origins":
                given[f.name] = tuple(o.strip() for o in text.split(",") if o.strip())
            elif f.name == "contact_url":
                given[f.name] = text
            else:
                try:
                    given[f.name] = int(text)
                except ValueError:
                    msg = f"{ENV_PREFIX}{f.name.upper()}: {text!r} is not a whole number"
                    raise ServiceError(msg) from None
        return cls(**given)  # type: ignore[arg-type]


__all__ = ["ENV_PREFIX", "Settings"]
