"""Import Zendesk SLA policies, schedules, holidays and ticket metric events.

The exports are the JSON bodies of Zendesk's REST API, one per file:

* ``GET /api/v2/slas/policies`` (``{"sla_policies": [...]}``): each policy becomes one
  rule per priority it sets targets for, in ``position`` order; its ``filter``
  (``all`` and ``any`` conditions) becomes the rules' ``match``;
* ``GET /api/v2/business_hours/schedules`` (``{"schedules": [...]}``): weekly
  ``intervals`` in minutes from Sunday 00:00, in a Rails ``time_zone``; the first
  schedule is the one business-hours targets count on, as it is Zendesk's default;
* ``GET /api/v2/business_hours/schedules/{id}/holidays`` (``{"holidays": [...]}``,
  with a ``schedule_id`` added when there is more than one schedule): closed dates;
* ``GET /api/v2/incremental/ticket_metric_events`` (``{"ticket_metric_events": [...]}``)
  and, for the tickets' priority, type, tags and channel, ``GET /api/v2/tickets``
  (``{"tickets": [...]}``): ticket events for the SLA clock (see
  :mod:`expectkit.importers._zendesk_events`).

Metric targets are minutes (``target``, or ``target_in_seconds`` when given) on
business hours or the calendar. What maps:

========================  ==================================================
Zendesk metric            expectkit metric
========================  ==================================================
``first_reply_time``      ``first_response``
``next_reply_time``       ``next_response``
``periodic_update_time``  ``periodic_update``
``pausable_update_time``  ``periodic_update``, paused while pending or on-hold
``requester_wait_time``   ``requester_wait``
``agent_work_time``       ``agent_work``
``total_resolution_time`` ``resolution``, never paused
========================  ==================================================

Filter conditions with ``is`` map to the request's ``priority`` (also ``is_not``,
``less_than``, ``greater_than``), ``channel`` (``via_id``, named by Zendesk's via
type) or an attribute of the same name (``type``, ``group_id``, ``organization_id``,
``brand_id``, ``ticket_form_id``, ``custom_fields_<id>``, ...); ``current_tags``
``includes`` maps to tags (any of them). Every other condition is reported, and the
rules that needed it are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
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
    conjoin,
    merge,
    need,
    parse_date,
    read_export,
    slug,
    unique,
    window_text,
)
from expectkit.importers._report import ImportResult
from expectkit.importers._via import VIA_TYPES, via_type
from expectkit.importers._zendesk_events import convert_metric_events
from expectkit.importers._zones import iana_zone

__all__ = ["PRIORITIES", "VIA_TYPES", "import_zendesk"]

PRIORITIES: Final = ("urgent", "high", "normal", "low")
"""Zendesk's ticket priorities, highest first."""

_RANK: Final = {name: rank for rank, name in enumerate(reversed(PRIORITIES))}


_METRICS: Final[Mapping[str, tuple[str, tuple[str, ...] | None]]] = {
    "first_reply_time": ("first_response", None),
    "next_reply_time": ("next_response", None),
    "periodic_update_time": ("periodic_update", None),
    "pausable_update_time": ("periodic_update", ("pending", "on_hold")),
    "requester_wait_time": ("requester_wait", None),
    "agent_work_time": ("agent_work", None),
    "total_resolution_time": ("resolution", ()),
}

_POLICY_KEYS: Final = (
    "url",
    "id",
    "title",
    "description",
    "position",
    "filter",
    "policy_metrics",
    "created_at",
    "updated_at",
)
_METRIC_KEYS: Final = ("priority", "metric", "target", "target_in_seconds", "business_hours")
_SCHEDULE_KEYS: Final = (
    "url",
    "id",
    "name",
    "time_zone",
    "intervals",
    "holidays",
    "created_at",
    "updated_at",
)
_HOLIDAY_KEYS: Final = ("url", "id", "name", "start_date", "end_date")
_UNMAPPED_FIELDS: Final = frozenset({"status", "created_at", "updated_at"})
_MINUTES_PER_DAY: Final = 1440
_DAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def import_zendesk(files: Iterable[Source], *, default_channel: str = "unknown") -> ImportResult:
    """Import Zendesk API exports into a policy (and ticket events, if given).

    `files` are JSON exports (see the module docstring), in any order; at least one
    holds SLA policies. Tickets in metric events without a ticket record are created
    on `default_channel`, without a priority.

    Returns:
        The policy, the converted events and a finding for everything that did not map.

    Raises:
        ImportFormatError: A file is not a Zendesk export, or a field is missing or
            malformed; the message names the file and the field.

    >>> from pathlib import Path
    >>> root = Path("examples/imports/zendesk")
    >>> result = import_zendesk(sorted(root.glob("*.json")))
    >>> [rule.name for rule in result.policy.rules][:2]
    ['incidents-urgent', 'incidents-high']

    """
    parts = _Parts()
    for path in files:
        source, data = read_export(path)
        parts.add(source, data)
    if not parts.policies:
        msg = "no SLA policies among the exports: give the body of GET /api/v2/slas/policies"
        raise ImportFormatError(msg)
    findings = Findings()
    schedules = _schedules(parts, findings)
    default = next(iter(schedules), None)
    rules = _rules(parts.policies, default, findings)
    body: dict[str, Any] = {
        "name": "zendesk",
        # Zendesk's four priorities: any other value on a ticket is refused as a typo.
        "priorities": ["low", "normal", "high", "urgent"],
        "schedules": schedules,
        "rules": rules,
    }
    if default is not None:
        body["default_schedule"] = default
    policy = build_policy(body, parts.sources)
    events = convert_metric_events(parts.metric_events, parts.tickets, default_channel, findings)
    return ImportResult(policy, tuple(findings.items), events)


