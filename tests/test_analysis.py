"""Analysis: attainment by hand counts and against quote(), calibration, what-if, HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from expectkit import Holidays, Policy, Schedule, quote
from expectkit._core.html import frame_html, span_text
from expectkit.analysis import (
    HUMAN_PROMISES,
    OUTCOMES,
    Attainment,
    attainment,
    calibrate,
    compare,
    promise_share,
)
from expectkit.analysis.samples import _closed_after, _days_taken
from expectkit.buffers import Rounding
from expectkit.errors import InputTypeError, NaiveDatetimeError, PolicyError
from expectkit.frames.quotes import _apply, _round_up
from expectkit.history import example_policy, synthetic_history
from expectkit.promises.html import commitment_html, policy_html
from expectkit.time.schedule_html import schedule_html
from expectkit.windows import Duration
from instants import instant, pydatetime
from strategies import schedule_cases
from test_policy import DESIGN_POLICY

BERLIN = ZoneInfo("Europe/Berlin")
DESK = Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["09:00-17:00"]})


def berlin(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026, Berlin wall time (CET all month)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A history table from hand-written rows; missing replies become NaT."""
    table = pd.DataFrame(rows)
    for column in ("created", "first_reply", "resolved"):
        if column in table.columns:
            table[column] = pd.to_datetime(table[column], utc=True).dt.tz_convert("Europe/Berlin")
    return table.set_index("ticket")


@pytest.fixture(scope="module")
def design() -> Policy:
    return Policy.loads(DESIGN_POLICY, source="design.yaml")


# ---------------------------------------------------------------------------
# Attainment: hand-built histories, hand counts
# ---------------------------------------------------------------------------

# (ticket, channel, tags, created, first reply, rule, quoted channel, outcome)  # why
HAND = [
    ("T01", "email", "", berlin(20, 16, 30), berlin(23, 10), "email", "email", "met_target"),
    # before the Monday 17:00 target
    ("T02", "email", "", berlin(20, 16, 30), berlin(24, 10), "email", "email", "met_promise"),
    # after the target, before the Wednesday 17:00 promise
    ("T03", "email", "", berlin(20, 16, 30), berlin(26, 10), "email", "email", "breached"),
    # after the promise
    ("T04", "email", "", berlin(20, 16, 30), berlin(23, 17), "email", "email", "met_target"),
    # exactly at the target: deadlines are inclusive
    ("T05", "email", "", berlin(20, 16, 30), berlin(25, 17), "email", "email", "met_promise"),
    # exactly at the promise
    ("T06", "email", "", berlin(20, 16, 30), None, "email", "email", "breached"),
    # no answer and the promise passed before as_of (Thu 26th 10:00)
    ("T07", "email", "", berlin(25, 10), None, "email", "email", "open"),
    # no answer, promise (Mon 30th 17:00) still ahead
    ("T08", "chat", "", berlin(20, 16, 30), berlin(20, 16, 30, 20), "chat", "chat", "met_target"),
    # 20 s of a 30-second promise
    ("T09", "chat", "", berlin(20, 16, 30), berlin(20, 16, 31), "chat", "chat", "breached"),
    # 60 s: no rounding on chat, so the told time is 16:30:30
    ("T10", "chat", "", berlin(20, 18), berlin(23, 12), "email", "email", "met_target"),
    # chat is closed at 18:00: quoted as email (target Tue 17:00)
    ("T11", "social", "complaint", berlin(20, 16, 37), berlin(20, 21, 40), "social-complaint",
     "social", "met_promise"),
    # exact promise 21:37 = target, told 21:45 (15min rounding): the told time is what binds
    ("T12", "social", "", berlin(20, 16, 30), berlin(23, 16, 50), "default", "social",
     "met_promise"),
    # target Mon 16:45 (ratio 0.5 of 2 business days), promise Tue 17:00
    ("T13", "fax", "", berlin(20, 16, 30), berlin(20, 17), None, None, None),
    # an unknown channel: no rule quotes it
]  # fmt: skip
AS_OF = berlin(26, 10)


@pytest.fixture(scope="module")
def hand(design: Policy) -> tuple[pd.DataFrame, Attainment]:
    rows = [
        {"ticket": t, "channel": ch, "tags": tags, "created": c, "first_reply": r}
        for t, ch, tags, c, r, *_ in HAND
    ]
    history = frame(rows)
    return history, attainment(history, design, as_of=AS_OF)


