"""The work-plan's pages: a partnership's plan for a year as the guidance's table (outcome,
partner roles, agreed actions) with its targets and their progress, starting and agreeing it,
each change to it, an action's progress, a target's measurements, and the landing page's list
of the user's actions.

Everyone whose role reaches the partnership reads its plans; its head teachers, steering group
members and the area's administrators keep them (``access.can_govern``); an action's owner also
records its progress. Out of scope is "not found", as for what does not exist. Every change is
a service call that writes the audit log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import Agency, Partnership
from saferschools.lib.charts import Reference, Series, line_chart_svg
from saferschools.lib.schooldays import academic_year_label
from saferschools.outcomes.models import Indicator

from . import workplan_selectors as selectors
from . import workplan_services as services
from .models import (
    ActionStatus,
    DesiredOutcome,
    Target,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from .workplan_forms import (
    ActionForm,
    MeasurementForm,
    OutcomeForm,
    RoleForm,
    StartForm,
    StatusForm,
    TargetForm,
    VersionForm,
    person_label,
)

CHART_WIDTH = 560
STATUS_TAGS = {
    ActionStatus.NOT_STARTED: "govuk-tag--grey",
    ActionStatus.IN_PROGRESS: "govuk-tag--blue",
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.DROPPED: "govuk-tag--grey",
}
PROGRESS_TAGS = {
    selectors.ProgressStatus.MET: "govuk-tag--green",
    selectors.ProgressStatus.ON_TRACK: "govuk-tag--blue",
    selectors.ProgressStatus.BEHIND: "govuk-tag--red",
    selectors.ProgressStatus.NO_FIGURE: "govuk-tag--grey",
    selectors.ProgressStatus.NOT_SHOWN: "govuk-tag--grey",
}


def _today() -> date:
    return timezone.localdate()


def _plan_url(workplan: Workplan, anchor: str = "") -> str:
    url = reverse("planning-workplan-year", args=[workplan.partnership_id, workplan.year])
    return f"{url}#{anchor}" if anchor else url


def _year(year: int) -> int:
    checked = services.check_year(year)
    if checked is None:
        raise Http404("No work-plan found.")
    return checked


# Progress for the pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    target: Target
    progress: selectors.Progress
    tag: str
    chart: SafeString | None
    summary: str


# How each kind of progress names its figures: after the name in a chart's title, and in its
# description.
SERIES_WORDS = {
    selectors.ProgressKind.COMPUTED: (
        " by school month",
        "in each school month since the baseline",
    ),
    selectors.ProgressKind.IMPORTED: (
        " by published year",
        "for the partnership's schools in each of the latest published years",
    ),
    selectors.ProgressKind.AREA: (" by published year", "for the area in each published year"),
    selectors.ProgressKind.SURVEYED: (
        " by survey term",
        "for the partnership's pupils in each term they were surveyed",
    ),
    selectors.ProgressKind.MEASURED: (", as measured", "as measured by hand"),
}
GAPS = {
    selectors.ProgressKind.COMPUTED: "A gap marks a month with no figure, or one that could "
    "give away a count from 1 to 4.",
    selectors.ProgressKind.IMPORTED: "A gap marks a year whose every figure the publisher "
    "suppressed.",
    selectors.ProgressKind.AREA: "A gap marks a year the publisher suppressed.",
    selectors.ProgressKind.SURVEYED: f"A gap marks a term when {selectors.FEW_ANSWERS}.",
    selectors.ProgressKind.MEASURED: "",
}


def _name(target: Target) -> str:
    return target.indicator.name if target.indicator is not None else target.measure


def _chart(progress: selectors.Progress) -> SafeString | None:
    """The target's figures as a line over its periods, with the baseline and the target drawn
    across, to sit beside the table of the same figures."""
    if not progress.series:
        return None
    target = progress.target
    name = _name(target)
    values = [point.value if point.shown else None for point in progress.series]
    title, what = SERIES_WORDS[progress.kind]
    gap = GAPS[progress.kind] if None in values else ""
    return line_chart_svg(
        title=f"{name}{title}",
        description=(
            f"{name} {what}, for the target “{target.description}”, with the baseline "
            f"({selectors.plain(target.baseline)}) and the target "
            f"({selectors.plain(target.target_value)}) drawn across. The table beside the chart "
            "gives the same figures." + (f" {gap}" if gap else "")
        ),
        labels=[point.label for point in progress.series],
        series=[Series(name, values)],
        references=[
            Reference("Baseline", target.baseline),
            Reference("Target", target.target_value),
        ],
        chart_id=f"chart-{target.pk}",
        width=CHART_WIDTH,
    )


def _summary(progress: selectors.Progress) -> str:
    """One sentence saying where the target stands, giving no figure the viewer may not see."""
    target = progress.target
    span = (
        f"From {selectors.plain(target.baseline)} on {services.long_date(target.baseline_on)} "
        f"towards {selectors.plain(target.target_value)} by {services.long_date(target.target_on)}"
    )
    if progress.current is None:
        return f"{span}: there is no figure yet."
    if not progress.current_shown:
        return (
            f"{span}: the latest figure ({progress.as_of_label}) is not shown, as it could give "
            "away a count from 1 to 4."
        )
    latest = f"the latest figure is {progress.current_text} ({progress.as_of_label})"
    if progress.status == selectors.ProgressStatus.NO_FIGURE:
        return f"{span}, {latest}, from before the baseline."
    return f"{span}, {latest}: {progress.status_label.lower()}."


def _target_views(
    user: Any, partnership: Partnership, targets: list[Target], today: date
) -> dict[Any, TargetView]:
    if not targets:
        return {}
    counts = selectors.counts_for(user=user, schools=partnership.schools.order_by("name"))
    progress = selectors.target_progress(targets=targets, counts=counts, today=today)
    return {
        target.pk: TargetView(
            target,
            progress[target.pk],
            PROGRESS_TAGS[progress[target.pk].status],
            _chart(progress[target.pk]),
            _summary(progress[target.pk]),
        )
        for target in targets
    }


# The plan ----------------------------------------------------------------------------------------


def _plan_page(
    request: HttpRequest,
    partnership: Partnership,
    year: int,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = _today()
    can_govern = access.can_govern(user, partnership)
    workplan = selectors.workplan_get(partnership=partnership, year=year)
    years = selectors.workplan_years(partnership=partnership)
    current = services.current_year(today)
    context: dict[str, Any] = {
        "partnership": partnership,
        "year": year,
        "year_label": academic_year_label(year),
        "is_current": year == current,
        "current_year": current,
        "other_years": [(y, academic_year_label(y)) for y in years if y != year],
        "workplan": workplan,
        "can_govern": can_govern,
        "can_start": can_govern and workplan is None and year <= current + 1,
        "errors": errors or [],
        "today": today,
    }
    if workplan is not None:
        outcomes = list(workplan.outcomes.all())
        targets = selectors.workplan_targets(workplan)
        views = _target_views(user, partnership, targets, today)
        context.update(
            outcomes=[
                {
                    "outcome": outcome,
                    "roles": list(outcome.partner_roles.all()),
                    "actions": [
                        (
                            action,
                            STATUS_TAGS[ActionStatus(action.status)],
                            services.action_is_overdue(action, today),
                        )
                        for action in outcome.actions.all()
                    ],
                    "targets": [views[target.pk] for target in outcome.targets.all()],
                }
                for outcome in outcomes
            ],
            target_count=len(targets),
            version=services.workplan_version(workplan),
            missing=services.workplan_missing_for_agreement(workplan),
            changed_at=selectors.workplan_changed_after_agreement(workplan=workplan),
        )
    return render(request, "planning/workplan_detail.html", context, status=status)


@login_required
@require_safe
def workplan_current(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """The plan of the academic year holding today, with links to the other years'."""
    partnership = access.get_governed_partnership_for_user(request.user, partnership_id)
    return _plan_page(request, partnership, services.current_year(_today()))


