"""The contact page: channels, hours and promises as safe HTML or Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo

from expectkit._core.errors import InputTypeError, PolicyError
from expectkit._core.templates import render
from expectkit.promises.metrics import Metric
from expectkit.promises.policy import Policy
from expectkit.text._babel import (
    _babel_zone_name,
    format_date,
)
from expectkit.text.hours_text import (
    _channels,
    _label,
    _promised_window,
    _subdivision_name,
    _week_start,
    _weekly_only,
    hours_text,
)
from expectkit.text.phrasebooks import Phrasebook, _book
from expectkit.text.promise_text import (
    _format_date,
    _instant,
    _zone,
    window_text,
)

__all__ = ["PageFormat", "contact_page"]


_CSS: Final = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;padding:1rem;"
    "color:#1a1a1a;background:#fff}"
    "main{max-width:60rem;margin:0 auto}"
    "table{border-collapse:collapse;width:100%}"
    "caption{text-align:left;font-weight:600;padding:.5rem 0}"
    "th,td{border:1px solid #767676;padding:.5rem;text-align:left;vertical-align:top}"
    "thead th{background:#f0f0f0}"
    "td ul{margin:0;padding-left:1.2rem}"
    "a{color:#0645ad}"
    ".note{font-size:.9rem;color:#4a4a4a}"
)


# Characters Markdown could read as markup; "_" only where it can open or close emphasis.
_MD_SPECIAL: Final = re.compile(r"([\\`*\[\]<>|]|(?<!\w)_|_(?!\w)|^#)")

PageFormat = Literal["html", "markdown"]
"""The formats :func:`contact_page` writes."""


_PAGE_FORMATS: Final = get_args(PageFormat)


_PAGE_METRICS: Final[tuple[Metric, ...]] = (
    "first_response",
    "next_response",
    "resolution",
    "periodic_update",
)


_SAFE_SCHEMES: Final = ("http://", "https://", "mailto:", "tel:")


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    contact: str | None
    hours: str
    notes: tuple[str, ...]
    expect: tuple[str, ...]


def _rows(
    policy: Policy,
    book: Phrasebook,
    zone: ZoneInfo,
    at: datetime,
    contacts: Mapping[str, str],
    labels: Mapping[str, str],
) -> list[_Row]:
    rows: list[_Row] = []
    for channel in _channels(policy):
        schedule = policy.schedule(channel.schedule)
        expect = [
            book.fill("page", metric, window=window_text(window, locale=book))
            for metric in _PAGE_METRICS
            if (window := _promised_window(policy, channel.name, metric, at)) is not None
        ]
        if channel.is_live and channel.offline is not None:
            offline = _promised_window(policy, channel.offline, "first_response", at)
            if offline is not None:
                expect.append(
                    book.fill("page", "offline", window=window_text(offline, locale=book))
                )
        notes: list[str] = []
        if schedule.holidays is not None:
            country = book.locale.territories.get(
                schedule.holidays.country, schedule.holidays.country
            )
            if schedule.holidays.subdiv:
                region = _subdivision_name(schedule.holidays.country, schedule.holidays.subdiv)
                country = book.template("formats", "list").join((country, region))
            notes.append(book.fill("page", "holidays", country=country))
        rows.append(
            _Row(
                label=_label(channel, policy, book, labels),
                contact=contacts.get(channel.name),
                hours=hours_text(schedule, locale=book, tz=zone, at=at),
                notes=tuple(notes),
                expect=tuple(expect) or (book.template("page", "no_promise"),),
            )
        )
    return rows


def _closures(
    policy: Policy, book: Phrasebook, zone: ZoneInfo, at: datetime, labels: Mapping[str, str]
) -> list[str]:
    """Dates in the coming 4 weeks a channel's regular week would open but it stays closed."""
    closed: dict[date, list[str]] = {}
    for channel in _channels(policy):
        schedule = policy.schedule(channel.schedule)
        base = _weekly_only(schedule)
        if base is None:
            continue
        first = at.astimezone(schedule.zone).date()
        for offset in range(28):
            day = first + timedelta(days=offset)
            if base.day_intervals(day) and not schedule.day_intervals(day):
                closed.setdefault(day, []).append(_label(channel, policy, book, labels))
    reference = at.astimezone(zone).date()
    lines = []
    for day in sorted(closed):
        weekday = str(format_date(day, book.template("formats", "weekday"), locale=book.locale))
        shown = book.fill(
            "formats", "day", weekday=weekday, date=_format_date(day, book, reference)
        )
        channels = book.template("formats", "list").join(closed[day])
        lines.append(book.fill("page", "closure", day=shown, channels=channels))
    return lines


