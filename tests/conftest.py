"""Hypothesis profiles and the ``slow`` marker.

Profiles, chosen with ``EXPECTKIT_HYPOTHESIS_PROFILE`` (default ``ci``):

* ``ci``: 40 examples per test, derandomized and without an example database,
  so every run of the suite is the same and quick.
* ``dev``: 500 random examples per test, remembering failures in ``.hypothesis/``.
* ``release``: a huge budget (1 000 000 examples per test) for long unattended
  fuzzing before a release; interrupt it at will, failures are kept in the database.

Tests marked ``slow`` fuzz harder and are skipped unless ``EXPECTKIT_SLOW=1`` is
set or the marker is selected explicitly (``pytest -m slow``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The shared helpers (oracle.py, strategies.py) are plain modules next to the
# tests; make them importable whatever pytest's import mode is.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# Drawing a schedule builds part of its oracle timeline, which is slow by design.
_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_DATA,
)
settings.register_profile(
    "dev",
    max_examples=500,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_DATA,
)
settings.register_profile(
    "release",
    max_examples=1_000_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_DATA,
)
settings.load_profile(os.environ.get("EXPECTKIT_HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker."""
    config.addinivalue_line(
        "markers", "slow: heavy fuzzing; runs with EXPECTKIT_SLOW=1 or when selected with -m slow"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``slow`` tests unless asked for."""
    if os.environ.get("EXPECTKIT_SLOW") == "1" or "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="heavy fuzzing: set EXPECTKIT_SLOW=1 or use -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under ``EXPECTKIT_TEST_INSTALLED=1``, refuse to test a source checkout by mistake.

    CI runs the suite against the installed wheel to catch a file missing from it;
    that run proves nothing if ``expectkit`` were imported from a ``src/`` tree.
    """
    if os.environ.get("EXPECTKIT_TEST_INSTALLED") != "1":
        return
    import expectkit

    where = Path(expectkit.__file__).resolve()
    if "site-packages" not in where.parts:
        msg = f"EXPECTKIT_TEST_INSTALLED=1, but expectkit was imported from {where}"
        raise pytest.UsageError(msg)