@login_required
@require_safe
def workplan_year(request: HttpRequest, partnership_id: str, year: int) -> HttpResponse:
    partnership = access.get_governed_partnership_for_user(request.user, partnership_id)
    return _plan_page(request, partnership, _year(year))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workplan_start(request: HttpRequest, partnership_id: str, year: int) -> HttpResponse:
    """Start a year's plan, with the partnership's desired outcomes chosen to begin it."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    year = _year(year)
    # A year that has its plan, or (asked for the form) one too far ahead to start: its page
    # says which.
    too_far = request.method != "POST" and year > services.current_year(_today()) + 1
    if too_far or Workplan.objects.filter(partnership=partnership, year=year).exists():
        return redirect("planning-workplan-year", partnership_id=partnership.pk, year=year)
    desired = list(
        DesiredOutcome.objects.filter(aim__partnership=partnership)
        .select_related("aim")
        .order_by("aim__aim", "text")
    )
    form = StartForm(
        request.POST if request.method == "POST" else None,
        desired=desired,
        initial={"desired_outcomes": [str(one.pk) for one in desired]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            workplan = services.workplan_start(
                actor=user,
                partnership=partnership,
                year=year,
                desired_outcome_ids=form.cleaned_data["desired_outcomes"],
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The {workplan.year_label} work-plan is started.")
            return redirect(_plan_url(workplan))
    return render(
        request,
        "planning/workplan_start.html",
        {
            "partnership": partnership,
            "year": year,
            "year_label": academic_year_label(year),
            "form": form,
            "desired": desired,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def workplan_agree(request: HttpRequest, workplan_id: str) -> HttpResponse:
    """Record that the partners agreed the plan as the person agreeing it saw it."""
    user = request.user
    workplan = access.get_workplan_for_user(user, workplan_id, write=True)
    form = VersionForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.workplan_agree(
                actor=user,
                workplan=workplan,
                version=form.cleaned_data["version"] or None,
                source=audit_source(request),
            )
        except ValidationError as error:
            errors = [text for texts in error.message_dict.values() for text in texts]
        else:
            messages.success(request, f"The {workplan.year_label} work-plan is agreed.")
            return redirect(_plan_url(workplan))
    else:
        errors = ["The page was not sent as it should be: try again"]
    return _plan_page(request, workplan.partnership, workplan.year, errors=errors, status=400)


# Forms -------------------------------------------------------------------------------------------


@dataclass
class FormPage:
    """What a form page about the plan shows around its form."""

    title: str
    caption: str
    action: str
    button: str
    back: str
    fields: list[str]
    date_fields: tuple[str, ...] = ()
    intro: str = ""
    now: list[tuple[str, str]] | None = None
    hints: list[tuple[str, str]] | None = None


def _form_page(request: HttpRequest, form: Any, page: FormPage) -> HttpResponse:
    return render(
        request,
        "planning/workplan_form.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _run(
    request: HttpRequest,
    form: Any,
    step: Callable[[dict[str, Any]], object],
    *,
    current_version: Callable[[], str] | None = None,
) -> bool:
    """Run the service with the form's data once it is valid; its errors go on the form. After
    a stale edit, the form carries the present version: sending it again replaces that one."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        step(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        if "version" in error.message_dict and current_version is not None:
            resent = request.POST.copy()
            resent["version"] = current_version()
            form.data = resent
        return False
    return True


