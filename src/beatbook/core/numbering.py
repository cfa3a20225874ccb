"""Human-readable record numbers such as CFS-2026-000123, gap-free per prefix and year."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from beatbook.core.models import NumberSequence


def number_format(*, prefix: str, year: int, value: int) -> str:
    return f"{prefix}-{year}-{value:06d}"


def number_next(*, prefix: str, at: dt.datetime | None = None) -> str:
    """Issue the next number for `prefix` in the agency-local year of `at` (default now)."""
    year = timezone.localtime(at or timezone.now()).year
    with transaction.atomic():
        sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
            prefix=prefix, year=year
        )
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return number_format(prefix=prefix, year=year, value=sequence.last)


def number_reserve_block(*, prefix: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers (for bulk imports); returns the first one."""
    with transaction.atomic():
        sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
            prefix=prefix, year=year
        )
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
    return first
