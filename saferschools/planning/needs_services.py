"""Stage 1 at one school: its needs assessment, and requests that it consider a partnership.

The needs assessment is the school's and the police's analysis of needs (section 3.12): the
concerns found, the views of staff, pupils, parents and governors, and a narrative. It is
written by the school's leaders and its officers (``access.can_assess_needs``); completing it is
what the partnership's first stage needs of each school. A change after completion keeps it
complete; reopening it clears the date.

A request is how a parent, governor or member of staff asks that the school consider a Safer
School Partnership (3.2; the Youth Crime Action Plan gives parents that right). It comes through
the school's public page, or is recorded by one of the school's leaders when it arrives by
letter or at a parents' evening. It names the person who asked, so only the school's leaders
read it (``access.can_read_ssp_requests``).

Each function checks everything first and raises one ``ValidationError`` keyed by field, then
writes in one transaction with its audit event, which names the fields changed, never the text.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_choice, check_text

from .models import Concern, NeedsAssessment, SspRequest

OTHER_CONCERNS_MAX = 1000
VIEWS_MAX = 5000
NARRATIVE_MAX = 20000
NAME_MAX = 200
CONTACT_MAX = 254
REASON_MAX = 5000
RESPONSE_MAX = 5000
# A request is received on a day of the last few years, never in the future.
OLDEST_REQUEST = timedelta(days=5 * 366)
# The same request sent again within this time (a second press of the button, or the page sent
# again) is the one already received: stored and announced once.
DUPLICATE_WINDOW = timedelta(minutes=10)
# Who may ask through the school's public page. A pupil is left out there: pupils have their own
# confidential reporting page, and their voice comes into the assessment through its "views of
# pupils" and the steering group's pupil representatives; a request a pupil makes (the school
# council's, say) is recorded by the school's leaders.
PUBLIC_REQUESTERS = (
    SspRequest.Requester.PARENT,
    SspRequest.Requester.GOVERNOR,
    SspRequest.Requester.STAFF,
    SspRequest.Requester.OTHER,
)
STALE = (
    "Someone else saved this needs assessment while you were changing it. Check what it says "
    "now (open it in another tab), then save again to replace it with what is below."
)
NOTHING_TO_SAVE = "Tick a concern or write something before you save"
NARRATIVE_NEEDED = "Write the narrative before you mark the assessment as complete"
NARRATIVE_KEPT = "A completed assessment needs its narrative: write one, or reopen the assessment"
NOTIFICATION_KIND = "ssp_request"

# The assessment's texts, in the order the form asks for them.
TEXT_FIELDS: tuple[tuple[str, int], ...] = (
    ("other_concerns", OTHER_CONCERNS_MAX),
    ("staff_views", VIEWS_MAX),
    ("pupil_views", VIEWS_MAX),
    ("parent_views", VIEWS_MAX),
    ("governor_views", VIEWS_MAX),
    ("narrative", NARRATIVE_MAX),
)


@dataclass
class NeedsInput:
    """What the needs assessment form sends. ``seen_updated_at`` is when the assessment the
    form was filled in over was last saved (``None``: there was none yet)."""

    concerns: object = field(default_factory=list)
    other_concerns: object = ""
    staff_views: object = ""
    pupil_views: object = ""
    parent_views: object = ""
    governor_views: object = ""
    narrative: object = ""
    seen_updated_at: datetime | None = None


def _audit(actor: Any, action: AuditAction, obj: Any, source: str, **detail: Any) -> None:
    audit_record(actor=actor, action=action, source=source, obj=obj, detail=detail or None)


def _check_assessor(actor: Any, school: School) -> None:
    if not access.can_assess_needs(actor, school):
        raise ValidationError({"school": "You do not write this school's needs assessment"})


def _locked_assessment(school: School) -> NeedsAssessment | None:
    """The school's assessment, locked for this transaction. The school's row is locked first,
    so that two first saves at once are made one after the other (the second is then refused
    as out of date) rather than both trying to create it."""
    School.objects.select_for_update().filter(pk=school.pk).first()
    return NeedsAssessment.objects.select_for_update().filter(school=school).first()


def _check_fresh(current: NeedsAssessment | None, seen: datetime | None) -> None:
    """Refuse a change made over an assessment someone has saved since the form was opened."""
    now_at = current.updated_at if current is not None else None
    if now_at != seen:
        raise ValidationError({"updated_at": STALE})


def _concerns(value: object, errors: dict[str, str]) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        errors["concerns"] = "Choose concerns from the list"
        return []
    chosen = set(value)
    if not chosen <= set(Concern.values):
        errors["concerns"] = "Choose concerns from the list"
        return []
    # In the list's order, each once.
    return [concern for concern in Concern.values if concern in chosen]


def _clean_assessment(data: NeedsInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"concerns": _concerns(data.concerns, errors)}
    for name, most in TEXT_FIELDS:
        values[name] = check_text(getattr(data, name), name, most, errors, required=False)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def needs_assessment_save(
    *, actor: Any, school: School, data: NeedsInput, source: str
) -> NeedsAssessment:
    """Write the school's needs assessment, for its leaders and officers: created on the first
    save, changed after. A completed assessment stays complete, and keeps a narrative (an
    error on ``narrative`` otherwise).

    A save over a version someone saved after the form was opened (``data.seen_updated_at``
    differs) is refused with an error on ``updated_at``, and changes nothing, unless it would
    change nothing anyway (the same form sent twice); so is a first save with nothing in it. A
    save that changes nothing writes nothing. The audit event names the fields changed."""
    _check_assessor(actor, school)
    values = _clean_assessment(data)
    current = _locked_assessment(school)
    if current is not None and all(
        getattr(current, name) == value for name, value in values.items()
    ):
        return current
    _check_fresh(current, data.seen_updated_at)
    if current is None:
        if not any(values.values()):
            raise ValidationError({"concerns": NOTHING_TO_SAVE})
        assessment = NeedsAssessment(school=school, updated_by=actor, **values)
        assessment.full_clean()
        assessment.save()
        _audit(
            actor,
            AuditAction.CREATE,
            assessment,
            source,
            school=school.urn,
            fields=sorted(name for name, value in values.items() if value),
        )
        return assessment
    if current.completed_on is not None and not values["narrative"]:
        # A completed assessment keeps its narrative: reopen it first to leave it out.
        raise ValidationError({"narrative": NARRATIVE_KEPT})
    changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
    for name, value in values.items():
        setattr(current, name, value)
    current.updated_by = actor
    current.full_clean()
    current.save()
    _audit(actor, AuditAction.UPDATE, current, source, school=school.urn, fields=changed)
    return current


@transaction.atomic
def needs_assessment_complete(
    *, actor: Any, school: School, seen_updated_at: datetime | None, source: str
) -> NeedsAssessment:
    """Mark the school's needs assessment complete today (London), for its leaders and
    officers. It must have a narrative (an error on ``narrative`` otherwise); one completed
    already keeps its date, whatever version was seen (the button pressed twice, or by two
    people). Completing a version other than the one seen (``seen_updated_at``, when it was
    last saved) is refused as for a save, with an error on ``updated_at``."""
    _check_assessor(actor, school)
    current = _locked_assessment(school)
    if current is not None and current.completed_on is not None:
        return current
    _check_fresh(current, seen_updated_at)
    if current is None or not current.narrative:
        raise ValidationError({"narrative": NARRATIVE_NEEDED})
    current.completed_on = timezone.localdate()
    current.updated_by = actor
    current.full_clean()
    current.save()
    _audit(
        actor,
        AuditAction.UPDATE,
        current,
        source,
        school=school.urn,
        fields=["completed_on"],
        completed_on=current.completed_on.isoformat(),
    )
    return current


@transaction.atomic
def needs_assessment_reopen(*, actor: Any, school: School, source: str) -> NeedsAssessment:
    """Reopen the school's completed needs assessment, for its leaders and officers: the
    completion date is cleared, so the partnership's first stage needs it completed again. One
    that is not complete is left as it is; a school with none gets an error on ``school``."""
    _check_assessor(actor, school)
    current = _locked_assessment(school)
    if current is None:
        raise ValidationError({"school": "This school has no needs assessment yet"})
    if current.completed_on is None:
        return current
    current.completed_on = None
    current.updated_by = actor
    current.full_clean()
    current.save()
    _audit(actor, AuditAction.UPDATE, current, source, school=school.urn, fields=["completed_on"])
    return current


# Requests that the school consider a partnership --------------------------------------------

_PHONE = re.compile(r"\+?[0-9 ()\-.]+")


def _contact(value: object, errors: dict[str, str]) -> str:
    """An e-mail address or a telephone number, checked loosely; may be empty."""
    text = check_text(value, "contact", CONTACT_MAX, errors, required=False)
    if not text:
        return ""
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            errors["contact"] = "Enter an e-mail address like name@example.com, or a phone number"
            return ""
        return text
    digits = sum(character.isdigit() for character in text)
    if not _PHONE.fullmatch(text) or not 7 <= digits <= 15:
        errors["contact"] = "Enter a phone number like 01632 960 001, or an e-mail address"
        return ""
    return text


def _received_on(value: object, today: date, errors: dict[str, str]) -> date | None:
    if not isinstance(value, date) or isinstance(value, datetime):
        errors["received_on"] = "Enter the date the request was received"
        return None
    if value > today:
        errors["received_on"] = "The date the request was received must be today or in the past"
        return None
    if value < today - OLDEST_REQUEST:
        errors["received_on"] = "The date the request was received must be in the last 5 years"
        return None
    return value


def _request_notice(school: School) -> str:
    # The title goes by e-mail: it names the school, never the person who asked.
    return f"A request that {school.name} consider a Safer School Partnership"


def _announce(request: SspRequest, actor: Any) -> None:
    """Tell the school's leaders of a new request (or, if it has none to read it, the area's
    administrators, so that it is not left unread)."""
    school = request.school
    leaders = access.users_reaching_school(school, access.SCHOOL_LEADERS)
    if actor is not None:
        leaders = leaders.exclude(pk=actor.pk)
    url = reverse("planning-request", args=[request.pk])
    sent = notify(
        users=leaders,
        title=_request_notice(school),
        url=url,
        kind=NOTIFICATION_KIND,
        object_id=str(request.pk),
    )
    if sent or actor is not None:
        return
    notify(
        users=access.users_reaching_school(school, {Role.AREA_ADMIN}),
        title=f"{_request_notice(school)}: the school has no head teacher or safeguarding lead "
        "to read it",
        url=reverse("core-school", args=[school.urn]),
        kind=NOTIFICATION_KIND,
        object_id=str(request.pk),
    )


@transaction.atomic
def ssp_request_submit(
    *,
    school: School,
    requester: object,
    name: object,
    contact: object,
    reason: object,
    received_on: object = None,
    actor: Any = None,
    source: str,
) -> SspRequest:
    """Receive a request that the school consider a Safer School Partnership.

    Without ``actor`` it came through the school's public page: the school must be open, the
    requester a parent, governor, member of staff or someone else, the name is required and the
    request is received today. With ``actor`` (one of the school's leaders) it is recorded from
    a letter or a conversation: a pupil may be the requester, the name may be left out and
    ``received_on`` is required (today or in the last five years). Nothing about the sender's
    network or device is stored. The school's leaders are notified (all but the one who
    recorded it), in the same transaction; the same request sent again within minutes is the
    one already received, and is not announced twice."""
    public = actor is None
    if public and not school.is_open:
        raise ValidationError({"school": "This school is closed"})
    if not public and not access.can_read_ssp_requests(actor, school):
        raise ValidationError({"school": "You do not keep this school's requests"})
    errors: dict[str, str] = {}
    chosen = check_choice(requester, SspRequest.Requester, "requester", errors)
    if public and chosen == SspRequest.Requester.PUPIL:
        errors["requester"] = "Choose who is asking from the list"
    values: dict[str, Any] = {
        "requester": chosen,
        "name": check_text(name, "name", NAME_MAX, errors, required=public),
        "contact": _contact(contact, errors),
        "reason": check_text(reason, "reason", REASON_MAX, errors, required=True),
    }
    today = timezone.localdate()
    values["received_on"] = today if public else _received_on(received_on, today, errors)
    if errors:
        raise ValidationError(errors)
    # A school's requests are received one at a time, so that the same one sent twice at once
    # is found by the second.
    School.objects.select_for_update().filter(pk=school.pk).first()
    repeated = SspRequest.objects.filter(
        school=school,
        recorded_by=actor,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        **values,
    ).first()
    if repeated is not None:
        return repeated
    request = SspRequest(school=school, recorded_by=actor, **values)
    request.full_clean()
    request.save()
    _audit(
        actor,
        AuditAction.CREATE,
        request,
        source,
        school=school.urn,
        requester=request.requester,
        public=public,
    )
    _announce(request, actor)
    return request


@transaction.atomic
def ssp_request_answer(
    *, actor: Any, request: SspRequest, response: object, source: str
) -> SspRequest:
    """Record how the school answered a request, for its leaders: the request is then answered,
    by the actor, now. A request already answered keeps its answer (an error on ``response``),
    unless the same answer is sent again by the one who gave it (a second press of the button),
    which changes nothing."""
    current = SspRequest.objects.select_for_update().select_related("school").get(pk=request.pk)
    if not access.can_read_ssp_requests(actor, current.school):
        raise ValidationError({"school": "You do not keep this school's requests"})
    errors: dict[str, str] = {}
    text = check_text(response, "response", RESPONSE_MAX, errors, required=True)
    if not errors and current.status == SspRequest.Status.ANSWERED:
        if current.response == text and current.answered_by_id == actor.pk:
            return current
        errors["response"] = "This request has been answered already"
    if errors:
        raise ValidationError(errors)
    current.response = text
    current.status = SspRequest.Status.ANSWERED
    current.answered_by = actor
    current.answered_at = timezone.now()
    current.full_clean()
    current.save()
    _audit(
        actor,
        AuditAction.UPDATE,
        current,
        source,
        school=current.school.urn,
        fields=["response", "status"],
    )
    return current
