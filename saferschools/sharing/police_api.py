"""The API for notifications from the police to a school: an officer's system records one; the
school acknowledges it with the support given.

The JSON is read here field by field (no unknown keys, each value of the JSON type it takes, ids
that are ids and times that are times); the services check the rest, as they do for the pages.
A school, or a notification, out of the caller's reach is 404 exactly as one that does not
exist.
"""

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.lib.schooldays import LONDON

from . import police_services as services
from .models import PoliceNotification, PoliceNotificationKind

# A date and a time in ISO 8601's extended form; the offset is optional.
DATETIME_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)
DATETIME_HELP = "a date and time in ISO 8601, such as 2026-03-04T21:40:00+00:00"

BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")


def _object(data: object, fields: tuple[str, ...], errors: dict[str, str]) -> dict[str, Any]:
    """The JSON object sent; a key not among ``fields`` is an error naming it."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
    for key in sorted(set(data) - set(fields)):
        errors[str(key)] = "This field is not expected"
    return data


def _text(data: dict[str, Any], key: str, errors: dict[str, str], *, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            errors[key] = "This field is required"
        return None
    if not isinstance(value, str):
        errors[key] = f"Give a string, not {json_type(value)}"
        return None
    return value


def _moment(text: str) -> datetime | None:
    """An ISO 8601 date and time, or ``None``; without an offset it is a time in England."""
    if not DATETIME_SHAPE.fullmatch(text.strip()):
        return None
    try:
        parsed = parse_datetime(text.strip())
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LONDON)
        if parsed is not None:
            parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise exceptions.ValidationError({key: [text] for key, text in errors.items()})


class PoliceNotificationRecordApi(APIView):
    # Describes the body for the schema; the view reads the JSON itself and the service checks
    # every value, as it checks the page's form.
    @extend_schema_serializer(component_name="PoliceNotificationInput")
    class Input(serializers.Serializer):
        school_urn = serializers.IntegerField(help_text="A school you are deployed to")
        pupil_id = serializers.UUIDField(help_text="A pupil of that school")
        summary = serializers.CharField(
            max_length=services.SUMMARY_MAX, help_text="What the school needs to know"
        )
        occurred_at = serializers.DateTimeField(
            help_text="ISO 8601; without an offset, a time in England. Not in the future."
        )
        kind = NamedChoiceField(
            PoliceNotificationKind.choices,
            component="PoliceNotificationKindEnum",
            required=False,
            help_text="What happened; other when left out",
        )

    @extend_schema_serializer(component_name="PoliceNotificationRecordedOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        due_by = serializers.DateTimeField(
            help_text="The start of the next school day: the school reads it by then"
        )

    @extend_schema(
        summary="Notify a school of an incident outside school affecting a pupil (its SSP "
        "officers); the school's safeguarding leads and head teacher are alerted at once",
        request=Input,
        responses={
            201: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput,
                description="school_urn: no such school, or not one you are deployed to",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        errors: dict[str, str] = {}
        data = _object(request.data, tuple(self.Input().fields), errors)
        urn = data.get("school_urn")
        if urn is None:
            errors["school_urn"] = "This field is required"
        elif isinstance(urn, bool) or not isinstance(urn, int):
            errors["school_urn"] = f"Give the school's URN as a number, not {json_type(urn)}"
        # Whether the school is one the user notifies comes first: outsiders learn nothing
        # from the rest of what they sent.
        school = None
        if "school_urn" not in errors:
            school = access.get_school_for_user(request.user, str(urn))
            if not access.can_record_police_notifications(request.user, school):
                raise Http404
        pupil_id = _text(data, "pupil_id", errors, required=True)
        if pupil_id is not None:
            try:
                pupil_id = str(uuid.UUID(pupil_id))
            except ValueError:
                errors["pupil_id"] = "Give the id of a pupil of the school"
        summary = _text(data, "summary", errors, required=True)
        kind = _text(data, "kind", errors, required=False)
        occurred_text = _text(data, "occurred_at", errors, required=True)
        occurred_at = None
        if occurred_text is not None:
            occurred_at = _moment(occurred_text)
            if occurred_at is None:
                errors["occurred_at"] = f"Give {DATETIME_HELP}"
        _raise(errors)
        assert school is not None  # the errors name school_urn otherwise
        try:
            notification = services.police_notification_record(
                actor=request.user,
                school=school,
                pupil_id=pupil_id,
                kind=kind,
                summary=summary,
                occurred_at=occurred_at,
                source=audit_source(request._request),
                # A system sending again after losing the answer gets the same notification.
                ignore_repeat=True,
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(self.Output(notification).data, status=201)


class PoliceNotificationAcknowledgeApi(APIView):
    @extend_schema_serializer(component_name="PoliceNotificationAcknowledgeInput")
    class Input(serializers.Serializer):
        support_given = serializers.CharField(
            max_length=services.SUPPORT_MAX, help_text="What the school has done for the pupil"
        )

    @extend_schema_serializer(component_name="PoliceNotificationAcknowledgedOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        acknowledged_at = serializers.DateTimeField()
        support_given = serializers.CharField()

    @extend_schema(
        summary="Acknowledge a notification from the police: read, with the support given (the "
        "school's safeguarding leads and head teacher); once only",
        request=Input,
        responses={
            200: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="No such notification, or not yours to acknowledge"
            ),
        },
    )
    def post(self, request: Request, notification_id: str) -> Response:
        notification: PoliceNotification = access.get_police_notification_for_user(
            request.user, notification_id
        )
        if not access.can_acknowledge_police_notifications(request.user, notification.school):
            raise Http404
        errors: dict[str, str] = {}
        data = _object(request.data, tuple(self.Input().fields), errors)
        support_given = _text(data, "support_given", errors, required=True)
        _raise(errors)
        try:
            notification = services.police_notification_acknowledge(
                actor=request.user,
                notification=notification,
                support_given=support_given,
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(self.Output(notification).data)


urlpatterns = [
    path(
        "notifications",
        PoliceNotificationRecordApi.as_view(),
        name="api-police-notifications",
    ),
    path(
        "notifications/<uuid:notification_id>/acknowledge",
        PoliceNotificationAcknowledgeApi.as_view(),
        name="api-police-notification-acknowledge",
    ),
]
