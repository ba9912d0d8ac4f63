"""The English source of every customer-facing message, as ``pybabel extract`` reads it.

Each message is declared with :func:`pgettext` (or :func:`npgettext` for a counted
unit), whose context is the phrase key, ``section.key`` as the phrasebook's nested
mapping names it (``sentences.exact`` is ``data["sentences"]["exact"]``). Every message
has a context, so two places that read the same in English ("reply" for the first and
for the next response, "{n} hours" after "within" and after "in") are two entries a
translator can word apart. The catalog template ``locales/expectkit.pot`` is extracted
from this file (CONTRIBUTING.md, "Translations"); a test keeps the two in step.

Placeholders in braces are filled by expectkit; a translation uses exactly the
placeholders of its source. ``# Translators:`` comments reach the catalogs.

>>> MESSAGES[0]
Message(key='formats.date', text='d MMMM', plural=None)
>>> len({m.key for m in MESSAGES}) == len(MESSAGES)
True
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MESSAGES", "Message"]


class Message(NamedTuple):
    """One catalog message: its phrase key (the ``msgctxt``) and English source."""

    key: str
    text: str
    plural: str | None = None


def pgettext(context: str, message: str) -> Message:
    """Declare a message; named as gettext names the call, so extraction finds it."""
    return Message(context, message)


def npgettext(context: str, singular: str, plural: str) -> Message:
    """Declare a counted message; its forms follow the catalog's ``Plural-Forms``."""
    return Message(context, singular, plural)


