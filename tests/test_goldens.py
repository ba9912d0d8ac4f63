"""The golden comparison: exact with the recorded data releases, structural otherwise."""

from __future__ import annotations

import json

import pytest

import goldens


def test_skeleton_keeps_numbers_markup_and_lines_but_not_words() -> None:
    a = "<td>sentraleuropeisk tid</td>\n  by 17:00 (2–3 days)"
    b = "<td>tidssone for Sentral-Europa</td>\n by 17:00 (2–3 dager)"
    assert goldens.skeleton(a) == goldens.skeleton(b) == "<td>…</td>\n … 17:00 (2–3 …)"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("by 17:00", "by 18:00"),  # a time
        ("<td>x</td>", "<th>x</th>"),  # markup
        ("one\ntwo", "one two"),  # a line break
        ("3 days", "4 days"),  # a count
    ],
)
def test_skeleton_still_tells_structure_apart(a: str, b: str) -> None:
    assert goldens.skeleton(a) != goldens.skeleton(b)


def test_recorded_versions_are_the_locked_ones() -> None:
    lock = (goldens.GOLDEN.parent.parent / "requirements" / "dev.lock").read_text()
    recorded = json.loads(goldens.VERSIONS.read_text(encoding="utf-8"))
    for name, version in recorded.items():
        assert f"\n{name}=={version}" in lock, f"{name} {version} is not the locked version"
