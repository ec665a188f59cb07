"""The steering group of a partnership: its members (current and past), its meetings with
agenda, minutes, decisions and actions, the minutes as a PDF, and the actions each member owns
on their home page.

Everyone whose role reaches the partnership reads the group; those who keep its governance
(``access.can_govern``) add and change members and meetings; an action's owner marks it done.
What is out of reach is "not found", for a read and a write alike. The records hold no pupil's
personal data, so reading them is not audited; the PDF, an export, is.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction, Partnership
from saferschools.lib.formrows import row_count
from saferschools.lib.pdf import pdf_render, pdf_response

from . import steering_selectors as selectors
from . import steering_services as services
from .models import SteeringAction, SteeringMeeting, SteeringMember
from .steering_forms import (
    LeaveForm,
    MeetingForm,
    MemberForm,
    meeting_initial,
    member_initial,
    new_meeting_initial,
)

# The steering group page ---------------------------------------------------------------------


@login_required
@require_safe
def steering_group(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    group = selectors.steering_group(user=user, partnership=partnership)
    return render(
        request,
        "planning/steering_group.html",
        {
            "partnership": partnership,
            "group": group,
            "can_govern": access.can_govern(user, partnership),
        },
    )


# Members -----------------------------------------------------------------------------------


def _member_page(
    request: HttpRequest,
    *,
    partnership: Partnership,
    form: MemberForm,
    member: SteeringMember | None,
) -> HttpResponse:
    return render(
        request,
        "planning/steering_member_form.html",
        {"partnership": partnership, "form": form, "member": member},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def steering_member_new(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    people = selectors.partnership_people(partnership=partnership)
    if request.method != "POST":
        form = MemberForm(initial={"joined_on": timezone.localdate()}, people=people)
        return _member_page(request, partnership=partnership, form=form, member=None)
    form = MemberForm(request.POST, people=people)
    if form.is_valid():
        try:
            member = services.steering_member_add(
                actor=user,
                partnership=partnership,
                data=form.member_input(),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{member.name} added to the steering group.")
            return redirect("planning-steering", partnership_id=partnership.pk)
    return _member_page(request, partnership=partnership, form=form, member=None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def steering_member_edit(request: HttpRequest, partnership_id: str, member_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    member = selectors.member_for_change(user=user, partnership=partnership, member_id=member_id)
    people = selectors.partnership_people(
        partnership=partnership, also=[member.user] if member.user is not None else []
    )
    if request.method != "POST":
        form = MemberForm(initial=member_initial(member), people=people)
        return _member_page(request, partnership=partnership, form=form, member=member)
    form = MemberForm(request.POST, people=people)
    if form.is_valid():
        try:
            member = services.steering_member_update(
                actor=user, member=member, data=form.member_input(), source=audit_source(request)
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Changes to {member.name} saved.")
            return redirect("planning-steering", partnership_id=partnership.pk)
    return _member_page(request, partnership=partnership, form=form, member=member)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def steering_member_leave(
    request: HttpRequest, partnership_id: str, member_id: str
) -> HttpResponse:
    """Record that a member has left: they stay in the group's history."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    member = selectors.member_for_change(user=user, partnership=partnership, member_id=member_id)
    if request.method != "POST":
        form = LeaveForm(initial={"left_on": timezone.localdate()})
    else:
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                services.steering_member_leave(
                    actor=user,
                    member=member,
                    left_on=form.cleaned_data["left_on"],
                    source=audit_source(request),
                )
            except ValidationError as error:
                for key, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error("left_on" if key == "left_on" else None, text)
            else:
                messages.success(request, f"{member.name} has left the steering group.")
                return redirect("planning-steering", partnership_id=partnership.pk)
    return render(
        request,
        "planning/steering_member_leave.html",
        {"partnership": partnership, "member": member, "form": form},
        status=400 if form.errors else 200,
    )


# Meetings ----------------------------------------------------------------------------------


def _meeting_form_page(
    request: HttpRequest,
    *,
    partnership: Partnership,
    form: MeetingForm,
    meeting: SteeringMeeting | None,
) -> HttpResponse:
    return render(
        request,
        "planning/steering_meeting_form.html",
        {
            "partnership": partnership,
            "form": form,
            "meeting": meeting,
            "action_url": request.path,
        },
        status=400 if form.errors else 200,
    )


