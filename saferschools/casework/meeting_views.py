"""Multi-agency meetings: a school's case workers record and change the minutes; they and the
attendees read them, as a page and as a PDF. What was said about each pupil is shown only to
those who may see that pupil's record: others read "a pupil whose record is not shared with
you", without the note.

Meetings are fetched through the access policy (out of scope is "not found"); every page that
shows one is audited, and every change is a service call that writes the audit log.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import AuditAction, School
from saferschools.lib.pdf import pdf_render, pdf_response

from . import meeting_selectors as selectors
from . import meeting_services as services
from . import selectors as pupil_selectors
from .meeting_forms import (
    ROW_MAXIMA,
    SEARCH_MAX,
    MeetingForm,
    meeting_initial,
    new_meeting_initial,
    pupil_label,
    row_count,
)
from .models import Meeting, MeetingAction, Pupil
from .records import pupil_transfer_pending

LIST_PAGE_SIZE = 50
SEARCH_LIMIT = 20


# A school's meetings -----------------------------------------------------------------------


@login_required
@require_safe
def meeting_list(request: HttpRequest, urn: int) -> HttpResponse:
    """The school's meetings, the latest first, for its case workers."""
    user = request.user
    school = selectors.school_for_meetings(user=user, urn=urn)
    page = Paginator(selectors.meeting_list(user=user, school=school), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = selectors.meeting_audit_listing(
        user=user, meetings=list(page), source=audit_source(request)
    )
    return render(
        request,
        "casework/meeting_list.html",
        {"school": school, "page": page, "meetings": shown},
    )


# Recording and changing a meeting -------------------------------------------------------------


def _uuids(values: list[str]) -> list[str]:
    found = []
    for value in values:
        try:
            found.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return found


def _pupils_known(
    user: Any, school: School, ids: list[str], meeting: Meeting | None
) -> dict[str, Pupil]:
    """The pupils the form may name, by id: the school's pupils the user sees among ``ids``,
    and those the meeting already discussed."""
    known: dict[str, Pupil] = {}
    if meeting is not None:
        known.update({str(row.pupil_id): row.pupil for row in meeting.pupils_discussed.all()})
    wanted = [pk for pk in _uuids(ids) if pk not in known]
    if wanted:
        register = pupil_selectors.pupil_list(user=user, school=school, on_roll=None)
        known.update({str(p.pk): p for p in register.filter(pk__in=wanted)})
    return known


def _search(user: Any, school: School, query: str, exclude: set[str]) -> list[Pupil]:
    if not query:
        return []
    register = pupil_selectors.pupil_list(user=user, school=school)
    found = pupil_selectors.pupil_search(register, query)[: SEARCH_LIMIT + len(exclude)]
    return [pupil for pupil in found if str(pupil.pk) not in exclude][:SEARCH_LIMIT]


def _apply_button(data: QueryDict, user: Any, school: School) -> bool:
    """Apply "add another", "find" or "add this pupil" to the data sent; whether one was
    pressed (and so the form is to come back unsaved)."""
    added = data.get("add", "")
    if added in ("guest", "action"):
        data[f"{added}_rows"] = str(min(row_count(data, added, 0) + 1, ROW_MAXIMA[added]))
        return True
    pupil_id = data.get("add_pupil", "")
    if pupil_id:
        count = row_count(data, "pupil", 0)
        on_form = {data.get(f"pupil_{n}_id", "") for n in range(1, count + 1)}
        known = _pupils_known(user, school, [pupil_id], None)
        if pupil_id in known and pupil_id not in on_form and count < ROW_MAXIMA["pupil"]:
            data[f"pupil_{count + 1}_id"] = pupil_id
            data[f"pupil_{count + 1}_note"] = ""
            data["pupil_rows"] = str(count + 1)
        return True
    return "find" in data


def _form_page(
    request: HttpRequest,
    *,
    school: School,
    form: MeetingForm,
    meeting: Meeting | None,
    searched: bool,
) -> HttpResponse:
    """The meeting's form, with its errors if it has any. The pupils it names, and those the
    search found, are a read of the register (and of the meeting, when changing it)."""
    user = request.user
    source = audit_source(request)
    on_form = [form.pupils[pk] for pk in form.pupil_ids() if pk in form.pupils]
    query = str(form["q"].value() or "").replace("\x00", "").strip()[:SEARCH_MAX]
    found = _search(user, school, query, {str(p.pk) for p in on_form}) if searched else []
    if meeting is not None:
        selectors.meeting_audit_read(user=user, meeting=meeting, pupils=on_form, source=source)
        pupil_selectors.audit_listing(user=user, pupils=found, source=source)
    else:
        pupil_selectors.audit_listing(user=user, pupils=[*on_form, *found], source=source)
    return render(
        request,
        "casework/meeting_form.html",
        {
            "school": school,
            "form": form,
            "meeting": meeting,
            "found": [(pupil, pupil_label(pupil)) for pupil in found],
            "searched": searched and bool(query),
            "action_url": request.path,
        },
        status=400 if form.errors else 200,
    )


def _save(
    request: HttpRequest, *, school: School, meeting: Meeting | None, people: list[Any]
) -> HttpResponse:
    """A POST of the form: a button that changes the form, or saving the minutes."""
    user = request.user
    data = request.POST.copy()
    pressed = _apply_button(data, user, school)
    rows = {kind: row_count(data, kind, 0) for kind in ROW_MAXIMA}
    form = MeetingForm(data, people=people, pupils={}, rows=rows)
    form.pupils = _pupils_known(user, school, form.pupil_ids(), meeting)
    if pressed:
        form.keep_unjudged()
        return _form_page(request, school=school, form=form, meeting=meeting, searched=True)
    if form.is_valid():
        data_in, numbers = form.meeting_input()
        try:
            if meeting is None:
                saved = services.meeting_record(
                    actor=user, school=school, data=data_in, source=audit_source(request)
                )
                messages.success(request, "Meeting recorded.")
            else:
                saved = services.meeting_update(
                    actor=user, meeting=meeting, data=data_in, source=audit_source(request)
                )
                messages.success(request, "Meeting changed.")
        except ValidationError as error:
            form.add_service_errors(error, numbers)
        else:
            return redirect("casework-meeting", meeting_id=saved.pk)
    return _form_page(request, school=school, form=form, meeting=meeting, searched=False)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_record(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = selectors.school_for_meetings(user=user, urn=urn)
    people = selectors.meeting_people(school=school)
    if request.method == "POST":
        return _save(request, school=school, meeting=None, people=people)
    start = None
    wanted = _pupils_known(user, school, [request.GET.get("pupil", "")], None)
    if wanted:
        start = next(iter(wanted.values()))
    initial, rows = new_meeting_initial(start)
    form = MeetingForm(initial=initial, people=people, pupils=wanted, rows=rows)
    return _form_page(request, school=school, form=form, meeting=None, searched=False)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: str) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_for_change(user=user, meeting_id=meeting_id)
    school = meeting.school
    already = list(meeting.attendees.all()) + [
        a.owner for a in meeting.actions.all() if a.owner is not None
    ]
    people = selectors.meeting_people(school=school, also=already)
    if request.method == "POST":
        return _save(request, school=school, meeting=meeting, people=people)
    initial, rows = meeting_initial(meeting)
    form = MeetingForm(
        initial=initial,
        people=people,
        pupils=_pupils_known(user, school, [], meeting),
        rows=rows,
    )
    return _form_page(request, school=school, form=form, meeting=meeting, searched=False)


# The minutes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionView:
    action: MeetingAction
    owner: str
    overdue: bool
    can_mark: bool


def _action_views(user: Any, minutes: selectors.Minutes, can_change: bool) -> list[ActionView]:
    today = timezone.localdate()
    return [
        ActionView(
            action=action,
            owner=(action.owner.full_name or action.owner.email)
            if action.owner is not None
            else action.owner_name,
            overdue=action.done_at is None and action.due_on < today,
            can_mark=can_change or action.owner_id == user.pk,
        )
        for action in minutes.actions
    ]


@login_required
@require_safe
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    user = request.user
    minutes = selectors.meeting_minutes(
        user=user, meeting_id=meeting_id, source=audit_source(request)
    )
    can_change = selectors.can_change_meeting(user, minutes.meeting)
    return render(
        request,
        "casework/meeting_detail.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "actions": _action_views(user, minutes, can_change),
            "can_change": can_change,
        },
    )


