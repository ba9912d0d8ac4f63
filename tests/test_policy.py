"""Policies: the design's policy file, matching, loading, round trips, broken files, lint."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import expectkit.promises.yaml_safety as policy_module
from expectkit.channels import Channel
from expectkit.errors import ExpectkitError, PolicyError
from expectkit.policy import (
    MAX_POLICY_BYTES,
    METRICS,
    Finding,
    Match,
    Policy,
    Request,
    Rule,
    Target,
)
from expectkit.schedule import Schedule
from expectkit.windows import Duration, Window

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "policies").glob("*.yaml"))
BERLIN = ZoneInfo("Europe/Berlin")

# The policy file of DESIGN.md ("Policy file (sketch) and a worked example"), verbatim.
DESIGN_POLICY = """\
schedules:
  berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}, holidays: {country: DE, subdiv: BE}}
channels:
  email:  {kind: email,  mode: async, schedule: berlin}
  chat:   {kind: chat,   mode: live,  schedule: berlin, offline: email}
  social: {kind: social, mode: async, schedule: berlin}
rounding: 15min              # policy default; a target may override it
rules:
  - name: social-complaint
    match: {channel: social, tags: [complaint]}
    first_response: {promise: "3-5 hours"}
  - name: email
    match: {channel: email}
    first_response: {promise: "1-3 business days", target: "1 business day"}
  - name: chat
    match: {channel: chat}
    first_response: {promise: "30 seconds", clock: business, rounding: none}
  - name: default
    first_response: {promise: "2 business days", buffer: {ratio: 0.5}}
"""  # noqa: E501 -- verbatim from DESIGN.md

# The same policy in TOML: it must load equal to the YAML.
DESIGN_POLICY_TOML = """\
rounding = "15min"

[schedules.berlin]
tz = "Europe/Berlin"
weekly = { mon-fri = ["09:00-17:00"] }
holidays = { country = "DE", subdiv = "BE" }

[channels]
email = { kind = "email", mode = "async", schedule = "berlin" }
chat = { kind = "chat", mode = "live", schedule = "berlin", offline = "email" }
social = { kind = "social", mode = "async", schedule = "berlin" }

[[rules]]
name = "social-complaint"
match = { channel = "social", tags = ["complaint"] }
first_response = { promise = "3-5 hours" }

[[rules]]
name = "email"
match = { channel = "email" }
first_response = { promise = "1-3 business days", target = "1 business day" }

[[rules]]
name = "chat"
match = { channel = "chat" }
first_response = { promise = "30 seconds", clock = "business", rounding = "none" }