class TestAttainmentHandCounts:
    @pytest.mark.parametrize(
        ("ticket", "rule", "quoted", "outcome"),
        [(t, rule, quoted, out) for t, *_, rule, quoted, out in HAND if rule is not None],
    )
    def test_each_ticket(
        self,
        hand: tuple[pd.DataFrame, Attainment],
        ticket: str,
        rule: str,
        quoted: str,
        outcome: str,
    ) -> None:
        records = hand[1].records.set_index("ticket")
        record = records.loc[ticket]
        assert (record["rule"], record["quoted_channel"], record["outcome"]) == (
            rule,
            quoted,
            outcome,
        )

    def test_unknown_channel_is_counted_as_unmatched(
        self, hand: tuple[pd.DataFrame, Attainment]
    ) -> None:
        unmatched = hand[1].unmatched
        assert unmatched.to_dict("records") == [
            {"channel": "fax", "reason": "unknown channel", "tickets": 1}
        ]
        assert "T13" not in set(hand[1].records["ticket"])

    def test_table_by_rule_matches_hand_counts(self, hand: tuple[pd.DataFrame, Attainment]) -> None:
        table = hand[1].table(by=["rule"])
        email = table.loc["email"]
        # T01-T07 and T10: 8 tickets, 6 answered, T07 open; decided 7:
        # met target T01 T04 T10, met promise T02 T05, breached T03 T06.
        assert (email["tickets"], email["answered"], email["open"]) == (8, 6, 1)
        assert email["met_target"] == pytest.approx(3 / 7)
        assert email["met_promise"] == pytest.approx(5 / 7)
        assert email["breached"] == pytest.approx(2 / 7)
        chat = table.loc["chat"]
        assert (chat["tickets"], chat["met_target"], chat["met_promise"]) == (2, 0.5, 0.5)

    def test_percentiles_are_observed_values(self, hand: tuple[pd.DataFrame, Attainment]) -> None:
        chat = hand[1].table(by=["rule"]).loc["chat"]
        # answers after 20 s and 60 s: p50 is the first (half the answers at or below it)
        assert chat["p50"] == pd.Timedelta(seconds=20)
        assert chat["p90"] == chat["p95"] == pd.Timedelta(seconds=60)

    def test_elapsed_is_business_time(self, hand: tuple[pd.DataFrame, Attainment]) -> None:
        records = hand[1].records.set_index("ticket")
        # Fri 16:30 to Mon 10:00 holds 30 + 60 business minutes
        assert records.loc["T01", "elapsed"] == pd.Timedelta(minutes=90)
        # social-complaint counts on the calendar clock: 5 h 03 min elapsed
        assert records.loc["T11", "elapsed"] == pd.Timedelta(hours=5, minutes=3)
        assert records.loc["T11", "promise_budget"] == pd.Timedelta(hours=5, minutes=8)

    def test_records_equal_quote(
        self, design: Policy, hand: tuple[pd.DataFrame, Attainment]
    ) -> None:
        history, result = hand
        for record in result.records.itertuples():
            row = history.loc[record.ticket]
            request = {"channel": row["channel"], "tags": [t for t in [row["tags"]] if t]}
            q = quote(design, request, at=pydatetime(row["created"]))["first_response"]
            assert instant(record.target_at) == instant(q.target_at)
            assert instant(record.exact_promised_at) == instant(q.exact_promised_at)
            assert instant(record.promised_at) == instant(q.promised_at)

    def test_weekly_splits_by_monday(self, hand: tuple[pd.DataFrame, Attainment]) -> None:
        weekly = hand[1].weekly(by=["metric"])
        weeks = weekly.index.get_level_values("week")
        # Fri 20th and Wed 25th fall in the weeks of Mon 16th and Mon 23rd
        assert [str(w.date()) for w in weeks] == ["2026-11-16", "2026-11-23"]
        assert weekly["tickets"].tolist() == [11, 1]


