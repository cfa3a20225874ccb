from beatbook.core.exceptions import DomainError


class AlertStepRefused(DomainError):
    """A step the alert's state does not allow (approve a draft, edit a published alert…)."""

    code = "alert_step_refused"
    http_status = 409
