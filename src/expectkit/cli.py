"""The ``expectkit`` command: quote promises, check tickets, lint policies, write pages.

The code lives in :mod:`expectkit.interfaces.cli` (one module per group of commands);
this module only re-exports it, so the import path ``expectkit.cli`` stays.
"""

from expectkit.interfaces.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, main

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "app",
    "main",
]