class TestAttainmentInputs:
    def test_naive_timestamps_are_refused(self, design: Policy) -> None:
        history = pd.DataFrame(
            {
                "channel": ["email"],
                "created": [pd.Timestamp("2026-11-20 16:30")],
                "first_reply": [pd.Timestamp("2026-11-23 10:00")],
            }
        )
        with pytest.raises(NaiveDatetimeError, match="created"):
            attainment(history, design)

    def test_missing_channel_column(self, design: Policy) -> None:
        history = frame([{"ticket": 1, "created": berlin(20, 9), "first_reply": berlin(20, 10)}])
        with pytest.raises(InputTypeError, match="channel"):
            attainment(history, design)

    def test_unknown_metric(self, design: Policy) -> None:
        history = frame([{"ticket": 1, "channel": "email", "created": berlin(20, 9)}])
        with pytest.raises(InputTypeError, match="metrics"):
            attainment(history, design, metrics={"speed": "first_reply"})

    @pytest.mark.parametrize(
        "tags",
        [
            ["complaint", ""],  # strings, one per row
            [["complaint", "vip"], []],  # lists
            [("complaint",), None],  # tuples and a missing value
            ["vip, complaint", np.nan],  # comma-separated, NaN
        ],
    )
    def test_tag_spellings(self, design: Policy, tags: list[object]) -> None:
        history = frame(
            [{"ticket": i, "channel": "social", "created": berlin(20, 16, 37)} for i in range(2)]
        )
        history["tags"] = pd.Series(tags, index=history.index, dtype=object)
        history["first_reply"] = history["created"] + pd.Timedelta(hours=1)
        rules = attainment(history, design).records["rule"].astype(str).tolist()
        assert rules == ["social-complaint", "default"]

    def test_as_of_from_attrs_and_explicit(self, design: Policy) -> None:
        history = frame([{"ticket": 1, "channel": "email", "created": berlin(20, 16, 30)}])
        history["first_reply"] = pd.Series(
            [pd.NaT], index=history.index, dtype=history["created"].dtype
        )
        history.attrs["as_of"] = berlin(27, 9)
        assert attainment(history, design).records["outcome"].tolist() == ["breached"]
        later = attainment(history, design, as_of=berlin(24, 9))
        assert later.records["outcome"].tolist() == ["open"]

    def test_rules_in_force_by_date(self) -> None:
        policy = Policy.load("examples/policies/webshop.yaml")
        history = frame(
            [
                {"ticket": 1, "channel": "email", "tags": "complaint",
                 "created": datetime(2026, 2, 27, 12, tzinfo=UTC)},
                {"ticket": 2, "channel": "email", "tags": "complaint",
                 "created": datetime(2026, 3, 2, 12, tzinfo=UTC)},
            ]
        )  # fmt: skip
        history["first_reply"] = history["created"] + pd.Timedelta(hours=30)
        records = attainment(history, policy).records
        assert records["rule"].astype(str).tolist() == ["complaint-48h", "complaint-24h"]
        assert records["outcome"].astype(str).tolist() == ["met_promise", "breached"]

    def test_policy_versions(self, design: Policy) -> None:
        change = datetime(2026, 11, 23, tzinfo=BERLIN)
        old = Policy.model_validate(
            {**design.model_dump(mode="json", exclude_none=True), "effective_until": change}
        )
        lenient = Policy.model_validate(
            {
                **design.model_dump(mode="json", exclude_none=True),
                "rules": [{"name": "all", "first_response": {"promise": "10 business days"}}],
                "effective_from": change.isoformat(),
            }
        )
        history = frame(
            [
                {"ticket": 1, "channel": "email", "created": berlin(20, 10)},
                {"ticket": 2, "channel": "email", "created": berlin(24, 10)},
            ]
        )
        history["first_reply"] = history["created"] + pd.Timedelta(days=1)
        records = attainment(history, [old, lenient]).records
        assert records["rule"].astype(str).tolist() == ["email", "all"]

    def test_custom_metric_columns(self) -> None:
        policy = Policy(rules=[{"name": "r", "follow_up": {"promise": "1 week"}}])
        history = frame(
            [{"ticket": 1, "channel": "web", "created": berlin(2, 9), "resolved": berlin(3, 9)}]
        )
        history["surveyed"] = history["resolved"] + pd.Timedelta(days=6)
        result = attainment(history, policy, metrics={"follow_up": ("resolved", "surveyed")})
        record = result.records.iloc[0]
        assert (record["metric"], record["outcome"]) == ("follow_up", "met_target")
        assert record["promised_at"] == pd.Timestamp(berlin(10, 9))

    def test_rows_without_start_are_counted_not_quoted(self, design: Policy) -> None:
        history = frame(
            [
                {"ticket": 1, "channel": "email", "created": berlin(20, 9)},
                {"ticket": 2, "channel": "email", "created": None},
            ]
        )
        history["first_reply"] = history["created"] + pd.Timedelta(hours=1)
        result = attainment(history, design)
        assert result.records["ticket"].tolist() == [1]
        assert result.unmatched.to_dict("records") == [
            {"channel": "email", "reason": "no start time", "tickets": 1}
        ]

    def test_empty_history(self, design: Policy) -> None:
        history = frame([{"ticket": 1, "channel": "email", "created": berlin(20, 9)}]).iloc[:0]
        history["first_reply"] = history["created"]
        result = attainment(history, design)
        assert len(result.records) == 0
        assert len(result.table()) == 0


