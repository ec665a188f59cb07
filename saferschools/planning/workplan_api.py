"""The work-plan API: a partnership's plan for a year with its targets' progress, adding outcomes
(with their partner roles, actions and targets) to it, and recording an action's progress.

Plans are written only through the services, which check every value as they do for the web
forms. This module checks what the JSON itself says (an object, no unknown keys, text where
text is expected, a date as YYYY-MM-DD, a number where a figure is), naming each problem by its
path in the body (``outcomes[0].targets[1].baseline``). Whether the partnership or the action is
within reach comes first: outsiders get 404 whatever else they sent.
"""

import re
import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.urls import URLPattern, path, reverse
from django.utils import timezone
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
from saferschools.core.models import Partnership
from saferschools.lib.schooldays import academic_year_label

from . import workplan_selectors as selectors
from . import workplan_services as services
from .models import ActionStatus, CoreAim, Workplan, WorkplanAction
from .workplan_services import ActionInput, OutcomeInput, RoleInput, TargetInput

DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
YEAR_DIGITS = 4
BAD_INPUT = OpenApiResponse(
    ErrorOutput, description="Bad input: each offending field named by its path in the body"
)
PROGRESS_STATUSES = [
    (selectors.ProgressStatus.MET, "The figure has reached the target"),
    (selectors.ProgressStatus.ON_TRACK, "At or better than the straight line to the target"),
    (selectors.ProgressStatus.BEHIND, "Worse than the straight line to the target"),
    (selectors.ProgressStatus.NO_FIGURE, "No figure since the baseline date"),
    (
        selectors.ProgressStatus.NOT_SHOWN,
        "Not shown to you: the figure could give away a count from 1 to 4",
    ),
]

OUTCOME_KEYS = ("aim", "text", "partner_roles", "actions", "targets")
ROLE_KEYS = ("partner", "agency_id", "role")
ACTION_KEYS = ("description", "owner_email", "owner_name", "due_on")
TARGET_KEYS = (
    "description",
    "indicator",
    "measure",
    "baseline",
    "baseline_on",
    "target_value",
    "target_on",
)


def _aim_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(CoreAim.choices, component="CoreAimEnum", **kwargs)


def _status_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ActionStatus.choices, component="WorkplanActionStatusEnum", **kwargs)


def _figure(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=3, coerce_to_string=False, **kwargs
    )


# Output ------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="WorkplanPartnerRoleOutput")
class RoleOutput(serializers.Serializer):
    partner = serializers.CharField()
    agency_id = serializers.UUIDField(allow_null=True)
    role = serializers.CharField()


@extend_schema_serializer(component_name="WorkplanActionOutput")
class ActionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    description = serializers.CharField()
    owner_email = serializers.EmailField(
        allow_null=True, help_text="The owner's e-mail when the owner is a user; else null"
    )
    owner_name = serializers.CharField(
        allow_null=True, help_text="The owner's name as typed when not a user; else null"
    )
    due_on = serializers.DateField()
    status = _status_field()
    overdue = serializers.BooleanField(help_text="Not done nor dropped, and due before today")
    completed_on = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="WorkplanTargetOutput")
class TargetOutput(serializers.Serializer):
    id = serializers.UUIDField()
    description = serializers.CharField()
    indicator = serializers.CharField(
        allow_null=True, help_text="An indicator's code; null for a target measured by hand"
    )
    measure = serializers.CharField(
        allow_null=True, help_text="What is measured by hand; null for an indicator"
    )
    baseline = _figure()
    baseline_on = serializers.DateField()
    target_value = _figure()
    target_on = serializers.DateField()
    current = _figure(
        allow_null=True,
        help_text="Computed indicators: the latest full school month over the partnership's "
        "schools; imported: the mean of the schools' latest published figures; by hand: the "
        "latest measurement; surveyed: the latest term at least five pupils answered; area-level: the "
        "area's latest figure. Null when there is none, or when it could give away a count from 1 to 4 "
        "you may not see",
    )
    status = NamedChoiceField(PROGRESS_STATUSES, component="WorkplanTargetStatusEnum")


@extend_schema_serializer(component_name="WorkplanOutcomeOutput")
class OutcomeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    aim = _aim_field()
    text = serializers.CharField()
    partner_roles = RoleOutput(many=True)
    actions = ActionOutput(many=True)
    targets = TargetOutput(many=True)


