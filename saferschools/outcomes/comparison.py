"""Choosing comparison schools for a partnership: the area's schools that are like the
partnership's in phase, size, deprivation and the indicator's level before the partnership
began, but are in no partnership.

Candidates (``comparison_candidates``) are the area's open schools in no partnership whose phase
is the phase of one of the partnership's schools. Each partnership school is matched to its
nearest candidates of its own phase (``comparison_matches``), measured on three things, each
divided by its standard deviation across the partnership's schools and the candidates so that
none outweighs the others for its units alone:

- size: pupils on roll, as the register gives it;
- deprivation: the Index of Multiple Deprivation rank of the school's neighbourhood;
- the indicator's mean over the periods before the partnership began.

The distance is the root mean square of the differences over the measures both schools have (a
school without a size or a deprivation rank is matched on the others). A candidate with no
figure before the start cannot be matched. Matches are made nearest first over all pairs, and
each candidate is used once (without replacement), so that every partnership school gets its
own comparison schools, ``DEFAULT_PER_SCHOOL`` each unless told otherwise.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from saferschools.core.models import Partnership, School

from .evaluation_data import Panel, panel_read
from .models import Indicator, LsoaDeprivation
from .selectors import deprivation_by_school

DEFAULT_PER_SCHOOL = 3
MAX_PER_SCHOOL = 10


@dataclass(frozen=True)
class Profile:
    """What a school is matched on."""

    school: School
    pupils: int | None
    deprivation: LsoaDeprivation | None
    before: float | None  # the indicator's mean before the partnership began

    def measures(self) -> tuple[float | None, float | None, float | None]:
        rank = self.deprivation.imd_rank if self.deprivation is not None else None
        return (
            float(self.pupils) if self.pupils is not None else None,
            float(rank) if rank is not None else None,
            self.before,
        )


@dataclass(frozen=True)
class Match:
    """A comparison school, the partnership school it was matched to, and how far apart they
    are (0: alike in every measure; 1: a standard deviation apart on average)."""

    comparison: Profile
    partner: Profile
    distance: float

    @property
    def school(self) -> School:
        return self.comparison.school


def comparison_candidates(*, partnership: Partnership) -> QuerySet[School]:
    """The area's open schools in no partnership, of the phase of one of the partnership's
    schools, in name order."""
    phases = {
        phase for phase in partnership.schools.values_list("phase", flat=True) if phase.strip()
    }
    return School.objects.filter(
        area_id=partnership.area_id,
        is_open=True,
        partnership_link__isnull=True,
        phase__in=phases,
    ).order_by("name", "urn")


def profiles(*, schools: list[School], panel: Panel, started_on: date) -> dict[int, Profile]:
    """Each school's size, deprivation and mean before ``started_on``, keyed by URN. One
    query."""
    deprivation = deprivation_by_school(schools=schools)
    return {
        school.urn: Profile(
            school=school,
            pupils=school.number_of_pupils,
            deprivation=deprivation.get(school.pk),
            before=panel.mean(school.pk, started_on),
        )
        for school in schools
    }


def _spreads(pool: list[Profile]) -> list[float]:
    """Each measure's standard deviation over the pool (0 where it cannot be worked out)."""
    spreads = []
    for index in range(3):
        values = [measures[index] for measures in (p.measures() for p in pool)]
        known = [value for value in values if value is not None]
        spreads.append(statistics.pstdev(known) if len(known) > 1 else 0.0)
    return spreads


def distance(one: Profile, other: Profile, spreads: list[float]) -> float:
    """The root mean square of the standardised differences over the measures both have."""
    squares = [
        ((a - b) / spread) ** 2
        for a, b, spread in zip(one.measures(), other.measures(), spreads, strict=True)
        if a is not None and b is not None and spread > 0
    ]
    return math.sqrt(sum(squares) / len(squares)) if squares else 0.0


def comparison_matches(
    *, partnership: Partnership, indicator: Indicator, count: int | None = None
) -> list[Match]:
    """The automatic choice of comparison schools: for each partnership school with a figure
    before the start, its ``count`` nearest candidates (``DEFAULT_PER_SCHOOL`` if not given),
    each candidate used once; nearest first. Nothing for a partnership without a start
    date."""
    per_school = DEFAULT_PER_SCHOOL if count is None else max(1, min(count, MAX_PER_SCHOOL))
    started_on = partnership.started_on
    if started_on is None:
        return []
    partners = list(partnership.schools.order_by("name", "urn"))
    candidates = list(comparison_candidates(partnership=partnership))
    panel = panel_read(
        indicator=indicator,
        schools=partners + candidates,
        started_on=started_on,
        until=timezone.localdate(),
    )
    found = profiles(schools=partners + candidates, panel=panel, started_on=started_on)
    treated = [found[school.urn] for school in partners if found[school.urn].before is not None]
    pool = [found[school.urn] for school in candidates if found[school.urn].before is not None]
    spreads = _spreads(treated + pool)
    pairs = sorted(
        (distance(partner, candidate, spreads), partner.school.name, candidate.school.name, i, j)
        for i, partner in enumerate(treated)
        for j, candidate in enumerate(pool)
        if candidate.school.phase == partner.school.phase
    )
    taken: dict[int, int] = {}
    used: set[int] = set()
    matches: list[Match] = []
    for gap, _, _, i, j in pairs:
        if j in used or taken.get(i, 0) >= per_school:
            continue
        used.add(j)
        taken[i] = taken.get(i, 0) + 1
        matches.append(Match(pool[j], treated[i], gap))
    return matches


def choose_comparison_schools(
    *, partnership: Partnership, indicator: Indicator, count: int | None = None
) -> list[School]:
    """The comparison schools ``comparison_matches`` chooses, nearest first."""
    return [
        match.school
        for match in comparison_matches(partnership=partnership, indicator=indicator, count=count)
    ]
