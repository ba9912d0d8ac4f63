"""Business time in Spark: ``expectkit.batch`` inside ``DataFrame.mapInPandas``.

Spark hands each task an iterator of pandas DataFrames (Arrow record batches); every
batch is answered by a few vectorized searches in ``expectkit.batch``, never a Python
loop per row. The schedule is captured by the function and pickled to the executors,
which compile its timeline on first use.

Spark gives pandas its timestamps as *naive wall times in the session time zone*. Only
UTC wall times turn back into instants without DST ambiguity, so this recipe requires
``spark.sql.session.timeZone = UTC`` and checks it.

    pip install pyspark "expectkit[pandas]"   # pyspark needs Java 17 or later
    python examples/spark_mapinpandas.py
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from expectkit import Holidays, Schedule, batch

# Input: one row per ticket. `sla` is a day-time interval (pandas timedelta64).
TICKETS = "ticket long, created_at timestamp, sla interval day to second, resolved_at timestamp"
# Output: the due time, the business time spent until resolution, and whether the
# ticket arrived during open hours.
RESULTS = (
    "ticket long, due_at timestamp, business_time interval day to second, created_in_hours boolean"
)


def _instants(wall_utc: pd.Series[Any]) -> pd.Series[Any]:
    """Spark's naive UTC wall times as aware instants."""
    return wall_utc.dt.tz_localize("UTC")


def _wall_utc(instants: pd.Series[Any]) -> pd.Series[Any]:
    """Aware instants as the naive UTC wall times Spark reads back."""
    return instants.dt.tz_convert("UTC").dt.tz_localize(None)


def business_time_batches(
    schedule: Schedule,
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Return the function for ``mapInPandas``: TICKETS batches in, RESULTS batches out."""

    def apply(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for frame in frames:
            created = _instants(frame["created_at"])
            resolved = _instants(frame["resolved_at"])
            yield pd.DataFrame(
                {
                    "ticket": frame["ticket"],
                    "due_at": _wall_utc(batch.add(schedule, created, frame["sla"])),
                    "business_time": batch.between(schedule, created, resolved),
                    "created_in_hours": batch.is_open(schedule, created),
                }
            )

    return apply


def with_business_time(tickets: Any, schedule: Schedule) -> Any:
    """Return a Spark DataFrame of RESULTS for a Spark DataFrame of TICKETS."""
    zone = tickets.sparkSession.conf.get("spark.sql.session.timeZone")
    if zone != "UTC":
        raise ValueError(
            f"spark.sql.session.timeZone is {zone!r}; set it to 'UTC' so that timestamps "
            "reach pandas as unambiguous UTC wall times"
        )
    return tickets.mapInPandas(business_time_batches(schedule), RESULTS)


def local_session() -> Any:
    """Start a small local Spark session with the UTC session time zone."""
    from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

    return (
        SparkSession.builder.master("local[2]")
        .appName("expectkit-mapinpandas")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )


def main() -> None:
    """Compute due times for a few tickets and print them."""
    schedule = Schedule(
        tz="Europe/Berlin",
        weekly={"mon-fri": ["09:00-17:00"]},
        holidays=Holidays(country="DE"),
    )
    tickets = pd.DataFrame(
        {
            "ticket": [1, 2, 3],
            # Naive UTC wall times, as the session zone is UTC.
            "created_at": pd.to_datetime(["2026-11-20 15:30", "2026-12-23 12:00", None]),
            "sla": pd.to_timedelta(["1h", "8h", "1h"]),
            "resolved_at": pd.to_datetime(["2026-11-23 10:00", "2026-12-28 09:00", None]),
        }
    )
    spark = local_session()
    try:
        frame = spark.createDataFrame(tickets, schema=TICKETS)
        result = with_business_time(frame, schedule).orderBy("ticket").toPandas()
        print(result.to_string(index=False))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
