"""The forms of the steering group: a member, a member leaving, and a meeting's record.

A meeting's actions are rows of their own, as on a multi-agency meeting's minutes: "Add another
action" sends the whole form back with what was typed, unsaved, so that it works without
JavaScript. The forms check the shape of what was sent (a real date, a choice offered, a row
that is complete); the services check the rest, and their errors are put back on the row and
field they are about.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from saferschools.incidents.forms import TIME_FORMATS, DateInputField
from saferschools.lib.formrows import row_count
from saferschools.lib.schooldays import LONDON

from .models import SteeringMeeting, SteeringMember
from .steering_selectors import Person, member_label
from .steering_services import (
    AGENDA_MAX,
    DECISIONS_MAX,
    DESCRIPTION_MAX,
    LOCATION_MAX,
    MAX_ACTIONS,
    MINUTES_MAX,
    NAME_MAX,
    ActionInput,
    MeetingInput,
    MemberInput,
)

NO_PUPILS = "Do not name pupils: the steering group's records hold no pupil's personal data."
# Empty action rows offered on a meeting's form.
SPARE_ROWS = 2


def _text_field(
    label: str, most: int, *, required: bool = False, rows: int = 0, **kwargs: Any
) -> forms.CharField:
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(
        label=label,
        max_length=most,
        required=required,
        error_messages={"max_length": f"Use {most:,} characters or fewer"},
        **kwargs,
    )


def add_service_errors(
    form: forms.Form, error: ValidationError, field_of: dict[str, str | None]
) -> None:
    """Put a service's errors on the form's fields (``field_of`` renames them; a name the form
    does not have makes the error the form's own)."""
    for key, texts in error.message_dict.items():
        name = field_of.get(key, key)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


# Members ------------------------------------------------------------------------------------


class MemberForm(forms.Form):
    kind = forms.ChoiceField(
        label="Who they represent",
        choices=SteeringMember.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who they represent",
            "invalid_choice": "Choose who they represent from the list",
        },
    )
    name = forms.CharField(
        label="Name",
        help_text="For a pupil representative, describe the place on the group instead, for "
        "example “Year 10 representative”: do not name pupils.",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter their name, or for a pupil representative a description",
            "max_length": f"Use {NAME_MAX} characters or fewer for the name",
        },
    )
    organisation = _text_field(
        "Organisation (optional)",
        NAME_MAX,
        help_text="For example, the school, the police force or the agency.",
    )
    role = _text_field(
        "Role on the group (optional)", NAME_MAX, help_text="For example, chair or secretary."
    )
    joined_on = DateInputField(
        label="Date they joined", help_text="For example, 1 9 2025", what="they joined the group"
    )
    user = forms.ChoiceField(
        label="Their SaferSchools account (optional)",
        help_text="Link the member to their account so that they can own actions and see them "
        "on their home page. Pupil representatives are not linked.",
        required=False,
        error_messages={"invalid_choice": "Choose an account from the list"},
    )

    def __init__(self, data: Any = None, *, people: list[Person], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["user"].choices = [  # type: ignore[attr-defined]
            ("", "Not linked to an account"),
            *((str(person.user.pk), person.label) for person in people),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == SteeringMember.Kind.PUPIL and data.get("user"):
            self.add_error("user", "A pupil representative is not linked to an account")
        return data

    def member_input(self) -> MemberInput:
        data = self.cleaned_data
        return MemberInput(
            kind=data["kind"],
            name=data["name"],
            joined_on=data["joined_on"],
            organisation=data.get("organisation") or "",
            role=data.get("role") or "",
            user_id=data.get("user") or None,
        )

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, {"user_id": "user"})


def member_initial(member: SteeringMember) -> dict[str, Any]:
    return {
        "kind": member.kind,
        "name": member.name,
        "organisation": member.organisation,
        "role": member.role,
        "joined_on": member.joined_on,
        "user": str(member.user_id or ""),
    }


class LeaveForm(forms.Form):
    left_on = DateInputField(
        label="Date they left", help_text="For example, 31 7 2026", what="they left the group"
    )


# Meetings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    number: int
    action_id: forms.BoundField
    description: forms.BoundField
    owner: forms.BoundField
    owner_name: forms.BoundField
    due: forms.BoundField
    done: forms.BoundField


class MeetingForm(forms.Form):
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)
    held_on = DateInputField(
        label="Date", help_text="For example, 27 3 2026", what="of the meeting"
    )
    held_time = forms.TimeField(
        label="Time it starts",
        help_text="Use the 24-hour clock, for example 16:00",
        input_formats=TIME_FORMATS,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the time the meeting starts, for example 16:00",
            "invalid": "Enter the time the meeting starts as hours and minutes, for example 16:00",
        },
    )
    location = _text_field("Where (optional)", LOCATION_MAX)
    agenda = forms.CharField(
        label="Agenda",
        help_text=NO_PUPILS,
        max_length=AGENDA_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the agenda of the meeting",
            "max_length": f"Use {AGENDA_MAX:,} characters or fewer for the agenda",
        },
    )
    attendees = forms.MultipleChoiceField(
        label="Members who attended",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": "Choose attendees among the members of the group"},
    )
    minutes = _text_field("Minutes (optional)", MINUTES_MAX, rows=10, help_text=NO_PUPILS)
    decisions = _text_field("Decisions (optional)", DECISIONS_MAX, rows=6, help_text=NO_PUPILS)

    def __init__(
        self,
        data: Any = None,
        *,
        members: list[SteeringMember],
        owners: list[Person],
        rows: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.members = members
        self.count = row_count(data, "action", default=rows, maximum=MAX_ACTIONS)
        self.fields["attendees"].choices = [  # type: ignore[attr-defined]
            (str(member.pk), member_label(member)) for member in members
        ]
        choices = [
            ("", "Someone not listed: name them below"),
            *((str(person.user.pk), person.label) for person in owners),
        ]
        for n in range(1, self.count + 1):
            self.fields[f"action_{n}_id"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"action_{n}_description"] = _text_field(
                "What is to be done", DESCRIPTION_MAX, help_text=NO_PUPILS
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label="Owner",
                help_text="A member of the group who uses SaferSchools.",
                choices=choices,
                required=False,
                error_messages={"invalid_choice": f"Action {n}: choose an owner from the list"},
            )
            self.fields[f"action_{n}_owner_name"] = _text_field(
                "Or name an owner who does not use SaferSchools", NAME_MAX
            )
            self.fields[f"action_{n}_due"] = DateInputField(
                label="Due date",
                help_text="For example, 10 4 2026",
                what="it is due",
                required=False,
            )
            self.fields[f"action_{n}_done"] = forms.BooleanField(label="Done", required=False)

    def action_rows(self) -> list[ActionRow]:
        return [
            ActionRow(
                n,
                self[f"action_{n}_id"],
                self[f"action_{n}_description"],
                self[f"action_{n}_owner"],
                self[f"action_{n}_owner_name"],
                self[f"action_{n}_due"],
                self[f"action_{n}_done"],
            )
            for n in range(1, self.count + 1)
        ]

    def keep_unjudged(self) -> None:
        """Show what was typed without errors: the user asked for a row, not to save."""
        self._errors = ErrorDict()

    def clean_updated_at(self) -> datetime | None:
        value = self.cleaned_data.get("updated_at") or ""
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                "This form is out of date: open the meeting again and make your change"
            ) from None
        return moment if timezone.is_aware(moment) else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for n in range(1, self.count + 1):
            names = [f"action_{n}_{part}" for part in ("description", "owner", "owner_name", "due")]
            if any(name in self.errors for name in names) or not any(
                data.get(name) for name in names
            ):
                continue
            if not data.get(names[0]):
                self.add_error(names[0], f"Action {n}: enter what is to be done")
            if not data.get(names[3]):
                self.add_error(names[3], f"Action {n}: enter the date it is due")
            if not (data.get(names[1]) or data.get(names[2])):
                self.add_error(names[1], f"Action {n}: choose the owner, or name them")
            elif data.get(names[1]) and data.get(names[2]):
                self.add_error(
                    names[2], f"Action {n}: choose someone from the list or name someone, not both"
                )
        return data

    def meeting_input(self) -> tuple[MeetingInput, list[int]]:
        """What the services take, and the form's row number of each action given."""
        data = self.cleaned_data
        numbers: list[int] = []
        actions = []
        for n in range(1, self.count + 1):
            values = {
                part: data.get(f"action_{n}_{part}")
                for part in ("id", "description", "owner", "owner_name", "due", "done")
            }
            if not any(values[p] for p in ("description", "owner", "owner_name", "due")):
                continue
            actions.append(
                ActionInput(
                    description=values["description"] or "",
                    due_on=values["due"],
                    owner_id=values["owner"] or None,
                    owner_name=values["owner_name"] or "",
                    done=bool(values["done"]),
                    action_id=values["id"] or None,
                )
            )
            numbers.append(n)
        held_at = datetime.combine(data["held_on"], data["held_time"], tzinfo=LONDON)
        return (
            MeetingInput(
                held_at=held_at,
                agenda=data["agenda"],
                location=data.get("location") or "",
                minutes=data.get("minutes") or "",
                decisions=data.get("decisions") or "",
                attendee_ids=list(data.get("attendees") or []),
                actions=actions,
                seen_updated_at=data.get("updated_at"),
            ),
            numbers,
        )

    def add_service_errors(self, error: ValidationError, numbers: list[int]) -> None:
        """Put a service's errors on the fields they are about; an action's on its row."""
        field_of: dict[str, str | None] = {
            "held_at": "held_on",
            "attendee_ids": "attendees",
            "updated_at": None,
            "actions": None,
        }
        parts = {
            "description": "description",
            "due_on": "due",
            "owner_id": "owner",
            "owner_name": "owner_name",
            "done": "done",
            "action_id": "description",
        }
        for key in error.message_dict:
            row = re.fullmatch(r"actions\[(\d+)\]\.(\w+)", key)
            if row:
                index = int(row.group(1))
                n = numbers[index] if index < len(numbers) else 1
                field_of[key] = f"action_{n}_{parts.get(row.group(2), 'description')}"
        add_service_errors(self, error, field_of)


