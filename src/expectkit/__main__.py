"""Run the ``expectkit`` command as ``python -m expectkit`` (e.g. ``python -m expectkit demo``).

Without the ``cli`` extra this says which extra to install, on one line, and exits with 2.
"""

from __future__ import annotations

import sys


def _run() -> None:
    try:
        from expectkit.interfaces.cli import main
    except ImportError as exc:
        print(f"expectkit: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    main()


if __name__ == "__main__":
    _run()
