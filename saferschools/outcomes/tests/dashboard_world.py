"""Records for the dashboards' tests: pupils' reports and incidents at given moments, published
figures, and the time the tests are set at."""

from datetime import UTC, date, datetime
from decimal import Decimal

from saferschools.incidents.models import Incident
from saferschools.outcomes.models import IndicatorValue
from saferschools.outcomes.periods import parse_period
from saferschools.reporting.models import Report
from saferschools.testing.factories import submit_report

# Sunday 15 March 2026: the academic year 2025/26, its spring term, the month 2026-03.
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def report(school, when: datetime, *, category: str = "bullying") -> Report:
    made = submit_report(school, category=category).report
    Report.objects.filter(pk=made.pk).update(received_at=when)
    made.refresh_from_db()
    return made


def reports(school, when: datetime, count: int, *, category: str = "bullying") -> None:
    for _ in range(count):
        report(school, when, category=category)


def incident(
    school, when: datetime, recorder, *, category: str = "bullying", critical: bool = False
) -> Incident:
    return Incident.objects.create(
        school=school,
        occurred_at=when,
        recorded_at=when,
        recorded_by=recorder,
        location_kind="on_site",
        category=category,
        severity="critical" if critical else "medium",
        description="Pushed against the lockers at break.",
        updated_at=when,
        updated_by=recorder,
    )


def incidents(school, when: datetime, recorder, count: int, **fields) -> None:
    for _ in range(count):
        incident(school, when, recorder, **fields)


def published(school, code: str, period: str, value: str | None) -> IndicatorValue:
    """A published figure for the school (``None``: suppressed by the publisher)."""
    found = parse_period(period)
    return IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_kind=found.kind,
        period_start=found.start,
        value=Decimal(value) if value is not None else None,
        suppressed=value is None,
    )


def pin_comparison(partnership, indicator: str, schools) -> None:
    """An evaluation of the partnership that chose these comparison schools for the indicator:
    the dashboards then compare with them."""
    from saferschools.outcomes.models import Evaluation

    Evaluation.objects.create(
        partnership=partnership,
        indicator_id=indicator,
        started_on=date(2025, 9, 1),
        treated_urns=[school.urn for school in partnership.schools.all()],
        comparison_urns=[school.urn for school in schools],
        comparison_chosen=Evaluation.Chosen.GIVEN,
        periods=["2023/24", "2024/25", "2025/26"],
        estimate=-1.0,
        std_error=0.5,
        ci_low=-2.0,
        ci_high=0.0,
        p_value=0.05,
        n_units=3,
        n_periods=3,
        n_observations=9,
    )


def work_plan_target(partnership, actor, *, indicator: str, baseline: str, target: str):
    """A target of the partnership's 2025/26 work-plan on the indicator."""
    from saferschools.planning import workplan_services as services
    from saferschools.planning.models import CoreAim
    from saferschools.planning.workplan_services import TargetInput

    workplan = services.workplan_start(actor=actor, partnership=partnership, year=2025, source="t")
    outcome = services.workplan_outcome_add(
        actor=actor, workplan=workplan, aim=CoreAim.SAFETY, text="Safer schools", source="t"
    )
    return services.workplan_target_add(
        actor=actor,
        outcome=outcome,
        data=TargetInput(
            description="Down on the baseline",
            indicator=indicator,
            baseline=Decimal(baseline),
            baseline_on=date(2025, 9, 1),
            target_value=Decimal(target),
            target_on=date(2026, 7, 31),
        ),
        source="t",
    )
