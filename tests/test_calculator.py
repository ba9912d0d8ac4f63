"""quote(): the design's quote table, explanations, zones, effective dates, properties."""

from __future__ import annotations

import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expectkit.calculator import Commitment, MetricQuote, Step, quote
from expectkit.errors import InputTypeError, NaiveDatetimeError, PolicyError
from expectkit.policy import Policy, Request
from test_policy import DESIGN_POLICY

ROOT = Path(__file__).resolve().parent.parent
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def berlin(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026, Berlin wall time (CET, no DST change that month)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def design() -> Policy:
    return Policy.loads(DESIGN_POLICY, source="design.yaml")


# DESIGN.md, "Policy file (sketch) and a worked example": every row, every column.
# (request, requested at, rule, promised_range, promised_at, target_at)
QUOTE_TABLE = [
    pytest.param(
        {"channel": "email"},
        berlin(20, 16, 30),
        "email",
        (berlin(23, 17), berlin(25, 17)),
        berlin(25, 17),
        berlin(23, 17),
        id="email-fri-1630",
    ),
    pytest.param(
        {"channel": "social", "tags": ["complaint"]},
        berlin(20, 16, 37),
        "social-complaint",
        (berlin(20, 19, 37), berlin(20, 21, 37)),
        berlin(20, 21, 45),
        berlin(20, 21, 37),
        id="social-complaint-fri-1637",
    ),
    pytest.param(
        {"channel": "chat"},
        berlin(20, 16, 30),
        "chat",
        (berlin(20, 16, 30, 30), berlin(20, 16, 30, 30)),
        berlin(20, 16, 30, 30),
        berlin(20, 16, 30, 30),
        id="chat-fri-1630",
    ),
    pytest.param(
        {"channel": "chat"},
        berlin(20, 18),
        "email",
        (berlin(24, 17), berlin(26, 17)),
        berlin(26, 17),
        berlin(24, 17),
        id="chat-fri-1800-offline-email",
    ),
    pytest.param(
        {"channel": "social"},
        berlin(20, 16, 30),
        "default",
        (berlin(24, 17), berlin(24, 17)),
        berlin(24, 17),
        berlin(23, 16, 45),
        id="social-without-tag-fri-1630",
    ),
]


class TestDesignQuoteTable:
    @pytest.mark.parametrize(
        ("request_", "at", "rule", "promised_range", "promised_at", "target_at"), QUOTE_TABLE
    )
    def test_row(
        self,
        design: Policy,
        request_: dict[str, Any],
        at: datetime,
        rule: str,
        promised_range: tuple[datetime, datetime],
        promised_at: datetime,
        target_at: datetime,
    ) -> None:
        commitment = quote(design, request_, at=at)
        first = commitment["first_response"]
        assert commitment.rule == rule
        assert first.rule == rule
        assert first.promised_range == promised_range
        assert first.promised_at == promised_at
        assert first.target_at == target_at
        # results in the schedule's zone, shown as the same wall times as the table
        for instant in (*first.promised_range, first.promised_at, first.target_at):
            assert instant.tzinfo == BERLIN
        assert [t.strftime("%a %H:%M:%S") for t in (first.promised_at, first.target_at)] == [
            t.strftime("%a %H:%M:%S") for t in (promised_at, target_at)
        ]

    def test_only_the_table_metric_is_quoted(self, design: Policy) -> None:
        assert list(quote(design, {"channel": "email"}, at=berlin(20, 16, 30)).metrics) == [
            "first_response"
        ]

    def test_same_answer_for_the_same_instant_in_any_zone(self, design: Policy) -> None:
        here = quote(design, {"channel": "email"}, at=berlin(20, 16, 30))
        there = quote(design, {"channel": "email"}, at=berlin(20, 16, 30).astimezone(NEW_YORK))
        assert here["first_response"].promised_at == there["first_response"].promised_at
        assert there["first_response"].promised_at.tzinfo == BERLIN


class TestExplain:
    def test_steps_name_every_stage(self, design: Policy) -> None:
        first = quote(design, {"channel": "social"}, at=berlin(20, 16, 30))["first_response"]
        assert [step.kind for step in first.steps] == [
            "policy",
            "rule",
            "clock",
            "start",
            "window",
            "buffer",
            "rounding",
        ]
        text = first.explain()
        assert "rule 'default' (rules[3])" in text
        assert "business clock on schedule 'berlin' (Europe/Berlin)" in text
        assert "promise '2 business days' is due at Tue 2026-11-24 17:00 CET" in text
        assert "buffer ratio 0.5 on 16 h 30 min of business time" in text
        assert "gives the target Mon 2026-11-23 16:45 CET" in text
        assert text.endswith(
            "promised Tue 2026-11-24 17:00 CET; aiming for Mon 2026-11-23 16:45 CET"
        )

    def test_offline_fallback_is_explained(self, design: Policy) -> None:
        commitment = quote(design, {"channel": "chat"}, at=berlin(20, 18))
        assert commitment.channel == "email"
        assert commitment.request.channel == "chat"
        channel_step = commitment.steps[1]
        assert channel_step.kind == "channel"
        assert channel_step.text == (
            "live channel 'chat' is closed at Fri 2026-11-20 18:00 CET (it opens "
            "Mon 2026-11-23 09:00 CET); quoted as its offline channel 'email'"
        )
        start = [s for s in commitment["first_response"].steps if s.kind == "start"]
        assert start[0].text == (
            "closed at Fri 2026-11-20 18:00 CET: counting starts at the next opening, "
            "Mon 2026-11-23 09:00 CET"
        )

    def test_rounding_is_explained(self, design: Policy) -> None:
        first = quote(design, {"channel": "social", "tags": ["complaint"]}, at=berlin(20, 16, 37))[
            "first_response"
        ]
        assert first.steps[-1].text == (
            "rounding '15min' moves the told time from Fri 2026-11-20 21:37 CET "
            "to Fri 2026-11-20 21:45 CET"
        )
        assert "calendar clock in Europe/Berlin" in first.explain()

    def test_commitment_explain_covers_each_metric(self) -> None:
        policy = Policy(
            rules=[
                {
                    "name": "all",
                    "first_response": {"promise": "1 hour"},
                    "resolution": {"promise": "2 days"},
                }
            ]
        )
        text = quote(policy, {"channel": "web"}, at=datetime(2026, 1, 5, 9, tzinfo=UTC)).explain()
        assert text.count("rule 'all'\n") == 2
        assert text.startswith("first_response: rule 'all'")

    def test_user_text_with_braces_is_safe(self) -> None:
        policy = Policy(rules=[{"name": "odd {0} name", "resolution": {"promise": "1 hour"}}])
        text = quote(policy, {"channel": "w{}"}, at=datetime(2026, 1, 5, tzinfo=UTC)).explain()
        assert "rule 'odd {0} name'" in text
        assert "channel 'w{}'" in text

    def test_step_in_zone(self) -> None:
        step = Step("start", "at {0}", (datetime(2026, 1, 5, 9, tzinfo=UTC),))
        assert step.in_zone(ZoneInfo("Asia/Tokyo")).text == "at Mon 2026-01-05 18:00 JST"
        assert Step("start", "at {0}", (datetime(2026, 1, 5, 9, 0, 1, 5, tzinfo=UTC),)).text == (
            "at Mon 2026-01-05 09:00:01.000005 UTC"
        )


class TestCustomerZone:
    def test_in_zone_uses_the_request_zone(self, design: Policy) -> None:
        request = {"channel": "email", "customer_tz": "America/New_York"}
        commitment = quote(design, request, at=berlin(20, 16, 30))
        local = commitment.in_zone()
        first = local["first_response"]
        assert first.promised_at == commitment["first_response"].promised_at
        assert first.promised_at.tzinfo == NEW_YORK
        assert first.promised_at.strftime("%a %H:%M") == "Wed 11:00"
        assert local.requested_at.tzinfo == NEW_YORK
        assert "Wed 2026-11-25 11:00 EST" in first.explain()

    def test_in_zone_explicit(self, design: Policy) -> None:
        commitment = quote(design, {"channel": "email"}, at=berlin(20, 16, 30))
        tokyo = commitment.in_zone("Asia/Tokyo")["first_response"]
        assert tokyo.promised_range[0].strftime("%a %H:%M %Z") == "Tue 01:00 JST"
        assert tokyo.target_range == tuple(
            t.astimezone(ZoneInfo("Asia/Tokyo")) for t in commitment["first_response"].target_range
        )

    def test_in_zone_needs_a_zone(self, design: Policy) -> None:
        commitment = quote(design, {"channel": "email"}, at=berlin(20, 16, 30))
        with pytest.raises(PolicyError, match="no customer_tz"):
            commitment.in_zone()
        with pytest.raises(PolicyError, match="not an IANA time zone"):
            commitment.in_zone("Mars/Base")
        with pytest.raises(InputTypeError):
            commitment.in_zone(5)  # type: ignore[arg-type]


class TestEffectiveDates:
    def test_rule_in_force_at_the_request(self) -> None:
        # the web shop moved complaints from 48-hour to 24-hour replies on 1 March 2026
        shop = Policy.load(ROOT / "examples" / "policies" / "webshop.yaml")
        oslo = ZoneInfo("Europe/Oslo")
        complaint = {"channel": "email", "tags": ["complaint"]}
        before = quote(shop, complaint, at=datetime(2026, 2, 27, 10, tzinfo=oslo))
        after = quote(shop, complaint, at=datetime(2026, 3, 2, 10, tzinfo=oslo))
        assert before.rule == "complaint-48h"
        assert before["first_response"].promised_at == datetime(2026, 3, 1, 10, tzinfo=oslo)
        assert after.rule == "complaint-24h"
        assert after["first_response"].promised_at == datetime(2026, 3, 3, 10, tzinfo=oslo)

    def test_policy_versions(self) -> None:
        change = datetime(2026, 6, 1, tzinfo=UTC)
        old = Policy(
            name="v1",
            rules=[{"name": "all", "resolution": {"promise": "2 days"}}],
            effective_until=change,
        )
        new = Policy(
            name="v2",
            rules=[{"name": "all", "resolution": {"promise": "1 day"}}],
            effective_from=change,
        )
        at_old = quote([old, new], {"channel": "x"}, at=change - timedelta(hours=1))
        at_new = quote([old, new], {"channel": "x"}, at=change)
        assert at_old.policy == "v1"
        assert at_old["resolution"].promised_at == change + timedelta(days=1, hours=23)
        assert at_new.policy == "v2"
        assert "policy 'v2' is in force" in at_new["resolution"].explain()
        with pytest.raises(PolicyError, match="is not in force"):
            quote(new, {"channel": "x"}, at=change - timedelta(hours=1))
        with pytest.raises(PolicyError, match="none of the 1 policies"):
            quote([new], {"channel": "x"}, at=change - timedelta(hours=1))

    def test_latest_version_wins_where_they_overlap(self) -> None:
        base = Policy(rules=[{"name": "base", "resolution": {"promise": "2 days"}}])
        update = Policy(
            rules=[{"name": "update", "resolution": {"promise": "1 day"}}],
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
        at = datetime(2026, 2, 1, tzinfo=UTC)
        assert quote([update, base], {"channel": "x"}, at=at).rule == "update"
        assert quote([base, update], {"channel": "x"}, at=at).rule == "update"


class TestLeadTimes:
    def test_notice_before_an_event(self) -> None:
        shop = Policy.load(ROOT / "examples" / "policies" / "webshop.yaml")
        oslo = ZoneInfo("Europe/Oslo")
        start = datetime(2026, 11, 30, 9, tzinfo=oslo)  # the promotion starts on Monday
        notice = quote(shop, {"channel": "email", "tags": ["promotion"]}, at=start)["follow_up"]
        assert notice.direction == "before"
        assert notice.promised_range == (
            datetime(2026, 11, 25, 9, tzinfo=oslo),
            datetime(2026, 11, 27, 9, tzinfo=oslo),
        )
        assert notice.promised_at == datetime(2026, 11, 27, 9, tzinfo=oslo)
        assert notice.target_at == datetime(2026, 11, 25, 9, tzinfo=oslo)
        assert "a lead time is told exactly" in notice.explain()

    def test_target_later_than_deadline_is_capped(self) -> None:
        policy = Policy(
            rules=[
                {
                    "name": "r",
                    "follow_up": {"promise": "3 days", "target": "1 day", "direction": "before"},
                }
            ]
        )
        event = datetime(2026, 5, 10, 12, tzinfo=UTC)
        notice = quote(policy, {"channel": "x"}, at=event)["follow_up"]
        assert notice.target_at == notice.promised_at == datetime(2026, 5, 7, 12, tzinfo=UTC)
        assert any("capped" in s.text for s in notice.steps)


class TestTargets:
    def test_promise_derived_from_target(self) -> None:
        policy = Policy(
            rules=[{"name": "r", "resolution": {"target": "2-4 hours", "buffer": {"ratio": 0.5}}}]
        )
        at = datetime(2026, 5, 4, 9, tzinfo=UTC)
        resolution = quote(policy, {"channel": "x"}, at=at)["resolution"]
        assert resolution.target_range == (at + timedelta(hours=2), at + timedelta(hours=4))
        assert resolution.promised_range == (at + timedelta(hours=4), at + timedelta(hours=8))
        assert resolution.promised_at == at + timedelta(hours=8)
        assert [s.kind for s in resolution.steps][-3:] == ["target", "buffer", "rounding"]

    def test_margin_buffer(self) -> None:
        policy = Policy(
            rules=[{"name": "r", "resolution": {"promise": "2 days", "buffer": {"margin": "6h"}}}]
        )
        at = datetime(2026, 5, 4, 9, tzinfo=UTC)
        resolution = quote(policy, {"channel": "x"}, at=at)["resolution"]
        assert resolution.target_at == datetime(2026, 5, 6, 3, tzinfo=UTC)
        assert "buffer margin 6 hours" in resolution.explain()

    def test_target_later_than_promise_is_capped(self) -> None:
        policy = Policy(
            schedules={"b": {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}}},
            default_schedule="b",
            rules=[
                {"name": "r", "resolution": {"promise": "48 hours", "target": "2 business days"}}
            ],
        )
        resolution = quote(policy, {"channel": "x"}, at=berlin(20, 16, 30))["resolution"]
        assert resolution.target_at == resolution.exact_promised_at == berlin(22, 16, 30)
        assert "capped at the promise" in resolution.explain()

    def test_photographer_promises_six_weeks_aims_for_three_to_four(self) -> None:
        studio = Policy.load(ROOT / "examples" / "policies" / "photographer.yaml")
        oslo = ZoneInfo("Europe/Oslo")
        wedding = datetime(2026, 6, 13, 18, tzinfo=oslo)  # a Saturday
        gallery = quote(studio, {"channel": "email", "tags": ["wedding"]}, at=wedding)["resolution"]
        assert gallery.target_range == (
            datetime(2026, 7, 4, 18, tzinfo=oslo),
            datetime(2026, 7, 11, 18, tzinfo=oslo),
        )
        assert gallery.exact_promised_at == datetime(2026, 7, 25, 18, tzinfo=oslo)
        # told: the end of the next studio day (the Saturday is closed; Tuesday 16:00)
        assert gallery.promised_at == datetime(2026, 7, 28, 16, tzinfo=oslo)

    def test_metric_schedule_override(self) -> None:
        desk = Policy.load(ROOT / "examples" / "policies" / "global_desk.yaml")
        request = {"channel": "email", "attributes": {"region": "apac"}}
        at = datetime(2026, 11, 20, 16, tzinfo=UTC)  # Saturday 03:00 in Sydney
        first = quote(desk, request, at=at)["first_response"]
        sydney = ZoneInfo("Australia/Sydney")
        assert first.start == datetime(2026, 11, 23, 9, tzinfo=sydney)
        assert first.promised_range == (
            datetime(2026, 11, 23, 13, tzinfo=sydney),
            datetime(2026, 11, 23, 17, tzinfo=sydney),
        )
        assert "schedule 'sydney' (Australia/Sydney)" in first.explain()

    def test_only_some_metrics(self) -> None:
        desk = Policy.load(ROOT / "examples" / "policies" / "global_desk.yaml")
        commitment = quote(
            desk,
            {"channel": "email", "priority": "urgent"},
            at=datetime(2026, 11, 18, 12, tzinfo=UTC),
            metrics=["resolution"],
        )
        assert list(commitment.metrics) == ["resolution"]


class TestErrors:
    def test_naive_instant(self, design: Policy) -> None:
        with pytest.raises(NaiveDatetimeError, match="at: datetime"):
            quote(design, {"channel": "email"}, at=datetime(2026, 11, 20, 16, 30))

    def test_not_an_instant(self, design: Policy) -> None:
        with pytest.raises(InputTypeError, match="at: expected an aware datetime"):
            quote(design, {"channel": "email"}, at="2026-11-20T16:30+01:00")  # type: ignore[arg-type]

    def test_unknown_channel(self, design: Policy) -> None:
        with pytest.raises(PolicyError, match="unknown channel 'fax'"):
            quote(design, {"channel": "fax"}, at=berlin(20, 16, 30))

    def test_bad_request_mapping(self, design: Policy) -> None:
        with pytest.raises(PolicyError, match="Request: tags"):
            quote(design, {"channel": "email", "tags": 5}, at=berlin(20, 16, 30))

    def test_no_rule_matches(self) -> None:
        policy = Policy(
            rules=[{"name": "vip", "match": {"segment": "vip"}, "resolution": {"promise": "1 day"}}]
        )
        with pytest.raises(
            PolicyError,
            match=r"no rule in force .* matches the request channel='email'; add a default rule",
        ):
            quote(policy, {"channel": "email"}, at=berlin(20, 16, 30))


def test_quickstart_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "promised Wed 2026-11-25 17:00 CET; aiming for Mon 2026-11-23 17:00 CET" in out
    assert "quoted as its offline channel 'email'" in out
    assert "told to a customer in New York: by Wed 2026-11-25 11:00 EST" in out
    assert "lint: 0 finding(s)" in out


# -- properties ------------------------------------------------------------------

PROPERTY_POLICY = Policy.loads(
    DESIGN_POLICY
    + """\
  - name: extra
    match: {channel: email}
    next_response: {promise: "4-8 business hours", buffer: {margin: "2 business hours"}}
    resolution: {promise: "1-2 weeks", target: "1 week", rounding: end_of_day}
    periodic_update: {promise: "1 business day", day_mode: same_time, rounding: 1h}
    follow_up: {target: "2-3 days", buffer: {ratio: 0.75}}
"""
)
# rules match first-wins, so 'extra' is reached through its own policy
EXTRA = PROPERTY_POLICY.model_copy(
    update={"rules": (PROPERTY_POLICY.rules[4], PROPERTY_POLICY.rules[3])}
)
ASYNC_REQUESTS: list[tuple[Policy, Request]] = [
    (PROPERTY_POLICY, Request(channel="email")),
    (PROPERTY_POLICY, Request(channel="social", tags=("complaint",))),
    (PROPERTY_POLICY, Request(channel="social")),
    (EXTRA, Request(channel="email")),
]

# Instants from 2026-03-20 to 2027-01-10 (two DST changes, the year-end holidays).
FIRST = datetime(2026, 3, 20, tzinfo=UTC)
SPAN_MINUTES = 296 * 24 * 60
instants = st.builds(
    lambda minutes, seconds: FIRST + timedelta(minutes=minutes, seconds=seconds),
    st.integers(0, SPAN_MINUTES),
    st.sampled_from([0, 0, 0, 1, 30, 59]),
)
cases = st.sampled_from(ASYNC_REQUESTS)


def _quotes(policy: Policy, request: Request, at: datetime) -> list[MetricQuote]:
    return list(quote(policy, request, at=at).metrics.values())


@given(case=cases, at=instants)
def test_target_before_exact_before_told(case: tuple[Policy, Request], at: datetime) -> None:
    policy, request = case
    for q in _quotes(policy, request, at):
        assert at <= q.start <= q.target_at <= q.exact_promised_at <= q.promised_at, q.explain()
        assert q.target_range[0] <= q.target_range[1] == q.target_at
        assert q.promised_range[0] <= q.promised_range[1] == q.exact_promised_at
        assert q.requested_at == at


@given(case=cases, at=instants, later=st.integers(0, 7 * 24 * 3600))
def test_monotone_in_start_time(case: tuple[Policy, Request], at: datetime, later: int) -> None:
    policy, request = case
    first = _quotes(policy, request, at)
    second = _quotes(policy, request, at + timedelta(seconds=later))
    for a, b in zip(first, second, strict=True):
        assert a.metric == b.metric
        assert a.promised_at <= b.promised_at
        assert a.exact_promised_at <= b.exact_promised_at
        assert a.target_at <= b.target_at
        assert a.promised_range[0] <= b.promised_range[0]


@given(at=instants)
def test_chat_is_answered_after_the_request(at: datetime) -> None:
    commitment = quote(PROPERTY_POLICY, {"channel": "chat"}, at=at)
    first = commitment["first_response"]
    assert at <= first.target_at <= first.promised_at
    open_now = PROPERTY_POLICY.schedules["berlin"].is_open(at)
    assert commitment.rule == ("chat" if open_now else "email")


@given(case=cases, at=instants)
def test_pure(case: tuple[Policy, Request], at: datetime) -> None:
    policy, request = case
    before = policy.model_dump_json()
    one = quote(policy, request, at=at)
    two = quote(policy, request.model_dump(), at=at.astimezone(NEW_YORK))
    assert isinstance(one, Commitment)
    assert one == two
    assert quote(policy, request, at=at) == one
    assert policy.model_dump_json() == before
