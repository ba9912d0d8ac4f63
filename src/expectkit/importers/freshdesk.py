"""Import Freshdesk SLA policies and business hours.

The exports are the JSON bodies of Freshdesk's REST API (v2), one per file, as a list
or a single object:

* ``GET /api/v2/sla_policies``: each active policy becomes one rule per priority
  (``sla_target.priority_4`` urgent, ``priority_3`` high, ``priority_2`` medium,
  ``priority_1`` low), in ``position`` order, the default policy last;
  ``respond_within``, ``next_respond_within`` and ``resolve_within`` (seconds, on
  business hours or the calendar) become ``first_response``, ``next_response`` and
  ``resolution``; ``applicable_to`` becomes the ``match``; ``escalation`` becomes
  named escalation points;
* ``GET /api/v2/business_hours``: weekly hours per weekday in a Rails ``time_zone``;
  the default calendar (``is_default``) is the one business-hours targets count on.
  Yearly holidays (``list_of_holidays`` with ``--MM-DD`` dates) are expanded over the
  years asked for.

``applicable_to`` maps ``company_ids``, ``group_ids``, ``product_ids`` and
``ticket_types`` to the attributes ``company_id``, ``group_id``, ``product_id`` and
``type`` (any of the listed values), and ``sources`` to channels named after
Freshdesk's ticket sources (1 ``email``, 2 ``portal``, 3 ``phone``, 7 ``chat``,
9 ``feedback_widget``, 10 ``outbound_email``). An escalation ``escalation_time``
seconds after a breach becomes the point at that share of the promise
(``response`` 30 minutes after a 1-hour promise: ``"150% promise"``); who is
notified is reported, not imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any, Final

from expectkit._core.errors import ImportFormatError
from expectkit.importers._common import (
    Cond,
    Findings,
    Source,
    as_bool,
    as_dict,
    as_int,
    as_list,
    as_str,
    build_policy,
    build_schedule,
    closed_dates,
    need,
    percent_of,
    read_export,
    slug,
    unique,
    window_text,
    yearly_holiday,
)
from expectkit.importers._report import ImportResult
from expectkit.importers._zones import iana_zone

__all__ = ["PRIORITIES", "SOURCES", "import_freshdesk"]

PRIORITIES: Final[Mapping[str, str]] = {
    "priority_4": "urgent",
    "priority_3": "high",
    "priority_2": "medium",
    "priority_1": "low",
}
"""Freshdesk's priority keys in ``sla_target`` and the priority names they become."""

SOURCES: Final[Mapping[int, str]] = {
    1: "email",
    2: "portal",
    3: "phone",
    7: "chat",
    9: "feedback_widget",
    10: "outbound_email",
}
"""Freshdesk ticket sources and the channel names they become; others are reported."""

_APPLICABLE: Final = {
    "company_ids": "company_id",
    "group_ids": "group_id",
    "product_ids": "product_id",
    "ticket_types": "type",
}
_TARGETS: Final = {
    "respond_within": "first_response",
    "next_respond_within": "next_response",
    "resolve_within": "resolution",
}
_POLICY_KEYS: Final = (
    "id",
    "name",
    "description",
    "active",
    "is_default",
    "position",
    "sla_target",
    "applicable_to",
    "escalation",
    "created_at",
    "updated_at",
)
_TARGET_KEYS: Final = (*_TARGETS, "business_hours", "escalation_enabled")
_HOURS_KEYS: Final = (
    "id",
    "name",
    "description",
    "is_default",
    "time_zone",
    "business_hours",
    "list_of_holidays",
    "created_at",
    "updated_at",
)
_WEEKDAYS: Final = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_CLOCK_TIME: Final = re.compile(r"(\d{1,2}):(\d{2})\s*([ap])\.?m\.?", re.IGNORECASE)
_NOON: Final = 12