@login_required
@require_safe
def meeting_pdf(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The minutes as a PDF: what the reader sees on the page, audited as an export."""
    user = request.user
    minutes = selectors.meeting_minutes(
        user=user, meeting_id=meeting_id, source=audit_source(request), action=AuditAction.EXPORT
    )
    pdf = pdf_render(
        template="casework/pdf/meeting.html",
        context={
            "minutes": minutes,
            "meeting": minutes.meeting,
            "actions": _action_views(user, minutes, False),
            "printed_at": timezone.now(),
            "printed_by": user,
        },
    )
    held = timezone.localtime(minutes.meeting.held_at)
    return pdf_response(pdf, filename=f"meeting-minutes-{held:%Y-%m-%d}.pdf")


@login_required
@require_POST
def meeting_action_done(request: HttpRequest, meeting_id: str, action_id: str) -> HttpResponse:
    """Mark an action done, or not done again: the school's case workers and its owner."""
    action = selectors.meeting_action_for_change(
        user=request.user, meeting_id=meeting_id, action_id=action_id
    )
    done = request.POST.get("done") == "1"
    services.meeting_action_set_done(
        actor=request.user, action=action, done=done, source=audit_source(request)
    )
    messages.success(request, "Action marked done." if done else "Action marked not done.")
    return redirect("casework-meeting", meeting_id=action.meeting_id)


urlpatterns = [
    path("schools/<int:urn>/meetings/", meeting_list, name="casework-meetings"),
    path("schools/<int:urn>/meetings/new/", meeting_record, name="casework-record-meeting"),
    path("meetings/<uuid:meeting_id>/", meeting_detail, name="casework-meeting"),
    path("meetings/<uuid:meeting_id>/edit/", meeting_edit, name="casework-edit-meeting"),
    path("meetings/<uuid:meeting_id>/minutes.pdf", meeting_pdf, name="casework-meeting-pdf"),
    path(
        "meetings/<uuid:meeting_id>/actions/<uuid:action_id>/done/",
        meeting_action_done,
        name="casework-meeting-action-done",
    ),
]


# Parts of other pages ------------------------------------------------------------------------


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The meetings where the pupil was discussed, with what was said, for those who may see
    the pupil's meeting notes; a link to record one for the school's case workers."""
    meetings = selectors.meeting_pupil_list(
        user=request.user, pupil=pupil, source=audit_source(request)
    )
    if meetings is None:
        return None
    return {
        "pupil": pupil,
        "meetings": meetings,
        # While the record awaits another school's confirmation it is read-only here: a meeting
        # recorded now could not note this pupil.
        "can_record": access.can_open_casework(request.user, pupil.school)
        and pupil_transfer_pending(pupil) is None,
    }


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Meeting actions the user owns that are overdue or due within a week, and the meetings of
    the schools whose casework they keep."""
    user = request.user
    actions = selectors.meeting_actions_due(user=user, source=audit_source(request))
    schools = list(access.casework_schools(user))
    if not actions and not schools:
        return None
    today = timezone.localdate()
    return {
        "actions": [(action, action.due_on < today) for action in actions],
        "schools": schools,
    }