@extend_schema_serializer(component_name="WorkplanOutput")
class WorkplanOutput(serializers.Serializer):
    id = serializers.UUIDField()
    partnership_id = serializers.UUIDField()
    year = serializers.IntegerField(help_text="The year the academic year starts (2025: 2025/26)")
    year_label = serializers.CharField()
    status = NamedChoiceField(Workplan.Status.choices, component="WorkplanStatusEnum")
    agreed_on = serializers.DateField(allow_null=True)
    outcomes = OutcomeOutput(many=True)


def action_data(action: WorkplanAction, today: date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "description": action.description,
        "owner_email": action.owner.email if action.owner is not None else None,
        "owner_name": action.owner_name if action.owner is None else None,
        "due_on": action.due_on,
        "status": action.status,
        "overdue": services.action_is_overdue(action, today),
        "completed_on": action.completed_on,
    }


def workplan_data(workplan: Workplan, user: Any, today: date) -> dict[str, Any]:
    """The plan (fetched with ``workplan_get``) as the API gives it, with its targets' progress
    as this user may see it."""
    targets = selectors.workplan_targets(workplan)
    progress: dict[Any, selectors.Progress] = {}
    if targets:
        counts = selectors.counts_for(
            user=user, schools=workplan.partnership.schools.order_by("name")
        )
        progress = selectors.target_progress(targets=targets, counts=counts, today=today)
    return {
        "id": workplan.pk,
        "partnership_id": workplan.partnership_id,
        "year": workplan.year,
        "year_label": workplan.year_label,
        "status": workplan.status,
        "agreed_on": workplan.agreed_on,
        "outcomes": [
            {
                "id": outcome.pk,
                "aim": outcome.aim,
                "text": outcome.text,
                "partner_roles": [
                    {"partner": r.partner, "agency_id": r.agency_id, "role": r.role}
                    for r in outcome.partner_roles.all()
                ],
                "actions": [action_data(a, today) for a in outcome.actions.all()],
                "targets": [
                    {
                        "id": t.pk,
                        "description": t.description,
                        "indicator": t.indicator_id,
                        "measure": t.measure or None,
                        "baseline": t.baseline,
                        "baseline_on": t.baseline_on,
                        "target_value": t.target_value,
                        "target_on": t.target_on,
                        "current": progress[t.pk].api_current,
                        "status": progress[t.pk].status,
                    }
                    for t in outcome.targets.all()
                ],
            }
            for outcome in workplan.outcomes.all()
        ],
    }


# Reading the body --------------------------------------------------------------------------------


