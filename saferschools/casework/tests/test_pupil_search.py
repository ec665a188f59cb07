"""Finding a pupil across the schools one may see (``/pupils/``), and the pupils shared with an
agency practitioner."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharedItem, SharingDecision
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

URL = "/pupils/"
HOME = "/"


def search(client, **params):
    return client.get(URL, params)


def views():
    return AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="casework.pupil")


def viewed_ids():
    return sorted(views().values_list("object_id", flat=True))


def share(pupil, agency, decided_by, *, expires_on, practitioner=None, items=None, **fields):
    return SharingDecision.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        practitioner=practitioner,
        purpose="Support from the youth offending service",
        information="Chronology and assessments",
        items=items if items is not None else [SharedItem.ASSESSMENTS],
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        consent=Consent.GIVEN,
        golden_rules_confirmed=True,
        decision=fields.pop("decision", Decision.SHARE),
        expires_on=expires_on,
        decided_by=decided_by,
        decided_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def named(world):
    """Pupils with names to search for: two at school A, one at B, one at C, one in the other
    area."""
    return {
        "amy": PupilFactory(
            school=world.school_a, given_name="Amy", family_name="Archer", upn="A123456789012"
        ),
        "ben": PupilFactory(school=world.school_a, given_name="Ben", family_name="Archer"),
        "cara": PupilFactory(school=world.school_b, given_name="Cara", family_name="Archer"),
        "dev": PupilFactory(school=world.school_c, given_name="Dev", family_name="Archer"),
        "eve": PupilFactory(school=world.school_d, given_name="Eve", family_name="Archer"),
    }


@pytest.fixture
def officer(world, persona):
    """The SSP officer of partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


def found(response):
    return [pupil.given_name for pupil in response.context["results"]]


# Who searches which pupils ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "staff"])
def test_school_staff_find_the_pupils_of_their_school_only(client, request, named, who):
    client.force_login(request.getfixturevalue(who))
    response = search(client, q="archer")
    assert response.status_code == 200
    assert found(response) == ["Amy", "Ben"]
    body = response.content.decode()
    assert reverse("casework-pupil", args=[named["amy"].pk]) in body
    assert "Archer, Amy" in body
    assert "Cara" not in body and "Dev" not in body and "Eve" not in body


def test_an_officer_finds_the_pupils_of_every_school_of_the_partnership(client, officer, named):
    client.force_login(officer)
    response = search(client, q="archer")
    assert found(response) == ["Amy", "Ben", "Cara"]


def test_the_school_filter_narrows_to_one_of_the_users_schools(client, officer, world, named):
    client.force_login(officer)
    response = search(client, q="archer", school=world.school_b.urn)
    assert response.status_code == 200
    assert found(response) == ["Cara"]
    assert viewed_ids() == [str(named["cara"].pk)]


def test_a_school_that_is_not_the_users_is_refused_naming_the_field(client, officer, world, named):
    client.force_login(officer)
    response = search(client, q="archer", school=world.school_c.urn)
    assert response.status_code == 400
    assert response.context["form"].errors == {"school": ["Choose one of your schools"]}
    assert "Dev" not in response.content.decode()
    assert not views().exists()


def test_search_by_upn_and_by_the_schools_pupil_id(client, dsl, named):
    client.force_login(dsl)
    assert found(search(client, q="a123456789012")) == ["Amy"]
    assert found(search(client, q=named["ben"].school_pupil_id)) == ["Ben"]


def test_pupils_who_have_left_are_found_and_marked(client, dsl, world):
    PupilFactory(school=world.school_a, given_name="Lee", family_name="Leaver", on_roll=False)
    client.force_login(dsl)
    response = search(client, q="leaver")
    assert found(response) == ["Lee"]
    assert ">Left</strong>" in response.content.decode()


def test_another_areas_lead_finds_none_of_this_areas_pupils(client, persona, world, named):
    client.force_login(persona(Role.SAFEGUARDING_LEAD, world.school_d))
    assert found(search(client, q="archer")) == ["Eve"]


@pytest.mark.parametrize(
    "role", [Role.LA_ANALYST, Role.AREA_ADMIN, Role.STEERING_MEMBER, Role.POLICE_SUPERVISOR]
)
def test_roles_without_pupils_get_404(client, persona, world, named, role):
    client.force_login(persona(role, world.area))
    assert search(client, q="archer").status_code == 404
    assert search(client).status_code == 404
    assert not views().exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = search(client, q="archer")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))


