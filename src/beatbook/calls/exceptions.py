from beatbook.core.exceptions import DomainError, InvalidTransition


class CallTransitionRefused(InvalidTransition):
    """A life-cycle step the call's current state does not allow."""

    code = "call_transition_refused"


class CallNeedsEscalation(DomainError):
    """Triage flagged the call for sworn officers; it cannot go to a CSO."""

    code = "call_needs_escalation"
    http_status = 409


class UnitNotEligible(DomainError):
    """The unit cannot take this call (wrong responder type, out of service, off duty)."""

    code = "unit_not_eligible"
    http_status = 409


class DispositionRequired(DomainError):
    code = "disposition_required"
    http_status = 400
