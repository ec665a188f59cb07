"""Prioritisation across an area: every open school ranked by need, with the weights the user
tries and saves, filters, a chart beside its table, and a CSV file of the same.

For those who may rank the area's schools (``access.get_prioritisation_area_for_user``: its
analysts, police supervisors and administrators); anyone else gets 404. Nothing shown is
personal data: pupils' reports and incidents are counted with small counts left out
(``prioritisation``). Downloading the file is audited as an export.
"""

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import Area, AuditAction, School
from saferschools.lib.charts import Series, bar_chart_svg
from saferschools.lib.csvfile import csv_cell
from saferschools.lib.suppression import SUPPRESS_BELOW

from . import prioritisation as pr

CHART_SCHOOLS = 20
# Drawn at about the width of half the page's column, so that its text is the body's size.
CHART_WIDTH = 460
PARTNERSHIP_CHOICES = [
    ("", "All schools"),
    ("yes", "Schools in a partnership"),
    ("no", "Schools not in a partnership"),
]
IN_PARTNERSHIP = {"": None, "yes": True, "no": False}


class WeightField(forms.CharField):
    """One indicator's weight: a number from 0 to 100, every message naming the indicator."""

    def __init__(self, measure: pr.Measure, **kwargs: Any) -> None:
        self.measure = measure
        super().__init__(
            label=measure.name,
            max_length=20,
            error_messages={
                "required": f"Enter the weight of {measure.name}: 0 leaves it out",
                "max_length": f"The weight of {measure.name} must be a number, like 2 or 0.5",
            },
            widget=forms.TextInput(
                attrs={
                    "class": "govuk-input--width-4",
                    "inputmode": "decimal",
                    "spellcheck": "false",
                    "autocomplete": "off",
                }
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> Decimal:
        text = super().clean(value)
        return pr.weight_value(text, name=self.measure.name)


class PrioritisationForm(forms.Form):
    """The filters and the weights, sent by GET to try them; the same fields, sent by POST,
    save the weights."""

    phase = forms.ChoiceField(
        label="Phase",
        required=False,
        error_messages={"invalid_choice": "Choose one of the phases in the list"},
    )
    local_authority = forms.ChoiceField(
        label="Local authority",
        required=False,
        error_messages={"invalid_choice": "Choose one of the local authorities in the list"},
    )
    partnership = forms.ChoiceField(
        label="Partnership",
        required=False,
        choices=PARTNERSHIP_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose whether to show schools in a partnership"},
    )

    def __init__(self, data: Any, *, phases: list[str], authorities: list[str]) -> None:
        super().__init__(data)
        self.fields["phase"].choices = [  # type: ignore[attr-defined]
            ("", "All phases"),
            *((phase, phase) for phase in phases),
        ]
        self.fields["local_authority"].choices = [  # type: ignore[attr-defined]
            ("", "All local authorities"),
            *((name, name) for name in authorities),
        ]
        for measure in pr.MEASURES:
            self.fields[measure.code] = WeightField(measure)

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("phase", "local_authority", "partnership")]

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[code] for code in pr.CODES]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        weights = [cleaned[code] for code in pr.CODES if code in cleaned]
        if len(weights) == len(pr.CODES) and not any(weight > 0 for weight in weights):
            self.add_error(pr.CODES[0], "Give at least one indicator a weight above 0")
        return cleaned

    @property
    def weights(self) -> pr.Weights:
        return {code: self.cleaned_data[code] for code in pr.CODES}

    @property
    def filters(self) -> dict[str, Any]:
        return {
            "phase": self.cleaned_data["phase"],
            "local_authority": self.cleaned_data["local_authority"],
            "in_partnership": IN_PARTNERSHIP[self.cleaned_data["partnership"]],
        }

    def filter_query(self) -> dict[str, str]:
        """The filters chosen, as a query string's parameters (those not chosen left out)."""
        return {
            name: self.cleaned_data[name]
            for name in ("phase", "local_authority", "partnership")
            if self.cleaned_data[name]
        }

    def query(self) -> dict[str, str]:
        """The filters and weights, as a query string's parameters."""
        weights = {code: pr.weight_text(weight) for code, weight in self.weights.items()}
        return {**self.filter_query(), **weights}