MESSAGES: tuple[Message, ...] = (
    # -- formats
    # Translators: a CLDR date pattern (day and month), read by Babel:
    # https://unicode.org/reports/tr35/tr35-dates.html#Date_Field_Symbol_Table
    pgettext("formats.date", "d MMMM"),
    # Translators: a CLDR date pattern, used when the year is not the current one.
    pgettext("formats.date_year", "d MMMM y"),
    # Translators: a CLDR date pattern for the weekday (EEEE: "Wednesday", E: "Wed").
    pgettext("formats.weekday", "EEEE"),
    # Translators: a CLDR time pattern for times in sentences: HH:mm for a 24-hour
    # clock, h:mm a for a 12-hour one; text in quotes is literal ('Uhr').
    pgettext("formats.time", "HH:mm"),
    # Translators: a CLDR time pattern for opening hours; a day's end shows as 24.
    pgettext("formats.clock", "HH:mm"),
    # Translators: how a zone is named; exactly one of: short (an abbreviation such as
    # CET, else an offset), long (the CLDR name) or offset (GMT+01:00).
    pgettext("formats.zone", "short"),
    # Translators: a day with its weekday, in lists of closures.
    pgettext("formats.day", "{weekday} {date}"),
    # Translators: a deadline with its time, after sentences.exact's "by".
    pgettext("formats.when", "{weekday} {date}, {time} {zone}"),
    # Translators: a deadline without a time ("by the end of that day").
    pgettext("formats.when_day", "{weekday} {date} ({zone})"),
    pgettext("formats.number_range", "{low}–{high}"),
    # Translators: a run of weekdays ("Mon–Fri").
    pgettext("formats.day_range", "{first}–{last}"),
    pgettext("formats.time_range", "{start}–{end}"),
    # Translators: the separator between intervals and between day groups.
    pgettext("formats.list", ", "),
    # Translators: the separator between single days ("Mon, Wed").
    pgettext("formats.day_list", ", "),
    # -- sentences
    # Translators: {action} is one of actions.*; {when} is formats.when.
    pgettext("sentences.exact", "We'll {action} by {when}."),
    # Translators: {window} is a units.* form ("1–3 business days"); {when} is
    # formats.when_day or formats.when.
    pgettext("sentences.range", "We'll {action} within {window} — by {when} at the latest."),
    # Translators: {span} is CLDR's future time, preposition and all ("in 6 days", "через 6 дней").
    pgettext("sentences.relative", "We'll {action} {span} at the latest."),
    pgettext("sentences.relative_now", "We'll {action} shortly."),
    # -- actions
    # Translators: what we will do, filled into sentences.*.
    pgettext("actions.first_response", "reply"),
    pgettext("actions.next_response", "reply"),
    pgettext("actions.resolution", "resolve your request"),
    pgettext("actions.periodic_update", "send you an update"),
    pgettext("actions.follow_up", "follow up"),
    # -- units
    # Translators: counted units as they read after "within" (sentences.range,
    # channels.*, page.*): use the case the preposition there governs. A range takes
    # the plural form of its upper end.
    npgettext("units.second", "{n} second", "{n} seconds"),
    npgettext("units.minute", "{n} minute", "{n} minutes"),
    npgettext("units.hour", "{n} hour", "{n} hours"),
    npgettext("units.day", "{n} day", "{n} days"),
    npgettext("units.week", "{n} week", "{n} weeks"),
    npgettext("units.month", "{n} month", "{n} months"),
    # Translators: business seconds and minutes only run while the desk is open.
    npgettext(
        "units.business_second",
        "{n} second during business hours",
        "{n} seconds during business hours",
    ),
    npgettext(
        "units.business_minute",
        "{n} minute during business hours",
        "{n} minutes during business hours",
    ),
    npgettext("units.business_hour", "{n} business hour", "{n} business hours"),
    npgettext("units.business_day", "{n} business day", "{n} business days"),
    # -- units_relative
    # Translators: counted units as they read after "in" (window_text(relative=True));
    # the same words as units.* unless the language declines them differently there.
    npgettext("units_relative.second", "{n} second", "{n} seconds"),
    npgettext("units_relative.minute", "{n} minute", "{n} minutes"),
    npgettext("units_relative.hour", "{n} hour", "{n} hours"),
    npgettext("units_relative.day", "{n} day", "{n} days"),
    # -- hours
    # Translators: a week's opening hours: {spans} is a list of hours.span.
    pgettext("hours.text", "{spans} {zone}"),
    pgettext("hours.span", "{days} {times}"),
    # Translators: a week open throughout.
    pgettext("hours.always", "around the clock"),
    # Translators: one whole day open, in place of 00:00–24:00.
    pgettext("hours.whole_day", "24 hours"),
    pgettext("hours.none", "no regular hours"),
    # -- channels
    # Translators: one line per channel: {channel} its name, {hours} hours.text,
    # {answer} its live answer window, {window} the reply window (units.*).
    pgettext("channels.live", "{channel}: {hours}."),
    pgettext("channels.live_answer", "{channel}: {hours}, answered within {answer}."),
    pgettext(
        "channels.live_offline",
        "{channel}: {hours}; outside these hours leave a message and we reply within {window}.",
    ),
    pgettext(
        "channels.live_answer_offline",
        "{channel}: {hours}, answered within {answer}; outside these hours leave a message "
        "and we reply within {window}.",
    ),
    pgettext("channels.async", "{channel}: we reply within {window}; our hours are {hours}."),
    pgettext("channels.plain", "{channel}: {hours}."),
    # -- kinds
    # Translators: the name of a channel of this kind, as a table row heading.
    pgettext("kinds.email", "Email"),
    pgettext("kinds.chat", "Live chat"),
    pgettext("kinds.phone", "Phone"),
    pgettext("kinds.social", "Social media"),
    pgettext("kinds.messenger", "Messengers"),
    pgettext("kinds.web_form", "Web form"),
    pgettext("kinds.in_person", "In person"),
    pgettext("kinds.custom", "Other"),
    # -- page
    # Translators: the contact page's title.
    pgettext("page.title", "Contact us and response times"),
    # Translators: {zone_name} is the CLDR name of the zone ("Central European Time").
    pgettext("page.intro", "All times are shown in {zone_name} ({zone_id})."),
    pgettext("page.caption", "How to reach us, when we are there and how soon we answer"),
    pgettext("page.col_channel", "Channel"),
    pgettext("page.col_contact", "Contact"),
    pgettext("page.col_hours", "Hours"),
    pgettext("page.col_expect", "What to expect"),
    pgettext("page.any_channel", "Any channel"),
    pgettext("page.first_response", "First reply within {window}"),
    pgettext("page.next_response", "Further replies within {window}"),
    pgettext("page.resolution", "Solved within {window}"),
    # Translators: {window} is a units.* form, in the case units.* are written in.
    pgettext("page.periodic_update", "Updates at least every {window}"),
    pgettext("page.offline", "Outside these hours leave a message: we reply within {window}"),
    pgettext("page.no_promise", "No set response time"),
    # Translators: {country} is the country's name (and region), from CLDR.
    pgettext("page.holidays", "Closed on public holidays in {country}"),
    pgettext("page.closures_heading", "Upcoming closures"),
    # Translators: {day} is formats.day; {channels} the channels closed that day.
    pgettext("page.closure", "{day}: {channels}"),
    pgettext("page.faq_heading", "Find an answer yourself"),
    # Translators: {link} is page.faq_link, shown as a link.
    pgettext("page.faq_text", "Many questions are answered in our {link}, open around the clock."),
    pgettext("page.faq_link", "help centre"),
    # Translators: {date} is formats.date of the week's first day.
    pgettext(
        "page.week_note",
        "Hours as of the week of {date}; they can move by an hour when clocks change.",
    ),
)
"""Every message, in the order of the catalog template."""
