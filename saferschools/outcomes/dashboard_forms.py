"""The dashboard's choices, sent by GET: one indicator of the catalogue (or those of the viewer's
role), the kind of period, and the span from one period to another.

A span may be given in periods of another kind than the one chosen (a year's label when
choosing months): it is read as the periods of the chosen kind that it covers, up to the
current one.
"""

from datetime import date
from typing import Any

from django import forms

from .dashboard_panels import MAX_PERIODS, Span, span_between, span_ending
from .models import Indicator, PeriodKind
from .periods import Period, PeriodError, parse_period, period_of

PERIOD_HINT = "An academic year as 2022/23, a term as 2025/26 autumn or a month as 2026-03"
PERIOD_MAX_LENGTH = 40


class PeriodField(forms.CharField):
    """A period's label, read by ``periods.parse_period``; every message names the field."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            required=False,
            max_length=PERIOD_MAX_LENGTH,
            help_text=PERIOD_HINT,
            error_messages={
                "max_length": f"{label}: give a period such as 2022/23, 2025/26 autumn or 2026-03",
                "null_characters_not_allowed": f"{label}: give a period such as 2022/23",
            },
            widget=forms.TextInput(
                attrs={
                    "class": "govuk-input--width-10",
                    "spellcheck": "false",
                    "autocomplete": "off",
                }
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> Period | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_period(text)
        except PeriodError as error:
            raise forms.ValidationError(f"{self.label}: {error}") from None


class DashboardForm(forms.Form):
    indicator = forms.ChoiceField(
        label="Indicator",
        required=False,
        error_messages={"invalid_choice": "Choose one of the indicators in the list"},
    )
    kind = forms.ChoiceField(
        label="Figures by",
        required=False,
        choices=PeriodKind.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"}),
        error_messages={"invalid_choice": "Choose academic years, terms or months"},
    )
    since = PeriodField(label="From")
    until = PeriodField(label="To")

    def __init__(self, data: Any, *, catalogue: list[Indicator], today: date) -> None:
        super().__init__(data)
        self.today = today
        self.catalogue = {indicator.code: indicator for indicator in catalogue}
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            ("", "The indicators for your role"),
            *((indicator.code, indicator.name) for indicator in catalogue),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind") or PeriodKind.YEAR
        cleaned["kind"] = kind
        if "since" not in cleaned or "until" not in cleaned:
            return cleaned
        current = period_of(self.today, kind)
        since: Period | None = cleaned["since"]
        until: Period | None = cleaned["until"]
        if until is not None and until.start > current.end:
            self.add_error("until", f"To: choose {current.label} or earlier")
            return cleaned
        last = period_of(min(until.end, self.today), kind) if until else current
        first = period_of(since.start, kind) if since else span_ending(last).periods[0]
        if first.start > last.start:
            self.add_error("since", f"From: choose a period before {last.label}")
            return cleaned
        span = span_between(kind, first.start, last.start)
        most = MAX_PERIODS[kind]
        if len(span.periods) > most:
            self.add_error(
                "since",
                f"From: choose at most {most} {span.words[1]}, from "
                f"{span.periods[-most].label} at the earliest",
            )
            return cleaned
        cleaned["span"] = span
        return cleaned

    @property
    def span(self) -> Span:
        return self.cleaned_data["span"]

    @property
    def chosen(self) -> Indicator | None:
        return self.catalogue.get(self.cleaned_data.get("indicator") or "")

    def query(self, **changes: str) -> dict[str, str]:
        """The choices made, as a query string's parameters (with ``changes``)."""
        span = self.span
        found = {
            "indicator": self.cleaned_data.get("indicator") or "",
            "kind": span.kind,
            "since": span.periods[0].label,
            "until": span.periods[-1].label,
        }
        found.update(changes)
        return {key: value for key, value in found.items() if value}


class CategoryForm(forms.Form):
    """The category of the records behind a figure to list (all of them when none)."""

    category = forms.ChoiceField(
        label="Category",
        required=False,
        error_messages={"invalid_choice": "Choose one of the categories in the list"},
    )

    def __init__(self, data: Any, *, choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["category"].choices = [("", "All categories"), *choices]  # type: ignore[attr-defined]