def _meeting_choices(partnership: Partnership, meeting: SteeringMeeting | None) -> dict[str, Any]:
    """The members the form lists as attendees and the accounts it offers as owners: the
    current ones, and those the meeting names already."""
    attending = list(meeting.attendees.all()) if meeting is not None else []
    owning = [a.owner for a in meeting.actions.all() if a.owner is not None] if meeting else []
    return {
        "members": selectors.current_members(partnership=partnership, also=attending),
        "owners": selectors.action_owners(partnership=partnership, also=owning),
    }


def _save_meeting(
    request: HttpRequest, *, partnership: Partnership, meeting: SteeringMeeting | None
) -> HttpResponse:
    """A POST of the meeting's form: "Add another action", or saving the record."""
    user = request.user
    data = request.POST.copy()
    choices = _meeting_choices(partnership, meeting)
    if data.get("add") == "action":
        data["action_rows"] = str(
            min(
                row_count(data, "action", default=0, maximum=services.MAX_ACTIONS) + 1,
                services.MAX_ACTIONS,
            )
        )
        form = MeetingForm(data, rows=0, **choices)
        form.keep_unjudged()
        return _meeting_form_page(request, partnership=partnership, form=form, meeting=meeting)
    form = MeetingForm(data, rows=0, **choices)
    if form.is_valid():
        data_in, numbers = form.meeting_input()
        source = audit_source(request)
        try:
            if meeting is None:
                saved = services.steering_meeting_record(
                    actor=user, partnership=partnership, data=data_in, source=source
                )
                messages.success(request, "Meeting recorded.")
            else:
                saved = services.steering_meeting_update(
                    actor=user, meeting=meeting, data=data_in, source=source
                )
                messages.success(request, "Meeting changed.")
        except ValidationError as error:
            form.add_service_errors(error, numbers)
            if meeting is not None and "updated_at" in error.message_dict:
                # Saving again, having seen the error, replaces the meeting as it is now.
                resent = data.copy()
                resent["updated_at"] = (
                    SteeringMeeting.objects.values_list("updated_at", flat=True)
                    .get(pk=meeting.pk)
                    .isoformat()
                )
                form.data = resent
        else:
            return redirect(
                "planning-steering-meeting", partnership_id=partnership.pk, meeting_id=saved.pk
            )
    return _meeting_form_page(request, partnership=partnership, form=form, meeting=meeting)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def steering_meeting_new(request: HttpRequest, partnership_id: str) -> HttpResponse:
    partnership = access.get_governed_partnership_for_user(request.user, partnership_id, write=True)
    if request.method == "POST":
        return _save_meeting(request, partnership=partnership, meeting=None)
    initial, rows = new_meeting_initial()
    form = MeetingForm(initial=initial, rows=rows, **_meeting_choices(partnership, None))
    return _meeting_form_page(request, partnership=partnership, form=form, meeting=None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def steering_meeting_edit(
    request: HttpRequest, partnership_id: str, meeting_id: str
) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    meeting = selectors.meeting_get(
        user=user, partnership=partnership, meeting_id=meeting_id, write=True
    )
    if request.method == "POST":
        return _save_meeting(request, partnership=partnership, meeting=meeting)
    initial, rows = meeting_initial(meeting)
    form = MeetingForm(initial=initial, rows=rows, **_meeting_choices(partnership, meeting))
    return _meeting_form_page(request, partnership=partnership, form=form, meeting=meeting)


@dataclass(frozen=True)
class ActionView:
    action: SteeringAction
    owner: str
    overdue: bool
    can_mark: bool


def _action_views(user: Any, meeting: SteeringMeeting, can_change: bool) -> list[ActionView]:
    today = timezone.localdate()
    return [
        ActionView(
            action=action,
            owner=selectors.owner_label(action),
            overdue=action.done_at is None and action.due_on < today,
            can_mark=can_change or (action.owner_id is not None and action.owner_id == user.pk),
        )
        for action in meeting.actions.all()
    ]


@login_required
@require_safe
def steering_meeting(request: HttpRequest, partnership_id: str, meeting_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    meeting = selectors.meeting_get(user=user, partnership=partnership, meeting_id=meeting_id)
    can_change = access.can_govern(user, partnership)
    return render(
        request,
        "planning/steering_meeting.html",
        {
            "partnership": partnership,
            "meeting": meeting,
            "attendees": [selectors.member_label(m) for m in meeting.attendees.all()],
            "actions": _action_views(user, meeting, can_change),
            "can_change": can_change,
            "upcoming": meeting.held_at > timezone.now(),
        },
    )


@login_required
@require_safe
def steering_minutes_pdf(
    request: HttpRequest, partnership_id: str, meeting_id: str
) -> HttpResponse:
    """The meeting's record as a PDF to circulate; the download is in the audit log."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    meeting = selectors.meeting_get(user=user, partnership=partnership, meeting_id=meeting_id)
    pdf = pdf_render(
        template="planning/steering_minutes_pdf.html",
        context={
            "partnership": partnership,
            "meeting": meeting,
            "attendees": [selectors.member_label(m) for m in meeting.attendees.all()],
            "actions": _action_views(user, meeting, False),
            "printed_at": timezone.now(),
            "printed_by": user,
        },
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        obj=meeting,
        detail={"format": "pdf"},
    )
    held = timezone.localtime(meeting.held_at)
    return pdf_response(pdf, filename=f"steering-group-minutes-{held:%Y-%m-%d}.pdf")


@login_required
@require_POST
def steering_action_done(
    request: HttpRequest, partnership_id: str, meeting_id: str, action_id: str
) -> HttpResponse:
    """Mark an action done (``done`` 1), or not done again (0): its owner, or one who keeps the
    governance. Any other value is a bad request, and changes nothing."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    action = selectors.action_for_change(
        user=user, partnership=partnership, meeting_id=meeting_id, action_id=action_id
    )
    sent = request.POST.get("done")
    if sent not in ("0", "1"):
        # Only the page's own buttons send this: anything else is refused, nothing changed.
        raise BadRequest("Mark an action done (1) or not done (0).")
    done = sent == "1"
    try:
        services.steering_action_set_done(
            actor=user, action=action, done=done, source=audit_source(request)
        )
    except ValidationError:
        # Their role was taken away since the action was fetched: out of reach, as for a read.
        raise Http404("No action found.") from None
    messages.success(request, "Action marked done." if done else "Action marked not done.")
    return redirect(
        "planning-steering-meeting", partnership_id=partnership.pk, meeting_id=action.meeting_id
    )


GROUP = "partnerships/<uuid:partnership_id>/steering-group/"
MEETING = GROUP + "meetings/<uuid:meeting_id>/"

urlpatterns: list[URLPattern] = [
    path(GROUP, steering_group, name="planning-steering"),
    path(GROUP + "members/new/", steering_member_new, name="planning-steering-member-new"),
    path(
        GROUP + "members/<uuid:member_id>/edit/",
        steering_member_edit,
        name="planning-steering-member-edit",
    ),
    path(
        GROUP + "members/<uuid:member_id>/leave/",
        steering_member_leave,
        name="planning-steering-member-leave",
    ),
    path(GROUP + "meetings/new/", steering_meeting_new, name="planning-steering-meeting-new"),
    path(MEETING, steering_meeting, name="planning-steering-meeting"),
    path(MEETING + "edit/", steering_meeting_edit, name="planning-steering-meeting-edit"),
    path(MEETING + "minutes.pdf", steering_minutes_pdf, name="planning-steering-minutes-pdf"),
    path(
        MEETING + "actions/<uuid:action_id>/done/",
        steering_action_done,
        name="planning-steering-action-done",
    ),
]


# The landing page ----------------------------------------------------------------------------


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The user's open steering group actions, the earliest due first, overdue ones flagged;
    ``None`` when they have none. Three queries, whatever their number."""
    owned = selectors.open_actions_owned(user=request.user)
    if not owned.total:
        return None
    today = timezone.localdate()
    return {
        "actions": [(action, action.due_on < today) for action in owned.actions],
        "total": owned.total,
        "overdue": owned.overdue,
    }
