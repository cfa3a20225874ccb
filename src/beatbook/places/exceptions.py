from beatbook.core.exceptions import ValidationFailed


class OutsideAgencyArea(ValidationFailed):
    """A point that no beat of the agency covers."""

    code = "outside_agency_area"


class AddressNotFound(ValidationFailed):
    """An address the local address table cannot place."""

    code = "address_not_found"


class BeatFileInvalid(ValidationFailed):
    """A beats file that cannot be imported; the message names the feature."""

    code = "beat_file_invalid"
