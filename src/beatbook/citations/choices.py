from django.db import models


class CitationKind(models.TextChoices):
    PARKING = "parking", "Parking"
    TRAFFIC = "traffic", "Traffic"
    ORDINANCE = "ordinance", "Local ordinance"


class CitationStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CONTESTED = "contested", "Contested"
    UPHELD = "upheld", "Upheld after contest"
    DISMISSED = "dismissed", "Dismissed"
    VOID = "void", "Void"


# Citations that count as prior offences for the fine schedule.
COUNTING_STATUSES = [
    CitationStatus.ISSUED,
    CitationStatus.PAID,
    CitationStatus.CONTESTED,
    CitationStatus.UPHELD,
]
