"""The ``expectkit`` command: quote promises, check tickets, lint policies, write pages.

Commands (``expectkit COMMAND --help`` for each):

* ``demo``: quote the bundled example policy and explain it; no arguments needed.
* ``quote POLICY --channel NAME``: promised and target times for a request.
* ``check POLICY EVENTS``: replay ticket events (JSON Lines) and show each metric's state.
* ``lint POLICY``: report rules that never match, requests no rule matches, and more.
* ``schema``: the JSON Schema of policy files.
* ``contact-page POLICY``: the contact & response-times page, HTML or Markdown.
* ``import VENDOR FILES...``: a policy from Zendesk, Freshdesk or JSM exports.
* ``ingest``, ``status``, ``due``, ``metric-events``: live SLA state in a store.

A file argument of ``-`` reads standard input. Output is a table for people, or JSON
with ``--json``. Errors are one line on standard error naming the bad input.

Exit codes:

* 0: done; nothing to report.
* 1: findings: ``lint`` found a problem, ``check`` found a broken promise.
* 2: a usage or input error: a bad option or value, an unreadable or invalid file.
* 130: interrupted.

The package holds one module per group of commands, each registering its commands
on the one app of :mod:`~expectkit.interfaces.cli._app`:

========================  ==============================================
module                    commands
========================  ==============================================
``importing``             ``import``
``quoting``               ``quote``
``checking``              ``check``
``linting``               ``lint``, ``schema``
``pages``                 ``contact-page``
``demo``                  ``demo``
``live``                  ``ingest``, ``status``, ``due``, ``metric-events``
========================  ==============================================

What they share is in ``_app`` (the app, its error handling, the exit codes),
``_shared`` (options, reading a policy or an instant, writing times and tables) and
``_events`` (reading ticket events, progress bars). A new group of commands is a new
module here that imports the app and decorates its commands::

    from expectkit.interfaces.cli._app import app

    @app.command("serve")
    def serve_command(...) -> None:
        ...

plus one import line below, in the order ``expectkit --help`` lists them::

    from expectkit.interfaces.cli import serve as serve

Raise ``_fail("what is wrong, naming the value")`` (from ``_app``) for a bad input:
the app turns it, and every :class:`~expectkit.ExpectkitError`, into one line on
standard error and exit code 2.

>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["lint", "-", "--at", "2026-11-23T09:00:00Z"],
...     input="rules: [{name: all, first_response: {promise: 1 day}}]")
>>> result.exit_code, result.stdout.strip()
(0, 'No findings.')
"""

from __future__ import annotations

from expectkit.interfaces.cli._app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, main

# Each import registers a group of commands on the app, in the order --help lists them.
from expectkit.interfaces.cli import importing as importing  # isort: skip
from expectkit.interfaces.cli import quoting as quoting  # isort: skip
from expectkit.interfaces.cli import checking as checking  # isort: skip
from expectkit.interfaces.cli import linting as linting  # isort: skip
from expectkit.interfaces.cli import pages as pages  # isort: skip
from expectkit.interfaces.cli import demo as demo  # isort: skip
from expectkit.interfaces.cli import live as live  # isort: skip
from expectkit.interfaces.cli import serve as serve  # isort: skip

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "app", "main"]
