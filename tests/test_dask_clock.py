"""The frame clock on a 2-worker Dask cluster equals the in-process clock on the same log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from eventlogs import POLICIES, clock_of, event_logs, expected_rows, frame_rows, to_frame
from expectkit import Policy
from expectkit import dask as ekd
from expectkit.batch import CLOCK_COLUMNS, clock_frame
from expectkit.errors import EventError, InputTypeError, NaiveDatetimeError
from expectkit.history import example_policy, synthetic_events

pytestmark = pytest.mark.integration  # starts processes: see CONTRIBUTING.md

dd = pytest.importorskip("dask.dataframe", reason="dask is not installed")
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # Two worker processes: the policy really is pickled to other interpreters.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(autouse=True)
def _strings_as_given() -> Iterator[None]:
    # dask's own option (on by default in some releases) turns object string columns
    # into pyarrow strings; the frame clock's columns are compared as it makes them.
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        yield


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def test_a_synthetic_log_on_the_cluster_equals_the_in_process_clock(client: Any) -> None:
    log = synthetic_events(400, seed=5)
    at = datetime(2026, 4, 2, 12, tzinfo=UTC)
    policy = example_policy()
    frame = dd.from_pandas(log, npartitions=5)  # tickets split over partitions
    lazy = ekd.clock_frame(frame, policy, at=at, npartitions=3)
    assert list(lazy.columns) == list(CLOCK_COLUMNS)
    result = lazy.compute()
    assert result.dtypes.to_dict() == clock_frame(log, policy, at=at).dtypes.to_dict()
    want = frame_rows(clock_frame(log, policy, at=at))
    assert _sorted(frame_rows(result)) == _sorted(want)
    assert len(want) > 400
    latest = ekd.clock_frame(frame, policy, at=at, latest=True).compute()
    assert _sorted(frame_rows(latest)) == _sorted(
        frame_rows(clock_frame(log, policy, at=at, latest=True))
    )


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event_logs())
def test_generated_logs_on_the_cluster_equal_the_clock(
    client: Any, log: tuple[str, list[dict[str, Any]]]
) -> None:
    which, rows = log
    frame = to_frame(rows)
    at = max(r["at"] for r in rows) + timedelta(hours=7)
    got = ekd.clock_frame(dd.from_pandas(frame, npartitions=2), POLICIES[which], at=at).compute()
    assert _sorted(frame_rows(got)) == _sorted(expected_rows(clock_of(which, rows), at))


def test_bad_input_is_refused_before_or_at_compute(client: Any) -> None:
    policy = Policy(rules=[{"name": "all", "resolution": {"promise": "1 day"}}])
    base = pd.DataFrame(
        {
            "ticket": ["A", "B"],
            "type": ["created", "agent_reply"],
            "at": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 10:00"], utc=True),
            "channel": ["web", None],
        }
    )
    at = datetime(2026, 1, 6, tzinfo=UTC)
    with pytest.raises(InputTypeError, match="events: expected a dask DataFrame"):
        ekd.clock_frame(base, policy, at=at)
    with pytest.raises(NaiveDatetimeError):
        ekd.clock_frame(dd.from_pandas(base, npartitions=1), policy, at=datetime(2026, 1, 6))
    with pytest.raises(InputTypeError, match="no 'type' column"):
        ekd.clock_frame(dd.from_pandas(base.drop(columns="type"), npartitions=1), policy, at=at)
    lazy = ekd.clock_frame(dd.from_pandas(base, npartitions=2), policy, at=at)
    with pytest.raises(EventError, match="ticket 'B' has events but no 'created' event"):
        lazy.compute()
