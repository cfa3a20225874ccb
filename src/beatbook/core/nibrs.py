"""NIBRS code lists shared by the apps that record property (STANDARDS.md §5)."""

from django.db import models


class PropertyCategory(models.TextChoices):
    """NIBRS DE15 property descriptions that CSOs meet most."""

    BICYCLE = "04", "Bicycles"
    CREDIT_CARD = "09", "Credit / debit cards"
    JEWELRY = "17", "Jewelry / precious metals"
    MONEY = "20", "Money"
    PURSE = "25", "Purses / handbags / wallets"
    DOCUMENTS = "65", "Identity documents"
    PETS = "73", "Pets"
    PHONE = "75", "Portable electronic communications"
    OTHER = "77", "Other"
