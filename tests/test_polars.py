"""Polars in every batch operation and in quote_frame: equal to the numpy/pandas paths,
nulls included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from expectkit import Holidays, Policy, Schedule, batch
from expectkit.errors import InputTypeError, NaiveDatetimeError

SCHEDULE = Schedule(
    tz="Europe/Berlin",
    weekly={"mon-fri": ["09:00-17:00"], "sat": ["22:00-06:00"]},
    holidays=Holidays(country="DE"),
)
BASE = datetime(2026, 3, 20, tzinfo=UTC)  # a week before the spring DST night
MINUTES = st.one_of(st.none(), st.integers(0, 60 * 24 * 240))
SPANS = st.one_of(st.none(), st.integers(-60 * 40, 60 * 40))


def _instants(minutes: list[int | None]) -> tuple[pl.Series, np.ndarray[Any, Any]]:
    values = [None if m is None else BASE + timedelta(minutes=m) for m in minutes]
    series = pl.Series("at", values, dtype=pl.Datetime("us", "UTC"))
    raw = np.array(
        [
            np.datetime64("NaT") if v is None else np.datetime64(v.replace(tzinfo=None), "us")
            for v in values
        ],
        dtype="datetime64[us]",
    )
    return series, raw


def _as_numpy(result: pl.Series) -> np.ndarray[Any, Any]:
    if isinstance(result.dtype, pl.Datetime):
        utc = result.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return utc.to_numpy().astype("datetime64[us]")
    return result.to_numpy()


@given(st.lists(MINUTES, max_size=30), st.lists(SPANS, min_size=30, max_size=30))
def test_every_operation_equals_the_numpy_path(
    minutes: list[int | None], spans: list[int | None]
) -> None:
    series, raw = _instants(minutes)
    spans = spans[: len(minutes)]
    durations = pl.Series(
        "d", [None if s is None else timedelta(minutes=s) for s in spans], dtype=pl.Duration("us")
    )
    raw_d = np.array(
        [np.timedelta64("NaT") if s is None else np.timedelta64(s, "m") for s in spans],
        dtype="timedelta64[us]",
    )
    for name in ("add", "subtract"):
        fn = getattr(batch, name)
        got = fn(SCHEDULE, series, durations)
        assert got.name == "at"
        assert got.dtype == pl.Datetime("us", "Europe/Berlin")
        np.testing.assert_array_equal(_as_numpy(got), fn(SCHEDULE, raw, raw_d))
        np.testing.assert_array_equal(
            _as_numpy(fn(SCHEDULE, series, timedelta(hours=3))),
            fn(SCHEDULE, raw, timedelta(hours=3)),
        )
    for name in ("next_open", "next_close"):
        fn = getattr(batch, name)
        np.testing.assert_array_equal(_as_numpy(fn(SCHEDULE, series)), fn(SCHEDULE, raw))
    ends, raw_ends = _instants([None if m is None else m + 600 for m in minutes][::-1])
    spent = batch.between(SCHEDULE, series, ends)
    assert spent.dtype == pl.Duration("us")
    np.testing.assert_array_equal(
        spent.to_numpy().astype("timedelta64[us]"), batch.between(SCHEDULE, raw, raw_ends)
    )
    flags = batch.is_open(SCHEDULE, series)
    assert flags.dtype == pl.Boolean
    missing = np.isnat(raw)
    assert flags.is_null().to_list() == missing.tolist()
    expected = batch.is_open(SCHEDULE, raw)
    assert [f for f, m in zip(flags.to_list(), missing, strict=True) if not m] == [
        bool(e) for e, m in zip(expected, missing, strict=True) if not m
    ]


def test_a_series_in_any_zone_and_unit_is_read_as_its_instants() -> None:
    series = pl.Series([datetime(2026, 11, 20, 15, 30)], dtype=pl.Datetime("ms", "UTC"))
    local = series.dt.convert_time_zone("America/New_York")
    assert batch.add(SCHEDULE, local, timedelta(hours=1)).equals(
        batch.add(SCHEDULE, series, timedelta(hours=1))
    )


def test_naive_and_wrong_kinds_are_refused() -> None:
    naive = pl.Series([datetime(2026, 11, 20, 15, 30)])
    with pytest.raises(NaiveDatetimeError, match="instants: the Polars datetimes are naive"):
        batch.add(SCHEDULE, naive, timedelta(hours=1))
    aware = naive.dt.replace_time_zone("UTC")
    with pytest.raises(NaiveDatetimeError, match="ends: the Polars datetimes are naive"):
        batch.between(SCHEDULE, aware, naive)
    with pytest.raises(InputTypeError, match="instants: expected numpy datetime64"):
        batch.is_open(SCHEDULE, pl.Series([1, 2]))
    with pytest.raises(InputTypeError, match="durations: expected a timedelta"):
        batch.add(SCHEDULE, aware, pl.Series([1]))


POLICY = Policy.loads("""\
priorities: [urgent, normal]
schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
channels:
  email: {kind: email, mode: async, schedule: berlin}
  chat: {kind: chat, mode: live, schedule: berlin, offline: email}
rules:
  - {name: vip, match: {tags: [vip]}, first_response: {promise: "2 business hours"}}
  - name: urgent
    match: {priority: urgent, attributes: {region: EU}}
    first_response: {promise: "1 business hour", target: "30 minutes"}
  - {name: chat, match: {channel: chat}, first_response: {promise: "30 seconds"}}
  - name: email
    first_response: {promise: "1-3 business days"}
    resolution: {promise: "5 business days", target: "3 business days"}
""")


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["email", "chat", "fax"])),
            MINUTES,
            st.one_of(st.none(), st.sampled_from(["urgent", "normal"])),
            st.one_of(st.none(), st.lists(st.sampled_from(["vip", "x"]), max_size=2)),
            st.one_of(st.none(), st.sampled_from(["EU", "US"])),
        ),
        max_size=20,
    )
)
def test_quote_frame_on_polars_equals_pandas(rows: list[tuple[Any, ...]]) -> None:
    created, _ = _instants([r[1] for r in rows])
    frame = pl.DataFrame(
        {
            "channel": pl.Series([r[0] for r in rows], dtype=pl.String),
            "created_at": created,
            "priority": pl.Series([r[2] for r in rows], dtype=pl.String),
            "tags": pl.Series([r[3] for r in rows], dtype=pl.List(pl.String)),
            "attributes": pl.Series(
                [None if r[4] is None else {"region": r[4]} for r in rows],
                dtype=pl.Struct({"region": pl.String}),
            ),
        }
    )
    got = batch.quote_frame(POLICY, frame)
    assert isinstance(got, pl.DataFrame)
    pandas_frame = pd.DataFrame(
        {
            "channel": pd.Series([r[0] for r in rows], dtype=object),
            "created_at": created.to_pandas(),
            "priority": pd.Series([r[2] for r in rows], dtype=object),
            "tags": pd.Series([r[3] for r in rows], dtype=object),
            "attributes": pd.Series(
                [None if r[4] is None else {"region": r[4]} for r in rows], dtype=object
            ),
        }
    )
    want = batch.quote_frame(POLICY, pandas_frame)
    assert got.columns == list(want.columns)
    for name in want.columns:
        mine = got[name].to_list()
        theirs = [None if pd.isna(v) else v for v in want[name].tolist()]
        if name.endswith(("_at", "_low")):
            mine = [None if v is None else pd.Timestamp(v) for v in mine]
            theirs = [None if v is None else pd.Timestamp(v) for v in theirs]
        assert mine == theirs, name
