"""Incidents on the school site, on journeys, in the neighbourhood and online; the parties to
them; and the places a school keeps for recording and hotspots."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferschools.casework.models import Pupil
from saferschools.core.models import School
from saferschools.reporting.models import Category as ReportCategory
from saferschools.reporting.models import Report

DESCRIPTION_MAX = 5000


class LocationKind(models.TextChoices):
    ON_SITE = "on_site", "On the school site"
    JOURNEY = "journey", "On the journey to or from school"
    NEIGHBOURHOOD = "neighbourhood", "In the neighbourhood"
    ONLINE = "online", "Online"


class PlaceKind(models.TextChoices):
    SITE_ZONE = "site_zone", "Zone of the school site"
    TRAVEL_ROUTE = "travel_route", "Travel route"
    STOP = "stop", "Bus or train stop"
    NEIGHBOURHOOD_POINT = "neighbourhood_point", "Place in the neighbourhood"


# Where each kind of place is, for incidents recorded at it.
PLACE_LOCATION = {
    PlaceKind.SITE_ZONE: LocationKind.ON_SITE,
    PlaceKind.TRAVEL_ROUTE: LocationKind.JOURNEY,
    PlaceKind.STOP: LocationKind.JOURNEY,
    PlaceKind.NEIGHBOURHOOD_POINT: LocationKind.NEIGHBOURHOOD,
}


class IncidentCategory(models.TextChoices):
    """The pupils' reporting categories (an incident often comes from a report), then those
    only staff and officers record."""

    BULLYING = ReportCategory.BULLYING.value, ReportCategory.BULLYING.label
    ONLINE_BULLYING = ReportCategory.ONLINE_BULLYING.value, ReportCategory.ONLINE_BULLYING.label
    UNSAFE_JOURNEY = ReportCategory.UNSAFE_JOURNEY.value, ReportCategory.UNSAFE_JOURNEY.label
    WEAPONS = ReportCategory.WEAPONS.value, ReportCategory.WEAPONS.label
    DRUGS_ALCOHOL = ReportCategory.DRUGS_ALCOHOL.value, ReportCategory.DRUGS_ALCOHOL.label
    GANGS = ReportCategory.GANGS.value, ReportCategory.GANGS.label
    THEFT_DAMAGE = ReportCategory.THEFT_DAMAGE.value, ReportCategory.THEFT_DAMAGE.label
    HATE = ReportCategory.HATE.value, ReportCategory.HATE.label
    SEXUAL_ABUSE = ReportCategory.SEXUAL_ABUSE.value, ReportCategory.SEXUAL_ABUSE.label
    EXPLOITATION = ReportCategory.EXPLOITATION.value, ReportCategory.EXPLOITATION.label
    RADICALISATION = ReportCategory.RADICALISATION.value, ReportCategory.RADICALISATION.label
    HOME = ReportCategory.HOME.value, ReportCategory.HOME.label
    SELF_HARM = ReportCategory.SELF_HARM.value, ReportCategory.SELF_HARM.label
    ASSAULT = "assault", "Assault"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    THEFT = "theft", "Theft"
    INTRUDER = "intruder", "Intruder or abusive adult"
    ANTI_SOCIAL_BEHAVIOUR = "anti_social_behaviour", "Anti-social behaviour"
    WEAPON_FOUND = "weapon_found", "Weapon found"
    MISSING_FROM_SCHOOL = "missing_from_school", "Missing from school"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class PartyRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Perpetrator"
    WITNESS = "witness", "Witness"
    OTHER = "other", "Other"


class PoliceAction(models.TextChoices):
    NONE = "none", "None"
    WORDS_OF_ADVICE = "words_of_advice", "Words of advice"
    COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
    ARREST = "arrest", "Arrest"
    OTHER = "other", "Other"


class Place(models.Model):
    """A named place a school records incidents at: a zone of its site, a route, a stop or a
    point in the neighbourhood; optionally with coordinates and a pin on the site plan."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="places")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=PlaceKind.choices)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(49.0), MaxValueValidator(61.0)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-9.0), MaxValueValidator(2.5)]
    )
    # Where the place is pinned on the school's site plan, in per cent of its width and height.
    plan_x = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    plan_y = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="place_name_unique"),
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="place_coordinates_both_or_neither",
            ),
            models.CheckConstraint(
                condition=(models.Q(plan_x__isnull=True) & models.Q(plan_y__isnull=True))
                | (models.Q(plan_x__isnull=False) & models.Q(plan_y__isnull=False)),
                name="place_plan_pin_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def location_kind(self) -> str:
        return PLACE_LOCATION[PlaceKind(self.kind)]


class Incident(models.Model):
    """Something that happened, as a member of staff or an officer recorded it. Every change
    keeps the version before it (``IncidentRevision``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_incidents"
    )
    location_kind = models.CharField(max_length=20, choices=LocationKind.choices)
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    category = models.CharField(max_length=30, choices=IncidentCategory.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    flagged_critical = models.BooleanField(
        default=False, help_text="Critical whatever its severity: alerts at once."
    )
    description = models.TextField(max_length=DESCRIPTION_MAX)
    restorative_approach = models.BooleanField(default=False)
    restorative_outcome = models.CharField(max_length=500, blank=True)
    sanction = models.CharField(max_length=500, blank=True)
    advice = models.CharField(max_length=500, blank=True)
    referral = models.CharField(max_length=500, blank=True)
    police_action = models.CharField(
        max_length=30, choices=PoliceAction.choices, default=PoliceAction.NONE
    )
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["school", "-occurred_at"], name="incident_school_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_at__lte=models.F("recorded_at")),
                name="incident_not_recorded_before_it_happened",
            ),
        ]

    def __str__(self) -> str:
        return f"Incident {self.id}"

    @property
    def critical(self) -> bool:
        return self.severity == Severity.CRITICAL or self.flagged_critical

    @property
    def reference(self) -> str:
        return str(self.id).split("-")[0].upper()


class IncidentParty(models.Model):
    """Someone involved in an incident: a pupil of the school's register, or an outside person
    described in words."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="incident_parts"
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(pupil__isnull=False) & models.Q(description=""))
                | (models.Q(pupil__isnull=True) & ~models.Q(description="")),
                name="party_is_a_pupil_or_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.incident_id}"


class IncidentRevision(models.Model):
    """An incident as it was before a change: its fields and parties, and who changed it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["incident", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "version"], name="incident_revision_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.version} of {self.incident_id}"
