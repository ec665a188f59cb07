"""The incident log's API: incidents, their categories, and the places a school keeps.

Incidents and places are written only through the services, which check every value as they do
for the web forms. This module checks what the JSON itself says: no unknown keys, each value of
the JSON type its field takes (a string where text or a code is expected, true or false for a
yes/no), ids that are ids and times that are times, so that nothing sent is guessed at. Every
answer naming a pupil is audited: the detail, and each listed incident that names one.
"""

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import School
from saferschools.lib.schooldays import LONDON
from saferschools.reporting.api import PersonOutput

from . import selectors, services
from .models import (
    Incident,
    IncidentCategory,
    LocationKind,
    PartyRole,
    Place,
    PlaceKind,
    PoliceAction,
    Severity,
)
from .models.incidents import DESCRIPTION_MAX

LIST_LIMIT = 200
LIST_LIMIT_MAX = 1000
ACTION_TEXTS = ("restorative_outcome", "sanction", "advice", "referral")
ACTION_FIELDS = ("restorative_approach", *ACTION_TEXTS)
PARTY_FIELDS = ("role", "pupil_id", "description")
# A date and a time in ISO 8601's extended form; the offset is optional.
DATETIME_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DATETIME_HELP = "a date and time in ISO 8601, such as 2025-03-04T12:40:00+00:00"

NOT_FOUND = OpenApiResponse(DetailOutput, description="No such incident, or not yours to see")
NO_SCHOOL = OpenApiResponse(DetailOutput, description="No such school, or not one where you work")
BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")


# Reading the JSON sent -----------------------------------------------------------------------


class _Body:
    """The JSON object sent, read field by field; every problem is kept under the field's name
    as sent (``parties[1].pupil_id``, ``actions.sanction``) and raised together."""

    def __init__(self, data: object, fields: tuple[str, ...]) -> None:
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
        self.data = data
        self.errors: dict[str, str] = {}
        self.unknown(data, fields, prefix="")

    def unknown(self, data: dict[str, Any], fields: tuple[str, ...], *, prefix: str) -> None:
        for key in sorted(set(data) - set(fields)):
            self.errors[f"{prefix}{key}"] = "This field is not expected"

    def wrong_type(self, field: str, expected: str, value: object) -> None:
        self.errors[field] = f"Give {expected}, not {json_type(value)}"

    def text(
        self, data: dict[str, Any], key: str, field: str, *, required: bool = False
    ) -> str | None:
        """A string, or None when left out (or null, for what is optional)."""
        value = data.get(key)
        if value is None:
            if required:
                self.errors[field] = "This field is required"
            return None
        if not isinstance(value, str):
            self.wrong_type(field, "a string", value)
            return None
        return value

    def flag(self, data: dict[str, Any], key: str, field: str) -> bool:
        value = data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.wrong_type(field, "true or false", value)
            return False
        return value

    def identifier(self, data: dict[str, Any], key: str, field: str, what: str) -> str | None:
        value = self.text(data, key, field)
        if not value:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            self.errors[field] = f"Give the id of {what}"
            return None

    def check(self) -> None:
        if self.errors:
            raise exceptions.ValidationError({k: [v] for k, v in self.errors.items()})


def _parse_moment(text: str) -> datetime | None:
    """An ISO 8601 date and time, or None; without an offset it is a time in England."""
    if not DATETIME_SHAPE.fullmatch(text):
        return None
    try:
        parsed = parse_datetime(text)
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LONDON)
        if parsed is not None:
            parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed


def _moment(value: str, field: str, errors: dict[str, str]) -> datetime | None:
    parsed = _parse_moment(value.strip())
    if parsed is None:
        errors[field] = f"Give {DATETIME_HELP}"
    return parsed


