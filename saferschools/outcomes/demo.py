"""The demo area's stage 4: indicator history for the partnership's schools and the area's
others, two survey rounds, an evaluation and last year's annual report.

The history is made up, and says so: it is stored through the import service as files named
``DEMO_FILE_NAME``, so every figure's import record calls it demonstration figures. It covers
the academic years 2020/21 to 2025/26 for every open school of the area (the partnership's six
and the rest, from which the evaluation draws its comparison schools) and the area's first-time
entrants. Each school's figures come from a random generator seeded with its URN, so that every
load makes the same history, and start from the school's real 2017/18 absence (imported by the
planning demo) where it has one. They move with England's figures for the school's phase year by
year, with the school's own noise; from 2025/26, when the Horley partnership began, its schools
do a little better than schools like them, so that the evaluation finds an effect of a plausible
size.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from saferschools.core.models import Area, Partnership, School

from . import annual_report_demo, evaluation_demo, survey_demo
from .importing import indicator_files_import
from .importing_files import (
    AREA_FILE,
    DEMONSTRATION,
    FIRST_TIME_ENTRANTS,
    INSPECTION_BEHAVIOUR,
    KS2_EXPECTED_RWM,
    KS4_ATTAINMENT8,
    KS4_BASICS_GRADE4,
    KS4_PROGRESS8,
    OVERALL_ABSENCE,
    PERMANENT_EXCLUSION_RATE,
    PERSISTENT_ABSENCE,
    SUSPENSION_RATE,
    AreaRow,
    Figure,
    IndicatorFile,
    Layout,
    SchoolRow,
)
from .models import IndicatorImport, IndicatorValue
from .periods import parse_period, year_period
from .selectors import deprivation_by_school

SOURCE = "command:demo"
DEMO_FILE_NAME = "Demonstration figures: made up for the demo area, not published"
DEMO_SCHOOLS = Layout(
    "demonstration",
    "Demonstration figures",
    "Demonstration figures made up for the demo area's schools",
    DEMONSTRATION,
)
DEMO_AREA = Layout(
    "demonstration_area",
    "Demonstration figures for the area",
    "Demonstration figures made up for the demo area",
    AREA_FILE,
)

YEARS = tuple(range(2020, 2026))  # the start years of 2020/21 to 2025/26
STARTED = 2025  # the partnership's first year
BASE_YEAR = 2017  # the year of the real absence figures the history starts from
BASE_PERIOD = "2017/18"

PRIMARY, SECONDARY, SPECIAL = "primary", "secondary", "special"
# England's figures by phase and academic year (start year), shaped on the Department's
# published national statistics and rounded: each school's figures move with its phase's.
NATIONAL: dict[str, dict[str, dict[int, float]]] = {
    OVERALL_ABSENCE: {
        PRIMARY: {2017: 4.2, 2020: 3.7, 2021: 6.3, 2022: 5.9, 2023: 5.5, 2024: 5.3, 2025: 5.1},
        SECONDARY: {2017: 5.5, 2020: 5.9, 2021: 9.0, 2022: 9.0, 2023: 8.9, 2024: 8.6, 2025: 8.3},
        SPECIAL: {
            2017: 9.6,
            2020: 11.0,
            2021: 13.2,
            2022: 13.0,
            2023: 12.7,
            2024: 12.4,
            2025: 12.1,
        },
    },
    PERSISTENT_ABSENCE: {
        PRIMARY: {2017: 8.7, 2020: 8.8, 2021: 17.7, 2022: 16.2, 2023: 14.7, 2024: 13.6, 2025: 12.8},
        SECONDARY: {
            2017: 13.9,
            2020: 14.8,
            2021: 27.7,
            2022: 28.3,
            2023: 26.5,
            2024: 25.2,
            2025: 24.0,
        },
        SPECIAL: {
            2017: 29.6,
            2020: 34.0,
            2021: 39.0,
            2022: 38.5,
            2023: 37.5,
            2024: 36.5,
            2025: 35.5,
        },
    },
    SUSPENSION_RATE: {
        PRIMARY: {2020: 0.99, 2021: 1.41, 2022: 1.84, 2023: 2.14, 2024: 2.25, 2025: 2.3},
        SECONDARY: {2020: 8.48, 2021: 13.96, 2022: 18.9, 2023: 21.9, 2024: 23.0, 2025: 23.5},
        SPECIAL: {2020: 9.5, 2021: 12.5, 2022: 14.5, 2023: 15.5, 2024: 16.0, 2025: 16.2},
    },
    PERMANENT_EXCLUSION_RATE: {
        PRIMARY: {2020: 0.01, 2021: 0.02, 2022: 0.03, 2023: 0.03, 2024: 0.03, 2025: 0.03},
        SECONDARY: {2020: 0.1, 2021: 0.16, 2022: 0.22, 2023: 0.26, 2024: 0.27, 2025: 0.28},
        SPECIAL: {2020: 0.03, 2021: 0.05, 2022: 0.06, 2023: 0.07, 2024: 0.07, 2025: 0.07},
    },
}
# Key stage results: none for 2020/21, when the tests and exams were cancelled; no Progress 8
# from 2024/25, for pupils whose key stage 2 tests were cancelled in 2020 and 2021.
KS2_NATIONAL = {2021: 59.0, 2022: 60.0, 2023: 61.0, 2024: 62.0, 2025: 63.0}
ATTAINMENT8_NATIONAL = {2021: 48.8, 2022: 46.3, 2023: 46.1, 2024: 45.9, 2025: 46.0}
BASICS_NATIONAL = {2021: 69.0, 2022: 65.1, 2023: 65.0, 2024: 64.8, 2025: 65.2}
PROGRESS8_YEARS = (2021, 2022, 2023)
# How much better the partnership's schools do from its first year than they would have,
# as a share of the figure (absence, suspensions) or in points (attainment).
EFFECT_SHARE = {
    OVERALL_ABSENCE: 0.07,
    PERSISTENT_ABSENCE: 0.12,
    SUSPENSION_RATE: 0.2,
    PERMANENT_EXCLUSION_RATE: 0.2,
}
EFFECT_POINTS = {KS2_EXPECTED_RWM: 1.0, KS4_ATTAINMENT8: 0.8}
# Pupils on roll where the register gives none, by phase.
TYPICAL_PUPILS = {PRIMARY: 300, SECONDARY: 1000, SPECIAL: 120}
# Inspection grades: outstanding, good, requires improvement, inadequate.
GRADE_WEIGHTS = (0.18, 0.65, 0.14, 0.03)
# First-time entrants per 100,000 young people aged 10 to 17, by year, and the year of the
# partnership by term.
FIRST_TIME_ENTRANTS_BY_PERIOD = {
    "2020/21": 118.4,
    "2021/22": 104.2,
    "2022/23": 97.5,
    "2023/24": 101.8,
    "2024/25": 98.6,
    "2025/26": 90.1,
    "2024/25 autumn": 35.2,
    "2024/25 spring": 31.9,
    "2024/25 summer": 31.5,
    "2025/26 autumn": 31.6,
    "2025/26 spring": 29.0,
    "2025/26 summer": 29.5,
}
CODES = (
    OVERALL_ABSENCE,
    PERSISTENT_ABSENCE,
    SUSPENSION_RATE,
    PERMANENT_EXCLUSION_RATE,
    KS2_EXPECTED_RWM,
    KS4_ATTAINMENT8,
    KS4_PROGRESS8,
    KS4_BASICS_GRADE4,
    INSPECTION_BEHAVIOUR,
)


def demo_outcomes(*, partnership: Partnership, secondary: School, primaries: list[School]) -> None:
    """The demo's stage 4, in order: the indicator history, then the pupil surveys, the
    evaluation and the annual report, which read it. Loading twice changes nothing: each step
    finds what it made before."""
    demo_indicator_history(partnership=partnership, secondary=secondary)
    survey_demo.demo_surveys(partnership=partnership, secondary=secondary, primaries=primaries)
    evaluation_demo.demo_evaluation(
        partnership=partnership, secondary=secondary, primaries=primaries
    )
    annual_report_demo.demo_annual_report(
        partnership=partnership, secondary=secondary, primaries=primaries
    )


def demo_indicator_history(*, partnership: Partnership, secondary: School) -> None:
    """Store the area's made-up history, unless it is there already: one import of every open
    school's figures and one of the area's, through ``indicator_files_import``."""
    if IndicatorImport.objects.filter(file_name=DEMO_FILE_NAME).exists():
        return
    area = partnership.area
    schools = list(School.objects.filter(area=area, is_open=True).order_by("urn"))
    treated = set(partnership.schools.values_list("pk", flat=True))
    rows = school_history(schools=schools, treated=treated, secondary=secondary)
    indicator_files_import(
        actor=None,
        files=[
            IndicatorFile(
                layout=DEMO_SCHOOLS,
                file_name=DEMO_FILE_NAME,
                rows=len(rows),
                indicators=CODES,
                periods=tuple(year_period(year) for year in YEARS),
                schools=rows,
            ),
            area_history(area),
        ],
        source=SOURCE,
    )


def area_history(area: Area) -> IndicatorFile:
    """The area's first-time entrants by year, and by term for the last two years."""
    periods = [parse_period(label) for label in FIRST_TIME_ENTRANTS_BY_PERIOD]
    rows = [
        AreaRow(
            line=line,
            la_code="",
            la_name=area.name,
            period=period,
            figures=(Figure(FIRST_TIME_ENTRANTS, Decimal(str(rate))),),
        )
        for line, (period, rate) in enumerate(
            zip(periods, FIRST_TIME_ENTRANTS_BY_PERIOD.values(), strict=True), start=2
        )
    ]
    return IndicatorFile(
        layout=DEMO_AREA,
        file_name=DEMO_FILE_NAME,
        rows=len(rows),
        indicators=(FIRST_TIME_ENTRANTS,),
        periods=tuple(sorted(periods)),
        areas=rows,
    )


