"""Run every code block of the README and the documentation pages.

A page is read the way the site shows it: ``--8<-- "file"`` snippet lines are
replaced by the file (as ``pymdownx.snippets`` does) and the build hook's
``<!-- generated: ... -->`` placeholders by what the hook writes there. Then each
fenced block is run or checked, in page order:

* ``python`` / ``pycon`` blocks share one namespace per page, like a notebook:
  blocks with ``>>>`` prompts are doctests, blocks without are executed as scripts;
* ``yaml``, ``json``, ``jsonl`` and ``toml`` blocks must parse; one with a ``rules``
  key must load with ``Policy.loads`` and pass ``Policy.json_schema()``; a block
  with ``title="name"`` is also written to that file in the page's working
  directory, where later blocks read it;
* ``bash`` / ``sh`` / ``console`` blocks: ``expectkit`` commands are run through the
  CLI in that directory (``> file`` writes their output there) and must exit with 0,
  or the code named by a ``<!-- docs-test: exit N -->`` marker; every other command
  must be one the reader can run as written (a known program, files that exist,
  extras that ``pyproject.toml`` declares);
* a ``text`` block marked ``<!-- docs-test: output -->`` must equal the output of the
  last command run (trailing spaces aside; ``...`` stands for any text); other
  ``text`` blocks and ``mermaid`` blocks (which must start with a diagram type) are
  not run.

Markers, as an HTML comment on the line before a block (invisible on the site, so
the page says the same in words):

* ``<!-- docs-test: requires fastapi httpx -->``: the block is self-contained and
  needs these modules; it runs in its own test as ``__main__`` (as ``python
  file.py`` would), skipped with the reason when one of them is missing;
* ``<!-- docs-test: exit 1 -->``: the command is expected to exit with that code.

A page whose examples need an optional extra says so on its first lines with
``<!-- docs-test: page-requires babel -->``; without the module the page is
skipped with that reason.

Each page runs in a fresh temporary directory holding links to the repository's
``examples/`` and ``benchmarks/``, so examples read files as a reader in a checkout
would. ``EXPECTKIT_DOCS_VERBOSE=1`` prints every block as it runs.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import io
import itertools
import json
import os
import re
import shlex
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import expectkit
from expectkit import Policy
from policyschema import file_data, schema_errors

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted(p for p in DOCS.glob("**/*.md") if not p.relative_to(DOCS).parts[0].startswith("_")),
]

_SNIPPET = re.compile(
    r"""^(?P<indent>[ \t]*)--8<--[ \t]+(?P<q>["'])(?P<path>[^"']+)(?P=q)[ \t]*$"""
)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_MARKER = re.compile(r"<!--\s*docs-test:\s*(?P<body>.*?)\s*-->")
_TITLE = re.compile(r"""title=(?P<q>["'])(?P<title>[^"']+)(?P=q)""")
_DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# The width the CLI's tables are shown at in the docs, without colour.
_CLI_ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}

# Languages the runner knows; any other language fails the test, so that a new kind
# of block is checked on purpose rather than skipped by accident.
_PYTHON = {"python", "py", "pycon"}
_SHELL = {"bash", "sh", "shell", "console"}
_DATA = {"yaml", "yml", "json", "jsonl", "toml"}
_UNCHECKED = {"text", "mermaid", "html", "csv"}

# Shell programs a reader may be shown without the runner executing them.
_STATIC_PROGRAMS = {
    *("cd", "git", "mkdocs", "ruff", "mypy", "uvicorn", "spark-submit", "jupyter", "uv"),
    "pybabel",  # the translator workflow (CONTRIBUTING.md); tests/test_catalogs.py runs it
}


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    info: str
    code: str
    markers: list[str] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        found = _TITLE.search(self.info)
        return found.group("title") if found else None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def marker(self, name: str) -> list[str] | None:
        for body in self.markers:
            words = body.split()
            if words and words[0].rstrip(":") == name:
                return words[1:]
        return None


# -- reading pages ------------------------------------------------------------


def _expand_snippets(text: str, depth: int = 0) -> str:
    if depth > 5:
        raise AssertionError("snippets nested more than 5 deep")
    out: list[str] = []
    for line in text.splitlines():
        found = _SNIPPET.match(line)
        if found is None:
            out.append(line)
            continue
        included = (ROOT / found.group("path")).read_text(encoding="utf-8")
        out.extend(_expand_snippets(included, depth + 1).splitlines())
    return "\n".join(out) + "\n"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_docs_hook", DOCS / "_hooks" / "generated.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_text(page: Path) -> str:
    """Return the page's Markdown as the site renders it (snippets and hook applied)."""
    text = _expand_snippets(page.read_text(encoding="utf-8"))
    if page.is_relative_to(DOCS):
        text = _hook().render(text)
    return text


