"""A read-only dict that pickles and copies: the mappings inside results.

Results (a commitment's metrics, a ticket's statuses) are values users send between
processes — Dask and Spark workers, ``multiprocessing``, caches — so they must pickle;
``types.MappingProxyType`` does not. :class:`FrozenDict` reads at dict speed, refuses
every change, and pickles as a copy of its items.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenDict"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict whose items cannot change once built.

    >>> import pickle
    >>> d = FrozenDict({"first_response": 1})
    >>> d["first_response"], pickle.loads(pickle.dumps(d)) == d
    (1, True)
    >>> d["resolution"] = 2
    Traceback (most recent call last):
    ...
    TypeError: this mapping is read-only: build a new one instead of changing it
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        del args, kwargs
        msg = "this mapping is read-only: build a new one instead of changing it"
        raise TypeError(msg)

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __reduce__(self) -> tuple[Any, tuple[dict[K, V]]]:
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        from copy import deepcopy

        return FrozenDict(deepcopy(dict(self), memo))

    @classmethod
    def fromkeys(cls, iterable: Iterable[Any], value: Any = None) -> FrozenDict[Any, Any]:
        """Return a frozen dict mapping every key of `iterable` to `value`.

        >>> FrozenDict.fromkeys(["a", "b"], 0)
        {'a': 0, 'b': 0}
        """
        return cls(dict.fromkeys(iterable, value))
