"""The forms of a new evaluation: the indicator, then the comparison schools (the automatic
choice as ticked boxes, and more by URN).

The forms check the shape of what was sent; the service checks the rest, and its errors are
put back here on the field each is about (``add_service_errors``).
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .comparison import Match
from .evaluation_services import MAX_COMPARISON_URNS
from .evaluation_text import figure_text
from .models import Indicator

URNS_TEXT_MAX = 2000
URN_SEPARATORS = re.compile(r"[\s,;]+")


def evaluable_indicators() -> list[Indicator]:
    """The catalogue's indicators an evaluation can compare between schools: measured per
    school, and published or surveyed (the comparison schools keep no records here)."""
    return list(
        Indicator.objects.filter(level=Indicator.Level.SCHOOL)
        .exclude(source=Indicator.Source.COMPUTED)
        .order_by("name")
    )


def match_reason(match: Match, indicator: Indicator) -> str:
    """Why a school was matched, in words: the partnership school it is like, and how."""
    ours, theirs = match.partner, match.comparison
    partner = ours.school.name
    parts = [f"{theirs.school.phase or 'Same phase'}, like {partner}"]
    if theirs.pupils is not None and ours.pupils is not None:
        parts.append(f"{theirs.pupils:,} pupils ({partner}: {ours.pupils:,})")
    if theirs.deprivation is not None and ours.deprivation is not None:
        parts.append(
            f"deprivation decile {theirs.deprivation.imd_decile} "
            f"({partner}: {ours.deprivation.imd_decile})"
        )
    if theirs.before is not None and ours.before is not None:
        parts.append(
            f"{indicator.name.lower()} before the start {figure_text(theirs.before, indicator.unit)} "
            f"({partner}: {figure_text(ours.before, indicator.unit)})"
        )
    return "; ".join(parts)


class IndicatorForm(forms.Form):
    """The first step, sent by GET: which indicator to evaluate."""

    indicator = forms.ChoiceField(
        label="Indicator",
        help_text="Published figures are compared by academic year, survey results by term.",
        error_messages={
            "required": "Choose an indicator to evaluate",
            "invalid_choice": "Choose one of the indicators in the list",
        },
    )

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = {indicator.code: indicator for indicator in indicators}
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            ("", "Choose an indicator"),
            *((indicator.code, indicator.name) for indicator in indicators),
        ]

    @property
    def chosen(self) -> Indicator:
        return self.indicators[self.cleaned_data["indicator"]]


class EvaluationForm(forms.Form):
    """The second step, sent by POST: the comparison schools to estimate against."""

    indicator = forms.CharField(widget=forms.HiddenInput, max_length=60)
    comparison = forms.MultipleChoiceField(
        label="Comparison schools chosen for you",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose comparison schools from the list"},
    )
    added_urns = forms.CharField(
        label="Add comparison schools by URN",
        help_text="Open schools of the area in no partnership. Separate URNs with spaces, "
        "commas or new lines, for example 125273, 125289.",
        required=False,
        max_length=URNS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "max_length": f"Use {URNS_TEXT_MAX:,} characters or fewer: give at most "
            f"{MAX_COMPARISON_URNS} URNs",
            "null_characters_not_allowed": "A URN is a number, like 125273",
        },
    )

    def __init__(self, *args: Any, matches: list[Match], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comparison"].choices = [  # type: ignore[attr-defined]
            (str(match.school.urn), f"{match.school.name} ({match.school.urn})")
            for match in matches
        ]

    def clean_added_urns(self) -> list[str]:
        text = self.cleaned_data["added_urns"]
        urns = [urn for urn in URN_SEPARATORS.split(text) if urn]
        wrong = [urn for urn in urns if not (urn.isascii() and urn.isdigit() and len(urn) <= 10)]
        if wrong:
            raise ValidationError(f"A URN is a number, like 125273, not “{wrong[0][:20]}”")
        return [str(int(urn)) for urn in urns]

    @property
    def urns(self) -> list[str]:
        """The comparison schools asked for: those ticked, then those added."""
        return [*self.cleaned_data["comparison"], *self.cleaned_data["added_urns"]]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors on the fields they are about: a problem naming an added
        URN on the box of added URNs, any other about the comparison schools on the list (on the
        box when there is no list)."""
        added = self.cleaned_data.get("added_urns") or []
        listed = bool(self.fields["comparison"].choices)  # type: ignore[attr-defined]
        for name, texts in error.message_dict.items():
            for text in texts:
                field = None
                if name == "comparison_urns":
                    names_added = any(re.search(rf"\b{urn}\b", text) for urn in added)
                    field = "comparison" if listed and not names_added else "added_urns"
                self.add_error(field, text)
