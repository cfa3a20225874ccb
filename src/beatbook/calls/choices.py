from django.db import models


class CallStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    DISPATCHED = "dispatched", "Dispatched"
    EN_ROUTE = "en_route", "En route"
    ON_SCENE = "on_scene", "On scene"
    CLEARED = "cleared", "Cleared"
    ESCALATED = "escalated", "Escalated to sworn"
    REFERRED = "referred", "Referred"
    CANCELLED = "cancelled", "Cancelled"
    MERGED = "merged", "Merged into another call"

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.RECEIVED, cls.QUEUED, cls.DISPATCHED, cls.EN_ROUTE, cls.ON_SCENE]

    @classmethod
    def active_values(cls) -> list[str]:
        """Assigned to a unit and being worked."""
        return [cls.DISPATCHED, cls.EN_ROUTE, cls.ON_SCENE]


class CallSource(models.TextChoices):
    PHONE = "phone", "Phone"
    WALK_IN = "walk_in", "Walk-in"
    FIELD = "field", "Field-initiated"
    PORTAL = "portal", "Resident portal"
    OPEN311 = "open311", "Open311"
    API = "api", "API"
    VOLUNTEER = "volunteer", "Volunteer patrol"


class Responder(models.TextChoices):
    CSO = "cso", "CSO"
    SWORN = "sworn", "Sworn officers only"
    EITHER = "either", "CSO or sworn"


class Division(models.TextChoices):
    TRAFFIC_ENFORCEMENT = "traffic_enforcement", "Traffic enforcement"
    CODE_ENFORCEMENT = "code_enforcement", "Code enforcement"
    ANIMAL_SERVICES = "animal_services", "Animal services"
    PUBLIC_WORKS = "public_works", "Public works"
    SOCIAL_SERVICES = "social_services", "Social services"


class Disposition(models.TextChoices):
    ASSISTED = "assisted", "Assistance rendered"
    ADVISED = "advised", "Advised / resolved"
    REPORT = "report", "Report taken"
    CITATION = "citation", "Citation issued"
    WARNING = "warning", "Warning given"
    REFERRAL = "referral", "Referred to services"
    MEDIATION = "mediation", "Mediation case opened"
    UNABLE_TO_LOCATE = "unable_to_locate", "Unable to locate"
    GONE_ON_ARRIVAL = "gone_on_arrival", "Gone on arrival"
    UNFOUNDED = "unfounded", "Unfounded"


class QuestionDatatype(models.TextChoices):
    """The six Open311 GeoReport v2 attribute datatypes."""

    STRING = "string", "One line of text"
    NUMBER = "number", "Number"
    DATETIME = "datetime", "Date and time"
    TEXT = "text", "Several lines of text"
    SINGLEVALUELIST = "singlevaluelist", "Choose one"
    MULTIVALUELIST = "multivaluelist", "Choose any"
