"""A partnership's year made by hand across the apps, for the annual report's tests.

Partnership P of the shared ``world`` (school A, secondary, and school B, primary) began on
1 September 2024. Today is 14 October 2026, so its reports are for 2024/25, 2025/26 (over) and
2026/27 (so far). In 2025/26:

- pupils' reports (23): October 2025, 6 bullying and 2 online bullying at A; November, 3 about
  weapons at A; January 2026, 7 bullying at A; March, 5 bullying at B. One more in July 2025 and
  one in September 2026 fall outside the year.
- incidents at A (18): October, 6 assaults and 3 thefts at the bus stop; January, 6 anti-social
  behaviour at the gates; February, 2 assaults on the field and a weapon found at no particular
  place.
- the officer: 3 patrols (on 6, 13 and 15 October, an hour each), 2 lessons of 50 minutes, one
  one-to-one of 30 minutes and a meeting of 90 minutes, all at A (6.7 hours); a plan for a patrol each Monday
  in October 2025 (4 planned, 2 of them done).
- casework at A: 6 referrals in January (4 sent, 2 completed) and one multi-agency meeting.
- the steering group: 2 school members, a police member and a pupil representative (and one who
  left in 2024); meetings in October 2025 and March 2026 (and one in June 2025).
- the protocol: version 1 written 1 July 2025, signed by every partner by 10 July 2025; version 2
  written in September 2026, after the year.
- the 2025/26 work-plan: one outcome with an action done, one overdue and one dropped; a target on
  incidents, one on overall absence (published figures for 2023/24 to 2025/26) and one measured by
  hand (met).
- an evaluation of overall absence.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from saferschools.accounts.models import Role
from saferschools.activity.models import Activity, PatrolPlan
from saferschools.casework.models import Meeting, Referral, ReferralService, ReferralStatus
from saferschools.core.models import Partnership
from saferschools.incidents.models import Incident, Place
from saferschools.lib.schooldays import LONDON
from saferschools.outcomes.models import Evaluation, IndicatorValue
from saferschools.planning.models import (
    ActionStatus,
    Protocol,
    ProtocolPartner,
    SteeringMeeting,
    SteeringMember,
    Target,
    TargetMeasurement,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from saferschools.reporting.models import Report
from saferschools.testing.factories import PupilFactory, submit_report

TODAY = date(2026, 10, 14)
NOW = datetime(2026, 10, 14, 12, 0, tzinfo=LONDON)
YEAR = 2025


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def report(school: Any, category: str, day: date) -> Report:
    made = submit_report(school, category=category).report
    received = at(day)
    Report.objects.filter(pk=made.pk).update(
        received_at=received,
        due_at=received + timedelta(hours=4),
        outcome_due_at=received + timedelta(days=5),
        acknowledged_at=received + timedelta(hours=1),
    )
    return made


def incident(
    school: Any, by: Any, category: str, day: date, place: Place | None = None
) -> Incident:
    when = at(day, 15)
    return Incident.objects.create(
        school=school,
        occurred_at=when,
        recorded_at=when + timedelta(hours=1),
        recorded_by=by,
        location_kind="journey" if place is not None and place.kind == "stop" else "on_site",
        place=place,
        category=category,
        severity="medium",
        description="Pushing and shoving",
        updated_at=when + timedelta(hours=1),
        updated_by=by,
    )


def activity(school: Any, officer: Any, kind: str, day: date, minutes: int) -> Activity:
    return Activity.objects.create(
        officer=officer, school=school, kind=kind, started_at=at(day, 8), minutes=minutes
    )


@dataclass
class Year:
    partnership: Partnership
    head: Any
    officer: Any
    dsl: Any
    places: dict[str, Place]
    evaluation: Evaluation
    workplan: Workplan


def make_year(world: Any, persona: Any) -> Year:
    """The partnership's 2025/26, as the module's docstring tells it."""
    partnership = world.p
    Partnership.objects.filter(pk=partnership.pk).update(started_on=date(2024, 9, 1))
    partnership.refresh_from_db()
    a, b = world.school_a, world.school_b
    head = persona(Role.HEAD_TEACHER, a, email="head@oakwood.example", full_name="Hari Head")
    officer = persona(Role.SSP_OFFICER, partnership, email="officer@police.example")
    dsl = persona(Role.SAFEGUARDING_LEAD, a, email="dsl@oakwood.example")

    for category, day, count, school in [
        ("bullying", date(2025, 10, 7), 6, a),
        ("online_bullying", date(2025, 10, 8), 2, a),
        ("weapons", date(2025, 11, 12), 3, a),
        ("bullying", date(2026, 1, 20), 7, a),
        ("bullying", date(2026, 3, 10), 5, b),
        ("bullying", date(2025, 7, 1), 1, a),
        ("bullying", date(2026, 9, 15), 1, a),
    ]:
        for _ in range(count):
            report(school, category, day)

    places = {
        name: Place.objects.create(school=a, name=name, kind=kind)
        for name, kind in [("Bus stop", "stop"), ("Gates", "site_zone"), ("Field", "site_zone")]
    }
    for category, day, count, place in [
        ("assault", date(2025, 10, 9), 6, places["Bus stop"]),
        ("theft", date(2025, 10, 9), 3, places["Bus stop"]),
        ("anti_social_behaviour", date(2026, 1, 21), 6, places["Gates"]),
        ("assault", date(2026, 2, 3), 2, places["Field"]),
        ("weapon_found", date(2026, 2, 4), 1, None),
    ]:
        for _ in range(count):
            incident(a, dsl, category, day, place)

    for kind, day, minutes in [
        ("patrol", date(2025, 10, 6), 60),
        ("patrol", date(2025, 10, 13), 60),
        ("patrol", date(2025, 10, 15), 60),
        ("lesson", date(2025, 11, 4), 50),
        ("lesson", date(2025, 11, 11), 50),
        ("one_to_one", date(2026, 2, 2), 30),
        ("meeting", date(2026, 3, 2), 90),
        ("patrol", date(2026, 9, 14), 60),
    ]:
        activity(a, officer, kind, day, minutes)
    PatrolPlan.objects.create(
        officer=officer,
        school=a,
        weekdays=1,
        starts_at=time(8, 15),
        ends_at=time(8, 45),
        valid_from=date(2025, 10, 1),
        valid_until=date(2025, 10, 31),
    )

    pupils = PupilFactory.create_batch(6, school=a)
    for index, pupil in enumerate(pupils):
        Referral.objects.create(
            pupil=pupil,
            school=a,
            agency=world.yot,
            service=ReferralService.YOUTH_OFFENDING_TEAM,
            reason="Getting into fights after school",
            status=ReferralStatus.COMPLETED if index < 2 else ReferralStatus.SENT,
            referred_by=dsl,
            referred_at=at(date(2026, 1, 15)),
        )
    Meeting.objects.create(
        school=a, title="Team around the pupils", held_at=at(date(2026, 2, 10)), recorded_by=dsl
    )

    for kind, name, organisation, role, joined, left in [
        ("school", "Hari Head", "Oakwood School", "Chair", date(2024, 7, 1), None),
        ("school", "Lara Lead", "Langshott Primary", "", date(2024, 7, 1), None),
        ("police", "Sgt Sue", "Surrey Police", "Line manager", date(2024, 7, 1), None),
        ("pupil", "Year 10 representative", "School council", "", date(2025, 9, 1), None),
        (
            "local_authority",
            "Old Member",
            "Surrey County Council",
            "",
            date(2024, 7, 1),
            date(2024, 12, 31),
        ),
    ]:
        SteeringMember.objects.create(
            partnership=partnership,
            kind=kind,
            name=name,
            organisation=organisation,
            role=role,
            joined_on=joined,
            left_on=left,
        )
    for day in (date(2025, 6, 12), date(2025, 10, 16), date(2026, 3, 19)):
        SteeringMeeting.objects.create(
            partnership=partnership, held_at=at(day, 16), agenda="Progress", recorded_by=head
        )

    first = _protocol(
        partnership, 1, head, world, written=date(2025, 7, 1), signed=date(2025, 7, 10)
    )
    second = _protocol(partnership, 2, head, world, written=date(2026, 9, 15), signed=None)
    assert first.version == 1 and second.version == 2

    workplan = _workplan(partnership, head, officer)
    for school, rates in ((a, ("5.1", "4.8", "4.2")), (b, ("4.0", "3.9", "3.5"))):
        for start, rate in zip((2023, 2024, 2025), rates, strict=True):
            IndicatorValue.objects.create(
                indicator_id="overall_absence",
                school=school,
                period=f"{start}/{(start + 1) % 100:02d}",
                period_start=date(start, 9, 1),
                value=Decimal(rate),
            )
    evaluation = Evaluation.objects.create(
        partnership=partnership,
        indicator_id="overall_absence",
        started_on=date(2024, 9, 1),
        treated_urns=[a.urn, b.urn],
        comparison_urns=[990001, 990002, 990003],
        comparison_chosen=Evaluation.Chosen.AUTOMATIC,
        periods=["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"],
        estimate=-0.42,
        std_error=0.15,
        ci_low=-0.71,
        ci_high=-0.13,
        p_value=0.012,
        n_units=5,
        n_periods=5,
        n_observations=25,
        caveats=["Few schools: the estimate is uncertain."],
    )
    return Year(partnership, head, officer, dsl, places, evaluation, workplan)


def _protocol(
    partnership: Partnership,
    version: int,
    head: Any,
    world: Any,
    *,
    written: date,
    signed: date | None,
) -> Protocol:
    protocol = Protocol.objects.create(
        partnership=partnership,
        version=version,
        purpose="Keep pupils safe",
        line_management="The sergeant",
        deployment=Protocol.Deployment.FULL_TIME,
        resources_and_funding="Police and schools share the cost",
        communication="Letters home",
        governance="A steering group",
        review_on=date(2026, 7, 17),
        created_by=head,
    )
    Protocol.objects.filter(pk=protocol.pk).update(created_at=at(written))
    for partner in (
        {"agency": world.police},
        {"school": world.school_a},
        {"school": world.school_b},
    ):
        ProtocolPartner.objects.create(
            protocol=protocol,
            brings="Time",
            responsibilities="Its part",
            signed_by=head if signed else None,
            signed_at=at(signed) if signed else None,
            **partner,
        )
    return protocol


def _workplan(partnership: Partnership, head: Any, officer: Any) -> Workplan:
    plan = Workplan.objects.create(
        partnership=partnership,
        year=YEAR,
        status=Workplan.Status.AGREED,
        agreed_on=date(2025, 9, 24),
        created_by=head,
    )
    outcome = WorkplanOutcome.objects.create(
        workplan=plan, aim="safety", text="Pupils feel safe on the way home"
    )
    for description, due, status in [
        ("Patrol the bus stop after school", date(2025, 12, 1), ActionStatus.DONE),
        ("Talk to every year group", date(2026, 6, 1), ActionStatus.IN_PROGRESS),
        ("Set up a walking bus", date(2026, 3, 1), ActionStatus.DROPPED),
    ]:
        WorkplanAction.objects.create(
            outcome=outcome, description=description, owner=officer, due_on=due, status=status
        )
    Target.objects.create(
        outcome=outcome,
        description="Fewer incidents",
        indicator_id="incidents",
        baseline=Decimal(20),
        baseline_on=date(2025, 9, 1),
        target_value=Decimal(10),
        target_on=date(2026, 7, 31),
    )
    Target.objects.create(
        outcome=outcome,
        description="Better attendance",
        indicator_id="overall_absence",
        baseline=Decimal("4.9"),
        baseline_on=date(2024, 9, 1),
        target_value=Decimal("4.0"),
        target_on=date(2026, 8, 31),
    )
    measured = Target.objects.create(
        outcome=outcome,
        description="Families supported",
        measure="Families in the early-help programme attending",
        baseline=Decimal(10),
        baseline_on=date(2025, 9, 1),
        target_value=Decimal(6),
        target_on=date(2026, 7, 31),
    )
    TargetMeasurement.objects.create(
        target=measured, measured_on=date(2026, 6, 1), value=Decimal(5), recorded_by=head
    )
    return plan
