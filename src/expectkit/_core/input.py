"""Reading untrusted input: bounded bytes from files and streams, strict JSON.

Every reader takes the error class to raise, so a policy file fails with a
`PolicyError` and an events file with an `EventError`, each naming its source.

* Files are opened without blocking and must be regular files: a named pipe without
  a writer, ``/dev/zero`` or a directory is refused at once, never waited on or read
  without end. At most ``limit + 1`` bytes are read from anything, so a file growing
  after ``stat()`` is still bounded.
* JSON refuses duplicate keys (the standard library keeps the last one silently),
  integers longer than Python converts, and nesting deeper than the interpreter's
  recursion limit, each as the given error with the line.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO, Annotated, Any

from pydantic import AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

from expectkit._core.errors import ExpectkitError

__all__ = [
    "AwareInstant",
    "Instant",
    "JsonInputError",
    "capped_lines",
    "loads_json",
    "open_regular",
    "read_bounded",
    "read_stream_bounded",
    "strict_json",
]


def _too_big(source: str, limit: int, what: str) -> str:
    limits = f"the limit is {limit:,} bytes (pass max_bytes= to raise it)"
    return f"{source}: the {what} is too big; {limits}"


def read_bounded(
    path: str | os.PathLike[str], limit: int, error: type[ExpectkitError], what: str = "file"
) -> bytes:
    """Return the bytes of the regular file at `path`, at most `limit` of them.

    Raises:
        error: The path is malformed, not a regular file, unreadable or too big.

    >>> read_bounded("/dev/zero", 10, ExpectkitError)
    Traceback (most recent call last):
    expectkit.errors.ExpectkitError: /dev/zero: not a regular file (a device); ...

    """
    if not isinstance(path, str | os.PathLike):
        msg = f"expected a file path (str or pathlib.Path), got {type(path).__name__} {path!r:.60}"
        raise error(msg)
    source = os.fspath(path)
    if "\0" in source:
        raise error(f"{source!r}: a file path cannot contain a NUL character")
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise error(f"{source}: cannot read the {what}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _kind_of(mode)
            msg = (
                f"{source}: not a regular file ({kind}); save the input to a file, or pipe it to -"
            )
            raise error(msg)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"{source}: cannot read the {what}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise error(_too_big(source, limit, what))
    return raw


def read_stream_bounded(
    stream: IO[bytes], limit: int, source: str, error: type[ExpectkitError], what: str = "input"
) -> bytes:
    """Return what `stream` holds, refusing more than `limit` bytes (read at most limit + 1).

    >>> import io
    >>> read_stream_bounded(io.BytesIO(b"x" * 11), 10, "<stdin>", ExpectkitError)
    Traceback (most recent call last):
    expectkit.errors.ExpectkitError: <stdin>: the input is too big; the limit is 10 bytes ...

    """
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise error(_too_big(source, limit, what))
    return raw


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _line_of_second(text: str, key: str) -> int | None:
    """Return the line of the second ``"key":`` in `text`, the one that repeats it."""
    spelled = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    matches = list(spelled.finditer(text))
    if len(matches) < 2:
        return None
    return text.count("\n", 0, matches[1].start()) + 1


class JsonInputError(Exception):
    """Why a JSON text was refused, and on which line; callers word the error."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def loads_json(text: str | bytes | bytearray) -> Any:
    """Parse JSON, refusing duplicate keys, integers too long to convert and deep nesting.

    Raises:
        JsonInputError: With the problem in words and its line where known.

    >>> loads_json('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    expectkit._core.input.JsonInputError: duplicate key 'a' in one object; give each key once ...

    """
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKeyError as exc:
        decoded = text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")
        problem = (
            f"duplicate key {exc.key!r} in one object; give each key once "
            "(JSON readers disagree on which one wins)"
        )
        raise JsonInputError(problem, _line_of_second(decoded, exc.key) or 1) from None
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from exc
    except RecursionError:
        raise JsonInputError("the JSON document is nested too deeply") from None
    except ValueError:  # an integer longer than int conversion allows
        digits = sys.get_int_max_str_digits()
        raise JsonInputError(f"a number in the JSON has more than {digits} digits") from None


def strict_json(text: str, source: str, error: type[ExpectkitError]) -> Any:
    """Parse JSON `text` with :func:`loads_json`, raising `error` naming `source` and line.

    >>> strict_json('{"rounding": "1h", "rounding": "15min"}', "p.json", ExpectkitError)
    Traceback (most recent call last):
    expectkit.errors.ExpectkitError: p.json, line 1: duplicate key 'rounding' ...

    """
    try:
        return loads_json(text)
    except JsonInputError as exc:
        where = source if exc.line is None else f"{source}, line {exc.line}"
        raise error(f"{where}: {exc.problem}") from None


def capped_lines(stream: IO[str], limit: int) -> Iterator[str]:
    r"""Yield the lines of a text stream; a line over `limit` characters is a `JsonInputError`.

    A line is read with ``readline(limit + 1)``, so an endless line (``/dev/zero``,
    a runaway producer) costs at most the limit.

    >>> import io
    >>> list(capped_lines(io.StringIO("a\nbb\n"), 2))
    ['a\n', 'bb\n']
    >>> list(capped_lines(io.StringIO("abc\n"), 2))
    Traceback (most recent call last):
    expectkit._core.input.JsonInputError: a line longer than 2 characters; is this JSON Lines?

    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith("\n")):
            raise JsonInputError(f"a line longer than {limit:,} characters; is this JSON Lines?")
        yield line


def open_regular(
    path: str | os.PathLike[str], error: Callable[[str], Exception], what: str = "file"
) -> IO[str]:
    """Open a regular file as UTF-8 text without blocking; refuse pipes, devices, folders.

    `error` turns a message into the exception to raise.
    """
    source = os.fspath(path)
    if "\0" in source:
        raise error("a file path cannot contain a NUL character")
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = _kind_of(mode)
        raise error(f"not a regular file ({kind}); save the input to a file, or pipe it to -")
    return os.fdopen(fd, encoding="utf-8-sig")


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


_NUMERIC = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    """Refuse numbers (and number text) where an instant belongs, before pydantic reads them.

    pydantic's lax mode reads ``1763652600`` and ``"1763652600"`` as Unix timestamps in
    UTC; expectkit never guesses what a number means.
    """
    if isinstance(value, bool | int | float | Decimal) or (
        isinstance(value, str | bytes) and _NUMERIC.fullmatch(os.fsdecode(value))
    ):
        raise PydanticCustomError(
            "instant_not_number",
            "{value} is a number, not an instant; write ISO 8601 text with a UTC offset, "
            "e.g. '2026-11-23T10:00:00+01:00'",
            {"value": repr(value)},
        )
    return value


Instant = Annotated[datetime, BeforeValidator(_not_a_number)]
"""A datetime field that takes an aware ``datetime`` or ISO 8601 text, never a number."""

AwareInstant = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]
"""An aware datetime field that never reads a number as a Unix timestamp."""