def read_blocks(page: Path, text: str | None = None) -> list[Block]:
    """Return the fenced code blocks of a page, with the markers just before them."""
    lines = (page_text(page) if text is None else text).splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence, info = opening.group("indent", "fence", "info")
        words = info.strip().split(None, 1)
        lang = words[0].lstrip(".{").lower() if words else ""
        markers: list[str] = []
        j = i - 1
        while j >= 0 and (_MARKER.search(lines[j]) or not lines[j].strip()):
            found = _MARKER.search(lines[j])
            if found:
                markers.append(found.group("body"))
            j -= 1
        start = i + 1  # the fence's line number, counted from 1
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        blocks.append(Block(page, start, lang, info, "\n".join(body) + "\n", markers))
        i += 1
    return blocks


def page_requires(page: Path) -> list[str]:
    head = page.read_text(encoding="utf-8").splitlines()[:5]
    for line in head:
        found = _MARKER.search(line)
        if found and found.group("body").startswith("page-requires"):
            return found.group("body").split()[1:]
    return []


def _missing(modules: list[str]) -> list[str]:
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


# -- running blocks ------------------------------------------------------------


class Runner:
    """Run one page's blocks in order, in one namespace and one working directory."""

    def __init__(self, workdir: Path, name: str = "__docs__") -> None:
        self.workdir = workdir
        # A page's blocks share a namespace that is not __main__ (a recipe included
        # whole does not run its main()); a self-contained block runs as a script.
        self.globs: dict[str, Any] = {"__name__": name}
        self.verbose = os.environ.get("EXPECTKIT_DOCS_VERBOSE") == "1"
        self.last_output: str | None = None

    def run(self, block: Block) -> None:
        if self.verbose:
            print(f"--- {block.where} ({block.lang})")
        if block.lang in _PYTHON:
            self.python(block)
        elif block.lang in _DATA:
            self.data(block)
        elif block.lang in _SHELL:
            self.shell(block)
        elif block.lang == "text" and block.marker("output") is not None:
            self.output(block)
        elif block.lang == "mermaid":
            first = block.code.strip().split(None, 1)[0]
            assert first in {"stateDiagram-v2", "flowchart", "graph", "sequenceDiagram"}, (
                f"{block.where}: unknown mermaid diagram {first!r}"
            )
        elif block.lang not in _UNCHECKED:
            raise AssertionError(
                f"{block.where}: no check for a {block.lang or 'plain'!r} block; "
                "give it a language the docs runner knows (see tests/test_docs.py)"
            )

    def python(self, block: Block) -> None:
        if ">>>" in block.code:
            parser = doctest.DocTestParser()
            test = parser.get_doctest(
                block.code, self.globs, block.where, str(block.page), block.line
            )
            out = io.StringIO()
            runner = doctest.DocTestRunner(optionflags=_DOCTEST_FLAGS)
            runner.run(test, out=out.write, clear_globs=False)
            self.globs.update(test.globs)  # DocTest works on a copy of the namespace
            assert runner.failures == 0, f"{block.where}: doctest failed\n{out.getvalue()}"
        else:
            code = compile(block.code, block.where, "exec")
            exec(code, self.globs)  # running the documentation is the point

    def data(self, block: Block) -> None:
        text = block.code
        if block.lang in {"yaml", "yml"}:
            data = yaml.safe_load(text)
            fmt = "yaml"
        elif block.lang == "toml":
            data = tomllib.loads(text)
            fmt = "toml"
        elif block.lang == "jsonl":
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
            fmt = "json"
        else:
            data = json.loads(text)
            fmt = "json"
        if isinstance(data, dict) and "rules" in data:
            Policy.loads(text, format=fmt, source=block.where)  # type: ignore[arg-type]
            errors = schema_errors(file_data(text, fmt))
            assert not errors, f"{block.where}: the JSON Schema refuses it: {errors}"
        if block.title:
            target = self.workdir / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

    def shell(self, block: Block) -> None:
        expected = block.marker("exit")
        for command in _commands(block.code):
            command, _, redirect = command.partition(" > ")
            words = shlex.split(command)
            while words and "=" in words[0] and not words[0].startswith("-"):
                words = words[1:]  # VAR=value prefixes
            if not words:
                continue
            program = words[0]
            if program == "expectkit":
                code = int(expected[0]) if expected else 0
                self.cli(block, words[1:], code, redirect.strip() or None)
            elif program in {"python", "python3"}:
                self.python_command(block, words[1:])
            elif program in {"pip", "pip3"}:
                _check_pip(block, words[1:])
            elif program not in _STATIC_PROGRAMS:
                raise AssertionError(
                    f"{block.where}: the docs runner does not know the program {program!r} "
                    f"in {command!r}; teach tests/test_docs.py how to check it"
                )

    def python_command(self, block: Block, args: list[str]) -> None:
        if args[:2] == ["-m", "pip"]:
            _check_pip(block, args[2:])
        elif args[:2] == ["-m", "pytest"] or args[:2] == ["-m", "mkdocs"]:
            pass  # the test suite and the site build are tested on their own
        elif args[:2] == ["-m", "expectkit"]:
            self.cli(block, args[2:], 0, None)
        elif args and args[0].endswith(".py"):
            script = ROOT / args[0]
            assert script.is_file(), f"{block.where}: {args[0]} does not exist"
        else:
            raise AssertionError(f"{block.where}: cannot check 'python {' '.join(args)}'")

    def cli(self, block: Block, args: list[str], expected: int, redirect: str | None) -> None:
        cli = importlib.import_module("expectkit.cli")
        from typer.testing import CliRunner

        runner = CliRunner()
        with _chdir(self.workdir):
            result = runner.invoke(cli.app, args, catch_exceptions=False, env=_CLI_ENV)
        assert result.exit_code == expected, (
            f"{block.where}: 'expectkit {' '.join(args)}' exited {result.exit_code}, "
            f"expected {expected}\n{result.output}"
        )
        if redirect:
            (self.workdir / redirect).write_text(result.stdout, encoding="utf-8")
        self.last_output = result.output  # standard output, then any error line

    def output(self, block: Block) -> None:
        """Compare a ``text`` block marked ``output`` with the last command's output."""
        assert self.last_output is not None, f"{block.where}: no command ran before this output"
        shown, got = _normalized(block.code), _normalized(self.last_output)
        if "..." in shown:
            pattern = ".*?".join(re.escape(part) for part in shown.split("..."))
            ok = re.fullmatch(pattern, got, re.DOTALL) is not None
        else:
            ok = shown == got
        assert ok, f"{block.where}: the output shown differs from the command's\n{got}"