@dataclass
class Profile:
    """What a school's made-up figures are drawn from."""

    school: School
    phase: str
    pupils: int
    decile: int  # the deprivation decile of its neighbourhood (1 most deprived)
    treated: bool
    base: dict[str, float]  # its real 2017/18 absence, where it has it


def school_history(
    *, schools: list[School], treated: set[uuid.UUID], secondary: School
) -> list[SchoolRow]:
    """Every school's rows, one per year with a figure. Schools without pupils of school age in
    the absence statistics (nursery schools, sixth-form colleges) have none."""
    base: dict[uuid.UUID, dict[str, float]] = {}
    for value in IndicatorValue.objects.filter(
        school__in=schools,
        indicator_id__in=(OVERALL_ABSENCE, PERSISTENT_ABSENCE),
        period=BASE_PERIOD,
        suppressed=False,
    ):
        assert value.school_id is not None and value.value is not None
        base.setdefault(value.school_id, {})[value.indicator_id] = float(value.value)
    deprivation = deprivation_by_school(schools=schools)
    rows: list[SchoolRow] = []
    for school in schools:
        phase = school_phase(school)
        if phase is None:
            continue
        neighbourhood = deprivation.get(school.pk)
        profile = Profile(
            school=school,
            phase=phase,
            pupils=school.number_of_pupils or TYPICAL_PUPILS[phase],
            decile=neighbourhood.imd_decile if neighbourhood is not None else 7,
            treated=school.pk in treated,
            base=base.get(school.pk, {}),
        )
        rows += _school_rows(profile, story=school.pk == secondary.pk)
    return rows