# What is audited --------------------------------------------------------------------------------


def test_each_pupil_listed_is_audited_once(client, dsl, named):
    client.force_login(dsl)
    search(client, q="archer")
    assert viewed_ids() == sorted([str(named["amy"].pk), str(named["ben"].pk)])
    event = views().first()
    assert event.actor_id == dsl.pk
    assert event.detail == {"listing": True}
    assert event.source == "web:casework-search-pupils"


def test_an_empty_search_lists_nobody_for_staff(client, dsl, named):
    client.force_login(dsl)
    response = search(client)
    assert response.status_code == 200
    assert response.context["results"] is None
    assert "Archer" not in response.content.decode()
    assert not views().exists()


def test_a_search_matching_nobody_says_so(client, dsl, named):
    client.force_login(dsl)
    response = search(client, q="Nobody")
    assert "No pupil matches “Nobody”" in response.content.decode()
    assert not views().exists()


# Bad input --------------------------------------------------------------------------------------


def test_control_characters_are_taken_out_of_the_search(client, dsl, named):
    client.force_login(dsl)
    response = search(client, q="Arc\x00her\x07")
    assert response.status_code == 200
    assert found(response) == ["Amy", "Ben"]


def test_a_search_too_long_is_refused_naming_the_field(client, dsl, named):
    client.force_login(dsl)
    response = search(client, q="a" * 101)
    assert response.status_code == 400
    assert response.context["form"].errors["q"] == ["Use 100 characters or fewer (this has 101)"]
    assert "There is a problem" in response.content.decode()
    assert not views().exists()


@pytest.mark.parametrize("query", ["%", "_", "' OR 1=1 --", "\\", "🙂", "Archer " * 14])
def test_odd_searches_are_safe(client, dsl, named, query):
    client.force_login(dsl)
    response = search(client, q=query)
    assert response.status_code == 200
    assert response.context["results"] in ([], [named["amy"], named["ben"]])


def test_more_than_the_limit_asks_to_narrow_the_search(client, dsl, world):
    PupilFactory.create_batch(101, school=world.school_a, family_name="Smith")
    client.force_login(dsl)
    response = search(client, q="smith")
    assert len(response.context["results"]) == 100
    assert "Narrow your search" in response.content.decode()
    assert views().count() == 100


# htmx -------------------------------------------------------------------------------------------


