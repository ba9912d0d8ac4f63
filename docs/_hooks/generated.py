"""MkDocs hook: the parts of the site generated from the code at build time.

A page asks for generated content with a placeholder line:

* ``<!-- generated: policy-schema -->``: the policy JSON Schema
  (``Policy.json_schema()``) as a JSON code block; the same schema is also
  published as ``reference/policy.schema.json``;
* ``<!-- generated: cli-reference -->``: every ``expectkit`` command with its
  usage, help text, arguments and options, read from the CLI itself;
* ``<!-- generated: figure NAME -->``: a figure drawn by :data:`FIGURES` from the
  synthetic ticket history, published as ``how-to/img/NAME.png`` (where pandas or
  matplotlib is missing, a note says the figure could not be drawn).

Interactive examples (``>>>``) get a ``data-copy`` attribute holding their code
without prompts and output, so the copy button copies something that runs as a
script.

Generating them while building means the site cannot drift from the code. The
docs tests render pages through :func:`render` too, so they check what readers see.
"""

from __future__ import annotations

import doctest
import html
import importlib
import inspect
import io
import json
import re
from typing import Any

SCHEMA_PATH = "reference/policy.schema.json"

_PLACEHOLDER = "<!-- generated: {name} -->"


def policy_schema_json() -> str:
    """Return the policy JSON Schema as indented JSON text."""
    from expectkit import Policy

    return json.dumps(Policy.json_schema(), indent=2, ensure_ascii=False) + "\n"


def _schema_block() -> str:
    return f"```json\n{policy_schema_json()}```"


def _cli_reference() -> str:
    try:
        cli = importlib.import_module("expectkit.cli")
    except ImportError as exc:
        return (
            '!!! warning "Not available"\n\n'
            f"    The command line could not be imported when this site was built ({exc}), "
            "so its reference could not be generated."
        )
    import typer

    # Typer carries its own copy of click; use the objects' own classes, not click's.
    root = typer.main.get_command(cli.app)
    ctx = root.context_class(root, info_name="expectkit")
    commands = dict(getattr(root, "commands", {}))
    parts = [_clean(root.help or "")]
    rows = "".join(
        f"\n| [`expectkit {name}`](#expectkit-{name}) | {_first_line(command.help)} |"
        for name, command in commands.items()
    )
    parts.append("| command | what it does |\n|---|---|" + rows)
    for name, command in commands.items():
        sub = command.context_class(command, info_name=name, parent=ctx)
        parts.append(_command_section(command, sub))
    return "\n\n".join(p for p in parts if p)


def _first_line(text: str | None) -> str:
    return _clean(text or "").split("\n\n", 1)[0].replace("\n", " ").replace("|", "\\|")


def _clean(text: str) -> str:
    # Click keeps a docstring's "\f" tail for --help only.
    return inspect.cleandoc(text.split("\f", 1)[0])


def _command_section(command: Any, ctx: Any) -> str:
    usage = " ".join(["expectkit", ctx.info_name, *command.collect_usage_pieces(ctx)])
    lines = [
        f"## `expectkit {ctx.info_name}` {{#expectkit-{ctx.info_name}}}",
        "",
        f"```text\n{usage}\n```",
        "",
        _clean(command.help or ""),
    ]
    rows = []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            name = f"`{(param.metavar or param.name or '').upper()}`"
            kind = "argument"
        else:
            name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
            kind = "flag" if getattr(param, "is_flag", False) else "option"
        help_text = " ".join((getattr(param, "help", None) or "").split()).replace("|", "\\|")
        default = param.default
        if param.required:
            shown = "required"
        elif default in (None, False, (), []) or callable(default):
            shown = ""
        else:
            shown = f"`{default}`"
        rows.append(f"| {name} | {kind} | {help_text} | {shown} |")
    if rows:
        lines += ["", "| name | kind | meaning | default |", "|---|---|---|---|", *rows]
    return "\n".join(lines)


_GENERATORS = {"policy-schema": _schema_block, "cli-reference": _cli_reference}

# -- figures --------------------------------------------------------------------

_FIGURE = re.compile(r"<!-- generated: figure (?P<name>[\w-]+) -->")
_drawn: dict[str, tuple[str, bytes]] = {}  # name -> (alt text, PNG)


def _history_figures() -> dict[str, tuple[str, Any]]:
    """Name -> (alt text, function drawing into an axes), on one synthetic history."""
    from expectkit.analysis import attainment, calibrate
    from expectkit.history import default_schedule, example_policy, synthetic_history
    from expectkit.plots import plot_attainment, plot_promise_curve, plot_responses, plot_week

    history = synthetic_history(2_000, seed=7)
    policy = example_policy()
    kept = attainment(history, policy)
    return {
        "promise-curve": (
            "Share of the history each candidate first-response promise meets, per channel",
            lambda: plot_promise_curve(calibrate(history, policy, p=0.9, by=["channel"])),
        ),
        "responses": (
            "Distribution of email first-response times with the target and promise lines",
            lambda: plot_responses(kept, channel="email"),
        ),
        "attainment": (
            "Share of first-response promises kept per week and channel",
            lambda: plot_attainment(kept, goal=0.9),
        ),
        "week": (
            "A week grid of the desk's open hours",
            lambda: plot_week(default_schedule()),
        ),
    }


def draw_figures() -> dict[str, tuple[str, bytes]]:
    """Draw every figure as PNG bytes; empty when pandas or matplotlib is missing."""
    if _drawn:
        return _drawn
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figures = _history_figures()
    except ImportError:
        return {}
    for name, (alt, draw) in figures.items():
        ax = draw()
        buffer = io.BytesIO()
        ax.figure.savefig(
            buffer, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None}
        )
        plt.close(ax.figure)
        _drawn[name] = (alt, buffer.getvalue())
    return _drawn


def _figure(match: re.Match[str]) -> str:
    name = match.group("name")
    if name in _drawn:
        return f"![{_drawn[name][0]}](img/{name}.png)"
    return (
        '!!! note "Figure not drawn"\n\n'
        f"    The figure `{name}` needs pandas and matplotlib (the `pandas` and `plot` "
        "extras), which were not installed when this site was built."
    )


def render(markdown: str) -> str:
    """Replace every placeholder line in `markdown` with the generated text."""
    for name, generate in _GENERATORS.items():
        placeholder = _PLACEHOLDER.format(name=name)
        if placeholder in markdown:
            markdown = markdown.replace(placeholder, generate())
    return _FIGURE.sub(_figure, markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Fill the placeholders of every page."""
    return render(markdown)


_HIGHLIGHT = re.compile(r'<div class="highlight">(<pre>.*?</pre>)</div>', re.DOTALL)


def _copyable(match: re.Match[str]) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
    if not text.lstrip().startswith(">>>"):
        return match.group(0)
    code = "".join(e.source for e in doctest.DocTestParser().get_examples(text))
    return (
        f'<div class="highlight" data-copy="{html.escape(code, quote=True)}">{match.group(1)}</div>'
    )


def on_page_content(content: str, **kwargs: Any) -> str:
    """Let the copy button copy an interactive example's code without its prompts."""
    return _HIGHLIGHT.sub(_copyable, content)


def on_files(files: Any, config: Any) -> Any:
    """Publish the policy JSON Schema as a file of the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, SCHEMA_PATH, content=policy_schema_json()))
    for name, (_, png) in draw_figures().items():
        files.append(File.generated(config, f"how-to/img/{name}.png", content=png))
    return files
