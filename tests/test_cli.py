"""The ``expectkit`` command, through Typer's runner and as a real subprocess.

Human output is checked against golden files (``python tests/regen_golden.py``
rewrites them); JSON output is parsed. Every command is also given bad arguments
and bad files: each must fail with exit code 2 and one line on standard error.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner, Result

import expectkit
import goldens
from expectkit import Clock, Policy
from expectkit.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app
from expectkit.interfaces.cli import _events

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEMO = Path(expectkit.__file__).resolve().parent / "demo"  # as installed
POLICY = str(DEMO / "policy.yaml")
EVENTS = str(DEMO / "events.jsonl")
WEBSHOP = str(ROOT / "examples" / "policies" / "webshop.yaml")
ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
FRIDAY = "2026-11-20T16:30:00+01:00"
THURSDAY = "2026-11-26T10:00:00+01:00"

SHADOWED = """
rules:
  - {name: all, first_response: {promise: 1 day}}
  - {name: vip, match: {segment: vip}, first_response: {promise: 1 hour}}
"""


def run(args: Sequence[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin, env=dict(ENV))


def check_golden(name: str, text: str) -> None:
    # Tables pad their cells; trailing spaces are not part of what is checked.
    goldens.check_golden(name, "\n".join(line.rstrip() for line in text.splitlines()) + "\n")


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == EXIT_USAGE, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("expectkit: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# -- demo ---------------------------------------------------------------------


class TestDemo:
    def test_golden(self) -> None:
        result = run(["demo"])
        assert result.exit_code == EXIT_OK, result.stderr
        check_golden("cli_demo.txt", result.stdout)

    def test_in_russian_for_a_customer_in_moscow(self) -> None:
        result = run(["demo", "--locale", "ru", "--tz", "Europe/Moscow"])
        assert result.exit_code == EXIT_OK, result.stderr
        assert "Мы ответим в течение 1–3 рабочих дней — не позднее 25 ноября" in result.stdout
        assert "  en      We'll reply within 1–3 business days" in result.stdout

    def test_print_policy(self) -> None:
        result = run(["demo", "--print-policy"])
        assert result.stdout == (DEMO / "policy.yaml").read_text(encoding="utf-8")

    def test_bad_locale(self) -> None:
        assert_one_line_error(run(["demo", "--locale", "klingon"]), "'klingon'")

    def test_bad_zone(self) -> None:
        assert_one_line_error(run(["demo", "--tz", "Moon/Base"]), "'Moon/Base'")


# -- quote --------------------------------------------------------------------


class TestQuote:
    def test_golden(self) -> None:
        args = ["quote", POLICY, "--channel", "chat", "--at", "2026-11-20T18:00+01:00"]
        result = run([*args, "--tz", "Europe/Oslo", "--locale", "nb"])
        assert result.exit_code == EXIT_OK, result.stderr
        check_golden("cli_quote.txt", result.stdout)

    def test_json(self) -> None:
        result = run(["quote", POLICY, "-c", "email", "--at", FRIDAY, "--json"])
        assert result.exit_code == EXIT_OK, result.stderr
        data = json.loads(result.stdout)
        first = data["metrics"]["first_response"]
        assert first["promised_at"] == "2026-11-25T17:00:00+01:00"
        assert first["target_at"] == "2026-11-23T17:00:00+01:00"
        assert first["text"]["range"] == (
            "We'll reply within 1–3 business days — by Wednesday 25 November (CET) at the latest."
        )
        assert [step["kind"] for step in first["explanation"]][:2] == ["policy", "rule"]

    def test_json_in_the_customers_zone(self) -> None:
        args = ["quote", POLICY, "-c", "email", "--at", FRIDAY, "--tz", "Asia/Tokyo", "--json"]
        data = json.loads(run(args).stdout)
        assert data["metrics"]["first_response"]["promised_at"] == "2026-11-26T01:00:00+09:00"
        assert data["request"] == {"channel": "email", "customer_tz": "Asia/Tokyo"}

    def test_tags_attributes_and_metrics(self) -> None:
        args = ["quote", WEBSHOP, "-c", "email", "-t", "installation", "--at", FRIDAY, "--json"]
        data = json.loads(
            run([*args, "-a", "region=emea", "-a", "tier=2", "-m", "resolution"]).stdout
        )
        assert data["rule"] == "installation"
        assert list(data["metrics"]) == ["resolution"]
        assert data["request"]["attributes"] == {"region": "emea", "tier": 2}

    def test_stdin(self) -> None:
        policy = "rules: [{name: all, resolution: {promise: 2 hours}}]"
        result = run(["quote", "-", "-c", "web", "--at", "2026-01-05T09:00:00Z", "--json"], policy)
        assert json.loads(result.stdout)["metrics"]["resolution"]["promised_at"] == (
            "2026-01-05T11:00:00+00:00"
        )

    def test_relative_form_without_explanation(self) -> None:
        args = ["quote", POLICY, "-c", "chat", "--at", FRIDAY, "--form", "relative", "--no-explain"]
        result = run(args)
        assert "We'll reply in 30 seconds at the latest." in result.stdout
        assert "Why:" not in result.stdout

    @pytest.mark.parametrize(
        ("args", "fragments"),
        [
            (["quote", POLICY], ("Missing option", "--channel")),
            (["quote", POLICY, "-c", "email", "--at", "Friday"], ("--at: 'Friday'",)),
            (["quote", POLICY, "-c", "email", "--at", "2026-11-20T16:30"], ("no UTC offset",)),
            (["quote", POLICY, "-c", "fax", "--at", FRIDAY], ("unknown channel 'fax'",)),
            (["quote", POLICY, "-c", "email", "--tz", "Mars/Base"], ("'Mars/Base'",)),
            (["quote", POLICY, "-c", "email", "--locale", "xx"], ("locale 'xx'",)),
            (["quote", POLICY, "-c", "email", "--form", "soon"], ("--form: 'soon'",)),
            (["quote", POLICY, "-c", "email", "-m", "answer"], ("--metric: 'answer'",)),
            (["quote", POLICY, "-c", "email", "-a", "vip"], ("--attr: 'vip' is not KEY=VALUE",)),
            (["quote", POLICY, "-c", "email", "--bogus"], ("No such option: --bogus",)),
            (["quote", "missing.yaml", "-c", "email"], ("missing.yaml", "cannot read")),
            (["quote", POLICY, "-c", "email", "--policy-format", "ini"], ("'ini'",)),
            (
                ["quote", POLICY, "-c", "email", "-m", "resolution", "--at", FRIDAY],
                ("sets none of the metrics resolution",),
            ),
        ],
    )
    def test_bad_arguments(self, args: list[str], fragments: tuple[str, ...]) -> None:
        assert_one_line_error(run(args), *fragments)

    def test_bad_policy_files(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text("rules:\n  - name: x\n    first_response: {promise: 1 weak}\n")
        assert_one_line_error(run(["quote", str(bad), "-c", "x"]), "bad.yaml, line 3", "weak")
        odd = tmp_path / "policy.ini"
        odd.write_text("[rules]")
        assert_one_line_error(run(["quote", str(odd), "-c", "x"]), "unknown policy file suffix")
        binary = tmp_path / "binary.json"
        binary.write_bytes(b"\xff\xfe\x00garbage")
        assert_one_line_error(run(["quote", str(binary), "-c", "x"]), "not UTF-8")
        assert_one_line_error(run(["quote", str(tmp_path), "-c", "x"]), str(tmp_path))


# -- check --------------------------------------------------------------------


class TestCheck:
    def test_golden_summary_and_exit_code_on_breach(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY])
        assert result.exit_code == EXIT_FINDINGS, result.stderr
        check_golden("cli_check.txt", result.stdout)

    def test_golden_every_row_with_all(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY, "--all"])
        assert result.exit_code == EXIT_FINDINGS, result.stderr
        check_golden("cli_check_all.txt", result.stdout)

    def test_rows_agree_with_the_clock(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY, "--json"])
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        clock = Clock(Policy.load(POLICY))
        clock.replay(Path(EVENTS))
        at = datetime.fromisoformat(THURSDAY)
        expected = [
            (ticket, metric, status.state, status.rule, status.breach_at)
            for ticket in clock.tickets
            for metric, status in clock.status(ticket, at=at).items()
        ]
        assert [
            (
                r["ticket"],
                r["metric"],
                r["state"],
                r["rule"],
                datetime.fromisoformat(r["breach_at"]),
            )
            for r in rows
        ] == expected
        assert {r["at"] for r in rows} == {at.isoformat()}

    def test_rows_on_a_terminal_are_the_same_lines_in_colour(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--all"]
        plain = run(args).stdout
        env = {"COLUMNS": "120", "FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": None}
        coloured = CliRunner().invoke(app, args, env=env).stdout
        assert "\x1b[1;31mbreached" in coloured
        assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain

    def test_json_ignores_all(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--json"]
        assert run([*args, "--all"]).stdout == run(args).stdout

    def test_no_breach_exits_0(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", "2026-11-23T12:00:00+01:00", "--all"])
        assert result.exit_code == EXIT_OK, result.stderr
        assert "breached" not in result.stdout

    def test_json_lines_for_some_tickets(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--json", "--ticket", "T2"]
        result = run([*args, "--ticket", "T4"])
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert result.exit_code == EXIT_OK
        assert [(s["ticket"], s["state"]) for s in rows] == [
            ("T2", "met_target"),
            ("T4", "target_missed"),
        ]
        assert rows[0]["elapsed"] == "PT1H30M"

    def test_events_from_stdin(self) -> None:
        events = (DEMO / "events.jsonl").read_text(encoding="utf-8")
        result = run(["check", POLICY, "-", "--at", THURSDAY, "--json"], events)
        assert result.exit_code == EXIT_FINDINGS
        states = [json.loads(line)["state"] for line in result.stdout.splitlines()]
        assert states.count("breached") == 2

    def test_state_filter(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY, "--json", "--state", "breached"])
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [(r["ticket"], r["state"]) for r in rows] == [("T1", "breached"), ("T5", "breached")]
        assert result.exit_code == EXIT_FINDINGS

    def test_exit_code_counts_breaches_the_state_filter_hides(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--all", "--state", "on_track"]
        result = run([*args, "--state", "met_target"])
        assert result.exit_code == EXIT_FINDINGS
        rows = result.stdout.splitlines()[3:-1]
        assert [row.split()[0] for row in rows] == ["T2", "T6"]
        assert result.stdout.splitlines()[-1] == "2 metrics: 1 met_target, 1 on_track"

    def test_rule_filter_decides_the_exit_code(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--rule", "social-complaint"]
        result = run([*args, "--json"])
        assert result.exit_code == EXIT_OK
        assert [json.loads(line)["ticket"] for line in result.stdout.splitlines()] == ["T6"]
        summary = run(args)
        assert summary.exit_code == EXIT_OK
        assert "1 metrics: 1 on_track" in summary.stdout

    def test_metric_filter(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--json"]
        result = run([*args, "--metric", "resolution"])  # no rule of the demo sets it
        assert (result.exit_code, result.stdout) == (EXIT_OK, "")
        rows = run([*args, "--metric", "first_response"]).stdout.splitlines()
        assert len(rows) == 6

    def test_summary_counts_by_metric_and_state(self) -> None:
        args = ["check", WEBSHOP, str(ROOT / "examples" / "events" / "tickets.jsonl")]
        args += ["--at", THURSDAY]
        rows = [json.loads(line) for line in run([*args, "--json"]).stdout.splitlines()]
        lines = run(args).stdout.splitlines()
        header = lines[1].split()
        assert (header[0], header[-1]) == ("metric", "total")
        table = {cells[0]: cells[1:] for cells in map(str.split, lines[3:-2])}
        assert list(table) == list(dict.fromkeys(r["metric"] for r in rows))
        for metric, cells in table.items():
            mine = [r for r in rows if r["metric"] == metric]
            assert int(cells[-1]) == len(mine)
            for state, n in zip(header[1:-1], cells[:-1], strict=True):
                assert int(n) == sum(r["state"] == state for r in mine), (metric, state)

    @staticmethod
    def many_tickets(folder: Path, count: int) -> Path:
        events = folder / "events.jsonl"
        lines = [
            json.dumps(
                {
                    "ticket": f"T{n}",
                    "type": "created",
                    "at": f"2026-11-{2 + n % 20:02d}T10:00:00+01:00",
                    "channel": "email",
                }
            )
            for n in range(count)
        ]
        events.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return events

    def start_check(self, events: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "expectkit", "check", POLICY, str(events)]
        return subprocess.Popen(
            [*command, "--at", THURSDAY, "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **ENV},
        )

    def test_rows_stream_before_the_last_ticket_is_checked(self, tmp_path: Path) -> None:
        with self.start_check(self.many_tickets(tmp_path, 3000)) as process:
            assert process.stdout is not None
            first = json.loads(process.stdout.readline())
            still_running = process.poll() is None
            rest = process.stdout.read().splitlines()
            assert process.wait() == EXIT_FINDINGS
        assert first["ticket"] == "T0"
        assert len(rest) == 2999
        assert still_running, "the first row came only when every ticket was checked"

    def test_a_reader_closing_the_pipe_is_an_error_not_a_breach(self, tmp_path: Path) -> None:
        with self.start_check(self.many_tickets(tmp_path, 3000)) as process:
            assert process.stdout is not None
            assert process.stderr is not None
            process.stdout.readline()
            process.stdout.close()  # like `expectkit check ... --json | head -1`
            code = process.wait()
            errors = process.stderr.read().decode()
        assert code == EXIT_USAGE
        assert errors.splitlines() == [
            "expectkit: error: output: closed by its reader before everything was written "
            "(broken pipe)"
        ]

    def spy_progress(self, monkeypatch: pytest.MonkeyPatch) -> list[Progress]:
        made: list[Progress] = []
        real = _events._progress

        def spy(*, big: bool, counting_bytes: bool = True) -> Progress:
            made.append(real(big=big, counting_bytes=counting_bytes))
            return made[-1]

        monkeypatch.setattr(_events, "_progress", spy)
        monkeypatch.setattr(
            _events, "_stderr_console", lambda: Console(file=io.StringIO(), force_terminal=True)
        )
        return made

    def test_progress_bars_on_big_inputs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        made = self.spy_progress(monkeypatch)
        monkeypatch.setattr(_events, "_PROGRESS_MIN_BYTES", 100)
        monkeypatch.setattr(_events, "_PROGRESS_MIN_TICKETS", 3)
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY, "--json"])
        assert result.exit_code == EXIT_FINDINGS
        reading, checking = made
        assert not reading.disable
        assert not checking.disable
        [read] = reading.tasks
        assert read.completed == read.total == os.path.getsize(EVENTS)
        [checked] = checking.tasks
        assert checked.completed == checked.total == 6
        # The rows written while the bar showed reached standard output, not the bar's console.
        assert len([json.loads(line) for line in result.stdout.splitlines()]) == 6

    def test_no_progress_bar_on_small_inputs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        made = self.spy_progress(monkeypatch)
        run(["check", POLICY, EVENTS, "--at", THURSDAY, "--json"])
        assert [p.disable for p in made] == [True, True]

    def test_no_progress_bar_off_a_terminal(self) -> None:
        assert _events._progress(big=True).disable  # the runner's stderr is not a terminal

    @pytest.mark.parametrize(
        ("lines", "fragments"),
        [
            (['{"ticket": "T1", "type": "created"'], ("events.jsonl, line 1",)),
            (
                ['{"ticket": "T1", "type": "escalated", "at": "2026-11-20T10:00:00Z"}'],
                ("line 1", "'escalated'"),
            ),
            (
                ['{"ticket": "T1", "type": "created", "at": "2026-11-20T10:00", "channel": "x"}'],
                ("line 1", "naive"),
            ),
            (
                ['{"ticket": "T1", "type": "agent_reply", "at": "2026-11-20T10:00:00Z"}'],
                ("ticket 'T1'", "created"),
            ),
        ],
    )
    def test_bad_event_files(
        self, tmp_path: Path, lines: list[str], fragments: tuple[str, ...]
    ) -> None:
        events = tmp_path / "events.jsonl"
        events.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = run(["check", POLICY, str(events), "--at", THURSDAY])
        assert_one_line_error(result, str(tmp_path), *fragments)

    def test_events_not_utf8(self, tmp_path: Path) -> None:
        events = tmp_path / "events.jsonl"
        events.write_bytes(b'{"ticket": "\xff"}\n')
        assert_one_line_error(run(["check", POLICY, str(events)]), "line 1", "not UTF-8")

    @pytest.mark.parametrize(
        ("args", "fragments"),
        [
            (["check", POLICY], ("Missing argument", "EVENTS")),
            (["check", POLICY, "nowhere.jsonl"], ("nowhere.jsonl", "cannot read")),
            (["check", "-", "-"], ("cannot both be read from stdin",)),
            (["check", POLICY, EVENTS, "--at", "tomorrow"], ("--at: 'tomorrow'",)),
            (["check", POLICY, EVENTS, "--ticket", "T99"], ("--ticket: no events for 'T99'",)),
            (["check", POLICY, EVENTS, "--state", "late"], ("--state: 'late'", "breached")),
            (["check", POLICY, EVENTS, "--metric", "speed"], ("--metric: 'speed'", "resolution")),
            (["check", POLICY, EVENTS, "--rule", "vip"], ("--rule: 'vip'", "social-complaint")),
        ],
    )
    def test_bad_arguments(self, args: list[str], fragments: tuple[str, ...]) -> None:
        assert_one_line_error(run(args), *fragments)


# -- lint, schema ---------------------------------------------------------------


class TestLint:
    def test_clean_policy(self) -> None:
        result = run(["lint", POLICY, "--at", FRIDAY])
        assert (result.exit_code, result.stdout) == (EXIT_OK, "No findings.\n")

    def test_findings_exit_1(self) -> None:
        result = run(["lint", "-", "--at", FRIDAY], SHADOWED)
        assert result.exit_code == EXIT_FINDINGS
        check_golden("cli_lint.txt", result.stdout)

    def test_json(self) -> None:
        result = run(["lint", "-", "--at", FRIDAY, "--json"], SHADOWED)
        assert [f["code"] for f in json.loads(result.stdout)] == ["shadowed-rule"]

    def test_toml_from_stdin(self) -> None:
        policy = 'rules = [{name = "all", resolution = {promise = "1 week"}}]'
        result = run(["lint", "-", "--policy-format", "toml", "--at", FRIDAY], policy)
        assert result.exit_code == EXIT_OK, result.stderr

    @pytest.mark.parametrize(
        ("stdin", "fragments"),
        [
            ("rules: [", ("<stdin>, line 2", "invalid YAML")),
            ("rules: []", ("at least one rule",)),
            ("- just a list", ("a policy is a mapping",)),
            ("rules: [{name: a, first_response: {promise: !!python/object x}}]", ("tags",)),
        ],
    )
    def test_bad_policies(self, stdin: str, fragments: tuple[str, ...]) -> None:
        assert_one_line_error(run(["lint", "-"], stdin), *fragments)

    def test_bad_at(self) -> None:
        assert_one_line_error(run(["lint", POLICY, "--at", "2026-13-01T00:00Z"]), "--at")


class TestSchema:
    def test_schema_is_json(self) -> None:
        result = run(["schema"])
        schema = json.loads(result.stdout)
        assert schema["$schema"].startswith("https://json-schema.org/")
        assert "rules" in schema["properties"]

    def test_output_file(self, tmp_path: Path) -> None:
        target = tmp_path / "policy.schema.json"
        result = run(["schema", "-o", str(target)])
        assert result.exit_code == EXIT_OK
        assert json.loads(target.read_text(encoding="utf-8"))["required"] == ["rules"]

    def test_unwritable_output(self, tmp_path: Path) -> None:
        target = tmp_path / "missing-folder" / "schema.json"
        assert_one_line_error(run(["schema", "-o", str(target)]), "schema.json", "cannot write")

    def test_stray_argument(self) -> None:
        assert_one_line_error(run(["schema", "extra"]), "unexpected extra argument")


# -- contact page -----------------------------------------------------------------


class TestContactPage:
    def test_html_file(self, tmp_path: Path) -> None:
        target = tmp_path / "contact.html"
        args = ["contact-page", POLICY, "--at", FRIDAY, "-l", "bg", "--tz", "Europe/Sofia"]
        args += ["--faq", "https://example.com/help", "--contact", "email=help@example.com"]
        result = run([*args, "--label", "chat=Чат", "-o", str(target)])
        assert result.exit_code == EXIT_OK, result.stderr
        page = target.read_text(encoding="utf-8")
        assert page.startswith('<!DOCTYPE html>\n<html lang="bg"')
        assert '<th scope="row">Чат</th>' in page
        assert 'href="mailto:help@example.com"' in page

    def test_markdown_to_stdout(self) -> None:
        result = run(["contact-page", POLICY, "--at", FRIDAY, "-f", "markdown"])
        assert result.stdout.startswith("# Contact us and response times\n")
        assert "| Live chat | Mon–Fri 09:00–17:00 CET<br>" in result.stdout

    def test_a_template_directory(self, tmp_path: Path) -> None:
        (tmp_path / "contact_page.html").write_text(
            '{% extends "expectkit/contact_page.html" %}'
            "{% block footer %}<footer>{{ week_note }}</footer>{% endblock %}",
            encoding="utf-8",
        )
        result = run(["contact-page", POLICY, "--at", FRIDAY, "--templates", str(tmp_path)])
        assert result.exit_code == EXIT_OK, result.stderr
        assert "<footer>Hours as of the week of 16 November;" in result.stdout

    def test_a_broken_template_is_one_line(self, tmp_path: Path) -> None:
        (tmp_path / "contact_page.html").write_text("{% if %}", encoding="utf-8")
        result = run(["contact-page", POLICY, "--templates", str(tmp_path)])
        assert_one_line_error(result, "contact_page.html', line 1")

    @pytest.mark.parametrize(
        ("args", "fragments"),
        [
            (["contact-page", POLICY, "-f", "pdf"], ("--format: 'pdf'",)),
            (
                ["contact-page", POLICY, "--contact", "fax=123"],
                ("--contact: unknown channel 'fax'",),
            ),
            (["contact-page", POLICY, "--label", "chat"], ("--label: 'chat' is not KEY=VALUE",)),
            (["contact-page", POLICY, "--faq", "javascript:alert(1)"], ("faq_url",)),
            (["contact-page", POLICY, "-l", "xx"], ("'xx' is not a locale Babel knows",)),
            (["contact-page", POLICY, "--tz", "Europe/Atlantis"], ("'Europe/Atlantis'",)),
            (["contact-page"], ("Missing argument", "POLICY")),
        ],
    )
    def test_bad_arguments(self, args: list[str], fragments: tuple[str, ...]) -> None:
        assert_one_line_error(run(args), *fragments)


# -- the whole command ------------------------------------------------------------


class TestApp:
    def test_version(self) -> None:
        result = run(["--version"])
        assert result.exit_code == EXIT_OK
        # One source: the version pyproject.toml declares, as the installed metadata says,
        # and the engine in use.
        declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        version = declared["project"]["version"]
        assert result.stdout == f"expectkit {version} ({expectkit.backend} engine)\n"
        assert expectkit.__version__ == importlib.metadata.version("expectkit")

    def test_no_command_shows_help(self) -> None:
        result = run([])
        assert result.exit_code == EXIT_USAGE
        assert "contact-page" in result.stdout

    def test_unknown_command(self) -> None:
        assert_one_line_error(run(["qoute"]), "No such command 'qoute'")

    def test_every_command_has_help(self) -> None:
        for command in ("quote", "check", "lint", "schema", "contact-page", "demo"):
            result = run([command, "--help"])
            assert result.exit_code == EXIT_OK, command
            assert "Usage" in result.stdout

    def test_a_bug_is_one_line_and_exit_2_unless_debugging(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A bug inside expectkit, simulated: the last-resort handler must still answer
        # with one line and exit 2 (never 1, which means "breached"), never a traceback.
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("bug")

        monkeypatch.setattr(Policy, "json_schema", broken)
        result = run(["schema"])
        assert result.exit_code == EXIT_USAGE
        assert result.stderr == (
            "expectkit: error: unexpected RuntimeError: bug (a bug in expectkit: run again "
            "with --debug for the traceback, and report it)\n"
        )
        assert "Traceback" not in result.output
        debugging = run(["--debug", "schema"])
        assert isinstance(debugging.exception, RuntimeError)


# -- as a real process ------------------------------------------------------------


def process(args: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env: Mapping[str, str] = {**os.environ, **ENV, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "expectkit", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(env),
        timeout=60,
        check=False,
    )


class TestSubprocess:
    def test_demo_prints_the_same_as_the_runner(self) -> None:
        done = process(["demo"])
        assert done.returncode == EXIT_OK, done.stderr
        assert done.stderr == ""
        check_golden("cli_demo.txt", done.stdout)

    def test_input_error_is_one_line_without_traceback(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text("rules = [", encoding="utf-8")
        done = process(["quote", str(bad), "--channel", "email"])
        assert done.returncode == EXIT_USAGE
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1
        assert done.stderr.startswith(f"expectkit: error: {bad}: invalid TOML")

    def test_lint_findings_from_stdin(self) -> None:
        done = process(["lint", "-", "--at", FRIDAY, "--json"], SHADOWED)
        assert done.returncode == EXIT_FINDINGS
        assert json.loads(done.stdout)[0]["code"] == "shadowed-rule"
