"""A seeded synthetic ticket history, for examples, tests, docs and benchmarks.

:func:`synthetic_history` draws tickets the way a support desk sees them:

* **arrivals** follow the hour of day (quiet at night, peaks late morning and early
  afternoon: :data:`ARRIVALS_BY_HOUR`) and the weekday (Monday busiest, weekends
  quiet: :data:`ARRIVALS_BY_WEEKDAY`), in the desk's local time;
* **first replies** take a log-normal amount of the desk's open time, per channel
  (:data:`RESPONSES`): email and web forms hours, social media about an hour, chat
  and phone seconds to minutes while staffed — and like email when they arrive
  after hours; higher priorities are answered faster;
* **resolutions** follow the first reply by a log-normal amount of open time (live
  channels often solve on first contact);
* tickets not answered or resolved by the end of the period have ``NaT`` there.

The same seed always gives the same table with the same numpy version.
:func:`example_policy` is a promise policy for the same channels.

>>> history = synthetic_history(1_000, seed=42)
>>> history.columns.tolist()
['created', 'first_reply', 'resolved', 'channel', 'priority', 'tags']
>>> history.equals(synthetic_history(1_000, seed=42))
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

import numpy as np

from expectkit._core.errors import InputTypeError
from expectkit.frames import batch
from expectkit.promises.policy import Policy
from expectkit.time.holidays import Holidays
from expectkit.time.schedule import Schedule

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray


ARRIVALS_BY_HOUR: Final[tuple[float, ...]] = (
    0.4, 0.3, 0.2, 0.2, 0.2, 0.4, 0.9, 2.0, 4.0, 6.5, 7.5, 7.8,
    6.5, 6.8, 7.2, 6.8, 6.0, 5.0, 4.0, 3.4, 3.0, 2.4, 1.6, 0.9,
)  # fmt: skip
"""Relative arrivals per local hour of day, 00:00 to 23:00."""

ARRIVALS_BY_WEEKDAY: Final[tuple[float, ...]] = (1.25, 1.1, 1.05, 1.0, 0.95, 0.45, 0.35)
"""Relative arrivals per weekday, Monday to Sunday."""

CHANNEL_MIX: Final[Mapping[str, float]] = {
    "email": 0.42,
    "chat": 0.24,
    "web_form": 0.12,
    "phone": 0.12,
    "social": 0.10,
}
"""Share of tickets per channel."""

PRIORITY_MIX: Final[Mapping[str, tuple[float, float]]] = {
    "low": (0.20, 1.6),
    "normal": (0.60, 1.0),
    "high": (0.15, 0.55),
    "urgent": (0.05, 0.3),
}
"""Per priority: share of tickets, and the factor on the time to a first reply."""


@dataclass(frozen=True, slots=True)
class Response:
    """How one channel answers: log-normal open time to a first reply and to resolution.

    ``median`` and ``sigma`` describe the first reply while the channel is staffed (a
    live channel) or at any time (an async one); live channels answer after-hours
    arrivals like email (``offline_median``). ``solve_median`` is the open time from
    the first reply to resolution; ``first_contact`` the share solved in the reply.

    >>> RESPONSES["chat"].live, RESPONSES["email"].median
    (True, datetime.timedelta(seconds=18000))
    """

    median: timedelta
    sigma: float
    live: bool = False
    offline_median: timedelta = timedelta(hours=3)
    solve_median: timedelta = timedelta(hours=10)
    first_contact: float = 0.0


RESPONSES: Final[Mapping[str, Response]] = {
    "email": Response(timedelta(hours=5), 1.05),
    "web_form": Response(timedelta(hours=6), 1.0),
    "social": Response(timedelta(minutes=50), 1.1, solve_median=timedelta(hours=6)),
    "chat": Response(
        timedelta(seconds=35), 0.9, live=True, solve_median=timedelta(hours=4), first_contact=0.6
    ),
    "phone": Response(
        timedelta(seconds=80), 0.8, live=True, solve_median=timedelta(hours=5), first_contact=0.5
    ),
}
"""How each channel answers, in open time of the desk's schedule."""

_TAGS: Final[Mapping[str, tuple[tuple[str, float], ...]]] = {
    "social": (("complaint", 0.4),),
    "email": (("order-status", 0.10), ("return", 0.05), ("complaint", 0.03)),
    "web_form": (("order-status", 0.15), ("return", 0.10)),
}

_US: Final = 1_000_000
_DAY_US: Final = 86_400 * _US


