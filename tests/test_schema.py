"""The published JSON Schema accepts every policy file the library accepts, and no other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import expectkit
from expectkit import Policy, PolicyError
from expectkit.presets import load_preset, preset_names
from policyschema import file_data, schema_errors

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(
    [
        *ROOT.glob("examples/policies/*.yaml"),
        Path(expectkit.__file__).resolve().parent / "demo" / "policy.yaml",
    ]
)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_policy_files_pass_the_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    Policy.loads(text, source=str(path))  # the library accepts it ...
    assert schema_errors(file_data(text, "yaml")) == []  # ... and so does the schema


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dumped_policies_pass_the_schema(fmt: str) -> None:
    for path in BUNDLED:
        text = Policy.loads(path.read_text(encoding="utf-8")).dumps(fmt)  # type: ignore[arg-type]
        assert schema_errors(file_data(text, fmt)) == [], (path.name, fmt)


@pytest.mark.parametrize("name", preset_names())
def test_policies_built_from_presets_pass_the_schema(name: str) -> None:
    preset = load_preset(name)
    channels: dict[str, Any] = {}
    if preset.channel is not None:
        channel = preset.channel.model_dump(mode="json", exclude_defaults=True)
        channels[channel.pop("name")] = channel
    policy = Policy.model_validate({"channels": channels, "rules": [preset.rule()]})
    for fmt in ("yaml", "json"):
        assert schema_errors(file_data(policy.dumps(fmt), fmt)) == [], fmt


def test_channels_are_keyed_by_name_in_the_schema() -> None:
    text = (
        "channels:\n  email: {kind: email}\n"
        "rules:\n  - {name: r, first_response: {promise: 1 day}}\n"
    )
    Policy.loads(text)
    assert schema_errors(file_data(text, "yaml")) == []


INVALID = {
    "no rules": ("channels: {}\n", "'rules' is a required property"),
    "unknown key": ("rules: []\nrulez: []\n", "rulez"),
    "unknown channel kind": (
        "channels:\n  c: {kind: telegraph}\nrules: []\n",
        "telegraph",
    ),
    "rule without a name": ("rules:\n  - {first_response: 1 day}\n", "'name' is a required"),
    "rules not a list": ("rules: {name: r}\n", "is not of type 'array'"),
    "unknown metric field": ("rules:\n  - {name: r, first_reply: 1 day}\n", "first_reply"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_files_fail_the_schema_as_they_fail_the_library(case: str) -> None:
    text, complaint = INVALID[case]
    errors = schema_errors(file_data(text, "yaml"))
    assert errors, case
    assert any(complaint in error for error in errors), errors
    with pytest.raises(PolicyError):
        Policy.loads(text)


def test_toml_policy_files_pass_the_schema() -> None:
    text = (
        '[channels.email]\nkind = "email"\n\n[[rules]]\nname = "email"\n'
        'match = {channel = "email"}\nfirst_response = {promise = "1-3 business days"}\n'
    )
    Policy.loads(text, format="toml")
    assert schema_errors(file_data(text, "toml")) == []
