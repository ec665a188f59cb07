"""The forms on the pupils' pages: what they choose and type, checked in words a pupil reads.

The service checks everything again; these forms give each field a plain message and turn the
pupil's choices into the values the service takes.
"""

import sys
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from saferschools.lib.text import text_clean

from .models import DESCRIPTION_MAX, MESSAGE_MAX, NAME_MAX, OCCURRED_MAX, About, Category, Location
from .photos import MAX_PHOTOS, photo_clean

YES_NO = [("yes", "Yes"), ("no", "No")]
IDENTITY = [("yes", "Stay anonymous"), ("no", "Give my name")]
YEAR_GROUPS = [("", "Choose your year group"), ("0", "Reception")] + [
    (str(year), f"Year {year}") for year in range(1, 14)
]


def _text(value: Any, *, field: str, max_length: int, required: bool, empty: str, name: str) -> str:
    """Free text cleaned as the service cleans it, with messages for a pupil."""
    text = text_clean(value, field=field, max_length=sys.maxsize, required=False)
    if required and not text:
        raise ValidationError(empty)
    if len(text) > max_length:
        raise ValidationError(
            f"{name} must be {max_length:,} characters or fewer (it has {len(text):,})"
        )
    return text


class TextField(forms.CharField):
    """Text as a pupil typed it. Characters that cannot be stored are taken out when it is
    cleaned, rather than refused: nobody types them on purpose."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class CategoryForm(forms.Form):
    """Step 1: what the report is about."""

    category = forms.ChoiceField(
        label="What is it about?",
        help_text="Choose the one that fits best. If none does, choose “Something else”.",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what it is about",
            "invalid_choice": "Choose what it is about",
        },
    )


class PhotosInput(forms.FileInput):
    allow_multiple_selected = True


class TellForm(forms.Form):
    """Step 2: everything else, with the category chosen in step 1 carried along."""

    category = forms.ChoiceField(
        label="What is it about?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what it is about",
            "invalid_choice": "Choose what it is about",
        },
    )
    description = TextField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    location = forms.ChoiceField(
        label="Where did it happen?",
        choices=Location.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where it happened",
            "invalid_choice": "Choose where it happened",
        },
    )
    occurred = TextField(label="When did it happen?", help_text="For example, today at lunch")
    about = forms.ChoiceField(
        label="Who did it happen to?",
        choices=About.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether it happened to you or to someone else",
            "invalid_choice": "Choose whether it happened to you or to someone else",
        },
    )
    in_danger = forms.ChoiceField(
        label="Is anyone in danger right now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose yes if anyone is in danger right now, or no if not",
            "invalid_choice": "Choose yes if anyone is in danger right now, or no if not",
        },
    )
    anonymous = forms.ChoiceField(
        label="Do you want to tell us who you are?",
        choices=IDENTITY,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to stay anonymous or give your name",
            "invalid_choice": "Choose whether to stay anonymous or give your name",
        },
    )
    name = TextField(label="Your name")
    year_group = forms.ChoiceField(
        label="Your year group (optional)",
        choices=YEAR_GROUPS,
        required=False,
        error_messages={"invalid_choice": "Choose your year group from the list"},
    )
    # Up to three files from one input: read from the request's files in clean_photos.
    photos = forms.Field(
        label="Photos or screenshots (optional)",
        required=False,
        widget=PhotosInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )

    def clean_description(self) -> str:
        return _text(
            self.cleaned_data["description"],
            field="description",
            max_length=DESCRIPTION_MAX,
            required=True,
            empty="Tell us what happened",
            name="What happened",
        )

    def clean_occurred(self) -> str:
        return _text(
            self.cleaned_data["occurred"],
            field="occurred",
            max_length=OCCURRED_MAX,
            required=True,
            empty="Tell us when it happened. If you are not sure, say roughly when",
            name="When it happened",
        )

    def clean_name(self) -> str:
        return _text(
            self.cleaned_data["name"],
            field="name",
            max_length=NAME_MAX,
            required=False,
            empty="Enter your name, or choose to stay anonymous",
            name="Your name",
        )

    def clean_in_danger(self) -> bool:
        return self.cleaned_data["in_danger"] == "yes"

    def clean_anonymous(self) -> bool:
        return self.cleaned_data["anonymous"] == "yes"

    def clean_year_group(self) -> int | None:
        value = self.cleaned_data["year_group"]
        return int(value) if value else None

    def clean_photos(self) -> list[Any]:
        files = self.files.getlist("photos") if self.files else []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(f"Add up to {MAX_PHOTOS} photos or screenshots")
        return files

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        anonymous = data.get("anonymous")
        if anonymous is True:
            # The pupil chose to stay anonymous: whatever was typed under "give my name" goes.
            data["name"] = ""
            data["year_group"] = None
            self.errors.pop("name", None)
            self.errors.pop("year_group", None)
        elif anonymous is False and not data.get("name") and "name" not in self.errors:
            self.add_error("name", "Enter your name, or choose to stay anonymous")
        if self.errors and data.get("photos"):
            # The report will not be sent this time: say now if a photo will not do either.
            self._check_photos(data["photos"])
        return data

    def _check_photos(self, files: list[Any]) -> None:
        for position, file in enumerate(files, start=1):
            try:
                photo_clean(file, position=position)
            except ValidationError as error:
                self.add_error("photos", error.messages[0])
                return
            finally:
                file.seek(0)

    @property
    def chosen_category(self) -> str:
        """The category carried from step 1, if it is one."""
        value = self.data.get("category") if self.is_bound else self.initial.get("category")
        return value if value in Category.values else ""


class ReceiptForm(forms.Form):
    # Anything typed is looked up: a receipt that cannot be one gets the same answer as a
    # wrong one.
    receipt = TextField(
        label="Your receipt",
        help_text="The 20 numbers you were given when you sent your report, "
        "for example 1234 5678 9012 3456 7890",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-20",
            }
        ),
    )

    def clean_receipt(self) -> str:
        receipt = self.cleaned_data["receipt"]
        if not receipt.strip():
            raise ValidationError("Enter your receipt")
        return receipt


class ReplyForm(forms.Form):
    receipt = TextField(widget=forms.HiddenInput)
    body = TextField(
        label="Write back to the school",
        help_text="Only the staff who deal with your report can read it.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_body(self) -> str:
        return _text(
            self.cleaned_data["body"],
            field="body",
            max_length=MESSAGE_MAX,
            required=True,
            empty="Write your message",
            name="Your message",
        )