[[rules]]
name = "default"
first_response = { promise = "2 business days", buffer = { ratio = 0.5 } }
"""


@pytest.fixture(scope="module")
def design() -> Policy:
    return Policy.loads(DESIGN_POLICY, source="design.yaml")


def test_design_policy_is_the_one_in_design_md() -> None:
    # If DESIGN.md's sketch changes, this test's copy (and the quote table test) must follow.
    design_md = ROOT.parent / "shared" / "DESIGN.md"
    if not design_md.exists():
        pytest.skip("shared/DESIGN.md is not beside the repository")
    block = re.search(r"```yaml\n(schedules:.*?)```", design_md.read_text(), re.DOTALL)
    assert block is not None
    assert block.group(1) == DESIGN_POLICY


class TestDesignPolicy:
    def test_loads_with_every_field(self, design: Policy) -> None:
        assert [rule.name for rule in design.rules] == [
            "social-complaint",
            "email",
            "chat",
            "default",
        ]
        assert design.schedules["berlin"].tz == "Europe/Berlin"
        assert design.channels["chat"] == Channel(
            kind="chat", name="chat", mode="live", schedule="berlin", offline="email"
        )
        assert str(design.rounding) == "15min"
        chat = design.rules[2].first_response
        assert chat is not None
        assert chat.promise is not None
        assert chat.promise.clock == "business"  # "30 seconds" read on the target's clock
        assert chat.rounding is not None
        assert str(chat.rounding) == "none"
        default = design.rules[3].first_response
        assert default is not None
        assert default.buffer is not None
        assert default.buffer.kind == "ratio"

    def test_toml_and_json_spellings_load_equal(self, design: Policy) -> None:
        assert Policy.loads(DESIGN_POLICY_TOML, format="toml") == design
        assert Policy.loads(design.dumps("json"), format="json") == design

    def test_window_without_business_counts_on_calendar(self, design: Policy) -> None:
        complaint = design.rules[0].first_response
        assert complaint is not None
        assert complaint.promise == Window.parse("3-5 calendar hours")

    def test_policy_default_clock_applies_to_window_strings(self) -> None:
        text = "default_clock: business\nrules: [{name: r, first_response: {promise: 4 hours}}]"
        target = Policy.loads(text).rules[0].first_response
        assert target is not None
        assert target.promise == Window.parse("4 business hours")

    def test_default_clock_reaches_margins(self) -> None:
        text = (
            "default_clock: business\n"
            "rules: [{name: r, first_response: {promise: 1 day, buffer: {margin: 2 hours}}}]"
        )
        target = Policy.loads(text).rules[0].first_response
        assert target is not None
        assert target.buffer is not None
        assert target.buffer.margin == Duration.parse("2 business hours")


class TestMatch:
    def test_first_match_wins(self, design: Policy) -> None:
        complaint = Request(channel="social", tags=("complaint",))
        rule = design.match(complaint)
        assert rule is not None
        assert rule.name == "social-complaint"
        rule = design.match(Request(channel="social"))
        assert rule is not None
        assert rule.name == "default"

    @pytest.mark.parametrize(
        ("match", "request_", "expected"),
        [
            # every listed tag must be on the request
            ({"tags": ["a", "b"]}, {"channel": "x", "tags": ["a"]}, False),
            ({"tags": ["a", "b"]}, {"channel": "x", "tags": ["b", "a", "c"]}, True),
            # a list of names matches any of them
            ({"channel": ["x", "y"]}, {"channel": "y"}, True),
            ({"priority": ["high", "urgent"]}, {"channel": "x", "priority": "low"}, False),
            # a criterion the request leaves empty does not hold
            ({"segment": "vip"}, {"channel": "x"}, False),
            ({"segment": "vip"}, {"channel": "x", "segment": "vip"}, True),
            # attributes compare by equality, or membership in a list
            ({"attributes": {"region": "emea"}}, {"channel": "x"}, False),
            (
                {"attributes": {"region": ["emea", "apac"]}},
                {"channel": "x", "attributes": {"region": "apac"}},
                True,
            ),
            ({"attributes": {"tier": 2}}, {"channel": "x", "attributes": {"tier": 2}}, True),
            ({"attributes": {"tier": 2}}, {"channel": "x", "attributes": {"tier": "2"}}, False),
            # no criteria: matches every request
            ({}, {"channel": "anything"}, True),
        ],
    )
    def test_criteria(
        self, match: dict[str, Any], request_: dict[str, Any], expected: bool
    ) -> None:
        assert Match(**match).matches(Request(**request_)) is expected

    def test_rules_out_of_force_are_skipped(self) -> None:
        change = datetime(2026, 3, 1, tzinfo=BERLIN)
        policy = Policy(
            rules=[
                {"name": "old", "first_response": {"promise": "48h"}, "effective_until": change},
                {"name": "new", "first_response": {"promise": "24h"}, "effective_from": change},
            ]
        )
        request = Request(channel="email")
        before = policy.match(request, at=change - timedelta(microseconds=1))
        after = policy.match(request, at=change)
        assert before is not None
        assert before.name == "old"
        assert after is not None
        assert after.name == "new"

    def test_no_match_is_none(self, design: Policy) -> None:
        policy = Policy(
            rules=[{"name": "vip", "match": {"segment": "vip"}, "resolution": {"promise": "1 day"}}]
        )
        assert policy.match(Request(channel="email")) is None


class TestModels:
    def test_channel_mode_defaults_from_kind(self) -> None:
        assert Channel(kind="phone", name="p").mode == "live"
        assert Channel(kind="web_form", name="f").mode == "async"
        assert Channel(kind="in_person", name="desk").is_live

    def test_channel_offline_needs_a_live_channel(self) -> None:
        with pytest.raises(PolicyError, match="only a live channel"):
            Channel(kind="email", name="mail", offline="chat")

    def test_request_normalises_tags_and_is_hashable(self) -> None:
        a = Request(channel="x", tags=["b", "a", "b"], attributes={"k": 1})
        b = Request(channel="x", tags=("a", "b"), attributes={"k": 1})
        assert a.tags == ("a", "b")
        assert a == b
        assert hash(a) == hash(b)

    def test_request_rejects_unknown_zone(self) -> None:
        with pytest.raises(PolicyError, match="customer_tz"):
            Request(channel="x", customer_tz="Mars/Olympus")

    def test_request_coerce_rejects_other_types(self) -> None:
        with pytest.raises(PolicyError, match="expected a Request or a mapping"):
            Request.coerce(["email"])  # type: ignore[arg-type]

    def test_target_shapes(self) -> None:
        with pytest.raises(PolicyError, match="give a 'promise'"):
            Target()
        with pytest.raises(PolicyError, match="not both"):
            Target(promise="2 days", target="1 day", buffer={"ratio": 0.5})
        with pytest.raises(PolicyError, match="needs a 'buffer'"):
            Target(target="1 day")
        derived = Target(target="1 day", buffer={"ratio": 0.5})
        assert derived.promise is None

    def test_models_are_frozen_and_hashable(self, design: Policy) -> None:
        with pytest.raises(ExpectkitError, match="immutable"):
            design.rules[0].name = "x"  # type: ignore[misc]
        assert hash(design) == hash(Policy.loads(DESIGN_POLICY))
        assert len({design.rules[0].match, Match(channel="social", tags=["complaint"])}) == 1

    def test_lookups(self, design: Policy) -> None:
        assert design.channel("chat").offline == "email"
        with pytest.raises(PolicyError, match=r"unknown channel 'fax' \(declared: 'chat'"):
            design.channel("fax")
        assert design.schedule(None) == Schedule.always("UTC")
        with pytest.raises(PolicyError, match="unknown schedule"):
            design.schedule("paris")

    def test_rule_metrics_in_order(self) -> None:
        rule = Rule(
            name="all",
            follow_up={"promise": "1 week"},
            first_response={"promise": "1 day"},
        )
        assert [m for m, _ in rule.metrics()] == ["first_response", "follow_up"]
        assert set(METRICS) == {
            "first_response",
            "next_response",
            "resolution",
            "periodic_update",
            "follow_up",
        }

    def test_constructor_errors_are_policy_errors_with_paths(self) -> None:
        with pytest.raises(PolicyError, match=r"rules\[0\]\.first_response\.promise"):
            Policy(rules=[{"name": "r", "first_response": {"promise": "2 dayz"}}])
        with pytest.raises(PolicyError, match=r"channels\.chat\.offline: unknown channel"):
            Policy(
                channels={"chat": {"kind": "chat", "offline": "mail"}},
                rules=[{"name": "r", "first_response": {"promise": "1 day"}}],
            )


class TestRoundTrip:
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_example_files(self, path: Path, fmt: str) -> None:
        policy = Policy.load(path)
        text = policy.dumps(fmt)  # type: ignore[arg-type]
        again = Policy.loads(text, format=fmt)  # type: ignore[arg-type]
        assert again == policy
        assert again.dumps(fmt) == text  # type: ignore[arg-type]

    def test_pydantic_json_round_trip(self, design: Policy) -> None:
        assert Policy.model_validate_json(design.model_dump_json()) == design
        assert Policy.model_validate(design.model_dump()) == design

    def test_dumped_windows_name_their_clock(self, design: Policy) -> None:
        # so a file read back under another default_clock means the same
        text = design.dumps()
        assert "3-5 calendar hours" in text
        assert "30 business seconds" in text
        moved = Policy.loads(
            text.replace("rounding: 15min", "rounding: 15min\ndefault_clock: business")
        )
        assert moved.rules == design.rules

    def test_toml_is_not_written(self, design: Policy) -> None:
        with pytest.raises(PolicyError, match="cannot write format 'toml'"):
            design.dumps("toml")

    def test_file_suffixes(self, tmp_path: Path, design: Policy) -> None:
        for name, text in [
            ("p.yml", DESIGN_POLICY),
            ("p.YAML", DESIGN_POLICY),
            ("p.toml", DESIGN_POLICY_TOML),
            ("p.json", design.dumps("json")),
        ]:
            (tmp_path / name).write_text(text, encoding="utf-8")
            assert Policy.load(tmp_path / name) == design
        (tmp_path / "p.txt").write_text(DESIGN_POLICY, encoding="utf-8")
        assert Policy.load(tmp_path / "p.txt", format="yaml") == design


class TestJsonSchema:
    def test_describes_policy_files(self) -> None:
        schema = Policy.json_schema()
        assert schema["$schema"].endswith("2020-12/schema")
        assert schema["required"] == ["rules"]
        defs = schema["$defs"]
        target = defs["Target"]["properties"]
        assert defs["Window"]["type"] == "string"
        assert target["promise"]["anyOf"][0] == {"$ref": "#/$defs/Window"}
        assert defs["Target"]["additionalProperties"] is False
        assert set(defs["Rule"]["properties"]) >= set(METRICS) | {"name", "match"}
        kinds = defs["Channel"]["properties"]["kind"]["enum"]
        assert "web_form" in kinds
        assert "in_person" in kinds
        json.dumps(schema)  # serialisable as is


# -- broken policy files ---------------------------------------------------------

GOOD_RULE = "rules: [{name: r, first_response: {promise: 1 day}}]\n"
BERLIN_SCHEDULE = 'schedules:\n  berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}\n'

# (id, file name, content, line or None, field path or None, words in the message)
BROKEN: list[tuple[str, str, str | bytes, int | None, str | None, str]] = [
    (
        "yaml-syntax",
        "p.yaml",
        "rules:\n  - name: r\n    first_response: {promise: 1 day\n",
        4,
        None,
        "invalid YAML",
    ),
    (
        "yaml-python-tag",
        "p.yaml",
        GOOD_RULE + "name: !!python/object/apply:os.system ['echo hi']\n",
        2,
        None,
        "YAML tags are not allowed",
    ),
    (
        "yaml-plain-tag",
        "p.yaml",
        GOOD_RULE + "description: !secret x\n",
        2,
        None,
        "YAML tags are not allowed",
    ),
    ("yaml-str-tag", "p.yaml", GOOD_RULE + "name: !!str 5\n", 2, None, "YAML tags are not allowed"),
    (
        "yaml-alias-bomb",
        "p.yaml",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
            for p, c in zip("abcdef", "bcdefg", strict=True)
        )
        + GOOD_RULE,
        1,
        None,
        "expands to",
    ),
    (
        "yaml-recursive-alias",
        "p.yaml",
        "description: &d [*d]\n" + GOOD_RULE,
        1,
        None,
        "refers to a node containing itself",
    ),
    (
        "yaml-duplicate-key",
        "p.yaml",
        "rules:\n  - name: r\n    first_response: {promise: 1 day}\n"
        "    first_response: {promise: 2 days}\n",
        4,
        None,
        "duplicate key 'first_response' (first on line 3)",
    ),
    ("empty-document", "p.yaml", "# nothing here\n", 1, None, "the document is empty"),
    ("not-a-mapping", "p.yaml", "- name: r\n", 1, None, "the document is a list"),
    ("not-utf8", "p.yaml", b"rules:\n  - name: caf\xe9\n", 2, None, "not UTF-8"),
    (
        "unknown-top-field",
        "p.yaml",
        GOOD_RULE + "rulez: []\n",
        2,
        "rulez",
        "Extra inputs are not permitted",
    ),
    (
        "unknown-target-field",
        "p.yaml",
        "rules:\n  - name: r\n    first_response:\n      promise: 1 day\n      promis: 2 days\n",
        5,
        "rules[0].first_response.promis",
        "Extra inputs are not permitted",
    ),
    ("rules-not-a-list", "p.yaml", "rules: {name: r}\n", 1, "rules", "valid tuple"),
    ("no-rules", "p.yaml", "rules: []\n", 1, "rules", "at least one rule"),
    (
        "missing-rule-name",
        "p.yaml",
        "rules:\n  - first_response: {promise: 1 day}\n",
        2,
        "rules[0].name",
        "Field required",
    ),
    (
        "wrong-type-name",
        "p.yaml",
        "rules:\n  - name: [r]\n    resolution: {promise: 1 day}\n",
        2,
        "rules[0].name",
        "valid string",
    ),
    (
        "bad-window",
        "p.yaml",
        "rules:\n  - name: r\n    first_response: {promise: 1-3 buisness days}\n",
        3,
        "rules[0].first_response.promise",
        "did you mean 'business'",
    ),
    (
        "reversed-window",
        "p.yaml",
        "rules:\n  - name: r\n    resolution: {promise: 3-1 days}\n",
        3,
        "rules[0].resolution.promise",
        "runs backwards",
    ),
    (
        "window-not-a-string",
        "p.yaml",
        "rules:\n  - name: r\n    resolution: {promise: 3}\n",
        3,
        "rules[0].resolution.promise",
        "Window",
    ),
    (
        "clock-conflict",
        "p.yaml",
        "rules:\n  - name: r\n    resolution: {clock: calendar, promise: 2 business days}\n",
        3,
        "rules[0].resolution.promise",
        "counts on the business clock",
    ),
    (
        "bad-rounding",
        "p.yaml",
        "rounding: 7min\n" + GOOD_RULE,
        1,
        "rounding.step_minutes",
        "does not divide a day",
    ),
    (
        "bad-buffer-ratio",
        "p.yaml",
        "rules:\n  - name: r\n    resolution:\n      promise: 2 days\n      buffer: {ratio: 1.5}\n",
        5,
        "rules[0].resolution.buffer.ratio",
        "must lie in (0, 1]",
    ),
    (
        "target-and-buffer",
        "p.yaml",
        "rules:\n  - name: r\n"
        "    resolution: {promise: 2 days, target: 1 day, buffer: {ratio: 0.5}}\n",
        3,
        "rules[0].resolution",
        "not both",
    ),
    (
        "lead-time-buffer",
        "p.yaml",
        "rules:\n  - name: r\n"
        "    follow_up: {promise: 3 days, direction: before, buffer: {ratio: 0.5}}\n",
        3,
        "rules[0].follow_up",
        "lead time",
    ),
    (
        "bad-direction",
        "p.yaml",
        "rules:\n  - name: r\n    follow_up: {promise: 3 days, direction: sideways}\n",
        3,
        "rules[0].follow_up.direction",
        "'after' or 'before'",
    ),
    (
        "bad-zone",
        "p.yaml",
        "schedules:\n  b: {tz: Mars/Base, weekly: {mon: [09:00-17:00]}}\n" + GOOD_RULE,
        2,
        "schedules.b.tz",
        "Mars/Base",
    ),
    (
        "bad-hours",
        "p.yaml",
        'schedules:\n  b:\n    tz: UTC\n    weekly: {mon: ["09:00-25:00"]}\n' + GOOD_RULE,
        4,
        "schedules.b.weekly",
        "25:00",
    ),
    (
        "bad-channel-kind",
        "p.yaml",
        "channels:\n  fax: {kind: fax}\n" + GOOD_RULE,
        2,
        "channels.fax.kind",
        "'email', 'chat'",
    ),
    (
        "async-offline",
        "p.yaml",
        "channels:\n  email: {kind: email, offline: web}\n  web: {kind: web_form}\n" + GOOD_RULE,
        2,
        "channels.email",
        "only a live channel",
    ),
    (
        "unknown-offline",
        "p.yaml",
        "channels:\n  chat: {kind: chat, offline: email}\n" + GOOD_RULE,
        2,
        "channels.chat.offline",
        "unknown channel 'email' (declared: 'chat')",
    ),
    (
        "offline-loop",
        "p.yaml",
        "channels:\n  chat: {kind: chat, offline: phone}\n  phone: {kind: phone, offline: chat}\n"
        + GOOD_RULE,
        2,
        "channels.chat.offline",
        "chat -> phone -> chat",
    ),
    (
        "unknown-channel-in-rule",
        "p.yaml",
        "channels:\n  email: {kind: email}\nrules:\n  - name: r\n    match: {channel: emial}\n"
        "    first_response: {promise: 1 day}\n",
        5,
        "rules[0].match.channel",
        "unknown channel 'emial' (declared: 'email')",
    ),
    (
        "unknown-channel-schedule",
        "p.yaml",
        BERLIN_SCHEDULE + "channels:\n  email: {kind: email, schedule: paris}\n" + GOOD_RULE,
        4,
        "channels.email.schedule",
        "unknown schedule 'paris' (declared: 'berlin')",
    ),
    (
        "unknown-target-schedule",
        "p.yaml",
        BERLIN_SCHEDULE
        + "rules:\n  - name: r\n    first_response: {promise: 1 day, schedule: x}\n",
        5,
        "rules[0].first_response.schedule",
        "unknown schedule 'x'",
    ),
    (
        "unknown-default-schedule",
        "p.yaml",
        "default_schedule: x\n" + GOOD_RULE,
        1,
        "default_schedule",
        "unknown schedule 'x'",
    ),
    (
        "channel-name-mismatch",
        "p.yaml",
        "channels:\n  email: {kind: email, name: mail}\n" + GOOD_RULE,
        2,
        "channels.email.name",
        "the key is its name",
    ),
    (
        "duplicate-rule-name",
        "p.yaml",
        "rules:\n  - name: r\n    resolution: {promise: 1 day}\n  - name: r\n"
        "    resolution: {promise: 2 days}\n",
        4,
        "rules[1].name",
        "used by rules[0] already",
    ),
    (
        "naive-effective-date",
        "p.yaml",
        "rules:\n  - name: r\n    resolution: {promise: 1 day}\n    effective_from: 2026-01-01\n",
        4,
        "rules[0].effective_from",
        "no UTC offset",
    ),
    (
        "reversed-period",
        "p.yaml",
        "effective_from: 2026-06-01T00:00:00Z\neffective_until: 2026-01-01T00:00:00Z\n" + GOOD_RULE,
        1,
        "effective_from",
        "ends (2026-01-01T00:00:00+00:00) before it starts",
    ),
    (
        "bad-match-field",
        "p.yaml",
        "rules:\n  - name: r\n    match: {channels: email}\n    resolution: {promise: 1 day}\n",
        3,
        "rules[0].match.channels",
        "Extra inputs are not permitted",
    ),
    (
        "json-syntax",
        "p.json",
        '{\n  "rules": [\n    {"name": "r",}\n  ]\n}\n',
        3,
        None,
        "invalid JSON",
    ),
    (
        "json-unknown-field",
        "p.json",
        '{\n  "rules": [\n    {\n      "name": "r",\n      "first_response": {"promise": "1 day"},'
        '\n      "priority": 2\n    }\n  ]\n}\n',
        6,
        "rules[0].priority",
        "Extra inputs are not permitted",
    ),
    (
        "json-bad-window",
        "p.json",
        '{"rules": [\n {"name": "r",\n  "resolution": {"promise": "2 fortnights"}}]}',
        3,
        "rules[0].resolution.promise",
        "unknown unit",
    ),
    (
        "toml-syntax",
        "p.toml",
        'rounding = "15min"\nrules = [\n  {name = "r"\n]\n',
        3,
        None,
        "invalid TOML",
    ),
    (
        "toml-bad-window",
        "p.toml",
        'rounding = "15min"\n\n[[rules]]\nname = "a"\nresolution = { promise = "1 day" }\n\n'
        '[[rules]]\nname = "b"\nresolution = { promise = "1 dya" }\n',
        9,
        "rules[1].resolution.promise",
        "unknown unit",
    ),
    (
        "toml-unknown-table-field",
        "p.toml",
        '[[rules]]\nname = "a"\n[rules.resolution]\npromise = "1 day"\nbufer = 0.5\n',
        5,
        "rules[0].resolution.bufer",
        "Extra inputs are not permitted",
    ),
    ("unknown-suffix", "p.ini", GOOD_RULE, None, None, "unknown policy file suffix '.ini'"),
]


@pytest.mark.parametrize(
    ("name", "content", "line", "field", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN],
)
def test_broken_file(
    tmp_path: Path,
    name: str,
    content: str | bytes,
    line: int | None,
    field: str | None,
    words: str,
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        Policy.load(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    if line is not None:
        assert f"{path}, line {line}" in message, message
    if field is not None:
        assert f", {field}:" in message or f"line {line}, {field}" in message, message
    assert words in message, message
    # no dependency exception escapes, and the original is chained for debugging
    assert isinstance(caught.value, ExpectkitError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("name", "content", "line", "field", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN if case[0].startswith("yaml-")],
)
def test_pure_python_yaml_reader_refuses_the_same(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    content: str,
    line: int,
    field: str | None,
    words: str,
) -> None:
    # without PyYAML's C extension the policy is read by the pure-Python safe loader
    monkeypatch.setattr(policy_module, "_LIBYAML", False)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(f"{path}, line {line}: ")) as caught:
        Policy.load(path)
    assert words in str(caught.value)


def test_pure_python_yaml_reader_loads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = Policy.loads(DESIGN_POLICY)
    monkeypatch.setattr(policy_module, "_LIBYAML", False)
    assert Policy.loads(DESIGN_POLICY) == fast


def test_at_least_twenty_kinds_of_broken_files() -> None:
    assert len({case[0] for case in BROKEN}) >= 20


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"p\.yaml: cannot read the policy file"):
        Policy.load(tmp_path / "p.yaml")


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(GOOD_RULE + "#" * MAX_POLICY_BYTES, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"the limit is 1,048,576 bytes"):
        Policy.load(path)
    with pytest.raises(PolicyError, match=r"<string>: the policy is"):
        Policy.loads(path.read_text(encoding="utf-8"))
    assert Policy.load(path, max_bytes=2 * MAX_POLICY_BYTES).rules[0].name == "r"


def test_validation_errors_chain_the_original() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.loads("rules: [{name: r, resolution: {promise: 1 weak}}]")
    assert caught.value.__cause__ is not None


def test_several_problems_are_all_named() -> None:
    text = "rules:\n  - name: r\n    resolution: {promise: 1 weak}\n  - name: [s]\n"
    with pytest.raises(PolicyError) as caught:
        Policy.loads(text)
    message = str(caught.value)
    assert "line 3, rules[0].resolution.promise" in message
    assert "line 4, rules[1].name" in message


def test_yaml_merge_keys_and_small_aliases_are_fine() -> None:
    text = (
        "schedules:\n"
        "  a: &hours {tz: UTC, weekly: {mon-fri: ['09:00-17:00']}}\n"
        "  b: {<<: *hours, tz: Europe/Oslo}\n"
        "  c: *hours\n" + GOOD_RULE
    )
    policy = Policy.loads(text)
    assert policy.schedules["b"].tz == "Europe/Oslo"
    assert policy.schedules["c"] == policy.schedules["a"]
    with pytest.raises(PolicyError, match="line 1, x-hours: Extra inputs"):
        Policy.loads("x-hours: &h {tz: UTC}\n" + GOOD_RULE)  # unknown keys stay refused


# -- lint ------------------------------------------------------------------------

MONDAY = datetime(2026, 11, 23, tzinfo=BERLIN)


class TestLint:
    def test_design_and_example_policies_are_clean(self, design: Policy) -> None:
        assert design.lint(at=MONDAY) == []
        for path in EXAMPLES:
            assert Policy.load(path).lint(at=MONDAY) == [], path.name

    def test_shadowed_rule(self) -> None:
        policy = Policy.loads(
            BERLIN_SCHEDULE + "channels: {email: {kind: email}, chat: {kind: chat}}\n"
            "rules:\n"
            "  - {name: mail, match: {channel: email}, first_response: {promise: 1 day}}\n"
            "  - {name: vip-mail, match: {channel: email, segment: vip},"
            " first_response: {promise: 1h}}\n"
            "  - {name: both, match: {channel: [email, chat]}, first_response: {promise: 2h}}\n"
            "  - {name: all, first_response: {promise: 1 day}}\n"
            "  - {name: never, match: {tags: [x]}, first_response: {promise: 1 day}}\n"
        )
        findings = policy.lint(at=MONDAY)
        # 'both' names every declared channel, so it covers the catch-all 'all' too
        assert [(f.code, f.path) for f in findings] == [
            ("shadowed-rule", "rules[1]"),
            ("shadowed-rule", "rules[3]"),
            ("shadowed-rule", "rules[4]"),
        ]
        assert "rules[0] 'mail'" in findings[0].message
        assert "rules[2] 'both'" in findings[1].message

    def test_catch_all_over_declared_channels_shadows(self) -> None:
        policy = Policy(
            channels={"email": {"kind": "email"}, "chat": {"kind": "chat"}},
            rules=[
                {
                    "name": "both",
                    "match": {"channel": ["email", "chat"]},
                    "first_response": {"promise": "1h"},
                },
                {"name": "all", "first_response": {"promise": "1 day"}},
            ],
        )
        assert [f.path for f in policy.lint(at=MONDAY)] == ["rules[1]"]

    def test_later_rule_in_force_longer_is_not_shadowed(self) -> None:
        change = datetime(2026, 3, 1, tzinfo=UTC)
        policy = Policy(
            rules=[
                {"name": "old", "first_response": {"promise": "48h"}, "effective_until": change},
                {"name": "new", "first_response": {"promise": "24h"}},
            ]
        )
        assert policy.lint(at=datetime(2026, 1, 1, tzinfo=UTC)) == []

    def test_unmatched_requests(self) -> None:
        policy = Policy(
            channels={"email": {"kind": "email"}, "chat": {"kind": "chat"}},
            rules=[
                {
                    "name": "mail",
                    "match": {"channel": "email"},
                    "first_response": {"promise": "1 day"},
                },
                {
                    "name": "urgent-chat",
                    "match": {"channel": "chat", "priority": "urgent"},
                    "first_response": {"promise": "1 min"},
                },
            ],
        )
        findings = policy.lint(at=MONDAY)
        assert [f.code for f in findings] == ["unmatched-request"]
        assert "channel='chat'" in findings[0].message
        assert "priority" not in findings[0].message

    def test_unmatched_after_a_rule_expires(self) -> None:
        end = datetime(2027, 1, 1, tzinfo=UTC)
        policy = Policy(
            rules=[{"name": "r", "first_response": {"promise": "1 day"}, "effective_until": end}]
        )
        findings = policy.lint(at=MONDAY)
        assert [f.code for f in findings] == ["unmatched-request"]
        assert "2027-01-01" in findings[0].message

    def test_target_later_than_promise(self) -> None:
        policy = Policy(
            schedules={"b": {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}}},
            default_schedule="b",
            rules=[
                {
                    "name": "r",
                    "first_response": {"promise": "48 hours", "target": "2 business days"},
                }
            ],
        )
        findings = policy.lint(at=MONDAY)
        assert [(f.code, f.path, f.severity) for f in findings] == [
            ("target-after-promise", "rules[0].first_response.target", "error")
        ]

    def test_schedule_that_never_opens(self) -> None:
        policy = Policy(
            schedules={
                "closed": {
                    "tz": "UTC",
                    "weekly": {"mon-fri": ["09:00-17:00"]},
                    "closed": ["2026-01-01..2027-12-31"],
                    "horizon": timedelta(days=90),
                }
            },
            rules=[{"name": "r", "first_response": {"promise": "1 day", "schedule": "closed"}}],
        )
        findings = policy.lint(at=datetime(2026, 6, 1, tzinfo=UTC))
        assert [(f.code, f.path) for f in findings] == [
            ("schedule-never-opens", "schedules.closed")
        ]

    def test_reversed_window_built_without_validation(self) -> None:
        # Parsed windows refuse low > high; lint still checks windows built around it.
        reversed_window = Window.model_construct(
            low=Duration.parse("3 days"), high=Duration.parse("1 day")
        )
        target = Target.model_construct(
            promise=reversed_window,
            target=None,
            buffer=None,
            clock=None,
            schedule=None,
            rounding=None,
            day_mode="end_of_day",
            direction="after",
        )
        rule = Rule(name="r", first_response={"promise": "1 day"}).model_copy(
            update={"first_response": target}
        )
        policy = Policy(rules=[rule])
        findings = policy.lint(at=MONDAY)
        assert [(f.code, f.path) for f in findings] == [
            ("window-reversed", "rules[0].first_response.promise")
        ]

    def test_naive_at_is_refused(self, design: Policy) -> None:
        with pytest.raises(PolicyError, match="naive"):
            design.lint(at=datetime(2026, 1, 1))

    def test_finding_text(self) -> None:
        finding = Finding("shadowed-rule", "rules[1]", "never applies")
        assert str(finding) == "rules[1]: shadowed-rule: never applies"
        assert finding.severity == "warning"


@pytest.mark.parametrize(
    ("promise", "target"),
    [
        ("1 day", "2 days"),  # same clock and unit
        ("4 hours", "1-5 hours"),  # the range's upper end binds
        ("1 week", "8 days"),  # weeks and days compare exactly
    ],
)
def test_target_provably_longer_than_promise_is_refused(promise: str, target: str) -> None:
    with pytest.raises(PolicyError, match="longer than promise"):
        Target(promise=promise, target=target)


def test_target_that_only_the_date_can_compare_is_accepted() -> None:
    # Business days against business hours: which is later depends on the start.
    target = Target(promise="8 business hours", target="1 business day")
    assert target.target is not None


def test_json_schema_descriptions_are_prose_for_editors() -> None:
    descriptions: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                descriptions.append(node["description"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(Policy.json_schema())
    assert descriptions
    for text in descriptions:
        assert ">>>" not in text
        assert "Args:" not in text
        assert ":class:" not in text