class _Body:
    """Reads the JSON body, keeping each problem under the path of the field it is about."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def mapping(self, value: object, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            if not where:
                raise exceptions.ValidationError(
                    {"non_field_errors": [f"Send a JSON object, not {json_type(value)}"]}
                )
            self.errors[where] = f"Send a JSON object, not {json_type(value)}"
            return {}
        for key in sorted(set(value) - set(keys)):
            self.errors[_at(where, key)] = "This field is not expected"
        return value

    def objects(self, data: dict[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.errors[_at(where, key)] = f"Give a list, not {json_type(value)}"
            return []
        return value

    def text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[_at(where, key)] = f"Give a string, not {json_type(value)}"
            return None
        return value

    def day(self, data: dict[str, Any], key: str, where: str) -> date | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[_at(where, key)] = f"Give a date as YYYY-MM-DD, not {json_type(value)}"
            return None
        try:
            if not DATE_SHAPE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.errors[_at(where, key)] = "Give a real date as YYYY-MM-DD, for example 2026-07-31"
            return None

    def number(self, data: dict[str, Any], key: str, where: str) -> object:
        value = data.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.errors[_at(where, key)] = f"Give a number, not {json_type(value)}"
            return None
        return value

    def check(self) -> None:
        if self.errors:
            raise exceptions.ValidationError({k: [v] for k, v in self.errors.items()})


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _owner_by_email(owners: Any, email: str) -> Any:
    """The active user of the partnership with this e-mail address; ``None`` for anything that
    is not an e-mail address (looked up as one, a NUL byte would fail in PostgreSQL)."""
    email = email.strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        return None
    return owners.filter(email__iexact=email).first()


def _outcomes(body: _Body, data: dict[str, Any], partnership: Partnership) -> list[OutcomeInput]:
    owners = services.workplan_action_owners(partnership=partnership)
    outcomes = []
    for index, item in enumerate(body.objects(data, "outcomes", "")):
        where = f"outcomes[{index}]"
        one = body.mapping(item, where, OUTCOME_KEYS)
        outcome = OutcomeInput(aim=body.text(one, "aim", where), text=body.text(one, "text", where))
        for number, role_item in enumerate(body.objects(one, "partner_roles", where)):
            at = f"{where}.partner_roles[{number}]"
            role = body.mapping(role_item, at, ROLE_KEYS)
            outcome.partner_roles.append(
                RoleInput(
                    partner=body.text(role, "partner", at),
                    role=body.text(role, "role", at),
                    agency_id=body.text(role, "agency_id", at),
                )
            )
        for number, action_item in enumerate(body.objects(one, "actions", where)):
            at = f"{where}.actions[{number}]"
            action = body.mapping(action_item, at, ACTION_KEYS)
            email = body.text(action, "owner_email", at)
            owner_id = None
            if email:
                owner = _owner_by_email(owners, email)
                if owner is None:
                    body.errors[f"{at}.owner_email"] = (
                        "Give the e-mail address of an active user who works in the partnership"
                    )
                else:
                    owner_id = owner.pk
            outcome.actions.append(
                ActionInput(
                    description=body.text(action, "description", at),
                    owner_id=owner_id,
                    owner_name=body.text(action, "owner_name", at),
                    due_on=body.day(action, "due_on", at),
                )
            )
        for number, target_item in enumerate(body.objects(one, "targets", where)):
            at = f"{where}.targets[{number}]"
            target = body.mapping(target_item, at, TARGET_KEYS)
            outcome.targets.append(
                TargetInput(
                    description=body.text(target, "description", at),
                    indicator=body.text(target, "indicator", at),
                    measure=body.text(target, "measure", at),
                    baseline=body.number(target, "baseline", at),
                    baseline_on=body.day(target, "baseline_on", at),
                    target_value=body.number(target, "target_value", at),
                    target_on=body.day(target, "target_on", at),
                )
            )
        outcomes.append(outcome)
    return outcomes


def _api_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """The service's errors with the API's names: an action's owner is chosen by e-mail."""
    renamed = {}
    for key, texts in error.message_dict.items():
        if key == "owner_id" or key.endswith(".owner_id"):
            key = key[: -len("owner_id")] + "owner_email"
        renamed[key] = texts
    return exceptions.ValidationError(renamed)


# The views ---------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="WorkplanPartnerRoleInput")
class RoleBody(serializers.Serializer):
    partner = serializers.CharField(required=False, help_text="Who; left out, the agency's name")
    agency_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="An agency of the partnership's area"
    )
    role = serializers.CharField(help_text="What the partner does towards the outcome")


@extend_schema_serializer(component_name="WorkplanActionInput")
class ActionBody(serializers.Serializer):
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX)
    owner_email = serializers.EmailField(
        required=False, help_text="An active user who works in the partnership; or owner_name"
    )
    owner_name = serializers.CharField(
        required=False, help_text="The owner's name when not a user of SaferSchools"
    )
    due_on = serializers.DateField(
        help_text="From 1 January of the plan's year to 31 August two years later"
    )


@extend_schema_serializer(component_name="WorkplanTargetInput")
class TargetBody(serializers.Serializer):
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX)
    indicator = serializers.CharField(
        required=False, allow_null=True, help_text="An indicator's code from the catalogue"
    )
    measure = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="What is measured by hand, when there is no indicator",
    )
    baseline = _figure(help_text="The figure when the target was set (a number or its text)")
    baseline_on = serializers.DateField()
    target_value = _figure()
    target_on = serializers.DateField(help_text="After baseline_on")


@extend_schema_serializer(component_name="WorkplanOutcomeInput")
class OutcomeBody(serializers.Serializer):
    aim = _aim_field()
    text = serializers.CharField(max_length=services.OUTCOME_MAX)
    partner_roles = RoleBody(many=True, required=False)
    actions = ActionBody(many=True, required=False)
    targets = TargetBody(many=True, required=False)


@extend_schema_serializer(component_name="WorkplanAddInput")
class WorkplanAddBody(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        help_text="The year the academic year starts; left out, the present academic year",
    )
    outcomes = OutcomeBody(many=True)


