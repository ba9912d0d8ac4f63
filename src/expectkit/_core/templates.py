"""Jinja2 templates: the package's own (``expectkit/templates``) and a user's, autoescaped.

Every template is HTML and autoescaped: a value put in a page is text, never markup,
unless it is built here as markup. A user's template directory is searched first, and
the package's templates stay reachable under the prefix ``expectkit/``, so a user's
``contact_page.html`` may start with ``{% extends "expectkit/contact_page.html" %}``
and override single blocks. Jinja2 comes with the ``text`` extra and is imported on
first use; the notebook views (:func:`view_html`) need it too and show nothing
without it, so a notebook falls back to the plain repr.

>>> render("views/duration.html", {"text": "<2 h>"})
'<span>&lt;2 h&gt;</span>'
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from expectkit._core.errors import InputTypeError, PolicyError

if TYPE_CHECKING:
    import jinja2

__all__ = ["block_names", "render", "view_html"]


PREFIX: Final = "expectkit"
"""The prefix under which the package's templates stay reachable from a user's."""


def _jinja() -> Any:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        msg = "expectkit's templates need Jinja2: pip install 'expectkit[text]'"
        raise ImportError(msg) from exc
    return jinja2


@lru_cache(maxsize=32)
def _environment(directory: Path | None) -> jinja2.Environment:
    jinja = _jinja()
    package = jinja.PackageLoader("expectkit", "templates")
    loaders: list[Any] = [jinja.FileSystemLoader(str(directory))] if directory else []
    loaders += [jinja.PrefixLoader({PREFIX: package}), package]
    env: jinja2.Environment = jinja.Environment(
        loader=jinja.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _directory(directory: str | Path | None) -> Path | None:
    if directory is None:
        return None
    if not isinstance(directory, str | Path):
        raise InputTypeError.for_value(directory, "templates", "a directory path")
    path = Path(directory)
    if not path.is_dir():
        msg = f"templates: {str(directory)!r} is not a directory"
        raise PolicyError(msg)
    return path.resolve()


def _failure(name: str, exc: Exception) -> PolicyError:
    line = getattr(exc, "lineno", None)
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
    at = f", line {line}" if line else ""
    message = getattr(exc, "message", None) or str(exc)
    return PolicyError(f"template {where!r}{at}: {message}")


def block_names(name: str, directory: str | Path | None = None) -> tuple[str, ...]:
    """Return the blocks template `name` has, its own and those of the pages it extends.

    These are the blocks :func:`render` can override.

    >>> block_names("contact_page.html")[:3]
    ('styles', 'head', 'header')
    """
    env = _environment(_directory(directory))
    jinja = _jinja()
    found: list[str] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current not in seen:
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0] if env.loader else ""
            tree = env.parse(source)
        except jinja.TemplateError as exc:
            raise _failure(current, exc) from exc
        found += [b.name for b in tree.find_all(jinja.nodes.Block) if b.name not in found]
        parent = next(iter(tree.find_all(jinja.nodes.Extends)), None)
        target = getattr(parent, "template", None)
        current = target.value if isinstance(target, jinja.nodes.Const) else None
    return tuple(found)


def render(
    name: str,
    context: Mapping[str, Any],
    *,
    directory: str | Path | None = None,
    blocks: Mapping[str, str] | None = None,
) -> str:
    """Render template `name` with `context`, autoescaped.

    Args:
        name: The template (``"contact_page.html"``), looked up in `directory` first.
        context: The values the template reads.
        directory: A folder of the user's templates, searched before the package's.
        blocks: Block name to Jinja2 source replacing that block of `name` (it may call
            ``{{ super() }}`` for the block's own content).

    Returns:
        The rendered text.

    Raises:
        PolicyError: A template that is missing or does not compile or render, an
            unknown block, or a `directory` that is not one.

    >>> render("views/duration.html", {"text": "3 h"}, blocks={"text": "<b>{{ super() }}</b>"})
    '<b><span>3 h</span></b>'

    """
    path = _directory(directory)
    env = _environment(path)
    jinja = _jinja()
    try:
        if blocks:
            known = block_names(name, path)
            source = [f"{{% extends {name!r} %}}"]
            for block, body in blocks.items():
                if block not in known:
                    msg = (
                        f"blocks: {block!r} is not a block of {name!r} (known: {', '.join(known)})"
                    )
                    raise PolicyError(msg)
                if not isinstance(body, str):
                    raise InputTypeError.for_value(body, f"blocks[{block!r}]", "template text")
                source.append(f"{{% block {block} %}}{body}{{% endblock %}}")
            template = env.from_string("".join(source))
        else:
            template = env.get_template(name)
        return template.render(**context)
    except jinja.TemplateError as exc:
        raise _failure(name, exc) from exc


def view_html(name: str, **context: Any) -> str | None:
    """Render notebook view ``views/<name>.html``; None without Jinja2 (the plain repr shows).

    >>> view_html("duration", text="<1 s")
    '<span>&lt;1 s</span>'
    """
    try:
        _jinja()
    except ImportError:  # pragma: no cover - exercised only without the extra
        return None
    return render(f"views/{name}.html", context)
