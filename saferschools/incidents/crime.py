"""Neighbourhood crime: data.police.uk street-level files imported, and counted near schools.

Writes (services): ``crime_month_import``, ``crime_settings_update``.
Reads (selectors): ``crime_settings``, ``crime_forces``, ``crime_months``,
``crime_month_imported``, ``crime_latest_month``, ``crime_nearby``, ``crime_nearby_by_month``, ``crime_nearby_schools``.

Street-level crime is public, published data: nothing here is personal data, so the selectors
take a school the caller has already fetched through the access policy and need no user.
Distances are measured on the British National Grid, in metres, between the school's grid
reference from the DfE register and each crime's published point converted to the grid on import.
A month's count takes every imported force's crimes for that month, so that a school near a
force boundary counts the crimes across it too.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, Area, AuditAction, School
from saferschools.lib.geo import count_near, wgs84_to_bng_many
from saferschools.lib.police import FORCE_MAX, read_street_crime
from saferschools.lib.text import text_clean

from .models.crime import (
    RADIUS_MAX_M,
    RADIUS_MIN_M,
    CrimeMonth,
    CrimeSettings,
    PoliceCrime,
)

# Rows written per INSERT: well under SQLite's limit on variables in one statement.
IMPORT_BATCH = 2000
# The months a school's page shows, newest first.
MONTHS_SHOWN = 3
# The crime types named for each month on the school's page.
TOP_TYPES = 3


# Services


@dataclass(frozen=True)
class CrimeMonthImport:
    """What one file's import did: its force and month, its rows, those without a location, and
    whether it replaced an earlier import of the same force and month."""

    force: str
    month: date
    crimes: int
    without_location: int
    replaced: bool


@transaction.atomic
def crime_month_import(
    *,
    actor: Any,
    file: str | os.PathLike[str] | IO[bytes] | IO[str],
    source: str,
    file_name: str = "",
) -> CrimeMonthImport:
    """Import one data.police.uk street-level file: one force's month.

    The whole file is read and checked first; a bad file raises ``PoliceCrimeError`` or
    ``PoliceFileError`` (each problem with its line number) and nothing changes. Otherwise, in
    one transaction, the force's month is created or, if it was imported before, its crimes are
    replaced: never duplicated. Crimes without coordinates ("No Location") are stored without a
    position and counted in ``without_location``. One audit event records the import.
    """
    street = read_street_crime(file)
    located = [
        (crime.line, crime.longitude, crime.latitude)
        for crime in street.crimes
        if crime.longitude is not None and crime.latitude is not None
    ]
    eastings, northings = wgs84_to_bng_many([p[1] for p in located], [p[2] for p in located])
    # Whole metres on the grid, by the file's line.
    grid: dict[int, tuple[int | None, int | None]] = {
        line: (round(easting), round(northing))
        for (line, _, _), easting, northing in zip(located, eastings, northings, strict=True)
    }
    nowhere = (None, None)

    batch = (
        CrimeMonth.objects.select_for_update()
        .filter(force=street.force, month=street.month)
        .first()
    )
    replaced = batch is not None
    if batch is None:
        batch = CrimeMonth(force=street.force, month=street.month)
    else:
        PoliceCrime.objects.filter(batch=batch).delete()
    batch.crimes = len(street.crimes)
    batch.without_location = street.without_location
    batch.source = os.path.basename(file_name)[:255]
    batch.imported_at = timezone.now()
    batch.save()

    PoliceCrime.objects.bulk_create(
        (
            PoliceCrime(
                batch=batch,
                month=street.month,
                crime_id=crime.crime_id,
                longitude=crime.longitude,
                latitude=crime.latitude,
                easting=grid.get(crime.line, nowhere)[0],
                northing=grid.get(crime.line, nowhere)[1],
                location=crime.location,
                lsoa_code=crime.lsoa_code,
                lsoa_name=crime.lsoa_name,
                crime_type=crime.crime_type,
                last_outcome=crime.last_outcome,
                context=crime.context,
            )
            for crime in street.crimes
        ),
        batch_size=IMPORT_BATCH,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if replaced else AuditAction.CREATE,
        source=source,
        obj=batch,
        detail={
            "force": street.force,
            "month": f"{street.month:%Y-%m}",
            "crimes": batch.crimes,
            "without_location": batch.without_location,
        },
    )
    return CrimeMonthImport(
        force=street.force,
        month=street.month,
        crimes=batch.crimes,
        without_location=batch.without_location,
        replaced=replaced,
    )


@transaction.atomic
def crime_settings_update(
    *, actor: Any, area: Area, radius_m: object, force: object = "", source: str
) -> CrimeSettings:
    """Set the radius (50 to 5,000 metres) within which the area counts crime near its schools,
    and the police force whose imported months are the area's own (empty: the names of the
    area's police force agencies).

    The caller has checked that the actor may change the area. Bad input raises one
    ``ValidationError`` keyed by field and changes nothing; a change writes one audit event.
    """
    errors: dict[str, str] = {}
    if (
        isinstance(radius_m, bool)
        or not isinstance(radius_m, int)
        or not RADIUS_MIN_M <= radius_m <= RADIUS_MAX_M
    ):
        errors["radius_m"] = (
            f"Enter a whole number of metres from {RADIUS_MIN_M} to {RADIUS_MAX_M:,}"
        )
    try:
        force = " ".join(
            text_clean(force, field="force", max_length=FORCE_MAX, required=False).split()
        )
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert isinstance(radius_m, int) and isinstance(force, str)

    settings, created = CrimeSettings.objects.select_for_update().get_or_create(area=area)
    changed = [
        field
        for field, value in (("radius_m", radius_m), ("force", force))
        if getattr(settings, field) != value
    ]
    if not changed and not created:
        return settings
    settings.radius_m = radius_m
    settings.force = force
    settings.full_clean()
    settings.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        source=source,
        obj=settings,
        detail={"fields": sorted(changed), "radius_m": radius_m},
    )
    return settings


# Selectors


@dataclass(frozen=True)
class NearbyCrime:
    """The crimes of one month within ``radius_m`` metres of a school, by crime type (most
    frequent first)."""

    month: date
    radius_m: int
    total: int
    by_type: dict[str, int]

    @property
    def top_types(self) -> list[tuple[str, int]]:
        return list(self.by_type.items())[:TOP_TYPES]

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": f"{self.month:%Y-%m}",
            "radius_m": self.radius_m,
            "total": self.total,
            "by_type": dict(self.by_type),
        }


def _nearby(month: date, radius_m: int, types: Counter[str]) -> NearbyCrime:
    ordered = sorted(types.items(), key=lambda item: (-item[1], item[0]))
    return NearbyCrime(month, radius_m, sum(types.values()), dict(ordered))


def crime_settings(area: Area) -> CrimeSettings:
    """The area's crime settings; the defaults (a 500 m radius) if it has none saved."""
    settings = CrimeSettings.objects.filter(area=area).first()
    return settings or CrimeSettings(area=area)


