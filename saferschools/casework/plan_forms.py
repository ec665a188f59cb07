"""Forms for early-intervention plans: opening and changing one, its actions, its reviews, its
status and its outcome.

The forms check the shape of what was sent (a real date, a choice from the list); the services
check the rest, and their errors are put back on these forms, each on the field it is about.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.incidents.forms import DateInputField

from .models import PlanStatus
from .plan_services import OUTSIDE_NAME_MAX, OUTSIDE_ORGANISATION_MAX, TEXT_MAX


def _person_label(user: Any) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _text(label: str, what: str, *, max_length: int = TEXT_MAX, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Use {max_length:,} characters or fewer for {what}",
        },
        **kwargs,
    )


class ServiceErrorsMixin:
    """Puts a service's errors on the fields they name; others go above the form."""

    def add_service_errors(self, error: ValidationError) -> None:
        for field, texts in error.message_dict.items():
            for text in texts:
                self.add_error(field if field in self.fields else None, text)  # type: ignore[attr-defined]


class PlanForm(ServiceErrorsMixin, forms.Form):
    """Who leads the plan and what it is about; opening one also sets the first review."""

    lead_professional = forms.ChoiceField(
        label="Lead professional",
        help_text="The person who co-ordinates the plan, among those who work on the school's "
        "cases.",
        error_messages={
            "required": "Choose the lead professional",
            "invalid_choice": "Choose the lead professional from the list",
        },
    )
    concerns = _text(
        "Concerns",
        "the concerns",
        help_text="What worries you, and what it is based on. Facts, not opinions.",
    )
    goals = _text("Goals", "the goals", help_text="What the plan should achieve, and by when.")
    next_review_on = DateInputField(
        label="First review",
        help_text="Today or later, for example 27 3 2026",
        what="of the first review",
    )

    def __init__(self, data: Any = None, *, leads: Iterable[Any], opening: bool, **kwargs: Any):
        super().__init__(data, **kwargs)
        self.fields["lead_professional"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a person"),
            *((str(user.pk), _person_label(user)) for user in leads),
        ]
        if not opening:
            del self.fields["next_review_on"]


class PlanActionForm(ServiceErrorsMixin, forms.Form):
    """An agreed action: what, whose, by when."""

    description = forms.CharField(
        label="Action",
        help_text="What will be done, in a sentence.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Describe the action",
            "max_length": "Use 500 characters or fewer to describe the action",
        },
    )
    owner = forms.ChoiceField(
        label="Owner",
        help_text="Someone who works on the school's cases, or leave this and name someone from "
        "outside the school below.",
        required=False,
        error_messages={"invalid_choice": "Choose the owner from the list"},
    )
    owner_name = forms.CharField(
        label="Name of the owner from outside the school (optional)",
        max_length=OUTSIDE_NAME_MAX,
        required=False,
        error_messages={
            "max_length": f"Use {OUTSIDE_NAME_MAX} characters or fewer for the owner's name"
        },
    )
    owner_organisation = forms.CharField(
        label="Their organisation (optional)",
        help_text="For example, Surrey Youth Offending Service.",
        max_length=OUTSIDE_ORGANISATION_MAX,
        required=False,
        error_messages={
            "max_length": f"Use {OUTSIDE_ORGANISATION_MAX} characters or fewer for the organisation"
        },
    )
    due_on = DateInputField(
        label="Due by", help_text="For example, 27 3 2026", what="the action is due"
    )

    def __init__(self, data: Any = None, *, owners: Iterable[Any], **kwargs: Any):
        super().__init__(data, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "Someone from outside the school"),
            *((str(user.pk), _person_label(user)) for user in owners),
        ]


class PlanReviewForm(ServiceErrorsMixin, forms.Form):
    """A review of the plan: when it was held, what it found and when the next one is."""

    held_on = DateInputField(
        label="Held on", help_text="For example, 27 3 2026", what="the review was held"
    )
    notes = _text(
        "What the review found",
        "what the review found",
        help_text="Progress against the goals, what changes, and who agreed it.",
    )
    next_review_on = DateInputField(
        label="Next review",
        help_text="After this review and today or later, for example 27 3 2026",
        what="of the next review",
    )


class PlanCloseForm(ServiceErrorsMixin, forms.Form):
    outcome = _text(
        "Outcome",
        "the outcome",
        help_text="What the plan achieved, and why it can close. A closed plan can be reopened.",
    )


class PlanStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[(PlanStatus.OPEN, "Open"), (PlanStatus.UNDER_REVIEW, "Under review")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose open or under review",
            "invalid_choice": "Choose open or under review",
        },
    )


class ConfirmForm(ServiceErrorsMixin, forms.Form):
    """A step that takes nothing but the button (and the CSRF token)."""
