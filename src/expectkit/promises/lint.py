"""Lint findings: rules never matched, requests no rule matches, late targets, closed hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import product
from typing import TYPE_CHECKING, Literal

from expectkit._core.errors import HorizonError
from expectkit.promises.metrics import _dead_triggers
from expectkit.promises.rules import Request, Rule
from expectkit.promises.targets import Target
from expectkit.time.schedule import Schedule

if TYPE_CHECKING:
    from expectkit.promises.policy import Policy

__all__ = ["Finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem :meth:`Policy.lint` found: a code, the field path and what is wrong.

    >>> str(Finding("shadowed-rule", "rules[2]", "never matches", "warning"))
    'rules[2]: shadowed-rule: never matches'
    """

    code: str
    path: str
    message: str
    severity: Literal["error", "warning"] = "warning"

    def __str__(self) -> str:
        return f"{self.path}: {self.code}: {self.message}"


def _period_covers(earlier: Rule, later: Rule) -> bool:
    starts_first = earlier.effective_from is None or (
        later.effective_from is not None and earlier.effective_from <= later.effective_from
    )
    ends_last = earlier.effective_until is None or (
        later.effective_until is not None and earlier.effective_until >= later.effective_until
    )
    return starts_first and ends_last


def _lint_target(
    target: Target, schedule: Schedule, starts: Sequence[datetime], path: str, rule: str
) -> Finding | None:
    for start in starts:
        try:
            for field, window in (("promise", target.promise), ("target", target.target)):
                if window is None:
                    continue
                low, high = window.due_range(start, schedule, day_mode=target.day_mode)
                if low > high:
                    return Finding(
                        "window-reversed",
                        f"{path}.{field}",
                        f"rule {rule!r}: {str(window)!r} ends before it starts "
                        f"(from {start.isoformat()}: {low.isoformat()} > {high.isoformat()})",
                        "error",
                    )
            if target.promise is not None and target.target is not None:
                promise = target.promise.due_range(start, schedule, day_mode=target.day_mode)[1]
                aim = target.target.due_range(start, schedule, day_mode=target.day_mode)[1]
                late = aim > promise if target.direction == "after" else aim < promise
                if late:
                    return Finding(
                        "target-after-promise",
                        f"{path}.target",
                        f"rule {rule!r}: target {str(target.target)!r} is later than promise "
                        f"{str(target.promise)!r} from {start.isoformat()} "
                        f"({aim.isoformat()} vs {promise.isoformat()}); the quote caps it",
                        "error",
                    )
        except HorizonError:
            return None
    return None


def unreachable_rules(
    rules: Sequence[Rule], priorities: Sequence[str] | None, segments: Sequence[str] | None
) -> list[Finding]:
    """Report rules matching only priorities or segments the policy does not list."""
    findings: list[Finding] = []
    for field, declared in (("priority", priorities), ("segment", segments)):
        if declared is None:
            continue
        plural = "priorities" if field == "priority" else "segments"
        for index, rule in enumerate(rules):
            named: tuple[str, ...] = getattr(rule.match, field) or ()
            unknown = [v for v in named if v not in declared]
            if not unknown:
                continue
            shown = ", ".join(map(repr, unknown))
            where = f"rules[{index}].match.{field}"
            if len(unknown) == len(named):
                message = (
                    f"rule {rule.name!r} never applies: no {field} it matches ({shown}) "
                    f"is listed under '{plural}:'"
                )
                findings.append(Finding("unreachable-rule", where, message, "error"))
            else:
                message = f"rule {rule.name!r} matches {shown}, not listed under '{plural}:'"
                findings.append(Finding("unknown-value", where, message))
    return findings


def dead_triggers(rules: Sequence[Rule]) -> list[Finding]:
    """Report triggers that cannot fire for their metric (``trigger-never-fires``)."""
    findings: list[Finding] = []
    for index, rule in enumerate(rules):
        for metric, target in rule.clock_metrics():
            for setting, trigger, why in _dead_triggers(metric, target):
                findings.append(
                    Finding(
                        "trigger-never-fires",
                        f"rules[{index}].{metric}.{setting}",
                        f"{trigger!r} can never {why}",
                        "error",
                    )
                )
    return findings


