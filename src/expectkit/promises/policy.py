"""Promise policies: ordered rules with per-metric targets, loaded from YAML, TOML or JSON.

A :class:`Policy` is an ordered list of rules (:class:`Rule`). A rule matches a
:class:`Request` on channel, priority, customer segment, tags and custom attributes;
the first rule in force that matches wins, like a helpdesk SLA policy list. A rule
carries a :class:`Target` per metric (``first_response``, ``next_response``,
``resolution``, ``periodic_update``, ``follow_up``): the window the customer is told,
what the team aims for, the clock and schedule it counts on, and how the told time
is rounded.

Policy files are untrusted input: YAML is read with the safe loader and no tags,
aliases may not expand past a node limit, files over :data:`MAX_POLICY_BYTES` are
refused, and every failure is a :class:`~expectkit.errors.PolicyError` naming the
file, the line (where the format has lines) and the field path.

>>> policy = Policy.loads('''
... schedules:
...   berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}
... channels:
...   email: {kind: email, schedule: berlin}
... rules:
...   - name: email
...     match: {channel: email}
...     first_response: {promise: "1-3 business days", target: "1 business day"}
... ''')
>>> policy.match(Request(channel="email")).name
'email'
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import (
    Any,
    Final,
    Self,
    cast,
)

import yaml
from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from expectkit._core.base import FrozenModel
from expectkit._core.errors import ExpectkitError, PolicyError
from expectkit._core.input import read_bounded
from expectkit.promises.buffers import Rounding
from expectkit.promises.channels import Channel
from expectkit.promises.file_formats import (
    _SUFFIXES,
    MAX_POLICY_BYTES,
    Locator,
    PolicyFormat,
    _parse_json,
    _parse_toml,
)
from expectkit.promises.lint import Finding, lint_policy
from expectkit.promises.locating import _context, _convert, _reference, _too_big, _unknown
from expectkit.promises.metrics import UnknownValues
from expectkit.promises.plans import PlanCache
from expectkit.promises.rules import Instant, Request, Rule, _check_period, _in_period, _Matcher
from expectkit.promises.windows import ClockName
from expectkit.promises.yaml_safety import _parse_yaml
from expectkit.time.schedule import Schedule

__all__ = ["Policy"]


# -- field types ------------------------------------------------------------


# -- models -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    matchers: tuple[_Matcher, ...]
    schedules: Mapping[str | None, Schedule]
    known: Mapping[str, frozenset[str]]
    # Compiled quote plans and step texts (expectkit.promises.plans), filled by quote().
    plans: dict[object, Any] = dataclasses.field(default_factory=PlanCache)


class Policy(FrozenModel):
    """An ordered list of rules with the schedules and channels they refer to.

    The first rule in force that matches a request wins. Channels and targets name
    schedules declared under ``schedules``; a rule's ``match.channel`` must name a
    declared channel when any are declared. ``rounding`` is the default rounding of
    told times, ``default_clock`` the clock of window strings without ``business``,
    and ``default_schedule`` the schedule of channels that name none (without it such
    channels are open around the clock in UTC). ``effective_from`` /
    ``effective_until`` bound when the whole policy is in force.

    ``priorities`` and ``segments`` list the values tickets may carry; without a
    list, the values the rules' matches name are the known ones (and a field no rule
    matches on takes any value). A request or ticket event with a value outside them
    is refused, since a typo (``"urgnet"``) would otherwise fall through to another
    rule unnoticed, unless ``unknown_values: allow``.

    Raises:
        PolicyError: For any invalid field or dangling reference, naming the field.

    >>> policy = Policy(rules=[{"name": "default", "first_response": {"promise": "1 day"}}])
    >>> policy.match(Request(channel="web")).name
    'default'

    """

    _error = PolicyError

    name: str | None = None
    description: str | None = None
    default_clock: ClockName = "calendar"
    default_schedule: str | None = Field(default=None, min_length=1)
    rounding: Rounding = Field(default_factory=lambda: Rounding(kind="none"))
    schedules: dict[str, Schedule] = Field(default_factory=dict)
    channels: dict[str, Channel] = Field(default_factory=dict)
    rules: tuple[Rule, ...]
    effective_from: Instant | None = None
    effective_until: Instant | None = None
    priorities: tuple[str, ...] | None = None
    segments: tuple[str, ...] | None = None
    unknown_values: UnknownValues = "refuse"

    _compiled: _Compiled | None = PrivateAttr(default=None)

    def __init__(self, /, **data: Any) -> None:
        try:
            self.__pydantic_validator__.validate_python(
                data, self_instance=self, context=_context(data)
            )
        except ValidationError as exc:
            raise _convert(exc, None, None) from exc

    # Validating a nested or parsed policy need not go through __init__ (pydantic's flag).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def _convert(cls, exc: ValidationError) -> ExpectkitError:
        return _convert(exc, None, None)

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate `obj` like pydantic, raising :class:`PolicyError` on failure.

        >>> Policy.model_validate({"rules": [{"name": "r", "resolution": {"promise": "2 weeks"}}]}
        ...                      ).rules[0].name
        'r'
        """
        kwargs.setdefault("context", _context(obj))
        return super().model_validate(obj, **kwargs)

    @model_validator(mode="before")
    @classmethod
    def _name_channels(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("channels"), Mapping):
            channels: dict[object, object] = {}
            for key, value in data["channels"].items():
                if isinstance(value, Mapping) and "name" not in value:
                    value = {"name": key, **value}
                channels[key] = value
            return {**data, "channels": channels}
        return data

    @field_validator("rules", mode="after")
    @classmethod
    def _some_rules(cls, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
        if not rules:
            msg = "a policy needs at least one rule"
            raise PolicyError(msg)
        return rules

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        try:
            _check_period(self.effective_from, self.effective_until, "the policy")
        except PolicyError as exc:
            raise _reference(str(exc), ("effective_from",)) from exc
        schedules = self.schedules
        if self.default_schedule is not None and self.default_schedule not in schedules:
            raise _reference(
                _unknown("schedule", self.default_schedule, schedules), ("default_schedule",)
            )
        for key, channel in self.channels.items():
            if channel.name != key:
                msg = f"channel {key!r} is named {channel.name!r}; the key is its name"
                raise _reference(msg, ("channels", key, "name"))
            if channel.schedule is not None and channel.schedule not in schedules:
                raise _reference(
                    _unknown("schedule", channel.schedule, schedules),
                    ("channels", key, "schedule"),
                )
            if channel.offline is not None and channel.offline not in self.channels:
                raise _reference(
                    _unknown("channel", channel.offline, self.channels),
                    ("channels", key, "offline"),
                )
        for key in self.channels:
            seen = [key]
            offline = self.channels[key].offline
            while offline is not None:
                if offline in seen:
                    msg = f"offline channels loop: {' -> '.join([*seen, offline])}"
                    raise _reference(msg, ("channels", key, "offline"))
                seen.append(offline)
                offline = self.channels[offline].offline
        names: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.name in names:
                msg = f"rule name {rule.name!r} is used by rules[{names[rule.name]}] already"
                raise _reference(msg, ("rules", index, "name"))
            names[rule.name] = index
            if self.channels and rule.match.channel is not None:
                for channel_name in rule.match.channel:
                    if channel_name not in self.channels:
                        raise _reference(
                            _unknown("channel", channel_name, self.channels),
                            ("rules", index, "match", "channel"),
                        )
            for metric, target in rule.clock_metrics():
                if target.schedule is not None and target.schedule not in schedules:
                    raise _reference(
                        _unknown("schedule", target.schedule, schedules),
                        ("rules", index, metric, "schedule"),
                    )
        return self

    def __eq__(self, other: object) -> bool:
        # Compare the fields only: the lazily built lookup state is not part of the value.
        if not isinstance(other, Policy):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    # -- lookups ----------------------------------------------------------

    def _state(self) -> _Compiled:
        # Read the private slot directly: pydantic's __getattr__ is slow on a hot path.
        private = self.__pydantic_private__
        compiled = private.get("_compiled") if private is not None else None
        if compiled is None:
            resolved: dict[str | None, Schedule] = {}
            resolved.update(self.schedules)
            resolved[None] = (
                self.schedules[self.default_schedule]
                if self.default_schedule is not None
                else Schedule.always("UTC")
            )
            compiled = _Compiled(
                tuple(_Matcher.of(rule.match, rule) for rule in self.rules),
                resolved,
                self._known_values(),
            )
            self._compiled = compiled
        return cast("_Compiled", compiled)

    def _known_values(self) -> dict[str, frozenset[str]]:
        known: dict[str, frozenset[str]] = {}
        for field, declared in (("priority", self.priorities), ("segment", self.segments)):
            if declared is not None:
                known[field] = frozenset(declared)
                continue
            named = {v for rule in self.rules for v in getattr(rule.match, field) or ()}
            if named:
                known[field] = frozenset(named)
        return known

    def check_request(self, request: Request) -> None:
        """Check that `request`'s priority and segment are values the policy knows.

        Known values are those listed under ``priorities`` / ``segments``, else those
        the rules match on; ``None`` is always known, and ``unknown_values: allow``
        turns the check off.

        Raises:
            PolicyError: Naming the field, the value and the known values.

        >>> policy = Policy(rules=[
        ...     {"name": "urgent", "match": {"priority": "urgent"},
        ...      "resolution": {"promise": "4h"}},
        ...     {"name": "rest", "resolution": {"promise": "1 week"}}])
        >>> policy.check_request(Request(channel="email", priority="urgnet"))
        Traceback (most recent call last):
        expectkit.errors.PolicyError: priority: 'urgnet' is not a priority this policy knows ...

        """
        self.check_values(request.priority, request.segment)

    def check_values(self, priority: str | None = None, segment: str | None = None) -> None:
        """Check a priority and a segment as :meth:`check_request` does.

        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]).check_values("p1")

        """
        if self.unknown_values == "allow":
            return
        known = self._state().known
        if not known:
            return
        for field, value in (("priority", priority), ("segment", segment)):
            values = known.get(field)
            if value is None or values is None or value in values:
                continue
            listed = ", ".join(repr(v) for v in sorted(values))
            plural = "priorities" if field == "priority" else "segments"
            msg = (
                f"{field}: {value!r} is not a {field} this policy knows ({listed}); "
                f"fix the value, list it under '{plural}:', or set 'unknown_values: allow'"
            )
            raise PolicyError(msg)

    def in_force(self, at: datetime) -> bool:
        """Return whether the policy is in force at the aware instant `at`.

        >>> from datetime import datetime, UTC
        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}],
        ...        effective_until=datetime(2026, 1, 1, tzinfo=UTC)).in_force(
        ...            datetime(2026, 1, 1, tzinfo=UTC))
        False
        """
        return _in_period(self.effective_from, self.effective_until, at)

    def channel(self, name: str) -> Channel:
        """Return the channel called `name`.

        When the policy declares no channels, any name is an async channel open
        around the clock (or on ``default_schedule``).

        Raises:
            PolicyError: The policy declares channels and none is called `name`.

        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]).channel("fax").mode
        'async'

        """
        found = self.channels.get(name)
        if found is not None:
            return found
        if self.channels:
            raise PolicyError(_unknown("channel", name, self.channels))
        return _undeclared_channel(name)

    def schedule(self, name: str | None) -> Schedule:
        """Return the schedule called `name`; None gives the default schedule.

        Raises:
            PolicyError: No schedule is called `name`.

        >>> Policy(rules=[{"name": "r", "resolution": {"promise": "1 week"}}]).schedule(None).tz
        'UTC'

        """
        schedules = self._state().schedules
        if name not in schedules:
            raise PolicyError(_unknown("schedule", name, self.schedules))
        return schedules[name]

    def match(self, request: Request, at: datetime | None = None) -> Rule | None:
        """Return the first rule matching `request` (in force at `at`, if given), or None.

        >>> policy = Policy(rules=[
        ...     {"name": "vip", "match": {"segment": "vip"}, "first_response": {"promise": "1h"}},
        ...     {"name": "default", "first_response": {"promise": "1 day"}}])
        >>> policy.match(Request(channel="email", segment="vip")).name
        'vip'
        """
        for matcher in self._state().matchers:
            if matcher.matches(request, at):
                return matcher.rule
        return None

    # -- files ------------------------------------------------------------

    def _repr_html_(self) -> str | None:
        from expectkit.promises.html import policy_html

        return policy_html(self)

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        format: PolicyFormat | None = None,
        max_bytes: int = MAX_POLICY_BYTES,
    ) -> Policy:
        """Read a policy file: ``.yaml``/``.yml``, ``.toml`` or ``.json``.

        The format comes from the suffix unless `format` is given. YAML is read with
        the safe loader: tags are refused, aliases may expand to at most
        :data:`MAX_YAML_NODES` nodes, and duplicate keys are errors.

        Args:
            path: The file to read.
            format: ``yaml``, ``toml`` or ``json``; None picks by suffix.
            max_bytes: Largest file accepted.

        Returns:
            The validated policy.

        Raises:
            PolicyError: The file cannot be read, parsed or validated; the message
                names the file, the line and the field path.

        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "p.json").write_text(
        ...     '{"rules": [{"name": "all", "resolution": {"promise": "1 week"}}]}')
        >>> Policy.load(folder / "p.json").rules[0].name
        'all'

        """
        if not isinstance(path, str | os.PathLike):
            msg = (
                f"expected a policy file path (str or Path), got {type(path).__name__} {path!r:.60}"
            )
            raise PolicyError(msg)
        path = Path(path)
        source = str(path)
        if format is None:
            found = _SUFFIXES.get(path.suffix.lower())
            if found is None:
                msg = (
                    f"{source}: unknown policy file suffix {path.suffix!r}; "
                    "use .yaml, .yml, .toml or .json (or pass format=)"
                )
                raise PolicyError(msg)
            format = found
        raw = read_bounded(path, max_bytes, PolicyError, what="policy file")
        return cls._from_bytes(raw, format, source, max_bytes)

    @classmethod
    def loads(
        cls,
        text: str | bytes,
        format: PolicyFormat = "yaml",
        *,
        source: str = "<string>",
        max_bytes: int = MAX_POLICY_BYTES,
    ) -> Policy:
        """Parse a policy from text in `format`, with the same checks as :meth:`load`.

        `source` names the text in error messages.

        Raises:
            PolicyError: The text cannot be parsed or validated.

        >>> Policy.loads('rules = [{name = "all", resolution = {promise = "1 week"}}]',
        ...              format="toml").rules[0].name
        'all'
        >>> Policy.loads("rules: [{name: all, resolution: {promise: 1 weak}}]")
        Traceback (most recent call last):
        expectkit.errors.PolicyError: <string>, line 1, rules[0].resolution.promise: ...

        """
        if isinstance(text, str):
            text = text.encode("utf-8")
        elif not isinstance(text, bytes):
            msg = f"{source}: expected the policy as str or bytes, got {type(text).__name__}"
            raise PolicyError(msg)
        return cls._from_bytes(text, format, source, max_bytes)

    @classmethod
    def _from_bytes(cls, raw: bytes, fmt: PolicyFormat, source: str, max_bytes: int) -> Policy:
        if fmt not in _SUFFIXES.values():
            msg = f"{source}: unknown policy format {fmt!r}; use 'yaml', 'toml' or 'json'"
            raise PolicyError(msg)
        if len(raw) > max_bytes:
            raise PolicyError(_too_big(source, len(raw), max_bytes))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            msg = f"{source}, line {line}: the file is not UTF-8 text ({exc.reason})"
            raise PolicyError(msg) from exc
        data, locate = _PARSERS[fmt](text, source)
        if not isinstance(data, Mapping):
            shown = "empty" if data is None else f"a {type(data).__name__}"
            msg = f"{source}, line 1: a policy is a mapping with 'rules' (the document is {shown})"
            raise PolicyError(msg)
        try:
            return cls.__pydantic_validator__.validate_python(data, context=_context(data))  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise _convert(exc, source, locate) from exc

    def dumps(self, format: PolicyFormat = "yaml") -> str:
        """Write the policy as YAML or JSON text that :meth:`loads` reads back equal.

        TOML is read but not written (the standard library has no TOML writer).

        >>> policy = Policy(rules=[{"name": "all", "resolution": {"promise": "1-2 weeks"}}])
        >>> Policy.loads(policy.dumps()) == policy
        True
        """
        data = self.model_dump(mode="json", exclude_defaults=True)
        if format == "json":
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if format == "yaml":
            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        msg = f"cannot write format {format!r}; use 'yaml' or 'json'"
        raise PolicyError(msg)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """Return the JSON Schema of policy files (for editors and validators).

        >>> schema = Policy.json_schema()
        >>> schema["required"], schema["additionalProperties"]
        (['rules'], False)
        """
        schema = cls.model_json_schema(mode="validation")
        _file_channels(schema["$defs"]["Channel"])
        _summarize_descriptions(schema)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return schema

    # -- lint -------------------------------------------------------------

    def lint(self, *, at: datetime | None = None) -> list[Finding]:
        """Report problems a valid policy can still have.

        * ``shadowed-rule``: an earlier rule, in force at least as long, matches
          every request the rule matches, so it never applies;
        * ``unmatched-request``: a request shape (channel × priority × segment, no
          tags or attributes) matches no rule in force;
        * ``target-after-promise``: an aim later than its promise for some start;
        * ``window-reversed``: a window whose low end falls after its high end;
        * ``schedule-never-opens``: a schedule with no open time within its horizon;
        * ``unreachable-rule``: a rule matching only priorities or segments the policy
          does not list (``unknown-value`` when only some of them are unlisted);
        * ``trigger-never-fires``: a trigger that cannot fire for its metric.

        Starts are sampled hourly over one week from `at` (default: the policy's
        ``effective_from``, else now).

        >>> policy = Policy(rules=[
        ...     {"name": "all", "first_response": {"promise": "1 day"}},
        ...     {"name": "vip", "match": {"segment": "vip"}, "first_response": {"promise": "1h"}}])
        >>> [f.code for f in policy.lint(at=datetime(2026, 1, 5, tzinfo=UTC))]
        ['shadowed-rule']
        """
        if at is None:
            at = self.effective_from or datetime.now(UTC)
        elif at.utcoffset() is None:
            msg = f"at: {at!r} is naive; pass an aware datetime"
            raise PolicyError(msg)
        return lint_policy(self, at)


