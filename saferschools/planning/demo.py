"""The demo partnership's life, made through the real services by the demo's own people: the
area's published figures, a completed Stage 1 (every school's needs assessment, a parent's
request), Stage 2 (aims and desired outcomes, a protocol revised once and signed by every
partner, a steering group with a meeting) and the Stage 3 work-plan built from the guidance's
own example."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferschools.accounts.models import User
from saferschools.core.models import Agency, Partnership, School
from saferschools.lib.schooldays import LONDON, academic_year_of, add_school_days, is_school_day
from saferschools.outcomes.importing import indicators_import
from saferschools.outcomes.models import IndicatorValue, LsoaDeprivation
from saferschools.sharing.models import InformationSharingAgreement

from .models import (
    ActionStatus,
    Concern,
    CoreAim,
    NeedsAssessment,
    Protocol,
    ProtocolPartner,
    SspRequest,
    SteeringMeeting,
    Target,
    Workplan,
    WorkplanAction,
)
from .needs_services import (
    NeedsInput,
    needs_assessment_complete,
    needs_assessment_save,
    ssp_request_answer,
    ssp_request_submit,
)
from .protocol_services import (
    PartnerInput,
    ProtocolInput,
    partnership_aims_save,
    protocol_save,
    protocol_sign,
)
from .stage import partnership_advance
from .steering_services import (
    ActionInput as SteeringActionInput,
)
from .steering_services import (
    MeetingInput,
    MemberInput,
    steering_action_set_done,
    steering_meeting_record,
    steering_member_add,
)
from .workplan_services import (
    ActionInput,
    OutcomeInput,
    RoleInput,
    TargetInput,
    workplan_action_update_status,
    workplan_agree,
    workplan_outcomes_add,
    workplan_target_measure,
)

SOURCE = "command:demo"
DEMO_DATA = Path(__file__).resolve().parents[1] / "outcomes" / "demo_data"
# The published absence file does not state its year; see outcomes/demo_data/README.md.
ABSENCE_PERIOD = "2017/18"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def _school_days_away(count: int) -> date:
    """The school day ``count`` school days after today (before it, if negative)."""
    day = timezone.localdate()
    if count >= 0:
        return add_school_days(day, count)
    for _ in range(-count):
        day -= timedelta(days=1)
        while not is_school_day(day):
            day -= timedelta(days=1)
    return day


# The steering group's latest meeting, two school weeks ago.
def _latest_meeting_day() -> date:
    return _school_days_away(-10)


def demo_indicators() -> None:
    """Import the Surrey schools' published absence and the IMD 2019 for Surrey, unless the
    area has them already."""
    if not LsoaDeprivation.objects.exists():
        indicators_import(actor=None, file=DEMO_DATA / "surrey_imd2019.csv", source=SOURCE)
    if not IndicatorValue.objects.filter(period=ABSENCE_PERIOD).exists():
        indicators_import(
            actor=None,
            file=DEMO_DATA / "surrey_absence.csv",
            source=SOURCE,
            period=ABSENCE_PERIOD,
        )


# What each school found when it examined its needs (section 3.2): concerns, views, narrative.
NEEDS: dict[int, dict[str, Any]] = {
    125273: {
        "by": "head@oakwood.example",
        "concerns": [
            Concern.BULLYING,
            Concern.DRUGS_ALCOHOL,
            Concern.TRAVEL_ROUTES,
            Concern.TRANSITION,
        ],
        "staff_views": "Staff report groups gathering at the bus stops on Balcombe Road after "
        "school and more vaping and cannabis among Year 10.",
        "pupil_views": "The school council's survey: a third of Year 8 do not feel safe on the "
        "walk to the station; pupils want an adult they can talk to who is not a teacher.",
        "parent_views": "Parents at the autumn parents' evening asked for a police presence at "
        "the end of the day; one parent asked formally that the school consider an SSP.",
        "governor_views": "Governors support a partnership shared with the feeder primaries so "
        "that no school is singled out.",
        "narrative": "Persistent absence is above the Surrey median for secondary schools and "
        "crime near the school is concentrated on the travel routes at the end of the school "
        "day. Year 7 arrivals from five primaries bring friendship-group conflict that carries "
        "on online. A part-shared officer, co-ordinated patrols and joint work on attendance "
        "would meet the needs found.",
    },
    125104: {
        "by": "dsl@langshott.example",
        "concerns": [Concern.BULLYING, Concern.TRAVEL_ROUTES],
        "staff_views": "Parking and crossing near the gates at drop-off is the main worry.",
        "pupil_views": "Year 6 want to know what secondary school will be like.",
        "parent_views": "Parents welcome PCSO visits to assemblies.",
        "governor_views": "Governors agree to join the cluster partnership.",
        "narrative": "Low crime near the school; the need is road safety, online safety lessons "
        "and a smooth transition to Oakwood.",
    },
}
NEEDS_DEFAULT: dict[str, Any] = {
    "by": "officer@surrey-police.example",
    "concerns": [Concern.TRAVEL_ROUTES, Concern.TRANSITION],
    "staff_views": "Staff would value advice on online safety and on parents' parking.",
    "pupil_views": "Pupils asked for more visits from the police to lessons.",
    "parent_views": "Parents raised anti-social behaviour in the recreation ground after school.",
    "governor_views": "Governors agree to join the cluster partnership.",
    "narrative": "A small primary with few incidents; the partnership can help most through "
    "transition to secondary school, lessons on staying safe and a visible presence at the "
    "start and end of the day.",
}


def demo_needs(schools: list[School]) -> None:
    """Each school's needs assessment, completed by its leaders or the partnership's officer."""
    for school in schools:
        story = NEEDS.get(school.urn, NEEDS_DEFAULT)
        actor = _user(story["by"])
        saved = needs_assessment_save(
            actor=actor,
            school=school,
            data=NeedsInput(
                concerns=list(story["concerns"]),
                staff_views=story["staff_views"],
                pupil_views=story["pupil_views"],
                parent_views=story["parent_views"],
                governor_views=story["governor_views"],
                narrative=story["narrative"],
            ),
            source=SOURCE,
        )
        needs_assessment_complete(
            actor=actor, school=school, seen_updated_at=saved.updated_at, source=SOURCE
        )
    NeedsAssessment.objects.filter(school__in=schools).update(
        completed_on=date(2025, 6, 27), updated_at=_at(date(2025, 6, 27), 15)
    )


def demo_requests(secondary: School, primaries: list[School]) -> None:
    """A parent's request to Oakwood, answered, and a governor's to a primary, awaiting one."""
    head = _user("head@oakwood.example")
    asked = ssp_request_submit(
        school=secondary,
        requester=SspRequest.Requester.PARENT,
        name="Jo Parent",
        contact="jo.parent@example.com",
        reason="My son has been followed from the bus stop twice this term. I would like the "
        "school to consider a Safer School Partnership with the police, as other Surrey "
        "schools have.",
        source=SOURCE,
    )
    ssp_request_answer(
        actor=head,
        request=asked,
        response="Thank you. Governors discussed your request on 12 June and the school is "
        "setting up a partnership with Surrey Police and the Horley primaries from September.",
        source=SOURCE,
    )
    SspRequest.objects.filter(pk=asked.pk).update(
        received_on=date(2025, 5, 19), answered_at=_at(date(2025, 6, 13))
    )
    infant = next((s for s in primaries if s.urn == 124981), primaries[0])
    governor = ssp_request_submit(
        school=infant,
        requester=SspRequest.Requester.GOVERNOR,
        name="Chris Governor",
        contact="",
        reason="Could the partnership officer also cover the infant school's gate at the end "
        "of the day? Parents report cars parked on the zig-zags.",
        source=SOURCE,
    )
    # A week before the steering group's latest meeting, which took it up.
    SspRequest.objects.filter(pk=governor.pk).update(
        received_on=_latest_meeting_day() - timedelta(days=7)
    )


AIMS: dict[str, list[str]] = {
    CoreAim.SAFETY: [
        "Reduced pupil or staff concern about hotspots on the school site, school travel and "
        "the school neighbourhood",
        "Critical incidents are prevented or managed to limit harm",
    ],
    CoreAim.EARLY_IDENTIFICATION: [
        "Pupils most at risk of causing harm are challenged or supported through early "
        "intervention services tackling behaviour, attendance and mental health",
    ],
    CoreAim.BEHAVIOUR_ATTENDANCE: [
        "Reduction in pupil absence, particularly persistent absence",
        "Reduction in the need for exclusions",
    ],
    CoreAim.RELATIONS: [
        "Police presence on school premises allows young people to become comfortable and "
        "familiar with police, and to build up trust",
    ],
}


def _protocol_input(
    partnership: Partnership, agencies: dict[str, Agency], *, version: int
) -> ProtocolInput:
    agreement = InformationSharingAgreement.objects.filter(partnership=partnership).first()
    days = (
        "Oakwood School three days a week (Monday, Wednesday, Friday); the five primary "
        "schools share Tuesday and Thursday, each visited at least once a fortnight."
        if version == 1
        else "Oakwood School Monday, Wednesday and Friday mornings and every afternoon at the "
        "end of the school day; the five primary schools share Tuesday and Thursday, each "
        "visited at least once a week."
    )
    partners = [
        PartnerInput(
            agency_id=agencies[Agency.Kind.POLICE_FORCE].pk,
            brings="A dedicated police constable for the cluster, with police equipment, "
            "training and the Neighbourhood Policing Team's intelligence.",
            responsibilities="Line management of the officer; patrols at key times of the "
            "school day; police action where the law is broken; information from the police "
            "to schools before the next school day.",
        ),
        PartnerInput(
            agency_id=agencies[Agency.Kind.YOUTH_OFFENDING_TEAM].pk,
            brings="A named practitioner for referrals and joint intervention programmes.",
            responsibilities="Agreed interventions for pupils at risk of offending; attends "
            "the half-termly multi-agency meeting.",
        ),
    ]
    for school in partnership.schools.order_by("name"):
        partners.append(
            PartnerInput(
                school_id=school.pk,
                brings="A room with a telephone and a lockable cabinet when the officer is on "
                "site, and the time of its safeguarding lead.",
                responsibilities="Discipline and behaviour stay with the head teacher and staff; "
                "the school sets the officer's objectives with the sergeant each term.",
            )
        )
    return ProtocolInput(
        purpose="To keep the young people of the Horley cluster safe, reduce crime and the "
        "fear of crime, and improve behaviour and attendance, as the partners' core aims "
        "set out.",
        line_management="The officer remains a Surrey Police constable line-managed by the "
        "Horley Neighbourhood Policing Team sergeant. The head teachers meet the sergeant each "
        "term to set and review the officer's objectives.",
        deployment=Protocol.Deployment.FULL_TIME,
        days_per_school=days,
        room_and_equipment="An office at Oakwood School; a desk and telephone at each primary.",
        resources_and_funding="Surrey Police pays for the officer. Oakwood School provides the "
        "office and its running costs. Surrey County Council funds the youth offending "
        "service's time through its early help budget.",
        communication="A letter to every family each September; a page on each school's "
        "website; the officer at parents' evenings; a summary of the annual report for "
        "governors, parents and the Horley community forum.",
        governance="The steering group meets each half term and reports to the schools' "
        "governing bodies and the district commander once a year, with the annual report.",
        sharing_agreement_id=agreement.pk if agreement else None,
        review_on=date(2027, 7, 16),
        change_note=""
        if version == 1
        else "More time at the end of the school day, after the steering group's review.",
        partners=partners,
    )


def _sign_all(protocol: Protocol, agencies: dict[str, Agency], signed_on: date) -> None:
    signers = {
        agencies[Agency.Kind.POLICE_FORCE].pk: _user("sergeant@surrey-police.example"),
        agencies[Agency.Kind.YOUTH_OFFENDING_TEAM].pk: _user("practitioner@surrey-yos.example"),
    }
    for partner in protocol.partners.select_related("agency", "school"):
        if partner.agency_id:
            protocol_sign(
                actor=signers[partner.agency_id],
                protocol=protocol,
                agency=partner.agency,
                source=SOURCE,
            )
        else:
            head = User.objects.get(
                memberships__role="head_teacher", memberships__school=partner.school
            )
            protocol_sign(actor=head, protocol=protocol, school=partner.school, source=SOURCE)
    ProtocolPartner.objects.filter(protocol=protocol).update(signed_at=_at(signed_on))


def demo_protocol(partnership: Partnership) -> None:
    """The partnership's aims and its protocol: version 1 agreed before the start, version 2
    after the first year's review, each signed by every partner."""
    head = _user("head@oakwood.example")
    partnership_aims_save(actor=head, partnership=partnership, aims=AIMS, source=SOURCE)
    agencies = {agency.kind: agency for agency in Agency.objects.filter(area=partnership.area)}
    first = protocol_save(
        actor=head,
        partnership=partnership,
        data=_protocol_input(partnership, agencies, version=1),
        based_on_version=None,
        source=SOURCE,
    )
    _sign_all(first, agencies, date(2025, 7, 14))
    Protocol.objects.filter(pk=first.pk).update(
        created_at=_at(date(2025, 7, 7)), review_on=date(2026, 7, 17)
    )
    second = protocol_save(
        actor=_user("steering@horley-ssp.example"),
        partnership=partnership,
        data=_protocol_input(partnership, agencies, version=2),
        based_on_version=1,
        source=SOURCE,
    )
    # Drafted after the steering group's September meeting decided on it.
    _sign_all(second, agencies, date(2026, 9, 21))
    Protocol.objects.filter(pk=second.pk).update(created_at=_at(date(2026, 9, 15)))


