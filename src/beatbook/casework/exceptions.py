from beatbook.core.exceptions import DomainError


class CaseStepRefused(DomainError):
    code = "case_step_refused"
    http_status = 409
