"""Stage 1 prioritisation: every open school of an area ranked by a transparent score of need.

Reads (selectors): ``area_schools``, ``filter_choices``, ``school_figures``, ``figure_shown``,
``prioritisation_score``, ``prioritisation_rank``, ``prioritisation_filter``,
``indicators_available``, ``priority_weights_saved``, ``priority_weights_for``. Writes
(services): ``priority_weights_save``. Weights come in as text through ``weight_value``,
``weights_parse`` (the API's ``indicator:weight,...``) and ``weights_check``.

How the score is worked out (the page says the same in plain words):

- Each indicator gives a school a figure, or none (missing, or suppressed by its publisher).
  Figures are turned so that more need is always higher (a lower deprivation rank is more
  deprived) and normalised across **all** the area's open schools: the most need 1, the least
  0, the others in proportion; when every figure is the same, each gets one half. The filters
  pick schools to show after this, so they never change a school's score.
- The score is the weighted mean of a school's normalised figures over the indicators that have
  a weight above 0 and a figure for it, out of 100; each indicator's points are its share, so
  the points add up to the score. A school with no such figure has no score ("not enough data"),
  no rank, and comes last.
- Rank 1 is the highest need. Schools with the same score to one decimal place (as shown) share
  a rank and are listed by name; the next rank leaves a gap (1, 2, 2, 4).

Pupils' reports and incidents are counts over personal data, and those who rank schools (the
local authority's analysts, police supervisors, the area's administrators) do not see them: a
count from 1 to 4 is shown as "fewer than 5" and scored as if it were 2.5, so that neither the
figure nor the score tells which; and where the school's needs assessment hides its number of
reports or of incidents, the two together are neither shown nor scored, since beside the other
number they would give it away (``needs_selectors.own_totals``). As with every rolling period,
two rankings a day apart can be set side by side; the period is the last 12 months up to today,
the same as the needs assessment's, not one the viewer chooses. A school in no partnership with
no record has no figure for them: its pupils cannot report through the product, so its nought
would say nothing.

Nothing here is personal data: the caller has fetched the area through the access policy
(``access.get_prioritisation_area_for_user``).
"""

import contextlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction, School
from saferschools.incidents.crime import crime_months, crime_nearby_schools, crime_settings
from saferschools.lib.suppression import SUPPRESS_BELOW
from saferschools.outcomes.selectors import deprivation_by_school, latest_values

from .models import PriorityWeighting
from .needs_selectors import OwnTotal, counting_window, own_totals

# The indicators --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """An indicator the ranking uses: where its figure comes from, and which way is more need."""

    code: str
    name: str
    source: str
    higher_is_more_need: bool = True


OVERALL_ABSENCE = "overall_absence"
PERSISTENT_ABSENCE = "persistent_absence"
SUSPENSION_RATE = "suspension_rate"
PERMANENT_EXCLUSION_RATE = "permanent_exclusion_rate"
DEPRIVATION = "deprivation"
CRIME_NEARBY = "crime_nearby"
REPORTS_INCIDENTS = "reports_incidents"

# Published by the Department for Education and imported as indicators.
PUBLISHED = (OVERALL_ABSENCE, PERSISTENT_ABSENCE, SUSPENSION_RATE, PERMANENT_EXCLUSION_RATE)
CRIME_MONTHS = 3
# A small count is scored as the middle of the counts it could be (1 to 4).
SMALL_COUNT_STAND_IN = Decimal(SUPPRESS_BELOW) / 2
NOT_RECORDED = "not in a partnership: none recorded in SaferSchools"
WITHHELD = "it could give away a small count"

MEASURES: tuple[Measure, ...] = (
    Measure(
        OVERALL_ABSENCE,
        "Overall absence rate",
        "Sessions missed for any reason, as a percentage of all sessions: the latest figure "
        "the Department for Education published for the school.",
    ),
    Measure(
        PERSISTENT_ABSENCE,
        "Persistent absence rate",
        "Pupils missing 10% or more of their sessions, as a percentage of pupils: the latest "
        "published figure.",
    ),
    Measure(
        SUSPENSION_RATE,
        "Suspension rate",
        "Suspensions per 100 pupils: the latest published figure.",
    ),
    Measure(
        PERMANENT_EXCLUSION_RATE,
        "Permanent exclusion rate",
        "Permanent exclusions per 100 pupils: the latest published figure.",
    ),
    Measure(
        DEPRIVATION,
        "Deprivation",
        "The rank in England, on the Index of Multiple Deprivation 2019, of the neighbourhood "
        "(LSOA) the school is in. Rank 1 is the most deprived, so a lower rank is more need.",
        higher_is_more_need=False,
    ),
    Measure(
        CRIME_NEARBY,
        "Street crime nearby",
        "Street crimes the police published within the area's radius of the school, over the "
        f"latest {CRIME_MONTHS} months imported for the area's police force.",
    ),
    Measure(
        REPORTS_INCIDENTS,
        "Reports and incidents",
        "Pupils' reports and incidents recorded at the school in the last 12 months, per 100 "
        "pupils on the school's roll; none for a school in no partnership that has none.",
    ),
)
MEASURES_BY_CODE = {measure.code: measure for measure in MEASURES}
CODES = tuple(MEASURES_BY_CODE)