def crime_forces(area: Area) -> list[str]:
    """The police forces, named as data.police.uk names them, whose months are the area's: the
    one its settings name, else the names of its police force agencies."""
    settings = crime_settings(area)
    if settings.force:
        return [settings.force]
    return list(
        Agency.objects.filter(area=area, kind=Agency.Kind.POLICE_FORCE)
        .order_by("name")
        .values_list("name", flat=True)
    )


def _area_batches(area: Area) -> QuerySet[CrimeMonth]:
    """The imported months of the area's police forces (matched whatever their case); of every
    force if the area names none."""
    forces = crime_forces(area)
    batches = CrimeMonth.objects.all()
    if forces:
        matching = Q(pk__in=[])
        for force in forces:
            matching |= Q(force__iexact=force)
        batches = batches.filter(matching)
    return batches


def crime_months(*, school: School, limit: int = MONTHS_SHOWN) -> list[date]:
    """The newest imported months of the school's police force area, newest first (at most
    ``limit``)."""
    months = _area_batches(school.area).order_by("-month").values_list("month", flat=True)
    return list(months.distinct()[:limit])


def crime_month_imported(*, school: School, month: date) -> bool:
    """Whether the month has been imported for the school's police force area."""
    return _area_batches(school.area).filter(month=month).exists()


