"""The HTTP service: promises and SLA clocks over a live store, for callers in any language.

Needs the ``serve`` extra (``pip install "expectkit[serve]"``): FastAPI, uvicorn and
prometheus-client. :func:`create_app` builds the ASGI app; ``expectkit serve`` runs it
with uvicorn. Modules: :mod:`~.app` (the factory), :mod:`~.models` (the request and
response models), :mod:`~.tokens` and :mod:`~.auth` (bearer tokens with scopes),
:mod:`~.problems` (problem+json errors, the body limit), :mod:`~.runtime` (the policy and
store one process serves, reload), :mod:`~.telemetry` (Prometheus), :mod:`~.settings`,
and one ``routes_*`` module per concern.

>>> from expectkit.interfaces.service import Tokens
>>> len(Tokens.parse("r3ad-t0ken-0000001 read"))
1
"""

from expectkit.interfaces.service.app import create_app, create_app_from_env
from expectkit.interfaces.service.settings import Settings
from expectkit.interfaces.service.tokens import SCOPES, Scope, Tokens

__all__ = ["SCOPES", "Scope", "Settings", "Tokens", "create_app", "create_app_from_env"]
