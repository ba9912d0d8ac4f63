"""The SLA layer: events, JSON Lines I/O, staging, folding, the engine, statuses, the Clock.

May import: ``expectkit.promises``, ``expectkit.time``, ``expectkit._core``.
"""
