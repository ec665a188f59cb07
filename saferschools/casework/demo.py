"""The demo area's casework and information sharing, made through the real services by the
demo's own people: assessments, plans, referrals, a multi-agency meeting, an information-sharing
agreement, sharing decisions (one refused and one expired among them) and notifications from the
police."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferschools.accounts.models import User
from saferschools.core.models import Agency, Partnership, School
from saferschools.lib.schooldays import LONDON, start_of_next_school_day
from saferschools.sharing.agreement_services import AgreementInput, agreement_create
from saferschools.sharing.decision_services import SharingDecisionInput, sharing_decision_record
from saferschools.sharing.models import (
    Consent,
    Decision,
    InformationSharingAgreement,
    LawfulBasis,
    PoliceNotification,
    SharedItem,
    SharingDecision,
    SpecialCondition,
)
from saferschools.sharing.police_services import (
    police_notification_acknowledge,
    police_notification_record,
)

from .assessment_services import FactorInput, assessment_record
from .meeting_services import ActionInput, GuestInput, MeetingInput, PupilNoteInput, meeting_record
from .models import Plan, Pupil, RiskAssessment
from .plan_services import plan_action_add, plan_open, plan_review_record
from .referral_services import ReferralInput, referral_create, referral_update_status

SOURCE = "command:demo"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _backdate(model: Any, pk: Any, **fields: Any) -> None:
    """Move what the services stamped with today's date back to when the demo says it happened."""
    model.objects.filter(pk=pk).update(**fields)