def _present_version(obj: Any, fingerprint: Callable[[Any], str]) -> Callable[[], str]:
    """The fingerprint of ``obj`` as it stands now, for a form refused as stale; none once it
    has been removed (sending the form again is then refused as such)."""

    def now() -> str:
        try:
            obj.refresh_from_db()
        except ObjectDoesNotExist:
            return ""
        return fingerprint(obj)

    return now


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _caption(workplan: Workplan) -> str:
    return f"{workplan.partnership.name}: {workplan.year_label} work-plan"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outcome_new(request: HttpRequest, workplan_id: str) -> HttpResponse:
    workplan = access.get_workplan_for_user(request.user, workplan_id, write=True)
    form = OutcomeForm(_posted(request))

    def step(data: dict[str, Any]) -> object:
        return services.workplan_outcome_add(
            actor=request.user,
            workplan=workplan,
            aim=data["aim"],
            text=data["text"],
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Outcome added.")
        return redirect(_plan_url(workplan, "outcomes"))
    return _form_page(
        request,
        form,
        FormPage(
            title="Add an outcome",
            caption=_caption(workplan),
            action=reverse("planning-workplan-outcome-new", args=[workplan.pk]),
            button="Add the outcome",
            back=_plan_url(workplan),
            fields=["aim", "text"],
        ),
    )


def _outcome_now(outcome: WorkplanOutcome) -> list[tuple[str, str]]:
    return [("Core aim", outcome.get_aim_display()), ("Outcome", outcome.text)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outcome_edit(request: HttpRequest, outcome_id: str) -> HttpResponse:
    outcome = selectors.outcome_for_user(request.user, outcome_id, write=True)
    workplan = outcome.workplan
    form = OutcomeForm(
        _posted(request),
        initial={
            "aim": outcome.aim,
            "text": outcome.text,
            "version": services.outcome_version(outcome),
        },
    )

    def step(data: dict[str, Any]) -> object:
        return services.workplan_outcome_update(
            actor=request.user,
            outcome=outcome,
            aim=data["aim"],
            text=data["text"],
            version=data["version"] or None,
            source=audit_source(request),
        )

    if _run(
        request, form, step, current_version=_present_version(outcome, services.outcome_version)
    ):
        messages.success(request, "Outcome changed.")
        return redirect(_plan_url(workplan, f"outcome-{outcome.pk}"))
    return _form_page(
        request,
        form,
        FormPage(
            title="Change the outcome",
            caption=_caption(workplan),
            action=reverse("planning-workplan-outcome-edit", args=[outcome.pk]),
            button="Save the outcome",
            back=_plan_url(workplan, f"outcome-{outcome.pk}"),
            fields=["aim", "text"],
            now=_outcome_now(outcome) if "version" in form.errors else None,
        ),
    )


def _listed(items: list[str]) -> str:
    """Items in a sentence: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _remove_page(
    request: HttpRequest,
    *,
    what: str,
    name: str,
    consequences: list[str],
    version: str,
    back: str,
    caption: str,
    step: Callable[[Any], object],
    done: str,
    done_url: str,
) -> HttpResponse:
    """Ask before removing something from the plan; remove it once confirmed."""
    form = VersionForm(_posted(request), initial={"version": version})
    if _run(request, form, step):
        messages.success(request, done)
        return redirect(done_url)
    return render(
        request,
        "planning/workplan_remove.html",
        {
            "form": form,
            "what": what,
            "name": name,
            "consequences": consequences,
            "back": back,
            "caption": caption,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outcome_remove(request: HttpRequest, outcome_id: str) -> HttpResponse:
    outcome = selectors.outcome_for_user(request.user, outcome_id, write=True)
    workplan = outcome.workplan
    counts = [
        (outcome.partner_roles.count(), "partner role"),
        (outcome.actions.count(), "action"),
        (outcome.targets.count(), "target"),
    ]
    parts = [f"{n} {noun}{'s' if n != 1 else ''}" for n, noun in counts if n]
    verb = "is" if sum(n for n, _ in counts) == 1 else "are"
    under = (
        f"Its {_listed(parts)} {verb} removed with it, with any progress notes and measurements."
        if parts
        else ""
    )
    return _remove_page(
        request,
        what="outcome",
        name=outcome.text,
        consequences=[under] if under else [],
        version=services.outcome_version(outcome),
        back=_plan_url(workplan, f"outcome-{outcome.pk}"),
        caption=_caption(workplan),
        step=lambda data: services.workplan_outcome_remove(
            actor=request.user,
            outcome=outcome,
            version=data["version"] or None,
            source=audit_source(request),
        ),
        done="Outcome removed.",
        done_url=_plan_url(workplan, "outcomes"),
    )


# Partner roles -------------------------------------------------------------------------------------


def _agencies(workplan: Workplan) -> list[Agency]:
    return list(Agency.objects.filter(area_id=workplan.partnership.area_id).order_by("name"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def role_new(request: HttpRequest, outcome_id: str) -> HttpResponse:
    outcome = selectors.outcome_for_user(request.user, outcome_id, write=True)
    workplan = outcome.workplan
    form = RoleForm(_posted(request), agencies=_agencies(workplan))

    def step(data: dict[str, Any]) -> object:
        return services.workplan_role_add(
            actor=request.user,
            outcome=outcome,
            data=form.role_input(),
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Partner role added.")
        return redirect(_plan_url(workplan, f"outcome-{outcome.pk}"))
    return _form_page(
        request,
        form,
        FormPage(
            title="Add a partner role",
            caption=_caption(workplan),
            intro=f"Towards the outcome “{outcome.text}”.",
            action=reverse("planning-workplan-role-new", args=[outcome.pk]),
            button="Add the partner role",
            back=_plan_url(workplan, f"outcome-{outcome.pk}"),
            fields=["partner", "agency", "role"],
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def role_edit(request: HttpRequest, role_id: str) -> HttpResponse:
    role = selectors.role_for_user(request.user, role_id, write=True)
    workplan = role.outcome.workplan
    form = RoleForm(
        _posted(request),
        agencies=_agencies(workplan),
        initial={
            "partner": role.partner,
            "agency": str(role.agency_id or ""),
            "role": role.role,
            "version": services.role_version(role),
        },
    )

    def step(data: dict[str, Any]) -> object:
        return services.workplan_role_update(
            actor=request.user,
            role=role,
            data=form.role_input(),
            version=data["version"] or None,
            source=audit_source(request),
        )

    if _run(request, form, step, current_version=_present_version(role, services.role_version)):
        messages.success(request, "Partner role changed.")
        return redirect(_plan_url(workplan, f"outcome-{role.outcome_id}"))
    return _form_page(
        request,
        form,
        FormPage(
            title="Change the partner role",
            caption=_caption(workplan),
            intro=f"Towards the outcome “{role.outcome.text}”.",
            action=reverse("planning-workplan-role-edit", args=[role.pk]),
            button="Save the partner role",
            back=_plan_url(workplan, f"outcome-{role.outcome_id}"),
            fields=["partner", "agency", "role"],
            now=[("Partner", role.partner), ("Role", role.role)]
            if "version" in form.errors
            else None,
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def role_remove(request: HttpRequest, role_id: str) -> HttpResponse:
    role = selectors.role_for_user(request.user, role_id, write=True)
    workplan = role.outcome.workplan
    return _remove_page(
        request,
        what="partner role",
        name=role.partner,
        consequences=[],
        version=services.role_version(role),
        back=_plan_url(workplan, f"outcome-{role.outcome_id}"),
        caption=_caption(workplan),
        step=lambda data: services.workplan_role_remove(
            actor=request.user,
            role=role,
            version=data["version"] or None,
            source=audit_source(request),
        ),
        done="Partner role removed.",
        done_url=_plan_url(workplan, f"outcome-{role.outcome_id}"),
    )


# Actions -----------------------------------------------------------------------------------------


def _owners(workplan: Workplan, current: WorkplanAction | None = None) -> list[Any]:
    """Those who may own an action, and the present owner even if they have since left."""
    owners = list(services.workplan_action_owners(partnership=workplan.partnership))
    if current is not None and current.owner_id and all(u.pk != current.owner_id for u in owners):
        owners.insert(0, current.owner)
    return owners


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def action_new(request: HttpRequest, outcome_id: str) -> HttpResponse:
    outcome = selectors.outcome_for_user(request.user, outcome_id, write=True)
    workplan = outcome.workplan
    form = ActionForm(_posted(request), owners=_owners(workplan))

    def step(data: dict[str, Any]) -> object:
        return services.workplan_action_add(
            actor=request.user,
            outcome=outcome,
            data=form.action_input(),
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Action added.")
        return redirect(_plan_url(workplan, f"outcome-{outcome.pk}"))
    return _form_page(
        request,
        form,
        FormPage(
            title="Add an action",
            caption=_caption(workplan),
            intro=f"Towards the outcome “{outcome.text}”.",
            action=reverse("planning-workplan-action-new", args=[outcome.pk]),
            button="Add the action",
            back=_plan_url(workplan, f"outcome-{outcome.pk}"),
            fields=["description", "owner", "owner_name", "due_on"],
            date_fields=("due_on",),
        ),
    )


def _owner_text(action: WorkplanAction) -> str:
    return person_label(action.owner) if action.owner is not None else action.owner_name


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def action_edit(request: HttpRequest, action_id: str) -> HttpResponse:
    action = selectors.action_for_governor(request.user, action_id)
    workplan = action.outcome.workplan
    form = ActionForm(
        _posted(request),
        owners=_owners(workplan, action),
        initial={
            "description": action.description,
            "owner": str(action.owner_id or ""),
            "owner_name": action.owner_name,
            "due_on": action.due_on,
            "version": services.action_version(action),
        },
    )

    def step(data: dict[str, Any]) -> object:
        return services.workplan_action_update(
            actor=request.user,
            action=action,
            data=form.action_input(),
            version=data["version"] or None,
            source=audit_source(request),
        )

    if _run(request, form, step, current_version=_present_version(action, services.action_version)):
        messages.success(request, "Action changed.")
        return redirect(reverse("planning-workplan-action", args=[action.pk]))
    return _form_page(
        request,
        form,
        FormPage(
            title="Change the action",
            caption=_caption(workplan),
            intro=f"Towards the outcome “{action.outcome.text}”.",
            action=reverse("planning-workplan-action-edit", args=[action.pk]),
            button="Save the action",
            back=reverse("planning-workplan-action", args=[action.pk]),
            fields=["description", "owner", "owner_name", "due_on"],
            date_fields=("due_on",),
            now=(
                [
                    ("Action", action.description),
                    ("Owner", _owner_text(action)),
                    ("Due by", services.long_date(action.due_on)),
                ]
                if "version" in form.errors
                else None
            ),
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def action_remove(request: HttpRequest, action_id: str) -> HttpResponse:
    action = selectors.action_for_governor(request.user, action_id)
    workplan = action.outcome.workplan
    notes = action.progress.count()
    return _remove_page(
        request,
        what="action",
        name=action.description,
        consequences=[
            f"Its {notes} progress note{'s are' if notes != 1 else ' is'} removed with it."
        ]
        if notes
        else [],
        version=services.action_version(action),
        back=reverse("planning-workplan-action", args=[action.pk]),
        caption=_caption(workplan),
        step=lambda data: services.workplan_action_remove(
            actor=request.user,
            action=action,
            version=data["version"] or None,
            source=audit_source(request),
        ),
        done="Action removed.",
        done_url=_plan_url(workplan, f"outcome-{action.outcome_id}"),
    )


def _action_page(
    request: HttpRequest, action: WorkplanAction, form: StatusForm | None, *, status: int = 200
) -> HttpResponse:
    user = request.user
    workplan = action.outcome.workplan
    today = _today()
    can_govern = access.can_govern(user, workplan.partnership)
    return render(
        request,
        "planning/workplan_action_detail.html",
        {
            "action": action,
            "workplan": workplan,
            "partnership": workplan.partnership,
            "owner": _owner_text(action),
            "status_tag": STATUS_TAGS[ActionStatus(action.status)],
            "overdue": services.action_is_overdue(action, today),
            "progress": selectors.action_progress(action=action),
            "form": form,
            "can_govern": can_govern,
            "plan_url": _plan_url(workplan, f"outcome-{action.outcome_id}"),
        },
        status=status,
    )


def _may_update(user: Any, action: WorkplanAction) -> bool:
    try:
        access.get_workplan_action_for_user(user, action.pk, write=True)
    except Http404:
        return False
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def action_detail(request: HttpRequest, action_id: str) -> HttpResponse:
    """The action with its progress notes; its owner and the plan's keepers record progress."""
    user = request.user
    if request.method == "POST":
        action = selectors.action_for_user(user, action_id, write=True)
    else:
        action = selectors.action_for_user(user, action_id)
    if not _may_update(user, action):
        return _action_page(request, action, None)
    form = StatusForm(
        _posted(request),
        initial={"status": action.status, "version": services.action_status_version(action)},
    )

    def step(data: dict[str, Any]) -> object:
        return services.workplan_action_update_status(
            actor=user,
            action=action,
            status=data["status"],
            note=data["note"],
            version=data["version"] or None,
            source=audit_source(request),
        )

    if _run(
        request,
        form,
        step,
        current_version=_present_version(action, services.action_status_version),
    ):
        messages.success(request, "Progress recorded.")
        return redirect(reverse("planning-workplan-action", args=[action.pk]))
    if form.errors:
        try:
            action.refresh_from_db()
        except ObjectDoesNotExist:
            raise Http404("No action found.") from None
    return _action_page(request, action, form, status=400 if form.errors else 200)


# Targets -----------------------------------------------------------------------------------------


def _target_page(workplan: Workplan, outcome: WorkplanOutcome, user: Any, **page: Any) -> FormPage:
    counts = selectors.counts_for(user=user, schools=workplan.partnership.schools.order_by("name"))
    hints = selectors.baseline_hints(counts=counts, today=_today())
    names = {i.code: i.name for i in Indicator.objects.all()}
    return FormPage(
        caption=_caption(workplan),
        intro=f"For the outcome “{outcome.text}”.",
        back=_plan_url(workplan, f"outcome-{outcome.pk}"),
        fields=[
            "description",
            "indicator",
            "measure",
            "baseline",
            "baseline_on",
            "target_value",
            "target_on",
        ],
        date_fields=("baseline_on", "target_on"),
        hints=[(names.get(code, code), hint.text) for code, hint in hints.items()],
        **page,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_new(request: HttpRequest, outcome_id: str) -> HttpResponse:
    outcome = selectors.outcome_for_user(request.user, outcome_id, write=True)
    workplan = outcome.workplan
    form = TargetForm(_posted(request), indicators=Indicator.objects.order_by("name"))

    def step(data: dict[str, Any]) -> object:
        return services.workplan_target_add(
            actor=request.user,
            outcome=outcome,
            data=form.target_input(),
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Target added.")
        return redirect(_plan_url(workplan, f"outcome-{outcome.pk}"))
    return _form_page(
        request,
        form,
        _target_page(
            workplan,
            outcome,
            request.user,
            title="Add a target",
            action=reverse("planning-workplan-target-new", args=[outcome.pk]),
            button="Add the target",
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_edit(request: HttpRequest, target_id: str) -> HttpResponse:
    target = selectors.target_for_user(request.user, target_id, write=True)
    outcome = target.outcome
    workplan = outcome.workplan
    form = TargetForm(
        _posted(request),
        indicators=Indicator.objects.order_by("name"),
        initial={
            "description": target.description,
            "indicator": target.indicator_id or "",
            "measure": target.measure,
            "baseline": selectors.plain(target.baseline),
            "baseline_on": target.baseline_on,
            "target_value": selectors.plain(target.target_value),
            "target_on": target.target_on,
            "version": services.target_version(target),
        },
    )

    def step(data: dict[str, Any]) -> object:
        return services.workplan_target_update(
            actor=request.user,
            target=target,
            data=form.target_input(),
            version=data["version"] or None,
            source=audit_source(request),
        )

    if _run(request, form, step, current_version=_present_version(target, services.target_version)):
        messages.success(request, "Target changed.")
        return redirect(reverse("planning-workplan-target", args=[target.pk]))
    return _form_page(
        request,
        form,
        _target_page(
            workplan,
            outcome,
            request.user,
            title="Change the target",
            action=reverse("planning-workplan-target-edit", args=[target.pk]),
            button="Save the target",
            now=(
                [
                    ("Target", target.description),
                    (
                        "Baseline",
                        f"{selectors.plain(target.baseline)} on {services.long_date(target.baseline_on)}",
                    ),
                    (
                        "Target value",
                        f"{selectors.plain(target.target_value)} by {services.long_date(target.target_on)}",
                    ),
                ]
                if "version" in form.errors
                else None
            ),
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_remove(request: HttpRequest, target_id: str) -> HttpResponse:
    target = selectors.target_for_user(request.user, target_id, write=True)
    workplan = target.outcome.workplan
    measured = target.measurements.count()
    return _remove_page(
        request,
        what="target",
        name=target.description,
        consequences=[
            f"Its {measured} measurement{'s are' if measured != 1 else ' is'} removed with it."
        ]
        if measured
        else [],
        version=services.target_version(target),
        back=reverse("planning-workplan-target", args=[target.pk]),
        caption=_caption(workplan),
        step=lambda data: services.workplan_target_remove(
            actor=request.user,
            target=target,
            version=data["version"] or None,
            source=audit_source(request),
        ),
        done="Target removed.",
        done_url=_plan_url(workplan, f"outcome-{target.outcome_id}"),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_detail(request: HttpRequest, target_id: str) -> HttpResponse:
    """A target with its progress; for one measured by hand, its measurements, and a form for
    the plan's keepers to record one."""
    user = request.user
    write = request.method == "POST"
    target = selectors.target_for_user(user, target_id, write=write)
    workplan = target.outcome.workplan
    can_govern = write or access.can_govern(user, workplan.partnership)
    form = None
    if can_govern and target.indicator_id is None:
        form = MeasurementForm(_posted(request), initial={"measured_on": _today()})

        def step(data: dict[str, Any]) -> object:
            return services.workplan_target_measure(
                actor=user,
                target=target,
                measured_on=data["measured_on"],
                value=data["value"],
                note=data["note"],
                source=audit_source(request),
            )

        if _run(request, form, step):
            messages.success(request, "Measurement recorded.")
            return redirect("planning-workplan-target", target_id=target.pk)
    elif write:
        raise Http404("No target found.")
    # The measurements in the order the progress reads them.
    target = (
        Target.objects.select_related("indicator", "outcome__workplan__partnership")
        .prefetch_related("measurements__recorded_by")
        .get(pk=target.pk)
    )
    view = _target_views(user, workplan.partnership, [target], _today())[target.pk]
    return render(
        request,
        "planning/workplan_target_detail.html",
        {
            "target": target,
            "view": view,
            "workplan": workplan,
            "partnership": workplan.partnership,
            "form": form,
            "can_govern": can_govern,
            "measurements": sorted(
                target.measurements.all(),
                key=lambda m: (m.measured_on, m.recorded_at),
                reverse=True,
            ),
            "plan_url": _plan_url(workplan, f"outcome-{target.outcome_id}"),
        },
        status=400 if form is not None and form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/work-plan/",
        workplan_current,
        name="planning-workplan",
    ),
    path(
        "partnerships/<uuid:partnership_id>/work-plan/<int:year>/",
        workplan_year,
        name="planning-workplan-year",
    ),
    path(
        "partnerships/<uuid:partnership_id>/work-plan/<int:year>/start/",
        workplan_start,
        name="planning-workplan-start",
    ),
    path("work-plan/<uuid:workplan_id>/agree/", workplan_agree, name="planning-workplan-agree"),
    path(
        "work-plan/<uuid:workplan_id>/outcomes/new/",
        outcome_new,
        name="planning-workplan-outcome-new",
    ),
    path(
        "work-plan/outcomes/<uuid:outcome_id>/edit/",
        outcome_edit,
        name="planning-workplan-outcome-edit",
    ),
    path(
        "work-plan/outcomes/<uuid:outcome_id>/remove/",
        outcome_remove,
        name="planning-workplan-outcome-remove",
    ),
    path(
        "work-plan/outcomes/<uuid:outcome_id>/roles/new/",
        role_new,
        name="planning-workplan-role-new",
    ),
    path("work-plan/roles/<uuid:role_id>/edit/", role_edit, name="planning-workplan-role-edit"),
    path(
        "work-plan/roles/<uuid:role_id>/remove/", role_remove, name="planning-workplan-role-remove"
    ),
    path(
        "work-plan/outcomes/<uuid:outcome_id>/actions/new/",
        action_new,
        name="planning-workplan-action-new",
    ),
    path("work-plan/actions/<uuid:action_id>/", action_detail, name="planning-workplan-action"),
    path(
        "work-plan/actions/<uuid:action_id>/edit/",
        action_edit,
        name="planning-workplan-action-edit",
    ),
    path(
        "work-plan/actions/<uuid:action_id>/remove/",
        action_remove,
        name="planning-workplan-action-remove",
    ),
    path(
        "work-plan/outcomes/<uuid:outcome_id>/targets/new/",
        target_new,
        name="planning-workplan-target-new",
    ),
    path("work-plan/targets/<uuid:target_id>/", target_detail, name="planning-workplan-target"),
    path(
        "work-plan/targets/<uuid:target_id>/edit/",
        target_edit,
        name="planning-workplan-target-edit",
    ),
    path(
        "work-plan/targets/<uuid:target_id>/remove/",
        target_remove,
        name="planning-workplan-target-remove",
    ),
]


# The landing page --------------------------------------------------------------------------------


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The open work-plan actions the user owns, soonest due first, overdue ones flagged; nothing
    for one who owns none."""
    today = _today()
    owed = selectors.landing_actions(user=request.user, today=today)
    if owed is None:
        return None
    return {"owed": owed, "today": today}
