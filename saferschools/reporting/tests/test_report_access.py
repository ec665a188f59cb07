"""Who may read and handle pupils' reports: every role over every scope it may hold.

The expectations are written out by hand from the issue ("reports go to the SSP officer and the
nominated staff member", the head teacher as the safeguarding lead), not derived from
``core.access``.
"""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from saferschools.accounts.models import ROLE_SCOPES, Membership, Role, User
from saferschools.core import access
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.reporting.models import Report
from saferschools.reporting.selectors import (
    report_assignees,
    report_get,
    report_inbox,
    report_inbox_summary,
)
from saferschools.reporting.services import (
    followup_reply,
    report_acknowledge,
    report_assign,
    report_close,
)
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

NONE: frozenset[str] = frozenset()
SCHOOLS = ("a", "b", "c", "d")

# Where each scope kind is placed in the world:
#   school A (partnership P, with school B); partnership P (schools A and B); school C is in
#   partnership Q of the same area; school D is in the other area.
#
# role, scope, reports readable, reports writable
MATRIX = [
    (Role.SCHOOL_STAFF, "school", NONE, NONE),
    (Role.SAFEGUARDING_LEAD, "school", {"a"}, {"a"}),
    (Role.HEAD_TEACHER, "school", {"a"}, {"a"}),
    (Role.SSP_OFFICER, "school", {"a"}, {"a"}),
    (Role.SSP_OFFICER, "partnership", {"a", "b"}, {"a", "b"}),
    (Role.POLICE_SUPERVISOR, "police", NONE, NONE),
    (Role.POLICE_SUPERVISOR, "area", NONE, NONE),
    (Role.AGENCY_PRACTITIONER, "yot", NONE, NONE),
    (Role.LA_ANALYST, "area", NONE, NONE),
    (Role.STEERING_MEMBER, "partnership", NONE, NONE),
    (Role.AREA_ADMIN, "area", NONE, NONE),
]

SCOPE_KIND = {
    "school": "school",
    "partnership": "partnership",
    "police": "agency",
    "yot": "agency",
    "area": "area",
}


def _place(world, where: str):
    return {
        "school": world.school_a,
        "partnership": world.p,
        "police": world.police,
        "yot": world.yot,
        "area": world.area,
    }[where]


@pytest.fixture
def reports(world) -> dict[str, Report]:
    return {letter: submit_report(getattr(world, f"school_{letter}")).report for letter in SCHOOLS}


def fresh(user: User) -> User:
    """The same user loaded again, without the memberships cached on the object."""
    return User.objects.get(pk=user.pk)


def test_matrix_covers_every_role_and_every_scope_kind_it_may_hold():
    covered = {(role, SCOPE_KIND[where]) for role, where, *_ in MATRIX}
    legal = {(role, kind) for role, kinds in ROLE_SCOPES.items() for kind in kinds}
    assert covered == legal


@pytest.mark.parametrize(
    ("role", "where", "readable", "writable"),
    MATRIX,
    ids=[f"{role}-{where}" for role, where, *_ in MATRIX],
)
def test_report_access_follows_the_matrix(world, persona, reports, role, where, readable, writable):
    user = persona(role, _place(world, where))

    assert set(access.scope(user, Report)) == {reports[x] for x in readable}
    assert set(access.scope(user, Report, write=True)) == {reports[x] for x in writable}
    for letter, report in reports.items():
        if letter in readable:
            assert access.get_report_for_user(user, report.pk) == report
            assert access.get_report_for_user(user, str(report.pk)) == report
        else:
            with pytest.raises(Http404):
                access.get_report_for_user(user, report.pk)
        if letter in writable:
            assert access.get_report_for_user(user, report.pk, write=True) == report
        else:
            with pytest.raises(Http404):
                access.get_report_for_user(user, report.pk, write=True)
    school = world.school_a
    assert access.can_handle_reports(user, school) == ("a" in readable)


def test_staff_see_a_report_once_it_is_assigned_to_them(world, reports, dsl, staff):
    assert not access.scope(staff, Report).exists()
    report_assign(actor=dsl, report=reports["a"], assignee=staff, source="test")
    staff = fresh(staff)
    assert set(access.scope(staff, Report)) == {reports["a"]}
    assert set(access.scope(staff, Report, write=True)) == {reports["a"]}
    assert list(report_inbox(user=staff)) == [reports["a"]]


def test_an_assignment_reaches_only_reports_of_a_school_one_works_at(world, reports, staff):
    # Put there behind the service's back: the policy still holds.
    Report.objects.filter(pk__in=[reports["b"].pk, reports["d"].pk]).update(assigned_to=staff)
    assert not access.scope(fresh(staff), Report).exists()
    with pytest.raises(Http404):
        access.get_report_for_user(fresh(staff), reports["b"].pk)


def test_staff_who_leave_the_school_lose_the_assigned_report(world, reports, dsl, staff):
    report_assign(actor=dsl, report=reports["a"], assignee=staff, source="test")
    Membership.objects.filter(user=staff).delete()
    with pytest.raises(Http404):
        access.get_report_for_user(fresh(staff), reports["a"].pk)


