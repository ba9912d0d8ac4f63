"""Ready-made presets: usual channel expectations and common service situations.

Presets are data files shipped in this package (``channels.yaml`` and
``situations.yaml``); each names the metric it promises, a :class:`Target`, and
a ``source`` note saying where the figure comes from. Load one by name and turn it
into a policy rule:

>>> email = load_preset("email")
>>> email.kind, str(email.target.promise)
('channel', '24 hours')
>>> rule = load_preset("routine_question").rule(match={"channel": "email"})
>>> rule.name, str(rule.first_response.promise)
('routine_question', '1-3 business days')
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import Field

from expectkit._core.base import FrozenModel
from expectkit._core.errors import PolicyError
from expectkit.promises.channels import Channel
from expectkit.promises.metrics import Metric
from expectkit.promises.rules import Rule
from expectkit.promises.targets import Target, WindowField

__all__ = ["Preset", "PresetKind", "load_preset", "preset_names"]

PresetKind = Literal["channel", "situation"]
"""``channel``: a contact channel's usual first reply; ``situation``: a service situation."""

_FILES: Mapping[PresetKind, str] = {"channel": "channels.yaml", "situation": "situations.yaml"}


class Preset(FrozenModel):
    """A named, sourced expectation: the metric it promises and its :class:`Target`.

    Channel presets also carry the :class:`Channel` (without a schedule: attach your
    own) and, where published, ``good`` / ``better`` / ``best`` benchmarks.

    >>> preset = load_preset("social")
    >>> preset.channel.kind, [str(w) for w in preset.benchmarks.values()]
    ('social', ['2 hours', '1 hour', '15 minutes'])
    """

    _error = PolicyError

    name: str = Field(min_length=1)
    kind: PresetKind
    summary: str = Field(min_length=1)
    metric: Metric
    target: Target
    channel: Channel | None = None
    benchmarks: dict[str, WindowField] = Field(default_factory=dict)
    source: str = Field(min_length=1)

    def rule(self, name: str | None = None, match: Mapping[str, Any] | None = None) -> Rule:
        """Return a policy rule carrying this preset's target for its metric.

        Args:
            name: The rule's name; defaults to the preset's.
            match: The rule's match; a channel preset defaults to its channel.

        >>> load_preset("chat").rule().match.channel
        ('chat',)

        """
        if match is None:
            match = {"channel": self.channel.name} if self.channel is not None else {}
        return Rule.model_validate(
            {"name": name or self.name, "match": dict(match), self.metric: self.target}
        )


@cache
def _presets() -> Mapping[str, Preset]:
    found: dict[str, Preset] = {}
    folder = resources.files("expectkit").joinpath("presets")
    for kind, filename in _FILES.items():
        entries = yaml.safe_load(folder.joinpath(filename).read_text(encoding="utf-8"))
        for name, entry in entries.items():
            data = dict(entry)
            if "channel" in data:
                data["channel"] = {"name": name, **data["channel"]}
            found[name] = Preset.model_validate({"name": name, "kind": kind, **data})
    return found


def preset_names(kind: PresetKind | None = None) -> tuple[str, ...]:
    """Return the names of the shipped presets, optionally only those of `kind`.

    >>> preset_names("channel")
    ('chat', 'email', 'phone', 'social')
    """
    return tuple(sorted(n for n, p in _presets().items() if kind is None or p.kind == kind))


def load_preset(name: str) -> Preset:
    """Return the preset called `name`.

    Raises:
        PolicyError: No preset has that name (the message lists them).

    >>> load_preset("order_status").metric
    'first_response'
    >>> load_preset("fax")
    Traceback (most recent call last):
    expectkit.errors.PolicyError: unknown preset 'fax'; known: ...

    """
    presets = _presets()
    try:
        return presets[name]
    except KeyError:
        known = ", ".join(sorted(presets))
        msg = f"unknown preset {name!r}; known: {known}"
        raise PolicyError(msg) from None
