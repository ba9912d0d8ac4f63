"""Effective-dated policy versions in the clock, the ticket state and the store.

A ticket counts under the version in force at its ``created`` instant (the latest
``effective_from`` among those in force), for its whole life: checked on generated
streams against a clock of that one version.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectkit.clock import Clock
from expectkit.errors import InputTypeError, PolicyError
from expectkit.policy import Policy
from expectkit.state import TicketState
from expectkit.store import Store
from test_clock_properties import ANY, BASE, CALENDAR, instants, tickets

SWITCH = BASE + timedelta(days=3)
NEW = Policy.model_validate(
    {
        **CALENDAR.model_dump(exclude={"rules", "effective_from"}),
        "effective_from": SWITCH,
        "rules": [
            {
                "name": "faster",
                "first_response": {"promise": "1 hour"},
                "resolution": {"promise": "1 day", "pause_on": ["pending"]},
                "next_response": {"promise": "30 minutes"},
            }
        ],
    }
)
VERSIONS = [NEW, CALENDAR]


def version_at(created: datetime) -> Policy:
    return NEW if created >= SWITCH else CALENDAR


@settings(max_examples=60)
@given(st.lists(tickets(ANY).filter(lambda t: t[0] == "calendar"), min_size=1, max_size=3))
def test_each_ticket_counts_under_the_version_in_force_at_its_creation(
    drawn: list[tuple[str, datetime, list[dict[str, Any]]]],
) -> None:
    events: list[dict[str, Any]] = []
    starts: dict[str, datetime] = {}
    for n, (_, start, evs) in enumerate(drawn):
        starts[f"T{n}"] = start
        events += [e | {"ticket": f"T{n}"} for e in evs]
    clock = Clock(VERSIONS)
    clock.replay(events)
    for name, start in starts.items():
        alone = Clock(version_at(start))
        alone.replay([e for e in events if e["ticket"] == name])
        state = TicketState.empty(name, Clock(VERSIONS)).apply_all(
            [e for e in events if e["ticket"] == name]
        )
        back = TicketState.from_json(state.to_json(), Clock(VERSIONS))
        assert state.policy_version == alone.state(name).policy_version
        for at in instants(start - timedelta(hours=1), 12):
            expected = alone.status(name, at)
            assert clock.status(name, at) == expected
            assert state.status(at) == expected
            assert back.status(at) == expected
            assert clock.next_deadline(name, at) == alone.next_deadline(name, at)


def test_versions_are_checked() -> None:
    with pytest.raises(InputTypeError):
        Clock([])
    with pytest.raises(InputTypeError, match=r"policy\[1\]"):
        Clock([CALENDAR, "nope"])  # type: ignore[list-item]
    with pytest.raises(PolicyError, match="same instant"):
        Clock([CALENDAR, CALENDAR])


def test_a_channel_one_version_knows_is_accepted() -> None:
    old = Policy(
        channels={"fax": {"kind": "email"}},
        rules=[{"name": "r", "resolution": {"promise": "1 week"}}],
    )
    new = Policy(
        rules=[{"name": "n", "resolution": {"promise": "2 days"}}],
        effective_from=datetime(2026, 6, 1, tzinfo=UTC),
    )
    clock = Clock([old, new])
    clock.replay([{"ticket": "F", "type": "created", "at": "2026-01-05T09:00Z", "channel": "fax"}])
    assert clock.status("F", datetime(2026, 1, 6, tzinfo=UTC))["resolution"].rule == "r"


def test_the_store_counts_each_ticket_under_its_version(tmp_path: Path) -> None:
    early = {
        "ticket": "A",
        "type": "created",
        "at": (SWITCH - timedelta(hours=1)).isoformat(),
        "channel": "web",
    }
    late = {
        "ticket": "B",
        "type": "created",
        "at": (SWITCH + timedelta(hours=1)).isoformat(),
        "channel": "web",
    }
    pending = {
        "ticket": "C",
        "type": "customer_message",
        "at": (SWITCH + timedelta(hours=2)).isoformat(),
    }
    created = {**late, "ticket": "C"}
    path = tmp_path / "sla.db"
    with Store(path, VERSIONS) as store:
        store.ingest([early, late, pending])
        store.ingest([created])
    at = SWITCH + timedelta(hours=3)
    with Store(path) as store:  # reopened: the versions are read back
        for ticket, policy, evs in (
            ("A", CALENDAR, [early]),
            ("B", NEW, [late]),
            ("C", NEW, [created, pending]),
        ):
            alone = Clock(policy)
            alone.replay(evs)
            assert store.status(ticket, at) == alone.status(ticket, at)
            assert store.state(ticket).policy_version == alone.state(ticket).policy_version
        store.ingest([{**early, "ticket": "D"}])
        assert store.status("D", at)["first_response"].rule == "all"
