from beatbook.core.exceptions import DomainError


class RegistrationRefused(DomainError):
    """A sign-up the event cannot take: closed, cancelled, past, or a bad decision."""

    code = "registration_refused"
    http_status = 409


class EventChangeRefused(DomainError):
    code = "event_change_refused"
    http_status = 409


class ShiftSignupRefused(DomainError):
    """A volunteer step the rules refuse: not vetted, full, overlapping, already done."""

    code = "shift_signup_refused"
    http_status = 409


class FeedbackRefused(DomainError):
    code = "feedback_refused"
    http_status = 409