@dataclass(frozen=True)
class _Ranking:
    """What every request about an area's ranking starts from: the area, the user's saved
    weights (1 each if none) and the area's open schools."""

    area: Area
    saved: pr.Weights
    has_saved: bool
    schools: list[School]

    def form(self, data: QueryDict) -> PrioritisationForm:
        """The form of what was sent; a weight not sent is the saved one."""
        merged = QueryDict(mutable=True)
        for code, weight in self.saved.items():
            merged[code] = pr.weight_text(weight)
        for key in data:
            merged.setlist(key, data.getlist(key))
        phases, authorities = pr.filter_choices(self.schools)
        return PrioritisationForm(merged, phases=phases, authorities=authorities)


def _ranking(user: Any, area_id: str) -> _Ranking:
    """The area if the user may rank its schools (else ``Http404``), with their saved weights
    and its schools."""
    area = access.get_prioritisation_area_for_user(user, area_id)
    own = pr.priority_weights_saved(user=user, area=area)
    return _Ranking(area, own or pr.weights_default(), own is not None, pr.area_schools(area))


def _page_url(area: Area, query: dict[str, str]) -> str:
    url = reverse("planning-prioritisation", args=[area.pk])
    return f"{url}?{urlencode(query)}" if query else url


def _whole(score: Decimal) -> int:
    return int(score.to_integral_value(rounding=ROUND_HALF_UP))


def _chart(rows: list[pr.RankedSchool]) -> Any:
    return bar_chart_svg(
        title=f"Scores of the {len(rows)} schools of highest need"
        if len(rows) > 1
        else "Score of the school of highest need",
        description="Each school's score out of 100, rank 1 first, to the nearest whole "
        "number. The table beside the chart gives the same scores to one decimal place.",
        labels=[f"{row.rank}. {row.school.name}" for row in rows],
        series=[
            Series("Score out of 100", [_whole(row.score) for row in rows if row.score is not None])
        ],
        chart_id="chart-scores",
        width=CHART_WIDTH,
    )


def _render(
    request: HttpRequest, ranking: _Ranking, form: PrioritisationForm, *, status: int = 200
) -> HttpResponse:
    area, schools = ranking.area, ranking.schools
    context: dict[str, Any] = {
        "area": area,
        "form": form,
        "measures": pr.MEASURES,
        "suppress_below": SUPPRESS_BELOW,
        "stand_in": pr.SMALL_COUNT_STAND_IN,
        "crime_months_counted": pr.CRIME_MONTHS,
        "weight_max": pr.WEIGHT_MAX,
        "default_weight": pr.DEFAULT_WEIGHT,
        "area_total": len(schools),
        "defaults_url": _page_url(
            area, {code: pr.weight_text(pr.DEFAULT_WEIGHT) for code in pr.CODES}
        ),
        "result": None,
    }
    if status == 200 and form.is_valid():
        weights = form.weights
        ranked = pr.prioritisation_rank(area=area, weights=weights, schools=schools)
        rows = pr.prioritisation_filter(ranked.schools, **form.filters)
        top = [row for row in rows if row.score is not None][:CHART_SCHOOLS]
        query = form.query()
        context.update(
            result=ranked,
            rows=[(row, _cells(row)) for row in rows],
            top=top,
            chart=_chart(top) if top else None,
            weights=[(measure, pr.weight_text(weights[measure.code])) for measure in pr.MEASURES],
            is_saved=ranking.has_saved and weights == ranking.saved,
            is_default=weights == pr.weights_default(),
            save_values=query,
            csv_url=reverse("planning-prioritisation-csv", args=[area.pk]) + "?" + urlencode(query),
            unscored=sum(1 for row in rows if row.score is None),
            available=pr.indicators_available(ranked.schools),
        )
    return render(request, "planning/prioritisation.html", context, status=status)


