"""Writing the partnership's annual report: its summary, successes and case studies, areas for
further work, and next year's priorities and resources (the business plan), and which
evaluation it shows. Every figure beside them is read live (``annual_report``).

Those who keep the partnership's governance write it (``access.can_govern``). A save is one
transaction with its audit event, which names the fields changed, never the text. The report
leaves the partnership: what is written must not name a pupil or describe one so that they could
be known; the form says so.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, Partnership
from saferschools.lib.checks import check_text

from .annual_report import ReportYearError, report_year_check
from .models import AnnualReport, Evaluation

SUMMARY_MAX = 5000
SECTION_MAX = 20000

# The written sections, in the order the report gives them, with their longest length.
TEXT_FIELDS: tuple[tuple[str, int], ...] = (
    ("summary", SUMMARY_MAX),
    ("successes", SECTION_MAX),
    ("case_studies", SECTION_MAX),
    ("further_work", SECTION_MAX),
    ("priorities", SECTION_MAX),
    ("resources", SECTION_MAX),
)
STALE = (
    "Someone else saved this report while you were changing it. Check what it says now (open "
    "it in another tab), then save again to replace it with what is below."
)
NOTHING_TO_SAVE = "Write at least one section before you save"


@dataclass
class ReportInput:
    """What the form or a caller sends. ``version`` is the version the form was filled in
    over (0: there was no report yet); ``evaluation_id`` the evaluation to show, or ``None``
    for the partnership's latest."""

    summary: object = ""
    successes: object = ""
    case_studies: object = ""
    further_work: object = ""
    priorities: object = ""
    resources: object = ""
    evaluation_id: object = None
    version: int = 0


def _clean(partnership: Partnership, data: ReportInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        name: check_text(getattr(data, name), name, most, errors, required=False)
        for name, most in TEXT_FIELDS
    }
    values["evaluation"] = None
    if data.evaluation_id not in (None, ""):
        evaluation = None
        try:
            evaluation = Evaluation.objects.filter(
                partnership=partnership, pk=str(data.evaluation_id)
            ).first()
        except (ValidationError, ValueError, TypeError):
            evaluation = None
        if evaluation is None:
            errors["evaluation"] = "Choose one of the partnership's evaluations"
        values["evaluation"] = evaluation
    if errors:
        raise ValidationError(errors)
    return values


def _differs(report: AnnualReport, values: dict[str, Any]) -> list[str]:
    changed = [name for name, _ in TEXT_FIELDS if getattr(report, name) != values[name]]
    chosen = values["evaluation"].pk if values["evaluation"] is not None else None
    if report.evaluation_id != chosen:
        changed.append("evaluation")
    return changed


@transaction.atomic
def annual_report_save(
    *, actor: Any, partnership: Partnership, year: int, data: ReportInput, source: str
) -> AnnualReport:
    """Write the partnership's report for the academic year starting in ``year``, for those who
    keep its governance: made on the first save, changed after, its ``version`` one higher each
    time.

    A save over a version someone saved after the form was opened (``data.version`` differs)
    is refused with an error on ``version`` and changes nothing, unless it would change nothing
    anyway (the same form sent twice), which writes nothing. A year the partnership has no
    report for is an error on ``year``; a first save with nothing in it, on ``summary``."""
    if not access.can_govern(actor, partnership):
        raise ValidationError({"partnership": "You do not keep this partnership's reports"})
    try:
        report_year_check(partnership=partnership, year=year)
    except ReportYearError as error:
        raise ValidationError({"year": str(error)}) from None
    values = _clean(partnership, data)
    # The partnership's row is locked first, so that two first saves at once are made one
    # after the other (the second is then refused as out of date, or is the same and kept).
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    current = (
        AnnualReport.objects.select_for_update().filter(partnership=partnership, year=year).first()
    )
    if current is not None and not _differs(current, values):
        return current
    seen = current.version if current is not None else 0
    if data.version != seen:
        raise ValidationError({"version": STALE})
    if current is None:
        if not any(values[name] for name, _ in TEXT_FIELDS):
            raise ValidationError({"summary": NOTHING_TO_SAVE})
        report = AnnualReport(partnership=partnership, year=year, updated_by=actor, **values)
        report.full_clean()
        report.save()
        _audit(actor, AuditAction.CREATE, report, source, sorted(_differs_from_empty(values)))
        return report
    changed = _differs(current, values)
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_by = actor
    current.full_clean()
    current.save()
    _audit(actor, AuditAction.UPDATE, current, source, sorted(changed))
    return current


def _differs_from_empty(values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if value]


def _audit(
    actor: Any, action: AuditAction, report: AnnualReport, source: str, fields: list[str]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        source=source,
        obj=report,
        detail={
            "partnership": str(report.partnership_id),
            "year": report.year,
            "version": report.version,
            "fields": fields,
        },
    )


def annual_report_exported(*, actor: Any, partnership: Partnership, year: int, source: str) -> None:
    """Record that the report's PDF was made for someone, as for every document that leaves the
    product (the page's download, the API, the command)."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        source=source,
        obj=partnership,
        detail={"document": "annual_report", "format": "pdf", "year": year},
    )
