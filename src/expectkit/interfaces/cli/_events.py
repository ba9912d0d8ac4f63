"""Reading ticket events for a command: a file or standard input, with a progress bar.

The bars go to standard error, only on a terminal and only for big inputs, so that a
command piped into a file writes nothing but its answer.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from expectkit._core.errors import ExpectkitError
from expectkit._core.input import JsonInputError, capped_lines
from expectkit.interfaces.cli._app import _fail
from expectkit.sla.clock import Clock
from expectkit.sla.jsonl import MAX_EVENT_LINE
from expectkit.sla.statuses import ReplayReport

__all__: list[str] = []

_PROGRESS_MIN_BYTES: Final = 4 << 20  # below this a file reads faster than a bar draws
_PROGRESS_STEP: Final = 1 << 16
_PROGRESS_MIN_TICKETS: Final = 5_000  # about three seconds of status checks


def _stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


@dataclass(frozen=True, slots=True)
class _Source:
    """Event lines from a file or standard input, with a progress bar on big files."""

    path: str

    @property
    def name(self) -> str:
        return "<stdin>" if self.path == "-" else self.path

    def lines(self) -> Iterator[str]:
        if self.path == "-":
            try:
                yield from capped_lines(sys.stdin, MAX_EVENT_LINE)
            except JsonInputError as exc:
                _fail(f"<stdin>: {exc.problem}")
            return
        path = Path(self.path)
        try:
            found = path.stat()
        except (OSError, ValueError) as exc:
            _fail(f"{self.path}: cannot read the events file: {getattr(exc, 'strerror', exc)}")
        if not stat.S_ISREG(found.st_mode):
            _fail(f"{self.path}: not a regular file; save the events to a file, or pipe them to -")
        with path.open("rb") as handle:
            progress = _progress(big=found.st_size >= _PROGRESS_MIN_BYTES)
            with _showing(progress):
                task = progress.add_task("reading events", total=found.st_size)
                pending = 0
                lines = iter(lambda: handle.readline(MAX_EVENT_LINE + 2), b"")
                for number, raw in enumerate(lines, start=1):
                    if len(raw) > MAX_EVENT_LINE + 1:
                        _fail(f"{self.path}, line {number}: longer than {MAX_EVENT_LINE:,} bytes")
                    pending += len(raw)
                    if pending >= _PROGRESS_STEP:  # a bar update per line would cost more
                        progress.advance(task, pending)
                        pending = 0
                    try:
                        yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
                    except UnicodeDecodeError as exc:
                        _fail(f"{self.path}, line {number}: not UTF-8 text ({exc.reason})")
                progress.advance(task, pending)


def _progress(*, big: bool, counting_bytes: bool = True) -> Progress:
    """Return a progress bar on standard error, shown only for big inputs on a terminal.

    Rows written to standard output while the bar shows pass above the bar when
    standard output is the terminal too, and go straight to their file or pipe when
    it is not (Rich would otherwise send them to the bar's terminal).
    """
    console = _stderr_console()
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn() if counting_bytes else MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not big or not console.is_terminal,
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    )


def _showing(progress: Progress) -> AbstractContextManager[Progress]:
    """Start `progress` only when it is shown.

    Rich before 15 writes a newline when a disabled bar stops, which would break the
    one-line error on standard error.
    """
    return nullcontext(progress) if progress.disable else progress


def _replay(clock: Clock, lines: Iterator[str] | Sequence[str], source: str) -> ReplayReport:
    try:
        return clock.replay(lines)
    except ExpectkitError as exc:
        # The clock reads lines, not the file: name the file its line numbers count in.
        raise type(exc)(f"{source}, {exc}" if str(exc).startswith("line ") else str(exc)) from exc
