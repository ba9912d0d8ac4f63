"""Rewrite the golden files of tests/golden/ from the current code.

    python tests/regen_golden.py

Runs the tests that own golden files with ``EXPECTKIT_REGEN_GOLDEN=1``, which makes
them write their output instead of comparing it. Review the result with
``git diff tests/golden`` (grammar included) before committing it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Regenerate every golden file; return pytest's exit code."""
    env = {**os.environ, "EXPECTKIT_REGEN_GOLDEN": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += [str(HERE / "test_text.py"), str(HERE / "test_cli.py")]
    return subprocess.call(command, env=env, cwd=HERE.parent)


if __name__ == "__main__":
    raise SystemExit(main())
