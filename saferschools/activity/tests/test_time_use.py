"""Time use: minutes by kind per officer, school and month, planned against logged patrols,
for the officer and their supervisor, and its download."""

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse

from saferschools.activity import selectors
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON

from .helpers import log, plan

pytestmark = pytest.mark.django_db

TIME_USE = reverse("activity-time-use")
EXPORT = reverse("activity-export-time-use")


def at(day: int, hour: int = 8, minute: int = 15, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def month(world, officer, school_officer, other_area_officer):
    """March 2025 (to the 12th): the officer's patrols, lessons and a meeting at schools A and
    B; another officer of the area at school C; an officer of the other area."""
    plan(officer, world.school_a, weekdays=[0, 1, 2, 3, 4])  # 08:15-08:45 from 3 March
    plan(officer, world.school_a, weekdays=[2], starts_at="15:00", ends_at="16:00", active=False)
    log(officer, world.school_a, started_at=at(3), minutes=30, note="Calm at the gate")
    log(officer, world.school_a, started_at=at(4), minutes=35, detail="end_of_day")
    log(officer, world.school_a, started_at=at(5), minutes=40, detail="")
    log(officer, world.school_a, kind="lesson", detail="pshe", started_at=at(4, 11), minutes=60)
    log(officer, world.school_b, kind="meeting", detail="", started_at=at(6, 16), minutes=90)
    # February and April do not count in March.
    log(officer, world.school_a, started_at=at(28, month=2), minutes=45)
    # 00:30 on 1 March UK time is still in March, whatever UTC says.
    log(officer, world.school_b, kind="other", detail="", started_at=at(1, 0, 30), minutes=15)
    log(school_officer, world.school_c, started_at=at(3), minutes=50)
    log(other_area_officer, world.school_d, started_at=at(3), minutes=25)


def rows_by(use) -> dict[tuple[str, str], selectors.TimeUseRow]:
    return {(row.officer.full_name, row.school.name): row for row in use.rows}


def test_the_officers_month_by_school_and_kind(world, officer, month):
    use = selectors.time_use(user=officer, first=date(2025, 3, 1), last=date(2025, 3, 31))

    rows = rows_by(use)
    assert set(rows) == {
        ("PC Ada Lovell", "Oakwood School"),
        ("PC Ada Lovell", "Langshott Primary"),
    }
    oakwood = rows[("PC Ada Lovell", "Oakwood School")]
    assert oakwood.by_kind == {
        "patrol": 105,
        "lesson": 60,
        "one_to_one": 0,
        "meeting": 0,
        "event": 0,
        "training": 0,
        "other": 0,
    }
    assert oakwood.total == 165
    assert (oakwood.logged_patrols, oakwood.logged_patrol_minutes) == (3, 105)
    # Planned: every school day from 3 March to today, the 12th (8 days); not the patrols still
    # to come, nor those of the plan that is not in use.
    assert (oakwood.planned_patrols, oakwood.planned_minutes) == (8, 8 * 30)
    langshott = rows[("PC Ada Lovell", "Langshott Primary")]
    assert (langshott.by_kind["meeting"], langshott.by_kind["other"]) == (90, 15)
    assert langshott.planned_patrols == 0


def test_planned_patrols_skip_bank_holidays(world, officer):
    plan(officer, world.school_a, weekdays=[0], valid_from="2025-04-01", valid_until="2025-05-31")

    use = selectors.time_use(
        user=officer, first=date(2025, 5, 1), last=date(2025, 5, 31), today=date(2025, 6, 30)
    )

    # Mondays in May 2025: 5 (bank holiday), 12, 19, 26 (bank holiday).
    assert use.rows[0].planned_patrols == 2


def test_a_past_month_counts_all_its_planned_patrols(world, officer, month):
    use = selectors.time_use(
        user=officer, first=date(2025, 3, 1), last=date(2025, 3, 31), today=date(2025, 4, 2)
    )

    # Every school day of March from the 3rd: 21 days.
    assert rows_by(use)[("PC Ada Lovell", "Oakwood School")].planned_patrols == 21


def test_the_supervisor_sees_the_officers_of_their_area(world, supervisor, month):
    use = selectors.time_use(user=supervisor, first=date(2025, 3, 1), last=date(2025, 3, 31))

    assert set(rows_by(use)) == {
        ("PC Ada Lovell", "Langshott Primary"),
        ("PC Ada Lovell", "Oakwood School"),
        ("PC Colin Woking", "Woking High"),
    }
    assert use.totals.total == 165 + 105 + 50


def test_the_other_areas_supervisor_sees_only_their_own_officer(world, other_supervisor, month):
    use = selectors.time_use(user=other_supervisor, first=date(2025, 3, 1), last=date(2025, 3, 31))

    assert set(rows_by(use)) == {("PC Dee Fareham", "Fareham Academy")}


# The page ----------------------------------------------------------------------------------


def test_an_officer_sees_their_own_time_use(client, world, officer, month):
    client.force_login(officer)

    page = client.get(TIME_USE)

    assert page.status_code == 200
    body = page.content.decode()
    assert "March 2025" in body
    assert "Oakwood School" in body and "Langshott Primary" in body
    assert "PC Colin Woking" not in body
    assert "2 h 45 min" in body  # 165 minutes at Oakwood
    assert "8 (4 h)" in body  # planned patrols
    assert "3 (1 h 45 min)" in body  # logged patrols
    assert list(page.context["form"].officers) == [str(officer.pk)]


def test_the_supervisor_filters_by_officer_school_and_month(
    client, world, officer, school_officer, supervisor, month
):
    client.force_login(supervisor)

    everyone = client.get(TIME_USE, {"month": "2025-03"})
    one = client.get(TIME_USE, {"month": "2025-03", "officer": str(school_officer.pk)})
    school = client.get(TIME_USE, {"month": "2025-03", "school": str(world.school_b.urn)})
    february = client.get(TIME_USE, {"month": "2025-02"})

    assert len(everyone.context["time_use"].rows) == 3
    assert [r.officer for r in one.context["time_use"].rows] == [school_officer]
    assert [r.school for r in school.context["time_use"].rows] == [world.school_b]
    assert [r.total for r in february.context["time_use"].rows] == [45]


def test_the_other_areas_supervisor_cannot_pick_this_areas_officer(
    client, world, officer, other_supervisor, month
):
    client.force_login(other_supervisor)

    page = client.get(TIME_USE, {"officer": str(officer.pk)})

    assert page.status_code == 400
    assert page.context["form"].errors["officer"] == ["Choose one of the officers listed"]
    assert "PC Ada Lovell" not in page.content.decode()
    assert client.get(EXPORT, {"officer": str(officer.pk)}).status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "March"}, "month"),
        ({"month": "1999-01"}, "month"),
        ({"officer": "nobody"}, "officer"),
        ({"school": "abc"}, "school"),
        ({"school": "999999"}, "school"),
    ],
)
def test_bad_filters_are_a_clear_error(client, officer, month, query, field):
    client.force_login(officer)

    page = client.get(TIME_USE, query)

    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert "There is a problem" in page.content.decode()
    assert client.get(EXPORT, query).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("who", ["dsl", "staff", "head", "analyst", "practitioner"])