@transaction.atomic
def demo_planning(*, partnership: Partnership, secondary: School, primaries: list[School]) -> None:
    """Give the demo partnership its life so far, unless it has it already."""
    demo_indicators()
    if Protocol.objects.filter(partnership=partnership).exists():
        return
    head = _user("head@oakwood.example")
    schools = [secondary, *primaries]
    demo_needs(schools)
    demo_requests(secondary, primaries)
    partnership_advance(actor=head, partnership=partnership, source=SOURCE)
    demo_protocol(partnership)
    demo_steering(partnership)
    partnership_advance(actor=head, partnership=partnership, source=SOURCE)
    Partnership.objects.filter(pk=partnership.pk).update(started_on=date(2025, 9, 1))
    demo_workplan(partnership)


# The steering group: (e-mail or None, kind, name, organisation, role on the group).
STEERING_MEMBERS = [
    ("head@oakwood.example", "school", "Hari Head", "Oakwood School", "Chair"),
    (
        "head@langshott.example",
        "school",
        "Lara Langshott",
        "Langshott Primary School",
        "For the five primary schools",
    ),
    (
        "sergeant@surrey-police.example",
        "police",
        "Sgt Sue Pervisor",
        "Surrey Police",
        "The officer's line manager",
    ),
    ("officer@surrey-police.example", "police", "PC Olu Officer", "Surrey Police", "SSP officer"),
    (
        "steering@horley-ssp.example",
        "local_authority",
        "Stella Steering",
        "Surrey County Council",
        "Early help and the Children's Trust",
    ),
    (
        "practitioner@surrey-yos.example",
        "youth_offending_team",
        "Yan Practitioner",
        "Surrey Youth Offending Service",
        "",
    ),
    (None, "pupil", "Year 10 representative", "Oakwood School council", ""),
    (None, "pupil", "Year 6 representative", "Langshott Primary School council", ""),
]


