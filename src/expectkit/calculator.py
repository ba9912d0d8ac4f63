"""Quote a request against a policy: promised and target due times, with the reasons.

The code lives in :mod:`expectkit.promises.calculator`; this module only re-exports it, so
the import path ``expectkit.calculator`` stays.
"""

from expectkit.promises.calculator import Commitment, MetricQuote, Step, StepKind, quote

__all__ = [
    "Commitment",
    "MetricQuote",
    "Step",
    "StepKind",
    "quote",
]