def school_phase(school: School) -> str | None:
    """The phase whose national figures the school's move with, or ``None`` for a school the
    demo gives no figures."""
    phase = school.phase.lower()
    if phase == "primary":
        return PRIMARY
    if phase in ("secondary", "all-through"):
        return SECONDARY
    if phase == "not applicable":
        return SPECIAL
    return None


def _school_rows(profile: Profile, *, story: bool) -> list[SchoolRow]:
    """One school's rows. Every draw comes from the school's own generator, in a fixed order,
    so that a school's figures do not depend on the others'."""
    rng = random.Random(profile.school.urn)  # noqa: S311 - made-up figures, not security
    by_year: dict[int, list[Figure]] = {year: [] for year in YEARS}
    for code in (OVERALL_ABSENCE, PERSISTENT_ABSENCE):
        for year, value in _absence(profile, code, rng).items():
            by_year[year].append(Figure(code, _rounded(value, 1)))
    for code in (SUSPENSION_RATE, PERMANENT_EXCLUSION_RATE):
        for year, value in _exclusions(profile, code, rng).items():
            by_year[year].append(Figure(code, _rounded(value, 2)))
    if _takes_key_stage_2(profile):
        for year, figure in _key_stage_2(profile, rng).items():
            by_year[year].append(figure)
    if _takes_key_stage_4(profile):
        for year, figures in _key_stage_4(profile, rng).items():
            by_year[year] += figures
    for year, grade in _inspections(profile, rng, story=story).items():
        by_year[year].append(Figure(INSPECTION_BEHAVIOUR, Decimal(grade)))
    return [
        SchoolRow(line=0, urn=profile.school.urn, period=year_period(year), figures=tuple(figures))
        for year, figures in by_year.items()
        if figures
    ]


