"""Import Jira Service Management SLA goals and their calendars.

Jira Service Management publishes no REST API for reading SLA configuration; this
importer reads the shape its service-desk SLA and calendar resources use, one or more
JSON files holding either key:

* ``timeMetrics``: each SLA (``name``) with ordered ``goals``, each a ``jqlQuery``
  (empty for "All remaining issues"), a ``duration`` (milliseconds, or ``"4h"``,
  ``"1h 30m"``; null for "no target") and a ``calendarId`` (null: 24/7);
* ``calendars``: ``id``, ``name``, ``timeZoneId`` (IANA), ``workingTimes``
  (``weekday`` such as ``"MONDAY"``, ``start`` and ``end`` as ``HH:MM``) and
  ``holidays`` (``date``, and ``recurring`` for yearly ones).

"Time to first response" becomes ``first_response`` and "Time to resolution"
``resolution`` (others with ``metric_names``). In JSM each SLA takes its first goal
whose JQL matches; expectkit rules carry every metric, so the rules are the
combinations of the SLAs' goals in order, which gives each ticket the same goal per
SLA. JQL maps where the policy model can say it: ``priority``, ``issuetype``,
``"Request Type"`` and other fields with ``=`` or ``in (...)`` (to the priority or an
attribute, values as written, priorities lower-cased), ``labels`` (tags), joined by
``AND`` and ``OR``. Every other clause (``!=``, ``~``, ``is EMPTY``, functions such
as ``membersOf()``) is reported, and the goal alternative that needs it is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    merge,
    need,
    read_export,
    slug,
    unique,
    window_text,
    yearly_holiday,
)
from expectkit.importers._jql import JqlError, parse_jql
from expectkit.importers._report import ImportResult

__all__ = ["METRIC_NAMES", "import_jsm"]

METRIC_NAMES: Final[Mapping[str, str]] = {
    "time to first response": "first_response",
    "time to resolution": "resolution",
}
"""JSM's default SLA names (lower-cased) and the expectkit metrics they become."""

_MAX_RULES: Final = 2000
_MS: Final = 1000
_DURATION: Final = re.compile(r"\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*", re.IGNORECASE)
_WEEKDAYS: Final = {
    "MONDAY": "mon",
    "TUESDAY": "tue",
    "WEDNESDAY": "wed",
    "THURSDAY": "thu",
    "FRIDAY": "fri",
    "SATURDAY": "sat",
    "SUNDAY": "sun",
}
_METRIC_KEYS: Final = (
    "id",
    "name",
    "goals",
    "customFieldId",
    "startCondition",
    "pauseCondition",
    "stopCondition",
)
_CONDITION_KEYS: Final = ("startCondition", "pauseCondition", "stopCondition")
_GOAL_KEYS: Final = ("id", "jqlQuery", "duration", "calendarId", "calendarName", "defaultGoal")
_CALENDAR_KEYS: Final = ("id", "name", "description", "timeZoneId", "workingTimes", "holidays")


