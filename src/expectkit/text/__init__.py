"""Customer-facing text: promise sentences, opening hours and a contact page.

Every sentence comes from a :class:`Phrasebook`: per-locale gettext catalogs
(``expectkit/locales/<tag>/LC_MESSAGES/expectkit.po``) holding the templates, while
dates, times, zone names, day names and plural categories come from Babel's CLDR data.
Bundled catalogs: English (``en``, with ``en_US`` dates), Russian (``ru``), Bulgarian
(``bg``), Chinese Simplified (``zh_Hans``, also reached as ``zh`` and ``zh_CN``),
Norwegian Bokmål (``nb``, also ``no``), German (``de``), French (``fr``), Spanish
(``es``), Portuguese (``pt_BR``), Italian (``it``), Dutch (``nl``), Polish (``pl``) and
Japanese (``ja``). Any other CLDR locale gets its dates and names from Babel and its
sentences from the nearest catalog (:attr:`Phrasebook.fallback`). Any template can be
overridden, and a new locale added, with a mapping or a directory of TOML files.

The rules every text follows:

* a time is shown in the customer's zone, and the zone is named;
* a shown time is never earlier than the promise: hidden seconds, minutes or hours
  are rounded *up*, and a date shown without a time means "by the end of that day";
* a counted noun takes the plural form that Babel's CLDR rules give for its number
  (a range takes the form of its upper end, as CLDR's plural ranges do for the
  bundled languages).

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from expectkit import Policy, quote
>>> policy = Policy.loads('''
... schedules: {berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}}
... channels: {email: {kind: email, schedule: berlin}}
... rules: [{name: email, first_response: {promise: "1-3 business days"}}]
... ''')
>>> asked = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # a Friday
>>> c = quote(policy, {"channel": "email", "customer_tz": "Europe/Moscow"}, at=asked)
>>> print(promise_text(c, locale="ru", form="range"))
Мы ответим в течение 1–3 рабочих дней — не позднее 25 ноября (среда; Москва, стандартное время).
>>> print(promise_text(c, locale="en"))
We'll reply by Wednesday 25 November, 19:00 MSK.

The text layer: :mod:`~expectkit.text.phrasebooks` (over the gettext catalogs of
:mod:`~expectkit.text.catalogs`, messages in :mod:`~expectkit.text.messages`),
:mod:`~expectkit.text.promise_text`, :mod:`~expectkit.text.hours_text` and
:mod:`~expectkit.text.contact_page`; this package only re-exports them. May import
``expectkit.sla`` and below, never ``expectkit.frames``.
"""

from __future__ import annotations

from expectkit.text.contact_page import PageFormat, contact_page
from expectkit.text.hours_text import channel_text, hours_text
from expectkit.text.phrasebooks import LOCALES, Phrasebook
from expectkit.text.promise_text import Form, Precision, promise_text, window_text

__all__ = [
    "LOCALES",
    "Form",
    "PageFormat",
    "Phrasebook",
    "Precision",
    "channel_text",
    "contact_page",
    "hours_text",
    "promise_text",
    "window_text",
]
