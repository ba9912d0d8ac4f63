"""Promise policies: ordered rules with per-metric targets, loaded from YAML, TOML or JSON.

The code lives in :mod:`expectkit.promises.file_formats`, :mod:`expectkit.promises.lint`,
:mod:`expectkit.promises.metrics`, :mod:`expectkit.promises.policy`,
:mod:`expectkit.promises.rules`, :mod:`expectkit.promises.targets`; this module only re-
exports it, so the import path ``expectkit.policy`` stays.
"""

from expectkit.promises.file_formats import MAX_POLICY_BYTES, MAX_YAML_NODES, PolicyFormat
from expectkit.promises.lint import Finding
from expectkit.promises.metrics import (
    CLOCK_METRICS,
    DEFAULT_TRIGGERS,
    METRICS,
    ClockMetric,
    Metric,
    TicketStatus,
    Trigger,
    Triggers,
)
from expectkit.promises.policy import Policy
from expectkit.promises.rules import Match, Request, Rule
from expectkit.promises.targets import Escalation, Target

__all__ = [
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
]