def demo_steering(partnership: Partnership) -> None:
    """The steering group: its members, September's meeting (its action done) and November's
    (its actions open)."""
    chair = _user("head@oakwood.example")
    members = []
    for email, kind, name, organisation, role in STEERING_MEMBERS:
        members.append(
            steering_member_add(
                actor=chair,
                partnership=partnership,
                data=MemberInput(
                    kind=kind,
                    name=name,
                    organisation=organisation,
                    role=role,
                    joined_on=date(2025, 7, 7),
                    user_id=_user(email).pk if email else None,
                ),
                source=SOURCE,
            )
        )
    officer = _user("officer@surrey-police.example")
    steering = _user("steering@horley-ssp.example")
    september = steering_meeting_record(
        actor=chair,
        partnership=partnership,
        data=MeetingInput(
            held_at=_at(date(2026, 9, 10), 16),
            location="Oakwood School, library",
            agenda="1. The first year's review\n2. Changes to the protocol\n3. The 2026/27 "
            "work-plan",
            minutes="The officer presented the first year's activity and hotspots: most trouble "
            "falls between 3.10 and 3.40 pm at the Balcombe Road bus stops and Horley "
            "station. The pupil representatives said the walk to the station is where they "
            "feel least safe.",
            decisions="More of the officer's time at the end of the school day (protocol "
            "version 2). The guidance's example work-plan to be adapted for 2026/27.",
            attendee_ids=[member.pk for member in members],
            actions=[
                SteeringActionInput(
                    description="Draft version 2 of the protocol for partners to sign",
                    due_on=date(2026, 9, 18),
                    owner_id=steering.pk,
                )
            ],
        ),
        source=SOURCE,
    )
    for action in september.actions.all():
        steering_action_set_done(actor=steering, action=action, done=True, source=SOURCE)
    september.actions.update(done_at=_at(date(2026, 9, 15), 12))
    held = _latest_meeting_day()
    november = steering_meeting_record(
        actor=chair,
        partnership=partnership,
        data=MeetingInput(
            held_at=_at(held, 16),
            location="Langshott Primary School",
            agenda="1. Progress on the work-plan\n2. Parking at the infant school's gate\n3. "
            "Letter to parents about patrols",
            minutes="Patrols have run every school day since half term. Governors of Horley "
            "Infant School asked for help with parking on the zig-zags at the gate.",
            decisions="The officer to include the infant school's gate in the end-of-day "
            "patrol twice a week. A joint letter to parents about the patrols.",
            attendee_ids=[m.pk for m in members if m.name != "Yan Practitioner"],
            actions=[
                SteeringActionInput(
                    description="Write to parents of all six schools about the end-of-day patrols",
                    due_on=_school_days_away(10),
                    owner_id=officer.pk,
                ),
                SteeringActionInput(
                    description="Ask the county's highways team about parking at Horley "
                    "Infant School's gate",
                    due_on=_school_days_away(5),
                    owner_id=steering.pk,
                ),
            ],
        ),
        source=SOURCE,
    )
    for meeting, day in ((september, date(2026, 9, 10)), (november, held)):
        SteeringMeeting.objects.filter(pk=meeting.pk).update(
            created_at=_at(day, 18), updated_at=_at(day, 18)
        )


