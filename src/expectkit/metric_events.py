"""Metric events: the transitions of a ticket's SLA metrics, as typed values with instants.

The code lives in :mod:`expectkit.sla.metric_events`; this module only re-exports it, so
the import path ``expectkit.metric_events`` stays.
"""

from expectkit.sla.metric_events import MetricEvent, MetricEventKind, metric_events

__all__ = [
    "MetricEvent",
    "MetricEventKind",
    "metric_events",
]