# ---------------------------------------------------------------------------
# Attainment equals quote() for every record, across policies and seasons
# ---------------------------------------------------------------------------

VARIANTS: dict[str, list[dict[str, Any]]] = {
    "example": [],  # the example policy's own rules
    "margins": [
        {
            "name": "all",
            "first_response": {
                "promise": "2 business days",
                "buffer": {"margin": "4 business hours"},
            },
            "resolution": {"promise": "3 business days", "buffer": {"margin": "1 business day"}},
        }
    ],
    "calendar": [
        {
            "name": "all",
            "first_response": {"promise": "1-2 days", "buffer": {"margin": "3 hours"}},
            "resolution": {"promise": "1 month", "target": "2 weeks"},
        }
    ],
    "end-of-day-and-same-time": [
        {
            "name": "all",
            "first_response": {"promise": "5 hours", "rounding": "end_of_day"},
            "resolution": {
                "promise": "3 business days",
                "day_mode": "same_time",
                "buffer": {"ratio": "2/3"},
            },
        }
    ],
    "target-only": [
        {
            "name": "all",
            "first_response": {"target": "4 business hours", "buffer": {"ratio": 0.4}},
            "resolution": {"target": "2 days", "buffer": {"margin": "1 day"}},
        }
    ],
    "hour-steps": [
        {
            "name": "all",
            "first_response": {"promise": "7 hours", "rounding": "1h"},
            "resolution": {"promise": "3 business days", "rounding": "30min"},
        }
    ],
}
SCHEDULES = {
    "desk": {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}},
    "night": {
        "tz": "Europe/Berlin",
        "weekly": {"mon-fri": ["22:00-06:00"], "sat": ["10:00-14:00"]},
    },
}


def _quoted(policy: Policy, history: pd.DataFrame, record: Any) -> tuple[datetime, ...]:
    row = history.loc[record.ticket]
    request = {"channel": row["channel"], "priority": row["priority"]}
    if row["tags"]:
        request["tags"] = [row["tags"]]
    c = quote(policy, request, at=pydatetime(row["created"]), metrics=[record.metric])
    assert c.rule == record.rule
    q = c[record.metric]
    return tuple(t.astimezone(UTC) for t in (q.target_at, q.exact_promised_at, q.promised_at))


@pytest.mark.parametrize(
    "season", [date(2026, 3, 23), date(2026, 10, 19)], ids=["spring", "autumn"]
)
@pytest.mark.parametrize("hours", list(SCHEDULES))
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_records_equal_quote(variant: str, hours: str, season: date) -> None:
    # Both weeks hold a DST change; the night shift crosses midnight and the change.
    base = example_policy().model_dump(mode="json", exclude_none=True)
    base["schedules"] = {"berlin": SCHEDULES[hours]}
    if VARIANTS[variant]:
        base["rules"] = VARIANTS[variant]
    policy = Policy.model_validate(base)
    history = synthetic_history(60, seed=len(variant), start=season, weeks=1)
    result = attainment(history, policy)
    assert len(result.records)
    for record in result.records.itertuples():
        got = (record.target_at, record.exact_promised_at, record.promised_at)
        assert tuple(instant(t) for t in got) == _quoted(policy, history, record)


# ---------------------------------------------------------------------------
# The vectorized paths against the scalar ones, on drawn schedules
# ---------------------------------------------------------------------------


