from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    STRAY = "stray", "Stray or at large"
    BITE = "bite", "Bite"
    WELFARE = "welfare", "Welfare (neglect, left in a car)"
    WILDLIFE = "wildlife", "Wildlife"
    NUISANCE = "nuisance", "Nuisance (barking, waste)"


# The call type a case usually comes from; the desk can still choose another kind.
KIND_FOR_CALL_TYPE = {
    "ANIMAL": CaseKind.STRAY,
    "BITE": CaseKind.BITE,
    "WILDLIFE": CaseKind.WILDLIFE,
}


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CAPTURED = "captured", "Captured"
    IN_TRANSPORT = "in_transport", "On the way to the shelter"
    IMPOUNDED = "impounded", "Impounded at the shelter"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    RETURNED_TO_OWNER = "returned", "Returned to owner"
    RETURNED_IN_FIELD = "returned_field", "Returned to owner in the field"
    SHELTER_CUSTODY = "shelter", "Left with the shelter (adoption)"
    RELEASED = "released", "Released (wildlife)"
    GONE_ON_ARRIVAL = "goa", "Gone on arrival"
    RESOLVED = "resolved", "Resolved with the owner (warning, advice)"
    REFERRED = "referred", "Referred to another agency"
    DECEASED = "deceased", "Deceased"


class Species(models.TextChoices):
    DOG = "dog", _("Dog")
    CAT = "cat", _("Cat")
    BIRD = "bird", _("Bird")
    RABBIT = "rabbit", _("Rabbit")
    LIVESTOCK = "livestock", _("Livestock")
    WILDLIFE = "wildlife", _("Wildlife")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    NEUTERED = "mn", _("Male, neutered")
    FEMALE = "f", _("Female")
    SPAYED = "fs", _("Female, spayed")
    UNKNOWN = "u", _("Unknown")


class Vaccination(models.TextChoices):
    CURRENT = "current", "Rabies vaccination current"
    EXPIRED = "expired", "Rabies vaccination expired"
    NONE = "none", "Never vaccinated against rabies"
    UNKNOWN = "unknown", "Rabies status unknown"


class QuarantinePlace(models.TextChoices):
    HOME = "home", "At the owner's home"
    SHELTER = "shelter", "At the shelter"
    VET = "vet", "At a veterinary clinic"


class QuarantineResult(models.TextChoices):
    PENDING = "", "Under observation"
    HEALTHY = "healthy", "Released: healthy after observation"
    SYMPTOMS = "symptoms", "Showed symptoms: referred for testing"
    DIED = "died", "Died during observation: referred for testing"
