"""Pupils: the least data that lets a school's records name the right child."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from saferschools.core.models import School

# A DfE unique pupil number: a check letter, the LA and establishment numbers, the year and a
# serial, thirteen characters in all; a temporary UPN ends in a letter.
UPN_VALIDATOR = RegexValidator(
    r"^[A-Z][0-9]{11}[0-9A-Z]$",
    "A unique pupil number is a capital letter, 11 digits and a final digit or capital letter.",
)

# National curriculum years: nursery (-1) and reception (0) to year 14 (post-16 in special schools).
YEAR_GROUP_MIN = -1
YEAR_GROUP_MAX = 14


def year_group_label(year_group: int | None) -> str:
    if year_group is None:
        return ""
    if year_group == -1:
        return "Nursery"
    if year_group == 0:
        return "Reception"
    return f"Year {year_group}"


class Pupil(models.Model):
    """A pupil of one school, as the school's information system exports them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    school_pupil_id = models.CharField(
        "school's pupil id",
        max_length=40,
        help_text="The school's own identifier, such as the admission number.",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    year_group = models.SmallIntegerField(
        validators=[MinValueValidator(YEAR_GROUP_MIN), MaxValueValidator(YEAR_GROUP_MAX)]
    )
    upn = models.CharField("UPN", max_length=13, blank=True, validators=[UPN_VALIDATOR])
    on_roll = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_pupil_id"], name="pupil_school_id_unique"
            ),
            models.UniqueConstraint(
                fields=["school", "upn"], condition=~models.Q(upn=""), name="pupil_upn_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(year_group__gte=YEAR_GROUP_MIN, year_group__lte=YEAR_GROUP_MAX),
                name="pupil_year_group_range",
            ),
        ]

    def __str__(self) -> str:
        # Pupils are referred to by id in logs and errors; only pages show names.
        return f"Pupil {self.id}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def year_group_label(self) -> str:
        return year_group_label(self.year_group)


# Risk factors and assessments (section 4.17) ----------------------------------------------------


class RiskDomain(models.TextChoices):
    COMMUNITY = "community", "Community"
    FAMILY = "family", "Family"
    INDIVIDUAL = "individual", "Individual"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class RiskFactor(models.Model):
    """One factor of the catalogue: the guidance's own (no area) or one an area adds.

    A ``serious`` factor (a known gang member, say) makes an assessment high on its own.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="risk_factors"
    )
    code = models.SlugField(max_length=60)
    domain = models.CharField(max_length=20, choices=RiskDomain.choices)
    name = models.CharField(max_length=200)
    serious = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(area__isnull=True), name="risk_factor_code"
            ),
            models.UniqueConstraint(fields=["area", "code"], name="risk_factor_area_code"),
        ]

    def __str__(self) -> str:
        return self.name


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RiskAssessment(models.Model):
    """An assessment of a pupil's risk factors at one moment; a reassessment is a new row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="risk_assessments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    assessed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    # Why the level is what it is, in words, as it was worked out when assessed.
    level_reason = models.CharField(max_length=500)
    notes = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_at"]

    def __str__(self) -> str:
        return f"Risk assessment {self.id}"


class RiskAssessmentFactor(models.Model):
    """A factor found present, with the evidence for it and where the evidence came from."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="factors")
    factor = models.ForeignKey(RiskFactor, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField()
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "factor"], name="risk_assessment_factor_once"
            )
        ]

    def __str__(self) -> str:
        return f"Risk factor {self.factor_id} of {self.assessment_id}"


# Early-intervention plans ------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    CLOSED = "closed", "Closed"


class Plan(models.Model):
    """An early-intervention plan (a case) for one pupil, led by one professional."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="plans")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    lead_professional = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    concerns = models.TextField()
    goals = models.TextField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    outcome = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="plan_closed_with_outcome",
            ),
            # One plan at a time: the service checks under a lock; this holds it everywhere.
            models.UniqueConstraint(
                fields=["pupil"],
                condition=~models.Q(status="closed"),
                name="plan_one_open_per_pupil",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.id}"


