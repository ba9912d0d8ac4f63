"""Importers: vendor exports in, a policy (and events) out, everything unmapped reported."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from expectkit import Clock, Policy, quote
from expectkit.cli import app
from expectkit.errors import ExpectkitError, ImportFormatError
from expectkit.importers import (
    RAILS_ZONES,
    ImportResult,
    iana_zone,
    import_freshdesk,
    import_jsm,
    import_zendesk,
)
from expectkit.importers._jql import JqlError, parse_jql

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "imports"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "importers"
NEW_YORK = ZoneInfo("America/New_York")


def _files(vendor: str) -> list[Path]:
    return sorted((EXAMPLES / vendor).glob("*.json"))


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _due(result: ImportResult, request: dict[str, Any], at: datetime, metric: str) -> datetime:
    return quote(result.policy, request, at=at).metrics[metric].promised_at  # type: ignore[index]


def _where(result: ImportResult) -> list[tuple[str, str, str]]:
    return [(Path(f.source).name, f.path, f.code) for f in result.findings]


@pytest.fixture(scope="module")
def zendesk() -> ImportResult:
    return import_zendesk(_files("zendesk"))


@pytest.fixture(scope="module")
def freshdesk() -> ImportResult:
    return import_freshdesk(_files("freshdesk"), holiday_years=[2026])


@pytest.fixture(scope="module")
def jsm() -> ImportResult:
    return import_jsm(_files("jsm"), holiday_years=range(2026, 2028))


class TestZendeskPolicy:
    @pytest.mark.parametrize(
        ("created", "due"),
        [
            # why: 30 business minutes left on Friday, the other 30 on Monday from 09:00
            (datetime(2026, 11, 20, 16, 30, tzinfo=NEW_YORK), datetime(2026, 11, 23, 9, 30)),
            # why: Thanksgiving and the day after are holidays of the schedule
            (datetime(2026, 11, 25, 16, 30, tzinfo=NEW_YORK), datetime(2026, 11, 30, 9, 30)),
            # why: before opening, the hour counts from 09:00
            (datetime(2026, 11, 23, 7, 0, tzinfo=NEW_YORK), datetime(2026, 11, 23, 10, 0)),
        ],
    )
    def test_urgent_incident_first_reply_in_60_business_minutes(
        self, zendesk: ImportResult, created: datetime, due: datetime
    ) -> None:
        request = {"channel": "mail", "priority": "urgent", "attributes": {"type": "incident"}}
        got = _due(zendesk, request, created, "first_response")
        assert got == due.replace(tzinfo=NEW_YORK)
        assert got.tzinfo == NEW_YORK

    def test_rules_follow_positions_and_priorities(self, zendesk: ImportResult) -> None:
        assert [r.name for r in zendesk.policy.rules] == [
            *(f"incidents-{p}" for p in ("urgent", "high", "normal", "low")),
            *(f"silver-plan-{p}-{n}" for p in ("urgent", "high", "normal", "low") for n in (1, 2)),
            *(f"everyone-else-{p}" for p in ("urgent", "high", "normal", "low")),
        ]
        first = zendesk.policy.rules[0].match
        assert first.channel == ("mail", "web_form")
        assert first.attributes == {"type": ("incident",)}

    def test_a_policy_without_a_target_for_the_priority_still_wins(
        self, zendesk: ImportResult
    ) -> None:
        # Zendesk applies the first matching policy even when it sets no target for
        # the ticket's priority: a low incident gets no first reply target.
        at = datetime(2026, 11, 23, 10, 0, tzinfo=NEW_YORK)
        request = {"channel": "mail", "priority": "low", "attributes": {"type": "incident"}}
        commitment = quote(zendesk.policy, request, at=at)
        assert (commitment.rule, dict(commitment.metrics)) == ("incidents-low", {})

    def test_tags_include_any_and_calendar_targets(self, zendesk: ImportResult) -> None:
        at = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # a Saturday: calendar time runs
        request = {
            "channel": "web_form",
            "priority": "urgent",
            "tags": ["priority_support"],
            "attributes": {"organization_id": 1234},
        }
        assert quote(zendesk.policy, request, at=at).rule == "silver-plan-urgent-2"
        assert _due(zendesk, request, at, "first_response") == datetime(
            2026, 11, 21, 12, 30, tzinfo=UTC
        )

    def test_metrics_map_with_their_pauses(self, zendesk: ImportResult) -> None:
        rules = {r.name: r for r in zendesk.policy.rules}
        silver = rules["silver-plan-urgent-1"]
        assert str(silver.periodic_update.promise) == "1 hour"  # type: ignore[union-attr]
        assert str(silver.agent_work.promise) == "4 business hours"  # type: ignore[union-attr]
        resolution = rules["everyone-else-normal"].resolution
        assert resolution is not None
        assert (str(resolution.promise), resolution.pause_on) == ("168 hours", ())

    def test_schedules_and_holidays(self, zendesk: ImportResult) -> None:
        east = zendesk.policy.schedules["east-coast"]
        assert (east.tz, east.weekly) == ("America/New_York", {"mon-fri": ("09:00-17:00",)})
        assert zendesk.policy.default_schedule == "east-coast"
        assert zendesk.policy.schedules["london"].tz == "Europe/London"

    def test_everything_unmapped_is_reported(self, zendesk: ImportResult) -> None:
        assert _where(zendesk) == [
            ("schedules.json", "schedules[1]", "schedule"),
            ("sla_policies.json", "sla_policies[1].filter.any[1]", "condition"),
            ("sla_policies.json", "sla_policies[2].filter.all[0]", "condition"),
            *[("ticket_metric_events.json", "ticket_metric_events", "event")] * 5,
        ]
        assert "'status' 'less_than' 'solved'" in zendesk.findings[2].message
        assert not any(r.name.startswith("open-follow-ups") for r in zendesk.policy.rules)

    def test_the_policy_file_reads_back_equal(self, zendesk: ImportResult) -> None:
        assert Policy.loads(zendesk.policy.dumps()) == zendesk.policy

    def test_priority_operators_via_ids_and_unknown_metrics(self) -> None:
        result = import_zendesk([FIXTURES / "zendesk_priority_filters.json"])
        assert [(r.name, r.match.priority, r.match.channel) for r in result.policy.rules] == [
            ("above-normal-urgent", ("urgent",), None),
            ("above-normal-high", ("high",), None),
            ("chat-or-voicemail-urgent", ("urgent",), ("chat",)),
            ("chat-or-voicemail-high", ("high",), ("chat",)),
            ("chat-or-voicemail-normal", ("normal",), ("chat",)),
            ("chat-or-voicemail-low", ("low",), ("chat",)),
        ]
        assert [(f.path, f.code) for f in result.findings] == [
            ("sla_policies[0].policy_metrics[3].metric", "metric"),
            ("sla_policies[1].filter.any[1]", "condition"),
        ]
        assert "via types table" in result.findings[1].message


class TestZendeskEvents:
    def test_metric_events_become_ticket_events(self, zendesk: ImportResult) -> None:
        assert [(e.ticket, e.type, e.at.isoformat()) for e in zendesk.events] == [
            ("155", "created", "2026-11-20T21:30:00+00:00"),
            ("155", "agent_reply", "2026-11-23T14:20:00+00:00"),
            ("155", "status", "2026-11-23T14:20:00+00:00"),
            ("155", "customer_message", "2026-11-23T16:00:00+00:00"),
            ("155", "status", "2026-11-23T16:00:00+00:00"),
            ("155", "agent_reply", "2026-11-23T16:45:00+00:00"),
            ("155", "status", "2026-11-24T15:00:00+00:00"),
            ("156", "created", "2026-11-23T13:00:00+00:00"),
            ("156", "agent_reply", "2026-11-23T17:00:00+00:00"),
        ]
        created = zendesk.events[0]
        assert created.model_dump(include={"channel", "priority", "tags"}) == {
            "channel": "mail",
            "priority": "urgent",
            "tags": ("checkout",),
        }
        statuses = [getattr(e, "status", None) for e in zendesk.events if e.type == "status"]
        assert statuses == ["pending", "open", "solved"]

    def test_events_replay_in_the_clock(self, zendesk: ImportResult) -> None:
        clock = Clock(zendesk.policy)
        report = clock.replay(list(zendesk.events))
        assert (report.events_used, report.tickets) == (9, 2)
        at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        states = {
            (t, m): (s.rule, s.state)
            for t in ("155", "156")
            for m, s in clock.status(t, at).items()
        }
        assert states == {
            ("155", "first_response"): ("incidents-urgent", "met_target"),
            ("155", "next_response"): ("incidents-urgent", "met_target"),
            ("155", "requester_wait"): ("incidents-urgent", "met_target"),
            # why: created 08:00, due 11:00 (2 business hours from 09:00), replied 12:00
            ("156", "first_response"): ("incidents-high", "breached"),
            ("156", "requester_wait"): ("incidents-high", "breached"),
        }
        first = clock.status("155", at)["first_response"]
        assert first.breach_at == datetime(2026, 11, 23, 9, 30, tzinfo=NEW_YORK)

    def test_on_hold_reopen_and_tickets_without_a_record(self, tmp_path: Path) -> None:
        def ev(metric: str, kind: str, time: str, instance: int = 1) -> dict[str, Any]:
            return {
                "ticket_id": 7,
                "metric": metric,
                "instance_id": instance,
                "type": kind,
                "time": time,
            }

        events = _write(
            tmp_path,
            "events.json",
            {
                "ticket_metric_events": [
                    ev("requester_wait_time", "activate", "2026-11-23T14:00:00Z"),
                    ev("agent_work_time", "activate", "2026-11-23T14:00:00Z"),
                    ev(
                        "agent_work_time", "pause", "2026-11-23T15:00:00Z"
                    ),  # on-hold: only agent work
                    ev("agent_work_time", "activate", "2026-11-23T16:00:00Z"),
                    ev("requester_wait_time", "fulfill", "2026-11-23T17:00:00Z"),
                    ev("agent_work_time", "fulfill", "2026-11-23T17:00:00Z"),
                    ev("requester_wait_time", "activate", "2026-11-24T09:00:00Z"),  # reopened
                ]
            },
        )
        result = import_zendesk([FIXTURES / "zendesk_priority_filters.json", events])
        assert [(e.type, getattr(e, "status", None)) for e in result.events] == [
            ("created", None),
            ("status", "on_hold"),
            ("status", "open"),
            ("status", "solved"),
            ("reopened", None),
        ]
        assert result.events[0].channel == "unknown"  # type: ignore[union-attr]
        assert "not in a tickets export" in result.findings[-1].message


class TestZendeskErrors:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({"macros": []}, "bad.json: not a Zendesk export this importer reads"),
            (
                {
                    "sla_policies": [
                        {
                            "title": "x",
                            "policy_metrics": [
                                {"priority": "urgent", "metric": "first_reply_time", "target": "1h"}
                            ],
                        }
                    ]
                },
                "bad.json: sla_policies[0].policy_metrics[0].target: '1h': expected minutes",
            ),
            (
                {
                    "sla_policies": [
                        {
                            "title": "x",
                            "policy_metrics": [
                                {"priority": "p1", "metric": "first_reply_time", "target": 5}
                            ],
                        }
                    ]
                },
                "sla_policies[0].policy_metrics[0].priority: 'p1': expected one of urgent",
            ),
            (
                {
                    "sla_policies": [
                        {
                            "title": "x",
                            "policy_metrics": [
                                {
                                    "priority": "urgent",
                                    "metric": "first_reply_time",
                                    "target": 5,
                                    "business_hours": True,
                                }
                            ],
                        }
                    ]
                },
                "business_hours: the target counts business hours; give the schedules export",
            ),
            (
                {"sla_policies": [{"policy_metrics": []}]},
                "bad.json: sla_policies[0].title: missing",
            ),
        ],
    )
    def test_bad_policies_name_the_file_and_field(
        self, tmp_path: Path, data: object, expected: str
    ) -> None:
        with pytest.raises(ImportFormatError) as caught:
            import_zendesk([_write(tmp_path, "bad.json", data)])
        assert expected in str(caught.value)
        assert str(caught.value).startswith(str(tmp_path))

    @pytest.mark.parametrize(
        ("schedule", "expected"),
        [
            (
                {
                    "name": "a",
                    "time_zone": "Eastern",
                    "intervals": [{"start_time": 540, "end_time": 600}],
                },
                "schedules[0].time_zone: 'Eastern': not a Rails time-zone name",
            ),
            (
                {
                    "name": "a",
                    "time_zone": "UTC",
                    "intervals": [{"start_time": 1400, "end_time": 1500}],
                },
                "intervals[0]: {'start_time': 1400, 'end_time': 1500}: an interval runs",
            ),
            (
                {"name": "a", "time_zone": "UTC", "intervals": []},
                "schedules[0].intervals: []: a schedule needs at least one interval",
            ),
        ],
    )
    def test_bad_schedules(self, tmp_path: Path, schedule: object, expected: str) -> None:
        policies = FIXTURES / "zendesk_priority_filters.json"
        with pytest.raises(ImportFormatError) as caught:
            import_zendesk([policies, _write(tmp_path, "s.json", {"schedules": [schedule]})])
        assert expected in str(caught.value)

    def test_holidays_of_which_schedule(self, tmp_path: Path) -> None:
        files = [*_files("zendesk")]
        files[0] = _write(tmp_path, "holidays.json", {"holidays": [{"start_date": "2026-12-24"}]})
        with pytest.raises(ImportFormatError, match="there are 2 schedules; add a top-level"):
            import_zendesk(files)

    def test_not_json(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.json"
        path.write_text('{"sla_policies": [', encoding="utf-8")
        with pytest.raises(ImportFormatError, match=r"broken.json, line 1, column 19: not JSON"):
            import_zendesk([path])

    def test_the_error_is_an_expectkit_value_error(self) -> None:
        assert issubclass(ImportFormatError, ExpectkitError)
        assert issubclass(ImportFormatError, ValueError)


class TestFreshdesk:
    @pytest.mark.parametrize(
        ("request_", "created", "metric", "due"),
        [
            # why: the default policy's urgent reply: 1 business hour, 8:00 am - 5:00 pm
            (
                {"channel": "email", "priority": "urgent"},
                datetime(2026, 11, 20, 16, 30),
                "first_response",
                datetime(2026, 11, 23, 8, 30),
            ),
            # why: 4 business hours to resolve across Thanksgiving (closed that Thursday)
            (
                {"channel": "email", "priority": "urgent"},
                datetime(2026, 11, 25, 15, 0),
                "resolution",
                datetime(2026, 11, 27, 10, 0),
            ),
            # why: Enterprise: half an hour for an urgent chat from a listed company
            (
                {
                    "channel": "chat",
                    "priority": "urgent",
                    "attributes": {"company_id": 5002, "type": "Problem"},
                },
                datetime(2026, 11, 23, 9, 0),
                "first_response",
                datetime(2026, 11, 23, 9, 30),
            ),
        ],
    )
    def test_quotes(
        self,
        freshdesk: ImportResult,
        request_: dict[str, Any],
        created: datetime,
        metric: str,
        due: datetime,
    ) -> None:
        got = _due(freshdesk, request_, created.replace(tzinfo=NEW_YORK), metric)
        assert got == due.replace(tzinfo=NEW_YORK)

    def test_rules_put_the_default_policy_last(self, freshdesk: ImportResult) -> None:
        assert [r.name for r in freshdesk.policy.rules] == [
            *(f"enterprise-customers-{p}" for p in ("urgent", "high", "medium", "low")),
            *(f"default-sla-policy-{p}" for p in ("urgent", "high", "medium", "low")),
        ]
        match = freshdesk.policy.rules[0].match
        assert match.channel == ("chat", "email", "portal")
        assert match.attributes == {"company_id": (5001, 5002), "type": ("Incident", "Problem")}

    def test_escalations_become_shares_of_the_promise(self, freshdesk: ImportResult) -> None:
        urgent, *_, low = freshdesk.policy.rules[:4]
        response = urgent.first_response
        resolution = urgent.resolution
        assert response is not None
        assert resolution is not None
        assert [(e.name, e.at) for e in response.escalations or ()] == [
            ("response-escalation", "200% promise")  # why: 30 min after a 30-min promise
        ]
        assert [(e.name, e.at) for e in resolution.escalations or ()] == [
            ("resolution-level-1", "100% promise"),
            ("resolution-level-2", "150% promise"),
        ]
        assert low.first_response is not None
        assert low.first_response.escalations is None  # why: escalation_enabled false

    def test_everything_unmapped_is_reported(self, freshdesk: ImportResult) -> None:
        assert _where(freshdesk) == [
            ("business_hours.json", "[1]", "schedule"),
            ("sla_policies.json", "[1].applicable_to.sources", "condition"),
            ("sla_policies.json", "[1].escalation.response.agent_ids", "setting"),
            ("sla_policies.json", "[1].escalation.resolution.level_1.agent_ids", "setting"),
            ("sla_policies.json", "[1].escalation.resolution.level_2.agent_ids", "setting"),
            ("sla_policies.json", "[2].active", "setting"),
            ("sla_policies.json", "[3].applicable_to.contact_segments", "condition"),
        ]

    def test_yearly_holidays_need_years(self) -> None:
        without = import_freshdesk(_files("freshdesk"))
        assert without.policy.schedules["default"].closed == ("2026-11-26",)
        assert ("business_hours.json", "[0].list_of_holidays[0].holiday_date", "holiday") in _where(
            without
        )
        years = import_freshdesk(_files("freshdesk"), holiday_years=[2026, 2027])
        assert years.policy.schedules["default"].closed == (
            "2026-11-26",
            "2026-12-25",
            "2027-12-25",
        )

    def test_twelve_hour_clock_and_inexact_escalations(self) -> None:
        result = import_freshdesk([FIXTURES / "freshdesk_night_shift.json"])
        nights = result.policy.schedules["nights"]
        assert nights.weekly == {"mon": ("00:00-06:30",), "tue": ("12:30-23:59",)}
        assert _where(result) == [
            ("freshdesk_night_shift.json", "[1].escalation.response.escalation_time", "setting")
        ]

    @pytest.mark.parametrize(
        ("hours", "expected"),
        [
            (
                {"monday": {"start_time": "25:00 am", "end_time": "5:00 pm"}},
                "[0].business_hours.monday.start_time: '25:00 am': not a time on a 12-hour clock",
            ),
            (
                {"monday": {"start_time": "08:00", "end_time": "5:00 pm"}},
                "[0].business_hours.monday.start_time: '08:00': expected a time such as '8:00 am'",
            ),
            (
                {"mon": {"start_time": "8:00 am", "end_time": "5:00 pm"}},
                "[0].business_hours.mon: 'mon': expected a weekday such as 'monday'",
            ),
        ],
    )
    def test_bad_business_hours(self, tmp_path: Path, hours: object, expected: str) -> None:
        data = [{"name": "x", "time_zone": "UTC", "business_hours": hours}]
        files = [EXAMPLES / "freshdesk" / "sla_policies.json", _write(tmp_path, "h.json", data)]
        with pytest.raises(ImportFormatError) as caught:
            import_freshdesk(files)
        assert expected in str(caught.value)


class TestJsm:
    @pytest.mark.parametrize(
        ("request_", "rule", "targets"),
        [
            (
                {
                    "channel": "portal",
                    "priority": "highest",
                    "attributes": {"issuetype": "Incident"},
                },
                "first-response-1-resolution-1",
                {"first_response": "Mon 10:00", "resolution": "Mon 13:00"},
            ),
            (
                {
                    "channel": "portal",
                    "priority": "medium",
                    "attributes": {"request_type": "Get IT help"},
                },
                "first-response-3-resolution-2",
                {"first_response": "Mon 13:00", "resolution": "Mon 17:00"},
            ),
            (
                {"channel": "portal", "priority": "medium", "tags": ["outage"]},
                "first-response-3-resolution-2-2",
                {"first_response": "Mon 13:00", "resolution": "Mon 17:00"},
            ),
            # why: "All remaining issues" has no resolution target
            (
                {"channel": "portal", "priority": "low"},
                "first-response-3-resolution-3",
                {"first_response": "Mon 13:00"},
            ),
        ],
    )
    def test_each_sla_takes_its_first_matching_goal(
        self, jsm: ImportResult, request_: dict[str, Any], rule: str, targets: dict[str, str]
    ) -> None:
        commitment = quote(jsm.policy, request_, at=datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK))
        assert commitment.rule == rule
        got = {m: f"{q.promised_at:%a %H:%M}" for m, q in commitment.metrics.items()}
        assert got == targets

    def test_calendar_with_yearly_holidays(self, jsm: ImportResult) -> None:
        calendar = jsm.policy.schedules["sample-9-5-calendar"]
        assert calendar.closed == ("2026-11-26", "2026-12-25", "2027-12-25")

    def test_everything_unmapped_is_reported(self, jsm: ImportResult) -> None:
        assert _where(jsm) == [
            ("sla_metrics.json", "timeMetrics[0].startCondition", "setting"),
            ("sla_metrics.json", "timeMetrics[0].stopCondition", "setting"),
            ("sla_metrics.json", "timeMetrics[0].goals[1].jqlQuery", "condition"),
            ("sla_metrics.json", "timeMetrics[1].startCondition", "setting"),
            ("sla_metrics.json", "timeMetrics[1].pauseCondition", "setting"),
            ("sla_metrics.json", "timeMetrics[1].stopCondition", "setting"),
            ("sla_metrics.json", "timeMetrics[2].name", "metric"),
        ]

    def test_metric_names_and_the_24_7_clock(self) -> None:
        result = import_jsm(
            [*_files("jsm")],
            metric_names={"Time to close after resolution": "follow_up"},
            holiday_years=[2026],
        )
        follow_up = result.policy.rules[-1].follow_up
        assert follow_up is not None
        assert str(follow_up.promise) == "24 hours"

    def test_everything_maps(self) -> None:
        result = import_jsm([FIXTURES / "jsm_all_mapped.json"])
        assert result.complete
        assert [(r.name, r.match.priority) for r in result.policy.rules] == [
            ("first-response-1", ("highest",)),
            ("first-response-2", None),
        ]

    def test_bad_jql_and_durations(self, tmp_path: Path) -> None:
        def metrics(goal: dict[str, Any]) -> Path:
            data = {"timeMetrics": [{"name": "Time to first response", "goals": [goal]}]}
            return _write(tmp_path, "m.json", data)

        with pytest.raises(
            ImportFormatError, match=r"m.json: timeMetrics\[0\].goals\[0\].jqlQuery"
        ):
            import_jsm([metrics({"jqlQuery": "priority in (High", "duration": "1h"})])
        with pytest.raises(ImportFormatError, match=r"duration: '2d': expected a duration"):
            import_jsm([metrics({"jqlQuery": "", "duration": "2d"})])
        with pytest.raises(ImportFormatError, match=r"calendarId: 9: no such calendar"):
            import_jsm([metrics({"jqlQuery": "", "duration": "2h", "calendarId": 9})])


class TestJql:
    @pytest.mark.parametrize(
        ("jql", "matches", "unmapped"),
        [
            ("", [{}], []),
            ("priority = High", [{"priority": ["high"]}], []),
            (
                "issuetype in (Bug, 'Service Request')",
                [{"attributes": {"issuetype": ["Bug", "Service Request"]}}],
                [],
            ),
            (
                "labels in (a, b) and Priority = Low",
                [{"priority": ["low"], "tags": ["a"]}, {"priority": ["low"], "tags": ["b"]}],
                [],
            ),
            (
                "(priority = High OR priority = Low) AND component = Billing",
                [
                    {"priority": ["high"], "attributes": {"component": ["Billing"]}},
                    {"priority": ["low"], "attributes": {"component": ["Billing"]}},
                ],
                [],
            ),
            # why: an alternative with a clause that does not map is left out
            (
                "priority != Low OR labels = vip",
                [{"tags": ["vip"]}],
                [("priority != Low", "operator '!=' has no expectkit equivalent")],
            ),
            ("NOT priority = Low", [], [("NOT priority = Low", "negates")]),
            (
                "assignee is EMPTY",
                [],
                [("assignee is EMPTY", "operator 'IS' has no expectkit equivalent")],
            ),
            (
                "summary ~ outage",
                [],
                [("summary ~ outage", "operator '~' has no expectkit equivalent")],
            ),
            ("priority = High AND priority = Low", [], []),
        ],
    )
    def test_parse(
        self, jql: str, matches: list[dict[str, Any]], unmapped: Sequence[tuple[str, str]]
    ) -> None:
        alternatives, missing = parse_jql(jql)
        assert [a.match() for a in alternatives] == matches
        assert missing == list(unmapped)

    @pytest.mark.parametrize("jql", ["priority =", "(priority = High", "priority = High )", "= x"])
    def test_bad_jql(self, jql: str) -> None:
        with pytest.raises(JqlError):
            parse_jql(jql)


class TestZones:
    def test_every_rails_zone_is_an_iana_zone(self) -> None:
        for name, zone in RAILS_ZONES.items():
            assert ZoneInfo(zone).key == zone, name

    @pytest.mark.parametrize(
        ("name", "zone"),
        [
            ("Eastern Time (US & Canada)", "America/New_York"),
            ("Pacific Time (US & Canada)", "America/Los_Angeles"),
            ("Edinburgh", "Europe/London"),
            ("Kyiv", "Europe/Kyiv"),  # why: Rails still says Europe/Kiev, an old alias
            ("Arizona", "America/Phoenix"),
            ("UTC", "UTC"),
            ("Europe/Berlin", "Europe/Berlin"),  # why: an IANA name is taken as it is
        ],
    )
    def test_names(self, name: str, zone: str) -> None:
        assert iana_zone(name, "s.json", "time_zone") == zone

    @pytest.mark.parametrize("name", ["Eastern", "Mars/Olympus", "", 5])
    def test_unknown_names_are_refused(self, name: object) -> None:
        with pytest.raises(ImportFormatError, match=r"s.json: time_zone: "):
            iana_zone(name, "s.json", "time_zone")


class TestCli:
    def test_zendesk_writes_policy_and_events(self, tmp_path: Path) -> None:
        args = ["import", "zendesk", *map(str, _files("zendesk")), "-o", str(tmp_path / "p.yaml")]
        result = CliRunner().invoke(app, [*args, "--events", str(tmp_path / "e.jsonl")])
        assert result.exit_code == 1, result.output
        assert result.stdout.startswith("Imported 16 rules and 2 schedules from 5 Zendesk exports")
        assert "Wrote 9 ticket events to" in result.stdout
        assert "Not imported (8):" in result.stdout
        policy = Policy.load(tmp_path / "p.yaml")
        checked = CliRunner().invoke(
            app,
            [
                "check",
                str(tmp_path / "p.yaml"),
                str(tmp_path / "e.jsonl"),
                "--at",
                "2026-11-25T12:00Z",
                "--json",
            ],
        )
        assert checked.exit_code == 1  # why: ticket 156 breached
        assert policy == import_zendesk(_files("zendesk")).policy

    def test_everything_mapped_exits_0_and_writes_to_stdout(self) -> None:
        result = CliRunner().invoke(app, ["import", "jsm", str(FIXTURES / "jsm_all_mapped.json")])
        assert result.exit_code == 0, result.output
        assert Policy.loads(result.stdout).rules[0].name == "first-response-1"
        assert "Everything mapped." in result.stderr

    def test_json_output(self, tmp_path: Path) -> None:
        out = tmp_path / "p.json"
        args = ["import", "jsm", str(FIXTURES / "jsm_all_mapped.json"), "-o", str(out)]
        assert CliRunner().invoke(app, args).exit_code == 0
        assert Policy.load(out).name == "jsm"

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["import", "foo", "x.json"], "Invalid value for VENDOR: 'foo' is not one of"),
            (["import", "zendesk", "missing.json"], "missing.json: cannot read the export"),
            (
                ["import", "jsm", "FIX/jsm_all_mapped.json", "--holiday-years", "26-x"],
                "--holiday-years: '26-x' is not a year",
            ),
            (
                ["import", "jsm", "FIX/jsm_all_mapped.json", "--metric", "x=nope"],
                "'x=nope' is not NAME=METRIC",
            ),
            (
                ["import", "freshdesk", "FIX/jsm_all_mapped.json", "--metric", "a=follow_up"],
                "only the jsm importer names SLAs",
            ),
            (
                [
                    "import",
                    "zendesk",
                    "EX/zendesk/sla_policies.json",
                    "EX/zendesk/schedules.json",
                    "EX/zendesk/ticket_metric_events.json",
                ],
                "the exports hold 9 ticket events; write them with --events FILE",
            ),
        ],
    )
    def test_errors_are_one_line_and_exit_2(self, args: list[str], message: str) -> None:
        args = [a.replace("FIX", str(FIXTURES)).replace("EX/", f"{EXAMPLES}/") for a in args]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("expectkit: error: ")
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