class _Parts:
    """The exports, sorted by kind, each item with its file and path."""

    def __init__(self) -> None:
        self.sources: list[str] = []
        self.policies: list[tuple[str, str, Mapping[str, Any]]] = []
        self.schedules: list[tuple[str, str, Mapping[str, Any]]] = []
        self.holidays: list[tuple[str, str, Mapping[str, Any], object]] = []
        self.metric_events: list[tuple[str, str, Mapping[str, Any]]] = []
        self.tickets: list[tuple[str, str, Mapping[str, Any]]] = []

    def add(self, source: str, data: object) -> None:
        self.sources.append(source)
        body = as_dict(data, source, "<top level>")
        kinds = {
            "sla_policies": self.policies,
            "schedules": self.schedules,
            "ticket_metric_events": self.metric_events,
            "tickets": self.tickets,
        }
        singles = {"sla_policy": "sla_policies", "schedule": "schedules", "ticket": "tickets"}
        for key, items in kinds.items():
            if key in body:
                for i, item in enumerate(as_list(body[key], source, key)):
                    items.append((source, f"{key}[{i}]", as_dict(item, source, f"{key}[{i}]")))
                return
        for key, plural in singles.items():
            if key in body:
                kinds[plural].append((source, key, as_dict(body[key], source, key)))
                return
        if "holidays" in body:
            for i, item in enumerate(as_list(body["holidays"], source, "holidays")):
                where = f"holidays[{i}]"
                self.holidays.append(
                    (source, where, as_dict(item, source, where), body.get("schedule_id"))
                )
            return
        known = ", ".join([*kinds, *singles, "holidays"])
        msg = f"{source}: not a Zendesk export this importer reads: expected a key of {known}"
        raise ImportFormatError(msg)


# -- schedules ---------------------------------------------------------------------------


def _schedules(parts: _Parts, findings: Findings) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    ids: dict[object, str] = {}
    used: set[str] = set()
    for source, path, item in parts.schedules:
        findings.unknown_keys(item, _SCHEDULE_KEYS, source, path)
        name = unique(slug(str(item.get("name") or ""), "schedule"), used)
        weekly = _weekly(
            as_list(need(item, "intervals", source, path), source, f"{path}.intervals"),
            source,
            f"{path}.intervals",
        )
        spans = [
            _holiday(h, source, f"{path}.holidays[{i}]", findings)
            for i, h in enumerate(as_list(item.get("holidays") or [], source, f"{path}.holidays"))
        ]
        out[name] = {
            "tz": iana_zone(need(item, "time_zone", source, path), source, f"{path}.time_zone"),
            "weekly": weekly,
            "closed": spans,
        }
        ids[item.get("id")] = name
    for source, path, item, schedule_id in parts.holidays:
        if not out:
            msg = f"{source}: holidays need the schedule they belong to: give the schedules export"
            raise ImportFormatError(msg)
        if schedule_id is None and len(out) > 1:
            msg = (
                f"{source}: holidays: there are {len(out)} schedules; add a top-level "
                "'schedule_id' naming the schedule these holidays belong to"
            )
            raise ImportFormatError(msg)
        owner = next(iter(out)) if schedule_id is None else ids.get(schedule_id)
        if owner is None:
            raise ImportFormatError.at(source, "schedule_id", schedule_id, "no such schedule")
        out[owner]["closed"].append(_holiday(item, source, path, findings))
    for name, data in out.items():
        data["closed"] = closed_dates(data["closed"])
        build_schedule(data, parts.sources[0], f"schedule {name!r}")
    for source, path, item in parts.schedules[1:]:
        findings.add(
            source,
            path,
            "schedule",
            f"schedule {item.get('name')!r} is imported, but Zendesk sets it on tickets by "
            "triggers, which are not imported: business-hours targets count on the first "
            "(default) schedule",
        )
    return out


