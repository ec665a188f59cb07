"""Changes to pupils' reports: submission, the pupil's follow-up, and every step staff take.

Each function runs in one transaction that also writes the report's timeline, the audit event
and any notification (whose e-mail is queued in the same transaction): a report is stored with
its receipt, its routing and its escalation, or not at all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import YEAR_GROUP_MAX, YEAR_GROUP_MIN, Pupil
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction, School
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_boolean, check_choice, check_text
from saferschools.lib.schooldays import end_of_school_day_after
from saferschools.lib.text import text_clean

from . import triage
from .models import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    OCCURRED_MAX,
    About,
    Category,
    EntryKind,
    Location,
    Outcome,
    Report,
    ReportEntry,
    ReportingSettings,
    ReportPhoto,
    SafetyTopic,
    Status,
)
from .photos import MAX_PHOTOS, CleanPhoto, photo_clean
from .receipts import receipt_digest, receipt_new

# Who receives a new report, who an unacknowledged urgent report escalates to.
RECEIVERS = frozenset({Role.SAFEGUARDING_LEAD, Role.SSP_OFFICER})
ESCALATION = frozenset({Role.HEAD_TEACHER, Role.POLICE_SUPERVISOR})
AUDIT_TYPE = "reporting.report"


@dataclass(frozen=True)
class SubmittedReport:
    report: Report
    receipt: str


def school_for_reports(urn: object) -> School:
    """The open partnership school taking reports under this URN; else ``School.DoesNotExist``.

    Only schools in a partnership take reports, so that every report has someone to read it.
    """
    try:
        number = int(str(urn))
    except ValueError:
        raise School.DoesNotExist from None
    return School.objects.select_related("area").get(
        urn=number, is_open=True, partnership_link__isnull=False
    )


def _recipients(school: School) -> list[Any]:
    """Who is told of a new report: the school's safeguarding leads and its SSP officers.

    A school with neither still has its report read: it goes to the head teacher and the
    police supervisors, and failing those to the area's administrators, who can put it right.
    """
    for roles in (RECEIVERS, ESCALATION, frozenset({Role.AREA_ADMIN})):
        users = list(access.users_reaching_school(school, roles))
        if users:
            return users
    return []


_SUBJECT_MAX = ReportEntry._meta.get_field("subject").max_length or 200


def _entry(report: Report, kind: str, *, actor: Any = None, subject: str = "", body: str = ""):
    # A label is cut to fit: a pupil's full name or a colleague's address can be longer.
    return ReportEntry.objects.create(
        report=report,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        subject=subject[:_SUBJECT_MAX],
        body=body,
    )


def _report_url(report: Report) -> str:
    return reverse("reporting-report", args=[report.pk])


def _alert(report: Report, *, users: list[Any], title: str, kind: str, urgent: bool = False):
    """Notify ``users`` about a report. Those who may open it get a link to it; the others
    (a police supervisor, or an administrator when the school has nobody to receive reports)
    are told whom to turn to, with a link to the school, and nothing of the report."""
    school = report.school
    handlers = set(
        access.users_reaching_school(school, access.REPORT_HANDLERS).values_list("pk", flat=True)
    )
    if report.assigned_to_id:
        handlers.add(report.assigned_to_id)
    readers = [user for user in users if user.pk in handlers]
    others = [user for user in users if user.pk not in handlers]
    notify(
        users=readers,
        title=title,
        url=_report_url(report),
        kind=kind,
        object_id=str(report.pk),
        urgent=urgent,
    )
    if others:
        if access.users_reaching_school(school, RECEIVERS).exists():
            advice = "contact the school's safeguarding lead or SSP officer"
        else:
            advice = "the school has no safeguarding lead or SSP officer to receive it"
        notify(
            users=others,
            title=f"{title}: {advice}",
            url=reverse("core-school", args=[school.urn]),
            kind=kind,
            object_id=str(report.pk),
            urgent=urgent,
        )


def _audit(actor: Any, action: str, report: Report, source: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        source=source,
        object_type=AUDIT_TYPE,
        object_id=str(report.pk),
        detail=detail,
    )


def report_submit(
    *,
    school: School,
    category: object,
    description: object,
    location: object,
    occurred: object,
    about: object,
    in_danger: object,
    anonymous: object,
    name: object = "",
    year_group: object = None,
    photos: Sequence[IO[bytes]] = (),
    source: str,
) -> SubmittedReport:
    """Store a pupil's report and return it with its receipt code.

    Every field is checked first and all problems are raised together as one
    ``ValidationError`` keyed by field; then the report, its photos (re-encoded without
    metadata), its routing and its escalation are stored in one transaction. The receipt is
    returned here once and kept only as a keyed hash. Nothing about the pupil's connection or
    device is recorded.
    """
    errors: dict[str, str] = {}
    category = check_choice(category, Category, "category", errors)
    location = check_choice(location, Location, "location", errors)
    about = check_choice(about, About, "about", errors)
    in_danger = check_boolean(in_danger, "in_danger", errors)
    anonymous = check_boolean(anonymous, "anonymous", errors)
    description = check_text(description, "description", DESCRIPTION_MAX, errors)
    occurred = check_text(occurred, "occurred", OCCURRED_MAX, errors)
    name = check_text(name, "name", NAME_MAX, errors, required=False)
    if year_group in ("", None):
        year_group = None
    elif isinstance(year_group, bool) or not isinstance(year_group, int):
        errors["year_group"] = "Give the year group as a number, 0 for reception"
        year_group = None
    elif not YEAR_GROUP_MIN <= year_group <= YEAR_GROUP_MAX:
        errors["year_group"] = f"Give a year group from {YEAR_GROUP_MIN} to {YEAR_GROUP_MAX}"
    if "anonymous" not in errors:
        if anonymous and (name or year_group is not None):
            errors.setdefault("name", "Leave out your name and year group to stay anonymous")
        if not anonymous and not name and "name" not in errors:
            errors["name"] = "Enter your name, or choose to stay anonymous"
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"Add up to {MAX_PHOTOS} photos"
    clean_photos: list[CleanPhoto] = []
    if "photos" not in errors:
        for position, file in enumerate(photos, start=1):
            try:
                clean_photos.append(photo_clean(file, position=position))
            except ValidationError as error:
                errors["photos"] = error.messages[0]
                break
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        settings_row = triage.area_settings(school.area)
        reasons = triage.urgent_reasons(
            category=category,
            in_danger=in_danger,
            texts=[description, occurred],
            cue_words=settings_row.cue_word_list,
        )
        received_at = timezone.now()
        due_at, outcome_due_at = triage.due_times(
            received_at=received_at,
            urgent=bool(reasons),
            escalate_after_minutes=settings_row.escalate_after_minutes,
        )
        receipt = receipt_new()
        report = Report(
            school=school,
            category=category,
            description=description,
            location=location,
            occurred=occurred,
            about=about,
            in_danger=in_danger,
            anonymous=anonymous,
            pupil_name="" if anonymous else name,
            year_group=None if anonymous else year_group,
            urgent=bool(reasons),
            urgent_reasons=reasons,
            received_at=received_at,
            due_at=due_at,
            outcome_due_at=outcome_due_at,
            receipt_hash=receipt_digest(receipt),
        )
        # Fields were checked above and the database enforces the constraints; checking the
        # school and the constraints again here would only add queries to every submission.
        report.full_clean(exclude=["school"], validate_unique=False, validate_constraints=False)
        report.save()
        ReportPhoto.objects.bulk_create(
            ReportPhoto(
                report=report,
                position=position,
                content=photo.content,
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
            )
            for position, photo in enumerate(clean_photos, start=1)
        )
        _entry(report, EntryKind.RECEIVED)
        _alert(
            report,
            users=_recipients(school),
            title=f"New {'urgent ' if report.urgent else ''}report at {school.name}",
            kind="report_received",
            urgent=report.urgent,
        )
        from .tasks import report_check_due

        # Stored with the report: the check runs when it falls due, even after a restart.
        report_check_due.using(run_after=due_at).enqueue(str(report.pk))
        # Last, so that the audit chain's head is locked for as short a time as possible.
        _audit(None, AuditAction.CREATE, report, source, category=category, urgent=report.urgent)
    return SubmittedReport(report=report, receipt=receipt)


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("school").get(pk=report.pk)


def _acknowledge(report: Report, actor: Any) -> bool:
    if report.status != Status.NEW:
        return False
    report.status = Status.ACKNOWLEDGED
    report.acknowledged_at = timezone.now()
    report.acknowledged_by = actor
    _entry(report, EntryKind.ACKNOWLEDGED, actor=actor)
    return True


@transaction.atomic
def report_acknowledge(*, actor: Any, report: Report, source: str) -> Report:
    """Mark the report acknowledged by ``actor`` (once; acknowledging again changes nothing).

    Acknowledgement stops the escalation of an urgent report.
    """
    report = _locked(report)
    if report.status == Status.CLOSED:
        raise ValidationError({"status": "This report is closed"})
    if _acknowledge(report, actor):
        report.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        _audit(actor, AuditAction.UPDATE, report, source, step="acknowledge")
    return report


@transaction.atomic
def report_assign(*, actor: Any, report: Report, assignee: Any, source: str) -> Report:
    """Give the report to a colleague at its school, who is told and can then open it."""
    report = _locked(report)
    if report.status == Status.CLOSED:
        raise ValidationError({"status": "This report is closed"})
    allowed = access.users_reaching_school(report.school, access.SCHOOL_ROLES)
    if assignee is None or not allowed.filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": "Choose a colleague who works at this school"})
    if report.assigned_to_id == assignee.pk:
        return report
    report.assigned_to = assignee
    report.save(update_fields=["assigned_to"])
    _entry(report, EntryKind.ASSIGNED, actor=actor, subject=assignee.full_name or assignee.email)
    _audit(actor, AuditAction.UPDATE, report, source, step="assign", assignee=str(assignee.pk))
    if assignee.pk != actor.pk:
        notify(
            users=[assignee],
            title=f"A report at {report.school.name} was assigned to you",
            url=_report_url(report),
            kind="report_assigned",
            object_id=str(report.pk),
            urgent=report.urgent and report.status == Status.NEW,
        )
    return report


@transaction.atomic
def report_reply(*, actor: Any, report: Report, body: object, source: str) -> ReportEntry:
    """Send the pupil a message, which they read when they follow up with their receipt.

    Replying acknowledges a new report.
    """
    body = text_clean(body, field="body", max_length=MESSAGE_MAX)
    report = _locked(report)
    if report.status == Status.CLOSED:
        raise ValidationError({"body": "Reopen the report to reply: it is closed"})
    if _acknowledge(report, actor):
        report.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    entry = _entry(report, EntryKind.SCHOOL_MESSAGE, actor=actor, body=body)
    _audit(actor, AuditAction.UPDATE, report, source, step="reply")
    return entry


@transaction.atomic
def report_add_note(*, actor: Any, report: Report, body: object, source: str) -> ReportEntry:
    """Add an internal note: staff see it in the timeline, the pupil never does."""
    body = text_clean(body, field="body", max_length=DESCRIPTION_MAX)
    report = _locked(report)
    entry = _entry(report, EntryKind.NOTE, actor=actor, body=body)
    _audit(actor, AuditAction.UPDATE, report, source, step="note")
    return entry


@transaction.atomic
def report_link_pupil(*, actor: Any, report: Report, pupil: Pupil | None, source: str) -> Report:
    """Link the report to a pupil's record at its school (or, with ``None``, unlink it).

    The caller has fetched ``pupil`` through the access policy.
    """
    report = _locked(report)
    if pupil is not None and pupil.school_id != report.school_id:
        raise ValidationError({"pupil": "Choose a pupil of the school the report was made to"})
    if report.pupil_id == (pupil.pk if pupil else None):
        return report
    report.pupil = pupil
    report.save(update_fields=["pupil"])
    if pupil is None:
        _entry(report, EntryKind.PUPIL_UNLINKED, actor=actor)
    else:
        _entry(report, EntryKind.PUPIL_LINKED, actor=actor, subject=pupil.name)
    _audit(
        actor,
        AuditAction.UPDATE,
        report,
        source,
        step="link_pupil" if pupil else "unlink_pupil",
        pupil=str(pupil.pk) if pupil else None,
    )
    return report


@transaction.atomic
def report_close(
    *, actor: Any, report: Report, outcome: object, note: object = "", source: str
) -> Report:
    """Close the report with an outcome (and an optional internal note on how it ended)."""
    errors: dict[str, str] = {}
    outcome = check_choice(outcome, Outcome, "outcome", errors)
    note = check_text(note, "note", DESCRIPTION_MAX, errors, required=False)
    if errors:
        raise ValidationError(errors)
    report = _locked(report)
    if report.status == Status.CLOSED:
        raise ValidationError({"status": "This report is already closed"})
    _acknowledge(report, actor)
    report.status = Status.CLOSED
    report.outcome = outcome
    report.closed_at = timezone.now()
    report.closed_by = actor
    report.save()
    _entry(report, EntryKind.CLOSED, actor=actor, subject=Outcome(outcome).label, body=str(note))
    _audit(actor, AuditAction.UPDATE, report, source, step="close", outcome=outcome)
    return report


def _reopen(report: Report, actor: Any) -> None:
    now = timezone.now()
    report.status = Status.ACKNOWLEDGED if report.acknowledged_at else Status.NEW
    report.outcome = ""
    report.closed_at = None
    report.closed_by = None
    report.outcome_due_at = max(
        report.outcome_due_at, end_of_school_day_after(now, 1), report.due_at
    )
    _entry(report, EntryKind.REOPENED, actor=actor)


@transaction.atomic
def report_reopen(*, actor: Any, report: Report, source: str) -> Report:
    """Reopen a closed report; it needs an outcome again."""
    report = _locked(report)
    if report.status != Status.CLOSED:
        raise ValidationError({"status": "This report is not closed"})
    _reopen(report, actor)
    report.save()
    _audit(actor, AuditAction.UPDATE, report, source, step="reopen")
    return report


@transaction.atomic
def report_mark_read(*, report: Report) -> None:
    """The school has seen the pupil's latest words."""
    Report.objects.filter(pk=report.pk, unread_by_school=True).update(unread_by_school=False)


