"""Hostile and odd inputs, continued: strict instants, event lines, unknown values, guesses.

One class per class of input. Each input gets a typed error that names it and says
what to write, or a correct answer: never a dependency's exception, a hang or a guess.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pandas as pd
import pytest
import pytz
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

import expectkit
from expectkit import (
    Clock,
    Duration,
    EventError,
    InputTypeError,
    NaiveDatetimeError,
    OutOfRangeError,
    Policy,
    PolicyError,
    Rule,
    Schedule,
    ScheduleError,
    Target,
    quote,
    read_events,
)
from expectkit.cli import EXIT_USAGE, app

DESK = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
FRIDAY = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
BASE = """
schedules: {desk: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
channels: {email: {kind: email, schedule: desk}}
rules:
  - name: email
    match: {channel: email}
    first_response: {promise: "1 day"}
"""
TRIAGE = """
rules:
  - {name: urgent, match: {priority: urgent}, first_response: {promise: 1 hour}}
  - {name: vip, match: {segment: vip}, first_response: {promise: 4 hours}}
  - {name: rest, first_response: {promise: 1 day}}
"""
DEMO = Path(expectkit.__file__).resolve().parent / "demo"


def created(**fields: object) -> dict[str, object]:
    return {"ticket": "T1", "type": "created", "channel": "email", **fields}


_NUMBERS = (
    st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
    | st.booleans()
)
_NUMERIC_TEXT = _NUMBERS.filter(lambda v: not isinstance(v, bool)).map(str)


class TestNumbersAreNotInstants:
    """pydantic's lax mode reads numbers as Unix timestamps; instants are ISO text only."""

    @given(value=_NUMBERS | _NUMERIC_TEXT)
    def test_policy_effective_dates(self, value: object) -> None:
        for where in ("effective_from", "effective_until"):
            with pytest.raises(PolicyError, match=rf"{where}: .* not an instant"):
                Policy.loads(BASE + f"{where}: {json.dumps(value)}\n")

    @given(value=_NUMBERS | _NUMERIC_TEXT)
    def test_rule_effective_dates(self, value: object) -> None:
        with pytest.raises(PolicyError, match=r"effective_from: .* not an instant"):
            Rule(name="r", effective_from=value)

    @given(value=_NUMBERS | _NUMERIC_TEXT)
    def test_event_lines_and_mappings(self, value: object) -> None:
        line = json.dumps(created(at=value))
        with pytest.raises(EventError, match=r"line 1, ticket 'T1': at: .* not an instant"):
            list(read_events([line]))
        with pytest.raises(EventError, match="not an instant"):
            list(read_events([created(at=value)]))

    @pytest.mark.parametrize(
        ("value", "complaint"),
        [
            ("2026-11-20", "not an ISO 8601 date and time"),
            ("2026-11-20T16:30", "is naive"),
            ("2026-11-20T16:30:00.1234567+01:00", "finer than a microsecond"),
            ("next friday", "not an ISO 8601 date and time"),
            ("2026-13-01T00:00Z", "not a valid date and time"),
        ],
    )
    def test_text_that_is_not_an_instant(self, value: str, complaint: str) -> None:
        with pytest.raises(PolicyError, match=complaint):
            Rule(name="r", effective_from=value)

    def test_a_yaml_date_is_not_an_instant(self) -> None:
        with pytest.raises(PolicyError, match="is a date, with no time and no UTC offset"):
            Policy.loads(BASE + "effective_from: 2026-01-01\n")

    @pytest.mark.parametrize(
        "value", ["2026-11-20T16:30:00+01:00", "2026-11-20T15:30Z", "2026-11-20 15:30:00.5+00:00"]
    )
    def test_iso_text_with_an_offset_is_an_instant(self, value: str) -> None:
        rule = Rule(name="r", effective_from=value)
        assert rule.effective_from is not None
        assert rule.effective_from.utcoffset() is not None
        (event,) = read_events([json.dumps(created(at=value))])
        assert event.at == rule.effective_from

    def test_two_instants_a_tenth_of_a_microsecond_apart_are_not_one(self) -> None:
        # The second would be cut to the first and counted as a duplicate.
        line = json.dumps(created(at="2026-11-20T16:30:00.0000001+01:00"))
        with pytest.raises(EventError, match="finer than a microsecond"):
            list(read_events([line]))


class TestEventLines:
    """JSON Lines are read as strictly as policy files, and each line is bounded."""

    @pytest.mark.parametrize(
        ("line", "complaint"),
        [
            (
                '{"ticket": "T1", "type": "created", "at": "2026-11-20T16:30:00+01:00", '
                '"channel": "email", "channel": "chat"}',
                "duplicate key 'channel'",
            ),
            ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
            ('{"ticket": "T1", "x": ' + "1" * 5000 + "}", "more than 4300 digits"),
            ("x" * (1 << 21), "longer than 1,048,576 characters"),
        ],
    )
    def test_refused_with_the_line(self, line: str, complaint: str) -> None:
        with pytest.raises(EventError, match=rf"line 2.*{complaint}"):
            list(read_events(["", line]))
        with pytest.raises(EventError, match=complaint):
            Clock(Policy.loads(BASE)).replay([line])

    def test_a_file_without_newlines_fails_on_its_first_line(self, tmp_path: Path) -> None:
        path = tmp_path / "events.jsonl"
        path.write_bytes(b"a" * (3 << 20))
        with pytest.raises(EventError, match="line 1: a line longer than"):
            list(read_events(path))

    def test_a_device_or_pipe_is_refused_at_once(self, tmp_path: Path) -> None:
        fifo = tmp_path / "events.jsonl"
        os.mkfifo(fifo)
        for path in (fifo, Path("/dev/zero")):
            with pytest.raises(EventError, match=r"not a regular file \(a (named pipe|device)\)"):
                list(read_events(path))

    def test_a_nul_in_the_path(self) -> None:
        with pytest.raises(EventError, match="cannot contain a NUL"):
            list(read_events("a\0b.jsonl"))


class TestUnknownValues:
    """A mistyped priority or segment is refused where it enters, unless allowed."""

    def test_quote_refuses_an_unknown_priority(self) -> None:
        with pytest.raises(PolicyError, match=r"priority: 'urgnet' is not a priority"):
            quote(Policy.loads(TRIAGE), {"channel": "email", "priority": "urgnet"}, at=FRIDAY)

    def test_quote_refuses_an_unknown_segment(self) -> None:
        with pytest.raises(PolicyError, match=r"segment: 'vpi' is not a segment"):
            quote(Policy.loads(TRIAGE), {"channel": "email", "segment": "vpi"}, at=FRIDAY)

    def test_known_and_missing_values_are_fine(self) -> None:
        policy = Policy.loads(TRIAGE)
        assert quote(policy, {"channel": "email", "priority": "urgent"}, at=FRIDAY).rule == "urgent"
        assert quote(policy, {"channel": "email"}, at=FRIDAY).rule == "rest"

    def test_declared_values_are_known_even_if_no_rule_names_them(self) -> None:
        policy = Policy.loads(TRIAGE + "priorities: [low, normal, high, urgent]\n")
        assert quote(policy, {"channel": "email", "priority": "normal"}, at=FRIDAY).rule == "rest"
        with pytest.raises(PolicyError, match=r"'urgnet'.*'high', 'low', 'normal', 'urgent'"):
            quote(policy, {"channel": "email", "priority": "urgnet"}, at=FRIDAY)

    def test_allowing_unknown_values(self) -> None:
        policy = Policy.loads(TRIAGE + "unknown_values: allow\n")
        assert quote(policy, {"channel": "email", "priority": "urgnet"}, at=FRIDAY).rule == "rest"

    def test_a_field_no_rule_names_takes_any_value(self) -> None:
        policy = Policy.loads(BASE)
        assert quote(policy, {"channel": "email", "priority": "p7"}, at=FRIDAY).rule == "email"

    @pytest.mark.parametrize(
        "event",
        [
            {"type": "priority_changed", "priority": "urgnet"},
            {"type": "attributes_changed", "segment": "vpi"},
        ],
    )
    def test_the_clock_refuses_them_naming_the_line(self, event: dict[str, object]) -> None:
        at = "2026-11-20T16:30:00+01:00"
        events = [created(at=at), {"ticket": "T1", "at": "2026-11-20T17:00:00+01:00", **event}]
        clock = Clock(Policy.loads(TRIAGE))
        with pytest.raises(EventError, match=r"line 2, ticket 'T1': (priority|segment): "):
            clock.replay(events)
        assert "T1" not in clock  # a batch with an error changes nothing

    def test_a_created_event_with_an_unknown_priority(self) -> None:
        at = "2026-11-20T16:30:00+01:00"
        with pytest.raises(EventError, match="line 1, ticket 'T1': priority: 'urgnet'"):
            Clock(Policy.loads(TRIAGE)).replay([created(at=at, priority="urgnet")])

    def test_lint_reports_rules_no_value_reaches(self) -> None:
        policy = Policy.loads(TRIAGE + "priorities: [low, high]\nsegments: [vip, basic]\n")
        found = {(f.code, f.path) for f in policy.lint(at=FRIDAY)}
        assert ("unreachable-rule", "rules[0].match.priority") in found
        assert not any(where == "rules[1].match.segment" for _, where in found)

    def test_lint_warns_of_a_partly_unknown_match(self) -> None:
        text = TRIAGE.replace("priority: urgent", "priority: [urgent, hihg]")
        policy = Policy.loads(text + "priorities: [urgent, high]\n")
        codes = {f.code: f for f in policy.lint(at=FRIDAY)}
        assert "hihg" in codes["unknown-value"].message


class TestGuessedInputs:
    """What expectkit used to guess at is refused with what to write instead."""

    @pytest.mark.parametrize(
        ("tz", "complaint"),
        [
            ("localtime", "host's own zone"),
            ("posixrules", "host's own zone"),
            ("Factory", "host's own zone"),
            ("EST5EDT", "POSIX TZ rule.*America/New_York"),
            ("PST8PDT", "POSIX TZ rule.*America/Los_Angeles"),
            ("EST5", "POSIX TZ rule"),
            ("Mars/Base", "unknown time zone"),
            ("../../etc/passwd", "unknown time zone"),
        ],
    )
    def test_zones_that_depend_on_the_host(self, tz: str, complaint: str) -> None:
        with pytest.raises(ScheduleError, match=complaint):
            Schedule(tz=tz, weekly={"mon": ["09:00-17:00"]})

    @pytest.mark.parametrize("tz", ["UTC", "Etc/GMT+5", "America/New_York", "Asia/Kathmandu"])
    def test_iana_zones_still_work(self, tz: str) -> None:
        assert Schedule(tz=tz, weekly={"mon": ["09:00-17:00"]}).tz == tz

    def test_customer_zones_too(self) -> None:
        with pytest.raises(PolicyError, match="customer_tz: 'EST5EDT'"):
            quote(Policy.loads(BASE), {"channel": "email", "customer_tz": "EST5EDT"}, at=FRIDAY)

    @given(name=st.sampled_from(sorted(n for n in dir(holidays) if not n.startswith("_"))))
    def test_holidays_country_is_a_supported_alpha2_code(self, name: str) -> None:
        supported = holidays.list_supported_countries()
        if len(name) == 2 and name.isupper() and name in supported:
            Schedule(tz="UTC", weekly={"mon": ["09:00-17:00"]}, holidays={"country": name})
        else:
            with pytest.raises(ScheduleError, match=r"holidays\.country"):
                Schedule(tz="UTC", weekly={"mon": ["09:00-17:00"]}, holidays={"country": name})

    @pytest.mark.parametrize(
        ("country", "hint"),
        [
            ("HolidayBase", "alpha-2 code like 'DE'"),
            ("Germany", "write 'DE'"),
            ("Germany ", "write 'DE'"),
            ("DEU", "write 'DE'"),
            ("de", "write 'DE'"),
            (" DE", "write 'DE'"),
        ],
    )
    def test_holidays_guesses(self, country: str, hint: str) -> None:
        with pytest.raises(ScheduleError, match=hint):
            Schedule(tz="UTC", weekly={"mon": ["09:00-17:00"]}, holidays={"country": country})

    def test_an_unlocalized_pytz_zone(self) -> None:
        zone = pytz.timezone("Europe/Berlin")
        wrong = datetime(2026, 11, 20, 16, 30, tzinfo=zone)  # LMT, +00:53
        with pytest.raises(InputTypeError, match=r"zone.localize\(naive\)"):
            DESK.add(wrong, timedelta(hours=1))
        with pytest.raises(InputTypeError, match="pytz zone"):
            quote(Policy.loads(BASE), {"channel": "email"}, at=wrong)
        right = zone.localize(datetime(2026, 11, 20, 16, 30))
        assert DESK.add(right, timedelta(hours=1)) == DESK.add(FRIDAY, timedelta(hours=1))

    @pytest.mark.parametrize(
        ("size", "error"),
        [(0, PolicyError), (-5, PolicyError), ("big", InputTypeError), (True, InputTypeError)],
    )
    def test_clock_cache_size(self, size: object, error: type[Exception]) -> None:
        with pytest.raises(error, match="cache_size"):
            Clock(Policy.loads(BASE), cache_size=size)  # type: ignore[arg-type]

    @pytest.mark.parametrize("warn", ["true", "false", "yes"])
    def test_a_boolean_warn_share(self, warn: str) -> None:
        text = BASE.replace('promise: "1 day"}', f'promise: "1 day", warn: {warn}}}')
        with pytest.raises(PolicyError, match=r"warn: (True|False) is not a share"):
            Policy.loads(text)

    def test_a_boolean_warn_share_on_the_model(self) -> None:
        with pytest.raises(PolicyError, match="warn: True is not a share"):
            Target(promise="1 day", warn=True)


class TestTriggersThatCannotFire:
    """A next_response cycle starts only after a reply: 'created' can never start one."""

    @pytest.mark.parametrize("start_on", ["created", "[created, customer_message]"])
    def test_refused_at_load(self, start_on: str) -> None:
        text = BASE.replace(
            'first_response: {promise: "1 day"}',
            f'next_response: {{promise: "1 day", start_on: {start_on}}}',
        )
        with pytest.raises(PolicyError, match=r"next_response.start_on: 'created' can never"):
            Policy.loads(text)

    def test_lint_reports_one_built_without_validation(self) -> None:
        target = Target.model_construct(
            promise=Target(promise="1 day").promise, start_on=("created",)
        )
        rule = Rule(name="r", first_response={"promise": "1 day"})
        rule = Rule.model_construct(**{**dict(rule), "next_response": target})
        policy = Policy.model_construct(**{**dict(Policy.loads(BASE)), "rules": (rule,)})
        found = [f for f in policy.lint(at=FRIDAY) if f.code == "trigger-never-fires"]
        assert [f.path for f in found] == ["rules[0].next_response.start_on"]

    def test_other_metrics_may_start_at_created(self) -> None:
        text = BASE.replace(
            'first_response: {promise: "1 day"}',
            'periodic_update: {promise: "1 day", start_on: [created, agent_reply]}',
        )
        assert Policy.loads(text).lint(at=FRIDAY) == []


class TestSkippedLocalDates:
    """Samoa skipped 2011-12-30: a date that never happened has no hours."""

    APIA = Schedule(tz="Pacific/Apia", weekly={"mon-fri": ["09:00-17:00"]})
    ZONE = ZoneInfo("Pacific/Apia")

    def test_the_skipped_friday_is_not_a_business_day(self) -> None:
        assert self.APIA.day_intervals(date(2011, 12, 30)) == []
        assert not self.APIA.is_business_day(date(2011, 12, 30))

    def test_nothing_opens_on_the_saturday_after(self) -> None:
        thursday_evening = datetime(2011, 12, 29, 18, tzinfo=self.ZONE)
        assert self.APIA.next_open(thursday_evening) == datetime(2012, 1, 2, 9, tzinfo=self.ZONE)
        saturday = datetime(2011, 12, 31, 10, tzinfo=self.ZONE)
        assert not self.APIA.is_open(saturday)

    def test_business_days_skip_it(self) -> None:
        thursday = datetime(2011, 12, 29, 10, tzinfo=self.ZONE)
        assert self.APIA.add_days(thursday, 1) == datetime(2012, 1, 2, 17, tzinfo=self.ZONE)

    def test_days_around_it_keep_their_hours(self) -> None:
        assert len(self.APIA.day_intervals(date(2011, 12, 29))) == 1
        assert len(self.APIA.day_intervals(date(2012, 1, 2))) == 1


class TestScalarCrashes:
    """Values that used to crash inside the standard library or numpy."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda s, t: s.is_open(t),
            lambda s, t: s.next_open(t),
            lambda s, t: s.next_close(t),
            lambda s, t: s.add(t, timedelta(hours=1)),
            lambda s, t: s.subtract(t, timedelta(hours=1)),
            lambda s, t: s.between(t, FRIDAY),
            lambda s, t: s.between(FRIDAY, t),
            lambda s, t: s.add_days(t, 1),
            lambda s, t: s.open_intervals(t, FRIDAY),
        ],
    )
    def test_nat_into_scalar_schedule_methods(self, call: object) -> None:
        with pytest.raises(InputTypeError, match="NaT"):
            call(DESK, pd.NaT)  # type: ignore[operator]

    def test_a_pandas_timestamp_is_an_instant(self) -> None:
        stamp = pd.Timestamp("2026-11-20 16:30", tz="Europe/Berlin")
        assert DESK.add(stamp, timedelta(hours=1)) == DESK.add(FRIDAY, timedelta(hours=1))

    @given(
        year=st.sampled_from([1, 9999]),
        minutes=st.integers(-14 * 60, 14 * 60),
        text=st.sampled_from(["3 hours", "2 days", "1 week", "1 month", "2 business days"]),
    )
    def test_duration_apply_at_the_ends_of_the_calendar(
        self, year: int, minutes: int, text: str
    ) -> None:
        start = datetime(year, 1 if year == 1 else 12, 1 if year == 1 else 31, 12, 0)
        start = start.replace(tzinfo=timezone(timedelta(minutes=minutes)))
        duration = Duration.parse(text)
        with pytest.raises(OutOfRangeError):
            duration.apply(start, DESK)
        with pytest.raises(OutOfRangeError):
            duration.apply_backward(start, DESK)

    @pytest.mark.parametrize(
        "at",
        [
            datetime(9999, 12, 31, 23, tzinfo=UTC),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
            datetime(2200, 1, 1, tzinfo=UTC),
        ],
    )
    def test_quote_far_out(self, at: datetime) -> None:
        with pytest.raises(OutOfRangeError, match="at: "):
            quote(Policy.loads(BASE), {"channel": "email"}, at=at)

    def test_a_naive_instant_still_says_naive(self) -> None:
        with pytest.raises(NaiveDatetimeError):
            DESK.add(datetime(2026, 11, 20, 16, 30), timedelta(hours=1))


# -- the command line ---------------------------------------------------------


def run(args: list[str], stdin: str | bytes | None = None) -> Result:
    env = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
    return CliRunner().invoke(app, args, input=stdin, env=env)


def one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == EXIT_USAGE, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("expectkit: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


class TestCommandLine:
    """Exit 2 with one line for every error; 1 means findings only."""

    POLICY = str(DEMO / "policy.yaml")

    def test_quote_at_the_end_of_the_calendar(self) -> None:
        result = run(["quote", self.POLICY, "--channel", "email", "--at", "9999-12-31T23:00+00:00"])
        one_line_error(result, "outside the supported years")

    def test_lint_from_an_endless_stdin_is_bounded(self) -> None:
        result = run(["lint", "-"], stdin="x: 1\n" * 300_000)
        one_line_error(result, "<stdin>: the policy is too big")

    def test_check_from_an_endless_line_on_stdin_is_bounded(self) -> None:
        result = run(["check", self.POLICY, "-"], stdin="a" * (3 << 20))
        one_line_error(result, "<stdin>: a line longer than")

    def test_check_refuses_devices_and_pipes(self, tmp_path: Path) -> None:
        fifo = tmp_path / "events.jsonl"
        os.mkfifo(fifo)
        one_line_error(run(["check", self.POLICY, "/dev/zero"]), "not a regular file")
        one_line_error(run(["check", self.POLICY, str(fifo)]), "not a regular file")
        policy = tmp_path / "policy.yaml"
        os.mkfifo(policy)
        one_line_error(run(["lint", str(policy)]), "(a named pipe)")

    def test_deeply_nested_json(self, tmp_path: Path) -> None:
        policy = tmp_path / "p.json"
        policy.write_text('{"rules": ' + "[" * 100_000 + "]" * 100_000 + "}")
        one_line_error(run(["lint", str(policy)]), "nested too deeply")
        events = tmp_path / "e.jsonl"
        events.write_text("[" * 100_000 + "]" * 100_000 + "\n")
        one_line_error(run(["check", self.POLICY, str(events)]), "line 1", "nested too deeply")

    def test_an_unexpected_error_is_one_line_pointing_to_debug(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise KeyError("boom")

        monkeypatch.setattr(Policy, "lint", broken)
        one_line_error(run(["lint", self.POLICY]), "unexpected KeyError", "--debug")
        assert isinstance(run(["--debug", "lint", self.POLICY]).exception, KeyError)


# -- slow single inputs -------------------------------------------------------

_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "America/St_Johns",
    "UTC",
]


def _union(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(pairs):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _us(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


class TestDenseAndFarYears:
    """Years compile vectorized and only when a query touches them."""

    @given(
        tz=st.sampled_from(_ZONES),
        year=st.integers(1901, 2198),
        hours=st.sampled_from(
            [["09:00-17:00"], ["22:00-06:00"], ["00:00-24:00"], ["01:30-02:45", "02:50-03:10"]]
        ),
    )
    def test_a_compiled_year_is_the_union_of_its_dates(
        self, tz: str, year: int, hours: list[str]
    ) -> None:
        schedule = Schedule(tz=tz, weekly={"mon-sat": hours}, closed=[f"{year}-03-10"])
        compiled = schedule.compile(year, year)
        lo, hi = compiled.lo, compiled.hi
        pairs = []
        day = date(year - 1, 12, 30)
        while day <= date(year, 12, 31):
            for a, b in schedule.day_intervals(day):
                a_us, b_us = max(_us(a), lo), min(_us(b), hi)
                if b_us > a_us:
                    pairs.append((a_us, b_us))
            day += timedelta(days=1)
        assert list(zip(compiled.starts, compiled.ends, strict=True)) == _union(pairs)

    def test_a_far_query_compiles_only_its_own_years(self) -> None:
        schedule = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})
        schedule.add(FRIDAY, timedelta(hours=1))
        schedule.next_open(datetime(2100, 6, 1, tzinfo=ZoneInfo("Europe/Berlin")))
        years = schedule._get_engine().years_compiled()
        assert all(abs(y - 2026) <= 1 or abs(y - 2100) <= 1 for y in years), years
        # And answers across the gap still add up.
        a = datetime(2026, 6, 1, tzinfo=UTC)
        b = datetime(2100, 6, 1, tzinfo=UTC)
        c = datetime(2150, 1, 1, tzinfo=UTC)
        assert schedule.between(a, c) == schedule.between(a, b) + schedule.between(b, c)
        assert schedule.between(c, a) == -schedule.between(a, c)

    def test_dense_schedules_answer_like_plain_ones(self) -> None:
        # 1 000 intervals a week: every other minute of the day, Mon-Fri.
        hours = [
            f"{(2 * i) // 60:02d}:{(2 * i) % 60:02d}-{(2 * i + 1) // 60:02d}:{(2 * i + 1) % 60:02d}"
            for i in range(200)
        ]
        schedule = Schedule(tz="Europe/Berlin", weekly={"mon-fri": hours})
        monday = datetime(2026, 11, 23, 0, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
        assert schedule.add(monday, timedelta(minutes=3)) == monday.replace(minute=6, second=30)
        # The week ends 30 s into the next Monday's first minute: exactly 1 000 minutes.
        assert schedule.between(monday, monday + timedelta(days=7)) == timedelta(minutes=1000)
