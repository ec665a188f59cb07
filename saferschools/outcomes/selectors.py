"""Reads of indicators and their values. Published school figures and neighbourhood deprivation
are public facts: callers have already found the schools through the access policy."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from saferschools.core.models import School

from .models import Indicator, IndicatorValue, LsoaDeprivation


def indicator_list(*, source: str | None = None) -> QuerySet[Indicator]:
    """The catalogue of indicators, in name order (only those of one source if given)."""
    indicators = Indicator.objects.order_by("name")
    return indicators.filter(source=source) if source else indicators


@dataclass(frozen=True)
class SourceGroup:
    """The indicators of one source, for the catalogue's page."""

    source: str
    label: str
    indicators: list[Indicator]


def indicator_catalogue() -> list[SourceGroup]:
    """The catalogue grouped by source (imported, surveyed, computed, in that order), each in
    name order; a source with no indicator is left out. One query."""
    by_source: dict[str, list[Indicator]] = {code: [] for code in Indicator.Source.values}
    for indicator in indicator_list():
        by_source[indicator.source].append(indicator)
    return [
        SourceGroup(code, str(label), by_source[code])
        for code, label in Indicator.Source.choices
        if by_source[code]
    ]


def latest_values(
    *, schools: Iterable[School], codes: Iterable[str], until: date | None = None
) -> dict[tuple[uuid.UUID, str], IndicatorValue]:
    """Each school's most recent value of each indicator (suppressed ones included), keyed by
    (school id, indicator code); periods starting after ``until`` are left out. One query."""
    school_ids = [school.pk for school in schools]
    codes = list(codes)
    values = IndicatorValue.objects.filter(school_id__in=school_ids, indicator_id__in=codes)
    if until is not None:
        values = values.filter(period_start__lte=until)
    found: dict[tuple[uuid.UUID, str], IndicatorValue] = {}
    for value in values.order_by("period_start"):
        assert value.school_id is not None
        found[(value.school_id, value.indicator_id)] = value
    return found


def school_values(*, school: School, codes: Iterable[str] | None = None) -> list[IndicatorValue]:
    """The school's imported values, by indicator and period. One query."""
    values = IndicatorValue.objects.filter(school=school).select_related("indicator")
    if codes is not None:
        values = values.filter(indicator_id__in=list(codes))
    return list(values.order_by("indicator__name", "period_start"))


def deprivation_by_school(*, schools: Iterable[School]) -> dict[uuid.UUID, LsoaDeprivation]:
    """The deprivation of each school's neighbourhood, joined through the register's LSOA code;
    a school without a code, or whose code is not in the imported index, is left out. One
    query."""
    schools = list(schools)
    codes = {school.lsoa_code for school in schools if school.lsoa_code}
    index = {row.lsoa_code: row for row in LsoaDeprivation.objects.filter(lsoa_code__in=codes)}
    return {school.pk: index[school.lsoa_code] for school in schools if school.lsoa_code in index}