def test_htmx_gets_the_results_alone(client, dsl, named):
    client.force_login(dsl)
    response = client.get(URL, {"q": "amy"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="pupil-search-results"' not in body
    assert "Archer, Amy" in body


def test_the_page_works_without_javascript(client, dsl, named):
    client.force_login(dsl)
    body = search(client, q="amy").content.decode()
    assert '<form method="get" action="/pupils/"' in body
    assert '<div id="pupil-search-results" aria-live="polite">' in body
    assert 'name="q"' in body and 'value="amy"' in body
    assert "Archer, Amy" in body


# Practitioners ----------------------------------------------------------------------------------


def test_a_practitioner_without_a_grant_gets_404(client, practitioner, named):
    client.force_login(practitioner)
    assert search(client).status_code == 404
    assert search(client, q="archer").status_code == 404


def test_a_practitioner_sees_the_pupils_shared_with_them(client, practitioner, dsl, world, named):
    ends = timezone.localdate() + timedelta(days=30)
    grant = share(named["amy"], world.yot, dsl, expires_on=ends)
    client.force_login(practitioner)
    response = search(client)
    assert response.status_code == 200
    shared = response.context["shared"]
    assert [row.pupil for row in shared] == [named["amy"]]
    body = response.content.decode()
    assert "Shared with you" in body
    assert "Archer, Amy" in body
    assert "Ben" not in body
    assert f"{ends - timedelta(days=1):%-d %B %Y}" in body
    assert "Chronology, Risk-factor assessments" in body
    event = views().get()
    assert event.object_id == str(named["amy"].pk)
    assert event.detail == {"listing": True, "grant": str(grant.pk)}


def test_a_practitioners_search_finds_only_the_pupils_granted(
    client, practitioner, dsl, world, named
):
    grant = share(named["amy"], world.yot, dsl, expires_on=timezone.localdate() + timedelta(10))
    client.force_login(practitioner)
    response = search(client, q="archer")
    assert found(response) == ["Amy"]
    assert "Shared with you until the end of" in response.content.decode()
    assert views().get().detail == {"listing": True, "grant": str(grant.pk)}


def test_grants_to_others_and_refusals_open_nothing(
    client, practitioner, persona, dsl, world, named
):
    colleague = persona(Role.AGENCY_PRACTITIONER, world.yot)
    later = timezone.localdate() + timedelta(days=10)
    share(named["amy"], world.yot, dsl, expires_on=later, practitioner=colleague)
    share(named["ben"], world.police, dsl, expires_on=later)
    share(named["cara"], world.yot, dsl, expires_on=None, decision=Decision.NOT_SHARE)
    client.force_login(practitioner)
    assert search(client).status_code == 404
    client.force_login(colleague)
    assert [row.pupil for row in search(client).context["shared"]] == [named["amy"]]


def test_the_shared_list_ends_with_the_grant(client, practitioner, dsl, world, named):
    with time_machine.travel(date(2026, 3, 2), tick=False):
        share(named["amy"], world.yot, dsl, expires_on=date(2026, 3, 9))
    with time_machine.travel(date(2026, 3, 8), tick=False):
        client.force_login(practitioner)
        assert search(client).status_code == 200
    with time_machine.travel(date(2026, 3, 9), tick=False):
        client.force_login(practitioner)
        assert search(client).status_code == 404


def test_a_revoked_grant_opens_nothing(client, practitioner, dsl, world, named):
    grant = share(named["amy"], world.yot, dsl, expires_on=timezone.localdate() + timedelta(9))
    grant.revoked_at = timezone.now()
    grant.revoked_by = dsl
    grant.save()
    client.force_login(practitioner)
    assert search(client).status_code == 404


# Queries ----------------------------------------------------------------------------------------


def _queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        assert search(client, **params).status_code == 200
    return len(queries.captured_queries)


def test_search_queries_do_not_grow_with_the_pupils_found(client, officer, world):
    client.force_login(officer)
    PupilFactory.create_batch(3, school=world.school_a, family_name="Smith")
    few = _queries(client, q="smith")
    PupilFactory.create_batch(30, school=world.school_b, family_name="Smith")
    assert _queries(client, q="smith") == few


def test_search_query_count_is_bounded(client, dsl, world, django_assert_max_num_queries):
    PupilFactory.create_batch(40, school=world.school_a, family_name="Smith")
    client.force_login(dsl)
    # session, user, memberships, the schools to choose from, the pupils, the audit head's
    # lock, insert and update, the unread notifications in the navigation, the session's save,
    # and the savepoints around the writes.
    with django_assert_max_num_queries(18):
        assert search(client, q="smith").status_code == 200


def test_shared_list_queries_do_not_grow_with_the_grants(
    client, practitioner, dsl, world, django_assert_max_num_queries
):
    later = timezone.localdate() + timedelta(days=20)
    client.force_login(practitioner)
    share(PupilFactory(school=world.school_a), world.yot, dsl, expires_on=later)
    few = _queries(client)
    for _ in range(12):
        share(PupilFactory(school=world.school_b), world.yot, dsl, expires_on=later)
    # One audit write (the head's lock, the insert, the head's update, in a savepoint) for each
    # grant: each pupil's view names the grant it came through.
    assert _queries(client) <= few + 12 * 5
    assert views().count() == 1 + 13


# The navigation ---------------------------------------------------------------------------------


def nav(response):
    return {item.text: item for item in response.context["nav_items"]}


@pytest.mark.parametrize("who", ["dsl", "staff", "outside_officer"])
def test_the_navigation_has_pupils_for_those_who_see_them(client, request, who):
    client.force_login(request.getfixturevalue(who))
    items = nav(client.get(HOME))
    assert items["Pupils"].href == URL
    assert not items["Pupils"].active
    assert nav(client.get(URL))["Pupils"].active


def test_the_navigation_has_pupils_for_a_practitioner_only_with_a_grant(
    client, practitioner, dsl, world, named
):
    client.force_login(practitioner)
    assert "Pupils" not in nav(client.get(HOME))
    share(named["amy"], world.yot, dsl, expires_on=timezone.localdate() + timedelta(days=3))
    assert "Pupils" in nav(client.get(HOME))


@pytest.mark.parametrize("role", [Role.LA_ANALYST, Role.AREA_ADMIN, Role.POLICE_SUPERVISOR])
def test_the_navigation_has_no_pupils_for_others(client, persona, world, role):
    client.force_login(persona(role, world.area))
    assert "Pupils" not in nav(client.get(HOME))
