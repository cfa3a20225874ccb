from __future__ import annotations

from decimal import Decimal

from beatbook.citations.models import Ordinance


def ordinance(
    code: str = "SMC 11.72.070", *, kind: str = "parking", cso: bool = True, window: int = 365
) -> Ordinance:
    found, _ = Ordinance.objects.get_or_create(
        code=code,
        defaults={
            "title": "Parking in a driveway",
            "kind": kind,
            "fine_first": Decimal("47.00"),
            "fine_second": Decimal("75.00"),
            "fine_third": Decimal("120.00"),
            "repeat_window_days": window,
            "cso_may_issue": cso,
        },
    )
    return found
