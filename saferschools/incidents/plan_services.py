"""A school's site plan and the pins of its places on it.

The plan is an image the school's leaders or officers upload; it is read and drawn again into a
new image (``reporting.photos.photo_clean``), so that nothing but its pixels is kept: no camera,
no position, no author. Each write is one transaction with its audit event.
"""

import io
import math
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School
from saferschools.reporting.photos import photo_clean

from .models import Place, SitePlan

PLAN_MAX_MB = 10
PLAN_MAX_BYTES = PLAN_MAX_MB * 1024 * 1024


def _keeper(actor: Any, school: School) -> None:
    if not access.can_keep_places(actor, school):
        raise ValidationError({"school_urn": "You do not keep this school's places"})


def site_plan_upload(
    *, actor: Any, school: School, file: IO[bytes] | None, source: str
) -> SitePlan:
    """Set (or replace) the school's site plan, for its leaders and officers.

    The image is re-encoded without metadata: a PNG stays a lossless PNG, anything else becomes
    a JPEG. A file over 10 MB, or one that is not a JPEG, PNG or HEIC image, is refused under
    ``plan`` and nothing changes.
    """
    _keeper(actor, school)
    if file is None:
        raise ValidationError({"plan": "Choose an image of the site plan"})
    size = getattr(file, "size", None)
    too_large = ValidationError({"plan": f"The site plan must be smaller than {PLAN_MAX_MB} MB"})
    if size is not None and size > PLAN_MAX_BYTES:
        raise too_large
    data = file.read(PLAN_MAX_BYTES + 1)
    if len(data) > PLAN_MAX_BYTES:
        raise too_large
    if not data:
        raise ValidationError({"plan": "The file chosen is empty: choose an image of the plan"})
    try:
        clean = photo_clean(io.BytesIO(data), position=1)
    except ValidationError as error:
        # The photo's messages name "Photo 1"; here the field is the plan.
        raise ValidationError(
            {"plan": [text.replace("Photo 1", "The site plan", 1) for text in error.messages]}
        ) from None
    now = timezone.now()
    with transaction.atomic():
        plan, created = SitePlan.objects.update_or_create(
            school=school,
            defaults={
                "content": clean.content,
                "content_type": clean.content_type,
                "width": clean.width,
                "height": clean.height,
                "uploaded_at": now,
                "uploaded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            source=source,
            obj=plan,
            detail={
                "content_type": clean.content_type,
                "width": clean.width,
                "height": clean.height,
            },
        )
    return plan


def _percent(value: object, field: str, errors: dict[str, str], what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors[field] = f"Give how far {what} the plan the place is, as a number from 0 to 100"
        return None
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= 100:
        errors[field] = f"Give how far {what} the plan the place is, as a number from 0 to 100"
        return None
    return round(number, 2)


def place_pin(*, actor: Any, place: Place, plan_x: object, plan_y: object, source: str) -> Place:
    """Pin a place on its school's site plan at ``plan_x`` per cent of the plan's width from
    the left and ``plan_y`` per cent of its height from the top, or take the pin away (both
    ``None``). For the school's leaders and officers; the place comes through the access
    policy. Bad values are refused under ``plan_x`` or ``plan_y`` and nothing changes."""
    _keeper(actor, place.school)
    errors: dict[str, str] = {}
    x = _percent(plan_x, "plan_x", errors, "across")
    y = _percent(plan_y, "plan_y", errors, "down")
    if not errors and (x is None) != (y is None):
        missing = "plan_y" if y is None else "plan_x"
        errors[missing] = (
            "Give both how far across and how far down, or neither to take the pin away"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Place.objects.select_for_update().get(pk=place.pk)
        current.plan_x, current.plan_y = x, y
        current.save(update_fields=["plan_x", "plan_y"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=current,
            detail={"plan_pin": x is not None},
        )
    place.plan_x, place.plan_y = x, y
    return place
