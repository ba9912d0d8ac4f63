"""Every documented public name imports from its documented place.

The names below are the ``__all__`` of each public module as 0.1 shipped it, before the
modules moved into layered subpackages; the re-export modules keep every one of them.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"

PUBLIC: dict[str, tuple[str, ...]] = {
    "expectkit": (
        "EventError",
        "ExpectkitError",
        "ExpectkitWarning",
        "HorizonError",
        "ImmutableError",
        "InputTypeError",
        "NaiveDatetimeError",
        "OutOfRangeError",
        "PolicyError",
        "ScheduleError",
        "WindowParseError",
        "Holidays",
        "Schedule",
        "Buffer",
        "Duration",
        "Rounding",
        "Window",
        "Channel",
        "Commitment",
        "Escalation",
        "Finding",
        "Match",
        "MetricQuote",
        "Policy",
        "Request",
        "Rule",
        "Step",
        "Target",
        "Triggers",
        "quote",
        "AgentReply",
        "AttributesChanged",
        "Clock",
        "CustomerMessage",
        "EscalationPoint",
        "MetricStatus",
        "PriorityChanged",
        "ReplayReport",
        "RuleChange",
        "StatusChanged",
        "TicketCreated",
        "TicketReopened",
        "read_events",
        "write_events",
        "Preset",
        "load_preset",
        "preset_names",
        "batch",
        "__version__",
    ),
    "expectkit.errors": (
        "EventError",
        "ExpectkitError",
        "ExpectkitWarning",
        "HorizonError",
        "ImmutableError",
        "InputTypeError",
        "NaiveDatetimeError",
        "OutOfRangeError",
        "PolicyError",
        "ScheduleError",
        "WindowParseError",
    ),
    "expectkit.schedule": (
        "Holidays",
        "Schedule",
    ),
    "expectkit.windows": (
        "MAX_AMOUNT",
        "BusinessDayMode",
        "ClockName",
        "Duration",
        "DurationUnit",
        "Window",
    ),
    "expectkit.buffers": (
        "Buffer",
        "BufferKind",
        "RatioLike",
        "Rounding",
        "RoundingKind",
    ),
    "expectkit.channels": (
        "LIVE_KINDS",
        "Channel",
        "ChannelKind",
        "ChannelMode",
    ),
    "expectkit.policy": (
        "CLOCK_METRICS",
        "DEFAULT_TRIGGERS",
        "MAX_POLICY_BYTES",
        "MAX_YAML_NODES",
        "METRICS",
        "ClockMetric",
        "Escalation",
        "Finding",
        "Match",
        "Metric",
        "Policy",
        "PolicyFormat",
        "Request",
        "Rule",
        "Target",
        "TicketStatus",
        "Trigger",
        "Triggers",
    ),
    "expectkit.calculator": (
        "Commitment",
        "MetricQuote",
        "Step",
        "StepKind",
        "quote",
    ),
    "expectkit.clock": (
        "AgentReply",
        "AttributesChanged",
        "Clock",
        "CustomerMessage",
        "EscalationPoint",
        "Event",
        "EventSource",
        "EventType",
        "MetricState",
        "MetricStatus",
        "PriorityChanged",
        "ReplayReport",
        "RuleChange",
        "StatusChanged",
        "TicketCreated",
        "TicketReopened",
        "read_events",
        "write_events",
    ),
    "expectkit.batch": (
        "CLOCK_COLUMNS",
        "EVENT_COLUMNS",
        "HISTORY_COLUMNS",
        "add",
        "between",
        "clock_frame",
        "history_from_events",
        "is_open",
        "next_close",
        "next_open",
        "quote_frame",
        "read_event_log",
        "subtract",
    ),
    "expectkit.dask": (
        "add",
        "between",
        "clock_frame",
        "is_open",
        "next_close",
        "next_open",
        "subtract",
    ),
    "expectkit.spark": (
        "add",
        "between",
        "clock_frame",
        "clock_schema",
        "is_open",
        "next_close",
        "next_open",
        "subtract",
    ),
    "expectkit.history": (
        "ARRIVALS_BY_HOUR",
        "ARRIVALS_BY_WEEKDAY",
        "CHANNEL_MIX",
        "EXAMPLE_POLICY",
        "PRIORITY_MIX",
        "RESPONSES",
        "Response",
        "default_schedule",
        "example_policy",
        "synthetic_events",
        "synthetic_history",
    ),
    "expectkit.plots": (
        "plot_attainment",
        "plot_promise_curve",
        "plot_responses",
        "plot_week",
    ),
    "expectkit.cli": (
        "EXIT_FINDINGS",
        "EXIT_OK",
        "EXIT_USAGE",
        "app",
        "main",
    ),
    "expectkit.text": (
        "LOCALES",
        "Form",
        "PageFormat",
        "Phrasebook",
        "Precision",
        "channel_text",
        "contact_page",
        "hours_text",
        "promise_text",
        "window_text",
    ),
    "expectkit.analysis": (
        "DEFAULT_COLUMNS",
        "HUMAN_PROMISES",
        "OUTCOMES",
        "Attainment",
        "Calibration",
        "Outcome",
        "WhatIf",
        "attainment",
        "calibrate",
        "compare",
        "promise_share",
    ),
    "expectkit.presets": (
        "Preset",
        "PresetKind",
        "load_preset",
        "preset_names",
    ),
    # Added after 0.1, before the move: their import paths stay too.
    "expectkit.state": (
        "FORMAT",
        "Deadline",
        "IngestCounts",
        "Outcome",
        "TicketState",
        "event_id",
        "policy_version",
        "to_event",
    ),
    "expectkit.metric_events": (
        "MetricEvent",
        "MetricEventKind",
        "metric_events",
    ),
    "expectkit.store": (
        "SCHEMA_VERSION",
        "Claimed",
        "Due",
        "Store",
        "StoreError",
    ),
    "expectkit.importers": (
        "import_freshdesk",
        "import_jsm",
        "import_zendesk",
        "FindingCode",
        "ImportFinding",
        "ImportResult",
        "RAILS_ZONES",
        "iana_zone",
        "ImportFormatError",
    ),
    "expectkit.importers.freshdesk": ("PRIORITIES", "SOURCES", "import_freshdesk"),
    "expectkit.importers.jsm": ("METRIC_NAMES", "import_jsm"),
    "expectkit.importers.zendesk": ("PRIORITIES", "VIA_TYPES", "import_zendesk"),
}


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in PUBLIC.items() for n in names])
def test_documented_name_imports_from_its_place(module: str, name: str) -> None:
    if module == "expectkit.cli":
        pytest.importorskip("typer", reason="the CLI is in the cli extra")
    imported = importlib.import_module(module)
    assert name in imported.__all__
    assert getattr(imported, name) is not None


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_module_still_exports_what_it_did(module: str) -> None:
    if module == "expectkit.cli":
        pytest.importorskip("typer", reason="the CLI is in the cli extra")
    assert set(PUBLIC[module]) <= set(importlib.import_module(module).__all__)


def test_every_reference_page_module_is_covered() -> None:
    shown = {
        m
        for page in (DOCS / "reference" / "api").glob("*.md")
        for m in re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    }
    assert shown <= set(PUBLIC)


def test_re_export_modules_only_re_export() -> None:
    """A module at the old place holds no code: the name is the object of its layer."""
    import expectkit.policy
    import expectkit.promises.policy

    assert expectkit.policy.Policy is expectkit.promises.policy.Policy
    assert expectkit.policy.__doc__ is not None
    assert "expectkit.promises" in expectkit.policy.__doc__


def test_python_dash_m_runs_the_command_line() -> None:
    pytest.importorskip("typer", reason="the CLI is in the cli extra")
    done = subprocess.run(
        [sys.executable, "-m", "expectkit", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
