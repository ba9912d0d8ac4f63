"""The interfaces layer: the command line (:mod:`expectkit.interfaces.cli`).

May import every layer below it.
"""
