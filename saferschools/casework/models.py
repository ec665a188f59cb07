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
