"""batch.quote_frame: a frame of requests quoted exactly as quote() quotes each row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from expectkit import Policy, quote
from expectkit.batch import quote_frame
from expectkit.errors import InputTypeError, NaiveDatetimeError, PolicyError
from expectkit.history import example_policy, synthetic_history
from expectkit.policy import METRICS
from instants import instant, pydatetime
from test_policy import DESIGN_POLICY

ROOT = Path(__file__).resolve().parent.parent
BERLIN = ZoneInfo("Europe/Berlin")
INSTANTS = ("promised_low", "promised_at", "exact_promised_at", "target_at")

# Two versions, matching on segment and attributes, every kind of window, buffer and
# rounding, and a target counting on a schedule in another zone (so the frame is in UTC).
KITCHEN_V1 = """\
name: kitchen
effective_until: 2026-07-01T00:00:00+02:00
segments: [vip, standard]
priorities: [low, normal, high, urgent]
schedules:
  berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"], sat: ["22:00-06:00"]},
           holidays: {country: DE, subdiv: BE}, closed: ["2026-12-24"]}
  ny: {tz: America/New_York, weekly: {mon-fri: ["08:00-20:00"]}}
channels:
  email: {kind: email, schedule: berlin}
  chat: {kind: chat, mode: live, schedule: berlin, offline: email}
rounding: 1h
rules:
  - name: vip-us
    match: {segment: vip, attributes: {region: [us]}}
    first_response: {promise: "2 business hours", schedule: ny, buffer: {margin: "30 business minutes"}}
    resolution: {target: "1-2 business days", buffer: {ratio: 0.5}, rounding: end_of_day}
  - name: plan-gold
    match: {attributes: {plan: [gold]}}
    first_response: {promise: "1 business day", day_mode: same_time, target: "4 business hours"}
    resolution: {promise: "1 month", target: "2 weeks"}
  - name: chat
    match: {channel: chat}
    first_response: {promise: "30 seconds", clock: business, rounding: none}
  - name: default
    first_response: {promise: "3-5 hours", buffer: {ratio: 0.25}, rounding: 15min}
    resolution: {promise: "2 days", target: "1 day"}
"""  # noqa: E501 -- one rule per line reads best

KITCHEN_V2 = """\
name: kitchen-v2
effective_from: 2026-07-01T00:00:00+02:00
segments: [vip, standard]
schedules:
  berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["08:00-18:00"]}, holidays: {country: DE}}
channels:
  email: {kind: email, schedule: berlin}
  chat: {kind: chat, mode: live, schedule: berlin, offline: email}
priorities: [low, normal, high, urgent]
rules:
  - name: urgent
    match: {priority: [urgent, high]}
    first_response: {promise: "1-2 business hours"}
  - name: email-only
    match: {channel: email}
    first_response: {promise: "1-3 business days", target: "1 business day", rounding: 30min}
