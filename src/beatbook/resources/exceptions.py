from beatbook.core.exceptions import DomainError


class DirectoryImportRejected(DomainError):
    """A directory file that cannot be taken whole; `problems` names each place and reason."""

    code = "directory_import_rejected"
    http_status = 400

    def __init__(self, problems: list[str]) -> None:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"Nothing was imported: {shown}{more}")
        self.problems = problems


class ReferralRefused(DomainError):
    code = "referral_refused"
    http_status = 409
