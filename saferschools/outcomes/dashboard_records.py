"""The records behind a computed figure: the pupils' reports or incidents of one school and
period that a dashboard's figure counts, for those who see the school's records.

Only those who see the school's counts in full reach them (``access.sees_school_counts_in_full``),
and only the records the access policy lets them read (``access.scope``). Listing them is a read
of records about pupils: each record shown is audited.
"""

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db.models import Q, QuerySet

from saferschools.core import access
from saferschools.core.audit import audit_record_many
from saferschools.core.models import AuditAction, School
from saferschools.incidents.models import Incident, IncidentCategory
from saferschools.incidents.models.incidents import PartyRole, Severity
from saferschools.lib.schooldays import LONDON
from saferschools.reporting.models import Category, Report, Status

from .periods import Period


@dataclass(frozen=True)
class Behind:
    """Which records a computed indicator counts, and the moment that places each in time."""

    model: type[Report] | type[Incident]
    moment: str
    condition: Q
    what: str


REPORTS_RECEIVED = Behind(Report, "received_at", Q(), "Pupils' reports received")
INCIDENTS = Behind(Incident, "occurred_at", Q(), "Incidents")

# The computed indicators whose figures count pupils' reports or incidents, and which.
RECORDS_BEHIND: dict[str, Behind] = {
    "pupil_reports": REPORTS_RECEIVED,
    "reports_per_100": REPORTS_RECEIVED,
    "reports_acknowledged_in_time": REPORTS_RECEIVED,
    "report_days_to_close": Behind(
        Report, "closed_at", Q(status=Status.CLOSED), "Pupils' reports closed"
    ),
    "incidents": INCIDENTS,
    "incidents_per_100": INCIDENTS,
    "critical_incidents": Behind(
        Incident,
        "occurred_at",
        Q(severity=Severity.CRITICAL) | Q(flagged_critical=True),
        "Critical incidents",
    ),
    "repeat_victimisation": Behind(
        Incident,
        "occurred_at",
        Q(parties__role=PartyRole.VICTIM, parties__pupil__isnull=False),
        "Incidents with a pupil recorded as the victim",
    ),
}


def categories_of(behind: Behind) -> list[tuple[str, str]]:
    """The categories the records can be filtered by."""
    return list(Category.choices if behind.model is Report else IncidentCategory.choices)


def _bounds(period: Period) -> tuple[datetime, datetime]:
    """The first and last moments of the period's London days."""
    return (
        datetime.combine(period.start, time.min, tzinfo=LONDON),
        datetime.combine(period.end, time.max, tzinfo=LONDON),
    )


def records_behind(
    *, user: Any, school: School, behind: Behind, period: Period, category: str = ""
) -> QuerySet[Any]:
    """The records behind the figure that the user may read, newest first. The caller checked
    that the user sees the school's counts in full."""
    records = (
        access.scope(user, behind.model)
        .filter(behind.condition, school=school)
        .filter(**{f"{behind.moment}__range": _bounds(period)})
    )
    if category:
        records = records.filter(category=category)
    # The access policy's scope is already distinct; a victim named twice must not list an
    # incident twice either.
    ids = records.order_by().values("pk")
    return (
        behind.model._default_manager.filter(pk__in=ids)
        .select_related("school")
        .order_by(f"-{behind.moment}", "id")
    )


def records_audit(*, user: Any, records: list[Any], source: str, code: str, period: Period) -> None:
    """The records listed are a read of records about pupils: one event each, together."""
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=records,
        detail={"indicator": code, "period": period.label},
    )