def _href(contact: str) -> str | None:
    text = contact.strip()
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return f"mailto:{text}"
    if re.fullmatch(r"\+?[0-9][0-9 ()./-]{4,}", text):
        return "tel:" + re.sub(r"[^0-9+]", "", text)
    if text.startswith(("http://", "https://")):
        return text
    return None


def _check_url(url: str) -> str:
    if not isinstance(url, str):
        raise InputTypeError.for_value(url, "faq_url", "a URL")
    if ":" in url.split("/", 1)[0] and not url.startswith(_SAFE_SCHEMES):
        msg = f"faq_url: {url!r} uses a scheme other than {', '.join(_SAFE_SCHEMES)}"
        raise PolicyError(msg)
    return url


def contact_page(
    policy: Policy,
    *,
    locale: str | Phrasebook = "en",
    tz: str | ZoneInfo | None = None,
    at: datetime | None = None,
    format: PageFormat = "html",
    faq_url: str | None = None,
    contacts: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    templates: str | Path | None = None,
    blocks: Mapping[str, str] | None = None,
) -> str:
    """Write the "contact us and response times" page for a policy.

    One table row per channel: how to reach it (`contacts`), its hours in the
    visitor's zone with its public holidays, and what to expect (first reply,
    further replies, resolution and update windows told to a plain request, and a
    live channel's "leave a message" fallback). Then the closures of the next four
    weeks, the self-service link and the week the hours were taken from.

    ``html`` is a standalone, accessible page: ``lang`` set, one ``h1``, a table with
    a caption and header scopes, no scripts or external assets; ``markdown`` is the
    same content for a docs site or help centre.

    The HTML page is the Jinja2 template ``contact_page.html``, autoescaped: every
    policy text, label, contact and link is shown as text. Restyle it without copying
    the package's file: `blocks` replaces single blocks (``styles``, ``head``,
    ``header``, ``hours_table``, ``closures``, ``self_service``, ``footer``), and
    `templates` names a directory whose ``contact_page.html`` is used instead (it may
    begin ``{% extends "expectkit/contact_page.html" %}`` and override blocks).

    Args:
        policy: The policy whose channels to show.
        locale: A locale tag or a :class:`Phrasebook`.
        tz: The visitor's zone; default the first channel's schedule's.
        at: When (rules in force, the week of hours, closures ahead); default now.
        format: ``html`` or ``markdown``.
        faq_url: Link to the FAQ or help centre (http, https or relative).
        contacts: Channel name to address, number or URL; emails and phone numbers
            become ``mailto:`` and ``tel:`` links.
        labels: Channel name to the name shown.
        title: The page title; default the phrasebook's.
        templates: A directory of templates searched before the package's (HTML only).
        blocks: Block name to Jinja2 source replacing that block (HTML only); it may
            call ``{{ super() }}`` to keep the block's own content.

    Returns:
        The page as text.

    Raises:
        PolicyError: An unknown locale, zone or format, an unsafe `faq_url`, an
            unknown block, or a template that does not compile or render.

    >>> from datetime import datetime, UTC
    >>> from html.parser import HTMLParser
    >>> policy = Policy.loads('''
    ... schedules: {oslo: {tz: Europe/Oslo, weekly: {mon-fri: ["08:00-16:00"]}}}
    ... channels: {email: {kind: email, schedule: oslo}}
    ... rules: [{name: email, first_response: {promise: "1-2 business days"}}]
    ... ''')
    >>> page = contact_page(policy, locale="nb", at=datetime(2026, 11, 23, tzinfo=UTC),
    ...                     contacts={"email": "hjelp@example.no"})
    >>> page.splitlines()[1]
    '<html lang="nb" dir="ltr">'
    >>> print(contact_page(policy, format="markdown", at=datetime(2026, 11, 23, tzinfo=UTC)
    ...                    ).splitlines()[8])
    | Email | Mon–Fri 08:00–16:00 CET | First reply within 1–2 business days |
    >>> page = contact_page(policy, at=datetime(2026, 11, 23, tzinfo=UTC),
    ...                     blocks={"styles": "{{ super() }}h1{color:#8a1538}"})
    >>> "h1{color:#8a1538}</style>" in page
    True

    """
    if format not in _PAGE_FORMATS:
        msg = f"format: {format!r} is not one of {', '.join(_PAGE_FORMATS)}"
        raise PolicyError(msg)
    if format != "html" and (templates is not None or blocks):
        msg = "templates, blocks: only the html page is a template; leave them out for markdown"
        raise PolicyError(msg)
    book = _book(locale)
    moment = _instant(at, "at") if at is not None else datetime.now(UTC)
    first = _channels(policy)[0]
    zone = _zone(tz) if tz is not None else policy.schedule(first.schedule).zone
    link = _check_url(faq_url) if faq_url is not None else None
    contacts = dict(contacts or {})
    labels = dict(labels or {})
    page = _Page(
        book=book,
        title=title if title is not None else book.template("page", "title"),
        intro=book.fill(
            "page",
            "intro",
            zone_name=str(
                _babel_zone_name(zone, width="long", zone_variant="generic", locale=book.locale)
            ),
            zone_id=zone.key,
        ),
        rows=_rows(policy, book, zone, moment, contacts, labels),
        closures=_closures(policy, book, zone, moment, labels),
        faq_url=link,
        week_note=book.fill(
            "page",
            "week_note",
            date=_format_date(
                _week_start(moment.astimezone(zone).date(), book.locale.first_week_day),
                book,
                None,
            ),
        ),
        with_contacts=bool(contacts),
    )
    if format == "markdown":
        return page.markdown()
    return render("contact_page.html", page.context(), directory=templates, blocks=blocks)