"""


def _requests(n: int, *, seed: int, zone: str, extra: list[datetime] | None = None) -> pd.DataFrame:
    """Random requests over 2026, nights and week-ends included, plus `extra` instants."""
    rng = np.random.default_rng(seed)
    lo = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    seconds = rng.integers(lo, hi, size=n)
    # Land some on whole hours and quarters, where closes, openings and steps sit.
    seconds = np.where(rng.random(n) < 0.3, seconds - seconds % 900, seconds)
    created = pd.to_datetime(seconds, unit="s", utc=True).tz_convert(zone)
    if extra:
        # Each extra instant goes in through UTC: pandas 2 refuses a list of mixed zones.
        utc = pd.DatetimeIndex([pd.Timestamp(t).tz_convert("UTC") for t in extra])
        created = created.tz_convert("UTC").append(utc)
        created = pd.DatetimeIndex(created).tz_convert(zone)
    size = len(created)
    tag_choices: list[Any] = [[], ["complaint"], ["order-status"], ["promotion"], ["return"]]
    return pd.DataFrame(
        {
            "channel": rng.choice(["email", "chat", "social", "phone", "web_form"], size=size),
            "priority": rng.choice(np.array(["low", "normal", "high", "urgent", None]), size=size),
            "segment": rng.choice(np.array(["vip", "standard", None]), size=size),
            "tags": [tag_choices[k] for k in rng.integers(0, len(tag_choices), size=size)],
            "attributes": [
                {"region": str(rng.choice(["us", "eu"])), "plan": str(rng.choice(["gold", "free"]))}
                if rng.random() < 0.8
                else None
                for _ in range(size)
            ],
            "created_at": created,
        },
        index=pd.Index(np.arange(1000, 1000 + size), name="request"),
    )


def _history_requests(n: int, *, seed: int, start: date, weeks: int) -> pd.DataFrame:
    """A synthetic history as a request frame (tags: a comma-separated string per row)."""
    history = synthetic_history(n, seed=seed, start=start, weeks=weeks)
    return history[["channel", "priority", "tags", "created"]].rename(
        columns={"created": "created_at"}
    )


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    return value


def _request(row: pd.Series) -> dict[str, Any]:
    fields: dict[str, Any] = {"channel": str(row["channel"])}
    for name in ("priority", "segment"):
        if name in row.index and _cell(row[name]) is not None:
            fields[name] = str(row[name])
    if "tags" in row.index:
        tags = row["tags"]
        fields["tags"] = [t for t in tags.split(",") if t] if isinstance(tags, str) else tags
    if "attributes" in row.index and _cell(row["attributes"]) is not None:
        fields["attributes"] = row["attributes"]
    return fields


def _assert_same_as_quote(
    policy: Policy | list[Policy], requests: pd.DataFrame, **kwargs: Any
) -> pd.DataFrame:
    frame = quote_frame(policy, requests, **kwargs)
    assert frame.index.equals(requests.index)
    metrics = [c.removesuffix("_rule") for c in frame.columns if c.endswith("_rule")]
    for key, row in requests.iterrows():
        got = frame.loc[key]
        try:
            expected = quote(policy, _request(row), at=pydatetime(row["created_at"]))
        except PolicyError:
            assert not got["matched"], key
            for metric in metrics:
                assert got[f"{metric}_rule"] is None
                assert all(pd.isna(got[f"{metric}_{col}"]) for col in INSTANTS)
            continue
        assert got["matched"], key
        assert got["quoted_channel"] == expected.channel, key
        for metric in metrics:
            if metric not in expected.metrics:
                assert got[f"{metric}_rule"] is None, (key, metric)
                assert all(pd.isna(got[f"{metric}_{col}"]) for col in INSTANTS)
                continue
            mq = expected[metric]
            assert got[f"{metric}_rule"] == expected.rule, (key, metric)
            assert instant(got[f"{metric}_promised_low"]) == instant(mq.promised_range[0]), (
                key,
                metric,
            )
            assert instant(got[f"{metric}_promised_at"]) == instant(mq.promised_at), (key, metric)
            assert instant(got[f"{metric}_exact_promised_at"]) == instant(mq.exact_promised_at), (
                key,
                metric,
            )
            assert instant(got[f"{metric}_target_at"]) == instant(mq.target_at), (key, metric)
    return frame


# Instants where the calendar is unusual, in Berlin: DST nights, holidays, after hours.
EDGES = [
    datetime(2026, 3, 29, 1, 59, tzinfo=BERLIN),  # the minute before the spring gap
    datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN),  # just after it
    datetime(2026, 3, 28, 23, 30, tzinfo=BERLIN),  # Saturday night shift across the gap
    datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),  # the fall-back fold, first pass
    datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),  # ... second pass
    datetime(2026, 10, 24, 23, 0, tzinfo=BERLIN),  # Saturday night shift across the fold
    datetime(2026, 10, 23, 16, 59, tzinfo=BERLIN),  # Friday before the fold, near close
    datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN),  # DESIGN.md's Friday
    datetime(2026, 11, 20, 18, 0, tzinfo=BERLIN),  # after hours: chat goes offline
    datetime(2026, 12, 24, 10, 0, tzinfo=BERLIN),  # closed date
    datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN),  # Christmas
    datetime(2026, 4, 3, 11, 0, tzinfo=BERLIN),  # Good Friday
    datetime(2026, 3, 8, 12, 0, tzinfo=BERLIN),  # Women's Day in Berlin, a Sunday
    datetime(2026, 6, 30, 23, 59, 59, tzinfo=BERLIN),  # the last second of version 1
    datetime(2026, 7, 1, 0, 0, tzinfo=BERLIN),  # the first of version 2
    datetime(2026, 1, 30, 17, 0, tzinfo=BERLIN),  # a month later is clamped to Feb 28
]


class TestSameAsQuote:
    def test_design_policy_on_synthetic_history(self) -> None:
        requests = _history_requests(300, seed=11, start=date(2026, 3, 9), weeks=8)
        frame = _assert_same_as_quote(Policy.loads(DESIGN_POLICY), requests)
        # The history has phone and web_form, which this policy does not know.
        assert not frame.loc[requests["channel"] == "phone", "matched"].any()
        assert frame["matched"].sum() > 150
        offline = (requests["channel"] == "chat") & (frame["quoted_channel"] == "email")
        assert offline.any()  # after-hours chat quoted as email
        assert str(frame["first_response_promised_at"].dt.tz) == "Europe/Berlin"

    def test_design_policy_over_dst_and_holidays(self) -> None:
        requests = _history_requests(300, seed=5, start=date(2026, 10, 12), weeks=12)
        _assert_same_as_quote(Policy.loads(DESIGN_POLICY), requests)

    def test_design_policy_at_edges(self) -> None:
        requests = _requests(60, seed=2, zone="Europe/Berlin", extra=EDGES)
        requests["channel"] = np.resize(["chat", "email", "social"], len(requests))
        requests["tags"] = [["complaint"] if k % 2 else [] for k in range(len(requests))]
        _assert_same_as_quote(Policy.loads(DESIGN_POLICY), requests)

    def test_example_policy_on_synthetic_history(self) -> None:
        requests = _history_requests(400, seed=3, start=date(2026, 3, 2), weeks=6)
        frame = _assert_same_as_quote(example_policy(), requests)
        assert frame["matched"].all()
        assert frame["first_response_rule"].nunique() == 6

    def test_example_policy_at_edges_and_random_instants(self) -> None:
        requests = _requests(250, seed=8, zone="Europe/Berlin", extra=EDGES)
        _assert_same_as_quote(example_policy(), requests)

    def test_versions_attributes_buffers_and_roundings(self) -> None:
        versions = [Policy.loads(KITCHEN_V1), Policy.loads(KITCHEN_V2)]
        requests = _requests(300, seed=4, zone="Europe/Berlin", extra=EDGES)
        requests["channel"] = np.resize(["email", "chat", "email", "social"], len(requests))
        frame = _assert_same_as_quote(versions, requests)
        assert frame["matched"].sum() > 200  # social is not a channel of this policy
        assert set(frame["first_response_rule"].dropna()) == {
            "vip-us",
            "plan-gold",
            "chat",
            "default",
            "urgent",
            "email-only",
        }
        # Berlin and New York schedules: the instants come in UTC.
        assert str(frame["first_response_target_at"].dt.tz) == "UTC"

    def test_lead_times_and_timed_rules(self) -> None:
        shop = Policy.load(ROOT / "examples" / "policies" / "webshop.yaml")
        requests = _requests(300, seed=6, zone="Europe/Oslo")
        requests["channel"] = np.resize(["email", "chat", "social", "web_form"], len(requests))
        frame = _assert_same_as_quote(shop, requests)
        assert frame["follow_up_rule"].notna().any()
        assert str(frame["first_response_promised_at"].dt.tz) == "Europe/Oslo"


class TestShape:
    def test_columns_index_and_dtypes(self) -> None:
        requests = _history_requests(20, seed=1, start=date(2026, 3, 2), weeks=1)
        frame = quote_frame(example_policy(), requests)
        assert list(frame.columns[:2]) == ["matched", "quoted_channel"]
        for metric in ("first_response", "resolution"):
            assert f"{metric}_rule" in frame.columns
            for col in INSTANTS:
                assert isinstance(frame[f"{metric}_{col}"].dtype, pd.DatetimeTZDtype)
        assert frame["matched"].dtype == bool
        assert frame.index.equals(requests.index)

    def test_metrics_chooses_columns(self) -> None:
        requests = _history_requests(20, seed=1, start=date(2026, 3, 2), weeks=1)
        frame = quote_frame(example_policy(), requests, metrics=["resolution"])
        assert [c for c in frame.columns if c.endswith("_rule")] == ["resolution_rule"]
        # A metric no rule sets still gets its (empty) columns: the schema is stable.
        empty = quote_frame(example_policy(), requests, metrics=["follow_up"])
        assert empty["follow_up_rule"].isna().all()
        assert empty["follow_up_target_at"].isna().all()

    def test_default_metrics_are_those_the_rules_set(self) -> None:
        shop = Policy.load(ROOT / "examples" / "policies" / "webshop.yaml")
        requests = _requests(5, seed=1, zone="Europe/Oslo")
        frame = quote_frame(shop, requests)
        rules = [c.removesuffix("_rule") for c in frame.columns if c.endswith("_rule")]
        assert rules == [m for m in METRICS if m in rules]
        assert {"first_response", "follow_up", "resolution", "periodic_update"} <= set(rules)

    def test_other_at_column_and_nat_rows(self) -> None:
        requests = _history_requests(10, seed=1, start=date(2026, 3, 2), weeks=1)
        requests = requests.rename(columns={"created_at": "opened"})
        requests.loc[requests.index[3], "opened"] = pd.NaT
        frame = quote_frame(example_policy(), requests, at="opened")
        assert not frame["matched"].iloc[3]
        assert frame["quoted_channel"].iloc[3] is None
        assert frame["matched"].drop(requests.index[3]).all()

    def test_empty_frame(self) -> None:
        requests = _history_requests(0, seed=1, start=date(2026, 3, 2), weeks=1)
        frame = quote_frame(example_policy(), requests)
        assert len(frame) == 0
        assert "first_response_promised_at" in frame.columns

    def test_no_rule_matches_keeps_the_channel(self) -> None:
        vip = {"name": "vip", "match": {"segment": "vip"}, "resolution": {"promise": "1 week"}}
        policy = Policy(rules=[vip])
        at = pd.DatetimeIndex([datetime(2026, 5, 4, 9, tzinfo=UTC)] * 2)
        requests = pd.DataFrame({"channel": ["fax", "fax"], "segment": ["vip", None], "at": at})
        frame = quote_frame(policy, requests, at="at")
        assert frame["matched"].tolist() == [True, False]
        assert frame["quoted_channel"].tolist() == ["fax", "fax"]
        assert frame["resolution_rule"].tolist() == ["vip", None]


class TestErrors:
    def test_naive_instants(self) -> None:
        requests = pd.DataFrame(
            {"channel": ["email"], "created_at": pd.to_datetime(["2026-11-20 16:30"])}
        )
        with pytest.raises(NaiveDatetimeError, match="naive"):
            quote_frame(example_policy(), requests)

    @pytest.mark.parametrize("missing", ["channel", "created_at"])
    def test_missing_column_is_named(self, missing: str) -> None:
        requests = _history_requests(3, seed=1, start=date(2026, 3, 2), weeks=1)
        with pytest.raises(PolicyError, match=repr(missing)):
            quote_frame(example_policy(), requests.drop(columns=[missing]))

    def test_instants_not_datetimes(self) -> None:
        requests = pd.DataFrame({"channel": ["email"], "created_at": ["2026-11-20"]})
        with pytest.raises(InputTypeError):
            quote_frame(example_policy(), requests)

    def test_not_a_frame(self) -> None:
        with pytest.raises(InputTypeError, match="DataFrame"):
            quote_frame(example_policy(), {"channel": ["email"]})

    @pytest.mark.parametrize("policy", [[], "support", [object()]])
    def test_not_a_policy(self, policy: Any) -> None:
        requests = _history_requests(3, seed=1, start=date(2026, 3, 2), weeks=1)
        with pytest.raises(InputTypeError, match="policy"):
            quote_frame(policy, requests)

    def test_unknown_metric(self) -> None:
        requests = _history_requests(3, seed=1, start=date(2026, 3, 2), weeks=1)
        wrong: Any = ["first_reply"]  # a column name, not a metric
        with pytest.raises(InputTypeError, match="first_reply"):
            quote_frame(example_policy(), requests, metrics=wrong)


def test_import_needs_no_pandas() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['pandas'] = None; import expectkit.batch; "
        "assert 'expectkit.frames.quotes' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