def _bound(value: str, field: str, errors: dict[str, str], *, end: bool) -> datetime | None:
    """A date (from its start in England; as the end, the whole day included) or a date and
    time, bounding a list."""
    text = value.strip()
    if not DATE_SHAPE.fullmatch(text):
        moment = _parse_moment(text)
    else:
        try:
            day = parse_date(text)
            if day is not None and end:
                day += timedelta(days=1)
            moment = None if day is None else datetime.combine(day, time(), tzinfo=LONDON)
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        errors[field] = f"Give a date (2025-03-04) or {DATETIME_HELP}"
    return moment


def _service_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """The service's errors under the names the fields have in the JSON sent."""
    renamed = {
        (f"actions.{field}" if field in ACTION_FIELDS else field): messages
        for field, messages in error.message_dict.items()
    }
    return exceptions.ValidationError(renamed)


def _school_at_work(request: Request, urn: object) -> School:
    """The school if the user works there (staff, its leaders, its officers); else ``Http404``,
    as for a school that does not exist. Those who work at a school record incidents there,
    see its places, and see the incidents they may see there."""
    school = access.get_school_for_user(request.user, str(urn))
    if not access.can_record_incidents(request.user, school):
        raise Http404
    return school


def _category(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(IncidentCategory.choices, component="IncidentCategoryEnum", **kwargs)


def _party_role() -> NamedChoiceField:
    return NamedChoiceField(PartyRole.choices, component="PartyRoleEnum")


def _place_kind() -> NamedChoiceField:
    return NamedChoiceField(PlaceKind.choices, component="PlaceKindEnum")


# Serializers shared by the list and the detail -----------------------------------------------


class IncidentFields(serializers.Serializer):
    """What the list and the detail both say of an incident."""

    id = serializers.UUIDField()
    school_urn = serializers.IntegerField(source="school.urn")
    occurred_at = serializers.DateTimeField(help_text="When it happened (shown in UK time)")
    location_kind = serializers.ChoiceField(choices=LocationKind.choices)
    place_id = serializers.UUIDField(allow_null=True)
    category = _category()
    severity = serializers.ChoiceField(choices=Severity.choices)
    critical = serializers.BooleanField(help_text="Severity critical, or flagged critical")


@extend_schema_serializer(component_name="IncidentOutput")
class IncidentOutput(IncidentFields):
    parties = serializers.SerializerMethodField(help_text="How many parties it names")

    def get_parties(self, incident: Incident) -> int:
        return len(incident.parties.all())


@extend_schema_serializer(component_name="IncidentPartyOutput")
class IncidentPartyOutput(serializers.Serializer):
    role = _party_role()
    pupil_id = serializers.UUIDField(allow_null=True, help_text="A pupil of the school, or null")
    description = serializers.CharField(help_text="An outside person in words; empty for a pupil")


@extend_schema_serializer(component_name="IncidentActionsOutput")
class IncidentActionsOutput(serializers.Serializer):
    restorative_approach = serializers.BooleanField()
    restorative_outcome = serializers.CharField()
    sanction = serializers.CharField()
    advice = serializers.CharField()
    referral = serializers.CharField()


@extend_schema_serializer(component_name="PlaceOutput")
class PlaceOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = _place_kind()
    location_kind = serializers.ChoiceField(
        choices=LocationKind.choices, help_text="Where incidents at this place happen"
    )
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    plan_x = serializers.FloatField(
        allow_null=True, help_text="Pin on the site plan: per cent of its width from the left"
    )
    plan_y = serializers.FloatField(
        allow_null=True, help_text="Pin on the site plan: per cent of its height from the top"
    )


# What recording an incident takes, for the schema.


@extend_schema_serializer(component_name="IncidentPartyInput")
class IncidentPartyInput(serializers.Serializer):
    role = _party_role()
    pupil_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="A pupil of the school's register"
    )
    description = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=300,
        help_text="Someone who is not a pupil here, in words (instead of pupil_id)",
    )