def crime_latest_month(*, school: School) -> date | None:
    """The newest imported month of the school's police force area, if any."""
    months = crime_months(school=school, limit=1)
    return months[0] if months else None


def school_located(school: School) -> bool:
    """Whether the register gives the school a grid reference to count crime around."""
    return school.easting is not None and school.northing is not None


def _radius(school: School, radius_m: int | None) -> int:
    return crime_settings(school.area).radius_m if radius_m is None else radius_m


def crime_nearby_by_month(
    *, school: School, months: Sequence[date] | None = None, radius_m: int | None = None
) -> list[NearbyCrime]:
    """The crimes within ``radius_m`` metres (the area's radius if not given) of the school in
    each month (the newest months of its force area if not given), newest first.

    One query: the database's (month, easting, northing) index narrows the crimes to the square
    around the school, and the circle is drawn here. Raises ``ValueError`` for a school the
    register gives no location.
    """
    if not school_located(school):
        raise ValueError("The school register gives no location for this school.")
    radius = _radius(school, radius_m)
    chosen = sorted(set(crime_months(school=school) if months is None else months), reverse=True)
    if not chosen:
        return []
    easting, northing = school.easting, school.northing
    assert easting is not None and northing is not None
    rows = PoliceCrime.objects.filter(
        month__in=chosen,
        easting__gte=easting - radius,
        easting__lte=easting + radius,
        northing__gte=northing - radius,
        northing__lte=northing + radius,
    ).values_list("month", "easting", "northing", "crime_type")
    # The ranges leave out the crimes without a position.
    located = cast(Iterable[tuple[date, int, int, str]], rows)
    limit = radius * radius
    counts: dict[date, Counter[str]] = {month: Counter() for month in chosen}
    for month, x, y, crime_type in located:
        if (x - easting) ** 2 + (y - northing) ** 2 <= limit:
            counts[month][crime_type] += 1
    return [_nearby(month, radius, counts[month]) for month in chosen]


def crime_nearby(*, school: School, month: date, radius_m: int | None = None) -> NearbyCrime:
    """The crimes of one month within ``radius_m`` metres of the school (the area's radius if not
    given), by type; see ``crime_nearby_by_month``."""
    (nearby,) = crime_nearby_by_month(school=school, months=[month], radius_m=radius_m)
    return nearby


def crime_nearby_schools(
    *, schools: Iterable[School], month: date, radius_m: int
) -> dict[Any, NearbyCrime]:
    """For many schools at once (an area's, for prioritisation): the crimes of the month within
    ``radius_m`` metres of each located school, keyed by the school's id. Schools without a
    location are left out.

    The month's crimes around the schools are read once and put in a spatial grid index with
    cells of the radius's size; each school then looks at the 3 by 3 cells around it only.
    """
    places = [
        (school.pk, school.easting, school.northing)
        for school in schools
        if school.easting is not None and school.northing is not None
    ]
    if not places:
        return {}
    eastings = [easting for _, easting, _ in places]
    northings = [northing for _, _, northing in places]
    rows = PoliceCrime.objects.filter(
        month=month,
        easting__gte=min(eastings) - radius_m,
        easting__lte=max(eastings) + radius_m,
        northing__gte=min(northings) - radius_m,
        northing__lte=max(northings) + radius_m,
    ).values_list("easting", "northing", "crime_type")
    # The ranges leave out the crimes without a position.
    located = cast(Iterable[tuple[int, int, str]], rows.iterator(chunk_size=10_000))
    counts = count_near(located, places, radius_m)
    return {key: _nearby(month, radius_m, types) for key, types in counts.items()}
