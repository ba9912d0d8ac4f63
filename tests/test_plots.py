"""Plots render without a display (Agg), into new or given axes, and show what they claim."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 -- the backend is chosen first
from matplotlib.axes import Axes  # noqa: E402

from expectkit import Holidays, Schedule  # noqa: E402
from expectkit.analysis import Attainment, attainment, calibrate  # noqa: E402
from expectkit.errors import InputTypeError  # noqa: E402
from expectkit.history import example_policy, synthetic_history  # noqa: E402
from expectkit.plots import (  # noqa: E402
    plot_attainment,
    plot_promise_curve,
    plot_responses,
    plot_week,
)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def result() -> Attainment:
    return attainment(synthetic_history(3_000, seed=1), example_policy())


def legend(ax: Axes) -> list[str]:
    found = ax.get_legend()
    assert found is not None
    return [t.get_text() for t in found.get_texts()]


def png(ax: object) -> bytes:
    buffer = io.BytesIO()
    figure = getattr(ax, "figure")  # noqa: B009 -- Axes or SubFigure alike
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_backend_needs_no_display() -> None:
    assert matplotlib.get_backend().lower() == "agg"


class TestResponses:
    def test_renders_with_target_and_promise_lines(self, result: Attainment) -> None:
        ax = plot_responses(result, channel="chat", rule="chat")
        assert png(ax).startswith(b"\x89PNG")
        labels = legend(ax)
        # a 30-second promise: the axis counts seconds, both lines sit at 30
        assert labels == ["target 30 seconds", "promise 30 seconds"]
        assert ax.get_xlabel() == "business seconds to answer"

    def test_business_days_vary_by_start(self, result: Attainment) -> None:
        ax = plot_responses(result, channel="email", rule="email")
        labels = legend(ax)
        assert all("median; varies by start" in label for label in labels)
        assert ax.get_xlabel() == "business hours to answer"

    def test_draws_into_given_axes(self, result: Attainment) -> None:
        _, (left, right) = plt.subplots(1, 2)
        assert plot_responses(result, ax=left) is left
        assert plot_responses(result, metric="resolution", ax=right) is right
        assert png(left).startswith(b"\x89PNG")


class TestAttainmentOverTime:
    def test_one_line_per_channel_and_the_goal(self, result: Attainment) -> None:
        ax = plot_attainment(result, goal=0.9)
        assert len(ax.get_lines()) == 5 + 1
        weeks = result.weekly(by=["channel", "metric"])
        email = weeks.xs(("email", "first_response"), level=("channel", "metric"))
        line = ax.get_lines()[0]
        drawn = np.asarray(line.get_ydata(), dtype=float)
        assert drawn.tolist() == pytest.approx((email["met_promise"] * 100).tolist())
        assert png(ax)

    def test_other_levels_and_groups(self, result: Attainment) -> None:
        ax = plot_attainment(result, by="rule", level="breached", metric="resolution")
        assert ax.get_ylabel() == "breached (%)"
        with pytest.raises(InputTypeError):
            plot_attainment(result, level="kept")


class TestWeek:
    def test_weekly_hours_with_a_night_shift(self) -> None:
        night = Schedule(tz="UTC", weekly={"fri": ["22:00-06:00"], "mon": ["09:00-12:00"]})
        ax = plot_week(night)
        texts = [t.get_text() for t in ax.texts]
        # Monday, Friday and Saturday (the shift's morning) are open; four days are not
        assert texts.count("closed") == 4
        assert png(ax)

    def test_a_dated_week_shows_holidays(self) -> None:
        berlin = Schedule(
            tz="Europe/Berlin",
            weekly={"mon-fri": ["09:00-17:00"]},
            holidays=Holidays(country="DE", subdiv="BE"),
        )
        ax = plot_week(berlin, date(2026, 4, 8))  # the week of Easter Monday
        labels = [label.get_text() for label in ax.get_yticklabels()]
        assert labels[0] == "Mon 04-06"
        closed = [t for t in ax.texts if t.get_text() == "closed"]
        assert [round(t.get_position()[1]) for t in closed] == [0, 5, 6]

    def test_dst_day_keeps_wall_hours(self) -> None:
        berlin = Schedule(tz="Europe/Berlin", weekly={"mon-sun": ["01:00-05:00"]})
        ax = plot_week(berlin, date(2026, 3, 29))  # clocks go forward on Sunday 02:00
        assert png(ax)


class TestPromiseCurve:
    def test_lines_per_group_and_share(self) -> None:
        cal = calibrate(synthetic_history(1_000, seed=2), example_policy(), p=[0.8, 0.95])
        ax = plot_promise_curve(cal, groups=["chat", ("email", "urgent")])
        labels = ax.get_legend_handles_labels()[1]
        assert labels == ["chat / low", "chat / normal", "chat / high", "chat / urgent",
                          "email / urgent"]  # fmt: skip
        assert len(ax.get_lines()) == 5 + 2
        assert png(ax)

    def test_without_groups(self) -> None:
        cal = calibrate(synthetic_history(300, seed=2), example_policy(), by=[])
        assert len(plot_promise_curve(cal).get_lines()) == 2
