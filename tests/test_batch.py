"""The vectorized path gives the scalar answers, element by element, in every container."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectkit import Holidays, HorizonError, InputTypeError, NaiveDatetimeError, Schedule, batch

SHAPES = {
    "office-berlin-holidays": Schedule(
        tz="Europe/Berlin",
        weekly={"mon-fri": ["09:00-12:30", "13:30-17:00"], "sat": ["10:00-14:00"]},
        holidays=Holidays(country="DE", subdiv="BE"),
        closed=["2026-12-24"],
        special={"2026-12-23": ["09:00-13:00"]},
    ),
    "nights-london": Schedule(tz="Europe/London", weekly={"mon-sun": ["22:00-06:00"]}),
    "always-lord-howe": Schedule.always("Australia/Lord_Howe"),
    "kathmandu": Schedule(tz="Asia/Kathmandu", weekly={"sun-thu": ["10:00-17:00"]}),
    "new-york-us-holidays": Schedule(
        tz="America/New_York",
        weekly={"mon-fri": ["08:00-20:00"]},
        holidays=Holidays(country="US"),
    ),
}

LO = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
HI = int(datetime(2027, 12, 31, tzinfo=UTC).timestamp() * 1_000_000)
HOUR_US = 3_600_000_000

# Instants bunch around DST nights and whole hours so that closes and gaps are hit.
DST_NIGHTS = [
    int(datetime(*d, tzinfo=UTC).timestamp() * 1_000_000)
    for d in [
        (2026, 3, 29, 1),
        (2026, 10, 25, 1),
        (2026, 3, 8, 7),
        (2026, 11, 1, 6),
        (2026, 10, 4, 0),
    ]
]
instant_us = st.one_of(
    st.integers(LO, HI),
    st.integers(LO // HOUR_US, HI // HOUR_US).map(lambda h: h * HOUR_US),
    st.sampled_from(DST_NIGHTS).flatmap(
        lambda t: st.integers(-6 * HOUR_US, 6 * HOUR_US).map(lambda k: t + k)
    ),
)
duration_us = st.one_of(
    st.integers(-60 * HOUR_US, 60 * HOUR_US),
    st.integers(-60, 60).map(lambda h: h * HOUR_US),
)


def _scalar(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)


def _to_numpy(values: list[int | None]) -> np.ndarray[Any, Any]:
    return np.array(
        [np.datetime64("NaT") if v is None else np.datetime64(v, "us") for v in values],
        dtype="datetime64[us]",
    )


def _as_us(value: Any) -> int | None:
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.as_unit("us").value)


@pytest.mark.parametrize("name", sorted(SHAPES))
class TestMatchesScalar:
    @given(data=st.lists(st.tuples(st.none() | instant_us, duration_us), min_size=1, max_size=40))
    @settings(max_examples=25, deadline=None)
    def test_add_and_subtract(self, name: str, data: list[tuple[int | None, int]]) -> None:
        schedule = SHAPES[name]
        starts = [s for s, _ in data]
        deltas = np.array([d for _, d in data], dtype="timedelta64[us]")
        added = batch.add(schedule, _to_numpy(starts), deltas)
        taken = batch.subtract(schedule, _to_numpy(starts), deltas)
        for k, (start, d) in enumerate(data):
            if start is None:
                assert np.isnat(added[k])
                assert np.isnat(taken[k])
                continue
            step = timedelta(microseconds=d)
            assert _as_us(added[k]) == _as_us(schedule.add(_scalar(start), step))
            assert _as_us(taken[k]) == _as_us(schedule.subtract(_scalar(start), step))

    @given(data=st.lists(st.tuples(st.none() | instant_us, instant_us), min_size=1, max_size=40))
    @settings(max_examples=25, deadline=None)
    def test_between_is_open_next(self, name: str, data: list[tuple[int | None, int]]) -> None:
        schedule = SHAPES[name]
        a = _to_numpy([x for x, _ in data])
        b = _to_numpy([y for _, y in data])
        spans = batch.between(schedule, a, b)
        flags = batch.is_open(schedule, a)
        opens = batch.next_open(schedule, a)
        closes = None if name.startswith("always") else batch.next_close(schedule, a)
        for k, (x, y) in enumerate(data):
            if x is None:
                assert np.isnat(spans[k])
                assert not flags[k]
                assert np.isnat(opens[k])
                continue
            expected = schedule.between(_scalar(x), _scalar(y))
            assert int(spans[k].astype(np.int64)) == expected // timedelta(microseconds=1)
            assert bool(flags[k]) is schedule.is_open(_scalar(x))
            assert _as_us(opens[k]) == _as_us(schedule.next_open(_scalar(x)))
            if closes is not None:
                assert _as_us(closes[k]) == _as_us(schedule.next_close(_scalar(x)))


class TestContainers:
    schedule = SHAPES["office-berlin-holidays"]
    berlin = ZoneInfo("Europe/Berlin")
    starts: ClassVar[list[datetime | None]] = [
        datetime(2026, 11, 20, 16, 30),
        datetime(2026, 12, 22, 15),
        None,
    ]

    def _series(self) -> pd.Series[Any]:
        values = pd.to_datetime(pd.Series(self.starts, name="created", index=[7, 8, 9]))
        return values.dt.tz_localize(self.berlin)

    def test_pandas_series_keeps_index_name_and_zone(self) -> None:
        created = self._series().dt.tz_convert("America/New_York")
        due = batch.add(self.schedule, created, timedelta(hours=8))
        assert isinstance(due, pd.Series)
        assert list(due.index) == [7, 8, 9]
        assert due.name == "created"
        assert str(due.dt.tz) == "Europe/Berlin"
        assert due.iloc[0] == pd.Timestamp("2026-11-23 12:30", tz="Europe/Berlin")
        # Tue 15-17 (2 h), Wed 23 special 09-13 (4 h), 24th closed, 25th/26th holidays.
        assert due.iloc[1] == pd.Timestamp("2026-12-28 11:00", tz="Europe/Berlin")
        assert pd.isna(due.iloc[2])

    def test_pandas_durations_series(self) -> None:
        created = self._series()
        waits = pd.Series(pd.to_timedelta(["1h", "2h", "3h"]), index=created.index)
        due = batch.add(self.schedule, created, waits)
        assert due.iloc[0] == pd.Timestamp("2026-11-21 10:30", tz="Europe/Berlin")  # Saturday

    def test_pandas_index_and_nullable_flags(self) -> None:
        index = pd.DatetimeIndex(self._series())
        flags = batch.is_open(self.schedule, index)
        assert list(flags) == [True, True, pd.NA]
        spans = batch.between(self.schedule, index, index + pd.Timedelta(days=1))
        assert isinstance(spans, pd.TimedeltaIndex)
        assert spans[0] == pd.Timedelta(hours=4, minutes=30)  # Fri 16:30-17:00 + Sat 10:00-14:00

    def test_arrow_round_trip_with_nulls(self) -> None:
        arr = pa.array(
            [datetime(2026, 11, 20, 15, 30, tzinfo=UTC), None], type=pa.timestamp("ms", tz="UTC")
        )
        due = batch.add(self.schedule, arr, timedelta(hours=1))
        assert due.type == pa.timestamp("us", tz="Europe/Berlin")
        assert due[0].as_py() == datetime(2026, 11, 21, 10, 30, tzinfo=self.berlin)
        assert due[1].as_py() is None
        assert batch.is_open(self.schedule, arr).to_pylist() == [True, None]

    def test_naive_pandas_is_refused(self) -> None:
        naive = pd.Series(pd.to_datetime(["2026-11-20 16:30"]))
        with pytest.raises(NaiveDatetimeError, match="tz_localize"):
            batch.add(self.schedule, naive, timedelta(hours=1))

    def test_naive_arrow_is_refused(self) -> None:
        with pytest.raises(NaiveDatetimeError, match="time zone"):
            batch.is_open(self.schedule, pa.array([datetime(2026, 1, 1)]))

    @pytest.mark.parametrize(
        ("instants", "durations", "named"),
        [
            ([datetime(2026, 1, 1, tzinfo=UTC)], timedelta(1), "list"),
            (np.array([1, 2]), timedelta(1), "int64"),
            (np.array(["2026-01-01"], dtype="datetime64[us]"), 5, "int"),
            (np.array(["2026-01-01"] * 2, dtype="datetime64[us]"), np.zeros(3, "m8[us]"), "(3,)"),
        ],
    )
    def test_bad_containers(self, instants: Any, durations: Any, named: str) -> None:
        with pytest.raises(InputTypeError, match=named):
            batch.add(self.schedule, instants, durations)

    def test_horizon_is_enforced_per_element(self) -> None:
        starts = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[us]")
        with pytest.raises(HorizonError):
            # 10**6 hours: 114 years, beyond the 10-year horizon, within int64 microseconds
            batch.add(self.schedule, starts, np.array([1, 10**6], dtype="timedelta64[h]"))

    def test_always_never_closes(self) -> None:
        with pytest.raises(HorizonError):
            batch.next_close(SHAPES["always-lord-howe"], np.array(["2026-01-01"], "datetime64[us]"))
