from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from beatbook.calls.choices import (
    CallSource,
    CallStatus,
    Disposition,
    Division,
    QuestionDatatype,
    Responder,
)
from beatbook.core.models import TimeStampedModel


class CallType(TimeStampedModel):
    """A kind of call the program handles, mapped to the APCO common incident type."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    apco_code = models.CharField(max_length=16, help_text="APCO ANS 2.103 common incident type")
    priority = models.PositiveSmallIntegerField(help_text="1 is most urgent, 4 least.")
    target_minutes = models.PositiveIntegerField(help_text="Target from received to on scene.")
    sworn_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Sworn-officer time a call of this type takes when officers handle it, counted "
        "as saved when a CSO handles it instead. Blank: BEATBOOK_SWORN_MINUTES_DEFAULT.",
    )
    responder = models.CharField(max_length=8, choices=Responder.choices)
    referral_division = models.CharField(max_length=24, choices=Division.choices, blank=True)
    is_public = models.BooleanField(default=False, help_text="Residents may report it.")
    is_active = models.BooleanField(default=True)
    name_es = models.CharField("name (Spanish)", max_length=100, blank=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="Shown to residents choosing a category."
    )
    description_es = models.CharField("description (Spanish)", max_length=300, blank=True)
    group = models.CharField(max_length=50, blank=True, help_text="Open311 service group.")
    keywords = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4),
                name="calls_calltype_priority_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def cso_may_respond(self) -> bool:
        return self.responder != Responder.SWORN


class CallQuerySet(models.QuerySet["Call"]):
    def open(self) -> CallQuerySet:
        return self.filter(status__in=CallStatus.open_values())

    def active(self) -> CallQuerySet:
        return self.filter(status__in=CallStatus.active_values())


class Call(TimeStampedModel):
    """A call for service: a request for a CSO, from a phone call, a walk-in, the field or a
    resident, followed from receipt to its disposition."""

    number = models.CharField(max_length=20, unique=True)
    call_type = models.ForeignKey(CallType, on_delete=models.PROTECT, related_name="calls")
    original_code = models.CharField(
        max_length=32, blank=True, help_text="The source system's code, for imported calls."
    )
    source = models.CharField(max_length=10, choices=CallSource.choices)
    status = models.CharField(
        max_length=12, choices=CallStatus.choices, default=CallStatus.RECEIVED
    )
    priority = models.PositiveSmallIntegerField()
    description = models.TextField(max_length=4000)
    caller_name = models.CharField(max_length=150, blank=True)
    caller_phone = models.CharField(max_length=40, blank=True)
    caller_email = models.EmailField(blank=True)
    address_text = models.CharField(max_length=200, blank=True)
    block_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    beat = models.ForeignKey("places.Beat", on_delete=models.PROTECT, related_name="calls")
    h3_cell = models.CharField(max_length=16)

    needs_escalation = models.BooleanField(default=False)
    triage_reasons = models.JSONField(default=list, blank=True)

    assigned_unit = models.ForeignKey(
        "roster.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    received_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    en_route_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    escalation_reason = models.CharField(max_length=300, blank=True)
    referral_division = models.CharField(max_length=24, choices=Division.choices, blank=True)
    referral_note = models.CharField(max_length=500, blank=True)
    close_note = models.CharField(max_length=500, blank=True)

    answers = models.JSONField(
        default=dict, blank=True, help_text="Answers to the call type's questions, by code."
    )
    public_token = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Unguessable key of the resident's tracking link.",
    )
    contact_language = models.CharField(
        max_length=8, blank=True, help_text="Language for updates to the caller."
    )
    block_lat = models.FloatField(null=True, blank=True)
    block_lon = models.FloatField(null=True, blank=True)

    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_calls"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "priority", "received_at"], name="calls_call_queue"),
            models.Index(fields=["beat", "received_at"], name="calls_call_beat_time"),
            models.Index(fields=["call_type", "received_at"], name="calls_call_type_time"),
            # Open calls only: the duplicate check on every intake (calls.selectors).
            models.Index(
                fields=["call_type", "received_at"],
                name="calls_call_open_type_time",
                condition=models.Q(status__in=CallStatus.open_values()),
            ),
            models.Index(fields=["h3_cell"], name="calls_call_h3"),
            models.Index(fields=["received_at"], name="calls_call_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4),
                name="calls_call_priority_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cleared") | ~models.Q(disposition=""),
                name="calls_call_cleared_has_disposition",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="escalated") | ~models.Q(escalation_reason=""),
                name="calls_call_escalated_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in CallStatus.open_values()

    @property
    def minutes_waiting(self) -> int:
        end = self.on_scene_at or self.closed_at or timezone.now()
        return int((end - self.received_at).total_seconds() // 60)

    @property
    def is_past_target(self) -> bool:
        """Not yet on scene and older than the call type's target (call_type is loaded)."""
        return self.on_scene_at is None and self.minutes_waiting > self.call_type.target_minutes