@lru_cache(maxsize=1024)
def _undeclared_channel(name: str) -> Channel:
    return Channel(kind="custom", name=name)


_ROLE = re.compile(r":(?:class|meth|func|data|attr):`~?(?:[\w.]+\.)?([\w]+)`")


def _file_channels(channel: dict[str, Any]) -> None:
    """Describe a channel as a policy file writes it: keyed by name, mode from its kind.

    The model needs a ``name``; in a file it defaults to the key under ``channels``
    (`Policy._name_channels`), and ``mode`` defaults from ``kind``, not to one value.
    """
    channel["required"] = [key for key in channel["required"] if key != "name"]
    channel["properties"]["name"]["description"] = (
        "The name rules match on; defaults to the key under `channels`, and must equal it."
    )
    mode = channel["properties"]["mode"]
    mode.pop("default", None)
    mode["description"] = "`live` for chat, phone and in person by default, else `async`."


def _summarize_descriptions(node: object) -> None:
    """Cut docstring descriptions to their prose (editors show them as tooltips).

    Models take their class docstring as the schema description; keep the paragraphs
    before ``Args:``/``Raises:`` and the examples, with Sphinx roles as plain names.
    """
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            kept: list[str] = []
            for paragraph in text.split("\n\n"):
                head = paragraph.lstrip()
                if head.startswith((">>>", "Args:", "Raises:", "Returns:", "Attributes:")):
                    break
                kept.append(" ".join(line.strip() for line in paragraph.splitlines()))
            node["description"] = _ROLE.sub(r"\1", "\n\n".join(kept).replace("``", "`"))
        for value in node.values():
            _summarize_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _summarize_descriptions(value)


# -- errors -----------------------------------------------------------------


# -- parsers ----------------------------------------------------------------


_PARSERS: Final[Mapping[str, Callable[[str, str], tuple[object, Locator]]]] = {
    "yaml": _parse_yaml,
    "json": _parse_json,
    "toml": _parse_toml,
}
