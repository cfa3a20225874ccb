from django.utils.translation import gettext_lazy as _

from beatbook.core.exceptions import DomainError


class SubmissionRateLimited(DomainError):
    """Too many reports from one address, or from everyone, in a short time (R33)."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            str(
                _(
                    "Too many reports were sent from your connection. Please wait "
                    "a few minutes and try again."
                )
            )
        )
        self.retry_after = retry_after


class EmergencyDetected(DomainError):
    """A description that signals an emergency: the resident must call 911, not wait."""

    code = "emergency_detected"
    http_status = 400

    def __init__(self) -> None:
        super().__init__(
            str(
                _(
                    "This sounds like an emergency. Call 911 now. This form is "
                    "not watched around the clock and cannot send help quickly."
                )
            )
        )
