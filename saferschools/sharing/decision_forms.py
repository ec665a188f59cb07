"""Forms for sharing decisions: recording one, revoking a share, and the disclosure log's dates.

The forms check the shape of what was sent (a choice from the list, a real date); the services
check the rest, and their errors are put back on these forms, each on the field it is about.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.core.models import Agency
from saferschools.incidents.forms import DateInputField

from .decision_services import INFORMATION_MAX, PURPOSE_MAX, REASON_MAX, SharingDecisionInput
from .models import (
    Consent,
    Decision,
    GoldenRule,
    InformationSharingAgreement,
    LawfulBasis,
    SharedItem,
    SpecialCondition,
)
from .selectors import Practitioner

# No part of a date (day, month or year) has more digits than this.
DATE_PART_MAX = 4


class DateField(DateInputField):
    """A date in the GOV.UK date input that refuses, in words, parts too long to be a date."""

    def clean(self, value: Any) -> date | None:
        parts = [str(part or "").strip() for part in (value or [])]
        if any(len(part) > DATE_PART_MAX for part in parts):
            raise ValidationError(f"The date {self.what} must be a real date")
        return super().clean(value)


class ServiceErrors:
    """Puts a service's errors (keyed by the API's field names) on the form's fields."""

    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        form: Any = self
        for key, texts in error.message_dict.items():
            name = self.service_fields.get(key, key)
            for text in texts:
                form.add_error(name if name in form.fields else None, text)


