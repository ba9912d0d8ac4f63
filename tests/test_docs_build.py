"""The documentation site builds with ``mkdocs build --strict``: no warning of any kind.

Strict mode turns every warning into a failure: a broken link or anchor, a page left
out of the nav, a snippet that does not exist, a docstring mkdocstrings cannot render.
Skipped, with the reason, where the ``docs`` extra (mkdocs-material and
mkdocstrings) is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_NEEDED = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python", "pymdownx")
_MISSING = [name for name in _NEEDED if importlib.util.find_spec(name.split(".")[0]) is None]

pytestmark = [
    pytest.mark.integration,  # starts processes: see CONTRIBUTING.md
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f"the docs extra is not installed (missing {', '.join(_MISSING)}): "
        'pip install -e ".[docs]"',
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",  # mkdocs-material's notice about MkDocs 2.0
        "MPLBACKEND": "Agg",
        "COLUMNS": "120",
    }
    result = subprocess.run(  # our own interpreter and arguments
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    )
    return out


def test_every_page_is_built(site: Path) -> None:
    docs = ROOT / "docs"
    for page in docs.glob("**/*.md"):
        relative = page.relative_to(docs).with_suffix("")
        if relative.parts[0].startswith("_"):
            continue
        folder = relative.parent if relative.name == "index" else relative
        assert (site / folder / "index.html").is_file(), f"{page} was not built"


def test_policy_schema_is_published_and_current(site: Path) -> None:
    from expectkit import Policy

    published = json.loads((site / "reference" / "policy.schema.json").read_text(encoding="utf-8"))
    assert published == Policy.json_schema()
    page = (site / "reference" / "policy-schema" / "index.html").read_text(encoding="utf-8")
    assert "generated: policy-schema" not in page


def test_api_reference_renders_docstrings(site: Path) -> None:
    page = (site / "reference" / "api" / "schedule" / "index.html").read_text(encoding="utf-8")
    assert "expectkit.schedule.Schedule.add" in page  # the method's anchor
    assert "language-pycon" in page or "highlight" in page  # examples shown as code
    assert ":class:" not in page  # Sphinx roles rewritten by docs/_griffe


def test_cli_reference_lists_every_command(site: Path) -> None:
    pytest.importorskip("typer", reason="the cli extra is not installed")
    page = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    for command in ("quote", "check", "lint", "schema", "contact-page", "demo"):
        assert f"expectkit-{command}" in page, f"no section for 'expectkit {command}'"