def default_schedule() -> Schedule:
    """Return the desk the generator assumes: Mon–Fri 09:00–17:00 in Berlin, DE-BE holidays.

    >>> default_schedule().tz
    'Europe/Berlin'
    """
    return Schedule(
        tz="Europe/Berlin",
        weekly={"mon-fri": ["09:00-17:00"]},
        holidays=Holidays(country="DE", subdiv="BE"),
    )


def synthetic_history(
    n: int = 10_000,
    *,
    seed: int = 0,
    start: date = date(2026, 1, 5),
    weeks: int = 12,
    schedule: Schedule | None = None,
    channels: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Draw a ticket history: arrivals, first replies and resolutions per channel.

    Args:
        n: Number of tickets.
        seed: Seed of the random generator: the same seed gives the same table.
        start: First day of the period (local date).
        weeks: Length of the period, in weeks; the history is taken at its end.
        schedule: The desk's open hours (default :func:`default_schedule`); replies
            land in its open time and timestamps are in its zone.
        channels: Share of tickets per channel (default :data:`CHANNEL_MIX`); every
            channel needs an entry in :data:`RESPONSES`.

    Returns:
        A DataFrame indexed by ``ticket`` (1..n, in arrival order) with tz-aware
        ``created``, ``first_reply`` and ``resolved`` (``NaT`` when not yet), and
        categorical ``channel``, ``priority`` (low, normal, high, urgent) and ``tags``
        (``""`` or one tag). ``attrs["as_of"]`` holds the end of the period, when
        the history was taken.

    Raises:
        InputTypeError: A bad size, period or channel.

    >>> h = synthetic_history(500, seed=1)
    >>> len(h), str(h["created"].dt.tz), bool((h["first_reply"] < h["created"]).any())
    (500, 'Europe/Berlin', False)

    """
    import pandas as pd

    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputTypeError.for_value(n, "n", "a number of tickets, 0 or more")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise InputTypeError.for_value(weeks, "weeks", "a number of weeks, 1 or more")
    mix = dict(CHANNEL_MIX if channels is None else channels)
    for name in mix:
        if name not in RESPONSES:
            raise InputTypeError.for_value(name, "channels", f"one of {', '.join(RESPONSES)}")
    desk = default_schedule() if schedule is None else schedule
    rng = np.random.default_rng(seed)

    # Arrivals: a local day by weekday weight, an hour by hour weight, a second within it.
    days = np.arange(weeks * 7)
    first_day = (start - date(1970, 1, 1)).days
    weekday = (first_day + days + 3) % 7  # 1970-01-01 was a Thursday
    day_weights = np.asarray(ARRIVALS_BY_WEEKDAY)[weekday]
    day = rng.choice(days, size=n, p=day_weights / day_weights.sum())
    hours = np.asarray(ARRIVALS_BY_HOUR)
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    second = rng.integers(0, 3600, size=n)
    wall = ((first_day + day) * 86_400 + hour * 3600 + second) * _US
    wall.sort()
    local = pd.DatetimeIndex(wall.view("datetime64[us]")).tz_localize(
        desk.zone, ambiguous=np.ones(n, dtype=bool), nonexistent="shift_forward"
    )
    created = np.asarray(local.tz_convert("UTC").tz_localize(None).asi8, dtype=np.int64)

    names = list(mix)
    shares = np.asarray([mix[c] for c in names], dtype=float)
    channel = rng.choice(len(names), size=n, p=shares / shares.sum())
    levels = list(PRIORITY_MIX)
    priority_shares = np.asarray([PRIORITY_MIX[p][0] for p in levels])
    priority = rng.choice(len(levels), size=n, p=priority_shares / priority_shares.sum())
    speed = np.asarray([PRIORITY_MIX[p][1] for p in levels])[priority]

    profiles = [RESPONSES[c] for c in names]
    is_open = np.asarray(batch.is_open(desk, created.view("datetime64[us]")), dtype=bool)
    live = np.asarray([p.live for p in profiles])[channel]
    median = np.asarray([p.median / timedelta(microseconds=1) for p in profiles])[channel]
    offline = np.asarray([p.offline_median / timedelta(microseconds=1) for p in profiles])
    median = np.where(live & ~is_open, offline[channel], median)
    sigma = np.asarray([p.sigma for p in profiles])[channel]
    wait = rng.lognormal(np.log(median * speed), sigma).astype(np.int64) + 1
    reply = batch.add(desk, created.view("datetime64[us]"), wait.view("timedelta64[us]"))
    first_reply = np.asarray(reply).astype("datetime64[us]").view(np.int64)

    solve_median = np.asarray([p.solve_median / timedelta(microseconds=1) for p in profiles])
    solve = rng.lognormal(np.log(solve_median[channel]), 1.1).astype(np.int64) + 1
    on_contact = rng.random(n) < np.asarray([p.first_contact for p in profiles])[channel]
    solve = np.where(on_contact, rng.integers(60, 900, size=n) * _US, solve)
    done = batch.add(desk, first_reply.view("datetime64[us]"), solve.view("timedelta64[us]"))
    resolved = np.asarray(done).astype("datetime64[us]").view(np.int64)

    end = pd.Timestamp(first_day + weeks * 7, unit="D").tz_localize(desk.zone)
    cutoff = int(end.timestamp()) * _US
    nat = np.iinfo(np.int64).min
    first_reply = np.where(first_reply > cutoff, nat, first_reply)
    resolved = np.where((resolved > cutoff) | (first_reply == nat), nat, resolved)

    tag_names = [""]
    tags = np.zeros(n, dtype=np.int64)
    draw = rng.random(n)
    for c, name in enumerate(names):
        low = 0.0
        for tag, share in _TAGS.get(name, ()):
            if tag not in tag_names:
                tag_names.append(tag)
            hit = (channel == c) & (draw >= low) & (draw < low + share)
            tags[hit] = tag_names.index(tag)
            low += share

    def instants(values: NDArray[np.int64]) -> pd.Series:
        index = pd.DatetimeIndex(values.view("datetime64[us]")).tz_localize("UTC")
        return pd.Series(index.tz_convert(desk.zone))

    frame = pd.DataFrame(
        {
            "created": instants(created),
            "first_reply": instants(first_reply),
            "resolved": instants(resolved),
            "channel": pd.Categorical.from_codes(channel, categories=names),
            "priority": pd.Categorical.from_codes(priority, categories=levels, ordered=True),
            "tags": pd.Categorical.from_codes(tags, categories=tag_names),
        }
    )
    frame.index = pd.RangeIndex(1, n + 1, name="ticket")
    frame.attrs["as_of"] = end.to_pydatetime()
    return frame


EXAMPLE_POLICY: Final = """\
name: support
description: A support desk in Berlin, promising what its customers expect.
rounding: 15min
priorities: [low, normal, high, urgent]
schedules:
  berlin:
    tz: Europe/Berlin
    weekly: {mon-fri: ["09:00-17:00"]}
    holidays: {country: DE, subdiv: BE}
channels:
  email: {kind: email, schedule: berlin}
  web_form: {kind: web_form, schedule: berlin}
  chat: {kind: chat, schedule: berlin, offline: email}
  phone: {kind: phone, schedule: berlin, offline: email}
  social: {kind: social, schedule: berlin}
rules:
  - name: urgent
    match: {priority: urgent}
    first_response: {promise: "4 business hours", buffer: {ratio: 0.5}}
    resolution: {promise: "2 business days"}
  - name: social-complaint
    match: {channel: social, tags: [complaint]}
    first_response: {promise: "3-5 hours", buffer: {ratio: 0.5}}
    resolution: {promise: "3 business days"}
  - name: chat
    match: {channel: chat}
    first_response: {promise: "30 seconds", clock: business, rounding: none}
    resolution: {promise: "2 business days"}
  - name: phone
    match: {channel: phone}
    first_response: {promise: "3 minutes", clock: business, rounding: none}
    resolution: {promise: "2 business days"}
  - name: social
    match: {channel: social}
    first_response: {promise: "2 business hours", target: "1 business hour"}
    resolution: {promise: "3 business days"}
  - name: email
    first_response: {promise: "1-3 business days", target: "1 business day"}
    resolution: {promise: "5 business days", target: "3 business days"}
"""
"""The text of :func:`example_policy` (YAML)."""


def example_policy() -> Policy:
    """Return a promise policy for the channels :func:`synthetic_history` draws.

    Urgent tickets within 4 business hours, social complaints within 3–5 hours,
    chat within 30 seconds and phone within 3 minutes while staffed (after hours,
    as email), other social posts within 2 business hours, and email and web forms
    within 1–3 business days; resolutions in 2–5 business days.

    >>> [rule.name for rule in example_policy().rules]
    ['urgent', 'social-complaint', 'chat', 'phone', 'social', 'email']
    """
    return Policy.loads(EXAMPLE_POLICY, source="<example_policy>")
