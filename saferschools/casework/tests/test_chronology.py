"""The pupil's chronology selector: which entries each viewer gets, what they say, and what
reading them costs.

The casework rows are made directly here (not through the services) so that every kind of
entry can be made in one place: ``casework_record`` builds a whole record for a pupil.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role, User
from saferschools.casework.chronology import (
    PAGES,
    Kind,
    chronology_entries,
    chronology_viewer,
)
from saferschools.casework.models import (
    Meeting,
    MeetingPupil,
    Plan,
    PlanReview,
    PlanStatus,
    Pupil,
    Referral,
    ReferralService,
    ReferralStatus,
    ReferralUpdate,
    RiskAssessment,
    RiskAssessmentFactor,
    RiskFactor,
    RiskLevel,
)
from saferschools.incidents.models import Incident, IncidentParty
from saferschools.reporting.models import Report
from saferschools.sharing.models import (
    Consent,
    Decision,
    LawfulBasis,
    PoliceNotification,
    PoliceNotificationKind,
    SharingDecision,
)
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

REPORT_TEXT = "The older boys wait for me by the gate every day."
MEETING_NOTE = "Mum says he has been out late most nights."
NOTIFICATION_TEXT = "Officers attended a domestic incident at the home address."
FACTOR_EVIDENCE = "Shouting heard at drop-off twice this week."


@dataclass
class Record:
    report: Report
    incident: Incident
    assessment: RiskAssessment
    plan: Plan
    closed_plan: Plan
    referral: Referral
    meeting: Meeting
    shared: SharingDecision
    not_shared: SharingDecision
    notification: PoliceNotification


def ago(**delta: float) -> datetime:
    return timezone.now() - timedelta(**delta)


def decide(pupil: Pupil, agency, by: User, **fields) -> SharingDecision:
    """A sharing decision made directly, by default a share of the pupil's assessments with
    ``agency`` for thirty days."""
    values = {
        "pupil": pupil,
        "school": pupil.school,
        "agency": agency,
        "purpose": "Assess for the prevention programme",
        "information": "Risk assessments",
        "items": ["assessments"],
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "consent": Consent.GIVEN,
        "golden_rules_confirmed": True,
        "decision": Decision.SHARE,
        "expires_on": timezone.localdate() + timedelta(days=30),
        "decided_by": by,
        "decided_at": timezone.now(),
    }
    values.update(fields)
    return SharingDecision.objects.create(**values)


def assess(pupil: Pupil, by: User, *, at: datetime, level: str = RiskLevel.HIGH) -> RiskAssessment:
    assessment = RiskAssessment.objects.create(
        pupil=pupil,
        school=pupil.school,
        assessed_by=by,
        assessed_at=at,
        level=level,
        level_reason="High: a serious factor is present.",
        notes="Seen with older youths.",
        review_on=timezone.localdate() + timedelta(days=60),
    )
    RiskAssessmentFactor.objects.create(
        assessment=assessment,
        factor=RiskFactor.objects.get(code="family_conflict"),
        evidence=FACTOR_EVIDENCE,
        source="Class teacher",
    )
    return assessment


def casework_record(world, dsl: User, pupil: Pupil) -> Record:
    """One of every kind of entry for ``pupil``, at times from 30 days ago to an hour ago."""
    school = pupil.school
    report = submit_report(school, description=REPORT_TEXT).report
    Report.objects.filter(pk=report.pk).update(pupil=pupil, received_at=ago(days=30))
    report.refresh_from_db()
    incident = Incident.objects.create(
        school=school,
        occurred_at=ago(days=20),
        recorded_at=ago(days=20),
        recorded_by=dsl,
        location_kind="on_site",
        category="bullying",
        severity="medium",
        description="Pushed against the lockers at break.",
        updated_at=ago(days=20),
        updated_by=dsl,
    )
    IncidentParty.objects.create(incident=incident, role="victim", pupil=pupil)
    assessment = assess(pupil, dsl, at=ago(days=10))
    closed_plan = Plan.objects.create(
        pupil=pupil,
        school=school,
        lead_professional=dsl,
        concerns="Attendance falling",
        goals="Back to full attendance",
        status=PlanStatus.CLOSED,
        outcome="Attendance back to normal",
        opened_by=dsl,
        opened_at=ago(days=90),
        closed_at=ago(days=40),
    )
    plan = Plan.objects.create(
        pupil=pupil,
        school=school,
        lead_professional=dsl,
        concerns="Seen with older youths after school",
        goals="Safe journey home every day",
        next_review_on=timezone.localdate() + timedelta(days=14),
        opened_by=dsl,
        opened_at=ago(days=9),
    )
    plan.actions.create(
        description="Walk home with a mentor", owner_name="Sam Mentor", due_on=timezone.localdate()
    )
    PlanReview.objects.create(
        plan=plan,
        held_on=timezone.localdate() - timedelta(days=2),
        notes="Going well",
        reviewed_by=dsl,
    )
    referral = Referral.objects.create(
        pupil=pupil,
        school=school,
        agency=world.yot,
        service=ReferralService.YOUTH_OFFENDING_TEAM,
        reason="Risk of exploitation",
        referred_by=dsl,
        referred_at=ago(days=8),
        status=ReferralStatus.ACCEPTED,
    )
    ReferralUpdate.objects.create(
        referral=referral, status=ReferralStatus.SENT, by=dsl, at=referral.referred_at
    )
    ReferralUpdate.objects.create(
        referral=referral, status=ReferralStatus.ACCEPTED, by=dsl, at=ago(days=7)
    )
    meeting = Meeting.objects.create(
        school=school, title="Spring term panel", held_at=ago(days=5), recorded_by=dsl
    )
    MeetingPupil.objects.create(meeting=meeting, pupil=pupil, note=MEETING_NOTE)
    shared = decide(pupil, world.yot, dsl, decided_at=ago(days=4))
    not_shared = decide(
        pupil,
        world.police,
        dsl,
        decision=Decision.NOT_SHARE,
        expires_on=None,
        reason="Not needed yet",
        decided_at=ago(days=3),
    )
    notification = PoliceNotification.objects.create(
        school=school,
        pupil=pupil,
        kind=PoliceNotificationKind.DOMESTIC_ABUSE,
        summary=NOTIFICATION_TEXT,
        occurred_at=ago(days=2),
        recorded_by=dsl,
        recorded_at=ago(days=2),
        due_by=ago(days=1),
        acknowledged_at=ago(hours=1),
        acknowledged_by=dsl,
        support_given="Spoke with him at the start of the day",
    )
    return Record(
        report=report,
        incident=incident,
        assessment=assessment,
        plan=plan,
        closed_plan=closed_plan,
        referral=referral,
        meeting=meeting,
        shared=shared,
        not_shared=not_shared,
        notification=notification,
    )


@pytest.fixture
def record(world, dsl) -> Record:
    # Another pupil's record, which never shows.
    casework_record(world, dsl, world.pupil_b)
    return casework_record(world, dsl, world.pupil_a)


def fresh(user: User) -> User:
    """The user as a new request would load them, without cached memberships or grants."""
    return User.objects.get(pk=user.pk)


def entries_of(user: User, pupil: Pupil, **filters):
    return chronology_entries(user=fresh(user), pupil=pupil, **filters)


def test_a_safeguarding_lead_sees_every_kind_newest_first(world, dsl, record):
    entries = entries_of(dsl, world.pupil_a)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert {e.kind for e in entries} == set(Kind) - {Kind.TRANSFER}
    summaries = [e.summary for e in entries]
    assert summaries == [
        "Notification from the police read by the school, and the support given recorded",
        "Notification from the police: domestic abuse at home",
        "Early-intervention plan reviewed",
        "Decided not to share with Surrey Police",
        "Decided to share with Surrey YOS: risk-factor assessments; access until the end of "
        f"{(record.shared.expires_on - timedelta(days=1)):%-d %B %Y}",
        "Discussed at a multi-agency meeting: Spring term panel",
        "Referral to Surrey YOS: Accepted",
        "Referred to Surrey YOS (youth offending team)",
        "Early-intervention plan opened",
        "Risk assessment: high risk",
        f"Incident {record.incident.reference}: Bullying (in person); involved as victim",
        f"Pupil's report {record.report.reference}: Bullying (in person); new",
        "Early-intervention plan closed: Attendance back to normal",
        "Early-intervention plan opened",
    ]
    review = next(e for e in entries if e.summary == "Early-intervention plan reviewed")
    assert review.date_only and review.id == str(record.plan.pk)
    assert review.url == reverse("casework-plan", args=[record.plan.pk])
    ids = {e.id for e in entries}
    assert str(record.report.pk) in ids and str(record.notification.pk) in ids


def test_entries_never_hold_what_a_pupil_wrote_or_what_was_said_of_them(world, dsl, record):
    text = " ".join(e.summary for e in entries_of(dsl, world.pupil_a))
    for private in (REPORT_TEXT, MEETING_NOTE, NOTIFICATION_TEXT, FACTOR_EVIDENCE, "lockers"):
        assert private not in text


def test_a_revoked_share_shows_the_decision_and_its_revocation(world, dsl, record):
    SharingDecision.objects.filter(pk=record.shared.pk).update(
        revoked_at=ago(hours=2), revoked_by=dsl, revoke_reason="Case closed"
    )
    entries = entries_of(dsl, world.pupil_a, kinds=[Kind.SHARING_DECISION])
    assert entries[0].summary == "Sharing with Surrey YOS revoked"
    assert entries[0].id == str(record.shared.pk)


def test_an_officer_sees_the_casework_but_not_moves_between_schools(world, persona, record):
    officer = persona(Role.SSP_OFFICER, world.school_a)
    viewer = chronology_viewer(user=fresh(officer), pupil=world.pupil_a)
    assert viewer.case_worker
    assert Kind.TRANSFER not in viewer.kinds
    assert Kind.REPORT in viewer.kinds
    assert len(entries_of(officer, world.pupil_a)) == 14


def test_a_grant_naming_assessments_shows_them_and_the_decisions_granting_it_only(
    world, dsl, practitioner, record
):
    viewer = chronology_viewer(user=fresh(practitioner), pupil=world.pupil_a)
    assert viewer.kinds == (Kind.ASSESSMENT, Kind.SHARING_DECISION)
    entries = entries_of(practitioner, world.pupil_a)
    assert [(e.kind, e.id) for e in entries] == [
        (Kind.SHARING_DECISION, str(record.shared.pk)),
        (Kind.ASSESSMENT, str(record.assessment.pk)),
    ]
    assert entries[1].url == reverse("casework-assessment", args=[record.assessment.pk])
    # Asking for kinds outside the grant gives nothing more.
    assert entries_of(practitioner, world.pupil_a, kinds=[Kind.REPORT, Kind.PLAN]) == []


def test_a_grant_naming_reports_and_incidents_shows_them_without_links(
    world, dsl, practitioner, record
):
    SharingDecision.objects.filter(pk=record.shared.pk).update(items=["reports", "incidents"])
    entries = entries_of(practitioner, world.pupil_a)
    assert {e.kind for e in entries} == {Kind.REPORT, Kind.INCIDENT, Kind.SHARING_DECISION}
    opened = {e.kind: e.url for e in entries}
    assert opened[Kind.REPORT] == "" and opened[Kind.INCIDENT] == ""
    assert opened[Kind.SHARING_DECISION] == reverse("sharing-decision", args=[record.shared.pk])


def test_entries_filter_by_kind_and_by_day(world, dsl, record):
    today = timezone.localdate()
    entries = entries_of(
        dsl,
        world.pupil_a,
        kinds=[Kind.PLAN, Kind.REFERRAL],
        since=today - timedelta(days=8),
        until=today - timedelta(days=2),
    )
    assert [e.summary for e in entries] == [
        "Early-intervention plan reviewed",
        "Referral to Surrey YOS: Accepted",
        "Referred to Surrey YOS (youth offending team)",
    ]


def test_every_kind_links_to_a_page_that_exists():
    for kind, name in PAGES.items():
        assert reverse(name, args=["00000000-0000-0000-0000-000000000000"]), kind


def test_reading_costs_the_same_queries_however_long_the_record(world, dsl, record):
    with CaptureQueriesContext(connection) as once:
        entries_of(dsl, world.pupil_a)
    # A pupil has one open plan at a time: the first closes before the second record's opens.
    Plan.objects.filter(pk=record.plan.pk).update(
        status=PlanStatus.CLOSED, outcome="Safe journeys", closed_at=timezone.now()
    )
    casework_record(world, dsl, world.pupil_a)
    with CaptureQueriesContext(connection) as twice:
        doubled = entries_of(dsl, world.pupil_a)
    assert len(doubled) == 29
    assert len(twice) == len(once)
