"""The SLA clock and business time on Spark with ``expectkit.spark``.

An event log as a Spark DataFrame (one row per ticket event) goes through the frame
clock per ticket (``groupBy("ticket").applyInPandas``); a ticket table gets business
time columns batch by batch (``mapInPandas``). The session time zone must be UTC.

    pip install "expectkit[spark]"   # pyspark needs Java 17 or later
    python examples/spark_clock.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from expectkit import spark as eks
from expectkit.history import default_schedule, example_policy, synthetic_events

EVENTS = (
    "ticket long, type string, at timestamp, channel string, priority string, "
    "public boolean, status string"
)


def sla_rows(spark: Any, tickets: int = 200) -> Any:
    """Return the clock's rows at 1 April 2026 for a synthetic log of `tickets` tickets."""
    log = synthetic_events(tickets, seed=7)
    log["at"] = log["at"].dt.tz_convert("UTC").dt.tz_localize(None)  # UTC wall times
    events = spark.createDataFrame(log, schema=EVENTS)
    return eks.clock_frame(events, example_policy(), at=datetime(2026, 4, 1, tzinfo=UTC))


def with_due_times(spark: Any, tickets: int = 200) -> Any:
    """Return each ticket's creation, the due time 8 business hours later, and open or not."""
    log = synthetic_events(tickets, seed=7)
    created = log[log["type"] == "created"][["ticket", "at"]]
    created = created.assign(at=created["at"].dt.tz_convert("UTC").dt.tz_localize(None))
    frame = spark.createDataFrame(created, schema="ticket long, at timestamp")
    office = default_schedule()
    frame = eks.add(office, frame, timedelta(hours=8), column="at", output="due_at")
    return eks.is_open(office, frame, column="at", output="in_hours")


def local_session() -> Any:
    """Start a small local Spark session with the UTC session time zone."""
    from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

    return (
        SparkSession.builder.master("local[2]")
        .appName("expectkit-clock")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )


def main() -> None:
    """Print how many metric cycles stand in each state, and a few due times."""
    spark = local_session()
    try:
        sla_rows(spark).groupBy("metric", "state").count().orderBy("metric", "state").show()
        with_due_times(spark).orderBy("ticket").show(5)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
