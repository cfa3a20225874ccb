from beatbook.core.exceptions import InvalidTransition


class CustodyRefused(InvalidTransition):
    """A movement the item's state does not allow (checked out twice, released while out…)."""

    code = "custody_refused"
