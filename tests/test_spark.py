"""The Spark recipe in examples/ gives the scalar answers, row by row.

Runs only where pyspark and a Java runtime are installed; pyspark is not a dependency
of expectkit, so it is skipped elsewhere with the reason.
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

from expectkit import Holidays, Schedule

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "no Java runtime for Spark (no java on PATH, JAVA_HOME unset)", allow_module_level=True
    )

# pyspark warns that it does not fully support pandas 3, and its own conversions call
# pandas with the deprecated `copy=` keyword; neither is expectkit's to fix, and the
# test checks every answer.
pytestmark = [
    pytest.mark.integration,  # starts processes: see CONTRIBUTING.md
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "spark_mapinpandas.py"
SCHEDULE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"], "sat": ["22:00-06:00"]},
    holidays=Holidays(country="DE"),
    closed=["2026-12-24"],
)


def _load_example() -> ModuleType:
    # Not registered in sys.modules: Spark then pickles the recipe's functions by value,
    # as it does for a script run as __main__, and the executors need no import path.
    spec = importlib.util.spec_from_file_location("spark_mapinpandas", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Why each row: DST nights inside the Saturday shift, a Friday close, holidays and a
# closed day, a plain weekday, and missing values.
ROWS: list[tuple[datetime | None, timedelta, datetime | None]] = [
    (_utc(2026, 3, 28, 23, 30), timedelta(hours=3), _utc(2026, 3, 29, 4)),  # spring forward
    (_utc(2026, 10, 24, 23), timedelta(hours=5), _utc(2026, 10, 25, 3)),  # fall back
    (_utc(2026, 11, 20, 16), timedelta(minutes=1), _utc(2026, 11, 23, 8)),  # Friday close
    (_utc(2026, 12, 23, 12), timedelta(hours=8), _utc(2026, 12, 28, 9)),  # 24th closed, 25th
    (_utc(2026, 4, 2, 15, 30), timedelta(hours=10), _utc(2026, 4, 7, 12)),  # Easter
    (_utc(2026, 6, 3, 7, 15), timedelta(0), _utc(2026, 6, 3, 7, 15)),  # zero, equal ends
    (_utc(2026, 6, 3, 12), timedelta(hours=-2), _utc(2026, 6, 2, 12)),  # negative, backwards
    (None, timedelta(hours=1), _utc(2026, 6, 3, 12)),  # missing start
    (_utc(2026, 6, 3, 12), timedelta(hours=1), None),  # missing end
]


def _tickets() -> pd.DataFrame:
    def wall(t: datetime | None) -> pd.Timestamp | None:
        return None if t is None else pd.Timestamp(t).tz_convert("UTC").tz_localize(None)

    return pd.DataFrame(
        {
            "ticket": list(range(len(ROWS))),
            "created_at": pd.Series([wall(a) for a, _, _ in ROWS], dtype="datetime64[us]"),
            "sla": pd.Series([d for _, d, _ in ROWS], dtype="timedelta64[us]"),
            "resolved_at": pd.Series([wall(b) for _, _, b in ROWS], dtype="datetime64[us]"),
        }
    )


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        # Executors run this interpreter, which has expectkit installed.
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        session = _load_example().local_session()
        try:
            yield session
        finally:
            session.stop()


def test_mapinpandas_matches_the_scalar_answers(spark: Any) -> None:
    example = _load_example()
    tickets = spark.createDataFrame(_tickets(), schema=example.TICKETS).repartition(3)
    result = example.with_business_time(tickets, SCHEDULE).orderBy("ticket").toPandas()
    assert list(result["ticket"]) == list(range(len(ROWS)))
    for row, (start, sla, end) in zip(result.itertuples(), ROWS, strict=True):
        if start is None:
            assert pd.isna(row.due_at)
            assert pd.isna(row.business_time)
            assert pd.isna(row.created_in_hours)
            continue
        due = pd.Timestamp(row.due_at).tz_localize("UTC")
        assert due == SCHEDULE.add(start, sla), row
        assert bool(row.created_in_hours) is SCHEDULE.is_open(start), row
        if end is None:
            assert pd.isna(row.business_time)
        else:
            assert pd.Timedelta(row.business_time) == SCHEDULE.between(start, end), row


def test_a_session_zone_other_than_utc_is_refused(spark: Any) -> None:
    example = _load_example()
    tickets = spark.createDataFrame(_tickets(), schema=example.TICKETS)
    spark.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    try:
        with pytest.raises(ValueError, match="UTC"):
            example.with_business_time(tickets, SCHEDULE)
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