def _us(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


@given(case=schedule_cases(short_horizons=False), data=st.data())
def test_vectorized_paths_equal_scalar(case: Any, data: st.DataObject) -> None:
    schedule = case.build()
    offsets = data.draw(st.lists(st.integers(-3 * 86_400, 3 * 86_400), min_size=1, max_size=6))
    x = np.array([case.anchor + s * 1_000_000 for s in offsets], dtype=np.int64)
    points = [datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(v)) for v in x]
    n = data.draw(st.integers(0, 3))
    days = Duration(amount=n, unit="days", clock="business")
    assert _apply(days, x, schedule, "end_of_day").tolist() == [
        _us(schedule.add_days(t, n)) for t in points
    ]
    assert _apply(days, x, schedule, "end_of_day", sign=-1).tolist() == [
        _us(schedule.subtract_days(t, n)) for t in points
    ]
    unit = data.draw(st.sampled_from(["days", "weeks", "months"]))
    calendar = Duration(amount=data.draw(st.integers(0, 2)), unit=unit, clock="calendar")
    assert _apply(calendar, x, schedule, "end_of_day").tolist() == [
        _us(calendar.apply(t, schedule)) for t in points
    ]
    assert _apply(calendar, x, schedule, "end_of_day", sign=-1).tolist() == [
        _us(calendar.apply_backward(t, schedule)) for t in points
    ]
    rounding = Rounding.parse(data.draw(st.sampled_from(["15min", "1h", "end_of_day"])))
    assert _round_up(rounding, x, schedule).tolist() == [
        _us(rounding.round_up(t, schedule)) for t in points
    ]


@given(case=schedule_cases(short_horizons=False), data=st.data())
def test_ladder_counts_equal_direct_due_instants(case: Any, data: st.DataObject) -> None:
    # The calibration shortcut: "answer by add(start, d)" read off business time and
    # day counts must agree with computing add() and add_days() themselves.
    schedule = case.build()
    offsets = data.draw(
        st.lists(
            st.tuples(st.integers(-86_400, 86_400), st.integers(0, 4 * 86_400)),
            min_size=1,
            max_size=6,
        )
    )
    start = np.array([case.anchor + a * 1_000_000 for a, _ in offsets], dtype=np.int64)
    stop = start + np.array([b * 1_000_000 for _, b in offsets], dtype=np.int64)
    hours = data.draw(st.integers(1, 10))
    step = np.timedelta64(hours * 3_600_000_000, "us")
    from expectkit import batch

    elapsed = np.asarray(batch.between(schedule, start.view("datetime64[us]"),
                                       stop.view("datetime64[us]"))).astype(np.int64)  # fmt: skip
    nudged = elapsed + _closed_after(schedule, stop)
    due = np.asarray(batch.add(schedule, start.view("datetime64[us]"), step)).astype(np.int64)
    assert (nudged <= hours * 3_600_000_000).tolist() == (stop <= due).tolist()
    taken = _days_taken(schedule, start, stop)
    if (taken != np.iinfo(np.int64).min).all():
        n = data.draw(st.integers(0, 3))
        due_days = _apply(Duration(amount=n, unit="days", clock="business"), start, schedule,
                          "end_of_day")  # fmt: skip
        assert (taken <= n).tolist() == (stop <= due_days).tolist()


# ---------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------


def _ladder_index(promise: object, texts: list[str]) -> int:
    return len(texts) if promise is None else texts.index(str(promise))


@given(
    seed=st.integers(0, 10_000),
    n=st.integers(20, 300),
    shares=st.lists(st.floats(0.01, 1.0), min_size=2, max_size=5),
)
def test_calibration_is_monotone_in_p(seed: int, n: int, shares: list[float]) -> None:
    history = synthetic_history(n, seed=seed, weeks=2)
    ordered = sorted(shares)
    cal = calibrate(history, example_policy(), p=ordered, by=["channel"])
    texts = list(HUMAN_PROMISES["business"])
    for _, group in cal.table.groupby("channel", observed=True):
        group = group.sort_values("p", kind="stable")
        index = [_ladder_index(p, texts) for p in group["promise"]]
        assert index == sorted(index), group


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    # Ten emails created Monday 09:00, answered after 1..10 business hours, one
    # answered Monday 17:30 (8 business hours, but after the 17:00 close), one not yet.
    monday = berlin(23, 9)
    replies = [DESK.add(monday, timedelta(hours=k)) for k in range(1, 11)]
    rows = [
        {"ticket": k, "channel": "email", "created": monday, "first_reply": r}
        for k, r in enumerate(replies, start=1)
    ]
    rows.append({"ticket": 11, "channel": "email", "created": monday,
                 "first_reply": berlin(23, 17, 30)})  # fmt: skip
    rows.append({"ticket": 12, "channel": "email", "created": monday, "first_reply": None})
    return frame(rows)