def meeting_initial(meeting: SteeringMeeting) -> tuple[dict[str, Any], int]:
    """The form's starting values for changing a meeting (what it holds prefetched), and its
    number of action rows: those it has and spare ones."""
    held = meeting.held_at.astimezone(LONDON)
    initial: dict[str, Any] = {
        "updated_at": meeting.updated_at.isoformat(),
        "held_on": held.date(),
        "held_time": held.strftime("%H:%M"),
        "location": meeting.location,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "attendees": [str(member.pk) for member in meeting.attendees.all()],
    }
    actions = list(meeting.actions.all())
    for n, action in enumerate(actions, start=1):
        initial.update(
            {
                f"action_{n}_id": str(action.pk),
                f"action_{n}_description": action.description,
                f"action_{n}_owner": str(action.owner_id or ""),
                f"action_{n}_owner_name": action.owner_name,
                f"action_{n}_due": action.due_on,
                f"action_{n}_done": action.done_at is not None,
            }
        )
    return initial, min(MAX_ACTIONS, len(actions) + SPARE_ROWS)


def new_meeting_initial(today: date | None = None) -> tuple[dict[str, Any], int]:
    """A new meeting's starting values: today, and empty action rows."""
    return {"held_on": today or timezone.localdate()}, SPARE_ROWS
