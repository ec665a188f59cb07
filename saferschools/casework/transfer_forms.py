"""Forms for moving school: sending a pupil's record, and confirming its receipt.

The forms check the shape of what was sent (a choice from the list, text that fits); the
services check the rest, and their errors are put back on the field they name.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.core.models import School

from .models import Pupil, TransferReason
from .transfer_services import NOTES_MAX, SCHOOL_NAME_MAX

OUTSIDE = "outside"
NEW_PUPIL = "new"


class TransferSendForm(forms.Form):
    to_school = forms.ChoiceField(
        label="Which school is the pupil moving to?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the school the pupil is moving to",
            "invalid_choice": "Choose the school the pupil is moving to from the list",
        },
    )
    to_school_name = forms.CharField(
        label="Name of the school, if it does not use SaferSchools",
        help_text="Its name and town. The record is then made into a PDF locked with a "
        "passphrase, for you to send and to give them by telephone.",
        required=False,
        max_length=SCHOOL_NAME_MAX,
        error_messages={"max_length": f"Use {SCHOOL_NAME_MAX} characters or fewer"},
    )
    reason = forms.ChoiceField(
        label="Why is the pupil moving school?",
        choices=TransferReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the pupil is moving school",
            "invalid_choice": "Choose why the pupil is moving school from the list",
        },
    )
    notes = forms.CharField(
        label="Notes for the receiving school (optional)",
        help_text="What they need to know first. Do not repeat what the record holds.",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Use {NOTES_MAX:,} characters or fewer"},
    )
    q = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, schools: Iterable[School]) -> None:
        super().__init__(data)
        self.schools = {str(school.urn): school for school in schools}
        self.fields["to_school"].choices = [  # type: ignore[attr-defined]
            *((urn, f"{school.name} (URN {urn})") for urn, school in self.schools.items()),
            (OUTSIDE, "A school that does not use SaferSchools"),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("to_school") == OUTSIDE and not data.get("to_school_name", "").strip():
            self.add_error("to_school_name", "Enter the name of the school the pupil is moving to")
        return data

    @property
    def outside(self) -> bool:
        return self.cleaned_data.get("to_school") == OUTSIDE

    @property
    def school(self) -> School | None:
        return self.schools.get(self.cleaned_data.get("to_school", ""))


def _pupil_label(pupil: Pupil, upn: str) -> str:
    details = [f"born {pupil.date_of_birth.day} {pupil.date_of_birth:%B %Y}"]
    details.append(pupil.year_group_label)
    if pupil.upn:
        details.append(f"UPN {pupil.upn}" + (", the record's UPN" if pupil.upn == upn else ""))
    details.append(f"your id {pupil.school_pupil_id}")
    if not pupil.on_roll:
        details.append("has left")
    return f"{pupil.family_name}, {pupil.given_name} ({'; '.join(details)})"


class TransferConfirmForm(forms.Form):
    pupil = forms.ChoiceField(
        label="Who is the pupil on your register?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the pupil on your register, or add them from the record",
            "invalid_choice": "Choose the pupil from the list",
        },
    )
    school_pupil_id = forms.CharField(
        label="Your school's id for the pupil, if you add them",
        help_text="Such as their admission number in your school information system.",
        required=False,
        max_length=40,
        error_messages={"max_length": "Use 40 characters or fewer"},
    )

    def __init__(self, data: Any = None, *, matches: Iterable[Pupil], upn: str) -> None:
        super().__init__(data)
        self.matches = {str(pupil.pk): pupil for pupil in matches}
        self.fields["pupil"].choices = [  # type: ignore[attr-defined]
            *((pk, _pupil_label(pupil, upn)) for pk, pupil in self.matches.items()),
            (NEW_PUPIL, "Add the pupil to your register from the record"),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("pupil") == NEW_PUPIL and not data.get("school_pupil_id", "").strip():
            self.add_error("school_pupil_id", "Enter your school's id for the pupil")
        return data

    @property
    def chosen(self) -> Pupil | None:
        return self.matches.get(self.cleaned_data.get("pupil", ""))


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name; the others above the form."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
