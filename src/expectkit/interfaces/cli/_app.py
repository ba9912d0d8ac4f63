"""The Typer app every command registers on, its error handling and its exit codes.

Every error reaches the user as one line on standard error (``expectkit: error: ...``)
with exit code 2; 1 is kept for "found something" (lint findings, a broken promise).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any, Final, NoReturn

try:
    import typer
    from typer.core import TyperGroup
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    msg = "the expectkit command needs the 'cli' extra: pip install 'expectkit[cli]'"
    raise ImportError(msg) from exc

from expectkit._core.errors import ExpectkitError

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "app", "main"]

EXIT_OK: Final = 0
"""Done; nothing to report."""
EXIT_FINDINGS: Final = 1
"""``lint`` found a problem, or ``check`` found a broken promise."""
EXIT_USAGE: Final = 2
"""A bad option or value, or an unreadable or invalid file."""
_EXIT_INTERRUPTED: Final = 130


class _InputError(Exception):
    """A bad input the command reports as one line, with exit code 2."""


def _fail(message: str) -> NoReturn:
    raise _InputError(message)


class _Group(TyperGroup):
    """Report every error as one line on standard error, with the documented exit codes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        given = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in given
        given = [arg for arg in given if arg != "--debug"]
        try:
            code = super().main(given, prog_name, complete_var, False, windows_expand_args, **extra)
        except (ExpectkitError, _InputError) as exc:
            _error(str(exc))
            code = EXIT_USAGE
        except OSError as exc:
            _error(f"{exc.filename or 'output'}: {exc.strerror or exc}")
            code = EXIT_USAGE
        except typer.Abort:
            _error("interrupted")
            code = _EXIT_INTERRUPTED
        except Exception as exc:
            if callable(getattr(exc, "format_message", None)):
                code = _usage_error(exc)
            elif debug:
                raise
            else:  # never a traceback, and never 1, which means "breached"
                _error(
                    f"unexpected {type(exc).__name__}: {exc} "
                    "(a bug in expectkit: run again with --debug for the traceback, and report it)"
                )
                code = EXIT_USAGE
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader stopped reading (`... | head`): Click would exit with 1, which
            # means "breached". Say so in one line, exit with 2, and let the final flush
            # of standard output go nowhere rather than fail again at exit.
            _silence_stdout()
            _fail("output: closed by its reader before everything was written (broken pipe)")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # not a real file: nothing to do
        pass


def _usage_error(exc: Exception) -> int:
    # Typer raises Click's exceptions (newer Typer versions vendor Click privately):
    # recognised by their shape rather than imported, so any Typer version works.
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return EXIT_USAGE
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    _error(f"{exc.format_message()}{hint}")  # type: ignore[attr-defined]
    return EXIT_USAGE


def _error(message: str) -> None:
    text = " ".join(message.split())  # one line, whatever the message held
    typer.echo(f"expectkit: error: {text}", err=True)


app = typer.Typer(
    cls=_Group,
    name="expectkit",
    help="Customer-expectation and SLA promises: quote, check, lint, publish.",
    epilog="Exit codes: 0 done, 1 findings (lint) or broken promises (check), "
    "2 usage or input error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
"""The Typer application (the ``expectkit`` console script)."""


def main(args: Sequence[str] | None = None) -> NoReturn:
    """Run the command line with `args` (default ``sys.argv[1:]``) and exit.

    >>> main(["schema", "--help"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    SystemExit: 0
    """
    app(args=list(args) if args is not None else None, prog_name="expectkit")
    raise AssertionError("unreachable")  # pragma: no cover - app() always exits


def _version(value: bool) -> None:
    if value:
        from expectkit import __version__
        from expectkit.time.backend import backend

        typer.echo(f"expectkit {__version__} ({backend} engine)")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Customer-expectation and SLA promises: quote, check, lint, publish."""
