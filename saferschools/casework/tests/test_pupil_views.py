from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferschools.casework.models import Pupil
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

HEADER = "Adno,UPN,Legal Forename,Legal Surname,DOB,Year"
GOOD_CSV = "\n".join(
    [
        HEADER,
        "1001,A123456789012,Amy,Archer,31/01/2012,Year 8",
        "1002,,Ben,Baker,2011-05-06,9",
        "1003,B123456789012,Cara,Clark,01.02.2013,Y7",
    ]
)
WHO_LOOKED = "Who looked at this record"


def list_url(school):
    return reverse("casework-pupils", args=[school.urn])


def import_url(school):
    return reverse("casework-import-pupils", args=[school.urn])


def pupil_url(pupil):
    return reverse("casework-pupil", args=[pupil.pk])


def csv_file(text: str, name: str = "pupils.csv", encoding: str = "utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, school, file, **extra):
    return client.post(import_url(school), {"file": file, **extra})


def views_of(pupil):
    return AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(pupil.pk))


def pupil_snapshot(school):
    return sorted(
        Pupil.objects.filter(school=school).values_list(
            "school_pupil_id", "upn", "given_name", "family_name", "date_of_birth", "year_group"
        )
    )


# The pupil list


@pytest.mark.parametrize("who", ["dsl", "staff"])
def test_school_staff_see_the_pupil_list(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(list_url(world.school_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert world.pupil_a.family_name in body
    assert pupil_url(world.pupil_a) in body
    assert world.pupil_b.family_name not in body


def test_safeguarding_lead_sees_the_import_link(client, dsl, world):
    client.force_login(dsl)
    assert import_url(world.school_a) in client.get(list_url(world.school_a)).content.decode()


def test_staff_do_not_see_the_import_link(client, staff, world):
    client.force_login(staff)
    page = client.get(list_url(world.school_a))
    assert import_url(world.school_a) not in page.content.decode()


@pytest.mark.parametrize("who", ["outside_officer", "practitioner"])
def test_outsiders_get_404_for_the_pupil_list_and_a_pupil(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(list_url(world.school_a)).status_code == 404
    assert client.get(pupil_url(world.pupil_a)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_pupil_of_another_school_is_404_for_the_safeguarding_lead(client, dsl, world):
    client.force_login(dsl)
    assert client.get(pupil_url(world.pupil_b)).status_code == 404
    assert client.get(list_url(world.school_b)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(list_url(world.school_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))


def test_pupils_who_have_left_are_not_listed(client, dsl, world):
    left = PupilFactory(school=world.school_a, family_name="Leaver", on_roll=False)
    client.force_login(dsl)
    page = client.get(list_url(world.school_a))
    assert "Leaver" not in page.content.decode()
    assert not views_of(left).exists()


def test_search_narrows_the_list_by_name(client, dsl, world):
    archer = PupilFactory(school=world.school_a, given_name="Amy", family_name="Archer")
    baker = PupilFactory(school=world.school_a, given_name="Ben", family_name="Baker")
    client.force_login(dsl)
    page = client.get(list_url(world.school_a), {"q": "archer"})
    assert page.status_code == 200
    assert list(page.context["pupils"]) == [archer]
    body = page.content.decode()
    assert "Archer, Amy" in body
    assert "Baker" not in body
    assert views_of(archer).count() == 1
    assert not views_of(baker).exists()


def test_search_with_no_match_says_so(client, dsl, world):
    client.force_login(dsl)
    page = client.get(list_url(world.school_a), {"q": "Nobody"})
    assert page.context["pupils"] == []
    assert "No pupil matches" in page.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_each_pupil_listed_writes_a_view_event(client, dsl, world):
    others = PupilFactory.create_batch(3, school=world.school_a)
    client.force_login(dsl)
    client.get(list_url(world.school_a))
    for pupil in [world.pupil_a, *others]:
        event = views_of(pupil).get()
        assert event.actor_id == dsl.pk
        assert event.detail == {"listing": True}
        assert event.source == "web:casework-pupils"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 4


def _list_queries(client, school):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(list_url(school)).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def _selects(queries):
    return [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]


def test_pupil_list_queries_do_not_grow_with_pupils(client, dsl, world):
    client.force_login(dsl)
    PupilFactory.create_batch(4, school=world.school_a)
    small = _list_queries(client, world.school_a)
    PupilFactory.create_batch(35, school=world.school_a)
    large = _list_queries(client, world.school_a)
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 5 + 40
    # Reads are O(1); the audit events of a listing are written together.
    assert len(_selects(large)) == len(_selects(small))
    assert len(large) == len(small)


def test_pupil_list_query_count_is_bounded(client, dsl, world, django_assert_max_num_queries):
    PupilFactory.create_batch(39, school=world.school_a)
    client.force_login(dsl)
    # session, user, memberships, school, can-read, pupils, audit head lock, audit insert,
    # audit head update, can-manage, the unread notifications in the navigation, session save,
    # and the savepoints around the writes.
    with django_assert_max_num_queries(18):
        assert client.get(list_url(world.school_a)).status_code == 200


# A pupil's page


def test_pupil_page_writes_a_view_event(client, dsl, world):
    client.force_login(dsl)
    page = client.get(pupil_url(world.pupil_a))
    assert page.status_code == 200
    assert world.pupil_a.name in page.content.decode()
    event = views_of(world.pupil_a).get()
    assert event.actor_id == dsl.pk
    assert event.source == "web:casework-pupil"


def test_pupil_page_shows_who_looked_to_the_safeguarding_lead(client, dsl, staff, world):
    client.force_login(staff)
    client.get(pupil_url(world.pupil_a))
    client.force_login(dsl)
    page = client.get(pupil_url(world.pupil_a))
    body = page.content.decode()
    assert WHO_LOOKED in body
    assert staff.email in body
    assert dsl.email in body


def test_pupil_page_hides_who_looked_from_staff(client, dsl, staff, world):
    client.force_login(dsl)
    client.get(pupil_url(world.pupil_a))
    client.force_login(staff)
    page = client.get(pupil_url(world.pupil_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert WHO_LOOKED not in body
    assert dsl.email not in body
    assert page.context["access_log"] is None


def test_malformed_pupil_id_is_404(client, dsl):
    client.force_login(dsl)
    assert client.get("/pupils/not-a-uuid/").status_code == 404


# Importing pupils


def test_good_csv_adds_pupils_and_redirects_with_a_message(client, dsl, world):
    client.force_login(dsl)
    response = upload(client, world.school_a, csv_file(GOOD_CSV))
    assert response.status_code == 302
    assert response["Location"] == list_url(world.school_a)
    page = client.get(response["Location"])
    assert "Pupil register updated: 3 added, 0 updated, 0 unchanged, 0 marked as left." in (
        page.content.decode()
    )
    amy = Pupil.objects.get(school=world.school_a, school_pupil_id="1001")
    assert (amy.given_name, amy.family_name, amy.upn) == ("Amy", "Archer", "A123456789012")
    assert amy.date_of_birth == date(2012, 1, 31)
    assert amy.year_group == 8
    assert Pupil.objects.get(school_pupil_id="1003").year_group == 7
    assert Pupil.objects.filter(school=world.school_a).count() == 4


def test_reupload_updates_without_duplicating(client, dsl, world):
    client.force_login(dsl)
    upload(client, world.school_a, csv_file(GOOD_CSV))
    changed = GOOD_CSV.replace("2011-05-06,9", "2011-05-06,10")
    response = upload(client, world.school_a, csv_file(changed))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "0 added, 1 updated, 2 unchanged, 0 marked as left" in page.content.decode()
    assert Pupil.objects.filter(school=world.school_a).count() == 4
    assert Pupil.objects.get(school_pupil_id="1002").year_group == 10


def test_file_with_bad_rows_lists_them_and_changes_nothing(client, dsl, world):
    client.force_login(dsl)
    upload(client, world.school_a, csv_file(GOOD_CSV))
    before = pupil_snapshot(world.school_a)
    events_before = AuditEvent.objects.count()
    bad = "\n".join(
        [
            HEADER,
            "1001,A123456789012,Amy,Archer,31/01/2012,Year 9",
            "1002,,Ben,Baker,31/02/2011,9",
            "1004,,Dan,Dale,02/03/2012,8",
            "1005,,Eve,,03/04/2012,8",
        ]
    )
    response = upload(client, world.school_a, csv_file(bad))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Line 3: date of birth &#x27;31/02/2011&#x27; is not a date" in body
    assert "Line 5: the surname is empty" in body
    assert "Line 2" not in body
    assert "Line 4" not in body
    assert response.context["form"].errors["file"] == [
        "The file has 2 problems; nothing was imported"
    ]
    assert pupil_snapshot(world.school_a) == before
    assert AuditEvent.objects.count() == events_before


def test_file_that_is_not_a_csv_is_a_field_error(client, dsl, world):
    client.force_login(dsl)
    response = upload(client, world.school_a, csv_file(GOOD_CSV, name="pupils.xlsx"))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The selected file must be a CSV"]
    assert Pupil.objects.filter(school=world.school_a).count() == 1


def test_empty_upload_is_a_field_error(client, dsl, world):
    client.force_login(dsl)
    response = upload(client, world.school_a, csv_file(""))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The selected file is empty"]


def test_missing_file_is_a_field_error(client, dsl, world):
    client.force_login(dsl)
    # As a browser sends the form when no file was chosen: an empty file part.
    response = client.post(import_url(world.school_a), {"file": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Select a CSV file to import"]
    assert 'href="#id_file"' in response.content.decode()


def test_windows_1252_file_imports_accented_names(client, dsl, world):
    client.force_login(dsl)
    text = f"{HEADER}\n2001,,Zoë,Brontë,05/06/2012,Year 8\n"
    response = upload(client, world.school_a, csv_file(text, encoding="cp1252"))
    assert response.status_code == 302
    pupil = Pupil.objects.get(school=world.school_a, school_pupil_id="2001")
    assert (pupil.given_name, pupil.family_name) == ("Zoë", "Brontë")


def test_import_can_mark_leavers(client, dsl, world):
    client.force_login(dsl)
    response = upload(client, world.school_a, csv_file(GOOD_CSV), mark_leavers="on")
    assert response.status_code == 302
    world.pupil_a.refresh_from_db()
    assert world.pupil_a.on_roll is False


def test_import_page_renders_for_the_safeguarding_lead(client, dsl, world):
    client.force_login(dsl)
    page = client.get(import_url(world.school_a))
    assert page.status_code == 200
    assert "legalsurname" in page.content.decode()


def test_import_page_is_404_for_staff(client, staff, world):
    client.force_login(staff)
    assert client.get(import_url(world.school_a)).status_code == 404
    assert upload(client, world.school_a, csv_file(GOOD_CSV)).status_code == 404
    assert Pupil.objects.filter(school=world.school_a).count() == 1


@pytest.mark.parametrize("who", ["outside_officer", "practitioner"])
def test_import_page_is_404_for_outsiders(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(import_url(world.school_a)).status_code == 404
    assert upload(client, world.school_a, csv_file(GOOD_CSV)).status_code == 404
    assert Pupil.objects.filter(school=world.school_a).count() == 1


def test_an_unreadable_upload_is_a_field_error_not_a_crash(client, dsl, world):
    client.force_login(dsl)
    before = pupil_snapshot(world.school_a)
    binary = SimpleUploadedFile("p.csv", bytes(range(256)) * 10, content_type="text/csv")
    response = upload(client, world.school_a, binary)
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert "neither UTF-8 nor Windows-1252" in response.content.decode()
    assert pupil_snapshot(world.school_a) == before


def test_an_empty_post_is_answered_with_errors(client, dsl, world):
    client.force_login(dsl)
    response = client.post(import_url(world.school_a), {})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_a_nul_in_the_search_is_ignored(client, dsl, world):
    client.force_login(dsl)
    response = client.get(reverse("casework-pupils", args=[world.school_a.urn]), {"q": "\x00"})
    assert response.status_code == 200


def test_htmx_search_gets_the_results_alone_and_audits_them(client, dsl, world):
    client.force_login(dsl)
    url = reverse("casework-pupils", args=[world.school_a.urn])
    response = client.get(url, {"q": world.pupil_a.family_name}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="pupil-results">')
    assert "<html" not in body
    assert world.pupil_a.family_name in body
    assert views_of(world.pupil_a).exists()