def guidance_example(*, year: int, owner_id: object = None) -> list[OutcomeInput]:
    """The guidance's "Example of a work plan from an SSP" (section 3, Stage 3) as outcomes for
    ``workplan_outcomes_add``: its four chosen outcomes with their partner roles and agreed
    actions, and a target for each. Actions are due in the plan's spring and summer terms; the
    patrols are owned by ``owner_id`` (the officer) when given."""
    spring, summer = date(year + 1, 3, 31), date(year + 1, 7, 17)
    start, end = date(year, 9, 1), date(year + 1, 7, 31)
    return [
        OutcomeInput(
            aim=CoreAim.BEHAVIOUR_ATTENDANCE,
            text="Improve behaviour and attendance",
            partner_roles=[
                RoleInput(
                    partner="Police and education social worker",
                    role="Work together with the priority families, in school and at home",
                )
            ],
            actions=[
                ActionInput(
                    description="Joint work with 10 priority families to improve attendance by "
                    "an agreed percentage",
                    owner_name="Education social worker",
                    due_on=summer,
                )
            ],
            targets=[
                TargetInput(
                    description="Persistent absence among the 10 priority families down by a fifth",
                    measure="Persistent absence among the 10 priority families (%)",
                    baseline=Decimal(30),
                    baseline_on=start,
                    target_value=Decimal(24),
                    target_on=end,
                )
            ],
        ),
        OutcomeInput(
            aim=CoreAim.BEYOND_SITE,
            text="Reduced pupil and staff concern about “trouble hotspots” on the school site, "
            "travel routes and in the local area",
            partner_roles=[
                RoleInput(
                    partner="Schools and police",
                    role="Schools agree staffing; police agree to support; and both agree the "
                    "prevention and incident strategy",
                )
            ],
            actions=[
                ActionInput(
                    description="Co-ordinated patrols at the beginning and end of the school day",
                    owner_id=owner_id,
                    owner_name="" if owner_id else "SSP officer",
                    due_on=spring,
                )
            ],
            targets=[
                TargetInput(
                    description="Patrols at the beginning and end of the school day each month",
                    indicator="patrols",
                    baseline=Decimal(8),
                    baseline_on=start,
                    target_value=Decimal(30),
                    target_on=end,
                )
            ],
        ),
        OutcomeInput(
            aim=CoreAim.EARLY_IDENTIFICATION,
            text="Pupils most at risk of causing harm challenged and supported to ensure harm is "
            "avoided",
            partner_roles=[
                RoleInput(
                    partner="Children's social care, police and youth offending team",
                    role="A weekly update to share information on pupils; the school knows of "
                    "any police or court issues affecting its pupils",
                )
            ],
            actions=[
                ActionInput(
                    description="Year managers consult the SSP officer, the youth offending team "
                    "and other partners about pupils at risk, and agree a strategy",
                    owner_name="Year managers",
                    due_on=spring,
                )
            ],
        ),
        OutcomeInput(
            aim=CoreAim.SAFETY,
            text="Critical incidents are prevented or managed to limit harm",
            partner_roles=[
                RoleInput(
                    partner="All partners",
                    role="A shared understanding of each partner's role in a critical incident",
                )
            ],
            actions=[
                ActionInput(
                    description="Regular reviews of the planned processes, and a response to "
                    "critical incident alarm calls",
                    owner_name="Head teacher and police sergeant",
                    due_on=summer,
                )
            ],
            targets=[
                TargetInput(
                    description="No more than one critical incident a month",
                    indicator="critical_incidents",
                    baseline=Decimal(3),
                    baseline_on=start,
                    target_value=Decimal(1),
                    target_on=end,
                )
            ],
        ),
    ]


