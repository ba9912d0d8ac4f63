"""Type stubs of the compiled core (``_ccore.c``); see :mod:`expectkit.time.backend`."""

from datetime import datetime, timedelta, tzinfo

from typing_extensions import Buffer

class Core:
    """A compiled timeline and its zone's offsets; every verb returns ``None`` to defer."""

    def __new__(
        cls,
        starts: Buffer,
        ends: Buffer,
        cum: Buffer,
        cumend: Buffer,
        lo: int,
        hi: int,
        horizon: int,
        zone: tzinfo,
        bounds: Buffer,
        offsets: Buffer,
    ) -> Core: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def intervals(self) -> int: ...
    def add(self, t: datetime, d: timedelta, /) -> datetime | None: ...
    def subtract(self, t: datetime, d: timedelta, /) -> datetime | None: ...
    def between(self, a: datetime, b: datetime, /) -> timedelta | None: ...
    def is_open(self, t: datetime, /) -> bool | None: ...
    def next_open(self, t: datetime, /) -> datetime | None: ...
    def next_close(self, t: datetime, /) -> datetime | None: ...