def _weekly(intervals: Sequence[Any], source: str, path: str) -> dict[str, list[str]]:
    weekly: dict[str, list[str]] = {}
    for i, raw in enumerate(intervals):
        where = f"{path}[{i}]"
        item = as_dict(raw, source, where)
        start = as_int(
            need(item, "start_time", source, where),
            source,
            f"{where}.start_time",
            "minutes since Sunday 00:00",
        )
        end = as_int(
            need(item, "end_time", source, where),
            source,
            f"{where}.end_time",
            "minutes since Sunday 00:00",
        )
        day = start // _MINUTES_PER_DAY
        if not 0 <= start < end <= 7 * _MINUTES_PER_DAY or end > (day + 1) * _MINUTES_PER_DAY:
            raise ImportFormatError.at(
                source,
                where,
                {"start_time": start, "end_time": end},
                "an interval runs forward within one day of the week (0 to 10080 minutes "
                "from Sunday 00:00)",
            )
        a, b = start - day * _MINUTES_PER_DAY, end - day * _MINUTES_PER_DAY
        weekly.setdefault(_DAYS[day], []).append(
            f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
        )
    if not weekly:
        raise ImportFormatError.at(source, path, [], "a schedule needs at least one interval")
    return weekly


def _holiday(raw: object, source: str, path: str, findings: Findings) -> tuple[date, date]:
    item = as_dict(raw, source, path)
    findings.unknown_keys(item, _HOLIDAY_KEYS, source, path)
    start = parse_date(need(item, "start_date", source, path), source, f"{path}.start_date")
    end = parse_date(item.get("end_date") or item["start_date"], source, f"{path}.end_date")
    if end < start:
        raise ImportFormatError.at(source, f"{path}.end_date", str(end), "ends before it starts")
    return start, end


# -- policies --------------------------------------------------------------------------


def _rules(
    policies: Sequence[tuple[str, str, Mapping[str, Any]]],
    default_schedule: str | None,
    findings: Findings,
) -> list[dict[str, Any]]:
    ordered = sorted(
        enumerate(policies),
        key=lambda p: (_position(p[1][2], p[1][0], p[1][1]), p[0]),
    )
    rules: list[dict[str, Any]] = []
    used: set[str] = set()
    for _, (source, path, policy) in ordered:
        findings.unknown_keys(policy, _POLICY_KEYS, source, path)
        title = as_str(need(policy, "title", source, path), source, f"{path}.title")
        targets = _targets(policy, default_schedule, source, path, findings)
        alternatives = _filter(policy.get("filter"), source, f"{path}.filter", title, findings)
        base = slug(title, "policy")
        for priority in PRIORITIES:
            wanted = Cond(priority=frozenset({priority}))
            picks = [c for a in alternatives if (c := a.and_(wanted)) is not None]
            for n, cond in enumerate(picks, 1):
                name = f"{base}-{priority}" + (f"-{n}" if len(picks) > 1 else "")
                rule: dict[str, Any] = {"name": unique(name, used), "match": cond.match()}
                description = policy.get("description")
                rule["description"] = (
                    f"{description} (Zendesk SLA policy {title!r})"
                    if description
                    else f"Zendesk SLA policy {title!r}"
                )
                # A policy that matches but sets no target for the priority still wins
                # in Zendesk: the rule without targets keeps later policies from applying.
                rule.update(targets.get(priority, {}))
                rules.append(rule)
    return rules


def _position(policy: Mapping[str, Any], source: str, path: str) -> int:
    value = policy.get("position")
    return 0 if value is None else as_int(value, source, f"{path}.position")