def import_jsm(
    files: Iterable[Source],
    *,
    metric_names: Mapping[str, str] | None = None,
    holiday_years: Sequence[int] | None = None,
) -> ImportResult:
    """Import Jira Service Management SLA goals and calendars into a policy.

    `metric_names` maps further SLA names (any case) to expectkit metrics;
    `holiday_years` are the years recurring holidays close.

    Returns:
        The policy and a finding for everything that did not map.

    Raises:
        ImportFormatError: A file holds neither ``timeMetrics`` nor ``calendars``, or a
            field is missing or malformed; the message names the file and the field.

    >>> from pathlib import Path
    >>> root = Path("examples/imports/jsm")
    >>> result = import_jsm(sorted(root.glob("*.json")), holiday_years=[2026])
    >>> str(result.policy.rules[0].first_response.promise)
    '1 business hour'

    """
    names = {**METRIC_NAMES, **{k.lower(): v for k, v in (metric_names or {}).items()}}
    sources: list[str] = []
    metrics: list[tuple[str, str, Mapping[str, Any]]] = []
    calendars: list[tuple[str, str, Mapping[str, Any]]] = []
    for path in files:
        source, data = read_export(path)
        sources.append(source)
        body = as_dict(data, source, "<top level>")
        if "timeMetrics" not in body and "calendars" not in body:
            msg = f"{source}: not a JSM SLA export: expected the key 'timeMetrics' or 'calendars'"
            raise ImportFormatError(msg)
        for key, into in (("timeMetrics", metrics), ("calendars", calendars)):
            for i, item in enumerate(as_list(body.get(key) or [], source, key)):
                into.append((source, f"{key}[{i}]", as_dict(item, source, f"{key}[{i}]")))
    if not metrics:
        raise ImportFormatError("no SLAs among the exports: give a file with 'timeMetrics'")
    findings = Findings()
    schedules, by_id = _calendars(calendars, holiday_years, findings)
    per_metric: list[tuple[str, list[tuple[list[Cond], dict[str, Any] | None, str]]]] = []
    for source, path, item in metrics:
        findings.unknown_keys(item, _METRIC_KEYS, source, path)
        title = as_str(need(item, "name", source, path), source, f"{path}.name")
        metric = names.get(title.lower())
        if metric is None:
            findings.add(
                source,
                f"{path}.name",
                "metric",
                f"SLA {title!r} has no expectkit metric; name one with metric_names "
                "(--metric on the command line)",
            )
            continue
        for key in _CONDITION_KEYS:
            if item.get(key):
                findings.add(
                    source,
                    f"{path}.{key}",
                    "setting",
                    f"SLA {title!r}: JSM's {key} is not imported; {metric} starts, "
                    "pauses and stops on expectkit's defaults for it",
                )
        raw_goals = as_list(need(item, "goals", source, path), source, f"{path}.goals")
        goals = [
            _goal(g, by_id, source, f"{path}.goals[{i}]", title, findings)
            for i, g in enumerate(raw_goals)
        ]
        if not any(Cond() in alternatives for alternatives, _, _ in goals):
            goals.append(([Cond()], None, "no goal"))  # issues no goal matches: no target
        per_metric.append((metric, goals))
    rules = _combine(per_metric)
    return ImportResult(
        build_policy(
            {
                "name": "jsm",
                # Jira's default priority scheme; sites with their own scheme can widen it.
                "priorities": ["lowest", "low", "medium", "high", "highest"],
                "schedules": schedules,
                "rules": rules,
            },
            sources,
        ),
        tuple(findings.items),
    )


def _goal(
    raw: object,
    calendars: Mapping[object, str],
    source: str,
    path: str,
    title: str,
    findings: Findings,
) -> tuple[list[Cond], dict[str, Any] | None, str]:
    goal = as_dict(raw, source, path)
    findings.unknown_keys(goal, _GOAL_KEYS, source, path)
    jql = goal.get("jqlQuery") or ""
    if not isinstance(jql, str):
        raise ImportFormatError.at(source, f"{path}.jqlQuery", jql, "expected JQL text")
    try:
        alternatives, unmapped = parse_jql(jql)
    except JqlError as exc:
        raise ImportFormatError.at(source, f"{path}.jqlQuery", jql, str(exc)) from exc
    for clause, why in unmapped:
        findings.add(
            source,
            f"{path}.jqlQuery",
            "condition",
            f"SLA {title!r}: {clause!r} {why}; the goal is imported without the "
            "alternative that needs it, so those issues fall through to later goals",
        )
    target = _target(goal, calendars, source, path)
    return merge(alternatives), target, jql.strip() or "all remaining issues"


def _target(
    goal: Mapping[str, Any], calendars: Mapping[object, str], source: str, path: str
) -> dict[str, Any] | None:
    raw = goal.get("duration")
    if raw is None:
        return None  # "no target" in JSM
    if isinstance(raw, str):
        found = _DURATION.fullmatch(raw)
        if found is None or not any(found.groups()):
            raise ImportFormatError.at(
                source, f"{path}.duration", raw, "expected a duration such as '4h' or '1h 30m'"
            )
        seconds = 3600 * int(found.group(1) or 0) + 60 * int(found.group(2) or 0)
    else:
        ms = as_int(raw, source, f"{path}.duration", "milliseconds or a duration such as '4h'")
        if ms % _MS:
            raise ImportFormatError.at(source, f"{path}.duration", raw, "not whole seconds")
        seconds = ms // _MS
    if seconds <= 0:
        raise ImportFormatError.at(source, f"{path}.duration", raw, "a goal is positive")
    key = goal.get("calendarId", goal.get("calendarName"))
    if key is None:
        return {"promise": window_text(seconds, business=False)}
    if key not in calendars:
        raise ImportFormatError.at(
            source, f"{path}.calendarId", key, "no such calendar among the exports"
        )
    return {"promise": window_text(seconds, business=True), "schedule": calendars[key]}


