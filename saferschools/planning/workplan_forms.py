"""Forms for the work-plan: starting a year's plan, its outcomes, partner roles, actions and
targets, an action's progress and a target's measurement.

The forms check the shape of what was sent (a real date, a choice from the list); the services
check the rest, and their errors are put back on these forms, each on the field it is about. A
hidden ``version`` carries the fingerprint of what the form changes, as it was shown.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.core.models import Agency
from saferschools.incidents.forms import DateInputField
from saferschools.outcomes.models import Indicator

from .models import ActionStatus, CoreAim, DesiredOutcome
from .workplan_services import (
    DESCRIPTION_MAX,
    MEASURE_MAX,
    MEASUREMENT_NOTE_MAX,
    NOTE_MAX,
    OUTCOME_MAX,
    OWNER_NAME_MAX,
    PARTNER_MAX,
    ROLE_MAX,
    ActionInput,
    RoleInput,
    TargetInput,
)

NUMBER_TEXT_MAX = 20


def person_label(user: Any) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _text(
    label: str, what: str, max_length: int, *, rows: int = 3, required: bool = True, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Use {max_length:,} characters or fewer for {what}",
        },
        **kwargs,
    )


def _line(label: str, what: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Use {max_length:,} characters or fewer for {what}",
        },
        **kwargs,
    )


def _number(label: str, **kwargs: Any) -> forms.CharField:
    # Text, not a number input: the service reads it and names what is wrong in words.
    return forms.CharField(
        label=label,
        max_length=NUMBER_TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        error_messages={"max_length": "Enter a number, for example 12 or 7.5"},
        **kwargs,
    )


class ServiceErrors:
    """Puts a service's errors (keyed by the API's names) on the form's fields; others go above
    the form."""

    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        form: Any = self
        for key, texts in error.message_dict.items():
            name = self.service_fields.get(key, key)
            for text in texts:
                form.add_error(name if name in form.fields else None, text)


class VersionForm(ServiceErrors, forms.Form):
    """A step that takes nothing but a button and the fingerprint of what it was shown."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class StartForm(ServiceErrors, forms.Form):
    desired_outcomes = forms.MultipleChoiceField(
        label="Outcomes to start the plan with",
        help_text="The outcomes the partnership agreed under its aims. You can add others, and "
        "change or remove any, once the plan is started.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose outcomes from the list"},
    )

    def __init__(self, data: Any = None, *, desired: Iterable[DesiredOutcome], **kwargs: Any):
        super().__init__(data, **kwargs)
        field: Any = self.fields["desired_outcomes"]
        field.choices = [
            (str(one.pk), f"{one.text} ({one.aim.get_aim_display()})") for one in desired
        ]


class OutcomeForm(VersionForm):
    aim = forms.ChoiceField(
        label="Core aim",
        help_text="The core aim of the partnership the outcome works towards.",
        choices=CoreAim.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the core aim the outcome is tied to",
            "invalid_choice": "Choose the core aim the outcome is tied to",
        },
    )
    text = _text(
        "Outcome",
        "the outcome",
        OUTCOME_MAX,
        help_text="What the partnership wants to achieve, for example “Improve behaviour and "
        "attendance”.",
    )

    field_order = ["aim", "text", "version"]


