"""The partnership's life in its first three stages (section 3 of the guidance).

Stage 1: each school's needs assessment, requests that a school consider a partnership, and the
weights an area uses to rank its schools. Stage 2: the partnership's aims and desired outcomes,
its protocol (versioned, with each partner's sign-off) and its steering group. Stage 3: the
work-plan of each year, with outcomes, partner roles, agreed actions and targets.

None of it is about a pupil; a request holds the name and contact of the person who asked, which
only the school's leaders see.
"""

import uuid

from django.db import models

from saferschools.core.models import Agency, Area, Partnership, School
from saferschools.sharing.models import InformationSharingAgreement

# Stage 1 ----------------------------------------------------------------------------------------


class Concern(models.TextChoices):
    """The issues the guidance names that a partnership can help with (section 1.7, 3.2)."""

    BULLYING = "bullying", "Bullying, including of particular groups"
    WEAPONS = "weapons", "Weapons"
    GANGS = "gangs", "Gang culture and group offending"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol misuse"
    EXTREMISM = "extremism", "Violent extremism"
    GROUP_TENSION = "group_tension", "Tension between groups (racial tension, homophobia)"
    TRANSITION = "transition", "Challenging pupils moving between schools"
    TRAVEL_ROUTES = "travel_routes", "Safety on travel routes to and from school"


class NeedsAssessment(models.Model):
    """A school's analysis of needs: the concerns found, the views gathered and the narrative.

    The evidence (published indicators, crime near the school, the school's own reports and
    incidents, requests) is read live beside it, never copied in.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="needs_assessment")
    concerns = models.JSONField(default=list, blank=True)
    other_concerns = models.TextField(blank=True)
    staff_views = models.TextField("views of staff", blank=True)
    pupil_views = models.TextField("views of pupils", blank=True)
    parent_views = models.TextField("views of parents and carers", blank=True)
    governor_views = models.TextField("views of governors", blank=True)
    narrative = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Needs assessment {self.id}"


class SspRequest(models.Model):
    """A request from a parent, governor or member of staff that the school consider setting up
    a Safer School Partnership (the Youth Crime Action Plan gives parents that right)."""

    class Requester(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        GOVERNOR = "governor", "Governor"
        STAFF = "staff", "Member of staff"
        PUPIL = "pupil", "Pupil"
        OTHER = "other", "Someone else in the community"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting a response"
        ANSWERED = "answered", "Answered"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="ssp_requests")
    requester = models.CharField(max_length=20, choices=Requester.choices)
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=254, blank=True)
    reason = models.TextField(max_length=5000)
    received_on = models.DateField()
    # Null when the request came through the school's public page.
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]
        verbose_name = "SSP request"

    def __str__(self) -> str:
        return f"SSP request {self.id}"


class PriorityWeighting(models.Model):
    """The weights one user last saved for ranking an area's schools, by indicator code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    weights = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "user"], name="priority_weighting_once")
        ]

    def __str__(self) -> str:
        return f"Weights {self.id}"


# Stage 2 ----------------------------------------------------------------------------------------


class CoreAim(models.TextChoices):
    """The seven core aims every partnership works to (section 1.1)."""

    SAFETY = "safety", "The safety of pupils, staff and the school site and surrounding area"
    VICTIMS = (
        "victims",
        (
            "Help for young people at risk of becoming victims of crime, bullying or intimidation, "
            "and support for those who do"
        ),
    )
    ENFORCEMENT = (
        "enforcement",
        ("Focused enforcement, so that those who offend face the consequences"),
    )
    EARLY_IDENTIFICATION = (
        "early_identification",
        (
            "Early identification, support and where necessary challenge of pupils involved in or "
            "at risk of offending"
        ),
    )
    BEHAVIOUR_ATTENDANCE = (
        "behaviour_attendance",
        ("Improved standards of pupil behaviour and attendance, and less need for exclusions"),
    )
    RELATIONS = (
        "relations",
        ("More positive relations between young people and the police and the wider community"),
    )
    BEYOND_SITE = (
        "beyond_site",
        (
            "Effective approaches to issues beyond the school site that affect pupils' safety and "
            "behaviour"
        ),
    )


class PartnershipAim(models.Model):
    """A core aim the partnership takes on, with the outcomes it wants from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="aims")
    aim = models.CharField(max_length=30, choices=CoreAim.choices)
    chosen_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "aim"], name="partnership_aim_once")
        ]

    def __str__(self) -> str:
        return self.get_aim_display()


class DesiredOutcome(models.Model):
    """An outcome the partnership wants under one of its aims (the table in 1.11 or its own)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    aim = models.ForeignKey(PartnershipAim, on_delete=models.CASCADE, related_name="outcomes")
    text = models.CharField(max_length=500)
    from_guidance = models.BooleanField(default=False)

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(fields=["aim", "text"], name="desired_outcome_once_per_aim")
        ]

    def __str__(self) -> str:
        return self.text


