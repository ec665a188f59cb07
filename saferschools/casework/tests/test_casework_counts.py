"""Casework counted per school (``/casework/counts/``): in full for the school's case workers;
for analysts, steering members and police supervisors with counts from 1 to 4, and those that
would give one away, not shown, and never a name."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferschools.accounts.models import Role
from saferschools.casework import counts as casework_counts
from saferschools.casework.models import (
    Plan,
    PlanAction,
    PlanStatus,
    Referral,
    ReferralService,
    ReferralStatus,
    RiskAssessment,
    RiskLevel,
)
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import (
    Consent,
    Decision,
    LawfulBasis,
    PoliceNotification,
    SharingDecision,
)
from saferschools.testing.factories import PartnershipSchoolFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

URL = "/casework/counts/"
DOWNLOAD = "/casework/counts/download/"
# A Monday in the spring term of 2025/26; the school year so far began on 1 September 2025.
TODAY = date(2026, 3, 16)
IN_TERM = datetime(2026, 1, 14, 10, 0, tzinfo=LONDON)
LAST_YEAR = datetime(2025, 7, 10, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 3, 16, 12, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


def pupils(school, n, **fields):
    return PupilFactory.create_batch(n, school=school, family_name="Zanzibar", **fields)


def assess(pupil, level, by, at=IN_TERM):
    return RiskAssessment.objects.create(
        pupil=pupil,
        school=pupil.school,
        assessed_by=by,
        assessed_at=at,
        level=level,
        level_reason="Worked out from the factors present",
    )


def refer(pupil, agency, by, status=ReferralStatus.SENT, at=IN_TERM):
    return Referral.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        service=ReferralService.YOUTH_OFFENDING_TEAM,
        reason="Getting into fights after school",
        status=status,
        referred_by=by,
        referred_at=at,
    )


def plan_for(pupil, by, *, opened_at=IN_TERM, closed_at=None):
    return Plan.objects.create(
        pupil=pupil,
        school=pupil.school,
        lead_professional=by,
        concerns="Missing lessons",
        goals="Full attendance",
        status=PlanStatus.CLOSED if closed_at else PlanStatus.OPEN,
        outcome="Attending again" if closed_at else "",
        opened_by=by,
        opened_at=opened_at,
        closed_at=closed_at,
    )


def decide(pupil, agency, by, decision=Decision.SHARE, at=IN_TERM):
    return SharingDecision.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        purpose="Support",
        information="Assessments",
        items=[],
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        consent=Consent.NOT_SOUGHT,
        consent_reason="A child at risk",
        golden_rules_confirmed=True,
        decision=decision,
        expires_on=TODAY + timedelta(days=30) if decision == Decision.SHARE else None,
        decided_by=by,
        decided_at=at,
    )


def notify(pupil, by, *, recorded_at=IN_TERM, due_by=None, acknowledged_at=None):
    due_by = due_by or recorded_at + timedelta(hours=20)
    return PoliceNotification.objects.create(
        school=pupil.school,
        pupil=pupil,
        summary="Police called to the home overnight",
        occurred_at=recorded_at - timedelta(hours=2),
        recorded_by=by,
        recorded_at=recorded_at,
        due_by=due_by,
        acknowledged_at=acknowledged_at,
        acknowledged_by=by if acknowledged_at else None,
    )


def rows(response):
    found = response.context["counts"]
    return {row.label: row.counts for row in found.rows} | (
        {"All schools": found.total.counts} if found.total else {}
    )


def body_of(response):
    return response.content.decode()


# Who sees which schools ------------------------------------------------------------------------


def test_a_case_worker_sees_their_schools_counts_in_full(client, dsl, world):
    for pupil in pupils(world.school_a, 2):
        assess(pupil, RiskLevel.HIGH, dsl)
    assess(pupils(world.school_a, 1)[0], RiskLevel.LOW, dsl)
    refer(world.pupil_a, world.yot, dsl, ReferralStatus.ACCEPTED)
    client.force_login(dsl)
    response = client.get(URL)
    assert response.status_code == 200
    counts = rows(response)
    assert list(counts) == ["Oakwood School"]
    assert counts["Oakwood School"] | {} == {
        **dict.fromkeys(casework_counts.KEYS, 0),
        "assessed_low": 1,
        "assessed_high": 2,
        "assessed": 3,
        "referrals_accepted": 1,
        "referrals": 1,
    }
    assert "not shown" not in body_of(response)
    assert "Zanzibar" not in body_of(response)


def test_an_officer_of_a_partnership_sees_its_schools_in_full(client, persona, world, dsl):
    assess(world.pupil_b, RiskLevel.MEDIUM, dsl)
    client.force_login(persona(Role.SSP_OFFICER, world.p))
    counts = rows(client.get(URL))
    assert list(counts) == ["Langshott Primary", "Oakwood School", "All schools"]
    assert counts["Langshott Primary"]["assessed_medium"] == 1
    assert counts["All schools"]["assessed"] == 1


@pytest.mark.parametrize(
    ("role", "scope", "schools"),
    [
        (Role.LA_ANALYST, "area", ["Langshott Primary", "Oakwood School", "Woking High"]),
        (Role.STEERING_MEMBER, "p", ["Langshott Primary", "Oakwood School"]),
        (Role.POLICE_SUPERVISOR, "police", ["Langshott Primary", "Oakwood School", "Woking High"]),
    ],
)
def test_overseers_see_the_partnership_schools_they_reach(
    client, persona, world, role, scope, schools
):
    client.force_login(persona(role, getattr(world, scope)))
    response = client.get(URL)
    assert response.status_code == 200
    assert [row.label for row in response.context["counts"].rows] == schools


@pytest.mark.parametrize("who", ["staff", "practitioner"])
def test_staff_and_practitioners_get_404(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.get(DOWNLOAD).status_code == 404


def test_an_administrator_and_the_lead_of_a_school_in_no_partnership_get_404(
    client, persona, world
):
    for user in (
        persona(Role.AREA_ADMIN, world.area),
        persona(Role.SAFEGUARDING_LEAD, world.school_e),
    ):
        client.force_login(user)
        assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get(URL).status_code == 302


# Suppression -------------------------------------------------------------------------------------


def test_an_analyst_sees_counts_with_small_ones_suppressed_and_never_a_name(
    client, analyst, dsl, world
):
    named = PupilFactory(school=world.school_a, given_name="Quentin", family_name="Quartermaine")
    assess(named, RiskLevel.HIGH, dsl)
    for pupil in pupils(world.school_a, 6):
        assess(pupil, RiskLevel.HIGH, dsl)
    for pupil in pupils(world.school_a, 3):
        assess(pupil, RiskLevel.MEDIUM, dsl)
    for pupil in pupils(world.school_c, 5):
        refer(pupil, world.yot, dsl)
    client.force_login(analyst)
    response = client.get(URL)
    counts = rows(response)
    oakwood, woking, everyone = (
        counts["Oakwood School"],
        counts["Woking High"],
        counts["All schools"],
    )
    # 3 at medium is small; 7 at high goes with it, or 10 less 7 would give it away.
    assert oakwood["assessed_medium"] is None
    assert oakwood["assessed_high"] is None
    assert oakwood["assessed_low"] == 0
    assert oakwood["assessed"] == 10
    # 5 is shown, and so is nought.
    assert woking["referrals_sent"] == 5
    assert woking["referrals_declined"] == 0
    assert woking["referrals"] == 5
    # Down the columns too: all schools' high (7, from Oakwood alone) would give it away.
    assert everyone["assessed_high"] is None
    assert everyone["assessed_medium"] is None
    assert everyone["assessed"] == 10
    body = body_of(response)
    assert "Quentin" not in body and "Quartermaine" not in body and "Zanzibar" not in body
    assert "not shown" in body
    assert "counts from 1 to 4 are “not shown”" in body
    for values in counts.values():
        assert not any(value is not None and 1 <= value <= 4 for value in values.values())


def test_no_suppressed_count_can_be_worked_out_from_those_shown(client, analyst, dsl, world):
    for pupil in pupils(world.school_a, 2):
        decide(pupil, world.yot, dsl, Decision.SHARE)
    for pupil in pupils(world.school_a, 9):
        decide(pupil, world.yot, dsl, Decision.NOT_SHARE)
    for pupil in pupils(world.school_b, 6):
        decide(pupil, world.yot, dsl, Decision.NOT_SHARE)
    recorded = pupils(world.school_c, 7)
    for pupil in recorded[:6]:
        notify(pupil, dsl, acknowledged_at=IN_TERM + timedelta(hours=1))
    notify(recorded[6], dsl, acknowledged_at=IN_TERM + timedelta(days=3))
    langshott = pupils(world.school_b, 9)
    for pupil in langshott[:7]:
        notify(pupil, dsl)  # unread, past due
    for pupil in langshott[7:]:
        notify(pupil, dsl, acknowledged_at=IN_TERM + timedelta(hours=1))
    client.force_login(analyst)
    found = client.get(URL).context["counts"]
    table = [*found.rows, found.total]
    for row in table:
        for total, parts in casework_counts.ROW_RELATIONS:
            cells = [row.counts[key] for key in (total, *parts) if key in row.counts]
            if len(cells) == len(parts):
                # The notifications read in time are never shown, but are the difference
                # between two counts that may be: that must not be small.
                received, late = cells
                assert None in cells or not 1 <= received - late <= 4, (row.label, cells)
            else:
                assert cells.count(None) != 1, (row.label, total, cells)
    for key in casework_counts.KEYS:
        column = [row.counts[key] for row in found.rows] + [found.total.counts[key]]
        assert column.count(None) != 1, (key, column)
    woking = {row.label: row.counts for row in found.rows}["Woking High"]
    # One of 7 read late: not shown; 7 received is, which leaves from 3 to 6 read in time.
    assert woking["notifications_late"] is None
    assert woking["notifications"] == 7
    # 7 of 9 read late would tell that 2 were read in time: the 7 is not shown.
    langshott = {row.label: row.counts for row in found.rows}["Langshott Primary"]
    assert (langshott["notifications"], langshott["notifications_late"]) == (9, None)
    oakwood = {row.label: row.counts for row in found.rows}["Oakwood School"]
    # 2 shared is small; 9 not shared goes with it; the 11 decisions are shown.
    assert (oakwood["shared"], oakwood["not_shared"], oakwood["decisions"]) == (None, None, 11)


def test_a_case_worker_who_is_also_an_analyst_sees_their_school_in_full(
    client, persona, dsl, world
):
    user = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    from saferschools.testing.factories import MembershipFactory

    MembershipFactory(user=user, role=Role.LA_ANALYST, area=world.area)
    assess(world.pupil_a, RiskLevel.HIGH, dsl)
    assess(world.pupil_b, RiskLevel.HIGH, dsl)
    client.force_login(user)
    counts = rows(client.get(URL))
    assert counts["Oakwood School"]["assessed_high"] == 1
    assert counts["Langshott Primary"]["assessed_high"] is None
    # All schools less Oakwood, which the user sees, would give Langshott's away.
    assert counts["All schools"]["assessed_high"] is None


# What is counted ---------------------------------------------------------------------------------


def test_the_latest_assessment_in_the_period_gives_the_level(client, dsl, world):
    pupil = world.pupil_a
    assess(pupil, RiskLevel.HIGH, dsl, at=IN_TERM)
    assess(pupil, RiskLevel.LOW, dsl, at=IN_TERM + timedelta(days=20))
    assess(world.pupil_b, RiskLevel.HIGH, dsl, at=LAST_YEAR)  # another school, another year
    assess(PupilFactory(school=world.school_a), RiskLevel.MEDIUM, dsl, at=LAST_YEAR)
    client.force_login(dsl)
    counts = rows(client.get(URL))["Oakwood School"]
    assert (counts["assessed_low"], counts["assessed_high"], counts["assessed"]) == (1, 0, 1)


def test_plans_open_in_the_period_and_actions_overdue(client, dsl, world):
    open_plan = plan_for(world.pupil_a, dsl, opened_at=LAST_YEAR)
    plan_for(PupilFactory(school=world.school_a), dsl, opened_at=LAST_YEAR, closed_at=LAST_YEAR)
    plan_for(PupilFactory(school=world.school_a), dsl, closed_at=IN_TERM + timedelta(days=1))

    def action(due_on, done_on=None):
        PlanAction.objects.create(
            plan=open_plan,
            description="Meet the family",
            owner=dsl,
            due_on=due_on,
            done_at=datetime.combine(done_on, datetime.min.time(), LONDON).replace(hour=16)
            if done_on
            else None,
        )

    action(date(2026, 2, 2))  # overdue, not done
    action(date(2026, 2, 3), done_on=date(2026, 2, 10))  # done late
    action(date(2026, 2, 4), done_on=date(2026, 2, 4))  # done on the day
    action(TODAY)  # due today: not yet overdue
    action(date(2025, 6, 1))  # before the period
    client.force_login(dsl)
    counts = rows(client.get(URL))["Oakwood School"]
    assert counts["plans_open"] == 2
    assert counts["actions_overdue"] == 2


def test_notifications_read_late_or_unread_past_due(client, dsl, world):
    notify(world.pupil_a, dsl, acknowledged_at=IN_TERM + timedelta(hours=1))
    notify(world.pupil_a, dsl, acknowledged_at=IN_TERM + timedelta(days=2))
    notify(world.pupil_a, dsl)  # past due, unread
    notify(world.pupil_a, dsl, recorded_at=datetime(2026, 3, 16, 8, 0, tzinfo=LONDON))  # not due
    client.force_login(dsl)
    counts = rows(client.get(URL))["Oakwood School"]
    assert (counts["notifications"], counts["notifications_late"]) == (4, 2)


def test_decisions_shared_and_not(client, dsl, world):
    decide(world.pupil_a, world.yot, dsl, Decision.SHARE)
    decide(world.pupil_a, world.yot, dsl, Decision.NOT_SHARE)
    decide(world.pupil_a, world.yot, dsl, Decision.NOT_SHARE)
    client.force_login(dsl)
    counts = rows(client.get(URL))["Oakwood School"]
    assert (counts["shared"], counts["not_shared"], counts["decisions"]) == (1, 2, 3)


# The period --------------------------------------------------------------------------------------


def test_the_default_period_is_this_school_year_so_far(client, dsl, world):
    refer(world.pupil_a, world.yot, dsl, at=LAST_YEAR)
    refer(world.pupil_a, world.yot, dsl, at=datetime(2025, 9, 1, 0, 30, tzinfo=LONDON))
    client.force_login(dsl)
    response = client.get(URL)
    assert rows(response)["Oakwood School"]["referrals"] == 1
    assert "1 September 2025 to 16 March 2026 (this school year so far)" in body_of(response)


def test_a_period_chosen(client, dsl, world):
    refer(world.pupil_a, world.yot, dsl, at=LAST_YEAR)
    refer(world.pupil_a, world.yot, dsl, at=datetime(2025, 7, 31, 23, 30, tzinfo=LONDON))
    client.force_login(dsl)
    period = {"start_day": "1", "start_month": "7", "start_year": "2025"}
    period |= {"end_day": "31", "end_month": "7", "end_year": "2025"}
    response = client.get(URL, period)
    assert response.status_code == 200
    assert rows(response)["Oakwood School"]["referrals"] == 2
    assert "1 July 2025 to 31 July 2025" in body_of(response)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start_day": "31", "start_month": "2", "start_year": "2026"}, "start", "real date"),
        ({"start_day": "1", "start_month": "1", "start_year": "1066"}, "start", "from 2000"),
        (
            {"end_day": "99999999999999999999", "end_month": "1", "end_year": "2026"},
            "end",
            "real date",
        ),
        ({"start_day": "\x00", "start_month": "1", "start_year": "2026"}, "start", "real date"),
        (
            {"start_day": "2", "start_month": "3", "start_year": "2026"}
            | {"end_day": "1", "end_month": "3", "end_year": "2026"},
            "end",
            "on or after its start",
        ),
    ],
    ids=["not-a-day", "too-early", "huge", "nul", "backwards"],
)
def test_a_bad_period_is_refused_naming_the_field(client, dsl, world, params, field, message):
    client.force_login(dsl)
    for url in (URL, DOWNLOAD):
        response = client.get(url, params)
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert list(errors) == [field]
        assert message in errors[field][0]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_period_rules():
    today = TODAY
    assert casework_counts.period_clean(start=None, end=None, today=today) == (
        date(2025, 9, 1),
        date(2026, 3, 17),
    )
    # A start alone runs to today, or to the end of its school year.
    assert casework_counts.period_clean(start=date(2026, 1, 5), end=None, today=today)[1] == (
        date(2026, 3, 17)
    )
    assert casework_counts.period_clean(start=date(2024, 10, 1), end=None, today=today)[1] == (
        date(2025, 9, 1)
    )
    # An end alone starts its school year.
    assert casework_counts.period_clean(start=None, end=date(2025, 2, 1), today=today) == (
        date(2024, 9, 1),
        date(2025, 2, 2),
    )


# The download -----------------------------------------------------------------------------------


def read_csv(response):
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_download_has_the_same_counts_suppressed_and_is_audited(client, analyst, dsl, world):
    named = PupilFactory(school=world.school_a, given_name="Quentin", family_name="Quartermaine")
    assess(named, RiskLevel.HIGH, dsl)
    for pupil in pupils(world.school_a, 6):
        assess(pupil, RiskLevel.LOW, dsl)
    client.force_login(analyst)
    page = client.get(URL)
    assert f'href="{DOWNLOAD}?start_day=1&amp;start_month=9&amp;start_year=2025' in body_of(page)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "casework-counts-2025-09-01-to-2026-03-16.csv" in response["Content-Disposition"]
    table = read_csv(response)
    header = table[0]
    assert header[:4] == ["School URN", "School", "From", "To"]
    assert "Pupils assessed, by latest level: High" in header
    by_school = {row[1]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert list(by_school) == ["Langshott Primary", "Oakwood School", "Woking High", "All schools"]
    oakwood = by_school["Oakwood School"]
    assert oakwood["Pupils assessed, by latest level: High"] == "not shown"
    assert oakwood["Pupils assessed, by latest level: Low"] == "not shown"
    assert oakwood["Pupils assessed, by latest level: All assessed"] == "7"
    assert oakwood["From"] == "2025-09-01" and oakwood["To"] == "2026-03-16"
    text = response.content.decode()
    assert "Quentin" not in text and "Quartermaine" not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor_id == analyst.pk
    assert event.object_type == "casework.counts"
    assert event.object_id == "2025-09-01/2026-03-16"
    assert event.detail["format"] == "csv"
    assert sorted(event.detail["suppressed"]) == sorted(
        [world.school_a.urn, world.school_b.urn, world.school_c.urn]
    )


def test_a_case_worker_downloads_every_count(client, dsl, world):
    assess(world.pupil_a, RiskLevel.MEDIUM, dsl)
    client.force_login(dsl)
    table = read_csv(client.get(DOWNLOAD))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["School URN"] == str(world.school_a.urn)
    assert row["Pupils assessed, by latest level: Medium"] == "1"
    assert len(table) == 2
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).detail["suppressed"] == []


def test_a_school_name_that_looks_like_a_formula_is_kept_as_text(client, persona, world):
    school = SchoolFactory(area=world.area, name="=HYPERLINK(1)")
    PartnershipSchoolFactory(partnership=world.p, school=school)
    client.force_login(persona(Role.STEERING_MEMBER, world.p))
    names = [row[1] for row in read_csv(client.get(DOWNLOAD))[1:]]
    assert "'=HYPERLINK(1)" in names


# Queries ------------------------------------------------------------------------------------------


def _queries(client, url=URL):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_queries_do_not_grow_with_the_schools(client, analyst, dsl, world):
    client.force_login(analyst)
    assess(world.pupil_a, RiskLevel.HIGH, dsl)
    few = _queries(client)
    few_csv = _queries(client, DOWNLOAD)
    for n in range(6):
        school = SchoolFactory(area=world.area, name=f"New School {n}")
        PartnershipSchoolFactory(partnership=world.q, school=school)
        pupil = PupilFactory(school=school)
        assess(pupil, RiskLevel.HIGH, dsl)
        refer(pupil, world.yot, dsl)
        decide(pupil, world.yot, dsl)
        notify(pupil, dsl)
        plan_for(pupil, dsl)
    assert _queries(client) == few
    assert _queries(client, DOWNLOAD) == few_csv


def test_counts_page_query_count_is_bounded(client, analyst, world, django_assert_max_num_queries):
    client.force_login(analyst)
    # session, user, memberships, the schools counted, the case workers' schools among them,
    # one count each of assessments, plans, actions, referrals, decisions and notifications,
    # the unread notifications in the navigation, and the session's save (in a savepoint).
    with django_assert_max_num_queries(17):
        assert client.get(URL).status_code == 200