# Weights ---------------------------------------------------------------------------------------

Weights = dict[str, Decimal]

DEFAULT_WEIGHT = Decimal(1)
WEIGHT_MAX = Decimal(100)
WEIGHT_PLACES = 2
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
# The longest weights text read: every indicator with a long weight, and room to spare.
WEIGHTS_TEXT_MAX = 1000


def weights_default() -> Weights:
    """A weight of 1 for every indicator."""
    return dict.fromkeys(CODES, DEFAULT_WEIGHT)


def weight_text(weight: Decimal) -> str:
    """A weight as written in a form or a link: ``2``, ``0.5``, ``100``."""
    return format(weight.normalize(), "f")


def weights_text(weights: Mapping[str, Decimal]) -> str:
    """Weights as the API takes them: ``overall_absence:1,deprivation:2,...``."""
    return ",".join(f"{code}:{weight_text(weights[code])}" for code in CODES if code in weights)


def weight_value(raw: object, *, name: str) -> Decimal:
    """One weight: a number from 0 to 100 with at most 2 decimal places, given as text or a
    number. Anything else raises ``ValidationError`` naming the indicator (``name``)."""
    if isinstance(raw, bool):
        raw = None
    text = str(raw).strip() if isinstance(raw, str | int | float | Decimal) else ""
    if not NUMBER.fullmatch(text):
        raise ValidationError(f"The weight of {name} must be a number, like 2 or 0.5")
    try:
        weight = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValidationError(f"The weight of {name} must be a number, like 2 or 0.5") from None
    if weight < 0:
        raise ValidationError(f"The weight of {name} must be 0 or more")
    if weight > WEIGHT_MAX:
        raise ValidationError(f"The weight of {name} must be {WEIGHT_MAX} or less")
    if weight != weight.quantize(Decimal(1).scaleb(-WEIGHT_PLACES), rounding=ROUND_HALF_UP):
        raise ValidationError(
            f"The weight of {name} can have at most {WEIGHT_PLACES} decimal places"
        )
    return weight + 0  # no negative zero


def _some_weight(weights: Mapping[str, Decimal]) -> None:
    if not any(weight > 0 for weight in weights.values()):
        raise ValidationError("Give at least one indicator a weight above 0")


def weights_parse(text: str) -> Weights:
    """Weights written as ``indicator:weight,...`` (the API's ``weights``). An indicator not
    named has weight 0. Every problem raises one ``ValidationError`` keyed ``weights``."""
    problems: list[str] = []
    weights = dict.fromkeys(CODES, Decimal(0))
    seen: set[str] = set()
    if len(text) > WEIGHTS_TEXT_MAX:
        raise ValidationError({"weights": f"Give at most {WEIGHTS_TEXT_MAX} characters"})
    for part in text.split(","):
        if not part.strip():
            continue
        code, colon, raw = part.partition(":")
        code = code.strip()
        if not colon:
            problems.append(f"Write each weight as indicator:weight, not {part.strip()!r}")
        elif code not in MEASURES_BY_CODE:
            problems.append(f"Unknown indicator {code!r}: give one of {', '.join(CODES)}")
        elif code in seen:
            problems.append(f"The weight of {code} is given more than once")
        else:
            seen.add(code)
            try:
                weights[code] = weight_value(raw, name=code)
            except ValidationError as error:
                problems.extend(error.messages)
    if not problems:
        try:
            _some_weight(weights)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"weights": problems})
    return weights


