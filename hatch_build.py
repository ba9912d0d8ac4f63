"""Hatch build hook: compile the optional C core, ``expectkit._ccore``, into the wheel.

With a working C compiler the wheel carries the extension and is tagged for this
interpreter and platform; without one (or when the compile fails) the wheel is the
pure-Python one, tagged ``py3-none-any``, and a one-line notice says so. An editable
install compiles the extension in place, next to ``_ccore.c``.

Environment variables:

* ``EXPECTKIT_NO_EXTENSION=1`` skips the compile (a pure wheel, on purpose);
* ``EXPECTKIT_REQUIRE_EXTENSION=1`` makes a failed compile fail the build (for
  release wheels, so that a broken toolchain never ships a pure wheel silently).

The compiler is the one setuptools picks for this interpreter (``CC`` on Unix, MSVC
on Windows), the same that ``pip`` uses for any C extension.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("src", "expectkit", "_ccore.c")
MODULE = "expectkit._ccore"


def _notice(text: str) -> None:
    print(f"expectkit: {text}", file=sys.stderr, flush=True)


def compile_extension(root: Path, build_dir: Path) -> Path:
    """Compile ``_ccore.c`` for the running interpreter; return the built file."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(MODULE, sources=[str(root / SOURCE)])
    command = build_ext(Distribution({"name": "expectkit", "ext_modules": [extension]}))
    command.build_lib = str(build_dir / "lib")
    command.build_temp = str(build_dir / "temp")
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath(MODULE))


class CCoreBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Add the compiled core to wheels when it compiles; otherwise build them pure."""

    PLUGIN_NAME = "ccore"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile the extension and include it, or leave the wheel pure."""
        if self.target_name != "wheel":
            return
        if os.environ.get("EXPECTKIT_NO_EXTENSION") == "1":
            _notice("EXPECTKIT_NO_EXTENSION=1: building the pure-Python wheel")
            return
        root = Path(self.root)
        self._build_dir = Path(tempfile.mkdtemp(prefix="expectkit-ccore-"))
        try:
            built = compile_extension(root, self._build_dir)
        except Exception as exc:  # no compiler, no headers, no setuptools: build pure
            if os.environ.get("EXPECTKIT_REQUIRE_EXTENSION") == "1":
                raise
            _notice(
                f"the C core did not compile ({type(exc).__name__}); building the pure-Python "
                "engine (set EXPECTKIT_REQUIRE_EXTENSION=1 to see why)"
            )
            return
        if version == "editable":
            # The editable install imports from src/: put the extension next to its source.
            shutil.copy2(built, root / SOURCE.parent / built.name)
        else:
            build_data["force_include"][str(built)] = f"expectkit/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary build directory."""
        build_dir = getattr(self, "_build_dir", None)
        if build_dir is not None:
            shutil.rmtree(build_dir, ignore_errors=True)
