"""The SSP officer's time: what they log (patrols, lessons, advice, meetings, events, training),
the patrols they plan, and the private calendar feed of those plans."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferschools.core.models import School
from saferschools.incidents.models import Place

MINUTES_MIN = 1
MINUTES_MAX = 720
NOTE_MAX = 2000
# Monday to Friday, as Python numbers them (Monday is 0).
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ALL_WEEKDAYS = (1 << len(WEEKDAY_NAMES)) - 1


class ActivityKind(models.TextChoices):
    """What an officer spends time on, after the guidance's table of activities (1.11)."""

    PATROL = "patrol", "Patrol"
    LESSON = "lesson", "Lesson"
    ONE_TO_ONE = "one_to_one", "One-to-one advice"
    MEETING = "meeting", "Meeting"
    EVENT = "event", "Event or extra-curricular activity"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class ActivityDetail(models.TextChoices):
    """The kind of patrol, lesson or meeting, when the officer says."""

    START_OF_DAY = "start_of_day", "Start of the school day"
    END_OF_DAY = "end_of_day", "End of the school day"
    TRUANCY = "truancy", "Truancy"
    TRAVEL_ROUTES = "travel_routes", "Travel routes"
    PSHE = "pshe", "PSHE"
    CITIZENSHIP = "citizenship", "Citizenship"
    SCHOOL_MANAGEMENT = "school_management", "School management"
    MULTI_AGENCY = "multi_agency", "Multi-agency"
    NEIGHBOURHOOD_TEAM = "neighbourhood_team", "Neighbourhood team"


# Which details each kind may have; the other kinds have none.
KIND_DETAILS: dict[str, tuple[str, ...]] = {
    ActivityKind.PATROL: (
        ActivityDetail.START_OF_DAY,
        ActivityDetail.END_OF_DAY,
        ActivityDetail.TRUANCY,
        ActivityDetail.TRAVEL_ROUTES,
    ),
    ActivityKind.LESSON: (ActivityDetail.PSHE, ActivityDetail.CITIZENSHIP),
    ActivityKind.MEETING: (
        ActivityDetail.SCHOOL_MANAGEMENT,
        ActivityDetail.MULTI_AGENCY,
        ActivityDetail.NEIGHBOURHOOD_TEAM,
    ),
}


def in_sentence(label: str) -> str:
    """A label as it reads after a colon: "Start of the school day" becomes "start of the
    school day"; an abbreviation such as "PSHE" stays as it is."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _detail_fits_kind() -> models.Q:
    condition = models.Q(detail="")
    for kind, details in KIND_DETAILS.items():
        condition |= models.Q(kind=kind, detail__in=[str(d) for d in details])
    return condition


class Activity(models.Model):
    """Time an officer spent at one of the schools they are deployed to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    detail = models.CharField(max_length=30, choices=ActivityDetail.choices, blank=True)
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MINUTES_MIN), MaxValueValidator(MINUTES_MAX)]
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["officer", "started_at"], name="activity_officer_time_idx"),
            models.Index(fields=["school", "started_at"], name="activity_school_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=MINUTES_MIN) & models.Q(minutes__lte=MINUTES_MAX),
                name="activity_minutes_in_range",
            ),
            models.CheckConstraint(condition=_detail_fits_kind(), name="activity_detail_fits_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.school_id} ({self.minutes} min)"

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(minutes=self.minutes)

    @property
    def what(self) -> str:
        """The kind, with its detail when there is one: "Patrol: start of the school day"."""
        if not self.detail:
            return self.get_kind_display()
        return f"{self.get_kind_display()}: {in_sentence(self.get_detail_display())}"


class PatrolPlan(models.Model):
    """A patrol an officer means to make on some weekdays, in a time window, between two dates.

    Its occurrences fall on school days only (see ``lib.schooldays``); times are Europe/London
    wall-clock times, so a patrol at 08:15 stays at 08:15 across the change of the clocks.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrol_plans"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="patrol_plans")
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="patrol_plans"
    )
    # Bit n set: the patrol is made on weekday n (Monday is 0).
    weekdays = models.PositiveSmallIntegerField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school__name", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekdays__gte=1) & models.Q(weekdays__lte=ALL_WEEKDAYS),
                name="patrol_plan_weekdays_mon_to_fri",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="patrol_plan_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="patrol_plan_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"Patrol plan {self.id}"

    @property
    def weekday_numbers(self) -> list[int]:
        return [day for day in range(len(WEEKDAY_NAMES)) if self.weekdays & (1 << day)]

    @property
    def weekday_names(self) -> list[str]:
        return [WEEKDAY_NAMES[day] for day in self.weekday_numbers]

    @property
    def weekday_text(self) -> str:
        """The days as people say them: "Monday to Friday", "Wednesday", "Monday, Thursday"."""
        names = self.weekday_names
        return "Monday to Friday" if len(names) == len(WEEKDAY_NAMES) else ", ".join(names)

    @property
    def minutes(self) -> int:
        start = self.starts_at.hour * 60 + self.starts_at.minute
        return self.ends_at.hour * 60 + self.ends_at.minute - start


class CalendarFeed(models.Model):
    """An officer's private calendar address. Only a hash of its secret is stored; the secret
    is shown once, when the address is made. An officer has at most one working address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_working_per_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed {self.id}"
