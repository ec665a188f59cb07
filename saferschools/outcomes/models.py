"""Indicators and their values: figures the Department for Education publishes per school,
deprivation by neighbourhood, and what the product computes from its own records.

Nothing here is personal data: school-level rates as published, and neighbourhood ranks.
"""

import uuid

from django.db import models

from saferschools.core.models import Area, School


class Indicator(models.Model):
    """One measure a partnership may watch, with the direction that counts as better."""

    class Unit(models.TextChoices):
        PERCENT = "percent", "Per cent"
        PER_100_PUPILS = "per_100", "Per 100 pupils"
        COUNT = "count", "Count"
        HOURS = "hours", "Hours"
        RANK = "rank", "Rank"

    class Level(models.TextChoices):
        SCHOOL = "school", "School"
        PARTNERSHIP = "partnership", "Partnership"
        AREA = "area", "Area"

    class Source(models.TextChoices):
        IMPORTED = "imported", "Imported from published or partner data"
        SURVEYED = "surveyed", "Pupil perception survey"
        COMPUTED = "computed", "Computed from the product's own records"

    code = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    lower_is_better = models.BooleanField(default=True)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.SCHOOL)
    source = models.CharField(max_length=20, choices=Source.choices)
    national_indicator = models.CharField(
        "national indicator", max_length=40, blank=True, help_text="For example, NI 87"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IndicatorImport(models.Model):
    """One file of published figures brought in: what layout it had and what it gave."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    layout = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    periods = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.layout})"


class IndicatorValue(models.Model):
    """An indicator's value for one school (or area) and one period.

    A value the publisher suppressed is kept as ``suppressed`` with no number, so that pages say
    "suppressed" rather than "no figure".
    """

    id = models.BigAutoField(primary_key=True)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="indicator_values"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="indicator_values"
    )
    # An academic year as "2017/18"; ``period_start`` orders periods and places them in time.
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    imported_from = models.ForeignKey(
        IndicatorImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "school", "period"], name="indicator_value_once_per_school"
            ),
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="indicator_value_once_per_area"
            ),
            models.CheckConstraint(
                condition=models.Q(school__isnull=False) ^ models.Q(area__isnull=False),
                name="indicator_value_school_or_area",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed=True, value__isnull=True)
                | models.Q(suppressed=False, value__isnull=False),
                name="indicator_value_number_or_suppressed",
            ),
        ]
        indexes = [models.Index(fields=["school", "indicator", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}"


class LsoaDeprivation(models.Model):
    """The Index of Multiple Deprivation for one neighbourhood (a 2011 LSOA): rank 1 is the most
    deprived in England, decile 1 the most deprived tenth."""

    lsoa_code = models.CharField("LSOA code", max_length=12, primary_key=True)
    lsoa_name = models.CharField(max_length=120)
    district_code = models.CharField(max_length=12)
    district_name = models.CharField(max_length=120)
    imd_rank = models.PositiveIntegerField("IMD rank")
    imd_decile = models.PositiveSmallIntegerField("IMD decile")
    edition = models.CharField(max_length=10, default="2019")

    class Meta:
        ordering = ["lsoa_code"]
        verbose_name = "LSOA deprivation"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="lsoa_deprivation_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(imd_rank__gte=1), name="lsoa_deprivation_rank_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lsoa_code} (decile {self.imd_decile})"
