"""Turn validation errors of a policy file into messages naming the file, line and field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import (
    Final,
)

from pydantic import (
    ValidationError,
)
from pydantic_core import PydanticCustomError

from expectkit._core.errors import ExpectkitError, PolicyError
from expectkit.promises.file_formats import (
    Loc,
    Locator,
)

_REFERENCE_ERROR: Final = "expectkit_reference"


def _reference(message: str, loc: Loc) -> PydanticCustomError:
    return PydanticCustomError(_REFERENCE_ERROR, "{message}", {"message": message, "loc": loc})


def _unknown(what: str, name: object, known: Iterable[str]) -> str:
    names = sorted(known)
    listed = ", ".join(repr(n) for n in names) if names else "none"
    return f"unknown {what} {name!r} (declared: {listed})"


def _too_big(source: str, size: int, limit: int) -> str:
    return (
        f"{source}: the policy is {size:,} bytes; the limit is {limit:,} bytes "
        "(pass max_bytes= to raise it)"
    )


def _context(data: object) -> dict[str, object]:
    clock = data.get("default_clock") if isinstance(data, Mapping) else None
    return {"default_clock": clock if clock in ("business", "calendar") else "calendar"}


def _path(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w-]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


_TYPE_TAG = re.compile(r"^[a-z-]+\[.*\]$|^(str|int|float|bool|list|tuple|dict)$")


def _clean_loc(loc: Loc) -> Loc:
    # pydantic adds a union member's name (``str``, ``function-after[...]``) to a loc.
    return tuple(p for p in loc if not (isinstance(p, str) and _TYPE_TAG.match(p)))


_INNER_PATH = re.compile(r"([A-Za-z_]\w*)((?:\[[^\]]*\]|\.[A-Za-z_]\w*)*): ")


def _convert(exc: ValidationError, source: str | None, locate: Locator | None) -> PolicyError:
    problems: list[str] = []
    errors = exc.errors(include_url=False)
    for err in errors[:5]:
        loc: Loc = _clean_loc(tuple(err["loc"]))
        ctx = err.get("ctx") or {}
        suffix = ""
        if err["type"] == _REFERENCE_ERROR:
            loc = tuple(ctx["loc"])
            message = str(ctx["message"])
        elif isinstance(ctx.get("error"), ExpectkitError):
            message = str(ctx["error"])
            inner = _INNER_PATH.match(message)
            if inner is not None:
                # Our own errors start with the field path inside the value: join it on.
                name, suffix = inner.groups()
                if not (loc and loc[-1] == name):
                    loc = (*loc, name)
                message = message[inner.end() :]
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] != "missing":
                shown = repr(err.get("input"))
                message += f" (got {shown[:77] + '...' if len(shown) > 80 else shown})"
        line = locate(loc) if locate is not None else None
        where = [part for part in (source, f"line {line}" if line else None) if part]
        where.append((_path(loc) + suffix) or "<policy>")
        problems.append(f"{', '.join(where)}: {message}")
    if len(errors) > 5:
        problems.append(f"... and {len(errors) - 5} more")
    return PolicyError("; ".join(problems))
