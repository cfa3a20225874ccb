from beatbook.core.exceptions import InvalidTransition


class CaseStepRefused(InvalidTransition):
    """A step the case's state does not allow (impounding before transport, closing twice…)."""

    code = "case_step_refused"
