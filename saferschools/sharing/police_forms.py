"""Forms for notifications from the police: recording one, and the school acknowledging it.

The forms check the shape of what was sent (a real date and time, a choice offered); the
services check the rest, and their errors are put back on these forms, each on its field.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from saferschools.casework.models import Pupil
from saferschools.incidents.forms import TIME_FORMATS, DateInputField
from saferschools.lib.schooldays import LONDON

from .models import PoliceNotificationKind
from .police_services import SUMMARY_MAX, SUPPORT_MAX

SEARCH_MAX = 100


def pupil_label(pupil: Pupil) -> str:
    details = [pupil.year_group_label, pupil.school_pupil_id]
    if pupil.date_of_birth:
        details.append(f"born {pupil.date_of_birth.day} {pupil.date_of_birth:%B %Y}")
    return f"{pupil.family_name}, {pupil.given_name} ({', '.join(details)})"


def search_words(value: object) -> str:
    """What was typed to find a pupil, made safe to search for."""
    if not isinstance(value, str):
        return ""
    # NUL cannot be stored or searched for in PostgreSQL text; it is never part of a name.
    return value.replace("\x00", "").strip()[:SEARCH_MAX]


class PoliceNotificationForm(forms.Form):
    """A notification from the police. The pupils offered are those found by the search on the
    same form, and the one chosen before it."""

    q = forms.CharField(
        label="Find the pupil",
        help_text="Name, the school's pupil id or UPN",
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(
            attrs={"type": "search", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    pupil = forms.ChoiceField(
        label="Pupil",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the pupil: find them by name, pupil id or UPN first",
            "invalid_choice": "Choose a pupil of this school",
        },
    )
    kind = forms.ChoiceField(
        label="What happened",
        choices=PoliceNotificationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what happened",
            "invalid_choice": "Choose what happened from the list",
        },
    )
    summary = forms.CharField(
        label="Summary for the school",
        help_text="What the school needs to know to support the pupil today: what happened, "
        "who was there, whether the pupil saw or heard it. Facts, not opinions.",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter a summary for the school",
            "max_length": f"Use {SUMMARY_MAX:,} characters or fewer for the summary",
        },
    )
    occurred_on = DateInputField(
        label="Date it happened",
        help_text="For example, 27 3 2026",
        what="it happened",
    )
    occurred_time = forms.TimeField(
        label="Time it happened",
        help_text="Use the 24-hour clock, for example 21:30",
        input_formats=TIME_FORMATS,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the time it happened, for example 21:30",
            "invalid": "Enter the time it happened as hours and minutes, for example 21:30",
        },
    )

    def __init__(self, data: Any = None, *, pupils: list[Pupil], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["pupil"].choices = [  # type: ignore[attr-defined]
            (str(pupil.pk), pupil_label(pupil)) for pupil in pupils
        ]
        self.pupils_offered = pupils

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # With no pupil offered yet there is no choice to point at: the search box is where to
        # start, so the error is put there.
        if not self.pupils_offered and "pupil" in self._errors:
            self._errors["q"] = self._errors.pop("pupil")
        return data

    def keep_unjudged(self) -> None:
        """Show what was typed without errors: the user asked to find a pupil, not to save."""
        self._errors = ErrorDict()

    def occurred_at(self) -> datetime:
        data = self.cleaned_data
        return datetime.combine(data["occurred_on"], data["occurred_time"], tzinfo=LONDON)

    def add_service_errors(self, error: ValidationError) -> None:
        fields = {"pupil_id": "pupil", "occurred_at": "occurred_on"}
        for key, texts in error.message_dict.items():
            field = fields.get(key, key)
            for text in texts:
                self.add_error(field if field in self.fields else None, text)


class AcknowledgeForm(forms.Form):
    support_given = forms.CharField(
        label="Support given",
        help_text="What the school has done or will do today for the pupil, for example a "
        "check-in with a trusted adult, a quiet space, a referral.",
        max_length=SUPPORT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the support given to the pupil",
            "max_length": f"Use {SUPPORT_MAX:,} characters or fewer for the support given",
        },
    )

    def add_service_errors(self, error: ValidationError) -> None:
        for key, texts in error.message_dict.items():
            for text in texts:
                self.add_error(key if key in self.fields else None, text)
