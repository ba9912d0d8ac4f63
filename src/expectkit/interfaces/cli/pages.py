"""``expectkit contact-page``: the contact & response-times page, HTML or Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from expectkit.interfaces.cli._app import _fail, app
from expectkit.interfaces.cli._shared import (
    AtOpt,
    FormatOpt,
    LocaleOpt,
    OutputOpt,
    PolicyArg,
    _book,
    _instant,
    _load_policy,
    _pairs,
    _write,
)
from expectkit.text.contact_page import contact_page

__all__ = ["contact_page_command"]


@app.command("contact-page")
def contact_page_command(
    policy: PolicyArg,
    locale: LocaleOpt = "en",
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="The visitor's IANA zone; default the first channel's schedule's."
        ),
    ] = None,
    at: AtOpt = None,
    page_format: Annotated[str, typer.Option("--format", "-f", help="html or markdown.")] = "html",
    faq: Annotated[str | None, typer.Option("--faq", help="URL of the FAQ or help centre.")] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option("--contact", help="CHANNEL=ADDRESS (email, phone or URL); repeat."),
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="CHANNEL=NAME shown; repeat.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The page title.")] = None,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="A directory whose contact_page.html styles the page."),
    ] = None,
    output: OutputOpt = None,
    policy_format: FormatOpt = None,
) -> None:
    """Write the contact & response-times page: channels, hours, what to expect."""
    if page_format not in ("html", "markdown", "md"):
        _fail(f"--format: {page_format!r} is not one of html, markdown")
    loaded = _load_policy(policy, policy_format)
    contacts = _pairs(contact, "--contact")
    labels = _pairs(label, "--label")
    for option, names in (("--contact", contacts), ("--label", labels)):
        for name in names:
            if loaded.channels and name not in loaded.channels:
                _fail(
                    f"{option}: unknown channel {name!r} (declared: {', '.join(loaded.channels)})"
                )
    page = contact_page(
        loaded,
        locale=_book(locale),
        tz=tz,
        at=_instant(at),
        format="html" if page_format == "html" else "markdown",
        faq_url=faq,
        contacts=contacts,
        labels=labels,
        title=title,
        templates=templates,
    )
    _write(page, output)
