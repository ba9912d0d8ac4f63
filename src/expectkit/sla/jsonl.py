"""Read and write ticket events as JSON Lines, with the source and line of every error."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final, TypeAlias, cast

from pydantic import (
    ValidationError,
)

from expectkit._core.base import describe_validation_error
from expectkit._core.errors import (
    EventError,
    ExpectkitError,
    InputTypeError,
    NaiveDatetimeError,
)
from expectkit._core.input import JsonInputError, capped_lines, loads_json, open_regular
from expectkit._core.instants import is_iso_instant, parse_instant
from expectkit.sla.events import (
    _ADAPTER,
    _TYPES,
    AttributesChanged,
    Event,
    TicketCreated,
    _EventBase,
    _naive,
)

__all__ = ["MAX_EVENT_LINE", "EventSource", "read_events", "write_events"]

EventSource: TypeAlias = (
    str | os.PathLike[str] | Iterable[str | bytes | Mapping[str, Any] | _EventBase]
)
"""Where events come from: a JSON Lines file, or an iterable of JSON lines, mappings
or event models (a generator is read once, lazily)."""

MAX_EVENT_LINE: Final = 1 << 20
"""Longest event line read, in characters (1 MiB): an endless line is an error, not a hang."""


def _convert(exc: ValidationError, raw: object, source: str | None, line: int) -> ExpectkitError:
    ticket = _raw_ticket(raw)
    naive = _naive(exc)
    if naive is not None:
        return NaiveDatetimeError(EventError.at(source, line, ticket, naive).args[0])
    errors = exc.errors(include_url=False)
    first = errors[0] if errors else None
    kind = first["type"] if first is not None else ""
    expected = ", ".join(repr(t) for t in _TYPES)
    if kind == "json_invalid":
        problem = f"invalid JSON: {first['msg'] if first else exc}"
    elif kind == "union_tag_invalid":
        tag = (first.get("ctx") or {}).get("tag") if first else None
        problem = f"unknown event type {tag!r} (expected one of {expected})"
    elif kind == "union_tag_not_found":
        problem = f"the event has no 'type' (expected one of {expected})"
    elif kind == "model_attributes_type" or kind == "dict_type":
        problem = "an event is a JSON object with 'ticket', 'type' and 'at'"
    else:
        problem = describe_validation_error(exc)[0]
    return EventError.at(source, line, ticket, problem)


def _raw_ticket(raw: object) -> object:
    data: object = raw
    if isinstance(raw, str | bytes | bytearray):
        try:
            data = json.loads(raw)
        except ValueError:
            return None
    if isinstance(data, Mapping):
        ticket = data.get("ticket")
        return ticket.strip() if isinstance(ticket, str) else ticket
    return None


_AT_KEY: Final = re.compile(r'"at"\s*:\s*(?:"([^"\\]*)")?')
_ANY_KEY: Final = re.compile(r'"\s*:')


class _Reader:
    """Numbered raw items from an event source; counts the blank lines it skips."""

    def __init__(self, source: EventSource) -> None:
        self.blank = 0
        self.source: str | None = None
        self._items: Iterable[object]
        if isinstance(source, str | os.PathLike):
            self.source = os.fspath(source)
            self._items = self._lines(Path(source))
        elif isinstance(source, Iterable) and not isinstance(source, bytes | Mapping):
            self._items = source
        else:
            raise InputTypeError.for_value(
                source, "events", "a path, or an iterable of JSON lines, mappings or events"
            )

    def _lines(self, path: Path) -> Iterator[str]:
        def refuse(problem: str) -> EventError:
            return EventError.at(str(path), None, None, problem)

        with open_regular(path, refuse, "events file") as handle:
            read = 0
            try:
                for text in capped_lines(handle, MAX_EVENT_LINE):
                    read += 1
                    yield text
            except UnicodeDecodeError as exc:
                raise refuse(f"the file is not UTF-8 text ({exc.reason})") from exc
            except JsonInputError as exc:
                raise EventError.at(str(path), read + 1, None, exc.problem) from None

    def __iter__(self) -> Iterator[tuple[int, object]]:
        for line, item in enumerate(self._items, start=1):
            if isinstance(item, str | bytes | bytearray) and (not item or item.isspace()):
                self.blank += 1
                continue
            yield line, item

    def fast(self, item: str) -> Event | None:
        """Validate a JSON line with pydantic's parser when that is as strict; else None.

        pydantic's JSON parsing keeps the last of two equal keys and cuts a fraction
        finer than a microsecond, so the line must show one ISO ``at`` and no more keys
        than the event has fields; any doubt takes the strict way (:meth:`event`).
        """
        if len(item) > MAX_EVENT_LINE:
            return None
        found = _AT_KEY.findall(item)
        if len(found) != 1 or not is_iso_instant(found[0]):
            return None
        try:
            event = _ADAPTER.validate_json(item)
        except ValidationError:
            return None
        keys = len(event.model_fields_set)
        if type(event) is TicketCreated or type(event) is AttributesChanged:
            keys += len(event.attributes or ())
        # Every key is a string followed by a colon; a value may add more, never fewer.
        spaced = '" ' in item or '"\t' in item or '"\r' in item
        written = len(_ANY_KEY.findall(item)) if spaced else item.count('":')
        return event if written == keys else None

    def _strict(self, line: int, data: object) -> object:
        """Read ``at`` strictly: ISO 8601 with an offset, to the microsecond at most."""
        if not isinstance(data, Mapping) or "at" not in data:
            return data
        try:
            at = parse_instant(data["at"], "at")
        except NaiveDatetimeError as exc:
            where = EventError.at(self.source, line, _raw_ticket(data), str(exc)).args[0]
            raise NaiveDatetimeError(where) from None
        except (ValueError, TypeError) as exc:
            raise EventError.at(self.source, line, _raw_ticket(data), str(exc)) from None
        return {**data, "at": at}

    def event(self, line: int, item: object) -> Event:
        if isinstance(item, _EventBase):
            return cast("Event", item)
        try:
            if isinstance(item, str | bytes | bytearray):
                if len(item) > MAX_EVENT_LINE:
                    problem = f"the line is longer than {MAX_EVENT_LINE:,} characters"
                    raise EventError.at(self.source, line, None, problem)
                try:
                    data = loads_json(item)
                except JsonInputError as exc:
                    raise EventError.at(self.source, line, None, exc.problem) from None
                return _ADAPTER.validate_python(self._strict(line, data))
            if isinstance(item, Mapping):
                return _ADAPTER.validate_python(self._strict(line, item))
        except ValidationError as exc:
            raise _convert(exc, item, self.source, line) from exc
        problem = (
            f"expected a JSON line, a mapping or an event model, got {type(item).__name__} {item!r}"
        )
        raise EventError.at(self.source, line, None, problem)


def read_events(source: EventSource) -> Iterator[Event]:
    """Read ticket events from a JSON Lines file or an iterable, validating each.

    `source` is a path (``str`` or ``os.PathLike``) to a UTF-8 JSON Lines file, or
    an iterable of JSON lines, mappings or event models. Blank lines are skipped.
    Events come back in input order (the :class:`Clock` sorts them per ticket).

    Args:
        source: The file or the items.

    Returns:
        An iterator of event models; reading is lazy.

    Raises:
        EventError: An unreadable file, invalid JSON, an unknown type or a bad
            field; the message names the source, the line (the item's position,
            from 1) and the ticket.
        NaiveDatetimeError: An instant without a UTC offset, located the same way.

    >>> [e.type for e in read_events([
    ...     '{"ticket": "T1", "type": "created", "at": "2026-11-20T16:30:00+01:00",'
    ...     ' "channel": "email"}',
    ...     {"ticket": "T1", "type": "agent_reply", "at": "2026-11-23T10:00:00+01:00"},
    ... ])]
    ['created', 'agent_reply']
    >>> list(read_events(['{"ticket": "T9", "type": "escalated", "at": "2026-11-23T10:00:00Z"}']))
    Traceback (most recent call last):
    expectkit.errors.EventError: line 1, ticket 'T9': unknown event type 'escalated' (...)

    """
    reader = _Reader(source)
    for line, item in reader:
        yield reader.event(line, item)


def write_events(
    events: Iterable[Event | Mapping[str, Any]], target: str | os.PathLike[str] | IO[str]
) -> int:
    """Write events as JSON Lines (one :meth:`~TicketCreated.to_json` line each).

    Mappings are validated first. :func:`read_events` reads the file back to equal
    events.

    Args:
        events: Event models or mappings.
        target: A path (the file is replaced) or a text stream to write to.

    Returns:
        The number of events written.

    Raises:
        EventError: A mapping is not a valid event (the line is its position).
        NaiveDatetimeError: A mapping's instant has no UTC offset.

    >>> import io
    >>> out = io.StringIO()
    >>> write_events([{"ticket": "T1", "type": "reopened", "at": "2026-11-30T09:00:00Z"}], out)
    1
    >>> out.getvalue().splitlines()
    ['{"ticket": "T1", "type": "reopened", "at": "2026-11-30T09:00:00Z"}']

    """
    if isinstance(target, str | os.PathLike):
        with Path(target).open("w", encoding="utf-8", newline="\n") as handle:
            return write_events(events, handle)
    reader = _Reader(events)
    count = 0
    for line, item in reader:
        target.write(reader.event(line, item).to_json() + "\n")
        count += 1
    return count
