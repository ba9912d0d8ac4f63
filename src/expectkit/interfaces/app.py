"""The whole ``expectkit`` command, every command registered.

The commands live in the package :mod:`expectkit.interfaces.cli`, one module per group;
this module only re-exports its app.
"""

from expectkit.interfaces.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, main

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "app", "main"]
