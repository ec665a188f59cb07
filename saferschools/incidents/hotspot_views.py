"""Hotspots and the site plan: where and when a school's incidents happen, drawn on the plan
its leaders upload and pin its places on.

The school's leaders and officers see every count; police supervisors, the local authority's
analysts and the steering group see small counts left out (``hotspots``). Only those who keep
the school's places change the plan and the pins, through ``plan_services``.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import School
from saferschools.lib.charts import Series, bar_chart_svg
from saferschools.lib.schooldays import LONDON

from . import hotspots as hs
from . import plan_services, selectors
from .forms import DateInputField
from .models import Place, SitePlan

CHART_PLACES = 10
# Drawn at about the width of half the page's column, so that its text is the body's size.
CHART_WIDTH = 460
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def _today() -> date:
    return datetime.now(LONDON).date()


# The period ----------------------------------------------------------------------------------


class PeriodDateField(DateInputField):
    """A date in the GOV.UK date input whose every message names the date it is about."""

    def clean(self, value: Any) -> date | None:
        try:
            return super().clean(value)
        except OverflowError:
            # A day or month of more digits than any date has.
            raise ValidationError(f"The date {self.what} must be a real date") from None
        except ValidationError as error:
            if error.messages == ["Year must include 4 numbers"]:
                raise ValidationError(
                    f"The year of the date {self.what} must include 4 numbers"
                ) from None
            raise


class PeriodForm(forms.Form):
    """The period of the hotspots, sent as a GET form so that a period has its own address.
    A date may also come as ``since=YYYY-MM-DD`` (or ``until=``), as links and the API give it.
    """

    since = PeriodDateField(
        label="From",
        help_text="The first day counted. For example, 2 3 2026",
        what="the period starts",
        required=False,
    )
    until = PeriodDateField(
        label="Up to",
        help_text=(
            "The day after the last day counted: the period ends as this day starts. To count "
            "up to and including today, give tomorrow's date."
        ),
        what="the period ends",
        required=False,
    )

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        self.iso_errors: dict[str, str] = {}
        data = data.copy()
        for name, what in (("since", "starts"), ("until", "ends")):
            if name not in data or any(f"{name}_{part}" in data for part in ("day", "month")):
                continue
            text = data.get(name, "").strip()
            found = ISO_DATE.fullmatch(text)
            if found:
                year, month, day = found.groups()
                data.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
            elif text:
                self.iso_errors[name] = (
                    f"Give the date the period {what} as YYYY-MM-DD, for example 2026-03-02"
                )
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        for name, text in self.iso_errors.items():
            self.add_error(name, text)
        if self.errors:
            return self.cleaned_data
        try:
            since, until = hs.period_clean(
                since=self.cleaned_data.get("since"),
                until=self.cleaned_data.get("until"),
                today=_today(),
            )
        except ValidationError as error:
            for name, texts in error.message_dict.items():
                for text in texts:
                    self.add_error(name, text)
        else:
            self.cleaned_data.update(since=since, until=until)
        return self.cleaned_data


# Charts and the plan -------------------------------------------------------------------------


def _chart(
    *, title: str, description: str, labels: list[str], now: list[Any], before: list[Any], key: str
) -> SafeString:
    return bar_chart_svg(
        title=title,
        description=description
        + " The table beside the chart gives the same counts."
        + (" “Not shown” marks a count left out." if None in now + before else ""),
        labels=labels,
        series=[Series("This period", now), Series("Previous period", before)],
        chart_id=f"chart-{key}",
        width=CHART_WIDTH,
    )


@dataclass(frozen=True)
class PlanPin:
    """A place drawn on the plan, in the plan image's pixels."""

    number: int
    name: str
    x: float
    y: float
    r: float
    font: float
    text: str  # what the marker says: the count, or the place's number
    caption: str  # beside the marker
    shade: str
    # Near the right edge the caption goes on the marker's left, so that it stays on the plan.
    caption_left: bool = False

    @property
    def caption_x(self) -> float:
        gap = self.r + self.font * 0.4
        return round(self.x - gap if self.caption_left else self.x + gap, 1)

    @property
    def caption_anchor(self) -> str:
        return "end" if self.caption_left else "start"

    @property
    def text_y(self) -> float:
        return round(self.y + self.font * 0.35, 1)

    @property
    def stroke(self) -> float:
        return round(self.font * 0.25, 1)