def _days_ago(days: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


@transaction.atomic
def demo_casework(*, partnership: Partnership, secondary: School) -> None:
    """Give the demo secondary school its casework, unless it has some already."""
    if RiskAssessment.objects.filter(school=secondary).exists():
        return
    dsl = _user("dsl@oakwood.example")
    head = _user("head@oakwood.example")
    officer = _user("officer@surrey-police.example")
    practitioner = _user("practitioner@surrey-yos.example")
    agencies = {a.kind: a for a in Agency.objects.filter(area=secondary.area)}
    pupils = list(secondary.pupils.order_by("family_name", "given_name", "school_pupil_id"))
    # The first pupil is the one a demo report is linked to: their chronology has the most in it.
    first, second, third, fourth = pupils[0], pupils[5], pupils[11], pupils[17]
    today = timezone.localdate()

    agreement = _agreement(partnership, head, agencies)
    _first_pupil(first, dsl, officer, practitioner, agencies, agreement, today)
    _second_pupil(second, dsl, officer, agencies, today)
    _third_pupil(third, dsl, agencies, today)
    _notifications(secondary, fourth, first, officer, dsl)
    _meeting(secondary, dsl, officer, practitioner, first, second, today)


def _agreement(
    partnership: Partnership, head: User, agencies: dict[str, Agency]
) -> InformationSharingAgreement:
    agreement = agreement_create(
        actor=head,
        partnership=partnership,
        data=AgreementInput(
            title="Horley SSP information-sharing agreement",
            purpose=(
                "To identify early the pupils of the partnership's schools most at risk of "
                "offending or of harm, and to plan support with the agencies able to give it."
            ),
            data_shared=(
                "Pupils' names, dates of birth and schools; risk-factor assessments; attendance "
                "and exclusions; incidents involving pupils; police notifications of incidents "
                "outside school; referrals and their outcomes."
            ),
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            special_condition=SpecialCondition.SAFEGUARDING,
            frequency="Case by case, and at the monthly multi-agency meeting",
            security=(
                "Shared only inside SaferSchools, through recorded sharing decisions; no e-mail "
                "of personal data; two-factor sign-in for everyone who sees it."
            ),
            retention=(
                "Kept while the pupil is at a partnership school and for six years after they "
                "leave, then deleted."
            ),
            review_on=timezone.localdate() + timedelta(days=200),
            party_ids=[
                str(agencies[kind].pk)
                for kind in (
                    Agency.Kind.POLICE_FORCE,
                    Agency.Kind.LOCAL_AUTHORITY,
                    Agency.Kind.YOUTH_OFFENDING_TEAM,
                    Agency.Kind.CHILDRENS_SOCIAL_CARE,
                    Agency.Kind.EDUCATION_WELFARE,
                )
            ],
        ),
        source=SOURCE,
    )
    return agreement


def _first_pupil(
    pupil: Pupil,
    dsl: User,
    officer: User,
    practitioner: User,
    agencies: dict[str, Agency],
    agreement: InformationSharingAgreement,
    today: Any,
) -> None:
    """A pupil at high risk: reassessed from medium to high, a plan, a referral to the youth
    offending service shared with its practitioner."""
    earlier = assessment_record(
        actor=dsl,
        pupil=pupil,
        factors=[
            FactorInput("lack_of_commitment", "Attendance 84% this term; 11 sessions missed", "Attendance records"),
            FactorInput("aggressive_behaviour", "Two fixed-term suspensions for fighting", "Behaviour log"),
            FactorInput("family_conflict", "Parents separated; pupil moves between homes", "Head of year"),
        ],
        notes="First assessment after the head of year raised concerns.",
        review_on=None,
        source=SOURCE,
    )  # fmt: skip
    _backdate(RiskAssessment, earlier.pk, assessed_at=_days_ago(70))
    assessment_record(
        actor=dsl,
        pupil=pupil,
        factors=[
            FactorInput("lack_of_commitment", "Attendance down to 78%; found off site twice", "Attendance records"),
            FactorInput("aggressive_behaviour", "A further suspension after an assault in the changing rooms", "Incident log"),
            FactorInput("family_conflict", "Police called to the home in October", "Police notification"),
            FactorInput("peers_in_crime", "Seen with older youths known for shoplifting", "SSP officer"),
            FactorInput("drugs_available", "Cannabis dealing reported at the recreation ground", "Neighbourhood policing team"),
            FactorInput("early_crime_or_drugs", "Community resolution for shop theft", "SSP officer"),
        ],
        notes="Reassessed after the police notification; agreed at the multi-agency meeting.",
        review_on=(today + timedelta(days=42)),
        source=SOURCE,
    )  # fmt: skip
    plan = plan_open(
        actor=dsl,
        pupil=pupil,
        lead_professional_id=str(dsl.pk),
        concerns=(
            "Falling attendance, fighting, and time spent with older youths involved in theft "
            "and drugs near the recreation ground."
        ),
        goals=(
            "Attendance back above 92% by the end of term; no further suspension; a positive "
            "activity after school two evenings a week."
        ),
        next_review_on=(today + timedelta(days=21)),
        source=SOURCE,
    )
    _backdate(Plan, plan.pk, opened_at=_days_ago(45))
    for description, owner, name, organisation, due in (
        ("Daily check-in with the head of year", dsl, "", "", today - timedelta(days=3)),
        ("Home visit with the family", officer, "", "", today + timedelta(days=7)),
        ("Offer a place at the boxing club", None, "Jo Mentor", "Horley youth and community project", today + timedelta(days=14)),
    ):  # fmt: skip
        plan_action_add(
            actor=dsl,
            plan=plan,
            description=description,
            owner_id=str(owner.pk) if owner else "",
            owner_name=name,
            owner_organisation=organisation,
            due_on=due,
            source=SOURCE,
        )
    plan_review_record(
        actor=dsl,
        plan=plan,
        held_on=(today - timedelta(days=10)),
        notes="Attendance a little better; mentoring agreed; family engaging with early help.",
        next_review_on=(today + timedelta(days=21)),
        source=SOURCE,
    )
    share = sharing_decision_record(
        actor=dsl,
        pupil=pupil,
        data=SharingDecisionInput(
            agency_id=str(agencies[Agency.Kind.YOUTH_OFFENDING_TEAM].pk),
            practitioner_id=str(practitioner.pk),
            agreement_id=str(agreement.pk),
            purpose="A referral to the youth offending service's prevention programme",
            information="The risk assessments, the early-intervention plan and the referral",
            items=[SharedItem.ASSESSMENTS, SharedItem.PLANS, SharedItem.REFERRALS, SharedItem.MEETINGS],
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            special_condition=SpecialCondition.SAFEGUARDING,
            consent=Consent.GIVEN,
            golden_rules_confirmed=True,
            decision=Decision.SHARE,
            expires_on=(today + timedelta(days=90)),
        ),
        source=SOURCE,
    )  # fmt: skip
    referral = referral_create(
        actor=dsl,
        pupil=pupil,
        data=ReferralInput(
            agency_id=str(agencies[Agency.Kind.YOUTH_OFFENDING_TEAM].pk),
            reason="Early involvement in theft and drugs; prevention programme requested.",
            sharing_decision_id=str(share.pk),
            plan_id=str(plan.pk),
        ),
        source=SOURCE,
    )
    referral_update_status(
        actor=practitioner, referral=referral, status="accepted", outcome="", source=SOURCE
    )


def _second_pupil(
    pupil: Pupil, dsl: User, officer: User, agencies: dict[str, Agency], today: Any
) -> None:
    """A pupil at medium risk: a referral awaiting an answer, and a refusal to share."""
    assessment_record(
        actor=dsl,
        pupil=pupil,
        factors=[
            FactorInput("hyperactivity", "Diagnosed ADHD; struggling in lessons", "SENCo"),
            FactorInput("alienation", "Withdrawn; no friendship group", "Form tutor"),
            FactorInput("low_achievement", "Reading age three years below", "SENCo"),
        ],
        notes="",
        review_on=(today + timedelta(days=60)),
        source=SOURCE,
    )  # fmt: skip
    referral_create(
        actor=dsl,
        pupil=pupil,
        data=ReferralInput(
            agency_id=str(agencies[Agency.Kind.CAMHS].pk),
            reason="Low mood and withdrawal; assessment requested.",
        ),
        source=SOURCE,
    )
    sharing_decision_record(
        actor=dsl,
        pupil=pupil,
        data=SharingDecisionInput(
            agency_id=str(agencies[Agency.Kind.VOLUNTARY].pk),
            purpose="The youth project asked about the pupil for its mentoring scheme",
            information="The risk assessment",
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            consent=Consent.REFUSED,
            golden_rules_confirmed=True,
            decision=Decision.NOT_SHARE,
            reason="The parents refused and there is no risk of harm that would justify sharing.",
        ),
        source=SOURCE,
    )


def _third_pupil(pupil: Pupil, dsl: User, agencies: dict[str, Agency], today: Any) -> None:
    """A pupil at low risk whose share with education welfare has expired."""
    assessment_record(
        actor=dsl,
        pupil=pupil,
        factors=[FactorInput("lack_of_commitment", "Persistent lateness", "Attendance records")],
        notes="",
        review_on=None,
        source=SOURCE,
    )
    expired = sharing_decision_record(
        actor=dsl,
        pupil=pupil,
        data=SharingDecisionInput(
            agency_id=str(agencies[Agency.Kind.EDUCATION_WELFARE].pk),
            purpose="An attendance review with the education welfare service",
            information="Attendance and the risk assessment",
            items=[SharedItem.ASSESSMENTS],
            lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
            consent=Consent.NOT_SOUGHT,
            consent_reason="Attendance enforcement is a legal duty; consent is not the basis.",
            golden_rules_confirmed=True,
            decision=Decision.SHARE,
            expires_on=(today + timedelta(days=30)),
        ),
        source=SOURCE,
    )
    # Decided two months ago for a month: it has expired by itself.
    _backdate(
        SharingDecision, expired.pk, decided_at=_days_ago(60), expires_on=today - timedelta(days=30)
    )


def _notifications(
    school: School, pupil: Pupil, earlier_pupil: Pupil, officer: User, dsl: User
) -> None:
    """One notification from the police read and acted on, one waiting to be read."""
    read = police_notification_record(
        actor=officer,
        school=school,
        pupil_id=str(earlier_pupil.pk),
        kind="domestic_abuse",
        summary="Police attended a domestic incident at the home last night; the pupil was present.",
        occurred_at=_days_ago(30, hour=22),
        source=SOURCE,
    )
    recorded = _days_ago(29, hour=6)
    due = start_of_next_school_day(recorded)
    _backdate(PoliceNotification, read.pk, recorded_at=recorded, due_by=due)
    read.refresh_from_db()
    police_notification_acknowledge(
        actor=dsl,
        notification=read,
        support_given="Checked in with the pupil at registration; quiet space offered; early help informed.",
        source=SOURCE,
    )
    # Read that morning, before registration.
    _backdate(PoliceNotification, read.pk, acknowledged_at=due - timedelta(minutes=20))
    police_notification_record(
        actor=officer,
        school=school,
        pupil_id=str(pupil.pk),
        kind="domestic_abuse",
        summary="Officers attended a report of domestic abuse at the pupil's home this evening.",
        occurred_at=(timezone.now() - timedelta(hours=2)),
        source=SOURCE,
    )


def _meeting(
    school: School,
    dsl: User,
    officer: User,
    practitioner: User,
    first: Pupil,
    second: Pupil,
    today: Any,
) -> None:
    """The month's multi-agency meeting: the youth offending service's practitioner was there,
    and may read the note on the pupil shared with them but not on the other."""
    meeting_record(
        actor=dsl,
        school=school,
        source=SOURCE,
        data=MeetingInput(
            title="Early help panel, Oakwood School",
            held_at=_days_ago(7, hour=15),
            location="Meeting room 2",
            attendee_ids=[str(dsl.pk), str(officer.pk), str(practitioner.pk)],
            guests=[
                GuestInput(
                    name="Jo Harris",
                    organisation="Family Support Trust",
                    role="Family support worker",
                )
            ],
            pupils=[
                PupilNoteInput(
                    pupil_id=str(first.pk),
                    note="Attendance falling and seen with older youths; mentor and referral agreed.",
                ),
                PupilNoteInput(
                    pupil_id=str(second.pk),
                    note="Withdrawn in lessons; CAMHS referral made, awaiting an answer.",
                ),
            ],
            decisions=(
                "Refer the first pupil to the youth offending service's prevention programme. "
                "Chase CAMHS for the second. Review both at the next panel in four weeks."
            ),
            actions=[
                ActionInput(
                    description="Arrange a mentor",
                    due_on=today + timedelta(days=3),
                    owner_id=str(dsl.pk),
                ),
                ActionInput(
                    description="Call the family about the mentoring offer",
                    due_on=today - timedelta(days=2),
                    owner_name="Jo Harris",
                ),
                ActionInput(
                    description="Patrol the recreation ground after school",
                    due_on=today + timedelta(days=5),
                    owner_id=str(officer.pk),
                ),
            ],
        ),
    )
