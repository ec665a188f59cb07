"""Changes to pupils' records. Every change is audited in the same transaction."""

import os
from collections import defaultdict
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School

from .importing import PupilFileError, PupilImportError, read_pupil_file
from .models import Pupil

IMPORTED_FIELDS = ("upn", "given_name", "family_name", "date_of_birth", "year_group")


def pupil_lock(pupil_id: Any) -> Pupil:
    """The pupil's row (with their school), locked until the transaction ends.

    Every change to a pupil's casework takes this lock before it checks that the record is not
    awaiting another school's confirmation, as sending the record does before it takes its
    snapshot: a change and a sending never cross, so nothing is written after the record was
    sent and the receiving school's copy misses nothing.
    """
    return Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil_id)


@dataclass(frozen=True)
class PupilImportResult:
    created: int
    updated: int
    unchanged: int
    left: int

    def __str__(self) -> str:
        return (
            f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.left} marked as left"
        )


@transaction.atomic
def pupils_import(
    *,
    actor: Any,
    school: School,
    file: str | os.PathLike[str] | IO[bytes] | IO[str],
    source: str,
    mark_leavers: bool = False,
) -> PupilImportResult:
    """Bring the school's pupil register in line with a school information system export.

    A pupil is matched on the school's own pupil id, so a re-import updates and never
    duplicates. The file is read whole first: if any row is bad, ``PupilImportError`` lists
    every bad row by line and nothing changes. Each pupil added or changed writes an audit event
    naming the fields that changed (never their values). With ``mark_leavers``, pupils on roll
    who are missing from the file are marked as no longer on roll; nobody is ever deleted.
    Caller checks ``access.can_manage_pupils`` first.
    """
    rows = read_pupil_file(file, today=timezone.localdate())
    existing = {
        p.school_pupil_id: p for p in Pupil.objects.select_for_update().filter(school=school)
    }

    # A UPN may move between pupils only if the file itself moves it; a UPN held by a pupil the
    # file does not mention would collide.
    file_ids = {row.school_pupil_id for row in rows}
    held_elsewhere = {
        p.upn: p.school_pupil_id
        for p in existing.values()
        if p.upn and p.school_pupil_id not in file_ids
    }
    clashes = [
        PupilFileError(row.line, f"UPN {row.upn!r} belongs to pupil id {held_elsewhere[row.upn]!r}")
        for row in rows
        if row.upn and row.upn in held_elsewhere
    ]
    if clashes:
        raise PupilImportError(clashes)

    created = updated = unchanged = 0
    changed_pupils: list[tuple[Pupil, list[str], bool]] = []
    for row in rows:
        pupil = existing.get(row.school_pupil_id)
        # A file without a UPN column says nothing about UPNs: keep the ones already held.
        values = {
            field: getattr(row, field)
            for field in IMPORTED_FIELDS
            if not (field == "upn" and row.upn is None)
        }
        if pupil is None:
            values.setdefault("upn", "")
            pupil = Pupil(school=school, school_pupil_id=row.school_pupil_id, **values)
            changed_pupils.append((pupil, sorted(values), True))
            created += 1
            continue
        changed = [field for field, value in values.items() if getattr(pupil, field) != value]
        if not pupil.on_roll:
            changed.append("on_roll")
            pupil.on_roll = True
        if changed:
            for field in changed:
                if field != "on_roll":
                    setattr(pupil, field, values[field])
            changed_pupils.append((pupil, changed, False))
            updated += 1
        else:
            unchanged += 1

    # Clear UPNs being moved first, so that the unique constraint holds at every step.
    moving = [p for p, fields, is_new in changed_pupils if not is_new and "upn" in fields]
    if moving:
        Pupil.objects.filter(pk__in=[p.pk for p in moving]).update(upn="")

    # Pupils changed the same way are audited together: one event each, appended in one go,
    # so that importing a whole school costs a few queries for the audit, not three per pupil.
    audit_groups: dict[tuple[AuditAction, tuple[str, ...]], list[Pupil]] = defaultdict(list)
    for pupil, fields, is_new in changed_pupils:
        pupil.full_clean(validate_unique=False, validate_constraints=False)
        pupil.save()
        action = AuditAction.CREATE if is_new else AuditAction.UPDATE
        audit_groups[(action, tuple(sorted(fields)))].append(pupil)

    left = 0
    if mark_leavers:
        leavers = [p for key, p in existing.items() if key not in file_ids and p.on_roll]
        for pupil in leavers:
            pupil.on_roll = False
            pupil.save(update_fields=["on_roll", "updated_at"])
        audit_groups[(AuditAction.UPDATE, ("on_roll",))].extend(leavers)
        left = len(leavers)

    for (group_action, group_fields), pupils in audit_groups.items():
        audit_record_many(
            actor=actor,
            action=group_action,
            source=source,
            objects=pupils,
            detail={"fields": list(group_fields), "school_urn": school.urn},
        )

    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=school,
        detail={
            "change": "pupil_import",
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "left": left,
        },
    )
    return PupilImportResult(created, updated, unchanged, left)