CAPTION_FLIP_PERCENT = 65
MARKER_COLOUR = "#d4351c"
MARKER_EMPTY = "#505a5f"


def _scale(plan: SitePlan) -> float:
    """The size of a marker's text in the plan's pixels: readable however large the plan."""
    return max(plan.width, plan.height) / 55


def _hotspot_pins(plan: SitePlan, places: list[Place], spots: list[hs.Hotspot]) -> list[PlanPin]:
    """The pinned places, each drawn larger the more incidents it had in the period; a place
    whose count is left out is drawn at one size, saying so."""
    counts: dict[str, int | None] = {}
    for spot in spots:
        if spot.place_id is None:
            continue
        before = counts.get(spot.place_id, 0)
        counts[spot.place_id] = (
            None if before is None or spot.count is None else before + spot.count
        )
    most = max((n for n in counts.values() if n), default=1)
    font = _scale(plan)
    pins = []
    for number, place in enumerate(places, start=1):
        count = counts.get(str(place.pk), 0)
        if count is None:
            r, text, caption, shade = font * 1.2, "", f"{place.name}: not shown", MARKER_EMPTY
        else:
            r = font * (0.8 + 1.4 * math.sqrt(count / most))
            text = str(count)
            caption = place.name
            shade = MARKER_COLOUR if count else MARKER_EMPTY
        pins.append(_pin(plan, place, number, r, font, text, caption, shade))
    return pins


def _pin(
    plan: SitePlan,
    place: Place,
    number: int,
    r: float,
    font: float,
    text: str,
    caption: str,
    shade: str,
) -> PlanPin:
    return PlanPin(
        number=number,
        name=place.name,
        x=round(plan.width * (place.plan_x or 0) / 100, 1),
        y=round(plan.height * (place.plan_y or 0) / 100, 1),
        r=round(r, 1),
        font=round(font, 1),
        text=text,
        caption=caption,
        shade=shade,
        caption_left=(place.plan_x or 0) > CAPTION_FLIP_PERCENT,
    )


def _plan_of(school: School) -> SitePlan | None:
    return SitePlan.objects.filter(school=school).defer("content").first()


def _pinned(school: School) -> list[Place]:
    return list(
        Place.objects.filter(school=school, plan_x__isnull=False, plan_y__isnull=False).order_by(
            "name"
        )
    )


# The hotspots page -----------------------------------------------------------------------------


