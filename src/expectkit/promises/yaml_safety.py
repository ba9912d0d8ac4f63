"""Read policy YAML safely: no tags, no aliases, no duplicate keys, bounded size and nodes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import (
    Any,
    Final,
    Protocol,
)

import yaml

from expectkit._core.errors import PolicyError
from expectkit.promises.file_formats import (
    MAX_YAML_NODES,
    Loc,
    Locator,
)


class _Marked(Protocol):
    line: int


class _YamlError(Exception):
    def __init__(self, mark: _Marked | None, problem: str) -> None:
        super().__init__(problem)
        self.line = None if mark is None else mark.line + 1
        self.problem = problem


class _SafeLoader(yaml.SafeLoader):
    """The safe loader, refusing every explicit tag (``!!python/...`` and plain ones)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, yaml.AliasEvent):
            msg = f"YAML tags are not allowed in policy files (found {tag!r})"
            raise _YamlError(event.start_mark, msg)
        return super().compose_node(parent, index)


def _check_yaml_tree(root: yaml.Node) -> None:
    sizes: dict[int, int] = {}
    total = _yaml_size(root, sizes, set())
    if total > MAX_YAML_NODES:
        msg = (
            f"the document expands to {total:,} nodes (aliases included); "
            f"the limit is {MAX_YAML_NODES:,}"
        )
        raise _YamlError(root.start_mark, msg)


def _yaml_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        raise _YamlError(node.start_mark, "a YAML alias refers to a node containing itself")
    active.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _yaml_size(child, sizes, active)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    msg = (
                        f"duplicate key {key_node.value!r} "
                        f"(first on line {seen[key_node.value] + 1})"
                    )
                    raise _YamlError(key_node.start_mark, msg)
                seen[key_node.value] = key_node.start_mark.line
            size += _yaml_size(key_node, sizes, active) + _yaml_size(value_node, sizes, active)
            if size > MAX_YAML_NODES:
                break
    active.discard(key)
    sizes[key] = size
    return size


def _yaml_locator(root: yaml.Node) -> Locator:
    def locate(loc: Loc) -> int | None:
        node = root
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    return locate


_LIBYAML: Final[bool] = yaml.__with_libyaml__
"""Whether PyYAML's C parser is there: ten times faster on large policy files."""


def _refuse_tags(events: Iterable[yaml.Event]) -> None:
    for event in events:
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, yaml.AliasEvent):
            msg = f"YAML tags are not allowed in policy files (found {tag!r})"
            raise _YamlError(event.start_mark, msg)


def _parse_yaml(text: str, source: str) -> tuple[object, Locator]:
    loader: yaml.CSafeLoader | _SafeLoader | None = None
    try:
        if _LIBYAML:
            # The C composer cannot be hooked, so a first pass over the events finds tags.
            _refuse_tags(yaml.parse(text, Loader=yaml.CSafeLoader))
            loader = yaml.CSafeLoader(text)
        else:
            loader = _SafeLoader(text)
        root = loader.get_single_node()
        if root is None:
            return None, lambda loc: None
        _check_yaml_tree(root)
        data = loader.construct_document(root)
    except _YamlError as exc:
        line = f", line {exc.line}" if exc.line is not None else ""
        raise PolicyError(f"{source}{line}: {exc.problem}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PolicyError(f"{source}{line}: invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise PolicyError(f"{source}: the YAML document is nested too deeply") from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, _yaml_locator(root)
