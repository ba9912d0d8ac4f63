"""Channels: the ways customers reach you, with their hours and offline behaviour.

A channel is ``live`` (chat, phone, in person: answered while staffed) or ``async``
(email, web form, social, messenger: a message waits in a queue). A live channel
outside its hours follows its ``offline`` channel: chat becomes "leave a message",
answered like email.

A channel names its schedule rather than holding it, so many channels share one
set of hours; the names are resolved by the :class:`~expectkit.policy.Policy` that
declares them. A channel without a schedule is open around the clock (UTC).

>>> chat = Channel(kind="chat", name="chat", schedule="berlin", offline="email")
>>> chat.mode, chat.is_live
('live', True)
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, model_validator

from expectkit._core.base import FrozenModel
from expectkit._core.errors import PolicyError

__all__ = ["LIVE_KINDS", "Channel", "ChannelKind", "ChannelMode"]

ChannelKind = Literal[
    "email", "chat", "phone", "social", "messenger", "web_form", "in_person", "custom"
]
"""The kinds of channel expectkit knows; ``custom`` covers anything else."""

ChannelMode = Literal["live", "async"]
"""``live``: answered while staffed; ``async``: a message that waits in a queue."""

LIVE_KINDS: frozenset[str] = frozenset({"chat", "phone", "in_person"})
"""Kinds whose ``mode`` defaults to ``live``; every other kind defaults to ``async``."""


class Channel(FrozenModel):
    """A contact channel: its kind, name, hours (by schedule name) and offline fallback.

    ``mode`` defaults from ``kind`` (chat, phone and in person are ``live``). Only a
    live channel may name an ``offline`` channel: outside its hours a request on it
    is quoted as a request on the offline channel. A channel without a ``schedule``
    is open around the clock in UTC.

    Args:
        kind: One of :data:`ChannelKind`.
        name: The name rules match on (in a policy file, the key under ``channels``).
        schedule: Name of a schedule declared by the policy, or None for 24/7 UTC.
        mode: ``live`` or ``async``; defaults from ``kind``.
        offline: Name of the channel a live channel falls back to outside its hours.

    Raises:
        PolicyError: On an unknown kind or mode, an extra field, or ``offline`` on an
            async channel or pointing at the channel itself.

    >>> Channel(kind="email", name="support-mail").mode
    'async'
    >>> Channel(kind="email", name="mail", offline="chat")
    Traceback (most recent call last):
    expectkit.errors.PolicyError: Channel: channel 'mail' is async; only a live channel has \
an offline fallback

    """

    _error = PolicyError

    kind: ChannelKind
    name: str = Field(min_length=1)
    schedule: str | None = Field(default=None, min_length=1)
    mode: ChannelMode = "async"
    offline: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _default_mode(cls, data: Any) -> Any:
        if isinstance(data, dict) and "mode" not in data:
            kind = data.get("kind")  # not yet validated: any value, a list included
            live = isinstance(kind, str) and kind in LIVE_KINDS
            return {**data, "mode": "live" if live else "async"}
        return data

    @model_validator(mode="after")
    def _check_offline(self) -> Self:
        if self.offline is not None:
            if self.mode != "live":
                msg = f"channel {self.name!r} is async; only a live channel has an offline fallback"
                raise PolicyError(msg)
            if self.offline == self.name:
                msg = f"channel {self.name!r} names itself as its offline channel"
                raise PolicyError(msg)
        return self

    @property
    def is_live(self) -> bool:
        """Whether the channel is answered only while staffed.

        >>> Channel(kind="phone", name="hotline").is_live
        True
        """
        return self.mode == "live"
