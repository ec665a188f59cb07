"""Finding a pupil across every school the user may see, and casework counted per school.

``/pupils/`` is for those who see pupils' records: a school's staff and leaders and its
officers search the pupils of their schools; an agency's practitioners see the pupils their
live sharing grants open to them, with when each grant ends. Everyone else gets 404. Every
pupil listed is audited, naming the grant when it is through one that the user sees the pupil.

``/casework/counts/`` counts casework per school, without a name, for the school's case workers
in full and for police supervisors, analysts and steering group members with small counts not
shown (``counts``); the same figures download as CSV, audited.
"""

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction, School
from saferschools.incidents.forms import DateInputField
from saferschools.lib.charts import Series, bar_chart_svg
from saferschools.lib.csvfile import csv_cell
from saferschools.lib.suppression import SUPPRESS_BELOW
from saferschools.lib.text import text_clean
from saferschools.sharing.models import SharedItem, SharingDecision

from . import counts as casework_counts
from . import selectors
from .models import Pupil, ReferralStatus, RiskLevel

SEARCH_LIMIT = 100
QUERY_MAX = 100


# Searching for a pupil -------------------------------------------------------------------------


class PupilSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a pupil",
        help_text="Name, the school's pupil id or UPN",
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "govuk-input--width-20",
                "spellcheck": "false",
                "autocomplete": "off",
                "maxlength": QUERY_MAX,
            }
        ),
    )
    school = forms.ChoiceField(
        label="School",
        required=False,
        error_messages={"invalid_choice": "Choose one of your schools"},
    )

    def __init__(self, data: Any, *, schools: list[School]) -> None:
        super().__init__(data)
        # Control characters (NUL among them) are taken out of a search rather than refused,
        # as the school's register does: they are never part of a name.
        self.fields["q"].validators = []
        self.schools = {str(school.urn): school for school in schools}
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            ("", "All your schools"),
            *((urn, school.name) for urn, school in self.schools.items()),
        ]

    def clean_q(self) -> str:
        try:
            return text_clean(
                self.cleaned_data.get("q", ""), field="q", max_length=QUERY_MAX, required=False
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["q"]) from None

    @property
    def chosen_school(self) -> School | None:
        return self.schools.get(self.cleaned_data.get("school") or "")


@dataclass(frozen=True)
class SharedPupil:
    """A pupil a live grant opens to the user: the decision, and what of the record it opens."""

    pupil: Pupil
    grant: SharingDecision

    @property
    def last_day(self) -> date | None:
        return _last_day(self.grant)

    @property
    def items(self) -> list[str]:
        labels = dict(SharedItem.choices)
        return [
            "Chronology",
            *(str(labels[item]) for item in (self.grant.items or []) if item in labels),
        ]


def _last_day(grant: SharingDecision) -> date | None:
    """The last day a grant is open: it ends as its expiry date starts."""
    return grant.expires_on - timedelta(days=1) if grant.expires_on else None


def _searchable_schools(user: Any) -> list[School]:
    """The schools of the pupils the user may see, in name order, for the school filter."""
    pupils = access.scope(user, Pupil).order_by().values("school_id")
    return list(School.objects.filter(pk__in=pupils).order_by("name", "urn"))


def _shared_with(user: Any) -> tuple[list[SharedPupil], bool]:
    """The user's live grants, newest first, each with its pupil; and whether there were more
    than are shown."""
    grants = list(access.pupils_granted(user))
    pupils = {
        pupil.pk: pupil
        for pupil in selectors.pupil_list(user=user, on_roll=None).filter(
            pk__in={grant.pupil_id for grant in grants}
        )
    }
    shared = [
        SharedPupil(pupils[grant.pupil_id], grant) for grant in grants if grant.pupil_id in pupils
    ]
    return shared[:SEARCH_LIMIT], len(shared) > SEARCH_LIMIT


@login_required
@require_safe
def pupil_search(request: HttpRequest) -> HttpResponse:
    """Search the pupils the user may see by name, the school's pupil id or UPN, optionally at
    one school. Nothing is listed until a search is made, except, for an agency practitioner,
    the pupils shared with them."""
    user = request.user
    reads_registers = bool(access.roles_of(user) & access.POLICY[Pupil].read)
    if not reads_registers and not access.pupils_granted(user):
        raise Http404("No pupils found.")
    schools = _searchable_schools(user)
    form = PupilSearchForm(request.GET, schools=schools)
    partial = bool(request.headers.get("HX-Request"))
    template = "casework/_pupil_search_results.html" if partial else "casework/pupil_search.html"
    context: dict[str, Any] = {
        "form": form,
        "schools": schools,
        "query": "",
        "results": None,
        "shared": None,
        "limit": SEARCH_LIMIT,
        "truncated": False,
    }
    if not form.is_valid():
        return render(request, template, context, status=400)
    query = form.cleaned_data["q"]
    listed: list[Pupil] = []
    if query:
        pupils = selectors.pupil_list(user=user, school=form.chosen_school, on_roll=None)
        # One more than shown tells a list of exactly the limit from a longer one.
        found = list(selectors.pupil_search(pupils, query)[: SEARCH_LIMIT + 1])
        listed = found[:SEARCH_LIMIT]
        context.update(query=query, results=listed, truncated=len(found) > SEARCH_LIMIT)
    elif access.pupils_granted(user):
        shared, more = _shared_with(user)
        listed = list({row.pupil.pk: row.pupil for row in shared}.values())
        context.update(shared=shared, truncated=more)
    grants = selectors.grants_by_pupil(user, listed)
    # Names on screen are a read of personal data: each pupil listed is audited, naming the
    # grant for those seen through one.
    selectors.audit_listing(user=user, pupils=listed, source=audit_source(request))
    for pupil in listed:
        grant = grants.get(pupil.pk)
        pupil.shared_until = _last_day(grant) if grant else None  # type: ignore[attr-defined]
    return render(request, template, context)


