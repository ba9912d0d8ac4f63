"""Ready-made presets: usual channel expectations and common service situations.

The code lives in :mod:`expectkit.promises.presets`; this module only re-exports it, so the
import path ``expectkit.presets`` stays.
"""

from expectkit.promises.presets import Preset, PresetKind, load_preset, preset_names

__all__ = [
    "Preset",
    "PresetKind",
    "load_preset",
    "preset_names",
]
