"""Small reference tables (call types with their questions, beats) read once per process.

Every intake read its call type, the type's questions and the beats covering its point: three
queries of rows that change a few times a year, on the busiest write there is (Open311, the
portal, the desk and the API all file through `calls.services.call_intake`). A copy lives in
each process for BEATBOOK_REFERENCE_SECONDS; a save or delete of one of its models in this
process drops it at once, and another process's copy is at most that old (an administrator's
edit reaches every worker within seconds). A queryset `update()` sends no signal, so it
reaches this process after the same delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_all: list[ReferenceCopy[Any]] = []


class ReferenceCopy(Generic[T]):
    """What `load` returns, kept until it is older than BEATBOOK_REFERENCE_SECONDS or one of
    `models` is saved or deleted here."""

    def __init__(self, load: Callable[[], T], *, models: tuple[type[Model], ...]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = 0.0
        self._generation = 0  # a clear() during a load must not let that load be kept
        for model in models:
            # weak=False: the receiver is a bound method of a module-level object.
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)
        _all.append(self)

    def get(self) -> T:
        value, loaded_at = self._value, self._loaded_at
        if value is not None and time.monotonic() - loaded_at < settings.BEATBOOK_REFERENCE_SECONDS:
            return value
        generation = self._generation
        value = self._load()
        with self._lock:
            if generation == self._generation:
                self._value, self._loaded_at = value, time.monotonic()
        return value

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._value = None

    def _changed(self, **kwargs: Any) -> None:
        # Now for this thread, and again at commit: a load by another thread in between
        # would still read the rows as they were before this transaction.
        self.clear()
        transaction.on_commit(self.clear)


def reference_copies_clear() -> None:
    """Forget every copy (the test suite does between tests, whose rows roll back)."""
    for copy in _all:
        copy.clear()
