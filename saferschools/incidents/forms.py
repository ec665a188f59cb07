"""Forms for the incident log: recording and changing an incident, filtering the list, and
adding a place.

The forms check the shape of what was sent (a real date, a choice from the list, a party row
that is complete); the services check the rest, and their errors are put back on these forms
(``add_service_errors``), each on the field it is about.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.lib.schooldays import LONDON

from .models import (
    Incident,
    IncidentCategory,
    LocationKind,
    PartyRole,
    Place,
    PlaceKind,
    PoliceAction,
    Severity,
)
from .models.incidents import DESCRIPTION_MAX
from .services import MAX_PARTIES, IncidentInput, PartyInput

# Party rows on the form; an incident with more parties gets a couple of empty rows beyond them.
PARTY_ROWS = 6
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I.%M%p", "%I:%M %p", "%I.%M %p", "%I%p"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y"]


# A date in three boxes ------------------------------------------------------------------------


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year in three boxes."""

    def __init__(self) -> None:
        super().__init__(
            {
                "day": forms.TextInput(attrs={"inputmode": "numeric"}),
                "month": forms.TextInput(attrs={"inputmode": "numeric"}),
                "year": forms.TextInput(attrs={"inputmode": "numeric"}),
            }
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    """A date typed into the three boxes, with the GOV.UK Design System's messages."""

    widget = DateInputWidget

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        parts = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(parts, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> date | None:
        parts = [str(part or "").strip() for part in (value or [])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the date {self.what}")
            return None
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise ValidationError(f"The date {self.what} must include a {' and '.join(missing)}")
        # No part of a real date has more than four digits; a longer one is refused before it is
        # converted (a number of thousands of digits is refused by int() itself).
        if not all(part.isdecimal() and len(part) <= 4 for part in parts[:2]) or not (
            parts[2].isdecimal() and len(parts[2]) <= 10
        ):
            raise ValidationError(f"The date {self.what} must be a real date")
        day, month, year = (int(part) for part in parts)
        if len(parts[2]) != 4:
            raise ValidationError("Year must include 4 numbers")
        try:
            return date(year, month, day)
        except (ValueError, OverflowError):
            raise ValidationError(f"The date {self.what} must be a real date") from None

    def compress(self, data_list: Any) -> Any:  # pragma: no cover - clean does the work
        return data_list


# Recording and changing an incident -----------------------------------------------------------


def _party_fields(row: int) -> tuple[str, str, str]:
    return f"party_{row}_role", f"party_{row}_pupil", f"party_{row}_description"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class IncidentForm(forms.Form):
    """Everything an incident holds. Party rows left empty are ignored; the pupil choice is
    there only when ``pupils`` is given (those who may read the school's register)."""

    occurred_on = DateInputField(
        label="Date it happened",
        help_text="For example, 27 3 2026",
        what="it happened",
    )
    occurred_time = forms.TimeField(
        label="Time it happened",
        help_text="Use the 24-hour clock, for example 13:45. Your best estimate will do.",
        input_formats=TIME_FORMATS,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the time it happened, for example 13:45",
            "invalid": "Enter the time it happened as hours and minutes, for example 13:45",
        },
    )
    location_kind = forms.ChoiceField(
        label="Where it happened",
        choices=LocationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where it happened",
            "invalid_choice": "Choose where it happened from the list",
        },
    )
    place = forms.ChoiceField(
        label="Place",
        help_text="One of the places the school keeps, if one fits.",
        required=False,
        error_messages={"invalid_choice": "Choose one of the school's places"},
    )
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *IncidentCategory.choices],
        error_messages={
            "required": "Choose a category",
            "invalid_choice": "Choose a category from the list",
        },
    )
    severity = forms.ChoiceField(
        label="Severity",
        choices=Severity.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={
            "required": "Choose how severe it was",
            "invalid_choice": "Choose a severity from the list",
        },
    )
    flagged_critical = forms.BooleanField(
        label="Treat it as a critical incident",
        help_text=(
            "A critical incident alerts the head teacher, the safeguarding leads, the SSP "
            "officers and the police supervisors at once, whatever its severity."
        ),
        required=False,
    )
    description = forms.CharField(
        label="What happened",
        help_text="Who did what, what was said, and anything seen or heard. Facts, not opinions.",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Describe what happened",
            "max_length": f"Use {DESCRIPTION_MAX:,} characters or fewer to describe what happened",
        },
    )
    restorative_approach = forms.BooleanField(
        label="A restorative approach was used", required=False
    )
    restorative_outcome = forms.CharField(
        label="Outcome of the restorative approach (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Use 500 characters or fewer for the outcome"},
    )
    sanction = forms.CharField(
        label="Sanction (optional)",
        max_length=500,
        required=False,
        error_messages={"max_length": "Use 500 characters or fewer for the sanction"},
    )
    advice = forms.CharField(
        label="Advice given (optional)",
        max_length=500,
        required=False,
        error_messages={"max_length": "Use 500 characters or fewer for the advice"},
    )
    referral = forms.CharField(
        label="Referral (optional)",
        help_text="To whom, for example children's social care or the youth offending team.",
        max_length=500,
        required=False,
        error_messages={"max_length": "Use 500 characters or fewer for the referral"},
    )
    police_action = forms.ChoiceField(
        label="Police action",
        choices=PoliceAction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the police action, or None",
            "invalid_choice": "Choose a police action from the list",
        },
    )
    report_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        places: Iterable[Place],
        pupils: list[tuple[str, str]] | None,
        party_rows: int = PARTY_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["place"].choices = [  # type: ignore[attr-defined]
            ("", "No particular place"),
            *((str(place.pk), f"{place.name} ({place.get_kind_display()})") for place in places),
        ]
        self.party_rows = max(1, min(party_rows, MAX_PARTIES))
        self.with_pupils = pupils is not None
        party_fields: dict[str, forms.Field] = {}
        for row in range(1, self.party_rows + 1):
            role, pupil, description = _party_fields(row)
            party_fields[role] = forms.ChoiceField(
                label="Role",
                choices=[("", "Choose a role"), *PartyRole.choices],
                required=False,
                error_messages={"invalid_choice": f"Party {row}: choose a role from the list"},
            )
            if pupils is not None:
                party_fields[pupil] = forms.ChoiceField(
                    label="Pupil of the school",
                    choices=[("", "Not a pupil of the school"), *pupils],
                    required=False,
                    error_messages={
                        "invalid_choice": f"Party {row}: choose a pupil of this school"
                    },
                )
            party_fields[description] = forms.CharField(
                label="Or describe someone who is not a pupil here",
                max_length=300,
                required=False,
                error_messages={
                    "max_length": f"Party {row}: use 300 characters or fewer to describe them"
                },
            )
        # The parties come after what happened, so the error summary follows the page.
        fields = list(self.fields.items())
        at = [name for name, _ in fields].index("restorative_approach")
        self.fields = dict(fields[:at] + list(party_fields.items()) + fields[at:])

    def party_rows_of(
        self,
    ) -> list[tuple[int, forms.BoundField, forms.BoundField | None, forms.BoundField]]:
        """The party rows as (number, role, pupil or None, description) for the template."""
        rows = []
        for row in range(1, self.party_rows + 1):
            role, pupil, description = _party_fields(row)
            rows.append(
                (row, self[role], self[pupil] if self.with_pupils else None, self[description])
            )
        return rows

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for row in range(1, self.party_rows + 1):
            role_name, pupil_name, description_name = _party_fields(row)
            if any(name in self.errors for name in (role_name, pupil_name, description_name)):
                continue
            role = data.get(role_name) or ""
            pupil = data.get(pupil_name) or ""
            description = data.get(description_name) or ""
            if not (role or pupil or description):
                continue
            if not role:
                self.add_error(
                    role_name, f"Party {row}: choose a role (victim, perpetrator, witness or other)"
                )
            if pupil and description:
                self.add_error(
                    description_name,
                    f"Party {row}: choose a pupil or describe someone who is not a pupil here, "
                    "not both",
                )
            elif not (pupil or description):
                self.add_error(
                    pupil_name if self.with_pupils else description_name,
                    f"Party {row}: choose a pupil of the school or describe the person"
                    if self.with_pupils
                    else f"Party {row}: describe the person",
                )
        return data

    def incident_input(self) -> tuple[IncidentInput, list[int]]:
        """What the services take, and the form's row number of each party given."""
        data = self.cleaned_data
        occurred_at = datetime.combine(data["occurred_on"], data["occurred_time"], tzinfo=LONDON)
        parties: list[PartyInput] = []
        rows: list[int] = []
        for row in range(1, self.party_rows + 1):
            role, pupil, description = _party_fields(row)
            if not (data.get(role) or data.get(pupil) or data.get(description)):
                continue
            parties.append(
                PartyInput(
                    role=data[role],
                    pupil_id=data.get(pupil) or None,
                    description=data.get(description) or "",
                )
            )
            rows.append(row)
        return (
            IncidentInput(
                occurred_at=occurred_at,
                location_kind=data["location_kind"],
                category=data["category"],
                severity=data["severity"],
                description=data["description"],
                place_id=data.get("place") or None,
                flagged_critical=bool(data.get("flagged_critical")),
                parties=parties,
                restorative_approach=bool(data.get("restorative_approach")),
                restorative_outcome=data.get("restorative_outcome") or "",
                sanction=data.get("sanction") or "",
                advice=data.get("advice") or "",
                referral=data.get("referral") or "",
                police_action=data["police_action"],
                report_id=data.get("report_id") or None,
            ),
            rows,
        )

    def add_service_errors(self, error: ValidationError, rows: list[int]) -> None:
        """Put a service's errors on the fields they are about; a party's error on its row."""
        for key, texts in error.message_dict.items():
            field, prefix = self._field_of(key, rows)
            for text in texts:
                self.add_error(field, f"{prefix}{_lower_first(text)}" if prefix else text)

    def _field_of(self, key: str, rows: list[int]) -> tuple[str | None, str]:
        party = re.fullmatch(r"parties\[(\d+)\](?:\.(\w+))?", key)
        if party:
            index = int(party.group(1))
            row = rows[index] if index < len(rows) else 1
            role, pupil, description = _party_fields(row)
            part = party.group(2)
            if part == "pupil_id":
                return (pupil if self.with_pupils else description), f"Party {row}: "
            if part == "description":
                return description, f"Party {row}: "
            return role, f"Party {row}: "
        field = SERVICE_FIELDS.get(key, key)
        return (field if field in self.fields else None), ""