def weights_check(weights: Mapping[str, object]) -> Weights:
    """Every indicator's weight, checked: an unknown indicator, a weight that is not a number
    from 0 to 100, or no weight above 0 raises one ``ValidationError`` keyed by indicator code
    (``weights`` for what is about them all). An indicator not given has weight 0."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(weights) - set(CODES))
    if unknown:
        errors["weights"] = [f"Unknown indicator {code!r}" for code in unknown]
    checked = dict.fromkeys(CODES, Decimal(0))
    for code in CODES:
        if code not in weights:
            continue
        try:
            checked[code] = weight_value(weights[code], name=MEASURES_BY_CODE[code].name)
        except ValidationError as error:
            errors[code] = error.messages
    if not errors:
        try:
            _some_weight(checked)
        except ValidationError as error:
            errors["weights"] = error.messages
    if errors:
        raise ValidationError(errors)
    return checked


def _saved_weights(saved: object) -> Weights:
    """Weights as stored; an indicator added since they were saved, or a value that no longer
    passes the checks, takes the default."""
    weights = weights_default()
    if isinstance(saved, dict):
        for code in CODES:
            if code in saved:
                with contextlib.suppress(ValidationError):
                    weights[code] = weight_value(saved[code], name=code)
    return weights if any(weight > 0 for weight in weights.values()) else weights_default()


def priority_weights_saved(*, user: Any, area: Area) -> Weights | None:
    """The weights the user last saved for the area, if any. One query."""
    saved = (
        PriorityWeighting.objects.filter(area=area, user=user)
        .values_list("weights", flat=True)
        .first()
    )
    return _saved_weights(saved) if saved is not None else None


def priority_weights_for(*, user: Any, area: Area) -> Weights:
    """The weights the user last saved for the area; 1 for each indicator if none. One query."""
    return priority_weights_saved(user=user, area=area) or weights_default()


@transaction.atomic
def priority_weights_save(
    *, actor: Any, area: Area, weights: Mapping[str, object], source: str
) -> PriorityWeighting:
    """Save the actor's weights for ranking the area's schools, replacing those saved before.

    The caller has checked that the actor may rank the area's schools. Weights are checked as
    ``weights_check`` does (an indicator not given has weight 0); bad ones raise one
    ``ValidationError`` keyed by indicator code and change nothing. A change writes one audit
    event in the same transaction; saving the same weights again changes nothing.
    """
    checked = weights_check(weights)
    stored = {code: weight_text(weight) for code, weight in checked.items()}
    weighting, created = PriorityWeighting.objects.select_for_update().get_or_create(
        area=area, user=actor, defaults={"weights": stored}
    )
    if not created and weighting.weights == stored:
        return weighting
    weighting.weights = stored
    weighting.full_clean()
    weighting.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        source=source,
        obj=weighting,
        detail={"area": str(area.pk), "weights": [f"{c}:{w}" for c, w in stored.items()]},
    )
    return weighting


# Figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A school's figure for one indicator.

    ``value`` is what is shown (None when there is none, or when it is a small count, which is
    not shown); ``scored`` is what the score uses (the value, or a small count's stand-in);
    ``note`` says where it comes from or why there is none. ``withheld``: a count that is
    neither shown nor scored, since it could give away a small count shown nowhere.
    """

    value: Decimal | None
    scored: Decimal | None
    note: str = ""
    small: bool = False
    withheld: bool = False


NO_FIGURE = Figure(None, None)


@dataclass(frozen=True)
class Sources:
    """What the figures were drawn from, for the page to say."""

    crime_months: list[date]
    radius_m: int
    reports_since: date
    reports_until: date


def area_schools(area: Area) -> list[School]:
    """The area's open schools, by name, with their partnership. One query."""
    schools = list(
        School.objects.filter(area=area, is_open=True)
        .select_related("partnership_link__partnership")
        .order_by("name", "urn")
    )
    for school in schools:
        school.area = area
    return schools


def filter_choices(schools: Iterable[School]) -> tuple[list[str], list[str]]:
    """The phases and the local authorities of these schools, each in order."""
    schools = list(schools)
    phases = sorted({school.phase for school in schools if school.phase})
    authorities = sorted({school.local_authority for school in schools if school.local_authority})
    return phases, authorities


