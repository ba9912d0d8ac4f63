"""Griffe extension: render expectkit's docstrings as Markdown for the API reference.

The docstrings are Google style with a little reStructuredText in them, written for
``help()`` and doctest as much as for the site. Before mkdocstrings parses them:

* interactive examples (runs of lines starting with ``>>>``) become ``pycon`` code
  blocks, so Markdown does not read ``>>>`` as nested block quotes;
* Sphinx roles such as ``:class:`~expectkit.errors.ScheduleError``` become inline
  code (``ScheduleError``), the ``~`` keeping only the last name as Sphinx does;
* a paragraph ending in ``::`` (a reStructuredText literal block follows) ends in
  ``:`` instead, the indented block below it being a Markdown code block already.

And since pydantic builds a model's ``__init__`` at run time, which static analysis
cannot see, every model (a class deriving from ``FrozenModel`` or pydantic's
``BaseModel``) gets a keyword-only signature made from its annotated fields, with
their defaults — so the reference shows ``Holidays(*, country: str, subdiv: str |
None = None, ...)`` and which arguments are required, rather than ``**data``.

The docstrings in the source are not changed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    if tilde:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def _fence_examples(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith(">>>") and not _inside_fence(out):
            indent = line[: len(line) - len(stripped)]
            block: list[str] = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            out.append(f"{indent}```pycon")
            out.extend(f"{indent}{b}" for b in block)
            out.append(f"{indent}```")
            continue
        if line.rstrip().endswith("::") and not line.rstrip().endswith(":::"):
            line = line.rstrip()[:-1]
        out.append(line)
        i += 1
    return "\n".join(out)


def _inside_fence(lines: list[str]) -> bool:
    return sum(1 for line in lines if line.lstrip().startswith("```")) % 2 == 1


def render(text: str) -> str:
    """Return `text` with doctest runs fenced and Sphinx roles as inline code."""
    return _fence_examples(_ROLE.sub(_role, text))


_MODEL_BASES = frozenset({"FrozenModel", "BaseModel"})


def _is_model(cls: griffe.Class, seen: frozenset[str] = frozenset()) -> bool:
    for base in cls.bases:
        name = str(base).rsplit(".", 1)[-1]
        if name in _MODEL_BASES:
            return True
        try:
            resolved = cls.modules_collection.get_member(base.canonical_path)  # type: ignore[union-attr]
        except (AttributeError, KeyError, griffe.AliasResolutionError):
            continue
        if isinstance(resolved, griffe.Alias):
            try:
                resolved = resolved.final_target
            except griffe.AliasResolutionError:
                continue
        if (
            isinstance(resolved, griffe.Class)
            and resolved.path not in seen
            and _is_model(resolved, seen | {cls.path})
        ):
            return True
    return False


def _default(value: object) -> str | None:
    """Return a field's default as source text, ``None`` when the field is required."""
    if value is None:
        return None
    if isinstance(value, griffe.ExprCall) and str(value.function).endswith("Field"):
        for argument in value.arguments:
            if isinstance(argument, griffe.ExprKeyword):
                if argument.name == "default":
                    return str(argument.value)
                if argument.name == "default_factory":
                    factory = str(argument.value)
                    if factory.startswith("lambda:"):
                        return factory.removeprefix("lambda:").strip()
                    return {"dict": "{}", "list": "[]", "tuple": "()"}.get(factory, f"{factory}()")
        return None
    return str(value)


def _fields(cls: griffe.Class) -> dict[str, griffe.Parameter]:
    fields: dict[str, griffe.Parameter] = {}
    try:
        ancestors = [c for c in reversed(cls.mro()) if isinstance(c, griffe.Class)]
    except (ValueError, griffe.AliasResolutionError):
        ancestors = []
    for owner in [*ancestors, cls]:
        for name, member in owner.members.items():
            if name.startswith("_") or member.is_alias or not member.is_attribute:
                continue
            if "instance-attribute" not in member.labels or member.annotation is None:
                continue
            if str(member.annotation).startswith("ClassVar"):
                continue
            fields[name] = griffe.Parameter(
                name,
                annotation=member.annotation,
                kind=griffe.ParameterKind.keyword_only,
                default=_default(member.value),
            )
    return fields


def _model_signature(cls: griffe.Class) -> None:
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    parameters.extend(_fields(cls).values())
    init = griffe.Function("__init__", parameters=griffe.Parameters(*parameters), parent=cls)
    init.labels.add("synthesized")
    cls.set_member("__init__", init)


def _classes(obj: griffe.Object) -> list[griffe.Class]:
    found: list[griffe.Class] = []
    for member in obj.members.values():
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            found.append(member)
            found.extend(_classes(member))
        elif isinstance(member, griffe.Module):
            found.extend(_classes(member))
    return found


class ExpectkitDocstrings(griffe.Extension):
    """Rewrite each docstring once, when griffe creates its object; sign the models."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Render the docstring of every object as it is created."""
        if obj.docstring is not None:
            obj.docstring.value = render(obj.docstring.value)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Give every pydantic model of the loaded package its keyword signature."""
        for cls in _classes(pkg):
            if _is_model(cls) and _data_only(cls.members.get("__init__")):
                _model_signature(cls)


def _data_only(init: object) -> bool:
    """Whether a class has no ``__init__`` of its own, or one taking only ``**data``."""
    if init is None:
        return True
    if not isinstance(init, griffe.Function):
        return False
    kinds = {p.kind for p in init.parameters if p.name != "self"}
    return kinds <= {griffe.ParameterKind.var_keyword, griffe.ParameterKind.positional_only}
