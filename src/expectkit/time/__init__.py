"""The time layer: timeline, schedule model and parsing, holidays, engine, business days.

Every rule of time lives here. May import: ``expectkit._core``.
"""
