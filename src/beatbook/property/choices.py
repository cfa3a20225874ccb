from django.db import models


class ItemKind(models.TextChoices):
    FOUND = "found", "Found property"
    SAFEKEEPING = "safekeeping", "Safekeeping"
    EVIDENCE = "evidence", "Evidence"


class ItemStatus(models.TextChoices):
    IN_CUSTODY = "in_custody", "In the property room"
    CHECKED_OUT = "checked_out", "Checked out"
    RELEASED = "released", "Released to owner"
    DISPOSED = "disposed", "Disposed"


class CustodyEventKind(models.TextChoices):
    INTAKE = "intake", "Intake"
    CHECK_OUT = "check_out", "Check-out"
    CHECK_IN = "check_in", "Check-in"
    TRANSFER = "transfer", "Transfer"
    RELEASE = "release", "Release to owner"
    DISPOSAL = "disposal", "Disposal"


class DisposalMethod(models.TextChoices):
    RETURN = "return", "Returned"
    AUCTION = "auction", "Auctioned"
    DONATE = "donate", "Donated"
    DESTROY = "destroy", "Destroyed"