def _combine(
    per_metric: Sequence[tuple[str, Sequence[tuple[list[Cond], dict[str, Any] | None, str]]]],
) -> list[dict[str, Any]]:
    # Ordered product of the goals: the first rule matching a ticket is the pair of
    # first goals matching it, one per SLA (the goals before each don't match).
    combos: list[tuple[Cond, dict[str, Any], list[str], list[str]]] = [(Cond(), {}, [], [])]
    for metric, goals in per_metric:
        out = []
        for cond, targets, labels, names in combos:
            for n, (alternatives, target, label) in enumerate(goals, 1):
                for alt in alternatives:
                    both = cond.and_(alt)
                    if both is None:
                        continue
                    more = dict(targets)
                    if target is not None:
                        more[metric] = target
                    named = [*names, f"{metric.replace('_', '-')}-{n}"]
                    out.append((both, more, [*labels, f"{metric}: {label}"], named))
        if len(out) > _MAX_RULES:
            msg = f"the SLAs' goals combine into more than {_MAX_RULES} rules; import fewer SLAs"
            raise ImportFormatError(msg)
        combos = out
    rules, used = [], set[str]()
    for cond, targets, labels, names in combos:
        name = unique("-".join(names) or "goal", used)
        rules.append(
            {"name": name, "description": "; ".join(labels), "match": cond.match(), **targets}
        )
    return rules


def _calendars(
    calendars: Sequence[tuple[str, str, Mapping[str, Any]]],
    years: Sequence[int] | None,
    findings: Findings,
) -> tuple[dict[str, dict[str, Any]], dict[object, str]]:
    out: dict[str, dict[str, Any]] = {}
    by_id: dict[object, str] = {}
    used: set[str] = set()
    for source, path, item in calendars:
        findings.unknown_keys(item, _CALENDAR_KEYS, source, path)
        title = as_str(need(item, "name", source, path), source, f"{path}.name")
        zone = as_str(need(item, "timeZoneId", source, path), source, f"{path}.timeZoneId")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ImportFormatError.at(
                source, f"{path}.timeZoneId", zone, "not an IANA time zone"
            ) from exc
        weekly: dict[str, list[str]] = {}
        times = as_list(need(item, "workingTimes", source, path), source, f"{path}.workingTimes")
        for i, raw in enumerate(times):
            where = f"{path}.workingTimes[{i}]"
            span = as_dict(raw, source, where)
            day = as_str(need(span, "weekday", source, where), source, f"{where}.weekday")
            if day.upper() not in _WEEKDAYS:
                raise ImportFormatError.at(
                    source, f"{where}.weekday", day, "expected a weekday such as 'MONDAY'"
                )
            start = as_str(need(span, "start", source, where), source, f"{where}.start")
            end = as_str(need(span, "end", source, where), source, f"{where}.end")
            weekly.setdefault(_WEEKDAYS[day.upper()], []).append(f"{start}-{end}")
        spans: list[tuple[date, date]] = []
        for i, raw in enumerate(as_list(item.get("holidays") or [], source, f"{path}.holidays")):
            where = f"{path}.holidays[{i}]"
            holiday = as_dict(raw, source, where)
            when = as_str(need(holiday, "date", source, where), source, f"{where}.date")
            if as_bool(holiday.get("recurring", False), source, f"{where}.recurring"):
                when = f"--{when[5:10]}"
            spans.extend(yearly_holiday(when, years, source, f"{where}.date", findings))
        name = unique(slug(title, "calendar"), used)
        data = {"tz": zone, "weekly": weekly, "closed": closed_dates(spans)}
        build_schedule(data, source, path)
        out[name] = data
        for key in ("id", "name"):
            if item.get(key) is not None:
                by_id[item[key]] = name
    return out, by_id
