"""Street-level crime as data.police.uk publishes it, one force and month at a time."""

from django.db import models


class CrimeMonth(models.Model):
    """One force's published month, as imported: re-importing it replaces its crimes."""

    force = models.CharField(max_length=120, help_text="'Reported by' in the file")
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
    crime_id = models.CharField(max_length=64, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    easting = models.IntegerField(null=True, blank=True)
    northing = models.IntegerField(null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=120, blank=True)
    crime_type = models.CharField(max_length=80)
    last_outcome = models.CharField(max_length=160, blank=True)
    context = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["month", "easting", "northing"], name="crime_month_grid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type} {self.month:%Y-%m}"