def _targets(
    policy: Mapping[str, Any],
    default_schedule: str | None,
    source: str,
    path: str,
    findings: Findings,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    metrics = as_list(policy.get("policy_metrics") or [], source, f"{path}.policy_metrics")
    for i, raw in enumerate(metrics):
        where = f"{path}.policy_metrics[{i}]"
        item = as_dict(raw, source, where)
        findings.unknown_keys(item, _METRIC_KEYS, source, where)
        priority = as_str(need(item, "priority", source, where), source, f"{where}.priority")
        if priority not in _RANK:
            raise ImportFormatError.at(
                source, f"{where}.priority", priority, f"expected one of {', '.join(PRIORITIES)}"
            )
        metric = as_str(need(item, "metric", source, where), source, f"{where}.metric")
        if metric not in _METRICS:
            findings.add(
                source,
                f"{where}.metric",
                "metric",
                f"metric {metric!r} has no expectkit equivalent; its target is not imported",
            )
            continue
        name, pause = _METRICS[metric]
        if "target_in_seconds" in item:
            seconds = as_int(item["target_in_seconds"], source, f"{where}.target_in_seconds")
        else:
            seconds = 60 * as_int(
                need(item, "target", source, where),
                source,
                f"{where}.target",
                "minutes as an integer",
            )
        if seconds <= 0:
            raise ImportFormatError.at(source, f"{where}.target", seconds, "a target is positive")
        business = as_bool(item.get("business_hours", False), source, f"{where}.business_hours")
        if business and default_schedule is None:
            msg = (
                f"{source}: {where}.business_hours: the target counts business hours; "
                "give the schedules export too (GET /api/v2/business_hours/schedules)"
            )
            raise ImportFormatError(msg)
        target: dict[str, Any] = {"promise": window_text(seconds, business)}
        if pause is not None:
            target["pause_on"] = list(pause)
        slot = out.setdefault(priority, {})
        if name in slot:
            findings.add(
                source,
                where,
                "metric",
                f"{metric!r} sets {name} for priority {priority!r} a second time; "
                "the first target is kept",
            )
            continue
        slot[name] = target
    return out


# -- filters ---------------------------------------------------------------------------


def _filter(raw: object, source: str, path: str, title: str, findings: Findings) -> list[Cond]:
    if raw is None:
        return [Cond()]
    body = as_dict(raw, source, path)
    findings.unknown_keys(body, ("all", "any"), source, path)
    parts: list[list[Cond]] = []
    for i, cond in enumerate(as_list(body.get("all") or [], source, f"{path}.all")):
        alternatives = _condition(cond, source, f"{path}.all[{i}]", findings)
        if isinstance(alternatives, str):
            findings.add(
                source,
                f"{path}.all[{i}]",
                "condition",
                f"{alternatives}; the rules of policy {title!r} need it and are left "
                "out, so its tickets fall through to later policies",
            )
            return []
        parts.append(alternatives)
    anys = as_list(body.get("any") or [], source, f"{path}.any")
    if anys:
        either: list[Cond] = []
        for i, cond in enumerate(anys):
            alternatives = _condition(cond, source, f"{path}.any[{i}]", findings)
            if isinstance(alternatives, str):
                findings.add(
                    source,
                    f"{path}.any[{i}]",
                    "condition",
                    f"{alternatives}; policy {title!r} is imported without this "
                    "alternative, so tickets that match only it fall through to later "
                    "policies",
                )
                continue
            either.extend(alternatives)
        if not either:
            return []
        parts.append(either)
    return merge(conjoin(parts))


def _condition(raw: object, source: str, path: str, findings: Findings) -> list[Cond] | str:
    """Return the condition's alternatives, or why it has no expectkit equivalent."""
    item = as_dict(raw, source, path)
    findings.unknown_keys(item, ("field", "operator", "value"), source, path)
    field = as_str(need(item, "field", source, path), source, f"{path}.field")
    operator = as_str(item.get("operator", "is"), source, f"{path}.operator")
    value = item.get("value")
    shown = f"{field!r} {operator!r} {value!r}"
    if field == "priority":
        allowed = _priorities(operator, value)
        if allowed is not None:
            return [Cond(priority=allowed)]
    elif field == "via_id" and operator == "is":
        via = via_type(value)
        if via is not None:
            return [Cond(channel=frozenset({via}))]
        return f"{shown}: the via id is not in Zendesk's via types table"
    elif field in {"current_tags", "tags"} and operator == "includes" and isinstance(value, str):
        tags = value.split()
        if tags:
            return [Cond(tags=frozenset({t})) for t in tags]
    elif (
        operator == "is"
        and field not in _UNMAPPED_FIELDS
        and isinstance(value, str | int | float | bool)
    ):
        return [Cond.attribute(field, [value])]
    return f"{shown} has no expectkit equivalent"


def _priorities(operator: str, value: object) -> frozenset[str] | None:
    if value not in _RANK:
        return None
    rank = _RANK[str(value)]
    pick = {
        "is": lambda r: r == rank,
        "is_not": lambda r: r != rank,
        "less_than": lambda r: r < rank,
        "greater_than": lambda r: r > rank,
    }.get(operator)
    if pick is None:
        return None
    return frozenset(p for p, r in _RANK.items() if pick(r))