def _commands(script: str) -> Iterator[str]:
    joined = re.sub(r"\\\n\s*", " ", script)
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("$ "):
            line = line[2:]
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"\s*(?:&&|\|\||;)\s*", line):
            part = part.split(" #", 1)[0].split(" | ", 1)[0].strip()  # drop comments, pipes
            if part:
                yield part


def _normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _check_pip(block: Block, args: list[str]) -> None:
    assert args, f"{block.where}: 'pip' without arguments"
    assert args[0] == "install", f"{block.where}: only 'pip install' is shown"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for option, value in itertools.pairwise(args):
        if option in {"-c", "-r", "--constraint", "--requirement"}:
            assert (ROOT / value).is_file(), f"{block.where}: {value} does not exist"
    for arg in args[1:]:
        found = re.fullmatch(r"(?:\.|expectkit)\[([\w,-]+)\]", arg)
        if found:
            for extra in found.group(1).split(","):
                assert extra in extras, (
                    f"{block.where}: pyproject.toml declares no extra {extra!r} "
                    f"(declared: {', '.join(sorted(extras))})"
                )


@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _workdir(tmp_path: Path) -> Path:
    for name in ("examples", "benchmarks"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    return tmp_path


_INLINE = re.compile(r"`(?:python -m )?expectkit(?P<args>(?: [^`]*)?)`")
# A word the reader replaces: POLICY, EVENTS.jsonl, COMMAND, "...".
_PLACEHOLDER = re.compile(r"^(?:\[?[A-Z][A-Z_]+(?:\.\w+)?\]?(?:\.\.\.)?|\.\.\.|\{.*\})$")


def inline_commands(page: Path) -> list[tuple[str, list[str]]]:
    """Return the ``expectkit ...`` commands a page shows inline, outside code blocks."""
    found = []
    fenced = False
    for number, line in enumerate(page_text(page).splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            for match in _INLINE.finditer(line):
                if match["args"].strip():  # not the bare program name
                    found.append((f"{_ids(page)}:{number}", shlex.split(match["args"])))
    return found


def _cli_command(args: list[str]) -> tuple[Any, list[str]]:
    """Return the (sub)command that `args` name, and the arguments after its name."""
    import typer.main

    from expectkit import cli

    command = typer.main.get_command(cli.app)
    while args and hasattr(command, "commands") and args[0] in command.commands:
        command = command.commands[args[0]]
        args = args[1:]
    return command, args


# -- tests ------------------------------------------------------------------------


def _ids(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_every_block_runs(page: Path, tmp_path: Path) -> None:
    missing = _missing(page_requires(page))
    if missing:
        pytest.skip(f"{_ids(page)} needs {', '.join(missing)} (an optional extra)")
    runner = Runner(_workdir(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        with _chdir(tmp_path):
            for block in read_blocks(page):
                if block.marker("requires") is not None:
                    continue  # self-contained; run by test_block_with_requirements
                runner.run(block)
    finally:
        sys.path.remove(str(tmp_path))


_REQUIRING = [b for page in PAGES for b in read_blocks(page) if b.marker("requires") is not None]


@pytest.mark.parametrize("block", _REQUIRING, ids=lambda b: b.where)
def test_block_with_requirements(block: Block, tmp_path: Path) -> None:
    needed = block.marker("requires") or []
    missing = _missing(needed)
    if missing:
        pytest.skip(f"{block.where} needs {', '.join(missing)}, which is not installed")
    with _chdir(_workdir(tmp_path)):
        Runner(tmp_path, name="__main__").run(block)


def test_every_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES[2:]:  # after README.md and CONTRIBUTING.md
        assert str(page.relative_to(DOCS)) in config, f"{page} is not in mkdocs.yml's nav"


def test_runner_reads_fences_markers_and_titles() -> None:
    text = (
        "intro\n\n<!-- docs-test: exit 2 -->\n```bash\nexpectkit lint bad.yaml\n```\n\n"
        '```yaml title="p.yaml"\nrules: []\n```\n\n    ```python\n    x = 1\n    ```\n'
    )
    blocks = read_blocks(DOCS / "index.md", text)
    assert [(b.lang, b.title, b.marker("exit")) for b in blocks] == [
        ("bash", None, ["2"]),
        ("yaml", "p.yaml", None),
        ("python", None, None),
    ]
    assert blocks[2].code == "x = 1\n"
    assert list(_commands("a && b # c\npython x.py > out.txt | y\n")) == [
        "a",
        "b",
        "python x.py > out.txt",
    ]


def test_error_catalogue_covers_every_error_class() -> None:
    errors = importlib.import_module("expectkit.errors")
    catalogue = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## `(\w+)`$", catalogue, re.MULTILINE))
    missing = sorted(set(errors.__all__) - headings)
    assert not missing, f"docs/reference/errors.md has no section for {', '.join(missing)}"


def test_every_api_module_has_a_reference_page() -> None:
    api = "\n".join(
        p.read_text(encoding="utf-8") for p in (DOCS / "reference" / "api").glob("*.md")
    )
    package = Path(expectkit.__file__).resolve().parent  # as installed
    modules = [
        *sorted(f"expectkit.{p.stem}" for p in package.glob("*.py") if not p.stem.startswith("_")),
        "expectkit.presets",
    ]
    missing = [
        m
        for m in modules
        if f"::: {m}\n" not in api and m not in ("expectkit.cli", "expectkit.cli_live")
    ]
    assert not missing, f"no API reference page shows {', '.join(missing)}"


_INLINE_COMMANDS = [c for page in PAGES for c in inline_commands(page)]


@pytest.mark.parametrize(("where", "args"), _INLINE_COMMANDS, ids=[w for w, _ in _INLINE_COMMANDS])
def test_inline_commands_run_or_name_real_options(
    where: str, args: list[str], tmp_path: Path
) -> None:
    """A command shown in running text runs as written (it uses bundled files only), or,
    where it holds placeholders (``POLICY``, ``...``), names only options that exist."""
    pytest.importorskip("typer", reason="the CLI is in the cli extra")
    command, rest = _cli_command(args)
    named = args[0].startswith("-") or _PLACEHOLDER.match(args[0]) or rest != args
    assert named, f"{where}: no command {args[0]!r}"
    if not rest and any(p.required for p in command.params):
        return  # the command named in prose ("`expectkit check` replays ...")
    options = {opt for param in command.params for opt in param.opts}
    options |= {"--help"}
    for word in args:
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            assert name in options, f"{where}: {command.name} has no option {name}"
    if any(_PLACEHOLDER.match(word) for word in args):
        return
    workdir = _workdir(tmp_path)
    for word in args:
        if "/" in word and not word.startswith("-") and Path(word).suffix:
            assert (workdir / word).is_file(), f"{where}: {word} is not in the repository"
        elif (
            re.fullmatch(r"[\w-]+\.(?:ya?ml|toml|json|jsonl)", word)
            and not (workdir / word).exists()
        ):
            return  # the reader's own file, written earlier on the page: options checked
    from typer.testing import CliRunner

    from expectkit import cli

    with _chdir(workdir):
        result = CliRunner().invoke(cli.app, args, catch_exceptions=False, env=_CLI_ENV)
    # 1 is an answer (lint findings, a breach), 2 a usage or input error.
    assert result.exit_code in {0, 1}, f"{where}: exited {result.exit_code}\n{result.output}"
    assert result.stdout.strip(), f"{where}: printed nothing"


def test_inline_commands_are_found() -> None:
    commands = {" ".join(args) for _, args in _INLINE_COMMANDS}
    assert "demo" in commands
    assert any(c.startswith("contact-page examples/") for c in commands)
