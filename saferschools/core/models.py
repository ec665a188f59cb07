"""Areas, schools, partnerships, agencies and the audit log.

Nothing here is personal data except the audit log's record of who acted, which never holds
the content of personal data.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Area(models.Model):
    """A local area served together: typically one local authority and its police force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school as the DfE register (Get Information About Schools) describes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    urn = models.PositiveIntegerField("URN", unique=True, help_text="DfE unique reference number")
    name = models.CharField(max_length=200)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="schools")
    phase = models.CharField(max_length=60, blank=True)
    establishment_type = models.CharField(max_length=120, blank=True)
    type_group = models.CharField(max_length=120, blank=True)
    la_code = models.CharField("local authority code", max_length=10, blank=True)
    local_authority = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    lsoa_code = models.CharField("LSOA code", max_length=12, blank=True)
    number_of_pupils = models.PositiveIntegerField(null=True, blank=True)
    low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(easting__isnull=True) & models.Q(northing__isnull=True))
                | (models.Q(easting__isnull=False) & models.Q(northing__isnull=False)),
                name="school_location_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def partnership(self) -> "Partnership | None":
        link = getattr(self, "partnership_link", None)
        return link.partnership if link else None


class Partnership(models.Model):
    """A Safer School Partnership: one school or a cluster, with the police and partners."""

    class Stage(models.IntegerChoices):
        IDENTIFY_NEED = 1, "Stage 1: identify need and mobilise support"
        PRIORITISE = 2, "Stage 2: prioritise objectives and secure commitment"
        IMPLEMENT = 3, "Stage 3: implement the work-plan"
        REVIEW = 4, "Stage 4: review impact and re-prioritise"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="partnerships")
    name = models.CharField(max_length=200)
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.IDENTIFY_NEED)
    started_on = models.DateField(null=True, blank=True)
    schools = models.ManyToManyField(
        School, through="PartnershipSchool", related_name="partnerships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"], name="partnership_name_unique_in_area"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnershipSchool(models.Model):
    """A school's place in a partnership; a school belongs to at most one partnership."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="school_links"
    )
    school = models.OneToOneField(School, on_delete=models.PROTECT, related_name="partnership_link")
    joined_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.school} in {self.partnership}"

    def clean(self) -> None:
        if (
            self.school_id
            and self.partnership_id
            and self.school.area_id != self.partnership.area_id
        ):
            raise ValidationError({"school": "The school is in another area than the partnership."})


class Agency(models.Model):
    """A partner organisation: the police force, the local authority and the other agencies."""

    class Kind(models.TextChoices):
        POLICE_FORCE = "police_force", "Police force"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        YOUTH_OFFENDING_TEAM = "youth_offending_team", "Youth offending team"
        CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        EDUCATION_WELFARE = "education_welfare", "Education welfare"
        HEALTH = "health", "Health"
        FIRE = "fire", "Fire and rescue"
        VOLUNTARY = "voluntary", "Voluntary sector"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="agency_name_unique_in_area"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    SHARE = "share", "Share"
    SIGN_IN = "sign_in", "Sign-in"
    FAILED_SIGN_IN = "failed_sign_in", "Failed sign-in"
    SIGN_OUT = "sign_out", "Sign-out"


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes, so that audit rows cannot be rewritten through the ORM."""

    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One audited event. Rows are only ever appended: see ``core.audit``.

    ``seq`` numbers events 1, 2, 3… with no gaps; ``hash`` covers this event's fields and
    ``prev_hash``, the hash of the event before it, so a changed or removed row breaks the chain.
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(editable=False)
    actor_id = models.UUIDField(null=True, blank=True, editable=False)
    actor_email = models.CharField(max_length=254, blank=True, editable=False)
    action = models.CharField(max_length=20, choices=AuditAction.choices, editable=False)
    object_type = models.CharField(max_length=60, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    source = models.CharField(max_length=120, editable=False)
    detail = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        # Related lookups use the base manager: make it the append-only one too.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class AuditHead(models.Model):
    """The single row that holds the chain's last position and hash.

    Appending locks this row first, so concurrent writers take turns and the chain has no forks.
    """

    id = models.PositiveSmallIntegerField(
        primary_key=True, default=1, validators=[MinValueValidator(1), MaxValueValidator(1)]
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Audit chain head at #{self.seq}"


class Notification(models.Model):
    """Something a user should know about, shown in the product and sent by e-mail.

    A notification says what happened and where, with a link; it never holds the content of a
    report or any personal data, so that an e-mail copy in someone's inbox discloses nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField()
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(default=False)
    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class SchoolHoliday(models.Model):
    """A school holiday of the area (a half term, Christmas, Easter, the summer), from its first
    day to its last, both included. Patrol plans skip these days; reports' due times do not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(max_length=100)
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="school_holiday_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%d %b %Y} to {self.ends_on:%d %b %Y})"
