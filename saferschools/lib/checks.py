"""Checking values as they come from a form, the API or a command, collecting every problem.

Each function returns the cleaned value and, for a bad one, records a message under the field's
name in ``errors`` (returning an empty value), so that a service can check every field first and
then raise one ``ValidationError(errors)`` naming them all.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .text import text_clean


def check_choice(
    value: object, choices: type[models.TextChoices], field: str, errors: dict[str, str]
) -> str:
    """One of the choices' values, exactly."""
    if not isinstance(value, str) or value not in choices.values:
        errors[field] = "Choose one of: " + ", ".join(choices.values)
        return ""
    return value


def check_boolean(value: object, field: str, errors: dict[str, str]) -> bool:
    """A true boolean: not a string or a number that looks like one."""
    if not isinstance(value, bool):
        errors[field] = "Answer yes (true) or no (false)"
        return False
    return value


def check_text(
    value: object, field: str, max_length: int, errors: dict[str, str], **options: Any
) -> str:
    """Text made safe by ``text_clean`` (``required`` is passed on to it)."""
    try:
        return text_clean(value, field=field, max_length=max_length, **options)
    except ValidationError as error:
        errors[field] = error.message_dict[field][0]
        return ""
