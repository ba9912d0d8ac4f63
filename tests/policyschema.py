"""Validate policy files against the published JSON Schema, as an editor would.

An editor's YAML language server reads ``2026-01-01`` as a string and checks it against
the schema's ``format``; PyYAML's safe loader would make it a ``date``, which JSON Schema
knows nothing of. `file_data` reads YAML the editor's way.
"""

from __future__ import annotations

import json
import tomllib
from functools import cache
from typing import Any

import jsonschema
import yaml

from expectkit import Policy


class _EditorLoader(yaml.SafeLoader):
    """Safe YAML with timestamps left as text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def file_data(text: str, fmt: str) -> Any:
    """Return a policy file's data as JSON Schema sees it."""
    if fmt in {"yaml", "yml"}:
        return yaml.load(text, Loader=_EditorLoader)
    if fmt == "toml":
        return json.loads(json.dumps(tomllib.loads(text), default=str))
    return json.loads(text)


@cache
def validator() -> jsonschema.protocols.Validator:
    """Return a validator for `Policy.json_schema`, itself checked against its metaschema."""
    schema = Policy.json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(data: Any) -> list[str]:
    """Return the schema's complaints about `data`, each with its path in the file."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
