"""The forms of a school's needs assessment and of requests that it consider a partnership.

They check the shape of what was sent; ``needs_services`` checks the rest, and its errors are put
back on the fields they are about.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime

from saferschools.incidents.forms import DateInputField
from saferschools.sharing.decision_forms import ServiceErrors

from .models import Concern, NeedsAssessment, SspRequest
from .needs_services import (
    CONTACT_MAX,
    NAME_MAX,
    NARRATIVE_MAX,
    OTHER_CONCERNS_MAX,
    PUBLIC_REQUESTERS,
    REASON_MAX,
    RESPONSE_MAX,
    VIEWS_MAX,
    NeedsInput,
)

OUT_OF_DATE = "This form is out of date. Open the needs assessment again and make your changes"


def _text(
    label: str, what: str, most: int, *, help_text: str = "", rows: int = 5, required: bool = False
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=most,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Use {most:,} characters or fewer for {what}",
        },
    )


class NeedsAssessmentForm(ServiceErrors, forms.Form):
    # A save over a newer version is about the whole form, not one field.
    service_fields = {"updated_at": ""}

    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)
    concerns = forms.MultipleChoiceField(
        label="Concerns",
        help_text="Tick each issue the evidence and the views gathered point to.",
        choices=Concern.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose concerns from the list"},
    )
    other_concerns = _text(
        "Other concerns (optional)",
        "the other concerns",
        OTHER_CONCERNS_MAX,
        help_text="Anything else the school and the police are worried about.",
        rows=3,
    )
    staff_views = _text(
        "Views of staff",
        "the views of staff",
        VIEWS_MAX,
        help_text="What staff and their representatives said when consulted.",
    )
    pupil_views = _text(
        "Views of pupils",
        "the views of pupils",
        VIEWS_MAX,
        help_text="What pupils said, for example through the school council. Name no pupil.",
    )
    parent_views = _text(
        "Views of parents and carers",
        "the views of parents and carers",
        VIEWS_MAX,
        help_text="Including the requests parents have made for a partnership.",
    )
    governor_views = _text(
        "Views of governors",
        "the views of governors",
        VIEWS_MAX,
    )
    narrative = _text(
        "Narrative",
        "the narrative",
        NARRATIVE_MAX,
        help_text=(
            "The analysis of needs: what the evidence and the views show, and what a "
            "partnership could do about it. Needed before the assessment is marked complete."
        ),
        rows=10,
    )

    def clean_updated_at(self) -> datetime | None:
        raw = self.cleaned_data.get("updated_at") or ""
        if not raw:
            return None
        try:
            parsed = parse_datetime(raw)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise forms.ValidationError(OUT_OF_DATE)
        return parsed

    def needs_input(self) -> NeedsInput:
        data = self.cleaned_data
        return NeedsInput(
            concerns=list(data["concerns"]),
            other_concerns=data["other_concerns"],
            staff_views=data["staff_views"],
            pupil_views=data["pupil_views"],
            parent_views=data["parent_views"],
            governor_views=data["governor_views"],
            narrative=data["narrative"],
            seen_updated_at=data["updated_at"],
        )


def needs_initial(assessment: NeedsAssessment | None) -> dict[str, Any]:
    """The form's starting values: the assessment as it is, with when it was last saved."""
    if assessment is None:
        return {"updated_at": ""}
    return {
        "updated_at": assessment.updated_at.isoformat(),
        "concerns": list(assessment.concerns or []),
        "other_concerns": assessment.other_concerns,
        "staff_views": assessment.staff_views,
        "pupil_views": assessment.pupil_views,
        "parent_views": assessment.parent_views,
        "governor_views": assessment.governor_views,
        "narrative": assessment.narrative,
    }


def seen_updated_at(raw: object) -> datetime | None:
    """When the assessment a button was shown beside was last saved, as its hidden field says
    (``None`` if it says nothing readable: the service then refuses it as out of date, unless
    there is still no assessment)."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        return None


# Requests -------------------------------------------------------------------------------------


def _requester(choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Who is asking",
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who is asking",
            "invalid_choice": "Choose who is asking from the list",
        },
    )


def _contact_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=CONTACT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "max_length": f"Use {CONTACT_MAX} characters or fewer for the e-mail address or "
            "phone number"
        },
    )


def _reason_field(label: str, help_text: str) -> forms.CharField:
    return _text(
        label,
        "why the school should consider a partnership",
        REASON_MAX,
        help_text=help_text,
        rows=8,
        required=True,
    )


class PublicRequestForm(ServiceErrors, forms.Form):
    """What a parent, governor, member of staff or neighbour sends through the school's page."""

    requester = _requester([(value.value, value.label) for value in PUBLIC_REQUESTERS])
    name = forms.CharField(
        label="Your name",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your name",
            "max_length": f"Use {NAME_MAX} characters or fewer for your name",
        },
    )
    contact = _contact_field(
        "Your e-mail address or phone number (optional)", "So that the school can reply to you."
    )
    reason = _reason_field(
        "Why should the school consider a partnership?",
        "For example, what worries you about pupils' safety in or around the school. Do not "
        "name a child.",
    )


class RecordRequestForm(ServiceErrors, forms.Form):
    """A request received by letter, at a parents' evening or in person, as a leader records
    it."""

    requester = _requester(SspRequest.Requester.choices)
    name = forms.CharField(
        label="Their name (optional)",
        help_text="Leave it blank if they did not give it.",
        max_length=NAME_MAX,
        required=False,
        error_messages={"max_length": f"Use {NAME_MAX} characters or fewer for the name"},
    )
    contact = _contact_field("Their e-mail address or phone number (optional)")
    reason = _reason_field(
        "What they asked, and why",
        "In their words where you can.",
    )
    received_on = DateInputField(
        label="Received on",
        help_text="For example, 27 3 2026",
        what="the request was received",
    )


class AnswerForm(ServiceErrors, forms.Form):
    response = _text(
        "How the school responded",
        "how the school responded",
        RESPONSE_MAX,
        help_text=(
            "What you told the person who asked, or what the school decided. It is not sent to "
            "them from here."
        ),
        required=True,
    )