class TestCalibrateHandCounts:
    @pytest.mark.parametrize(
        ("p", "promise", "met"),
        [
            (0.3, "4 business hours", 4 / 11),  # 3 h meets 3/11 < 0.3
            (0.5, "6 business hours", 6 / 11),  # 4 h meets 4/11 < 0.5; 6 h meets 6/11
            (0.7, "8 business hours", 8 / 11),  # 17:30 is after 8 h (due 17:00)
            (0.8, "1 business day", 1.0),  # 8 h meets 8/11 < 0.8; Tue 17:00 meets all
        ],
    )
    def test_smallest_promise(
        self, history: pd.DataFrame, p: float, promise: str, met: float
    ) -> None:
        row = calibrate(history, DESK, p=p, by=[]).table.iloc[0]
        assert (row["promise"], row["met"], row["tickets"], row["unanswered"]) == (
            promise,
            pytest.approx(met),
            11,
            1,
        )

    def test_target_from_buffer(self, history: pd.DataFrame) -> None:
        row = calibrate(history, DESK, p=0.7, by=[], buffer=0.5).table.iloc[0]
        # half of 8 business hours; 4 of the 11 answers came within 4 business hours
        assert (row["target"], row["target_met"]) == ("4 business hours", pytest.approx(4 / 11))
        margin = calibrate(history, DESK, p=0.7, by=[], buffer="2 business hours").table
        assert margin.iloc[0]["target"] == "promise − 2 business hours"
        assert margin.iloc[0]["target_met"] == pytest.approx(6 / 11)

    def test_reverse_share(self, history: pd.DataFrame) -> None:
        share = promise_share(history, ["4 business hours", "8 business hours"], DESK, by=[])
        assert share["met"].tolist() == pytest.approx([4 / 11, 8 / 11])

    def test_no_candidate_reaches_p(self, history: pd.DataFrame) -> None:
        row = calibrate(history, DESK, p=1.0, by=[], candidates=["1 business hour"]).table
        assert row.iloc[0]["promise"] is None

    def test_calendar_clock(self, history: pd.DataFrame) -> None:
        row = calibrate(history, DESK, p=0.7, by=[], clock="calendar").table.iloc[0]
        # 8 business hours from Monday 09:00 is 17:00: 8 calendar hours; 17:30 needs 12
        assert row["promise"] == "8 hours"

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"p": 0}, InputTypeError),
            ({"p": 1.5}, InputTypeError),
            ({"p": True}, InputTypeError),
            ({"clock": "solar"}, InputTypeError),
            ({"buffer": object()}, InputTypeError),
            ({"by": ["region"]}, InputTypeError),
        ],
    )
    def test_bad_arguments(
        self, history: pd.DataFrame, kwargs: dict[str, Any], error: type[Exception]
    ) -> None:
        with pytest.raises(error):
            calibrate(history, DESK, **kwargs)

    def test_channel_the_policy_does_not_declare(self, history: pd.DataFrame) -> None:
        with pytest.raises(PolicyError, match="unknown channel 'email'"):
            calibrate(
                history,
                Policy.loads(
                    DESIGN_POLICY.replace("email:", "mail:")
                    .replace("offline: email", "offline: mail")
                    .replace("{channel: email}", "{channel: mail}")
                ),
            )


@pytest.mark.parametrize(
    "hours",
    [
        example_policy(),
        Schedule(tz="Europe/Berlin", weekly={"mon-fri": ["22:00-06:00"], "sat": ["10:00-14:00"]}),
        Schedule(
            tz="America/New_York",
            weekly={"mon-fri": ["08:00-12:00", "13:00-17:30"]},
            holidays=Holidays(country="US"),
        ),
    ],
    ids=["policy", "night", "split-new-york"],
)
@pytest.mark.parametrize("clock", ["business", "calendar"])
def test_calibration_curve_equals_promise_share(hours: Schedule | Policy, clock: str) -> None:
    history = synthetic_history(800, seed=9, start=date(2026, 3, 23), weeks=2)
    cal = calibrate(history, hours, clock="business" if clock == "business" else "calendar")
    ladder = list(HUMAN_PROMISES["business" if clock == "business" else "calendar"])
    direct = promise_share(history, ladder, hours)
    merged = cal.curve.merge(direct, on=[*cal.by, "promise"], suffixes=("", "_direct"))
    assert len(merged) == len(cal.curve)
    assert (merged["met"].fillna(-1) == merged["met_direct"].fillna(-1)).all()