def lint_policy(policy: Policy, at: datetime) -> list[Finding]:
    """Every finding of :meth:`Policy.lint` for a valid `policy`, starts sampled from `at`."""
    findings: list[Finding] = []
    findings += _lint_schedules(policy, at)
    findings += _lint_shadowed(policy)
    findings += _lint_unmatched(policy, at)
    findings += _lint_windows(policy, at)
    findings += unreachable_rules(policy.rules, policy.priorities, policy.segments)
    findings += dead_triggers(policy.rules)
    return findings


def _lint_schedules(policy: Policy, at: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for name, schedule in policy.schedules.items():
        try:
            schedule.next_open(at)
        except HorizonError:
            findings.append(
                Finding(
                    "schedule-never-opens",
                    f"schedules.{name}",
                    f"schedule {name!r} has no open time within its horizon "
                    f"({schedule.horizon.days} days) after {at.isoformat()}",
                    "error",
                )
            )
    return findings


def _lint_shadowed(policy: Policy) -> list[Finding]:
    findings: list[Finding] = []
    declared = frozenset(policy.channels)
    for j, later in enumerate(policy.rules):
        for i, earlier in enumerate(policy.rules[:j]):
            if earlier.match.covers(later.match, declared) and _period_covers(earlier, later):
                findings.append(
                    Finding(
                        "shadowed-rule",
                        f"rules[{j}]",
                        f"rule {later.name!r} never applies: rules[{i}] {earlier.name!r} "
                        "comes first and matches every request it matches",
                    )
                )
                break
    return findings


def _lint_unmatched(policy: Policy, at: datetime) -> list[Finding]:
    channels: set[str | None] = set(policy.channels)
    priorities: set[str | None] = {None}
    segments: set[str | None] = {None}
    for rule in policy.rules:
        if not policy.channels and rule.match.channel:
            channels.update(rule.match.channel)
        priorities.update(rule.match.priority or ())
        segments.update(rule.match.segment or ())
    if not policy.channels:
        channels.add(None)  # stands for any channel no rule names
    instants = sorted(
        {at}
        | {
            t
            for rule in policy.rules
            for t in (rule.effective_from, rule.effective_until)
            if t is not None and t > at
        }
    )
    findings: list[Finding] = []
    reported: set[tuple[str | None, str | None, str | None]] = set()
    shapes = list(
        product(sorted(channels, key=str), sorted(priorities, key=str), sorted(segments, key=str))
    )[:10_000]
    for when in instants:
        rules = [rule for rule in policy.rules if rule.in_force(when)]
        for shape in shapes:
            if shape in reported:
                continue
            channel, priority, segment = shape
            request = Request(
                channel=channel or "<any other channel>", priority=priority, segment=segment
            )
            if not any(rule.match.matches(request) for rule in rules):
                reported.add(shape)
                described = (
                    ", ".join(
                        f"{k}={v!r}"
                        for k, v in (
                            ("channel", channel),
                            ("priority", priority),
                            ("segment", segment),
                        )
                        if v is not None
                    )
                    or "any request"
                )
                findings.append(
                    Finding(
                        "unmatched-request",
                        "rules",
                        f"no rule in force on {when.isoformat()} matches {described} "
                        "(without tags or attributes); add a default rule without 'match'",
                    )
                )
    return findings


def _lint_windows(policy: Policy, at: datetime) -> list[Finding]:
    findings: list[Finding] = []
    starts = [at + timedelta(hours=h) for h in range(7 * 24)]
    for index, rule in enumerate(policy.rules):
        for metric, target in rule.metrics():
            path = f"rules[{index}].{metric}"
            for schedule in _schedules_for(policy, rule, target):
                finding = _lint_target(target, schedule, starts, path, rule.name)
                if finding is not None:
                    findings.append(finding)
                    break
    return findings


def _schedules_for(policy: Policy, rule: Rule, target: Target) -> list[Schedule]:
    if target.schedule is not None:
        return [policy.schedule(target.schedule)]
    names: list[str | None] = []
    if policy.channels:
        for name in rule.match.channel or tuple(policy.channels):
            channel = policy.channels[name]
            names.append(channel.schedule)
            if channel.offline is not None:
                names.append(policy.channels[channel.offline].schedule)
    else:
        names.append(None)
    unique = list(dict.fromkeys(names))
    return [policy.schedule(name) for name in unique]
