"""Zendesk's via ids and via types: how a ticket came in, which names its channel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["VIA_TYPES", "via_type"]

VIA_TYPES: Final[Mapping[int, str]] = {
    0: "web_form",
    4: "mail",
    5: "web_service",
    8: "rule",
    9: "linked_problem",
    10: "group_deletion",
    11: "user_change",
    12: "user_deletion",
    13: "group_change",
    14: "resource_push",
    15: "iphone",
    16: "get_satisfaction",
    17: "dropbox",
    19: "merge",
    20: "batch",
    21: "recovered_from_suspended_tickets",
    22: "automatic_solution_suggestions",
    23: "twitter_favorite",
    24: "topic",
    25: "user_merge",
    26: "twitter_dm",
    27: "closed_ticket",
    28: "logmein_rescue",
    29: "chat",
    30: "twitter",
    31: "ticket_sharing",
    32: "macro_reference",
    33: "voicemail",
    34: "phone_call_inbound",
    35: "phone_call_outbound",
    36: "blog",
    37: "text_message",
    38: "facebook_post",
    39: "import",
    40: "github",
    41: "facebook_message",
}
"""Zendesk via ids and their via types (Zendesk's "Via types reference"), which name
the channel. Ids not listed are reported rather than guessed."""


def via_type(value: object) -> str | None:
    """Return the via type for a via id (an int or a digit string) or a via type, else None.

    >>> via_type(4), via_type("29"), via_type("mail"), via_type(99)
    ('mail', 'chat', 'mail', None)
    """
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return VIA_TYPES.get(value)
    if isinstance(value, str) and value in VIA_TYPES.values():
        return value
    return None
