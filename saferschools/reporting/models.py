"""Pupils' confidential reports, their timelines and photos, and each area's safety advice.

A report names its pupil only if the pupil chose to give a name. Nothing here holds a pupil's
network address, browser or device: the reporting pages never record them.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferschools.casework.models import YEAR_GROUP_MAX, YEAR_GROUP_MIN, Pupil
from saferschools.core.models import Area, School

DESCRIPTION_MAX = 5000
MESSAGE_MAX = 2000
OCCURRED_MAX = 100
NAME_MAX = 100


class Category(models.TextChoices):
    BULLYING = "bullying", "Bullying (in person)"
    ONLINE_BULLYING = "online_bullying", "Online bullying"
    UNSAFE_JOURNEY = "unsafe_journey", "Feeling unsafe on the way to or from school"
    WEAPONS = "weapons", "Weapons or knives"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs or alcohol"
    GANGS = "gangs", "Gangs or being pressured into crime"
    THEFT_DAMAGE = "theft_damage", "Theft or damage"
    HATE = "hate", "Hate or prejudice (racism, homophobia, faith)"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual harassment or abuse"
    EXPLOITATION = "exploitation", "Exploitation or grooming"
    RADICALISATION = "radicalisation", "Radicalisation or extremism"
    HOME = "home", "Something at home"
    SELF_HARM = "self_harm", "Self-harm or thoughts of suicide"
    OTHER = "other", "Something else"


# Reports in these categories are urgent whatever they say, and the pupil sees emergency help
# before sending one.
URGENT_CATEGORIES = frozenset(
    {Category.WEAPONS, Category.SEXUAL_ABUSE, Category.EXPLOITATION, Category.SELF_HARM}
)


class Location(models.TextChoices):
    ON_SITE = "on_site", "At school"
    JOURNEY = "journey", "On the way to or from school"
    ONLINE = "online", "Online"
    ELSEWHERE = "elsewhere", "Somewhere else"


class About(models.TextChoices):
    SELF = "self", "It happened to me"
    SOMEONE_ELSE = "someone_else", "It happened to someone else"


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed"


# What the pupil is told of each status: plain words, nothing of the school's handling.
PUPIL_STATUS = {
    Status.NEW: ("received", "Received"),
    Status.ACKNOWLEDGED: ("in_progress", "Being looked at"),
    Status.CLOSED: ("closed", "Closed"),
}


class Outcome(models.TextChoices):
    ADVICE_GIVEN = "advice_given", "Advice given"
    RESOLVED_IN_SCHOOL = "resolved_in_school", "Resolved in school"
    REFERRED = "referred", "Referred to an agency"
    POLICE_ACTION = "police_action", "Police action"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class UrgentReason(models.TextChoices):
    IN_DANGER = "in_danger", "Someone is in danger now"
    CATEGORY = "category", "Serious category"
    CUE_WORDS = "cue_words", "Words that call for urgent attention"


class Report(models.Model):
    """A pupil's report to their school. It is received, acknowledged and closed with an
    outcome; ``due_at`` is when the school must have acknowledged it, ``outcome_due_at`` when
    it must have an outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="reports")
    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField(max_length=DESCRIPTION_MAX)
    location = models.CharField(max_length=20, choices=Location.choices)
    occurred = models.CharField(max_length=OCCURRED_MAX, blank=True)
    about = models.CharField(max_length=20, choices=About.choices)
    in_danger = models.BooleanField()
    anonymous = models.BooleanField(default=True)
    pupil_name = models.CharField(max_length=NAME_MAX, blank=True)
    year_group = models.SmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(YEAR_GROUP_MIN), MaxValueValidator(YEAR_GROUP_MAX)],
    )

    urgent = models.BooleanField(default=False)
    urgent_reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    outcome_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    # The school has not yet opened the report since the pupil last wrote.
    unread_by_school = models.BooleanField(default=True)
    # HMAC of the receipt code under a server-side key: the code itself is never stored.
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["school", "status", "-received_at"], name="report_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymous=True, pupil_name="", year_group__isnull=True)
                | models.Q(anonymous=False),
                name="report_anonymous_has_no_name",
            ),
            models.CheckConstraint(
                condition=models.Q(status="closed", closed_at__isnull=False) & ~models.Q(outcome="")
                | (~models.Q(status="closed") & models.Q(outcome="")),
                name="report_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.id}"

    @property
    def pupil_status(self) -> tuple[str, str]:
        return PUPIL_STATUS[Status(self.status)]

    @property
    def reference(self) -> str:
        """A short reference staff can say aloud; it is not the receipt."""
        return str(self.id).split("-")[0].upper()


class EntryKind(models.TextChoices):
    RECEIVED = "received", "Report received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    PUPIL_MESSAGE = "pupil_message", "Message from the pupil"
    SCHOOL_MESSAGE = "school_message", "Reply to the pupil"
    NOTE = "note", "Internal note"
    PUPIL_LINKED = "pupil_linked", "Linked to a pupil's record"
    PUPIL_UNLINKED = "pupil_unlinked", "Link to a pupil's record removed"
    ESCALATED = "escalated", "Escalated"
    OVERDUE = "overdue", "Overdue"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


# The entries a pupil sees when following up: the conversation, nothing else.
PUPIL_VISIBLE_KINDS = frozenset({EntryKind.PUPIL_MESSAGE, EntryKind.SCHOOL_MESSAGE})


class ReportEntry(models.Model):
    """One step in a report's timeline: a message, a note, or a change of hands or status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A short label such as the outcome or the colleague assigned, as it read at the time.
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=max(MESSAGE_MAX, DESCRIPTION_MAX), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "report entries"
        indexes = [models.Index(fields=["report", "at"], name="report_entry_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report_id}"


class ReportPhoto(models.Model):
    """A photo or screenshot sent with a report, re-encoded without any metadata.

    Kept in the database beside its report, so that it is stored with the report or not at all,
    and served only through the access policy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="report_photo_position"),
        ]

    def __str__(self) -> str:
        return f"Photo {self.position} of {self.report_id}"


ESCALATE_MINUTES_DEFAULT = 15


class ReportingSettings(models.Model):
    """An area's triage settings: the cue words that make a report urgent and how long an
    urgent report may wait for acknowledgement before it is escalated."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="reporting_settings")
    cue_words = models.TextField(
        blank=True, help_text="One word or phrase per line; matched as whole words, any case."
    )
    escalate_after_minutes = models.PositiveSmallIntegerField(
        default=ESCALATE_MINUTES_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "reporting settings"

    def __str__(self) -> str:
        return f"Reporting settings of {self.area}"

    @property
    def cue_word_list(self) -> list[str]:
        return [line.strip() for line in self.cue_words.splitlines() if line.strip()]


class SafetyTopic(models.Model):
    """An area's own advice page for one category, in place of the shipped one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="safety_topics")
    category = models.CharField(max_length=30, choices=Category.choices)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    body = models.TextField(max_length=20000, help_text="Plain text or markdown.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["area", "category"], name="safety_topic_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.area})"
