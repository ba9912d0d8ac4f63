"""Quote a promise policy and read why each due time is what it is.

    python examples/quickstart.py

The policy is the one a small support team writes first: email answered within
1-3 business days (aiming for 1), live chat within 30 seconds while staffed and
otherwise "leave a message" answered like email, and complaints on social media
within 3-5 hours. The requests are fixed instants, so the output is the same on
every run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from expectkit.calculator import quote
from expectkit.policy import Policy

POLICY = """
schedules:
  berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}, holidays: {country: DE, subdiv: BE}}
channels:
  email:  {kind: email,  mode: async, schedule: berlin}
  chat:   {kind: chat,   mode: live,  schedule: berlin, offline: email}
  social: {kind: social, mode: async, schedule: berlin}
rounding: 15min
rules:
  - name: social-complaint
    match: {channel: social, tags: [complaint]}
    first_response: {promise: "3-5 hours"}
  - name: email
    match: {channel: email}
    first_response: {promise: "1-3 business days", target: "1 business day"}
  - name: chat
    match: {channel: chat}
    first_response: {promise: "30 seconds", clock: business, rounding: none}
  - name: default
    first_response: {promise: "2 business days", buffer: {ratio: 0.5}}
"""  # noqa: E501 -- the design's policy, verbatim

BERLIN = ZoneInfo("Europe/Berlin")
REQUESTS: list[tuple[dict[str, Any], datetime]] = [
    ({"channel": "email"}, datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)),
    ({"channel": "social", "tags": ["complaint"]}, datetime(2026, 11, 20, 16, 37, tzinfo=BERLIN)),
    ({"channel": "chat"}, datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)),
    ({"channel": "chat"}, datetime(2026, 11, 20, 18, 0, tzinfo=BERLIN)),
    ({"channel": "social"}, datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN)),
]


def main() -> None:
    policy = Policy.loads(POLICY, source="quickstart policy")
    for request, at in REQUESTS:
        first = quote(policy, request, at=at)["first_response"]
        print(f"== {request} at {at:%a %Y-%m-%d %H:%M %Z}")
        print(first.explain())
        print()

    # The same promise, shown in the customer's own zone.
    request = {"channel": "email", "customer_tz": "America/New_York"}
    local = quote(policy, request, at=REQUESTS[0][1]).in_zone()["first_response"]
    print(f"== told to a customer in New York: by {local.promised_at:%a %Y-%m-%d %H:%M %Z}")

    findings = policy.lint(at=REQUESTS[0][1])
    print(f"== lint: {len(findings)} finding(s)")
    for finding in findings:
        print(f"   {finding}")


if __name__ == "__main__":
    main()
