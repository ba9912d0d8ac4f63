"""The compiled core and its pure twin: which one runs, and that both agree with the oracle.

The whole suite runs on either path (``EXPECTKIT_PURE=1`` forces the pure one); the
tests here compare the two paths directly, in one process, on schedules and instants
drawn near DST nights, gaps, folds and far years in every zone of the oracle.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
from array import array
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import expectkit
from expectkit import Schedule
from expectkit.errors import ExpectkitError
from expectkit.time.backend import compile_core, offset_table
from oracle import to_us
from strategies import ZONES, ScheduleCase, durations, instants, schedule_cases
from test_oracle_properties import (
    check_add,
    check_between,
    check_is_open,
    check_next_close,
    check_next_open,
    check_subtract,
)

needs_core = pytest.mark.skipif(
    expectkit.backend != "c", reason="the compiled core is not in use (pure build or forced)"
)

BERLIN = ZoneInfo("Europe/Berlin")
WORKWEEK = {"mon-fri": ["09:00-17:00"]}
H = timedelta(hours=1)


def pure_twin(schedule: Schedule) -> Schedule:
    """Return an equal schedule whose engine never uses the compiled core."""
    twin = Schedule.model_validate(schedule.model_dump())
    twin._get_engine().use_core = False
    return twin


Outcome = tuple[str, object]


def outcome(call: Callable[..., object], *args: object) -> Outcome:
    """Run `call`; describe what it returned or raised, down to zone identity and fold."""
    try:
        value = call(*args)
    except ExpectkitError as exc:
        return ("raises", type(exc))
    if isinstance(value, datetime):
        return ("datetime", (repr(value), value.fold, id(value.tzinfo)))
    return (type(value).__name__, repr(value))


def calls(t: datetime, b: datetime, d: timedelta) -> list[tuple[str, tuple[object, ...]]]:
    return [
        ("is_open", (t,)),
        ("next_open", (t,)),
        ("next_close", (t,)),
        ("add", (t, d)),
        ("subtract", (t, d)),
        ("between", (t, b)),
    ]


def check_twins(case: ScheduleCase, data: st.DataObject) -> None:
    """Core ≡ pure on every verb, directly and through the schedule; both ≡ the oracle."""
    s = case.build()
    pure = pure_twin(s)
    t = data.draw(instants(case), label="t")
    b = data.draw(instants(case), label="b")
    d = data.draw(durations(), label="|d|")
    if data.draw(st.booleans(), label="negative"):
        d = -d
    for verb, args in calls(t, b, d):
        want = outcome(getattr(pure, verb), *args)
        got = outcome(getattr(s, verb), *args)
        assert got == want, f"{verb}{args}: schedule {got}, pure {want}"
        core = s._get_engine().core
        assert core is not None
        direct = getattr(core, verb)(*args)
        if direct is None:
            event(f"{verb}: core deferred")
        else:
            event(f"{verb}: core answered")
            assert outcome(getattr(core, verb), *args) == want, f"core {verb}{args}"
    check_is_open(case, s, t)
    check_next_open(case, s, t)
    check_next_close(case, s, t)
    check_add(case, s, t, d)
    check_subtract(case, s, t, d)
    check_between(case, s, t, b)


# A quarter of the profile's budget in each zone (at least 10 examples).
_profile = settings.default
ZONE_EXAMPLES = max(10, (_profile.max_examples if _profile is not None else 40) // 4)


@needs_core
class TestTwins:
    @pytest.mark.parametrize("tz", ZONES)
    @settings(max_examples=ZONE_EXAMPLES)
    @given(data=st.data())
    def test_core_pure_and_oracle_agree(self, tz: str, data: st.DataObject) -> None:
        check_twins(data.draw(schedule_cases(zone=tz), label="case"), data)

    @given(case=schedule_cases(), data=st.data())
    def test_core_pure_and_oracle_agree_anywhere(
        self, case: ScheduleCase, data: st.DataObject
    ) -> None:
        check_twins(case, data)

    def test_core_answers_plain_cases(self) -> None:
        # why: a core that always deferred would pass every comparison above
        s = Schedule(tz="Europe/Berlin", weekly=WORKWEEK)
        t = datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)
        s.is_open(t)
        core = s._get_engine().core
        assert core is not None
        assert core.add(t, H) == datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)
        assert core.add(t.astimezone(UTC), H) == datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)
        assert core.subtract(t, H) == datetime(2026, 11, 20, 15, 30, tzinfo=BERLIN)
        assert core.between(t, t + 3 * 24 * H) == 8 * H
        assert core.is_open(t) is True
        assert core.next_open(t) == t
        assert core.next_close(t) == datetime(2026, 11, 20, 17, tzinfo=BERLIN)

    def test_core_defers_in_a_fold(self) -> None:
        # why: 01:30 UTC on 2026-10-25 is the second 02:30 in Berlin (fold=1)
        s = Schedule.always("Europe/Berlin")
        t = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        s.is_open(t)
        core = s._get_engine().core
        assert core is not None
        assert core.add(t, H) is None
        got = s.add(t, H)
        assert (got.hour, got.minute, got.fold) == (2, 30, 1)

    def test_core_defers_a_missing_wall_time_to_the_datetime(self) -> None:
        # why: 02:30 does not exist on 2026-03-29 in Berlin; Python reads it as 01:30 UTC
        s = Schedule.always("Europe/Berlin")
        gap = datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN)
        assert s.between(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), gap) == timedelta(minutes=30)

    def test_core_defers_outside_its_years_and_foreign_inputs(self) -> None:
        s = Schedule(tz="Europe/Berlin", weekly=WORKWEEK)
        t = datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)
        s.is_open(t)
        core = s._get_engine().core
        assert core is not None
        assert core.add(t.replace(year=2030), H) is None  # not compiled yet
        assert core.add(t.replace(tzinfo=None), H) is None  # naive: the pure path raises
        assert core.add(t, 1) is None  # type: ignore[arg-type]
        assert core.add(t, timedelta(0)) is None  # add(t, 0) returns t in the zone
        assert s.add(t.replace(year=2030), H) == pure_twin(s).add(t.replace(year=2030), H)

    def test_core_is_rebuilt_as_the_timeline_grows(self) -> None:
        s = Schedule(tz="Europe/Berlin", weekly=WORKWEEK)
        s.is_open(datetime(2026, 6, 1, tzinfo=UTC))
        first = s._get_engine().core
        s.next_open(datetime(2026, 12, 31, 20, tzinfo=UTC))  # runs on into 2027
        grown = s._get_engine().core
        assert first is not None
        assert grown is not None
        assert grown is not first
        assert grown.intervals > first.intervals
        assert grown.nbytes > first.nbytes

    def test_core_follows_a_far_query_without_the_years_between(self) -> None:
        s = Schedule(tz="Europe/Berlin", weekly=WORKWEEK)
        s.is_open(datetime(2026, 6, 1, tzinfo=UTC))
        first = s._get_engine().core
        s.is_open(datetime(2031, 6, 1, tzinfo=UTC))
        far = s._get_engine().core
        assert first is not None
        assert far is not None
        assert far is not first
        assert far.intervals <= first.intervals + 5  # one year, not six

    def test_schedule_with_a_core_pickles(self) -> None:
        s = Schedule(tz="Europe/Berlin", weekly=WORKWEEK)
        t = datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)
        s.add(t, H)
        again = pickle.loads(pickle.dumps(s))
        assert again == s
        assert again.add(t, H) == s.add(t, H)

    def test_core_refuses_bad_arrays(self) -> None:
        s = Schedule(tz="UTC", weekly=WORKWEEK)
        s.is_open(datetime(2026, 6, 1, tzinfo=UTC))
        tl = s._get_engine().timeline
        assert tl is not None
        from expectkit._ccore import Core

        good = (array("q", tl.starts), tl.ends, tl.cum, array("q", tl.cumend))
        bounds, offsets = array("q", [tl.lo, tl.hi]), array("q", [0])
        with pytest.raises(TypeError):
            Core(list(tl.starts), *good[1:], tl.lo, tl.hi, 1, UTC, bounds, offsets)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="expected"):
            Core(*good[:3], array("q"), tl.lo, tl.hi, 1, UTC, bounds, offsets)
        with pytest.raises(ValueError, match="increasing"):
            Core(*good, tl.lo, tl.hi, 1, UTC, array("q", [tl.hi, tl.lo]), offsets)


class TestOffsetTable:
    @pytest.mark.parametrize("tz", ZONES)
    def test_table_matches_zoneinfo(self, tz: str) -> None:
        # why: the core reads offsets from this table; every change must be in it
        zone = ZoneInfo(tz)
        lo = to_us(datetime(2010, 12, 25, tzinfo=UTC))
        hi = to_us(datetime(2013, 1, 5, tzinfo=UTC))
        bounds, offsets = offset_table(zone, lo, hi)
        assert bounds[0] == lo
        assert bounds[-1] == hi
        assert len(bounds) == len(offsets) + 1
        for k, offset in enumerate(offsets):
            for us in (bounds[k], (bounds[k] + bounds[k + 1]) // 2, bounds[k + 1] - 1):
                local = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).astimezone(
                    zone
                )
                assert local.utcoffset() == timedelta(microseconds=offset), (tz, us)

    def test_no_core_on_the_pure_path(self) -> None:
        s = Schedule(tz="UTC", weekly=WORKWEEK)
        pure = pure_twin(s)
        pure.is_open(datetime(2026, 6, 1, tzinfo=UTC))
        assert pure._get_engine().core is None
        tl = pure._get_engine().timeline
        assert tl is not None
        assert (compile_core(tl, ZoneInfo("UTC"), 1) is None) == (expectkit.backend == "pure")


class TestChoice:
    def run_backend(self, **env: str) -> str:
        environ = {k: v for k, v in os.environ.items() if k != "EXPECTKIT_PURE"} | env
        done = subprocess.run(
            [sys.executable, "-c", "import expectkit; print(expectkit.backend)"],
            env=environ,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def test_pure_is_forced_by_the_environment(self) -> None:
        assert self.run_backend(EXPECTKIT_PURE="1") == "pure"

    def test_core_is_used_when_built(self) -> None:
        built = importlib.util.find_spec("expectkit._ccore") is not None
        assert self.run_backend(EXPECTKIT_PURE="0") == ("c" if built else "pure")

    def test_this_process_follows_the_same_rule(self) -> None:
        forced = os.environ.get("EXPECTKIT_PURE", "") not in ("", "0")
        built = importlib.util.find_spec("expectkit._ccore") is not None
        assert expectkit.backend == ("c" if built and not forced else "pure")
