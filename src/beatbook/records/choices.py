from django.db import models


class ReportKind(models.TextChoices):
    INCIDENT = "incident", "Incident report"
    COLLISION = "collision", "Non-injury collision"
    FOUND_PROPERTY = "found_property", "Found property"
    INFORMATION = "information", "Information report"
    SUPPLEMENT = "supplement", "Supplement"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved"

    @classmethod
    def editable(cls) -> list[str]:
        return [cls.DRAFT, cls.RETURNED]


class PersonRole(models.TextChoices):
    REPORTING_PARTY = "reporting_party", "Reporting party"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    SUBJECT = "subject", "Subject"


class Confidentiality(models.TextChoices):
    SEXUAL_ASSAULT = "sexual_assault", "Sexual assault"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence"
    STALKING = "stalking", "Stalking"
    JUVENILE = "juvenile", "Juvenile"
    ADDRESS_CONFIDENTIALITY = "address_confidentiality", "Address confidentiality program"
    OTHER = "other", "Other reason"


class PropertyCategory(models.TextChoices):
    """NIBRS DE15 property descriptions that CSOs meet most (STANDARDS.md §5)."""

    BICYCLE = "04", "Bicycles"
    CREDIT_CARD = "09", "Credit / debit cards"
    JEWELRY = "17", "Jewelry / precious metals"
    MONEY = "20", "Money"
    PURSE = "25", "Purses / handbags / wallets"
    DOCUMENTS = "65", "Identity documents"
    PETS = "73", "Pets"
    PHONE = "75", "Portable electronic communications"
    OTHER = "77", "Other"