@login_required
@require_safe
def hotspots(request: HttpRequest, urn: int) -> HttpResponse:
    """Where and when the school's incidents happened in a period, against the period before:
    tables, each with its chart, the plan with the counts drawn on it, and (for those who see
    every count) where and when to patrol."""
    user = request.user
    school = hs.get_school_for_hotspots(user, urn)
    form = PeriodForm(request.GET)
    context: dict[str, Any] = {
        "school": school,
        "form": form,
        "time_bands": hs.time_band_definitions(),
        "suppress_below": hs.SUPPRESS_BELOW,
        "sees_all": hs.sees_all_counts(user, school),
    }
    if not form.is_valid():
        return render(request, "incidents/hotspots.html", context, status=400)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    found = hs.school_hotspots(user=user, school=school, since=since, until=until)
    plan = _plan_of(school)
    busiest = found.places[:CHART_PLACES]
    context.update(
        hotspots=found,
        charts={
            "places": _chart(
                title=f"Incidents at the {len(busiest)} busiest places"
                if len(found.places) > len(busiest)
                else "Incidents by place",
                description="Incidents at each place in this period and the one before.",
                labels=[spot.place for spot in busiest],
                now=[spot.count for spot in busiest],
                before=[spot.previous_count for spot in busiest],
                key="places",
            ),
            "kinds": _chart(
                title="Incidents by where they happened",
                description="Incidents on site, on journeys, in the neighbourhood and online.",
                labels=found.by_location_kind.labels,
                now=found.by_location_kind.counts,
                before=found.by_location_kind.previous,
                key="kinds",
            ),
            "weekdays": _chart(
                title="Incidents by day of the week",
                description="Incidents on each day of the week, UK time.",
                labels=found.by_weekday.labels,
                now=found.by_weekday.counts,
                before=found.by_weekday.previous,
                key="weekdays",
            ),
            "bands": _chart(
                title="Incidents by time of day",
                description="Incidents in each band of the school day, UK time.",
                labels=found.by_time_band.labels,
                now=found.by_time_band.counts,
                before=found.by_time_band.previous,
                key="bands",
            ),
        },
        band_labels=[label for _, label in hs.TIME_BANDS],
        plan=plan,
        pins=_hotspot_pins(plan, _pinned(school), found.places) if plan else [],
        suggestions=hs.patrol_suggestions(user=user, school=school, today=_today())
        if context["sees_all"]
        else [],
        can_keep_places=access.can_keep_places(user, school),
        default_period=(since, until) == hs.default_period(_today()),
        suggestion_weeks=hs.SUGGESTION_WEEKS,
    )
    return render(request, "incidents/hotspots.html", context)


# The site plan page ----------------------------------------------------------------------------