@transaction.atomic
def followup_reply(*, report: Report, body: object, source: str) -> ReportEntry:
    """The pupil writes back. A closed report opens again, and whoever handles it is told."""
    body = text_clean(body, field="body", max_length=MESSAGE_MAX)
    report = _locked(report)
    if report.status == Status.CLOSED:
        _reopen(report, None)
    report.unread_by_school = True
    report.save()
    entry = _entry(report, EntryKind.PUPIL_MESSAGE, body=body)
    _audit(None, AuditAction.UPDATE, report, source, step="pupil_message")
    assignee = report.assigned_to
    # The colleague handling the report is told, while they still can open it; else its
    # receivers, so that a pupil's words never go to someone who has left.
    if assignee is not None and access.scope(assignee, Report).filter(pk=report.pk).exists():
        readers = [assignee]
    else:
        readers = _recipients(report.school)
    _alert(
        report,
        users=readers,
        title=f"A pupil wrote back on a report at {report.school.name}",
        kind="report_pupil_message",
        urgent=report.urgent and report.status == Status.NEW,
    )
    return entry


@transaction.atomic
def report_check_due(*, report_id: str) -> str:
    """Run when a report falls due. An urgent report still unacknowledged is escalated to the
    head teacher and the police supervisor (and its receivers alerted again); any other report
    still unacknowledged is marked overdue and its school's leaders told. Returns what it did;
    running it twice does nothing more."""
    report = Report.objects.select_for_update().select_related("school").filter(pk=report_id)
    found = report.first()
    if found is None or found.status != Status.NEW:
        return "nothing to do"
    report_row = found
    school = report_row.school
    if report_row.urgent:
        if report_row.escalated_at is not None:
            return "already escalated"
        report_row.escalated_at = timezone.now()
        report_row.save(update_fields=["escalated_at"])
        _entry(report_row, EntryKind.ESCALATED)
        _audit(None, AuditAction.UPDATE, report_row, "task:report_check_due", step="escalate")
        minutes = int((report_row.escalated_at - report_row.received_at).total_seconds() // 60)
        escalate_to = list(access.users_reaching_school(school, ESCALATION | RECEIVERS))
        escalate_to = escalate_to or _recipients(school)
        _alert(
            report_row,
            users=escalate_to,
            title=f"Urgent report at {school.name} not acknowledged after {minutes} minutes",
            kind="report_escalated",
            urgent=True,
        )
        return "escalated"
    if report_row.entries.filter(kind=EntryKind.OVERDUE).exists():
        return "already overdue"
    _entry(report_row, EntryKind.OVERDUE)
    _audit(None, AuditAction.UPDATE, report_row, "task:report_check_due", step="overdue")
    _alert(
        report_row,
        users=list(access.users_reaching_school(school, access.SCHOOL_LEADERS | RECEIVERS))
        or _recipients(school),
        title=f"A report at {school.name} has not been acknowledged and is overdue",
        kind="report_overdue",
    )
    return "overdue"


@transaction.atomic
def reporting_settings_update(
    *, actor: Any, area: Area, cue_words: object, escalate_after_minutes: object, source: str
) -> ReportingSettings:
    """Change the area's cue words and escalation time (for reports received from now on)."""
    errors: dict[str, str] = {}
    words = check_text(cue_words, "cue_words", 20000, errors, required=False)
    lines = list(dict.fromkeys(line.strip() for line in words.splitlines() if line.strip()))
    if any(len(line) > 100 for line in lines):
        errors["cue_words"] = "Keep each word or phrase to 100 characters"
    if (
        isinstance(escalate_after_minutes, bool)
        or not isinstance(escalate_after_minutes, int)
        or not 1 <= escalate_after_minutes <= 240
    ):
        errors["escalate_after_minutes"] = "Give a number of minutes from 1 to 240"
    if errors:
        raise ValidationError(errors)
    settings_row = triage.area_settings(area)
    settings_row = ReportingSettings.objects.select_for_update().get(pk=settings_row.pk)
    settings_row.cue_words = "\n".join(lines)
    settings_row.escalate_after_minutes = int(str(escalate_after_minutes))
    settings_row.updated_by = actor
    settings_row.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=settings_row,
        detail={
            "cue_words": len(lines),
            "escalate_after_minutes": int(str(escalate_after_minutes)),
        },
    )
    return settings_row


@transaction.atomic
def safety_topic_save(
    *,
    actor: Any,
    area: Area,
    category: object,
    title: object,
    summary: object,
    body: object,
    source: str,
) -> SafetyTopic:
    """Set the area's own advice page for a category, in place of the shipped one."""
    errors: dict[str, str] = {}
    category = check_choice(category, Category, "category", errors)
    title = check_text(title, "title", 120, errors)
    summary = check_text(summary, "summary", 300, errors)
    body = check_text(body, "body", 20000, errors)
    if errors:
        raise ValidationError(errors)
    topic, created = SafetyTopic.objects.update_or_create(
        area=area,
        category=category,
        defaults={"title": title, "summary": summary, "body": body, "updated_by": actor},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        source=source,
        obj=topic,
        detail={"category": category},
    )
    return topic


@transaction.atomic
def safety_topic_reset(*, actor: Any, area: Area, category: str, source: str) -> bool:
    """Go back to the shipped advice for a category; returns whether the area had its own."""
    topic = SafetyTopic.objects.filter(area=area, category=category).first()
    if topic is None:
        return False
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        source=source,
        obj=topic,
        detail={"category": category},
    )
    topic.delete()
    return True
