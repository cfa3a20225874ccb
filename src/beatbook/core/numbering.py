"""Human-readable record numbers such as CFS-2026-000123, gap-free per prefix and year."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from beatbook.core.models import NumberSequence


def number_format(*, prefix: str, year: int, value: int) -> str:
    return f"{prefix}-{year}-{value:06d}"


def number_year(at: dt.datetime | None = None) -> int:
    """The agency-local year a record made at `at` (default now) is numbered in."""
    return timezone.localtime(at or timezone.now()).year


def number_next_sql() -> str:
    """PostgreSQL: a statement taking the next number of a prefix and year (its two
    parameters) and returning it as `number`, formatted as `number_format` does; it creates
    the year's row when it is the first. For a WITH clause: the intake takes its number in
    the same statement that writes the call (calls.intake_write)."""
    quote = connection.ops.quote_name
    last = quote("last")
    return (
        f"INSERT INTO {quote(NumberSequence._meta.db_table)} (prefix, year, {last}) "  # noqa: S608
        f"VALUES (%s, %s, 1) ON CONFLICT (prefix, year) DO UPDATE SET {last} = "
        f"{quote(NumberSequence._meta.db_table)}.{last} + 1 RETURNING prefix || '-' || "
        f"year::text || '-' || lpad({last}::text, greatest(6, length({last}::text)), '0') "
        "AS number"
    )


def number_next(*, prefix: str, at: dt.datetime | None = None) -> str:
    """Issue the next number for `prefix` in the agency-local year of `at` (default now).

    One `UPDATE … RETURNING` takes the number and locks the row until the caller's
    transaction ends, so numbers stay gap-free (a rolled-back intake gives its number back)
    at one round trip instead of a savepoint, a locking read and a write. The first number
    of a year creates the row."""
    year = number_year(at)
    # RETURNING arrived with SQLite 3.35, the same version that lets Django return columns.
    if not connection.features.can_return_columns_from_insert:
        first = number_reserve_block(prefix=prefix, year=year, count=1)
        return number_format(prefix=prefix, year=year, value=first)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(NumberSequence._meta.db_table)} SET {quote('last')} = "  # noqa: S608
            f"{quote('last')} + 1 WHERE prefix = %s AND year = %s RETURNING {quote('last')}",
            [prefix, year],
        )
        row = cursor.fetchone()
    value = row[0] if row else number_reserve_block(prefix=prefix, year=year, count=1)
    return number_format(prefix=prefix, year=year, value=value)


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