@dataclass(frozen=True, slots=True)
class _Page:
    book: Phrasebook
    title: str
    intro: str
    rows: list[_Row]
    closures: list[str]
    faq_url: str | None
    week_note: str
    with_contacts: bool

    def _columns(self) -> list[str]:
        keys = ["col_channel", "col_contact", "col_hours", "col_expect"]
        if not self.with_contacts:
            keys.remove("col_contact")
        return [self.book.template("page", key) for key in keys]

    def _faq(self, link: str) -> str:
        return self.book.fill("page", "faq_text", link=link)

    def markdown(self) -> str:
        book = self.book
        out = [
            f"# {_md(self.title)}",
            "",
            _md(self.intro),
            "",
            f"*{_md(book.template('page', 'caption'))}*",
            "",
        ]
        columns = self._columns()
        out.append("| " + " | ".join(_md(c) for c in columns) + " |")
        out.append("|" + "---|" * len(columns))
        for row in self.rows:
            cells = [_md(row.label)]
            if self.with_contacts:
                cells.append(_md_link(row.contact, _href(row.contact)) if row.contact else "")
            cells.append("<br>".join(_md(x) for x in (row.hours, *row.notes)))
            cells.append("<br>".join(_md(x) for x in row.expect))
            out.append("| " + " | ".join(cells) + " |")
        if self.closures:
            out += ["", f"## {_md(book.template('page', 'closures_heading'))}", ""]
            out += [f"- {_md(line)}" for line in self.closures]
        if self.faq_url is not None:
            link = _md_link(book.template("page", "faq_link"), self.faq_url)
            out += ["", f"## {_md(book.template('page', 'faq_heading'))}", ""]
            out.append(_md(self._faq("\x00")).replace("\x00", link))
        out += ["", f"*{_md(self.week_note)}*", ""]
        return "\n".join(out)

    def context(self) -> dict[str, Any]:
        """Return what the page template reads: plain text only, escaped by the template."""
        book = self.book
        faq: dict[str, Any] | None = None
        if self.faq_url is not None:
            faq = {
                "heading": book.template("page", "faq_heading"),
                "parts": self._faq("\x00").split("\x00"),
                "link": book.template("page", "faq_link"),
                "url": self.faq_url,
            }
        return {
            "lang": book.lang,
            "dir": book.locale.text_direction,
            "title": self.title,
            "css": _CSS,
            "intro": self.intro,
            "caption": book.template("page", "caption"),
            "columns": self._columns(),
            "with_contacts": self.with_contacts,
            "rows": [
                {
                    "label": row.label,
                    "contact": row.contact,
                    "href": _href(row.contact) if row.contact else None,
                    "hours": row.hours,
                    "notes": row.notes,
                    "expect": row.expect,
                }
                for row in self.rows
            ],
            "closures_heading": book.template("page", "closures_heading"),
            "closures": self.closures,
            "faq": faq,
            "week_note": self.week_note,
        }


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_link(text: str, href: str | None) -> str:
    if href is None:
        return _md(text)
    return f"[{_md(text)}](<{href.replace('>', '%3E').replace(' ', '%20')}>)"