# The services' names for the fields that the form calls otherwise.
SERVICE_FIELDS = {"occurred_at": "occurred_on", "place_id": "place"}


def incident_initial(incident: Incident) -> dict[str, Any]:
    """The form's starting values for changing an incident (its parties prefetched)."""
    occurred = incident.occurred_at.astimezone(LONDON)
    initial: dict[str, Any] = {
        "occurred_on": occurred.date(),
        "occurred_time": occurred.strftime("%H:%M"),
        "location_kind": incident.location_kind,
        "place": str(incident.place_id or ""),
        "category": incident.category,
        "severity": incident.severity,
        "flagged_critical": incident.flagged_critical,
        "description": incident.description,
        "restorative_approach": incident.restorative_approach,
        "restorative_outcome": incident.restorative_outcome,
        "sanction": incident.sanction,
        "advice": incident.advice,
        "referral": incident.referral,
        "police_action": incident.police_action,
        "report_id": str(incident.report_id or ""),
    }
    for row, party in enumerate(incident.parties.all(), start=1):
        role, pupil, description = _party_fields(row)
        initial[role] = party.role
        initial[pupil] = str(party.pupil_id or "")
        initial[description] = party.description
    return initial


def party_rows_for(incident: Incident | None) -> int:
    """Rows enough for an incident's parties and two more, and never fewer than usual."""
    if incident is None:
        return PARTY_ROWS
    return min(MAX_PARTIES, max(PARTY_ROWS, len(incident.parties.all()) + 2))


