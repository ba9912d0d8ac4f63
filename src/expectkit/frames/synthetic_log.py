"""A seeded synthetic event log, for examples, tests and benchmarks of the frame clocks.

:func:`synthetic_events` draws whole tickets as event rows, all columns at once with
numpy: a ``created`` event (channel, priority), a first public reply after a
log-normal wait, for some tickets an internal note, a ``pending`` stretch ended by the
customer's answer and a second reply, then a solve; some solved tickets are reopened
and solved again, some stay unanswered. Arrivals spread over `days` from `start`
(the default period holds the spring DST night in Europe). Rows come shuffled, as an
export often does; the same seed gives the same frame.

>>> log = synthetic_events(100, seed=1)
>>> log.columns.tolist()
['ticket', 'type', 'at', 'channel', 'priority', 'public', 'status']
>>> sorted(log["type"].unique())
['agent_reply', 'created', 'customer_message', 'reopened', 'status']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from expectkit._core.errors import InputTypeError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

__all__ = ["synthetic_events"]

_US: Final = 1_000_000
_HOUR: Final = 3600 * _US
_CHANNELS: Final = ("email", "web_form", "chat", "phone", "social")
_PRIORITIES: Final = ("low", "normal", "high", "urgent")


def synthetic_events(
    tickets: int = 10_000,
    *,
    seed: int = 0,
    start: datetime = datetime(2026, 3, 16, tzinfo=UTC),
    days: int = 28,
    channels: Sequence[str] = _CHANNELS,
    shuffle: bool = True,
) -> pd.DataFrame:
    """Draw an event log of `tickets` tickets, about 6 events each.

    Args:
        tickets: Number of tickets (ids ``0 .. tickets-1``, whole numbers).
        seed: Seed of the random generator.
        start: Aware instant the arrivals start at.
        days: Days over which tickets arrive.
        channels: Channels to draw from, equally often (default those of
            :func:`~expectkit.history.example_policy`).
        shuffle: Shuffle the rows (else sorted by ticket, then time).

    Returns:
        A pandas event log: ``ticket``, ``type``, ``at`` (``datetime64[us, UTC]``),
        ``channel``, ``priority``, ``public``, ``status``.

    Raises:
        InputTypeError: A negative count, or `start` not an aware datetime.

    >>> synthetic_events(3, seed=0, shuffle=False)["type"].tolist()[:3]
    ['created', 'agent_reply', 'status']

    """
    import pandas as pd

    if isinstance(tickets, bool) or not isinstance(tickets, int) or tickets < 0:
        raise InputTypeError.for_value(tickets, "tickets", "a whole number of tickets, 0 or more")
    if not isinstance(start, datetime) or start.utcoffset() is None:
        raise InputTypeError.for_value(start, "start", "an aware datetime")
    rng = np.random.default_rng(seed)
    n = tickets
    ids = np.arange(n, dtype=np.int64)
    t0 = int(pd.Timestamp(start).value // 1000)
    created = t0 + rng.integers(0, days * 24 * _HOUR, n)

    def wait(median_hours: float, sigma: float, size: int) -> NDArray[np.int64]:
        return (rng.lognormal(np.log(median_hours), sigma, size) * _HOUR).astype(np.int64) + 1

    parts: list[tuple[NDArray[np.int64], str, NDArray[np.int64], dict[str, Any]]] = []

    def add(mask: NDArray[np.bool_], kind: str, at: NDArray[np.int64], **fields: Any) -> None:
        parts.append(
            (
                ids[mask],
                kind,
                at[mask],
                {k: v[mask] if isinstance(v, np.ndarray) else v for k, v in fields.items()},
            )
        )

    everyone = np.ones(n, dtype=bool)
    channel = np.asarray(list(channels), dtype=object)[rng.integers(0, len(channels), n)]
    priority = np.asarray(_PRIORITIES, dtype=object)[
        rng.choice(len(_PRIORITIES), n, p=[0.2, 0.6, 0.15, 0.05])
    ]
    add(everyone, "created", created, channel=channel, priority=priority)
    answered = rng.random(n) < 0.93
    reply = created + wait(3.0, 1.2, n)
    note = rng.random(n) < 0.3
    add(note, "agent_reply", created + (reply - created) // 2, public=False)
    add(answered, "agent_reply", reply)
    waits = answered & (rng.random(n) < 0.35)
    paused = reply + 1
    back = paused + wait(10.0, 1.0, n)
    add(waits, "status", paused, status="pending")
    add(waits, "status", back - 1, status="open")
    add(waits, "customer_message", back)
    second = back + wait(2.0, 1.0, n)
    add(waits, "agent_reply", second)
    solved_at = np.where(waits, second, reply) + wait(6.0, 1.0, n)
    solved = answered & (rng.random(n) < 0.85)
    add(solved, "status", solved_at, status="solved")
    reopen = solved & (rng.random(n) < 0.1)
    again = solved_at + wait(24.0, 0.8, n)
    add(reopen, "reopened", again)
    add(reopen, "status", again + wait(4.0, 1.0, n), status="solved")

    ticket = np.concatenate([p[0] for p in parts])
    at = np.concatenate([p[2] for p in parts])
    size = len(ticket)

    def column(name: str, fill: object) -> NDArray[Any]:
        out = np.empty(size, dtype=object)
        out[:] = fill
        k = 0
        for _, _, times, fields in parts:
            if name in fields:
                out[k : k + len(times)] = fields[name]
            k += len(times)
        return out

    kinds = np.concatenate([np.full(len(p[0]), p[1], dtype=object) for p in parts])
    frame = pd.DataFrame(
        {
            "ticket": ticket,
            "type": kinds,
            "at": pd.DatetimeIndex(at.view("datetime64[us]")).tz_localize("UTC").array,
            "channel": column("channel", None),
            "priority": column("priority", None),
            "public": pd.array(column("public", None), dtype="boolean"),
            "status": column("status", None),
        }
    )
    order = rng.permutation(size) if shuffle else np.lexsort((np.arange(size), at, ticket))
    return frame.iloc[order].reset_index(drop=True)
