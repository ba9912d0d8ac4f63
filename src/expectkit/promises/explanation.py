"""The explanation of a quote: its steps, and how their instants are shown.

A :class:`Step` says what one step of a quote did, with the instants involved. A
quote records its steps as a :class:`Trace` of raw parts (instants as integer UTC
microseconds) and turns them into :class:`Step` objects only when they are read, so
quoting pays for the explanation only when someone looks at it.

>>> from datetime import datetime, UTC
>>> Step("start", "counting starts at {0}", (datetime(2026, 1, 5, 9, tzinfo=UTC),)).text
'counting starts at Mon 2026-01-05 09:00 UTC'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = ["Step", "StepKind", "Trace", "instant"]

StepKind = Literal[
    "policy", "channel", "rule", "clock", "start", "window", "target", "buffer", "rounding"
]
"""What a :class:`Step` of a quote's explanation did."""

_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _show(t: datetime) -> str:
    text = t.strftime("%a %Y-%m-%d %H:%M")
    if t.second or t.microsecond:
        text += t.strftime(":%S")
    if t.microsecond:
        text += f".{t.microsecond:06d}"
    return f"{text} {t.tzname()}"


def _show_span(d: timedelta) -> str:
    seconds = int(d.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    parts.append(f"{seconds} s" if seconds or not (hours or minutes) else "")
    return " ".join(p for p in parts if p)


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def instant(us: int, zone: ZoneInfo) -> datetime:
    """Return the instant `us` (microseconds since 1970 UTC) as a datetime in `zone`.

    >>> instant(1_767_603_600_000_000, ZoneInfo("Europe/Berlin")).isoformat()
    '2026-01-05T10:00:00+01:00'
    """
    seconds, micros = divmod(us, _US)
    if micros:
        return (_EPOCH + timedelta(0, seconds, micros)).astimezone(zone)
    return datetime.fromtimestamp(seconds, zone)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a quote's explanation: what was done, with the instants involved.

    ``template`` holds ``{0}``, ``{1}``... where ``times`` go, so the same step reads
    correctly in any zone (see :meth:`in_zone`).

    >>> from datetime import datetime, UTC
    >>> Step("start", "counting starts at {0}", (datetime(2026, 1, 5, 9, tzinfo=UTC),)).text
    'counting starts at Mon 2026-01-05 09:00 UTC'
    """

    kind: StepKind
    template: str
    times: tuple[datetime, ...] = ()

    @property
    def text(self) -> str:
        """The step as a sentence, its instants shown in their own zone.

        >>> from datetime import datetime, UTC
        >>> Step("rounding", "kept at {0}", (datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC),)).text
        'kept at Mon 2026-01-05 09:00:30 UTC'
        """
        return self.template.format(*(_show(t) for t in self.times))

    def in_zone(self, zone: ZoneInfo) -> Step:
        """Return the step with its instants shown in `zone`.

        >>> from datetime import datetime, UTC
        >>> from zoneinfo import ZoneInfo
        >>> Step("start", "at {0}", (datetime(2026, 1, 5, 9, tzinfo=UTC),)).in_zone(
        ...     ZoneInfo("Asia/Tokyo")).text
        'at Mon 2026-01-05 18:00 JST'
        """
        return replace(self, times=tuple(t.astimezone(zone) for t in self.times))


# A raw step: kind, template, instants (µs in the trace's zone, or datetimes as they
# are), and for a buffer step the span (µs) whose text goes between the template's
# two halves.
Raw = tuple[StepKind, "str | tuple[str, str]", tuple["int | datetime", ...], int]


class Trace:
    """Steps of a quote, kept raw and turned into :class:`Step` objects when first read.

    A trace may continue another (the steps every metric of a commitment shares).
    Two traces are equal when their steps are.

    >>> trace = Trace(ZoneInfo("UTC"), [("start", "counting starts at {0}", (0,), 0)])
    >>> trace.steps()[0].text
    'counting starts at Thu 1970-01-01 00:00 UTC'
    """

    __slots__ = ("_prefix", "_raw", "_steps", "_zone")

    def __init__(
        self,
        zone: ZoneInfo,
        raw: Sequence[Raw] = (),
        prefix: Trace | None = None,
        steps: tuple[Step, ...] | None = None,
    ) -> None:
        self._zone = zone
        self._raw = raw
        self._prefix = prefix
        self._steps = steps

    @classmethod
    def of(cls, steps: tuple[Step, ...]) -> Trace:
        """Return a trace of steps already made.

        >>> Trace.of((Step("clock", "calendar clock"),)).steps()[0].kind
        'clock'
        """
        return cls(ZoneInfo("UTC"), steps=steps)

    def steps(self) -> tuple[Step, ...]:
        """Return the steps, made on the first call and kept."""
        steps = self._steps
        if steps is None:
            zone = self._zone
            made = list(self._prefix.steps()) if self._prefix is not None else []
            for kind, template, times, span in self._raw:
                if not isinstance(template, str):
                    head, tail = template
                    template = head + _show_span(timedelta(microseconds=span)) + tail
                made.append(
                    Step(
                        kind,
                        template,
                        tuple(t if isinstance(t, datetime) else instant(t, zone) for t in times),
                    )
                )
            steps = self._steps = tuple(made)
        return steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return self.steps() == other.steps()

    def __hash__(self) -> int:
        return hash(self.steps())

    def __reduce__(self) -> tuple[type[Trace], tuple[ZoneInfo, tuple[()], None, tuple[Step, ...]]]:
        return (Trace, (self._zone, (), None, self.steps()))

    def __repr__(self) -> str:
        return repr(self.steps())
