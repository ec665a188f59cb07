"""Forms for risk-factor assessments and for the factors an area adds to the catalogue.

The assessment form has three fields per factor offered: a checkbox (``factor-<code>``), the
evidence (``evidence-<code>``) and its source (``source-<code>``), shown under the checkbox as a
conditional reveal. The forms check the shape of what was sent; the services check the rest, and
their errors are put back on the field they are about (``add_service_errors``).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.incidents.forms import DateInputField

from .assessment_selectors import DomainGroup, group_by_domain
from .assessment_services import (
    EVIDENCE_MAX,
    FACTOR_NAME_MAX,
    NOTES_MAX,
    SOURCE_MAX,
    FactorInput,
)
from .models import RiskDomain, RiskFactor


def _names(code: str) -> tuple[str, str, str]:
    return f"factor-{code}", f"evidence-{code}", f"source-{code}"


@dataclass(frozen=True)
class FactorRow:
    """One factor on the form: its checkbox and the two fields revealed under it."""

    factor: RiskFactor
    present: forms.BoundField
    evidence: forms.BoundField
    source: forms.BoundField

    @property
    def checked(self) -> bool:
        return bool(self.present.value())

    @property
    def has_errors(self) -> bool:
        return bool(self.evidence.errors or self.source.errors)


class AssessmentForm(forms.Form):
    """The factors offered (the area's active catalogue), grouped by domain, then notes and a
    review date. A factor ticked needs its evidence and source; what was typed under a factor
    left unticked is not kept."""

    notes = forms.CharField(
        label="Notes (optional)",
        help_text="Anything that explains the assessment, such as what is being done already.",
        max_length=NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Use {NOTES_MAX:,} characters or fewer for the notes"},
    )
    review_on = DateInputField(
        label="Review date (optional)",
        help_text="When the assessment should be looked at again. For example, 27 3 2026",
        what="of the review",
        required=False,
    )

    def __init__(self, data: Any = None, *, factors: Sequence[RiskFactor], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.factors = list(factors)
        factor_fields: dict[str, forms.Field] = {}
        for factor in self.factors:
            present, evidence, source = _names(factor.code)
            what = f"“{factor.name}”"
            factor_fields[present] = forms.BooleanField(label=factor.name, required=False)
            factor_fields[evidence] = forms.CharField(
                label="Evidence",
                help_text="What shows this factor is present.",
                max_length=EVIDENCE_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"Use {EVIDENCE_MAX:,} characters or fewer for the evidence "
                    f"for {what}"
                },
            )
            factor_fields[source] = forms.CharField(
                label="Where the evidence came from",
                help_text="For example, attendance records, the police or a parent.",
                max_length=SOURCE_MAX,
                required=False,
                error_messages={
                    "max_length": f"Use {SOURCE_MAX} characters or fewer for where the evidence "
                    f"for {what} came from"
                },
            )
        # The factors come first, so that the error summary follows the page.
        self.fields = {**factor_fields, **self.fields}

    def clean_review_on(self) -> date | None:
        value = self.cleaned_data.get("review_on")
        if value is not None and value < timezone.localdate():
            raise ValidationError("The review date must be today or in the future")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for factor in self.factors:
            present, evidence, source = _names(factor.code)
            if not data.get(present):
                continue
            what = f"“{factor.name}”"
            if evidence not in self.errors and not (data.get(evidence) or "").strip():
                self.add_error(evidence, f"Enter the evidence for {what}")
            if source not in self.errors and not (data.get(source) or "").strip():
                self.add_error(source, f"Enter where the evidence for {what} came from")
        return data

    def groups(self) -> list[DomainGroup]:
        """The factor rows grouped by domain, in the catalogue's order, for the template."""
        rows = []
        for factor in self.factors:
            present, evidence, source = _names(factor.code)
            rows.append(FactorRow(factor, self[present], self[evidence], self[source]))
        return group_by_domain(rows, factor_of=lambda row: row.factor)

    def assessment_input(self) -> tuple[list[FactorInput], list[str]]:
        """The factors ticked as the service takes them, and the code of each in turn."""
        data = self.cleaned_data
        factors: list[FactorInput] = []
        codes: list[str] = []
        for factor in self.factors:
            present, evidence, source = _names(factor.code)
            if data.get(present):
                factors.append(
                    FactorInput(code=factor.code, evidence=data[evidence], source=data[source])
                )
                codes.append(factor.code)
        return factors, codes

    def add_service_errors(self, error: ValidationError, codes: list[str]) -> None:
        """Put a service's errors on the fields they are about; a factor's on its row."""
        for key, texts in error.message_dict.items():
            field = self._field_of(key, codes)
            for text in texts:
                self.add_error(field, text)

    def _field_of(self, key: str, codes: list[str]) -> str | None:
        found = re.fullmatch(r"factors\[(\d+)\](?:\.(\w+))?", key)
        if found:
            index = int(found.group(1))
            if index >= len(codes):
                return None
            present, evidence, source = _names(codes[index])
            return {"evidence": evidence, "source": source}.get(found.group(2) or "", present)
        return key if key in ("notes", "review_on") else None


# The area's own factors ----------------------------------------------------------------------


class RiskFactorChangeForm(forms.Form):
    """A factor's name and whether it is serious: what an area may change of its own factors."""

    name = forms.CharField(
        label="Name of the factor",
        help_text="As case workers will see it, for example “Young carer”.",
        max_length=FACTOR_NAME_MAX,
        error_messages={
            "required": "Enter the name of the factor",
            "max_length": f"Use {FACTOR_NAME_MAX} characters or fewer for the name",
        },
    )
    serious = forms.BooleanField(
        label="Serious: makes an assessment high on its own",
        help_text="As a known gang member does in the guidance's list.",
        required=False,
    )


class RiskFactorForm(RiskFactorChangeForm):
    """A factor an area adds: its domain as well."""

    domain = forms.ChoiceField(
        label="Domain",
        choices=RiskDomain.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the domain the factor belongs to",
            "invalid_choice": "Choose a domain from the list",
        },
    )

    field_order = ["domain", "name", "serious"]