class PlanAction(models.Model):
    """An agreed action of a plan: what, whose, by when. The owner is a user of the product or
    someone named from outside it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(owner_name=""),
                name="plan_action_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Plan action {self.id}"


class PlanReview(models.Model):
    """A review of a plan held on a day, with what was found and when the next one is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    notes = models.TextField()
    reviewed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    next_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"Plan review {self.id}"


# Referrals ----------------------------------------------------------------------------------------


class ReferralService(models.TextChoices):
    YOUTH_OFFENDING_TEAM = "youth_offending_team", "Youth offending team"
    CAMHS = "camhs", "CAMHS"
    SOCIAL_CARE = "social_care", "Children's social care or early help"
    EDUCATION_WELFARE = "education_welfare", "Education welfare"
    TARGETED_YOUTH_SUPPORT = "targeted_youth_support", "Targeted youth support"
    PARENTING = "parenting_programme", "Parenting programme"
    FIRE = "fire_service", "Fire service"
    VOLUNTARY = "voluntary_services", "Voluntary services"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"


class Referral(models.Model):
    """A referral of a pupil to an agency's service; what it shared is a sharing decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="referrals")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(max_length=40, choices=ReferralService.choices)
    reason = models.TextField()
    sharing_decision = models.ForeignKey(
        "sharing.SharingDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    outcome = models.TextField(blank=True)
    referred_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-referred_at"]

    def __str__(self) -> str:
        return f"Referral {self.id}"


class ReferralUpdate(models.Model):
    """A change of a referral's status, kept for its history and the pupil's chronology."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    outcome = models.TextField(blank=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"Referral update {self.id}"


# Multi-agency meetings ----------------------------------------------------------------------------


class Meeting(models.Model):
    """A multi-agency meeting convened by a school about pupils at risk.

    The meeting (attendees, decisions, actions) is seen by the school's case workers and by its
    attendees; what was said about each pupil is seen only by those who may see that pupil's
    casework.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    held_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    decisions = models.TextField(blank=True)
    attendees = models.ManyToManyField(
        "accounts.User", blank=True, related_name="casework_meetings"
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"Meeting {self.id}"


class MeetingGuest(models.Model):
    """Someone at a meeting who is not a user of the product, named with their agency."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"Meeting guest {self.pk}"


class MeetingPupil(models.Model):
    """A pupil discussed at a meeting, with a short note seen only by those who may see the
    pupil's casework."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pupils_discussed")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="meetings_discussed")
    note = models.TextField(max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "pupil"], name="meeting_pupil_once")
        ]

    def __str__(self) -> str:
        return f"Pupil discussed {self.id}"


class MeetingAction(models.Model):
    """An action agreed at a meeting, with its owner and due date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(owner_name=""),
                name="meeting_action_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Meeting action {self.id}"


# Moving school ------------------------------------------------------------------------------------


class TransferReason(models.TextChoices):
    MANAGED_MOVE = "managed_move", "Managed move"
    AFTER_EXCLUSION = "after_exclusion", "Transfer after a permanent exclusion"
    OTHER = "other", "Other move between schools"


class TransferStatus(models.TextChoices):
    SENT = "sent", "Sent, awaiting confirmation"
    CONFIRMED = "confirmed", "Receipt confirmed"
    EXPORTED = "exported", "Exported as a sealed PDF"


class PupilTransfer(models.Model):
    """A pupil's safeguarding record sent to the school they move to.

    ``record`` is the record as it stood when sent (chronology, assessments, open plan), so the
    receiving school reads what the sending school knew. Until receipt is confirmed the sending
    school's access to the pupil is read-only.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="transfers")
    from_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_school_name = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=20, choices=TransferReason.choices)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=TransferStatus.choices)
    record = models.JSONField(default=dict)
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    received_pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in"
    )
    chased_at = models.DateTimeField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_school__isnull=False) | ~models.Q(to_school_name=""),
                name="transfer_has_destination",
            )
        ]

    def __str__(self) -> str:
        return f"Transfer {self.id}"