class PlanUploadForm(forms.Form):
    plan = forms.FileField(
        label="Image of the site plan",
        help_text=(
            f"A JPEG or PNG image, smaller than {plan_services.PLAN_MAX_MB} MB. A drawing or a "
            "photo of the fire plan will do. Anything in the file but the picture itself, such "
            "as where a photo was taken, is removed."
        ),
        error_messages={
            "required": "Choose an image of the site plan",
            "empty": "The file chosen is empty: choose an image of the plan",
            "invalid": "Choose an image of the site plan",
        },
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/heic"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "upload_%s")
        super().__init__(*args, **kwargs)


def _percent_field(label: str, what: str) -> forms.FloatField:
    message = f"Enter how far {what} the plan the place is, as a number from 0 to 100"
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "decimal", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class PinForm(forms.Form):
    place = forms.ChoiceField(
        label="Place",
        error_messages={
            "required": "Choose the place to pin",
            "invalid_choice": "Choose one of the school's places",
        },
    )
    plan_x = _percent_field("Across, per cent of the plan's width from the left", "across")
    plan_y = _percent_field("Down, per cent of the plan's height from the top", "down")

    def __init__(self, data: Any = None, *, places: list[Place], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "pin_%s")
        super().__init__(data, **kwargs)
        self.fields["place"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a place"),
            *(
                (str(place.pk), place.name + ("" if place.active else " (no longer used)"))
                for place in places
            ),
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        for name, texts in error.message_dict.items():
            for text in texts:
                self.add_error(name if name in self.fields else None, text)


def _school_for_plan(user: Any, urn: int) -> School:
    """The school, if the user keeps its places (its leaders and officers); else ``Http404``."""
    school = access.get_school_for_user(user, urn)
    if not access.can_keep_places(user, school):
        raise Http404("No school found.")
    return school


def _place_to_pin(user: Any, school: School, value: str) -> Place | None:
    """The place chosen, if it is one of this school's that the user may change; none chosen
    is left to the form; any other is ``Http404``."""
    if not value:
        return None
    place = access.get_place_for_user(user, value, write=True)
    if place.school_id != school.pk:
        raise Http404("No place found.")
    return place


def _plan_pins(plan: SitePlan, places: list[Place]) -> list[PlanPin]:
    font = _scale(plan)
    return [
        _pin(plan, place, number, font * 1.1, font, str(number), place.name, MARKER_COLOUR)
        for number, place in enumerate(places, start=1)
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def site_plan(request: HttpRequest, urn: int) -> HttpResponse:
    """The school's site plan with its places pinned on it: upload a plan (``action`` upload)
    or set a place's pin (``action`` pin). For the school's leaders and officers."""
    user = request.user
    school = _school_for_plan(user, urn)
    places = list(selectors.place_list(user=user, school=school, active_only=False))
    upload_form = PlanUploadForm()
    chosen = next((p for p in places if str(p.pk) == request.GET.get("place", "")), None)
    pin_form = PinForm(
        places=places,
        initial={"place": str(chosen.pk), "plan_x": chosen.plan_x, "plan_y": chosen.plan_y}
        if chosen
        else {},
    )
    failed: forms.Form | None = None
    if request.method == "POST":
        source = audit_source(request)
        if request.POST.get("action") == "pin":
            place = _place_to_pin(user, school, request.POST.get("place", ""))
            pin_form = failed = PinForm(request.POST, places=places)
            if pin_form.is_valid() and place is not None:
                try:
                    plan_services.place_pin(
                        actor=user,
                        place=place,
                        plan_x=pin_form.cleaned_data["plan_x"],
                        plan_y=pin_form.cleaned_data["plan_y"],
                        source=source,
                    )
                except ValidationError as error:
                    pin_form.add_service_errors(error)
                else:
                    messages.success(
                        request,
                        f"{place.name} pinned on the plan."
                        if place.plan_x is not None
                        else f"The pin of {place.name} taken away.",
                    )
                    return redirect("incidents-site-plan", urn=school.urn)
        else:
            upload_form = failed = PlanUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                try:
                    plan_services.site_plan_upload(
                        actor=user,
                        school=school,
                        file=upload_form.cleaned_data["plan"],
                        source=source,
                    )
                except ValidationError as error:
                    for name, texts in error.message_dict.items():
                        for text in texts:
                            upload_form.add_error("plan" if name == "plan" else None, text)
                else:
                    messages.success(request, "Site plan uploaded.")
                    return redirect("incidents-site-plan", urn=school.urn)
    plan = _plan_of(school)
    pinned = [place for place in places if place.plan_x is not None and place.plan_y is not None]
    numbers = {place.pk: number for number, place in enumerate(pinned, start=1)}
    return render(
        request,
        "incidents/site_plan.html",
        {
            "school": school,
            "plan": plan,
            "places": [(place, numbers.get(place.pk)) for place in places],
            "pins": _plan_pins(plan, pinned) if plan else [],
            "preview": {"r": round(_scale(plan) * 1.1, 1), "stroke": round(_scale(plan) / 4, 1)}
            if plan
            else None,
            "upload_form": upload_form,
            "pin_form": pin_form,
            "form": failed,
            "hotspots_url": reverse("incidents-hotspots", args=[school.urn]),
        },
        status=400 if failed is not None else 200,
    )


@login_required
@require_safe
def site_plan_image(request: HttpRequest, urn: int) -> HttpResponse:
    """The plan image, for those who work at the school or may see its hotspots."""
    user = request.user
    school = access.get_school_for_user(user, urn)
    if not (access.can_record_incidents(user, school) or hs.can_see_hotspots(user, school)):
        raise Http404("No school found.")
    plan = SitePlan.objects.filter(school=school).first()
    if plan is None:
        raise Http404("No site plan found.")
    response = HttpResponse(bytes(plan.content), content_type=plan.content_type)
    # Not personal data, but the layout of a school: kept by the browser only, never by a proxy.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    extension = "png" if plan.content_type == "image/png" else "jpg"
    response["Content-Disposition"] = f'inline; filename="site-plan-{school.urn}.{extension}"'
    return response
