"""expectkit.dask on a local distributed cluster gives the scalar answers, row by row."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from expectkit import Holidays, InputTypeError, NaiveDatetimeError, Schedule
from expectkit import dask as ekd
from instants import instant, optional_pydatetime, pydatetime

dd = pytest.importorskip(
    "dask.dataframe", reason="dask is not installed (pip install 'expectkit[dask]')"
)
distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'expectkit[dask]')"
)

# Open across both Berlin DST nights (the Saturday shift runs into Sunday 02:00-03:00),
# with state holidays, a closed day and a shortened day.
SCHEDULE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["08:00-12:00", "13:00-18:00"], "sat": ["22:00-06:00"]},
    holidays=Holidays(country="DE", subdiv="BE"),
    closed=["2025-12-24"],
    special={"2025-12-31": ["09:00-13:00"]},
)
BERLIN = "Europe/Berlin"
PARTITIONS = 7
SEED = 20260329


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pd.Timestamp:
    return pd.Timestamp(datetime(year, month, day, hour, minute, tzinfo=UTC))


def _frame() -> pd.DataFrame:
    """Tickets: random instants plus DST nights, holidays, edges of intervals and NaT."""
    rng = np.random.default_rng(SEED)
    lo, hi = _utc(2025, 1, 1).value // 1000, _utc(2027, 1, 1).value // 1000
    random = list(pd.to_datetime(rng.integers(lo, hi, 400), unit="us", utc=True))
    nights = [_utc(2025, 3, 30, 1), _utc(2025, 10, 26, 1), _utc(2026, 3, 29, 1)]
    nights += [_utc(2026, 10, 25, 1)]
    near_nights = [t + pd.Timedelta(minutes=m) for t in nights for m in range(-240, 241, 30)]
    special_days = [  # Christmas and New Year, Easter, a Friday's close and an opening
        _utc(2025, 12, 23, 16, 59),
        _utc(2025, 12, 24, 10),
        _utc(2025, 12, 31, 11, 30),
        _utc(2026, 4, 2, 15),
        _utc(2026, 4, 3, 9),
        _utc(2026, 11, 20, 17),
        _utc(2026, 11, 23, 7),
    ]
    instants = random + near_nights + special_days
    instants[::37] = [pd.NaT] * len(instants[::37])
    n = len(instants)
    minutes = rng.integers(-60 * 60, 60 * 60, n)
    minutes[::11] = 0
    sla = minutes.astype("timedelta64[m]").astype("timedelta64[us]")
    sla[5::41] = np.timedelta64("NaT")
    spans = rng.integers(-2 * 1440, 10 * 1440, n).astype("timedelta64[m]")
    created = pd.Series(instants, dtype="datetime64[us, UTC]").dt.tz_convert("America/New_York")
    resolved = created + spans
    resolved[3::29] = pd.NaT
    return pd.DataFrame(
        {"created": created.to_numpy(), "sla": sla, "resolved": resolved.to_numpy()},
        index=pd.RangeIndex(10_000, 10_000 + n, name="ticket"),
    )


FRAME = _frame()


def _aware(value: Any) -> datetime | None:
    return optional_pydatetime(value)


def _delta(value: Any) -> timedelta | None:
    return None if pd.isna(value) else pd.Timedelta(value).to_pytimedelta()


def _expected(verb: str, *columns: str) -> list[Any]:
    """Answer row by row with the scalar method of the same name; NaT in, None out."""
    rows = zip(*(FRAME[c] for c in columns), strict=True)
    answers: list[Any] = []
    for row in rows:
        args = [_delta(v) if c == "sla" else _aware(v) for c, v in zip(columns, row, strict=True)]
        answers.append(None if None in args else instant(getattr(SCHEDULE, verb)(*args)))
    return answers


def _as_list(values: pd.Series[Any]) -> list[Any]:
    return [None if pd.isna(v) else instant(v) for v in values]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # Two worker processes: the schedule really is pickled to other interpreters. Every
    # port is a free one (":0"), so runs side by side on one machine do not collide.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def tickets() -> Any:
    frame = dd.from_pandas(FRAME, npartitions=PARTITIONS)
    assert frame.npartitions == PARTITIONS
    return frame


@pytest.mark.integration
class TestMatchesScalarOnCluster:
    def test_frame_has_what_the_test_needs(self) -> None:
        assert FRAME["created"].isna().sum() > 5
        assert FRAME["sla"].isna().sum() > 5
        assert (FRAME["sla"] < pd.Timedelta(0)).sum() > 100
        assert (FRAME["sla"] == pd.Timedelta(0)).sum() > 20

    def test_add_column_names(self, client: Any, tickets: Any) -> None:
        due = ekd.add(SCHEDULE, tickets, "sla", column="created")
        result = client.compute(due, sync=True)
        assert str(result.dtype) == f"datetime64[us, {BERLIN}]"
        assert result.index.equals(FRAME.index)
        assert _as_list(result) == _expected("add", "created", "sla")

    def test_subtract_series(self, client: Any, tickets: Any) -> None:
        early = ekd.subtract(SCHEDULE, tickets["created"], tickets["sla"])
        result = client.compute(early, sync=True)
        assert _as_list(result) == _expected("subtract", "created", "sla")

    def test_add_one_duration(self, client: Any, tickets: Any) -> None:
        due = ekd.add(SCHEDULE, tickets["created"], timedelta(hours=8))
        result = client.compute(due, sync=True)
        expected = [
            None if t is None else instant(SCHEDULE.add(t, timedelta(hours=8)))
            for t in map(_aware, FRAME["created"])
        ]
        assert _as_list(result) == expected

    def test_between(self, client: Any, tickets: Any) -> None:
        spans = ekd.between(SCHEDULE, tickets, "resolved", column="created")
        result = client.compute(spans, sync=True)
        assert str(result.dtype) == "timedelta64[us]"
        assert _as_list(result) == _expected("between", "created", "resolved")

    def test_is_open_is_nullable(self, client: Any, tickets: Any) -> None:
        flags = ekd.is_open(SCHEDULE, tickets, column="created")
        result = client.compute(flags, sync=True)
        assert str(result.dtype) == "boolean"
        assert _as_list(result) == _expected("is_open", "created")

    def test_next_open_and_next_close(self, client: Any, tickets: Any) -> None:
        opens = ekd.next_open(SCHEDULE, tickets["created"])
        closes = ekd.next_close(SCHEDULE, tickets["created"])
        got_opens, got_closes = client.compute([opens, closes], sync=True)
        assert _as_list(got_opens) == _expected("next_open", "created")
        assert _as_list(got_closes) == _expected("next_close", "created")

    def test_assign_to_the_frame(self, client: Any, tickets: Any) -> None:
        due = ekd.add(SCHEDULE, tickets, "sla", column="created")
        frame = client.compute(tickets.assign(due=due), sync=True)
        assert list(frame.columns) == ["created", "sla", "resolved", "due"]
        assert _as_list(frame["due"]) == _expected("add", "created", "sla")


@pytest.mark.integration
class TestLazyShape:
    """Partitions, divisions, index, name and dtype are known before anything runs."""

    def test_partitions_and_meta(self, tickets: Any) -> None:
        due = ekd.add(SCHEDULE, tickets, "sla", column="created")
        assert due.npartitions == PARTITIONS
        assert due.divisions == tickets.divisions
        assert due.name == "created"
        assert due.dtype == pd.DatetimeTZDtype("us", ZoneInfo(BERLIN))

    def test_unknown_divisions_are_kept_unknown(self, client: Any) -> None:
        frame = dd.from_pandas(FRAME, npartitions=3).clear_divisions()
        due = ekd.add(SCHEDULE, frame, "sla", column="created")
        assert not due.known_divisions
        result = client.compute(due, sync=True)
        assert _as_list(result) == _expected("add", "created", "sla")

    def test_an_index_of_instants(self, client: Any) -> None:
        indexed = FRAME.dropna(subset=["created"]).set_index("created").sort_index()
        opens = ekd.next_open(SCHEDULE, dd.from_pandas(indexed, npartitions=3).index)
        assert isinstance(opens, dd.Index)
        result = client.compute(opens, sync=True)
        assert isinstance(result, pd.DatetimeIndex)
        expected = [instant(SCHEDULE.next_open(pydatetime(t))) for t in indexed.index]
        assert [instant(t) for t in result] == expected


class TestErrors:
    """Mistakes surface when the graph is built, with expectkit's errors."""

    def test_naive_column(self) -> None:
        naive = dd.from_pandas(FRAME.assign(created=FRAME["created"].dt.tz_localize(None)), 2)
        with pytest.raises(NaiveDatetimeError, match="tz_localize"):
            ekd.add(SCHEDULE, naive, "sla", column="created")

    def test_frame_without_column(self, tickets: Any) -> None:
        with pytest.raises(InputTypeError, match="column="):
            ekd.is_open(SCHEDULE, tickets)

    def test_column_name_needs_a_frame(self, tickets: Any) -> None:
        with pytest.raises(InputTypeError, match="column name"):
            ekd.add(SCHEDULE, tickets["created"], "sla")

    def test_pandas_durations_are_refused(self, tickets: Any) -> None:
        with pytest.raises(InputTypeError, match="Series"):
            ekd.add(SCHEDULE, tickets["created"], FRAME["sla"])

    def test_durations_of_another_partitioning(self, tickets: Any) -> None:
        other = dd.from_pandas(FRAME, npartitions=PARTITIONS - 2)
        with pytest.raises(InputTypeError, match="partitioned differently"):
            ekd.add(SCHEDULE, tickets["created"], other["sla"])

    def test_not_a_schedule(self, tickets: Any) -> None:
        with pytest.raises(InputTypeError, match="schedule"):
            ekd.next_open("Europe/Berlin", tickets["created"])  # type: ignore[arg-type]

    def test_missing_dask_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch, tickets: Any
    ) -> None:
        monkeypatch.setitem(sys.modules, "dask.dataframe", None)
        with pytest.raises(ImportError, match=r"expectkit\[dask\]"):
            ekd.add(SCHEDULE, tickets, "sla", column="created")
