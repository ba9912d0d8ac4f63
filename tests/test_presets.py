"""Presets: every customer-expectation situation and channel default, each quoted once."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from expectkit.calculator import quote
from expectkit.errors import PolicyError
from expectkit.policy import Policy
from expectkit.presets import Preset, load_preset, preset_names
from expectkit.windows import Window

BERLIN = ZoneInfo("Europe/Berlin")
SITUATIONS = (
    "booking_confirmation",
    "chat_first_response",
    "email_reply",
    "feedback_request",
    "order_status",
    "product_updates",
    "promotion_notice",
    "return_request",
    "routine_question",
    "service_completion",
    "social_complaint",
)
CHANNELS = ("chat", "email", "phone", "social")


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=BERLIN)


FRIDAY = at(11, 20, 16, 30)


def policy_for(preset: Preset) -> Policy:
    """The preset as the only rule of a policy on Berlin office hours (Mon-Fri 09-17)."""
    return Policy(
        schedules={
            "office": {
                "tz": "Europe/Berlin",
                "weekly": {"mon-fri": ["09:00-17:00"]},
                "holidays": {"country": "DE", "subdiv": "BE"},
            }
        },
        default_schedule="office",
        rules=[preset.rule()],
    )


def test_every_situation_and_channel_is_shipped() -> None:
    assert preset_names("situation") == SITUATIONS
    assert preset_names("channel") == CHANNELS
    assert preset_names() == tuple(sorted(SITUATIONS + CHANNELS))


@pytest.mark.parametrize("name", SITUATIONS + CHANNELS)
def test_every_preset_names_its_source(name: str) -> None:
    preset = load_preset(name)
    assert preset.name == name
    assert len(preset.source) > 60
    assert preset.summary


@pytest.mark.parametrize(
    ("name", "window"),
    [("email", "24 hours"), ("social", "1 hour"), ("chat", "1 minute"), ("phone", "3 minutes")],
)
def test_channel_defaults(name: str, window: str) -> None:
    preset = load_preset(name)
    assert preset.kind == "channel"
    assert preset.channel is not None
    assert preset.channel.name == preset.channel.kind == name
    assert preset.metric == "first_response"
    assert preset.target.promise is not None
    assert str(preset.target.promise).replace("business ", "") == window
    # live channels count only while staffed; messages count on the calendar
    assert preset.target.promise.clock == ("business" if preset.channel.is_live else "calendar")


def test_benchmarks_are_the_published_ones() -> None:
    email = load_preset("email").benchmarks
    assert {k: str(v) for k, v in email.items()} == {
        "good": "12 hours",
        "better": "4 hours",
        "best": "1 hour",
    }
    assert load_preset("chat").benchmarks["best"] == Window.parse("1 business minute")
    assert load_preset("phone").benchmarks == {}
    assert "none of the benchmarks" in load_preset("phone").source  # honest about it


def test_unknown_preset() -> None:
    with pytest.raises(PolicyError, match="unknown preset 'fax'; known: booking_confirmation"):
        load_preset("fax")


def test_data_files_are_package_resources() -> None:
    folder = resources.files("expectkit.presets")
    assert folder.joinpath("channels.yaml").is_file()
    assert folder.joinpath("situations.yaml").is_file()


def test_rule_from_a_channel_preset_matches_its_channel() -> None:
    rule = load_preset("social").rule(name="social-first-reply")
    assert rule.name == "social-first-reply"
    assert rule.match.channel == ("social",)
    assert load_preset("order_status").rule(match={"tags": ["order"]}).match.tags == ("order",)


# One scenario per situation: the preset quoted on Berlin office hours.
# (preset, quoted at, metric, promised_range)
SCENARIOS = [
    pytest.param(
        "routine_question",
        FRIDAY,
        "first_response",
        (at(11, 23, 17), at(11, 25, 17)),
        id="routine_question: Fri 16:30 + 1-3 business days",
    ),
    pytest.param(
        "service_completion",
        FRIDAY,
        "resolution",
        (at(11, 27, 16, 30), at(11, 27, 16, 30)),
        id="service_completion: a calendar week",
    ),
    pytest.param(
        "return_request",
        at(1, 30, 10),
        "resolution",
        (at(2, 28, 10), at(2, 28, 10)),
        id="return_request: a month from 30 Jan clamps to 28 Feb",
    ),
    pytest.param(
        "order_status",
        FRIDAY,
        "first_response",
        (at(11, 22, 16, 30), at(11, 22, 16, 30)),
        id="order_status: 48 real hours, over the weekend",
    ),
    pytest.param(
        "social_complaint",
        FRIDAY,
        "first_response",
        (at(11, 20, 19, 30), at(11, 20, 21, 30)),
        id="social_complaint: 3-5 hours, after closing",
    ),
    pytest.param(
        "booking_confirmation",
        FRIDAY,
        "first_response",
        (at(11, 23, 17), at(11, 24, 17)),
        id="booking_confirmation: 1-2 business days",
    ),
    pytest.param(
        "feedback_request",
        at(11, 24, 15),
        "follow_up",
        (at(12, 1, 15), at(12, 1, 15)),
        id="feedback_request: a week after the service is completed",
    ),
    pytest.param(
        "product_updates",
        FRIDAY,
        "periodic_update",
        (at(12, 20, 16, 30), datetime(2027, 1, 20, 16, 30, tzinfo=BERLIN)),
        id="product_updates: every 1-2 months",
    ),
    pytest.param(
        "email_reply",
        at(11, 20, 18),
        "first_response",
        (at(11, 24, 17), at(11, 26, 17)),
        id="email_reply: after hours counts from Monday",
    ),
    pytest.param(
        "promotion_notice",
        at(11, 30, 9),
        "follow_up",
        (at(11, 25, 9), at(11, 27, 9)),
        id="promotion_notice: 3-5 days before the promotion starts",
    ),
    pytest.param(
        "chat_first_response",
        at(11, 20, 16, 59, 45),
        "first_response",
        (at(11, 23, 9, 0, 15), at(11, 23, 9, 0, 15)),
        id="chat_first_response: 30 staffed seconds across the weekend",
    ),
]


@pytest.mark.parametrize(("name", "when", "metric", "promised_range"), SCENARIOS)
def test_situation(
    name: str, when: datetime, metric: str, promised_range: tuple[datetime, datetime]
) -> None:
    preset = load_preset(name)
    assert preset.kind == "situation"
    assert preset.metric == metric
    commitment = quote(policy_for(preset), {"channel": "email"}, at=when)
    assert list(commitment.metrics) == [metric]
    quoted = commitment.metrics[preset.metric]
    assert quoted.promised_range == promised_range
    # no rounding in these policies: the told time is the binding end of the range
    assert quoted.promised_at == quoted.exact_promised_at
    assert quoted.target_at == quoted.exact_promised_at


def test_every_situation_has_a_scenario() -> None:
    assert sorted(str(p.values[0]) for p in SCENARIOS) == sorted(SITUATIONS)


@pytest.mark.parametrize(
    ("name", "when", "due"),
    [
        ("email", FRIDAY, at(11, 21, 16, 30)),
        ("social", FRIDAY, at(11, 20, 17, 30)),
        ("chat", at(11, 20, 16, 59, 30), at(11, 23, 9, 0, 30)),
        ("phone", at(11, 20, 16, 59), at(11, 23, 9, 2)),
    ],
)
def test_channel_preset_scenario(name: str, when: datetime, due: datetime) -> None:
    preset = load_preset(name)
    first = quote(policy_for(preset), {"channel": name}, at=when)["first_response"]
    assert first.promised_at == due
