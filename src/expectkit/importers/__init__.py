"""Import SLA policies, business hours and ticket events from the helpdesks in use.

Each importer reads the JSON bodies of a vendor's public REST API, one export per
file, and returns an :class:`ImportResult`: an expectkit :class:`~expectkit.Policy`,
the ticket events it converted (Zendesk metric events) and an :class:`ImportFinding`
for every condition, metric, setting or event that has no expectkit equivalent —
nothing is dropped without a finding. A malformed export raises
:class:`~expectkit._core.errors.ImportFormatError` naming the file and the field.

>>> from pathlib import Path
>>> from expectkit.importers import import_freshdesk
>>> root = Path("examples/imports/freshdesk")
>>> result = import_freshdesk(sorted(root.glob("*.json")))
>>> result.policy.rules[0].name
'enterprise-customers-urgent'
"""

from expectkit._core.errors import ImportFormatError
from expectkit.importers._report import FindingCode, ImportFinding, ImportResult
from expectkit.importers._zones import RAILS_ZONES, iana_zone
from expectkit.importers.freshdesk import import_freshdesk
from expectkit.importers.jsm import import_jsm
from expectkit.importers.zendesk import import_zendesk

__all__ = [
    # Importers
    "import_freshdesk",
    "import_jsm",
    "import_zendesk",
    # Results
    "FindingCode",
    "ImportFinding",
    "ImportResult",
    # Zones
    "RAILS_ZONES",
    "iana_zone",
    # Errors
    "ImportFormatError",
]
