"""Hostile and odd inputs: each gets a typed error naming it, or a correct answer.

One class per class of input. Nothing here may crash with a dependency's exception,
hang, wrap around, or be silently guessed.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from expectkit import (
    Clock,
    EventError,
    InputTypeError,
    OutOfRangeError,
    Policy,
    PolicyError,
    Schedule,
    batch,
    quote,
    read_events,
)

SCHEDULE = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
INT64_MAX = np.iinfo(np.int64).max
NOW = 1767225600  # 2026-01-01T00:00Z in seconds
COARSE = ["s", "m", "h", "D", "W"]
SECONDS = {"s": 1, "m": 60, "h": 3600, "D": 86400, "W": 604800}


class TestBatchOverflow:
    """numpy's cast to microseconds wraps around; every value is checked in its unit."""

    @given(unit=st.sampled_from(COARSE), data=st.data())
    def test_instants_beyond_microseconds_are_refused_in_every_unit(
        self, unit: str, data: st.DataObject
    ) -> None:
        limit = INT64_MAX // (SECONDS[unit] * 10**6)
        value = data.draw(st.integers(limit + 1, INT64_MAX) | st.integers(-INT64_MAX, -limit - 1))
        instants = np.array([NOW // SECONDS[unit], value], dtype=f"datetime64[{unit}]")
        with pytest.raises(OutOfRangeError, match=r"instants\[1\]: .* is too far"):
            batch.add(SCHEDULE, instants, timedelta(hours=1))

    @given(unit=st.sampled_from(COARSE), data=st.data())
    def test_durations_beyond_microseconds_are_refused_in_every_unit(
        self, unit: str, data: st.DataObject
    ) -> None:
        limit = INT64_MAX // (SECONDS[unit] * 10**6)
        value = data.draw(st.integers(limit + 1, INT64_MAX) | st.integers(-INT64_MAX, -limit - 1))
        starts = np.array([NOW, NOW], dtype="datetime64[s]")
        durations = np.array([1, value], dtype=f"timedelta64[{unit}]")
        with pytest.raises(OutOfRangeError, match=r"durations\[1\]: .* is too far"):
            batch.add(SCHEDULE, starts, durations)

    def test_the_reported_example_no_longer_answers_2026(self) -> None:
        instants = np.array([NOW + 2**58], dtype="datetime64[s]")
        with pytest.raises(OutOfRangeError, match=r"instants\[0\]: 9133659045-08-05"):
            batch.add(SCHEDULE, instants, timedelta(hours=1))

    def test_pandas_and_arrow_instants_out_of_range(self) -> None:
        far = NOW + 2**58
        series = pd.Series(pd.array([far], dtype="datetime64[s]")).dt.tz_localize("UTC")
        arrow = pa.array([far], pa.timestamp("s", tz="UTC"))
        for instants in (series, pd.DatetimeIndex(series), arrow):
            with pytest.raises(OutOfRangeError, match=r"instants\[0\]"):
                batch.add(SCHEDULE, instants, timedelta(hours=1))

    def test_pandas_and_arrow_durations_out_of_range(self) -> None:
        starts = pd.Series([pd.Timestamp("2026-01-01", tz="UTC")])
        far = np.array([2**60], dtype="timedelta64[s]")
        for durations in (pd.Series(far), pd.TimedeltaIndex(far), pa.array(far, pa.duration("s"))):
            with pytest.raises(OutOfRangeError, match=r"durations\[0\]"):
                batch.add(SCHEDULE, starts, durations)

    def test_in_range_coarse_units_still_answer(self) -> None:
        days = np.array(["2026-11-20"], dtype="datetime64[D]")
        got = batch.add(SCHEDULE, days, np.array([2], dtype="timedelta64[h]"))
        assert got[0] == np.datetime64("2026-11-20T10:00", "us")  # 09:00 CET + 2 h, in UTC

    def test_fine_units_divide_and_keep_nat(self) -> None:
        instants = np.array(["2026-11-20T08:00", "NaT"], dtype="datetime64[ns]")
        got = batch.add(SCHEDULE, instants, timedelta(hours=1))
        assert got[0] == np.datetime64("2026-11-20T09:00", "us")
        assert np.isnat(got[1])


class TestBatchShapesAndGuesses:
    @pytest.mark.parametrize("unit", ["Y", "M"])
    def test_calendar_durations_have_no_fixed_length(self, unit: str) -> None:
        starts = np.array([NOW], dtype="datetime64[s]")
        with pytest.raises(InputTypeError, match=rf"timedelta64\[{unit}\] has no fixed length"):
            batch.add(SCHEDULE, starts, np.array([1], dtype=f"timedelta64[{unit}]"))

    @pytest.mark.parametrize("shape", [(), (1, 1), (2, 1, 1)])
    def test_only_one_dimensional_arrays(self, shape: tuple[int, ...]) -> None:
        instants = np.full(shape, NOW, dtype="datetime64[s]")
        with pytest.raises(InputTypeError, match="expected a 1-D array"):
            batch.is_open(SCHEDULE, instants)

    def test_mixed_zone_object_series(self) -> None:
        mixed = pd.Series(
            [pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-01-01", tz="Asia/Tokyo")]
        )
        with pytest.raises(InputTypeError, match="mixed zones"):
            batch.next_open(SCHEDULE, mixed)

    def test_out_of_range_arrow_timestamps_in_their_own_unit(self) -> None:
        arrow = pa.array([-(2**62)], pa.timestamp("s", tz="UTC"))
        with pytest.raises(OutOfRangeError, match=r"instants\[0\]"):
            batch.is_open(SCHEDULE, arrow)


# -- policy files --------------------------------------------------------------------


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["1 day", "09:00-17:00", "mon-fri", "email", "UTC", "2026-01-01"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_BASE = {
    "schedules": {"desk": {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}}},
    "channels": {"email": {"kind": "email", "schedule": "desk"}},
    "rounding": "15min",
    "rules": [{"name": "r", "match": {"channel": "email"}, "first_response": {"promise": "1 day"}}],
}
_PLACES = [
    ("schedules", "desk", "tz"),
    ("schedules", "desk", "weekly"),
    ("schedules", "desk", "holidays"),
    ("schedules", "desk", "closed"),
    ("schedules", "desk", "special"),
    ("channels", "email", "kind"),
    ("channels", "email", "mode"),
    ("channels", "email", "offline"),
    ("rounding",),
    ("effective_from",),
    ("rules", 0, "match"),
    ("rules", 0, "first_response"),
    ("rules", 0, "first_response", "buffer"),
    ("rules", 0, "first_response", "promise"),
    ("rules", 0, "first_response", "warn"),
    ("rules", 0, "resolution"),
]


class TestPolicyLoader:
    """Any value anywhere in a policy file: a PolicyError naming it, or a valid policy."""

    @given(place=st.sampled_from(_PLACES), value=_JSON)
    def test_any_value_anywhere_is_an_answer_or_a_policy_error(
        self, place: tuple[str | int, ...], value: object
    ) -> None:
        data = copy.deepcopy(_BASE)
        node: Any = data
        for key in place[:-1]:
            node = node[key]
        node[place[-1]] = value
        # The property: nothing but a PolicyError escapes (a TypeError, a RecursionError or
        # a pydantic error would fail the test).
        with contextlib.suppress(PolicyError):
            Policy.loads(json.dumps(data), format="json")

    @pytest.mark.parametrize(
        ("text", "complaint"),
        [
            ('{"rounding": "1h", "rounding": "15min", "rules": []}', "duplicate key 'rounding'"),
            ('{"rules": [{"name": "a", "name": "b"}]}', "duplicate key 'name'"),
            ('{"rules": [], "x": ' + "1" * 5000 + "}", "more than 4300 digits"),
            ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ],
    )
    def test_json_that_readers_disagree_on_is_refused(self, text: str, complaint: str) -> None:
        with pytest.raises(PolicyError, match=complaint):
            Policy.loads(text, format="json")

    def test_duplicate_key_names_its_line(self) -> None:
        text = '{\n  "rounding": "1h",\n  "rounding": "15min",\n  "rules": []\n}'
        with pytest.raises(PolicyError, match=r"line 3: duplicate key 'rounding'"):
            Policy.loads(text, format="json")

    @pytest.mark.parametrize("value", [None, 42, 4.2, ["rules: []"], {"rules": []}])
    def test_loads_takes_text_only(self, value: object) -> None:
        with pytest.raises(PolicyError, match="expected the policy as str or bytes"):
            Policy.loads(value)  # type: ignore[arg-type]

    @pytest.mark.parametrize("value", [None, 42, b"p.yaml", ["p.yaml"]])
    def test_load_takes_paths_only(self, value: object) -> None:
        with pytest.raises(PolicyError, match="expected a policy file path"):
            Policy.load(value)  # type: ignore[arg-type]

    def test_a_nul_in_a_path(self) -> None:
        with pytest.raises(PolicyError, match="cannot contain a NUL"):
            Policy.load("a\0b.yaml")


class TestBoundedReading:
    """Nothing is read without bound, and nothing blocks on a file that never ends."""

    def test_a_device_is_refused_without_reading(self) -> None:
        with pytest.raises(PolicyError, match=r"/dev/zero: not a regular file \(a device\)"):
            Policy.load("/dev/zero", format="yaml")

    def test_a_named_pipe_without_a_writer_is_refused_at_once(self, tmp_path: Path) -> None:
        fifo = tmp_path / "policy.yaml"
        os.mkfifo(fifo)
        with pytest.raises(PolicyError, match=r"not a regular file \(a named pipe\)"):
            Policy.load(fifo)

    def test_a_directory_is_refused(self, tmp_path: Path) -> None:
        folder = tmp_path / "p.yaml"
        folder.mkdir()
        with pytest.raises(PolicyError, match=r"not a regular file \(a directory\)"):
            Policy.load(folder)

    def test_the_limit_holds_whatever_stat_said(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text("rules: []\n" + "#" * 2000, encoding="utf-8")
        with pytest.raises(PolicyError, match="too big; the limit is 1,000 bytes"):
            Policy.load(path, max_bytes=1000)


@pytest.mark.parametrize("unit", ["Y", "M"])
def test_calendar_unit_instants_far_out_are_refused(unit: str) -> None:
    far = np.array([2**40], dtype=f"datetime64[{unit}]")
    with pytest.raises(OutOfRangeError, match=r"instants\[0\]"):
        batch.add(SCHEDULE, far, timedelta(hours=1))
    near = np.array(["2026-11"], dtype="datetime64[M]").astype(f"datetime64[{unit}]")
    assert not np.isnat(batch.add(SCHEDULE, near, timedelta(hours=1))[0])


# -- instants are never numbers ------------------------------------------------------


_RULE = "rules: [{name: r, first_response: {promise: 1 day}}]\n"
_NUMBERS = st.integers(0, 2**40) | st.floats(0, 2e9, allow_nan=False)


class TestNumbersAreNotInstants:
    @given(number=_NUMBERS, as_text=st.booleans())
    def test_policy_effective_dates(self, number: float, as_text: bool) -> None:
        value = json.dumps(str(number)) if as_text else json.dumps(number)
        for key in ("effective_from", "effective_until"):
            with pytest.raises(PolicyError, match=rf"{key}: .* is a number, not an instant"):
                Policy.loads(f"{key}: {value}\n{_RULE}")

    @given(number=_NUMBERS, as_text=st.booleans())
    def test_event_instants(self, number: float, as_text: bool) -> None:
        at = json.dumps(str(number)) if as_text else json.dumps(number)
        line = f'{{"ticket": "T1", "type": "reopened", "at": {at}}}'
        with pytest.raises(EventError, match="is a number, not an instant"):
            list(read_events([line]))

    def test_iso_text_still_reads(self) -> None:
        line = '{"ticket": "T1", "type": "reopened", "at": "2026-11-20T16:30:00+01:00"}'
        assert [e.at.isoformat() for e in read_events([line])] == ["2026-11-20T16:30:00+01:00"]


class TestEventLines:
    def test_duplicate_keys_are_refused(self) -> None:
        line = '{"ticket": "T1", "ticket": "T2", "type": "reopened", "at": "2026-11-20T10:00:00Z"}'
        with pytest.raises(EventError, match=r"line 1.*duplicate key 'ticket'"):
            list(read_events([line]))

    def test_deep_nesting_is_refused(self) -> None:
        line = '{"ticket": "T1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
        with pytest.raises(EventError, match="nested too deeply"):
            list(read_events([line]))

    def test_an_endless_line_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "events.jsonl"
        path.write_text("x" * (2 << 20), encoding="utf-8")
        with pytest.raises(EventError, match=r"line 1: a line longer than 1,048,576 characters"):
            list(read_events(path))

    def test_a_device_is_refused(self) -> None:
        with pytest.raises(EventError, match=r"not a regular file \(a device\)"):
            list(read_events("/dev/zero"))


class TestFarYears:
    def test_quote_at_the_end_of_time(self) -> None:
        policy = Policy.loads(_RULE)
        for at in (datetime(9999, 12, 31, 23, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)):
            with pytest.raises(OutOfRangeError, match="outside the supported years"):
                quote(policy, {"channel": "email"}, at=at)

    def test_status_at_the_end_of_time(self) -> None:
        clock = Clock(Policy.loads(_RULE))
        with pytest.raises(OutOfRangeError, match="outside the supported years"):
            clock.status("T1", at=datetime(9999, 12, 31, 23, tzinfo=UTC))


@given(
    horizon=st.timedeltas(min_value=timedelta(days=1), max_value=timedelta(days=36600)),
)
def test_any_horizon_round_trips_through_json(horizon: timedelta) -> None:
    # The horizon was written with "%g": one microsecond became "1e-06", which no
    # reader takes, and long horizons lost digits.
    schedule = Schedule(tz="UTC", weekly={"mon": ["09:00-17:00"]}, horizon=horizon)
    assert Schedule.model_validate_json(schedule.model_dump_json()).horizon == horizon