def test_time_use_is_not_found_for_anyone_else(client, month, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(TIME_USE).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_the_page_takes_a_fixed_number_of_queries(
    client, world, officer, supervisor, month, django_assert_max_num_queries
):
    for day in range(3, 12):
        log(officer, world.school_b, kind="event", detail="", started_at=at(day, 13), minutes=20)
    client.force_login(supervisor)
    client.get(TIME_USE)

    with django_assert_max_num_queries(16):
        page = client.get(TIME_USE, {"month": "2025-03"})

    assert len(page.context["time_use"].rows) == 3


# The download ------------------------------------------------------------------------------


def test_the_download_is_csv_and_audited(client, world, officer, school_officer, supervisor, month):
    client.force_login(supervisor)

    response = client.get(EXPORT, {"month": "2025-03"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="time-use-2025-03.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["officer"], r["school"]) for r in rows] == [
        ("PC Ada Lovell", "Langshott Primary"),
        ("PC Ada Lovell", "Oakwood School"),
        ("PC Colin Woking", "Woking High"),
    ]
    oakwood = rows[1]
    assert oakwood["month"] == "2025-03"
    assert oakwood["school URN"] == str(world.school_a.urn)
    assert oakwood["Patrol (minutes)"] == "105"
    assert oakwood["Lesson (minutes)"] == "60"
    assert oakwood["total (minutes)"] == "165"
    assert (oakwood["planned patrols"], oakwood["logged patrols"]) == ("8", "3")
    assert (oakwood["planned patrol minutes"], oakwood["logged patrol minutes"]) == ("240", "105")
    # No note is ever in the download.
    assert "Calm" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor_id, event.object_type, event.object_id) == (
        supervisor.pk,
        "activity.timeuse",
        "2025-03",
    )
    assert event.detail["officers"] == sorted([str(officer.pk), str(school_officer.pk)])
    assert event.detail["rows"] == 3
    assert event.source == "web:activity-export-time-use"


def test_a_name_that_looks_like_a_formula_is_defused(client, world, persona, month):
    from saferschools.accounts.models import Role

    sneaky = persona(Role.SSP_OFFICER, world.school_a, full_name="=HYPERLINK(1)")
    log(sneaky, world.school_a)
    client.force_login(sneaky)

    text = client.get(EXPORT, {"month": "2025-03"}).content.decode("utf-8-sig")

    assert "'=HYPERLINK(1)" in text
