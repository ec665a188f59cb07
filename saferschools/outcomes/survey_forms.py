"""Forms for the pupil perception survey: opening a round, printing codes, wording the area's
questions, and the pupil's own form.

The forms check the shape of what was sent (a real date, a choice from the list); the services
check the rest, and their errors are put back on these forms, each on the field it is about.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.incidents.forms import DateInputField

from .models import AnswerKind, Indicator, PeriodKind, SurveyQuestion, SurveyRoundQuestion
from .periods import next_period, period_of
from .survey_answers import answer_choices, answer_label, substantive_values
from .survey_codes import GROUP
from .survey_services import BATCH_MAX, LABEL_MAX, TEXT_MAX

# Terms a round may be opened for: this one and the two after it.
TERMS_AHEAD = 3


class ServiceErrors:
    """Puts a service's errors on the form's fields (by the service's names, or ``names``);
    others go above the form."""

    names: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        form: Any = self
        for key, texts in error.message_dict.items():
            name = self.names.get(key, key)
            for text in texts:
                form.add_error(name if name in form.fields else None, text)


def _text(label: str, what: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Use {max_length:,} characters or fewer for {what}",
        },
        **kwargs,
    )


def term_choices(today: date) -> list[tuple[str, str]]:
    """This term and the next ones, by label."""
    period = period_of(today, PeriodKind.TERM)
    choices = []
    for _ in range(TERMS_AHEAD):
        choices.append((period.label, period.label.capitalize()))
        period = next_period(period)
    return choices


class RoundForm(ServiceErrors, forms.Form):
    period = forms.ChoiceField(
        label="Term",
        error_messages={
            "required": "Choose the term the survey is for",
            "invalid_choice": "Choose the term the survey is for",
        },
    )
    opens_on = DateInputField(
        what="the survey opens", label="Opens on", help_text="For example, 2 11 2026"
    )
    closes_on = DateInputField(
        what="the survey closes",
        label="Closes on",
        help_text="The last day pupils can answer; at most 13 weeks after it opens",
    )

    def __init__(self, data: Any = None, *, today: date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        field: Any = self.fields["period"]
        field.choices = term_choices(today)


class BatchForm(ServiceErrors, forms.Form):
    count = forms.CharField(
        label="How many codes",
        help_text=f"One for each pupil taking the survey, from 1 to {BATCH_MAX:,}",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={
            "required": f"Enter how many codes to print, from 1 to {BATCH_MAX:,}",
            "max_length": f"Enter how many codes to print, from 1 to {BATCH_MAX:,}",
        },
    )
    label = forms.CharField(
        label="Who the sheet is for (optional)",
        help_text="For example, Year 9. It is printed on the sheet, not on the codes",
        max_length=LABEL_MAX,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"max_length": f"Use {LABEL_MAX:,} characters or fewer"},
    )


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label="How do pupils answer?",
        choices=[
            (kind, f"{label}: {', '.join(answer_label(kind, v) for v in substantive_values(kind))}")
            for kind, label in AnswerKind.choices
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how pupils answer",
            "invalid_choice": "Choose how pupils answer",
        },
    )


class QuestionForm(ServiceErrors, forms.Form):
    """A question's words; and, while no round has asked it, what it feeds."""

    text = _text(
        "Question",
        "the question",
        TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="As secondary pupils read it: short, plain, one thing at a time",
    )
    text_primary = _text(
        "Words for primary pupils (optional)",
        "the words for primary pupils",
        TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave blank to ask primary pupils the same words",
    )
    indicator = forms.ChoiceField(
        label="Indicator it measures (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose an indicator from the list, or none"},
    )
    counted_answers = forms.TypedMultipleChoiceField(
        label="Answers that count towards the indicator",
        help_text="The indicator is the share of pupils answering who gave one of these",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose answers from the list"},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        kind: str,
        indicators: Iterable[Indicator],
        fixed: bool,
        **kw: Any,
    ) -> None:
        super().__init__(data, **kw)
        self.kind = kind
        if fixed:
            # Asked in a round already: what it feeds stays as it is.
            del self.fields["indicator"]
            del self.fields["counted_answers"]
            return
        indicator: Any = self.fields["indicator"]
        indicator.choices = [("", "None")] + [(one.code, one.name) for one in indicators]
        counted: Any = self.fields["counted_answers"]
        counted.choices = [(value, answer_label(kind, value)) for value in substantive_values(kind)]


def question_initial(question: SurveyQuestion) -> dict[str, Any]:
    return {
        "text": question.text,
        "text_primary": question.text_primary,
        "indicator": question.indicator_id or "",
        "counted_answers": list(question.counted_answers or []),
    }


# The pupil's form ---------------------------------------------------------------------------------


def answer_field_name(question: SurveyRoundQuestion) -> str:
    return f"question-{question.pk}"


class PupilSurveyForm(forms.Form):
    """The code from the slip and an answer to each question, every answer optional."""

    code = forms.CharField(
        label="Your code",
        help_text=f"It is on the slip your teacher gave you: {2 * GROUP} letters and numbers, "
        "such as ABCDE-23456",
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-10",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter the code from your slip",
            "max_length": "Enter the code from your slip: 10 letters and numbers",
        },
    )

    def __init__(
        self, data: Any = None, *, questions: list[SurveyRoundQuestion], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[answer_field_name(question)] = forms.TypedChoiceField(
                label=question.text,
                choices=[(str(value), label) for value, label in answer_choices(question.kind)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose one of the answers, or leave it out"},
            )

    def answer_fields(self) -> list[Any]:
        return [self[answer_field_name(question)] for question in self.questions]

    def answers(self) -> dict[str, int | None]:
        """The answers chosen, by the round's question id, as the service takes them."""
        return {
            str(question.pk): self.cleaned_data.get(answer_field_name(question))
            for question in self.questions
        }

    def add_service_errors(self, error: ValidationError) -> None:
        by_id = {
            f"answers.{question.pk}": answer_field_name(question) for question in self.questions
        }
        for key, texts in error.message_dict.items():
            name = "code" if key == "code" else by_id.get(key)
            for text in texts:
                self.add_error(name, text)
