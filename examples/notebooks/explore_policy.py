# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploring a promise policy
#
# *Never promise what you cannot deliver.* This notebook takes a support desk's ticket
# history and its promise policy, and asks:
#
# 1. How often did we keep our word — per channel, rule and metric, and week by week?
# 2. What could we honestly promise, given what the team actually delivers?
# 3. What would change if we promised that instead?
#
# The history is synthetic (seeded, so the numbers below are always the same). To use
# your own, load a table with tz-aware `created`, `first_reply` and `resolved` columns,
# a `channel` column and whatever your rules match on (`priority`, `tags`, ...).
#
# Plots are saved as PNG files into `EXPECTKIT_NOTEBOOK_OUTPUT` (default
# `notebook_output/`).

# %%
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib.pyplot as plt

from expectkit import quote
from expectkit.analysis import attainment, calibrate, compare, promise_share
from expectkit.history import example_policy, synthetic_history
from expectkit.plots import plot_attainment, plot_promise_curve, plot_responses, plot_week

OUTPUT = Path(os.environ.get("EXPECTKIT_NOTEBOOK_OUTPUT", "notebook_output"))
OUTPUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## The history and the policy
#
# Twelve weeks of tickets on five channels. The desk is open Monday to Friday,
# 09:00–17:00 in Berlin, closed on Berlin's public holidays.

# %%
history = synthetic_history(20_000, seed=7)
history.head()

# %%
policy = example_policy()
policy

# %% [markdown]
# The week after Easter: Monday 6 April is a public holiday, so the desk is closed.

# %%
berlin = policy.schedule("berlin")
ax = plot_week(berlin, date(2026, 4, 6))
plt.savefig(OUTPUT / "week.png", dpi=100, bbox_inches="tight")

# %% [markdown]
# ## 1. How often did we keep our word?
#
# Every ticket is quoted exactly as `expectkit.quote` would have quoted it when it
# arrived; the answer then met the target, met the (told) promise, or broke it.
# Times are business time on the desk's schedule.

# %%
current = attainment(history, policy)
current.table(by=["channel", "metric"])

# %%
current.unmatched  # tickets no rule quoted (none: the policy has a default rule)

# %% [markdown]
# Chat promises an answer within 30 seconds. How long do chat customers wait while
# the desk is open — and how long do emails take?

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4))
plot_responses(current, channel="chat", rule="chat", ax=left)
plot_responses(current, channel="email", ax=right)
fig.savefig(OUTPUT / "responses.png", dpi=100, bbox_inches="tight")

# %%
ax = plot_attainment(current, goal=0.9)
plt.savefig(OUTPUT / "weekly.png", dpi=100, bbox_inches="tight")

# %% [markdown]
# ## 2. What could we honestly promise?
#
# For each channel and priority, the smallest human-sized promise ("5 business
# minutes", "2 business days") that at least 90 % of the history met, and the target
# a 50 % buffer puts in front of it. A chat that arrived after hours is answered as
# email, so it is calibrated with email.

# %%
calibration = calibrate(history, policy, p=0.9, buffer=0.5)
calibration.table

# %%
ax = plot_promise_curve(calibration, groups=["chat", "social"])
plt.savefig(OUTPUT / "calibration.png", dpi=100, bbox_inches="tight")

# %% [markdown]
# The reverse question: what share of history would a candidate promise have met?

# %%
promise_share(history, ["4 business hours", "1 business day"], policy, by=["channel"])

# %% [markdown]
# ## 3. What if we promised that?
#
# The calibrated promises become rules in front of the current ones; the rest of the
# policy (schedules, channels, resolution promises) stays.

# %%
candidate = calibration.to_policy(policy, name="support (calibrated)")
what_if = compare(history, policy, candidate, metrics=["first_response"])
what_if.table()

# %%
what_if.transitions("first_response")  # rows: current outcome; columns: candidate

# %%
what_if.flips.head(10)

# %% [markdown]
# What a chat customer with a normal-priority question would be told on a Friday
# afternoon under the proposal:

# %%
friday = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
commitment = quote(candidate, {"channel": "chat", "priority": "normal"}, at=friday)
print(commitment.explain())

# %%
kept_now = current.table(by=["metric"]).loc["first_response", "met_promise"]
kept_then = what_if.candidate.table(by=["metric"]).loc["first_response", "met_promise"]
print(f"first responses on time: {kept_now:.1%} now, {kept_then:.1%} with the proposal")
