"""Forms for the staff side of pupils' reports: the inbox filters, each step taken on a report,
the export, and an area's triage settings and safety advice.

The forms check the shape of what was sent; the services check the rest (length, control
characters, whether the step is allowed now) and their errors are shown on the same forms.
"""

from collections.abc import Iterable
from typing import Any

from django import forms

from saferschools.core.models import School

from .models import ESCALATE_MINUTES_DEFAULT, Category, Outcome

STATUS_FILTERS = [
    ("open", "Open (new or acknowledged)"),
    ("new", "New"),
    ("acknowledged", "Acknowledged"),
    ("closed", "Closed"),
    ("all", "All"),
]
DEFAULT_STATUS = "open"


class InboxFilterForm(forms.Form):
    """The inbox filters, sent as a GET form so that a filtered inbox has its own address."""

    status = forms.ChoiceField(
        label="Status",
        choices=STATUS_FILTERS,
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "All categories"), *Category.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a category from the list"},
    )
    school = forms.TypedChoiceField(
        label="School",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the schools whose reports you handle"},
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    mine = forms.BooleanField(label="Assigned to me", required=False)

    def __init__(self, data: Any = None, *, schools: Iterable[School], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.schools = {school.urn: school for school in schools}
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            ("", "All schools"),
            *((school.urn, school.name) for school in self.schools.values()),
        ]

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of ``selectors.report_inbox`` for the cleaned filters."""
        data = self.cleaned_data
        status = data.get("status") or DEFAULT_STATUS
        return {
            "status": "" if status == "all" else status,
            "category": data.get("category") or "",
            "school": self.schools.get(data["school"]) if data.get("school") else None,
            "overdue": bool(data.get("overdue")),
            "assigned_to_me": bool(data.get("mine")),
        }

    def query(self) -> dict[str, str]:
        """The filters as they go back into a link: only those that differ from the default."""
        data = self.cleaned_data
        query = {}
        if data.get("status") and data["status"] != DEFAULT_STATUS:
            query["status"] = data["status"]
        if data.get("category"):
            query["category"] = data["category"]
        if data.get("school"):
            query["school"] = str(data["school"])
        if data.get("overdue"):
            query["overdue"] = "1"
        if data.get("mine"):
            query["mine"] = "1"
        return query


class ExportForm(InboxFilterForm):
    """The download of the report register: the inbox filters, and the names pupils gave only
    for those who handle the reports (``names_allowed``)."""

    include_names = forms.BooleanField(
        label="Include the names and year groups pupils gave",
        help_text="Only named reports have them. Leave this out unless you need them.",
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        schools: Iterable[School],
        names_allowed: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, schools=schools, **kwargs)
        self.names_allowed = names_allowed
        if not names_allowed:
            self.fields["school"].error_messages["invalid_choice"] = (
                "Choose one of the schools listed"
            )

    def clean_include_names(self) -> bool:
        wanted = bool(self.cleaned_data.get("include_names"))
        if wanted and not self.names_allowed:
            raise forms.ValidationError(
                "Names are only for those who handle the schools' reports: leave names out"
            )
        return wanted


class ConfirmForm(forms.Form):
    """A step with nothing to fill in (acknowledge, reopen): errors are about the report."""


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Colleague",
        error_messages={
            "required": "Choose a colleague to assign the report to",
            "invalid_choice": "Choose a colleague who works at this school",
        },
    )

    def __init__(self, data: Any = None, *, assignees: Iterable[Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(data, **kwargs)
        self.assignees = {str(user.pk): user for user in assignees}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a colleague"),
            *((pk, user.full_name or user.email) for pk, user in self.assignees.items()),
        ]

    def clean_assignee(self) -> Any:
        return self.assignees[self.cleaned_data["assignee"]]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        help_text=(
            "The pupil reads this when they follow up with their receipt code. Do not name "
            "other pupils."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a reply to the pupil"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Your note",
        help_text="Only staff who handle the report see notes; the pupil never does.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the note"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the outcome",
            "invalid_choice": "Choose one of the outcomes listed",
        },
    )
    note = forms.CharField(
        label="How it ended (optional)",
        help_text="An internal note: the pupil does not see it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "close_%s")
        super().__init__(*args, **kwargs)


class ReportingSettingsForm(forms.Form):
    cue_words = forms.CharField(
        label="Cue words",
        help_text=(
            "One word or phrase per line. A report whose text holds one of them, as a whole "
            "word in any case, is urgent."
        ),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        required=False,
    )
    escalate_after_minutes = forms.IntegerField(
        label="Minutes before an unacknowledged urgent report is escalated",
        help_text=(
            "To the head teacher and the police supervisor. From 1 to 240; the usual time is "
            f"{ESCALATE_MINUTES_DEFAULT}."
        ),
        min_value=1,
        max_value=240,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter a number of minutes from 1 to 240",
            "invalid": "Enter a number of minutes from 1 to 240",
            "min_value": "Enter a number of minutes from 1 to 240",
            "max_value": "Enter a number of minutes from 1 to 240",
        },
    )


class SafetyTopicForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=120,
        error_messages={
            "required": "Enter a title",
            "max_length": "Use 120 characters or fewer for the title",
        },
    )
    summary = forms.CharField(
        label="Summary",
        help_text="One or two sentences shown in the list of topics.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter a summary",
            "max_length": "Use 300 characters or fewer for the summary",
        },
    )
    body = forms.CharField(
        label="Advice",
        help_text=(
            "Plain text or markdown: ## for a heading, - for a list item, [text](address) for "
            "a link. Pictures and HTML are not shown."
        ),
        widget=forms.Textarea(attrs={"rows": 20}),
        error_messages={"required": "Enter the advice"},
    )
