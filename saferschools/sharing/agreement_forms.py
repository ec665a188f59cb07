"""The form for a partnership's information-sharing agreement.

It checks the shape of what was sent; ``agreement_services`` checks the rest, and its errors
are put back on the fields they are about.
"""

from collections.abc import Iterable
from typing import Any

from django import forms

from saferschools.core.models import Agency

from .agreement_services import FREQUENCY_MAX, TEXT_MAX, TITLE_MAX, AgreementInput
from .decision_forms import DateField, ServiceErrors
from .models import InformationSharingAgreement, LawfulBasis, SpecialCondition


def _text(label: str, what: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Say {what}",
            "max_length": f"Use {TEXT_MAX:,} characters or fewer to say {what}",
        },
    )


class AgreementForm(ServiceErrors, forms.Form):
    # A change to a version since replaced is about the whole form, not one field.
    service_fields = {"party_ids": "parties", "version": ""}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={
            "required": "Enter the agreement's title",
            "max_length": f"Use {TITLE_MAX} characters or fewer for the title",
        },
    )
    parties = forms.MultipleChoiceField(
        label="Agencies party to the agreement",
        help_text="The partnership's schools are parties to every agreement of the partnership.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one agency that is party to the agreement",
            "invalid_choice": "Choose agencies from the list",
        },
    )
    purpose = _text("Purpose", "what the sharing is for")
    data_shared = _text(
        "Information shared",
        "what information is shared",
        "What is shared routinely, about whom, and in what form.",
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        help_text="Under UK GDPR Article 6, or the Data Protection Act 2018 Part 3 for the police.",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the lawful basis for sharing",
            "invalid_choice": "Choose a lawful basis from the list",
        },
    )
    special_condition = forms.ChoiceField(
        label="Condition for special-category or criminal-offence data",
        choices=SpecialCondition.choices,
        initial=SpecialCondition.NONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the condition, or None",
            "invalid_choice": "Choose a condition from the list",
        },
    )
    frequency = forms.CharField(
        label="How often",
        help_text="For example, weekly at the partnership meeting, or as each case arises.",
        max_length=FREQUENCY_MAX,
        error_messages={
            "required": "Say how often information is shared",
            "max_length": f"Use {FREQUENCY_MAX} characters or fewer to say how often",
        },
    )
    security = _text(
        "How it is kept secure",
        "how the information is kept secure",
        "How it is sent, where it is stored and who may open it.",
    )
    retention = _text(
        "Retention",
        "how long the information is kept",
        "How long each party keeps it, and how it is destroyed.",
    )
    review_on = DateField(
        label="Next review",
        help_text="Within three years. For example, 1 9 2027",
        what="of the next review",
    )

    def __init__(self, data: Any = None, *, agencies: Iterable[Agency], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["parties"].choices = [(str(agency.pk), agency.name) for agency in agencies]

    def agreement_input(self) -> AgreementInput:
        data = self.cleaned_data
        return AgreementInput(
            title=data["title"],
            party_ids=list(data["parties"]),
            purpose=data["purpose"],
            data_shared=data["data_shared"],
            lawful_basis=data["lawful_basis"],
            special_condition=data["special_condition"],
            frequency=data["frequency"],
            security=data["security"],
            retention=data["retention"],
            review_on=data["review_on"],
            version=data.get("version"),
        )


def agreement_initial(agreement: InformationSharingAgreement) -> dict[str, Any]:
    """The form's starting values for changing an agreement (its parties prefetched)."""
    return {
        "title": agreement.title,
        "parties": [str(party.pk) for party in agreement.parties.all()],
        "purpose": agreement.purpose,
        "data_shared": agreement.data_shared,
        "lawful_basis": agreement.lawful_basis,
        "special_condition": agreement.special_condition,
        "frequency": agreement.frequency,
        "security": agreement.security,
        "retention": agreement.retention,
        "review_on": agreement.review_on,
        "version": agreement.version,
    }
