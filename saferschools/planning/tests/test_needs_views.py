"""A school's needs assessment: who reads and who writes it, the evidence beside it, bad input,
a save over a newer version, completing and reopening it, and its audit trail."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Membership, Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents.models import CrimeMonth, PoliceCrime
from saferschools.outcomes.models import IndicatorValue, LsoaDeprivation
from saferschools.planning import needs_services
from saferschools.planning.models import Concern, NeedsAssessment, SspRequest
from saferschools.planning.needs_services import NeedsInput
from saferschools.planning.stage import stage_missing
from saferschools.reporting.models import Report
from saferschools.testing.factories import SchoolFactory, UserFactory, submit_report

from .test_prioritisation import incidents

pytestmark = pytest.mark.django_db


def needs_url(school, name="planning-needs"):
    return reverse(name, args=[school.urn])


def form(**changes):
    data = {
        "updated_at": "",
        "concerns": ["weapons", "travel_routes"],
        "other_concerns": "",
        "staff_views": "Staff worry about the bus stop after school.",
        "pupil_views": "The school council asked for a police presence at home time.",
        "parent_views": "",
        "governor_views": "",
        "narrative": "Knife crime near the bus station has risen.",
    }
    data.update(changes)
    return data


def saved(school, actor, **changes):
    values = {
        "concerns": ["weapons"],
        "staff_views": "Worried about the bus stop.",
        "narrative": "Knife crime near the bus station has risen.",
    }
    values.update(changes)
    return needs_services.needs_assessment_save(
        actor=actor, school=school, data=NeedsInput(**values), source="test"
    )


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


@pytest.fixture
def far_officer(world, persona):
    return persona(Role.SSP_OFFICER, world.r)


# Who reads it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "head", "staff", "officer", "steering", "analyst"])
def test_everyone_who_sees_the_school_reads_its_needs_assessment(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(needs_url(world.school_a))
    assert page.status_code == 200
    assert "Needs assessment" in page.content.decode()


@pytest.mark.parametrize("who", ["far_officer", "outside_officer"])
def test_those_who_do_not_see_the_school_get_not_found(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(needs_url(world.school_a)).status_code == 404
    assert client.get(needs_url(world.school_a, "planning-needs-edit")).status_code == 404


def test_an_unknown_school_is_not_found(client, world, dsl):
    client.force_login(dsl)
    assert client.get(reverse("planning-needs", args=[999999999])).status_code == 404


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(client, world):
    for name in ("planning-needs", "planning-needs-edit"):
        response = client.get(needs_url(world.school_a, name))
        assert response.status_code == 302
        assert "/account/sign-in/" in response["Location"]


def test_the_page_offers_changes_only_to_those_who_write_it(client, world, dsl, staff):
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert needs_url(world.school_a, "planning-needs-edit") not in page
    client.force_login(dsl)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert needs_url(world.school_a, "planning-needs-edit") in page


# Who writes it --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "head", "officer"])
def test_the_school_leaders_and_its_officer_write_the_assessment(client, world, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(needs_url(world.school_a, "planning-needs-edit")).status_code == 200
    response = client.post(needs_url(world.school_a, "planning-needs-edit"), form())
    assert response.status_code == 302
    assert response["Location"] == needs_url(world.school_a)
    assessment = NeedsAssessment.objects.get(school=world.school_a)
    assert assessment.concerns == ["weapons", "travel_routes"]
    assert assessment.updated_by == user
    assert assessment.completed_on is None


@pytest.mark.parametrize("who", ["staff", "steering", "analyst", "outside_officer"])
def test_others_cannot_write_it(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    url = needs_url(world.school_a, "planning-needs-edit")
    assert client.get(url).status_code == 404
    assert client.post(url, form()).status_code == 404
    assert client.post(needs_url(world.school_a, "planning-needs-complete")).status_code == 404
    assert client.post(needs_url(world.school_a, "planning-needs-reopen")).status_code == 404
    assert not NeedsAssessment.objects.exists()


def test_an_officer_of_another_partnership_cannot_write_it_through_the_service(
    world, outside_officer
):
    with pytest.raises(ValidationError) as raised:
        saved(world.school_a, outside_officer)
    assert "school" in raised.value.message_dict
    assert not NeedsAssessment.objects.exists()


def test_a_save_is_audited_by_field_name_without_the_text(client, world, dsl):
    client.force_login(dsl)
    client.post(needs_url(world.school_a, "planning-needs-edit"), form())
    assessment = NeedsAssessment.objects.get()
    event = AuditEvent.objects.get(object_id=str(assessment.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor_id == dsl.pk
    assert event.source == "web:planning-needs-edit"
    assert event.detail["fields"] == [
        "concerns",
        "narrative",
        "pupil_views",
        "staff_views",
    ]
    assert "bus" not in str(event.detail)

    changed = form(updated_at=assessment.updated_at.isoformat(), governor_views="Governors agree.")
    client.post(needs_url(world.school_a, "planning-needs-edit"), changed)
    update = AuditEvent.objects.filter(object_id=str(assessment.pk)).latest("seq")
    assert update.action == AuditAction.UPDATE
    assert update.detail["fields"] == ["governor_views"]
    assert "Governors" not in str(update.detail)


def test_a_save_that_changes_nothing_writes_nothing(world, dsl):
    first = saved(world.school_a, dsl)
    events = AuditEvent.objects.count()
    again = saved(world.school_a, dsl, seen_updated_at=first.updated_at)
    assert again.updated_at == first.updated_at
    assert AuditEvent.objects.count() == events


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"concerns": ["knives"]}, "Choose concerns from the list"),
        ({"narrative": "x" * 20001}, "Use 20,000 characters or fewer for the narrative"),
        ({"staff_views": "x" * 5001}, "Use 5,000 characters or fewer for the views of staff"),
        (
            {"other_concerns": "x" * 1001},
            "Use 1,000 characters or fewer for the other concerns",
        ),
        (
            {"concerns": [], "staff_views": "", "pupil_views": "", "narrative": " "},
            needs_services.NOTHING_TO_SAVE,
        ),
        ({"updated_at": "yesterday"}, "This form is out of date"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    client, world, dsl, changes, message
):
    client.force_login(dsl)
    response = client.post(needs_url(world.school_a, "planning-needs-edit"), form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not NeedsAssessment.objects.exists()
    assert not AuditEvent.objects.filter(object_type="planning.needsassessment").exists()


def test_a_save_over_a_newer_version_is_refused_then_replaces_it_when_sent_again(
    client, world, dsl, head
):
    first = saved(world.school_a, dsl)
    client.force_login(dsl)
    opened = client.get(needs_url(world.school_a, "planning-needs-edit")).content.decode()
    assert first.updated_at.isoformat() in opened

    # Meanwhile the head teacher saves a change.
    theirs = saved(
        world.school_a,
        head,
        narrative="The head teacher's analysis.",
        seen_updated_at=first.updated_at,
    )

    mine = form(updated_at=first.updated_at.isoformat(), narrative="My analysis.")
    response = client.post(needs_url(world.school_a, "planning-needs-edit"), mine)
    assert response.status_code == 400
    assert "Someone else saved this needs assessment" in response.content.decode()
    assessment = NeedsAssessment.objects.get()
    assert assessment.narrative == "The head teacher's analysis."
    # The form sent back carries the version there is now: saving again replaces it.
    assert theirs.updated_at.isoformat() in response.content.decode()
    again = form(updated_at=theirs.updated_at.isoformat(), narrative="My analysis.")
    assert client.post(needs_url(world.school_a, "planning-needs-edit"), again).status_code == 302
    assert NeedsAssessment.objects.get().narrative == "My analysis."


def test_a_first_save_after_someone_else_started_the_assessment_is_refused(
    client, world, dsl, head
):
    client.force_login(dsl)
    client.get(needs_url(world.school_a, "planning-needs-edit"))
    saved(world.school_a, head, narrative="Started by the head teacher.")
    response = client.post(needs_url(world.school_a, "planning-needs-edit"), form())
    assert response.status_code == 400
    assert NeedsAssessment.objects.get().narrative == "Started by the head teacher."


def test_the_same_form_sent_twice_is_saved_once_without_an_error(client, world, dsl):
    first = saved(world.school_a, dsl)
    client.force_login(dsl)
    sent = form(updated_at=first.updated_at.isoformat(), narrative="My analysis.")

    responses = [
        client.post(needs_url(world.school_a, "planning-needs-edit"), sent) for _ in range(2)
    ]

    assert [response.status_code for response in responses] == [302, 302]
    assert NeedsAssessment.objects.get().narrative == "My analysis."
    assert AuditEvent.objects.filter(object_id=str(first.pk)).count() == 2  # created, changed


# Completing and reopening ---------------------------------------------------------------------


def test_save_and_mark_as_complete_completes_the_stage_for_the_school(client, world, dsl):
    client.force_login(dsl)
    response = client.post(
        needs_url(world.school_a, "planning-needs-edit"), {**form(), "complete": "1"}
    )
    assert response.status_code == 302
    assessment = NeedsAssessment.objects.get()
    assert assessment.completed_on == timezone.localdate()
    missing = stage_missing(world.p)
    assert f"Complete the needs assessment of {world.school_a.name}" not in missing
    assert f"Complete the needs assessment of {world.school_b.name}" in missing
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "Completed" in page
    assert needs_url(world.school_a, "planning-needs-reopen") in page


def test_completing_needs_a_narrative_and_saves_nothing_without_it(client, world, dsl):
    client.force_login(dsl)
    response = client.post(
        needs_url(world.school_a, "planning-needs-edit"), {**form(narrative=""), "complete": "1"}
    )
    assert response.status_code == 400
    assert needs_services.NARRATIVE_NEEDED in response.content.decode()
    assert not NeedsAssessment.objects.exists()


def test_the_complete_button_marks_the_version_seen_complete(client, world, dsl):
    assessment = saved(world.school_a, dsl)
    client.force_login(dsl)
    response = client.post(
        needs_url(world.school_a, "planning-needs-complete"),
        {"updated_at": assessment.updated_at.isoformat()},
    )
    assert response.status_code == 302
    assert NeedsAssessment.objects.get().completed_on == timezone.localdate()
    event = AuditEvent.objects.filter(object_id=str(assessment.pk)).latest("seq")
    assert event.detail["fields"] == ["completed_on"]


def test_the_complete_button_over_a_newer_version_is_refused(client, world, dsl, head):
    first = saved(world.school_a, dsl)
    saved(world.school_a, head, narrative="Changed since.", seen_updated_at=first.updated_at)
    client.force_login(dsl)
    response = client.post(
        needs_url(world.school_a, "planning-needs-complete"),
        {"updated_at": first.updated_at.isoformat()},
    )
    assert response.status_code == 400
    assert "Someone else saved this needs assessment" in response.content.decode()
    assert NeedsAssessment.objects.get().completed_on is None


def test_the_complete_button_pressed_twice_completes_once_without_an_error(client, world, dsl):
    assessment = saved(world.school_a, dsl)
    client.force_login(dsl)
    seen = {"updated_at": assessment.updated_at.isoformat()}

    responses = [
        client.post(needs_url(world.school_a, "planning-needs-complete"), seen) for _ in range(2)
    ]

    assert [response.status_code for response in responses] == [302, 302]
    assert NeedsAssessment.objects.get().completed_on == timezone.localdate()
    events = AuditEvent.objects.filter(object_id=str(assessment.pk), action=AuditAction.UPDATE)
    assert events.count() == 1


def test_save_and_mark_as_complete_sent_twice_completes_once(client, world, dsl):
    client.force_login(dsl)
    sent = {**form(), "complete": "1"}

    responses = [
        client.post(needs_url(world.school_a, "planning-needs-edit"), sent) for _ in range(2)
    ]

    assert [response.status_code for response in responses] == [302, 302]
    assert NeedsAssessment.objects.get().completed_on == timezone.localdate()


def test_completing_without_a_narrative_is_refused_on_the_page(client, world, dsl):
    assessment = saved(world.school_a, dsl, narrative="")
    client.force_login(dsl)
    response = client.post(
        needs_url(world.school_a, "planning-needs-complete"),
        {"updated_at": assessment.updated_at.isoformat()},
    )
    assert response.status_code == 400
    assert needs_services.NARRATIVE_NEEDED in response.content.decode()
    assert response.content.decode().count("<title>Error: ") == 1


def test_a_change_after_completion_keeps_it_complete_and_reopening_clears_it(client, world, dsl):
    assessment = saved(world.school_a, dsl)
    needs_services.needs_assessment_complete(
        actor=dsl, school=world.school_a, seen_updated_at=assessment.updated_at, source="test"
    )
    assessment.refresh_from_db()
    changed = saved(
        world.school_a, dsl, narrative="More detail.", seen_updated_at=assessment.updated_at
    )
    assert changed.completed_on == timezone.localdate()

    client.force_login(dsl)
    assert client.post(needs_url(world.school_a, "planning-needs-reopen")).status_code == 302
    assert NeedsAssessment.objects.get().completed_on is None
    assert f"Complete the needs assessment of {world.school_a.name}" in stage_missing(world.p)


def test_a_completed_assessment_keeps_its_narrative(world, dsl):
    assessment = saved(world.school_a, dsl)
    needs_services.needs_assessment_complete(
        actor=dsl, school=world.school_a, seen_updated_at=assessment.updated_at, source="test"
    )
    assessment.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        saved(world.school_a, dsl, narrative="", seen_updated_at=assessment.updated_at)
    assert "narrative" in refused.value.message_dict
    kept = NeedsAssessment.objects.get()
    assert kept.narrative == assessment.narrative
    assert kept.completed_on is not None


def test_reopening_a_school_with_no_assessment_is_refused(client, world, dsl):
    client.force_login(dsl)
    response = client.post(needs_url(world.school_a, "planning-needs-reopen"))
    assert response.status_code == 400
    assert "no needs assessment yet" in response.content.decode()


def test_the_complete_and_reopen_addresses_take_posts_only(client, world, dsl):
    client.force_login(dsl)
    assert client.get(needs_url(world.school_a, "planning-needs-complete")).status_code == 405
    assert client.get(needs_url(world.school_a, "planning-needs-reopen")).status_code == 405


# The page -------------------------------------------------------------------------------------


def test_the_page_shows_the_assessment_as_written(client, world, dsl, staff):
    saved(
        world.school_a,
        dsl,
        concerns=["weapons", "bullying"],
        parent_views="Parents <b>worry</b>.",
    )
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert Concern.WEAPONS.label in page
    assert Concern.BULLYING.label in page
    assert page.index(Concern.BULLYING.label) < page.index(Concern.WEAPONS.label)
    # Free text is shown as text, never as markup.
    assert "Parents &lt;b&gt;worry&lt;/b&gt;." in page
    assert "In progress" in page


def value(school, code, number, period="2022/23", start=date(2022, 9, 1)):
    return IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_start=start,
        value=None if number is None else Decimal(number),
        suppressed=number is None,
    )


def test_published_figures_are_shown_beside_the_median_of_the_areas_schools_of_its_phase(
    client, world, staff
):
    value(world.school_a, "overall_absence", "5.3", period="2021/22", start=date(2021, 9, 1))
    value(world.school_a, "overall_absence", "6.1")
    value(world.school_c, "overall_absence", "4.0")
    value(world.school_e, "overall_absence", "8.0")
    # A primary school and a school of another area are not compared.
    value(world.school_b, "overall_absence", "1.0")
    value(world.school_d, "overall_absence", "1.0")
    value(world.school_a, "persistent_absence", None)
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "6.1%" in page
    assert "5.3%" not in page
    assert "6.1% <span" in page and "(2022/23)" in page
    assert "Median of the area's secondary schools" in page
    assert "(3 schools, 2022/23)" in page
    assert "Suppressed by the publisher" in page
    assert "Not imported yet" in page


def test_a_school_without_a_figure_is_told_from_a_figure_not_imported(client, world, staff):
    # Overall absence is imported for the area (not for school A); persistent absence is not.
    value(world.school_c, "overall_absence", "4.0")
    client.force_login(staff)

    page = client.get(needs_url(world.school_a)).content.decode()

    overall = page[page.index("Overall absence rate") :]
    assert "No figure published for this school" in overall[: overall.index("</tr>")]
    persistent = page[page.index("Persistent absence rate") :]
    assert "Not imported yet" in persistent[: persistent.index("</tr>")]


def test_the_neighbourhoods_deprivation_is_shown(client, world, staff):
    world.school_a.lsoa_code = "E01030000"
    world.school_a.save()
    LsoaDeprivation.objects.create(
        lsoa_code="E01030000",
        lsoa_name="Reigate and Banstead 001A",
        district_code="E07000211",
        district_name="Reigate and Banstead",
        imd_rank=4321,
        imd_decile=2,
    )
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "Reigate and Banstead 001A" in page
    assert "4,321" in page
    assert "1 is the most deprived tenth" in page


def test_without_a_neighbourhood_or_location_the_page_says_so(client, world, persona):
    school = SchoolFactory(area=world.area, easting=None, northing=None, lsoa_code="")
    client.force_login(persona(Role.SCHOOL_STAFF, school))
    page = client.get(needs_url(school)).content.decode()
    assert "gives no neighbourhood (LSOA)" in page
    assert "gives no location for this school" in page


def crimes(school, month, crime_type, count, *, offset=100):
    batch, _ = CrimeMonth.objects.get_or_create(
        force="Surrey Police", month=month, defaults={"imported_at": timezone.now()}
    )
    PoliceCrime.objects.bulk_create(
        PoliceCrime(
            batch=batch,
            month=month,
            easting=school.easting + offset,
            northing=school.northing,
            crime_type=crime_type,
        )
        for _ in range(count)
    )


def test_crime_near_the_school_is_totalled_by_type_over_the_latest_months(client, world, staff):
    crimes(world.school_a, date(2023, 9, 1), "Violence and sexual offences", 4)
    crimes(world.school_a, date(2023, 10, 1), "Violence and sexual offences", 3)
    crimes(world.school_a, date(2023, 11, 1), "Drugs", 2)
    crimes(world.school_a, date(2023, 11, 1), "Burglary", 5, offset=5000)  # too far away
    crimes(world.school_a, date(2023, 8, 1), "Shoplifting", 9)  # older than three months
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "September 2023 to November 2023" in page
    assert "Violence and sexual offences</th>" in page
    assert ">7</td>" in page
    assert ">9</strong>" in page  # all crimes
    assert "Burglary" not in page
    assert "Shoplifting" not in page


def test_without_police_data_the_page_says_so(client, world, staff):
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "No police crime data has been imported" in page
    assert "Pupil survey results" in page
    assert "Not yet collected." in page


def test_the_requests_are_counted_for_all_and_linked_for_the_schools_leaders(
    client, world, dsl, staff
):
    for name in ("Ann", "Bob"):
        needs_services.ssp_request_submit(
            school=world.school_a,
            requester="parent",
            name=name,
            contact="",
            reason="Knives.",
            source="test",
        )
    SspRequest.objects.filter(name="Bob").update(status=SspRequest.Status.ANSWERED)
    client.force_login(staff)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "2 requests that the school consider a Safer School Partnership, 1 awaiting" in page
    assert reverse("planning-requests", args=[world.school_a.urn]) not in page
    assert "Ann" not in page
    assert reverse("planning-request-public", args=[world.school_a.urn]) in page
    client.force_login(dsl)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert reverse("planning-requests", args=[world.school_a.urn]) in page


def page_queries(client, school):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(needs_url(school)).status_code == 200
    return len(queries)


def test_the_needs_page_reads_in_a_constant_number_of_queries(
    client, world, dsl, django_assert_max_num_queries
):
    saved(world.school_a, dsl)
    client.force_login(dsl)
    client.get(needs_url(world.school_a))
    with django_assert_max_num_queries(26):
        assert client.get(needs_url(world.school_a)).status_code == 200
    before = page_queries(client, world.school_a)
    for code in ("overall_absence", "persistent_absence", "suspension_rate"):
        for school in (world.school_a, world.school_c, world.school_e):
            value(school, code, "3.2")
    for category in ("bullying", "weapons", "gangs"):
        submit_report(world.school_a, category=category)
    crimes(world.school_a, date(2023, 11, 1), "Drugs", 20)
    for name in ("Ann", "Bob", "Cai"):
        needs_services.ssp_request_submit(
            school=world.school_a,
            requester="parent",
            name=name,
            contact="",
            reason="Knives.",
            source="test",
        )
    assert page_queries(client, world.school_a) == before


def test_a_week_old_report_is_counted_and_one_older_than_a_year_is_not(client, world, dsl):
    recent = submit_report(world.school_a, category="weapons").report
    old = submit_report(world.school_a, category="gangs").report
    Report.objects.filter(pk=recent.pk).update(received_at=timezone.now() - timedelta(days=7))
    Report.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=400))
    client.force_login(dsl)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "Weapons or knives" in page
    assert "Gangs or being pressured into crime" not in page


def test_small_counts_are_shown_in_full_to_the_leaders_only(client, world, dsl, analyst):
    submit_report(world.school_a, category="weapons")
    submit_report(world.school_a, category="weapons")
    client.force_login(dsl)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert "fewer than 5" not in page
    assert ">2</td>" in page
    client.force_login(analyst)
    page = client.get(needs_url(world.school_a)).content.decode()
    assert ">fewer than 5</td>" in page  # the category
    assert ">fewer than 5</strong>" in page  # the total
    assert ">2</td>" not in page
    assert "could point to a child" in page


def test_no_hidden_count_can_be_worked_out_with_the_areas_prioritisation(
    client, world, dsl, analyst
):
    # Three reports (a small count, hidden) and six incidents (shown): the area's prioritisation
    # must not show the nine together, from which the three would follow.
    for _ in range(3):
        submit_report(world.school_a, category="weapons")
    incidents(world.school_a, 6, dsl)
    client.force_login(analyst)

    page = client.get(needs_url(world.school_a)).content.decode()
    ranking = client.get(reverse("planning-prioritisation", args=[world.area.pk]))

    totals = page[page.index("All categories") :]
    totals = totals[: totals.index("</tr>")]
    assert "<strong>fewer than 5</strong>" in totals  # the reports
    assert "<strong>6</strong>" in totals  # the incidents
    body = ranking.content.decode()
    assert "9 in 12 months" not in body
    assert "1.0 per 100 pupils" not in body
    oakwood = body[body.index(f">{world.school_a.name}<") :]
    oakwood = oakwood[: oakwood.index("</tr>")]
    assert "not shown" in oakwood
    assert "it could give away a small count" in oakwood


def test_staff_read_the_assessment_of_another_school_of_their_partnership(client, world, staff):
    lead_b = UserFactory()
    Membership.objects.create(user=lead_b, role=Role.SAFEGUARDING_LEAD, school=world.school_b)
    saved(world.school_b, lead_b, narrative="Langshott's analysis.")
    client.force_login(staff)
    page = client.get(needs_url(world.school_b))
    assert page.status_code == 200
    assert "Langshott&#x27;s analysis." in page.content.decode()
    assert client.get(needs_url(world.school_b, "planning-needs-edit")).status_code == 404