def test_calibrated_policy_keeps_its_word() -> None:
    # Promises calibrated at p, quoted back over the same (fully answered) history,
    # are met at least p of the time in every group: told times only round outward.
    history = synthetic_history(4_000, seed=12)
    history = history[history["first_reply"].notna()]
    policy = example_policy()
    cal = calibrate(history, policy, p=0.85, buffer=0.5)
    proposal = cal.to_policy(policy)
    result = attainment(history, proposal, metrics=["first_response"])
    table = result.table(by=["quoted_channel", "priority"])
    for row in cal.table.itertuples():
        if row.promise is not None:
            assert table.loc[(row.channel, row.priority), "met_promise"] >= 0.85


class TestToPolicy:
    def test_rules_in_front_with_buffer_and_inherited_rounding(self) -> None:
        history = synthetic_history(2_000, seed=3)
        cal = calibrate(history, example_policy(), by=["channel"], buffer=0.5)
        proposal = cal.to_policy(example_policy(), name="proposal")
        names = [rule.name for rule in proposal.rules]
        assert names[:5] == [f"calibrated-{c}" for c in cal.table["channel"]]
        # Rules the channel rules cover entirely (social-complaint, chat, phone, social)
        # could never match again and are gone; the priority rule and the default stay.
        assert names[5:] == ["urgent", "email"]
        assert proposal.lint(at=datetime(2026, 3, 30, tzinfo=UTC)) == []
        # The first matching rule sets every metric: the other metrics come along.
        base_chat = next(rule for rule in example_policy().rules if rule.name == "chat")
        calibrated = proposal.rules[names.index("calibrated-chat")]
        assert calibrated.resolution == base_chat.resolution
        chat = proposal.rules[names.index("calibrated-chat")].first_response
        assert chat is not None
        assert chat.buffer is not None
        assert str(chat.rounding) == "none"  # the chat rule's, not the policy's 15min
        assert proposal.name == "proposal"

    def test_refuses_non_request_columns_and_ambiguous_shares(self) -> None:
        history = synthetic_history(500, seed=3)
        with pytest.raises(PolicyError, match="tags"):
            calibrate(history, example_policy(), by=["tags"]).to_policy(example_policy())
        twice = calibrate(history, example_policy(), p=[0.5, 0.9], by=["channel"])
        with pytest.raises(PolicyError, match="several shares"):
            twice.to_policy(example_policy())
        assert twice.to_policy(example_policy(), p=0.5).rules[0].name.startswith("calibrated")


# ---------------------------------------------------------------------------
# What-if
# ---------------------------------------------------------------------------


class TestCompare:
    def test_same_policy_flips_nothing(self) -> None:
        history = synthetic_history(500, seed=4)
        what_if = compare(history, example_policy(), example_policy())
        assert what_if.flips.empty
        transitions = what_if.transitions().to_numpy()
        assert transitions.trace() == transitions.sum() == len(what_if.current.records)
        assert (what_if.table()["change"].fillna(0) == 0).all().all()

    def test_lenient_candidate_flips_breaches_only(self) -> None:
        history = synthetic_history(1_000, seed=5)
        current = example_policy()
        lenient = Policy.model_validate(
            {
                **current.model_dump(mode="json", exclude_none=True),
                "rules": [{"name": "all", "first_response": {"promise": "20 business days"}}],
            }
        )
        what_if = compare(history, current, lenient)
        flips = what_if.flips
        first = flips[flips["metric"] == "first_response"]
        assert set(first["outcome_candidate"]) <= {"met_target", "met_promise", "open"}
        # the candidate promises no resolution: those records flip to not_promised
        resolution = flips[flips["metric"] == "resolution"]
        assert set(resolution["outcome_candidate"]) == {"not_promised"}
        assert len(resolution) == len(what_if.current.records.query("metric == 'resolution'"))
        transitions = what_if.transitions("first_response")
        assert (
            transitions.loc["breached"].sum()
            == (
                what_if.current.records.query("metric == 'first_response'")["outcome"] == "breached"
            ).sum()
        )

    def test_repr_and_html(self) -> None:
        what_if = compare(synthetic_history(300, seed=4), example_policy(), example_policy())
        assert "flips=0" in repr(what_if)
        assert "What-if: 0 records change outcome" in (what_if._repr_html_() or "")