def demo_workplan(partnership: Partnership) -> None:
    """This year's work-plan, from the guidance's own example, agreed by the steering group,
    with progress on its actions: one done, one under way, one overdue."""
    year = academic_year_of(timezone.localdate())
    officer = _user("officer@surrey-police.example")
    head = _user("head@oakwood.example")
    dsl = _user("dsl@oakwood.example")
    outcomes = guidance_example(year=year, owner_id=officer.pk)
    outcomes[2].actions[0].owner_id, outcomes[2].actions[0].owner_name = dsl.pk, ""
    outcomes[3].actions.append(
        ActionInput(
            description="Go through each school's critical incident plan with the officer",
            owner_id=head.pk,
            due_on=_school_days_away(-6),
        )
    )
    plan = workplan_outcomes_add(
        actor=head, partnership=partnership, year=year, outcomes=outcomes, source=SOURCE
    )
    workplan_agree(
        actor=_user("steering@horley-ssp.example"), workplan=plan, version=None, source=SOURCE
    )
    Workplan.objects.filter(pk=plan.pk).update(agreed_on=date(year, 9, 24))
    actions = {
        action.description: action
        for action in WorkplanAction.objects.filter(outcome__workplan=plan)
    }
    patrols = next(a for d, a in actions.items() if d.startswith("Co-ordinated patrols"))
    workplan_action_update_status(
        actor=officer,
        action=patrols,
        status=ActionStatus.IN_PROGRESS,
        note="Patrols at the Balcombe Road bus stops and Horley station every school day from "
        "3.10 to 3.40 pm; morning patrols at Oakwood's gates twice a week.",
        source=SOURCE,
    )
    consult = next(a for d, a in actions.items() if d.startswith("Year managers"))
    workplan_action_update_status(
        actor=dsl,
        action=consult,
        status=ActionStatus.DONE,
        note="Fortnightly consultation agreed with year managers, the officer and the youth "
        "offending service; first three held.",
        source=SOURCE,
    )
    families = Target.objects.get(outcome__workplan=plan, indicator__isnull=True)
    workplan_target_measure(
        actor=head,
        target=families,
        # Four weeks ago, but never before the baseline at the start of the year.
        measured_on=max(date(year, 9, 1), timezone.localdate() - timedelta(days=28)),
        value=Decimal(27),
        note="Half-term figure from the attendance officer.",
        source=SOURCE,
    )
