"""The form for the annual report's written sections. It checks the shape of what was sent;
``annual_report_services`` checks the rest, and its errors are put back on their fields."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from saferschools.sharing.decision_forms import ServiceErrors

from .annual_report_services import SECTION_MAX, SUMMARY_MAX, ReportInput
from .models import AnnualReport, Evaluation

OUT_OF_DATE = "This form is out of date. Open the report again and make your changes"
NO_PUPIL = (
    "The report is read outside the partnership: name no pupil, and describe none in a way "
    "that could let them be known (no names, initials, ages with year groups, dates or places "
    "that point to one child)."
)


def _section(label: str, what: str, most: int, help_text: str, rows: int = 8) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=most,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Use {most:,} characters or fewer for {what}"},
    )


class AnnualReportForm(ServiceErrors, forms.Form):
    # A save over a newer version is about the whole form, not one field.
    service_fields = {"version": "", "year": "", "partnership": ""}

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    summary = _section(
        "Summary",
        "the summary",
        SUMMARY_MAX,
        "The year in a few paragraphs, for readers who read nothing else. Markdown: a blank "
        "line between paragraphs, * for a list.",
        rows=6,
    )
    successes = _section(
        "Successes",
        "the successes",
        SECTION_MAX,
        "What went well, and what made the difference.",
    )
    case_studies = _section(
        "Case studies",
        "the case studies",
        SECTION_MAX,
        "Stories of the partnership's work. " + NO_PUPIL,
    )
    further_work = _section(
        "Areas for further work",
        "the areas for further work",
        SECTION_MAX,
        "What did not go as planned, and what the figures say needs more attention.",
    )
    priorities = _section(
        "Next year's priorities",
        "next year's priorities",
        SECTION_MAX,
        "The business plan: what the partnership will focus on in the coming year.",
    )
    resources = _section(
        "Next year's resources",
        "next year's resources",
        SECTION_MAX,
        "The business plan: the officer's time, funding and what each partner brings.",
    )
    evaluation = forms.ChoiceField(
        label="Evaluation shown",
        help_text="The estimate of the partnership's effect that the report shows.",
        required=False,
        error_messages={"invalid_choice": "Choose one of the partnership's evaluations"},
    )

    def __init__(self, *args, evaluations: list[Evaluation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluation"].choices = [  # type: ignore[attr-defined]
            ("", "The latest evaluation"),
            *(
                (
                    str(evaluation.pk),
                    f"{evaluation.indicator.name}, made "
                    f"{date_format(timezone.localtime(evaluation.created_at), 'j F Y')}",
                )
                for evaluation in evaluations
            ),
        ]

    def clean_version(self) -> int:
        raw = (self.cleaned_data.get("version") or "0").strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            raise forms.ValidationError(OUT_OF_DATE)
        return int(raw)

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            summary=data["summary"],
            successes=data["successes"],
            case_studies=data["case_studies"],
            further_work=data["further_work"],
            priorities=data["priorities"],
            resources=data["resources"],
            evaluation_id=data["evaluation"] or None,
            version=data["version"],
        )


def report_initial(report: AnnualReport | None) -> dict[str, object]:
    """The form's starting values: what is written, and the version it was written at."""
    if report is None:
        return {"version": "0"}
    return {
        "version": str(report.version),
        "summary": report.summary,
        "successes": report.successes,
        "case_studies": report.case_studies,
        "further_work": report.further_work,
        "priorities": report.priorities,
        "resources": report.resources,
        "evaluation": str(report.evaluation_id) if report.evaluation_id else "",
    }
