"""What an import produced, and what it could not carry over.

An importer never drops a part of the export without saying so: every condition,
metric, setting or event that has no expectkit equivalent becomes an
:class:`ImportFinding` naming the file, the field path in it and the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from expectkit.promises.policy import Policy
from expectkit.sla.events import Event

__all__ = ["FindingCode", "ImportFinding", "ImportResult"]

FindingCode = Literal["condition", "metric", "setting", "field", "schedule", "holiday", "event"]
"""What kind of input a finding is about.

* ``condition``: a match condition (a filter, ``applicable_to`` entry, JQL clause);
  the rule that needed it is left out, so its tickets fall through to later rules;
* ``metric``: a metric or target with no expectkit equivalent;
* ``setting``: a setting expectkit carries differently or not at all (an escalation's
  recipients, a metric's start and stop conditions, a policy that is switched off);
* ``field``: a field the importer does not know;
* ``schedule``: a schedule whose use (by group, trigger or goal) is not carried over;
* ``holiday``: a yearly holiday not expanded to dates;
* ``event``: ticket events that are not converted (metric results the clock
  computes itself, tickets whose start is missing).
"""


@dataclass(frozen=True)
class ImportFinding:
    """One part of an export that did not map: where it is and why.

    >>> f = ImportFinding("slas.json", "sla_policies[0].filter.all[1]", "condition",
    ...                   "'status' is not a routing field")
    >>> print(f)
    slas.json: sla_policies[0].filter.all[1]: condition: 'status' is not a routing field
    """

    source: str
    path: str
    code: FindingCode
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.code}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    """The policy an import built, the events it converted, and what did not map.

    >>> result = ImportResult(Policy(rules=[{"name": "all"}]))
    >>> result.complete, list(result)
    (True, [])
    """

    policy: Policy
    findings: tuple[ImportFinding, ...] = ()
    events: tuple[Event, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Whether everything in the export mapped (there are no findings).

        >>> ImportResult(Policy(rules=[{"name": "all"}])).complete
        True
        """
        return not self.findings

    def __iter__(self) -> Iterator[ImportFinding]:
        return iter(self.findings)
