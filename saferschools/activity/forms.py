"""Forms for the officer's week, patrol plans and time use.

The forms check the shape of what was sent (a date, a time, a whole number, a choice offered);
the services check the rest (ranges, a school the officer is deployed to, a place of that
school) and their errors are shown on the same forms, on the field they name.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.core.models import School
from saferschools.incidents.models import Place
from saferschools.lib.schooldays import LONDON

from .models import (
    KIND_DETAILS,
    MINUTES_MAX,
    MINUTES_MIN,
    NOTE_MAX,
    WEEKDAY_NAMES,
    ActivityDetail,
    ActivityKind,
    in_sentence,
)
from .services import MINUTES_MESSAGE, ActivityInput, PatrolPlanInput

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%H:%M:%S"]
TIME_HINT = "Use the 24-hour clock, for example 08:15"
DATE_FORMAT = "%Y-%m-%d"
MONTHS_OFFERED = 24
DETAIL_SEPARATOR = ":"
WEEKS_FROM, WEEKS_UNTIL = 2000, 2999


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_FORMAT)


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=TIME_HINT,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(
            format="%H:%M",
            attrs={"class": "govuk-input--width-5", "autocomplete": "off", "spellcheck": "false"},
        ),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as hours and minutes, for example 08:15",
        },
    )


def activity_choices() -> list[tuple[str, str]]:
    """Every kind, each followed by its details: "patrol", "patrol:start_of_day", …"""
    choices = []
    for kind, label in ActivityKind.choices:
        details = KIND_DETAILS.get(kind, ())
        choices.append((kind, f"{label} (other)" if details else str(label)))
        for detail in details:
            text = in_sentence(ActivityDetail(detail).label)
            choices.append((f"{kind}{DETAIL_SEPARATOR}{detail}", f"{label}: {text}"))
    return choices


def activity_choice(kind: str, detail: str) -> str:
    return f"{kind}{DETAIL_SEPARATOR}{detail}" if detail else kind


def _school_choices(schools: Iterable[School]) -> list[tuple[int, str]]:
    return [(school.urn, school.name) for school in schools]


def _place_choices(places: Iterable[Place], *, several_schools: bool) -> list[tuple[str, str]]:
    return [("", "No particular place")] + [
        (str(place.pk), f"{place.school.name}: {place.name}" if several_schools else place.name)
        for place in places
    ]


class _OfficerForm(forms.Form):
    """A form naming one of the officer's schools and, optionally, one of their places."""

    school = forms.TypedChoiceField(
        label="School",
        coerce=int,
        error_messages={
            "required": "Choose the school",
            "invalid_choice": "Choose one of the schools you are deployed to",
        },
    )
    place = forms.ChoiceField(
        label="Place (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the school's places, or none"},
    )

    # Where the services' errors go on this form.
    SERVICE_FIELDS: dict[str, str] = {"school_urn": "school", "place_id": "place"}

    def __init__(
        self,
        data: Any = None,
        *,
        schools: Iterable[School],
        places: Iterable[Place],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        schools = list(schools)
        self.fields["school"].choices = _school_choices(schools)  # type: ignore[attr-defined]
        self.fields["place"].choices = _place_choices(  # type: ignore[attr-defined]
            places, several_schools=len(schools) > 1
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's errors on the field they concern, else on the form."""
        for name, texts in error.message_dict.items():
            target = self.SERVICE_FIELDS.get(name, name)
            for text in texts:
                self.add_error(target if target in self.fields else None, text)


class ActivityForm(_OfficerForm):
    """An entry of the week's log. In the week view the day is chosen from the week's days;
    when an entry is corrected, any date may be given."""

    field_order = ["day", "start", "minutes", "activity", "school", "place", "note"]

    day = forms.DateField(
        label="Day",
        input_formats=[DATE_FORMAT],
        widget=DateInput(),
        error_messages={
            "required": "Enter the day",
            "invalid": "Enter the day as a date, for example 2025-03-03",
        },
    )
    start = _time_field("Start time")
    minutes = forms.IntegerField(
        label="Minutes",
        help_text="How long it took, from 1 to 720 minutes (12 hours)",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "spellcheck": "false"}
        ),
        min_value=MINUTES_MIN,
        max_value=MINUTES_MAX,
        error_messages={
            "required": "Enter how many minutes it took",
            "invalid": "Enter a whole number of minutes, for example 45",
            "min_value": MINUTES_MESSAGE,
            "max_value": MINUTES_MESSAGE,
        },
    )
    activity = forms.ChoiceField(
        label="What",
        choices=activity_choices,
        error_messages={
            "required": "Choose what you did",
            "invalid_choice": "Choose one of the activities listed",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="Only you see your notes. Do not name pupils here.",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"Use {NOTE_MAX:,} characters or fewer"},
    )

    SERVICE_FIELDS = {
        **_OfficerForm.SERVICE_FIELDS,
        "kind": "activity",
        "detail": "activity",
        "started_at": "start",
    }

    def __init__(
        self, data: Any = None, *, week_days: list[date] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        if week_days:
            self.fields["day"].widget = forms.Select(
                choices=[
                    (day.strftime(DATE_FORMAT), f"{day:%A} {day.day} {day:%B}") for day in week_days
                ]
            )

    def activity_input(self) -> ActivityInput:
        data = self.cleaned_data
        kind, _, detail = data["activity"].partition(DETAIL_SEPARATOR)
        return ActivityInput(
            school_urn=data["school"],
            kind=kind,
            detail=detail,
            started_at=datetime.combine(data["day"], data["start"], tzinfo=LONDON),
            minutes=data["minutes"],
            place_id=data["place"] or None,
            note=data["note"],
        )


class WeekForm(forms.Form):
    week = forms.DateField(
        label="Go to the week of",
        required=False,
        input_formats=[DATE_FORMAT],
        widget=DateInput(),
        error_messages={"invalid": "Give the week as a date, for example 2025-03-03"},
    )

    def clean_week(self) -> date | None:
        week = self.cleaned_data.get("week")
        if week is not None and not WEEKS_FROM <= week.year <= WEEKS_UNTIL:
            raise ValidationError(
                f"Give a week from the years {WEEKS_FROM} to {WEEKS_UNTIL}", code="invalid"
            )
        return week


class PatrolPlanForm(_OfficerForm):
    field_order = [
        "school",
        "place",
        "weekdays",
        "starts_at",
        "ends_at",
        "valid_from",
        "valid_until",
        "active",
    ]

    weekdays = forms.TypedMultipleChoiceField(
        label="Days",
        coerce=int,
        choices=[(str(number), name) for number, name in enumerate(WEEKDAY_NAMES)],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        help_text="Patrols are planned on school days only: never at weekends or on bank holidays.",
        error_messages={
            "required": "Choose at least one day from Monday to Friday",
            "invalid_choice": "Choose days from Monday to Friday",
        },
    )
    starts_at = _time_field("Start time")
    ends_at = _time_field("End time")
    valid_from = forms.DateField(
        label="First day",
        input_formats=[DATE_FORMAT],
        widget=DateInput(),
        error_messages={
            "required": "Enter the first day of the plan",
            "invalid": "Enter the first day as a date, for example 2025-09-01",
        },
    )
    valid_until = forms.DateField(
        label="Last day (optional)",
        help_text="For example the last day of term. Leave empty to keep the plan going.",
        required=False,
        input_formats=[DATE_FORMAT],
        widget=DateInput(),
        error_messages={"invalid": "Enter the last day as a date, for example 2025-12-19"},
    )
    active = forms.BooleanField(
        label="In use",
        help_text="Plans in use are in your calendar and counted as planned patrols.",
        required=False,
    )

    def plan_input(self) -> PatrolPlanInput:
        data = self.cleaned_data
        return PatrolPlanInput(
            school_urn=data["school"],
            place_id=data["place"] or None,
            weekdays=list(data["weekdays"]),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            active=bool(data["active"]),
        )


def month_choices(today: date) -> list[tuple[str, str]]:
    """This month and the months before it, newest first."""
    month = today.replace(day=1)
    choices = []
    for _ in range(MONTHS_OFFERED):
        choices.append((month.strftime("%Y-%m"), month.strftime("%B %Y")))
        month = (month - timedelta(days=1)).replace(day=1)
    return choices


class TimeUseForm(forms.Form):
    """The time-use filters, sent as a GET form so that each view has its own address."""

    month = forms.ChoiceField(
        label="Month",
        required=False,
        error_messages={"invalid_choice": "Choose one of the months listed"},
    )
    officer = forms.ChoiceField(
        label="Officer",
        required=False,
        error_messages={"invalid_choice": "Choose one of the officers listed"},
    )
    school = forms.TypedChoiceField(
        label="School",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the schools listed"},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        today: date,
        officers: Iterable[Any],
        schools: Iterable[School],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.officers = {str(officer.pk): officer for officer in officers}
        self.schools = {school.urn: school for school in schools}
        self.fields["month"].choices = month_choices(today)  # type: ignore[attr-defined]
        self.fields["officer"].choices = [  # type: ignore[attr-defined]
            ("", "All officers"),
            *((pk, officer.full_name or officer.email) for pk, officer in self.officers.items()),
        ]
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            ("", "All schools"),
            *_school_choices(self.schools.values()),
        ]
        self.today = today

    def chosen_month(self) -> date:
        value = self.cleaned_data.get("month")
        if not value:
            return self.today.replace(day=1)
        return datetime.strptime(value, "%Y-%m").date()

    def chosen_officer(self) -> Any:
        return self.officers.get(self.cleaned_data.get("officer") or "")

    def chosen_school(self) -> School | None:
        urn = self.cleaned_data.get("school")
        return self.schools.get(urn) if urn else None