def import_freshdesk(
    files: Iterable[Source], *, holiday_years: Sequence[int] | None = None
) -> ImportResult:
    """Import Freshdesk API exports (SLA policies and business hours) into a policy.

    `holiday_years` are the years yearly holidays are closed in; without it they are
    reported, not imported.

    Returns:
        The policy and a finding for everything that did not map.

    Raises:
        ImportFormatError: A file is not a Freshdesk export, or a field is missing or
            malformed; the message names the file and the field.

    >>> from pathlib import Path
    >>> root = Path("examples/imports/freshdesk")
    >>> policy = import_freshdesk(sorted(root.glob("*.json")), holiday_years=[2026]).policy
    >>> str(policy.rules[0].first_response.promise)
    '30 business minutes'

    """
    sources: list[str] = []
    policies: list[tuple[str, str, Mapping[str, Any]]] = []
    calendars: list[tuple[str, str, Mapping[str, Any]]] = []
    for path in files:
        source, data = read_export(path)
        sources.append(source)
        items = data if isinstance(data, list) else [data]
        for i, raw in enumerate(items):
            where = f"[{i}]" if isinstance(data, list) else "<top level>"
            item = as_dict(raw, source, where)
            if "sla_target" in item:
                policies.append((source, where, item))
            elif "business_hours" in item:
                calendars.append((source, where, item))
            else:
                msg = (
                    f"{source}: {where}: not a Freshdesk SLA policy ('sla_target') nor "
                    "business hours ('business_hours')"
                )
                raise ImportFormatError(msg)
    if not policies:
        msg = "no SLA policies among the exports: give the body of GET /api/v2/sla_policies"
        raise ImportFormatError(msg)
    findings = Findings()
    schedules, default = _schedules(calendars, holiday_years, findings)
    rules = _rules(policies, default, findings)
    body: dict[str, Any] = {
        "name": "freshdesk",
        # Freshdesk's four priorities: any other value on a ticket is refused as a typo.
        "priorities": ["low", "medium", "high", "urgent"],
        "schedules": schedules,
        "rules": rules,
    }
    if default is not None:
        body["default_schedule"] = default
    return ImportResult(build_policy(body, sources), tuple(findings.items))


# -- business hours ------------------------------------------------------------------------


def _schedules(
    calendars: Sequence[tuple[str, str, Mapping[str, Any]]],
    years: Sequence[int] | None,
    findings: Findings,
) -> tuple[dict[str, dict[str, Any]], str | None]:
    out: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    default: str | None = None
    for source, path, item in calendars:
        findings.unknown_keys(item, _HOURS_KEYS, source, path)
        name = unique(slug(str(item.get("name") or ""), "business-hours"), used)
        hours = as_dict(item["business_hours"], source, f"{path}.business_hours")
        weekly: dict[str, list[str]] = {}
        for day, raw in hours.items():
            where = f"{path}.business_hours.{day}"
            if day not in _WEEKDAYS:
                raise ImportFormatError.at(
                    source, where, day, "expected a weekday such as 'monday'"
                )
            span = as_dict(raw, source, where)
            start = _clock(need(span, "start_time", source, where), source, f"{where}.start_time")
            end = _clock(need(span, "end_time", source, where), source, f"{where}.end_time")
            weekly[_WEEKDAYS[day]] = [f"{start}-{end}"]
        spans: list[tuple[date, date]] = []
        for i, raw in enumerate(
            as_list(item.get("list_of_holidays") or [], source, f"{path}.list_of_holidays")
        ):
            where = f"{path}.list_of_holidays[{i}]"
            holiday = as_dict(raw, source, where)
            when = need(holiday, "holiday_date", source, where)
            spans.extend(yearly_holiday(when, years, source, f"{where}.holiday_date", findings))
        data = {
            "tz": iana_zone(need(item, "time_zone", source, path), source, f"{path}.time_zone"),
            "weekly": weekly,
            "closed": closed_dates(spans),
        }
        build_schedule(data, source, path)
        out[name] = data
        is_default = as_bool(item.get("is_default", False), source, f"{path}.is_default")
        if is_default and default is None:
            default = name
    if out and default is None:
        default = next(iter(out))
    for (source, path, item), name in zip(calendars, out, strict=True):
        if name != default:
            findings.add(
                source,
                path,
                "schedule",
                f"business hours {item.get('name')!r} are imported, but Freshdesk uses "
                "them for the groups they are set on, which is not imported: "
                f"business-hours targets count on {default!r}",
            )
    return out, default