class Protocol(models.Model):
    """One version of the partnership's protocol: its working arrangements as agreed.

    Each change makes a new version; partners sign a version, and the protocol is in force when
    every partner has signed the latest one.
    """

    class Deployment(models.TextChoices):
        FULL_TIME = "full_time", "Full time"
        PART_TIME = "part_time", "Part time"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="protocols")
    version = models.PositiveIntegerField()
    purpose = models.TextField()
    line_management = models.TextField()
    deployment = models.CharField(max_length=20, choices=Deployment.choices)
    days_per_school = models.TextField("days in each school", blank=True)
    room_and_equipment = models.TextField(blank=True)
    resources_and_funding = models.TextField()
    communication = models.TextField("communication to parents and the community")
    governance = models.TextField("governance and accountability")
    sharing_agreement = models.ForeignKey(
        InformationSharingAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_on = models.DateField()
    change_note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "version"], name="protocol_version_once")
        ]

    def __str__(self) -> str:
        return f"Protocol v{self.version}"


class ProtocolPartner(models.Model):
    """A partner to one version of the protocol: an agency, or one of the partnership's schools,
    with what it brings (its letter) and its roles and responsibilities."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="partners")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    brings = models.TextField("what it brings")
    responsibilities = models.TextField("roles and responsibilities")
    signed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) ^ models.Q(school__isnull=False),
                name="protocol_partner_agency_or_school",
            ),
            models.UniqueConstraint(
                fields=["protocol", "agency"], name="protocol_partner_agency_once"
            ),
            models.UniqueConstraint(
                fields=["protocol", "school"], name="protocol_partner_school_once"
            ),
            models.CheckConstraint(
                condition=models.Q(signed_by__isnull=True, signed_at__isnull=True)
                | models.Q(signed_by__isnull=False, signed_at__isnull=False),
                name="protocol_partner_signed_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Protocol partner {self.id}"

    @property
    def name(self) -> str:
        return self.agency.name if self.agency_id else self.school.name  # type: ignore[union-attr]


class SteeringMember(models.Model):
    """A member of the partnership's steering group. A pupil representative is described, not
    named (for example "Year 10 representative")."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "School"
        POLICE = "police", "Police"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        YOUTH_OFFENDING_TEAM = "youth_offending_team", "Youth offending team"
        OTHER_AGENCY = "other_agency", "Other agency"
        PUPIL = "pupil", "Pupil representative"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="steering_members"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField("role on the group", max_length=200, blank=True)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class SteeringMeeting(models.Model):
    """A meeting of the steering group: agenda, minutes, decisions and actions. It records no
    pupil's personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="steering_meetings"
    )
    held_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField()
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    attendees = models.ManyToManyField(SteeringMember, blank=True, related_name="meetings")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"Steering meeting {self.id}"


class SteeringAction(models.Model):
    """An action the steering group agreed, with its owner and due date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(SteeringMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(owner_name=""),
                name="steering_action_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Steering action {self.id}"


# Stage 3 ----------------------------------------------------------------------------------------


class Workplan(models.Model):
    """The partnership's work-plan for one academic year (``year`` 2026 is 2026/27)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="workplans")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    agreed_on = models.DateField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the plan was last changed after it was agreed; cleared when it is agreed again.
    changed_since_agreed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="workplan_once_per_year"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="workplan_year_sensible"
            ),
        ]

    def __str__(self) -> str:
        return f"Work-plan {self.year_label}"

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


class WorkplanOutcome(models.Model):
    """An outcome chosen and agreed by the partnership, tied to one of the core aims."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="outcomes")
    aim = models.CharField(max_length=30, choices=CoreAim.choices)
    text = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "text"]

    def __str__(self) -> str:
        return self.text


class PartnerRole(models.Model):
    """What one partner does towards an outcome ("For police and education social worker")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    outcome = models.ForeignKey(
        WorkplanOutcome, on_delete=models.CASCADE, related_name="partner_roles"
    )
    partner = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.TextField(max_length=2000)

    class Meta:
        ordering = ["partner"]

    def __str__(self) -> str:
        return self.partner


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class WorkplanAction(models.Model):
    """An agreed action: what, who, by when, its status and its progress notes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    outcome = models.ForeignKey(WorkplanOutcome, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "description"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(owner_name=""),
                name="workplan_action_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.description


class ActionProgress(models.Model):
    """A progress note on an action, with the status it set. Kept, never changed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(WorkplanAction, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(max_length=2000, blank=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Progress {self.id}"


class Target(models.Model):
    """A target for an outcome: an indicator, its baseline, and the value to reach by a date.

    ``indicator`` is one of the catalogue's codes (``outcomes.Indicator``); when it is empty the
    target measures something the product cannot see ("persistent absence among 10 priority
    families") and its progress is recorded by hand (``TargetMeasurement``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    outcome = models.ForeignKey(WorkplanOutcome, on_delete=models.CASCADE, related_name="targets")
    description = models.CharField(max_length=500)
    indicator = models.ForeignKey(
        "outcomes.Indicator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measure = models.CharField("what is measured", max_length=200, blank=True)
    baseline = models.DecimalField(max_digits=12, decimal_places=3)
    baseline_on = models.DateField("baseline date")
    target_value = models.DecimalField(max_digits=12, decimal_places=3)
    target_on = models.DateField("target date")

    class Meta:
        ordering = ["target_on", "description"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_on__gt=models.F("baseline_on")),
                name="target_date_after_baseline",
            ),
            models.CheckConstraint(
                condition=models.Q(indicator__isnull=False) | ~models.Q(measure=""),
                name="target_has_indicator_or_measure",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class TargetMeasurement(models.Model):
    """A value of a hand-measured target, as a partner recorded it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=3)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measured_on"]

    def __str__(self) -> str:
        return f"Measurement {self.id}"
