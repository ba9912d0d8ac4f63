"""Compact timelines: int64 arrays throughout, nbytes counts all they hold, no twin copies."""

from __future__ import annotations

import sys
from array import array
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from expectkit import Holidays, Schedule
from expectkit.time.timeline import Timeline, merge_intervals


def _berlin() -> Schedule:
    return Schedule(
        tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]}, holidays=Holidays(country="DE")
    )


class TestLayout:
    def test_every_sequence_is_an_int64_array(self) -> None:
        tl = _berlin().compile(2026, 2026)
        for values in (tl.starts, tl.ends, tl.cum, tl.cumend, tl.day_opens, tl.day_closes):
            assert isinstance(values, array)
            assert values.typecode == "q"
        assert len(tl.day_closes) == 261 - 7  # weekdays of 2026 less the weekday holidays

    def test_nbytes_counts_what_is_held(self) -> None:
        tl = _berlin().compile(2026, 2027)
        data = 8 * (4 * len(tl) + 2 * len(tl.day_closes))
        assert tl.nbytes >= data + sys.getsizeof(tl)
        plain = tl.nbytes
        tl.arrays()
        with_views = tl.nbytes
        assert with_views > plain  # the views' own objects
        assert with_views - plain < 2_000  # ... but not their data, which is shared
        tl.indexes()
        assert tl.nbytes - with_views >= sum(i.first.nbytes for i in tl.indexes())

    def test_a_schedule_year_fits_in_16_kb(self) -> None:
        # why: the documented size; a list of Python ints would take 40 bytes an item.
        tl = _berlin().compile(2025, 2034)
        assert tl.nbytes / 10 <= 16_000

    def test_years_in_a_run_are_not_kept_twice(self) -> None:
        schedule = _berlin()
        schedule.add(datetime(2026, 3, 3, 10, tzinfo=UTC), timedelta(hours=3))
        engine = schedule._get_engine()
        assert engine.years_compiled() == [2026]
        assert engine.chunks == {}
        schedule.add(datetime(2026, 12, 30, 10, tzinfo=UTC), timedelta(hours=40))
        assert engine.years_compiled() == [2026, 2027]
        assert engine.chunks == {}
        assert len(engine.segments) == 1

    def test_long_spans_read_compiled_runs(self) -> None:
        schedule = _berlin()
        a, b = datetime(2026, 6, 1, tzinfo=UTC), datetime(2031, 6, 1, tzinfo=UTC)
        far = schedule.between(a, b)
        assert schedule._get_engine().chunks  # compiled alone, no run holds them
        fresh = _berlin()
        fresh.compile(2026, 2031)
        tl = fresh._get_engine().extend(2026, 2031)
        x, y = int(a.timestamp()) * 1_000_000, int(b.timestamp()) * 1_000_000
        assert timedelta(microseconds=tl.position(y) - tl.position(x)) == far
        assert fresh.between(a, b) == far  # the years now come from the run


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    pairs = draw(st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 50)), max_size=30))
    starts, ends = merge_intervals((a, a + n) for a, n in pairs)
    return Timeline(starts, ends, lo=0, hi=1100)


@given(tl=timelines(), x=st.integers(0, 1099), amount=st.integers(1, 1200))
def test_advance_is_forward_of_position(tl: Timeline, x: int, amount: int) -> None:
    assert tl.advance(x, amount) == tl.forward(tl.position(x) + amount)
