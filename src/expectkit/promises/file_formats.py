"""Read policy files as JSON and TOML, keeping the line of every value for error messages."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from typing import (
    Final,
    Literal,
)

from expectkit._core.errors import PolicyError
from expectkit._core.input import strict_json

__all__ = ["MAX_POLICY_BYTES", "MAX_YAML_NODES", "PolicyFormat"]

PolicyFormat = Literal["yaml", "toml", "json"]
"""The file formats :meth:`Policy.load` reads (and, except TOML, :meth:`Policy.dumps` writes)."""


MAX_POLICY_BYTES: Final = 1 << 20
"""Largest policy text :meth:`Policy.load` accepts (1 MiB), unless told otherwise."""


MAX_YAML_NODES: Final = 100_000
"""Most YAML nodes a document may hold once its aliases are expanded."""


_SUFFIXES: Final[Mapping[str, PolicyFormat]] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
}


Loc = tuple[str | int, ...]


Locator = Callable[[Loc], int | None]


def _parse_json(text: str, source: str) -> tuple[object, Locator]:
    data = strict_json(text, source, PolicyError)

    def locate(loc: Loc) -> int | None:
        try:
            lines = _json_lines(text)
        except (RecursionError, ValueError, IndexError):
            return None
        return _longest_prefix(lines, loc)

    return data, locate


_JSON_ATOM = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _scanstring(text: str, start: int) -> tuple[str, int]:
    match = _JSON_STRING.match(text, start)
    if match is None:
        raise ValueError(start)
    value: str = json.loads(match.group())
    return value, match.end()


_WS = re.compile(r"\s*")


def _json_lines(text: str) -> dict[Loc, int]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    lines: dict[Loc, int] = {}

    def line_of(pos: int) -> int:
        low, high = 0, len(starts)
        while low + 1 < high:
            mid = (low + high) // 2
            if starts[mid] <= pos:
                low = mid
            else:
                high = mid
        return low + 1

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, path: Loc) -> int:
        i = skip(i)
        lines.setdefault(path, line_of(i))
        char = text[i]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                key_at = i
                key, i = _scanstring(text, i)
                lines.setdefault((*path, key), line_of(key_at))
                i = skip(i) + 1  # the colon
                i = skip(value(i, (*path, key)))
                if text[i] == "}":
                    return i + 1
                i += 1
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(value(i, (*path, index)))
                index += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        if char == '"':
            return _scanstring(text, i)[1]
        atom = _JSON_ATOM.match(text, i)
        if atom is None:
            raise ValueError(i)
        return atom.end()

    value(0, ())
    return lines


def _longest_prefix(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    for size in range(len(loc), -1, -1):
        found = lines.get(loc[:size])
        if found is not None:
            return found
    return None


_TOML_LINE = re.compile(r"at line (\d+)")


_TOML_KEY_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'


_TOML_KEYS = re.compile(rf"\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*")


_TOML_ARRAY_HEADER = re.compile(rf"^\s*\[\[{_TOML_KEYS.pattern}\]\]")


_TOML_HEADER = re.compile(rf"^\s*\[{_TOML_KEYS.pattern}\]")


_TOML_ASSIGN = re.compile(rf"^{_TOML_KEYS.pattern}=")


def _toml_keys(text: str) -> tuple[str, ...]:
    parts = re.findall(_TOML_KEY_PART, text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _toml_lines(text: str) -> dict[Loc, int]:
    # Approximate: enough to point at the table or key a validation error names.
    lines: dict[Loc, int] = {}
    arrays: dict[tuple[str, ...], int] = {}
    table: Loc = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            in_string = (line.count('"""') + line.count("'''")) % 2 == 0
            continue
        header = _TOML_ARRAY_HEADER.match(line)
        if header is not None:
            keys = _toml_keys(header.group(1))
            arrays[keys] = arrays.get(keys, -1) + 1
            table = _toml_table(keys, arrays)
            lines.setdefault(table, number)
            continue
        header = _TOML_HEADER.match(line)
        if header is not None:
            table = _toml_table(_toml_keys(header.group(1)), arrays)
            lines.setdefault(table, number)
            continue
        assign = _TOML_ASSIGN.match(line)
        if assign is not None:
            lines.setdefault((*table, *_toml_keys(assign.group(1))), number)
        in_string = (line.count('"""') + line.count("'''")) % 2 == 1
    return lines


def _toml_table(keys: tuple[str, ...], arrays: Mapping[tuple[str, ...], int]) -> Loc:
    path: list[str | int] = []
    for size in range(1, len(keys) + 1):
        path.append(keys[size - 1])
        index = arrays.get(keys[:size])
        if index is not None:
            path.append(index)
    return tuple(path)


def _parse_toml(text: str, source: str) -> tuple[object, Locator]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = f", line {found.group(1)}" if found else ""
        raise PolicyError(f"{source}{line}: invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise PolicyError(f"{source}: the TOML document is nested too deeply") from exc

    def locate(loc: Loc) -> int | None:
        return _longest_prefix(_toml_lines(text), loc)

    return data, locate