# ---------------------------------------------------------------------------
# HTML views
# ---------------------------------------------------------------------------


class TestHtml:
    def test_text_is_escaped(self) -> None:
        policy = Policy(
            name="<b>x</b>",
            rules=[{"name": "<script>", "first_response": {"promise": "1 hour"}}],
        )
        html = policy_html(policy)
        assert html is not None
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html

    def test_schedule_with_night_shift_and_special_days(self) -> None:
        night = Schedule(
            tz="UTC",
            weekly={"fri": ["22:00-06:00"]},
            special={"2026-12-24": []},
            closed=["2026-12-31"],
        )
        html = schedule_html(night)
        assert html is not None
        assert "22:00-06:00" in html
        assert "2026-12-24" in html
        assert "closed" in html
        assert html.count("<rect") == 7 + 2  # a row per day; the shift wraps into Saturday

    def test_policy_with_channels_and_schedules(self) -> None:
        html = policy_html(example_policy())
        assert html is not None
        for text in ("social-complaint", "tags ⊇ complaint", "offline", "Europe/Berlin"):
            assert text in html

    def test_commitment(self, design: Policy) -> None:
        c = quote(design, {"channel": "email"}, at=berlin(20, 16, 30))
        html = commitment_html(c)
        assert html is not None
        assert "Wed 2026-11-25 17:00 CET" in html
        assert "Mon 2026-11-23 17:00 CET" in html

    def test_attainment_and_calibration_tables(self) -> None:
        history = synthetic_history(500, seed=4)
        result = attainment(history, example_policy())
        html = result._repr_html_()
        assert html is not None
        assert html.count("<tr>") == len(result.table()) + 1
        assert "%" in html
        assert " h " in html
        cal = calibrate(history, example_policy(), by=["channel"])
        assert "Calibrated first_response promises" in (cal._repr_html_() or "")

    def test_frame_cut_and_spans(self) -> None:
        table = pd.DataFrame({"p50": [pd.Timedelta(hours=27, minutes=5)] * 3})
        html = frame_html(table, spans=["p50"], max_rows=2)
        assert html is not None
        assert "27 h 05 min" in html
        assert "1 more rows" in html
        assert span_text(timedelta(seconds=-90)) == "−1 min 30 s"


# ---------------------------------------------------------------------------
# The synthetic history
# ---------------------------------------------------------------------------


class TestSyntheticHistory:
    def test_deterministic_per_seed(self) -> None:
        assert synthetic_history(300, seed=1).equals(synthetic_history(300, seed=1))
        assert not synthetic_history(300, seed=1).equals(synthetic_history(300, seed=2))

    def test_shape_of_the_day_and_week(self) -> None:
        history = synthetic_history(20_000, seed=2)
        local = history["created"].dt
        assert local.hour.between(9, 16).mean() > 0.55  # most arrive in office hours
        assert (local.day_of_week < 5).mean() > 0.8
        assert history["created"].is_monotonic_increasing

    def test_channels_answer_at_their_pace(self) -> None:
        history = synthetic_history(20_000, seed=2)
        result = attainment(history, example_policy(), metrics=["first_response"])
        p50 = result.table(by=["rule"])["p50"]
        assert p50["chat"] < pd.Timedelta(minutes=2) < p50["social"] < p50["email"]

    def test_replies_land_in_open_time(self) -> None:
        history = synthetic_history(2_000, seed=3)
        replies = history["first_reply"].dropna()
        from expectkit import batch
        from expectkit.history import default_schedule

        opened = batch.is_open(default_schedule(), replies)
        closes = batch.next_close(default_schedule(), replies - pd.Timedelta(microseconds=1))
        assert bool((opened.astype(bool) | (closes == replies)).all())

    @pytest.mark.parametrize(
        "kwargs",
        [{"n": -1}, {"weeks": 0}, {"channels": {"fax": 1.0}}],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any]) -> None:
        with pytest.raises(InputTypeError):
            synthetic_history(**kwargs)

    def test_empty(self) -> None:
        assert len(synthetic_history(0)) == 0


def test_outcomes_constant() -> None:
    assert OUTCOMES == ("met_target", "met_promise", "breached", "open")
