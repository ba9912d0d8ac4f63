"""The public face: every exported name imports and is documented."""

from __future__ import annotations

import importlib

import expectkit


def test_every_exported_name_imports() -> None:
    for name in expectkit.__all__:
        assert getattr(expectkit, name) is not None, name


def test_every_public_name_has_a_docstring_with_an_example() -> None:
    for name in expectkit.__all__:
        if name.startswith("__") or name == "backend":  # metadata strings
            continue
        doc = getattr(expectkit, name).__doc__ or ""
        assert ">>>" in doc, f"{name} has no example in its docstring"


def test_backend_names_the_engine() -> None:
    assert expectkit.backend in ("c", "pure")


def test_version_is_a_string() -> None:
    assert isinstance(expectkit.__version__, str)
    assert importlib.import_module("expectkit.errors").ExpectkitError is expectkit.ExpectkitError