# The list's filters ------------------------------------------------------------------------


class IncidentFilterForm(forms.Form):
    """The filters of a school's incident list, sent as a GET form so that a filtered list has
    its own address."""

    since = forms.DateField(
        label="From",
        help_text="For example, 1/9/2025",
        input_formats=DATE_FORMATS,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the first date as a date, for example 1/9/2025"},
    )
    until = forms.DateField(
        label="To",
        help_text="For example, 31/12/2025",
        input_formats=DATE_FORMATS,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the last date as a date, for example 31/12/2025"},
    )
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "All categories"), *IncidentCategory.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a category from the list"},
    )
    severity = forms.ChoiceField(
        label="Severity",
        choices=[("", "Any severity"), *Severity.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a severity from the list"},
    )
    location_kind = forms.ChoiceField(
        label="Where",
        choices=[("", "Anywhere"), *LocationKind.choices],
        required=False,
        error_messages={"invalid_choice": "Choose where from the list"},
    )
    place = forms.ChoiceField(
        label="Place",
        required=False,
        error_messages={"invalid_choice": "Choose one of the school's places"},
    )

    def __init__(self, data: Any = None, *, places: Iterable[Place], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.places = {str(place.pk): place for place in places}
        self.fields["place"].choices = [  # type: ignore[attr-defined]
            ("", "All places"),
            *((pk, place.name) for pk, place in self.places.items()),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        # Incidents are recorded from 2000 on; far-off dates are mistakes, and the day after
        # the last possible date cannot be counted up to.
        for name, value in (("since", since), ("until", until)):
            if value and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
                self.add_error(name, "Enter a date from 2000 to 2100")
                data.pop(name, None)
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The last date must be the same as or after the first date")
        return data

    def filters(self) -> dict[str, Any]:
        """The selector's arguments (``since``, ``until``, ``category``) and the rest."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return {
            "since": datetime.combine(since, time.min, tzinfo=LONDON) if since else None,
            # The last day counts whole: up to the start of the day after it.
            "until": datetime.combine(until + timedelta(days=1), time.min, tzinfo=LONDON)
            if until
            else None,
            "category": data.get("category") or "",
            "severity": data.get("severity") or "",
            "location_kind": data.get("location_kind") or "",
            "place": self.places.get(data.get("place") or ""),
        }

    def query(self) -> dict[str, str]:
        """The filters as they go back into a link."""
        return {
            name: (value.isoformat() if isinstance(value, date) else str(value))
            for name, value in self.cleaned_data.items()
            if value
        }


# Places ------------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="As staff say it, for example “Bike sheds” or “Bus stop on Station Road”.",
        max_length=120,
        error_messages={
            "required": "Enter the name of the place",
            "max_length": "Use 120 characters or fewer for the name",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of place",
        choices=PlaceKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of place",
            "invalid_choice": "Choose a kind of place from the list",
        },
    )
    latitude = forms.FloatField(
        label="Latitude (optional)",
        help_text="In decimal degrees, for example 51.1725",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the latitude as a number, for example 51.1725"},
    )
    longitude = forms.FloatField(
        label="Longitude (optional)",
        help_text="In decimal degrees, for example -0.1625",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the longitude as a number, for example -0.1625"},
    )
    plan_x = forms.FloatField(
        label="Across the site plan, in per cent (optional)",
        help_text="0 is the left edge of the plan, 100 the right edge.",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter how far across the plan as a number from 0 to 100"},
    )
    plan_y = forms.FloatField(
        label="Down the site plan, in per cent (optional)",
        help_text="0 is the top edge of the plan, 100 the bottom edge.",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter how far down the plan as a number from 0 to 100"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "place_%s")
        super().__init__(*args, **kwargs)

    def add_service_errors(self, error: ValidationError) -> None:
        for field, texts in error.message_dict.items():
            for text in texts:
                self.add_error(field if field in self.fields else None, text)


class CrimeSettingsForm(forms.Form):
    """How the area counts crime near its schools (the service checks the values again)."""

    radius_m = forms.IntegerField(
        label="Radius in metres",
        help_text="Crimes within this distance of a school count as near it. From 50 to 5,000; "
        "the usual radius is 500.",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter a whole number of metres from 50 to 5,000",
            "invalid": "Enter a whole number of metres from 50 to 5,000",
        },
    )
    force = forms.CharField(
        label="Police force (optional)",
        help_text="As data.police.uk names it, for example “Surrey Police”. Leave it empty to "
        "use the names of the area's police force agencies.",
        required=False,
        max_length=120,
        error_messages={"max_length": "Use 120 characters or fewer"},
    )
