"""``expectkit import``: a policy from a helpdesk's exports (Zendesk, Freshdesk, JSM).

The command itself lives beside the importers (:mod:`expectkit.importers`); this
module only registers it on the app.
"""

from __future__ import annotations

from expectkit.importers._cli import import_command
from expectkit.interfaces.cli._app import app

__all__ = ["import_command"]

app.command("import")(import_command)
