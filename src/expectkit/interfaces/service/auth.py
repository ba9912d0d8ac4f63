"""The bearer-token check: a FastAPI dependency per scope.

Without ``Authorization: Bearer TOKEN`` a request gets 401; with a token that is not
known, 401 too (the same answer, so a caller learns nothing); with a known token
lacking the scope, 403. A service started with ``no_auth`` lets every request in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from expectkit.interfaces.service.problems import ProblemError
from expectkit.interfaces.service.tokens import Scope, Tokens

_bearer = HTTPBearer(auto_error=False, description="A token with the scope the route names.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="expectkit"'}


def require(scope: Scope) -> Callable[..., Awaitable[None]]:
    """Return a dependency that lets a request in only with a token holding `scope`.

    >>> require("read").__name__
    'needs_read'
    """

    async def check(  # no I/O: runs on the event loop, not in the thread pool
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        tokens: Tokens | None = request.app.state.tokens
        if tokens is None:  # started with no_auth on loopback
            return
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ProblemError(
                401, "give a bearer token: Authorization: Bearer TOKEN", headers=_CHALLENGE
            )
        granted = tokens.scopes_of(credentials.credentials)
        if granted is None:
            raise ProblemError(401, "the bearer token is not valid", headers=_CHALLENGE)
        if scope not in granted:
            raise ProblemError(403, f"the token lacks the {scope!r} scope this route needs")

    check.__name__ = f"needs_{scope}"
    return check


__all__ = ["require"]
