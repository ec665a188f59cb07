"""Making an evaluation: a partnership's effect on one indicator, estimated by
difference-in-differences against comparison schools, kept with the schools, periods and
caveats it rests on.

``evaluation_create`` checks everything first and raises one ``ValidationError`` keyed by the
fields the API uses (``partnership_id``, ``indicator``, ``comparison_urns``), changing nothing;
then it records the evaluation and its audit event in one transaction. The caller fetches the
partnership through the access policy and checks ``access.can_evaluate``.

A partnership school is treated in a period that starts on or after the day the partnership
began (or the school joined, if later). Figures are academic years for imported indicators and
terms for surveyed ones (``evaluation_data``). A request that would repeat the partnership's
latest evaluation of the indicator exactly (the same schools, periods and figures) returns that
evaluation instead of recording it twice.
"""

import re
import statistics
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, Partnership, School

from .comparison import choose_comparison_schools
from .did import MIN_UNITS, DidError, DidResult, estimate_did
from .evaluation_data import Panel, group_means, indicator_kind, panel_read, school_start
from .evaluation_text import CaveatData, caveats
from .models import Evaluation, Indicator
from .periods import period_of

MAX_COMPARISON_URNS = 100
URN_MAX = 2_147_483_647  # the largest a URN column holds
INDICATOR_CODE = re.compile(r"[-a-zA-Z0-9_]{1,60}")


@dataclass(frozen=True)
class _Schools:
    """The schools an evaluation compares, with when each partnership school's time began."""

    treated: list[School]
    starts: dict[uuid.UUID, date]  # partnership school id → when its time in it began
    comparison: list[School]
    chosen: str


def _indicator(value: object, errors: dict[str, list[str]]) -> Indicator | None:
    if not isinstance(value, str) or not value.strip():
        errors["indicator"] = ["Choose an indicator to evaluate"]
        return None
    code = value.strip()
    indicator = (
        Indicator.objects.filter(code=code).first() if INDICATOR_CODE.fullmatch(code) else None
    )
    if indicator is None:
        errors["indicator"] = [
            f"There is no indicator “{code[:60]}”: choose one from the catalogue"
        ]
        return None
    if indicator.source == Indicator.Source.COMPUTED:
        errors["indicator"] = [
            f"{indicator.name} is counted from the product's own records, which only the "
            "partnership's schools keep: the comparison schools have no figures for it"
        ]
        return None
    if indicator.level != Indicator.Level.SCHOOL:
        errors["indicator"] = [
            f"{indicator.name} is measured for the whole area, not for each school: it cannot be "
            "compared between schools"
        ]
        return None
    return indicator


def _digits(text: str) -> bool:
    """Plain digits, few enough for a URN (``isdigit`` alone lets through ² and the like)."""
    return text.isascii() and text.isdigit() and len(text) <= 10


def _shown(item: object) -> str:
    """A list item that is not a URN, as the error quotes it."""
    if isinstance(item, str):
        return item[:20]
    if isinstance(item, int) and not isinstance(item, bool) and abs(item) < 10**20:
        return str(item)
    return "something else"


