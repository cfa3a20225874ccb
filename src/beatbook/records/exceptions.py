from beatbook.core.exceptions import DomainError, InvalidTransition, ValidationFailed


class ReportLocked(InvalidTransition):
    """An approved report changes only by supplement."""

    code = "report_locked"


class ReviewRefused(InvalidTransition):
    code = "review_refused"


class AttachmentRejected(ValidationFailed):
    code = "attachment_rejected"


class AttachmentIntegrityError(DomainError):
    """A stored file no longer matches the SHA-256 taken when it was uploaded."""

    code = "attachment_integrity_failure"
    http_status = 409
