"""Changes to areas, schools, partnerships and agencies. Every change is audited."""

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from saferschools.lib.gias import GiasSchool, read_gias

from .audit import audit_record
from .models import (
    Agency,
    Area,
    AuditAction,
    Partnership,
    PartnershipSchool,
    School,
    SchoolHoliday,
)

SCHOOL_FIELDS = (
    "name",
    "phase",
    "establishment_type",
    "type_group",
    "la_code",
    "local_authority",
    "town",
    "postcode",
    "easting",
    "northing",
    "lsoa_code",
    "number_of_pupils",
    "low_age",
    "high_age",
    "is_open",
)


@dataclass(frozen=True)
class SchoolImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int

    def __str__(self) -> str:
        return (
            f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        )


def _school_values(row: GiasSchool) -> dict[str, Any]:
    return {
        "name": row.name,
        "phase": row.phase,
        "establishment_type": row.establishment_type,
        "type_group": row.type_group,
        "la_code": row.la_code,
        "local_authority": row.la_name,
        "town": row.town,
        "postcode": row.postcode,
        "easting": row.easting if row.northing is not None else None,
        "northing": row.northing if row.easting is not None else None,
        "lsoa_code": row.lsoa_code,
        "number_of_pupils": row.number_of_pupils,
        "low_age": row.low_age,
        "high_age": row.high_age,
        "is_open": row.is_open,
    }


@transaction.atomic
def schools_import(
    *,
    actor: Any,
    area: Area,
    file: str | os.PathLike[str] | IO[bytes] | IO[str],
    source: str,
    state_funded_only: bool = True,
    urns: set[int] | None = None,
) -> SchoolImportResult:
    """Bring the area's schools in line with a DfE register (GIAS) download.

    Schools are matched on URN, so a re-import updates and never duplicates. The whole file is
    read first: a bad row raises ``GiasImportError`` listing every bad row and nothing changes.
    Independent schools, children's centres and the like are skipped unless asked for; a school
    already registered in another area is refused.
    """
    rows = read_gias(file)
    existing = {
        s.urn: s for s in School.objects.select_for_update().filter(urn__in=[r.urn for r in rows])
    }
    created = updated = unchanged = skipped = 0
    for row in rows:
        if (urns is not None and row.urn not in urns) or (
            state_funded_only and not row.is_state_funded
        ):
            skipped += 1
            continue
        values = _school_values(row)
        school = existing.get(row.urn)
        if school is None:
            school = School(urn=row.urn, area=area, **values)
            school.full_clean()
            school.save()
            audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=school)
            created += 1
            continue
        if school.area_id != area.pk:
            raise ValueError(f"School URN {row.urn} is registered in another area.")
        changed = [field for field, value in values.items() if getattr(school, field) != value]
        if not changed:
            unchanged += 1
            continue
        for field in changed:
            setattr(school, field, values[field])
        school.full_clean()
        school.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=school,
            detail={"fields": sorted(changed)},
        )
        updated += 1
    return SchoolImportResult(created, updated, unchanged, skipped)


@transaction.atomic
def area_create(*, actor: Any, name: str, source: str) -> Area:
    """Create an area, or return the one with that name."""
    area = Area.objects.filter(name=name).first()
    if area is None:
        area = Area(name=name)
        area.full_clean()
        area.save()
        audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=area)
    return area


@transaction.atomic
def agency_create(*, actor: Any, area: Area, name: str, kind: str, source: str) -> Agency:
    """Create a partner agency in an area, or return the one with that name."""
    agency = Agency.objects.filter(area=area, name=name).first()
    if agency is None:
        agency = Agency(area=area, name=name, kind=kind)
        agency.full_clean()
        agency.save()
        audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=agency)
    return agency


@transaction.atomic
def partnership_create(
    *,
    actor: Any,
    area: Area,
    name: str,
    schools: list[School],
    source: str,
    started_on: date | None = None,
) -> Partnership:
    """Create a partnership of one or more schools of the area, or return the one so named.

    A school belongs to at most one partnership: a school already in another is refused.
    """
    partnership = Partnership.objects.filter(area=area, name=name).first()
    if partnership is None:
        partnership = Partnership(area=area, name=name, started_on=started_on)
        partnership.full_clean()
        partnership.save()
        audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=partnership)
    for school in schools:
        partnership_add_school(actor=actor, partnership=partnership, school=school, source=source)
    return partnership


@transaction.atomic
def partnership_add_school(
    *, actor: Any, partnership: Partnership, school: School, source: str
) -> PartnershipSchool:
    """Add a school to a partnership; idempotent; refuses a school of another partnership."""
    link = PartnershipSchool.objects.filter(school=school).first()
    if link is not None:
        if link.partnership_id != partnership.pk:
            raise ValueError(f"{school.name} is already in {link.partnership.name}.")
        return link
    link = PartnershipSchool(
        partnership=partnership, school=school, joined_on=partnership.started_on
    )
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=partnership,
        detail={"change": "school_added", "school_urn": school.urn},
    )
    return link


# School holidays ---------------------------------------------------------------------------

HOLIDAY_NAME_MAX = 100
HOLIDAY_DAYS_MAX = 366


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


@transaction.atomic
def school_holiday_add(
    *, actor: Any, area: Area, name: str, starts_on: date, ends_on: date, source: str
) -> SchoolHoliday:
    """Add a school holiday to the area, from its first day to its last (both included).

    Refuses, with a ``ValidationError`` keyed by field and nothing changed, a missing or too
    long name, a missing date, a last day before the first, a holiday longer than a year, and
    one that overlaps another holiday of the area. Audited.
    """
    errors: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = "Enter the name of the holiday"
    elif len(name) > HOLIDAY_NAME_MAX:
        errors["name"] = f"The name must be {HOLIDAY_NAME_MAX} characters or fewer"
    if not _is_day(starts_on):
        errors["starts_on"] = "Enter the first day of the holiday"
    if not _is_day(ends_on):
        errors["ends_on"] = "Enter the last day of the holiday"
    if not errors.keys() & {"starts_on", "ends_on"}:
        if ends_on < starts_on:
            errors["ends_on"] = "The last day must be the same as or after the first day"
        elif (ends_on - starts_on).days + 1 > HOLIDAY_DAYS_MAX:
            errors["ends_on"] = f"A holiday can be at most {HOLIDAY_DAYS_MAX} days long"
    if errors:
        raise ValidationError(errors)
    # Lock the area so that two holidays added at once cannot both pass the overlap check.
    Area.objects.select_for_update().filter(pk=area.pk).first()
    clash = SchoolHoliday.objects.filter(
        area=area, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": (
                    f"These dates overlap {clash.name} ({_long_date(clash.starts_on)} to "
                    f"{_long_date(clash.ends_on)})"
                )
            }
        )
    holiday = SchoolHoliday(area=area, name=name, starts_on=starts_on, ends_on=ends_on)
    holiday.full_clean()
    holiday.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=holiday,
        detail={
            "area": str(area.pk),
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return holiday


@transaction.atomic
def school_holiday_remove(*, actor: Any, holiday: SchoolHoliday, source: str) -> None:
    """Remove a school holiday: its days become school days again for patrol plans. Audited."""
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        source=source,
        obj=holiday,
        detail={
            "area": str(holiday.area_id),
            "starts_on": holiday.starts_on.isoformat(),
            "ends_on": holiday.ends_on.isoformat(),
        },
    )
    holiday.delete()
