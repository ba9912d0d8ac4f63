"""The contact page in a real browser: headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright")

from playwright.sync_api import sync_playwright

from serving import POLICY_YAML, Server, server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.integration,  # starts processes: see CONTRIBUTING.md
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless Chromium is not installed at /usr/bin/chromium "
        "(apt-get install -y chromium)",
    ),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser")
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY_YAML)
    with server(tmp, policy, str(tmp / "sla.db"), "--no-auth") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.parametrize(
    ("locale", "tz", "hours", "window"),
    [
        ("en", "Europe/Berlin", "09:00–17:00", "1–3 business days"),
        # why: another language and zone; the hours move to the visitor's clock
        ("de", "America/New_York", "03:00–11:00", "1–3 Werktagen"),
    ],
)
def test_the_contact_page_in_chromium(
    live: Server, browser: Any, tmp_path: Path, locale: str, tz: str, hours: str, window: str
) -> None:
    problems: list[str] = []
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    page = browser.new_page(viewport={"width": 1024, "height": 900})

    def on_console(message: Any) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    try:
        reply = page.goto(
            f"{live.url}/contact?locale={locale}&tz={tz}&at=2026-11-23T09:00:00Z",
            wait_until="load",
        )
        assert reply is not None
        assert reply.status == 200
        assert page.locator("h1").count() == 1
        assert page.locator("h1").is_visible()
        assert page.locator("table").is_visible()
        assert page.get_by_text(hours).first.is_visible()
        assert page.get_by_text(window).first.is_visible()
        assert page.evaluate("document.documentElement.lang") == locale
        shot = artifacts / f"contact-{locale}.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    assert problems == []
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