def school_figures(
    *, area: Area, schools: list[School], today: date
) -> tuple[dict[uuid.UUID, dict[str, Figure]], Sources]:
    """Each school's figure for each indicator, keyed by school id and indicator code, and
    what they were drawn from. The same few queries whatever the number of schools."""
    figures: dict[uuid.UUID, dict[str, Figure]] = {
        school.pk: dict.fromkeys(CODES, NO_FIGURE) for school in schools
    }
    published = latest_values(schools=schools, codes=PUBLISHED)
    for (school_id, code), found in published.items():
        if found.suppressed or found.value is None:
            note = f"suppressed by the publisher ({found.period})"
            figures[school_id][code] = Figure(None, None, note)
        else:
            figures[school_id][code] = Figure(found.value, found.value, found.period)

    for school_id, lsoa in deprivation_by_school(schools=schools).items():
        rank = Decimal(lsoa.imd_rank)
        figures[school_id][DEPRIVATION] = Figure(rank, rank, f"decile {lsoa.imd_decile}")

    radius = crime_settings(area).radius_m
    months = sorted(crime_months(school=schools[0], limit=CRIME_MONTHS)) if schools else []
    if months:
        totals: dict[Any, int] = {}
        for month in months:
            for school_id, nearby in crime_nearby_schools(
                schools=schools, month=month, radius_m=radius
            ).items():
                totals[school_id] = totals.get(school_id, 0) + nearby.total
        for school_id, total in totals.items():
            figures[school_id][CRIME_NEARBY] = Figure(Decimal(total), Decimal(total))

    since, until = counting_window(today)
    own = own_totals(schools=schools, since=since, until=until)
    for school in schools:
        figures[school.pk][REPORTS_INCIDENTS] = _own_records(school, own[school.pk])
    return figures, Sources(
        crime_months=months, radius_m=radius, reports_since=since, reports_until=until
    )


def _own_records(school: School, total: OwnTotal) -> Figure:
    """Reports and incidents per 100 pupils. A school outside any partnership with none has no
    figure: its pupils cannot report through SaferSchools, so none says nothing of its need. A
    count from 1 to 4 is not shown and is scored as its stand-in, so that the score does not
    give it away; one whose number of reports or of incidents the needs assessment hides is
    neither shown nor scored."""
    pupils = school.number_of_pupils
    if total.count == 0 and school.partnership is None:
        return Figure(None, None, NOT_RECORDED)
    if not pupils:
        return Figure(None, None, "no number of pupils in the register")
    if total.small:
        scored = SMALL_COUNT_STAND_IN * 100 / pupils
        return Figure(None, scored, f"scored as if {SMALL_COUNT_STAND_IN}", small=True)
    if total.hidden:
        return Figure(None, None, WITHHELD, withheld=True)
    rate = Decimal(total.count) * 100 / pupils
    return Figure(rate, rate, f"{total.count:,} in 12 months")


def figure_shown(code: str, figure: Figure) -> str:
    """A figure as the page and the file show it: ``6.1%``, ``rank 1,234``, ``fewer than 5``."""
    if figure.small:
        return f"fewer than {SUPPRESS_BELOW}"
    if figure.withheld:
        return "not shown"
    value = figure.value
    if value is None:
        return "no figure"
    if code in (OVERALL_ABSENCE, PERSISTENT_ABSENCE):
        return f"{value:.1f}%"
    if code in (SUSPENSION_RATE, PERMANENT_EXCLUSION_RATE):
        return f"{value:.2f} per 100 pupils"
    if code == DEPRIVATION:
        return f"rank {int(value):,}"
    if code == CRIME_NEARBY:
        return f"{int(value):,}"
    return f"{value:.1f} per 100 pupils"


# Scores ----------------------------------------------------------------------------------------

POINTS = Decimal("0.1")


