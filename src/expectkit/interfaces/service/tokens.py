"""Bearer tokens with scopes, read from a file or the environment, checked in constant time.

A token line is ``TOKEN SCOPE[,SCOPE...]``; blank lines and ``#`` comments are skipped.
Scopes are ``read`` (quote, status, due, policy, lint, schema, metrics), ``write``
(events and the metric-event outbox) and ``admin`` (policy reload); each includes the
ones before it, so an ``admin`` token may also write and read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args

from expectkit._core.errors import ServiceError

Scope = Literal["read", "write", "admin"]
"""What a token may do: ``read`` < ``write`` < ``admin``."""

SCOPES: Final[tuple[Scope, ...]] = get_args(Scope)
MIN_TOKEN_LENGTH: Final = 16
"""Shorter tokens are refused: they could be guessed."""
TOKENS_ENV: Final = "EXPECTKIT_TOKENS"
"""The environment variable holding token lines (``;`` also separates lines)."""
_MAX_TOKENS_BYTES: Final = 1 << 20


def _digest(token: str) -> bytes:
    # Hashing first makes every comparison the same length: compare_digest then leaks nothing.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def _closure(scopes: Iterable[Scope]) -> frozenset[Scope]:
    top = max(SCOPES.index(s) for s in scopes)
    return frozenset(SCOPES[: top + 1])


@dataclass(frozen=True, slots=True)
class _Entry:
    digest: bytes
    scopes: frozenset[Scope]


class Tokens:
    r"""The bearer tokens a service accepts, each with its scopes.

    Args:
        entries: Pairs of a token and its scopes.

    Raises:
        ServiceError: A token shorter than :data:`MIN_TOKEN_LENGTH`, an unknown scope,
            a token given twice, or no token at all.

    >>> tokens = Tokens.parse("r3ad-0nly-t0ken-0001 read\nadm1n-t0ken-000000001 admin")
    >>> sorted(tokens.scopes_of("adm1n-t0ken-000000001"))
    ['admin', 'read', 'write']
    >>> tokens.scopes_of("wrong") is None
    True

    """

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]], *, source: str = "tokens"):
        found: list[_Entry] = []
        for number, (token, scopes) in enumerate(entries, start=1):
            where = f"{source}, token {number}"
            if len(token) < MIN_TOKEN_LENGTH:
                msg = f"{where}: a token needs at least {MIN_TOKEN_LENGTH} characters"
                raise ServiceError(msg)
            given = list(scopes)
            bad = [s for s in given if s not in SCOPES]
            if bad or not given:
                msg = f"{where}: scope {bad[0] if bad else ''!r} is not one of {', '.join(SCOPES)}"
                raise ServiceError(msg)
            digest = _digest(token)
            if any(hmac.compare_digest(digest, e.digest) for e in found):
                raise ServiceError(f"{where}: the same token is given twice")
            found.append(_Entry(digest, _closure(s for s in SCOPES if s in given)))
        if not found:
            raise ServiceError(f"{source}: no tokens")
        self._entries = tuple(found)

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def parse(cls, text: str, *, source: str = "tokens") -> Tokens:
        r"""Read token lines: ``TOKEN SCOPE[,SCOPE...]``, ``#`` comments, ``;`` or newlines.

        Raises:
            ServiceError: A line without a scope, or a bad token (see :class:`Tokens`).

        >>> len(Tokens.parse("# ops\nwr1te-t0ken-00000001 read,write; r3ad-t0ken-0000001 read"))
        2

        """
        entries: list[tuple[str, list[str]]] = []
        for raw in text.replace(";", "\n").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2:
                msg = f"{source}, token {len(entries) + 1}: write 'TOKEN SCOPE[,SCOPE...]'"
                raise ServiceError(msg)
            entries.append((parts[0], [s.strip() for s in parts[1].split(",") if s.strip()]))
        return cls(entries, source=source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Tokens:
        r"""Read token lines from a file (see :meth:`parse`).

        Raises:
            ServiceError: The file cannot be read, or holds a bad line.

        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "tokens"
        >>> _ = p.write_text("s3rvice-t0ken-000001 write\n")
        >>> len(Tokens.from_file(p))
        1

        """
        where = os.fspath(path)
        try:
            with open(where, "rb") as stream:
                raw = stream.read(_MAX_TOKENS_BYTES + 1)
        except OSError as exc:
            raise ServiceError(f"{where}: cannot read the tokens file: {exc.strerror}") from exc
        if len(raw) > _MAX_TOKENS_BYTES:
            raise ServiceError(f"{where}: the tokens file is over {_MAX_TOKENS_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ServiceError(f"{where}: the tokens file is not UTF-8") from exc
        return cls.parse(text, source=where)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Tokens | None:
        """Read token lines from :data:`TOKENS_ENV`; None when it is unset or empty.

        >>> Tokens.from_env({}) is None
        True
        >>> len(Tokens.from_env({"EXPECTKIT_TOKENS": "r3ad-t0ken-0000001 read"}) or ())
        1
        """
        text = (os.environ if environ is None else environ).get(TOKENS_ENV, "")
        return cls.parse(text, source=TOKENS_ENV) if text.strip() else None

    def scopes_of(self, presented: str) -> frozenset[Scope] | None:
        """Return the scopes of `presented`, or None if it is no token of these.

        Every token is compared, in constant time, whether or not one matched earlier.
        """
        digest = _digest(presented)
        granted: frozenset[Scope] | None = None
        for entry in self._entries:
            if hmac.compare_digest(digest, entry.digest):
                granted = entry.scopes
        return granted


def read_tokens(path: str | Path | None) -> Tokens | None:
    r"""Return the tokens of the file `path`, else of the environment, else None.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tokens"
    >>> _ = p.write_text("adm1n-t0ken-000000001 admin\n")
    >>> len(read_tokens(p) or ())
    1
    """
    if path is not None:
        return Tokens.from_file(path)
    return Tokens.from_env()


__all__ = ["MIN_TOKEN_LENGTH", "SCOPES", "TOKENS_ENV", "Scope", "Tokens", "read_tokens"]
