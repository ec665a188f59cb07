"""The form of a multi-agency meeting's minutes.

People from outside the product, pupils discussed and actions are rows of their own. Adding a
row, finding a pupil and adding them send the whole form back with what was typed, unsaved, so
that every part works without JavaScript. The form checks the shape of what was sent (a real
date, a choice offered, a row that is complete); the services check the rest, and their errors
are put back on the row and field they are about.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from saferschools.incidents.forms import TIME_FORMATS, DateInputField
from saferschools.lib import formrows
from saferschools.lib.schooldays import LONDON

from .meeting_selectors import Person
from .meeting_services import (
    DECISIONS_MAX,
    DESCRIPTION_MAX,
    LOCATION_MAX,
    MAX_ACTIONS,
    MAX_GUESTS,
    MAX_PUPILS,
    NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    ActionInput,
    GuestInput,
    MeetingInput,
    PupilNoteInput,
)
from .models import Meeting, Pupil

SEARCH_MAX = 100
# Empty rows offered for people from outside the product and for actions.
SPARE_ROWS = 2
ROW_MAXIMA = {"guest": MAX_GUESTS, "pupil": MAX_PUPILS, "action": MAX_ACTIONS}


def pupil_label(pupil: Pupil) -> str:
    details = [pupil.year_group_label, pupil.school_pupil_id]
    if not pupil.on_roll:
        details.append("has left")
    return f"{pupil.family_name}, {pupil.given_name} ({', '.join(details)})"


def row_count(data: Any, kind: str, default: int) -> int:
    """How many rows of a kind the meeting form has: as sent (within bounds), else ``default``."""
    return formrows.row_count(data, kind, default=default, maximum=ROW_MAXIMA[kind])


@dataclass(frozen=True)
class GuestRow:
    number: int
    name: forms.BoundField
    organisation: forms.BoundField
    role: forms.BoundField


@dataclass(frozen=True)
class PupilRow:
    number: int
    pupil: Pupil | None
    pupil_id: forms.BoundField
    note: forms.BoundField
    remove: forms.BoundField


@dataclass(frozen=True)
class ActionRow:
    number: int
    action_id: forms.BoundField
    description: forms.BoundField
    owner: forms.BoundField
    owner_name: forms.BoundField
    due: forms.BoundField
    done: forms.BoundField


def _text_field(label: str, most: int, *, required: bool = False, **kwargs: Any) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=most,
        required=required,
        error_messages={"max_length": f"Use {most:,} characters or fewer"},
        **kwargs,
    )


class MeetingForm(forms.Form):
    title = forms.CharField(
        label="Title",
        help_text="For example, “Year 9 early help panel”. Do not name pupils here: the title "
        "is shown to everyone who sees the meeting.",
        max_length=TITLE_MAX,
        error_messages={
            "required": "Enter a title for the meeting",
            "max_length": f"Use {TITLE_MAX} characters or fewer for the title",
        },
    )
    held_on = DateInputField(
        label="Date held", help_text="For example, 27 3 2026", what="the meeting was held"
    )
    held_time = forms.TimeField(
        label="Time it started",
        help_text="Use the 24-hour clock, for example 15:30",
        input_formats=TIME_FORMATS,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the time the meeting started, for example 15:30",
            "invalid": "Enter the time the meeting started as hours and minutes, for example 15:30",
        },
    )
    location = forms.CharField(
        label="Where (optional)",
        max_length=LOCATION_MAX,
        required=False,
        error_messages={"max_length": f"Use {LOCATION_MAX} characters or fewer for where"},
    )
    attendees = forms.MultipleChoiceField(
        label="Attendees who use SaferSchools",
        help_text="People at the school, the police and the area's agencies, by name.",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": "Choose attendees from the list"},
    )
    decisions = forms.CharField(
        label="Decisions (optional)",
        help_text="What the meeting decided. What was said about a pupil goes with the pupil, "
        "below, where only those who may see the pupil's record read it.",
        max_length=DECISIONS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": f"Use {DECISIONS_MAX:,} characters or fewer"},
    )
    q = forms.CharField(
        label="Find a pupil of the school",
        help_text="Name, the school's pupil id or UPN",
        max_length=SEARCH_MAX,
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        people: list[Person],
        pupils: dict[str, Pupil],
        rows: dict[str, int],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.people = people
        self.pupils = pupils
        self.counts = {kind: row_count(data, kind, rows.get(kind, 0)) for kind in ROW_MAXIMA}
        people_choices = [(str(p.user.pk), p.label) for p in people]
        self.fields["attendees"].choices = people_choices  # type: ignore[attr-defined]
        owners = [("", "Someone not listed: name them below"), *people_choices]
        extra: dict[str, forms.Field] = {}
        for n in range(1, self.counts["guest"] + 1):
            extra[f"guest_{n}_name"] = _text_field("Name", NAME_MAX)
            extra[f"guest_{n}_organisation"] = _text_field("Organisation", NAME_MAX)
            extra[f"guest_{n}_role"] = _text_field("Role (optional)", NAME_MAX)
        for n in range(1, self.counts["pupil"] + 1):
            extra[f"pupil_{n}_id"] = forms.CharField(required=False, widget=forms.HiddenInput)
            extra[f"pupil_{n}_note"] = _text_field(
                "What was said",
                NOTE_MAX,
                help_text=f"Up to {NOTE_MAX:,} characters. Seen only by those who may see "
                "this pupil's record.",
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            extra[f"pupil_{n}_remove"] = forms.BooleanField(
                label="Remove this pupil from the minutes", required=False
            )
        for n in range(1, self.counts["action"] + 1):
            extra[f"action_{n}_id"] = forms.CharField(required=False, widget=forms.HiddenInput)
            extra[f"action_{n}_description"] = _text_field("What is to be done", DESCRIPTION_MAX)
            extra[f"action_{n}_owner"] = forms.ChoiceField(
                label="Owner",
                choices=owners,
                required=False,
                error_messages={"invalid_choice": f"Action {n}: choose an owner from the list"},
            )
            extra[f"action_{n}_owner_name"] = _text_field(
                "Or name an owner who does not use SaferSchools", NAME_MAX
            )
            extra[f"action_{n}_due"] = DateInputField(
                label="Due date",
                help_text="For example, 10 4 2026",
                what="it is due",
                required=False,
            )
            extra[f"action_{n}_done"] = forms.BooleanField(label="Done", required=False)
        # The rows come before the search box, so the error summary follows the page.
        fields = list(self.fields.items())
        at = [name for name, _ in fields].index("q")
        self.fields = dict(fields[:at] + list(extra.items()) + fields[at:])

    # Rows for the template --------------------------------------------------------------

    def guest_rows(self) -> list[GuestRow]:
        return [
            GuestRow(
                n, self[f"guest_{n}_name"], self[f"guest_{n}_organisation"], self[f"guest_{n}_role"]
            )
            for n in range(1, self.counts["guest"] + 1)
        ]

    def pupil_rows(self) -> list[PupilRow]:
        rows = []
        for n in range(1, self.counts["pupil"] + 1):
            pupil_id = self[f"pupil_{n}_id"]
            rows.append(
                PupilRow(
                    n,
                    self.pupils.get(str(pupil_id.value() or "")),
                    pupil_id,
                    self[f"pupil_{n}_note"],
                    self[f"pupil_{n}_remove"],
                )
            )
        return rows

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
            for n in range(1, self.counts["action"] + 1)
        ]

    def pupil_ids(self) -> list[str]:
        """The pupils on the form, as sent (before any check)."""
        data = self.data if self.is_bound else self.initial
        return [
            str(value)
            for n in range(1, self.counts["pupil"] + 1)
            if (value := data.get(f"pupil_{n}_id"))
        ]

    def keep_unjudged(self) -> None:
        """Show what was typed without errors: the user asked for a row or a pupil, not to
        save."""
        self._errors = ErrorDict()

    # Checking and reading --------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for n in range(1, self.counts["guest"] + 1):
            names = [f"guest_{n}_{part}" for part in ("name", "organisation", "role")]
            if any(name in self.errors for name in names) or not any(
                data.get(name) for name in names
            ):
                continue
            if not data.get(names[0]):
                self.add_error(names[0], f"Person {n}: enter their name")
            if not data.get(names[1]):
                self.add_error(names[1], f"Person {n}: enter their organisation")
        for n in range(1, self.counts["pupil"] + 1):
            pupil_id = data.get(f"pupil_{n}_id") or ""
            if not pupil_id or data.get(f"pupil_{n}_remove"):
                continue
            pupil = self.pupils.get(pupil_id)
            note = f"pupil_{n}_note"
            if pupil is None:
                self.add_error(note, f"Pupil {n}: choose a pupil of this school")
            elif note not in self.errors and not data.get(note):
                self.add_error(note, f"{pupil.given_name} {pupil.family_name}: enter what was said")
        for n in range(1, self.counts["action"] + 1):
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

    def meeting_input(self) -> tuple[MeetingInput, dict[str, list[int]]]:
        """What the services take, and the form's row number of each row given, by kind."""
        data = self.cleaned_data
        numbers: dict[str, list[int]] = {"guests": [], "pupils": [], "actions": []}
        guests = []
        for n in range(1, self.counts["guest"] + 1):
            name, organisation, role = (
                data.get(f"guest_{n}_{part}") or "" for part in ("name", "organisation", "role")
            )
            if name or organisation or role:
                guests.append(GuestInput(name=name, organisation=organisation, role=role))
                numbers["guests"].append(n)
        pupils = []
        for n in range(1, self.counts["pupil"] + 1):
            pupil_id = data.get(f"pupil_{n}_id") or ""
            if pupil_id and not data.get(f"pupil_{n}_remove"):
                pupils.append(PupilNoteInput(pupil_id=pupil_id, note=data.get(f"pupil_{n}_note")))
                numbers["pupils"].append(n)
        actions = []
        for n in range(1, self.counts["action"] + 1):
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
            numbers["actions"].append(n)
        held_at = datetime.combine(data["held_on"], data["held_time"], tzinfo=LONDON)
        return (
            MeetingInput(
                title=data["title"],
                held_at=held_at,
                location=data.get("location") or "",
                attendee_ids=list(data.get("attendees") or []),
                guests=guests,
                pupils=pupils,
                decisions=data.get("decisions") or "",
                actions=actions,
            ),
            numbers,
        )

    def add_service_errors(self, error: ValidationError, numbers: dict[str, list[int]]) -> None:
        """Put a service's errors on the fields they are about; a row's error on its row."""
        for key, texts in error.message_dict.items():
            field = self._field_of(key, numbers)
            for text in texts:
                self.add_error(field, text)

    def _field_of(self, key: str, numbers: dict[str, list[int]]) -> str | None:
        row = re.fullmatch(r"(guests|pupils|actions)\[(\d+)\]\.(\w+)", key)
        if row:
            kind, index, part = row.group(1), int(row.group(2)), row.group(3)
            given = numbers[kind]
            n = given[index] if index < len(given) else 1
            name = {
                ("guests", "name"): f"guest_{n}_name",
                ("guests", "organisation"): f"guest_{n}_organisation",
                ("guests", "role"): f"guest_{n}_role",
                ("pupils", "pupil_id"): f"pupil_{n}_note",
                ("pupils", "note"): f"pupil_{n}_note",
                ("actions", "description"): f"action_{n}_description",
                ("actions", "due_on"): f"action_{n}_due",
                ("actions", "owner_id"): f"action_{n}_owner",
                ("actions", "owner_name"): f"action_{n}_owner_name",
                ("actions", "done"): f"action_{n}_done",
                ("actions", "action_id"): f"action_{n}_description",
            }.get((kind, part))
            return name if name in self.fields else None
        field = {"held_at": "held_on", "attendee_ids": "attendees"}.get(key, key)
        return field if field in self.fields else None


