"""Quote due times from business hours: the quick start of expectkit.

Run it with ``python examples/quickstart.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from expectkit import Holidays, Schedule

BERLIN = ZoneInfo("Europe/Berlin")


def main() -> None:
    desk = Schedule(
        tz="Europe/Berlin",
        weekly={"mon-fri": ["09:00-12:30", "13:30-17:00"], "sat": ["10:00-14:00"]},
        holidays=Holidays(country="DE", subdiv="BE"),
        closed=["2026-12-24", "2026-12-31"],
        special={"2026-12-23": ["09:00-13:00"]},
    )
    customer = ZoneInfo("America/New_York")
    print("Support desk: Mon-Fri 09:00-12:30, 13:30-17:00, Sat 10:00-14:00 (Berlin)\n")
    requests = [
        datetime(2026, 11, 20, 16, 30, tzinfo=BERLIN),  # Friday afternoon
        datetime(2026, 11, 21, 18, 0, tzinfo=BERLIN),  # Saturday evening
        datetime(2026, 12, 22, 15, 0, tzinfo=BERLIN),  # before the holidays
        datetime(2026, 11, 23, 3, 0, tzinfo=customer),  # a New York night owl
    ]
    for window in (timedelta(hours=1), timedelta(hours=8)):
        print(f"Reply within {window} of business time:")
        for made in requests:
            due = desk.add(made, window)
            print(
                f"  asked {made:%a %d %b %H:%M %Z} -> due {due:%a %d %b %H:%M %Z}"
                f" ({due.astimezone(customer):%a %H:%M} in New York)"
            )
        print()
    start, end = requests[0], requests[0] + timedelta(days=7)
    print(f"Open time in the week after {start:%a %d %b %H:%M}: {desk.between(start, end)}")


if __name__ == "__main__":
    main()