def _rounded(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _noise_scale(profile: Profile) -> float:
    """Smaller schools' figures jump about more from year to year."""
    return min(2.0, math.sqrt(TYPICAL_PUPILS[profile.phase] / max(profile.pupils, 30)))


def _absence(profile: Profile, code: str, rng: random.Random) -> dict[int, float]:
    """A rate of absence: the school's 2017/18 level against England's (or one drawn from its
    neighbourhood's deprivation), carried through England's years, with yearly noise."""
    national = NATIONAL[code][profile.phase]
    drawn = (1 + 0.05 * (5.5 - profile.decile)) * math.exp(rng.gauss(-0.05, 0.15))
    level = profile.base[code] / national[BASE_YEAR] if code in profile.base else drawn
    level = max(level, 0.3)
    drift = rng.gauss(0, 0.01)
    spread = (0.06 if code == OVERALL_ABSENCE else 0.1) * _noise_scale(profile)
    found: dict[int, float] = {}
    for year in YEARS:
        value = national[year] * level * (1 + drift * (year - BASE_YEAR))
        value *= math.exp(rng.gauss(0, spread))
        if profile.treated and year >= STARTED:
            value *= 1 - EFFECT_SHARE[code]
        found[year] = min(value, 99.0)
    return found


def _exclusions(profile: Profile, code: str, rng: random.Random) -> dict[int, float]:
    """Suspensions or permanent exclusions per 100 pupils, counted: a whole number of events
    drawn around the school's expected number."""
    national = NATIONAL[code][profile.phase]
    level = (1 + 0.12 * (5.5 - profile.decile)) * math.exp(rng.gauss(-0.1, 0.45))
    level = max(level, 0.1)
    found: dict[int, float] = {}
    for year in YEARS:
        expected = profile.pupils * national[year] / 100 * level
        if profile.treated and year >= STARTED:
            expected *= 1 - EFFECT_SHARE[code]
        found[year] = _poisson(expected, rng) * 100 / profile.pupils
    return found


def _poisson(mean: float, rng: random.Random) -> int:
    """A count with this mean: Knuth's method for small means, the normal curve for large."""
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _takes_key_stage_2(profile: Profile) -> bool:
    school = profile.school
    return (
        profile.phase == PRIMARY
        and (school.high_age or 11) >= 11
        and (school.low_age if school.low_age is not None else 4) <= 7
    )


def _takes_key_stage_4(profile: Profile) -> bool:
    return profile.phase == SECONDARY and (profile.school.high_age or 16) >= 16


def _cohort(profile: Profile) -> int:
    """Pupils in one year group, from the school's roll and age range."""
    school = profile.school
    low = school.low_age if school.low_age is not None else 4
    years = max((school.high_age or 11) - max(low, 4) + 1, 1)
    return max(profile.pupils // years, 1)


def _key_stage_2(profile: Profile, rng: random.Random) -> dict[int, Figure]:
    """The percentage reaching the expected standard in reading, writing and maths; a year
    group of 10 or fewer is suppressed, as the Department does."""
    offset = 1.6 * (profile.decile - 5.5) + rng.gauss(2, 6)
    cohort = _cohort(profile)
    found: dict[int, Figure] = {}
    for year, national in KS2_NATIONAL.items():
        if cohort <= 10:
            found[year] = Figure(KS2_EXPECTED_RWM, None, suppressed=True)
            continue
        share = national + offset
        share += rng.gauss(0, 100 * math.sqrt(0.24 / cohort))
        if profile.treated and year >= STARTED:
            share += EFFECT_POINTS[KS2_EXPECTED_RWM]
        found[year] = Figure(KS2_EXPECTED_RWM, _rounded(min(max(share, 0), 100), 0))
    return found


def _key_stage_4(profile: Profile, rng: random.Random) -> dict[int, list[Figure]]:
    """Attainment 8, Progress 8 (for the years it was published) and grade 4 or above in
    English and maths."""
    intake = 1.2 * (profile.decile - 5.5)
    teaching = rng.gauss(1.5, 3.5)
    found: dict[int, list[Figure]] = {}
    for year, national in ATTAINMENT8_NATIONAL.items():
        attainment = national + intake + teaching + rng.gauss(0, 1.5)
        if profile.treated and year >= STARTED:
            attainment += EFFECT_POINTS[KS4_ATTAINMENT8]
        attainment = min(max(attainment, 5.0), 85.0)
        basics = BASICS_NATIONAL[year] + 1.6 * (attainment - national) + rng.gauss(0, 2)
        figures = [
            Figure(KS4_ATTAINMENT8, _rounded(attainment, 1)),
            Figure(KS4_BASICS_GRADE4, _rounded(min(max(basics, 0), 100), 0)),
        ]
        if year in PROGRESS8_YEARS:
            progress = (teaching + rng.gauss(0, 1.5)) / 10
            figures.append(Figure(KS4_PROGRESS8, _rounded(progress, 2)))
        found[year] = figures
    return found


def _inspections(profile: Profile, rng: random.Random, *, story: bool) -> dict[int, int]:
    """The behaviour grades of the school's inspections: about every four years, none in
    2020/21 (inspections were paused); a partnership school inspected since the partnership
    began improves by a grade. The demo's secondary school was found to require improvement in
    2021/22 and was inspected again in 2025/26, the partnership's first year."""
    grade = rng.choices((1, 2, 3, 4), weights=GRADE_WEIGHTS)[0]
    first = rng.randint(2021, 2024)
    if story:
        first, grade = 2021, 3
    found: dict[int, int] = {}
    for year in range(first, YEARS[-1] + 1, 4):
        if profile.treated and year >= STARTED:
            found[year] = max(1, grade - 1)
        else:
            found[year] = min(4, max(1, grade + rng.choice((-1, 0, 0, 0, 1))))
    return found