def meeting_initial(meeting: Meeting) -> tuple[dict[str, Any], dict[str, int]]:
    """The form's starting values for changing a meeting (what it holds prefetched), and its
    rows: those it has, and spare ones for people and actions."""
    held = meeting.held_at.astimezone(LONDON)
    initial: dict[str, Any] = {
        "title": meeting.title,
        "held_on": held.date(),
        "held_time": held.strftime("%H:%M"),
        "location": meeting.location,
        "attendees": [str(user.pk) for user in meeting.attendees.all()],
        "decisions": meeting.decisions,
    }
    guests = list(meeting.guests.all())
    for n, guest in enumerate(guests, start=1):
        initial.update(
            {
                f"guest_{n}_name": guest.name,
                f"guest_{n}_organisation": guest.organisation,
                f"guest_{n}_role": guest.role,
            }
        )
    pupils = list(meeting.pupils_discussed.all())
    for n, row in enumerate(pupils, start=1):
        initial.update({f"pupil_{n}_id": str(row.pupil_id), f"pupil_{n}_note": row.note})
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
    rows = {
        "guest": min(MAX_GUESTS, len(guests) + SPARE_ROWS),
        "pupil": len(pupils),
        "action": min(MAX_ACTIONS, len(actions) + SPARE_ROWS),
    }
    return initial, rows


def new_meeting_initial(pupil: Pupil | None) -> tuple[dict[str, Any], dict[str, int]]:
    """A new meeting's starting values: today, and the pupil it was started from, if any."""
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    if pupil is not None:
        initial["pupil_1_id"] = str(pupil.pk)
    rows = {"guest": SPARE_ROWS, "pupil": 1 if pupil is not None else 0, "action": SPARE_ROWS}
    return initial, rows
