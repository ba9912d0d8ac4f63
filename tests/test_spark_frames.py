"""expectkit.spark on a local Spark session: the batch helpers give the scalar answers,
and the frame clock per ticket equals the in-process clock on the same log.

One small session for the module (``local[2]``, two shuffle partitions); the large
log runs only with the ``slow`` marker.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from eventlogs import POLICIES, clock_of, event_logs, expected_rows, frame_rows, to_frame
from expectkit import Policy, Schedule
from expectkit import spark as eks
from expectkit.batch import clock_frame
from expectkit.errors import InputTypeError
from expectkit.history import example_policy, synthetic_events

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'expectkit[spark]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "no Java runtime for Spark (no java on PATH, JAVA_HOME unset)", allow_module_level=True
    )

pytestmark = [
    pytest.mark.integration,  # starts processes: see CONTRIBUTING.md
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

# The Saturday shift spans both DST nights; holidays are left to tests/test_spark.py (each
# Python worker compiles the schedule again, and this module keeps its Spark work small).
SCHEDULE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"], "sat": ["22:00-06:00"]},
    closed=["2026-11-23"],
)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "spark_clock.py"
EVENTS = (
    "ticket long, type string, at timestamp, channel string, priority string, "
    "public boolean, status string"
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("expectkit-tests")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        try:
            yield session
        finally:
            session.stop()


def _load_example() -> ModuleType:
    # Not in sys.modules: Spark pickles the example's functions by value.
    spec = importlib.util.spec_from_file_location("spark_clock", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wall(values: pd.Series) -> pd.Series:
    return values.dt.tz_convert("UTC").dt.tz_localize(None)


def _spark_log(spark: Any, log: pd.DataFrame, schema: str = EVENTS) -> Any:
    names = [field.split()[0] for field in schema.split(", ")]
    frame = log.assign(at=_wall(log["at"]))[names]  # the schema is read by position
    return spark.createDataFrame(frame, schema=schema).repartition(3)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_batch_helpers_give_the_scalar_answers(spark: Any) -> None:
    starts = [_utc(2026, 3, 28, 23, 30), _utc(2026, 10, 24, 23), _utc(2026, 11, 20, 16), None]
    ends = [_utc(2026, 3, 29, 4), None, _utc(2026, 11, 23, 8), _utc(2026, 1, 1)]
    slas = [timedelta(hours=3), timedelta(hours=5), timedelta(minutes=1), timedelta(hours=1)]
    tickets = pd.DataFrame(
        {
            "ticket": range(4),
            "created_at": pd.Series(
                [None if t is None else t.replace(tzinfo=None) for t in starts],
                dtype="datetime64[us]",
            ),
            "sla": pd.Series(slas, dtype="timedelta64[us]"),
            "resolved_at": pd.Series(
                [None if t is None else t.replace(tzinfo=None) for t in ends],
                dtype="datetime64[us]",
            ),
        }
    )
    frame = spark.createDataFrame(
        tickets,
        schema=(
            "ticket long, created_at timestamp, sla interval day to second, resolved_at timestamp"
        ),
    ).coalesce(1)
    frame = eks.add(SCHEDULE, frame, "sla", column="created_at", output="due_at")
    frame = eks.subtract(SCHEDULE, frame, timedelta(hours=2), column="created_at", output="back")
    frame = eks.between(SCHEDULE, frame, "resolved_at", column="created_at", output="spent")
    frame = eks.is_open(SCHEDULE, frame, column="created_at", output="in_hours")
    frame = eks.next_open(SCHEDULE, frame, column="created_at", output="opens")
    frame = eks.next_close(SCHEDULE, frame, column="created_at", output="closes")
    result = frame.orderBy("ticket").toPandas()
    for row, start, end, sla in zip(result.itertuples(), starts, ends, slas, strict=True):
        if start is None:
            assert all(pd.isna(v) for v in (row.due_at, row.back, row.spent, row.in_hours))
            continue

        def aware(v: Any) -> datetime:
            when: datetime = pd.Timestamp(v).tz_localize("UTC").to_pydatetime()
            return when

        assert aware(row.due_at) == SCHEDULE.add(start, sla)
        assert aware(row.back) == SCHEDULE.subtract(start, timedelta(hours=2))
        assert aware(row.opens) == SCHEDULE.next_open(start)
        assert aware(row.closes) == SCHEDULE.next_close(start)
        assert bool(row.in_hours) is SCHEDULE.is_open(start)
        if end is None:
            assert pd.isna(row.spent)
        else:
            assert pd.Timedelta(row.spent) == SCHEDULE.between(start, end)


def test_the_example_runs_on_the_session(spark: Any) -> None:
    example = _load_example()
    states = example.sla_rows(spark, tickets=20).toPandas()
    assert set(states["metric"]) == {"first_response", "resolution"}
    due = example.with_due_times(spark, tickets=5).toPandas()
    assert list(due.columns) == ["ticket", "at", "due_at", "in_hours"]
    assert due["due_at"].notna().all()


def test_the_frame_clock_per_ticket_equals_the_in_process_clock(spark: Any) -> None:
    log = synthetic_events(60, seed=9)
    at = _utc(2026, 4, 1, 12)
    policy = example_policy()
    result = eks.clock_frame(_spark_log(spark, log), policy, at=at).toPandas()
    for name in ("started_at", "stopped_at", "target_at", "breach_at", "next_escalation_at"):
        result[name] = result[name].dt.tz_localize("UTC")
    result["escalations"] = result["escalations"].map(list)
    key = ["ticket", "metric", "cycle"]
    got = frame_rows(result.sort_values(key))
    want = frame_rows(clock_frame(log, policy, at=at).sort_values(key))
    assert got == want
    assert len(want) > 40


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event_logs(max_tickets=3, max_events=8))
def test_generated_logs_on_spark_equal_the_clock(
    spark: Any, log: tuple[str, list[dict[str, Any]]]
) -> None:
    which, rows = log
    frame = to_frame(rows)
    for name in ("channel", "priority", "public", "status"):
        if name not in frame.columns:
            frame[name] = None
    frame["ticket"] = frame["ticket"].astype(str)
    frame["public"] = frame["public"].astype("boolean")
    at = max(r["at"] for r in rows) + timedelta(hours=3)
    schema = EVENTS.replace("ticket long", "ticket string")
    result = eks.clock_frame(_spark_log(spark, frame, schema), POLICIES[which], at=at).toPandas()
    for name in ("started_at", "stopped_at", "target_at", "breach_at", "next_escalation_at"):
        result[name] = result[name].dt.tz_localize("UTC")
    result["escalations"] = result["escalations"].map(list)
    got = sorted(frame_rows(result), key=lambda r: (r[0], r[1], r[2]))
    want = sorted(expected_rows(clock_of(which, rows), at), key=lambda r: (r[0], r[1], r[2]))
    assert got == want


def test_a_session_zone_other_than_utc_is_refused(spark: Any) -> None:
    frame = _spark_log(spark, synthetic_events(2, seed=1))
    policy = Policy(rules=[{"name": "all", "resolution": {"promise": "1 day"}}])
    spark.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    try:
        with pytest.raises(InputTypeError, match="timeZone is 'Europe/Berlin'"):
            eks.clock_frame(frame, policy, at=_utc(2026, 4, 1))
        with pytest.raises(InputTypeError, match="timeZone is 'Europe/Berlin'"):
            eks.is_open(SCHEDULE, frame, column="at", output="open")
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    with pytest.raises(InputTypeError, match="output: expected a name not yet in the frame"):
        eks.is_open(SCHEDULE, frame, column="at", output="type")
    with pytest.raises(InputTypeError, match="no 'ticket' column"):
        eks.clock_frame(frame.drop("ticket"), policy, at=_utc(2026, 4, 1))


@pytest.mark.slow
def test_a_large_log_on_spark_equals_the_in_process_clock(spark: Any) -> None:
    log = synthetic_events(5_000, seed=11)
    at = _utc(2026, 4, 10)
    policy = example_policy()
    result = eks.clock_frame(_spark_log(spark, log), policy, at=at).toPandas()
    assert len(result) == len(clock_frame(log, policy, at=at))
