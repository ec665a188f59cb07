"""Street-level crime as data.police.uk publishes it, one force and month at a time, and each
area's setting for counting it near schools."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferschools.core.models import Area
from saferschools.lib.police import (
    CRIME_ID_MAX,
    CRIME_TYPE_MAX,
    FORCE_MAX,
    LOCATION_MAX,
    LSOA_CODE_MAX,
    LSOA_NAME_MAX,
    OUTCOME_MAX,
)

RADIUS_DEFAULT_M = 500
RADIUS_MIN_M = 50
RADIUS_MAX_M = 5000


class CrimeMonth(models.Model):
    """One force's published month, as imported: re-importing it replaces its crimes."""

    force = models.CharField(max_length=FORCE_MAX, help_text="'Reported by' in the file")
    month = models.DateField(help_text="The first day of the month")
    crimes = models.PositiveIntegerField(default=0)
    without_location = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "force"]
        constraints = [
            models.UniqueConstraint(fields=["force", "month"], name="crime_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.force} {self.month:%Y-%m}"


class PoliceCrime(models.Model):
    """One row of a street-level crime file. Its position is kept as published (WGS84) and on
    the British National Grid, where distances to schools are measured in metres."""

    batch = models.ForeignKey(CrimeMonth, on_delete=models.CASCADE, related_name="rows")
    month = models.DateField()
    crime_id = models.CharField(max_length=CRIME_ID_MAX, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    easting = models.IntegerField(null=True, blank=True)
    northing = models.IntegerField(null=True, blank=True)
    location = models.CharField(max_length=LOCATION_MAX, blank=True)
    lsoa_code = models.CharField(max_length=LSOA_CODE_MAX, blank=True)
    lsoa_name = models.CharField(max_length=LSOA_NAME_MAX, blank=True)
    crime_type = models.CharField(max_length=CRIME_TYPE_MAX)
    last_outcome = models.CharField(max_length=OUTCOME_MAX, blank=True)
    context = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["month", "easting", "northing"], name="crime_month_grid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type} {self.month:%Y-%m}"


class CrimeSettings(models.Model):
    """How an area counts crime near its schools: within what radius, and which police force's
    imported months are its own (the latest of them is shown when no month is asked for)."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="crime_settings")
    radius_m = models.PositiveIntegerField(
        "radius in metres",
        default=RADIUS_DEFAULT_M,
        validators=[MinValueValidator(RADIUS_MIN_M), MaxValueValidator(RADIUS_MAX_M)],
    )
    force = models.CharField(
        max_length=FORCE_MAX,
        blank=True,
        help_text="The force as data.police.uk names it ('Reported by'); empty: the names of "
        "the area's police force agencies",
    )

    class Meta:
        verbose_name_plural = "crime settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(radius_m__gte=RADIUS_MIN_M)
                & models.Q(radius_m__lte=RADIUS_MAX_M),
                name="crime_radius_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Crime settings of {self.area}"