def test_an_assigned_agency_user_sees_nothing(world, reports, practitioner):
    Report.objects.filter(pk=reports["a"].pk).update(assigned_to=practitioner)
    assert not access.scope(fresh(practitioner), Report).exists()


def test_two_memberships_give_the_union(world, persona, reports):
    user = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    Membership.objects.create(user=user, role=Role.SSP_OFFICER, partnership=world.q)
    assert set(access.scope(fresh(user), Report)) == {reports["a"], reports["c"]}


@pytest.mark.parametrize("inactive", ["user", "anonymous"])
def test_inactive_and_anonymous_users_see_no_report(world, persona, reports, inactive):
    from django.contrib.auth.models import AnonymousUser

    user = (
        persona(Role.SAFEGUARDING_LEAD, world.school_a, is_active=False)
        if inactive == "user"
        else AnonymousUser()
    )
    assert not access.scope(user, Report).exists()
    with pytest.raises(Http404):
        access.get_report_for_user(user, reports["a"].pk)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", 123, None, "", "1 OR 1=1", "../etc"])
def test_malformed_ids_are_not_found_like_missing_ones(reports, dsl, bad_id):
    with pytest.raises(Http404) as missing:
        access.get_report_for_user(dsl, uuid.uuid4())
    with pytest.raises(Http404) as malformed:
        access.get_report_for_user(dsl, bad_id)
    with pytest.raises(Http404) as forbidden:
        access.get_report_for_user(dsl, reports["b"].pk)
    assert str(malformed.value) == str(missing.value) == str(forbidden.value)


# Opening a report and the inbox -------------------------------------------------------------


def views_of(report: Report):
    return AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(report.pk))


def test_opening_a_report_is_audited_and_marks_it_read(reports, dsl):
    report = reports["a"]
    assert Report.objects.get(pk=report.pk).unread_by_school

    opened = report_get(user=dsl, report_id=report.pk, source="web:reporting-report")

    assert opened == report
    (event,) = views_of(report)
    assert event.actor_id == dsl.pk and event.source == "web:reporting-report"
    assert not Report.objects.get(pk=report.pk).unread_by_school
    followup_reply(report=report, body="More to say", source="test")
    assert Report.objects.get(pk=report.pk).unread_by_school


def test_an_outsider_cannot_open_a_report_and_nothing_is_recorded(
    reports, outside_officer, practitioner, staff
):
    for user in (outside_officer, practitioner, staff):
        with pytest.raises(Http404):
            report_get(user=user, report_id=reports["a"].pk, source="test")
    assert not views_of(reports["a"]).exists()
    assert Report.objects.get(pk=reports["a"].pk).unread_by_school


def test_the_inbox_holds_reports_in_scope_with_open_urgent_ones_first(world, persona):
    officer = persona(Role.SSP_OFFICER, world.p)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old_urgent = submit_report(world.school_b, in_danger=True).report
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        plain = submit_report(world.school_a).report
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        closed_urgent = submit_report(world.school_a, category="weapons").report
        report_close(actor=officer, report=closed_urgent, outcome="police_action", source="t")
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        new_urgent = submit_report(world.school_a, category="self_harm").report
    submit_report(world.school_c, in_danger=True)

    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        inbox = list(report_inbox(user=officer))
        assert inbox == [new_urgent, old_urgent, closed_urgent, plain]
        assert list(report_inbox(user=officer, status="open")) == [new_urgent, old_urgent, plain]
        assert list(report_inbox(user=officer, status="closed")) == [closed_urgent]
        assert list(report_inbox(user=officer, category="bullying")) == [old_urgent, plain]
        assert list(report_inbox(user=officer, school=world.school_b)) == [old_urgent]
        # Due within fifteen minutes: the first urgent report is not yet overdue.
        assert list(report_inbox(user=officer, overdue=True)) == []
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert list(report_inbox(user=officer, overdue=True)) == [old_urgent]
        assert report_inbox_summary(user=officer) == {
            "open": 3,
            "urgent": 2,
            "overdue": 1,
            "unread": 3,
            "new": 3,
        }
        report_acknowledge(actor=officer, report=old_urgent, source="test")
        assert list(report_inbox(user=officer, overdue=True)) == []
        assert list(report_inbox(user=officer, status="acknowledged")) == [old_urgent]


def test_the_inbox_takes_the_same_few_queries_however_many_reports(
    world, dsl, django_assert_num_queries
):
    for _ in range(2):
        submit_report(world.school_a)
    dsl = fresh(dsl)
    with django_assert_num_queries(2) as few:
        list(report_inbox(user=dsl))
    for _ in range(8):
        submit_report(world.school_a, in_danger=True)
    dsl = fresh(dsl)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(list(report_inbox(user=dsl))) == 10


def test_assignees_are_the_people_working_at_the_school(world, reports, persona, dsl, staff):
    officer = persona(Role.SSP_OFFICER, world.p)
    head = persona(Role.HEAD_TEACHER, world.school_a)
    persona(Role.SCHOOL_STAFF, world.school_b)
    persona(Role.POLICE_SUPERVISOR, world.police)
    persona(Role.SCHOOL_STAFF, world.school_a, is_active=False)
    assert set(report_assignees(report=reports["a"])) == {dsl, staff, officer, head}