class CallNote(models.Model):
    """A note added to a call by the CSO or dispatch; staff only."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    text = models.TextField(max_length=4000)
    is_public = models.BooleanField(
        default=False, help_text="Shown to the resident on the tracking page."
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.call} note at {self.at:%H:%M}"


class CallTypeQuestion(models.Model):
    """A question residents and the desk answer for a call type (an Open311 attribute)."""

    call_type = models.ForeignKey(CallType, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=40)
    order = models.PositiveSmallIntegerField()
    datatype = models.CharField(max_length=16, choices=QuestionDatatype.choices)
    required = models.BooleanField(default=False)
    variable = models.BooleanField(
        default=True, help_text="False: information only, nothing to answer."
    )
    description = models.CharField(max_length=300)
    description_es = models.CharField(max_length=300, blank=True)
    datatype_description = models.CharField(max_length=200, blank=True)
    datatype_description_es = models.CharField(max_length=200, blank=True)
    values = models.JSONField(
        default=list, blank=True, help_text='For lists: [{"key": …, "name": …, "name_es": …}]'
    )

    class Meta:
        ordering = ["call_type", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["call_type", "code"], name="calls_calltypequestion_code_unique"
            ),
            models.UniqueConstraint(
                fields=["call_type", "order"], name="calls_calltypequestion_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_type.code}.{self.code}"


class CallPhoto(models.Model):
    """A photo attached to a call, re-encoded without EXIF or GPS tags, with a thumbnail."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="call-photos/%Y/%m/")
    thumbnail = models.FileField(upload_to="call-photos/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.call}"


class CallSupporter(models.Model):
    """A resident who said "this is my problem too" instead of reporting a duplicate."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="supporters")
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"supporter of {self.call}"


class ImportRun(models.Model):
    """One import of a calls file (`beatbook import calls`, or uploaded on the imports page):
    what file, with which mapping, and what came of it. The imports page shows it as the
    job's status while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        INTERRUPTED = "interrupted", "Interrupted"
        FAILED = "failed", "Failed"
        REMOVING = "removing", "Removing its rows"
        REMOVED = "removed", "Rows removed"
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked, not imported"
        DISCARDED = "discarded", "Checked and discarded"

    source = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(
        default=0, help_text="The file's records, known once it has been checked."
    )
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last batch was written."
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    update = models.BooleanField(
        default=False, help_text="Rows already there take the file's values where they differ."
    )
    rows_updated = models.PositiveIntegerField(
        default=0, help_text="Rows already there that took the file's values (an update)."
    )
    rows_already_there = models.PositiveIntegerField(default=0)
    rows_removed = models.PositiveIntegerField(
        default=0, help_text="Rows of this import taken out again (a mistaken import undone)."
    )
    removal_start = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The earliest call of this import's when its removal was queued: with "
        "removal_end, the span whose rollups are counted again, even after a restart.",
    )
    removal_end = models.DateTimeField(null=True, blank=True)
    rows_rejected = models.PositiveIntegerField(default=0)
    rejects_file = models.CharField(max_length=500, blank=True)
    message = models.CharField(max_length=500, blank=True)
    started_by = models.CharField(max_length=150, blank=True)
    upload_dir = models.CharField(
        max_length=64,
        blank=True,
        help_text="An upload's folder under BEATBOOK_IMPORTS_DIR; empty for the command's runs.",
    )
    check_only = models.BooleanField(
        default=False,
        help_text="An upload to be read and mapped, not imported, until someone says import it.",
    )
    preview = models.JSONField(
        null=True, blank=True, help_text="What the check found (calls.importing.preview)."
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.RUNNING,
            self.Status.REMOVING,
            self.Status.CHECKING,
        )


