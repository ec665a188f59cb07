"""Indicators in the API: the catalogue, and a school's values of every indicator by period.

A school's values are read through ``values.indicator_values``, for a school the user sees (the
access policy; anyone else gets 404, as for a school that does not exist). What is left out:

- computed figures about pupils' records (reports, incidents, repeat victims, referrals, sharing
  decisions), for a user who does not see the school's counts in full, where they could give
  away a count from 1 to 4, alone or beside another figure of any period or indicator
  (``indicator_suppression.school_hidden``);
- survey figures from fewer than five pupils' answers, for everyone;
- figures the publisher suppressed, as published.

Each is given with a null ``value`` and ``suppressed: true``. A user who sees the school's
counts in full reads its records' counts, small ones included: the read is audited.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import URLPattern, path
from django.utils import timezone
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

from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction, School
from saferschools.lib.schooldays import academic_year_of
from saferschools.lib.suppression import SUPPRESS_BELOW

from .computed import PUPIL_RECORD_CODES
from .indicator_suppression import school_hidden
from .models import Indicator, PeriodKind
from .periods import FIRST_YEAR, LAST_YEAR, Period, PeriodError, parse_period, periods_between
from .selectors import indicator_list
from .values import Value, area_values, indicator_values

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR + 1, 8, 31)
# Without ``since``: this academic year and the four before it.
DEFAULT_YEARS = 5
# Each source's own kind of period, used when ``kind`` is not given.
NATURAL_KIND = {
    Indicator.Source.IMPORTED: PeriodKind.YEAR,
    Indicator.Source.SURVEYED: PeriodKind.TERM,
    Indicator.Source.COMPUTED: PeriodKind.YEAR,
}
ECHOED = 40  # characters of a bad code repeated in its error


def _figure(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=15, decimal_places=3, coerce_to_string=False, **kwargs
    )


class IndicatorListApi(APIView):
    @extend_schema_serializer(component_name="IndicatorOutput")
    class Output(serializers.Serializer):
        code = serializers.CharField(help_text="The indicator's code, as `code` takes it")
        name = serializers.CharField()
        unit = NamedChoiceField(Indicator.Unit.choices, component="IndicatorUnitEnum")
        lower_is_better = serializers.BooleanField()
        level = NamedChoiceField(
            Indicator.Level.choices,
            component="IndicatorLevelEnum",
            help_text="Whether there is a figure for each school, or only for the whole area",
        )
        source = NamedChoiceField(  # type: ignore[assignment]
            Indicator.Source.choices, component="IndicatorSourceEnum"
        )

    @extend_schema(
        summary="The catalogue of indicators, in name order",
        description="Every indicator SaferSchools gives values of: imported from published "
        "figures (one a school and academic year), surveyed (the pupil perception survey, one "
        "a school and term) and computed from SaferSchools' own records (any academic year, "
        "term or month). The page `/indicators/` describes each.",
        responses={200: Output(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(self.Output(indicator_list(), many=True).data)


@dataclass(frozen=True)
class Query:
    """What a request for a school's values asks: the indicators, the kind of period (or each
    indicator's own) and the span."""

    indicators: list[Indicator]
    kind: str | None
    since: date
    until: date

    def kind_of(self, indicator: Indicator) -> str:
        return self.kind or NATURAL_KIND[Indicator.Source(indicator.source)]


def _day(params: Any, name: str, errors: dict[str, list[str]], *, end: bool) -> date | None:
    """A period's first day (or, with ``end``, its last) or a date, from ``name``."""
    if name not in params:
        return None
    text = params[name].strip()
    if ISO_DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors[name] = [
                f"“{text}” is not a date: give one as YYYY-MM-DD, for example 2026-03-02"
            ]
            return None
        if not FIRST_DAY <= day <= LAST_DAY:
            errors[name] = [f"Give a date from {FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}"]
            return None
        return day
    try:
        period = parse_period(text)
    except PeriodError as error:
        errors[name] = [f"{error} Or give a date as YYYY-MM-DD."]
        return None
    return period.end if end else period.start


def school_query(params: Any, today: date) -> Query:
    """The request's ``code``, ``kind``, ``since`` and ``until``, checked; a ``ValidationError``
    naming each bad one. Without ``code`` every indicator; without ``kind`` each indicator's own
    kind of period; without ``since`` the start of the academic year four before this one;
    without ``until`` today."""
    errors: dict[str, list[str]] = {}
    indicators = list(indicator_list())
    code = params.get("code")
    if code is not None:
        indicators = [indicator for indicator in indicators if indicator.code == code.strip()]
        if not indicators:
            errors["code"] = [
                f"No indicator has the code “{code[:ECHOED]}”: see GET /api/v1/indicators"
            ]
    kind = params.get("kind")
    if kind is not None and kind not in PeriodKind.values:
        errors["kind"] = [f"Give one of {', '.join(PeriodKind.values)}"]
    since = _day(params, "since", errors, end=False)
    until = _day(params, "until", errors, end=True)
    if since is None and "since" not in errors:
        since = date(academic_year_of(today) - DEFAULT_YEARS + 1, 9, 1)
    if until is None and "until" not in errors:
        until = today
    if since is not None and until is not None and since > until:
        errors["since"] = ["Give a start on or before the end (until)"]
    if errors:
        raise exceptions.ValidationError(errors)
    assert since is not None and until is not None
    return Query(indicators, kind, since, until)


