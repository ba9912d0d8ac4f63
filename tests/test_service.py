"""The HTTP service in this process: every route, errors as problem+json, limits, reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")
pytest.importorskip("prometheus_client")

from expectkit import Policy, quote
from expectkit.errors import ServiceError
from expectkit.interfaces.service import SCOPES, Settings, Tokens, create_app
from expectkit.state import policy_version
from expectkit.store import Store
from expectkit.text import promise_text
from serving import POLICY_YAML, TOKENS_TEXT, Client, auth

FRIDAY = "2026-11-20T16:30:00+01:00"
PROBLEM = "application/problem+json"


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_YAML)
    return path


@pytest.fixture
def client(tmp_path: Path, policy_file: Path) -> Client:
    app = create_app(
        policy_file,
        str(tmp_path / "sla.db"),
        tokens=Tokens.parse(TOKENS_TEXT),
        settings=Settings(max_quote_batch=5, max_event_batch=50, max_body_bytes=64_000),
    )
    return Client(app)


def created(ticket: str, at: str, channel: str = "email", **extra: Any) -> dict[str, Any]:
    return {"ticket": ticket, "type": "created", "at": at, "channel": channel, **extra}


def assert_problem(reply: Any, status: int, *needles: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == PROBLEM
    body: dict[str, Any] = reply.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    for needle in needles:
        assert needle in reply.text, (needle, reply.text)
    assert "Traceback" not in reply.text
    return body


class TestQuote:
    def test_one_request_as_the_design_table_says(self, client: Client) -> None:
        # why: DESIGN.md's worked example, email on Friday 16:30 CET
        reply = client.post(
            "/v1/quote", json={"channel": "email", "at": FRIDAY}, headers=auth("read")
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["rule"] == "email"
        fr = body["metrics"]["first_response"]
        assert fr["promised_range"] == ["2026-11-23T17:00:00+01:00", "2026-11-25T17:00:00+01:00"]
        assert fr["promised_at"] == "2026-11-25T17:00:00+01:00"
        assert fr["target_at"] == "2026-11-23T17:00:00+01:00"
        assert fr["text"] is None
        assert fr["explain"] is None
        assert set(body["metrics"]) == {"first_response", "resolution"}

    def test_text_in_a_locale_and_zone_and_explain_equal_the_library(
        self, client: Client, policy_file: Path
    ) -> None:
        asked = {
            "channel": "chat",
            "at": "2026-11-20T18:00:00+01:00",  # after hours: offline to email
            "customer_tz": "Europe/Oslo",
            "locale": "nb",
            "form": "range",
            "explain": True,
            "metrics": ["first_response"],
        }
        reply = client.post("/v1/quote", json=asked, headers=auth("read"))
        assert reply.status_code == 200, reply.text
        policy = Policy.load(policy_file)
        at = datetime.fromisoformat(asked["at"])  # type: ignore[arg-type]
        c = quote(
            policy,
            {"channel": "chat", "customer_tz": "Europe/Oslo"},
            at=at,
            metrics=["first_response"],
        )
        fr = reply.json()["metrics"]["first_response"]
        assert fr["text"] == promise_text(c, locale="nb", tz="Europe/Oslo", form="range")
        assert fr["text"] == "Vi svarer innen 1–3 virkedager – senest torsdag 26. november (CET)."
        assert fr["explain"] == c.in_zone("Europe/Oslo")["first_response"].explain()
        assert reply.json()["rule"] == "email"

    def test_a_batch_keeps_its_order_and_a_bad_item_is_named(self, client: Client) -> None:
        items = [{"channel": "email", "at": FRIDAY}, {"channel": "social", "at": FRIDAY}]
        reply = client.post("/v1/quote", json={"requests": items}, headers=auth("read"))
        assert [q["rule"] for q in reply.json()["quotes"]] == ["email", "default"]
        bad = client.post(
            "/v1/quote",
            json={"requests": [*items, {"channel": "fax", "at": FRIDAY}]},
            headers=auth("read"),
        )
        body = assert_problem(bad, 422, "body.requests.2", "'fax'")
        assert body["errors"][0]["field"] == "body.requests.2"
        over = client.post(
            "/v1/quote", json={"requests": items * 3}, headers=auth("read")
        )  # the limit is 5 here
        assert_problem(over, 422, "body.requests", "over the limit of 5")

    def test_bad_fields_name_the_field_and_the_value(self, client: Client) -> None:
        naive = client.post(
            "/v1/quote",
            json={"channel": "email", "at": "2026-11-20T16:30:00"},
            headers=auth("read"),
        )
        body = assert_problem(naive, 422, "body.at", "2026-11-20T16:30:00")
        assert body["errors"][0] == {
            "field": "body.at",
            "value": "2026-11-20T16:30:00",
            "message": "Input should have timezone info",
        }
        zone = client.post(
            "/v1/quote",
            json={"channel": "email", "customer_tz": "Mars/Base"},
            headers=auth("read"),
        )
        assert_problem(zone, 422, "Mars/Base")
        extra = client.post(
            "/v1/quote", json={"channel": "email", "colour": "red"}, headers=auth("read")
        )
        assert_problem(extra, 422, "colour", "red")
        not_json = client.post(
            "/v1/quote",
            content=b"{nope",
            headers={**auth("read"), "content-type": "application/json"},
        )
        assert_problem(not_json, 422)

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        minutes=st.integers(0, 60 * 24 * 28),
        channel=st.sampled_from(["email", "chat", "social"]),
        tags=st.sampled_from([[], ["complaint"]]),
    )
    def test_the_service_quotes_as_the_library_does(
        self, client: Client, policy_file: Path, minutes: int, channel: str, tags: list[str]
    ) -> None:
        at = datetime(2026, 11, 16, tzinfo=UTC) + timedelta(minutes=minutes)
        reply = client.post(
            "/v1/quote",
            json={"channel": channel, "tags": tags, "at": at.isoformat()},
            headers=auth("read"),
        )
        assert reply.status_code == 200, reply.text
        expected = quote(Policy.load(policy_file), {"channel": channel, "tags": tags}, at=at)
        got = reply.json()
        assert got["rule"] == expected.rule
        for metric, q in expected.metrics.items():
            m = got["metrics"][metric]
            assert datetime.fromisoformat(m["promised_at"]) == q.promised_at
            assert datetime.fromisoformat(m["target_at"]) == q.target_at


class TestEvents:
    def test_ingest_is_idempotent_and_counts_balance(self, client: Client) -> None:
        events = [
            created("T1", "2026-11-23T09:00:00+01:00"),
            {"ticket": "T1", "type": "agent_reply", "at": "2026-11-23T10:00:00+01:00"},
            {"ticket": "T2", "type": "agent_reply", "at": "2026-11-23T10:00:00+01:00"},
        ]
        first = client.post("/v1/events", json={"events": events}, headers=auth("write"))
        assert first.json() == {"in": 3, "applied": 2, "duplicates": 0, "pending": 1, "rejected": 0}
        again = client.post("/v1/events", json={"events": events}, headers=auth("write"))
        assert again.json() == {"in": 3, "applied": 0, "duplicates": 3, "pending": 0, "rejected": 0}

    def test_a_bad_event_refuses_the_batch_naming_its_index(
        self, client: Client, tmp_path: Path
    ) -> None:
        events = [created("T1", "2026-11-23T09:00:00+01:00"), created("T2", FRIDAY, "fax")]
        bad = client.post("/v1/events", json={"events": events}, headers=auth("write"))
        body = assert_problem(bad, 422, "body.events.1", "'fax'")
        assert body["errors"][0]["field"] == "body.events.1"
        assert client.get("/v1/tickets/T1/status", headers=auth("read")).status_code == 404
        kept = client.post(
            "/v1/events", json={"events": events, "skip_bad": True}, headers=auth("write")
        )
        assert kept.json()["rejected"] == 1
        assert kept.json()["applied"] == 1
        naive = client.post(
            "/v1/events",
            json={"events": [created("T3", "2026-11-23T09:00:00")]},
            headers=auth("write"),
        )
        assert_problem(naive, 422, "body.events.0.at", "2026-11-23T09:00:00")
        kind = client.post(
            "/v1/events",
            json={"events": [{"ticket": "T3", "type": "exploded", "at": FRIDAY}]},
            headers=auth("write"),
        )
        assert_problem(kind, 422, "body.events.0.type", "exploded")
        over = client.post(
            "/v1/events",
            json={"events": [created(f"X{i}", FRIDAY) for i in range(51)]},
            headers=auth("write"),
        )
        assert_problem(over, 422, "over the limit of 50")

    def test_status_equals_the_store(
        self, client: Client, tmp_path: Path, policy_file: Path
    ) -> None:
        client.post(
            "/v1/events",
            json={"events": [created("T1", "2026-11-23T09:00:00+01:00")]},
            headers=auth("write"),
        )
        reply = client.get(
            "/v1/tickets/T1/status",
            params={"at": "2026-11-24T14:00:00+01:00"},
            headers=auth("read"),
        )
        assert reply.status_code == 200, reply.text
        fr = reply.json()["metrics"]["first_response"]
        with Store(str(tmp_path / "sla.db")) as store:
            expected = store.status("T1", datetime(2026, 11, 24, 13, tzinfo=UTC))
        e = expected["first_response"]
        # why: the target is Tue 17:00, 16 business hours; 13 of them passed (81 %)
        assert fr["state"] == e.state == "at_risk"
        assert fr["elapsed"] == "PT13H"
        assert fr["rule"] == "email"
        assert datetime.fromisoformat(fr["due"]) == e.breach_at
        assert datetime.fromisoformat(fr["target"]) == e.target_at
        assert_problem(client.get("/v1/tickets/T9/status", headers=auth("read")), 404, "'T9'")
        assert_problem(
            client.get(
                "/v1/tickets/T1/status", params={"at": "2026-11-23T16:00"}, headers=auth("read")
            ),
            422,
            "query.at",
        )

    def test_due_pages_earliest_first(self, client: Client, tmp_path: Path) -> None:
        start = datetime(2026, 11, 23, 9, tzinfo=UTC)
        events = [
            created(f"T{i:02d}", (start + timedelta(minutes=7 * i)).isoformat()) for i in range(25)
        ]
        assert (
            client.post("/v1/events", json={"events": events}, headers=auth("write")).json()[
                "applied"
            ]
            == 25
        )
        before = "2026-12-31T00:00:00Z"
        seen: list[str] = []
        offset: int | None = 0
        pages = 0
        while offset is not None:
            page = client.get(
                "/v1/due",
                params={"before": before, "limit": 10, "offset": offset},
                headers=auth("read"),
            ).json()
            seen += [d["ticket"] for d in page["items"]]
            offset = page["next_offset"]
            pages += 1
        assert pages == 3
        with Store(str(tmp_path / "sla.db")) as store:
            assert seen == [d.ticket for d in store.due(datetime(2026, 12, 31, tzinfo=UTC))]
        assert len(seen) == 25

    def test_metric_events_are_claimed_once_and_gone_after_ack(self, client: Client) -> None:
        client.post(
            "/v1/events",
            json={"events": [created("T1", "2026-11-23T09:00:00+01:00")]},
            headers=auth("write"),
        )
        until = {"until": "2026-12-31T00:00:00Z"}
        first = client.get("/v1/metric-events", params=until, headers=auth("write")).json()["items"]
        assert {(e["ticket"], e["kind"]) for e in first} >= {
            ("T1", "activated"),
            ("T1", "breached"),
        }
        held = client.get("/v1/metric-events", params=until, headers=auth("write")).json()["items"]
        assert held == []  # claimed for the lease: not handed out twice
        ack = client.post(
            "/v1/metric-events/ack", json={"ids": [e["id"] for e in first]}, headers=auth("write")
        )
        assert ack.json() == {"acked": len(first)}


class TestPolicyRoutes:
    def test_policy_lint_and_schema(self, client: Client, policy_file: Path) -> None:
        served = client.get("/v1/policy", headers=auth("read")).json()
        assert served["version"] == policy_version(Policy.load(policy_file))
        assert served["source"] == str(policy_file)
        assert Policy.model_validate(served["policy"]) == Policy.load(policy_file)
        assert client.post("/v1/lint", json={}, headers=auth("read")).json() == {"findings": []}
        shadowed = (
            "rules: [{name: a, first_response: {promise: 1 day}},"
            " {name: b, first_response: {promise: 2 days}}]"
        )
        found = client.post("/v1/lint", json={"policy": shadowed}, headers=auth("read")).json()
        assert [f["code"] for f in found["findings"]] == ["shadowed-rule"]
        bad = client.post("/v1/lint", json={"policy": "rules: [{name: x"}, headers=auth("read"))
        assert_problem(bad, 422, "body.policy, line")
        assert client.get("/v1/schema/policy", headers=auth("read")).json() == Policy.json_schema()

    def test_reload_validates_first_and_keeps_the_old_policy(
        self, client: Client, policy_file: Path
    ) -> None:
        old = client.get("/v1/policy", headers=auth("read")).json()["version"]
        same = client.post("/v1/policy/reload", headers=auth("admin")).json()
        assert same == {"version": old, "previous_version": old, "changed": False}
        policy_file.write_text("rules: [{name: x, first_response: {promise: 'soon'}}]\n")
        refused = client.post("/v1/policy/reload", headers=auth("admin"))
        assert_problem(refused, 422, f"policy {old} keeps serving", "'soon'", str(policy_file))
        assert client.get("/v1/policy", headers=auth("read")).json()["version"] == old
        quoted = client.post(
            "/v1/quote", json={"channel": "email", "at": FRIDAY}, headers=auth("read")
        )
        assert quoted.json()["rule"] == "email"
        policy_file.write_text("rules: [{name: everyone, first_response: {promise: '2 hours'}}]\n")
        done = client.post("/v1/policy/reload", headers=auth("admin")).json()
        assert done["changed"]
        assert done["previous_version"] == old
        quoted = client.post(
            "/v1/quote", json={"channel": "web", "at": FRIDAY}, headers=auth("read")
        )
        assert quoted.json()["rule"] == "everyone"
        metrics = client.get("/metrics", headers=auth("read")).text
        assert 'expectkit_policy_reloads_total{result="refused"} 1.0' in metrics
        assert 'expectkit_policy_reloads_total{result="done"} 2.0' in metrics

    def test_reload_of_a_policy_object_is_a_conflict(self, tmp_path: Path) -> None:
        app = create_app(
            Policy.loads(POLICY_YAML), str(tmp_path / "sla.db"), tokens=Tokens.parse(TOKENS_TEXT)
        )
        assert_problem(
            Client(app).post("/v1/policy/reload", headers=auth("admin")), 409, "not a file"
        )


class TestOperations:
    def test_health_readiness_and_metrics(self, client: Client) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready"
        assert ready["database"] is True
        client.post(
            "/v1/events",
            json={"events": [created("T1", "2020-01-06T09:00:00+01:00")]},
            headers=auth("write"),
        )
        client.post("/v1/quote", json={"channel": "email"}, headers=auth("read"))
        text = client.get("/metrics", headers=auth("read")).text
        assert (
            'expectkit_http_requests_total{method="POST",route="/v1/quote",status="200"} 1.0'
            in text
        )
        assert 'expectkit_ingested_events_total{outcome="applied"} 1.0' in text
        assert (
            'expectkit_http_request_seconds_bucket{le="0.005",method="POST",route="/v1/events"}'
            in text
        )
        # why: the gauges count at the real now; a ticket of January 2020 is long breached
        assert 'expectkit_tickets{metric="first_response",state="breached"} 1.0' in text
        assert "expectkit_breached_tickets 1.0" in text

    def test_contact_page(self, client: Client) -> None:
        page = client.get(
            "/contact", params={"locale": "de", "tz": "Europe/Berlin", "at": "2026-11-23T09:00:00Z"}
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert '<html lang="de"' in page.text
        assert "09:00–17:00" in page.text
        assert_problem(client.get("/contact", params={"locale": "xx"}), 422, "'xx'")
        assert_problem(client.get("/contact", params={"tz": "Mars/Base"}), 422, "Mars/Base")

    def test_a_body_over_the_limit_gets_413(self, client: Client) -> None:
        big = {"events": [created("T1", FRIDAY, note="x" * 70_000)]}
        assert_problem(
            client.post("/v1/events", json=big, headers=auth("write")), 413, "64000 bytes"
        )

        async def chunks() -> Any:
            for _ in range(100):
                yield b" " * 1000

        streamed = client.post(
            "/v1/events",
            content=chunks(),
            headers={**auth("write"), "content-type": "application/json"},
        )
        assert_problem(streamed, 413, "64000 bytes")

    def test_an_unexpected_error_is_a_bare_500(self, tmp_path: Path) -> None:
        app = create_app(Policy.loads(POLICY_YAML), str(tmp_path / "sla.db"), no_auth=True)

        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("secret detail in /etc/passwd")

        reply = Client(app).get("/boom")
        body = assert_problem(reply, 500)
        assert "secret" not in reply.text
        assert "RuntimeError" not in reply.text
        assert body["detail"] == "internal error; the server log has the details"

    def test_unknown_routes_and_methods_are_problems(self, client: Client) -> None:
        assert_problem(client.get("/v2/quote"), 404)
        assert_problem(client.request("DELETE", "/v1/quote", headers=auth("read")), 405)

    def test_cors_is_off_unless_configured(self, tmp_path: Path) -> None:
        preflight = {
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        off = create_app(Policy.loads(POLICY_YAML), str(tmp_path / "a.db"), no_auth=True)
        reply = Client(off).request("OPTIONS", "/v1/quote", headers=preflight)
        assert "access-control-allow-origin" not in reply.headers
        on = create_app(
            Policy.loads(POLICY_YAML),
            str(tmp_path / "b.db"),
            no_auth=True,
            settings=Settings(cors_origins=("https://shop.example",)),
        )
        allowed = Client(on).request("OPTIONS", "/v1/quote", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        other = Client(on).request(
            "OPTIONS", "/v1/quote", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


class TestTokens:
    def test_scopes_include_the_lower_ones(self) -> None:
        tokens = Tokens.parse(TOKENS_TEXT)
        assert tokens.scopes_of("r3ad-t0ken-0000000000000001") == frozenset({"read"})
        assert tokens.scopes_of("wr1te-t0ken-000000000000001") == frozenset({"read", "write"})
        assert tokens.scopes_of("adm1n-t0ken-000000000000001") == frozenset(SCOPES)
        assert tokens.scopes_of("adm1n-t0ken-00000000000000") is None
        assert tokens.scopes_of("") is None

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("short read", "at least 16 characters"),  # why: a guessable token
            ("l0ng-en0ugh-t0ken-1 root", "scope 'root' is not one of read, write, admin"),
            ("l0ng-en0ugh-t0ken-1 read\nl0ng-en0ugh-t0ken-1 admin", "given twice"),
            ("l0ng-en0ugh-t0ken-1", "write 'TOKEN SCOPE"),
            ("# only a comment\n", "no tokens"),
        ],
    )
    def test_bad_tokens_are_refused_without_showing_them(self, text: str, message: str) -> None:
        with pytest.raises(ServiceError, match=message) as caught:
            Tokens.parse(text, source="tokens.txt")
        assert "l0ng-en0ugh" not in str(caught.value)

    def test_file_and_environment(self, tmp_path: Path) -> None:
        path = tmp_path / "tokens"
        path.write_text(TOKENS_TEXT)
        assert len(Tokens.from_file(path)) == 3
        with pytest.raises(ServiceError, match="cannot read the tokens file"):
            Tokens.from_file(tmp_path / "missing")
        env = {"EXPECTKIT_TOKENS": TOKENS_TEXT.replace("\n", ";")}
        assert len(Tokens.from_env(env) or ()) == 3
        assert Tokens.from_env({"EXPECTKIT_TOKENS": "  "}) is None

    def test_no_tokens_no_app(self, tmp_path: Path) -> None:
        with pytest.raises(ServiceError, match="no bearer tokens"):
            create_app(Policy.loads(POLICY_YAML), str(tmp_path / "sla.db"))
