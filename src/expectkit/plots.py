"""Plots for notebooks and reports (matplotlib, imported only when a plot is drawn).

The code lives in :mod:`expectkit.analysis.plots`; this module only re-exports it, so the
import path ``expectkit.plots`` stays.
"""

from expectkit.analysis.plots import plot_attainment, plot_promise_curve, plot_responses, plot_week

__all__ = [
    "plot_attainment",
    "plot_promise_curve",
    "plot_responses",
    "plot_week",
]