def _clock(value: object, source: str, path: str) -> str:
    found = _CLOCK_TIME.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if found is None:
        raise ImportFormatError.at(source, path, value, "expected a time such as '8:00 am'")
    hour, minute = int(found.group(1)), int(found.group(2))
    if not 1 <= hour <= _NOON or minute > 59:
        raise ImportFormatError.at(source, path, value, "not a time on a 12-hour clock")
    hour = hour % _NOON + (_NOON if found.group(3).lower() == "p" else 0)
    return f"{hour:02d}:{minute:02d}"


# -- policies ------------------------------------------------------------------------------


def _rules(
    policies: Sequence[tuple[str, str, Mapping[str, Any]]],
    default_schedule: str | None,
    findings: Findings,
) -> list[dict[str, Any]]:
    def order(entry: tuple[int, tuple[str, str, Mapping[str, Any]]]) -> tuple[bool, int, int]:
        index, (source, path, item) = entry
        last = as_bool(item.get("is_default", False), source, f"{path}.is_default")
        position = item.get("position")
        rank = 0 if position is None else as_int(position, source, f"{path}.position")
        return last, rank, index

    rules: list[dict[str, Any]] = []
    used: set[str] = set()
    for _, (source, path, item) in sorted(enumerate(policies), key=order):
        findings.unknown_keys(item, _POLICY_KEYS, source, path)
        title = as_str(need(item, "name", source, path), source, f"{path}.name")
        if not as_bool(item.get("active", True), source, f"{path}.active"):
            findings.add(
                source,
                f"{path}.active",
                "setting",
                f"policy {title!r} is inactive in Freshdesk and is not imported",
            )
            continue
        cond = _applicable(
            item.get("applicable_to"), source, f"{path}.applicable_to", title, findings
        )
        if cond is None:
            continue
        escalation = as_dict(item.get("escalation") or {}, source, f"{path}.escalation")
        targets = as_dict(need(item, "sla_target", source, path), source, f"{path}.sla_target")
        findings.unknown_keys(targets, PRIORITIES, source, f"{path}.sla_target")
        for key, priority in PRIORITIES.items():
            picked = cond.and_(Cond(priority=frozenset({priority})))
            if key not in targets or picked is None:
                continue
            where = f"{path}.sla_target.{key}"
            rule: dict[str, Any] = {
                "name": unique(f"{slug(title, 'policy')}-{priority}", used),
                "description": item.get("description") or f"Freshdesk SLA policy {title!r}",
                "match": picked.match(),
            }
            metrics = _metrics(
                as_dict(targets[key], source, where), default_schedule, source, where, findings
            )
            _escalate(metrics, escalation, source, f"{path}.escalation", findings, priority)
            rule.update(metrics)
            rules.append(rule)
        _recipients(escalation, source, f"{path}.escalation", title, findings)
    return rules


def _applicable(raw: object, source: str, path: str, title: str, findings: Findings) -> Cond | None:
    body = as_dict(raw or {}, source, path)
    cond = Cond()
    for key, values in body.items():
        where = f"{path}.{key}"
        items = list(as_list(values, source, where))
        if not items:
            continue
        if key in _APPLICABLE:
            part = Cond.attribute(_APPLICABLE[key], items)
        elif key == "sources":
            channels = {SOURCES[v] for v in items if isinstance(v, int) and v in SOURCES}
            for v in items:
                if not (isinstance(v, int) and v in SOURCES):
                    findings.add(
                        source,
                        where,
                        "condition",
                        f"source {v!r} is not in Freshdesk's table of ticket sources; "
                        f"policy {title!r} is imported without it, so its tickets fall "
                        "through to later policies",
                    )
            if not channels:
                return None
            part = Cond(channel=frozenset(channels))
        else:
            findings.add(
                source,
                where,
                "condition",
                f"{key!r} has no expectkit equivalent; the rules of policy {title!r} "
                "need it and are left out, so its tickets fall through to later "
                "policies",
            )
            return None
        joined = cond.and_(part)
        if joined is None:
            return None
        cond = joined
    return cond