def _urn(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _digits(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= URN_MAX else None


def _urns(value: object, errors: dict[str, list[str]]) -> list[int] | None:
    """The comparison URNs asked for, in order, each once; None to choose them automatically."""
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        errors["comparison_urns"] = ["Give the comparison schools as a list of URNs"]
        return None
    if len(value) > MAX_COMPARISON_URNS:
        errors["comparison_urns"] = [f"Give at most {MAX_COMPARISON_URNS} comparison schools"]
        return None
    urns: list[int] = []
    for item in value:
        urn = _urn(item)
        if urn is None:
            errors["comparison_urns"] = [f"A URN is a number, like 125273, not “{_shown(item)}”"]
            return None
        if urn not in urns:
            urns.append(urn)
    if not urns:
        errors["comparison_urns"] = ["Choose at least one comparison school"]
        return None
    return urns


def _given_schools(
    partnership: Partnership, urns: list[int], errors: dict[str, list[str]]
) -> list[School]:
    """The schools of these URNs, each checked to be a fit comparison for the partnership."""
    found = {
        school.urn: school
        for school in School.objects.filter(area_id=partnership.area_id, urn__in=urns)
        .select_related("partnership_link__partnership")
        .order_by("name", "urn")
    }
    problems: list[str] = []
    for urn in urns:
        school = found.get(urn)
        link = getattr(school, "partnership_link", None) if school is not None else None
        if school is None:
            problems.append(f"No school of the area has the URN {urn}")
        elif link is not None and link.partnership_id == partnership.pk:
            problems.append(
                f"{school.name} ({urn}) is one of the partnership's own schools: a comparison "
                "school must be outside it"
            )
        elif link is not None:
            problems.append(
                f"{school.name} ({urn}) is in another partnership, {link.partnership.name}: a "
                "comparison school must be in none"
            )
        elif not school.is_open:
            problems.append(f"{school.name} ({urn}) is closed")
    if problems:
        errors["comparison_urns"] = problems
    return [found[urn] for urn in urns if urn in found]


def _schools(
    partnership: Partnership,
    indicator: Indicator,
    urns: list[int] | None,
    errors: dict[str, list[str]],
) -> _Schools:
    """The partnership's schools with their starts, and the comparison schools: those asked
    for, else the automatic choice; and which of the two the list is."""
    links = list(partnership.school_links.select_related("school").order_by("school__name"))
    started_on = partnership.started_on
    assert started_on is not None
    starts = {
        link.school_id: school_start(partnership, link.joined_on) or started_on for link in links
    }
    treated = [link.school for link in links]
    automatic = choose_comparison_schools(partnership=partnership, indicator=indicator)
    if urns is None:
        return _Schools(treated, starts, automatic, Evaluation.Chosen.AUTOMATIC)
    given = _given_schools(partnership, urns, errors)
    automatic_urns = {school.urn for school in automatic}
    if set(urns) == automatic_urns:
        chosen = Evaluation.Chosen.AUTOMATIC
    elif automatic_urns & set(urns):
        chosen = Evaluation.Chosen.EDITED
    else:
        chosen = Evaluation.Chosen.GIVEN
    return _Schools(treated, starts, given, chosen)


@dataclass(frozen=True)
class _Estimate:
    result: DidResult
    panel: Panel
    treated: list[School]
    comparison: list[School]
    periods: list[str]
    periods_before: int


def _problem(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _estimate(partnership: Partnership, indicator: Indicator, schools: _Schools) -> _Estimate:
    """Read the figures, check there is something to compare, and estimate; every problem a
    ``ValidationError`` on the field at fault."""
    started_on = partnership.started_on
    assert started_on is not None
    began = f"{started_on:%-d %B %Y}"
    name = indicator.name
    panel = panel_read(
        indicator=indicator,
        schools=schools.treated + schools.comparison,
        started_on=started_on,
        until=timezone.localdate(),
    )
    treated = [school for school in schools.treated if panel.figures.get(school.pk)]
    comparison = [school for school in schools.comparison if panel.figures.get(school.pk)]
    if not treated:
        raise _problem("indicator", f"None of the partnership's schools has a figure for {name}")
    starts = [
        (panel.periods[label].start, schools.starts[school.pk])
        for school in treated
        for label in panel.figures[school.pk]
    ]
    periods_before = {
        label
        for school in treated
        for label in panel.figures[school.pk]
        if panel.periods[label].start < schools.starts[school.pk]
    }
    if not periods_before:
        raise _problem(
            "indicator",
            f"None of the partnership's schools has a figure for {name} from before the "
            f"partnership began on {began}: there is nothing to measure the change from",
        )
    if not any(period_start >= start for period_start, start in starts):
        raise _problem(
            "indicator",
            f"There is no figure yet for {name} from after the partnership began on {began}",
        )
    if not comparison:
        if schools.chosen == Evaluation.Chosen.AUTOMATIC:
            raise _problem(
                "indicator",
                f"No school of the area outside a partnership, of the same phase, has figures "
                f"for {name} from before the partnership began",
            )
        raise _problem("comparison_urns", f"None of these schools has a figure for {name}")
    if len(treated) + len(comparison) < MIN_UNITS:
        raise _problem(
            "comparison_urns",
            f"An evaluation needs at least {MIN_UNITS} schools with figures for {name}; these "
            f"are {len(treated)} of the partnership's and {len(comparison)} comparison "
            f"school{'s' if len(comparison) != 1 else ''}: add comparison schools",
        )
    rows = [
        {
            "unit": str(school.urn),
            "time": panel.periods[label].start.toordinal(),
            "treated": int(
                school.pk in schools.starts
                and panel.periods[label].start >= schools.starts[school.pk]
            ),
            "outcome": figure,
        }
        for school in treated + comparison
        for label, figure in panel.figures[school.pk].items()
    ]
    try:
        result = estimate_did(rows)
    except DidError:
        raise _problem(
            "indicator",
            f"The figures for {name} cannot give an estimate: the partnership's schools need "
            "figures from before and since the start, in periods the comparison schools have "
            "figures for too",
        ) from None
    periods = sorted(
        {label for school in treated + comparison for label in panel.figures[school.pk]},
        key=lambda label: panel.periods[label].start,
    )
    return _Estimate(result, panel, treated, comparison, periods, len(periods_before))


def _before_gap(estimated: _Estimate, started_on: date) -> float | None:
    """How far apart the groups' means before the start were, in standard deviations of the
    schools' own means."""
    panel = estimated.panel
    treated = [panel.mean(school.pk, started_on) for school in estimated.treated]
    compared = [panel.mean(school.pk, started_on) for school in estimated.comparison]
    treated_known = [value for value in treated if value is not None]
    compared_known = [value for value in compared if value is not None]
    everyone = treated_known + compared_known
    if not treated_known or not compared_known or len(everyone) < 2:
        return None
    spread = statistics.pstdev(everyone)
    if spread == 0:
        return None
    return abs(statistics.fmean(treated_known) - statistics.fmean(compared_known)) / spread


def _caveats(
    partnership: Partnership, indicator: Indicator, schools: _Schools, estimated: _Estimate
) -> list[str]:
    started_on = partnership.started_on
    assert started_on is not None
    kind = indicator_kind(indicator)
    used = {school.pk for school in estimated.treated + estimated.comparison}
    return caveats(
        CaveatData(
            indicator=indicator,
            kind=kind,
            started_on=started_on,
            start_period_begins=period_of(started_on, kind).start,
            result=estimated.result,
            partnership_schools=len(estimated.treated),
            comparison_schools=len(estimated.comparison),
            periods_before=estimated.periods_before,
            means=group_means(
                estimated.panel,
                partnership_ids=[school.pk for school in estimated.treated],
                comparison_ids=[school.pk for school in estimated.comparison],
            ),
            before_gap=_before_gap(estimated, started_on),
            left_out=estimated.panel.left_out,
            missing=len(used) * len(estimated.periods) - estimated.result.n_observations,
            schools_without_figures=[
                school.name
                for school in schools.treated + schools.comparison
                if school.pk not in used
            ],
            latest_period=estimated.periods[-1],
        )
    )


def _repeats(latest: Evaluation | None, evaluation: Evaluation) -> bool:
    if latest is None:
        return False
    fields = (
        "started_on",
        "period_kind",
        "treated_urns",
        "comparison_urns",
        "periods",
        "estimate",
        "std_error",
        "n_observations",
    )
    return all(getattr(latest, name) == getattr(evaluation, name) for name in fields)


@transaction.atomic
def evaluation_create(
    *,
    actor: Any,
    partnership: Partnership,
    indicator: object,
    comparison_urns: object = None,
    source: str,
) -> Evaluation:
    """Estimate the partnership's effect on the indicator (a code from the catalogue) against
    the comparison schools of ``comparison_urns`` (chosen automatically when None), and record
    it with its caveats; audited. Raises ``ValidationError`` naming ``partnership_id``,
    ``indicator`` or ``comparison_urns``, with nothing recorded. Returns the partnership's
    latest evaluation instead when this one would repeat it exactly."""
    # One evaluation of a partnership at a time: a double submission finds the first made.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    errors: dict[str, list[str]] = {}
    found = _indicator(indicator, errors)
    urns = _urns(comparison_urns, errors)
    if partnership.started_on is None:
        errors["partnership_id"] = [
            "The partnership has no start date: record when it began before evaluating it"
        ]
    if errors or found is None:
        raise ValidationError(errors)
    schools = _schools(partnership, found, urns, errors)
    if errors:
        raise ValidationError(errors)
    estimated = _estimate(partnership, found, schools)
    result = estimated.result
    assert partnership.started_on is not None
    evaluation = Evaluation(
        partnership=partnership,
        indicator=found,
        period_kind=indicator_kind(found),
        started_on=partnership.started_on,
        treated_urns=[school.urn for school in estimated.treated],
        comparison_urns=[school.urn for school in estimated.comparison],
        comparison_chosen=schools.chosen,
        periods=estimated.periods,
        estimate=result.estimate,
        std_error=result.std_error,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        p_value=result.p_value,
        n_units=result.n_units,
        n_periods=result.n_periods,
        n_observations=result.n_observations,
        caveats=_caveats(partnership, found, schools, estimated),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    latest = (
        Evaluation.objects.filter(partnership=partnership, indicator=found)
        .order_by("-created_at")
        .first()
    )
    if _repeats(latest, evaluation):
        assert latest is not None
        return latest
    evaluation.full_clean()
    evaluation.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=evaluation,
        detail={
            "partnership": str(partnership.pk),
            "indicator": found.code,
            "comparison_chosen": schools.chosen,
            "treated_urns": [str(urn) for urn in evaluation.treated_urns],
            "comparison_urns": [str(urn) for urn in evaluation.comparison_urns],
            "periods": list(evaluation.periods),
            "n_observations": result.n_observations,
        },
    )
    return evaluation