def _decimal(value: Fraction) -> Decimal:
    """A fraction rounded to one decimal place, halves up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(POINTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Component:
    """One indicator's part in a school's score: its figure, the figure normalised across the
    area (0 to 1, 1 the most need), and the points it adds to the score (none without a
    figure; 0 when its weight is 0)."""

    measure: Measure
    figure: Figure
    weight: Decimal
    normalised: Fraction | None
    points: Decimal | None

    @property
    def code(self) -> str:
        return self.measure.code


@dataclass(frozen=True)
class RankedSchool:
    school: School
    components: tuple[Component, ...]
    score: Decimal | None
    rank: int | None

    @property
    def partnership_name(self) -> str:
        partnership = self.school.partnership
        return partnership.name if partnership is not None else ""

    @property
    def in_partnership(self) -> bool:
        return self.school.partnership is not None

    @property
    def indicators_scored(self) -> int:
        """How many of the indicators with a weight above 0 have a figure for the school: those
        its score rests on."""
        return sum(1 for part in self.components if part.weight > 0 and part.points is not None)


def _normalised(figures: Mapping[Any, Mapping[str, Figure]]) -> dict[str, dict[Any, Fraction]]:
    """Each indicator's figures turned so that more need is higher and scaled from 0 (least
    need in the area) to 1 (most); one half each when they are all the same."""
    result: dict[str, dict[Any, Fraction]] = {}
    for measure in MEASURES:
        sign = 1 if measure.higher_is_more_need else -1
        need = {}
        for key, each in figures.items():
            value = each[measure.code].scored
            if value is not None:
                need[key] = Fraction(value) * sign
        if not need:
            result[measure.code] = {}
            continue
        low, high = min(need.values()), max(need.values())
        result[measure.code] = {
            key: (value - low) / (high - low) if high > low else Fraction(1, 2)
            for key, value in need.items()
        }
    return result


def prioritisation_score(
    *, schools: list[School], figures: Mapping[Any, Mapping[str, Figure]], weights: Weights
) -> list[RankedSchool]:
    """Score and rank the schools from their figures (see the module's docstring): highest
    need first, ties and those without a score by name."""
    normalised = _normalised(figures)
    scored: list[tuple[Decimal, School, tuple[Component, ...]]] = []
    unscored: list[tuple[School, tuple[Component, ...]]] = []
    for school in schools:
        weight_sum = sum(
            (
                weights.get(code, Decimal(0))
                for code in CODES
                if weights.get(code, Decimal(0)) > 0 and school.pk in normalised[code]
            ),
            Decimal(0),
        )
        components = []
        total = Fraction(0)
        for measure in MEASURES:
            weight = weights.get(measure.code, Decimal(0))
            share = normalised[measure.code].get(school.pk)
            points = None
            if share is not None:
                part = Fraction(0)
                if weight > 0:
                    part = Fraction(weight) * share / Fraction(weight_sum) * 100
                total += part
                points = _decimal(part)
            components.append(
                Component(measure, figures[school.pk][measure.code], weight, share, points)
            )
        if weight_sum > 0:
            scored.append((_decimal(total), school, tuple(components)))
        else:
            unscored.append((school, tuple(components)))

    # Highest score first; equal scores (as shown) by name, sharing the rank of the first.
    scored.sort(key=lambda entry: (-entry[0], entry[1].name, entry[1].urn))
    result = []
    rank = 0
    for position, (score, school, parts) in enumerate(scored, start=1):
        if position == 1 or score != scored[position - 2][0]:
            rank = position
        result.append(RankedSchool(school, parts, score, rank))
    unscored.sort(key=lambda entry: (entry[0].name, entry[0].urn))
    result.extend(RankedSchool(school, parts, None, None) for school, parts in unscored)
    return result


def indicators_available(ranked: Iterable[RankedSchool]) -> int:
    """How many of the indicators with a weight above 0 have a figure for at least one of the
    schools: the most a school's score can rest on."""
    codes = {
        part.code
        for entry in ranked
        for part in entry.components
        if part.weight > 0 and part.points is not None
    }
    return len(codes)


@dataclass(frozen=True)
class Prioritisation:
    """An area's open schools ranked with some weights, and what the figures came from."""

    area: Area
    weights: Weights
    schools: list[RankedSchool]
    sources: Sources


def prioritisation_rank(
    *,
    area: Area,
    weights: Weights,
    schools: list[School] | None = None,
    today: date | None = None,
) -> Prioritisation:
    """Every open school of the area (or those given, which must be all of them, as from
    ``area_schools``) scored and ranked with these weights, highest need first. The same few
    queries whatever the number of schools."""
    if schools is None:
        schools = area_schools(area)
    figures, sources = school_figures(
        area=area, schools=schools, today=today or timezone.localdate()
    )
    ranked = prioritisation_score(schools=schools, figures=figures, weights=weights)
    return Prioritisation(area=area, weights=dict(weights), schools=ranked, sources=sources)


def prioritisation_filter(
    ranked: Iterable[RankedSchool],
    *,
    phase: str = "",
    local_authority: str = "",
    in_partnership: bool | None = None,
) -> list[RankedSchool]:
    """The ranked schools of this phase, local authority and partnership status (each
    ignored when not given), in their order; their scores and ranks are those of the whole
    area."""
    return [
        entry
        for entry in ranked
        if (not phase or entry.school.phase == phase)
        and (not local_authority or entry.school.local_authority == local_authority)
        and (in_partnership is None or entry.in_partnership == in_partnership)
    ]
