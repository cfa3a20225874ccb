from django.db import models

from beatbook.core.nibrs import PropertyCategory  # noqa: F401  (re-exported for records)


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