class WorkplanApi(APIView):
    @extend_schema(
        summary="A partnership's work-plan for an academic year, with its targets' progress",
        parameters=[
            OpenApiParameter(
                "year",
                int,
                description="The year the academic year starts (2025 for 2025/26); the present "
                "academic year when left out",
            )
        ],
        responses={
            200: WorkplanOutput,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="No such partnership, or no work-plan that year"
            ),
        },
    )
    def get(self, request: Request, partnership_id: uuid.UUID) -> Response:
        partnership = access.get_governed_partnership_for_user(request.user, partnership_id)
        today = timezone.localdate()
        raw = request.query_params.get("year")
        year = services.current_year(today)
        if raw is not None:
            # Four digits at most: int() refuses a number of thousands of digits by raising.
            wellformed = raw.isascii() and raw.isdigit() and len(raw) <= YEAR_DIGITS
            checked = services.check_year(int(raw)) if wellformed else None
            if checked is None:
                raise exceptions.ValidationError(
                    {"year": [f"Give a year from {services.YEAR_MIN} to {services.YEAR_MAX}"]}
                )
            year = checked
        workplan = selectors.workplan_get(partnership=partnership, year=year)
        if workplan is None:
            return Response(
                {"detail": f"No work-plan for {academic_year_label(year)}."}, status=404
            )
        return Response(WorkplanOutput(workplan_data(workplan, request.user, today)).data)

    @extend_schema(
        summary="Add outcomes, each with its partner roles, actions and targets, to a year's "
        "work-plan, starting the plan if there is none (the partnership's head teachers, "
        "steering group members and area administrators). All or nothing",
        request=WorkplanAddBody,
        responses={
            201: WorkplanOutput,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="No such partnership, or not one whose plan you keep"
            ),
        },
    )
    def post(self, request: Request, partnership_id: uuid.UUID) -> Response:
        user = request.user
        partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
        body = _Body()
        data = body.mapping(request.data, "", ("year", "outcomes"))
        year: object = data.get("year", None)
        if year is None:
            year = services.current_year()
        elif isinstance(year, bool) or not isinstance(year, int):
            body.errors["year"] = f"Give a whole number, not {json_type(year)}"
        if "outcomes" not in data and data:
            body.errors["outcomes"] = "This field is required"
        outcomes = _outcomes(body, data, partnership)
        body.check()
        try:
            workplan = services.workplan_outcomes_add(
                actor=user,
                partnership=partnership,
                year=year,
                outcomes=outcomes,
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            raise _api_errors(error) from None
        fetched = selectors.workplan_get(partnership=partnership, year=workplan.year)
        assert fetched is not None
        location = reverse("planning-workplan-year", args=[partnership.pk, workplan.year])
        return Response(
            WorkplanOutput(workplan_data(fetched, user, timezone.localdate())).data,
            status=201,
            headers={"Location": location},
        )


class WorkplanActionStatusApi(APIView):
    @extend_schema_serializer(component_name="WorkplanActionStatusInput")
    class Input(serializers.Serializer):
        status = _status_field(help_text="Done sets completed_on; reopening clears it")
        note = serializers.CharField(
            required=False,
            allow_null=True,
            max_length=services.NOTE_MAX,
            help_text="A progress note; required to drop the action, or to give the status "
            "it already has",
        )

    @extend_schema(
        summary="Record progress on a work-plan action: its status and a note (the action's "
        "owner, or one who keeps the partnership's governance)",
        request=Input,
        responses={
            200: ActionOutput,
            400: BAD_INPUT,
            404: OpenApiResponse(DetailOutput, description="No such action, or not one you update"),
        },
    )
    def post(self, request: Request, action_id: uuid.UUID) -> Response:
        action = access.get_workplan_action_for_user(request.user, action_id, write=True)
        body = _Body()
        data = body.mapping(request.data, "", ("status", "note"))
        status = body.text(data, "status", "")
        if "status" not in body.errors and status is None:
            body.errors["status"] = "This field is required"
        note = body.text(data, "note", "")
        body.check()
        changed = services.workplan_action_update_status(
            actor=request.user,
            action=action,
            status=status,
            note=note or "",
            source=audit_source(request._request),
        )
        fresh = WorkplanAction.objects.select_related("owner").get(pk=changed.pk)
        return Response(ActionOutput(action_data(fresh, timezone.localdate())).data)


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/workplan",
        WorkplanApi.as_view(),
        name="api-workplan",
    ),
    path(
        "workplan-actions/<uuid:action_id>/status",
        WorkplanActionStatusApi.as_view(),
        name="api-workplan-action-status",
    ),
]