@dataclass(frozen=True)
class Row:
    code: str
    period: str
    value: Any
    source: str
    suppressed: bool


def _row(value: Value, hidden: set[tuple[str, str]]) -> Row:
    """A value as the API gives it: left out when its publisher suppressed it, when it is one
    of ``hidden``, or when it is a survey figure from fewer than five pupils' answers."""
    left_out = (
        value.suppressed
        or (value.code, value.period.label) in hidden
        or (value.source == Indicator.Source.SURVEYED and (value.respondents or 0) < SUPPRESS_BELOW)
    )
    return Row(
        code=value.code,
        period=value.period.label,
        value=None if left_out else value.value,
        source=value.source,
        suppressed=left_out,
    )


def school_rows(*, school: School, query: Query, in_full: bool) -> list[Row]:
    """The school's values as a user who sees its counts in full (``in_full``), or not, may see
    them, indicator by indicator (in code order), period by period; for an area-level indicator,
    the figures of the school's area."""
    found: dict[str, list[Value]] = {}
    periods: list[Period] = []
    for indicator in sorted(query.indicators, key=lambda i: i.code):
        kind = query.kind_of(indicator)
        since, until = query.since, query.until
        if indicator.level == Indicator.Level.AREA:
            # The school's area's own figure: there is none for the school alone.
            area = area_values(
                indicator=indicator, area=school.area_id, kind=kind, since=since, until=until
            )
            found[indicator.code] = list(area.values())
            continue
        by_school = indicator_values(
            indicator=indicator, schools=[school], kind=kind, since=since, until=until
        )
        found[indicator.code] = list(by_school[school.pk].values())
        if indicator.code in PUPIL_RECORD_CODES:
            periods += periods_between(kind, since, until)
    hidden: set[tuple[str, str]] = set()
    if not in_full and periods:
        hidden = school_hidden(school=school, codes=found, periods=periods)
    return [_row(value, hidden) for values in found.values() for value in values]


class SchoolIndicatorValuesApi(APIView):
    @extend_schema_serializer(component_name="SchoolIndicatorValueOutput")
    class Output(serializers.Serializer):
        code = serializers.CharField(help_text="The indicator's code")
        period = serializers.CharField(
            help_text="An academic year (2025/26), a term (2025/26 autumn: September to "
            "December; spring: January to March; summer: April to August) or a month (2026-03)"
        )
        value = _figure(
            allow_null=True,
            help_text="In the indicator's unit. Null when `suppressed`, or when there is "
            "nothing to work it out from (no report to take a share of, a number of pupils not "
            "known)",
        )
        source = NamedChoiceField(  # type: ignore[assignment]
            Indicator.Source.choices, component="IndicatorSourceEnum"
        )
        suppressed = serializers.BooleanField(
            help_text="The value is left out: suppressed by its publisher; a survey figure from "
            f"fewer than {SUPPRESS_BELOW} pupils' answers; or, for those who do not see the "
            "school's records, a figure counted from records about pupils that could give away "
            f"a count from 1 to {SUPPRESS_BELOW - 1}, alone or beside another figure"
        )

    @extend_schema(
        summary="A school's values of every indicator (or one), period by period",
        description=(
            "For a school you see. Imported figures are given by academic year, surveyed ones by "
            "term and computed ones, unless `kind` says otherwise, by academic year; an "
            "area-level indicator (`level` `area`) gives the figures of the school's area; computed "
            "figures are always up to date, the period holding today giving the figure so far, "
            "and a period yet to begin has none. An imported or surveyed period with no figure "
            "is left out. Rows are in code order, then period order."
        ),
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, description="One indicator's code"),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=PeriodKind.values,
                description="Periods of this kind for every indicator (an imported indicator "
                "has only years, a surveyed one terms); each indicator's own kind if not given",
            ),
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description="The first period (2025/26, 2025/26 autumn, 2026-03) or day "
                "(YYYY-MM-DD, UK time): periods overlapping it on are given. The start of the "
                "academic year four before this one if not given",
            ),
            OpenApiParameter(
                "until",
                OpenApiTypes.STR,
                description="The last period or day, as `since`; today if not given",
            ),
        ],
        responses={
            200: Output(many=True),
            400: OpenApiResponse(
                ErrorOutput, description="A bad code, kind, since or until, named"
            ),
            404: OpenApiResponse(DetailOutput, description="No such school, or not one you see"),
        },
    )
    def get(self, request: Request, urn: int) -> Response:
        user = request.user
        school = access.get_school_for_user(user, urn)
        query = school_query(request.query_params, timezone.localdate())
        in_full = access.sees_school_counts_in_full(user, school)
        rows = school_rows(school=school, query=query, in_full=in_full)
        pupil_codes = sorted({row.code for row in rows if row.code in PUPIL_RECORD_CODES})
        if pupil_codes and in_full:
            audit_record(
                actor=user,
                action=AuditAction.VIEW,
                source=audit_source(request._request),
                obj=school,
                detail={
                    "what": "indicator values",
                    "codes": pupil_codes,
                    "kind": query.kind or "",
                    "since": query.since.isoformat(),
                    "until": query.until.isoformat(),
                },
            )
        return Response(self.Output(rows, many=True).data)


urlpatterns: list[URLPattern] = [
    path("indicators", IndicatorListApi.as_view(), name="api-indicators"),
    path(
        "schools/<int:urn>/indicators",
        SchoolIndicatorValuesApi.as_view(),
        name="api-school-indicators",
    ),
]