def _cells(row: pr.RankedSchool) -> list[dict[str, Any]]:
    """What each indicator's cell of a school's row says."""
    return [
        {
            "shown": pr.figure_shown(part.code, part.figure),
            "note": part.figure.note,
            "small": part.figure.small,
            "missing": part.figure.value is None
            and not (part.figure.small or part.figure.withheld),
            "points": part.points,
            "weighted": part.weight > 0,
        }
        for part in row.components
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def prioritisation(request: HttpRequest, area_id: str) -> HttpResponse:
    """The area's schools ranked by need. GET tries the filters and weights sent (those not
    sent: the user's saved weights, else 1 each); POST saves the weights sent as the user's."""
    user = request.user
    ranking = _ranking(user, area_id)
    area = ranking.area
    if request.method == "POST":
        form = ranking.form(request.POST)
        if form.is_valid():
            try:
                pr.priority_weights_save(
                    actor=user, area=area, weights=form.weights, source=audit_source(request)
                )
            except ValidationError as error:
                for name, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(name if name in form.fields else pr.CODES[0], text)
            else:
                messages.success(
                    request, "Your weights are saved: this page opens with them from now on."
                )
                return redirect(_page_url(area, form.filter_query()))
        return _render(request, ranking, form, status=400)
    form = ranking.form(request.GET)
    return _render(request, ranking, form, status=200 if form.is_valid() else 400)


def _csv_figure(part: pr.Component) -> str:
    """A figure as a number a spreadsheet reads, "fewer than 5", or nothing."""
    value = part.figure.value
    if part.figure.small or part.figure.withheld:
        return pr.figure_shown(part.code, part.figure)
    if value is None:
        return ""
    if part.code in (pr.DEPRIVATION, pr.CRIME_NEARBY):
        return str(int(value))
    if part.code == pr.REPORTS_INCIDENTS:
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format(value.normalize(), "f")


@login_required
@require_safe
def prioritisation_csv(request: HttpRequest, area_id: str) -> HttpResponse:
    """The ranking as a CSV file, with the same filters and weights as the page."""
    user = request.user
    ranking = _ranking(user, area_id)
    area = ranking.area
    form = ranking.form(request.GET)
    if not form.is_valid():
        return _render(request, ranking, form, status=400)
    weights = form.weights
    ranked = pr.prioritisation_rank(area=area, weights=weights, schools=ranking.schools)
    rows = pr.prioritisation_filter(ranked.schools, **form.filters)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        obj=area,
        detail={
            "what": "prioritisation",
            "rows": len(rows),
            "weights": pr.weights_text(weights).split(","),
            "filters": [f"{name}={value}" for name, value in form.filter_query().items()],
        },
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prioritisation-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    header = ["rank", "URN", "school", "phase", "local authority", "partnership", "score"]
    available = pr.indicators_available(ranked.schools)
    header.append(f"weighted indicators with a figure (of {available})")
    for measure in pr.MEASURES:
        weight = pr.weight_text(weights[measure.code])
        header += [measure.name, f"{measure.name}: points (weight {weight})"]
    writer.writerow(header)
    for row in rows:
        line: list[object] = [
            row.rank if row.rank is not None else "not ranked",
            row.school.urn,
            row.school.name,
            row.school.phase,
            row.school.local_authority,
            row.partnership_name,
            row.score if row.score is not None else "not enough data",
            row.indicators_scored,
        ]
        for part in row.components:
            line += [_csv_figure(part), part.points]
        writer.writerow([csv_cell(value) for value in line])
    return response


urlpatterns: list[URLPattern] = [
    path(
        "areas/<uuid:area_id>/prioritisation/",
        prioritisation,
        name="planning-prioritisation",
    ),
    path(
        "areas/<uuid:area_id>/prioritisation.csv",
        prioritisation_csv,
        name="planning-prioritisation-csv",
    ),
]
