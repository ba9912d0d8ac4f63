"""Jinja2 templates: the contact page restyled by a user, escaping everywhere, shipping."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

import expectkit._core.html as core_html
from expectkit import Clock, Policy, PolicyError, Schedule, quote
from expectkit._core.html import frame_html
from expectkit._core.templates import block_names, render, view_html
from expectkit.text import contact_page
from expectkit.time.schedule_html import week_grid
from test_policy import DESIGN_POLICY
from test_text import PageStructure, parse

WEEK = datetime(2026, 11, 23, 12, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>&\'"'


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.loads(DESIGN_POLICY, source="design policy")


def test_the_templates_ship_with_the_package() -> None:
    # why: CI runs this against the installed wheel; a template left out fails here.
    templates = files("expectkit") / "templates"
    names = {"contact_page.html", "views/duration.html", "views/_macros.html"}
    names |= {"views/clock.html", "views/metric_status.html", "views/metric_quote.html"}
    names |= {"views/commitment.html", "views/schedule.html", "views/policy.html"}
    names |= {"views/frame.html"}
    for name in sorted(names):
        assert (templates / name).is_file(), name


class TestBlocks:
    def test_the_package_page_has_the_documented_blocks(self) -> None:
        assert block_names("contact_page.html") == (
            "styles",
            "head",
            "header",
            "hours_table",
            "closures",
            "self_service",
            "footer",
        )

    def test_styles_with_super_keep_the_default_css(self, policy: Policy) -> None:
        plain = contact_page(policy, at=WEEK)
        page = contact_page(policy, at=WEEK, blocks={"styles": "{{ super() }}h1{color:red}"})
        assert page == plain.replace("</style>", "h1{color:red}</style>")

    def test_a_header_block_reads_the_page_values(self, policy: Policy) -> None:
        page = contact_page(
            policy,
            at=WEEK,
            title="Help",
            blocks={"header": '<header class="brand"><h1>{{ title }}</h1></header>'},
        )
        assert '<main>\n<header class="brand"><h1>Help</h1></header>\n<table>' in page
        assert parse(page).problems == []

    def test_the_hours_table_block_can_be_replaced(self, policy: Policy) -> None:
        body = "<dl>{% for row in rows %}<dt>{{ row.label }}</dt><dd>{{ row.hours }}</dd>"
        body += "{% endfor %}</dl>"
        page = contact_page(policy, at=WEEK, blocks={"hours_table": body})
        assert "<table>" not in page
        assert "<dt>Email</dt><dd>Mon–Fri 09:00–17:00 CET</dd>" in page

    def test_an_unknown_block_names_the_known_ones(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match=r"'hours' is not a block of 'contact_page\.html'"):
            contact_page(policy, at=WEEK, blocks={"hours": "x"})

    def test_a_block_with_a_syntax_error(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match=r"template 'contact_page\.html'.*line 1"):
            contact_page(policy, at=WEEK, blocks={"header": "{% if %}"})

    def test_an_undefined_value_is_an_error_not_an_empty_string(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="'logo' is undefined"):
            contact_page(policy, at=WEEK, blocks={"header": "{{ logo }}"})

    def test_markdown_has_no_template(self, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="only the html page is a template"):
            contact_page(policy, at=WEEK, format="markdown", blocks={"styles": ""})


class TestTemplateDirectory:
    def test_a_page_extending_the_package_page(self, tmp_path: Path, policy: Policy) -> None:
        (tmp_path / "contact_page.html").write_text(
            '{% extends "expectkit/contact_page.html" %}\n'
            '{% block head %}<link rel="icon" href="/favicon.ico">\n{% endblock %}\n'
            "{% block footer %}<footer>{{ week_note }}</footer>{% endblock %}\n",
            encoding="utf-8",
        )
        page = contact_page(policy, at=WEEK, templates=tmp_path)
        assert '<link rel="icon" href="/favicon.ico">\n</head>' in page
        assert "<footer>Hours as of the week of 23 November" in page
        assert '<p class="note">' not in page
        assert parse(page).problems == []

    def test_blocks_over_a_page_that_extends(self, tmp_path: Path, policy: Policy) -> None:
        (tmp_path / "contact_page.html").write_text(
            '{% extends "expectkit/contact_page.html" %}'
            "{% block footer %}<footer>{{ week_note }}</footer>{% endblock %}",
            encoding="utf-8",
        )
        page = contact_page(policy, at=WEEK, templates=tmp_path, blocks={"styles": "h1{color:red}"})
        assert "<style>h1{color:red}</style>" in page
        assert "<footer>" in page

    def test_a_page_of_its_own(self, tmp_path: Path, policy: Policy) -> None:
        (tmp_path / "contact_page.html").write_text(
            "<h1>{{ title }}</h1>{% for row in rows %}<p>{{ row.label }}: {{ row.expect[0] }}"
            "</p>{% endfor %}",
            encoding="utf-8",
        )
        page = contact_page(policy, at=WEEK, templates=str(tmp_path))
        assert page.startswith("<h1>Contact us and response times</h1><p>Email: First reply")

    def test_an_error_names_the_file_and_line(self, tmp_path: Path, policy: Policy) -> None:
        (tmp_path / "contact_page.html").write_text("ok\n{% for %}\n", encoding="utf-8")
        with pytest.raises(PolicyError, match=r"contact_page.html', line 2"):
            contact_page(policy, at=WEEK, templates=tmp_path)

    def test_not_a_directory(self, tmp_path: Path, policy: Policy) -> None:
        with pytest.raises(PolicyError, match="is not a directory"):
            contact_page(policy, at=WEEK, templates=tmp_path / "missing")


class TestEscaping:
    def test_hostile_policy_text_in_the_contact_page(self, policy: Policy) -> None:
        hostile = Policy(
            schedules={"b": {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}}},
            channels={HOSTILE: {"kind": "custom", "schedule": "b"}},
            rules=[{"name": HOSTILE, "first_response": {"promise": "1 business day"}}],
        )
        page = contact_page(
            hostile,
            at=WEEK,
            title=HOSTILE,
            contacts={HOSTILE: 'https://e.com/"onmouseover="x'},
            faq_url='https://e.com/?a=1&b="><script>',
            blocks={"header": "<h1>{{ title }}</h1>"},
        )
        p = parse(page)
        assert p.problems == []
        assert not list(p.find("script"))
        assert not any("onmouseover" in attrs for _, attrs in p.tags)
        assert HOSTILE in p.text["th"]
        assert HOSTILE in p.text["h1"]
        hrefs = [a["href"] for a in p.find("a")]
        assert hrefs == ['https://e.com/"onmouseover="x', 'https://e.com/?a=1&b="><script>']

    def test_render_escapes_values_but_not_the_template(self) -> None:
        assert render("views/duration.html", {"text": HOSTILE}) == (
            "<span>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;&#34;</span>"
        )


class TestNotebookViews:
    """Clock, MetricStatus and MetricQuote render from views/*.html, escaped."""

    @pytest.fixture
    def hostile(self) -> Policy:
        return Policy(
            name=HOSTILE,
            schedules={"b": {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}}},
            channels={"email": {"kind": "email", "schedule": "b"}},
            rules=[
                {
                    "name": HOSTILE,
                    "first_response": {
                        "promise": "1 business hour",
                        "escalations": [{"name": HOSTILE, "at": "50% promise"}],
                    },
                }
            ],
        )

    def events(self, tickets: int) -> list[dict[str, str]]:
        return [
            {
                "ticket": f"{HOSTILE}{n}",
                "type": "created",
                "channel": "email",
                "at": "2026-11-23T09:00:00+01:00",
            }
            for n in range(tickets)
        ]

    def test_clock(self, hostile: Policy) -> None:
        clock = Clock(hostile)
        clock.replay(self.events(1))
        html = clock._repr_html_()
        assert html is not None
        p = parse(html)
        assert p.problems == []
        assert p.stack == []
        assert not list(p.find("script"))
        assert HOSTILE in p.text["b"]
        assert f"{HOSTILE}0" in p.text["code"]
        assert "on_track" in p.text["span"]
        assert "1 ticket," in html

    def test_clock_cuts_long_lists(self, hostile: Policy) -> None:
        clock = Clock(hostile)
        clock.replay(self.events(23))
        html = clock._repr_html_()
        assert html is not None
        assert html.count("<code>") == 20 + 20  # why: ticket id and metric per shown row
        assert "… 3 more tickets" in html

    def test_metric_status(self, hostile: Policy) -> None:
        clock = Clock(hostile)
        clock.replay(self.events(1))
        at = datetime(2026, 11, 23, 9, 50, 0, 123456, tzinfo=UTC)  # 10:50:00.123456 in Berlin
        status = clock.status(f"{HOSTILE}0", at)["first_response"]
        html = status._repr_html_()
        assert html is not None
        p = parse(html)
        assert p.problems == []
        assert not list(p.find("script"))
        assert "breached" in p.text["span"]
        cells = p.text["td"]
        # why: spans in hours and minutes, no microsecond noise; an overdue span is negative
        assert "1 h 50 min" in cells
        assert "−50 min" in cells
        assert HOSTILE in cells  # the escalation's name
        assert "Mon 2026-11-23 10:00 CET" in cells

    def test_metric_quote(self, hostile: Policy) -> None:
        c = quote(hostile, {"channel": "email"}, at=datetime(2026, 11, 23, 8, 30, 30, tzinfo=UTC))
        html = c["first_response"]._repr_html_()
        assert html is not None
        p = parse(html)
        assert p.problems == []
        assert not list(p.find("script"))
        assert HOSTILE in p.text["b"]
        assert "Mon 2026-11-23 09:30:30 CET" in p.text["td"]  # why: seconds kept, they matter
        assert "<script>alert" in p.text["pre"][0]  # why: shown as text, parsed as no tag

    def test_commitment(self, hostile: Policy) -> None:
        c = quote(hostile, {"channel": "email"}, at=datetime(2026, 11, 23, 8, 30, 30, tzinfo=UTC))
        html = c._repr_html_()
        assert html is not None
        p = parse(html)
        assert p.problems == []
        assert not list(p.find("script"))
        assert HOSTILE in p.text["b"]
        assert "Mon 2026-11-23 10:30:30 CET" in p.text["b"]  # the told time, in bold
        assert "first_response" in p.text["code"]


def clean(html: str | None) -> PageStructure:
    """Parse a view and hold it well nested and free of markup from its values."""
    assert html is not None
    p = parse(html)
    assert p.problems == []
    assert p.stack == []
    assert not list(p.find("script"))
    assert "<script>" not in html
    return p


class TestMovedViews:
    """Schedule, Policy and the analysis tables render from views/*.html, escaped."""

    @pytest.fixture
    def hostile(self) -> Policy:
        return Policy(
            name=HOSTILE,
            description=HOSTILE,
            schedules={HOSTILE: {"tz": "Europe/Berlin", "weekly": {"mon-fri": ["09:00-17:00"]}}},
            channels={HOSTILE: {"kind": "email", "schedule": HOSTILE}},
            rules=[
                {
                    "name": HOSTILE,
                    "description": HOSTILE,
                    "match": {
                        "channel": HOSTILE,
                        "tags": [HOSTILE],
                        "attributes": {"k": [HOSTILE]},
                    },
                    "first_response": {"promise": "1 business hour", "schedule": HOSTILE},
                },
                {"name": "all", "first_response": {"promise": "2 hours"}},
            ],
        )

    def test_the_views_have_blocks_to_override(self) -> None:
        assert block_names("views/schedule.html") == ("header", "hours", "closed")
        assert block_names("views/policy.html")[:2] == ("header", "rules")
        assert block_names("views/frame.html") == ("table", "more")
        assert not hasattr(core_html, "_table")  # why: one renderer, the templates

    def test_schedule(self) -> None:
        s = Schedule(
            tz="Europe/Berlin",
            weekly={"mon-thu": ["09:00-17:00"], "fri": ["22:00-06:00"]},
            special={"2026-12-24": []},
            closed=["2026-12-31"],
        )
        html = s._repr_html_()
        p = clean(html)
        assert html is not None
        assert p.text["code"] == ["Europe/Berlin"]
        assert p.text["td"] == [
            "mon-thu",
            "09:00-17:00",
            "fri",
            "22:00-06:00",
            "2026-12-24",
            "closed",
        ]
        assert html.count("<tr>") == 2 + 1 + 1 + 1  # weekly rows and header, special and header
        assert html.count("<rect") == 7 + 4 + 2  # a row per day, 4 days, the night wraps
        assert "fri 22:00–06:00" in p.text["title"]
        assert "Closed: 2026-12-31" in p.text["div"]

    def test_schedule_template_escapes_every_value(self) -> None:
        html = view_html(
            "schedule",
            tz=HOSTILE,
            weekly=[[HOSTILE, HOSTILE]],
            week=week_grid([[(540, 600)]] * 7, labels=[HOSTILE] * 7),
            holidays=HOSTILE,
            closed=HOSTILE,
            special=[[HOSTILE, HOSTILE]],
        )
        p = clean(html)
        assert p.text["code"] == [HOSTILE]
        assert p.text["td"] == [HOSTILE] * 4
        assert p.text["text"][-7:] == [HOSTILE] * 7
        assert p.text["title"] == [f"{HOSTILE} 09:00–10:00"] * 7

    def test_policy(self, hostile: Policy) -> None:
        html = hostile._repr_html_()
        p = clean(html)
        assert html is not None
        assert p.text["b"][:2] == [HOSTILE, "1 business hour"]
        assert html.count("<tr>") == (2 + 1) + (1 + 1) + (1 + 1)  # rules, channels, schedules
        cells = p.text["td"]
        assert cells.count(HOSTILE) >= 3  # the rule, the channel and the schedule names
        assert f"channel = {HOSTILE}" in cells
        assert f"tags ⊇ {HOSTILE}" in cells
        assert f"k = {HOSTILE}" in cells
        assert p.text["code"].count(HOSTILE) == 1  # the metric's schedule, as code
        assert "every request" in p.text["i"]
        assert p.text["span"] == [HOSTILE]  # the rule's description
        assert html.count("<svg") == 1

    def test_frame(self) -> None:
        frame = pd.DataFrame(
            {
                HOSTILE: [HOSTILE, "b"],
                "met": [0.5, float("nan")],
                "change met": [0.05, -0.02],
                "p50": [pd.Timedelta(hours=27, minutes=5, microseconds=9), pd.NaT],
            },
            index=pd.Index([HOSTILE, "email"], name=HOSTILE),
        )
        html = frame_html(
            frame, shares=["met", "change met"], spans=["p50"], caption=HOSTILE, signed=("change",)
        )
        p = clean(html)
        assert html is not None
        assert p.text["caption"] == [HOSTILE]
        assert p.text["th"] == [HOSTILE, HOSTILE, "met", "change met", "p50"]
        assert html.count("<tr>") == 1 + 2
        assert html.count("<td") == 2 * 5
        assert p.text["td"] == [HOSTILE, HOSTILE, "50.0%", "27 h 05 min", "email", "b", "–", "–"]
        assert p.text["span"] == ["+5.0 pp", "-2.0 pp"]  # changes in points, signed
        assert "width:50%" in html
