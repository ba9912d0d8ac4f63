"""Errors as RFC 9457 problem details (``application/problem+json``), and the body-size limit.

Every error a client sees is a problem document: ``type``, ``title``, ``status`` and a
``detail`` naming the field and the value; a validation error lists every bad field in
``errors``. An unexpected failure is logged on the server with its traceback and told to
the client as a bare 500 without it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from expectkit._core.errors import ExpectkitError, PendingTicketError
from expectkit.interfaces.service.models import UNION_TAGS
from expectkit.sla.store import StoreError

PROBLEM_JSON: Final = "application/problem+json"
_SHOWN: Final = 120
_log = logging.getLogger("expectkit.serve")


class FieldProblem(BaseModel):
    """One bad field of a request: where, the value given and what is wrong.

    >>> FieldProblem(field="body.at", value="x", message="not an instant").field
    'body.at'
    """

    field: str = Field(description="Where: body.…, query.… or path.…, dotted.")
    value: Any = Field(default=None, description="The value given (cut at 120 characters).")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document.

    >>> Problem(title="Not Found", status=404, detail="no ticket 'T9'").type
    'about:blank'
    """

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class ProblemError(Exception):
    """Raised by a route to answer with a problem document.

    >>> ProblemError(404, "no ticket 'T9'").status
    404
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        errors: list[FieldProblem] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.errors = errors


_TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem_response(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Return a problem+json response.

    >>> problem_response(404, "no ticket 'T9'").media_type
    'application/problem+json'
    """
    body = Problem(
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _shown(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value[:_SHOWN] if isinstance(value, str) else value
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def field_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    """Turn pydantic's validation errors into field problems.

    >>> field_problems([{"loc": ("query", "at"), "input": "x", "msg": "bad"}])[0].field
    'query.at'
    """
    found = []
    for err in errors:
        parts = list(err.get("loc", ()))
        if len(parts) > 1 and parts[0] == "body" and parts[1] in UNION_TAGS:
            del parts[1]
        loc = ".".join(str(p) for p in parts)
        found.append(
            FieldProblem(field=loc or "body", value=_shown(err.get("input")), message=err["msg"])
        )
    return found


def _describe(problems: list[FieldProblem]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{first.field}: {first.message}: {first.value!r}{more}"


def install_handlers(app: FastAPI) -> None:
    """Answer every error of `app` with a problem document, never with a traceback."""

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = field_problems(exc.errors())
        return problem_response(
            422, _describe(problems), instance=request.url.path, errors=problems
        )

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem_response(
            exc.status_code, detail, instance=request.url.path, headers=exc.headers
        )

    async def ours(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            exc.status,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers,
            errors=exc.errors,
        )

    async def store(request: Request, exc: Exception) -> JSONResponse:
        _log.error("store error on %s: %s", request.url.path, exc)
        return problem_response(503, "the store is not available", instance=request.url.path)

    async def expectkit(request: Request, exc: Exception) -> JSONResponse:
        status = 409 if isinstance(exc, PendingTicketError) else 422
        return problem_response(status, str(exc), instance=request.url.path)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal error; the server log has the details")

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(ProblemError, ours)
    app.add_exception_handler(StoreError, store)
    app.add_exception_handler(SQLAlchemyError, store)  # the database went away mid-request
    app.add_exception_handler(ExpectkitError, expectkit)
    app.add_exception_handler(Exception, unexpected)


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes gets 413, before it is read whole.

    A ``Content-Length`` over the limit is refused at once; a chunked body is read up
    to the limit before the app sees it.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 once its body is over the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = -1
                if size < 0 or size > self.limit:
                    await self._refuse(scope, receive, send, size)
                    return
        if not any(key == b"content-length" for key, _ in scope.get("headers", ())):
            # A chunked body: read it up to the limit first, then hand it on whole.
            chunks: list[bytes] = []
            seen = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunks.append(message.get("body", b""))
                seen += len(chunks[-1])
                if seen > self.limit:
                    await self._refuse(scope, receive, send, seen)
                    return
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: int) -> None:
        detail = (
            f"the request body is over the limit of {self.limit} bytes"
            if size >= 0
            else "Content-Length is not a number of bytes"
        )
        status = 413 if size >= 0 else 400
        response = problem_response(status, detail, instance=scope.get("path"))
        await response(scope, receive, send)


__all__ = [
    "PROBLEM_JSON",
    "BodyLimit",
    "FieldProblem",
    "Problem",
    "ProblemError",
    "field_problems",
    "install_handlers",
    "problem_response",
]
