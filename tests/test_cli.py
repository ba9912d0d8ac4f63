"""The ``expectkit`` command, through Typer's runner and as a real subprocess.

Human output is checked against golden files (``python tests/regen_golden.py``
rewrites them); JSON output is parsed. Every command is also given bad arguments
and bad files: each must fail with exit code 2 and one line on standard error.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner, Result

from expectkit import Policy, cli
from expectkit.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden"
REGENERATE = os.environ.get("EXPECTKIT_REGEN_GOLDEN") == "1"
DEMO = ROOT / "src" / "expectkit" / "demo"
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
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{name} is missing: run python tests/regen_golden.py"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs: regenerate and review"


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
        assert "We'll reply in about 30 seconds." in result.stdout
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
    def test_golden_and_exit_code_on_breach(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY])
        assert result.exit_code == EXIT_FINDINGS, result.stderr
        check_golden("cli_check.txt", result.stdout)

    def test_no_breach_exits_0(self) -> None:
        result = run(["check", POLICY, EVENTS, "--at", "2026-11-23T12:00:00+01:00"])
        assert result.exit_code == EXIT_OK, result.stderr
        assert "breached" not in result.stdout

    def test_json_for_some_tickets(self) -> None:
        args = ["check", POLICY, EVENTS, "--at", THURSDAY, "--json", "--ticket", "T2"]
        result = run([*args, "--ticket", "T4"])
        data = json.loads(result.stdout)
        assert result.exit_code == EXIT_OK
        assert [(s["ticket"], s["state"]) for s in data["statuses"]] == [
            ("T2", "met_target"),
            ("T4", "target_missed"),
        ]
        assert data["statuses"][0]["elapsed"] == "PT1H30M"
        assert data["breached"] == 0

    def test_events_from_stdin(self) -> None:
        events = (DEMO / "events.jsonl").read_text(encoding="utf-8")
        result = run(["check", POLICY, "-", "--at", THURSDAY, "--json"], events)
        assert result.exit_code == EXIT_FINDINGS
        assert json.loads(result.stdout)["breached"] == 2

    def spy_progress(self, monkeypatch: pytest.MonkeyPatch) -> list[Progress]:
        made: list[Progress] = []
        real = cli._progress

        def spy(*, big: bool, counting_bytes: bool = True) -> Progress:
            made.append(real(big=big, counting_bytes=counting_bytes))
            return made[-1]

        monkeypatch.setattr(cli, "_progress", spy)
        monkeypatch.setattr(
            cli, "_stderr_console", lambda: Console(file=io.StringIO(), force_terminal=True)
        )
        return made

    def test_progress_bars_on_big_inputs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        made = self.spy_progress(monkeypatch)
        monkeypatch.setattr(cli, "_PROGRESS_MIN_BYTES", 100)
        monkeypatch.setattr(cli, "_PROGRESS_MIN_TICKETS", 3)
        result = run(["check", POLICY, EVENTS, "--at", THURSDAY, "--json"])
        assert result.exit_code == EXIT_FINDINGS
        reading, checking = made
        assert not reading.disable
        assert not checking.disable
        [read] = reading.tasks
        assert read.completed == read.total == os.path.getsize(EVENTS)
        [checked] = checking.tasks
        assert checked.completed == checked.total == 6

    def test_no_progress_bar_on_small_inputs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        made = self.spy_progress(monkeypatch)
        run(["check", POLICY, EVENTS, "--at", THURSDAY, "--json"])
        assert [p.disable for p in made] == [True, True]

    def test_no_progress_bar_off_a_terminal(self) -> None:
        assert cli._progress(big=True).disable  # the runner's stderr is not a terminal

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
            (["contact-page", POLICY, "-l", "fr"], ("'fr' has no phrasebook",)),
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
        assert result.stdout.startswith("expectkit ")

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

    def test_a_bug_still_shows_its_traceback(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("bug")

        monkeypatch.setattr(Policy, "json_schema", broken)
        result = run(["schema"])
        assert isinstance(result.exception, RuntimeError)


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
