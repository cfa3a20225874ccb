"""Calendar arithmetic in the agency's own time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def days_since(date: dt.date) -> int:
    """Whole local days from the date to today (0 today, negative for a day to come): how long
    an 'after' window beginning on that date can be."""
    return (timezone.localdate() - date).days
