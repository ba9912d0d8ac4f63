"""Channels: the ways customers reach you, with their hours and offline behaviour.

The code lives in :mod:`expectkit.promises.channels`; this module only re-exports it, so the
import path ``expectkit.channels`` stays.
"""

from expectkit.promises.channels import LIVE_KINDS, Channel, ChannelKind, ChannelMode

__all__ = [
    "LIVE_KINDS",
    "Channel",
    "ChannelKind",
    "ChannelMode",
]