class SharingDecisionForm(ServiceErrors, forms.Form):
    """Everything a sharing decision records, in the order it is thought through."""

    service_fields = {
        "agency_id": "agency",
        "practitioner_id": "practitioner",
        "agreement_id": "agreement",
        "golden_rules_confirmed": "golden_rules",
    }

    agency = forms.ChoiceField(
        label="Agency",
        help_text="The agency the information would go to.",
        error_messages={
            "required": "Choose the agency the information would go to",
            "invalid_choice": "Choose an agency from the list",
        },
    )
    practitioner = forms.ChoiceField(
        label="Practitioner (optional)",
        help_text=(
            "Name one practitioner to share with them alone; otherwise every practitioner of "
            "the agency has access."
        ),
        required=False,
        error_messages={"invalid_choice": "Choose a practitioner from the list"},
    )
    agreement = forms.ChoiceField(
        label="Information-sharing agreement relied on (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose an agreement from the list"},
    )
    purpose = forms.CharField(
        label="Purpose",
        help_text="Why share: what it is for and how it helps keep the pupil or others safe.",
        max_length=PURPOSE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Give the purpose: why share",
            "max_length": f"Use {PURPOSE_MAX:,} characters or fewer for the purpose",
        },
    )
    information = forms.CharField(
        label="What would be shared",
        help_text="The information itself, in a few words: no more than is needed.",
        max_length=INFORMATION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say what information would be shared",
            "max_length": f"Use {INFORMATION_MAX:,} characters or fewer for what is shared",
        },
    )
    items = forms.MultipleChoiceField(
        label="Parts of the pupil's record a share opens",
        help_text=(
            "The agency sees the pupil's page and chronology of these, and nothing else. "
            "Choose at least one to share."
        ),
        choices=SharedItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose parts of the record from the list"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        help_text=(
            "Under UK GDPR Article 6 for a school or agency; under the Data Protection Act 2018 "
            "Part 3 for the police's law enforcement processing."
        ),
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the lawful basis for sharing",
            "invalid_choice": "Choose a lawful basis from the list",
        },
    )
    special_condition = forms.ChoiceField(
        label="Condition for special-category or criminal-offence data",
        help_text=(
            "Needed as well when what is shared is about health, ethnicity, religion, sexual "
            "life, or offences and alleged offences."
        ),
        choices=SpecialCondition.choices,
        initial=SpecialCondition.NONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the condition, or None",
            "invalid_choice": "Choose a condition from the list",
        },
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether consent was sought, and the answer",
            "invalid_choice": "Choose an answer about consent from the list",
        },
    )
    consent_reason = forms.CharField(
        label="Why consent was not sought, or why share despite a refusal",
        help_text=(
            "Needed when consent was not sought or was refused. You do not need consent to "
            "share when a child is at risk of significant harm, or when seeking it would put "
            "a child at risk or prejudice preventing or detecting crime."
        ),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Use {REASON_MAX:,} characters or fewer for the reason about consent"
        },
    )
    golden_rules = forms.MultipleChoiceField(
        label="The seven golden rules of information sharing",
        help_text="Confirm that you have considered each of them.",
        choices=GoldenRule.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Confirm the golden rules from the list"},
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={
            "required": "Choose whether to share",
            "invalid_choice": "Choose share or do not share",
        },
    )
    reason = forms.CharField(
        label="Reasons for the decision",
        help_text="Needed when you decide not to share.",
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Use {REASON_MAX:,} characters or fewer for the reasons"},
    )
    expires_on = DateField(
        label="Access ends on",
        help_text=(
            "For a share: access ends as this day starts, at most a year from today. "
            "For example, 27 3 2027"
        ),
        what="access ends",
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        agencies: Iterable[Agency],
        practitioners: Iterable[Practitioner],
        agreements: Iterable[InformationSharingAgreement],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["agency"].choices = [
            ("", "Choose an agency"),
            *((str(agency.pk), agency.name) for agency in agencies),
        ]
        fields["practitioner"].choices = [
            ("", "Every practitioner of the agency"),
            *(
                (str(p.user.pk), f"{p.user.full_name or p.user.email} ({p.agency.name})")
                for p in practitioners
            ),
        ]
        fields["agreement"].choices = [
            ("", "None"),
            *(
                (
                    str(agreement.pk),
                    f"{agreement.title} (version {agreement.version}, with "
                    f"{', '.join(party.name for party in agreement.parties.all())})",
                )
                for agreement in agreements
            ),
        ]

    def clean_golden_rules(self) -> list[str]:
        ticked = self.cleaned_data.get("golden_rules") or []
        if set(ticked) != set(GoldenRule.values):
            raise ValidationError("Confirm that you have considered each of the seven golden rules")
        return ticked

    def decision_input(self) -> SharingDecisionInput:
        """What the service takes."""
        data = self.cleaned_data
        return SharingDecisionInput(
            agency_id=data["agency"],
            practitioner_id=data.get("practitioner") or None,
            agreement_id=data.get("agreement") or None,
            purpose=data["purpose"],
            information=data["information"],
            items=list(data.get("items") or []),
            lawful_basis=data["lawful_basis"],
            special_condition=data["special_condition"],
            consent=data["consent"],
            consent_reason=data.get("consent_reason") or "",
            golden_rules_confirmed=True,
            decision=data["decision"],
            reason=data.get("reason") or "",
            expires_on=data.get("expires_on"),
        )


class RevokeForm(ServiceErrors, forms.Form):
    reason = forms.CharField(
        label="Why access ends now",
        help_text="The agency's practitioners are told that access has ended, not why.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why access ends now",
            "max_length": f"Use {REASON_MAX:,} characters or fewer for the reason",
        },
    )


class PeriodForm(forms.Form):
    """The disclosure log's dates, sent as a GET form so that a period has its own address."""

    since = DateField(
        label="From",
        help_text="The first day shown. For example, 1 9 2026",
        what="the period starts",
        required=False,
    )
    until = DateField(
        label="To",
        help_text="The last day shown. For example, 31 8 2027",
        what="the period ends",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            self.add_error("until", "The end of the period must be on or after its start")
        return data

    def query(self) -> dict[str, str]:
        """The period as it goes back into a link."""
        query = {}
        for name in ("since", "until"):
            day = self.cleaned_data.get(name)
            if day is not None:
                query[f"{name}_day"] = str(day.day)
                query[f"{name}_month"] = str(day.month)
                query[f"{name}_year"] = str(day.year)
        return query
