from beatbook.core.exceptions import InvalidTransition


class CitationTransitionRefused(InvalidTransition):
    code = "citation_transition_refused"