class RoleForm(VersionForm):
    service_fields = {"agency_id": "agency"}

    partner = _line(
        "Partner",
        "the partner",
        PARTNER_MAX,
        required=False,
        help_text="Who, for example “Police and education social worker”. Leave it empty to "
        "use the agency's name.",
    )
    agency = forms.ChoiceField(
        label="Agency (optional)",
        help_text="The agency of the area the partner is, if it is one.",
        required=False,
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    role = _text(
        "Role",
        "what the partner does towards the outcome",
        ROLE_MAX,
        rows=4,
        help_text="What the partner does towards the outcome.",
    )

    field_order = ["partner", "agency", "role", "version"]

    def __init__(self, data: Any = None, *, agencies: Iterable[Agency], **kwargs: Any):
        super().__init__(data, **kwargs)
        field: Any = self.fields["agency"]
        field.choices = [("", "Not an agency"), *((str(a.pk), a.name) for a in agencies)]

    def role_input(self) -> RoleInput:
        data = self.cleaned_data
        return RoleInput(
            partner=data["partner"], role=data["role"], agency_id=data["agency"] or None
        )


class ActionForm(VersionForm):
    service_fields = {"owner_id": "owner"}

    description = _text(
        "Action",
        "the action",
        DESCRIPTION_MAX,
        help_text="What will be done, for example “Co-ordinated patrols at the beginning and end "
        "of the school day”.",
    )
    owner = forms.ChoiceField(
        label="Owner",
        help_text="Someone who works in the partnership, who sees the action on their home page "
        "and is reminded by e-mail once it is overdue. Or leave this and type a name below.",
        required=False,
        error_messages={"invalid_choice": "Choose the owner from the list"},
    )
    owner_name = _line(
        "Name of the owner (if not in the list)",
        "the owner's name",
        OWNER_NAME_MAX,
        required=False,
        help_text="For example, “Year managers” or “Sam Jones, education welfare”.",
    )
    due_on = DateInputField(
        label="Due by", help_text="For example, 27 3 2026", what="the action is due"
    )

    field_order = ["description", "owner", "owner_name", "due_on", "version"]

    def __init__(self, data: Any = None, *, owners: Iterable[Any], **kwargs: Any):
        super().__init__(data, **kwargs)
        field: Any = self.fields["owner"]
        field.choices = [("", "Not in the list"), *((str(u.pk), person_label(u)) for u in owners)]

    def action_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            description=data["description"],
            owner_id=data["owner"] or None,
            owner_name=data["owner_name"],
            due_on=data["due_on"],
        )


class TargetForm(VersionForm):
    description = _text(
        "Target",
        "the target",
        DESCRIPTION_MAX,
        help_text="For example, “Persistent absence among 10 priority families down by a fifth”.",
    )
    indicator = forms.ChoiceField(
        label="Indicator",
        help_text="Progress towards a target on an indicator is shown from SaferSchools' own "
        "records, the pupil perception survey or the published figures. For anything else, choose “Measured by hand” "
        "and say what is measured.",
        required=False,
        error_messages={"invalid_choice": "Choose an indicator from the list"},
    )
    measure = _line(
        "What is measured (if measured by hand)",
        "what is measured",
        MEASURE_MAX,
        required=False,
        help_text="For example, “Persistent absence among the 10 priority families (%)”.",
    )
    baseline = _number("Baseline", help_text="The figure when the target was set.")
    baseline_on = DateInputField(
        label="Date of the baseline", help_text="For example, 1 9 2025", what="of the baseline"
    )
    target_value = _number("Target value", help_text="The figure to reach.")
    target_on = DateInputField(
        label="Target date",
        help_text="After the baseline's date, for example 31 7 2026",
        what="the target is for",
    )

    field_order = [
        "description",
        "indicator",
        "measure",
        "baseline",
        "baseline_on",
        "target_value",
        "target_on",
        "version",
    ]

    def __init__(self, data: Any = None, *, indicators: Iterable[Indicator], **kwargs: Any):
        super().__init__(data, **kwargs)
        field: Any = self.fields["indicator"]
        field.choices = [
            ("", "Measured by hand"),
            *((i.code, f"{i.name} ({i.get_unit_display().lower()})") for i in indicators),
        ]

    def target_input(self) -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            description=data["description"],
            indicator=data["indicator"] or None,
            measure=data["measure"],
            baseline=data["baseline"],
            baseline_on=data["baseline_on"],
            target_value=data["target_value"],
            target_on=data["target_on"],
        )


class StatusForm(VersionForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the action's status",
            "invalid_choice": "Choose the action's status",
        },
    )
    note = _text(
        "Progress note",
        "the progress note",
        NOTE_MAX,
        rows=4,
        required=False,
        help_text="What has been done, what is next, or why the action is dropped.",
    )

    field_order = ["status", "note", "version"]


class MeasurementForm(ServiceErrors, forms.Form):
    measured_on = DateInputField(
        label="Date measured", help_text="For example, 27 3 2026", what="it was measured"
    )
    value = _number("Value measured")
    note = _line(
        "Note (optional)",
        "the note",
        MEASUREMENT_NOTE_MAX,
        required=False,
        help_text="Where the figure comes from, for example “School attendance register”.",
    )