class SourceCoverage(models.Model):
    """What a source's mapping left undone (calls.importing.coverage), as counted at
    `counted_at`: its page would otherwise count every row of the source (millions) on each
    visit. Counted again by the worker after each import or removal, and by the page when a
    run of the source has changed rows since."""

    source = models.CharField(max_length=32, unique=True)
    counted_at = models.DateTimeField()
    figures = models.JSONField()

    def __str__(self) -> str:
        return f"{self.source} as counted at {self.counted_at:%Y-%m-%d %H:%M}"


class CodeCorrection(models.Model):
    """A source's code its mapping left without a Beatbook value, given one on the imports
    page: the source's rows with that code take it, and later imports of the source apply it
    where their mapping gives the code no value (calls.importing.corrections)."""

    class Kind(models.TextChoices):
        CALL_TYPE = "call_type", "Call type"
        BEAT = "beat", "Beat"
        DISPOSITION = "disposition", "Disposition"

    source = models.CharField(max_length=32)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=100, help_text="The source's code, in capitals.")
    value = models.CharField(
        max_length=40,
        blank=True,
        help_text="A call type's code, a beat's name or a disposition; empty once taken back.",
    )
    previous = models.CharField(
        max_length=40, blank=True, help_text="The value it replaced: rows holding it change too."
    )
    rows_updated = models.IntegerField(
        null=True, blank=True, help_text="Rows that took the value; empty until applied."
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["source", "kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "code"], name="calls_codecorrection_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.code} → {self.value or '(taken back)'}"

    @property
    def pending(self) -> bool:
        return self.applied_at is None and not self.message

    @property
    def taken_back(self) -> bool:
        return not self.value

    @property
    def held(self) -> str:
        """What the source's rows with the code hold now: the value once the worker applied
        it; before that, or if it could not, the value it replaces."""
        return self.value if self.applied_at is not None else self.previous


class CallRecord(models.Model):
    """One call as analytics counts it: a row of a city's CAD history brought in by
    `beatbook import calls`. The source's own codes are kept next to the mapped ones."""

    source = models.CharField(max_length=32, help_text="The mapping it came in with.")
    source_id = models.CharField(max_length=40, help_text="The incident number in the source.")
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    response_seconds = models.IntegerField(
        null=True, blank=True, help_text="Received to first unit on scene."
    )
    priority = models.SmallIntegerField(null=True, blank=True)
    call_type = models.ForeignKey(
        CallType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_code = models.CharField(max_length=100)
    original_description = models.CharField(max_length=150, blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    original_disposition = models.CharField(max_length=100, blank=True)
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beat_code = models.CharField(max_length=20, blank=True)
    block_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    h3_cell = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="calls_callrecord_once")
        ]
        indexes = [
            models.Index(fields=["received_at"], name="callrecord_received"),
            models.Index(fields=["beat", "received_at"], name="callrecord_beat_received"),
            models.Index(fields=["call_type", "received_at"], name="callrecord_type_received"),
            # The cell first: hot spots count by it, and the calls near a place (casework,
            # outreach) are looked up by the cells around it over a span of dates.
            models.Index(fields=["h3_cell", "received_at"], name="callrecord_h3_received"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"
