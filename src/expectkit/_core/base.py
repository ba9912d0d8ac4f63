"""Frozen pydantic base model whose validation failures become expectkit errors.

pydantic wraps every exception raised inside a validator in its own
``ValidationError``; the public boundary (constructors and ``model_validate*``)
unwraps it here so callers only ever see an :class:`~expectkit.errors.ExpectkitError`
subclass that names the field path and the bad value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from expectkit._core.errors import ExpectkitError, ImmutableError

__all__ = ["FrozenModel", "describe_validation_error"]


def _loc(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe_validation_error(
    exc: ValidationError, prefix: str = ""
) -> tuple[str, ExpectkitError | None]:
    """Return a one-line description of `exc` and the expectkit error inside it, if any.

    When one of our own validators raised an :class:`ExpectkitError`, pydantic keeps
    it in the error context; that error is returned so its class is preserved.
    """
    lines: list[str] = []
    inner: ExpectkitError | None = None
    for err in exc.errors(include_url=False):
        where = _loc((prefix, *err["loc"]) if prefix else tuple(err["loc"]))
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, ExpectkitError):
            inner = inner or original
            message = str(original)
            # Our own messages already start with the path inside the value.
            lines.append(
                f"{where}.{message}" if where and not message.startswith(where) else message
            )
            continue
        shown = repr(err.get("input"))
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"{where or '<root>'}: {err['msg']} (got {shown})")
    return "; ".join(lines), inner


class FrozenModel(BaseModel):
    """An immutable, strict-shaped model that raises `_error` instead of ``ValidationError``."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    _error: ClassVar[type[ExpectkitError]] = ExpectkitError

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise self._convert(exc) from exc

    # Nested models validate through pydantic's core, not this __init__, so that the
    # validation context and the nested field paths survive.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):  # private caches, not part of the value
            super().__setattr__(name, value)
            return
        raise ImmutableError(
            f"{type(self).__name__}.{name}: cannot assign {value!r}; the model is immutable "
            "(build a changed copy with model_copy(update={...}))"
        )

    def __delattr__(self, name: str) -> None:
        raise ImmutableError(f"{type(self).__name__}.{name}: cannot delete; the model is immutable")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Return the model itself, or with `update` a changed copy validated like a new one.

        Models are immutable, so an unchanged copy is the same value; a changed one goes
        through every validator (pydantic's own ``model_copy`` would skip them and keep
        stale caches).

        >>> from expectkit.schedule import Schedule
        >>> Schedule.always("UTC").model_copy(update={"tz": "Asia/Tokyo"}).tz
        'Asia/Tokyo'
        """
        if update:
            return self.model_validate({**self.model_dump(), **update})
        return self

    @classmethod
    def _convert(cls, exc: ValidationError) -> ExpectkitError:
        message, inner = describe_validation_error(exc)
        error_cls = type(inner) if inner is not None else cls._error
        return error_cls(f"{cls.__name__}: {message}")

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate `obj` like pydantic, raising the model's expectkit error on failure."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise cls._convert(exc) from exc

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate JSON like pydantic, raising the model's expectkit error on failure."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise cls._convert(exc) from exc