# Casework counts -------------------------------------------------------------------------------


class CountsForm(forms.Form):
    """The period counted, from a first to a last day; this academic year so far if not given."""

    start = DateInputField(
        label="From",
        help_text="The first day counted. For example, 1 9 2025",
        what="the period starts",
        required=False,
    )
    end = DateInputField(
        label="To",
        help_text="The last day counted. For example, 31 3 2026",
        what="the period ends",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.errors:
            return self.cleaned_data
        try:
            since, until = casework_counts.period_clean(
                start=self.cleaned_data.get("start"),
                end=self.cleaned_data.get("end"),
                today=timezone.localdate(),
            )
        except ValidationError as error:
            for name, texts in error.message_dict.items():
                for text in texts:
                    self.add_error(name, text)
        else:
            self.cleaned_data.update(since=since, until=until)
        return self.cleaned_data


# Beside the table, at about half the page's column, so that its text is the body's size.
CHART_WIDTH = 460


def _chart(
    found: casework_counts.CaseworkCounts, *, key: str, title: str, columns: list[tuple[str, str]]
) -> SafeString:
    values = found.series([column for column, _ in columns])
    hidden = any(value is None for series in values for value in series)
    return bar_chart_svg(
        title=title,
        description=(
            "Bars for each school, one for each of: "
            + ", ".join(label for _, label in columns)
            + ". The table above gives the same counts."
            + (" “Not shown” marks a count left out." if hidden else "")
        ),
        labels=[row.label for row in found.rows],
        series=[Series(label, series) for (_, label), series in zip(columns, values, strict=True)],
        chart_id=f"chart-{key}",
        width=CHART_WIDTH,
    )


def _period_query(since: date, until: date) -> str:
    last = until - timedelta(days=1)
    return urlencode(
        {
            "start_day": since.day,
            "start_month": since.month,
            "start_year": since.year,
            "end_day": last.day,
            "end_month": last.month,
            "end_year": last.year,
        }
    )


def _counts_context(form: CountsForm) -> dict[str, Any]:
    return {
        "form": form,
        "groups": casework_counts.column_groups(),
        "suppress_below": SUPPRESS_BELOW,
    }


@login_required
@require_safe
def casework_counts_page(request: HttpRequest) -> HttpResponse:
    """Casework per school for a period, as a table with charts beside it; no name anywhere."""
    user = request.user
    schools = casework_counts.count_schools(user)
    form = CountsForm(request.GET)
    context = _counts_context(form)
    if not form.is_valid():
        return render(request, "casework/casework_counts.html", context, status=400)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    found = casework_counts.casework_counts(user=user, schools=schools, since=since, until=until)
    context.update(
        counts=found,
        default_period=(since, until) == casework_counts.default_period(timezone.localdate()),
        download=reverse("casework-download-counts") + "?" + _period_query(since, until),
        charts=[
            _chart(
                found,
                key="levels",
                title="Pupils assessed, by the level of their latest assessment",
                columns=[(f"assessed_{level}", str(label)) for level, label in RiskLevel.choices],
            ),
            _chart(
                found,
                key="referrals",
                title="Referrals made, by their status now",
                columns=[
                    (f"referrals_{status}", str(label)) for status, label in ReferralStatus.choices
                ],
            ),
        ],
    )
    return render(request, "casework/casework_counts.html", context)


NOT_SHOWN = "not shown"


@login_required
@require_safe
def casework_counts_download(request: HttpRequest) -> HttpResponse:
    """The counts page's table as CSV, with the same period and the same counts not shown;
    each download is audited."""
    user = request.user
    schools = casework_counts.count_schools(user)
    form = CountsForm(request.GET)
    if not form.is_valid():
        return render(request, "casework/casework_counts.html", _counts_context(form), status=400)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    found = casework_counts.casework_counts(user=user, schools=schools, since=since, until=until)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        object_type="casework.counts",
        object_id=f"{since.isoformat()}/{found.last_day.isoformat()}",
        detail={
            "format": "csv",
            "schools": [school.urn for school in schools],
            "suppressed": [school.urn for school in found.schools_suppressed],
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="casework-counts-{since:%Y-%m-%d}-to-{found.last_day:%Y-%m-%d}.csv"'
    )
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "School URN",
            "School",
            "From",
            "To",
            *(f"{column.group}: {column.label}" for column in casework_counts.COLUMNS),
        ]
    )
    rows = [*found.rows, *([found.total] if found.total is not None else [])]
    for row in rows:
        writer.writerow(
            [
                row.school.urn if row.school is not None else "",
                csv_cell(row.label),
                since.isoformat(),
                found.last_day.isoformat(),
                *(NOT_SHOWN if value is None else value for value in row.values),
            ]
        )
    return response


urlpatterns: list[URLPattern] = [
    path("pupils/", pupil_search, name="casework-search-pupils"),
    path("casework/counts/", casework_counts_page, name="casework-counts"),
    path("casework/counts/download/", casework_counts_download, name="casework-download-counts"),
]


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """This capability's part of a pupil's page, or None when the user sees none of it."""
    return None
