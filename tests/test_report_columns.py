"""Report columns hold what a reader needs: percentiles in whole seconds, never earlier."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from expectkit.analysis.attainment import attainment
from expectkit.history import example_policy, synthetic_history


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_percentiles_are_whole_seconds_rounded_up(seed: int) -> None:
    result = attainment(synthetic_history(120, seed=seed), example_policy())
    table = result.table(by=["metric"])
    records = result.records
    for metric, row in table.iterrows():
        answered = records[(records["metric"] == metric) & records["stop"].notna()]["elapsed"]
        values = np.sort(answered.to_numpy().astype("timedelta64[us]"))
        for column, q in (("p50", 0.5), ("p90", 0.9), ("p95", 0.95)):
            shown = row[column]
            assert shown == shown.ceil("s"), (column, shown)
            exact = pd.Timedelta(values[max(int(np.ceil(q * len(values) - 1e-9)), 1) - 1])
            assert exact <= shown < exact + pd.Timedelta(seconds=1)
