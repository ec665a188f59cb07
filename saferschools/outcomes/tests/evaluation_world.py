"""Figures for evaluation tests: published persistent absence for the test world's partnership
P (school A, secondary; school B, primary) and for schools of the area in no partnership, with
neighbourhood deprivation, built here so the tests need no demo data.

P begins on 1 September 2023. Its schools' figures follow the comparison schools' trend until
then and fall by ``EFFECT`` percentage points after, with a little noise that is the same on
every run.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from saferschools.core.models import School
from saferschools.lib.schooldays import academic_year_label
from saferschools.outcomes.models import IndicatorValue, LsoaDeprivation, PeriodKind
from saferschools.testing.factories import SchoolFactory

STARTED_ON = date(2023, 9, 1)
YEARS = range(2018, 2025)  # 2018/19 to 2024/25: five years before the start, two after
EFFECT = -2.0
CODE = "persistent_absence"


def add_values(school: School, figures: dict[int, float | None], code: str = CODE) -> None:
    """Published figures for the school, by the year each academic year starts; None for a
    figure the publisher suppressed."""
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator_id=code,
            school=school,
            period=academic_year_label(year),
            period_kind=PeriodKind.YEAR,
            period_start=date(year, 9, 1),
            value=None if figure is None else Decimal(str(round(figure, 3))),
            suppressed=figure is None,
        )
        for year, figure in figures.items()
    )


def _noise(seed: int, year: int) -> float:
    return ((seed * 7919 + year * 104729) % 1000) / 1000 - 0.5


def trend(level: float, seed: int, *, treated: bool = False) -> dict[int, float | None]:
    """A school's figures: its level, the area's gentle rise of 0.4 a year, a little noise,
    and the partnership's effect from the start."""
    return {
        year: level
        + 0.4 * (year - YEARS[0])
        + _noise(seed, year)
        + (EFFECT if treated and date(year, 9, 1) >= STARTED_ON else 0.0)
        for year in YEARS
    }


def neighbourhood(school: School, rank: int) -> None:
    code = f"E0100{school.urn % 10000:04d}"
    LsoaDeprivation.objects.update_or_create(
        lsoa_code=code,
        defaults={
            "lsoa_name": f"Surrey {school.urn}",
            "district_code": "E07000215",
            "district_name": "Tandridge",
            "imd_rank": rank,
            "imd_decile": min(10, rank * 10 // 32845 + 1),
        },
    )
    school.lsoa_code = code
    school.save(update_fields=["lsoa_code"])


@dataclass
class EvaluationWorld:
    secondaries: list[School]  # in no partnership, with figures
    primaries: list[School]  # in no partnership, with figures
    no_history: School  # a secondary in no partnership with figures only since the start
    closed: School


def evaluation_world(world) -> EvaluationWorld:
    """Figures for the world's partnership P and eight schools of its area in no partnership
    (and none for school E, the world's own unpartnered school)."""
    world.p.started_on = STARTED_ON
    world.p.save(update_fields=["started_on"])
    world.school_a.number_of_pupils = 1100
    world.school_a.save(update_fields=["number_of_pupils"])
    neighbourhood(world.school_a, 9000)
    add_values(world.school_a, trend(22.0, 1, treated=True))
    world.school_b.number_of_pupils = 300
    world.school_b.save(update_fields=["number_of_pupils"])
    neighbourhood(world.school_b, 12000)
    add_values(world.school_b, trend(14.0, 2, treated=True))
    secondaries = []
    for index, (level, pupils, rank) in enumerate(
        [
            (21.0, 1000, 8000),
            (23.5, 1200, 10000),
            (19.0, 900, 20000),
            (26.0, 1500, 4000),
            (20.0, 700, 30000),
        ]
    ):
        school = SchoolFactory(
            area=world.area, name=f"Comparison Secondary {index + 1}", number_of_pupils=pupils
        )
        neighbourhood(school, rank)
        add_values(school, trend(level, 10 + index))
        secondaries.append(school)
    primaries = []
    for index, (level, pupils, rank) in enumerate([(13.0, 280, 11000), (16.0, 420, 15000)]):
        school = SchoolFactory(
            area=world.area,
            name=f"Comparison Primary {index + 1}",
            phase="Primary",
            number_of_pupils=pupils,
        )
        neighbourhood(school, rank)
        add_values(school, trend(level, 20 + index))
        primaries.append(school)
    no_history = SchoolFactory(area=world.area, name="New Secondary", number_of_pupils=1100)
    add_values(no_history, {2023: 22.0, 2024: 22.5})
    closed = SchoolFactory(area=world.area, name="Closed Secondary", is_open=False)
    add_values(closed, trend(22.0, 30))
    return EvaluationWorld(secondaries, primaries, no_history, closed)
