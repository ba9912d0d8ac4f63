"""Attainment, calibration and what-if analysis of a promise policy over ticket history.

"Never promise what you cannot deliver" needs numbers: how often was the word kept,
and what should be promised? This module answers from a **history table**, a pandas
``DataFrame`` with one row per ticket:

* ``created`` and one column per measured metric — by default ``first_reply`` for
  ``first_response`` and ``resolved`` for ``resolution`` — holding **tz-aware**
  timestamps (``NaT`` where the ticket has no such event yet);
* ``channel``, and whatever the policy's rules match on: ``priority``, ``segment``,
  ``tags`` (a comma-separated string or a list per row) and custom attribute columns.

Three questions, each vectorized over the whole table:

* :func:`attainment` — per ticket and metric, the promise the policy would have made
  (exactly what :func:`~expectkit.quote` gives), and whether the answer came by the
  target (``met_target``), by the told promise (``met_promise``) or later
  (``breached``); summarized per channel, rule and metric, with business-time
  percentiles, and week by week.
* :func:`calibrate` — the smallest human-sized promise (``"4 business hours"``,
  ``"2 business days"``) that at least a share ``p`` of history would have met, per
  channel and priority, with the target a buffer implies; :func:`promise_share` is
  the reverse: the share of history a candidate promise would have met.
* :func:`compare` — a candidate policy against the current one on the same history:
  attainment side by side and the tickets whose outcome flips.

Rules of the analysis:

* Deadlines are inclusive: an answer at the due instant meets it.
* A promise is held to the **told** time (``promised_at``, rounded outward), the
  target to ``target_at``; both exactly as :func:`~expectkit.quote` computes them at
  the metric's start instant (live channels closed then are quoted as their
  ``offline`` channel, rules and policy versions must be in force then).
* A ticket without an answer is ``breached`` once its promise lies before ``as_of``
  (default: ``history.attrs["as_of"]``, else the latest timestamp in the history),
  else ``open``; open tickets count in no share.
* Response times are measured on the metric's clock: open time of its schedule for a
  business clock, elapsed time for a calendar clock. Percentiles are the smallest
  observed value at or below which at least that share of answers lie (no
  interpolation), the same reading calibration uses.
* Lead times (targets with ``direction: before``) are not measured, and pauses
  (``pending``, ``on_hold``) are not in a history table of timestamps; replay ticket
  events with :mod:`expectkit.clock` for those.

>>> from expectkit.history import example_policy, synthetic_history
>>> history = synthetic_history(2_000, seed=1)
>>> result = attainment(history, example_policy())
>>> sorted(result.records["outcome"].unique())
['breached', 'met_promise', 'met_target', 'open']

The analysis layer: :mod:`~expectkit.analysis.attainment`, :mod:`~expectkit.analysis.what_if`,
:mod:`~expectkit.analysis.calibration` (over :mod:`~expectkit.analysis.samples`),
:mod:`~expectkit.analysis.history` and
:mod:`~expectkit.analysis.plots`; this package only re-exports. May import
``expectkit.frames``, ``expectkit.text`` and below.
"""

from __future__ import annotations

from expectkit.analysis.attainment import DEFAULT_COLUMNS, OUTCOMES, Attainment, Outcome, attainment
from expectkit.analysis.calibration import HUMAN_PROMISES, Calibration, calibrate, promise_share
from expectkit.analysis.what_if import WhatIf, compare

__all__ = [
    "DEFAULT_COLUMNS",
    "HUMAN_PROMISES",
    "OUTCOMES",
    "Attainment",
    "Calibration",
    "Outcome",
    "WhatIf",
    "attainment",
    "calibrate",
    "compare",
    "promise_share",
]
