"""Open311 errors carry the HTTP status the spec requires (GeoReport v2 §Errors)."""

from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
