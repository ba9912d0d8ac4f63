"""The frame clock equals the in-memory Clock row for row, from pandas, Polars and Arrow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import expectkit
from eventlogs import (
    POLICIES,
    clock_of,
    event_logs,
    expected_rows,
    frame_rows,
    instants_of,
    to_frame,
)
from expectkit import Policy
from expectkit.batch import CLOCK_COLUMNS, clock_frame, read_event_log
from expectkit.clock import Clock
from expectkit.errors import EventError, InputTypeError, NaiveDatetimeError

ROOT = Path(__file__).resolve().parent.parent
# The bundled demo, from the installed package (the source tree, or the wheel in CI).
DEMO = Path(expectkit.__file__).resolve().parent / "demo"


@given(event_logs(), st.sampled_from(["Europe/Berlin", "UTC", "America/New_York"]))
def test_the_frame_clock_is_the_clock_row_for_row(
    log: tuple[str, list[dict[str, Any]]], zone: str
) -> None:
    which, rows = log
    frame = to_frame(rows, zone)
    note(frame.to_string())
    clock = clock_of(which, rows)
    for at in instants_of(rows):
        for latest in (False, True):
            got = frame_rows(clock_frame(frame, POLICIES[which], at=at, latest=latest))
            assert got == expected_rows(clock, at, latest=latest), (at, latest)


@settings(max_examples=25)
@given(event_logs(max_tickets=3, max_events=6))
def test_polars_and_arrow_logs_give_the_same_rows(log: tuple[str, list[dict[str, Any]]]) -> None:
    which, rows = log
    frame = to_frame(rows, "Europe/Berlin")
    at = max(r["at"] for r in rows) + timedelta(hours=5)
    want = clock_frame(frame, POLICIES[which], at=at)
    as_polars = clock_frame(pl.from_pandas(frame), POLICIES[which], at=at)
    assert isinstance(as_polars, pl.DataFrame)
    assert frame_rows(as_polars.to_pandas()) == frame_rows(want)
    as_arrow = clock_frame(pa.Table.from_pandas(frame), POLICIES[which], at=at)
    assert isinstance(as_arrow, pa.Table)
    assert frame_rows(as_arrow.to_pandas()) == frame_rows(want)
    assert as_arrow.column_names == list(CLOCK_COLUMNS)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("events", "policy"),
    [
        (DEMO / "events.jsonl", DEMO / "policy.yaml"),
        (ROOT / "examples/events/tickets.jsonl", ROOT / "examples/policies/webshop.yaml"),
    ],
    ids=["demo", "webshop"],
)
def test_the_bundled_logs_give_the_clocks_answers(events: Path, policy: Path) -> None:
    items = _jsonl(events)
    loaded = Policy.load(policy)
    frame = pd.DataFrame(items)
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    clock = Clock(loaded)
    clock.replay(items)
    last = frame["at"].max().to_pydatetime()
    for at in (last, last + timedelta(days=3), last - timedelta(days=1)):
        assert frame_rows(clock_frame(frame, loaded, at=at)) == expected_rows(clock, at)
    # The default instant is the latest event of the log.
    assert frame_rows(clock_frame(frame, loaded)) == expected_rows(clock, last)


def _log(**extra: list[Any]) -> pd.DataFrame:
    base: dict[str, Any] = {
        "ticket": ["A", "A"],
        "type": ["created", "agent_reply"],
        "at": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 10:00"], utc=True),
        "channel": ["web", None],
    }
    return pd.DataFrame(base | extra)


RESOLUTION = Policy(rules=[{"name": "all", "resolution": {"promise": "2 days"}}])


def test_an_empty_log_gives_the_columns_and_no_rows() -> None:
    empty = _log().iloc[:0]
    result = clock_frame(empty, RESOLUTION, at=datetime(2026, 1, 5, tzinfo=UTC))
    assert list(result.columns) == list(CLOCK_COLUMNS)
    assert len(result) == 0
    assert str(result["started_at"].dtype) == "datetime64[us, UTC]"


def test_fields_of_other_types_are_not_read_and_extra_columns_are_dropped() -> None:
    log = _log(status=["solved", "solved"], note=["x", "y"])  # status only on status rows
    rows = clock_frame(log, RESOLUTION, at=datetime(2026, 1, 6, tzinfo=UTC))
    assert rows["state"].tolist() == ["on_track"]
    assert read_event_log(log).columns.tolist() == ["ticket", "type", "at", "channel", "status"]


def test_tags_and_attributes_route_like_the_clock() -> None:
    policy = Policy(
        rules=[
            {"name": "vip", "match": {"tags": ["vip"]}, "resolution": {"promise": "1 day"}},
            {
                "name": "de",
                "match": {"attributes": {"country": "DE"}},
                "resolution": {"promise": "2 days"},
            },
            {"name": "rest", "resolution": {"promise": "3 days"}},
        ]
    )
    log = pd.DataFrame(
        {
            "ticket": ["A", "B", "C", "C"],
            "type": ["created", "created", "created", "attributes_changed"],
            "at": pd.to_datetime(["2026-01-05 09:00"] * 3 + ["2026-01-05 10:00"], utc=True),
            "channel": ["web"] * 4,
            "tags": ["vip, other", None, None, ["vip"]],
            "attributes": [None, {"country": "DE"}, None, None],
        }
    )
    rows = clock_frame(log, policy, at=datetime(2026, 1, 6, tzinfo=UTC))
    assert rows["rule"].tolist() == ["vip", "de", "vip"]
    as_polars = clock_frame(pl.from_pandas(log.drop(columns="tags")), policy)
    assert as_polars["rule"].to_list() == ["rest", "de", "rest"]


def test_bad_rows_are_named() -> None:
    with pytest.raises(EventError, match=r"row 2 \(index 1\): unknown event type 'replied'"):
        clock_frame(_log(type=["created", "replied"]), RESOLUTION)
    with pytest.raises(EventError, match=r"row 2 \(index 1\): no ticket"):
        clock_frame(_log(ticket=["A", None]), RESOLUTION)
    with pytest.raises(EventError, match=r"events, row 1, ticket 'A': .*channel 'fax'"):
        clock_frame(
            _log(channel=["fax", None]).assign(),
            Policy.load(DEMO / "policy.yaml"),
        )
    with pytest.raises(EventError, match=r"ticket 'B' has events but no 'created' event"):
        clock_frame(_log(ticket=["A", "B"]), RESOLUTION)
    with pytest.raises(NaiveDatetimeError, match=r"events\['at'\]: the instants are naive"):
        clock_frame(_log(at=pd.to_datetime(["2026-01-05", "2026-01-06"])), RESOLUTION)
    with pytest.raises(InputTypeError, match=r"events\['at'\]: expected a tz-aware datetime"):
        clock_frame(_log(at=["2026-01-05T09:00Z", "2026-01-05T10:00Z"]), RESOLUTION)
    with pytest.raises(InputTypeError, match="no 'type' column"):
        clock_frame(_log().drop(columns="type"), RESOLUTION)
    with pytest.raises(InputTypeError, match="the same ticket id '1'"):
        clock_frame(_log(ticket=[1, "1"]), RESOLUTION)
    with pytest.raises(InputTypeError, match="events: expected a pandas, Polars or Arrow"):
        clock_frame([{"ticket": "A"}], RESOLUTION)
    with pytest.raises(NaiveDatetimeError):
        clock_frame(_log(), RESOLUTION, at=datetime(2026, 1, 5))
    polars_naive = pl.from_pandas(_log()).with_columns(pl.col("at").dt.replace_time_zone(None))
    with pytest.raises(NaiveDatetimeError):
        clock_frame(polars_naive, RESOLUTION)


def test_whole_number_tickets_come_back_as_numbers() -> None:
    rows = clock_frame(_log(ticket=[41, 41]), RESOLUTION)
    assert rows["ticket"].tolist() == [41]
    assert rows["ticket"].dtype == "int64"