def _metrics(
    target: Mapping[str, Any],
    default_schedule: str | None,
    source: str,
    path: str,
    findings: Findings,
) -> dict[str, dict[str, Any]]:
    findings.unknown_keys(target, _TARGET_KEYS, source, path)
    business = as_bool(target.get("business_hours", False), source, f"{path}.business_hours")
    if business and default_schedule is None:
        msg = (
            f"{source}: {path}.business_hours: the targets count business hours; give the "
            "business hours export too (GET /api/v2/business_hours)"
        )
        raise ImportFormatError(msg)
    out: dict[str, dict[str, Any]] = {}
    for key, metric in _TARGETS.items():
        if target.get(key) is None:
            continue
        seconds = as_int(target[key], source, f"{path}.{key}", "seconds as an integer")
        if seconds <= 0:
            raise ImportFormatError.at(source, f"{path}.{key}", seconds, "a target is positive")
        out[metric] = {"promise": window_text(seconds, business), "_seconds": seconds}
    enabled = target.get("escalation_enabled", True)
    out["_escalate"] = {"enabled": as_bool(enabled, source, f"{path}.escalation_enabled")}
    return out


def _escalate(
    metrics: dict[str, dict[str, Any]],
    escalation: Mapping[str, Any],
    source: str,
    path: str,
    findings: Findings,
    priority: str,
) -> None:
    enabled = metrics.pop("_escalate")["enabled"]
    levels: dict[str, list[tuple[str, str, object]]] = {"first_response": [], "resolution": []}
    for key, body in escalation.items():
        if key == "response":
            levels["first_response"].append(("response-escalation", f"{path}.response", body))
        elif key == "resolution":
            for level, inner in as_dict(body, source, f"{path}.resolution").items():
                levels["resolution"].append(
                    (f"resolution-{level.replace('_', '-')}", f"{path}.resolution.{level}", inner)
                )
        elif priority == "urgent":  # report an unknown key once, not once per priority
            findings.add(
                source,
                f"{path}.{key}",
                "setting",
                f"escalation {key!r} has no expectkit equivalent",
            )
    for metric, points in levels.items():
        target = metrics.get(metric)
        if target is None:
            continue
        seconds = target.pop("_seconds")
        if not enabled or not points:
            continue
        marks = []
        for name, where, body in points:
            after = as_int(
                need(as_dict(body, source, where), "escalation_time", source, where),
                source,
                f"{where}.escalation_time",
                "seconds as an integer",
            )
            share = percent_of(Fraction(seconds + after, seconds))
            if share is None:
                findings.add(
                    source,
                    f"{where}.escalation_time",
                    "setting",
                    f"{after} s after a {seconds} s promise ({priority}) is no exact "
                    "share of the promise up to 1000%; the point is not imported",
                )
                continue
            marks.append({"name": name, "at": f"{share} promise"})
        if marks:
            target["escalations"] = marks
    for target in metrics.values():
        target.pop("_seconds", None)


def _recipients(
    escalation: Mapping[str, Any], source: str, path: str, title: str, findings: Findings
) -> None:
    def walk(node: object, where: str) -> None:
        if isinstance(node, Mapping):
            if node.get("agent_ids"):
                findings.add(
                    source,
                    f"{where}.agent_ids",
                    "setting",
                    f"policy {title!r}: who is notified is not part of an expectkit "
                    "policy; the escalation point is imported, notify from the clock's "
                    "escalations",
                )
            for key, value in node.items():
                if isinstance(value, Mapping):
                    walk(value, f"{where}.{key}")

    walk(escalation, path)
