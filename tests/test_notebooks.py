"""The example notebooks run end to end, save their plots, and match their .ipynb twins.

Notebooks are kept as jupytext "percent" scripts (cells start with ``# %%``); the
``.ipynb`` next to each is generated from it. Regenerate after editing a script::

    python tests/test_notebooks.py
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "examples" / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("*.py"))


def percent_to_notebook(text: str) -> dict[str, Any]:
    """Convert a percent script to nbformat 4 JSON (no outputs, stable cell ids)."""
    lines = text.splitlines()
    if lines and lines[0] == "# ---":  # the jupytext header
        end = lines.index("# ---", 1)
        lines = lines[end + 1 :]
    cells: list[dict[str, Any]] = []
    kind: str | None = None
    body: list[str] = []

    def close() -> None:
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        if kind is None or not body:
            return
        if kind == "markdown":
            source = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in body]
            cell: dict[str, Any] = {"cell_type": "markdown", "metadata": {}}
        else:
            source = list(body)
            cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
        cell["id"] = f"cell-{len(cells) + 1}"
        cell["source"] = [line + "\n" for line in source[:-1]] + source[-1:]
        cells.append(dict(sorted(cell.items())))

    for line in lines:
        if line.startswith("# %%"):
            close()
            kind = "markdown" if "[markdown]" in line else "code"
            body = []
        else:
            body.append(line)
    close()
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def rendered(script: Path) -> str:
    return json.dumps(percent_to_notebook(script.read_text()), indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_notebook_runs_and_saves_plots(
    script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("EXPECTKIT_NOTEBOOK_OUTPUT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    try:
        namespace = runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    images = sorted(p.name for p in tmp_path.glob("*.png"))
    assert images, "the notebook saved no plots"
    for image in images:
        assert (tmp_path / image).read_bytes().startswith(b"\x89PNG")
    if script.name == "explore_policy.py":
        assert images == ["calibration.png", "responses.png", "week.png", "weekly.png"]
        now = namespace["current"].table(by=["metric"]).loc["first_response", "met_promise"]
        then = namespace["what_if"].candidate.table(by=["metric"])
        # promises calibrated at 90 % are kept more often than the current ones
        assert then.loc["first_response", "met_promise"] > max(now, 0.9)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_ipynb_is_generated_from_the_script(script: Path) -> None:
    notebook = script.with_suffix(".ipynb")
    assert notebook.exists(), f"run: python tests/test_notebooks.py (creates {notebook.name})"
    assert notebook.read_text() == rendered(script), "regenerate: python tests/test_notebooks.py"


def test_conversion_of_cells() -> None:
    text = "# ---\n# jupyter: {}\n# ---\n\n# %% [markdown]\n# # Title\n#\n# Text\n\n# %%\nx = 1\n\n"
    cells = percent_to_notebook(text)["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code"]
    assert cells[0]["source"] == ["# Title\n", "\n", "Text"]
    assert cells[1]["source"] == ["x = 1"]


if __name__ == "__main__":
    for path in SCRIPTS:
        path.with_suffix(".ipynb").write_text(rendered(path))
        print(f"wrote {path.with_suffix('.ipynb')}", file=sys.stderr)