@extend_schema_serializer(component_name="IncidentActionsInput")
class IncidentActionsInput(serializers.Serializer):
    restorative_approach = serializers.BooleanField(required=False, default=False)
    restorative_outcome = serializers.CharField(required=False, max_length=500)
    sanction = serializers.CharField(required=False, max_length=500)
    advice = serializers.CharField(required=False, max_length=500)
    referral = serializers.CharField(required=False, max_length=500)


# Endpoints -----------------------------------------------------------------------------------


class IncidentCategoryListApi(APIView):
    @extend_schema_serializer(component_name="IncidentCategoryOutput")
    class Output(serializers.Serializer):
        code = serializers.CharField(help_text="What POST /api/v1/incidents takes as category")
        name = serializers.CharField()

    @extend_schema(
        summary="The incident categories: the list of codes an incident's category takes",
        responses={200: Output(many=True)},
    )
    def get(self, request: Request) -> Response:
        categories = [{"code": code, "name": name} for code, name in IncidentCategory.choices]
        return Response(self.Output(categories, many=True).data)


class IncidentListRecordApi(APIView):
    # Describes the body for the schema; the view reads the JSON itself (see _Body) and the
    # service checks every value, as it checks the web form.
    @extend_schema_serializer(component_name="IncidentRecordInput")
    class Input(serializers.Serializer):
        school_urn = serializers.IntegerField(help_text="A school where you work")
        occurred_at = serializers.DateTimeField(
            help_text="ISO 8601; without an offset, a time in England. Not in the future."
        )
        location_kind = serializers.ChoiceField(choices=LocationKind.choices)
        place_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text="One of the school's places (GET /api/v1/schools/{urn}/places), "
            "fitting location_kind",
        )
        category = _category(
            help_text="A code from GET /api/v1/incident-categories",
        )
        severity = serializers.ChoiceField(choices=Severity.choices)
        flagged_critical = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Critical whatever its severity; a critical incident alerts at once",
        )
        description = serializers.CharField(max_length=DESCRIPTION_MAX, help_text="What happened")
        parties = serializers.ListField(
            child=IncidentPartyInput(),
            required=False,
            max_length=services.MAX_PARTIES,
            help_text="Who was involved: each a pupil (pupil_id) or described in words",
        )
        actions = IncidentActionsInput(required=False, allow_null=True, help_text="Actions taken")
        police_action = serializers.ChoiceField(
            choices=PoliceAction.choices, required=False, allow_null=True, default="none"
        )
        report_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text="The pupil's report to the school it came from, if any",
        )

    @extend_schema_serializer(component_name="IncidentRecordedOutput")
    class Recorded(serializers.Serializer):
        id = serializers.UUIDField()

    @extend_schema(
        summary=(
            "The incidents the user may see, newest first (each listed incident naming a "
            f"pupil is audited); the newest {LIST_LIMIT} unless limit says otherwise"
        ),
        parameters=[
            OpenApiParameter("school", OpenApiTypes.INT, description="Only this school (URN)"),
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description="Only incidents from this date (YYYY-MM-DD, from its start in UK "
                "time) or this ISO 8601 date and time on",
            ),
            OpenApiParameter(
                "until",
                OpenApiTypes.STR,
                description="Only incidents up to this date (YYYY-MM-DD, the whole day "
                "included) or before this ISO 8601 date and time",
            ),
            OpenApiParameter(
                "category",
                OpenApiTypes.STR,
                enum=IncidentCategory.values,
                description="Only this category",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"At most this many, newest first: {LIST_LIMIT} unless given, "
                f"{LIST_LIMIT_MAX} at most. For older ones, narrow with until.",
            ),
        ],
        responses={200: IncidentOutput(many=True), 400: BAD_INPUT, 404: NO_SCHOOL},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        errors: dict[str, str] = {}
        school = None
        if "school" in params:
            urn = params["school"].strip()
            if urn.isascii() and urn.isdigit():
                school = _school_at_work(request, urn)
            else:
                errors["school"] = "Give the school's URN, a whole number"
        since = _bound(params["since"], "since", errors, end=False) if "since" in params else None
        until = _bound(params["until"], "until", errors, end=True) if "until" in params else None
        if since is not None and until is not None and until <= since:
            errors["until"] = "Give an end after the start (since)"
        category = params.get("category", "")
        if "category" in params and category not in IncidentCategory.values:
            errors["category"] = "Choose one of: " + ", ".join(IncidentCategory.values)
        limit = LIST_LIMIT
        if "limit" in params:
            text = params["limit"].strip()
            digits = text.lstrip("0")
            if (
                text.isascii()
                and text.isdigit()
                and len(digits) <= 4
                and 1 <= int(digits or 0) <= LIST_LIMIT_MAX
            ):
                limit = int(digits)
            else:
                errors["limit"] = f"Give a whole number from 1 to {LIST_LIMIT_MAX}"
        if errors:
            raise exceptions.ValidationError({k: [v] for k, v in errors.items()})
        incidents = list(
            selectors.incident_list(
                user=request.user, school=school, since=since, until=until, category=category
            ).prefetch_related("parties")[:limit]
        )
        selectors.incident_audit_listing(
            user=request.user, incidents=incidents, source=audit_source(request._request)
        )
        return Response(IncidentOutput(incidents, many=True).data)

    @extend_schema(
        summary="Record an incident at a school where you work; a critical one alerts at once",
        request=Input,
        responses={
            201: Recorded,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="school_urn: no such school, or not one where you work"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = _Body(request.data, tuple(self.Input().fields))
        data = body.data
        urn = data.get("school_urn")
        if urn is None:
            body.errors["school_urn"] = "This field is required"
        elif isinstance(urn, bool) or not isinstance(urn, int):
            body.wrong_type("school_urn", "the school's URN as a number", urn)
        # Whether the school is one where the user works comes first: outsiders learn nothing
        # from the rest of what they sent.
        school = _school_at_work(request, urn) if "school_urn" not in body.errors else None
        texts = {
            key: body.text(data, key, key, required=True)
            for key in ("occurred_at", "location_kind", "category", "severity", "description")
        }
        occurred_at = (
            _moment(texts["occurred_at"], "occurred_at", body.errors)
            if texts["occurred_at"] is not None
            else None
        )
        place_id = body.identifier(data, "place_id", "place_id", "one of the school's places")
        report_id = body.identifier(data, "report_id", "report_id", "a pupil's report")
        police_action = body.text(data, "police_action", "police_action")
        flagged_critical = body.flag(data, "flagged_critical", "flagged_critical")
        parties = self._parties(body, data.get("parties"))
        actions = self._actions(body, data.get("actions"))
        body.check()
        assert school is not None  # the body's errors name school_urn otherwise
        incident_input = services.IncidentInput(
            occurred_at=occurred_at,
            location_kind=texts["location_kind"],
            category=texts["category"],
            severity=texts["severity"],
            description=texts["description"],
            place_id=place_id,
            flagged_critical=flagged_critical,
            parties=parties,
            police_action=police_action or PoliceAction.NONE,
            report_id=report_id,
            **actions,
        )
        try:
            incident = services.incident_record(
                actor=request.user,
                school=school,
                data=incident_input,
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            if "school_urn" in error.message_dict:
                raise Http404 from None
            raise _service_errors(error) from None
        location = reverse("api-incident", args=[incident.pk])
        return Response(self.Recorded(incident).data, status=201, headers={"Location": location})

    @staticmethod
    def _parties(body: _Body, parties: object) -> list[services.PartyInput]:
        if parties is None:
            return []
        if not isinstance(parties, list):
            body.wrong_type("parties", "a list", parties)
            return []
        if len(parties) > services.MAX_PARTIES:
            body.errors["parties"] = f"Give at most {services.MAX_PARTIES} parties"
            return []
        cleaned = []
        for index, party in enumerate(parties):
            field = f"parties[{index}]"
            if not isinstance(party, dict):
                body.wrong_type(field, "an object with a role and a pupil_id or description", party)
                continue
            body.unknown(party, PARTY_FIELDS, prefix=f"{field}.")
            role = body.text(party, "role", f"{field}.role", required=True)
            pupil_id = body.identifier(party, "pupil_id", f"{field}.pupil_id", "a pupil")
            description = body.text(party, "description", f"{field}.description")
            # A party left unreadable is not passed on; the body's errors name it.
            if role is not None:
                cleaned.append(
                    services.PartyInput(role=role, pupil_id=pupil_id, description=description or "")
                )
        return cleaned

    @staticmethod
    def _actions(body: _Body, actions: object) -> dict[str, Any]:
        if actions is None:
            return {}
        if not isinstance(actions, dict):
            body.wrong_type("actions", "an object", actions)
            return {}
        body.unknown(actions, ACTION_FIELDS, prefix="actions.")
        values: dict[str, Any] = {
            "restorative_approach": body.flag(
                actions, "restorative_approach", "actions.restorative_approach"
            )
        }
        for key in ACTION_TEXTS:
            values[key] = body.text(actions, key, f"actions.{key}") or ""
        return values


class IncidentDetailApi(APIView):
    @extend_schema_serializer(component_name="IncidentDetailOutput")
    class Output(IncidentFields):
        flagged_critical = serializers.BooleanField()
        description = serializers.CharField()
        parties = IncidentPartyOutput(many=True, source="parties.all")
        actions = IncidentActionsOutput(source="*")
        police_action = serializers.ChoiceField(choices=PoliceAction.choices)
        report_id = serializers.UUIDField(allow_null=True)
        version = serializers.IntegerField(help_text="1 when recorded; one more with each change")
        recorded_by = PersonOutput()
        recorded_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()

    @extend_schema(
        summary="One incident with its parties and actions (each read naming a pupil is audited)",
        responses={200: Output, 404: NOT_FOUND},
    )
    def get(self, request: Request, incident_id: str) -> Response:
        incident: Incident = selectors.incident_get(
            user=request.user, incident_id=incident_id, source=audit_source(request._request)
        )
        return Response(self.Output(incident).data)


class PlaceListCreateApi(APIView):
    @extend_schema_serializer(component_name="PlaceCreateInput")
    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=120, help_text="Unique within the school")
        kind = _place_kind()
        latitude = serializers.FloatField(
            required=False, allow_null=True, min_value=49.0, max_value=61.0
        )
        longitude = serializers.FloatField(
            required=False, allow_null=True, min_value=-9.0, max_value=2.5
        )
        plan_x = serializers.FloatField(
            required=False,
            allow_null=True,
            min_value=0,
            max_value=100,
            help_text="Pin on the site plan, per cent of its width; give plan_y with it",
        )
        plan_y = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)

    @extend_schema(
        summary="The school's places, for those who work at the school",
        responses={200: PlaceOutput(many=True), 404: NO_SCHOOL},
    )
    def get(self, request: Request, urn: int) -> Response:
        school = _school_at_work(request, urn)
        places = selectors.place_list(user=request.user, school=school)
        return Response(PlaceOutput(places, many=True).data)

    @extend_schema(
        summary="Add a place to the school's list (its leaders and SSP officers)",
        request=Input,
        responses={
            201: PlaceOutput,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="No such school, or not one whose places you keep"
            ),
        },
    )
    def post(self, request: Request, urn: int) -> Response:
        school = access.get_school_for_user(request.user, urn)
        if not access.can_keep_places(request.user, school):
            raise Http404
        body = _Body(request.data, tuple(self.Input().fields))
        body.check()
        data = body.data
        try:
            place: Place = services.place_create(
                actor=request.user,
                school=school,
                name=data.get("name"),
                kind=data.get("kind"),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                plan_x=data.get("plan_x"),
                plan_y=data.get("plan_y"),
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            if "school_urn" in error.message_dict:
                raise Http404 from None
            raise _service_errors(error) from None
        return Response(PlaceOutput(place).data, status=201)
