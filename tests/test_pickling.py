"""Results and clocks pickle and copy: they travel to workers, caches and other processes.

A pickled or deep-copied Clock answers as the original does, for generated event logs,
and goes on taking events; a commitment and a status survive the round trip equal,
and stay read-only.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventlogs import POLICIES, clock_of, event_logs, expected_rows, instants_of
from expectkit import Clock, Policy, quote


def _iso(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "ticket": str(r["ticket"]), "at": r["at"].isoformat()} for r in rows]


@settings(max_examples=40, deadline=None)
@given(log=event_logs(), split=st.integers(0, 100), copier=st.sampled_from(["pickle", "deepcopy"]))
def test_a_copied_clock_answers_and_goes_on_as_the_original(
    log: tuple[str, list[dict[str, Any]]], split: int, copier: str
) -> None:
    which, rows = log
    cut = split * len(rows) // 100
    whole = clock_of(which, rows)
    first = clock_of(which, rows[:cut])
    copied: Clock = (
        pickle.loads(pickle.dumps(first)) if copier == "pickle" else copy.deepcopy(first)
    )
    before = [expected_rows(first, at) for at in instants_of(rows)]
    assert [expected_rows(copied, at) for at in instants_of(rows)] == before
    copied.replay(_iso(rows[cut:]))
    for at in instants_of(rows):
        # Tickets are listed in first-seen order, which a split replay may change.
        assert sorted(expected_rows(copied, at)) == sorted(expected_rows(whole, at))
    # The original is untouched by what the copy took.
    assert [expected_rows(first, at) for at in instants_of(rows)] == before


def test_a_copied_clock_keeps_one_lock_across_its_policy_versions() -> None:
    old = POLICIES["office"]
    new = Policy(
        rules=[{"name": "new", "resolution": {"promise": "2 days"}}],
        effective_from=datetime(2026, 6, 1, tzinfo=UTC),
    )
    clock = Clock([old.model_copy(update={"effective_from": None}), new])
    clock.replay(
        [{"ticket": "A", "type": "created", "channel": "email", "at": "2026-07-01T08:00:00Z"}]
    )
    copied = pickle.loads(pickle.dumps(clock))
    assert copied._lock is not clock._lock
    assert all(engine._lock is copied._lock for engine in copied._engines)
    at = datetime(2026, 7, 2, tzinfo=UTC)
    assert copied.status("A", at) == clock.status("A", at)


def test_a_ticket_state_pickles_with_its_answers() -> None:
    which, rows = (
        "office",
        [
            {
                "ticket": "T",
                "type": "created",
                "channel": "email",
                "at": datetime(2026, 11, 19, 8, tzinfo=UTC),
            },
            {"ticket": "T", "type": "agent_reply", "at": datetime(2026, 11, 19, 9, tzinfo=UTC)},
        ],
    )
    state = clock_of(which, rows).state("T")
    back = pickle.loads(pickle.dumps(state))
    at = datetime(2026, 11, 20, tzinfo=UTC)
    assert back == state
    assert back.status(at) == state.status(at)
    assert back.history(at) == state.history(at)


def test_a_commitment_pickles_equal_and_stays_read_only() -> None:
    policy = POLICIES["office"]
    at = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    commitment = quote(policy, {"channel": "email", "customer_tz": "Asia/Tokyo"}, at=at)
    for back in (pickle.loads(pickle.dumps(commitment)), copy.deepcopy(commitment)):
        assert back == commitment
        assert back.explain() == commitment.explain()
        assert back.in_zone() == commitment.in_zone()
    shown = pickle.loads(pickle.dumps(commitment.in_zone()))
    assert shown == commitment.in_zone()
    with pytest.raises(TypeError, match="read-only"):
        commitment.metrics["resolution"] = commitment.metrics["first_response"]  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        commitment.metrics.pop("first_response")  # type: ignore[attr-defined]


def test_statuses_pickle_and_stay_read_only() -> None:
    rows = [
        {
            "ticket": "T",
            "type": "created",
            "channel": "email",
            "at": datetime(2026, 11, 19, 8, tzinfo=UTC),
        }
    ]
    clock = clock_of("office", rows)
    at = datetime(2026, 11, 19, 8, tzinfo=UTC) + timedelta(hours=3)
    status = clock.status("T", at)
    assert status
    assert pickle.loads(pickle.dumps(status)) == status
    assert pickle.loads(pickle.dumps(clock.history("T", at))) == clock.history("T", at)
    with pytest.raises(TypeError, match="read-only"):
        status.clear()  # type: ignore[attr-defined]
